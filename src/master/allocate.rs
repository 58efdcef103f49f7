//! One allocation run (Mesos `HierarchicalAllocatorProcess::__generateOffers`
//! and `generateInverseOffers`), step by step as in MESOS.md §2.2:
//! shuffle the candidate agents; compute quota consumption and headroom;
//! stage 1 for roles with unsatisfied guarantees (agents chopped to fit);
//! shuffle again; stage 2 for everyone within limits and headroom; then
//! inverse offers for agents under maintenance.

use super::offer_book::WORDS;
use super::sorting::RunOrders;
use super::{InverseOffer, Master, OfferId};
use crate::cluster::resources::{Quantities, ResourceSet};
use crate::scenario::model::Model;
use crate::sim::rng::{Stream, StreamSet};
use crate::sim::time::SimTime;
use crate::{AgentId, FrameworkId, RoleId};

/// How many agents stage 2 looks at ahead of its visits
/// ([`Master::look_ahead`]).
const LOOK_AHEAD: usize = 32;

/// What happened to one candidate framework in one agent's pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandidateOutcome {
    /// Offered (or added to its offer).
    Offered,
    /// A decline filter contains the would-be offer.
    Filtered,
    /// Suppressed in this role: the sorter leaves it out.
    Suppressed,
    /// The quota limit left nothing allocatable.
    QuotaLimit,
    /// Headroom held back for unsatisfied guarantees left nothing allocatable.
    Headroom,
    /// The agent has gpus and the framework lacks the gpu capability.
    Capability,
    /// Below `min_allocatable`.
    NotAllocatable,
    /// Stage 1: the agent has nothing toward the role's unsatisfied guarantee.
    NoGuaranteeProgress,
    /// The agent had nothing left (for this role) when its turn came: it
    /// ranked below what took the rest.
    NotReached,
}

impl CandidateOutcome {
    pub fn name(self) -> &'static str {
        match self {
            CandidateOutcome::Offered => "offered",
            CandidateOutcome::Filtered => "filtered",
            CandidateOutcome::Suppressed => "suppressed",
            CandidateOutcome::QuotaLimit => "quota_limit",
            CandidateOutcome::Headroom => "headroom",
            CandidateOutcome::Capability => "capability",
            CandidateOutcome::NotAllocatable => "not_allocatable",
            CandidateOutcome::NoGuaranteeProgress => "no_guarantee_progress",
            CandidateOutcome::NotReached => "not_reached",
        }
    }
}

/// One line of an allocation run's explanation (`explain.csv`).
#[derive(Clone, Debug)]
pub struct ExplainRow {
    pub stage: u8,
    pub agent: AgentId,
    /// 1-based position of the role in this agent's role order.
    pub role_rank: u32,
    pub role: RoleId,
    /// The role's sort key (share ÷ weight) when the order was computed.
    pub role_share: f64,
    /// 1-based position in the role's framework order (0: not sorted).
    pub framework_rank: u32,
    pub framework: FrameworkId,
    pub framework_share: f64,
    pub outcome: CandidateOutcome,
    /// Offered, or what would have been offered.
    pub resources: Quantities,
}

/// Everything one run produced.
#[derive(Clone, Debug, Default)]
pub struct RunOutput {
    /// New offers, grouped by framework (framework id order), each group in
    /// the order the run made them.
    pub offers: Vec<OfferId>,
    pub inverse_offers: Vec<InverseOffer>,
    pub explain: Vec<ExplainRow>,
    /// Agents the run covered (after filtering inactive ones).
    pub agents_considered: usize,
    /// Of those, agents passed by unvisited: the last run offered nothing
    /// there and nothing that decides that changed (`Master::quiet`), or
    /// there was no client to offer to. Only a measure of the work saved.
    pub agents_passed_by: usize,
    /// Under a whole-allocator policy with budgets: what it sold.
    pub sales: Vec<crate::policy::whole::Sale>,
    /// The run's offers are all of words and in framework order (nearly
    /// every run with one client), and the master keeps what each is
    /// until its next run ([`Master::last_run_words`], in the order of
    /// `offers`): what their records need, read from there instead of the
    /// offer book.
    pub words_run: bool,
}

/// The run's would-be offers, one per (framework, role, agent), in the order
/// the run first made them; stage 2 adds to what stage 1 offered.
#[derive(Clone, Debug, Default)]
pub(super) struct Offerable {
    entries: Vec<RunEntry>,
    /// The resources of the entries not kept as words ([`RunEntry::set`]).
    sets: Vec<ResourceSet>,
    /// Per agent: 1 + the index of its last entry (0: none yet).
    head: Vec<u32>,
    /// Per entry: 1 + the index of the same agent's entry before it (0:
    /// none). An agent has a few entries at most (one per framework and
    /// role it was offered to), so finding a key walks a short chain.
    /// Kept for the entries [`Offerable::add`] made, the first
    /// `prev.len()`; [`Offerable::add_in_visit`] keeps neither this nor
    /// `head`.
    prev: Vec<u32>,
    /// The entries whose charges the run deferred (`Master::end_visit`,
    /// `Master::sole_visit`), in the order they were made: each its
    /// visit's one entry, the last made when it was noted.
    pending: Vec<u32>,
}

/// One would-be offer of a run: 48 bytes, where its [`ResourceSet`] alone
/// is 152 (nearly every offer is a few unreserved quantities).
#[derive(Clone, Copy, Debug)]
pub(super) struct RunEntry {
    pub(super) key: (FrameworkId, RoleId, AgentId),
    /// `RunEntry::WORDS` (its resources are `words`: unreserved, zero from
    /// the `WORDS`-th quantity on), else the index of its resources in
    /// [`Offerable::sets`]. (In the offer book's list of a run
    /// ([`OfferBook::put_run`](super::offer_book::OfferBook::put_run)),
    /// where every entry is of words, `RunEntry::GONE` once its offer
    /// has left.)
    pub(super) set: u32,
    pub(super) words: [u64; WORDS],
}

impl RunEntry {
    pub(super) const WORDS: u32 = u32::MAX;
    /// [`RunEntry::set`] of an entry of the offer book's run list whose
    /// offer has left the book.
    pub(super) const GONE: u32 = u32::MAX - 1;
}

/// The words of `res` if a run's entry keeps it as words: nothing
/// reserved and every quantity from the `WORDS`-th on zero.
#[inline]
fn in_place(res: &ResourceSet) -> Option<[u64; WORDS]> {
    if res.reserved.is_empty() && res.unreserved.zero_from(WORDS) {
        let mut w = [0; WORDS];
        w.copy_from_slice(&res.unreserved.0[..WORDS]);
        Some(w)
    } else {
        None
    }
}

/// The quantities whose first `WORDS` entries are `w`, the rest zero.
fn quantities(w: &[u64; WORDS]) -> Quantities {
    let mut q = Quantities::ZERO;
    q.0[..WORDS].copy_from_slice(w);
    q
}

impl Offerable {
    /// For a run over a master of `agents` agents.
    pub(super) fn new(agents: usize) -> Offerable {
        Offerable {
            entries: Vec::new(),
            sets: Vec::new(),
            head: vec![0; agents],
            prev: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Empty again for a run over `agents` agents, keeping what the
    /// buffers have grown to (a master keeps one for all its runs).
    pub(super) fn reset(&mut self, agents: usize) {
        // Only the entries `add` made are in `head`.
        for e in &self.entries[..self.prev.len()] {
            self.head[e.key.2.index()] = 0;
        }
        self.entries.clear();
        self.sets.clear();
        self.prev.clear();
        self.pending.clear();
        self.head.resize(agents, 0);
    }

    /// [`Offerable::reset`], the entries swapped into `keep` first (and
    /// what `keep` held cleared here): the run's list kept without a copy.
    pub(super) fn reset_keeping(&mut self, agents: usize, keep: &mut Vec<RunEntry>) {
        for e in &self.entries[..self.prev.len()] {
            self.head[e.key.2.index()] = 0;
        }
        std::mem::swap(&mut self.entries, keep);
        self.prev.clear();
        self.reset(agents);
    }

    /// Adds `res` to `key`'s would-be offer. Whether `key` had one already
    /// whose resources were not empty: then `res` joins what is one item
    /// of the agent's holders (one offer, see `AgentState`) instead of
    /// making one.
    pub(super) fn add(&mut self, key: (FrameworkId, RoleId, AgentId), res: &ResourceSet) -> bool {
        debug_assert_eq!(
            self.prev.len(),
            self.entries.len(),
            "add after add_in_visit"
        );
        let a = key.2.index();
        let mut at = self.head[a];
        while at != 0 {
            let i = at as usize - 1;
            if self.entries[i].key == key {
                return self.join(i, res);
            }
            at = self.prev[i];
        }
        self.prev.push(self.head[a]);
        self.push(key, res);
        self.head[a] = self.entries.len() as u32;
        false
    }

    /// [`Offerable::add`] in a walk that visits each agent once and makes
    /// all of an agent's entries during its visit (stage 2 of a run whose
    /// stage 1 offered nothing): the visit's entries are the ones from
    /// `visit` (the number of entries when the visit began) on, so the
    /// key is looked for there alone — nearly always none — and neither
    /// the agent's chain nor its head is read or written. The same entries
    /// in the same order as `add` makes.
    #[inline]
    pub(super) fn add_in_visit(
        &mut self,
        key: (FrameworkId, RoleId, AgentId),
        res: &ResourceSet,
        visit: usize,
    ) -> bool {
        debug_assert!(self.prev.is_empty(), "add_in_visit after add");
        if let Some(i) = (visit..self.entries.len()).find(|&i| self.entries[i].key == key) {
            return self.join(i, res);
        }
        self.push(key, res);
        false
    }

    /// Adds `res` to entry `i`; whether it held something already.
    fn join(&mut self, i: usize, res: &ResourceSet) -> bool {
        let e = &mut self.entries[i];
        if e.set == RunEntry::WORDS {
            let held = e.words.iter().any(|&w| w != 0);
            if let Some(w) = in_place(res) {
                // `ResourceSet::add` of two sets of words.
                for (a, b) in e.words.iter_mut().zip(w) {
                    *a = a.saturating_add(b);
                }
                return held;
            }
            self.sets
                .push(ResourceSet::unreserved(quantities(&e.words)));
            e.set = (self.sets.len() - 1) as u32;
            self.sets[e.set as usize].add(res);
            return held;
        }
        let held = !self.sets[e.set as usize].is_empty();
        self.sets[e.set as usize].add(res);
        held
    }

    /// A new entry for `key` holding `res`, at the end.
    #[inline]
    fn push(&mut self, key: (FrameworkId, RoleId, AgentId), res: &ResourceSet) {
        let entry = match in_place(res) {
            Some(words) => RunEntry {
                key,
                set: RunEntry::WORDS,
                words,
            },
            None => {
                self.sets.push(res.clone());
                RunEntry {
                    key,
                    set: (self.sets.len() - 1) as u32,
                    words: [0; WORDS],
                }
            }
        };
        self.entries.push(entry);
    }

    /// [`Offerable::push`] of an entry of words (nothing reserved, every
    /// quantity from the `WORDS`-th on zero), made in a visit that had
    /// made none (`Offerable::add_in_visit` finds no entry of its key).
    #[inline]
    fn push_words(&mut self, key: (FrameworkId, RoleId, AgentId), words: [u64; WORDS]) {
        debug_assert!(self.prev.is_empty(), "add_in_visit after add");
        self.entries.push(RunEntry {
            key,
            set: RunEntry::WORDS,
            words,
        });
    }

    /// The last entry made (its visit's one entry, of `agent`) has its
    /// charge deferred.
    #[inline(always)]
    pub(super) fn note_pending(&mut self, agent: AgentId) {
        debug_assert!(self.entries.last().is_some_and(|e| e.key.2 == agent));
        self.pending.push((self.entries.len() - 1) as u32);
    }

    /// How many entries the run has made.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the run has made no entry.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Master {
    /// `fw`'s `min_allocatable` alternatives: its own, else the master's.
    fn min_allocatable_of<'a>(&'a self, model: &'a Model, fw: FrameworkId) -> &'a [Quantities] {
        self.frameworks[fw.index()]
            .min_allocatable
            .as_ref()
            .unwrap_or(&model.master.min_allocatable)
    }

    pub(super) fn allocatable(&self, model: &Model, fw: FrameworkId, res: &ResourceSet) -> bool {
        if res.is_empty() {
            return false;
        }
        let alternatives = self.min_allocatable_of(model, fw);
        if alternatives.is_empty() {
            return true;
        }
        let total = res.total();
        alternatives.iter().any(|alt| total.contains(alt))
    }

    /// [`Master::allocatable`] of a set of the master's own (zero from
    /// [`Master::kinds`] on, as every resource vector it keeps), when
    /// every `min_allocatable` alternative is zero from there on too
    /// (`narrow`, see [`Master::alternatives_narrow`]): the same answer,
    /// reading the first `kinds` entries only and summing no total when
    /// nothing is reserved. Stage 2 asks this of every agent it offers.
    #[inline]
    fn allocatable_within(
        &self,
        model: &Model,
        fw: FrameworkId,
        res: &ResourceSet,
        narrow: bool,
    ) -> bool {
        if !narrow {
            return self.allocatable(model, fw, res);
        }
        let n = self.kinds;
        if res.unreserved.is_empty_first(n) && res.reserved.is_empty() {
            return false;
        }
        let alternatives = self.min_allocatable_of(model, fw);
        if alternatives.is_empty() {
            return true;
        }
        let mut summed = None;
        let total = res.total_first_in(n, &mut summed);
        alternatives.iter().any(|alt| total.contains_first(alt, n))
    }

    /// Whether every `min_allocatable` alternative (the master's, each
    /// framework's) is zero from [`Master::kinds`] on: always in a
    /// scenario, whose vectors name their resources; a model built by
    /// hand may not be so ([`crate::cluster::state::resource_kinds`]).
    fn alternatives_narrow(&self, model: &Model) -> bool {
        let n = self.kinds;
        model.master.min_allocatable.iter().all(|q| q.zero_from(n))
            && self
                .frameworks
                .iter()
                .flat_map(|f| f.min_allocatable.iter().flatten())
                .all(|q| q.zero_from(n))
    }

    /// Whether `agent` has nothing available ([`ResourceSet::is_empty`]
    /// of the master's own set: its first `kinds` entries).
    fn nothing_available(&self, agent: AgentId) -> bool {
        let a = &self.agents[agent.index()].available;
        a.unreserved.is_empty_first(self.kinds) && a.reserved.is_empty()
    }

    pub(super) fn capable(&self, model: &Model, fw: FrameworkId, agent: AgentId) -> bool {
        !(model.master.filter_gpu_resources
            && self.gpu[agent.index()]
            && !self.frameworks[fw.index()].gpu)
    }

    /// Starts an allocation run: counts it and takes the candidate agents;
    /// returns them and the agents the run visits, those still present,
    /// active and whitelisted, in the run's shuffled order (every kind of
    /// run, order or whole policy).
    pub(crate) fn begin_run(&mut self, shuffle: &mut Stream) -> (Vec<AgentId>, Vec<AgentId>) {
        self.allocation_runs += 1;
        let candidates = self.take_candidates();
        let mut agents = self.run_agents(&candidates);
        shuffle.shuffle(&mut agents);
        (candidates, agents)
    }

    /// The agents a run over `candidates` visits, in id order: those still
    /// present, active and whitelisted.
    fn run_agents(&self, candidates: &[AgentId]) -> Vec<AgentId> {
        // Each candidate written, the count moved on only for those kept:
        // no branch a candidate, and no growing of the list.
        let mut agents = vec![AgentId(0); candidates.len()];
        let mut kept = 0;
        match &self.whitelist {
            None => {
                for &a in candidates {
                    agents[kept] = a;
                    kept += usize::from(self.live[a.index()]);
                }
            }
            Some(allowed) => {
                for &a in candidates {
                    agents[kept] = a;
                    kept += usize::from(self.live[a.index()] & allowed[a.index()]);
                }
            }
        }
        agents.truncate(kept);
        agents
    }

    /// How many agents [`Master::run_agents`] lists, without listing them.
    fn count_run_agents(&self, candidates: &[AgentId]) -> usize {
        match &self.whitelist {
            None => candidates
                .iter()
                .map(|a| usize::from(self.live[a.index()]))
                .sum(),
            Some(allowed) => candidates
                .iter()
                .map(|a| usize::from(self.live[a.index()] & allowed[a.index()]))
                .sum(),
        }
    }

    /// Runs one allocation over the pending candidates.
    pub fn run_allocation(
        &mut self,
        model: &Model,
        now: SimTime,
        shuffle: &mut Stream,
        sorter_rng: &mut StreamSet,
        explain: bool,
    ) -> RunOutput {
        self.allocation_runs += 1;
        let candidates = self.take_candidates();

        // Agents the last run offered nothing (`Master::quiet`) may be
        // passed by when what decides that outcome cannot have changed:
        // not under explain (its rows need the full walk), with sorters
        // that draw no randomness and without quota (whose cuts depend on
        // other agents).
        let may_skip = self.quiet_epoch_for(model, explain);
        // No note of this run's epoch yet (the clients changed, say): no
        // agent is passed by, so stage 2 does not read the notes ahead of
        // its visits (nor clears an offered agent's older note,
        // `Master::clear_quiet`): one line of the notes an agent, at
        // random, not read or written.
        let notes = may_skip && self.notes_may_hold();
        let any_guarantee = self
            .tree
            .children(None)
            .iter()
            .any(|r| !self.roles[r.index()].quota.guarantee.is_empty());
        // A run with no client to offer to and no stage 1 offers nothing
        // and reads no order of its agents (stage 2 passes them all by):
        // its two shuffles only move the stream on, by the words they
        // would take (`Stream::pass_shuffle`), so the runs after it draw
        // what they drew. Most runs of a mostly idle cell whose
        // frameworks suppress when idle (omega-exp) are such runs.
        // Such a run counts its agents without listing them.
        let idle = may_skip && self.quiet_clients.is_empty() && !any_guarantee;
        let (mut agents, considered) = if idle {
            let n = self.count_run_agents(&candidates);
            // Both passes (step g's too) at once.
            shuffle.pass_shuffle_twice(n);
            (Vec::new(), n)
        } else {
            let mut agents = self.run_agents(&candidates);
            if any_guarantee {
                shuffle.shuffle(&mut agents);
            } else {
                // Stage 1 does nothing and reads no order: both shuffles
                // (step g's too) at once, the same draws.
                shuffle.shuffle_twice(&mut agents);
            }
            let n = agents.len();
            (agents, n)
        };

        // c. Quota consumption of top-level roles with a non-default quota.
        let n_roles = self.roles.len();
        let mut consumed = vec![Quantities::ZERO; n_roles];
        for &r in self.tree.children(None) {
            if !self.roles[r.index()].quota.is_default() {
                consumed[r.index()] = self.quota_consumed(r);
            }
        }
        // d. Required headroom: Σ (guarantee − consumed), saturating.
        let mut required = Quantities::ZERO;
        for &r in self.tree.children(None) {
            required.add(
                &self.roles[r.index()]
                    .quota
                    .guarantee
                    .minus(&consumed[r.index()]),
            );
        }
        // e. Available headroom: unallocated unreserved resources.
        let mut headroom = Quantities::ZERO;
        if !required.is_empty() {
            for a in &self.agents {
                if a.present {
                    headroom.add(&a.available.unreserved);
                }
            }
        }

        let mut out = RunOutput {
            agents_considered: considered,
            ..RunOutput::default()
        };
        let mut offerable = std::mem::take(&mut self.offerable);
        offerable.reset(self.agents.len());
        let mut orders = RunOrders::new(self, model, explain);
        // The orders for the agent at hand, in buffers kept for the run.
        let mut role_order: Vec<RoleId> = Vec::new();
        let mut fw_order: Vec<FrameworkId> = Vec::new();

        // f. Stage 1: roles with unsatisfied guarantees.
        if any_guarantee {
            for &agent in &agents {
                orders.role_order(self, model, sorter_rng, &mut role_order);
                for (role_pos, &role) in role_order.iter().enumerate() {
                    let guarantee = self.roles[role.index()].quota.guarantee;
                    if guarantee.is_empty() || self.roles[role.index()].frameworks == 0 {
                        continue;
                    }
                    if self.agents[agent.index()].available.is_empty() {
                        break;
                    }
                    let mut unsat = guarantee.minus(&consumed[role.index()]);
                    if unsat.is_empty() {
                        continue;
                    }
                    let spot = Spot {
                        stage: 1,
                        agent,
                        role_pos,
                        role,
                        role_share: if explain {
                            self.sort_key_of_role(role)
                        } else {
                            0.0
                        },
                    };
                    orders.framework_order(self, model, role, sorter_rng, &mut fw_order);
                    if explain {
                        self.explain_left_out(spot, &mut out.explain);
                    }
                    for (fw_pos, &fw) in fw_order.iter().enumerate() {
                        if unsat.is_empty() {
                            break;
                        }
                        let available = self.agents[agent.index()]
                            .available
                            .allocatable_to(|r| model.role_is_self_or_ancestor(r, role));
                        if available.is_empty() {
                            break;
                        }
                        let note = |master: &Master,
                                    outcome: CandidateOutcome,
                                    res: &Quantities,
                                    out: &mut RunOutput| {
                            if explain {
                                let rank = fw_pos as u32 + 1;
                                let row = master.explain_row(spot, rank, fw, outcome, *res);
                                out.explain.push(row);
                            }
                        };
                        if !self.allocatable(model, fw, &available) {
                            note(
                                self,
                                CandidateOutcome::NotAllocatable,
                                &available.total(),
                                &mut out,
                            );
                            continue;
                        }
                        if !self.capable(model, fw, agent) {
                            note(
                                self,
                                CandidateOutcome::Capability,
                                &available.total(),
                                &mut out,
                            );
                            continue;
                        }
                        let quota_res = available.unreserved;
                        let guarantees_off = quota_res.min_each(&unsat);
                        if guarantees_off.is_empty() {
                            note(
                                self,
                                CandidateOutcome::NoGuaranteeProgress,
                                &available.total(),
                                &mut out,
                            );
                            continue;
                        }
                        let mut to_offer = ResourceSet {
                            unreserved: guarantees_off,
                            reserved: available.reserved.clone(),
                        };
                        let mut extra = quota_res.minus(&guarantees_off);
                        let limits = self.roles[role.index()].quota.limit;
                        if !limits.is_unlimited() {
                            extra = limits
                                .minus(&consumed[role.index()])
                                .minus(&guarantees_off)
                                .shrink(&extra);
                        }
                        if !required.is_empty() && !extra.is_empty() {
                            extra = extra.min_each(&headroom.minus(&required));
                        }
                        to_offer.unreserved.add(&extra);
                        if !self.allocatable(model, fw, &to_offer) {
                            note(
                                self,
                                CandidateOutcome::NotAllocatable,
                                &to_offer.total(),
                                &mut out,
                            );
                            continue;
                        }
                        if self.is_filtered(fw, role, agent, &to_offer) {
                            note(
                                self,
                                CandidateOutcome::Filtered,
                                &to_offer.total(),
                                &mut out,
                            );
                            continue;
                        }
                        note(self, CandidateOutcome::Offered, &to_offer.total(), &mut out);
                        let joins = offerable.add((fw, role, agent), &to_offer);
                        let inc = guarantees_off.plus(&extra);
                        unsat.saturating_sub(&inc);
                        consumed[role.index()].add(&inc);
                        required.saturating_sub(&guarantees_off);
                        headroom.saturating_sub(&inc);
                        let ok = self.agents[agent.index()].available.sub(&to_offer);
                        debug_assert!(ok);
                        self.sync_avail(agent.index());
                        self.charge_offer(model, (fw, role, agent), &to_offer, joins, false, None);
                        orders.touched(fw, role);
                    }
                }
            }
        }

        // g. Shuffle again to spread stage 1's front-loading (MESOS-9778).
        // (Without a guarantee both shuffles, or an idle run's passes,
        // were made above.)
        if any_guarantee {
            shuffle.shuffle(&mut agents);
        }

        // h. Stage 2: everyone, within limits and headroom.
        // Under `slots` (docs/policies.md) each pass hands out one slot and
        // the next slot goes to whoever is first after sorting again.
        let slot = self.slot_size(model);
        let narrow = self.alternatives_narrow(model);
        // Stage 2 changes neither what is required nor, while nothing is,
        // the headroom (read only while some is required).
        let none_required = required.is_empty();
        if may_skip && self.quiet_clients.is_empty() {
            // No client to offer to: nothing would be offered anywhere.
            out.agents_passed_by = considered;
            agents.clear();
        }
        // Per batch of agents, which are quiet (passed by), found before
        // the batch's first visit (see `Master::look_ahead`).
        let mut quiet_now: Vec<bool> = Vec::with_capacity(LOOK_AHEAD);
        // Stage 2 visits each agent once: when stage 1 made no entry, an
        // agent's entries are all made in its visit, and a key is looked
        // for among the visit's entries alone (`Offerable::add_in_visit`).
        let in_visit = offerable.is_empty();
        // One client in the whole run (one framework listed in one role),
        // with sorters that draw nothing and without explain (`may_skip`):
        // every visit's orders are that role and that framework. An order
        // of one framework is that framework whatever its key, and the
        // roles a role order may list besides (in a nested tree) have an
        // empty framework order, where a visit does nothing. So the orders
        // are set here once, and neither asked for nor re-keyed per visit.
        let sole = (may_skip && self.quiet_clients.len() == 1).then(|| self.quiet_clients[0]);
        if let Some((fw, role)) = sole {
            role_order.clear();
            role_order.push(role);
            fw_order.clear();
            fw_order.push(fw);
        }
        // With one client, its offers are added to the framework's and
        // the role tree's sums once, after the walk (`Master::track_run_sums`):
        // nothing in the walk reads them.
        let mut sole_sums = (sole.is_some() && self.sole_fast).then(super::RunSums::default);
        // Whether a visit's charge may be taken back off its agent at the
        // visit's end (`Master::end_visit`).
        let defer = self.defer_charges && !explain && !any_guarantee;
        // A run with one client whose offers nothing cuts (the role has no
        // quota, nothing is required, no slot), whose charges may be
        // deferred, in a scenario of at most four kinds: its visits of
        // plain agents are made in short (`Master::sole_visit`).
        let short = sole.filter(|&(_, role)| {
            let q = &self.roles[role.index()].quota;
            self.sole_fast
                && self.avail_copy
                && defer
                && in_visit
                && slot.is_none()
                && none_required
                && narrow
                && self.kinds <= WORDS
                && q.limit.is_unlimited()
                && q.is_default()
        });
        self.visit = super::Visit::NONE;
        for (k, &agent) in agents.iter().enumerate() {
            if k % LOOK_AHEAD == 0 {
                let batch = &agents[k..agents.len().min(k + LOOK_AHEAD)];
                if short.is_some() && sole_sums.is_some() {
                    self.look_ahead_short(batch, notes, &mut quiet_now);
                } else {
                    self.look_ahead(batch, notes, &mut quiet_now);
                }
            }
            if quiet_now[k % LOOK_AHEAD] {
                out.agents_passed_by += 1;
                continue;
            }
            if let (Some((fw, role)), Some(sums)) = (short, sole_sums.as_mut()) {
                if self.sole_visit(model, (fw, role, agent), &mut offerable, sums) {
                    continue;
                }
            }
            let mut offered_here = false;
            let visit = offerable.len();
            'pass: loop {
                let mut gave = false;
                if sole.is_none() {
                    orders.role_order(self, model, sorter_rng, &mut role_order);
                }
                'roles: for (role_pos, &role) in role_order.iter().enumerate() {
                    if self.nothing_available(agent) {
                        if explain {
                            for (pos, &r) in role_order.iter().enumerate().skip(role_pos) {
                                let spot = Spot {
                                    stage: 2,
                                    agent,
                                    role_pos: pos,
                                    role: r,
                                    role_share: self.sort_key_of_role(r),
                                };
                                self.explain_not_reached(spot, &mut out.explain);
                            }
                        }
                        break;
                    }
                    let spot = Spot {
                        stage: 2,
                        agent,
                        role_pos,
                        role,
                        role_share: if explain {
                            self.sort_key_of_role(role)
                        } else {
                            0.0
                        },
                    };
                    if sole.is_none() {
                        orders.framework_order(self, model, role, sorter_rng, &mut fw_order);
                    }
                    if explain {
                        self.explain_left_out(spot, &mut out.explain);
                    }
                    if fw_order.is_empty() {
                        // No client in this role (all suppressed, say):
                        // nothing to work out here.
                        continue;
                    }
                    // The role's quota, read where it is (a copy was 264
                    // bytes an agent): whether it limits, whether it is
                    // the default (no guarantee either).
                    let (limited, quota_default) = {
                        let q = &self.roles[role.index()].quota;
                        (!q.limit.is_unlimited(), q.is_default())
                    };
                    // Nothing cuts what the agent has for the role (no
                    // limit, no headroom held back, no slot): what is
                    // offered is all of it.
                    let whole = !limited && none_required && slot.is_none();
                    for (fw_pos, &fw) in fw_order.iter().enumerate() {
                        // A filter holding all the agent has holds any offer
                        // to `fw` here: pass it by without working the offer
                        // out (what explain shows needs the full walk).
                        let filters = self.filters_of(fw, role, agent);
                        if !explain
                            && self.filtered_by(filters, &self.agents[agent.index()].available)
                        {
                            continue;
                        }
                        // Nothing reserved on the agent: what it has for
                        // the role is all it has.
                        let plain = self.agents[agent.index()].available.reserved.is_empty();
                        let available = if plain {
                            // Its first `kinds` entries (the rest are
                            // zero): the line of the agent's state that
                            // holds kinds 5 to 12 is not read (see
                            // `Master::look_ahead`).
                            let n = self.kinds;
                            let mut q = Quantities::ZERO;
                            q.0[..n].copy_from_slice(
                                &self.agents[agent.index()].available.unreserved.0[..n],
                            );
                            ResourceSet::unreserved(q)
                        } else {
                            self.agents[agent.index()]
                                .available
                                .allocatable_to(|r| model.role_is_self_or_ancestor(r, role))
                        };
                        if available.unreserved.is_empty_first(self.kinds)
                            && available.reserved.is_empty()
                        {
                            if explain {
                                for (pos, &f) in fw_order.iter().enumerate().skip(fw_pos) {
                                    let (rank, none) = (pos as u32 + 1, Quantities::ZERO);
                                    let row = self.explain_row(
                                        spot,
                                        rank,
                                        f,
                                        CandidateOutcome::NotReached,
                                        none,
                                    );
                                    out.explain.push(row);
                                }
                            }
                            break;
                        }
                        let note = |master: &Master,
                                    outcome: CandidateOutcome,
                                    res: &Quantities,
                                    out: &mut RunOutput| {
                            if explain {
                                let rank = fw_pos as u32 + 1;
                                let row = master.explain_row(spot, rank, fw, outcome, *res);
                                out.explain.push(row);
                            }
                        };
                        if !self.allocatable_within(model, fw, &available, narrow) {
                            if explain {
                                note(
                                    self,
                                    CandidateOutcome::NotAllocatable,
                                    &available.total(),
                                    &mut out,
                                );
                            }
                            continue;
                        }
                        if !self.capable(model, fw, agent) {
                            if explain {
                                note(
                                    self,
                                    CandidateOutcome::Capability,
                                    &available.total(),
                                    &mut out,
                                );
                            }
                            continue;
                        }
                        // When nothing cuts it (`whole`), the offer is
                        // `available` itself, found allocatable above:
                        // taken as it is, not rebuilt from its parts.
                        let to_offer = if whole {
                            available
                        } else {
                            let mut to_offer = available.reserved_only();
                            let mut extra = available.unreserved;
                            let mut cut_by = None;
                            if limited {
                                let limit = self.roles[role.index()].quota.limit;
                                let cut = limit.minus(&consumed[role.index()]).shrink(&extra);
                                if cut != extra {
                                    cut_by = Some(CandidateOutcome::QuotaLimit);
                                }
                                extra = cut;
                            }
                            if !none_required && !extra.is_empty() {
                                let shrunk = extra.min_each(&headroom.minus(&required));
                                if shrunk != extra && cut_by.is_none() {
                                    cut_by = Some(CandidateOutcome::Headroom);
                                }
                                extra = shrunk;
                            }
                            if let Some(slot) = &slot {
                                // Exactly one whole slot, or none.
                                extra = if extra.contains(slot) {
                                    *slot
                                } else {
                                    Quantities::ZERO
                                };
                            }
                            to_offer.unreserved = extra;
                            if !self.allocatable_within(model, fw, &to_offer, narrow) {
                                let why = cut_by.unwrap_or(CandidateOutcome::NotAllocatable);
                                if explain {
                                    let shown = if to_offer.is_empty() {
                                        available.total()
                                    } else {
                                        to_offer.total()
                                    };
                                    note(self, why, &shown, &mut out);
                                }
                                continue;
                            }
                            to_offer
                        };
                        // When nothing is reserved either, it is all the
                        // agent has, which the first filter check found
                        // unfiltered (unless explaining, which skipped
                        // that check).
                        let unfiltered = whole && plain && !explain;
                        if !unfiltered && self.filtered_by(filters, &to_offer) {
                            if explain {
                                note(
                                    self,
                                    CandidateOutcome::Filtered,
                                    &to_offer.total(),
                                    &mut out,
                                );
                            }
                            continue;
                        }
                        if explain {
                            note(self, CandidateOutcome::Offered, &to_offer.total(), &mut out);
                        }
                        // Copied, not moved: a move of the 152-byte set
                        // into the list was a `memcpy` call (3.6% of the
                        // samples), the copy is made in place.
                        let joins = if in_visit {
                            offerable.add_in_visit((fw, role, agent), &to_offer, visit)
                        } else {
                            offerable.add((fw, role, agent), &to_offer)
                        };
                        // What is offered unreserved (what the cuts left).
                        if !quota_default {
                            consumed[role.index()].add(&to_offer.unreserved);
                        }
                        if !none_required {
                            headroom.saturating_sub(&to_offer.unreserved);
                        }
                        let n = self.kinds;
                        let ok = self.agents[agent.index()].available.sub_first(&to_offer, n);
                        debug_assert!(ok);
                        self.sync_avail(agent.index());
                        self.charge_offer(
                            model,
                            (fw, role, agent),
                            &to_offer,
                            joins,
                            defer,
                            sole_sums.as_mut(),
                        );
                        if sole.is_none() {
                            orders.touched(fw, role);
                        }
                        offered_here = true;
                        if slot.is_some() {
                            gave = true;
                            break 'roles;
                        }
                    }
                }
                if !gave {
                    break 'pass;
                }
            }
            if may_skip {
                let a = agent.index();
                if offered_here {
                    self.clear_quiet(a);
                } else {
                    self.quiet
                        .set(a, self.quiet_epoch, &self.agents[a].available);
                }
            }
            if offered_here && self.end_visit(agent, defer) {
                offerable.note_pending(agent);
            }
        }

        if let (Some((fw, role)), Some(sums)) = (sole, &sole_sums) {
            self.track_run_sums(model, fw, role, sums);
        }

        // i. Offers, grouped by framework (Mesos sends one message each),
        // and inverse offers.
        self.finish_run(offerable, &candidates, now, &mut out);
        out
    }

    /// The end of every allocation run: the run's offers, grouped by
    /// framework (Mesos sends one message each), then inverse offers.
    pub(super) fn finish_run(
        &mut self,
        mut offerable: Offerable,
        candidates: &[AgentId],
        now: SimTime,
        out: &mut RunOutput,
    ) {
        let Offerable {
            entries,
            sets,
            pending,
            ..
        } = &mut offerable;
        // By framework, and within a framework in run order (the entries'
        // positions break ties: a stable sort, without moving the entries).
        // Entries whose frameworks already come in order (a run with one
        // client, say) are in that order as they are: no list to sort.
        // One pass over the entries tells that, whether they are all of
        // words, and the sum of their words (added up with saturation, as
        // `add_offered_words` adds them one by one: saturating sums of
        // unsigned quantities do not depend on their grouping).
        let (mut in_order, mut all_words) = (true, true);
        let mut words_sum = [0u64; WORDS];
        let mut last = FrameworkId(0);
        for e in entries.iter() {
            in_order &= last <= e.key.0;
            last = e.key.0;
            all_words &= e.set == RunEntry::WORDS;
            for (t, &w) in words_sum.iter_mut().zip(&e.words) {
                *t = t.saturating_add(w);
            }
        }
        let mut order: Vec<(FrameworkId, u32)> = Vec::new();
        if !in_order {
            order = entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.0, i as u32))
                .collect();
            order.sort_unstable();
        }
        let count = entries.len();
        out.offers.reserve(count);
        // The charges the run's visits deferred (`Master::end_visit`): the
        // state of each of the run's offers, from its first id on. The
        // last run's were all settled or declined before this run began.
        debug_assert_eq!(self.deferred_live, 0);
        self.deferred.clear();
        let deferring = !pending.is_empty();
        if deferring {
            // Each entry's state, by entry (the pending ones noted in
            // entry order), then taken in the offers' order.
            self.deferred_from = self.next_offer;
            self.deferred.resize(count, super::Deferred::WRITTEN);
            for &i in pending.iter() {
                self.deferred[i as usize] = super::Deferred::PENDING;
            }
            self.deferred_live = pending.len() as u32;
            if !in_order {
                let by_entry = std::mem::take(&mut self.deferred);
                self.deferred = order.iter().map(|&(_, i)| by_entry[i as usize]).collect();
            }
        }
        // Entries in order, all of words (nearly every run with one
        // client): the book takes the run's list as it is
        // (`OfferBook::put_run`: kept there when the book holds no other
        // offer, else pushed in one pass), their ids the master's next,
        // one after another; the rest of what `new_offer_of_words` does
        // per offer (the master's total offered) added up here.
        let first = self.next_offer;
        let run = in_order
            && self.bulk_book
            && all_words
            && self.offers.takes_run(OfferId(self.id_of(first)));
        if run {
            self.next_offer += count as u64;
            self.add_offered_words(&words_sum);
            let (stride, from) = (self.partitions, self.id_of(first));
            out.offers
                .extend((0..count as u64).map(|k| OfferId(from + k * stride)));
            out.words_run = true;
        } else {
            for k in 0..count {
                // (`order` is empty when the entries are in order.)
                let i = order.get(k).map_or(k, |&(_, i)| i as usize);
                // 48 bytes read, the book's slot written field by field: no
                // 152-byte set taken out of the entry and moved into the book
                // for an offer of words.
                let e = entries[i];
                let id = if e.set == RunEntry::WORDS {
                    self.new_offer_of_words(e.key, &e.words, now)
                } else {
                    let res = std::mem::take(&mut sets[e.set as usize]);
                    self.new_offer(e.key.0, e.key.1, e.key.2, res, now)
                };
                out.offers.push(id);
            }
        }
        if out.words_run {
            // The entries into the book (and kept there for the records:
            // just read, at hand), the last run's list given back to be
            // cleared: no copy.
            offerable.reset_keeping(self.agents.len(), self.offers.run_list());
            let put = self.offers.put_run(OfferId(self.id_of(first)), now);
            debug_assert!(put, "takes_run said the book takes the run");
        } else {
            offerable.reset(self.agents.len());
        }
        self.offerable = offerable;

        // Inverse offers for the run's candidate agents under maintenance, to
        // every active framework holding resources there (offers made in this
        // run included), one outstanding per (framework, agent), unless
        // filtered (Mesos `generateInverseOffers`).
        if !self.any_maintained() {
            // No agent under maintenance (nearly always): no look at all.
            return;
        }
        for &agent in candidates {
            if !self.maintained[agent.index()] {
                continue;
            }
            let a = &self.agents[agent.index()];
            let Some(u) = a.maintenance else { continue };
            if !a.present {
                continue;
            }
            let holders: Vec<FrameworkId> = a.holders().collect();
            for fw in holders {
                if !self.frameworks[fw.index()].active {
                    continue;
                }
                if self.agents[agent.index()].inverse_outstanding.contains(&fw) {
                    continue;
                }
                if self.inverse_filters.contains_key(&(fw, agent)) {
                    continue;
                }
                self.agents[agent.index()].inverse_outstanding.push(fw);
                out.inverse_offers.push(InverseOffer {
                    framework: fw,
                    agent,
                    start: u.start,
                    duration: u.duration,
                });
            }
        }
    }

    /// The offers of the last run whose output has `words_run`, in the
    /// order of its `offers`: each one's framework, role, agent and words
    /// (what the offer book holds for it, every other quantity zero).
    pub fn last_run_words(
        &self,
    ) -> impl Iterator<Item = (FrameworkId, RoleId, AgentId, &[u64; WORDS])> + '_ {
        self.offers
            .run_entries()
            .iter()
            .map(|e| (e.key.0, e.key.1, e.key.2, &e.words))
    }

    /// Stage 2's visit of `agent` in a run with one client, `fw` in
    /// `role` (the run's `short`: the offer is all the agent has, its
    /// charge may be deferred, at most four kinds, no explain), made in
    /// short when the agent has nothing reserved and is neither under
    /// maintenance, nor owing, nor flagged for a holder of nothing.
    /// Returns false, having changed nothing, for any other agent, which
    /// the general visit then takes.
    ///
    /// What the general visit does for such an agent, step by step, and
    /// here at once: the agent is offered all it has (its first four
    /// quantities, the words) unless it has nothing, a filter of `fw`
    /// holds it, it is not allocatable to `fw` or `fw` cannot take its
    /// GPUs; the offer is the visit's one entry (`Offerable::add_in_visit`
    /// finds none before it and keeps it as words), one item of one
    /// offer, so `end_visit` defers its charge: taken off the agent's
    /// line and put back whole, no hold written, the entry noted pending
    /// (`Offerable::note_pending`). So the agent's state is not written
    /// at all; the sums get the offer through the run's `RunSums`; the
    /// quiet note is cleared (offered; `Master::clear_quiet`) or set
    /// (not).
    #[inline]
    fn sole_visit(
        &mut self,
        model: &Model,
        (fw, role, agent): (FrameworkId, RoleId, AgentId),
        offerable: &mut Offerable,
        sums: &mut super::RunSums,
    ) -> bool {
        let a = agent.index();
        if self.maintained[a] || self.owes[a] || self.zero_held(a) || self.avail_reserved[a] {
            return false;
        }
        // What the agent has available, from the dense copy (the agent's
        // state itself is read only when a filter of `fw` is there).
        let words = self.avail_of(a);
        debug_assert!(self.agents[a].available.unreserved.zero_from(self.kinds));
        let offered = words != [0; WORDS]
            && !self.filtered_by(self.filters_of(fw, role, agent), &self.agents[a].available)
            && self.allocatable_words(model, fw, &words)
            && self.capable(model, fw, agent);
        if offered {
            offerable.push_words((fw, role, agent), words);
            offerable.note_pending(agent);
            sums.add_words(&words);
            self.clear_quiet(a);
        } else {
            self.quiet.set_words(a, self.quiet_epoch, &words);
        }
        true
    }

    /// [`Master::allocatable_within`] (narrow) of an agent's available
    /// resources with nothing reserved, its first four unreserved entries
    /// `words` not all zero (every other entry zero, at most four kinds):
    /// the same answer, read from the words.
    #[inline]
    fn allocatable_words(&self, model: &Model, fw: FrameworkId, words: &[u64; WORDS]) -> bool {
        let n = self.kinds;
        debug_assert!(n <= WORDS && words != &[0; WORDS]);
        let alternatives = self.min_allocatable_of(model, fw);
        alternatives.is_empty()
            || alternatives
                .iter()
                .any(|alt| words[..n].iter().zip(&alt.0[..n]).all(|(w, m)| w >= m))
    }

    /// For the next `batch` of stage 2's agents: into `quiet`, whether
    /// each is passed by as quiet (`Master::quiet`, when the run reads the
    /// notes: it may skip and some note may be of its epoch, `notes`),
    /// and for the others, a read of the line of their state that a visit
    /// and an offer read first (what the agent has available and who holds
    /// resources there, see `AgentState`).
    ///
    /// Stage 2 visits agents in the shuffle's random order, and each visit
    /// used to begin with cache misses on that agent's state, one agent
    /// after another: the first read of `available` was more than half of
    /// `run_allocation`'s own time in google-day, the read of the agent's
    /// holders two thirds of `track`'s. Here the reads of a whole batch
    /// are independent of each other, in a short loop, so the processor
    /// has many of them in flight at once. Nothing a visit does changes
    /// another agent's note or state, so deciding the batch's notes before
    /// its visits decides them as deciding each just before its visit did.
    fn look_ahead(&self, batch: &[AgentId], notes: bool, quiet: &mut Vec<bool>) {
        quiet.clear();
        let mut warm = 0u64;
        for &agent in batch {
            let a = &self.agents[agent.index()];
            let passed = notes
                && self
                    .quiet
                    .holds(agent.index(), self.quiet_epoch, &a.available);
            quiet.push(passed);
            if !passed {
                // The first and the last of the scenario's `kinds`
                // entries: the lines of the 128-byte vector that a visit
                // reads (every entry from `kinds` on is zero, and a visit
                // reads the first `kinds` only unless something is
                // reserved or a filter is looked at); with up to four
                // kinds that is the first line alone, where every entry
                // was read here before (one more line an agent).
                let q = &a.available.unreserved.0;
                let last = self.kinds.clamp(1, q.len()) - 1;
                warm ^= q[0] ^ q[last];
                warm ^= a.available.reserved.len() as u64;
                warm ^= a.first_word();
            }
        }
        // Keeps the reads (their values are not otherwise used).
        std::hint::black_box(warm);
    }

    /// [`Master::look_ahead`] in a run whose plain agents are visited in
    /// short (`Master::sole_visit`): the same notes decided, the notes of
    /// agents with nothing reserved available checked against the dense
    /// copy of what they have (`avail_words`), and the read ahead made of
    /// what the short visit reads, that copy, instead of the agent's state
    /// (the few agents the short visit leaves to the general one, under
    /// maintenance, owing, flagged for a holder of nothing or with
    /// something reserved, are not read ahead).
    fn look_ahead_short(&self, batch: &[AgentId], notes: bool, quiet: &mut Vec<bool>) {
        quiet.clear();
        let mut warm = 0u64;
        for &agent in batch {
            let a = agent.index();
            let reserved = self.avail_reserved[a];
            let passed = notes
                && if reserved {
                    self.quiet
                        .holds(a, self.quiet_epoch, &self.agents[a].available)
                } else {
                    self.quiet
                        .holds_words(a, self.quiet_epoch, &self.avail_of(a))
                };
            quiet.push(passed);
            if !passed {
                warm ^= self.avail_words[a * self.avail_stride()];
            }
        }
        std::hint::black_box(warm);
    }

    /// One slot of `master.slot_size` when a sorter's policy hands out
    /// slots (`slots`), else `None`.
    /// Whether this run may pass quiet agents by (see `run_allocation`);
    /// moves [`Master::quiet_epoch`] on when the clients changed since the
    /// last run or this run may not, so older notes no longer count.
    fn quiet_epoch_for(&mut self, model: &Model, explain: bool) -> bool {
        let m = &model.master;
        let may_skip = !explain
            && !m.role_sorter.orders_whole()
            && !m.framework_sorter.orders_whole()
            && self.roles.iter().all(|r| r.quota.is_default());
        let mut clients = Vec::with_capacity(self.quiet_clients.len());
        for (role, fws) in self.role_frameworks.iter().enumerate() {
            let role = RoleId(role as u32);
            for &fw in fws {
                let fs = &self.frameworks[fw.index()];
                if fs.active
                    && fs
                        .role_index(role)
                        .is_some_and(|ri| !fs.roles[ri].suppressed)
                {
                    clients.push((fw, role));
                }
            }
        }
        if !may_skip || clients != self.quiet_clients {
            self.quiet_epoch += 1;
            self.quiet_clients = clients;
        }
        may_skip
    }

    fn slot_size(&self, model: &Model) -> Option<Quantities> {
        let m = &model.master;
        if m.role_sorter.offers_in_slots() || m.framework_sorter.offers_in_slots() {
            m.policy_params.slot_size
        } else {
            None
        }
    }

    /// A role's current sort key (share ÷ weight) as its parent level sees it.
    fn sort_key_of_role(&self, role: RoleId) -> f64 {
        let rs = &self.roles[role.index()];
        let alloc = if self.has_child_clients(role) {
            &rs.own_alloc
        } else {
            &rs.subtree_alloc
        };
        let w = if self.has_child_clients(role) {
            1.0
        } else {
            rs.weight
        };
        self.share_basis.dominant_share(alloc) / w
    }

    fn framework_sort_share(&self, fw: FrameworkId, role: RoleId) -> f64 {
        match self.frameworks[fw.index()].role_index(role) {
            Some(ri) => self.framework_role_share(fw, ri),
            None => 0.0,
        }
    }

    /// An explanation row for framework `fw` at `spot`; `framework_rank` 0:
    /// not in the sorted order.
    fn explain_row(
        &self,
        spot: Spot,
        framework_rank: u32,
        fw: FrameworkId,
        outcome: CandidateOutcome,
        resources: Quantities,
    ) -> ExplainRow {
        ExplainRow {
            stage: spot.stage,
            agent: spot.agent,
            role_rank: spot.role_pos as u32 + 1,
            role: spot.role,
            role_share: spot.role_share,
            framework_rank,
            framework: fw,
            framework_share: self.framework_sort_share(fw, spot.role),
            outcome,
            resources,
        }
    }

    /// Stage 2 rows for a role the run did not reach on this agent (it had
    /// nothing left): the frameworks its sorter would list, in id order
    /// with rank 0 (sorting them could draw from the random sorter's
    /// stream and change the run).
    fn explain_not_reached(&self, spot: Spot, rows: &mut Vec<ExplainRow>) {
        for &fw in &self.role_frameworks[spot.role.index()] {
            let fs = &self.frameworks[fw.index()];
            let listed = fs.active
                && fs
                    .role_index(spot.role)
                    .is_some_and(|ri| !fs.roles[ri].suppressed);
            if listed {
                let none = Quantities::ZERO;
                rows.push(self.explain_row(spot, 0, fw, CandidateOutcome::NotReached, none));
            }
        }
    }

    /// Rows for the frameworks the role's sorter left out (suppressed).
    fn explain_left_out(&self, spot: Spot, rows: &mut Vec<ExplainRow>) {
        for fw in self.frameworks_left_out(spot.role) {
            if self.frameworks[fw.index()].active {
                let none = Quantities::ZERO;
                rows.push(self.explain_row(spot, 0, fw, CandidateOutcome::Suppressed, none));
            }
        }
    }
}

/// Where the explanation rows of one role on one agent stand in a run.
#[derive(Clone, Copy)]
struct Spot {
    stage: u8,
    agent: AgentId,
    /// 0-based position in this agent's role order.
    role_pos: usize,
    role: RoleId,
    /// The role's sort key when the order was computed.
    role_share: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::MAX_RESOURCE_KINDS;

    impl Offerable {
        /// Each entry's key and resources, in entry order.
        fn whole(&self) -> Vec<((FrameworkId, RoleId, AgentId), ResourceSet)> {
            self.entries
                .iter()
                .map(|e| {
                    let res = if e.set == RunEntry::WORDS {
                        ResourceSet::unreserved(quantities(&e.words))
                    } else {
                        self.sets[e.set as usize].clone()
                    };
                    (e.key, res)
                })
                .collect()
        }
    }

    /// The run's entries kept as words (or whole when they are not)
    /// against a list of whole sets looked up by key, as `Offerable` kept
    /// them before: the same keys in the same order with the same sums,
    /// through additions of every shape (words, a kind after the first
    /// `WORDS`, a reservation) to new and existing keys, across resets.
    #[test]
    fn entries_as_words_are_the_whole_sets() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut draw = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let agents = 7;
        let mut run = Offerable::new(agents);
        for round in 0..200 {
            let mut reference: Vec<((FrameworkId, RoleId, AgentId), ResourceSet)> = Vec::new();
            for _ in 0..(draw() % 40) {
                let r = draw();
                let key = (
                    FrameworkId((r % 3) as u32),
                    RoleId(((r >> 2) % 2) as u32),
                    AgentId(((r >> 4) % agents as u64) as u32),
                );
                let mut res = ResourceSet::default();
                for k in 0..WORDS {
                    res.unreserved.0[k] = (r >> (8 + 8 * k)) & 0x3f;
                }
                match (r >> 40) % 8 {
                    0 => {
                        res.unreserved.0
                            [WORDS + (r >> 44) as usize % (MAX_RESOURCE_KINDS - WORDS)] = 9
                    }
                    1 => {
                        let mut q = Quantities::ZERO;
                        q.0[(r >> 44) as usize % 2] = 4;
                        res.add_reserved(RoleId(((r >> 48) % 2) as u32), &q);
                    }
                    _ => {}
                }
                run.add(key, &res);
                match reference.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sum)) => sum.add(&res),
                    None => reference.push((key, res)),
                }
            }
            assert_eq!(run.whole(), reference, "round {round}");
            run.reset(agents);
        }
    }

    /// Entries made visit by visit (`add_in_visit`: each agent visited
    /// once, its keys looked for among the visit's entries alone) against
    /// the keyed `add` of the same additions: the same answers (whether a
    /// key held something already), the same entries in the same order,
    /// through rounds of both kinds on one `Offerable` (a visit round
    /// leaves no stale head behind for a keyed round, and back).
    #[test]
    fn entries_made_in_visits_are_the_keyed_ones() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut draw = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let agents = 9;
        let mut run = Offerable::new(agents);
        let mut keyed = Offerable::new(agents);
        for round in 0..300 {
            let in_visits = draw() % 3 != 0;
            // The agents in a shuffled order, each visited once.
            let mut order: Vec<u32> = (0..agents as u32).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, (draw() % (i as u64 + 1)) as usize);
            }
            for &agent in &order[..(draw() % (agents as u64 + 1)) as usize] {
                let visit = run.len();
                for _ in 0..(draw() % 6) {
                    let r = draw();
                    let key = (
                        FrameworkId((r % 3) as u32),
                        RoleId(((r >> 2) % 2) as u32),
                        AgentId(agent),
                    );
                    let mut res = ResourceSet::default();
                    for k in 0..WORDS {
                        res.unreserved.0[k] = (r >> (8 + 8 * k)) & 0x7;
                    }
                    match (r >> 40) % 8 {
                        0 => res.unreserved.0[WORDS + (r >> 44) as usize % 3] = 5,
                        1 => {
                            let mut q = Quantities::ZERO;
                            q.0[0] = 2;
                            res.add_reserved(RoleId(((r >> 48) % 2) as u32), &q);
                        }
                        _ => {}
                    }
                    let want = keyed.add(key, &res);
                    let got = if in_visits {
                        run.add_in_visit(key, &res, visit)
                    } else {
                        run.add(key, &res)
                    };
                    assert_eq!(got, want, "round {round}");
                }
            }
            assert_eq!(run.whole(), keyed.whole(), "round {round}");
            run.reset(agents);
            keyed.reset(agents);
        }
    }
}
