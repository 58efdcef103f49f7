//! Agents, jobs and tasks: registration, submission, launch, end, and the
//! one lost-task path.

use super::*;
use crate::sim::time::format_secs;

impl<'m> Simulation<'m> {
    /// An agent comes up and registers with its partition's master.
    pub(super) fn add_agent(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        if self.cluster.agent(a).up {
            return;
        }
        self.last_progress = self.now;
        let model = self.model;
        let res = model.agent_group(a).resources.total();
        self.cluster.agent_up(a, res);
        self.agent_epoch[a.index()] += 1;
        self.master_of(a).add_agent(model, a);
        self.emit(
            obs,
            seq,
            RecordKind::AgentAdded,
            About::default().agent(a).resources(res),
        );
        self.start_running_tasks(seq, a, obs);
        self.agent_registered(a);
        self.schedule_random_failure(a);
    }

    /// The tasks already running on an agent as it registers
    /// (`agents[].running`): allocated to their frameworks at once, a
    /// `launch` record each, ending after their `for`.
    fn start_running_tasks(&mut self, seq: u64, a: AgentId, obs: &mut dyn Observer) {
        let model = self.model;
        for (i, r) in model.agent_group(a).running.iter().enumerate() {
            let added = self
                .master_of(a)
                .add_running(model, r.framework, r.role, a, &r.resources);
            debug_assert!(added, "running tasks are checked at load");
            if !added {
                continue;
            }
            let task = TaskRef::Running(a, i as u32);
            self.counters.tasks_submitted += 1;
            self.counters.tasks_launched += 1;
            self.fw_counters[r.framework.index()].tasks_launched += 1;
            self.emit(
                obs,
                seq,
                RecordKind::Launch,
                About::default()
                    .framework(r.framework)
                    .role(r.role)
                    .agent(a)
                    .task(task)
                    .resources(r.resources.total()),
            );
            let uid = self.cluster.start(RunningTask {
                task,
                framework: r.framework,
                role: r.role,
                agent: a,
                resources: r.resources.clone(),
                started: self.now,
            });
            if let Some(d) = r.duration {
                self.schedule_end(uid, task, d);
            }
        }
    }

    pub(super) fn submit_job(&mut self, seq: u64, j: JobId, obs: &mut dyn Observer) {
        let (spec, js) = self.jobs.get_mut(self.model, j);
        js.status = JobStatus::Pending;
        js.submitted_at = Some(self.now);
        js.wait_since = self.now;
        js.rank = self.submit_rank;
        self.submit_rank += 1;
        let (fw, tasks) = (spec.framework, spec.tasks as u64);
        if self.fw_removed[fw.index()] {
            // Its framework is gone: the job fails as it arrives.
            js.status = JobStatus::Failed;
            js.finished_at = Some(self.now);
            self.counters.tasks_submitted += tasks;
            self.counters.jobs_submitted += 1;
            self.counters.jobs_failed += 1;
            self.job_done(j, obs);
            return;
        }
        let fm = &mut self.frameworks[fw.index()];
        fm.queue.insert(js.rank, j);
        fm.add_pending(spec.role, &spec.resources, tasks);
        self.pending_total += tasks;
        self.counters.tasks_submitted += tasks;
        self.counters.jobs_submitted += 1;
        if self.central.is_some() {
            self.central_work(fw);
        }
        self.idle_check(seq, fw, obs);
    }

    /// Reports a job that ended (finished, or abandoned with nothing left
    /// running) and forgets it if it was streamed.
    pub(super) fn job_done(&mut self, j: JobId, obs: &mut dyn Observer) {
        self.tell_counted(obs);
        let model = self.model;
        obs.job_ended(
            model,
            &JobView {
                id: Some(j),
                spec: self.jobs.spec(model, j),
                state: self.jobs.state(j),
            },
        );
        self.jobs.release(j);
    }

    pub(super) fn launch(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        l: framework::Launch,
        obs: &mut dyn Observer,
    ) {
        self.launch_task(seq, fw, role, agent, (l.job, l.index), &l.resources, obs);
    }

    /// [`Simulation::launch`] of task `index` of `job` (`None`: a take-all
    /// task), its resources read where they are (a claim's, an answer's)
    /// and copied once, into the running task's place.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn launch_task(
        &mut self,
        seq: u64,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        (job, index): (Option<JobId>, u32),
        resources: &ResourceSet,
        obs: &mut dyn Observer,
    ) {
        let model = self.model;
        self.last_progress = self.now;
        let (task, duration) = match job {
            Some(j) => {
                let (spec, js) = self.jobs.get_mut(model, j);
                js.running += 1;
                js.deciding -= 1;
                if js.first_start.is_none() {
                    js.first_start = Some(self.now);
                }
                if !js.given_up() {
                    js.status = JobStatus::Running;
                }
                self.in_decision -= 1;
                let attempt = 0u64;
                let d = framework::sample_duration(
                    &spec.duration,
                    &self.durations,
                    j.0 as u64,
                    ((index as u64) << 8) | attempt,
                );
                (TaskRef::Job(j, index), d)
            }
            None => {
                let spec = &model.frameworks[fw.index()];
                let d = framework::sample_duration(
                    &spec.task_duration,
                    &self.durations,
                    u64::MAX - fw.0 as u64,
                    index as u64,
                );
                self.counters.tasks_submitted += 1;
                (TaskRef::TakeAll(fw, index), d)
            }
        };
        self.counters.tasks_launched += 1;
        self.fw_counters[fw.index()].tasks_launched += 1;
        self.emit(
            obs,
            seq,
            RecordKind::Launch,
            About::task_of(fw, role, agent, task, resources, About::NOT_STARTED),
        );
        if matches!(self.health[agent.index()], faults::Health::Failed { .. }) {
            // Onto an agent that failed unnoticed: dead at once, counted
            // by its master until it notices.
            let dead = self.launch_onto_failed(RunningTask {
                task,
                framework: fw,
                role,
                agent,
                resources: resources.clone(),
                started: self.now,
            });
            debug_assert!(dead.is_none());
            return;
        }
        let uid = self
            .cluster
            .start_with(task, fw, role, agent, resources, self.now);
        if let Some(d) = duration {
            self.schedule_end(uid, task, d);
        }
    }

    /// Schedules a task's end `d` from now. In a run without `until`, an
    /// end beyond the horizon (an unbounded duration's draw, or a long wait
    /// before a bounded one) would keep the run going — and writing samples
    /// — for as long: the run stops instead, with an input error saying
    /// how to bound it (docs/format.md, "Limits").
    fn schedule_end(&mut self, uid: TaskUid, task: TaskRef, d: DurationUs) {
        let end = self.now.plus(d);
        let horizon = self.model.horizon();
        if self.model.until.is_none() && end > horizon && self.beyond_horizon.is_none() {
            let what = match task {
                TaskRef::Job(j, i) => format!(
                    "task {i} of job `{}`",
                    self.jobs.get_mut(self.model, j).0.id
                ),
                TaskRef::TakeAll(f, i) => {
                    format!(
                        "task {i} of framework `{}`",
                        self.model.frameworks[f.index()].id
                    )
                }
                TaskRef::Running(a, i) => {
                    format!("running task {i} of agent `{}`", self.model.agent_name(a))
                }
            };
            self.beyond_horizon = Some(InputError::new(
                self.model.name.as_str(),
                format!(
                    "{what}, launched at {} s, runs for {} s and would end at {} s, \
                     beyond the {} s a run without `until` may last ({} samples of \
                     output.sample_interval); set `until`, bound its duration \
                     distribution, or raise output.sample_interval",
                    format_secs(self.now.0),
                    format_secs(d),
                    format_secs(end.0),
                    format_secs(horizon.0),
                    crate::limits::MAX_SAMPLES
                ),
            ));
        }
        self.queue.push(end, Event::TaskEnd(uid));
    }

    pub(super) fn task_end(&mut self, seq: u64, uid: TaskUid, obs: &mut dyn Observer) {
        let model = self.model;
        // Most events of a busy run are task ends: the next one's task is
        // read ahead (reads only), so that its cache misses overlap this
        // end's work instead of stalling the next.
        if let Some(Event::TaskEnd(next)) = self.queue.peek() {
            std::hint::black_box(self.cluster.look_ahead(*next));
        }
        // Killed earlier (agent removed): nothing to do. The task is read
        // where it ran (no copy of it); its master releases what it used
        // (as `release_on_master`, with the fields borrowed apart).
        let Some(t) = self.cluster.end_in_place(uid) else {
            return;
        };
        if !self.failover.unknown(t.agent) {
            self.masters[self.partition_of[t.agent.index()].index()].release(
                model,
                t.framework,
                t.role,
                t.agent,
                &t.resources,
            );
        }
        let about = About::running(t);
        let (task, framework, agent) = (t.task, t.framework, t.agent);
        self.last_progress = self.now;
        if self.central.is_some() {
            self.central_wake(None);
        }
        self.counters.tasks_finished += 1;
        self.fw_counters[framework.index()].tasks_finished += 1;
        self.emit(obs, seq, RecordKind::Finish, about);
        if let TaskRef::Job(j, _) = task {
            let (spec, js) = self.jobs.get_mut(model, j);
            js.running -= 1;
            js.finished += 1;
            if js.given_up() {
                if js.abandoned_and_idle() {
                    self.job_done(j, obs);
                }
            } else if js.finished == spec.tasks {
                js.status = JobStatus::Finished;
                js.finished_at = Some(self.now);
                self.counters.jobs_completed += 1;
                self.job_done(j, obs);
            }
        }
        self.drain_check(seq, agent, obs);
    }

    /// A killed task's resources go back to its agent's master; the kill
    /// is counted and recorded (the job's bookkeeping is the caller's).
    pub(super) fn release_killed(&mut self, seq: u64, t: &RunningTask, obs: &mut dyn Observer) {
        self.release_on_master(t);
        if self.central.is_some() {
            self.central_wake(None);
        }
        self.counters.tasks_killed += 1;
        self.emit(obs, seq, RecordKind::Kill, About::running(t));
    }

    /// Kills every task on an agent (those that died with it unnoticed
    /// too); their jobs get them back through the lost-task path
    /// ([`Simulation::task_lost`]).
    pub(super) fn kill_tasks_on(&mut self, seq: u64, agent: AgentId, obs: &mut dyn Observer) {
        let live = self.cluster.tasks_on(agent);
        let mut tasks: Vec<RunningTask> = live
            .into_iter()
            .map(|uid| self.cluster.end(uid).expect("task present"))
            .collect();
        tasks.extend(self.take_dead(agent));
        for t in tasks {
            self.release_killed(seq, &t, obs);
            if let TaskRef::Job(j, index) = t.task {
                let js = self.jobs.state_mut(j);
                js.running -= 1;
                if js.given_up() {
                    js.killed += 1;
                }
                if self.task_lost(t.framework, j, index, obs) {
                    self.idle_check(seq, t.framework, obs);
                }
            }
        }
    }

    /// The one lost-task path: a task of job `j` that will not run (its
    /// agent went away, or its offer did before the launch took effect)
    /// goes back to its job's pending tasks, in index order, unless the job
    /// was abandoned (then the job ends if nothing of it is left running).
    /// The caller has already taken the task off `running` or `deciding`.
    /// Returns whether it was queued again.
    pub(super) fn task_lost(
        &mut self,
        fw: FrameworkId,
        j: JobId,
        index: u32,
        obs: &mut dyn Observer,
    ) -> bool {
        let fm = &mut self.frameworks[fw.index()];
        if framework::requeue(self.model, fm, &mut self.jobs, j, index) {
            self.pending_total += 1;
            if self.central.is_some() {
                self.central_work(fw);
            }
            true
        } else {
            if self.jobs.state(j).abandoned_and_idle() {
                self.job_done(j, obs);
            }
            false
        }
    }
}
