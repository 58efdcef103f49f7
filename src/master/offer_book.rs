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
//! The queue is a ring of compact entries (56 bytes, [`Entry`]): an
//! offer's key, when it was made, and its resources as four words when
//! they are that (nothing reserved, every quantity from the fifth on zero:
//! nearly every offer); any other offer is kept whole aside, its entry
//! saying where. A run writes each offer field by field into the entry it
//! takes ([`OfferBook::push_words`]), and the readers of an offer — the
//! run's records, the reply's check that it is still there, the decline's
//! look-ahead and the decline — read it in place through a narrow view
//! ([`OfferView`]): one entry, where the whole 184-byte [`Offer`] a slot
//! held before spanned three cache lines, each pass over a run's offers
//! a miss of its own. Readers that need an [`Offer`] get one made from
//! the entry ([`OfferView::to_offer`]); one that changes an offer's
//! resources ([`OfferBook::get_mut`]) gets it whole aside first.
//!
//! The book counts, per framework, the offers that leave it
//! ([`OfferBook::removals`]): a run's reply, whose offers were all there
//! when the run sent them, finds them all still there while its
//! framework's count is the same, without reading an entry (the reply's
//! check reads them only after a removal of the framework's).

use super::allocate::RunEntry;
use super::{Held, Offer, OfferId, OfferView};
use crate::cluster::resources::{Quantities, ResourceSet};
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, RoleId};
use std::collections::BTreeMap;

/// Entries the queue may hold beyond twice its live offers.
const SLACK: usize = 64;

/// The unreserved quantities [`OfferBook::push_words`] takes.
pub(super) const WORDS: usize = super::OFFER_WORDS;

/// The quantities of an offer of words `w` (every one after them zero).
#[inline(always)]
pub(super) fn quantities(w: &[u64; WORDS]) -> Quantities {
    let mut q = Quantities::ZERO;
    q.0[..WORDS].copy_from_slice(w);
    q
}

/// [`Entry::state`] of an entry whose offer is gone.
const GONE: u32 = u32::MAX;
/// [`Entry::state`] of an offer of words.
const HELD_AS_WORDS: u32 = u32::MAX - 1;

/// One entry of the ring (56 bytes): an offer's key, when it was made, and
/// its resources as words, or where it is kept whole.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The first unreserved quantities of an offer of words (the rest
    /// zero, nothing reserved); of any other offer, nothing.
    words: [u64; WORDS],
    made_at: SimTime,
    framework: FrameworkId,
    role: RoleId,
    agent: AgentId,
    /// `GONE`, `HELD_AS_WORDS`, or the offer's index in
    /// [`OfferBook::aside`] (held whole).
    state: u32,
}

impl Entry {
    const GONE: Entry = Entry {
        words: [0; WORDS],
        made_at: SimTime::ZERO,
        framework: FrameworkId(0),
        role: RoleId(0),
        agent: AgentId(0),
        state: GONE,
    };
}

impl Entry {
    /// The entry of a live offer of `key` made at `made_at` of the words
    /// `words`.
    #[inline(always)]
    fn of_words(
        (framework, role, agent): (FrameworkId, RoleId, AgentId),
        made_at: SimTime,
        words: &[u64; WORDS],
    ) -> Entry {
        Entry {
            words: *words,
            made_at,
            framework,
            role,
            agent,
            state: HELD_AS_WORDS,
        }
    }
}

/// The offer a gone place of [`OfferBook::aside`] holds.
fn no_offer() -> Offer {
    Offer {
        id: OfferId(0),
        framework: FrameworkId(0),
        role: RoleId(0),
        agent: AgentId(0),
        resources: ResourceSet::default(),
        made_at: SimTime::ZERO,
    }
}

/// Whether `res` is an offer of words: nothing reserved, every quantity
/// from the `WORDS`-th on zero.
fn is_words(res: &ResourceSet) -> bool {
    res.reserved.is_empty() && res.unreserved.zero_from(WORDS)
}

#[derive(Clone, Debug)]
pub(super) struct OfferBook {
    /// A ring: the entry of the offer with id `base + k · stride` is
    /// `slots[(head + k) % slots.len()]` for `k < len`; its length is 0
    /// or a power of two.
    slots: Vec<Entry>,
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
    /// The ring's offers that are not of words, whole (an entry's `state`
    /// is its index here); gone places are in `free`.
    aside: Vec<Offer>,
    free: Vec<u32>,
    /// Offers older than `base` still outstanding.
    old: BTreeMap<OfferId, Offer>,
    /// Per framework (by index; absent: none), the offers removed from
    /// the book ([`OfferBook::remove`], [`OfferBook::discard_found`]): answered,
    /// declined, rescinded or timed out. See [`OfferBook::removals`].
    removed: Vec<u64>,
    /// Added to every framework's count: above every count of the book
    /// this one succeeds ([`OfferBook::succeed`]).
    removed_base: u64,
    /// The last run's list of offers of words ([`OfferBook::put_run`]),
    /// the entries its run listed them in (an entry's `set` is
    /// `RunEntry::WORDS` while its offer is outstanding, `RunEntry::GONE`
    /// after). While `run_live` is not zero its offers are outstanding
    /// here and nowhere else: the ring is empty, and the run's `k`-th
    /// offer, id `base + k · stride` (`base` is then the run's first id), is
    /// `run[k]`. Kept after that for the run's records
    /// ([`OfferBook::run_entries`]) until the next run takes the list.
    run: Vec<RunEntry>,
    /// Offers of `run` outstanding (0: none of them is in `run`: they
    /// are gone, or were pushed into the ring).
    run_live: usize,
    /// When the offers of `run` were made.
    run_made_at: SimTime,
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
            aside: Vec::new(),
            free: Vec::new(),
            old: BTreeMap::new(),
            removed: Vec::new(),
            removed_base: 0,
            run: Vec::new(),
            run_live: 0,
            run_made_at: SimTime::ZERO,
        }
    }

    /// How many of `fw`'s offers have left the book, as a number that only
    /// goes up, also across a master's successors: while it stays the
    /// same, every offer of `fw` that was outstanding is still there (ids
    /// are never reused). A reply's offers are checked against it
    /// (`Simulation::offer_reply`) instead of looked up one by one.
    #[inline]
    pub(super) fn removals(&self, fw: FrameworkId) -> u64 {
        self.removed_base + self.removed.get(fw.index()).copied().unwrap_or(0)
    }

    /// One of `fw`'s offers left the book.
    #[inline(always)]
    fn count_removal(&mut self, fw: FrameworkId) {
        match self.removed.get_mut(fw.index()) {
            Some(n) => *n += 1,
            None => self.count_first_removal(fw),
        }
    }

    #[cold]
    #[inline(never)]
    fn count_first_removal(&mut self, fw: FrameworkId) {
        self.removed.resize(fw.index() + 1, 0);
        self.removed[fw.index()] += 1;
    }

    /// A new master's book (empty) succeeding `old`'s: every framework's
    /// [`OfferBook::removals`] above any it had in `old` (whose offers are
    /// gone with it).
    pub(super) fn succeed(&mut self, old: &OfferBook) {
        let most = old.removed.iter().copied().max().unwrap_or(0);
        self.removed_base = old.removed_base + most + 1;
    }

    /// Where `id`'s entry is (or would be) in the ring.
    #[inline(always)]
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

    /// The ring's `k`-th entry (`k < len`).
    #[inline(always)]
    fn entry(&self, k: usize) -> &Entry {
        &self.slots[(self.head + k) & (self.slots.len() - 1)]
    }

    #[inline]
    fn entry_mut(&mut self, k: usize) -> &mut Entry {
        let mask = self.slots.len() - 1;
        &mut self.slots[(self.head + k) & mask]
    }

    /// The id of the ring's `k`-th entry.
    #[inline]
    fn id_at(&self, k: usize) -> OfferId {
        OfferId(self.base + k as u64 * self.stride)
    }

    /// The ring's entry of `id`, if live (`id` at or above `base`).
    #[inline(always)]
    fn live_entry(&self, id: OfferId) -> Option<usize> {
        let k = self.index(id)?;
        (k < self.len && self.entry(k).state != GONE).then_some(k)
    }

    /// The view of the ring's live `k`-th entry, offer `id`.
    #[inline(always)]
    fn view_at(&self, k: usize, id: OfferId) -> OfferView<'_> {
        self.view_of(self.entry(k), id)
    }

    /// The view of the live entry `e` (offer `id`) of this book's ring.
    #[inline(always)]
    fn view_of<'a>(&'a self, e: &'a Entry, id: OfferId) -> OfferView<'a> {
        if e.state == HELD_AS_WORDS {
            OfferView {
                id,
                framework: e.framework,
                role: e.role,
                agent: e.agent,
                made_at: e.made_at,
                held: Held::Words(&e.words),
            }
        } else {
            self.aside_view(e.state)
        }
    }

    /// Where offer `id` (at or above `base`) is in `run`, if outstanding
    /// there (`run_live` not zero: the ring is empty).
    #[inline(always)]
    fn run_index(&self, id: OfferId) -> Option<usize> {
        // The list's ids are numbered from `base`, as the ring's are.
        let j = self.index(id)?;
        (j < self.run.len() && self.run[j].set != RunEntry::GONE).then_some(j)
    }

    /// The view of `run[j]`, outstanding, offer `id`.
    #[inline(always)]
    fn run_view(&self, j: usize, id: OfferId) -> OfferView<'_> {
        let e = &self.run[j];
        let (framework, role, agent) = e.key;
        OfferView {
            id,
            framework,
            role,
            agent,
            made_at: self.run_made_at,
            held: Held::Words(&e.words),
        }
    }

    /// The view of the offer kept aside at `at` (out of line: the common
    /// offer is of words).
    #[inline(never)]
    fn aside_view(&self, at: u32) -> OfferView<'_> {
        self.aside[at as usize].view()
    }

    /// Offers `ids`, each if outstanding ([`OfferBook::get`]), in their
    /// order: an id that follows the one before it in the ring (a run's
    /// offers, made one after another) is read from the next entry, without
    /// a look-up; any other is looked up.
    #[inline]
    pub(super) fn views<'a>(&'a self, ids: &'a [OfferId]) -> Views<'a> {
        Views {
            book: self,
            ids: ids.iter(),
            k: 0,
            next: self.base,
        }
    }

    /// Offer `id`, if outstanding, read in place ([`OfferView`]).
    #[inline(always)]
    pub(super) fn get(&self, id: &OfferId) -> Option<OfferView<'_>> {
        if id.0 < self.base {
            return self.old_view(id);
        }
        if self.run_live > 0 {
            return self.run_index(*id).map(|j| self.run_view(j, *id));
        }
        let k = self.live_entry(*id)?;
        Some(self.view_at(k, *id))
    }

    /// [`OfferBook::get`] of an offer older than the ring.
    #[cold]
    #[inline(never)]
    fn old_view(&self, id: &OfferId) -> Option<OfferView<'_>> {
        self.old.get(id).map(Offer::view)
    }

    /// Whether offer `id` is outstanding.
    #[inline(always)]
    pub(super) fn contains(&self, id: &OfferId) -> bool {
        if id.0 < self.base {
            return self.old_view(id).is_some();
        }
        if self.run_live > 0 {
            return self.run_index(*id).is_some();
        }
        self.live_entry(*id).is_some()
    }

    /// Offer `id`, if outstanding, to change (its resources): an offer of
    /// words is kept whole aside from now on.
    pub(super) fn get_mut(&mut self, id: &OfferId) -> Option<&mut Offer> {
        if id.0 < self.base {
            return self.old.get_mut(id);
        }
        self.unstage();
        let k = self.live_entry(*id)?;
        let e = *self.entry(k);
        let at = if e.state == HELD_AS_WORDS {
            let o = self.offer_at(k, *id);
            let at = self.put_aside(o);
            self.entry_mut(k).state = at;
            at
        } else {
            e.state
        };
        Some(&mut self.aside[at as usize])
    }

    /// The offer of the ring's live `k`-th entry (id `id`), made whole (a
    /// copy of one held aside).
    fn offer_at(&self, k: usize, id: OfferId) -> Offer {
        self.view_at(k, id).to_offer()
    }

    /// Keeps `o` aside; where.
    fn put_aside(&mut self, o: Offer) -> u32 {
        match self.free.pop() {
            Some(at) => {
                self.aside[at as usize] = o;
                at
            }
            None => {
                self.aside.push(o);
                (self.aside.len() - 1) as u32
            }
        }
    }

    /// Whether the ring holds no entry (tests).
    #[cfg(test)]
    fn is_empty_ring(&self) -> bool {
        self.len == 0
    }

    /// The entry a new offer of id `id` takes at the ring's back, marked
    /// live as an offer of words (what it held is still there, for the
    /// caller to overwrite); `None` if `id` is not this master's next id
    /// (never happens with the master's own numbering).
    #[inline]
    fn new_slot(&mut self, id: OfferId) -> Option<&mut Entry> {
        self.unstage();
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
        let k = self.len - 1;
        self.entry_mut(k).state = HELD_AS_WORDS;
        self.pop_stayers();
        let k = self.len - 1;
        Some(self.entry_mut(k))
    }

    /// Offers that stay while newer ones come and go move to the map: the
    /// ring's front popped while the ring is more than twice its live
    /// offers (plus `SLACK`).
    #[inline(always)]
    fn pop_stayers(&mut self) {
        while self.len > 2 * self.recent_live + SLACK {
            self.pop_front();
        }
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
            self.entry_mut(self.len - 1).state = GONE;
        }
    }

    /// The ring twice as large (at least 16 entries), its entries in order
    /// from the first slot.
    #[cold]
    fn grow(&mut self) {
        let cap = (2 * self.slots.len()).max(16);
        let mut slots = Vec::with_capacity(cap);
        for k in 0..self.len {
            slots.push(*self.entry(k));
        }
        slots.resize(cap, Entry::GONE);
        self.slots = slots;
        self.head = 0;
    }

    /// Adds a new offer: its id must be above every id added before.
    pub(super) fn insert(&mut self, id: OfferId, offer: Offer) {
        if is_words(&offer.resources) {
            let mut w = [0; WORDS];
            w.copy_from_slice(&offer.resources.unreserved.0[..WORDS]);
            let key = (offer.framework, offer.role, offer.agent);
            self.push_words(id, key, offer.made_at, &w);
            return;
        }
        let (key, made_at) = ((offer.framework, offer.role, offer.agent), offer.made_at);
        if self.new_slot(id).is_none() {
            // Not this master's next id: kept in the map.
            self.old.insert(id, offer);
            return;
        }
        let at = self.put_aside(offer);
        let k = self.len - 1;
        let e = self.entry_mut(k);
        (e.framework, e.role, e.agent) = key;
        e.made_at = made_at;
        e.state = at;
    }

    /// Adds a new offer of `key` (framework, role, agent), made at
    /// `made_at`, of the unreserved quantities `words` (the rest zero), as
    /// [`OfferBook::insert`] does, written field by field into its entry.
    #[inline]
    pub(super) fn push_words(
        &mut self,
        id: OfferId,
        (framework, role, agent): (FrameworkId, RoleId, AgentId),
        made_at: SimTime,
        words: &[u64; WORDS],
    ) {
        let Some(e) = self.new_slot(id) else {
            self.old.insert(
                id,
                Offer {
                    id,
                    framework,
                    role,
                    agent,
                    resources: ResourceSet::unreserved(quantities(words)),
                    made_at,
                },
            );
            return;
        };
        *e = Entry::of_words((framework, role, agent), made_at, words);
    }

    /// [`OfferBook::push_words`] of each of `offers` in turn, a run's offers
    /// of words (`key`, words), their ids `first`, `first + stride`, … one
    /// after another: the same entries, growth and pops as pushing each,
    /// without working out each id's place (the ring's next, by
    /// construction) or making a reference to its entry. Returns false,
    /// having changed nothing, if `first` is not the ring's next id (never
    /// with the master's own numbering); the caller then pushes them one by
    /// one.
    pub(super) fn push_words_run<'a>(
        &mut self,
        first: OfferId,
        made_at: SimTime,
        offers: impl Iterator<Item = ((FrameworkId, RoleId, AgentId), &'a [u64; WORDS])>,
    ) -> bool {
        self.unstage();
        if self.len == 0 {
            self.base = first.0;
        } else if self.index(first) != Some(self.len) {
            return false;
        }
        for (key, words) in offers {
            if self.len == self.slots.len() {
                self.grow();
            }
            let mask = self.slots.len() - 1;
            self.slots[(self.head + self.len) & mask] = Entry::of_words(key, made_at, words);
            self.len += 1;
            self.recent_live += 1;
            // As `new_slot`: the pops leave the next id's place at the
            // ring's end (each moves `base` on by one id and takes one
            // entry off `len`), so the ids stay the ring's next.
            self.pop_stayers();
        }
        true
    }

    /// Whether `first` is the id a run's first offer takes
    /// ([`OfferBook::put_run`]): the book's next (always, with the
    /// master's own numbering).
    pub(super) fn takes_run(&self, first: OfferId) -> bool {
        if self.run_live > 0 {
            first.0 == self.base + self.run.len() as u64 * self.stride
        } else {
            self.len == 0 || self.index(first) == Some(self.len)
        }
    }

    /// The book's run list, for the next run to put its entries in (and
    /// take the old ones back to clear): the last run's offers still
    /// outstanding in it are pushed into the ring first.
    pub(super) fn run_list(&mut self) -> &mut Vec<RunEntry> {
        self.unstage();
        &mut self.run
    }

    /// A run's offers of words, the entries of the run list
    /// ([`OfferBook::run_list`], every one `RunEntry::WORDS`), made at
    /// `made_at`, their ids `first`, `first + stride`, … one after
    /// another, `first` the book's next ([`OfferBook::takes_run`]; false,
    /// nothing changed, if not). The same offers as
    /// [`OfferBook::push_words_run`] of them, kept where the run listed
    /// them when the ring is empty (nearly always: every offer of the
    /// last run answered): nothing written, and a decline in the run's
    /// instant marks its entry gone there. An offer of the list that is
    /// changed in place (`get_mut`), or any offer made while some of the
    /// list are outstanding, first moves those into the ring.
    pub(super) fn put_run(&mut self, first: OfferId, made_at: SimTime) -> bool {
        if !self.takes_run(first) {
            return false;
        }
        // The list was taken through `run_list`, which moved any of the
        // last run's offers still in it into the ring.
        debug_assert_eq!(self.run_live, 0, "a run's list is put through run_list");
        debug_assert!(self.run.iter().all(|e| e.set == RunEntry::WORDS));
        if self.len == 0 {
            if !self.run.is_empty() {
                self.base = first.0;
                self.run_made_at = made_at;
                self.run_live = self.run.len();
            }
            return true;
        }
        let run = std::mem::take(&mut self.run);
        let pushed = self.push_words_run(first, made_at, run.iter().map(|e| (e.key, &e.words)));
        self.run = run;
        pushed
    }

    /// Whether some of the run list's offers are outstanding there (then
    /// every outstanding offer of the ring's ids is: the ring is empty).
    #[inline(always)]
    pub(super) fn in_run_list(&self) -> bool {
        self.run_live > 0
    }

    /// The entries of the last run put in the book
    /// ([`OfferBook::put_run`]), outstanding or not, in id order.
    pub(super) fn run_entries(&self) -> &[RunEntry] {
        &self.run
    }

    /// The run list's outstanding offers, if any, pushed into the ring
    /// (empty while they are in the list) as `push_words_run` would have
    /// pushed them, the gone ones as gone entries after the first
    /// outstanding one: the same ring as the list's offers pushed then
    /// the gone ones removed.
    #[inline(always)]
    fn unstage(&mut self) {
        if self.run_live > 0 {
            self.unstage_run();
        }
    }

    #[cold]
    #[inline(never)]
    fn unstage_run(&mut self) {
        debug_assert_eq!(self.len, 0);
        let from = self
            .run
            .iter()
            .position(|e| e.set != RunEntry::GONE)
            .unwrap_or(self.run.len());
        self.base += from as u64 * self.stride;
        self.run_live = 0;
        let made_at = self.run_made_at;
        for k in from..self.run.len() {
            let e = self.run[k];
            if self.len == self.slots.len() {
                self.grow();
            }
            let mask = self.slots.len() - 1;
            let at = (self.head + self.len) & mask;
            if e.set == RunEntry::GONE {
                self.slots[at].state = GONE;
            } else {
                self.slots[at] = Entry::of_words(e.key, made_at, &e.words);
                self.recent_live += 1;
            }
            self.len += 1;
            self.pop_stayers();
        }
        self.drop_gone_front();
    }

    /// `run[j]`, outstanding, marked gone.
    #[inline(always)]
    fn discard_run(&mut self, j: usize) {
        let e = &mut self.run[j];
        e.set = RunEntry::GONE;
        let framework = e.key.0;
        self.count_removal(framework);
        self.run_live -= 1;
    }

    /// The offer of the ring's live `k`-th entry, moved out (from aside,
    /// its place freed, or made from the words); the entry marked gone.
    fn take(&mut self, k: usize) -> Offer {
        let e = *self.entry(k);
        let o = if e.state == HELD_AS_WORDS {
            self.offer_at(k, self.id_at(k))
        } else {
            self.free_aside(e.state);
            std::mem::replace(&mut self.aside[e.state as usize], no_offer())
        };
        self.entry_mut(k).state = GONE;
        self.recent_live -= 1;
        o
    }

    /// Drops the ring's first entry, moving a live offer to `old`.
    fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        if self.entry(0).state != GONE {
            let o = self.take(0);
            self.old.insert(o.id, o);
        }
        self.head = (self.head + 1) & (self.slots.len() - 1);
        self.len -= 1;
        self.base += self.stride;
    }

    /// Drops the gone entries at the ring's front.
    #[inline]
    fn drop_gone_front(&mut self) {
        while self.len > 0 && self.slots[self.head].state == GONE {
            self.head = (self.head + 1) & (self.slots.len() - 1);
            self.len -= 1;
            self.base += self.stride;
        }
    }

    pub(super) fn remove(&mut self, id: &OfferId) -> Option<Offer> {
        let o = if id.0 < self.base {
            self.old.remove(id)?
        } else if self.run_live > 0 {
            let j = self.run_index(*id)?;
            let o = self.run_view(j, *id).to_offer();
            self.discard_run(j);
            return Some(o);
        } else {
            let k = self.live_entry(*id)?;
            let o = self.take(k);
            self.drop_gone_front();
            o
        };
        self.count_removal(o.framework);
        Some(o)
    }

    /// Offer `id`, if outstanding ([`OfferBook::get`]), with where it is
    /// for [`OfferBook::discard_found`].
    #[inline(always)]
    pub(super) fn find(&self, id: &OfferId) -> Option<(Found, OfferView<'_>)> {
        if id.0 < self.base {
            return self.old_view(id).map(|v| (Found::Old, v));
        }
        if self.run_live > 0 {
            let j = self.run_index(*id)?;
            return Some((Found::Run(j), self.run_view(j, *id)));
        }
        let k = self.live_entry(*id)?;
        Some((Found::Ring(k), self.view_at(k, *id)))
    }

    /// `OfferBook::discard` (tests only) of offer `id`, found at `at` by
    /// [`OfferBook::find`] with nothing removed from or added to the book
    /// since: not looked up again.
    #[inline(always)]
    pub(super) fn discard_found(&mut self, at: Found, id: &OfferId) {
        match at {
            Found::Ring(k) => self.discard_entry(k),
            Found::Run(j) => self.discard_run(j),
            Found::Old => {
                self.discard_old(id);
            }
        }
    }

    /// Removes offer `id` (if outstanding) without moving it out: its
    /// entry is marked gone in place. Whether it was there. (The master's
    /// declines find first and call [`OfferBook::discard_found`].)
    #[cfg(test)]
    pub(super) fn discard(&mut self, id: &OfferId) -> bool {
        if id.0 < self.base {
            return self.discard_old(id);
        }
        if self.run_live > 0 {
            return match self.run_index(*id) {
                Some(j) => {
                    self.discard_run(j);
                    true
                }
                None => false,
            };
        }
        match self.live_entry(*id) {
            Some(k) => {
                self.discard_entry(k);
                true
            }
            None => false,
        }
    }

    /// Marks the ring's live `k`-th entry gone.
    #[inline(always)]
    fn discard_entry(&mut self, k: usize) {
        let e = self.entry_mut(k);
        let (state, framework) = (e.state, e.framework);
        e.state = GONE;
        if state != HELD_AS_WORDS {
            self.free_aside(state);
        }
        self.count_removal(framework);
        self.recent_live -= 1;
        self.drop_gone_front();
    }

    /// `OfferBook::discard` (tests only) of an offer older than the ring.
    #[cold]
    #[inline(never)]
    fn discard_old(&mut self, id: &OfferId) -> bool {
        match self.old.remove(id) {
            Some(o) => {
                self.count_removal(o.framework);
                true
            }
            None => false,
        }
    }

    /// The place aside at `at` is free (what it holds is dropped when the
    /// place is taken again).
    #[cold]
    #[inline(never)]
    fn free_aside(&mut self, at: u32) {
        self.free.push(at);
    }

    /// Outstanding offers in id order.
    pub(super) fn values(&self) -> impl Iterator<Item = OfferView<'_>> + '_ {
        let run = if self.run_live > 0 { self.run.len() } else { 0 };
        self.old
            .values()
            .map(Offer::view)
            .chain(
                (0..self.len)
                    .filter(|&k| self.entry(k).state != GONE)
                    .map(|k| self.view_at(k, self.id_at(k))),
            )
            .chain(
                (0..run)
                    .filter(|&j| self.run[j].set != RunEntry::GONE)
                    .map(|j| self.run_view(j, OfferId(self.base + j as u64 * self.stride))),
            )
    }
}

/// Where [`OfferBook::find`] found an offer: the ring's `k`-th entry, the
/// run list's `j`-th, or the map of old offers.
#[derive(Clone, Copy, Debug)]
pub(super) enum Found {
    Ring(usize),
    Run(usize),
    Old,
}

/// [`OfferBook::views`]: the next id's entry is the ring's `k`-th while
/// that id is `next` (always the id of the ring's `k`-th entry).
pub(super) struct Views<'a> {
    book: &'a OfferBook,
    ids: std::slice::Iter<'a, OfferId>,
    k: usize,
    next: u64,
}

impl<'a> Iterator for Views<'a> {
    type Item = Option<OfferView<'a>>;

    #[inline(always)]
    fn next(&mut self) -> Option<Option<OfferView<'a>>> {
        let id = *self.ids.next()?;
        let book = self.book;
        if book.run_live > 0 {
            // The run list's offers (the ring is empty): looked up there.
            return Some(book.get(&id));
        }
        if id.0 != self.next {
            // Not the ring's next entry: where it is, if in the ring.
            match book.index(id) {
                Some(k) => self.k = k,
                None => return Some(book.get(&id)),
            }
        }
        let k = self.k;
        self.k = k + 1;
        self.next = id.0.wrapping_add(book.stride);
        if k >= book.len {
            return Some(None);
        }
        let e = book.entry(k);
        Some((e.state != GONE).then(|| book.view_of(e, id)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::MAX_RESOURCE_KINDS;

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

    /// A xorshift stream of pseudo-random words from `seed` (not zero).
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// Each framework's count of offers removed is the model's.
    fn assert_removals(book: &OfferBook, removed: &[u64], step: u64) {
        for (f, n) in removed.iter().enumerate() {
            assert_eq!(book.removals(FrameworkId(f as u32)), *n, "step {step}");
        }
    }

    /// The book's outstanding offers are the map's, in id order.
    fn assert_same_values(book: &OfferBook, map: &BTreeMap<OfferId, Offer>, step: u64) {
        let a: Vec<Offer> = book.values().map(|v| v.to_offer()).collect();
        let b: Vec<Offer> = map.values().cloned().collect();
        assert_eq!(a, b, "step {step}");
    }

    /// An entry is 56 bytes: a pass over a run's offers reads less than a
    /// cache line of each.
    #[test]
    fn entries_are_56_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 56);
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
            let mut removed = [0u64; 3];
            let mut next = 1u64;
            let mut draw = xorshift(0x2545_f491_4f6c_dd1d);
            for step in 0..20_000 {
                let x = draw();
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
                        let fw = map[&k].framework.index();
                        if x % 5 != 1 {
                            removed[fw] += 1;
                        }
                        if x % 5 == 0 {
                            // Half by `discard`, half found first.
                            let there = if x % 2 == 0 {
                                match book.find(&k) {
                                    Some((at, v)) => {
                                        assert_eq!(v.to_offer(), map[&k]);
                                        book.discard_found(at, &k);
                                        true
                                    }
                                    None => false,
                                }
                            } else {
                                book.discard(&k)
                            };
                            assert_eq!(there, map.remove(&k).is_some());
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
                // Each framework's count of offers removed, from the ring
                // or the map, by `remove` or `discard`.
                assert_removals(&book, &removed, step);
                let probe = OfferId((x % (next * stride + 5)) + 1);
                let seen = book.get(&probe);
                assert_eq!(
                    seen.map(|v| v.to_offer()).as_ref(),
                    map.get(&probe),
                    "step {step}"
                );
                assert_eq!(book.contains(&probe), map.contains_key(&probe));
                // Read narrowly, an offer of words is its words.
                if let Some(OfferView {
                    held: Held::Words(w),
                    ..
                }) = seen
                {
                    assert!(words(&map[&probe]) == Some(*w), "step {step}");
                }
                if step % 50 == 0 {
                    views_as_looked_up(&book, stride, partition, next, x);
                }
                if step % 1000 == 0 {
                    assert_same_values(&book, &map, step);
                    assert!(book.len <= 2 * book.recent_live + SLACK + 1);
                    let live = (0..book.len)
                        .filter(|&k| book.entry(k).state != GONE)
                        .count();
                    assert_eq!(live, book.recent_live);
                    // Every offer kept aside is one live entry's.
                    let whole = (0..book.len)
                        .filter(|&k| book.entry(k).state < HELD_AS_WORDS)
                        .count();
                    assert_eq!(whole, book.aside.len() - book.free.len());
                }
            }
            assert!(book.remove(&OfferId(u64::MAX)).is_none());
            assert!(!book.discard(&OfferId(u64::MAX)));
            assert_same_values(&book, &map, u64::MAX);
        }
    }

    /// A run's offers pushed in one pass (`push_words_run`) leave the book
    /// exactly as pushing each (`push_words`) does — its ring, growth and
    /// pops to the map included — under runs of every length (past the
    /// ring's size, so that it grows within a run), offers removed in
    /// between (so that pops happen within runs), offers that stay, offers
    /// kept whole; and a run whose first id is not the ring's next changes
    /// nothing.
    #[test]
    fn a_run_pushed_at_once_is_each_pushed() {
        for stride in [1u64, 3] {
            let partition = stride - 1;
            let (mut one, mut each) = (OfferBook::new(stride), OfferBook::new(stride));
            let mut live: Vec<OfferId> = Vec::new();
            let mut next = 1u64;
            let mut draw = xorshift(0x9e37_79b9_7f4a_7c15);
            for step in 0..3_000 {
                let r = draw();
                match r % 4 {
                    0 | 1 => {
                        let n = (draw() % 300) as usize * usize::from(r % 8 != 0);
                        let made_at = SimTime(step);
                        let offers: Vec<_> = (0..n)
                            .map(|k| {
                                let w = draw();
                                let key = (
                                    FrameworkId((w % 3) as u32),
                                    RoleId((w % 2) as u32),
                                    AgentId(k as u32),
                                );
                                (key, [w & 0xff, w >> 56, 0, (w >> 8) & 0xf])
                            })
                            .collect();
                        let first = OfferId(next * stride + partition);
                        // A run that does not start at the next id is
                        // refused, the book unchanged.
                        if !one.is_empty_ring() && step % 50 == 0 {
                            let before = format!("{one:?}");
                            let wrong = OfferId(first.0 + stride);
                            assert!(!one.push_words_run(
                                wrong,
                                made_at,
                                offers.iter().map(|(k, w)| (*k, w))
                            ));
                            assert_eq!(format!("{one:?}"), before, "step {step}");
                        }
                        assert!(one.push_words_run(
                            first,
                            made_at,
                            offers.iter().map(|(k, w)| (*k, w))
                        ));
                        for (k, (key, w)) in offers.iter().enumerate() {
                            let id = OfferId((next + k as u64) * stride + partition);
                            each.push_words(id, *key, made_at, w);
                            live.push(id);
                        }
                        next += n as u64;
                    }
                    2 if !live.is_empty() => {
                        // Mostly old ones, every 13th offer stays for good.
                        for _ in 0..(draw() % 400) {
                            if live.is_empty() {
                                break;
                            }
                            let i =
                                (draw() as usize % live.len().min(40)) * usize::from(r % 3 != 0);
                            let id = live.swap_remove(i);
                            if (id.0 / stride) % 13 == 0 {
                                continue;
                            }
                            assert_eq!(one.remove(&id), each.remove(&id), "step {step}");
                        }
                    }
                    _ => {
                        let id = OfferId(next * stride + partition);
                        next += 1;
                        let o = offer(id.0, draw());
                        one.insert(id, o.clone());
                        each.insert(id, o);
                        live.push(id);
                    }
                }
                let shape = |b: &OfferBook| {
                    let ring: Vec<_> = (0..b.len)
                        .map(|k| (b.entry(k).state, b.entry(k).agent))
                        .collect();
                    (
                        b.head,
                        b.len,
                        b.base,
                        b.recent_live,
                        b.slots.len(),
                        b.old.len(),
                        ring,
                    )
                };
                assert_eq!(shape(&one), shape(&each), "step {step}");
                if step % 100 == 0 {
                    assert_eq!(format!("{one:?}"), format!("{each:?}"), "step {step}");
                }
            }
            assert_eq!(format!("{one:?}"), format!("{each:?}"));
            assert!(one.old.len() > 10, "{}", one.old.len());
        }
    }

    /// `OfferBook::views` of a list of ids drawn from `x` — runs of
    /// consecutive ids (some gone, some older than the ring), jumps back
    /// and ahead, ids past the last, of another partition and below every
    /// id — is each id's `get`, in order.
    fn views_as_looked_up(book: &OfferBook, stride: u64, partition: u64, next: u64, x: u64) {
        let id = |n: u64| OfferId(n * stride + partition);
        let mut ids = Vec::new();
        let mut y = x;
        for _ in 0..6 {
            y = y.rotate_left(11) ^ 0x9e37_79b9_7f4a_7c15;
            let run = 1 + y % 40;
            let from = next.saturating_sub(1 + (y >> 8) % 300).max(1);
            ids.extend((from..from + run).map(id));
            match (y >> 20) % 4 {
                0 => ids.push(id(next + (y >> 24) % 3)),
                1 => ids.push(OfferId(id(from).0 + 1)),
                2 => ids.push(OfferId(0)),
                _ => {}
            }
        }
        let a: Vec<Option<Offer>> = book.views(&ids).map(|v| v.map(|v| v.to_offer())).collect();
        let b: Vec<Option<Offer>> = ids
            .iter()
            .map(|id| book.get(id).map(|v| v.to_offer()))
            .collect();
        assert_eq!(a, b, "ids {ids:?}");
        // A view's id is its own.
        for (v, id) in book.views(&ids).zip(&ids) {
            assert!(v.is_none_or(|v| v.id == *id));
        }
    }

    /// A run's list put in the book (`put_run`: kept in the list when the
    /// book holds no other offer, pushed into the ring when it does)
    /// against a `BTreeMap`, under runs of every length followed by
    /// bursts of removals (by `remove`, `discard`, `find` then
    /// `discard_found`), offers changed in place (`get_mut`) and offers
    /// made one by one (both moving an outstanding list into the ring),
    /// offers that stay: every look-up, count of removals, `views` and
    /// `values` as the map's; and runs kept in their list many times.
    #[test]
    fn a_run_put_in_the_book_behaves_as_an_ordered_map() {
        for stride in [1u64, 3] {
            let partition = stride - 1;
            let mut book = OfferBook::new(stride);
            let mut map: BTreeMap<OfferId, Offer> = BTreeMap::new();
            let mut removed = [0u64; 3];
            let mut next = 1u64;
            let mut draw = xorshift(0x5851_f42d_4c95_7f2d);
            let (mut kept, mut pushed) = (0, 0);
            // Offers that stay for good: every 31st made one by one.
            let mut stays: std::collections::BTreeSet<OfferId> = Default::default();
            for step in 0..4_000u64 {
                let r = draw();
                match r % 6 {
                    0 | 1 => {
                        let n = (draw() % 200) as usize * usize::from(r % 16 != 0);
                        let first = OfferId(next * stride + partition);
                        assert!(book.takes_run(first), "step {step}");
                        if book.len > 0 || book.run_live > 0 {
                            assert!(!book.takes_run(OfferId(first.0 + stride)));
                        }
                        let empty = book.len == 0 && book.run_live == 0;
                        let made_at = SimTime(step);
                        let list = book.run_list();
                        list.clear();
                        for k in 0..n {
                            let w = draw();
                            let key = (
                                FrameworkId((w % 3) as u32),
                                RoleId((w % 2) as u32),
                                AgentId(k as u32),
                            );
                            list.push(RunEntry {
                                key,
                                set: RunEntry::WORDS,
                                words: [w & 0xff, w >> 56, 0, (w >> 8) & 0xf],
                            });
                        }
                        for (k, e) in list.iter().enumerate() {
                            let id = OfferId((next + k as u64) * stride + partition);
                            let (framework, role, agent) = e.key;
                            let resources = ResourceSet::unreserved(quantities(&e.words));
                            map.insert(
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
                        }
                        assert!(book.put_run(first, made_at));
                        assert_eq!(book.run_entries().len(), n);
                        if empty && n > 0 {
                            assert_eq!(book.run_live, n);
                            kept += 1;
                        } else if n > 0 {
                            assert_eq!(book.run_live, 0);
                            pushed += 1;
                        }
                        next += n as u64;
                    }
                    2 => {
                        let id = OfferId(next * stride + partition);
                        next += 1;
                        let o = offer(id.0, draw());
                        match words(&o) {
                            Some(w) if r % 4 != 0 => {
                                book.push_words(id, (o.framework, o.role, o.agent), o.made_at, &w)
                            }
                            _ => book.insert(id, o.clone()),
                        }
                        map.insert(id, o);
                        if next % 31 == 0 {
                            stays.insert(id);
                        }
                    }
                    3 if !map.is_empty() && r % 5 == 0 => {
                        let keys: Vec<OfferId> = map.keys().copied().collect();
                        let k = keys[(draw() as usize) % keys.len()];
                        let res = offer(0, draw()).resources;
                        map.get_mut(&k).expect("drawn").resources = res.clone();
                        book.get_mut(&k).expect("outstanding").resources = res;
                    }
                    _ if !map.is_empty() => {
                        // Half the time every offer but those that stay
                        // (every reply answering all its offers), in id
                        // order; else some, mostly the latest.
                        let keys: Vec<OfferId> = map.keys().copied().collect();
                        let all: Vec<OfferId> = if r % 2 == 0 {
                            keys.clone()
                        } else {
                            (0..draw() % 120)
                                .map(|_| {
                                    let d = draw();
                                    if d % 4 == 0 {
                                        keys[(d as usize / 4) % keys.len()]
                                    } else {
                                        keys[keys.len()
                                            - 1
                                            - (d as usize / 4) % keys.len().min(200)]
                                    }
                                })
                                .collect()
                        };
                        for k in all {
                            let d = draw();
                            if stays.contains(&k) {
                                continue;
                            }
                            let there = map.contains_key(&k);
                            if let Some(o) = map.get(&k) {
                                removed[o.framework.index()] += 1;
                            }
                            match d % 3 {
                                0 => assert_eq!(book.remove(&k), map.remove(&k), "step {step}"),
                                1 => {
                                    assert_eq!(book.discard(&k), there, "step {step}");
                                    map.remove(&k);
                                }
                                _ => {
                                    match book.find(&k) {
                                        Some((at, v)) => {
                                            assert_eq!(Some(&v.to_offer()), map.get(&k));
                                            book.discard_found(at, &k);
                                        }
                                        None => assert!(!there, "step {step}"),
                                    }
                                    map.remove(&k);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                assert_removals(&book, &removed, step);
                let live = if book.run_live > 0 {
                    assert_eq!(book.len, 0);
                    book.run.iter().filter(|e| e.set != RunEntry::GONE).count()
                } else {
                    0
                };
                assert_eq!(live, book.run_live, "step {step}");
                for _ in 0..4 {
                    let probe = OfferId(draw() % (next * stride + 5));
                    let seen = book.get(&probe);
                    assert_eq!(seen.map(|v| v.to_offer()).as_ref(), map.get(&probe));
                    assert_eq!(book.contains(&probe), map.contains_key(&probe));
                }
                if step % 10 == 0 {
                    views_as_looked_up(&book, stride, partition, next, draw());
                }
                if step % 50 == 0 {
                    assert_same_values(&book, &map, step);
                }
            }
            assert_same_values(&book, &map, u64::MAX);
            assert!(kept > 100 && pushed > 100, "kept {kept}, pushed {pushed}");
        }
    }

    /// A successor's counts of removals are above every count of the book
    /// it succeeds, for frameworks with removals and without.
    #[test]
    fn a_successor_counts_above_its_predecessor() {
        let mut old = OfferBook::new(1);
        for id in 1..=5u64 {
            let o = offer(id, 5 * id + 1);
            old.insert(OfferId(id), o);
        }
        for id in [1u64, 2, 4] {
            assert!(old.remove(&OfferId(id)).is_some());
        }
        let before: Vec<u64> = (0..5).map(|f| old.removals(FrameworkId(f))).collect();
        let mut new = OfferBook::new(1);
        new.succeed(&old);
        for (f, b) in before.iter().enumerate() {
            assert!(new.removals(FrameworkId(f as u32)) > *b);
        }
        let mut next = OfferBook::new(1);
        next.succeed(&new);
        for f in 0..5 {
            assert!(next.removals(FrameworkId(f)) > new.removals(FrameworkId(f)));
        }
    }
}
