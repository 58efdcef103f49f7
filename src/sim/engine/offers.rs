//! Allocation runs, offers and the frameworks' answers to them.

use super::*;
use crate::master::{Demand, Held, NewFilter};
use std::ops::Range;

impl<'m> Simulation<'m> {
    /// For the frameworks whose valuation has a deadline bonus: their
    /// pending tasks per role (resource vector → how many) in jobs whose
    /// deadline (`jobs[].deadline` after submission) is still ahead.
    fn urgent_pending(&self) -> BTreeMap<(FrameworkId, RoleId), BTreeMap<Quantities, u64>> {
        let mut urgent: BTreeMap<(FrameworkId, RoleId), BTreeMap<Quantities, u64>> =
            BTreeMap::new();
        for (i, fm) in self.frameworks.iter().enumerate() {
            if self.model.frameworks[i].valuation.deadline_bonus == 0.0 {
                continue;
            }
            for &j in fm.queue.values() {
                let spec = self.jobs.spec(self.model, j);
                let state = self.jobs.state(j);
                let (Some(deadline), Some(submitted)) = (spec.deadline, state.submitted_at) else {
                    continue;
                };
                if self.now >= submitted.plus(deadline) {
                    continue;
                }
                let n = state.pending_count(spec.tasks) as u64;
                if n > 0 {
                    *urgent
                        .entry((FrameworkId(i as u32), spec.role))
                        .or_default()
                        .entry(spec.resources)
                        .or_insert(0) += n;
                }
            }
        }
        urgent
    }

    pub(super) fn allocation_run(
        &mut self,
        seq: u64,
        partition: PartitionId,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        let p = partition.index();
        if !self.failover.allocates(partition) {
            self.skip_run(partition);
            return;
        }
        let out = match &model.master.allocator {
            None => self.masters[p].run_allocation(
                model,
                self.now,
                &mut self.shuffle_rngs[p],
                &mut self.sorter_rngs[p],
                self.explain,
            ),
            Some(policy) => {
                let urgent = self.urgent_pending();
                let frameworks = &self.frameworks;
                let pending = |fw: FrameworkId, role| Demand {
                    pending: frameworks[fw.index()]
                        .pending
                        .get(&role)
                        .map(|p: &PendingTasks| &p.shapes),
                    urgent: urgent.get(&(fw, role)),
                };
                let out = self.masters[p].run_whole_allocation(
                    model,
                    &**policy,
                    self.now,
                    &mut self.shuffle_rngs[p],
                    &pending,
                );
                if policy.uses_budgets() {
                    let m = &self.masters[p];
                    let budgets: Vec<f64> = (0..model.frameworks.len())
                        .map(|f| m.framework(FrameworkId(f as u32)).budget)
                        .collect();
                    self.tell_counted(obs);
                    obs.budgets(model, self.now, partition, &out.sales, &budgets);
                }
                out
            }
        };
        if let Some(rc) = model.master.run_cost {
            // Simulated cost only (docs/partitions.md): reported, not
            // waited for. Clients: frameworks registered with this master.
            let m = &self.masters[p];
            let clients = (0..model.frameworks.len())
                .filter(|&f| m.framework(FrameworkId(f as u32)).registered)
                .count() as u64;
            self.run_costs[p].push(rc.of(out.agents_considered as u64, clients));
        }
        if self.periodic_waiting[p] {
            // The next periodic run is armed once this one is done.
            self.periodic_waiting[p] = false;
            self.queue.push(
                self.now.plus(model.master.allocation_interval),
                Event::AllocationTick(partition),
            );
        }
        if !out.explain.is_empty() {
            self.tell_counted(obs);
        }
        for row in &out.explain {
            obs.explain(model, self.now, seq, row);
        }
        // One reply per framework for this run's offers (Mesos sends them in
        // one message); `hold` frameworks never reply.
        let answers = |fw: FrameworkId| model.frameworks[fw.index()].behavior != Behavior::Hold;
        if self.masters[p].charges_deferred() {
            self.charges_in = Some(p);
        }
        // A framework's offers of the run, one after another in
        // `out.offers`: the framework and where its first is.
        let mut replies: Vec<(FrameworkId, usize)> = Vec::new();
        let mut group = |i: usize, framework: FrameworkId| {
            if replies.last().is_none_or(|&(fw, _)| fw != framework) {
                replies.push((framework, i));
            }
        };
        // Offers only counted (the default observers): each record hashed
        // from the offer where it lies in the book, as `emit` does with a
        // counted kind, without an `About` (168 bytes) built and passed for
        // each; the run's offers read from the book's entries one after
        // another (`Master::offers_in`), and counted a framework's at once
        // after the pass (as one count each would merge: nothing between
        // them tells the observers).
        let counted_only = !self.record_kinds.contains(RecordKind::Offer);
        let kinds = self.cluster.kinds();
        if counted_only && out.words_run {
            // Read from the run's own list (the book's, `OfferBook::put_run`),
            // not offer by offer through the book's look-ups: the same
            // frameworks, roles, agents and words, in the same order, where
            // the run has just written them.
            let m = &self.masters[p];
            debug_assert_eq!(m.last_run_words().count(), out.offers.len());
            for (i, (framework, role, agent, words)) in m.last_run_words().enumerate() {
                hash_record(
                    &mut self.digest,
                    (self.now, seq, RecordKind::Offer),
                    [framework.0, role.0, agent.0],
                    None,
                    words,
                    kinds,
                );
                group(i, framework);
            }
        } else if counted_only {
            let m = &self.masters[p];
            for (i, offer) in m.offers_in(&out.offers).enumerate() {
                let offer = offer.expect("new offer");
                // An offer of words: the words (every other quantity
                // zero), as they are in the book.
                let summed;
                let total: &[u64] = match offer.held {
                    Held::Words(w) => w,
                    Held::Whole(res) if res.reserved.is_empty() => &res.unreserved.0,
                    Held::Whole(res) => {
                        summed = res.total();
                        &summed.0
                    }
                };
                hash_record(
                    &mut self.digest,
                    (self.now, seq, RecordKind::Offer),
                    [offer.framework.0, offer.role.0, offer.agent.0],
                    None,
                    total,
                    kinds,
                );
                group(i, offer.framework);
            }
        } else {
            for (i, &id) in out.offers.iter().enumerate() {
                let offer = self.masters[p].offer(id).expect("new offer");
                let framework = offer.framework;
                let about = About::offer(&offer);
                self.emit(obs, seq, RecordKind::Offer, about);
                group(i, framework);
            }
        }
        // Each framework's offers: `from..to` of `out.offers`.
        let ends = replies
            .iter()
            .skip(1)
            .map(|&(_, from)| from)
            .chain([out.offers.len()]);
        let replies: Vec<(FrameworkId, Range<usize>)> = replies
            .iter()
            .zip(ends)
            .map(|(&(fw, from), to)| (fw, from..to))
            .collect();
        self.counters.offers_made += out.offers.len() as u64;
        for (framework, range) in &replies {
            let n = range.len() as u64;
            self.fw_counters[framework.index()].offers_received += n;
            if counted_only {
                self.count_records(obs, seq, RecordKind::Offer, Some(*framework), n);
            }
        }
        if let Some(t) = model.master.offer_timeout {
            for &id in &out.offers {
                self.queue
                    .push(self.now.plus(t), Event::OfferTimeout(partition, id));
            }
        }
        // Each reply's ids copied from the run's list at once (the whole
        // list moved when the run made one framework offers), not pushed
        // one by one.
        let mut ids = out.offers;
        let one_reply = replies.len() == 1;
        for (framework, range) in replies {
            if answers(framework) {
                let offers = if one_reply {
                    std::mem::take(&mut ids)
                } else {
                    ids[range].to_vec()
                };
                // Every offer of the reply is outstanding now (read
                // above): while the framework's count of offers removed
                // stays this, they all still are.
                let removals = self.masters[p].offer_removals(framework);
                self.queue.push(
                    self.now,
                    Event::OfferReply {
                        partition,
                        framework,
                        removals,
                        offers,
                    },
                );
            }
        }
        for inv in out.inverse_offers {
            self.counters.inverse_offers += 1;
            self.emit(
                obs,
                seq,
                RecordKind::InverseOffer,
                About::default().framework(inv.framework).agent(inv.agent),
            );
            if answers(inv.framework) {
                let (framework, agent) = (inv.framework, inv.agent);
                self.queue.push(
                    self.now,
                    Event::InverseReply {
                        partition,
                        framework,
                        agent,
                    },
                );
            }
        }
    }

    /// A framework receives one allocation run's offers as a batch: it
    /// decides now; the answers take effect now, or all together after the
    /// batch's decision time (the offers stay held meanwhile).
    pub(super) fn offer_reply(
        &mut self,
        seq: u64,
        partition: PartitionId,
        fw: FrameworkId,
        (removals, offers): (u64, &[OfferId]),
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        // Rescinded meanwhile: nothing to answer. No offer of the
        // framework's left the master since the run (its count of
        // removals is the same): all are still there, none looked up.
        let checked: Vec<OfferId>;
        let live: &[OfferId] = if self.masters[partition.index()].offer_removals(fw) == removals {
            if self.check {
                self.check_reply_live(partition, fw, offers);
            }
            offers
        } else {
            checked = offers
                .iter()
                .copied()
                .filter(|id| self.has_offer(*id))
                .collect();
            &checked
        };
        if live.is_empty() {
            return;
        }
        let spec = &model.frameworks[fw.index()];
        // The offers from `declined_from` on are declined from their ids,
        // after the decision's answers (see `framework::decide_while_queued`).
        let mut declined_from = live.len();
        let d = if framework::decides_first_fit(spec) && !self.every_slot_made {
            // Slots made only while the framework has jobs to place.
            let masters = &self.masters;
            let make = |id: SlotId| {
                let m = &masters[Master::partition_of_id(id.0, masters.len())];
                m.offer(OfferId::of_slot(id))
                    .expect("a live offer")
                    .slot(partition)
            };
            let mut ids = live.iter().map(|id| SlotId(id.0));
            if self.every_answer_made {
                framework::decide_drawn(
                    model,
                    fw,
                    &mut self.frameworks[fw.index()],
                    &mut self.jobs,
                    ids,
                    make,
                    self.now,
                )
            } else {
                let d = framework::decide_while_queued(
                    model,
                    fw,
                    &mut self.frameworks[fw.index()],
                    &mut self.jobs,
                    &mut ids,
                    make,
                    self.now,
                );
                declined_from = live.len() - ids.len();
                d
            }
        } else {
            let slots: Vec<Slot> = live
                .iter()
                .map(|id| self.offer(*id).expect("a live offer").slot(partition))
                .collect();
            framework::decide(
                model,
                fw,
                &mut self.frameworks[fw.index()],
                &mut self.jobs,
                &slots,
                self.now,
            )
        };
        let declines = &live[declined_from..];
        if spec.behavior == Behavior::Batch {
            self.note_decided(&d, obs);
        } else {
            self.note_abandoned(&d, obs);
        }
        if d.hold_started {
            let timeout = spec.gang_hold_timeout.expect("holding needs a timeout");
            self.queue.push(
                self.now.plus(timeout),
                Event::HoldTimeout {
                    framework: fw,
                    epoch: self.frameworks[fw.index()].hold_epoch,
                },
            );
        }
        let dt = spec.decision_time;
        if let Some(s) = self.offer_schedulers.get_mut(fw.index()) {
            let tasks: u64 = d.answers.iter().map(|a| a.launches.len() as u64).sum();
            s.attempts += 1;
            s.transactions += u64::from(tasks > 0);
            s.tasks_committed += tasks;
        }
        if dt.is_zero() {
            self.apply_answers(seq, fw, d.answers, declines, obs);
        } else {
            // One scheduler thread, one `resourceOffers` callback per
            // allocation run: the run's offers are decided as one batch,
            // costing per_offer × the offers received (answered or kept) +
            // per_job × the jobs launched from + per_task × the tasks
            // launched; every answer takes effect when the batch is decided
            // (so a gang job placed across several offers starts whole).
            // A batch that arrives while the framework is still deciding an
            // earlier one waits for it.
            let mut jobs: BTreeSet<JobId> = BTreeSet::new();
            let mut tasks = 0u64;
            for a in &d.answers {
                tasks += a.launches.len() as u64;
                jobs.extend(a.launches.iter().filter_map(|l| l.job));
            }
            let cost = dt.of(live.len() as u64, jobs.len() as u64, tasks);
            let at = self.now.max(self.busy_until[fw.index()]).plus(cost);
            if let Some(s) = self.offer_schedulers.get_mut(fw.index()) {
                s.busy_us = s.busy_us.saturating_add(cost);
            }
            if !d.answers.is_empty() || !declines.is_empty() {
                let id = self.next_answer;
                self.next_answer += 1;
                self.answers.insert(id, (fw, d.answers, declines.to_vec()));
                self.queue.push(at, Event::Answer(id));
            }
            self.busy_until[fw.index()] = at;
        }
        self.idle_check(seq, fw, obs);
    }

    /// Under `--check`: a reply whose framework's
    /// count of offers removed did not change since its run (so taken as
    /// all outstanding, `offer_reply`) has every offer still in the book;
    /// else the first that is not is kept for `check_invariants` to report.
    fn check_reply_live(&mut self, partition: PartitionId, fw: FrameworkId, offers: &[OfferId]) {
        if let Some(id) = offers.iter().find(|id| !self.has_offer(**id)) {
            self.reply_gone.get_or_insert_with(|| {
                format!(
                    "partition {}: framework {}'s reply counts its offer {} outstanding (no removal counted since the run), but it is gone",
                    partition.0,
                    fw.0,
                    id.0
                )
            });
        }
    }

    /// A batch framework's decision, counted: its chosen tasks leave the
    /// pending count and wait for their answer (or commit); abandoned jobs
    /// withdraw theirs.
    pub(super) fn note_decided(&mut self, d: &framework::Decision, obs: &mut dyn Observer) {
        self.pending_total -= d.launched;
        self.in_decision += d.launched;
        for a in &d.answers {
            for l in &a.launches {
                if let Some(j) = l.job {
                    self.jobs.state_mut(j).deciding += 1;
                }
            }
        }
        self.note_abandoned(d, obs);
    }

    fn note_abandoned(&mut self, d: &framework::Decision, obs: &mut dyn Observer) {
        for &(j, withdrawn) in &d.abandoned {
            self.pending_total -= withdrawn as u64;
            self.counters.jobs_abandoned += 1;
            if self.jobs.state(j).abandoned_and_idle() {
                self.job_done(j, obs);
            }
        }
    }

    /// Applies a framework's answers in order: declines, or accepts with
    /// launches; then declines the offers `declines` (the answers with no
    /// launch that came after the last of `answers`, left as ids: see
    /// `framework::decide_while_queued`), in order. Launches on offers that
    /// went away (rescinded during the decision time) go back to their
    /// jobs; a gang job then loses all its launches, so that it never
    /// starts in part. An offer of `declines` that went away is passed by,
    /// as an answer with no launch on it is.
    pub(super) fn apply_answers(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        mut answers: Vec<Answer>,
        declines: &[OfferId],
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        let refuse = model.frameworks[fw.index()].refuse;
        let answer_ids: Vec<OfferId> = answers.iter().map(|a| OfferId::of_slot(a.slot)).collect();
        let gone: BTreeSet<OfferId> = answers
            .iter()
            .filter(|a| !self.has_offer(OfferId::of_slot(a.slot)))
            .map(|a| OfferId::of_slot(a.slot))
            .collect();
        if !gone.is_empty() {
            // A lost task goes back through its master.
            self.settle_charges();
            let broken: BTreeSet<JobId> = answers
                .iter()
                .filter(|a| gone.contains(&OfferId::of_slot(a.slot)))
                .flat_map(|a| a.launches.iter().filter_map(|l| l.job))
                .filter(|j| self.jobs.spec(model, *j).gang)
                .collect();
            for a in answers.iter_mut() {
                let is_gone = gone.contains(&OfferId::of_slot(a.slot));
                let (back, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut a.launches)
                    .into_iter()
                    .partition(|l| is_gone || l.job.is_some_and(|j| broken.contains(&j)));
                a.launches = keep;
                for l in back {
                    if let Some(j) = l.job {
                        self.in_decision -= 1;
                        self.jobs.state_mut(j).deciding -= 1;
                        self.task_lost(fw, j, l.index, obs);
                    }
                }
            }
        }
        for (i, a) in answers.into_iter().enumerate() {
            if i % LOOK_AHEAD == 0 && !self.one_decline_at_a_time {
                self.look_ahead_answers(&answer_ids[i..(i + LOOK_AHEAD).min(answer_ids.len())]);
            }
            let id = OfferId::of_slot(a.slot);
            let launches = a.launches;
            if launches.is_empty() {
                self.decline_answer(seq, fw, id, refuse, obs);
                continue;
            }
            let Some((role, agent)) = self.offer(id).map(|o| (o.role, o.agent)) else {
                continue;
            };
            let p = self.partition_of_id(id.0);
            // The accept and its launches read the agents' states and the
            // sums.
            self.settle_returns();
            let used: Vec<ResourceSet> = launches.iter().map(|l| l.resources.clone()).collect();
            let mut used_total = Quantities::ZERO;
            for u in &used {
                used_total.add(&u.total());
            }
            self.counters.offers_accepted += 1;
            self.fw_counters[fw.index()].offers_accepted += 1;
            self.emit(
                obs,
                seq,
                RecordKind::Accept,
                About::default()
                    .framework(fw)
                    .role(role)
                    .agent(agent)
                    .resources(used_total),
            );
            // The observer sees the offer as it was made (before the
            // accept changes it); it reads nothing else, and nothing
            // else reaches it in between, so telling it first is the
            // same as telling it after, without a copy of the offer.
            self.tell_counted(obs);
            let offer = self.offer(id).expect("answered offer present").to_offer();
            obs.offer_launched(model, &offer, self.now);
            let filter = self.masters[p].accept(model, id, &used, refuse, self.now);
            for l in launches {
                self.launch(seq, fw, role, agent, l, obs);
            }
            if let Some(f) = filter {
                self.push_filter_expiry(PartitionId(p as u32), f);
            }
        }
        if self.one_decline_at_a_time {
            for &id in declines {
                self.decline_answer(seq, fw, id, refuse, obs);
            }
        } else {
            self.decline_ids(seq, fw, declines, refuse, obs);
        }
        self.settle_returns();
    }

    /// [`Simulation::decline_answer`] of each of `ids` in turn, taken
    /// `LOOK_AHEAD` at a time in one pass each: the masters' declines
    /// (with one master the chunk in one call, `decline_many_deferring`:
    /// book and filter, return left for later, the filters of offers of
    /// words kept for the end), then their records in one loop
    /// (`emit_declines`), then their filters' expiries, a run of one
    /// partition and expiry in one queue push (`push_filter_expiries`);
    /// after the last chunk, the kept filters installed in agent order and
    /// their expiries pushed (`Master::install_deferred`).
    /// The same records in the same order, the same filters and the same
    /// queue entries in the same order: nothing the records do reads a
    /// master or the queue (they reach the digest and the observers only,
    /// whose `record` and `counted` take no `View`), and nothing the
    /// declines do reaches the observers or the queue.
    fn decline_ids(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        ids: &[OfferId],
        refuse: DurationUs,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        let mut done = std::mem::take(&mut self.declines);
        let mut parts: Vec<u32> = Vec::with_capacity(LOOK_AHEAD);
        for chunk in ids.chunks(LOOK_AHEAD) {
            done.clear();
            parts.clear();
            if self.masters.len() == 1 {
                // One master (nearly every scenario): the chunk at once,
                // read ahead in the master; the filters of its offers of
                // words installed after the last chunk, in agent order.
                self.masters[0].decline_many_deferring(model, chunk, refuse, self.now, &mut done);
            } else {
                self.look_ahead_answers(chunk);
                for &id in chunk {
                    let p = self.partition_of_id(id.0);
                    if let Some(d) = self.masters[p].decline_deferred(model, id, refuse, self.now) {
                        done.push(d);
                        parts.push(p as u32);
                    }
                }
            }
            parts.resize(done.len(), 0);
            let n = done.len() as u64;
            self.counters.offers_declined += n;
            self.fw_counters[fw.index()].offers_declined += n;
            self.emit_declines(obs, seq, fw, done.as_slice(), done.width());
            self.push_filter_expiries(done.as_slice(), &parts);
        }
        self.declines = done;
        if self.masters.len() == 1 {
            // The deferred filters (see `Master::decline_many_deferring`),
            // their expiries pushed after any the chunks pushed: nothing
            // else reaches the queue in between, so the entry and its
            // numbers are those the chunks would have pushed.
            let mut ids = self.id_list_for(self.masters[0].deferred_filters());
            match self.masters[0].install_deferred(&mut ids) {
                Some(expires) if self.one_event_per_filter => {
                    for &id in &ids {
                        self.push_filter_expiry(PartitionId(0), NewFilter { id, expires });
                    }
                    self.keep_id_list(ids);
                }
                Some(expires) if !ids.is_empty() => {
                    self.push_expiry_list(PartitionId(0), expires, ids);
                }
                _ => self.keep_id_list(ids),
            }
        }
    }

    /// `fw` declines offer `id` (if it is still there) with a `refuse`
    /// filter: its record, the master's decline, the filter's expiry.
    fn decline_answer(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        id: OfferId,
        refuse: DurationUs,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        let p = self.partition_of_id(id.0);
        if self.one_decline_at_a_time {
            // The slow reference: the record from the book, then the
            // decline whole.
            let Some((role, agent, offered)) = self.offer(id).map(|o| (o.role, o.agent, o.total()))
            else {
                return;
            };
            self.note_decline(seq, fw, role, agent, offered, obs);
            if let Some(f) = self.masters[p].decline(model, id, refuse, self.now) {
                self.push_filter_expiry(PartitionId(p as u32), f);
            }
            return;
        }
        // The offer found once: the master's decline tells what the record
        // needs. The record comes after the decline here, where the slow
        // way makes it first; nothing between them reads the other (a
        // record reaches the digest and the observers, which read no
        // master: `Observer::record` and `counted` take no `View`), so the
        // records, the digest and the master's state are the same.
        let Some(d) = self.masters[p].decline_deferred(model, id, refuse, self.now) else {
            return;
        };
        self.note_decline(seq, fw, d.role, d.agent, d.total, obs);
        if let Some(f) = d.filter {
            self.push_filter_expiry(PartitionId(p as u32), f);
        }
    }

    /// A decline's counts and record.
    fn note_decline(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        offered: Quantities,
        obs: &mut dyn Observer,
    ) {
        self.counters.offers_declined += 1;
        self.fw_counters[fw.index()].offers_declined += 1;
        self.emit(
            obs,
            seq,
            RecordKind::Decline,
            About::default()
                .framework(fw)
                .role(role)
                .agent(agent)
                .resources(offered),
        );
    }

    /// Reads ahead what answering `ids` reads first in their masters (see
    /// [`Master::look_ahead_decline`]); changes nothing.
    fn look_ahead_answers(&self, ids: &[OfferId]) {
        let mut warm = 0u64;
        for &id in ids {
            warm ^= self.masters[self.partition_of_id(id.0)].look_ahead_decline(id);
        }
        for m in &self.masters {
            warm ^= m.look_ahead_installs(ids.len());
        }
        std::hint::black_box(warm);
    }

    /// Writes the charges the last run deferred to their agents
    /// ([`Master::settle_charges`]), if it left any.
    pub(super) fn settle_charges(&mut self) {
        if let Some(p) = self.charges_in.take() {
            self.masters[p].settle_charges();
        }
    }

    /// The agents' part of the declines left by `decline_deferred`, in
    /// every master (see [`Master::settle_returns`]).
    fn settle_returns(&mut self) {
        let model = self.model;
        for m in &mut self.masters {
            m.settle_returns(model);
        }
    }

    pub(super) fn rescind_on(&mut self, seq: u64, agent: AgentId, obs: &mut dyn Observer) {
        let ids = self.master_of_ref(agent).offers_on(agent);
        self.rescind_all(seq, ids, obs);
    }

    /// Rescinds offers (no filter) and tells their frameworks.
    pub(super) fn rescind_all(&mut self, seq: u64, ids: Vec<OfferId>, obs: &mut dyn Observer) {
        for id in ids {
            let p = self.partition_of_id(id.0);
            if let Some(o) = self.masters[p].rescind(self.model, id) {
                self.counters.offers_rescinded += 1;
                self.fw_counters[o.framework.index()].offers_rescinded += 1;
                self.emit(obs, seq, RecordKind::Rescind, About::offer(&o.view()));
                framework::forget_slot(&mut self.frameworks[o.framework.index()], SlotId(id.0));
                self.idle_check(seq, o.framework, obs);
            }
        }
    }
}
