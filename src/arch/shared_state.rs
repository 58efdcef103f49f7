//! Shared-state scheduling (Omega): the rule that decides which claims of
//! a transaction commit.
//!
//! A framework's scheduler takes a snapshot of every agent's free
//! resources and sequence number, places one job on it during its decision
//! time, and then commits its claims (one per task) against the cell as it
//! is by then. An agent's sequence number moves each time a claim on it
//! commits, and when it registers or goes away.

use crate::cluster::resources::ResourceSet;
use crate::{AgentId, JobId};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

/// When a claim conflicts (`architecture.conflicts`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConflictMode {
    /// Only when its resources no longer fit what is free on the agent
    /// (or the agent is gone).
    #[default]
    ResourceFit,
    /// Whenever the agent changed since the snapshot (its sequence number
    /// moved: another claim committed there), even if the claim still fits.
    SequenceNumbers,
}

impl ConflictMode {
    pub fn name(self) -> &'static str {
        match self {
            ConflictMode::ResourceFit => "resource-fit",
            ConflictMode::SequenceNumbers => "sequence-numbers",
        }
    }
}

/// What a conflict takes down (`architecture.transactions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TxnMode {
    /// Only the conflicting claims (and every claim of a gang job one of
    /// whose claims conflicts, so that it never starts in part).
    #[default]
    Incremental,
    /// The whole transaction, if any of its claims conflicts.
    AllOrNothing,
}

impl TxnMode {
    pub fn name(self) -> &'static str {
        match self {
            TxnMode::Incremental => "incremental",
            TxnMode::AllOrNothing => "all-or-nothing",
        }
    }
}

/// One task's claim, as the scheduler made it from its snapshot. Its
/// resources are a `ResourceSet` or a reference to one (the engine's
/// claims point into the decision's launches: no copy per task).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim<R: Borrow<ResourceSet> = ResourceSet> {
    pub agent: AgentId,
    /// The agent's sequence number in the snapshot.
    pub seq: u64,
    pub resources: R,
    /// The claim's job, when it is a gang job.
    pub gang: Option<JobId>,
}

/// What happens to a claim at commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Committed,
    /// It conflicted itself.
    Conflicted,
    /// It was fine, but the transaction (all-or-nothing) or its gang job
    /// was taken down by another claim's conflict.
    Withdrawn,
}

/// The cell as it is at commit time.
pub trait Cell {
    /// The agent's sequence number now.
    fn seq(&self, agent: AgentId) -> u64;
    /// What is free on the agent now for the transaction's role; `None` if
    /// the agent is gone.
    fn free(&self, agent: AgentId) -> Option<ResourceSet>;
    /// How many leading resource entries a claim may use (every claim is
    /// zero past them): the scenario's kinds; all 16 unless known.
    fn kinds(&self) -> usize {
        crate::cluster::resources::MAX_RESOURCE_KINDS
    }
}

/// Judges a transaction's claims, in order: each is checked against what
/// is free on its agent now minus the claims of the same transaction
/// judged before it on that agent.
pub fn judge<R: Borrow<ResourceSet>>(
    claims: &[Claim<R>],
    cell: &dyn Cell,
    conflicts: ConflictMode,
    txn: TxnMode,
) -> Vec<Verdict> {
    let mut out = Vec::with_capacity(claims.len());
    let n = cell.kinds();
    let mut verdict = |c: &Claim<R>, left: &mut Option<ResourceSet>| {
        let moved = conflicts == ConflictMode::SequenceNumbers && cell.seq(c.agent) != c.seq;
        let res = c.resources.borrow();
        let ok = match left {
            Some(l) if !moved && l.contains_first(res, n) => l.sub_first(res, n),
            _ => false,
        };
        out.push(if ok {
            Verdict::Committed
        } else {
            Verdict::Conflicted
        });
    };
    if claims.windows(2).all(|w| w[0].agent <= w[1].agent) {
        // Claims by agent (a decision answers its slots in agent order):
        // each agent's claims are together, so one agent's free resources
        // are kept at a time.
        let mut now: Option<(AgentId, Option<ResourceSet>)> = None;
        for c in claims {
            let left = match &mut now {
                Some((a, left)) if *a == c.agent => left,
                _ => &mut now.insert((c.agent, cell.free(c.agent))).1,
            };
            verdict(c, left);
        }
    } else {
        let mut free: BTreeMap<AgentId, Option<ResourceSet>> = BTreeMap::new();
        for c in claims {
            let left = free.entry(c.agent).or_insert_with(|| cell.free(c.agent));
            verdict(c, left);
        }
    }
    let any = out.contains(&Verdict::Conflicted);
    match txn {
        TxnMode::AllOrNothing if any => {
            for v in out.iter_mut().filter(|v| **v == Verdict::Committed) {
                *v = Verdict::Withdrawn;
            }
        }
        _ => {
            let broken: BTreeSet<JobId> = claims
                .iter()
                .zip(&out)
                .filter(|(_, v)| **v == Verdict::Conflicted)
                .filter_map(|(c, _)| c.gang)
                .collect();
            for (c, v) in claims.iter().zip(out.iter_mut()) {
                if *v == Verdict::Committed && c.gang.is_some_and(|j| broken.contains(&j)) {
                    *v = Verdict::Withdrawn;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::Quantities;
    use crate::cluster::resources::ResId;

    struct TestCell {
        seq: Vec<u64>,
        free: Vec<Option<u64>>,
    }

    fn cpus(n: u64) -> ResourceSet {
        let mut q = Quantities::ZERO;
        q.set(ResId(0), n * 1000);
        ResourceSet::unreserved(q)
    }

    impl Cell for TestCell {
        fn seq(&self, a: AgentId) -> u64 {
            self.seq[a.index()]
        }
        fn free(&self, a: AgentId) -> Option<ResourceSet> {
            self.free[a.index()].map(cpus)
        }
    }

    fn claim(a: u32, seq: u64, n: u64, gang: Option<u32>) -> Claim {
        Claim {
            agent: AgentId(a),
            seq,
            resources: cpus(n),
            gang: gang.map(JobId),
        }
    }

    use Verdict::*;

    #[test]
    fn each_mode() {
        // Agent 0 changed since the snapshot (seq 0 → 1) but 2 cpus are
        // still free; agent 1 has 1 cpu free and two 1-cpu claims.
        let cell = TestCell {
            seq: vec![1, 0],
            free: vec![Some(2), Some(1)],
        };
        let claims = [
            claim(0, 0, 1, None),
            claim(1, 0, 1, None),
            claim(1, 0, 1, None),
        ];
        let j = |c, t| judge(&claims, &cell, c, t);
        use ConflictMode::*;
        use TxnMode::*;
        assert_eq!(
            j(ResourceFit, Incremental),
            [Committed, Committed, Conflicted]
        );
        assert_eq!(
            j(SequenceNumbers, Incremental),
            [Conflicted, Committed, Conflicted]
        );
        assert_eq!(
            j(ResourceFit, AllOrNothing),
            [Withdrawn, Withdrawn, Conflicted]
        );
        assert_eq!(
            j(SequenceNumbers, AllOrNothing),
            [Conflicted, Withdrawn, Conflicted]
        );
    }

    #[test]
    fn claims_out_of_agent_order_are_judged_alike() {
        // Agent 1 has 1 cpu free: its second claim conflicts whether or
        // not agent 0's claim comes between them.
        let cell = TestCell {
            seq: vec![0, 0],
            free: vec![Some(1), Some(1)],
        };
        let sorted = [
            claim(0, 0, 1, None),
            claim(1, 0, 1, None),
            claim(1, 0, 1, None),
        ];
        let mixed = [
            claim(1, 0, 1, None),
            claim(0, 0, 1, None),
            claim(1, 0, 1, None),
        ];
        let j = |c: &[Claim]| judge(c, &cell, ConflictMode::ResourceFit, TxnMode::Incremental);
        assert_eq!(j(&sorted), [Committed, Committed, Conflicted]);
        assert_eq!(j(&mixed), [Committed, Committed, Conflicted]);
    }

    #[test]
    fn a_gang_job_falls_whole_and_a_gone_agent_conflicts() {
        let cell = TestCell {
            seq: vec![0, 0, 0],
            free: vec![Some(1), None, Some(4)],
        };
        let claims = [
            claim(0, 0, 1, Some(7)),
            claim(1, 0, 1, Some(7)),
            claim(2, 0, 1, None),
        ];
        assert_eq!(
            judge(
                &claims,
                &cell,
                ConflictMode::ResourceFit,
                TxnMode::Incremental
            ),
            [Withdrawn, Conflicted, Committed]
        );
    }
}
