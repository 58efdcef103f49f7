//! The event queue: a 4-ary heap of small keys `(time, lane, seq, slot)`
//! with the payloads in a slab. `seq` is an insertion counter, so events at
//! the same simulated time (and lane) pop in the order they were scheduled.
//!
//! Lanes order same-time events by origin: the scenario's own entries
//! scheduled before the run (lane 0), then streamed workloads (lanes 1..,
//! one per stream), then everything else (the last lane). Without streams
//! this is exactly `(time, seq)` order: entries pushed before the run have
//! the smallest insertion numbers anyway.
//!
//! Runs: most events of a busy run are scheduled either at the current time
//! (an allocation run, a framework's batch of offers, a filter's second
//! hop) or a fixed delay ahead (a decline filter's expiry, `refuse` after
//! the decline). Keys pushed that way come in increasing order, so they
//! need no heap: the queue keeps them in a few first-in-first-out runs —
//! run 0 for pushes at the time of the last pop, runs 1.. for
//! [`EventQueue::push_timer`]'s delays, one run per delay — and `pop` takes
//! the smallest key among the heap's top and the runs' fronts. A key joins a
//! run only when it is above the run's last key (else it goes to the heap),
//! so every run stays sorted and the pop order is exactly the heap-only
//! order: `(time, lane, seq)`.
//!
//! Blocks: one entry may stand for several events with consecutive
//! insertion numbers at the same time and lane ([`EventQueue::push_block`],
//! [`EventQueue::push_timer_joined`]). No other key can come between
//! `(time, lane, s)` and `(time, lane, s + n - 1)` — the numbers in between
//! are the block's own — so popping the entry (keyed by its first number)
//! is popping its events one after another, exactly where they would have
//! popped one by one. The caller's payload acts as those events, in order.

use super::time::SimTime;
use std::collections::VecDeque;

/// A key: the time, then an order word packing the lane's rank above
/// the insertion number (`rank << SEQ_BITS | seq`), so that `(time,
/// order)` compared as one 128-bit number is `(time, lane, seq)` compared
/// field by field — exactly, as long as every lane is at most
/// [`MAX_LANE`] or [`LAST_LANE`] and every insertion number is below
/// [`MAX_SEQS`] (the engine refuses a scenario or a run past them:
/// `limits::MAX_STREAMS`, and its check of [`EventQueue::next_seq`] after
/// each event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    time: SimTime,
    order: u64,
    slot: u32,
}

/// Bits of a key's order word below the lane's rank: the insertion number.
const SEQ_BITS: u32 = 40;

/// Insertion numbers one queue gives out at most (2^40, about 1.1 × 10^12):
/// numbers from here on would reach into the lane's bits.
pub const MAX_SEQS: u64 = 1 << SEQ_BITS;

/// The largest lane besides [`LAST_LANE`] (2^24 − 2): the lane's rank has
/// 24 bits, the last lane ranked 2^24 − 1 above every other.
pub const MAX_LANE: u32 = (1 << (64 - SEQ_BITS)) - 2;

/// The rank of `lane` in a key's order word.
#[inline]
fn rank(lane: u32) -> u64 {
    debug_assert!(lane <= MAX_LANE || lane == LAST_LANE, "lane {lane}");
    if lane == LAST_LANE {
        u64::from(MAX_LANE) + 1
    } else {
        u64::from(lane)
    }
}

impl Key {
    fn new(time: SimTime, lane: u32, seq: u64, slot: u32) -> Key {
        debug_assert!(seq < MAX_SEQS, "insertion number {seq}");
        Key {
            time,
            order: rank(lane) << SEQ_BITS | seq,
            slot,
        }
    }

    /// Whether `self` pops before `other`: by time, lane, then insertion
    /// number (unique, so `slot` never decides), as one comparison of
    /// `(time, order)`: the derived `Ord`'s order.
    #[inline]
    fn before(&self, other: &Key) -> bool {
        (u128::from(self.time.0) << 64 | u128::from(self.order))
            < (u128::from(other.time.0) << 64 | u128::from(other.order))
    }

    /// The key's insertion number.
    #[inline]
    fn seq(&self) -> u64 {
        self.order & (MAX_SEQS - 1)
    }

    /// The rank of the key's lane.
    #[inline]
    fn rank(&self) -> u64 {
        self.order >> SEQ_BITS
    }
}

/// The lane of events scheduled while the run goes.
pub const LAST_LANE: u32 = u32::MAX;

/// Runs in all: run 0 (the current time) and one per timer delay.
const RUNS: usize = 4;

/// A min-heap of keys with four children a node (a 4-ary heap in one
/// vector): half the levels of a binary heap, and a node's children share
/// one or two cache lines, so a pop with many events pending touches about
/// half the memory a binary heap's does (issue 14, item 1). Keys are unique
/// (by `seq`), so the pop order is the keys' order, whatever the heap's
/// shape.
#[derive(Debug, Default)]
struct QuadHeap {
    v: Vec<Key>,
}

impl QuadHeap {
    fn len(&self) -> usize {
        self.v.len()
    }

    fn peek(&self) -> Option<Key> {
        self.v.first().copied()
    }

    fn push(&mut self, key: Key) {
        let i = self.v.len();
        self.v.push(key);
        self.sift_up(i, key);
    }

    /// Puts `key` in the hole at `i`, or as far up as it goes: each parent
    /// after it moves down one level.
    fn sift_up(&mut self, mut i: usize, key: Key) {
        let v = &mut self.v[..];
        while i > 0 {
            let parent = (i - 1) / 4;
            if !key.before(&v[parent]) {
                break;
            }
            v[i] = v[parent];
            i = parent;
        }
        v[i] = key;
    }

    /// Removes the smallest key: the hole it leaves goes down to a leaf
    /// along the smallest children, then the last key fills it, going up as
    /// far as it must (fewer comparisons than sifting the last key down).
    fn pop(&mut self) -> Option<Key> {
        let last = self.v.pop()?;
        let v = &mut self.v[..];
        let Some(&top) = v.first() else {
            return Some(last);
        };
        let n = v.len();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let m = if first + 4 <= n {
                // Four children: a small tournament, three comparisons.
                let c = &v[first..first + 4];
                let a = usize::from(c[1].before(&c[0]));
                let b = 2 + usize::from(c[3].before(&c[2]));
                if c[b].before(&c[a]) {
                    b
                } else {
                    a
                }
            } else {
                let children = &v[first..n];
                let mut m = 0;
                for c in 1..children.len() {
                    if children[c].before(&children[m]) {
                        m = c;
                    }
                }
                m
            };
            let smallest = v[first + m];
            v[i] = smallest;
            i = first + m;
        }
        self.sift_up(i, last);
        Some(top)
    }
}

/// A popped event with its scheduling key.
#[derive(Debug)]
pub struct Scheduled<E> {
    pub time: SimTime,
    pub seq: u64,
    pub event: E,
}

#[derive(Debug)]
pub struct EventQueue<E> {
    heap: QuadHeap,
    /// Sorted runs of keys (see the module's documentation).
    runs: [VecDeque<Key>; RUNS],
    /// The delay each timer run (1..) serves; 0: not given out yet.
    run_delay: [u64; RUNS],
    /// The time of the last pop (the engine's current time).
    now: SimTime,
    /// The smallest key and where it is (`None`: the heap; `Some(r)`: run
    /// `r`), kept up to date by every push and pop.
    head: Option<(Option<usize>, Key)>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
    /// The lane `push` uses.
    lane: u32,
    /// The entry made by the last push when that was a
    /// [`EventQueue::push_timer_joined`] and nothing was pushed or popped
    /// since: the next such push may join it.
    joinable: Option<Key>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: QuadHeap::default(),
            runs: Default::default(),
            run_delay: [0; RUNS],
            now: SimTime::ZERO,
            head: None,
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            lane: 0,
            joinable: None,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `time` in the current lane; returns its
    /// insertion number.
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        self.push_in_lane(time, self.lane, event)
    }

    /// Sets the lane later `push`es use.
    pub fn set_lane(&mut self, lane: u32) {
        self.lane = lane;
    }

    /// Schedules `event` at `time` in `lane`.
    pub fn push_in_lane(&mut self, time: SimTime, lane: u32, event: E) -> u64 {
        let key = self.key(time, lane, event);
        if time == self.now {
            self.push_run(0, key);
        } else {
            self.push_heap(key);
        }
        key.seq()
    }

    /// Schedules `event` at `time` in the current lane, as [`push`] does,
    /// for a timer that is set again and again with the same delay (a
    /// decline filter's expiry): such pushes come in key order and are kept
    /// in a run of their delay, without the heap. The order events pop in
    /// is the same as with [`push`].
    ///
    /// [`push`]: EventQueue::push
    pub fn push_timer(&mut self, time: SimTime, event: E) -> u64 {
        self.push_timer_key(time, event).seq()
    }

    fn push_timer_key(&mut self, time: SimTime, event: E) -> Key {
        let key = self.key(time, self.lane, event);
        let delay = time.0.saturating_sub(self.now.0);
        let run = if delay == 0 {
            Some(0)
        } else {
            match (1..RUNS).find(|&r| self.run_delay[r] == delay) {
                Some(r) => Some(r),
                None => (1..RUNS).find(|&r| self.run_delay[r] == 0).inspect(|&r| {
                    self.run_delay[r] = delay;
                }),
            }
        };
        match run {
            Some(r) => self.push_run(r, key),
            None => self.push_heap(key),
        }
        key
    }

    /// Schedules one entry standing for `n` (at least 1) events at `time`
    /// in the current lane, with consecutive insertion numbers; returns the
    /// first. It pops where its first event would, and its events pop one
    /// after another (see the module's documentation), so the caller's
    /// payload must act as the `n` events in order.
    pub fn push_block(&mut self, time: SimTime, n: u64, event: E) -> u64 {
        let seq = self.push(time, event);
        self.next_seq += n.max(1) - 1;
        seq
    }

    /// Schedules an event as [`EventQueue::push_timer`] does, or joins it
    /// to the entry of the previous push: when that push was also a
    /// `push_timer_joined` at the same time and lane, nothing was pushed or
    /// popped since, and `join` takes the event into that entry's payload
    /// (returning `true`), the entry stands for one more event, with the
    /// next insertion number (a block, see the module's documentation).
    /// Otherwise `make` gives the payload of a new entry. Returns the
    /// event's insertion number either way.
    pub fn push_timer_joined(
        &mut self,
        time: SimTime,
        join: impl FnOnce(&mut E) -> bool,
        make: impl FnOnce() -> E,
    ) -> u64 {
        self.push_timer_joined_n(time, 1, join, make)
    }

    /// [`EventQueue::push_timer_joined`] of `n` (at least 1) events at
    /// `time` one after another, which `join` (or `make`) takes into one
    /// payload together: the first joins the previous push's entry or makes
    /// a new one, and each after it joins the entry the one before it is
    /// in (nothing is pushed or popped in between), so the `n` events are
    /// in one entry with consecutive insertion numbers either way. Returns
    /// the first event's insertion number.
    pub fn push_timer_joined_n(
        &mut self,
        time: SimTime,
        n: u64,
        join: impl FnOnce(&mut E) -> bool,
        make: impl FnOnce() -> E,
    ) -> u64 {
        let n = n.max(1);
        if let Some(k) = self.joinable {
            if k.time == time && k.rank() == rank(self.lane) {
                if let Some(Some(e)) = self.slab.get_mut(k.slot as usize) {
                    if join(e) {
                        let seq = self.next_seq;
                        self.next_seq += n;
                        return seq;
                    }
                }
            }
        }
        let key = self.push_timer_key(time, make());
        self.next_seq += n - 1;
        self.joinable = Some(key);
        key.seq()
    }

    /// The key of a new event, its payload stored.
    fn key(&mut self, time: SimTime, lane: u32, event: E) -> Key {
        self.joinable = None;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = Some(event);
                s
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        Key::new(time, lane, seq, slot)
    }

    /// Appends `key` to run `r` when it is above the run's last key (the run
    /// stays sorted), else puts it in the heap.
    fn push_run(&mut self, r: usize, key: Key) {
        let run = &mut self.runs[r];
        if run.back().is_none_or(|last| *last < key) {
            run.push_back(key);
            self.note(Some(r), key);
        } else {
            self.push_heap(key);
        }
    }

    fn push_heap(&mut self, key: Key) {
        self.heap.push(key);
        self.note(None, key);
    }

    /// A key was pushed to `from`: it is the head if it is the smallest.
    fn note(&mut self, from: Option<usize>, key: Key) {
        if self.head.is_none_or(|(_, h)| key < h) {
            self.head = Some((from, key));
        }
    }

    /// Where the smallest key is: `None` for the heap, `Some(r)` for run
    /// `r`; and the key.
    fn first(&self) -> Option<(Option<usize>, Key)> {
        let mut best = self.heap.peek().map(|k| (None, k));
        for (r, run) in self.runs.iter().enumerate() {
            if let Some(&k) = run.front() {
                if best.is_none_or(|(_, b)| k < b) {
                    best = Some((Some(r), k));
                }
            }
        }
        best
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let (from, key) = self.head?;
        self.joinable = None;
        match from {
            None => {
                self.heap.pop();
            }
            Some(r) => {
                self.runs[r].pop_front();
            }
        }
        self.now = key.time;
        self.head = self.first();
        let event = self.slab[key.slot as usize].take()?;
        self.free.push(key.slot);
        Some(Scheduled {
            time: key.time,
            seq: key.seq(),
            event,
        })
    }

    /// The payload of the entry the next `pop` returns (for a read ahead
    /// of what that event will touch: nothing changes).
    pub fn peek(&self) -> Option<&E> {
        let (_, key) = self.head?;
        self.slab.get(key.slot as usize)?.as_ref()
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.head.map(|(_, k)| k.time)
    }

    /// The insertion number the next `push` will get. Every key's is below
    /// it, so the queue's order is exact while it is at most [`MAX_SEQS`].
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.runs.iter().map(VecDeque::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    impl<E> EventQueue<E> {
        /// Starts the insertion numbers at `seq` (tests of the limit, here
        /// and in the engine's).
        pub(crate) fn start_seq_at(&mut self, seq: u64) {
            self.next_seq = seq;
        }
    }

    #[test]
    fn same_time_pops_in_insertion_order() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), "b1");
        q.push(SimTime(1), "a");
        q.push(SimTime(5), "b2");
        q.push(SimTime(5), "b3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(order, vec!["a", "b1", "b2", "b3"]);
    }

    #[test]
    fn lanes_order_same_time_events() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), "init");
        q.set_lane(LAST_LANE);
        q.push(SimTime(5), "late");
        q.push_in_lane(SimTime(5), 2, "stream1");
        q.push_in_lane(SimTime(5), 1, "stream0");
        q.push(SimTime(4), "early");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(order, vec!["early", "init", "stream0", "stream1", "late"]);
    }

    #[test]
    fn peek_shows_what_pop_returns() {
        let mut q = EventQueue::default();
        assert_eq!(q.peek(), None);
        q.push(SimTime(5), "b");
        q.push(SimTime(1), "a");
        q.push_timer(SimTime(3), "t");
        q.push(SimTime(0), "now");
        while let Some(&next) = q.peek() {
            assert_eq!(q.pop().map(|s| s.event), Some(next));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn slots_are_reused() {
        let mut q = EventQueue::default();
        for i in 0..10 {
            q.push(SimTime(i), i);
            q.pop();
        }
        assert_eq!(q.slab.len(), 1);
    }

    /// The 4-ary heap pops keys in `(time, lane, seq)` order, compared
    /// field by field in the reference (not through the packed order
    /// word): pseudo-random pushes and pops from empty to about 10,000 keys
    /// and back, with the extreme lanes (0, 1, [`MAX_LANE`], [`LAST_LANE`])
    /// and insertion numbers up to the last one below [`MAX_SEQS`]; the
    /// slots are unrelated to the order (a heap that broke ties by slot
    /// would fail). Many keys tie on time and lane.
    #[test]
    fn quad_heap_pops_in_key_order() {
        let lanes = [0, 1, MAX_LANE, LAST_LANE];
        let mut h = QuadHeap::default();
        let mut reference: BinaryHeap<Reverse<(SimTime, u32, u64, u32)>> = BinaryHeap::new();
        let fields = |k: Key| {
            let lane = match k.rank() {
                r if r == u64::from(MAX_LANE) + 1 => LAST_LANE,
                r => r as u32,
            };
            (k.time, lane, k.seq(), k.slot)
        };
        let mut next = xorshift(0xD1B5_4A32_D192_ED03u64);
        let first = MAX_SEQS - 40_000;
        for seq in first..MAX_SEQS {
            let r = next();
            let grow = seq - first < 20_000;
            if (grow && r % 4 != 0) || (!grow && r % 4 == 0) || reference.is_empty() {
                let time = SimTime((r >> 8) % 1_000);
                let lane = lanes[((r >> 20) % 4) as usize];
                let slot = (r >> 32) as u32;
                h.push(Key::new(time, lane, seq, slot));
                reference.push(Reverse((time, lane, seq, slot)));
            } else {
                assert_eq!(h.peek().map(fields), reference.peek().map(|r| r.0));
                assert_eq!(h.pop().map(fields), reference.pop().map(|r| r.0));
            }
            assert_eq!(h.len(), reference.len());
        }
        while let Some(Reverse(k)) = reference.pop() {
            assert_eq!(h.pop().map(fields), Some(k));
        }
        assert_eq!(h.pop(), None);
    }

    /// The whole queue keeps `(time, lane, seq)` order with insertion
    /// numbers up to the last below [`MAX_SEQS`] and the extreme lanes.
    #[test]
    fn the_packed_order_holds_at_its_limits() {
        let mut q: EventQueue<(SimTime, u32, u64)> = EventQueue::default();
        q.start_seq_at(MAX_SEQS - 6);
        let mut pushed = Vec::new();
        for (t, lane) in [
            (5, LAST_LANE),
            (5, MAX_LANE),
            (5, 0),
            (4, LAST_LANE),
            (5, 1),
            (5, MAX_LANE),
        ] {
            let seq = q.next_seq();
            let key = (SimTime(t), lane, seq);
            assert_eq!(q.push_in_lane(SimTime(t), lane, key), seq);
            pushed.push(key);
        }
        assert_eq!(q.next_seq(), MAX_SEQS);
        pushed.sort();
        let popped: Vec<_> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(popped, pushed);
    }

    /// A pseudo-random stream (xorshift) for the order tests.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// The runs change nothing: a queue fed a pseudo-random mix of pushes
    /// at the current time, timer pushes with a few delays (more delays
    /// than runs), other pushes and lanes pops events in exactly the
    /// order a plain `(time, lane, seq)` heap does.
    #[test]
    fn runs_pop_in_heap_order() {
        let mut q: EventQueue<u64> = EventQueue::default();
        q.set_lane(LAST_LANE);
        let mut reference: BinaryHeap<Reverse<(SimTime, u32, u64)>> = BinaryHeap::new();
        let mut now = SimTime::ZERO;
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
        let mut popped = 0;
        for step in 0..50_000u64 {
            let r = next();
            if r % 5 < 3 || reference.is_empty() {
                let lane = if r % 11 == 0 { 1 } else { LAST_LANE };
                let (t, seq) = match (r >> 8) % 4 {
                    0 => (now, q.push_in_lane(now, lane, step)),
                    1 => {
                        // Delays 1..=5: more than the timer runs.
                        let t = SimTime(now.0 + 1 + (r >> 16) % 5);
                        q.set_lane(lane);
                        let seq = q.push_timer(t, step);
                        q.set_lane(LAST_LANE);
                        (t, seq)
                    }
                    2 => {
                        q.set_lane(lane);
                        let seq = q.push_timer(now, step);
                        q.set_lane(LAST_LANE);
                        (now, seq)
                    }
                    _ => {
                        let t = SimTime(now.0 + (r >> 16) % 7);
                        (t, q.push_in_lane(t, lane, step))
                    }
                };
                reference.push(Reverse((t, lane, seq)));
            } else {
                let Reverse((t, _, seq)) = reference.pop().unwrap();
                assert_eq!(q.peek_time(), Some(t));
                let s = q.pop().unwrap();
                assert_eq!((s.time, s.seq), (t, seq), "pop {popped}");
                now = t;
                popped += 1;
            }
            assert_eq!(q.len(), reference.len());
            assert_eq!(q.head, q.first());
        }
        while let Some(Reverse((t, _, seq))) = reference.pop() {
            let s = q.pop().unwrap();
            assert_eq!((s.time, s.seq), (t, seq));
        }
        assert!(q.is_empty() && q.pop().is_none());
        assert!(q.runs.iter().any(|r| r.capacity() > 0), "runs were used");
    }

    /// Blocks change nothing either: entries standing for several events
    /// (joined timer pushes, `push_block`) pop exactly where their events
    /// would pop one by one from a plain `(time, lane, seq)` heap, each
    /// event of a block in turn, and nothing comes between them.
    #[test]
    fn blocks_pop_as_their_events_in_heap_order() {
        let mut q: EventQueue<Vec<u64>> = EventQueue::default();
        q.set_lane(LAST_LANE);
        let mut reference: BinaryHeap<Reverse<(SimTime, u32, u64)>> = BinaryHeap::new();
        let mut now = SimTime::ZERO;
        let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
        let (mut joined, mut blocks) = (0, 0);
        for _ in 0..50_000u64 {
            let r = next();
            if r % 5 < 3 || reference.is_empty() {
                let lane = if r % 13 == 0 { 1 } else { LAST_LANE };
                q.set_lane(lane);
                match (r >> 8) % 4 {
                    0 | 1 => {
                        // Timers of a few delays, mostly joined in runs.
                        // Some of them `n` at a time (`push_timer_joined_n`).
                        let t = SimTime(now.0 + (r >> 16) % 4);
                        let s = q.next_seq();
                        let take = (r >> 24) % 4 != 0;
                        let n = 1 + (r >> 30) % 3;
                        let join = |e: &mut Vec<u64>| {
                            if take {
                                e.extend(s..s + n);
                                joined += 1;
                            }
                            take
                        };
                        let seq = if n == 1 {
                            q.push_timer_joined(t, join, || vec![s])
                        } else {
                            q.push_timer_joined_n(t, n, join, || (s..s + n).collect())
                        };
                        assert_eq!(seq, s);
                        assert_eq!(q.next_seq(), s + n);
                        for i in 0..n {
                            reference.push(Reverse((t, lane, s + i)));
                        }
                    }
                    2 => {
                        let t = SimTime(now.0 + (r >> 16) % 3);
                        let n = 1 + (r >> 24) % 4;
                        let s = q.next_seq();
                        let seq = q.push_block(t, n, (s..s + n).collect());
                        assert_eq!(seq, s);
                        assert_eq!(q.next_seq(), s + n);
                        for i in 0..n {
                            reference.push(Reverse((t, lane, s + i)));
                        }
                        blocks += u32::from(n > 1);
                    }
                    _ => {
                        let t = SimTime(now.0 + (r >> 16) % 7);
                        let s = q.next_seq();
                        q.push(t, vec![s]);
                        reference.push(Reverse((t, lane, s)));
                    }
                }
                q.set_lane(LAST_LANE);
            } else {
                let s = q.pop().unwrap();
                assert_eq!(s.event[0], s.seq);
                for (i, &member) in s.event.iter().enumerate() {
                    assert_eq!(member, s.seq + i as u64, "consecutive numbers");
                    let Reverse((t, _, seq)) = reference.pop().unwrap();
                    assert_eq!((s.time, member), (t, seq));
                }
                now = s.time;
            }
            assert_eq!(q.head, q.first());
        }
        while let Some(s) = q.pop() {
            for &member in &s.event {
                let Reverse((t, _, seq)) = reference.pop().unwrap();
                assert_eq!((s.time, member), (t, seq));
            }
        }
        assert!(reference.is_empty());
        assert!(
            joined > 300 && blocks > 1000,
            "{joined} joined, {blocks} blocks"
        );
    }
}
