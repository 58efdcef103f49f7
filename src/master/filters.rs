//! Decline filters, kept compact (issue 14, item 2).
//!
//! A filter is one 32-byte record in a slab: its id, the interned id of the
//! resources it holds (identical resource sets — a whole idle agent of a
//! given shape, say — are stored once, with a reference count), the
//! (framework, role, agent) it is for and the next record of the same key.
//! Per framework and role a dense table by agent index holds the first
//! record of that key (4 bytes an agent, made on the first filter of that
//! framework in that role), so whether a (framework, role, agent) has
//! filters is one indexed read and finding them allocates nothing. The
//! engine's expiry event carries the record's slot with the id, so an
//! expiry finds its record without a search; a slot reused after agent
//! removal dropped the filter carries a different id and the stale expiry
//! does nothing.
//!
//! A revive drops a framework's filters in a role without visiting them:
//! the table's entries are cleared and its epoch moves on, and the records
//! stay where they are until their expiries come (every filter the engine
//! installs has one), which find a record of an older epoch than its
//! table's and only free its slot. A revive used to visit every agent of
//! the table and every record, a cache miss each, to free slots that the
//! expiries then visited again (stop 21).
//!
//! What a filter means is unchanged (Mesos `OfferFilter`): an offer is
//! filtered when the resources it would offer are contained in the
//! filtered resources of a filter of that framework, role and agent.

use super::{FilterId, OFFER_WORDS as WORDS};
use crate::cluster::resources::{Quantities, ResourceSet};
use crate::{AgentId, FrameworkId, RoleId};

/// No record (an empty table entry, the end of a chain).
const NONE: u32 = u32::MAX;

/// One filter.
#[derive(Clone, Debug)]
struct Record {
    /// The filter's id; 0 while the slot is free.
    id: u64,
    /// Interned resources ([`Interner`]).
    resources: u32,
    /// The next record of the same (framework, role, agent), or `NONE`.
    next: u32,
    framework: u32,
    /// Index of the role among the framework's roles (its table).
    role_index: u32,
    agent: u32,
    /// Its table's epoch when it was installed: a record of an older epoch
    /// than its table's was dropped with the table's filters (revive) and
    /// waits for its expiry to free its slot.
    epoch: u32,
}

/// Per framework and role: the first record of each agent's filters.
#[derive(Clone, Debug)]
struct Table {
    role: RoleId,
    /// By agent index; empty until the first filter of this framework in
    /// this role.
    heads: Vec<u32>,
    /// Live filters in this table.
    count: u32,
    /// Moves on each time the table's filters are dropped
    /// ([`Filters::drop_framework`]); see [`Record::epoch`].
    epoch: u32,
}

/// The interner's hash of a set: each word mixed in with a multiply, the
/// bits folded once at the end. Which sets share a hash decides nothing
/// but how long a look-up takes, so any hash does.
#[derive(Clone, Copy, Debug, Default)]
struct SetHasher(u64);

impl SetHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        h ^ (h >> 29) ^ (h >> 47)
    }
}

/// Whether `a` and `b` are equal sets, both zero from entry `n` on (see
/// [`Interner`]): their first `n` unreserved entries (no `memcmp` call, no
/// early exit) and their reserved parts.
fn same_set(a: &ResourceSet, b: &ResourceSet, n: usize) -> bool {
    let differ = a.unreserved.0[..n]
        .iter()
        .zip(&b.unreserved.0[..n])
        .fold(0, |d, (x, y)| d | (x ^ y));
    differ == 0 && a.reserved == b.reserved
}

/// Whether `set` equals the set of unreserved quantities `w` (every
/// other quantity zero, nothing reserved), both zero from entry `n` on:
/// its first `n` unreserved entries against the words (then zeros).
fn same_words(set: &ResourceSet, w: &[u64; WORDS], n: usize) -> bool {
    let m = n.min(WORDS);
    let differ = set.unreserved.0[..m]
        .iter()
        .zip(&w[..m])
        .fold(0, |d, (x, y)| d | (x ^ y));
    let rest = set.unreserved.0[m..n.max(m)].iter().fold(0, |d, x| d | x);
    differ | rest == 0 && set.reserved.is_empty()
}

/// How many sets of words [`Interner::recent`] remembers (a power of
/// two): its entries by a hash of the words.
const RECENT: usize = 64;

/// One interned set.
#[derive(Clone, Debug, Default)]
struct Interned {
    set: ResourceSet,
    /// The next set with the same hash, or `NONE`.
    next: u32,
    hash: u64,
}

/// One of the sets of words interned lately ([`Interner::recent`]): its
/// id and its words (a set of words: nothing reserved, every quantity from
/// the `WORDS`-th on zero), so that an offer's words are compared with it
/// in place, without reading the set.
#[derive(Clone, Copy, Debug)]
struct Recent {
    /// `NONE`: no set.
    id: u32,
    words: [u64; WORDS],
}

impl Recent {
    const NONE: Recent = Recent {
        id: NONE,
        words: [0; WORDS],
    };

    /// The words of `set` if it is a set of words.
    fn words_of(set: &ResourceSet) -> Option<[u64; WORDS]> {
        if !set.reserved.is_empty() || !set.unreserved.zero_from(WORDS) {
            return None;
        }
        let mut words = [0; WORDS];
        words.copy_from_slice(&set.unreserved.0[..WORDS]);
        Some(words)
    }

    /// Where the words `w` are remembered in [`Interner::recent`]: their
    /// product with odd constants, summed, its high bits. Which sets share
    /// an entry decides only how often the interner looks further.
    #[inline(always)]
    fn entry(w: &[u64; WORDS]) -> usize {
        const MIX: [u64; 4] = [
            0x9e37_79b9_7f4a_7c15,
            0xc2b2_ae3d_27d4_eb4f,
            0x1656_67b1_9e37_79f9,
            0x85eb_ca77_c2b2_ae63,
        ];
        let h = w
            .iter()
            .zip(MIX.iter().cycle())
            .fold(0u64, |h, (&x, &m)| h.wrapping_add(x.wrapping_mul(m)));
        (h >> (64 - RECENT.trailing_zeros())) as usize
    }
}

/// Resource sets stored once, with the number of filters that hold each.
///
/// Every set a master's filter holds is zero from the scenario's `kinds`-th
/// entry on, as every resource vector the master keeps (`Master::kinds`),
/// so sets are hashed and compared over their first `kinds` unreserved
/// entries and their reserved parts (nearly always none): a few words,
/// where the `BTreeMap` this replaces compared whole 128-byte vectors
/// level by level (`ResourceSet::cmp` and `memcmp`, 2.4% of scale-2k's
/// samples at stop 20).
#[derive(Clone, Debug)]
struct Interner {
    kinds: usize,
    sets: Vec<Interned>,
    /// Filters holding each set, by id; 0: the entry is free. Beside the
    /// sets, so that one more filter of a recent set writes a line of
    /// counts, not the set's.
    refs: Vec<u32>,
    /// By hash ([`Interner::hash`]): the set interned last with that hash
    /// (the others through [`Interned::next`]). A table of its own, never
    /// iterated ([`HashIndex`]; the core keeps no std hash containers,
    /// tests/tidy.rs).
    index: HashIndex,
    free: Vec<u32>,
    /// Sets of words interned lately, each in the entry its words give
    /// ([`Recent::entry`]; the latest of those that share one): the
    /// declines of a run hold the free resources of its agents, a few
    /// shapes early in a day and a few dozen later, so an offer's words
    /// are nearly always one compare with one entry away from their id,
    /// where a list of the four latest (until stop 33), moved to the
    /// front at each hit, was a compare with each in turn and a branch
    /// that follows the run's shuffled agents. A cache only (which sets it
    /// holds changes no id), of live sets: a set no filter holds any more
    /// leaves it.
    recent: Vec<Recent>,
    /// Taken of every hash: all ones (a test sets fewer bits to make sets
    /// share hashes).
    mask: u64,
}

impl Interner {
    fn new(kinds: usize) -> Interner {
        Interner {
            kinds: kinds.min(crate::cluster::resources::MAX_RESOURCE_KINDS),
            sets: Vec::new(),
            refs: Vec::new(),
            index: HashIndex::default(),
            free: Vec::new(),
            // Its entries all there from the start (a look-up indexes it).
            recent: vec![Recent::NONE; RECENT],
            mask: u64::MAX,
        }
    }

    fn hash(&self, res: &ResourceSet) -> u64 {
        let n = self.kinds;
        let mut h = SetHasher::default();
        for &w in &res.unreserved.0[..n] {
            h.mix(w);
        }
        for (role, q) in &res.reserved {
            h.mix(u64::from(role.0) | 1 << 32);
            for &w in &q.0[..n] {
                h.mix(w);
            }
        }
        h.finish() & self.mask
    }

    /// The id of `res` (copied only when no filter holds an equal set).
    fn intern(&mut self, res: &ResourceSet) -> u32 {
        debug_assert!(res.unreserved.zero_from(self.kinds));
        if let Some(w) = Recent::words_of(res) {
            return self.intern_words(&w);
        }
        let n = self.kinds;
        let hash = self.hash(res);
        self.find_or_add(hash, |set| same_set(set, res, n), || res.clone())
    }

    /// The id of the set of unreserved quantities `w` (every other one
    /// zero, nothing reserved), as [`Interner::intern`] gives it: compared
    /// with the recent set of its entry in place, else hashed as that set,
    /// and made a set only when no filter holds an equal one.
    #[inline(always)]
    fn intern_words(&mut self, w: &[u64; WORDS]) -> u32 {
        debug_assert!(w[self.kinds.min(WORDS)..].iter().all(|&x| x == 0));
        let r = &self.recent[Recent::entry(w)];
        if r.id != NONE && r.words == *w {
            let id = r.id;
            debug_assert!(self.refs[id as usize] > 0);
            self.refs[id as usize] += 1;
            return id;
        }
        self.intern_words_slow(w)
    }

    /// [`Interner::intern_words`] of words not among the recent sets.
    #[cold]
    #[inline(never)]
    fn intern_words_slow(&mut self, w: &[u64; WORDS]) -> u32 {
        let n = self.kinds;
        // `hash` of that set: its first `n` unreserved entries.
        let mut h = SetHasher::default();
        for k in 0..n {
            h.mix(w.get(k).copied().unwrap_or(0));
        }
        let hash = h.finish() & self.mask;
        self.find_or_add(
            hash,
            |set| same_words(set, w, n),
            || {
                let mut q = Quantities::ZERO;
                q.0[..WORDS].copy_from_slice(w);
                ResourceSet::unreserved(q)
            },
        )
    }

    /// The id of the set with hash `hash` that `equal` takes (a reference
    /// more counted for it), or of a new one made by `make`.
    fn find_or_add(
        &mut self,
        hash: u64,
        equal: impl Fn(&ResourceSet) -> bool,
        make: impl FnOnce() -> ResourceSet,
    ) -> u32 {
        let head = self.index.get(hash).unwrap_or(NONE);
        let mut at = head;
        while at != NONE {
            let e = &self.sets[at as usize];
            if equal(&e.set) {
                self.refs[at as usize] += 1;
                self.note_recent(at);
                return at;
            }
            at = e.next;
        }
        let entry = Interned {
            set: make(),
            next: head,
            hash,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.sets[id as usize] = entry;
                self.refs[id as usize] = 1;
                id
            }
            None => {
                self.sets.push(entry);
                self.refs.push(1);
                (self.sets.len() - 1) as u32
            }
        };
        self.index.insert(hash, id);
        self.note_recent(id);
        id
    }

    /// `id` is the latest set interned: in its entry of `recent`, if a
    /// set of words.
    fn note_recent(&mut self, id: u32) {
        if let Some(words) = Recent::words_of(&self.sets[id as usize].set) {
            self.recent[Recent::entry(&words)] = Recent { id, words };
        }
    }

    fn release(&mut self, id: u32) {
        let refs = &mut self.refs[id as usize];
        *refs -= 1;
        if *refs > 0 {
            return;
        }
        if let Some(w) = Recent::words_of(&self.sets[id as usize].set) {
            let r = &mut self.recent[Recent::entry(&w)];
            if r.id == id {
                *r = Recent::NONE;
            }
        }
        let e = &mut self.sets[id as usize];
        let (hash, next) = (e.hash, e.next);
        e.set = ResourceSet::default();
        e.next = NONE;
        // Out of its hash's chain (nearly always alone there).
        let head = self.index.get(hash).unwrap_or(NONE);
        if head == id {
            if next == NONE {
                self.index.remove(hash);
            } else {
                self.index.insert(hash, next);
            }
        } else {
            let mut at = head;
            loop {
                let after = self.sets[at as usize].next;
                if after == id {
                    self.sets[at as usize].next = next;
                    break;
                }
                at = after;
            }
        }
        self.free.push(id);
    }

    fn get(&self, id: u32) -> &ResourceSet {
        &self.sets[id as usize].set
    }
}

/// The interner's index: an open-addressing table (linear probing, at
/// most half full) from a set's hash to an id, for the interner's slow
/// path later in a day, when thousands of sets are live and a filter's
/// set is not among the recent ones (stop 29: 7% of installs over six
/// hours). It replaced a `BTreeMap<u64, u32>`, whose look-up walked a few
/// nodes of eleven keys; here a look-up is one slot, nearly always. Only
/// looked up, never iterated, so the order of its slots is never seen.
#[derive(Clone, Debug, Default)]
struct HashIndex {
    /// `(hash, id)`; `id == NONE`: an empty slot. Empty, or a power of two
    /// long.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl HashIndex {
    /// Where `hash` starts looking, in a table of `mask + 1` slots: the
    /// hash's high bits after a multiply (a test's hashes keep a bit or
    /// two).
    #[inline(always)]
    fn home(hash: u64, mask: usize) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
    }

    /// The slot holding `hash`, or the empty slot that ends its probe.
    #[inline(always)]
    fn probe(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = Self::home(hash, mask);
        loop {
            let (h, id) = self.slots[i];
            if id == NONE || h == hash {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn get(&self, hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let (_, id) = self.slots[self.probe(hash)];
        (id != NONE).then_some(id)
    }

    /// `hash` now gives `id` (`id` is not `NONE`).
    fn insert(&mut self, hash: u64, id: u32) {
        debug_assert!(id != NONE);
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let i = self.probe(hash);
        if self.slots[i].1 == NONE {
            self.len += 1;
        }
        self.slots[i] = (hash, id);
    }

    /// `hash` gives nothing any more: the slots after it in its run move
    /// back where their probe would reach them (no tombstones).
    fn remove(&mut self, hash: u64) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut hole = self.probe(hash);
        if self.slots[hole].1 == NONE {
            return;
        }
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let (h, id) = self.slots[j];
            if id == NONE {
                break;
            }
            // An entry whose home is not cyclically in (hole, j] may move
            // to the hole: its probe passes the hole before it reaches j.
            let home = Self::home(h, mask);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (0, NONE);
        self.len -= 1;
    }

    fn grow(&mut self) {
        let size = (2 * self.slots.len()).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(0, NONE); size]);
        self.len = 0;
        for (h, id) in old {
            if id != NONE {
                self.insert(h, id);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Every decline filter of one master.
#[derive(Clone, Debug)]
pub(super) struct Filters {
    agents: usize,
    /// By framework index, then the framework's role index.
    tables: Vec<Vec<Table>>,
    records: Vec<Record>,
    /// Free slots of `records`, first freed first given out again: a queue
    /// beside the records, so installing reads the next free slot from a
    /// line at hand instead of from the cold record of a filter that
    /// expired long ago. First in, first out (a stack until stop 31): an
    /// answer's filters are installed in agent order
    /// ([`Master::install_deferred`](super::Master::install_deferred)) and
    /// expire together in the same order, so their slots are freed in that
    /// order and given out in it again to the next answer's, whose records
    /// are then written, and read at their expiry, one after another
    /// rather than at random.
    free: std::collections::VecDeque<u32>,
    sets: Interner,
    live: usize,
}

/// Where a (framework, role, agent)'s filters start: found once, then
/// asked what they hold ([`Filters::holds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Head(u32);

impl Head {
    pub const NONE: Head = Head(NONE);

    pub fn is_none(self) -> bool {
        self.0 == NONE
    }
}

impl Filters {
    /// No filters, for `agents` agents and frameworks subscribed to the
    /// given roles (by framework index); every set a filter will hold is
    /// zero from entry `kinds` on (see [`Interner`]).
    pub fn new(
        agents: usize,
        kinds: usize,
        framework_roles: impl Iterator<Item = Vec<RoleId>>,
    ) -> Filters {
        Filters {
            agents,
            tables: framework_roles
                .map(|roles| {
                    roles
                        .into_iter()
                        .map(|role| Table {
                            role,
                            heads: Vec::new(),
                            count: 0,
                            epoch: 0,
                        })
                        .collect()
                })
                .collect(),
            records: Vec::new(),
            free: std::collections::VecDeque::new(),
            sets: Interner::new(kinds),
            live: 0,
        }
    }

    /// Live filters.
    pub fn len(&self) -> usize {
        self.live
    }

    fn table(&self, fw: FrameworkId, role: RoleId) -> Option<&Table> {
        self.tables[fw.index()].iter().find(|t| t.role == role)
    }

    /// The first filter of `fw` in `role` on `agent`: an indexed read, no
    /// allocation.
    pub fn head(&self, fw: FrameworkId, role: RoleId, agent: AgentId) -> Head {
        match self.table(fw, role) {
            Some(t) if t.count > 0 => Head(t.heads[agent.index()]),
            _ => Head::NONE,
        }
    }

    /// Whether a filter from `head` on holds (contains) `res`.
    pub fn holds(&self, head: Head, res: &ResourceSet) -> bool {
        let mut at = head.0;
        while at != NONE {
            let r = &self.records[at as usize];
            if self.sets.get(r.resources).contains(res) {
                return true;
            }
            at = r.next;
        }
        false
    }

    /// Installs a filter of `fw` in `role` on `agent` holding `res`; its id
    /// is `id` (never 0). `None` if `fw` is not subscribed to `role`.
    pub fn install(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
        id: u64,
    ) -> Option<FilterId> {
        self.install_with(fw, role, agent, id, |sets| sets.intern(res))
    }

    /// [`Filters::install`] of the set of unreserved quantities `w` (every
    /// other one zero, nothing reserved: an offer of words), without the
    /// set made: its words are compared with the recent sets' in place
    /// ([`Interner::intern_words`]).
    pub fn install_words(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        w: &[u64; WORDS],
        id: u64,
    ) -> Option<FilterId> {
        self.install_with(fw, role, agent, id, |sets| sets.intern_words(w))
    }

    /// Interns the set of unreserved quantities `w` (as
    /// [`Filters::install_words`] does), a reference taken for a filter
    /// [`Filters::install_interned`] installs later.
    #[inline(always)]
    pub fn intern_words(&mut self, w: &[u64; WORDS]) -> u32 {
        self.sets.intern_words(w)
    }

    /// A filter installed with a set [`Filters::intern_words`] interned
    /// (its reference the filter's now; released if `fw` has no table for
    /// `role`, when no filter is installed).
    #[inline(always)]
    pub fn install_interned(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        set: u32,
        id: u64,
    ) -> Option<FilterId> {
        let f = self.install_with(fw, role, agent, id, |_| set);
        if f.is_none() {
            self.sets.release(set);
        }
        f
    }

    /// A filter installed, its set interned by `intern`.
    #[inline(always)]
    fn install_with(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        id: u64,
        intern: impl FnOnce(&mut Interner) -> u32,
    ) -> Option<FilterId> {
        debug_assert!(id != 0);
        let ri = self.tables[fw.index()]
            .iter()
            .position(|t| t.role == role)?;
        let agents = self.agents;
        let table = &mut self.tables[fw.index()][ri];
        if table.heads.is_empty() {
            table.heads = vec![NONE; agents];
        }
        let next = table.heads[agent.index()];
        let record = Record {
            id,
            resources: intern(&mut self.sets),
            next,
            framework: fw.0,
            role_index: ri as u32,
            agent: agent.0,
            epoch: table.epoch,
        };
        let slot = match self.free.pop_front() {
            Some(slot) => {
                self.records[slot as usize] = record;
                slot
            }
            None => {
                self.records.push(record);
                (self.records.len() - 1) as u32
            }
        };
        table.heads[agent.index()] = slot;
        table.count += 1;
        self.live += 1;
        Some(FilterId { id, slot })
    }

    /// Reads what [`Filters::expire`] reads first for each of `ids` (its
    /// record, then its key's entry in the table), changing nothing: the
    /// expiries of a block are in the order their declines were (the
    /// shuffled order of a run's agents), each a cache miss or two, and
    /// reading a few of them here, in a short loop of independent reads,
    /// lets the processor wait for them together instead of one after
    /// another. A number that means nothing, for `black_box`.
    pub fn look_ahead(&self, ids: &[FilterId]) -> u64 {
        let mut warm = 0u64;
        for id in ids {
            let Some(r) = self.records.get(id.slot as usize) else {
                continue;
            };
            warm ^= r.id ^ u64::from(r.next);
            let head = self
                .tables
                .get(r.framework as usize)
                .and_then(|t| t.get(r.role_index as usize))
                .and_then(|t| t.heads.get(r.agent as usize));
            if let Some(&h) = head {
                warm ^= u64::from(h);
            }
        }
        warm
    }

    /// Reads the records the next `n` installs will write (the front of
    /// the free queue; records of filters that went long ago): a store to a
    /// line not at hand holds up every store after it, so a batch of
    /// declines each writing a cold record stalls on them one by one.
    /// Read together here first, they arrive together. Changes nothing; a
    /// number that means nothing, for `black_box`.
    pub fn look_ahead_installs(&self, n: usize) -> u64 {
        let mut warm = 0u64;
        for &slot in self.free.iter().take(n) {
            warm ^= self.records[slot as usize].id;
        }
        warm
    }

    /// Removes filter `id` if it is still there; returns the role and
    /// agent it was on. A filter a revive dropped (its record of an older
    /// epoch than its table's, see [`Filters::drop_framework`]) is no
    /// longer there: its slot is freed and nothing is returned.
    pub fn expire(&mut self, id: FilterId) -> Option<(RoleId, AgentId)> {
        self.expire_one(id)
    }

    /// [`Filters::expire`] of each of `ids` in turn, `gone(role, agent)`
    /// called for each that was still there, in order: one call for a
    /// list of expiries (the filters of one queue entry) instead of one an
    /// expiry, the list read ahead `ahead` at a time ([`Filters::look_ahead`]),
    /// the same filters left, slots freed and sets released in the same
    /// order.
    pub fn expire_many(
        &mut self,
        ids: &[FilterId],
        ahead: usize,
        mut gone: impl FnMut(RoleId, AgentId),
    ) {
        for chunk in ids.chunks(ahead.max(1)) {
            // Reads only.
            std::hint::black_box(self.look_ahead(chunk));
            for &id in chunk {
                if let Some((role, agent)) = self.expire_one(id) {
                    gone(role, agent);
                }
            }
        }
    }

    /// [`Filters::expire`], inlined into [`Filters::expire_many`].
    #[inline(always)]
    fn expire_one(&mut self, id: FilterId) -> Option<(RoleId, AgentId)> {
        let r = self.records.get(id.slot as usize)?;
        if r.id != id.id || r.id == 0 {
            return None;
        }
        let (fw, ri, agent) = (
            r.framework as usize,
            r.role_index as usize,
            r.agent as usize,
        );
        let table = &mut self.tables[fw][ri];
        if r.epoch != table.epoch {
            self.free_slot(id.slot);
            return None;
        }
        // Unlink it from its key's chain (usually one record long).
        let mut at = table.heads[agent];
        if at == id.slot {
            table.heads[agent] = self.records[at as usize].next;
        } else {
            while at != NONE {
                let next = self.records[at as usize].next;
                if next == id.slot {
                    self.records[at as usize].next = self.records[next as usize].next;
                    break;
                }
                at = next;
            }
        }
        table.count -= 1;
        let role = table.role;
        self.free_slot(id.slot);
        self.live -= 1;
        Some((role, AgentId(agent as u32)))
    }

    /// Frees a record's slot (the caller counts the filter out of `live`
    /// if it was live).
    #[inline(always)]
    fn free_slot(&mut self, slot: u32) {
        let r = &mut self.records[slot as usize];
        let res = r.resources;
        r.id = 0;
        r.next = NONE;
        self.free.push_back(slot);
        self.sets.release(res);
    }

    /// Drops every filter of `fw` in `role` on `agent`; how many.
    fn drop_key(&mut self, fw: usize, ri: usize, agent: usize) -> u32 {
        let table = &mut self.tables[fw][ri];
        let mut at = std::mem::replace(&mut table.heads[agent], NONE);
        let mut n = 0;
        while at != NONE {
            let next = self.records[at as usize].next;
            self.free_slot(at);
            at = next;
            n += 1;
        }
        self.tables[fw][ri].count -= n;
        self.live -= n as usize;
        n
    }

    /// Drops every filter of `fw` in the roles `which` selects; calls
    /// `dropped(role, n)` for each role that had `n` of them (`n > 0`).
    ///
    /// Without visiting them: the table's entries are cleared (a fill of
    /// 4 bytes an agent) and its epoch moves on, so no look-up finds the
    /// dropped records any more; each stays, holding its slot and its set,
    /// until its expiry frees it ([`Filters::expire`]). Which slot a later
    /// filter gets is seen nowhere outside the filters (its id and serial
    /// are the master's; a stale expiry finds another id in a reused slot
    /// either way). Should a table's epoch come round again (2^32 drops),
    /// its old records are freed first, so that none can pass for live.
    pub fn drop_framework(
        &mut self,
        fw: FrameworkId,
        which: impl Fn(RoleId) -> bool,
        mut dropped: impl FnMut(RoleId, u32),
    ) {
        for ri in 0..self.tables[fw.index()].len() {
            let table = &self.tables[fw.index()][ri];
            if table.count == 0 || !which(table.role) {
                continue;
            }
            if table.epoch == u32::MAX {
                self.free_table_records(fw.index(), ri);
            }
            let table = &mut self.tables[fw.index()][ri];
            table.heads.fill(NONE);
            let n = std::mem::take(&mut table.count);
            table.epoch = table.epoch.wrapping_add(1);
            self.live -= n as usize;
            dropped(table.role, n);
        }
    }

    /// Frees every record of table `ri` of framework `fw`, dropped or not
    /// (before its epoch comes round; the caller drops the live ones'
    /// count): their expiries find free or reused slots and do nothing.
    fn free_table_records(&mut self, fw: usize, ri: usize) {
        for slot in 0..self.records.len() {
            let r = &self.records[slot];
            if r.id != 0 && r.framework as usize == fw && r.role_index as usize == ri {
                self.free_slot(slot as u32);
            }
        }
    }

    /// What every live filter holds, as a look-up finds it: per framework,
    /// role and agent (in that order), the chain's filters from its head,
    /// each with its id, slot and the set it holds (for tests comparing
    /// two ways of installing them).
    #[cfg(test)]
    pub fn contents(&self) -> Vec<(FrameworkId, RoleId, AgentId, FilterId, ResourceSet)> {
        let mut out = Vec::new();
        for (fw, tables) in self.tables.iter().enumerate() {
            for t in tables {
                if t.count == 0 {
                    continue;
                }
                for (a, &head) in t.heads.iter().enumerate() {
                    let mut at = head;
                    while at != NONE {
                        let r = &self.records[at as usize];
                        out.push((
                            FrameworkId(fw as u32),
                            t.role,
                            AgentId(a as u32),
                            FilterId { id: r.id, slot: at },
                            self.sets.get(r.resources).clone(),
                        ));
                        at = r.next;
                    }
                }
            }
        }
        assert_eq!(out.len(), self.live, "live filters counted");
        out
    }

    /// Drops every filter on `agent`; calls `dropped(role, n)` for each
    /// (framework, role) that had `n` of them there.
    pub fn drop_agent(&mut self, agent: AgentId, mut dropped: impl FnMut(RoleId, u32)) {
        for fw in 0..self.tables.len() {
            for ri in 0..self.tables[fw].len() {
                let table = &self.tables[fw][ri];
                if table.count > 0 && table.heads[agent.index()] != NONE {
                    let role = table.role;
                    let n = self.drop_key(fw, ri, agent.index());
                    dropped(role, n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::Quantities;

    fn set(cpus: u64) -> ResourceSet {
        let mut q = Quantities::ZERO;
        q.0[0] = cpus;
        ResourceSet::unreserved(q)
    }

    fn two_frameworks() -> Filters {
        Filters::new(
            3,
            1,
            [vec![RoleId(0)], vec![RoleId(0), RoleId(1)]].into_iter(),
        )
    }

    /// A filter is one 32-byte record (plus 4 bytes of its table per agent
    /// once a framework has a filter in a role): the 64-byte target of
    /// issue 14 with room for the slab's growth.
    #[test]
    fn a_filter_record_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Record>(), 32);
    }

    #[test]
    fn holds_what_a_filter_contains_per_framework_role_and_agent() {
        let mut f = two_frameworks();
        let (a0, a1) = (AgentId(0), AgentId(1));
        let id = f
            .install(FrameworkId(1), RoleId(1), a1, &set(4000), 7)
            .unwrap();
        assert_eq!(id, FilterId { id: 7, slot: 0 });
        let head = f.head(FrameworkId(1), RoleId(1), a1);
        assert!(f.holds(head, &set(4000)));
        assert!(f.holds(head, &set(1000)));
        assert!(!f.holds(head, &set(5000)));
        // Another agent, role or framework: nothing.
        assert!(f.head(FrameworkId(1), RoleId(1), a0).is_none());
        assert!(f.head(FrameworkId(1), RoleId(0), a1).is_none());
        assert!(f.head(FrameworkId(0), RoleId(0), a1).is_none());
        // A role the framework is not in takes no filter.
        assert!(f
            .install(FrameworkId(0), RoleId(1), a1, &set(1), 9)
            .is_none());
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn several_filters_on_one_key_and_expiry_by_slot() {
        let mut f = two_frameworks();
        let (fw, role, a) = (FrameworkId(0), RoleId(0), AgentId(2));
        let small = f.install(fw, role, a, &set(1000), 1).unwrap();
        let big = f.install(fw, role, a, &set(8000), 2).unwrap();
        let other = f.install(fw, role, AgentId(0), &set(8000), 3).unwrap();
        assert_eq!(f.len(), 3);
        assert!(f.holds(f.head(fw, role, a), &set(6000)));
        assert_eq!(f.expire(big), Some((role, a)));
        assert!(!f.holds(f.head(fw, role, a), &set(6000)));
        assert!(f.holds(f.head(fw, role, a), &set(1000)));
        // Expiring twice does nothing; neither does a stale id in a reused slot.
        assert_eq!(f.expire(big), None);
        let reused = f.install(fw, role, a, &set(2000), 4).unwrap();
        assert_eq!(reused.slot, big.slot);
        assert_eq!(f.expire(big), None);
        assert_eq!(f.expire(small), Some((role, a)));
        assert!(f.holds(f.head(fw, role, a), &set(2000)));
        assert_eq!(f.expire(reused), Some((role, a)));
        assert!(f.head(fw, role, a).is_none());
        assert_eq!(f.expire(other), Some((role, AgentId(0))));
        assert_eq!(f.len(), 0);
    }

    /// A small deterministic generator for the tests' random operations:
    /// `next(n)` draws below `n`.
    fn draws(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut x = seed;
        move |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        }
    }

    /// Sets sharing a hash are told apart along their chain, and leave it
    /// when no filter holds them: random interns and releases with 1 or 2
    /// bits of hash (long chains) and with all of them, against a count
    /// per distinct set; sets of words interned from their words or whole
    /// at random get one id per distinct set either way (and the words
    /// of a set whose fifth or sixth kind is not zero are another set),
    /// with two kinds and with six.
    /// The interner's index gives what a `BTreeMap` of the same inserts
    /// and removes gives, looked up after every step, with hashes that
    /// share their home slots often (few distinct values, one bit apart,
    /// and full words), through the table's growth.
    #[test]
    fn the_hash_index_is_a_map() {
        for spread in [3u64, 64, 1 << 40, u64::MAX] {
            let mut index = HashIndex::default();
            let mut want: std::collections::BTreeMap<u64, u32> = Default::default();
            let mut next = draws(11 ^ spread);
            let hash_of = |x: u64| match spread {
                3 => x % 3,
                64 => 1 << (x % 64),
                s => x.wrapping_mul(0x2545_f491_4f6c_dd1d) % s,
            };
            for step in 0..20_000 {
                let h = hash_of(next(400));
                if next(3) == 0 {
                    index.remove(h);
                    want.remove(&h);
                } else {
                    let id = next(1000) as u32;
                    index.insert(h, id);
                    want.insert(h, id);
                }
                assert_eq!(index.len, want.len(), "step {step}");
                for probe in 0..40 {
                    let h = hash_of(probe * 10 + step % 10);
                    assert_eq!(index.get(h), want.get(&h).copied(), "step {step}");
                }
            }
            for (h, _) in std::mem::take(&mut want) {
                index.remove(h);
            }
            assert!(index.is_empty());
            assert!(index.slots.iter().all(|&(_, id)| id == NONE));
        }
    }

    #[test]
    fn interned_sets_are_found_through_shared_hashes() {
        for (kinds, mask) in [(2, 0), (2, 1), (2, 3), (2, u64::MAX), (6, 1), (6, u64::MAX)] {
            let mut i = Interner::new(kinds);
            i.mask = mask;
            let mut next = draws(7);
            let make = |a: u64, b: u64, c: u64| {
                let mut q = Quantities::ZERO;
                q.0[0] = a;
                q.0[1] = b;
                if kinds > 4 {
                    q.0[3] = c % 2;
                    q.0[kinds - 1] = c / 2;
                }
                let mut s = ResourceSet::unreserved(q);
                if a == 2 {
                    s.add_reserved(RoleId(1), &q);
                }
                s
            };
            let mut held: Vec<(u32, ResourceSet)> = Vec::new();
            let (mut from_words, mut recent) = (0, 0);
            for _ in 0..5_000 {
                if held.is_empty() || next(3) > 0 {
                    let set = make(next(4), next(5), next(4));
                    let recent_before = i
                        .recent
                        .iter()
                        .any(|r| r.id != NONE && i.sets[r.id as usize].set == set);
                    let id = if set.reserved.is_empty()
                        && set.unreserved.zero_from(WORDS)
                        && next(2) == 0
                    {
                        from_words += 1;
                        let mut w = [0; WORDS];
                        w.copy_from_slice(&set.unreserved.0[..WORDS]);
                        i.intern_words(&w)
                    } else {
                        i.intern(&set)
                    };
                    recent += usize::from(recent_before);
                    assert_eq!(i.get(id), &set);
                    // One id per distinct set held.
                    for (other, s) in &held {
                        assert_eq!(*other == id, *s == set);
                    }
                    held.push((id, set));
                } else {
                    let (id, _) = held.swap_remove(next(held.len() as u64) as usize);
                    i.release(id);
                }
                // The recent sets are live sets of words, their words their
                // sets', each in the entry its words give.
                for (k, r) in i.recent.iter().enumerate() {
                    if r.id != NONE {
                        assert!(i.refs[r.id as usize] > 0);
                        assert_eq!(Some(r.words), Recent::words_of(i.get(r.id)));
                        assert_eq!(Recent::entry(&r.words), k);
                    }
                }
            }
            assert!(from_words > 300 && recent > 100, "{from_words} {recent}");
            for (id, _) in held.drain(..) {
                i.release(id);
            }
            assert!(i.index.is_empty(), "mask {mask}");
            assert!(i.refs.iter().all(|&r| r == 0));
            assert!(i.recent.iter().all(|r| r.id == NONE));
        }
    }

    /// A set interned first and installed later is the filter
    /// `install_words` installs, and its reference is the filter's: released
    /// with the filter, or at once when the framework has no table for the
    /// role (no filter).
    #[test]
    fn a_set_interned_then_installed_is_the_filter_of_words() {
        let mut f = two_frameworks();
        let mut g = two_frameworks();
        let w = [4000, 0, 0, 0];
        let set_id = f.intern_words(&w);
        let id = f
            .install_interned(FrameworkId(1), RoleId(1), AgentId(2), set_id, 7)
            .unwrap();
        let want = g
            .install_words(FrameworkId(1), RoleId(1), AgentId(2), &w, 7)
            .unwrap();
        assert_eq!(id, want);
        let head = f.head(FrameworkId(1), RoleId(1), AgentId(2));
        assert!(f.holds(head, &set(4000)) && !f.holds(head, &set(4001)));
        assert_eq!(f.sets.index.len(), 1);
        // No table: no filter, the reference given back.
        let other = f.intern_words(&[3000, 0, 0, 0]);
        assert_eq!(f.sets.index.len(), 2);
        assert!(f
            .install_interned(FrameworkId(0), RoleId(1), AgentId(0), other, 8)
            .is_none());
        assert_eq!(f.sets.index.len(), 1);
        assert_eq!(f.len(), 1);
        assert_eq!(f.expire(id), Some((RoleId(1), AgentId(2))));
        assert!(f.sets.index.is_empty());
    }

    #[test]
    fn equal_resources_are_stored_once() {
        let mut f = two_frameworks();
        for (i, a) in (0..3).enumerate() {
            f.install(
                FrameworkId(0),
                RoleId(0),
                AgentId(a),
                &set(4000),
                i as u64 + 1,
            );
            f.install(
                FrameworkId(1),
                RoleId(0),
                AgentId(a),
                &set(4000),
                i as u64 + 10,
            );
        }
        f.install(FrameworkId(1), RoleId(1), AgentId(0), &set(2000), 20);
        assert_eq!(f.sets.index.len(), 2);
        f.drop_agent(AgentId(0), |_, _| {});
        f.drop_agent(AgentId(1), |_, _| {});
        f.drop_agent(AgentId(2), |_, _| {});
        assert_eq!(f.len(), 0);
        assert!(f.sets.index.is_empty());
    }

    /// What is live: per (framework, role, agent) the ids a look-up finds
    /// through the chains, and the count of live filters.
    fn live_ids(
        f: &Filters,
        frameworks: u32,
        roles: &[RoleId],
    ) -> (Vec<(u32, u32, u32, u64)>, usize) {
        let mut ids = Vec::new();
        for fw in 0..frameworks {
            for &role in roles {
                for a in 0..f.agents as u32 {
                    let mut at = f.head(FrameworkId(fw), role, AgentId(a)).0;
                    while at != NONE {
                        ids.push((fw, role.0, a, f.records[at as usize].id));
                        at = f.records[at as usize].next;
                    }
                }
            }
        }
        (ids, f.len())
    }

    /// Dropping a framework's filters without visiting them (the table
    /// cleared, its epoch moved on) leaves what dropping each leaves: the
    /// same filters found, the same counts; the dropped records' expiries
    /// free their slots and report nothing, the live ones' expire as
    /// before; a table whose epoch comes round frees its old records
    /// first. Checked against a copy dropping key by key (the old way),
    /// through random installs, expiries, drops and agent removals.
    #[test]
    fn dropping_a_framework_leaves_what_dropping_each_filter_leaves() {
        let (agents, frameworks) = (37, 3u32);
        let roles = [RoleId(0), RoleId(1)];
        let make = || Filters::new(agents, 1, (0..frameworks).map(|_| roles.to_vec()));
        let (mut fast, mut slow) = (make(), make());
        let mut next = draws(99);
        let mut pending: Vec<(FilterId, FilterId)> = Vec::new();
        let mut id = 1;
        let (mut stale, mut came_round) = (0, 0);
        for step in 0..20_000 {
            if step % 5_000 == 2_500 {
                // Near the end of the epochs: the next drops come round
                // (the live records moved with their tables, the dropped
                // ones left in an older epoch).
                for (fw, tables) in fast.tables.iter_mut().enumerate() {
                    for (ri, t) in tables.iter_mut().enumerate() {
                        if t.epoch < 1_000 {
                            for r in fast.records.iter_mut() {
                                let mine =
                                    r.framework as usize == fw && r.role_index as usize == ri;
                                if r.id != 0 && mine && r.epoch == t.epoch {
                                    r.epoch = u32::MAX - 1;
                                }
                            }
                            t.epoch = u32::MAX - 1;
                        }
                    }
                }
            }
            let fw = FrameworkId(next(u64::from(frameworks)) as u32);
            let role = roles[next(2) as usize];
            match next(10) {
                0..=5 => {
                    let a = AgentId(next(agents as u64) as u32);
                    let res = set(1 + next(4));
                    let a_id = fast.install(fw, role, a, &res, id).unwrap();
                    let b_id = slow.install(fw, role, a, &res, id).unwrap();
                    pending.push((a_id, b_id));
                    id += 1;
                }
                6..=7 if !pending.is_empty() => {
                    let (a_id, b_id) = pending.swap_remove(next(pending.len() as u64) as usize);
                    let got = fast.expire(a_id);
                    assert_eq!(got, slow.expire(b_id), "step {step}");
                    stale += usize::from(got.is_none());
                }
                8 => {
                    let ri = fast.tables[fw.index()]
                        .iter()
                        .position(|t| t.role == role)
                        .unwrap();
                    came_round += usize::from(
                        fast.tables[fw.index()][ri].epoch == u32::MAX
                            && fast.tables[fw.index()][ri].count > 0,
                    );
                    let (mut a_n, mut b_n) = (Vec::new(), Vec::new());
                    fast.drop_framework(fw, |r| r == role, |r, n| a_n.push((r, n)));
                    // The old way: key by key, in agent order.
                    let mut n = 0;
                    if slow.tables[fw.index()][ri].count > 0 {
                        for a in 0..agents {
                            n += slow.drop_key(fw.index(), ri, a);
                        }
                    }
                    if n > 0 {
                        b_n.push((role, n));
                    }
                    assert_eq!(a_n, b_n, "step {step}");
                }
                _ => {
                    let a = AgentId(next(agents as u64) as u32);
                    let (mut a_n, mut b_n) = (Vec::new(), Vec::new());
                    fast.drop_agent(a, |r, n| a_n.push((r, n)));
                    slow.drop_agent(a, |r, n| b_n.push((r, n)));
                    assert_eq!(a_n, b_n, "step {step}");
                }
            }
            assert_eq!(
                live_ids(&fast, frameworks, &roles),
                live_ids(&slow, frameworks, &roles),
                "step {step}"
            );
            for t in 0..frameworks as usize {
                for (ta, tb) in fast.tables[t].iter().zip(&slow.tables[t]) {
                    assert_eq!(ta.count, tb.count);
                }
            }
        }
        assert!(stale > 500, "{stale} expiries found nothing");
        assert!(came_round > 3, "{came_round} epochs came round");
        // Every pending expiry comes: every slot is free, every set gone.
        for (a_id, b_id) in pending {
            assert_eq!(fast.expire(a_id), slow.expire(b_id));
        }
        assert_eq!(fast.len(), 0);
        assert_eq!(fast.free.len(), fast.records.len());
        assert!(fast.sets.index.is_empty());
    }

    /// A list of expiries (`expire_many`, read ahead a random number at
    /// a time) leaves what expiring each in turn leaves: the same expiry
    /// answers in order, the same ids found per key in the same chain
    /// order, the same free slots (so the same slots for later filters)
    /// and the same sets' counts; with lists of live, dropped, removed,
    /// already expired and reused-slot filters, between installs of
    /// several frameworks and roles (one the framework is not in),
    /// revives and agent removals.
    #[test]
    fn expiring_a_list_leaves_what_expiring_each_leaves() {
        let (agents, frameworks) = (23, 3u32);
        let roles = [RoleId(0), RoleId(1)];
        // Framework 2 is in role 0 only.
        let make = || {
            Filters::new(
                agents,
                2,
                (0..frameworks).map(|f| {
                    if f == 2 {
                        vec![RoleId(0)]
                    } else {
                        roles.to_vec()
                    }
                }),
            )
        };
        let (mut fast, mut slow) = (make(), make());
        let mut next = draws(5);
        let mut issued: Vec<FilterId> = Vec::new();
        let mut id = 1;
        let (mut installed, mut listed, mut gone_seen) = (0, 0, 0);
        for step in 0..3_000 {
            match next(8) {
                0..=3 => {
                    for _ in 0..1 + next(20) {
                        let fw = FrameworkId(next(u64::from(frameworks)) as u32);
                        let role = roles[next(2) as usize];
                        let agent = AgentId(next(agents as u64) as u32);
                        let mut words = [0; WORDS];
                        words[0] = 1 + next(3);
                        words[1] = next(2);
                        let got = fast.install_words(fw, role, agent, &words, id);
                        assert_eq!(got, slow.install_words(fw, role, agent, &words, id));
                        issued.extend(got);
                        id += 1;
                        installed += 1;
                    }
                }
                4..=5 if !issued.is_empty() => {
                    // A list of expiries, some twice, some stale.
                    let mut list = Vec::new();
                    for _ in 0..1 + next(30) {
                        let k = next(issued.len() as u64) as usize;
                        list.push(issued[k]);
                        if next(3) > 0 {
                            issued.swap_remove(k);
                            if issued.is_empty() {
                                break;
                            }
                        }
                    }
                    let mut got = Vec::new();
                    fast.expire_many(&list, 1 + next(5) as usize, |r, a| got.push((r, a)));
                    let want: Vec<(RoleId, AgentId)> =
                        list.iter().filter_map(|&f| slow.expire(f)).collect();
                    assert_eq!(got, want, "step {step}");
                    listed += list.len();
                    gone_seen += got.len();
                }
                6 => {
                    let fw = FrameworkId(next(u64::from(frameworks)) as u32);
                    let role = roles[next(2) as usize];
                    fast.drop_framework(fw, |r| r == role, |_, _| {});
                    slow.drop_framework(fw, |r| r == role, |_, _| {});
                }
                _ => {
                    let a = AgentId(next(agents as u64) as u32);
                    fast.drop_agent(a, |_, _| {});
                    slow.drop_agent(a, |_, _| {});
                }
            }
            assert_eq!(
                live_ids(&fast, frameworks, &roles),
                live_ids(&slow, frameworks, &roles),
                "step {step}"
            );
            assert_eq!(fast.free, slow.free, "step {step}");
            assert_eq!(fast.sets.refs, slow.sets.refs, "step {step}");
        }
        assert!(
            installed > 5_000 && listed > 3_000 && gone_seen > 1_000,
            "{installed} {listed} {gone_seen}"
        );
    }

    #[test]
    fn dropping_by_framework_roles_and_by_agent() {
        let mut f = two_frameworks();
        for a in 0..3 {
            f.install(FrameworkId(1), RoleId(0), AgentId(a), &set(1), 1 + a as u64);
            f.install(
                FrameworkId(1),
                RoleId(1),
                AgentId(a),
                &set(1),
                10 + a as u64,
            );
            f.install(
                FrameworkId(0),
                RoleId(0),
                AgentId(a),
                &set(1),
                20 + a as u64,
            );
        }
        let mut seen = Vec::new();
        f.drop_framework(FrameworkId(1), |r| r == RoleId(1), |r, n| seen.push((r, n)));
        assert_eq!(seen, [(RoleId(1), 3)]);
        assert_eq!(f.len(), 6);
        assert!(!f.head(FrameworkId(1), RoleId(0), AgentId(1)).is_none());
        let mut on_agent = Vec::new();
        f.drop_agent(AgentId(1), |r, n| on_agent.push((r, n)));
        assert_eq!(on_agent, [(RoleId(0), 1), (RoleId(0), 1)]);
        assert_eq!(f.len(), 4);
        assert!(f.head(FrameworkId(0), RoleId(0), AgentId(1)).is_none());
    }
}
