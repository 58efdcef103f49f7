//! Named framework presets: parameter sets for schedulers people run on
//! Mesos. A preset only supplies defaults; a key written in the framework's
//! entry wins. docs/workloads.md lists each preset with where its numbers
//! come from.

use crate::scenario::model::DecisionTime;
use crate::sim::time::DurationUs;

const MS: DurationUs = 1_000;
const S: DurationUs = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub summary: &'static str,
    pub max_tasks_per_offer: Option<u64>,
    pub refuse: DurationUs,
    pub decision_time: DecisionTime,
    pub suppress_when_idle: bool,
    /// Jobs are gang jobs unless they say `gang: false`.
    pub gang_default: bool,
    pub gang_hold_timeout: Option<DurationUs>,
    pub locality_wait: DurationUs,
    pub abandon_after: Option<u32>,
    /// Asks for the `gpu` capability.
    pub gpu: bool,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "hadoop",
        summary: "Hadoop-style elastic batch: many short independent tasks, as many per offer as fit, delay scheduling for data locality",
        max_tasks_per_offer: None,
        refuse: 5 * S,
        decision_time: DecisionTime {
            per_job: 0,
            per_offer: 2 * MS,
            per_task: MS,
        },
        suppress_when_idle: true,
        gang_default: false,
        gang_hold_timeout: None,
        locality_wait: 3 * S,
        abandon_after: None,
    gpu: false,
    },
    Preset {
        name: "spark",
        summary: "Spark coarse-grained executors: one executor per agent per offer, long decline filters once it has what it wants",
        max_tasks_per_offer: Some(1),
        refuse: 120 * S,
        decision_time: DecisionTime {
            per_job: 0,
            per_offer: 2 * MS,
            per_task: 5 * MS,
        },
        suppress_when_idle: true,
        gang_default: false,
        gang_hold_timeout: None,
        locality_wait: 3 * S,
        abandon_after: None,
        gpu: false,
    },
    Preset {
        name: "mpi",
        summary: "MPI gang jobs: all ranks start together; offers are held across agents until the job fits",
        max_tasks_per_offer: None,
        refuse: 5 * S,
        decision_time: DecisionTime {
            per_job: 0,
            per_offer: 2 * MS,
            per_task: MS,
        },
        suppress_when_idle: true,
        gang_default: true,
        gang_hold_timeout: Some(30 * S),
        locality_wait: 0,
        abandon_after: None,
        gpu: false,
    },
    Preset {
        name: "gpu-training",
        summary: "GPU training gangs: GPU-capable, all workers together, longer holds for scarce GPUs",
        max_tasks_per_offer: None,
        refuse: 5 * S,
        decision_time: DecisionTime {
            per_job: 0,
            per_offer: 2 * MS,
            per_task: 2 * MS,
        },
        suppress_when_idle: true,
        gang_default: true,
        gang_hold_timeout: Some(60 * S),
        locality_wait: 0,
        abandon_after: None,
        gpu: true,
    },
    Preset {
        name: "marathon",
        summary: "Marathon-style long-running services: a few instances per offer, long decline filters, suppressed when nothing is to launch",
        max_tasks_per_offer: Some(5),
        refuse: 120 * S,
        decision_time: DecisionTime {
            per_job: 0,
            per_offer: 2 * MS,
            per_task: 2 * MS,
        },
        suppress_when_idle: true,
        gang_default: false,
        gang_hold_timeout: None,
        locality_wait: 0,
        abandon_after: None,
        gpu: false,
    },
];

pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|p| p.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_distinct_and_found() {
        let mut names: Vec<&str> = names().collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), PRESETS.len());
        for p in PRESETS {
            assert_eq!(find(p.name), Some(p));
            assert!(p.gang_hold_timeout.is_none() || p.gang_default);
        }
        assert!(find("yarn").is_none());
    }
}
