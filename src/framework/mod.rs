//! Framework scheduler models: how a simulated framework answers offers.
//!
//! A framework keeps its own queue of pending work (the master knows nothing
//! of it, as in Mesos). Answers are pure decisions computed from the
//! framework's state and the offer; the engine applies them.
//!
//! - `batch`: pending tasks in submission order; first fit in queue order,
//!   at most `max_tasks_per_offer` per offer; gang jobs launch whole or not
//!   at all (in one offer); the rest is declined with the refuse filter.
//! - `take-all`: one task per offer that uses the whole offer.
//! - `decline-all`: declines everything.
//! - `hold`: never answers (the engine sends it no reply event).

use crate::cluster::resources::ResourceSet;
use crate::master::Offer;
use crate::scenario::model::{Behavior, Model, TaskDuration};
use crate::sim::rng::StreamFamily;
use crate::sim::time::{DurationUs, SimTime};
use crate::{FrameworkId, JobId};
use std::collections::BTreeMap;

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Not submitted yet.
    Unsubmitted,
    Pending,
    Running,
    Finished,
    Failed,
    Abandoned,
}

impl JobStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Finished | JobStatus::Failed | JobStatus::Abandoned
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Unsubmitted | JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Finished => "finished",
            JobStatus::Failed => "failed",
            JobStatus::Abandoned => "abandoned",
        }
    }
}

#[derive(Clone, Debug)]
pub struct JobState {
    pub status: JobStatus,
    /// Task indices waiting to launch, in order (relaunches go back here).
    pub pending: Vec<u32>,
    /// Next never-launched task index.
    pub next_index: u32,
    pub running: u32,
    pub finished: u32,
    pub submitted_at: Option<SimTime>,
    pub first_start: Option<SimTime>,
    pub finished_at: Option<SimTime>,
    /// Position in its framework's queue (submission order).
    pub rank: u64,
}

impl JobState {
    pub fn new() -> JobState {
        JobState {
            status: JobStatus::Unsubmitted,
            pending: Vec::new(),
            next_index: 0,
            running: 0,
            finished: 0,
            submitted_at: None,
            first_start: None,
            finished_at: None,
            rank: 0,
        }
    }

    /// Tasks not yet launched (never launched plus relaunches).
    pub fn pending_count(&self, total: u32) -> u32 {
        self.pending.len() as u32 + (total - self.next_index)
    }
}

impl Default for JobState {
    fn default() -> Self {
        JobState::new()
    }
}

/// A framework's scheduler-side state.
#[derive(Clone, Debug, Default)]
pub struct FrameworkModel {
    /// Jobs with pending tasks, by submission rank.
    pub queue: BTreeMap<u64, JobId>,
    /// Tasks not yet launched, over all its jobs.
    pub pending_tasks: u64,
    /// Counter for take-all task ids.
    pub take_all_launched: u64,
}

/// A task the framework launches from an offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    /// `None` for take-all tasks.
    pub job: Option<JobId>,
    pub index: u32,
    pub resources: ResourceSet,
}

/// Decides what to launch on one offer. Mutates the framework's queue
/// (launched tasks leave it); the engine records the launches.
pub fn respond(
    model: &Model,
    fw: FrameworkId,
    state: &mut FrameworkModel,
    jobs: &mut [JobState],
    offer: &Offer,
) -> Vec<Launch> {
    let spec = &model.frameworks[fw.index()];
    match spec.behavior {
        Behavior::DeclineAll | Behavior::Hold => Vec::new(),
        Behavior::TakeAll => {
            let index = state.take_all_launched as u32;
            state.take_all_launched += 1;
            vec![Launch {
                job: None,
                index,
                resources: offer.resources.clone(),
            }]
        }
        Behavior::Batch => batch(
            model,
            state,
            jobs,
            offer,
            spec.max_tasks_per_offer.unwrap_or(u64::MAX),
        ),
    }
}

fn batch(
    model: &Model,
    state: &mut FrameworkModel,
    jobs: &mut [JobState],
    offer: &Offer,
    max_tasks: u64,
) -> Vec<Launch> {
    let mut left = offer.resources.clone();
    let mut launches = Vec::new();
    let mut emptied = Vec::new();
    for (&rank, &job) in state.queue.iter() {
        if launches.len() as u64 >= max_tasks {
            break;
        }
        let spec = model.job(job);
        if spec.role != offer.role {
            continue;
        }
        let js = &mut jobs[job.index()];
        let pending = js.pending_count(spec.tasks);
        if spec.gang {
            // All of a gang job's tasks launch together, from one offer.
            if (launches.len() as u64 + pending as u64) > max_tasks {
                continue;
            }
            let need = spec.resources.scaled(pending as u64);
            if !left.total().contains(&need) {
                continue;
            }
            for _ in 0..pending {
                let res = left.take(&spec.resources).expect("gang fits");
                let index = next_task(js);
                launches.push(Launch {
                    job: Some(job),
                    index,
                    resources: res,
                });
            }
        } else {
            while js.pending_count(spec.tasks) > 0 && (launches.len() as u64) < max_tasks {
                let Some(res) = left.take(&spec.resources) else {
                    break;
                };
                let index = next_task(js);
                launches.push(Launch {
                    job: Some(job),
                    index,
                    resources: res,
                });
            }
        }
        if js.pending_count(spec.tasks) == 0 {
            emptied.push(rank);
        }
    }
    for rank in emptied {
        state.queue.remove(&rank);
    }
    state.pending_tasks -= launches.len() as u64;
    launches
}

/// Takes the next task to launch: relaunches first, then new tasks.
fn next_task(js: &mut JobState) -> u32 {
    if !js.pending.is_empty() {
        return js.pending.remove(0);
    }
    let i = js.next_index;
    js.next_index += 1;
    i
}

/// Draws a task's run time. Depends only on the seed, the job (or
/// framework, for take-all) and the task's index and attempt, never on the
/// order tasks launch in: policies see the same durations.
pub fn sample_duration(
    d: &TaskDuration,
    family: &StreamFamily,
    key: u64,
    index: u64,
) -> Option<DurationUs> {
    match *d {
        TaskDuration::Fixed(us) => Some(us),
        TaskDuration::Forever => None,
        TaskDuration::Exp { mean } => {
            let u = family.at(key, index).next_open01();
            let x = -(mean as f64) * libm::log(u);
            Some(x.round().clamp(0.0, u64::MAX as f64 / 2.0) as u64)
        }
        TaskDuration::Uniform { low, high } => {
            let span = high - low;
            if span == u64::MAX {
                return Some(family.at(key, index).next_u64());
            }
            Some(low + family.at(key, index).below(span + 1))
        }
    }
}
