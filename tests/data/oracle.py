#!/usr/bin/env python3
"""Independent check of the importer rules (docs/workloads.md), written
apart from the Rust code, used to derive the numbers in tests/importers.rs.

    python3 tests/data/oracle.py google TASK_EVENTS [JOB_EVENTS]
    python3 tests/data/oracle.py swf FILE
"""
import gzip, sys
from decimal import Decimal, ROUND_HALF_UP

def lines(path):
    op = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with op(path, 'rt') as f:
        for l in f:
            l = l.rstrip('\n').rstrip('\r')
            if l.strip():
                yield l

def google(path, machine=(32, 131072)):
    AFTER = (1 << 63) - 1
    tasks = {}
    rows = 0
    kinds = {}
    for l in lines(path):
        f = l.split(',')
        t, job, idx, ev = int(f[0]), f[2], int(f[3]), int(f[5])
        rows += 1
        kinds[ev] = kinds.get(ev, 0) + 1
        k = (int(job), idx)
        r = tasks.setdefault(k, dict(events=[]))
        r['events'].append((t, ev, f[9], f[10], int(f[8])))
    kept, skipped = [], {}
    def skip(why):
        skipped[why] = skipped.get(why, 0) + 1
    for k, r in sorted(tasks.items()):
        inside = lambda t: t != 0 and t != AFTER
        scheds = [i for i, e in enumerate(r['events']) if e[1] == 1 and inside(e[0])]
        out_sched = any(e[1] == 1 and not inside(e[0]) for e in r['events'])
        subs = [e[0] for e in r['events'] if e[1] == 0 and inside(e[0])]
        if not scheds or (out_sched and r['events'][scheds[-1]][0] < max(e[0] for e in r['events'] if e[1] == 1)):
            skip('never scheduled in the file' if subs else 'started before the file')
            continue
        first_sched = r['events'][scheds[0]][0]
        last = scheds[-1]
        sched = r['events'][last][0]
        # submit: first SUBMIT before any SCHEDULE
        pre = [e[0] for e in r['events'][:scheds[0]] if e[1] == 0 and inside(e[0])]
        submit = pre[0] if pre else first_sched
        ends = [e for e in r['events'][last + 1:] if 2 <= e[1] <= 6 and inside(e[0])]
        if ends and ends[0][1] in (3, 4, 5):
            dur = ends[0][0] - sched
        elif ends:
            skip('last attempt evicted or lost'); continue
        else:
            skip('still running at the end of the file'); continue
        # request in force at the last SCHEDULE: latest non-empty up to it
        def req(col):
            v = None
            for e in r['events'][:last + 1]:
                if e[col] != '':
                    v = e[col]
            if v is None:
                for e in r['events'][last + 1:]:
                    if e[col] != '':
                        v = e[col]
            return v
        def scale(v, m):
            if v is None:
                return 0
            # As the importer does: request × (size in milli-units), rounded
            # half away from zero.
            return int(Decimal(float(v) * float(m * 1000)).to_integral_value(ROUND_HALF_UP))
        cpus, mem = scale(req(2), machine[0]), scale(req(3), machine[1])
        if cpus == 0 and mem == 0:
            skip('no resource request'); continue
        kept.append((submit, k, dur, cpus, mem, r['events'][-1][4], not pre))
    kept.sort()
    t0 = kept[0][0] if kept else 0
    print('rows', rows, 'kinds', sorted(kinds.items()))
    print('tasks', len(tasks), 'kept', len(kept), 'skipped', sorted(skipped.items()))
    if kept:
        print('first submit us', kept[0][0] - t0, 'last submit us', kept[-1][0] - t0, 'origin', t0)
        print('cpus milli', sum(k[3] for k in kept), 'mem milli', sum(k[4] for k in kept))
        print('duration us sum', sum(k[2] for k in kept))
        print('first', kept[0][1], 'last', kept[-1][1])
        print('kept with submit = first SCHEDULE', sum(1 for k in kept if k[6]))
        bands = {}
        for k in kept:
            p = k[5]
            b = 'free' if p <= 1 else 'batch' if p <= 8 else 'production'
            bands[b] = bands.get(b, 0) + 1
        print('bands', sorted(bands.items()))

def swf(path):
    rows, kept, skipped, maxprocs = 0, [], {}, None
    for l in lines(path):
        if l.lstrip().startswith(';'):
            if 'MaxProcs:' in l:
                maxprocs = int(l.split(':')[1])
            continue
        f = l.split()
        rows += 1
        sub, run, alloc, req = float(f[1]), float(f[3]), int(f[4]), int(f[7])
        procs = alloc if alloc > 0 else req if req > 0 else None
        if sub < 0:
            skipped['submit'] = skipped.get('submit', 0) + 1; continue
        if run < 0:
            skipped['run'] = skipped.get('run', 0) + 1; continue
        if procs is None:
            skipped['procs'] = skipped.get('procs', 0) + 1; continue
        if maxprocs and procs > maxprocs:
            skipped['max'] = skipped.get('max', 0) + 1; continue
        kept.append((sub, f[0], run, procs))
    kept.sort(key=lambda k: k[0])
    t0 = kept[0][0]
    print('rows', rows, 'kept', len(kept), 'skipped', skipped, 'maxprocs', maxprocs)
    print('tasks', sum(k[3] for k in kept), 'first', kept[0][0] - t0, 'last', kept[-1][0] - t0)
    print('run s sum', sum(k[2] for k in kept), 'first id', kept[0][1], 'last id', kept[-1][1])

if __name__ == '__main__':
    if sys.argv[1] == 'google':
        google(sys.argv[2])
    else:
        swf(sys.argv[2])
