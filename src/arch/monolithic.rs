//! Monolithic scheduling: one central scheduler places every framework's
//! jobs, one job at a time; the rule for which job comes next.

use crate::{FrameworkId, JobId};

/// The central scheduler's queue (`architecture.queue`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueOrder {
    /// Jobs in submission order, across frameworks.
    #[default]
    Fifo,
    /// The framework with the lowest dominant share of the cluster (ties:
    /// framework order) goes first, with its oldest job.
    Drf,
}

impl QueueOrder {
    pub fn name(self) -> &'static str {
        match self {
            QueueOrder::Fifo => "fifo",
            QueueOrder::Drf => "drf",
        }
    }
}

/// A framework's candidate: its oldest job the scheduler may try now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub framework: FrameworkId,
    /// Its dominant share of the cluster now.
    pub share: f64,
    /// The job's submission rank (unique over the run).
    pub rank: u64,
    pub job: JobId,
}

/// The next job: the oldest (FIFO), or the lowest-share framework's oldest
/// (DRF; ties by framework order).
pub fn pick(order: QueueOrder, candidates: &[Candidate]) -> Option<JobId> {
    let best = match order {
        QueueOrder::Fifo => candidates.iter().min_by_key(|c| c.rank),
        QueueOrder::Drf => candidates.iter().min_by(|a, b| {
            a.share
                .total_cmp(&b.share)
                .then(a.framework.cmp(&b.framework))
        }),
    };
    best.map(|c| c.job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_by_rank_drf_by_share() {
        let c = |f, share, rank, job| Candidate {
            framework: FrameworkId(f),
            share,
            rank,
            job: JobId(job),
        };
        let cands = [c(0, 0.5, 1, 10), c(1, 0.25, 2, 20), c(2, 0.25, 0, 30)];
        assert_eq!(pick(QueueOrder::Fifo, &cands), Some(JobId(30)));
        assert_eq!(pick(QueueOrder::Drf, &cands), Some(JobId(20)));
        assert_eq!(pick(QueueOrder::Drf, &[]), None);
    }
}
