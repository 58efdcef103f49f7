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
//!
//! The queue is a ring of slots that keep their offers when they go: a
//! gone offer is only marked so, and a new one is written field by field
//! into the slot it takes ([`OfferBook::push_words`]), so an offer of a
//! few unreserved quantities is written where it stays, without a
//! 184-byte [`Offer`] made and moved in (a `memcpy` call each, which
//! `finish_run` paid for every offer), and one leaving the front is not
//! moved out either.

use super::{Offer, OfferId};
use crate::cluster::resources::{Quantities, ResourceSet, MAX_RESOURCE_KINDS};
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, RoleId};
use std::collections::BTreeMap;

/// Entries the queue may hold beyond twice its live offers.
const SLACK: usize = 64;

/// The unreserved quantities [`OfferBook::push_words`] takes.
pub(super) const WORDS: usize = 4;

/// The quantities of an offer of words `w` (every one after them zero).
#[inline]
pub(super) fn quantities(w: &[u64; WORDS]) -> Quantities {
    let mut q = Quantities::ZERO;
    q.0[..WORDS].copy_from_slice(w);
    q
}

/// What an offer holds, as a reader of the book sees it in place.
#[derive(Clone, Copy, Debug)]
pub(super) enum Held<'a> {
    /// Unreserved quantities: these `WORDS` first ones, every other zero.
    Words(&'a [u64; WORDS]),
    /// Any set.
    Whole(&'a ResourceSet),
}

/// An outstanding offer read in place, narrowly: its key, when it was
/// made and what it holds ([`Held`]), without the whole [`Offer`] (a
/// reader of an offer of words reads its words only).
#[derive(Clone, Copy, Debug)]
pub(super) struct OfferView<'a> {
    pub framework: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub held: Held<'a>,
}

/// One slot of the ring: an offer, whether it is outstanding (a gone
/// offer's slot keeps what it held until a new offer is written there),
/// and whether it was written as words ([`OfferBook::push_words`]: its
/// resources are the first `WORDS` unreserved quantities, the rest zero
/// and nothing reserved) and not changed since.
#[derive(Clone, Debug)]
struct Slot {
    live: bool,
    words: bool,
    offer: Offer,
}

impl Slot {
    fn gone() -> Slot {
        Slot {
            live: false,
            words: false,
            offer: Offer {
                id: OfferId(0),
                framework: FrameworkId(0),
                role: RoleId(0),
                agent: AgentId(0),
                resources: ResourceSet::default(),
                made_at: SimTime::ZERO,
            },
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct OfferBook {
    /// A ring: the entry of the offer with id `base + k · stride` is
    /// `slots[(head + k) % slots.len()]` for `k < len`; its length is 0
    /// or a power of two.
    slots: Vec<Slot>,
    /// Where the ring's first entry is in `slots`.
    head: usize,
    /// The ring's entries, live or gone.
    len: usize,
    /// The id of the ring's first entry.
    base: u64,
    /// The step between consecutive ids of this master (its partitions).
    stride: u64,
    /// Live offers in the ring.
    recent_live: usize,
    /// Offers older than `base` still outstanding.
    old: BTreeMap<OfferId, Offer>,
}

impl OfferBook {
    pub(super) fn new(stride: u64) -> OfferBook {
        OfferBook {
            slots: Vec::new(),
            head: 0,
            len: 0,
            base: 0,
            stride: stride.max(1),
            recent_live: 0,
            old: BTreeMap::new(),
        }
    }

    /// Where `id`'s entry is (or would be) in the ring.
    #[inline]
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

    /// The slot of the ring's `k`-th entry (`k < len`).
    #[inline]
    fn slot(&self, k: usize) -> &Slot {
        &self.slots[(self.head + k) & (self.slots.len() - 1)]
    }

    #[inline]
    fn slot_mut(&mut self, k: usize) -> &mut Slot {
        let mask = self.slots.len() - 1;
        &mut self.slots[(self.head + k) & mask]
    }

    /// The ring's entry of `id`, if live (`id` at or above `base`).
    #[inline]
    fn live_entry(&self, id: OfferId) -> Option<usize> {
        let k = self.index(id)?;
        (k < self.len && self.slot(k).live).then_some(k)
    }

    #[inline]
    pub(super) fn get(&self, id: &OfferId) -> Option<&Offer> {
        if id.0 < self.base {
            return self.old.get(id);
        }
        let k = self.live_entry(*id)?;
        Some(&self.slot(k).offer)
    }

    /// Offer `id`, if outstanding, read narrowly ([`OfferView`]).
    #[inline]
    pub(super) fn view(&self, id: &OfferId) -> Option<OfferView<'_>> {
        let (o, words) = if id.0 < self.base {
            (self.old.get(id)?, false)
        } else {
            let s = self.slot(self.live_entry(*id)?);
            (&s.offer, s.words)
        };
        let held = match o.resources.unreserved.0.first_chunk::<WORDS>() {
            Some(w) if words => Held::Words(w),
            _ => Held::Whole(&o.resources),
        };
        Some(OfferView {
            framework: o.framework,
            role: o.role,
            agent: o.agent,
            held,
        })
    }

    #[inline]
    pub(super) fn get_mut(&mut self, id: &OfferId) -> Option<&mut Offer> {
        if id.0 < self.base {
            return self.old.get_mut(id);
        }
        let k = self.live_entry(*id)?;
        let s = self.slot_mut(k);
        // The caller may change its resources.
        s.words = false;
        Some(&mut s.offer)
    }

    /// The slot a new offer of id `id` takes at the ring's back, marked
    /// live (what it held is still there, for the caller to overwrite);
    /// `None` if `id` is not this master's next id (never happens with
    /// the master's own numbering).
    #[inline]
    fn new_slot(&mut self, id: OfferId) -> Option<&mut Slot> {
        if self.len == 0 {
            self.base = id.0;
        }
        let at = match self.index(id) {
            Some(i) if i >= self.len => i,
            _ => {
                debug_assert!(false, "offer ids must increase by the stride");
                return None;
            }
        };
        if at != self.len {
            self.skip_to(at);
        }
        if self.len == self.slots.len() {
            self.grow();
        }
        self.len += 1;
        self.recent_live += 1;
        // Offers that stay while newer ones come and go move to the map.
        while self.len > 2 * self.recent_live + SLACK {
            self.pop_front();
        }
        let k = self.len - 1;
        let s = self.slot_mut(k);
        s.live = true;
        Some(s)
    }

    /// Gone entries up to the ring's `at`-th (ids of no offer: never with
    /// the master's numbering).
    #[cold]
    fn skip_to(&mut self, at: usize) {
        while self.len < at {
            if self.len == self.slots.len() {
                self.grow();
            }
            self.len += 1;
            self.slot_mut(self.len - 1).live = false;
        }
    }

    /// The ring twice as large (at least 16 slots), its entries in order
    /// from the first slot.
    #[cold]
    fn grow(&mut self) {
        let cap = (2 * self.slots.len()).max(16);
        let mut slots = Vec::with_capacity(cap);
        for k in 0..self.len {
            let s = self.slot_mut(k);
            slots.push(std::mem::replace(s, Slot::gone()));
        }
        slots.resize_with(cap, Slot::gone);
        self.slots = slots;
        self.head = 0;
    }

    /// Adds a new offer: its id must be above every id added before.
    pub(super) fn insert(&mut self, id: OfferId, offer: Offer) {
        match self.new_slot(id) {
            Some(s) => {
                s.words = false;
                s.offer = offer;
            }
            None => {
                // Not this master's next id: kept in the map.
                self.old.insert(id, offer);
            }
        }
    }

    /// Adds a new offer of `key` (framework, role, agent), made at
    /// `made_at`, of the unreserved quantities `words` (the rest zero), as
    /// [`OfferBook::insert`] does, written field by field into its slot.
    pub(super) fn push_words(
        &mut self,
        id: OfferId,
        (framework, role, agent): (FrameworkId, RoleId, AgentId),
        made_at: SimTime,
        words: &[u64; WORDS],
    ) {
        let Some(s) = self.new_slot(id) else {
            let mut resources = ResourceSet::default();
            resources.unreserved.0[..WORDS].copy_from_slice(words);
            self.old.insert(
                id,
                Offer {
                    id,
                    framework,
                    role,
                    agent,
                    resources,
                    made_at,
                },
            );
            return;
        };
        s.words = true;
        let o = &mut s.offer;
        o.id = id;
        o.framework = framework;
        o.role = role;
        o.agent = agent;
        o.made_at = made_at;
        o.resources.reserved.clear();
        let q = &mut o.resources.unreserved.0;
        q[..WORDS].copy_from_slice(words);
        q[WORDS..MAX_RESOURCE_KINDS].fill(0);
    }

    /// Drops the ring's first entry, moving a live offer to `old`.
    fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        let head = self.head;
        let s = &mut self.slots[head];
        if s.live {
            s.live = false;
            let o = std::mem::replace(&mut s.offer, Slot::gone().offer);
            self.recent_live -= 1;
            self.old.insert(o.id, o);
        }
        self.head = (head + 1) & (self.slots.len() - 1);
        self.len -= 1;
        self.base += self.stride;
    }

    /// Marks the ring's `k`-th entry (live) gone, and drops the gone
    /// entries at the front (their slots keep what they held).
    #[inline]
    fn mark_gone(&mut self, k: usize) {
        self.slot_mut(k).live = false;
        self.recent_live -= 1;
        while self.len > 0 && !self.slots[self.head].live {
            self.head = (self.head + 1) & (self.slots.len() - 1);
            self.len -= 1;
            self.base += self.stride;
        }
    }

    pub(super) fn remove(&mut self, id: &OfferId) -> Option<Offer> {
        if id.0 < self.base {
            return self.old.remove(id);
        }
        let k = self.live_entry(*id)?;
        let o = std::mem::replace(&mut self.slot_mut(k).offer, Slot::gone().offer);
        self.mark_gone(k);
        Some(o)
    }

    /// Removes offer `id` (if outstanding) without moving it out: its
    /// slot is marked gone in place. Whether it was there.
    #[inline]
    pub(super) fn discard(&mut self, id: &OfferId) -> bool {
        if id.0 < self.base {
            return self.old.remove(id).is_some();
        }
        match self.live_entry(*id) {
            Some(k) => {
                self.mark_gone(k);
                true
            }
            None => false,
        }
    }

    /// Outstanding offers in id order.
    pub(super) fn values(&self) -> impl Iterator<Item = &Offer> + '_ {
        self.old.values().chain(
            (0..self.len)
                .map(|k| self.slot(k))
                .filter(|s| s.live)
                .map(|s| &s.offer),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offer `id` with resources of a shape drawn from `x`: nothing, up to
    /// `WORDS` kinds, a kind after those, or a reservation — so that a
    /// slot written by `push_words` may have held any of them before.
    fn offer(id: u64, x: u64) -> Offer {
        let mut resources = ResourceSet::default();
        match x % 5 {
            0 => {}
            1 | 2 => {
                for k in 0..WORDS {
                    resources.unreserved.0[k] = (x >> (8 * k)) & 0xff;
                }
            }
            3 => {
                resources.unreserved.0[0] = 1 + x % 7;
                resources.unreserved.0[WORDS + (x as usize % (MAX_RESOURCE_KINDS - WORDS))] = 3;
            }
            _ => {
                resources.unreserved.0[1] = 2;
                let mut q = Quantities::ZERO;
                q.0[0] = 5;
                resources.add_reserved(RoleId(1), &q);
            }
        }
        Offer {
            id: OfferId(id),
            framework: FrameworkId((x % 3) as u32),
            role: RoleId((x % 2) as u32),
            agent: AgentId((x % 11) as u32),
            resources,
            made_at: SimTime(x % 1000),
        }
    }

    /// The words of `o`'s resources if `push_words` can take them.
    fn words(o: &Offer) -> Option<[u64; WORDS]> {
        let r = &o.resources;
        (r.reserved.is_empty() && r.unreserved.zero_from(WORDS)).then(|| {
            let mut w = [0; WORDS];
            w.copy_from_slice(&r.unreserved.0[..WORDS]);
            w
        })
    }

    /// What a reader of `v` sees: its key and its resources as a set.
    fn seen(v: OfferView<'_>) -> (FrameworkId, RoleId, AgentId, ResourceSet) {
        let res = match v.held {
            Held::Words(w) => ResourceSet::unreserved(quantities(w)),
            Held::Whole(res) => res.clone(),
        };
        (v.framework, v.role, v.agent, res)
    }

    /// The book against a `BTreeMap` under a pseudo-random mix of
    /// inserts (whole, or word by word into a reused slot), removes,
    /// changes and look-ups, with offers that stay long.
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
                    let o = offer(id.0, x >> 3);
                    match words(&o) {
                        Some(w) if x % 4 != 0 => {
                            book.push_words(id, (o.framework, o.role, o.agent), o.made_at, &w)
                        }
                        _ => book.insert(id, o.clone()),
                    }
                    map.insert(id, o);
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
                        } else if x % 5 == 1 {
                            // Its resources change in place.
                            let res = offer(0, x >> 5).resources;
                            if let Some(o) = map.get_mut(&k) {
                                o.resources = res.clone();
                            }
                            if let Some(o) = book.get_mut(&k) {
                                o.resources = res;
                            }
                        } else {
                            assert_eq!(book.remove(&k), map.remove(&k));
                        }
                    }
                }
                let probe = OfferId((x % (next * stride + 5)) + 1);
                assert_eq!(book.get(&probe), map.get(&probe), "step {step}");
                assert_eq!(
                    book.view(&probe).map(seen),
                    map.get(&probe)
                        .map(|o| (o.framework, o.role, o.agent, o.resources.clone())),
                    "step {step}"
                );
                if step % 1000 == 0 {
                    let a: Vec<&Offer> = book.values().collect();
                    let b: Vec<&Offer> = map.values().collect();
                    assert_eq!(a, b);
                    assert!(book.len <= 2 * book.recent_live + SLACK + 1);
                    let live = (0..book.len).filter(|&k| book.slot(k).live).count();
                    assert_eq!(live, book.recent_live);
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
