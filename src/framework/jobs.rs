//! The engine's table of jobs: the scenario's listed jobs (a dense vector
//! beside `Model::jobs`) and streamed jobs, which exist only while in flight
//! (created at submission, released when they end), so that memory follows
//! the jobs in flight and not the length of the trace.

use super::{JobState, JobStatus};
use crate::scenario::model::{JobSpec, Model};
use crate::JobId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A streamed job in flight: its spec lives here, not in the model.
#[derive(Clone, Debug)]
pub struct LiveJob {
    pub spec: JobSpec,
    pub state: JobState,
    /// The job's id, shared with the records that name its tasks.
    pub name: Arc<str>,
}

#[derive(Clone, Debug, Default)]
pub struct JobTable {
    statics: Vec<JobState>,
    live: BTreeMap<JobId, LiveJob>,
    /// The id the next streamed job gets.
    next_streamed: u64,
}

/// The largest job id: ids are u32.
const MAX_JOB_ID: u64 = u32::MAX as u64 - 1;

impl JobTable {
    pub fn new(model: &Model) -> JobTable {
        JobTable {
            statics: vec![JobState::new(); model.jobs.len()],
            live: BTreeMap::new(),
            next_streamed: model.jobs.len() as u64,
        }
    }

    pub fn is_streamed(&self, j: JobId) -> bool {
        j.index() >= self.statics.len()
    }

    pub fn spec<'a>(&'a self, model: &'a Model, j: JobId) -> &'a JobSpec {
        if self.is_streamed(j) {
            &self.live[&j].spec
        } else {
            &model.jobs[j.index()]
        }
    }

    pub fn state(&self, j: JobId) -> &JobState {
        if self.is_streamed(j) {
            &self.live[&j].state
        } else {
            &self.statics[j.index()]
        }
    }

    pub fn state_mut(&mut self, j: JobId) -> &mut JobState {
        if self.is_streamed(j) {
            &mut self.live.get_mut(&j).expect("live job").state
        } else {
            &mut self.statics[j.index()]
        }
    }

    /// The spec and the mutable state of a job at once.
    pub fn get_mut<'a>(
        &'a mut self,
        model: &'a Model,
        j: JobId,
    ) -> (&'a JobSpec, &'a mut JobState) {
        if j.index() >= self.statics.len() {
            let l = self.live.get_mut(&j).expect("live job");
            (&l.spec, &mut l.state)
        } else {
            (&model.jobs[j.index()], &mut self.statics[j.index()])
        }
    }

    /// The shared name of a streamed job (listed jobs are named by the model).
    pub fn name(&self, j: JobId) -> Option<Arc<str>> {
        if self.is_streamed(j) {
            self.live.get(&j).map(|l| l.name.clone())
        } else {
            None
        }
    }

    /// Adds a streamed job; `None` when the run has used up job ids.
    pub fn insert_streamed(&mut self, spec: JobSpec) -> Option<JobId> {
        if self.next_streamed > MAX_JOB_ID {
            return None;
        }
        let id = JobId(self.next_streamed as u32);
        self.next_streamed += 1;
        let name: Arc<str> = Arc::from(spec.id.as_str());
        self.live.insert(
            id,
            LiveJob {
                spec,
                state: JobState::new(),
                name,
            },
        );
        Some(id)
    }

    /// Forgets a streamed job that ended (listed jobs stay).
    pub fn release(&mut self, j: JobId) {
        if self.is_streamed(j) {
            self.live.remove(&j);
        }
    }

    pub fn statics(&self) -> &[JobState] {
        &self.statics
    }

    /// Streamed jobs in flight, by id (= submission order).
    pub fn live(&self) -> impl Iterator<Item = (JobId, &LiveJob)> {
        self.live.iter().map(|(k, v)| (*k, v))
    }

    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// Every job's state, listed then streamed.
    pub fn states(&self) -> impl Iterator<Item = &JobState> {
        self.statics
            .iter()
            .chain(self.live.values().map(|l| &l.state))
    }

    /// Ids of jobs (listed or streamed) that have not ended: pending,
    /// running, or abandoned or failed with tasks still running.
    pub fn open_ids(&self) -> impl Iterator<Item = JobId> + '_ {
        fn open(s: &JobState) -> bool {
            match s.status {
                JobStatus::Pending | JobStatus::Running => true,
                JobStatus::Abandoned | JobStatus::Failed => s.running > 0 || s.deciding > 0,
                _ => false,
            }
        }
        let statics = self
            .statics
            .iter()
            .enumerate()
            .filter(|(_, s)| open(s))
            .map(|(i, _)| JobId(i as u32));
        let live = self
            .live
            .iter()
            .filter(|(_, l)| open(&l.state))
            .map(|(k, _)| *k);
        statics.chain(live)
    }
}
