//! A master's outstanding offers by id, without a search per offer.
//!
//! A master numbers its offers `n · partitions + partition` with `n` going
//! up by one per offer, and most offers live for a moment (made by a run,
//! answered in the same instant or after a decision time). So the book keeps
//! the recent ones in a queue indexed by their number: making an offer is a
//! push at the back, finding or removing one is an indexed read, and gone
//! offers at the front are popped. An offer that stays while many newer
//! ones come and go (held by a framework, waiting for a long decision) would
//! keep the queue long; once the queue is more than twice its live offers
//! (plus a margin), its oldest offers move to an ordered map, so the queue
//! stays within a small factor of the offers outstanding. Iterating goes
//! through the map, then the queue: id order, as a `BTreeMap` by id gives.

use super::{Offer, OfferId};
use std::collections::{BTreeMap, VecDeque};

/// Entries the queue may hold beyond twice its live offers.
const SLACK: usize = 64;

#[derive(Clone, Debug)]
pub(super) struct OfferBook {
    /// Offers with ids from `base` on, one entry per id of this master
    /// (`base`, `base + stride`, …); `None` once gone.
    recent: VecDeque<Option<Offer>>,
    /// The id of `recent`'s first entry.
    base: u64,
    /// The step between consecutive ids of this master (its partitions).
    stride: u64,
    /// Offers in `recent`.
    recent_live: usize,
    /// Offers older than `base` still outstanding.
    old: BTreeMap<OfferId, Offer>,
}

impl OfferBook {
    pub(super) fn new(stride: u64) -> OfferBook {
        OfferBook {
            recent: VecDeque::new(),
            base: 0,
            stride: stride.max(1),
            recent_live: 0,
            old: BTreeMap::new(),
        }
    }

    /// Where `id` is (or would be) in `recent`.
    fn index(&self, id: OfferId) -> Option<usize> {
        let d = id.0.checked_sub(self.base)?;
        // One master (the common case): every id is its own, no division.
        if self.stride == 1 {
            return usize::try_from(d).ok();
        }
        if d % self.stride != 0 {
            return None;
        }
        usize::try_from(d / self.stride).ok()
    }

    pub(super) fn get(&self, id: &OfferId) -> Option<&Offer> {
        if id.0 < self.base {
            return self.old.get(id);
        }
        self.recent.get(self.index(*id)?)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, id: &OfferId) -> Option<&mut Offer> {
        if id.0 < self.base {
            return self.old.get_mut(id);
        }
        let i = self.index(*id)?;
        self.recent.get_mut(i)?.as_mut()
    }

    /// Adds a new offer: its id must be above every id added before.
    pub(super) fn insert(&mut self, id: OfferId, offer: Offer) {
        if self.recent.is_empty() {
            self.base = id.0;
        }
        let at = match self.index(id) {
            Some(i) if i >= self.recent.len() => i,
            _ => {
                // Not this master's next id: keep it in the map (never
                // happens with the master's own numbering).
                debug_assert!(false, "offer ids must increase by the stride");
                self.old.insert(id, offer);
                return;
            }
        };
        while self.recent.len() < at {
            self.recent.push_back(None);
        }
        self.recent.push_back(Some(offer));
        self.recent_live += 1;
        // Offers that stay while newer ones come and go move to the map.
        while self.recent.len() > 2 * self.recent_live + SLACK {
            self.pop_front();
        }
    }

    /// Drops `recent`'s first entry, moving a live offer to `old`.
    fn pop_front(&mut self) {
        if let Some(entry) = self.recent.pop_front() {
            if let Some(o) = entry {
                self.recent_live -= 1;
                self.old.insert(o.id, o);
            }
            self.base += self.stride;
        }
    }

    pub(super) fn remove(&mut self, id: &OfferId) -> Option<Offer> {
        if id.0 < self.base {
            return self.old.remove(id);
        }
        let i = self.index(*id)?;
        let o = self.recent.get_mut(i)?.take()?;
        self.recent_live -= 1;
        while matches!(self.recent.front(), Some(None)) {
            self.recent.pop_front();
            self.base += self.stride;
        }
        Some(o)
    }

    /// Removes offer `id` (if outstanding) without moving it out: its
    /// entry is dropped in place. Whether it was there.
    pub(super) fn discard(&mut self, id: &OfferId) -> bool {
        if id.0 < self.base {
            return self.old.remove(id).is_some();
        }
        let Some(entry) = self.index(*id).and_then(|i| self.recent.get_mut(i)) else {
            return false;
        };
        if entry.is_none() {
            return false;
        }
        *entry = None;
        self.recent_live -= 1;
        while matches!(self.recent.front(), Some(None)) {
            self.recent.pop_front();
            self.base += self.stride;
        }
        true
    }

    /// Outstanding offers in id order.
    pub(super) fn values(&self) -> impl Iterator<Item = &Offer> + '_ {
        self.old.values().chain(self.recent.iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::ResourceSet;
    use crate::sim::time::SimTime;
    use crate::{AgentId, FrameworkId, RoleId};

    fn offer(id: u64) -> Offer {
        Offer {
            id: OfferId(id),
            framework: FrameworkId(0),
            role: RoleId(0),
            agent: AgentId(0),
            resources: ResourceSet::default(),
            made_at: SimTime::ZERO,
        }
    }

    /// The book against a `BTreeMap` under a pseudo-random mix of
    /// inserts, removes and look-ups, with offers that stay long.
    #[test]
    fn behaves_as_an_ordered_map() {
        for stride in [1u64, 3] {
            let partition = stride - 1;
            let mut book = OfferBook::new(stride);
            let mut map: BTreeMap<OfferId, Offer> = BTreeMap::new();
            let mut next = 1u64;
            let mut x = 0x2545_f491_4f6c_dd1du64;
            for step in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if x % 3 != 0 || map.is_empty() {
                    let id = OfferId(next * stride + partition);
                    next += 1;
                    book.insert(id, offer(id.0));
                    map.insert(id, offer(id.0));
                } else {
                    // Mostly the oldest few, sometimes anything.
                    let keys: Vec<OfferId> = map.keys().copied().collect();
                    let k = if x % 7 == 0 {
                        keys[(x as usize / 7) % keys.len()]
                    } else {
                        keys[(x as usize / 3) % keys.len().min(3)]
                    };
                    // Long stayers: every 97th offer is never removed.
                    if (k.0 / stride) % 97 != 0 {
                        if x % 5 == 0 {
                            assert_eq!(book.discard(&k), map.remove(&k).is_some());
                        } else {
                            assert_eq!(book.remove(&k), map.remove(&k));
                        }
                    }
                }
                let probe = OfferId((x % (next * stride + 5)) + 1);
                assert_eq!(book.get(&probe), map.get(&probe), "step {step}");
                if step % 1000 == 0 {
                    let a: Vec<&Offer> = book.values().collect();
                    let b: Vec<&Offer> = map.values().collect();
                    assert_eq!(a, b);
                    assert!(book.recent.len() <= 2 * book.recent_live + SLACK + 1);
                }
            }
            assert!(book.remove(&OfferId(u64::MAX)).is_none());
            assert!(!book.discard(&OfferId(u64::MAX)));
            let a: Vec<&Offer> = book.values().collect();
            let b: Vec<&Offer> = map.values().collect();
            assert_eq!(a, b);
        }
    }
}
