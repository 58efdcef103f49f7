//! The Mesos master and its hierarchical allocator: agents' free resources,
//! the role tree with DRF bookkeeping, frameworks' per-role state, offers,
//! decline filters, suppress/revive, quota and reservations.
//!
//! The master is pure state plus decisions: it never schedules anything
//! itself. Methods return what the engine must do next (schedule a run, a
//! filter expiry, a reply), and the engine applies it.

mod allocate;
mod failover;
mod filters;
mod offer_book;
mod sorting;
mod whole;

pub use allocate::{CandidateOutcome, ExplainRow, RunOutput};
pub use whole::Demand;

use crate::cluster::resources::{Quantities, ResourceSet};
use crate::cluster::slot::{Slot, SlotId};
use crate::policy::{RoleTree, ShareBasis};
use crate::scenario::model::{AllocationOp, Model, Quota};
use crate::sim::time::{DurationUs, SimTime};
use crate::{AgentId, FrameworkId, PartitionId, RoleId};
use filters::{Filters, Head};
use offer_book::OfferBook;
use std::collections::BTreeMap;

/// How many agents [`Master::settle_returns`] reads ahead of returning
/// resources to them. Each is one cache line (see [`AgentState`]); 8
/// agents' lines in flight measured faster than 16 when each was four or
/// five (docs/performance.md, stop 18).
const SETTLE_AHEAD: usize = 8;

/// [`Master::settle_returns`] sorts its returns by agent when there are
/// at least one for this many of the master's agents: the count runs over
/// every agent, at most this many steps a return.
const SORT_RETURNS_PER_AGENT: usize = 8;

/// Mesos clamps refuse_seconds to 365 days.
pub const MAX_REFUSE_US: DurationUs = 365 * 86_400 * 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfferId(pub u64);

impl OfferId {
    /// The offer a framework's slot is (under Mesos every slot is an offer).
    pub fn of_slot(slot: SlotId) -> OfferId {
        OfferId(slot.0)
    }
}

/// A decline or inverse-offer filter: its id (unique across the engine's
/// masters and their successors) and, for a decline filter, its slot in
/// the master's filter records (so its expiry finds it without a search).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilterId {
    pub id: u64,
    pub slot: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub id: OfferId,
    pub framework: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub resources: ResourceSet,
    pub made_at: SimTime,
}

impl Offer {
    /// The offer (made by `partition`'s master) as a slot a framework
    /// decides on.
    pub fn slot(&self, partition: PartitionId) -> Slot {
        self.view().slot(partition)
    }

    /// The offer read as the book's readers read one.
    pub fn view(&self) -> OfferView<'_> {
        OfferView {
            id: self.id,
            framework: self.framework,
            role: self.role,
            agent: self.agent,
            made_at: self.made_at,
            held: Held::Whole(&self.resources),
        }
    }
}

/// The unreserved quantities an offer of words holds ([`Held::Words`]).
pub const OFFER_WORDS: usize = 4;

/// What an outstanding offer holds, as the master's book keeps it.
#[derive(Clone, Copy, Debug)]
pub enum Held<'a> {
    /// Unreserved quantities: these first `OFFER_WORDS`, every other one
    /// zero (nearly every offer).
    Words(&'a [u64; OFFER_WORDS]),
    /// Any set.
    Whole(&'a ResourceSet),
}

impl Held<'_> {
    /// Its first unreserved quantity (what a read ahead of the offer
    /// touches).
    #[inline(always)]
    fn first_word(self) -> u64 {
        match self {
            Held::Words(w) => w[0],
            Held::Whole(res) => res.unreserved.0[0],
        }
    }
}

/// An outstanding offer read in place, narrowly: its id, key and time,
/// and what it holds ([`Held`]) — of an offer of words, the words only,
/// where the master's book keeps them (one compact entry, see
/// `offer_book`), without an [`Offer`] made.
#[derive(Clone, Copy, Debug)]
pub struct OfferView<'a> {
    pub id: OfferId,
    pub framework: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub made_at: SimTime,
    pub held: Held<'a>,
}

impl OfferView<'_> {
    /// The offer's resources, as a set.
    pub fn resources(&self) -> ResourceSet {
        match self.held {
            Held::Words(w) => ResourceSet::unreserved(offer_book::quantities(w)),
            Held::Whole(res) => res.clone(),
        }
    }

    /// The offer's resources' total (merged by name).
    #[inline]
    pub fn total(&self) -> Quantities {
        match self.held {
            Held::Words(w) => offer_book::quantities(w),
            Held::Whole(res) => res.total(),
        }
    }

    /// The offer, whole.
    pub fn to_offer(&self) -> Offer {
        Offer {
            id: self.id,
            framework: self.framework,
            role: self.role,
            agent: self.agent,
            resources: self.resources(),
            made_at: self.made_at,
        }
    }

    /// The offer (made by `partition`'s master) as a slot a framework
    /// decides on.
    pub fn slot(&self, partition: PartitionId) -> Slot {
        Slot {
            id: SlotId(self.id.0),
            partition,
            agent: self.agent,
            role: self.role,
            resources: self.resources(),
            made_at: self.made_at,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InverseOffer {
    pub framework: FrameworkId,
    pub agent: AgentId,
    pub start: SimTime,
    pub duration: DurationUs,
}

/// A declined offer, as its record tells it, and the filter its decline
/// installed ([`Master::decline_deferred`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declined {
    pub role: RoleId,
    pub agent: AgentId,
    /// The offer's resources' total.
    pub total: Quantities,
    pub filter: Option<NewFilter>,
}

/// A decline filter the engine must expire at `expires`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewFilter {
    pub id: FilterId,
    pub expires: SimTime,
}

/// The [`Declined`]s of a chunk of declines ([`Master::decline_many`]),
/// written in place into a buffer kept from chunk to chunk: of a
/// `Declined`'s 128-byte total only the first quantities the decline has
/// (four for an offer of words, the scenario's kinds for a whole set) are
/// written, the rest of every entry's kept zero (`wide`: every entry is
/// zero from there on), where building each whole wrote it twice (zeroed,
/// then copied into the list).
#[derive(Clone, Debug, Default)]
pub struct Declines {
    items: Vec<Declined>,
    len: usize,
    wide: usize,
}

impl Declines {
    pub fn new() -> Declines {
        Declines::default()
    }

    /// Empties it (its buffer kept).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_slice(&self) -> &[Declined] {
        &self.items[..self.len]
    }

    /// How many of its first quantities every entry's total may have
    /// set: each is zero from there on.
    pub fn width(&self) -> usize {
        self.wide
    }

    /// Adds `d`.
    pub fn push(&mut self, d: Declined) {
        let Declined {
            role,
            agent,
            total,
            filter,
        } = d;
        self.put(role, agent, &total.0, filter);
    }

    /// Adds the `Declined` of `role`, `agent` and `filter` whose total's
    /// first quantities are `first` and every other zero.
    #[inline(always)]
    fn put(&mut self, role: RoleId, agent: AgentId, first: &[u64], filter: Option<NewFilter>) {
        if self.len == self.items.len() {
            self.items.push(Declined {
                role,
                agent,
                total: Quantities::ZERO,
                filter,
            });
        }
        let d = &mut self.items[self.len];
        self.len += 1;
        d.role = role;
        d.agent = agent;
        d.filter = filter;
        let k = first.len();
        d.total.0[..k].copy_from_slice(first);
        if k < self.wide {
            d.total.0[k..self.wide].fill(0);
        }
        self.wide = self.wide.max(k);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unavailability {
    pub start: SimTime,
    pub duration: DurationUs,
}

/// What a master keeps about an agent. What an offer, a decline's return
/// and a run's walk touch comes first (`repr(C)` keeps this order), on one
/// cache line of its own (`align(64)` fixes where the lines fall): the
/// first holder and its count of items, then what is available — its
/// reserved part's header and the first four kinds unreserved — so that
/// with up to four kinds, nothing reserved and nothing owed, an offer's
/// charge and a decline's return read and write one line of the agent
/// (see `agent_line_is_one`). Whether the agent owes resources is kept
/// beside it, dense ([`Master`]'s `owes`); what is offered here is not kept
/// here at all: the offer book has it ([`Master::agents_offered`]). The
/// flags, the maintenance window, the other holders, what is allocated,
/// the total, the inverse offers and the deficit come after. 704 bytes:
/// eleven lines, an odd number, so that the agents' hot lines spread over
/// every cache set (a power-of-two size would put them all in a sixteenth
/// of the sets).
///
/// The holders: the frameworks holding offered or allocated resources
/// here, in the order they came to hold them (inverse offers go to them in
/// that order), each with a count of its items here — its outstanding
/// offers and its tasks — whose total is not empty. A framework becomes a
/// holder when an item of it is charged here and stops when one of its
/// items is taken off and none left has a non-empty total: the list a list
/// of (framework, what it holds) keeps, entry for entry, as long as every
/// item taken off is one that was charged (an offer split by an accept, a
/// partial return or a removal is first counted as its parts,
/// `AgentState::rehold`). `holders_agree_with_a_plain_list` drives both;
/// under `--check` the engine recounts the items from the offers and the
/// tasks.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct AgentState {
    /// The list's first framework; [`AgentState::NO_HOLDER`] only when the
    /// list is empty.
    first_holder: FrameworkId,
    /// How many of the first holder's items here have a non-empty total.
    first_items: u32,
    pub available: ResourceSet,
    pub present: bool,
    pub active: bool,
    pub has_gpu: bool,
    pub maintenance: Option<Unavailability>,
    /// The list's entries after the first: framework, count of items.
    more_holders: Vec<(FrameworkId, u32)>,
    pub allocated: Quantities,
    pub total: ResourceSet,
    inverse_outstanding: Vec<FrameworkId>,
    /// What is held here beyond the total, after `agent_update` shrank it
    /// below what is offered and allocated (Mesos keeps available =
    /// total − allocated, 0 where allocated is more): resources that come
    /// back pay it off before they are available again.
    deficit: ResourceSet,
}

impl Default for AgentState {
    fn default() -> AgentState {
        AgentState {
            first_holder: AgentState::NO_HOLDER,
            first_items: 0,
            available: ResourceSet::default(),
            present: false,
            active: false,
            has_gpu: false,
            maintenance: None,
            more_holders: Vec::new(),
            allocated: Quantities::ZERO,
            total: ResourceSet::default(),
            inverse_outstanding: Vec::new(),
            deficit: ResourceSet::default(),
        }
    }
}

/// 1 if resources whose total is `total` count as an item of a holder (a
/// non-empty total over the scenario's `n` kinds), else 0.
fn item(total: &Quantities, n: usize) -> u32 {
    u32::from(!total.is_empty_first(n))
}

impl AgentState {
    const NO_HOLDER: FrameworkId = FrameworkId(u32::MAX);

    /// What is held here beyond the total (see the field).
    pub fn deficit(&self) -> &ResourceSet {
        &self.deficit
    }

    /// Sets the deficit, and `owes`, the flag that says whether there is
    /// one (the master's dense copy for this agent).
    fn set_deficit(&mut self, owes: &mut bool, deficit: ResourceSet) {
        *owes = !deficit.is_empty();
        self.deficit = deficit;
    }

    /// Resources held here (offered or allocated) come back: they are
    /// available again, except the part that pays off the deficit.
    /// `owes`: whether the agent owes (the master's flag for it).
    /// `n`: the scenario's number of resource kinds (see
    /// [`Quantities::add_first`]).
    fn give_back(&mut self, owes: &mut bool, res: &ResourceSet, n: usize) {
        debug_assert_eq!(*owes, !self.deficit.is_empty());
        if !*owes {
            self.available.add_first(res, n);
            return;
        }
        let paid = res.overlap(&self.deficit);
        self.set_deficit(owes, self.deficit.minus(&paid));
        self.available.add(&res.minus(&paid));
    }

    /// [`AgentState::give_back`] of the unreserved set `q` (zero from `n`
    /// on), without making the set when nothing is owed.
    fn give_back_unreserved(&mut self, owes: &mut bool, q: &Quantities, n: usize) {
        if !*owes {
            self.available.unreserved.add_first(q, n);
            return;
        }
        self.give_back(owes, &ResourceSet::unreserved(*q), n);
    }

    /// `fw` has `items` more items here (offers or tasks with a non-empty
    /// total, see [`item`]): a new holder at the end of the list if it was
    /// not one (even with `items` 0, as a plain list adds an entry that
    /// holds nothing).
    ///
    /// Whether `fw` was a holder here with a count of 0 before (then an
    /// [`AgentState::unhold`] of this item would not undo it: it drops
    /// the holder; see [`Master::end_visit`]).
    #[inline]
    fn hold(&mut self, fw: FrameworkId, items: u32) -> bool {
        if self.first_holder == AgentState::NO_HOLDER {
            debug_assert!(self.more_holders.is_empty() && self.first_items == 0);
            self.first_holder = fw;
            self.first_items = items;
            false
        } else if self.first_holder == fw {
            let held_nothing = self.first_items == 0;
            // A count of live offers and tasks: far below `u32::MAX`.
            self.first_items = self.first_items.saturating_add(items);
            held_nothing
        } else {
            self.hold_more(fw, items)
        }
    }

    /// [`AgentState::hold`] by a framework that is not the first holder.
    #[cold]
    fn hold_more(&mut self, fw: FrameworkId, items: u32) -> bool {
        match self.more_holders.iter_mut().find(|(f, _)| *f == fw) {
            Some((_, c)) => {
                let held_nothing = *c == 0;
                *c = c.saturating_add(items);
                held_nothing
            }
            None => {
                self.more_holders.push((fw, items));
                false
            }
        }
    }

    /// One item of `fw` that was charged here is taken off, `items` (1 if
    /// its total is not empty, else 0) off its count; `fw` stops holding
    /// when its count is 0 (none of its items left holds anything), as a
    /// plain list drops an entry whose quantities a subtraction leaves
    /// empty. Nothing happens if `fw` is not a holder.
    #[inline]
    fn unhold(&mut self, fw: FrameworkId, items: u32) {
        if self.first_holder == AgentState::NO_HOLDER {
            return;
        }
        if self.first_holder == fw {
            self.first_items = self.first_items.saturating_sub(items);
            if self.first_items == 0 {
                if self.more_holders.is_empty() {
                    self.first_holder = AgentState::NO_HOLDER;
                } else {
                    (self.first_holder, self.first_items) = self.more_holders.remove(0);
                }
            }
        } else {
            self.unhold_more(fw, items);
        }
    }

    /// [`AgentState::unhold`] by a framework that is not the first holder.
    #[cold]
    fn unhold_more(&mut self, fw: FrameworkId, items: u32) {
        if let Some(i) = self.more_holders.iter().position(|(f, _)| *f == fw) {
            let c = &mut self.more_holders[i].1;
            *c = c.saturating_sub(items);
            if *c == 0 {
                self.more_holders.remove(i);
            }
        }
    }

    /// One item of `fw` here is split into parts (an accept's tasks and
    /// its rest, a partial return's part and rest, a removal's part and
    /// rest): `before` (the item's [`item`]) off its count and `after` (the
    /// parts' [`item`]s summed) on. The list does not change — a plain
    /// list's quantities do not change either — before a part is taken off
    /// ([`AgentState::unhold`]). Nothing happens if `fw` is not a holder.
    fn rehold(&mut self, fw: FrameworkId, before: u32, after: u32) {
        let count = if self.first_holder == fw && fw != AgentState::NO_HOLDER {
            &mut self.first_items
        } else {
            match self.more_holders.iter_mut().find(|(f, _)| *f == fw) {
                Some((_, c)) => c,
                None => return,
            }
        };
        *count = count.saturating_sub(before).saturating_add(after);
    }

    /// The holders, in the list's order, with their counts of items.
    fn holder_items(&self) -> impl Iterator<Item = (FrameworkId, u32)> + '_ {
        let first = (self.first_holder != AgentState::NO_HOLDER)
            .then_some((self.first_holder, self.first_items));
        first.into_iter().chain(self.more_holders.iter().copied())
    }

    /// The holders, in the list's order.
    fn holders(&self) -> impl Iterator<Item = FrameworkId> + '_ {
        self.holder_items().map(|(f, _)| f)
    }

    /// Whether a holder here has a count of 0 (one that holds nothing:
    /// an [`AgentState::unhold`] of an item charged to it would drop it).
    fn has_zero_holder(&self) -> bool {
        self.holder_items().any(|(_, c)| c == 0)
    }

    /// The first word of the agent's line, as a number that means nothing:
    /// for a read of the line ahead of its use.
    fn first_word(&self) -> u64 {
        u64::from(self.first_holder.0) ^ u64::from(self.first_items)
    }
}

#[derive(Clone, Debug)]
pub struct RoleState {
    pub weight: f64,
    pub quota: Quota,
    /// DRF allocation (offered + allocated, reserved and unreserved merged)
    /// made under exactly this role.
    pub own_alloc: Quantities,
    /// The same over the role's subtree.
    pub subtree_alloc: Quantities,
    pub own_count: u64,
    pub subtree_count: u64,
    /// Frameworks subscribed to exactly this role.
    pub frameworks: u32,
    /// Roles in the subtree (self included) with frameworks: sorter clients.
    pub subtree_clients: u32,
    /// For quota: offered + allocated unreserved resources of the subtree.
    pub subtree_unreserved_alloc: Quantities,
    /// All reservations for the subtree on present agents.
    pub subtree_reserved: Quantities,
    /// Subtree tasks' resources only (outputs' `allocation_end`).
    pub subtree_used: Quantities,
    /// Active decline filters (Mesos `offer_filters/roles/<role>/active`).
    pub active_filters: u32,
    /// The earliest registration sequence number of the frameworks
    /// subscribed to exactly this role, and over its subtree (`u64::MAX`:
    /// none yet); what `fifo` and `priority` order roles by.
    pub own_first_registered: u64,
    pub subtree_first_registered: u64,
    /// The highest `frameworks[].priority` among the same frameworks
    /// (`i64::MIN`: none yet).
    pub own_top_priority: i64,
    pub subtree_top_priority: i64,
}

#[derive(Clone, Debug)]
pub struct FrameworkRole {
    pub role: RoleId,
    pub suppressed: bool,
    pub offered: Quantities,
    pub allocated: Quantities,
    /// Allocations made to this framework in this role's framework sorter.
    pub count: u64,
}

/// What one master keeps about a framework (Mesos's allocator-side
/// `Framework`): registered, connected, and per role what it holds and
/// whether it is suppressed. The other two framework types: what the
/// scenario declares is `scenario::model::FrameworkSpec`; the framework's
/// own scheduler (its queue, pending tasks, held slots) is
/// `framework::SchedulerState`.
#[derive(Clone, Debug)]
pub struct MasterFramework {
    pub registered: bool,
    /// Registered and connected (Mesos `framework.active`).
    pub active: bool,
    pub gpu: bool,
    pub roles: Vec<FrameworkRole>,
    pub min_allocatable: Option<Vec<Quantities>>,
    /// Its registration sequence number at this master (0 first;
    /// `u64::MAX` until it registers).
    pub registration: u64,
    /// Its credit under a whole-allocator policy with budgets (`auction`).
    pub budget: f64,
}

impl MasterFramework {
    pub fn role_index(&self, role: RoleId) -> Option<usize> {
        self.roles.iter().position(|r| r.role == role)
    }

    pub fn held(&self) -> Quantities {
        let mut q = Quantities::ZERO;
        for r in &self.roles {
            q.add(&r.offered);
            q.add(&r.allocated);
        }
        q
    }

    pub fn allocated(&self) -> Quantities {
        let mut q = Quantities::ZERO;
        for r in &self.roles {
            q.add(&r.allocated);
        }
        q
    }

    pub fn offered(&self) -> Quantities {
        let mut q = Quantities::ZERO;
        for r in &self.roles {
            q.add(&r.offered);
        }
        q
    }
}

/// The quiet notes of a master's agents (see [`Master::quiet`]), dense:
/// per agent one word for the note's epoch and, next to it, the first
/// `kinds` entries of what the agent had available unreserved (the master's
/// resource vectors are zero from the scenario's `kinds`-th entry on, see
/// [`Master::kinds`]), so that a run checks an agent's note by reading a
/// few words of one small array instead of a saved 152-byte set; the rare
/// reserved part is kept apart and read only when there is one.
#[derive(Clone, Debug)]
struct QuietNotes {
    kinds: usize,
    /// Per agent, `1 + kinds` words: `2 · epoch + (1 if it had reserved
    /// resources available)`, or [`QuietNotes::NONE`] when it has no note;
    /// then its unreserved available resources' first `kinds` entries.
    words: Vec<u64>,
    /// Per agent: what it had available reserved (meaningful only with a
    /// note whose low bit is set).
    reserved: Vec<Vec<(RoleId, Quantities)>>,
    /// The epoch of the last note set, if any: the epoch only moves on, so
    /// while it is older than the master's, no note holds
    /// ([`QuietNotes::any_of`]).
    latest: Option<u64>,
}

impl QuietNotes {
    const NONE: u64 = u64::MAX;

    fn new(agents: usize, kinds: usize) -> QuietNotes {
        let stride = 1 + kinds;
        let mut words = vec![0; agents * stride];
        for a in 0..agents {
            words[a * stride] = QuietNotes::NONE;
        }
        QuietNotes {
            kinds,
            words,
            reserved: vec![Vec::new(); agents],
            latest: None,
        }
    }

    /// Whether some agent may have a note of `epoch` (one was set since
    /// the epoch moved on to it). When not, every note is of an older
    /// epoch: none holds, and clearing one changes nothing a later epoch
    /// can see (the master's epoch never moves back).
    fn any_of(&self, epoch: u64) -> bool {
        self.latest == Some(epoch)
    }

    /// The agent has no note any more.
    fn clear(&mut self, agent: usize) {
        self.words[agent * (1 + self.kinds)] = QuietNotes::NONE;
    }

    /// Notes that a run of `epoch` offered nothing on `agent`, which had
    /// `available` (zero from the `kinds`-th entry on).
    fn set(&mut self, agent: usize, epoch: u64, available: &ResourceSet) {
        debug_assert!(available.unreserved.zero_from(self.kinds));
        let n = self.kinds;
        self.set_first(
            agent,
            epoch,
            &available.unreserved.0[..n],
            &available.reserved,
        );
    }

    /// [`QuietNotes::set`] of an agent with nothing reserved available and
    /// `words` unreserved (its first `kinds` entries, `kinds` at most
    /// four; every other entry zero).
    fn set_words(&mut self, agent: usize, epoch: u64, words: &[u64; OFFER_WORDS]) {
        debug_assert!(self.kinds <= OFFER_WORDS);
        self.set_first(agent, epoch, &words[..self.kinds], &[]);
    }

    /// The note of an agent whose first `kinds` entries available
    /// unreserved are `first` and whose reserved part is `reserved`.
    #[inline(always)]
    fn set_first(
        &mut self,
        agent: usize,
        epoch: u64,
        first: &[u64],
        reserved: &[(RoleId, Quantities)],
    ) {
        let n = self.kinds;
        let at = agent * (1 + n);
        let any = !reserved.is_empty();
        debug_assert!(self.latest.is_none_or(|l| l <= epoch));
        self.latest = Some(epoch);
        self.words[at] = 2 * epoch + u64::from(any);
        self.words[at + 1..at + 1 + n].copy_from_slice(first);
        if any {
            self.reserved[agent].clear();
            self.reserved[agent].extend_from_slice(reserved);
        }
    }

    /// Whether `agent` has a note of `epoch` with `available` (zero from
    /// the `kinds`-th entry on, as every master vector: the first `kinds`
    /// entries are all that can differ).
    fn holds(&self, agent: usize, epoch: u64, available: &ResourceSet) -> bool {
        let n = self.kinds;
        self.holds_first(
            agent,
            epoch,
            &available.unreserved.0[..n],
            &available.reserved,
        )
    }

    /// [`QuietNotes::holds`] of an agent with nothing reserved available
    /// and `words` unreserved (as in [`QuietNotes::set_words`]).
    fn holds_words(&self, agent: usize, epoch: u64, words: &[u64; OFFER_WORDS]) -> bool {
        self.holds_first(agent, epoch, &words[..self.kinds], &[])
    }

    /// Whether `agent` has a note of `epoch` with `first` and `reserved`
    /// (as [`QuietNotes::set_first`] takes them).
    #[inline(always)]
    fn holds_first(
        &self,
        agent: usize,
        epoch: u64,
        first: &[u64],
        reserved: &[(RoleId, Quantities)],
    ) -> bool {
        let n = self.kinds;
        let at = agent * (1 + n);
        let note = self.words[at];
        let any = !reserved.is_empty();
        note != QuietNotes::NONE
            && note == 2 * epoch + u64::from(any)
            && self.words[at + 1..at + 1 + n] == *first
            && (!any || self.reserved[agent][..] == *reserved)
    }
}

/// Why a run is wanted: which agents it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Agent(AgentId),
    AllAgents,
}

#[derive(Clone, Debug)]
pub struct Master {
    interval: DurationUs,
    /// The scenario's number of resource kinds: every resource vector the
    /// master keeps is zero from this entry on, so the per-agent
    /// bookkeeping of offers and tasks reads and writes only the first
    /// `kinds` entries (`Quantities::add_first`; `check_invariants`
    /// checks the zeros).
    kinds: usize,
    /// Total of all present agents (reserved + unreserved), merged by name.
    totals: Quantities,
    /// `totals` as the sorters divide by them; kept in step by
    /// [`Master::set_totals`].
    share_basis: ShareBasis,
    offered_total: Quantities,
    allocated_total: Quantities,
    agents: Vec<AgentState>,
    /// What a short visit reads of each agent (`Master::sole_visit`), dense
    /// beside the agents' 704-byte states, so that a whole-cell run reads
    /// 8 bytes a resource kind an agent (16 bytes with cpus and mem: an
    /// array of 200 KB for 12,500 agents) instead of one line of each
    /// state at random: per agent `avail_stride()` words, the first
    /// entries of what it has available unreserved. Kept equal to
    /// `agents[a].available.unreserved.0[..avail_stride()]` by every write
    /// of an agent's `available` (`Master::sync_avail`; `check_invariants`
    /// checks it).
    avail_words: Vec<u64>,
    /// Per agent: whether it has anything reserved available (kept with
    /// `avail_words`).
    avail_reserved: Vec<bool>,
    /// Whether `avail_words` and `avail_reserved` are kept: under the
    /// two-level architecture, whose runs visit agents in short. The
    /// others' masters make no offers (a central scheduler or the shared
    /// cell state places the tasks through `add_running` and `release`),
    /// and keeping the copy per task start and end was 1.2% of the
    /// shared-state day's instructions and about 5% of its wall time.
    avail_copy: bool,
    roles: Vec<RoleState>,
    frameworks: Vec<MasterFramework>,
    /// Frameworks subscribed to each role, in framework id order.
    role_frameworks: Vec<Vec<FrameworkId>>,
    /// The role tree (the model's, shared with the fairness metrics).
    tree: RoleTree,
    offers: OfferBook,
    /// Offer and filter ids are `n · partitions + partition` for n = 1, 2,
    /// …: unique across the engine's masters, and with one master exactly
    /// 1, 2, 3, ….
    partition: PartitionId,
    partitions: u64,
    next_offer: u64,
    /// Decline filters (compact, see `filters.rs`).
    filters: Filters,
    /// Per agent: the last run visited it and offered nothing there, with
    /// [`Master::quiet_epoch`] then and what the agent had available. A run
    /// with the same clients passes such an agent by while its available
    /// resources are the same and none of its filters went (`allocate.rs`).
    quiet: QuietNotes,
    /// Per agent: it has gpus (a copy of `AgentState::has_gpu`, dense, so
    /// that a run's capability check does not read another cache line of
    /// every agent's state).
    gpu: Vec<bool>,
    /// Per agent: present and active (a copy of `AgentState::present &&
    /// AgentState::active`, dense, so that a run lists its agents without
    /// reading every agent's state).
    live: Vec<bool>,
    /// Per agent: under maintenance (`AgentState::maintenance` is set; a
    /// dense copy, so that the end of a run finds the agents to make
    /// inverse offers for without reading every candidate's state).
    /// Only [`Master::set_maintained`] writes it.
    maintained: Vec<bool>,
    /// How many of `maintained` are set: a run's end skips its look for
    /// agents under maintenance over every candidate when none is.
    maintained_count: u32,
    /// Per agent: it owes resources (`!AgentState::deficit().is_empty()`,
    /// kept by its only setter, `AgentState::set_deficit`), dense, so that
    /// resources coming back read neither the 152-byte deficit nor a
    /// second line of the agent when there is none (nearly always).
    owes: Vec<bool>,
    /// Per agent, a bit: a holder there may have a count of 0 (see
    /// [`AgentState::hold`]): set while one does, and after it went until
    /// the agent's holders are next looked at (`note_zero_holders`). A bit
    /// an agent (1.5 KB for 12,500 agents, where a byte each missed the
    /// first level of the cache at every visit's end), so that a visit's
    /// end (`Master::end_visit`) knows that none does without reading the
    /// holders.
    zero_held: Vec<u64>,
    /// The clients (framework, role: registered, active, not suppressed)
    /// the last run could offer to, and a number that changes with them.
    quiet_clients: Vec<(FrameworkId, RoleId)>,
    quiet_epoch: u64,
    inverse_filters: BTreeMap<(FrameworkId, AgentId), FilterId>,
    next_filter: u64,
    /// Candidates of the pending run; `all_candidates` = every agent.
    candidates: Vec<AgentId>,
    all_candidates: bool,
    run_pending: bool,
    allocation_runs: u64,
    /// Mesos `--whitelist` / `updateWhitelist`: per agent, whether it may be
    /// offered; `None`: every agent.
    whitelist: Option<Vec<bool>>,
    /// Frameworks registered so far (the next registration number).
    registrations: u64,
    /// When budgets last accrued.
    budgets_at: SimTime,
    /// Each framework's rank when the frameworks are ordered by id (name):
    /// the framework sorters' last tie-break, compared as an integer.
    framework_name_rank: Vec<u32>,
    /// The same for roles by name (top-level roles' names are their last
    /// segments, what the role sorter compares).
    role_name_rank: Vec<u32>,
    /// Per role: where the last segment of its name starts (what the role
    /// sorter names a client), found once rather than per sort key.
    role_leaf_at: Vec<u32>,
    /// The run's would-be offers, kept between runs so that its buffers
    /// are not grown again in every run (empty between runs).
    offerable: allocate::Offerable,
    /// Declined offers' resources not yet returned to their agents
    /// ([`Master::decline_deferred`]), in decline order: the agents' part
    /// of the declines of one answer batch, done together by
    /// [`Master::settle_returns`] (empty outside an answer batch). What
    /// each returns: its first `kinds` unreserved quantities in
    /// `return_words`, in groups of four words (`kinds` rounded up to a
    /// multiple of four words a return, zero after the first `kinds`, in
    /// the same order), and a set with reserved parts
    /// whole in `return_sets` ([`Return`]).
    returns: Vec<Return>,
    return_words: Vec<[u64; 4]>,
    return_sets: Vec<ResourceSet>,
    /// `settle_returns`' order of the returns (their places), and its
    /// count of returns by agent, kept for their buffers.
    return_order: Vec<u32>,
    return_counts: Vec<u32>,
    /// The filters of an answer's declines of words not installed yet
    /// ([`Master::decline_many_deferring`]), in decline order, and their
    /// one expiry: installed together in agent order by
    /// [`Master::install_deferred`].
    deferred_filters: Vec<DeferredFilter>,
    deferred_expires: SimTime,
    /// `install_deferred`'s copy of them in agent order, kept for its
    /// buffer.
    deferred_sorted: Vec<DeferredFilter>,
    /// What declines of the current answer batch have yet to take off the
    /// framework's and the role tree's sums ([`Master::decline_deferred`]):
    /// `None` outside an answer batch.
    owed: Option<OwedSums>,
    /// Whether a run may defer the charges of its offers to their agents
    /// ([`Master::end_visit`]); false for the slow reference that writes
    /// them at once (`Simulation::charges_at_once`, tests only).
    pub(crate) defer_charges: bool,
    /// Whether a run with one client takes its short ways: its offers
    /// added to the sums once, after its walk ([`Master::track_run_sums`]),
    /// and its visits of plain agents made in short (`Master::sole_visit`);
    /// false for the slow reference that takes the general way (tests only).
    pub(crate) sole_fast: bool,
    /// Whether a run with no quiet note of its epoch yet leaves the notes
    /// alone ([`QuietNotes::any_of`]): neither read ahead of its visits nor
    /// cleared on offered agents; false for the slow reference (tests only).
    pub(crate) quiet_fresh: bool,
    /// Whether a run's offers of words, in framework order, go into the
    /// offer book as the run's list (`OfferBook::put_run`: kept as it is,
    /// or pushed in one pass, `OfferBook::push_words_run`); false for the
    /// slow reference and the test comparing the two ways.
    pub(crate) bulk_book: bool,
    /// What the run's current visit of an agent has charged (stage 2).
    visit: Visit,
    /// Per offer of the last run, in id order from its first
    /// (`deferred_from`, the master's offer number): a [`Deferred`] state.
    /// Empty when no charge of the last run was deferred, and once they are
    /// all settled.
    deferred: Vec<u8>,
    deferred_from: u64,
    /// How many of `deferred` are [`Deferred::PENDING`].
    deferred_live: u32,
}

/// What stage 2's visit of an agent has charged there (see
/// [`Master::end_visit`]): the agent, the framework of its last new item,
/// how many new items (offers), whether every charge can be undone exactly
/// (words, one item each), and the words charged.
#[derive(Clone, Copy, Debug)]
struct Visit {
    agent: AgentId,
    framework: FrameworkId,
    offers: u32,
    ok: bool,
    /// The hold of the visit's one new item (`framework`, `items` items)
    /// is not written to the agent's holders yet (a run that may defer
    /// its charges): `end_visit` writes it unless it defers the charge.
    unheld: bool,
    items: u32,
    words: [u64; OFFER_WORDS],
}

impl Visit {
    const NONE: Visit = Visit {
        agent: AgentId(u32::MAX),
        framework: FrameworkId(u32::MAX),
        offers: 0,
        ok: true,
        unheld: false,
        items: 0,
        words: [0; OFFER_WORDS],
    };
}

/// The states of an offer in [`Master`]'s `deferred`.
struct Deferred;

impl Deferred {
    /// Its charge was written at once (not deferred).
    const WRITTEN: u8 = 0;
    /// Its charge was taken back off its agent and not written again.
    const PENDING: u8 = 1;
    /// Declined while pending: its charge and return both left out.
    const DECLINED: u8 = 2;
    /// Written again ([`Master::settle_charge`], `settle_charges`).
    const SETTLED: u8 = 3;
}

/// A deferred decline's return to its agent ([`Master::settle_returns`]):
/// 12 bytes, with the first `kinds` words of what it returns beside it in
/// `Master::return_words`, where a whole `ResourceSet` (152 bytes) was
/// copied for each — nearly every declined set has no reserved part, and
/// every entry of the master's sets from `kinds` on is zero.
#[derive(Clone, Copy, Debug)]
struct Return {
    agent: AgentId,
    framework: FrameworkId,
    /// [`Return::UNRESERVED`]: the set is unreserved only, its first
    /// `kinds` quantities those of the words; else the set's index in
    /// `Master::return_sets`.
    set: u32,
}

impl Return {
    const UNRESERVED: u32 = u32::MAX;
}

/// The filter of a decline of words whose install waits for the rest of
/// its answer ([`Master::decline_many_deferring`]): its key, its serial
/// (given in decline order, as an immediate install gives it) and its set,
/// interned at the decline (a reference taken): 24 bytes.
#[derive(Clone, Copy, Debug)]
struct DeferredFilter {
    serial: u64,
    set: u32,
    agent: AgentId,
    framework: FrameworkId,
    role: RoleId,
}

/// What a run with one client has offered in its stage 2, added to the
/// sums once after the walk ([`Master::track_run_sums`]).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RunSums {
    total: Quantities,
    unreserved: Quantities,
    /// Offers (calls of `charge_offer`), as `track_total` counts them.
    count: u64,
}

impl RunSums {
    /// An offer of unreserved `words` (its total and its unreserved part),
    /// as `charge_offer` adds one of words.
    #[inline]
    pub(super) fn add_words(&mut self, words: &[u64; OFFER_WORDS]) {
        for (t, w) in self.total.0[..OFFER_WORDS].iter_mut().zip(words) {
            *t = t.saturating_add(*w);
        }
        for (u, w) in self.unreserved.0[..OFFER_WORDS].iter_mut().zip(words) {
            *u = u.saturating_add(*w);
        }
        self.count += 1;
    }
}

/// The sums a run of declines of one (framework, role) in an answer batch
/// owe: their resources' totals and unreserved parts, added up. Taking
/// their sum off a sum at once leaves what taking each off in turn leaves,
/// saturating subtraction and all: for non-negative `a` and `b`,
/// `max(0, max(0, s - a) - b) = max(0, s - (a + b))` (if `s < a`, both are
/// 0), and a saturated `a + b` is above any `s` (both 0 again). So the
/// sums come out the same as long as nothing adds to them or reads them
/// in between — within an answer batch, nothing but an accept, before
/// which they are paid ([`Master::settle_returns`]).
#[derive(Clone, Debug)]
struct OwedSums {
    framework: FrameworkId,
    role: RoleId,
    total: Quantities,
    unreserved: Quantities,
}

/// Each name's position when all are sorted.
fn ranks<'a>(names: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let names: Vec<&str> = names.collect();
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_by(|&a, &b| names[a].cmp(names[b]));
    let mut rank = vec![0; by_name.len()];
    for (r, &i) in by_name.iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

impl Master {
    /// The only master of a one-partition engine.
    pub fn new(model: &Model) -> Master {
        Master::for_partition(model, PartitionId(0), 1)
    }

    /// The master of `partition` among `partitions`; it knows the agents
    /// the engine registers with it.
    pub fn for_partition(model: &Model, partition: PartitionId, partitions: u32) -> Master {
        let n_roles = model.roles.len();
        let roles = model
            .roles
            .iter()
            .map(|r| RoleState {
                weight: r.weight,
                quota: model
                    .partitions
                    .quota_of(&r.quota, &r.quota_per_partition, partition),
                own_alloc: Quantities::ZERO,
                subtree_alloc: Quantities::ZERO,
                own_count: 0,
                subtree_count: 0,
                frameworks: 0,
                subtree_clients: 0,
                subtree_unreserved_alloc: Quantities::ZERO,
                subtree_reserved: Quantities::ZERO,
                subtree_used: Quantities::ZERO,
                active_filters: 0,
                own_first_registered: u64::MAX,
                subtree_first_registered: u64::MAX,
                own_top_priority: i64::MIN,
                subtree_top_priority: i64::MIN,
            })
            .collect();
        let frameworks = model
            .frameworks
            .iter()
            .map(|f| MasterFramework {
                registered: false,
                active: false,
                gpu: f.gpu,
                roles: f
                    .roles
                    .iter()
                    .map(|&role| FrameworkRole {
                        role,
                        suppressed: false,
                        offered: Quantities::ZERO,
                        allocated: Quantities::ZERO,
                        count: 0,
                    })
                    .collect(),
                min_allocatable: f.min_allocatable.clone(),
                registration: u64::MAX,
                budget: 0.0,
            })
            .collect();
        Master {
            interval: model.master.allocation_interval,
            // Every resource vector of the scenario names its resources,
            // so its entries past the last name are zero (a model built by
            // hand without names: its agents' widest total).
            kinds: crate::cluster::state::resource_kinds(model),
            totals: Quantities::ZERO,
            share_basis: ShareBasis::new(&Quantities::ZERO, model.master.fair_sharing_excluded),
            offered_total: Quantities::ZERO,
            allocated_total: Quantities::ZERO,
            agents: vec![AgentState::default(); model.agents.len()],
            avail_words: vec![
                0;
                model.agents.len()
                    * crate::cluster::state::resource_kinds(model)
                        .clamp(1, OFFER_WORDS)
            ],
            avail_copy: model.architecture == crate::arch::Architecture::TwoLevel,
            avail_reserved: vec![false; model.agents.len()],
            roles,
            frameworks,
            role_frameworks: vec![Vec::new(); n_roles],
            tree: model.role_tree.clone(),
            offers: OfferBook::new(u64::from(partitions.max(1))),
            partition,
            partitions: u64::from(partitions.max(1)),
            next_offer: 1,
            filters: Filters::new(
                model.agents.len(),
                crate::cluster::state::resource_kinds(model),
                model.frameworks.iter().map(|f| f.roles.clone()),
            ),
            quiet: QuietNotes::new(
                model.agents.len(),
                crate::cluster::state::resource_kinds(model),
            ),
            gpu: vec![false; model.agents.len()],
            live: vec![false; model.agents.len()],
            maintained: vec![false; model.agents.len()],
            maintained_count: 0,
            owes: vec![false; model.agents.len()],
            zero_held: vec![0; model.agents.len().div_ceil(64)],
            quiet_clients: Vec::new(),
            quiet_epoch: 0,
            inverse_filters: BTreeMap::new(),
            next_filter: 1,
            candidates: Vec::new(),
            all_candidates: false,
            run_pending: false,
            allocation_runs: 0,
            whitelist: None,
            registrations: 0,
            budgets_at: SimTime::ZERO,
            framework_name_rank: ranks(model.frameworks.iter().map(|f| f.id.as_str())),
            role_name_rank: ranks(model.roles.iter().map(|r| r.name.as_str())),
            role_leaf_at: model
                .roles
                .iter()
                .map(|r| r.name.rfind('/').map_or(0, |i| i + 1) as u32)
                .collect(),
            offerable: allocate::Offerable::default(),
            returns: Vec::new(),
            return_words: Vec::new(),
            return_sets: Vec::new(),
            return_order: Vec::new(),
            return_counts: Vec::new(),
            deferred_filters: Vec::new(),
            deferred_expires: SimTime::ZERO,
            deferred_sorted: Vec::new(),
            owed: None,
            defer_charges: true,
            sole_fast: true,
            quiet_fresh: true,
            bulk_book: true,
            visit: Visit::NONE,
            deferred: Vec::new(),
            deferred_from: 0,
            deferred_live: 0,
        }
    }

    /// A new master for the same partition that takes over from this one
    /// (a failed-over master, elected afresh): it knows no agents, no
    /// frameworks, offers or filters yet, and numbers its offers and
    /// filters after this one's, so an id — and a timer that carries one —
    /// from before the takeover can match nothing it makes.
    pub fn successor(&self, model: &Model) -> Master {
        let mut next = Master::for_partition(model, self.partition, self.partitions as u32);
        next.next_offer = self.next_offer;
        next.next_filter = self.next_filter;
        next.offers.succeed(&self.offers);
        next.defer_charges = self.defer_charges;
        next.sole_fast = self.sole_fast;
        next.quiet_fresh = self.quiet_fresh;
        next.bulk_book = self.bulk_book;
        next
    }

    /// The engine-wide id of this master's `n`-th offer or filter.
    fn id_of(&self, n: u64) -> u64 {
        n * self.partitions + self.partition.0 as u64
    }

    /// Which of `partitions` masters made offer or filter id `id`.
    pub fn partition_of_id(id: u64, partitions: usize) -> usize {
        // One master (nearly every scenario): no division, which the
        // answer path paid for every offer's look-up.
        if partitions <= 1 {
            return 0;
        }
        (id % partitions as u64) as usize
    }

    pub fn partition(&self) -> PartitionId {
        self.partition
    }

    /// Outstanding offers, in id order.
    pub fn offers(&self) -> impl Iterator<Item = OfferView<'_>> + '_ {
        self.offers.values()
    }

    fn ancestors_and_self(model: &Model, role: RoleId) -> impl Iterator<Item = RoleId> + '_ {
        let mut cur = Some(role);
        std::iter::from_fn(move || {
            let r = cur?;
            cur = model.roles[r.index()].parent;
            Some(r)
        })
    }

    // ------------------------------------------------------ triggers --

    /// Asks for an allocation run (Mesos `generateOffers`). Returns true if
    /// the engine must schedule one: false when a run is already pending, in
    /// which case the candidates are merged into it (batching, MESOS-6904).
    pub fn request_run(&mut self, trigger: Trigger) -> bool {
        match trigger {
            Trigger::AllAgents => self.all_candidates = true,
            Trigger::Agent(a) => self.candidates.push(a),
        }
        if self.run_pending {
            false
        } else {
            self.run_pending = true;
            true
        }
    }

    fn take_candidates(&mut self) -> Vec<AgentId> {
        self.run_pending = false;
        let c: Vec<AgentId> = if self.all_candidates {
            // Sorted and without repeats as made.
            self.candidates.clear();
            (0..self.agents.len() as u32).map(AgentId).collect()
        } else {
            let mut c = std::mem::take(&mut self.candidates);
            c.sort_unstable();
            c.dedup();
            c
        };
        self.all_candidates = false;
        c
    }

    // -------------------------------------------------------- agents --

    /// Registers an agent (Mesos `addSlave`). The caller requests a run for it.
    pub fn add_agent(&mut self, model: &Model, agent: AgentId) {
        self.clear_quiet(agent.index());
        let group = model.agent_group(agent);
        let total = group.resources.clone();
        let has_gpu = model
            .resources
            .get("gpus")
            .is_some_and(|g| total.total().get(g) > 0);
        for (role, q) in &total.reserved {
            for r in Self::ancestors_and_self(model, *role) {
                self.roles[r.index()].subtree_reserved.add(q);
            }
        }
        self.set_totals(model, self.totals.plus(&total.total()));
        self.gpu[agent.index()] = has_gpu;
        self.live[agent.index()] = true;
        self.set_maintained(agent.index(), false);
        self.owes[agent.index()] = false;
        self.set_zero_held(agent.index(), false);
        self.agents[agent.index()] = AgentState {
            present: true,
            active: true,
            available: total.clone(),
            total,
            has_gpu,
            ..AgentState::default()
        };
        self.sync_avail(agent.index());
    }

    /// Words an agent in `avail_words`: `kinds` between 1 and
    /// `OFFER_WORDS` (a short visit needs at most four kinds).
    #[inline(always)]
    fn avail_stride(&self) -> usize {
        self.kinds.clamp(1, OFFER_WORDS)
    }

    /// Copies what agent `a` has available into `avail_words` and
    /// `avail_reserved`: after every write of its `available`.
    #[inline]
    // Indexed under `i < k`, the fixed bound lets the four copies be
    // unrolled (no call to `memcpy` for a length known only at run time).
    #[allow(clippy::needless_range_loop)]
    fn sync_avail(&mut self, a: usize) {
        if !self.avail_copy {
            return;
        }
        let av = &self.agents[a].available;
        let k = self.avail_stride();
        let to = &mut self.avail_words[a * k..a * k + k];
        // At most four words, copied one by one (no call).
        for i in 0..OFFER_WORDS {
            if i < k {
                to[i] = av.unreserved.0[i];
            }
        }
        self.avail_reserved[a] = !av.reserved.is_empty();
    }

    /// The first agent whose `avail_words` or `avail_reserved` differ from
    /// what it has available, if any (`check_invariants`, and the tests).
    fn avail_copy_differs(&self) -> Option<usize> {
        if !self.avail_copy {
            return None;
        }
        let k = self.avail_stride();
        self.agents.iter().enumerate().position(|(i, a)| {
            self.avail_words[i * k..i * k + k] != a.available.unreserved.0[..k]
                || self.avail_reserved[i] == a.available.reserved.is_empty()
        })
    }

    /// Agent `a`'s first `OFFER_WORDS` entries available unreserved, from
    /// `avail_words` (the scenario's `kinds`, at most four here, then
    /// zeros).
    #[inline]
    #[allow(clippy::needless_range_loop)] // as in `sync_avail`
    fn avail_of(&self, a: usize) -> [u64; OFFER_WORDS] {
        let k = self.avail_stride();
        let from = &self.avail_words[a * k..a * k + k];
        let mut w = [0; OFFER_WORDS];
        for i in 0..OFFER_WORDS {
            if i < k {
                w[i] = from[i];
            }
        }
        w
    }

    /// The only way `totals` change: the sorters' basis follows them.
    fn set_totals(&mut self, model: &Model, totals: Quantities) {
        self.totals = totals;
        self.share_basis = ShareBasis::new(&totals, model.master.fair_sharing_excluded);
    }

    /// Removes an agent (Mesos `removeSlave`): its outstanding offers are
    /// returned for the engine to rescind (already recovered here, with no
    /// filter); the engine must have ended its tasks first.
    pub fn remove_agent(&mut self, model: &Model, agent: AgentId) -> Vec<Offer> {
        let rescinded: Vec<Offer> = self
            .offers
            .values()
            .filter(|o| o.agent == agent)
            .map(|o| o.to_offer())
            .collect();
        for o in &rescinded {
            self.recover_offer(model, o.id, None, SimTime::ZERO);
        }
        let state = std::mem::take(&mut self.agents[agent.index()]);
        self.sync_avail(agent.index());
        self.owes[agent.index()] = false;
        self.set_zero_held(agent.index(), false);
        self.live[agent.index()] = false;
        self.set_maintained(agent.index(), false);
        for (role, q) in &state.total.reserved {
            for r in Self::ancestors_and_self(model, *role) {
                self.roles[r.index()].subtree_reserved.saturating_sub(q);
            }
        }
        if let Some(t) = self.totals.checked_sub(&state.total.total()) {
            self.set_totals(model, t);
        }
        // Filters for that agent go away.
        self.drop_filters_on(agent);
        self.inverse_filters.retain(|(_, a), _| *a != agent);
        rescinded
    }

    /// Charges a task already running on a newly added agent to its
    /// framework (Mesos `addSlave` with used resources →
    /// `trackAllocatedResources`): allocated at once, counted in both
    /// sorters (an allocation count too) and in quota consumption, taken
    /// out of the agent's available resources. `false` (and nothing done)
    /// if the framework is not registered in that role or the agent does
    /// not have the resources free.
    pub fn add_running(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) -> bool {
        let fs = &self.frameworks[fw.index()];
        if !fs.registered || fs.role_index(role).is_none() {
            return false;
        }
        // `res` fits an agent (a claim on free resources, or a running
        // task checked at load): zero past the scenario's kinds.
        let n = self.kinds;
        let a = &mut self.agents[agent.index()];
        if !a.present || !a.available.sub_first(res, n) {
            return false;
        }
        self.sync_avail(agent.index());
        self.charge_running(model, fw, role, agent, res);
        true
    }

    /// A task reported by a re-registering agent (after a master
    /// failover): charged as [`Master::add_running`] does, but never
    /// refused — what an `agent_update` left beyond the agent's total is
    /// owed back ([`AgentState::deficit`]), as Mesos's available = total −
    /// allocated leaves nothing there. `false` if the framework is not
    /// subscribed to the role.
    pub fn add_reported_task(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) -> bool {
        let fs = &self.frameworks[fw.index()];
        if !fs.registered || fs.role_index(role).is_none() || !self.agents[agent.index()].present {
            return false;
        }
        let a = &mut self.agents[agent.index()];
        let from_available = res.overlap(&a.available);
        a.available = a.available.minus(&from_available);
        let mut deficit = std::mem::take(&mut a.deficit);
        deficit.add(&res.minus(&from_available));
        a.set_deficit(&mut self.owes[agent.index()], deficit);
        self.sync_avail(agent.index());
        self.charge_running(model, fw, role, agent, res);
        true
    }

    /// The accounting of a running task newly charged to its framework.
    fn charge_running(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) {
        // Every vector here has zeros past the scenario's kinds: the
        // `_first` sums give the full sums' results (`check_invariants`).
        let n = self.kinds;
        let mut summed = None;
        let total = res.total_first_in(n, &mut summed);
        debug_assert!(total.zero_from(n) && res.unreserved.zero_from(n));
        self.agents[agent.index()]
            .allocated
            .add_first_wide(total, n);
        // The total summed above, not again.
        self.track_summed(model, fw, role, agent, total, &res.unreserved);
        let fs = &mut self.frameworks[fw.index()];
        let ri = fs.role_index(role).expect("subscribed role");
        fs.roles[ri].offered.saturating_sub_first_wide(total, n);
        fs.roles[ri].allocated.add_first_wide(total, n);
        self.allocated_total.add_first_wide(total, n);
        for r in Self::ancestors_and_self(model, role) {
            self.roles[r.index()].subtree_used.add_first_wide(total, n);
        }
    }

    pub fn agent_present(&self, agent: AgentId) -> bool {
        self.agents[agent.index()].present
    }

    // ---------------------------------------------------- frameworks --

    /// Registers a framework (Mesos `addFramework`): tracked under each of
    /// its roles. The caller requests a run over all agents.
    pub fn add_framework(&mut self, model: &Model, fw: FrameworkId) {
        let state = &mut self.frameworks[fw.index()];
        state.registered = true;
        state.active = true;
        if state.registration == u64::MAX {
            state.registration = self.registrations;
            self.registrations += 1;
        }
        let roles: Vec<RoleId> = state.roles.iter().map(|r| r.role).collect();
        for role in roles {
            self.track_framework_under_role(model, fw, role);
        }
    }

    fn track_framework_under_role(&mut self, model: &Model, fw: FrameworkId, role: RoleId) {
        let list = &mut self.role_frameworks[role.index()];
        if let Err(i) = list.binary_search(&fw) {
            list.insert(i, fw);
        }
        let (seq, priority) = (
            self.frameworks[fw.index()].registration,
            model.frameworks[fw.index()].priority,
        );
        let rs = &mut self.roles[role.index()];
        rs.own_first_registered = rs.own_first_registered.min(seq);
        rs.own_top_priority = rs.own_top_priority.max(priority);
        for r in Self::ancestors_and_self(model, role) {
            let rs = &mut self.roles[r.index()];
            rs.subtree_first_registered = rs.subtree_first_registered.min(seq);
            rs.subtree_top_priority = rs.subtree_top_priority.max(priority);
        }
        let rs = &mut self.roles[role.index()];
        rs.frameworks += 1;
        if rs.frameworks == 1 {
            // A new sorter client: its allocation count starts at zero.
            rs.own_count = 0;
            for r in Self::ancestors_and_self(model, role) {
                self.roles[r.index()].subtree_clients += 1;
            }
        }
    }

    /// Deactivates a framework whose scheduler disconnected (Mesos
    /// `deactivateFramework`): no offers or inverse offers until it is
    /// activated; its decline and inverse-offer filters are cleared and its
    /// outstanding inverse offers withdrawn. Its suppressed roles stay
    /// suppressed. The caller rescinds its offers (`offers_of`).
    pub fn deactivate_framework(&mut self, fw: FrameworkId) {
        self.frameworks[fw.index()].active = false;
        self.drop_filters_of(fw, |_| true);
        self.inverse_filters.retain(|(f, _), _| *f != fw);
        for a in self.agents.iter_mut() {
            a.inverse_outstanding.retain(|f| *f != fw);
        }
    }

    /// Removes a framework whose failover timeout passed (Mesos
    /// `removeFramework` → allocator `removeFramework`): it leaves its
    /// roles' sorters and its filters go. The caller has ended its tasks
    /// and rescinded its offers.
    pub fn remove_framework(&mut self, model: &Model, fw: FrameworkId) {
        self.deactivate_framework(fw);
        let state = &mut self.frameworks[fw.index()];
        if !state.registered {
            return;
        }
        state.registered = false;
        let roles: Vec<RoleId> = state.roles.iter().map(|r| r.role).collect();
        for r in state.roles.iter_mut() {
            r.count = 0;
        }
        for role in roles {
            self.role_frameworks[role.index()].retain(|f| *f != fw);
            let rs = &mut self.roles[role.index()];
            rs.frameworks -= 1;
            if rs.frameworks == 0 {
                for r in Self::ancestors_and_self(model, role) {
                    self.roles[r.index()].subtree_clients -= 1;
                }
            }
        }
    }

    /// Activates a deactivated framework again (Mesos `activateFramework`).
    /// The caller requests a run over all agents.
    pub fn activate_framework(&mut self, fw: FrameworkId) {
        self.frameworks[fw.index()].active = true;
    }

    /// A framework's outstanding offers, in id order.
    pub fn offers_of(&self, fw: FrameworkId) -> Vec<OfferId> {
        self.offers
            .values()
            .filter(|o| o.framework == fw)
            .map(|o| o.id)
            .collect()
    }

    /// SUPPRESS for `roles` (empty: all). Outstanding offers stay.
    pub fn suppress(&mut self, fw: FrameworkId, roles: &[RoleId]) {
        for r in self.frameworks[fw.index()].roles.iter_mut() {
            if roles.is_empty() || roles.contains(&r.role) {
                r.suppressed = true;
            }
        }
    }

    /// REVIVE for `roles` (empty: all): un-suppress, clear those roles'
    /// decline filters and all inverse-offer filters. The caller requests a
    /// run over all agents.
    pub fn revive(&mut self, fw: FrameworkId, roles: &[RoleId]) {
        let mut cleared = Vec::new();
        for r in self.frameworks[fw.index()].roles.iter_mut() {
            if roles.is_empty() || roles.contains(&r.role) {
                r.suppressed = false;
                cleared.push(r.role);
            }
        }
        self.drop_filters_of(fw, |r| cleared.contains(&r));
        self.inverse_filters.retain(|(f, _), _| *f != fw);
    }

    /// Removes the decline filters of `fw` in the roles `which` selects
    /// (their pending expiry events only free their records).
    ///
    /// The agents that had one lose their quiet notes: all agents do (the
    /// epoch moves on, see [`Master::quiet`]), since the filters are
    /// dropped without visiting them. A revive of a suppressed framework
    /// changes the run's clients, which moves the epoch on anyway.
    fn drop_filters_of(&mut self, fw: FrameworkId, which: impl Fn(RoleId) -> bool) {
        let roles = &mut self.roles;
        let mut any = false;
        self.filters.drop_framework(fw, which, |role, n| {
            roles[role.index()].active_filters -= n;
            any = true;
        });
        if any {
            self.quiet_epoch += 1;
        }
    }

    /// Removes every decline filter on `agent`.
    fn drop_filters_on(&mut self, agent: AgentId) {
        let roles = &mut self.roles;
        self.filters.drop_agent(agent, |role, n| {
            roles[role.index()].active_filters -= n;
        });
        self.clear_quiet(agent.index());
    }

    /// Mesos `updateWhitelist`: only the listed agents are offered from the
    /// next run on (`None`: all agents). Triggers no run, as in Mesos.
    pub fn set_whitelist(&mut self, agents: Option<&[AgentId]>) {
        self.whitelist = agents.map(|list| {
            let mut allowed = vec![false; self.agents.len()];
            for a in list {
                allowed[a.index()] = true;
            }
            allowed
        });
    }

    /// Whether the whitelist lets `agent` be offered.
    pub fn whitelisted(&self, agent: AgentId) -> bool {
        self.whitelist
            .as_ref()
            .is_none_or(|allowed| allowed[agent.index()])
    }

    pub fn set_weight(&mut self, role: RoleId, weight: f64) {
        self.roles[role.index()].weight = weight;
    }

    pub fn set_quota(&mut self, role: RoleId, quota: Quota) {
        self.roles[role.index()].quota = quota;
    }

    // ------------------------------------------------------- offers ---

    /// Offer `id`, if outstanding, read in place.
    #[inline]
    pub fn offer(&self, id: OfferId) -> Option<OfferView<'_>> {
        self.offers.get(&id)
    }

    /// Offers `ids`, each if outstanding, in their order, as
    /// [`Master::offer`] finds them: a run's offers (consecutive ids) are
    /// read from the book's entries one after another, not looked up.
    #[inline]
    pub fn offers_in<'a>(
        &'a self,
        ids: &'a [OfferId],
    ) -> impl Iterator<Item = Option<OfferView<'a>>> + 'a {
        self.offers.views(ids)
    }

    /// Whether offer `id` is outstanding.
    #[inline]
    pub fn has_offer(&self, id: OfferId) -> bool {
        self.offers.contains(&id)
    }

    /// A number that changes whenever one of `fw`'s offers leaves this
    /// master (answered, declined, rescinded, timed out), also across its
    /// successors ([`Master::successor`]): while it stays the same, every
    /// offer of `fw` that was outstanding still is.
    #[inline]
    pub fn offer_removals(&self, fw: FrameworkId) -> u64 {
        self.offers.removals(fw)
    }

    pub fn outstanding_offers(&self) -> impl Iterator<Item = OfferView<'_>> {
        self.offers.values()
    }

    /// Charges resources to a framework in a role on an agent (Mesos
    /// `trackAllocatedResources`): DRF shares, allocation counts, quota.
    /// Of resources whose total (over the first `kinds` entries, zero past
    /// them) the caller has already taken: a task's start sums it once,
    /// for the agent's, the framework's and the role tree's sums alike.
    fn track_summed(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        total: &Quantities,
        unreserved: &Quantities,
    ) {
        self.track_total(model, fw, role, total, unreserved, 1);
        let it = item(total, self.kinds);
        let _ = self.agents[agent.index()].hold(fw, it);
        self.note_hold(agent.index(), it);
    }

    /// Keeps `zero_held` for agent `a` after a hold of `it` items there:
    /// only a hold of no item makes a holder with a count of 0; a hold of
    /// items may end one, and the bit then stays set until the holders are
    /// next looked at ([`Master::note_zero_holders`], at a visit's end),
    /// which is allowed (a set bit only means "look"). No read of the
    /// holders, and nothing read at all when `it` is not 0 (every task's
    /// start, every offer's charge).
    #[inline(always)]
    fn note_hold(&mut self, a: usize, it: u32) {
        if it == 0 {
            self.set_zero_held(a, true);
        }
    }

    /// Keeps `zero_held` for agent `a` after its holders changed: looked
    /// at again when the change `may` have left a holder with a count of 0
    /// (a hold of no item, a split into parts of which none is an item) or
    /// one may have been there before.
    #[inline]
    fn note_zero_holders(&mut self, a: usize, may: bool) {
        if may || self.zero_held(a) {
            let zero = self.agents[a].has_zero_holder();
            self.set_zero_held(a, zero);
        }
    }

    /// Clears agent `a`'s quiet note, unless no note is of the master's
    /// epoch (`QuietNotes::any_of`): then every note is of an older epoch,
    /// none holds now or later (the epoch never moves back), and there is
    /// nothing to clear — no write to a line of the notes at random (a
    /// filter's expiry, a task's end, an offer). Always when not
    /// `quiet_fresh` (the slow reference).
    #[inline]
    fn clear_quiet(&mut self, a: usize) {
        if self.notes_may_hold() {
            self.quiet.clear(a);
        }
    }

    /// Whether some quiet note may be of the master's epoch (one was set
    /// since the epoch moved on, `QuietNotes::any_of`); always when not
    /// `quiet_fresh` (the slow reference).
    #[inline]
    fn notes_may_hold(&self) -> bool {
        !self.quiet_fresh || self.quiet.any_of(self.quiet_epoch)
    }

    /// Agent `a`'s bit of `zero_held`.
    #[inline]
    fn zero_held(&self, a: usize) -> bool {
        self.zero_held[a / 64] & (1 << (a % 64)) != 0
    }

    fn set_zero_held(&mut self, a: usize, zero: bool) {
        let bit = 1 << (a % 64);
        if zero {
            self.zero_held[a / 64] |= bit;
        } else {
            self.zero_held[a / 64] &= !bit;
        }
    }

    /// [`Master::track_summed`]'s part in the framework's and the role tree's
    /// sums (the caller charges the agent's holders), of resources whose
    /// total (merged by name) is `total` and unreserved part `unreserved`.
    /// Every sum it adds to has zeros from the scenario's `kinds`-th entry
    /// on, as `total` and `unreserved` have, so only the first `kinds`
    /// entries are added. `count`: how many charges these are (the
    /// allocation counts' step): 1, or a run's offers added up
    /// ([`Master::track_run_sums`]).
    fn track_total(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        total: &Quantities,
        unreserved: &Quantities,
        count: u64,
    ) {
        let n = self.kinds;
        let fs = &mut self.frameworks[fw.index()];
        let ri = fs
            .role_index(role)
            .expect("framework subscribed to the role");
        // The framework sorter sees the offer at once, as the role sorter
        // does: the next agent of the same run sorts by the new share.
        // With up to four kinds, four entries at a time (`add_first_wide`).
        fs.roles[ri].offered.add_first_wide(total, n);
        fs.roles[ri].count += count;
        let rs = &mut self.roles[role.index()];
        rs.own_alloc.add_first_wide(total, n);
        rs.own_count += count;
        for r in Self::ancestors_and_self(model, role) {
            let rs = &mut self.roles[r.index()];
            rs.subtree_alloc.add_first_wide(total, n);
            rs.subtree_count += count;
            rs.subtree_unreserved_alloc.add_first_wide(unreserved, n);
        }
    }

    /// [`Master::track_total`] of a run's offers to its one client `fw`
    /// in `role`, added up over the run (`sums`, of `count` offers): the
    /// same sums and counts as adding each offer when the run made it.
    /// Nothing reads them during such a run's stage 2: its orders are set
    /// once (one framework in one role), and a quota's limit and headroom
    /// are read from the run's own copies. Additions that saturate give
    /// the same result in any order (unsigned).
    pub(super) fn track_run_sums(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        sums: &RunSums,
    ) {
        if sums.count > 0 {
            let (total, unreserved) = (&sums.total, &sums.unreserved);
            self.track_total(model, fw, role, total, unreserved, sums.count);
        }
    }

    /// A run offers `res` of `agent` to `fw` in `role`: the charges of
    /// `track_summed` (`new_offer` makes the offer at the end of the run).
    /// `joins`: the run offered `fw` resources of the agent in `role`
    /// already, not nothing (what `Offerable::add` says): `res` joins that
    /// offer, one item of the agent's holders, and their counts do not
    /// change. What is
    /// offered on an agent is not kept with the agent: the offer book
    /// holds it ([`Master::agents_offered`]).
    ///
    /// `defer`: stage 2 of a run that may defer its visits' charges
    /// ([`Master::end_visit`]). Then the hold of a visit's first new item
    /// is only noted (`Visit::unheld`): nothing reads the agent's holders
    /// during its visit (the walk reads its available resources, its
    /// filters, its flags), and the visit's end either writes it or,
    /// deferring the charge, leaves the holders as they were — no visit of
    /// their list (`hold_more`, `unhold_more`) for a charge undone at
    /// once. A second new item in the visit writes the first's hold, then
    /// its own, in the order the run made them.
    ///
    /// `sums`: stage 2 of a run with one client adds the offer to the
    /// run's sums (`RunSums`), which `track_run_sums` adds to the
    /// framework's and the role tree's once, after the walk.
    #[inline(always)]
    fn charge_offer(
        &mut self,
        model: &Model,
        (fw, role, agent): (FrameworkId, RoleId, AgentId),
        res: &ResourceSet,
        joins: bool,
        defer: bool,
        sums: Option<&mut RunSums>,
    ) {
        let n = self.kinds;
        // Read in place when nothing is reserved (no 128-byte sum made).
        let mut summed = None;
        let total = res.total_first_in(n, &mut summed);
        match sums {
            Some(s) => {
                s.total.add_first_wide(total, n);
                s.unreserved.add_first_wide(&res.unreserved, n);
                s.count += 1;
            }
            None => self.track_total(model, fw, role, total, &res.unreserved, 1),
        }
        let it = item(total, n);
        let v = &mut self.visit;
        if v.agent != agent {
            *v = Visit {
                agent,
                ..Visit::NONE
            };
        }
        if !joins {
            if defer && v.offers == 0 {
                v.unheld = true;
                v.items = it;
            } else {
                let earlier = std::mem::take(&mut v.unheld).then_some((v.framework, v.items));
                self.hold_now(agent, earlier);
                self.hold_now(agent, Some((fw, it)));
            }
            let v = &mut self.visit;
            v.offers += 1;
            v.framework = fw;
            v.ok &= it == 1;
        }
        // Words: nothing reserved, and every quantity from the fifth on
        // zero, as every entry from the scenario's `kinds` on is.
        let v = &mut self.visit;
        if res.reserved.is_empty() && self.kinds <= OFFER_WORDS {
            // As `Offerable::add` adds two entries of words.
            for (a, b) in v.words.iter_mut().zip(&res.unreserved.0[..OFFER_WORDS]) {
                *a = a.saturating_add(*b);
            }
        } else {
            v.ok = false;
        }
    }

    /// The hold of an item of `fw` (`items` items) on `agent`, if any.
    #[inline]
    fn hold_now(&mut self, agent: AgentId, hold: Option<(FrameworkId, u32)>) {
        if let Some((fw, it)) = hold {
            let _ = self.agents[agent.index()].hold(fw, it);
            self.note_hold(agent.index(), it);
        }
    }

    /// The end of stage 2's visit of `agent`, which offered something
    /// there (the structural step, docs/performance.md "The structural
    /// step (stop 25)"). When the visit made one offer of words to one
    /// framework and its charge can be undone exactly, the charge is
    /// taken back off the agent's line now, while the line is in the
    /// cache — what the offer's decline would return, done at once — and
    /// the offer is noted as one whose charge is deferred
    /// (the caller notes its entry, `Offerable::note_pending`, and
    /// `finish_run` its offer in `deferred`). A decline of
    /// it in the run's replies then returns nothing to the agent; anything
    /// else that would read the agent finds the charge written again
    /// first ([`Master::settle_charges`], [`Master::settle_charge`]).
    /// Otherwise the hold the visit left unwritten (`Visit::unheld`) is
    /// written now.
    ///
    /// Exactly undone (so that writing it again gives the state the run
    /// left): the offer is words (nothing reserved) and not empty, the
    /// agent owes nothing (a return would pay a deficit), no holder there
    /// has a count of 0 (if the framework were one, the decline's
    /// `unhold` would drop it: `zero_held`, looked at again when set),
    /// the agent is not under maintenance (`finish_run` reads its holders
    /// for inverse offers), and the run is `defer` (not the slow
    /// reference, not explaining, no stage 1: stage 1's charges join
    /// stage 2's offers). The agent's holders were not touched by the
    /// visit (`charge_offer`), so nothing of them is undone: the hold is
    /// written when the charge is ([`Master::write_charge`]). Returns
    /// whether the charge was deferred.
    #[inline]
    pub(super) fn end_visit(&mut self, agent: AgentId, defer: bool) -> bool {
        let v = &mut self.visit;
        let seen = std::mem::replace(&mut v.agent, Visit::NONE.agent);
        let unheld = std::mem::take(&mut v.unheld);
        let (ok, offers, fw, items, words) = (v.ok, v.offers, v.framework, v.items, v.words);
        let a = agent.index();
        if seen != agent {
            debug_assert!(!unheld);
            return false;
        }
        if !defer
            || !ok
            || offers != 1
            || self.maintained[a]
            || self.owes[a]
            || (self.zero_held(a) && {
                // Set: looked at again (the holder may have gone).
                self.note_zero_holders(a, false);
                self.zero_held(a)
            })
        {
            self.hold_now(agent, unheld.then_some((fw, items)));
            return false;
        }
        debug_assert!(unheld);
        // `return_one`'s return of an offer of words to an agent that owes
        // nothing (`give_back_unreserved`: the first `kinds` quantities
        // added, the words then zeros; `kinds` is at most four here); its
        // `unhold` undoes a hold never written.
        let st = &mut self.agents[a];
        let n = self.kinds.min(OFFER_WORDS);
        for (t, w) in st.available.unreserved.0[..n].iter_mut().zip(words) {
            *t = t.saturating_add(w);
        }
        self.sync_avail(a);
        true
    }

    /// Whether the last run left charges not written to their agents
    /// (offers still `Deferred::PENDING`).
    pub fn charges_deferred(&self) -> bool {
        self.deferred_live > 0
    }

    /// Whether offer `id` was made by the run whose charges are deferred
    /// (the last run, when [`Master::charges_deferred`]).
    pub fn deferred_made(&self, id: OfferId) -> bool {
        self.deferred_index(id).is_some()
    }

    /// Where offer `id` is in `deferred`, if the last run made it.
    #[inline]
    fn deferred_index(&self, id: OfferId) -> Option<usize> {
        let n = if self.partitions == 1 {
            id.0
        } else {
            id.0.checked_sub(self.partition.0 as u64)? / self.partitions
        };
        let k = n.checked_sub(self.deferred_from)? as usize;
        (k < self.deferred.len()).then_some(k)
    }

    /// A decline of offer `id`: true if its charge was deferred and is
    /// still not written (then nothing goes back to its agent, and it is
    /// noted declined), else false.
    #[inline]
    fn take_pending(&mut self, id: OfferId) -> bool {
        if self.deferred_live == 0 {
            return false;
        }
        match self.deferred_index(id) {
            Some(k) if self.deferred[k] == Deferred::PENDING => {
                self.deferred[k] = Deferred::DECLINED;
                self.deferred_live -= 1;
                true
            }
            _ => false,
        }
    }

    /// Writes the deferred charge of offer `id` to its agent, if it is
    /// still pending: before anything reads the agent on the offer's
    /// behalf (an accept, a decline returning it whole).
    #[inline]
    pub fn settle_charge(&mut self, id: OfferId) {
        if self.deferred_live == 0 {
            return;
        }
        if let Some(k) = self.deferred_index(id) {
            if self.deferred[k] == Deferred::PENDING {
                self.write_charge(k);
            }
        }
    }

    /// Writes every deferred charge still pending to its agent: after it
    /// the agents' state is what writing the charges at once leaves (see
    /// `Master::end_visit`). The engine calls it before any event but
    /// the run's own replies, before time moves on and before the checks.
    pub fn settle_charges(&mut self) {
        if self.deferred_live > 0 {
            for k in 0..self.deferred.len() {
                if self.deferred[k] == Deferred::PENDING {
                    self.write_charge(k);
                }
            }
        }
        debug_assert_eq!(self.deferred_live, 0);
        self.deferred.clear();
    }

    /// The `k`-th offer of the last run's deferred charge, written as the
    /// run would have written it (`available.sub_first` and the `hold` of
    /// its item) onto the state `end_visit` restored (the run's visit
    /// wrote its words and took them back off, and left the holders as
    /// they were).
    #[cold]
    fn write_charge(&mut self, k: usize) {
        let id = OfferId(self.id_of(self.deferred_from + k as u64));
        self.deferred[k] = Deferred::SETTLED;
        self.deferred_live -= 1;
        let Some(v) = self.offers.get(&id) else {
            debug_assert!(false, "a deferred offer left without its decline");
            return;
        };
        let (fw, agent) = (v.framework, v.agent);
        let Held::Words(w) = v.held else {
            debug_assert!(false, "a deferred offer not of words");
            return;
        };
        let q = offer_book::quantities(w);
        let n = self.kinds;
        let st = &mut self.agents[agent.index()];
        debug_assert!(st.available.unreserved.contains_first(&q, n));
        st.available.unreserved.saturating_sub_first(&q, n);
        let _ = st.hold(fw, 1);
        self.sync_avail(agent.index());
    }

    /// The reverse of `track_summed`; allocation counts are never decremented.
    fn untrack(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) {
        let total = res.total_first(self.kinds);
        self.untrack_summed(model, fw, role, agent, &total, &res.unreserved);
    }

    /// [`Master::untrack`] of resources whose total (over the first
    /// `kinds` entries, zero past them) the caller has already taken (a
    /// task's end: summed once).
    fn untrack_summed(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        total: &Quantities,
        unreserved: &Quantities,
    ) {
        self.untrack_roles(model, role, total, unreserved);
        self.agents[agent.index()].unhold(fw, item(total, self.kinds));
    }

    /// `untrack`'s part in the role tree's sums, of resources whose total
    /// is `total` and unreserved part `unreserved`.
    fn untrack_roles(
        &mut self,
        model: &Model,
        role: RoleId,
        total: &Quantities,
        unreserved: &Quantities,
    ) {
        // Over the scenario's resource kinds only: every entry of a total
        // and of a set from `kinds` on is zero, so the sums are the same.
        let n = self.kinds;
        let rs = &mut self.roles[role.index()];
        rs.own_alloc.saturating_sub_first_wide(total, n);
        for r in Self::ancestors_and_self(model, role) {
            let rs = &mut self.roles[r.index()];
            rs.subtree_alloc.saturating_sub_first_wide(total, n);
            rs.subtree_unreserved_alloc
                .saturating_sub_first_wide(unreserved, n);
        }
    }

    fn new_offer(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        resources: ResourceSet,
        now: SimTime,
    ) -> OfferId {
        let id = OfferId(self.id_of(self.next_offer));
        self.next_offer += 1;
        // The framework's share and the agent's holders were charged when
        // the run made the offer (`charge_offer`), while the agent's state
        // was at hand.
        // Over the scenario's kinds (every entry from `kinds` on is zero).
        let total = resources.total_first(self.kinds);
        self.offered_total.add_first(&total, self.kinds);
        self.offers.insert(
            id,
            Offer {
                id,
                framework: fw,
                role,
                agent,
                resources,
                made_at: now,
            },
        );
        id
    }

    /// [`Master::new_offer`] of the unreserved quantities `words` (every
    /// one from the `WORDS`-th on zero): written into the book field by
    /// field, no set made or moved.
    fn new_offer_of_words(
        &mut self,
        key: (FrameworkId, RoleId, AgentId),
        words: &[u64; offer_book::WORDS],
        now: SimTime,
    ) -> OfferId {
        let id = OfferId(self.id_of(self.next_offer));
        self.next_offer += 1;
        // `new_offer`'s total over the scenario's kinds: the words, the
        // first `kinds` of them.
        self.add_offered_words(words);
        self.offers.push_words(id, key, now, words);
        id
    }

    /// An offer of words `words` added to the master's total offered: the
    /// first `kinds` of them (every quantity after the words is zero).
    #[inline(always)]
    fn add_offered_words(&mut self, words: &[u64; offer_book::WORDS]) {
        let n = self.kinds.min(offer_book::WORDS);
        for (t, &w) in self.offered_total.0[..n].iter_mut().zip(words) {
            *t = t.saturating_add(w);
        }
    }

    /// Accepts an offer: `used` moves from offered to allocated (tasks
    /// launched); the rest is declined with a `refuse` filter (Mesos: unused
    /// resources of an ACCEPT are implicitly declined). Returns the filter
    /// the engine must expire, if one was installed.
    pub fn accept(
        &mut self,
        model: &Model,
        id: OfferId,
        used: &[ResourceSet],
        refuse: DurationUs,
        now: SimTime,
    ) -> Option<NewFilter> {
        self.settle_charge(id);
        let n = self.kinds;
        let offer = self.offers.get(&id)?;
        let (framework, role, agent_id) = (offer.framework, offer.role, offer.agent);
        let mut rest = offer.resources();
        // The offer, one item of the framework's here, becomes its tasks
        // and its rest (which then goes back).
        let before = item(&rest.total_first(n), n);
        let mut after = 0u32;
        for u in used {
            let ok = rest.sub(u);
            debug_assert!(ok, "launch outside its offer");
            let total = u.total();
            after = after.saturating_add(item(&total, n));
            let fs = &mut self.frameworks[framework.index()];
            let ri = fs.role_index(role).expect("subscribed role");
            fs.roles[ri].offered.saturating_sub(&total);
            fs.roles[ri].allocated.add(&total);
            self.offered_total.saturating_sub(&total);
            self.allocated_total.add(&total);
            self.agents[agent_id.index()].allocated.add(&total);
            for r in Self::ancestors_and_self(model, role) {
                self.roles[r.index()].subtree_used.add(&total);
            }
        }
        after = after.saturating_add(item(&rest.total_first(n), n));
        self.agents[agent_id.index()].rehold(framework, before, after);
        self.note_zero_holders(agent_id.index(), after == 0);
        // The offer's remainder goes back, with the filter: the offer
        // leaves the book as `recover_offer` takes it, its remainder
        // returned as `recover_offer` returns what the offer holds (not
        // written into the offer first: an offer of the run list changed
        // in place would move the list into the ring, see
        // `OfferBook::put_run`).
        if let Some((at, _)) = self.offers.find(&id) {
            self.offers.discard_found(at, &id);
        }
        self.recover_resources(model, (framework, role, agent_id), &rest, Some(refuse), now)
    }

    /// Declines an offer with a `refuse` filter (Mesos `recoverResources`
    /// with filters).
    pub fn decline(
        &mut self,
        model: &Model,
        id: OfferId,
        refuse: DurationUs,
        now: SimTime,
    ) -> Option<NewFilter> {
        self.settle_charge(id);
        self.recover_offer(model, id, Some(refuse), now)
    }

    /// Declines an offer as [`Master::decline`] does, except that its
    /// agent's part — the agent's available resources and its holders — and its part in the framework's and the role
    /// tree's sums are left for [`Master::settle_returns`], which the
    /// caller must call before anything reads this master's agents or
    /// sums (the end of its answer batch, or an accept in it). The offer
    /// leaves the book and the filter is installed (its serial and slot)
    /// now, in order, so filter ids and serials are those of `decline`.
    /// The agents' part of a decline reads and writes only its agent's
    /// state, which nothing else here reads, so doing it later, in the
    /// same order, leaves every state as `decline` one by one leaves it —
    /// and visits the agents' states in a short loop instead of one cache
    /// miss between two records. The sums' part only subtracts, so the
    /// declines of one (framework, role) in a row take their sum off once
    /// (`OwedSums`: the same sums).
    ///
    /// What the decline's record needs comes back with the filter
    /// ([`Declined`]; `None` if the offer is not outstanding), so the
    /// caller finds the offer once: the offer's role, agent and the total
    /// of its resources over the scenario's kinds (every entry from
    /// `kinds` on is zero, so this is `resources.total()`).
    pub fn decline_deferred(
        &mut self,
        model: &Model,
        id: OfferId,
        refuse: DurationUs,
        now: SimTime,
    ) -> Option<Declined> {
        let refuse = refuse.min(MAX_REFUSE_US);
        // A filter lasts at least one allocation interval (MESOS-4302).
        let expires = now.plus(refuse.max(self.interval));
        let mut found = None;
        self.decline_one::<false>(model, id, refuse, expires, |role, agent, first, filter| {
            let mut total = Quantities::ZERO;
            total.0[..first.len()].copy_from_slice(first);
            found = Some(Declined {
                role,
                agent,
                total,
                filter,
            });
        });
        found
    }

    /// [`Master::decline_deferred`] of each of `ids` in turn (a chunk of
    /// one framework's declines), what each returns pushed to `out` (none
    /// for an offer not outstanding), in one call: the same book, returns,
    /// sums, serials and filters, with the chunk read ahead and the
    /// filters' expiry worked out once.
    pub fn decline_many(
        &mut self,
        model: &Model,
        ids: &[OfferId],
        refuse: DurationUs,
        now: SimTime,
        out: &mut Declines,
    ) {
        self.decline_chunk::<false>(model, ids, refuse, now, out);
    }

    /// [`Master::decline_many`], but the filters of its offers of words are
    /// not installed yet: each is kept, with its serial and its set
    /// interned, for [`Master::install_deferred`] to install with the rest
    /// of the answer's in agent order (what each pushes to `out` has no
    /// filter). An answer's declines come in its offers' order, the run's
    /// shuffle of the agents, so installing each as it comes writes the
    /// framework's filter table (4 bytes an agent) at random, and their
    /// expiry, in the same order, reads it at random again: on google-day,
    /// where nearly every answer declines the whole cell, a cache miss
    /// each way for every offer. In agent order both walk the table from
    /// one end to the other. Nothing reads the filters in between (an
    /// answer's declines, records and expiries' queue entry), the serials
    /// are given in decline order as before, and the order of a key's
    /// filters, of the records' slots and of the ids in an expiry's block
    /// is seen nowhere outside the filters (a look-up asks whether any of
    /// a key's filters holds; an expiry removes its own record). Every
    /// chunk until the next `install_deferred` must give its filters the
    /// same expiry (one answer's: the same `refuse` and `now`).
    pub fn decline_many_deferring(
        &mut self,
        model: &Model,
        ids: &[OfferId],
        refuse: DurationUs,
        now: SimTime,
        out: &mut Declines,
    ) {
        self.decline_chunk::<true>(model, ids, refuse, now, out);
    }

    /// `decline_many` (`DEFER` false) and `decline_many_deferring` (true).
    #[inline(always)]
    fn decline_chunk<const DEFER: bool>(
        &mut self,
        model: &Model,
        ids: &[OfferId],
        refuse: DurationUs,
        now: SimTime,
        out: &mut Declines,
    ) {
        let refuse = refuse.min(MAX_REFUSE_US);
        // A filter lasts at least one allocation interval (MESOS-4302).
        let expires = now.plus(refuse.max(self.interval));
        // (Not when deferring over the book's run list: its entries are
        // read one after another, which the processor's prefetch follows.)
        if ids.len() > 1 && !(DEFER && self.offers.in_run_list()) {
            // Reads only: what each decline reads first (its offer, its
            // key's entry in the framework's filter table, a cache miss
            // in the shuffled order of the run's agents) and the records
            // the installs will write, read together ahead of the chunk
            // (see `look_ahead_decline`, `look_ahead_installs`); deferring,
            // the offer only.
            let mut warm = if DEFER {
                0
            } else {
                self.filters.look_ahead_installs(ids.len())
            };
            for &id in ids {
                warm ^= if DEFER {
                    self.look_ahead_offer(id)
                } else {
                    self.look_ahead_decline(id)
                };
            }
            std::hint::black_box(warm);
        }
        for &id in ids {
            self.decline_one::<DEFER>(model, id, refuse, expires, |role, agent, first, filter| {
                out.put(role, agent, first, filter)
            });
        }
    }

    /// How many filters [`Master::decline_many_deferring`] has kept for
    /// the next [`Master::install_deferred`].
    pub fn deferred_filters(&self) -> usize {
        self.deferred_filters.len()
    }

    /// Installs the filters [`Master::decline_many_deferring`] kept, in
    /// agent order (one agent's in decline order), each counted in its
    /// role as `install_declined` counts it; pushes the id of each
    /// installed to `out` in that order, and returns their one expiry
    /// (`None` if none was kept).
    pub fn install_deferred(&mut self, out: &mut Vec<FilterId>) -> Option<SimTime> {
        if self.deferred_filters.is_empty() {
            return None;
        }
        let kept = std::mem::take(&mut self.deferred_filters);
        let mut sorted = std::mem::take(&mut self.deferred_sorted);
        sorted.clear();
        let agents = self.agents.len();
        if kept.len() * SORT_RETURNS_PER_AGENT >= agents {
            // A counting sort by agent, stable (as `settle_returns`'s),
            // the entries themselves moved: read in decline order, written
            // in place, so that the installs read them in one pass.
            let mut at = std::mem::take(&mut self.return_counts);
            counting_starts(&mut at, agents, &kept, |f| f.agent);
            sorted.resize(kept.len(), kept[0]);
            for f in &kept {
                let k = &mut at[f.agent.index()];
                sorted[*k as usize] = *f;
                *k += 1;
            }
            self.return_counts = at;
        } else {
            sorted.extend_from_slice(&kept);
            sorted.sort_by_key(|f| f.agent);
        }
        for f in &sorted {
            if let Some(id) =
                self.filters
                    .install_interned(f.framework, f.role, f.agent, f.set, f.serial)
            {
                self.roles[f.role.index()].active_filters += 1;
                out.push(id);
            }
        }
        self.deferred_sorted = sorted;
        self.deferred_filters = kept;
        self.deferred_filters.clear();
        Some(self.deferred_expires)
    }

    /// One deferred decline (see [`Master::decline_deferred`]), `refuse`
    /// already capped and the filter's expiry `expires` worked out by the
    /// caller, what it returns given to `done` (not called if the offer is
    /// not outstanding): a sink rather than a return value, so that
    /// `decline_many` writes each `Declined` straight into its list.
    #[inline]
    fn decline_one<const DEFER: bool>(
        &mut self,
        model: &Model,
        id: OfferId,
        refuse: DurationUs,
        expires: SimTime,
        mut done: impl FnMut(RoleId, AgentId, &[u64], Option<NewFilter>),
    ) {
        let n = self.kinds;
        // Read in place and narrowly (`OfferBook::get`): of an offer of
        // words, its key and the words (no other line of the book read),
        // declined by `decline_words`; of any other, the whole set where it
        // is kept. The agent's return takes the first `kinds` quantities of
        // the offer's resources (the whole set only if it has reserved
        // parts), the filter reads the set where it is, and the book only
        // marks the offer gone.
        let Some((at, v)) = self.offers.find(&id) else {
            return;
        };
        let (framework, role, agent) = (v.framework, v.role, v.agent);
        let key = (framework, role, agent);
        let res = match v.held {
            Held::Words(w) if *w != [0; OFFER_WORDS] => {
                let w = *w;
                self.decline_words::<DEFER>(
                    model,
                    (at, id),
                    (framework, role, agent),
                    &w,
                    refuse,
                    expires,
                    done,
                );
                return;
            }
            Held::Words(_) => None,
            Held::Whole(res) => Some(res).filter(|res| !res.is_empty()),
        };
        let Some(res) = res else {
            self.offers.discard_found(at, &id);
            done(role, agent, &[], None);
            return;
        };
        // Whole: every entry from `kinds` on is zero (a copy of fixed
        // length, no call).
        let unreserved = res.unreserved;
        // Unreserved only, the set's total over the scenario's kinds is
        // its first `kinds` unreserved quantities.
        let (total, set) = if res.reserved.is_empty() {
            (unreserved, Return::UNRESERVED)
        } else {
            self.return_sets.push(res.clone());
            (res.total_first(n), (self.return_sets.len() - 1) as u32)
        };
        for g in unreserved.0.chunks_exact(4).take(n.div_ceil(4)) {
            self.return_words.push([g[0], g[1], g[2], g[3]]);
        }
        self.returns.push(Return {
            agent,
            framework,
            set,
        });
        // The filter, as `install_filter` installs it (the fields it
        // writes are not the book's, so the set is read in place).
        let filter = if refuse == 0 {
            None
        } else {
            let serial = self.id_of(self.next_filter);
            self.next_filter += 1;
            install_declined(
                &mut self.filters,
                &mut self.roles,
                key,
                Held::Whole(res),
                serial,
                expires,
            )
        };
        self.owe_sums(model, framework, role, &total, &unreserved);
        self.end_decline((at, id), key, &total.0[..n.max(OFFER_WORDS)], filter, done);
    }

    /// [`Master::decline_one`] of an offer of words `w` (not all zero):
    /// the same return, filter, book and sums, with the set's quantities
    /// made once from the words (its total over the scenario's kinds, and
    /// its unreserved part) and the return's words pushed as they are.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn decline_words<const DEFER: bool>(
        &mut self,
        model: &Model,
        (at, id): (offer_book::Found, OfferId),
        key: (FrameworkId, RoleId, AgentId),
        w: &[u64; OFFER_WORDS],
        refuse: DurationUs,
        expires: SimTime,
        done: impl FnMut(RoleId, AgentId, &[u64], Option<NewFilter>),
    ) {
        let (framework, _, agent) = key;
        let n = self.kinds;
        // An offer whose charge the run took back off its agent at once
        // (`end_visit`) has nothing to return there.
        if !self.take_pending(id) {
            // `decline_one`'s groups of four of the first `kinds`: the
            // words, then zeros.
            if n > 0 {
                self.return_words.push(*w);
                for _ in 1..n.div_ceil(4) {
                    self.return_words.push([0; 4]);
                }
            }
            self.returns.push(Return {
                agent,
                framework,
                set: Return::UNRESERVED,
            });
        }
        let filter = if refuse == 0 {
            None
        } else {
            let serial = self.id_of(self.next_filter);
            self.next_filter += 1;
            if DEFER {
                // Kept for `install_deferred`: every kept filter has the
                // one expiry it returns.
                debug_assert!(self.deferred_filters.is_empty() || self.deferred_expires == expires);
                let (_, role, _) = key;
                self.deferred_expires = expires;
                self.deferred_filters.push(DeferredFilter {
                    serial,
                    set: self.filters.intern_words(w),
                    agent,
                    framework,
                    role,
                });
                None
            } else {
                install_declined(
                    &mut self.filters,
                    &mut self.roles,
                    key,
                    Held::Words(w),
                    serial,
                    expires,
                )
            }
        };
        // Its total and unreserved part are the words (`quantities(w)`).
        self.owe_words(model, key, w);
        self.end_decline((at, id), key, w, filter, done);
    }

    /// The end of a deferred decline of offer `id` of `key` (what it owes
    /// the sums owed already), whose resources' total is `first` followed
    /// by zeros: the offer leaves the book, and what the decline's record
    /// needs goes to `done`.
    #[inline(always)]
    fn end_decline(
        &mut self,
        (at, id): (offer_book::Found, OfferId),
        (_, role, agent): (FrameworkId, RoleId, AgentId),
        first: &[u64],
        filter: Option<NewFilter>,
        mut done: impl FnMut(RoleId, AgentId, &[u64], Option<NewFilter>),
    ) {
        self.offers.discard_found(at, &id);
        done(role, agent, first, filter);
    }

    /// [`Master::owe_sums`] of an offer of words `w` (its total and its
    /// unreserved part are both `quantities(w)`), added to what is owed
    /// in place when that is of the same framework and role: the words
    /// past the scenario's kinds are zero, so adding all four is adding
    /// the first `kinds`.
    #[inline(always)]
    fn owe_words(
        &mut self,
        model: &Model,
        (fw, role, _): (FrameworkId, RoleId, AgentId),
        w: &[u64; OFFER_WORDS],
    ) {
        match &mut self.owed {
            Some(o) if o.framework == fw && o.role == role => {
                for (t, x) in o.total.0[..OFFER_WORDS].iter_mut().zip(w) {
                    *t = t.saturating_add(*x);
                }
                for (u, x) in o.unreserved.0[..OFFER_WORDS].iter_mut().zip(w) {
                    *u = u.saturating_add(*x);
                }
            }
            _ => {
                let q = offer_book::quantities(w);
                self.owe_sums(model, fw, role, &q, &q);
            }
        }
    }

    /// A deferred decline of resources with total `total` and unreserved
    /// part `unreserved` owes them to the sums of `fw` in `role`: added to
    /// what the declines before it owe if they are of the same framework
    /// and role, else those are paid first.
    fn owe_sums(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        total: &Quantities,
        unreserved: &Quantities,
    ) {
        let n = self.kinds;
        match &mut self.owed {
            Some(o) if o.framework == fw && o.role == role => {
                o.total.add_first(total, n);
                o.unreserved.add_first(unreserved, n);
            }
            _ => {
                self.pay_sums(model);
                self.owed = Some(OwedSums {
                    framework: fw,
                    role,
                    total: *total,
                    unreserved: *unreserved,
                });
            }
        }
    }

    /// Takes what the deferred declines owe off the sums (see
    /// [`OwedSums`]).
    fn pay_sums(&mut self, model: &Model) {
        if let Some(o) = self.owed.take() {
            self.untrack_sums(model, o.framework, o.role, &o.total, &o.unreserved);
        }
    }

    /// The agents' part of the declines `decline_deferred` left, in
    /// decline order: a short loop over the agents' states, whose cache
    /// misses the processor overlaps (one decline's records and filter no
    /// longer stand between two of them).
    ///
    /// First, what the declines owe the framework's and the role tree's
    /// sums is taken off them (`OwedSums`).
    pub fn settle_returns(&mut self, model: &Model) {
        self.pay_sums(model);
        if self.returns.is_empty() {
            return;
        }
        let returns = std::mem::take(&mut self.returns);
        let words = std::mem::take(&mut self.return_words);
        let sets = std::mem::take(&mut self.return_sets);
        let mut order = std::mem::take(&mut self.return_order);
        // In agent order, one agent's returns in their order (a counting
        // sort by agent, stable): a return reads and writes only its
        // agent's state, so returning to the agents in any order that
        // keeps each agent's returns in order leaves every state the same;
        // in agent order the agents' lines come in address order, which
        // the processor's prefetchers follow, where the decline order (the
        // run's shuffle) makes every line a miss of its own. Only for a
        // batch of returns large against the agents (the count runs over
        // every agent once): see `SORT_RETURNS_PER_AGENT`.
        order.clear();
        let agents = self.agents.len();
        if returns.len() > 1 && returns.len() * SORT_RETURNS_PER_AGENT >= agents {
            // `at[a]`: returns to agents before `a`, then where the next
            // return to `a` goes.
            let mut at = std::mem::take(&mut self.return_counts);
            counting_starts(&mut at, agents, &returns, |r| r.agent);
            order.resize(returns.len(), 0);
            for (i, r) in returns.iter().enumerate() {
                let k = &mut at[r.agent.index()];
                order[*k as usize] = i as u32;
                *k += 1;
            }
            self.return_counts = at;
        } else {
            order.extend(0..returns.len() as u32);
        }
        for chunk in order.chunks(SETTLE_AHEAD) {
            // The chunk's agents' line a return reads first (who holds
            // resources there and what is available: one line of each,
            // see `AgentState`), read
            // together: a return is a hundred instructions or so, so the
            // processor would otherwise have only the next two or three
            // agents' misses in flight. Reads only.
            let mut warm = 0u64;
            for &i in chunk {
                let a = &self.agents[returns[i as usize].agent.index()];
                warm ^= a.first_word()
                    ^ a.available.unreserved.0[0]
                    ^ a.available.reserved.len() as u64;
            }
            std::hint::black_box(warm);
            for &i in chunk {
                let i = i as usize;
                self.return_one(&returns[i], &words, i, &sets);
            }
        }
        self.return_order = order;
        self.returns = returns;
        self.return_words = words;
        self.return_sets = sets;
        self.returns.clear();
        self.return_words.clear();
        self.return_sets.clear();
    }

    /// The `i`-th deferred return `r` (its words in `words`, a whole set
    /// in `sets`), done: the agent's available resources and its holders.
    fn return_one(&mut self, r: &Return, words: &[[u64; 4]], i: usize, sets: &[ResourceSet]) {
        let n = self.kinds;
        if r.set == Return::UNRESERVED {
            // The set is `q`: its total over the scenario's kinds is `q` too.
            let c = n.div_ceil(4);
            let mut q = Quantities::ZERO;
            if c == 1 {
                // Up to four kinds (nearly every scenario): a copy of fixed
                // length, no call to `memcpy`.
                q.0[..4].copy_from_slice(&words[i]);
            } else {
                for (g, w) in words[i * c..i * c + c].iter().enumerate() {
                    q.0[4 * g..4 * g + 4].copy_from_slice(w);
                }
            }
            let agent = &mut self.agents[r.agent.index()];
            agent.give_back_unreserved(&mut self.owes[r.agent.index()], &q, n);
            agent.unhold(r.framework, item(&q, n));
            self.sync_avail(r.agent.index());
        } else {
            let res = &sets[r.set as usize];
            let total = res.total_first(n);
            self.return_to_agent(r.framework, r.agent, &total, res);
        }
    }

    /// Rescinds an offer (timeout, agent removal): resources back, no filter.
    pub fn rescind(&mut self, model: &Model, id: OfferId) -> Option<Offer> {
        self.settle_charge(id);
        let offer = self.offers.get(&id)?.to_offer();
        self.recover_offer(model, id, None, SimTime::ZERO);
        Some(offer)
    }

    fn recover_offer(
        &mut self,
        model: &Model,
        id: OfferId,
        refuse: Option<DurationUs>,
        now: SimTime,
    ) -> Option<NewFilter> {
        let offer = self.offers.remove(&id)?;
        self.recover_resources(
            model,
            (offer.framework, offer.role, offer.agent),
            &offer.resources,
            refuse,
            now,
        )
    }

    /// Offered resources of a framework in a role on an agent come back
    /// (Mesos `recoverResources`), with a filter when `refuse` asks for one.
    fn recover_resources(
        &mut self,
        model: &Model,
        key: (FrameworkId, RoleId, AgentId),
        res: &ResourceSet,
        refuse: Option<DurationUs>,
        now: SimTime,
    ) -> Option<NewFilter> {
        let (framework, _, agent_id) = key;
        if res.is_empty() {
            return None;
        }
        let total = res.total_first(self.kinds);
        self.return_to_agent(framework, agent_id, &total, res);
        self.recover_sums(model, key, res, &total, refuse, now)
    }

    /// `recover_resources`'s part on the agent: its available resources
    /// and its holders (`total`: `res`'s total).
    fn return_to_agent(
        &mut self,
        framework: FrameworkId,
        agent_id: AgentId,
        total: &Quantities,
        res: &ResourceSet,
    ) {
        let n = self.kinds;
        let agent = &mut self.agents[agent_id.index()];
        agent.give_back(&mut self.owes[agent_id.index()], res, n);
        agent.unhold(framework, item(total, n));
        self.sync_avail(agent_id.index());
    }

    /// `recover_resources`'s part off the agent: the framework's and the
    /// role tree's sums, and the filter (none of which reads the agent).
    fn recover_sums(
        &mut self,
        model: &Model,
        key: (FrameworkId, RoleId, AgentId),
        res: &ResourceSet,
        total: &Quantities,
        refuse: Option<DurationUs>,
        now: SimTime,
    ) -> Option<NewFilter> {
        let (framework, role, _) = key;
        self.untrack_sums(model, framework, role, total, &res.unreserved);
        self.install_filter(key, res, refuse, now)
    }

    /// The framework's and the role tree's part of `recover_sums`, of
    /// resources whose total is `total` and unreserved part `unreserved`.
    fn untrack_sums(
        &mut self,
        model: &Model,
        framework: FrameworkId,
        role: RoleId,
        total: &Quantities,
        unreserved: &Quantities,
    ) {
        let n = self.kinds;
        let fs = &mut self.frameworks[framework.index()];
        let ri = fs.role_index(role).expect("subscribed role");
        fs.roles[ri].offered.saturating_sub_first(total, n);
        self.offered_total.saturating_sub_first(total, n);
        self.untrack_roles(model, role, total, unreserved);
    }

    /// The filter of `recover_sums`, when `refuse` asks for one: installed
    /// with the next serial; what the engine must expire.
    fn install_filter(
        &mut self,
        key: (FrameworkId, RoleId, AgentId),
        res: &ResourceSet,
        refuse: Option<DurationUs>,
        now: SimTime,
    ) -> Option<NewFilter> {
        let (framework, role, agent_id) = key;
        let refuse = refuse?.min(MAX_REFUSE_US);
        if refuse == 0 {
            return None;
        }
        // A filter lasts at least one allocation interval (MESOS-4302).
        let duration = refuse.max(self.interval);
        let serial = self.id_of(self.next_filter);
        self.next_filter += 1;
        let fid = self
            .filters
            .install(framework, role, agent_id, res, serial)?;
        self.roles[role.index()].active_filters += 1;
        Some(NewFilter {
            id: fid,
            expires: now.plus(duration),
        })
    }

    /// Reads ahead what expiring `ids` will read first (see
    /// `Filters::look_ahead`); changes nothing; a number that means
    /// nothing, for `black_box`, as the other `look_ahead_*` give.
    pub fn look_ahead_filters(&self, ids: &[FilterId]) -> u64 {
        self.filters.look_ahead(ids)
    }

    /// Reads ahead what declining offer `id` will read first in the
    /// filters: its key's entry in the framework's table, by agent (a
    /// cache miss in the shuffled order of the run's agents). Changes
    /// nothing; a number that means nothing, for `black_box`.
    pub fn look_ahead_decline(&self, id: OfferId) -> u64 {
        match self.offers.get(&id) {
            Some(v) => {
                let head = self.filters.head(v.framework, v.role, v.agent);
                u64::from(head.is_none()) ^ v.held.first_word()
            }
            None => 0,
        }
    }

    /// Reads ahead what declining offer `id` reads first when its filter's
    /// install waits ([`Master::decline_many_deferring`]): its entry in the
    /// book. Changes nothing; a number that means nothing, for `black_box`.
    #[inline]
    pub fn look_ahead_offer(&self, id: OfferId) -> u64 {
        match self.offers.get(&id) {
            Some(v) => v.held.first_word(),
            None => 0,
        }
    }

    /// Reads ahead the filter records the next `n` declines will write
    /// (see `Filters::look_ahead_installs`); changes nothing.
    pub fn look_ahead_installs(&self, n: usize) -> u64 {
        self.filters.look_ahead_installs(n)
    }

    /// [`Master::expire_filter`] of each of `ids` in turn (the filters of
    /// one expiry entry), in one call, read ahead `ahead` at a time
    /// (`Filters::expire_many`): the same filters, counts and notes.
    pub fn expire_filters(&mut self, ids: &[FilterId], ahead: usize) {
        // `clear_quiet` for each: whether a note may hold is asked once,
        // as clearing notes does not change it.
        let clear = self.notes_may_hold();
        let roles = &mut self.roles;
        let quiet = &mut self.quiet;
        self.filters.expire_many(ids, ahead, |role, agent| {
            roles[role.index()].active_filters -= 1;
            if clear {
                quiet.clear(agent.index());
            }
        });
    }

    /// Removes an expired filter (if revive or agent removal did not already).
    pub fn expire_filter(&mut self, id: FilterId) {
        if let Some((role, agent)) = self.filters.expire(id) {
            self.roles[role.index()].active_filters -= 1;
            self.clear_quiet(agent.index());
        }
    }

    /// Where the decline filters of `fw` in `role` on `agent` start (an
    /// indexed read, no allocation): ask [`Master::filtered_by`] what they
    /// hold.
    fn filters_of(&self, fw: FrameworkId, role: RoleId, agent: AgentId) -> Head {
        self.filters.head(fw, role, agent)
    }

    /// Whether one of the filters from `head` contains `res`.
    fn filtered_by(&self, head: Head, res: &ResourceSet) -> bool {
        !head.is_none() && self.filters.holds(head, res)
    }

    fn is_filtered(
        &self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) -> bool {
        self.filtered_by(self.filters_of(fw, role, agent), res)
    }

    pub fn active_filters(&self) -> usize {
        self.filters.len()
    }

    // -------------------------------------------------------- tasks ---

    /// A task's resources come back (it ended or was killed): no filter.
    pub fn release(
        &mut self,
        model: &Model,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        res: &ResourceSet,
    ) {
        // As in `charge_running`: zeros past the scenario's kinds.
        let n = self.kinds;
        let mut summed = None;
        let total = res.total_first_in(n, &mut summed);
        let fs = &mut self.frameworks[fw.index()];
        let ri = fs.role_index(role).expect("subscribed role");
        fs.roles[ri].allocated.saturating_sub_first_wide(total, n);
        self.allocated_total.saturating_sub_first_wide(total, n);
        for r in Self::ancestors_and_self(model, role) {
            self.roles[r.index()]
                .subtree_used
                .saturating_sub_first_wide(total, n);
        }
        let a = &mut self.agents[agent.index()];
        if a.present {
            a.allocated.saturating_sub_first_wide(total, n);
            a.give_back(&mut self.owes[agent.index()], res, n);
            self.sync_avail(agent.index());
        }
        // The total summed above, not again.
        debug_assert!(total.zero_from(n) && res.unreserved.zero_from(n));
        self.untrack_summed(model, fw, role, agent, total, &res.unreserved);
    }

    // ----------------------------------------------- held resources ---

    /// The offers `fw` keeps on `agent` (in `role`, if given), oldest first.
    pub fn held_offers(
        &self,
        fw: FrameworkId,
        agent: AgentId,
        role: Option<RoleId>,
    ) -> Vec<OfferId> {
        self.offers
            .values()
            .filter(|o| o.framework == fw && o.agent == agent && role.is_none_or(|r| r == o.role))
            .map(|o| o.id)
            .collect()
    }

    /// Gives `part` of offer `id` back (Mesos `recoverResources` of part
    /// of an allocation); the offer keeps the rest (and goes when nothing
    /// is left). `None` also when `part` is not in the offer.
    pub fn return_part(
        &mut self,
        model: &Model,
        id: OfferId,
        part: &ResourceSet,
        refuse: DurationUs,
        now: SimTime,
    ) -> Option<NewFilter> {
        self.settle_charge(id);
        let n = self.kinds;
        let o = self.offers.get_mut(&id)?;
        let mut rest = o.resources.clone();
        if part.is_empty() || !rest.sub(part) {
            return None;
        }
        if rest.is_empty() {
            return self.recover_offer(model, id, Some(refuse), now);
        }
        // The offer, one item of the framework's here, becomes the part
        // (which goes back) and the rest.
        let before = item(&o.resources.total_first(n), n);
        let after = item(&rest.total_first(n), n) + item(&part.total_first(n), n);
        o.resources = rest;
        let key = (o.framework, o.role, o.agent);
        self.agents[key.2.index()].rehold(key.0, before, after);
        self.note_zero_holders(key.2.index(), after == 0);
        self.recover_resources(model, key, part, Some(refuse), now)
    }

    /// A resource conversion on the resources of offer `id` (Mesos
    /// `updateAllocation`): `Reserve` turns unreserved resources into a
    /// reservation for the offer's role, `Unreserve` the reverse, both in
    /// the agent's total too (the role's quota consumption does not
    /// change); `Remove` takes unreserved resources out of the offer and
    /// of the agent's total. False (nothing changed) when the offer does
    /// not hold them.
    pub fn convert_held(
        &mut self,
        model: &Model,
        id: OfferId,
        op: AllocationOp,
        q: &Quantities,
    ) -> bool {
        self.settle_charge(id);
        let Some(o) = self.offers.get(&id) else {
            return false;
        };
        let (fw, role, agent) = (o.framework, o.role, o.agent);
        let n = self.kinds;
        let mut held = o.resources();
        let before = item(&held.total_first(n), n);
        let mut total = self.agents[agent.index()].total.clone();
        let ok = match op {
            AllocationOp::Reserve | AllocationOp::Remove => {
                match (
                    held.unreserved.checked_sub(q),
                    total.unreserved.checked_sub(q),
                ) {
                    (Some(h), Some(t)) => {
                        held.unreserved = h;
                        total.unreserved = t;
                        if op == AllocationOp::Reserve {
                            held.add_reserved(role, q);
                            total.add_reserved(role, q);
                        }
                        true
                    }
                    _ => false,
                }
            }
            AllocationOp::Unreserve => {
                let ok = held.sub_reserved(role, q) && total.sub_reserved(role, q);
                held.unreserved.add(q);
                total.unreserved.add(q);
                ok
            }
        };
        if !ok {
            return false;
        }
        let rest = item(&held.total_first(n), n);
        self.offers.get_mut(&id).expect("offer present").resources = held;
        self.agents[agent.index()].total = total;
        match op {
            AllocationOp::Reserve | AllocationOp::Unreserve => {
                for r in Self::ancestors_and_self(model, role) {
                    let rs = &mut self.roles[r.index()];
                    if op == AllocationOp::Reserve {
                        rs.subtree_reserved.add(q);
                        rs.subtree_unreserved_alloc.saturating_sub(q);
                    } else {
                        rs.subtree_reserved.saturating_sub(q);
                        rs.subtree_unreserved_alloc.add(q);
                    }
                }
            }
            AllocationOp::Remove => {
                // The offer, one item of the framework's here, becomes the
                // part removed (taken off by `untrack`) and the rest.
                let after = rest + item(q, n);
                self.agents[agent.index()].rehold(fw, before, after);
                self.note_zero_holders(agent.index(), after == 0);
                let fs = &mut self.frameworks[fw.index()];
                let ri = fs.role_index(role).expect("subscribed role");
                fs.roles[ri].offered.saturating_sub(q);
                self.offered_total.saturating_sub(q);
                self.untrack(model, fw, role, agent, &ResourceSet::unreserved(*q));
                self.set_totals(model, self.totals.minus(q));
            }
        }
        true
    }

    /// An agent's total changes (Mesos `updateSlave` → `updateSlaveTotal`):
    /// what is available becomes total − held (offered and allocated), and
    /// what is held beyond the new total is owed back first. False when the
    /// total is the same.
    pub fn update_agent_total(
        &mut self,
        model: &Model,
        agent: AgentId,
        total: ResourceSet,
    ) -> bool {
        let a = &mut self.agents[agent.index()];
        if a.total == total {
            return false;
        }
        // Its capabilities (a GPU) may change with its total.
        self.clear_quiet(agent.index());
        let a = &mut self.agents[agent.index()];
        let mut held = a.total.minus(&a.available);
        held.add(&a.deficit);
        a.available = total.minus(&held);
        a.set_deficit(&mut self.owes[agent.index()], held.minus(&total));
        a.has_gpu = model
            .resources
            .get("gpus")
            .is_some_and(|g| total.total().get(g) > 0);
        self.gpu[agent.index()] = a.has_gpu;
        let old = std::mem::replace(&mut a.total, total);
        let new_total = a.total.clone();
        self.sync_avail(agent.index());
        for (role, q) in &old.reserved {
            for r in Self::ancestors_and_self(model, *role) {
                self.roles[r.index()].subtree_reserved.saturating_sub(q);
            }
        }
        for (role, q) in &new_total.reserved {
            for r in Self::ancestors_and_self(model, *role) {
                self.roles[r.index()].subtree_reserved.add(q);
            }
        }
        let totals = self.totals.minus(&old.total()).plus(&new_total.total());
        self.set_totals(model, totals);
        true
    }

    /// Mesos `removeFilters(agent)` (attributes changed): every offer and
    /// inverse-offer filter for the agent goes.
    pub fn remove_filters_on(&mut self, agent: AgentId) {
        self.drop_filters_on(agent);
        self.inverse_filters.retain(|(_, a), _| *a != agent);
    }

    // ------------------------------------------------- reservations ---

    /// Dynamically reserves available unreserved resources of an agent for
    /// a role (operator `/reserve`). Returns false if they are not free.
    pub fn reserve(&mut self, model: &Model, agent: AgentId, role: RoleId, q: &Quantities) -> bool {
        let a = &mut self.agents[agent.index()];
        if !a.present || !a.available.unreserved.contains(q) {
            return false;
        }
        a.available.unreserved.saturating_sub(q);
        a.available.add_reserved(role, q);
        a.total.unreserved.saturating_sub(q);
        a.total.add_reserved(role, q);
        self.sync_avail(agent.index());
        for r in Self::ancestors_and_self(model, role) {
            self.roles[r.index()].subtree_reserved.add(q);
        }
        true
    }

    /// Unreserves available reserved resources (operator `/unreserve`).
    pub fn unreserve(
        &mut self,
        model: &Model,
        agent: AgentId,
        role: RoleId,
        q: &Quantities,
    ) -> bool {
        let a = &mut self.agents[agent.index()];
        if !a.present || !a.available.reserved_for(role).contains(q) {
            return false;
        }
        a.available.sub_reserved(role, q);
        a.available.unreserved.add(q);
        a.total.sub_reserved(role, q);
        a.total.unreserved.add(q);
        self.sync_avail(agent.index());
        for r in Self::ancestors_and_self(model, role) {
            self.roles[r.index()].subtree_reserved.saturating_sub(q);
        }
        true
    }

    /// Whether rescinding every offer on `agent` would free `q` — unreserved
    /// resources to reserve (`unreserve` false), or resources reserved for
    /// `role` to unreserve (`unreserve` true).
    pub fn frees_with_rescinds(
        &self,
        agent: AgentId,
        unreserve: bool,
        role: RoleId,
        q: &Quantities,
    ) -> bool {
        let a = &self.agents[agent.index()];
        if !a.present {
            return false;
        }
        let mut free = a.available.clone();
        for o in self.offers.values().filter(|o| o.agent == agent) {
            free.add(&o.resources());
        }
        if unreserve {
            free.reserved_for(role).contains(q)
        } else {
            free.unreserved.contains(q)
        }
    }

    /// Per agent: whether resources are offered there (the outstanding
    /// offers on it have a non-empty total). The agents' states do not
    /// keep what is offered on them: the book has it, and nothing but the
    /// rebalancer's idle test and `check_invariants` asks.
    pub fn agents_offered(&self) -> Vec<bool> {
        let mut offered = vec![false; self.agents.len()];
        for o in self.offers.values() {
            if !o.total().is_empty() {
                offered[o.agent.index()] = true;
            }
        }
        offered
    }

    /// Offers outstanding on an agent (to rescind before a reservation change).
    pub fn offers_on(&self, agent: AgentId) -> Vec<OfferId> {
        self.offers
            .values()
            .filter(|o| o.agent == agent)
            .map(|o| o.id)
            .collect()
    }

    // -------------------------------------------------- maintenance ---

    /// Sets an agent's unavailability (Mesos `updateUnavailability`): clears
    /// inverse-offer state for that agent. The caller requests a run for it.
    pub fn set_unavailability(&mut self, agent: AgentId, u: Unavailability) {
        self.set_maintenance(agent, Some(u));
        let a = &mut self.agents[agent.index()];
        a.inverse_outstanding.clear();
        self.inverse_filters.retain(|(_, ag), _| *ag != agent);
    }

    /// Sets an agent's maintenance, and its dense copy.
    fn set_maintenance(&mut self, agent: AgentId, u: Option<Unavailability>) {
        self.agents[agent.index()].maintenance = u;
        self.set_maintained(agent.index(), u.is_some());
    }

    /// Agent `a`'s dense maintenance flag, and the count of those set.
    fn set_maintained(&mut self, a: usize, on: bool) {
        let was = std::mem::replace(&mut self.maintained[a], on);
        match (was, on) {
            (false, true) => self.maintained_count += 1,
            (true, false) => self.maintained_count -= 1,
            _ => {}
        }
    }

    /// Whether any agent is under maintenance (see `maintained`).
    #[inline]
    pub(super) fn any_maintained(&self) -> bool {
        self.maintained_count > 0
    }

    /// A framework answered an inverse offer; `refuse` filters the next one.
    pub fn answer_inverse_offer(
        &mut self,
        fw: FrameworkId,
        agent: AgentId,
        refuse: DurationUs,
        now: SimTime,
    ) -> Option<NewFilter> {
        let a = &mut self.agents[agent.index()];
        a.inverse_outstanding.retain(|f| *f != fw);
        let refuse = refuse.min(MAX_REFUSE_US);
        if refuse == 0 || !a.present {
            return None;
        }
        let id = FilterId {
            id: self.id_of(self.next_filter),
            slot: u32::MAX,
        };
        self.next_filter += 1;
        self.inverse_filters.insert((fw, agent), id);
        Some(NewFilter {
            id,
            expires: now.plus(refuse.max(self.interval)),
        })
    }

    pub fn expire_inverse_filter(&mut self, id: FilterId) {
        self.inverse_filters.retain(|_, f| *f != id);
    }

    // ------------------------------------------------------ queries ---

    /// Total of all present agents (reserved + unreserved), merged by name.
    pub fn totals(&self) -> Quantities {
        self.totals
    }

    /// Resources in outstanding offers.
    pub fn offered_total(&self) -> Quantities {
        self.offered_total
    }

    /// Resources used by tasks.
    pub fn allocated_total(&self) -> Quantities {
        self.allocated_total
    }

    /// What the master knows of an agent.
    pub fn agent(&self, agent: AgentId) -> &AgentState {
        &self.agents[agent.index()]
    }

    /// The frameworks holding offered or allocated resources on an agent,
    /// in the order they came to hold them, each with its count of items
    /// there (outstanding offers and tasks whose total is not empty; see
    /// [`AgentState`]).
    pub fn holders(&self, agent: AgentId) -> Vec<(FrameworkId, u32)> {
        self.agents[agent.index()].holder_items().collect()
    }

    /// A role's allocator state.
    pub fn role(&self, role: RoleId) -> &RoleState {
        &self.roles[role.index()]
    }

    /// A framework's allocator state.
    pub fn framework(&self, fw: FrameworkId) -> &MasterFramework {
        &self.frameworks[fw.index()]
    }

    /// Allocation runs made so far.
    pub fn allocation_runs(&self) -> u64 {
        self.allocation_runs
    }

    /// Dominant share of a framework (all its roles), unweighted.
    pub fn framework_share(&self, fw: FrameworkId) -> f64 {
        self.share_basis
            .dominant_share(&self.frameworks[fw.index()].held())
    }

    /// Dominant share of a framework within one role, unweighted.
    pub fn framework_role_share(&self, fw: FrameworkId, ri: usize) -> f64 {
        let r = &self.frameworks[fw.index()].roles[ri];
        self.share_basis
            .dominant_share(&r.offered.plus(&r.allocated))
    }

    /// Dominant share of a role's subtree, unweighted.
    pub fn role_share(&self, role: RoleId) -> f64 {
        self.share_basis
            .dominant_share(&self.roles[role.index()].subtree_alloc)
    }

    /// Quota consumption of a top-level role: offered or allocated
    /// unreserved resources plus all reservations of its subtree (Mesos
    /// `quotaOfferedOrConsumed`).
    pub fn quota_consumed(&self, role: RoleId) -> Quantities {
        let r = &self.roles[role.index()];
        r.subtree_unreserved_alloc.plus(&r.subtree_reserved)
    }

    /// Checks the bookkeeping against a recount from scratch; the engine
    /// calls this under `--check` and in tests.
    pub fn check_invariants(&self, model: &Model) -> Result<(), String> {
        if !self.returns.is_empty() || self.owed.is_some() {
            return Err("declines left unsettled after their answer batch".into());
        }
        if let Some(i) = self.avail_copy_differs() {
            return Err(format!(
                "agent {i}'s available resources and their copy for short visits differ"
            ));
        }
        let mut offered = Quantities::ZERO;
        let mut per_agent_offered = vec![ResourceSet::default(); self.agents.len()];
        for o in self.offers.values() {
            offered.add(&o.total());
            per_agent_offered[o.agent.index()].add(&o.resources());
            if !self.agents[o.agent.index()].present {
                return Err(format!("offer {} is on an absent agent", o.id.0));
            }
            if !self.frameworks[o.framework.index()].active {
                return Err(format!("offer {} is held by an inactive framework", o.id.0));
            }
        }
        if offered != self.offered_total {
            return Err("offered resources do not add up".into());
        }
        let mut totals = Quantities::ZERO;
        for (i, a) in self.agents.iter().enumerate() {
            if !a.present {
                continue;
            }
            totals.add(&a.total.total());
            let offered = per_agent_offered[i].total();
            let used = a.available.total().plus(&offered).plus(&a.allocated);
            if used != a.total.total().plus(&a.deficit.total()) {
                return Err(format!(
                    "agent {}: available + offered + allocated != total + deficit",
                    model.agent_name(AgentId(i as u32))
                ));
            }
            let n = self.kinds;
            let tails_zero = [&a.available, &a.total, &a.deficit].iter().all(|r| {
                r.unreserved.zero_from(n) && r.reserved.iter().all(|(_, q)| q.zero_from(n))
            }) && a.allocated.zero_from(n)
                && offered.zero_from(n);
            if !tails_zero {
                return Err(format!(
                    "agent {}: resources past the scenario's {n} kinds",
                    model.agent_name(AgentId(i as u32))
                ));
            }
            if a.has_zero_holder() && !self.zero_held(i) {
                return Err(format!(
                    "agent {}: a holder with no item, not flagged",
                    model.agent_name(AgentId(i as u32))
                ));
            }
            if self.owes[i] == a.deficit.is_empty() {
                return Err(format!(
                    "agent {}: the deficit flag is stale",
                    model.agent_name(AgentId(i as u32))
                ));
            }
            if !a.total.contains(&a.available) {
                return Err(format!(
                    "agent {} is over capacity",
                    model.agent_name(AgentId(i as u32))
                ));
            }
        }
        let maintained = self.maintained.iter().filter(|&&m| m).count();
        if maintained != self.maintained_count as usize {
            return Err(format!(
                "{maintained} agents under maintenance, counted {}",
                self.maintained_count
            ));
        }
        for (i, a) in self.agents.iter().enumerate() {
            if self.live[i] != (a.present && a.active)
                || self.maintained[i] != a.maintenance.is_some()
                || (a.present && self.gpu[i] != a.has_gpu)
            {
                return Err(format!(
                    "agent {}: the dense flags are stale",
                    model.agent_name(AgentId(i as u32))
                ));
            }
        }
        if totals != self.totals {
            return Err("cluster totals do not add up".into());
        }
        if self.share_basis != ShareBasis::new(&totals, model.master.fair_sharing_excluded) {
            return Err("the sorters' share basis is stale".into());
        }
        let mut alloc = Quantities::ZERO;
        for f in &self.frameworks {
            alloc.add(&f.allocated());
        }
        if alloc != self.allocated_total {
            return Err("allocated resources do not add up".into());
        }
        let mut root = Quantities::ZERO;
        for r in self.tree.children(None) {
            root.add(&self.roles[r.index()].subtree_alloc);
        }
        if root != self.offered_total.plus(&self.allocated_total) {
            return Err("role tree allocation != offered + allocated".into());
        }
        Ok(())
    }
}

/// The filter of a deferred decline of `res` on `key`'s agent (serial
/// `serial`, expiring at `expires`), as `install_filter` installs it: in the
/// framework's table, counted in its role. A function of the two fields it
/// writes, not a method, because `decline_one` reads `res` in place in the
/// offer book while it installs.
#[inline(always)]
/// The starts of a stable counting sort of `items` by agent (`agent_of`),
/// over `agents` agents, into `at`: `at[a]` is how many items are of the
/// agents before `a`, where the first of `a`'s goes (the caller places each
/// item at its agent's entry and moves that on by one).
fn counting_starts<T>(
    at: &mut Vec<u32>,
    agents: usize,
    items: &[T],
    agent_of: impl Fn(&T) -> AgentId,
) {
    at.clear();
    at.resize(agents, 0);
    for item in items {
        at[agent_of(item).index()] += 1;
    }
    let mut before = 0;
    for c in at.iter_mut() {
        let here = *c;
        *c = before;
        before += here;
    }
}

fn install_declined(
    filters: &mut Filters,
    roles: &mut [RoleState],
    (framework, role, agent): (FrameworkId, RoleId, AgentId),
    res: Held<'_>,
    serial: u64,
    expires: SimTime,
) -> Option<NewFilter> {
    match res {
        Held::Words(w) => filters.install_words(framework, role, agent, w, serial),
        Held::Whole(res) => filters.install(framework, role, agent, res, serial),
    }
    .map(|fid| {
        roles[role.index()].active_filters += 1;
        NewFilter { id: fid, expires }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Stream;

    /// A chunk's `Declines`, written in place, hold what a list of whole
    /// `Declined`s would: each total its first quantities then zeros,
    /// whatever longer totals the buffer's entries held before (writes of
    /// 0 to 16 quantities mixed, cleared at random, as a scenario of more
    /// than four kinds mixes offers of words and whole sets).
    #[test]
    fn declines_written_in_place_are_the_declines() {
        let mut rng = Stream::new(5, "declines");
        let mut buf = Declines::new();
        let mut want: Vec<Declined> = Vec::new();
        for step in 0..5_000 {
            if rng.below(8) == 0 {
                buf.clear();
                want.clear();
            }
            let k = [0, 4, 4, 4, 2, 6, 16][rng.below(7) as usize];
            let first: Vec<u64> = (0..k).map(|_| 1 + rng.below(1_000)).collect();
            let mut total = Quantities::ZERO;
            total.0[..k].copy_from_slice(&first);
            let d = Declined {
                role: RoleId(rng.below(3) as u32),
                agent: AgentId(rng.below(9) as u32),
                total,
                filter: None,
            };
            if rng.below(4) == 0 {
                buf.push(d);
            } else {
                buf.put(d.role, d.agent, &first, d.filter);
            }
            want.push(d);
            assert_eq!(buf.as_slice(), &want[..], "step {step}");
            assert_eq!(buf.len(), want.len());
        }
    }

    /// A quiet note holds exactly when the first definition's did: the
    /// same epoch and the whole saved set equal to what is available
    /// (every set zero from the `kinds`-th entry on, as the master's are).
    #[test]
    fn quiet_notes_hold_as_the_whole_set_compared() {
        let mut rng = Stream::new(11, "quiet");
        let kinds = 3;
        let agents = 6;
        let draw = |rng: &mut Stream| {
            let mut set = ResourceSet::default();
            for k in 0..kinds {
                set.unreserved.0[k] = rng.below(3) * 500;
            }
            for role in 0..rng.below(3) {
                let mut q = Quantities::ZERO;
                q.0[rng.below(kinds as u64) as usize] = 1 + rng.below(2);
                set.add_reserved(RoleId(role as u32), &q);
            }
            set
        };
        let mut notes = QuietNotes::new(agents, kinds);
        let mut slow: Vec<Option<(u64, ResourceSet)>> = vec![None; agents];
        for step in 0..20_000 {
            let a = rng.below(agents as u64) as usize;
            let epoch = rng.below(3);
            match rng.below(4) {
                0 => {
                    notes.clear(a);
                    slow[a] = None;
                }
                1 => {
                    let set = draw(&mut rng);
                    notes.set(a, epoch, &set);
                    slow[a] = Some((epoch, set));
                }
                _ => {
                    let set = draw(&mut rng);
                    let want = slow[a]
                        .as_ref()
                        .is_some_and(|(e, had)| *e == epoch && *had == set);
                    assert_eq!(notes.holds(a, epoch, &set), want, "step {step}");
                    if let Some((e, had)) = &slow[a] {
                        assert!(notes.holds(a, *e, had), "step {step}");
                    }
                }
            }
        }
    }

    /// The line an offer's charge and a decline's return read and write
    /// of an agent (see [`AgentState`]): the first holder, its count of
    /// items, the header of the reserved part available and the first four
    /// kinds available unreserved, on one line; and a size of an odd
    /// number of lines.
    #[test]
    fn agent_line_is_one() {
        use std::mem::{align_of, offset_of, size_of};
        let line = |at: usize| at / 64;
        assert_eq!(align_of::<AgentState>(), 64);
        assert_eq!(size_of::<AgentState>() % 64, 0);
        assert_eq!((size_of::<AgentState>() / 64) % 2, 1);
        let available = offset_of!(AgentState, available);
        let unreserved = available + offset_of!(ResourceSet, unreserved);
        let reserved = available + offset_of!(ResourceSet, reserved);
        let first = offset_of!(AgentState, first_holder);
        let items = offset_of!(AgentState, first_items);
        for at in [
            first,
            items + 3,
            unreserved,
            unreserved + 4 * 8 - 1,
            reserved,
            reserved + size_of::<Vec<(RoleId, Quantities)>>() - 1,
        ] {
            assert_eq!(line(at), 0, "{at}");
        }
    }

    /// One of the items a plain list of holders charges: a framework and
    /// the total of an offer or a task.
    type Item = (FrameworkId, Quantities);

    /// The agent's holders (counts of items) keep the list a `Vec` of
    /// (framework, what it holds) keeps, entry for entry, whatever the order
    /// of charges and returns of items — items of zero included — and of
    /// splits of an item into parts (an accept's tasks and rest, a partial
    /// return, a removal), as long as every item taken off is one that was
    /// charged: what the master does.
    #[test]
    fn holders_agree_with_a_plain_list() {
        let n = 3;
        let mut rng = Stream::new(7, "holders");
        let draw = |rng: &mut Stream| {
            let mut q = Quantities::ZERO;
            for k in 0..n {
                if rng.below(3) == 0 {
                    q.0[k] = rng.below(4) * 250;
                }
            }
            q
        };
        for _ in 0..300 {
            let mut fast = AgentState::default();
            let mut slow: Vec<(FrameworkId, Quantities)> = Vec::new();
            let mut live: Vec<Item> = Vec::new();
            for step in 0..80 {
                let choice = rng.below(5);
                if choice <= 1 || live.is_empty() {
                    // An item charged.
                    let fw = FrameworkId(rng.below(4) as u32);
                    let q = draw(&mut rng);
                    fast.hold(fw, item(&q, n));
                    match slow.iter_mut().find(|(f, _)| *f == fw) {
                        Some((_, h)) => h.add(&q),
                        None => slow.push((fw, q)),
                    }
                    live.push((fw, q));
                } else if choice <= 3 {
                    // A charged item taken off.
                    let (fw, q) = live.swap_remove(rng.below(live.len() as u64) as usize);
                    fast.unhold(fw, item(&q, n));
                    if let Some(i) = slow.iter().position(|(f, _)| *f == fw) {
                        slow[i].1.saturating_sub(&q);
                        if slow[i].1.is_empty() {
                            slow.remove(i);
                        }
                    }
                } else {
                    // A charged item split into parts, of which the first
                    // is taken off at once (a partial return, a removal,
                    // an accept's rest) unless `keep` (an accept whose rest
                    // is empty: its tasks stay).
                    let at = rng.below(live.len() as u64) as usize;
                    let (fw, q) = live.swap_remove(at);
                    let mut parts = Vec::new();
                    let mut rest = q;
                    for _ in 0..rng.below(3) {
                        let mut part = Quantities::ZERO;
                        for k in 0..n {
                            part.0[k] = rng.below(rest.0[k] + 1);
                        }
                        rest.saturating_sub(&part);
                        parts.push(part);
                    }
                    parts.push(rest);
                    let after = parts.iter().map(|p| item(p, n)).sum();
                    fast.rehold(fw, item(&q, n), after);
                    let keep = rng.below(3) == 0;
                    let gone = parts.remove(0);
                    for p in parts {
                        live.push((fw, p));
                    }
                    if keep {
                        live.push((fw, gone));
                    } else {
                        fast.unhold(fw, item(&gone, n));
                        if let Some(i) = slow.iter().position(|(f, _)| *f == fw) {
                            slow[i].1.saturating_sub(&gone);
                            if slow[i].1.is_empty() {
                                slow.remove(i);
                            }
                        }
                    }
                }
                assert!(
                    fast.holders().eq(slow.iter().map(|(f, _)| *f)),
                    "step {step}"
                );
                for (fw, c) in fast.holder_items() {
                    let counted = live
                        .iter()
                        .filter(|(f, q)| *f == fw && !q.is_empty())
                        .count();
                    assert_eq!(c as usize, counted, "step {step}");
                }
                if fast.first_holder == AgentState::NO_HOLDER {
                    assert!(fast.more_holders.is_empty() && fast.first_items == 0);
                }
            }
        }
    }

    /// A random part of `available` for `role`: each of the first `kinds`
    /// unreserved quantities nothing, all of it or a part (sometimes
    /// nothing at all), and sometimes a part of what is reserved for
    /// `role`.
    fn part_of(
        rng: &mut Stream,
        available: &ResourceSet,
        role: RoleId,
        kinds: usize,
    ) -> ResourceSet {
        let mut res = ResourceSet::default();
        if rng.below(8) == 0 {
            return res;
        }
        let whole = rng.below(3) == 0;
        for k in 0..kinds {
            let have = available.unreserved.0[k];
            res.unreserved.0[k] = match rng.below(4) {
                _ if whole => have,
                0 => 0,
                1 => have,
                _ => rng.below(have + 1),
            };
        }
        for (r, q) in &available.reserved {
            if *r == role && rng.below(2) == 0 {
                let mut part = Quantities::ZERO;
                for k in 0..kinds {
                    part.0[k] = if whole { q.0[k] } else { rng.below(q.0[k] + 1) };
                }
                if !part.is_empty() {
                    res.add_reserved(role, &part);
                }
            }
        }
        res
    }

    /// What a master's declines left: every filter (per framework, role and
    /// agent, its id, slot and the set it holds), each agent's available
    /// resources, and the offered sums.
    fn after_declines(m: &Master) -> (Vec<String>, Vec<String>, String) {
        let filters = m
            .filters
            .contents()
            .iter()
            .map(|f| format!("{f:?}"))
            .collect();
        let agents = m
            .agents
            .iter()
            .map(|a| format!("{:?}", a.available))
            .collect();
        let sums = format!(
            "{:?} {:?} {:?}",
            m.offered_total,
            m.frameworks.iter().map(|f| f.offered()).collect::<Vec<_>>(),
            m.roles
                .iter()
                .map(|r| (r.own_alloc, r.subtree_alloc, r.active_filters))
                .collect::<Vec<_>>()
        );
        (filters, agents, sums)
    }

    /// A master of `model` with every agent of the scenario added.
    fn with_agents(model: &Model) -> Master {
        let mut m = Master::new(model);
        for a in 0..model.agents.len() {
            m.add_agent(model, AgentId(a as u32));
        }
        m
    }

    /// One allocation run over every agent by each of `masters` (the fast
    /// way and the slow reference of a differential test), with the same
    /// streams of `round`.
    fn run_each(
        model: &Model,
        masters: [&mut Master; 2],
        round: u64,
        now: SimTime,
    ) -> Vec<RunOutput> {
        masters
            .into_iter()
            .map(|m| {
                let _ = m.request_run(Trigger::AllAgents);
                let mut shuffle = Stream::new(round, "shuffle");
                let mut sorter = crate::sim::rng::StreamSet::new(round, "sorter");
                m.run_allocation(model, now, &mut shuffle, &mut sorter, false)
            })
            .collect()
    }

    /// Holders of nothing (a framework holding items of nothing on an
    /// agent: a count of 0, see [`AgentState::hold`]) and the deferred
    /// charges: a run whose offers are all declined in the run's instant
    /// leaves every agent's holders, in order and with their counts, as
    /// the same run with its charges written at once (`defer_charges`
    /// false: the hold written by the visit, the decline's return dropping
    /// a holder whose count comes back to 0). A visit must not defer the
    /// charge of an agent with such a holder (`zero_held`): were the charge
    /// deferred, the framework would stay a holder. No scenario makes a
    /// holder of nothing (tasks need resources, offers are not empty), so
    /// the swarm cannot see it; here they are made by hand, random agents
    /// and frameworks, round after round.
    #[test]
    fn deferred_charges_keep_holders_of_nothing() {
        let text = "name: zero\nuntil: 1h\nagents:\n  - {id: a, count: 8, resources: {cpus: 4, mem: 4096}}\nframeworks:\n  - {id: f0}\n  - {id: f1}\n  - {id: f2}\n";
        let model = crate::scenario::load_str(text, "zero.yaml", std::path::Path::new("."))
            .expect("scenario");
        let (agents, frameworks) = (model.agents.len(), model.frameworks.len());
        let mut fast = Master::new(&model);
        for a in 0..agents {
            fast.add_agent(&model, AgentId(a as u32));
        }
        for f in 0..frameworks {
            fast.add_framework(&model, FrameworkId(f as u32));
        }
        let mut rng = Stream::new(3, "zero");
        let (mut deferred, mut of_nothing) = (0, 0);
        for round in 0..200u64 {
            for a in 0..agents {
                if rng.below(3) == 0 {
                    let fw = FrameworkId(rng.below(frameworks as u64) as u32);
                    let _ = fast.agents[a].hold(fw, 0);
                    fast.note_zero_holders(a, true);
                }
            }
            of_nothing += (0..agents)
                .filter(|&a| fast.agents[a].has_zero_holder())
                .count();
            let mut slow = fast.clone();
            slow.defer_charges = false;
            let now = SimTime(round * 1_000_000);
            let outs = run_each(&model, [&mut fast, &mut slow], round, now);
            assert_eq!(outs[0].offers, outs[1].offers, "round {round}");
            deferred += usize::from(fast.charges_deferred());
            for (m, out) in [(&mut fast, &outs[0]), (&mut slow, &outs[1])] {
                let mut declined = Declines::new();
                m.decline_many(&model, &out.offers, 0, now, &mut declined);
                m.settle_returns(&model);
                m.settle_charges();
            }
            for a in 0..agents {
                let agent = AgentId(a as u32);
                assert_eq!(fast.holders(agent), slow.holders(agent), "round {round}");
                assert_eq!(
                    fast.agents[a].available, slow.agents[a].available,
                    "round {round}"
                );
                assert!(!fast.agents[a].has_zero_holder() || fast.zero_held(a));
            }
        }
        assert!(
            deferred > 100 && of_nothing > 100,
            "{deferred} {of_nothing}"
        );
    }

    /// A run with one client adds its offers to the framework's and the
    /// role tree's sums once, after its walk (`track_run_sums`), and visits
    /// plain agents in short (`sole_visit`): right after each run and
    /// after its replies, the offers, every sum and count, and every
    /// agent's holders and available resources are what the general way
    /// gives (`sole_fast` off), in a nested role, with agents of several
    /// shapes (GPUs the framework cannot take among them), partly held,
    /// some filtered, round after round.
    #[test]
    fn one_client_runs_add_their_sums_once() {
        let text = "name: sums\nuntil: 1h\nagents:\n  - {id: a, count: 6, resources: {cpus: 4, mem: 4096, disk: 100}}\n  - {id: b, count: 5, resources: {cpus: 16, mem: 2048, gpus: 1}}\nframeworks:\n  - {id: f0, role: x/y}\n  - {id: f1, role: x/z}\n";
        let model = crate::scenario::load_str(text, "sums.yaml", std::path::Path::new("."))
            .expect("scenario");
        let mut fast = with_agents(&model);
        // One framework registered: the one client of every run.
        fast.add_framework(&model, FrameworkId(0));
        let mut rng = Stream::new(5, "sums");
        let mut offers = 0;
        for round in 0..50u64 {
            let mut slow = fast.clone();
            slow.sole_fast = false;
            let now = SimTime(round * 1_000_000);
            let outs = run_each(&model, [&mut fast, &mut slow], round, now);
            assert_eq!(outs[0].offers, outs[1].offers, "round {round}");
            offers += outs[0].offers.len();
            let sums = |m: &Master| {
                let f = &m.frameworks[0];
                let fw: Vec<_> = f.roles.iter().map(|r| (r.offered, r.count)).collect();
                let roles: Vec<_> = m
                    .roles
                    .iter()
                    .map(|r| {
                        let (o, s, u) = (r.own_alloc, r.subtree_alloc, r.subtree_unreserved_alloc);
                        (o, s, u, r.own_count, r.subtree_count)
                    })
                    .collect();
                let agents: Vec<_> = (0..m.agents.len())
                    .map(|a| {
                        let agent = AgentId(a as u32);
                        (m.holders(agent), m.agents[a].available.clone())
                    })
                    .collect();
                (fw, roles, m.offered_total, agents)
            };
            assert_eq!(sums(&fast), sums(&slow), "round {round}");
            // Accept some offers (a part of each), decline the rest.
            for (m, out) in [(&mut fast, &outs[0]), (&mut slow, &outs[1])] {
                let mut rng = rng.clone();
                let mut declined = Declines::new();
                let mut rest = Vec::new();
                for &id in &out.offers {
                    if rng.below(4) == 0 {
                        let offered = m.offers.get(&id).expect("offer").resources();
                        let mut used = offered;
                        let mut one = Quantities::ZERO;
                        one.set(crate::cluster::resources::ResId(0), 1000);
                        used.unreserved = used.unreserved.min_each(&one);
                        let _ = m.accept(&model, id, &[used], 0, now);
                    } else {
                        rest.push(id);
                    }
                }
                // Some declines filter (no expiry events here: a revive
                // every few rounds drops the filters), so that some
                // visits find one.
                let (filtered, unfiltered): (Vec<OfferId>, Vec<OfferId>) = rest
                    .iter()
                    .partition(|_| round % 4 == 1 && rng.below(3) == 0);
                m.decline_many(&model, &filtered, 1_000_000_000, now, &mut declined);
                m.decline_many(&model, &unfiltered, 0, now, &mut declined);
                m.settle_returns(&model);
                m.settle_charges();
            }
            assert_eq!(sums(&fast), sums(&slow), "round {round}, after the replies");
            if round % 4 == 3 {
                for m in [&mut fast, &mut slow] {
                    m.revive(FrameworkId(0), &[]);
                }
            }
            rng = Stream::new(round + 6, "sums");
        }
        assert!(offers > 100, "{offers}");
    }

    /// A scenario `name` of 13 agents of two shapes and three frameworks
    /// in two roles, and a master with every agent and framework added.
    fn three_clients(name: &str) -> (Model, Master) {
        let text = format!("name: {name}\nuntil: 1h\nagents:\n  - {{id: a, count: 9, resources: {{cpus: 4, mem: 4096}}}}\n  - {{id: b, count: 4, resources: {{cpus: 1, mem: 256}}}}\nframeworks:\n  - {{id: f0, role: r}}\n  - {{id: f1, role: r}}\n  - {{id: f2, role: s}}\n");
        let file = format!("{name}.yaml");
        let model =
            crate::scenario::load_str(&text, &file, std::path::Path::new(".")).expect("scenario");
        let mut m = with_agents(&model);
        for f in 0..model.frameworks.len() {
            m.add_framework(&model, FrameworkId(f as u32));
        }
        (model, m)
    }

    /// A run with no quiet note of its epoch yet leaves the notes alone,
    /// and so does every clear of a note then (`QuietNotes::any_of`,
    /// `clear_quiet`, `quiet_fresh`): every run passes by the same
    /// agents and makes the same offers as a run that reads and clears
    /// them, with clients coming and going (suppress, revive), filtered
    /// and unfiltered declines, filters expiring, round after round.
    #[test]
    fn runs_without_notes_of_their_epoch_pass_the_same_agents_by() {
        let (model, mut fast) = three_clients("notes");
        let mut slow = fast.clone();
        slow.quiet_fresh = false;
        let mut rng = Stream::new(11, "notes");
        let (mut passed, mut offers) = (0, 0);
        let mut expiring: Vec<(u64, Vec<FilterId>)> = Vec::new();
        for round in 0..300u64 {
            // Clients come and go.
            let fw = FrameworkId(rng.below(3) as u32);
            let change = rng.below(4);
            for m in [&mut fast, &mut slow] {
                match change {
                    0 => m.suppress(fw, &[]),
                    1 => m.revive(fw, &[]),
                    _ => {}
                }
            }
            let now = SimTime(round * 1_000_000);
            let outs = run_each(&model, [&mut fast, &mut slow], round, now);
            assert_eq!(outs[0].offers, outs[1].offers, "round {round}");
            assert_eq!(
                outs[0].agents_passed_by, outs[1].agents_passed_by,
                "round {round}"
            );
            passed += outs[0].agents_passed_by;
            offers += outs[0].offers.len();
            // Some declines filter; filters expire a few rounds later.
            let filter = rng.below(3) == 0;
            let mut made = Vec::new();
            for (m, out) in [(&mut fast, &outs[0]), (&mut slow, &outs[1])] {
                let mut declined = Declines::new();
                let refuse = if filter { 3_000_000 } else { 0 };
                m.decline_many(&model, &out.offers, refuse, now, &mut declined);
                m.settle_returns(&model);
                m.settle_charges();
                made.push(
                    declined
                        .as_slice()
                        .iter()
                        .filter_map(|d| d.filter.map(|f| f.id))
                        .collect::<Vec<_>>(),
                );
            }
            assert_eq!(made[0], made[1], "round {round}");
            expiring.push((round + 1 + rng.below(4), made.swap_remove(0)));
            for (at, ids) in &expiring {
                if *at == round {
                    for &id in ids {
                        for m in [&mut fast, &mut slow] {
                            m.expire_filter(id);
                        }
                    }
                }
            }
            expiring.retain(|(at, _)| *at > round);
        }
        assert!(passed > 100 && offers > 100, "{passed} {offers}");
    }

    /// The dense copy of what each agent has available (`avail_words`,
    /// `avail_reserved`), which the short visits read instead of the
    /// agent's state, follows every change of it: right after each run and
    /// after its replies it is what the agents have, and the runs make the
    /// offers that the general way makes (`sole_fast` and `defer_charges`
    /// off, which never read it) — with one client or several (visits
    /// deferring their charges and taking them back, `end_visit`), accepts
    /// of a part of an offer, declines in the run's instant (charges never
    /// written) and after a settle, reservations made and undone, agents'
    /// totals changed, round after round. Under `--check` every deferred
    /// charge is written before the checks, so the swarm's checks cannot
    /// see a copy that missed a visit's return; here it fails at once.
    #[test]
    fn the_dense_copy_follows_what_agents_have() {
        let (model, mut fast) = three_clients("copy");
        let mut slow = fast.clone();
        slow.sole_fast = false;
        slow.defer_charges = false;
        let agents = model.agents.len();
        let mut rng = Stream::new(17, "copy");
        let (mut short, mut offers) = (0, 0);
        let mut tasks = Vec::new();
        for round in 0..300u64 {
            // Clients come and go: one client (short visits) or several.
            let fw = FrameworkId(rng.below(3) as u32);
            let change = rng.below(3);
            let agent = AgentId(rng.below(agents as u64) as u32);
            let mut q = Quantities::ZERO;
            q.set(crate::cluster::resources::ResId(0), 500);
            let op = rng.below(8);
            for m in [&mut fast, &mut slow] {
                match change {
                    0 => m.suppress(fw, &[]),
                    1 => m.revive(fw, &[]),
                    _ => {}
                }
                // Now and then, a reservation made or undone, or an
                // agent's total changed.
                match op {
                    0 => {
                        let _ = m.reserve(&model, agent, RoleId(0), &q);
                    }
                    1 => {
                        let _ = m.unreserve(&model, agent, RoleId(0), &q);
                    }
                    2 => {
                        // Its total grows or shrinks by half a CPU.
                        let mut total = m.agents[agent.index()].total.clone();
                        if round % 2 == 0 {
                            total.unreserved.add(&q);
                        } else {
                            total.unreserved.saturating_sub(&q);
                        }
                        let _ = m.update_agent_total(&model, agent, total);
                    }
                    _ => {}
                }
            }
            // Some tasks end.
            let ending: Vec<usize> = (0..tasks.len()).filter(|_| rng.below(3) == 0).collect();
            for &t in ending.iter().rev() {
                let (fw, role, agent, res): (FrameworkId, RoleId, AgentId, ResourceSet) =
                    tasks.swap_remove(t);
                for m in [&mut fast, &mut slow] {
                    m.release(&model, fw, role, agent, &res);
                }
            }
            assert_eq!(
                fast.avail_copy_differs(),
                None,
                "round {round}, after the ends"
            );
            let clients = fast
                .frameworks
                .iter()
                .filter(|f| f.roles.iter().any(|r| !r.suppressed))
                .count();
            short += usize::from(clients == 1);
            let now = SimTime(round * 1_000_000);
            let outs = run_each(&model, [&mut fast, &mut slow], round, now);
            assert_eq!(outs[0].offers, outs[1].offers, "round {round}");
            assert_eq!(
                fast.avail_copy_differs(),
                None,
                "round {round}, after the run"
            );
            offers += outs[0].offers.len();
            // A part of some offers accepted (a task of one CPU), the rest
            // declined; every other round a settle first (the charges
            // written), else in the run's instant.
            let settle_first = round % 2 == 0;
            for (k, (m, out)) in [(&mut fast, &outs[0]), (&mut slow, &outs[1])]
                .into_iter()
                .enumerate()
            {
                let mut rng = rng.clone();
                if settle_first {
                    m.settle_charges();
                    assert_eq!(
                        m.avail_copy_differs(),
                        None,
                        "round {round}, after the settle"
                    );
                }
                let mut rest = Vec::new();
                for &id in &out.offers {
                    if rng.below(4) == 0 {
                        let o = m.offers.get(&id).expect("offer");
                        let (fw, role, agent) = (o.framework, o.role, o.agent);
                        let mut used = o.resources();
                        let mut one = Quantities::ZERO;
                        one.set(crate::cluster::resources::ResId(0), 1000);
                        used.unreserved = used.unreserved.min_each(&one);
                        if k == 0 {
                            tasks.push((fw, role, agent, used.clone()));
                        }
                        let _ = m.accept(&model, id, &[used], 0, now);
                    } else {
                        rest.push(id);
                    }
                }
                let mut declined = Declines::new();
                m.decline_many(&model, &rest, 0, now, &mut declined);
                m.settle_returns(&model);
                m.settle_charges();
            }
            assert_eq!(
                fast.avail_copy_differs(),
                None,
                "round {round}, after the replies"
            );
            for a in 0..agents {
                assert_eq!(
                    fast.agents[a].available, slow.agents[a].available,
                    "round {round}"
                );
            }
            rng = Stream::new(round + 18, "copy");
        }
        assert!(short > 30 && offers > 300, "{short} {offers}");
    }

    /// The filters an offer of words' decline installs (`decline_words`,
    /// an offer held as words in the book) hold what the general decline's
    /// hold (`decline_one` reading the offer whole, and `Master::decline`
    /// one at a time, the reference): per framework, role and agent the
    /// same refused sets, ids, slots and expiries, with the same returns
    /// and sums, over random offers — of nothing, of up to four kinds, with
    /// a reserved part, with a fifth and sixth kind — declined in chunks
    /// with random refusals (none, short, beyond the cap), between filter
    /// expiries and revives. The swarm compares what filters do; a filter
    /// holding one unit more than its offer passes it when no scenario
    /// offers exactly that unit more later (stop 23); here it fails.
    #[test]
    fn declines_of_words_install_what_whole_declines_install() {
        let shapes = [
            // Two kinds, a group with a reservation for r1.
            "agents:\n  - {id: a, count: 3, resources: {cpus: 16, mem: 65536}}\n  - {id: b, count: 2, resources: {cpus: 8, mem: 32768}, reserved: {r1: {cpus: 4, mem: 8192}}}\n",
            // Six kinds: offers with a fifth and sixth kind are whole.
            "agents:\n  - {id: a, count: 2, resources: {cpus: 16, mem: 65536, disk: 900, gpus: 3}}\n  - {id: b, count: 2, resources: {cpus: 8, mem: 32768, disk: 10, gpus: 1, k4: 5, k5: 7}, reserved: {r2: {cpus: 2, k5: 3}}}\n  - {id: c, count: 2, resources: {cpus: 4, mem: 4096}}\n",
        ];
        for (shape, text) in shapes.iter().enumerate() {
            let text = format!("name: words\nuntil: 1h\n{text}frameworks:\n  - {{id: f0, role: r1}}\n  - {{id: f1, role: r1}}\n  - {{id: f2, role: r2}}\n");
            let model = crate::scenario::load_str(&text, "words.yaml", std::path::Path::new("."))
                .expect("scenario");
            let agents = model.agents.len();
            let kinds = crate::cluster::state::resource_kinds(&model);
            let mut m = Master::new(&model);
            for a in 0..agents {
                m.add_agent(&model, AgentId(a as u32));
            }
            for f in 0..model.frameworks.len() {
                m.add_framework(&model, FrameworkId(f as u32));
            }
            let mut rng = Stream::new(13 + shape as u64, "words");
            let (mut words, mut whole, mut installed) = (0, 0, 0);
            let mut deferred_installed = 0;
            let mut pending: Vec<FilterId> = Vec::new();
            for round in 0..300u64 {
                let now = SimTime(round * 1_000_000);
                // Offers, as a run makes them: the agent charged.
                let mut ids = Vec::new();
                for _ in 0..rng.below(12) {
                    let agent = AgentId(rng.below(agents as u64) as u32);
                    let fw = FrameworkId(rng.below(model.frameworks.len() as u64) as u32);
                    let role = model.frameworks[fw.index()].roles[0];
                    let res = part_of(&mut rng, &m.agents[agent.index()].available, role, kinds);
                    assert!(m.agents[agent.index()].available.sub(&res));
                    m.charge_offer(&model, (fw, role, agent), &res, false, false, None);
                    ids.push(m.new_offer(fw, role, agent, res, now));
                }
                let mut m_words = std::collections::BTreeMap::new();
                for id in &ids {
                    match m.offers.get(id).expect("made").held {
                        Held::Words(_) => words += 1,
                        Held::Whole(_) => whole += 1,
                    }
                    m_words.insert(*id, matches!(m.offers.get(id).expect("made").held, Held::Words(w) if *w != [0; OFFER_WORDS]));
                }
                // The same offers held whole (`get_mut` moves an offer of
                // words aside), and a copy for the reference.
                let mut slow = m.clone();
                // And declined with the filters of words kept for the
                // chunk's end (`decline_many_deferring`).
                let mut deferring = m.clone();
                for id in &ids {
                    assert!(slow.offers.get_mut(id).is_some());
                    assert!(matches!(
                        slow.offers.get(id).expect("made").held,
                        Held::Whole(_)
                    ));
                }
                let mut reference = m.clone();
                // Declined in chunks of one refusal each.
                let mut at = 0;
                while at < ids.len() {
                    let chunk = &ids[at..(at + 1 + rng.below(5) as usize).min(ids.len())];
                    at += chunk.len();
                    let refuse = match rng.below(4) {
                        0 => 0,
                        1 => MAX_REFUSE_US + 5,
                        _ => rng.below(20) * 500_000,
                    };
                    let (mut fast_buf, mut slow_buf) = (Declines::new(), Declines::new());
                    m.decline_many(&model, chunk, refuse, now, &mut fast_buf);
                    slow.decline_many(&model, chunk, refuse, now, &mut slow_buf);
                    let (fast_out, slow_out) = (fast_buf.as_slice(), slow_buf.as_slice());
                    assert_eq!(fast_out, slow_out, "shape {shape} round {round}");
                    let want: Vec<Option<NewFilter>> = chunk
                        .iter()
                        .map(|&id| reference.decline(&model, id, refuse, now))
                        .collect();
                    let got: Vec<Option<NewFilter>> = fast_out.iter().map(|d| d.filter).collect();
                    assert_eq!(got, want, "shape {shape} round {round}");
                    pending.extend(got.iter().flatten().map(|f| f.id));
                    installed += got.iter().flatten().count();
                    // Deferring: the same declines, their filters of words
                    // (the offers `m` holds as words) installed after the
                    // chunk in agent order, with the same serials and
                    // expiry.
                    let mut deferred_buf = Declines::new();
                    deferring.decline_many_deferring(&model, chunk, refuse, now, &mut deferred_buf);
                    let deferred_out = deferred_buf.as_slice();
                    let mut late = Vec::new();
                    let expires = deferring.install_deferred(&mut late);
                    let mut early = Vec::new();
                    for ((d, fast), id) in deferred_out.iter().zip(fast_out).zip(chunk) {
                        let of_words = matches!(m_words.get(id), Some(true));
                        assert_eq!(d.filter.is_some(), !of_words && fast.filter.is_some());
                        assert_eq!(
                            (d.role, d.agent, d.total),
                            (fast.role, fast.agent, fast.total)
                        );
                        early.extend(d.filter.map(|f| f.id.id));
                    }
                    let deferred_serials: Vec<u64> = fast_out
                        .iter()
                        .zip(chunk)
                        .filter(|(_, id)| m_words.get(id) == Some(&true))
                        .filter_map(|(d, _)| d.filter.map(|f| f.id.id))
                        .collect();
                    let mut late_serials: Vec<u64> = late.iter().map(|f| f.id).collect();
                    let agent_of = |id: u64| {
                        fast_out
                            .iter()
                            .find(|d| d.filter.is_some_and(|f| f.id.id == id))
                            .map(|d| d.agent)
                    };
                    let agents_late: Vec<_> = late_serials.iter().map(|&id| agent_of(id)).collect();
                    assert!(agents_late.windows(2).all(|w| w[0] <= w[1]), "agent order");
                    late_serials.sort_unstable();
                    assert_eq!(
                        late_serials, deferred_serials,
                        "shape {shape} round {round}"
                    );
                    if !late.is_empty() {
                        let want_expires =
                            fast_out.iter().find_map(|d| d.filter).map(|f| f.expires);
                        assert_eq!(expires, want_expires);
                    }
                    deferred_installed += late.len();
                }
                m.settle_returns(&model);
                slow.settle_returns(&model);
                deferring.settle_returns(&model);
                // The same filters but for their slots and the order of a
                // key's chain.
                let unslotted = |m: &Master| {
                    let mut f: Vec<String> = m
                        .filters
                        .contents()
                        .into_iter()
                        .map(|(fw, role, agent, id, set)| {
                            format!("{fw:?} {role:?} {agent:?} {} {set:?}", id.id)
                        })
                        .collect();
                    f.sort();
                    f
                };
                assert_eq!(
                    unslotted(&deferring),
                    unslotted(&m),
                    "shape {shape} round {round}"
                );
                let (_, agents_m, sums_m) = after_declines(&m);
                let (_, agents_d, sums_d) = after_declines(&deferring);
                assert_eq!(
                    (agents_d, sums_d),
                    (agents_m, sums_m),
                    "shape {shape} round {round}"
                );
                let state = after_declines(&m);
                assert_eq!(state, after_declines(&slow), "shape {shape} round {round}");
                assert_eq!(
                    state,
                    after_declines(&reference),
                    "shape {shape} round {round}"
                );
                // Some filters go (expiry, or a revive of a framework's),
                // in all three alike, so the interner's sets come and go.
                for _ in 0..rng.below(6) {
                    if pending.is_empty() {
                        break;
                    }
                    let id = pending.swap_remove(rng.below(pending.len() as u64) as usize);
                    m.expire_filter(id);
                }
                if rng.below(20) == 0 {
                    let fw = FrameworkId(rng.below(model.frameworks.len() as u64) as u32);
                    let roles = model.frameworks[fw.index()].roles.clone();
                    m.revive(fw, &roles);
                }
            }
            assert!(
                words > 300 && whole > 100 && installed > 300 && deferred_installed > 100,
                "{words} {whole} {installed} {deferred_installed}"
            );
        }
    }
}
