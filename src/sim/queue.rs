//! The event queue: a binary heap of small keys `(time, lane, seq, slot)`
//! with the payloads in a slab. `seq` is an insertion counter, so events at
//! the same simulated time (and lane) pop in the order they were scheduled.
//!
//! Lanes order same-time events by origin: the scenario's own entries
//! scheduled before the run (lane 0), then streamed workloads (lanes 1..,
//! one per stream), then everything else (the last lane). Without streams
//! this is exactly `(time, seq)` order: entries pushed before the run have
//! the smallest insertion numbers anyway.

use super::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    time: SimTime,
    lane: u32,
    seq: u64,
    slot: u32,
}

/// The lane of events scheduled while the run goes.
pub const LAST_LANE: u32 = u32::MAX;

/// A popped event with its scheduling key.
#[derive(Debug)]
pub struct Scheduled<E> {
    pub time: SimTime,
    pub seq: u64,
    pub event: E,
}

#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Key>>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
    /// The lane `push` uses.
    lane: u32,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            lane: 0,
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
        self.heap.push(Reverse(Key {
            time,
            lane,
            seq,
            slot,
        }));
        seq
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let Reverse(key) = self.heap.pop()?;
        let event = self.slab[key.slot as usize].take()?;
        self.free.push(key.slot);
        Some(Scheduled {
            time: key.time,
            seq: key.seq,
            event,
        })
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(k)| k.time)
    }

    /// The insertion number the next `push` will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn slots_are_reused() {
        let mut q = EventQueue::default();
        for i in 0..10 {
            q.push(SimTime(i), i);
            q.pop();
        }
        assert_eq!(q.slab.len(), 1);
    }
}
