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
    /// Streamed jobs in flight, by id (= submission order): their places
    /// in `slab`.
    live: BTreeMap<JobId, u32>,
    /// Streamed jobs in flight, each where it was put until it is released
    /// (a place is reused after; no job moves when another goes, as values
    /// of 552 bytes shifted in a B-tree's nodes did).
    slab: Vec<Option<LiveJob>>,
    /// Free places in `slab`.
    free: Vec<u32>,
    /// Recent ids' places, direct-mapped by id (`id % WINDOW`): a job is
    /// found by an indexed read unless a later id took its entry (then by
    /// `live`). [`NO_JOB`] marks an empty entry. Sized at the first
    /// streamed job.
    window: Vec<(u32, u32)>,
    /// The id the next streamed job gets.
    next_streamed: u64,
}

/// The largest job id: ids are u32.
const MAX_JOB_ID: u64 = u32::MAX as u64 - 1;

/// Entries in [`JobTable`]'s window (a power of two).
const WINDOW: usize = 4096;

/// An empty window entry's id (above [`MAX_JOB_ID`]: no job has it).
const NO_JOB: u32 = u32::MAX;

impl JobTable {
    pub fn new(model: &Model) -> JobTable {
        JobTable {
            statics: vec![JobState::new(); model.jobs.len()],
            live: BTreeMap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            window: Vec::new(),
            next_streamed: model.jobs.len() as u64,
        }
    }

    /// Where streamed job `j` is in `slab`, if in flight.
    #[inline]
    fn place(&self, j: JobId) -> Option<usize> {
        match self.window.get(j.index() % WINDOW) {
            Some(&(id, place)) if id == j.0 => Some(place as usize),
            _ => self.live.get(&j).map(|&p| p as usize),
        }
    }

    fn live_job(&self, j: JobId) -> Option<&LiveJob> {
        self.place(j).and_then(|p| self.slab[p].as_ref())
    }

    fn live_job_mut(&mut self, j: JobId) -> Option<&mut LiveJob> {
        self.place(j).and_then(|p| self.slab[p].as_mut())
    }

    pub fn is_streamed(&self, j: JobId) -> bool {
        j.index() >= self.statics.len()
    }

    pub fn spec<'a>(&'a self, model: &'a Model, j: JobId) -> &'a JobSpec {
        if self.is_streamed(j) {
            &self.live_job(j).expect("live job").spec
        } else {
            &model.jobs[j.index()]
        }
    }

    pub fn state(&self, j: JobId) -> &JobState {
        if self.is_streamed(j) {
            &self.live_job(j).expect("live job").state
        } else {
            &self.statics[j.index()]
        }
    }

    pub fn state_mut(&mut self, j: JobId) -> &mut JobState {
        if self.is_streamed(j) {
            &mut self.live_job_mut(j).expect("live job").state
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
            let l = self.live_job_mut(j).expect("live job");
            (&l.spec, &mut l.state)
        } else {
            (&model.jobs[j.index()], &mut self.statics[j.index()])
        }
    }

    /// The shared name of a streamed job (listed jobs are named by the model).
    pub fn name(&self, j: JobId) -> Option<Arc<str>> {
        if self.is_streamed(j) {
            self.live_job(j).map(|l| l.name.clone())
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
        let job = Some(LiveJob {
            spec,
            state: JobState::new(),
            name,
        });
        let place = match self.free.pop() {
            Some(p) => {
                self.slab[p as usize] = job;
                p
            }
            None => {
                self.slab.push(job);
                (self.slab.len() - 1) as u32
            }
        };
        self.live.insert(id, place);
        if self.window.is_empty() {
            self.window = vec![(NO_JOB, 0); WINDOW];
        }
        self.window[id.index() % WINDOW] = (id.0, place);
        Some(id)
    }

    /// Forgets a streamed job that ended (listed jobs stay).
    pub fn release(&mut self, j: JobId) {
        if self.is_streamed(j) {
            if let Some(p) = self.live.remove(&j) {
                self.slab[p as usize] = None;
                self.free.push(p);
                if let Some(e) = self.window.get_mut(j.index() % WINDOW) {
                    if e.0 == j.0 {
                        *e = (NO_JOB, 0);
                    }
                }
            }
        }
    }

    pub fn statics(&self) -> &[JobState] {
        &self.statics
    }

    /// Streamed jobs in flight, by id (= submission order).
    pub fn live(&self) -> impl Iterator<Item = (JobId, &LiveJob)> {
        self.live
            .iter()
            .filter_map(|(k, &p)| Some((*k, self.slab[p as usize].as_ref()?)))
    }

    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// Every job's state, listed then streamed.
    pub fn states(&self) -> impl Iterator<Item = &JobState> {
        self.statics
            .iter()
            .chain(self.live().map(|(_, l)| &l.state))
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
        let live = self.live().filter(|(_, l)| open(&l.state)).map(|(k, _)| k);
        statics.chain(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::Quantities;
    use crate::scenario::model::TaskDuration;
    use crate::sim::time::SimTime;
    use crate::{FrameworkId, RoleId};

    fn spec(id: u64) -> JobSpec {
        JobSpec {
            id: format!("j{id}"),
            framework: FrameworkId(0),
            role: RoleId(0),
            submit: SimTime::ZERO,
            tasks: 1,
            resources: Quantities::ZERO,
            duration: TaskDuration::Forever,
            gang: false,
            used: Quantities::ZERO,
            class: None,
            constraints: Vec::new(),
            prefer: Vec::new(),
            deadline: None,
        }
    }

    /// Jobs are found by id whether their window entry is theirs or was
    /// taken by a later id (more than the window's width later), places
    /// are reused, and the live jobs list in id order.
    #[test]
    fn streamed_jobs_are_found_after_their_window_entry_is_taken() {
        let mut t = JobTable::default();
        let mut kept = Vec::new();
        for i in 0..(3 * WINDOW as u64 + 5) {
            let j = t.insert_streamed(spec(i)).unwrap();
            assert_eq!(j.0 as u64, i);
            t.state_mut(j).rank = i;
            if i % 1000 == 7 {
                kept.push(j);
            }
            if i >= 2 && (i - 2) % 1000 != 7 {
                // Two jobs in flight besides the long-lived ones.
                t.release(JobId(j.0 - 2));
            }
        }
        let n = 3 * WINDOW as u32 + 5;
        assert!(t.slab.len() < 20, "places reused: {}", t.slab.len());
        for &j in &kept {
            assert_eq!(t.state(j).rank, j.0 as u64);
            assert_eq!(t.live_job(j).unwrap().spec.id, format!("j{}", j.0));
            assert_eq!(t.name(j).as_deref(), Some(format!("j{}", j.0).as_str()));
        }
        let live: Vec<u32> = t.live().map(|(j, _)| j.0).collect();
        let mut want: Vec<u32> = kept.iter().map(|j| j.0).collect();
        want.extend([n - 2, n - 1]);
        want.sort_unstable();
        want.dedup();
        assert_eq!(live, want);
        assert_eq!(t.live_count(), want.len());
        for &j in &kept {
            t.release(j);
            assert!(t.name(j).is_none());
        }
        assert_eq!(t.live().count(), 2);
    }
}
