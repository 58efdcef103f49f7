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
//! expiry finds its record without a search; a slot reused after revive
//! or agent removal dropped the filter carries a different id and the stale
//! expiry does nothing.
//!
//! What a filter means is unchanged (Mesos `OfferFilter`): an offer is
//! filtered when the resources it would offer are contained in the
//! filtered resources of a filter of that framework, role and agent.

use super::FilterId;
use crate::cluster::resources::ResourceSet;
use crate::{AgentId, FrameworkId, RoleId};
use std::collections::BTreeMap;

/// No record (an empty table entry, the end of a chain).
const NONE: u32 = u32::MAX;

/// Agents whose filter records [`Filters::drop_framework`] reads ahead of
/// dropping them (a block of the table: at most this many records, 64
/// bytes of the table).
const DROP_BLOCK: usize = 16;

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
}

/// Resource sets stored once, with the number of filters that hold each.
#[derive(Clone, Debug, Default)]
struct Interner {
    sets: Vec<(ResourceSet, u32)>,
    index: BTreeMap<ResourceSet, u32>,
    free: Vec<u32>,
    /// The set interned last: consecutive declines usually hold equal sets.
    last: u32,
}

impl Interner {
    /// The id of `res` (copied only when no filter holds an equal set).
    fn intern(&mut self, res: &ResourceSet) -> u32 {
        if let Some((set, refs)) = self.sets.get_mut(self.last as usize) {
            if *refs > 0 && set == res {
                *refs += 1;
                return self.last;
            }
        }
        let id = match self.index.get(res) {
            Some(&id) => {
                self.sets[id as usize].1 += 1;
                id
            }
            None => {
                let id = match self.free.pop() {
                    Some(id) => {
                        self.sets[id as usize] = (res.clone(), 1);
                        id
                    }
                    None => {
                        self.sets.push((res.clone(), 1));
                        (self.sets.len() - 1) as u32
                    }
                };
                self.index.insert(res.clone(), id);
                id
            }
        };
        self.last = id;
        id
    }

    fn release(&mut self, id: u32) {
        let entry = &mut self.sets[id as usize];
        entry.1 -= 1;
        if entry.1 == 0 {
            let set = std::mem::take(&mut entry.0);
            self.index.remove(&set);
            self.free.push(id);
        }
    }

    fn get(&self, id: u32) -> &ResourceSet {
        &self.sets[id as usize].0
    }
}

/// Every decline filter of one master.
#[derive(Clone, Debug)]
pub(super) struct Filters {
    agents: usize,
    /// By framework index, then the framework's role index.
    tables: Vec<Vec<Table>>,
    records: Vec<Record>,
    /// Free slots of `records`, the last freed on top: a stack beside the
    /// records, so installing reads the next free slot from a line at hand
    /// instead of from the cold record of a filter that expired long ago
    /// (the slots given out are the same as a list chained through the
    /// records would give).
    free: Vec<u32>,
    /// [`Filters::order_freed`]'s bitmap, kept for its buffer.
    order_bits: Vec<u64>,
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
    /// given roles (by framework index).
    pub fn new(agents: usize, framework_roles: impl Iterator<Item = Vec<RoleId>>) -> Filters {
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
                        })
                        .collect()
                })
                .collect(),
            records: Vec::new(),
            free: Vec::new(),
            order_bits: Vec::new(),
            sets: Interner::default(),
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
            resources: self.sets.intern(res),
            next,
            framework: fw.0,
            role_index: ri as u32,
            agent: agent.0,
        };
        let slot = match self.free.pop() {
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

    /// Reads the records the next `n` installs will write (the top of the
    /// free stack; records of filters that went long ago): a store to a
    /// line not at hand holds up every store after it, so a batch of
    /// declines each writing a cold record stalls on them one by one.
    /// Read together here first, they arrive together. Changes nothing; a
    /// number that means nothing, for `black_box`.
    pub fn look_ahead_installs(&self, n: usize) -> u64 {
        let mut warm = 0u64;
        for &slot in self.free.iter().rev().take(n) {
            warm ^= self.records[slot as usize].id;
        }
        warm
    }

    /// Removes filter `id` if it is still there; returns the role and
    /// agent it was on.
    pub fn expire(&mut self, id: FilterId) -> Option<(RoleId, AgentId)> {
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
        Some((role, AgentId(agent as u32)))
    }

    fn free_slot(&mut self, slot: u32) {
        let r = &mut self.records[slot as usize];
        let res = r.resources;
        r.id = 0;
        r.next = NONE;
        self.free.push(slot);
        self.live -= 1;
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
        n
    }

    /// Drops every filter of `fw` in the roles `which` selects; calls
    /// `dropped(role, agent, n)` for each key that had `n` of them.
    pub fn drop_framework(
        &mut self,
        fw: FrameworkId,
        which: impl Fn(RoleId) -> bool,
        mut dropped: impl FnMut(RoleId, AgentId, u32),
    ) {
        let from = self.free.len();
        for ri in 0..self.tables[fw.index()].len() {
            let table = &self.tables[fw.index()][ri];
            if table.count == 0 || !which(table.role) {
                continue;
            }
            let role = table.role;
            for start in (0..self.agents).step_by(DROP_BLOCK) {
                let end = (start + DROP_BLOCK).min(self.agents);
                // The block's first records, read together first (see
                // `look_ahead`); then dropped in agent order, as before.
                let mut warm = 0u32;
                for &h in &self.tables[fw.index()][ri].heads[start..end] {
                    if h != NONE {
                        warm ^= self.records[h as usize].next;
                    }
                }
                std::hint::black_box(warm);
                for agent in start..end {
                    if self.tables[fw.index()][ri].heads[agent] != NONE {
                        let n = self.drop_key(fw.index(), ri, agent);
                        dropped(role, AgentId(agent as u32), n);
                    }
                }
            }
        }
        // The slots freed, on the free stack in slot order (the lowest on
        // top), not in agent order: the framework's filters were installed
        // in a run's shuffled order of the agents, so in agent order their
        // slots are scattered, and the next declines would write their
        // records all over the slab, a cache miss each; in slot order the
        // writes go up the slab, which the prefetchers follow. Which free
        // slot a filter gets is seen nowhere outside the filters (its id
        // and serial are the master's; a stale expiry finds another id in
        // a reused slot either way).
        self.order_freed(from);
    }

    /// Puts the free stack's slots from `from` on in descending order (the
    /// lowest on top): through a bitmap of the range they span when it is
    /// not much wider than they are (a framework's filters of one run
    /// mostly have neighbouring slots), else by sorting. Each slot is free
    /// once, so the bitmap loses none.
    fn order_freed(&mut self, from: usize) {
        let freed = &mut self.free[from..];
        let (Some(&lo), Some(&hi)) = (freed.iter().min(), freed.iter().max()) else {
            return;
        };
        let words = (hi - lo) as usize / 64 + 1;
        if words > freed.len() {
            freed.sort_unstable_by(|a, b| b.cmp(a));
            return;
        }
        let bits = &mut self.order_bits;
        bits.clear();
        bits.resize(words, 0);
        for &slot in freed.iter() {
            let d = (slot - lo) as usize;
            bits[d / 64] |= 1 << (d % 64);
        }
        let mut at = 0;
        for (w, &word) in bits.iter().enumerate().rev() {
            let mut word = word;
            while word != 0 {
                let b = 63 - word.leading_zeros() as usize;
                freed[at] = lo + (w * 64 + b) as u32;
                at += 1;
                word &= !(1u64 << b);
            }
        }
        debug_assert_eq!(at, freed.len());
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
        Filters::new(3, [vec![RoleId(0)], vec![RoleId(0), RoleId(1)]].into_iter())
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

    #[test]
    fn dropping_a_framework_goes_in_agent_order_across_blocks() {
        // More agents than a block, some with two filters, some with none:
        // the keys are dropped in agent order and the slots dropping key by
        // key frees are freed, in slot order (the next installs take them
        // lowest first).
        let agents = 5 * DROP_BLOCK + 3;
        let mut f = Filters::new(agents, [vec![RoleId(0)]].into_iter());
        let mut id = 1;
        let mut expect = Vec::new();
        for a in (0..agents).rev() {
            let n = [0, 1, 2, 1][a % 4];
            for _ in 0..n {
                f.install(FrameworkId(0), RoleId(0), AgentId(a as u32), &set(1), id);
                id += 1;
            }
            if n > 0 {
                expect.push((RoleId(0), AgentId(a as u32), n));
            }
        }
        expect.reverse();
        // The slow way: key by key, in agent order.
        let mut slow = f.clone();
        for a in 0..agents {
            slow.drop_key(0, 0, a);
        }
        let mut seen = Vec::new();
        f.drop_framework(FrameworkId(0), |_| true, |r, a, n| seen.push((r, a, n)));
        assert_eq!(seen, expect);
        assert_eq!(f.len(), 0);
        let mut freed = slow.free.clone();
        freed.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(f.free, freed);
        for a in 0..agents {
            assert!(f
                .head(FrameworkId(0), RoleId(0), AgentId(a as u32))
                .is_none());
        }
        let taken: Vec<u32> = (0..3)
            .map(|i| {
                f.install(FrameworkId(0), RoleId(0), AgentId(0), &set(1), 1000 + i)
                    .unwrap()
                    .slot
            })
            .collect();
        assert_eq!(taken, [0, 1, 2]);
    }

    #[test]
    fn freed_slots_are_ordered_as_a_sort_orders_them() {
        // Dense (through the bitmap) and sparse (sorted) sets of distinct
        // slots, above what was already on the stack, which stays.
        let mut f = Filters::new(1, [vec![RoleId(0)]].into_iter());
        let mut x = 12345u64;
        for (n, spread) in [(1, 1), (5, 2), (200, 1), (200, 3), (300, 700), (64, 64)] {
            let mut slots: Vec<u32> = (0..n * spread)
                .step_by(spread)
                .map(|s| s as u32 + 7)
                .collect();
            for i in (1..slots.len()).rev() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                slots.swap(i, (x >> 33) as usize % (i + 1));
            }
            f.free = vec![3, 1, 2];
            f.free.extend(&slots);
            f.order_freed(3);
            let mut expect = slots.clone();
            expect.sort_unstable_by(|a, b| b.cmp(a));
            assert_eq!(&f.free[..3], &[3, 1, 2]);
            assert_eq!(&f.free[3..], &expect[..], "{n} slots {spread} apart");
        }
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
        f.drop_framework(
            FrameworkId(1),
            |r| r == RoleId(1),
            |r, a, n| seen.push((r, a, n)),
        );
        assert_eq!(
            seen,
            [
                (RoleId(1), AgentId(0), 1),
                (RoleId(1), AgentId(1), 1),
                (RoleId(1), AgentId(2), 1)
            ]
        );
        assert_eq!(f.len(), 6);
        assert!(!f.head(FrameworkId(1), RoleId(0), AgentId(1)).is_none());
        let mut on_agent = Vec::new();
        f.drop_agent(AgentId(1), |r, n| on_agent.push((r, n)));
        assert_eq!(on_agent, [(RoleId(0), 1), (RoleId(0), 1)]);
        assert_eq!(f.len(), 4);
        assert!(f.head(FrameworkId(0), RoleId(0), AgentId(1)).is_none());
    }
}
