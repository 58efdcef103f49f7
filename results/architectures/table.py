#!/usr/bin/env python3
"""Per-framework numbers for results/architectures/ (README.md there).

`mesosim sweep` draws the charts from whole-run metrics; the Omega paper's
figures are per scheduler (batch job wait against the service scheduler's
decision time), which needs jobs.csv. This runs the same grids with
`mesosim run --no-charts` into a scratch folder and writes table.csv and
table.md here: per configuration, the mean over seeds of each framework's
mean job wait, each scheduler's busyness, the conflict fraction, CPU
utilization and offered-but-idle CPUs, and (partitions) the slowest
master's p95 allocation-run cost. Deterministic: the same bytes each run.

Usage (from the repository root): python3 results/architectures/table.py BINARY
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "scenario.yaml")
SEEDS = [1, 2, 3]
ARCHS = ["two-level", "monolithic", "shared-state"]
DTS = ["0.01s", "0.1s", "1s", "10s", "100s"]
COUNTS = [1, 2, 4, 8]
REBALANCE = "{every: 30s, policy: demand, move_cost: 10s}"
RUN_COST = "{per_agent: 20us, per_pair: 2us}"


def run(binary, sets, seed, out):
    cmd = [binary, "run", SCENARIO, "--seed", str(seed), "--no-charts", "--quiet",
           "--force", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    summary = json.load(open(os.path.join(out, "summary.json")))
    waits = {}
    with open(os.path.join(out, "jobs.csv")) as f:
        for row in csv.DictReader(f):
            if row["wait_s"] != "":
                waits.setdefault(row["framework"], []).append(float(row["wait_s"]))
    return summary, waits


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def measure(binary, sets, scratch):
    rows = []
    for seed in SEEDS:
        s, waits = run(binary, sets, seed, os.path.join(scratch, "run"))
        sch = {x["name"]: x for x in s.get("schedulers", [])}
        trans = sum(x["transactions"] for x in sch.values())
        conf = sum(x["conflicts"] for x in sch.values())
        cost = s.get("allocation_run_cost", [])
        rows.append({
            "batch_wait_s": mean(waits.get("batch", [])),
            "service_wait_s": mean(waits.get("service", [])),
            "batch_busyness": sch.get("batch", sch.get("central", {})).get("busyness", 0.0),
            "service_busyness": sch.get("service", sch.get("central", {})).get("busyness", 0.0),
            "conflict_fraction": conf / trans if trans else 0.0,
            "utilization_cpus": s["utilization"]["cpus"],
            "offered_idle_cpus": s["offered_idle"]["cpus"],
            "run_cost_p95_ms": 1000 * max((c["p95_s"] for c in cost), default=0.0),
            "agents_moved": s.get("agents_moved") or 0,
        })
    return {k: mean([r[k] for r in rows]) for k in rows[0]}


def main():
    binary = sys.argv[1]
    scratch = tempfile.mkdtemp(prefix="mesosim-arch-")
    table = []
    try:
        for arch in ARCHS:
            for dt in DTS:
                sets = [f"architecture={arch}",
                        f"frameworks.service.decision_time.per_job={dt}"]
                table.append(("decision-time", arch, dt, "-", measure(binary, sets, scratch)))
        for n in COUNTS:
            for reb in ([False] if n == 1 else [False, True]):
                sets = [f"partitions.count={n}", f"master.run_cost={RUN_COST}"]
                if reb:
                    sets.append(f"partitions.rebalance={REBALANCE}")
                label = f"{n} partition{'s' if n > 1 else ''}"
                table.append(("partitions", "two-level", label,
                              "rebalanced" if reb else "static",
                              measure(binary, sets, scratch)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    keys = list(table[0][4].keys())
    with open(os.path.join(HERE, "table.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["grid", "architecture", "setting", "rebalance"] + keys)
        for g, a, st, rb, v in table:
            w.writerow([g, a, st, rb] + [f"{v[k]:.6g}" for k in keys])
    with open(os.path.join(HERE, "table.md"), "w") as f:
        f.write("Means over seeds 1–3 (written by table.py; see README.md).\n\n")
        f.write("| architecture | service per_job | batch wait (s) | service wait (s) | "
                "batch busyness | service busyness | conflict fraction | CPU util. | "
                "CPUs offered, idle |\n|---|---|---|---|---|---|---|---|---|\n")
        for g, a, st, rb, v in table:
            if g != "decision-time":
                continue
            f.write(f"| {a} | {st} | {v['batch_wait_s']:.2f} | {v['service_wait_s']:.1f} | "
                    f"{v['batch_busyness']:.3f} | {v['service_busyness']:.3f} | "
                    f"{v['conflict_fraction']:.3f} | {v['utilization_cpus']:.3f} | "
                    f"{v['offered_idle_cpus']:.3f} |\n")
        f.write("\nTwo-level, service per_job 1 s; run cost `{per_agent: 20us, per_pair: 2us}`.\n\n")
        f.write("| partitions | rebalance | batch wait (s) | service wait (s) | "
                "slowest master's p95 run cost (ms) | agents moved | CPU util. | "
                "CPUs offered, idle |\n|---|---|---|---|---|---|---|---|\n")
        for g, a, st, rb, v in table:
            if g != "partitions":
                continue
            f.write(f"| {st} | {rb} | {v['batch_wait_s']:.2f} | {v['service_wait_s']:.1f} | "
                    f"{v['run_cost_p95_ms']:.3f} | {v['agents_moved']:.1f} | "
                    f"{v['utilization_cpus']:.3f} | {v['offered_idle_cpus']:.3f} |\n")


if __name__ == "__main__":
    main()
