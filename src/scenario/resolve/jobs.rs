//! Jobs listed in the scenario or in a YAML trace: ids, roles, resources,
//! durations, attribute tests.

use super::*;

impl Resolver<'_> {
    pub(super) fn add_job(
        &mut self,
        job: &RawJob,
        fid: FrameworkId,
        n: usize,
        at: At,
    ) -> Result<(), InputError> {
        let fw = &self.frameworks[fid.index()];
        let fname = fw.id.clone();
        let id = match &job.id {
            Some(id) => {
                validate_id("job", id).map_err(|m| self.err(&format!("{at}.id"), m))?;
                id.clone()
            }
            None => format!("{}-{}", fname, n + 1),
        };
        if !self.job_ids.insert(id.clone()) {
            let place = if job.id.is_some() {
                format!("{at}.id")
            } else {
                at.to_string()
            };
            return Err(self.err(&place, format!("job id `{id}` is used twice")));
        }
        let role = match &job.role {
            None => fw.roles[0],
            Some(r) => {
                let rid = self.role_ids.get(r).copied();
                match rid {
                    Some(rid) if self.frameworks[fid.index()].roles.contains(&rid) => rid,
                    _ => {
                        return Err(self.err(
                            &format!("{at}.role"),
                            format!("framework `{fname}` is not subscribed to role `{r}`"),
                        ))
                    }
                }
            }
        };
        let tasks = job.tasks.unwrap_or(1);
        if tasks == 0 {
            return Err(self.err(&format!("{at}.tasks"), "a job needs at least 1 task"));
        }
        if tasks > MAX_TASKS_PER_JOB {
            return Err(self.err(
                &format!("{at}.tasks"),
                format!("{tasks} tasks in one job is more than the limit of {MAX_TASKS_PER_JOB}"),
            ));
        }
        let resources = self.quantities(&job.resources, &format!("{at}.resources"))?;
        if resources.is_empty() {
            return Err(self.err(&format!("{at}.resources"), "a task needs some resources"));
        }
        let used = match &job.used {
            None => resources,
            Some(raw) => {
                let mut used = resources;
                for (name, v) in &raw.0 {
                    let place = format!("{at}.used.{name}");
                    let request = self.resources.get(name).map_or(0, |r| resources.get(r));
                    if request == 0 {
                        return Err(self.err(
                            &place,
                            format!("`used` names `{name}`, which the job's tasks do not request"),
                        ));
                    }
                    if v.0 > request {
                        return Err(self.err(
                            &place,
                            format!(
                                "a task cannot use more `{name}` than it requests ({})",
                                crate::cluster::resources::format_milli(request)
                            ),
                        ));
                    }
                    let r = self
                        .resources
                        .get(name)
                        .expect("requested resource is interned");
                    used.set(r, v.0);
                }
                used
            }
        };
        let class = match &job.class {
            None => None,
            Some(c) if c.trim().is_empty() => {
                return Err(self.err(&format!("{at}.class"), "a job class cannot be empty"))
            }
            Some(c) => Some(c.clone()),
        };
        if self.jobs.len() >= u32::MAX as usize - 1 {
            return Err(self.err(at, "too many jobs"));
        }
        let duration =
            task_duration(&job.duration).map_err(|m| self.err(&format!("{at}.duration"), m))?;
        let constraints =
            self.attr_tests(job.constraints.as_ref(), &format!("{at}.constraints"))?;
        let prefer = self.attr_tests(job.prefer.as_ref(), &format!("{at}.prefer"))?;
        let deadline = match job.deadline {
            Some(d) if d.0 == 0 => {
                return Err(self.err(
                    &format!("{at}.deadline"),
                    "a deadline must be longer than 0s (it counts from the job's submission)",
                ))
            }
            d => d.map(|d| d.0),
        };
        let gang_default = self.frameworks[fid.index()].gang_default;
        self.jobs.push(JobSpec {
            id,
            framework: fid,
            role,
            submit: job.submit.map_or(SimTime::ZERO, |d| SimTime(d.0)),
            tasks: tasks as u32,
            resources,
            duration,
            gang: job.gang.unwrap_or(gang_default),
            constraints,
            prefer,
            used,
            class,
            deadline,
        });
        Ok(())
    }

    /// `{rack: r1, zone: [a, b]}` → attribute tests.
    pub(super) fn attr_tests(
        &self,
        raw: Option<&OrderedMap<RawAttrValues>>,
        at: At,
    ) -> Result<Vec<AttrMatch>, InputError> {
        let mut out = Vec::new();
        for (k, v) in raw.map(|m| m.0.as_slice()).unwrap_or(&[]) {
            for x in std::iter::once(k).chain(v.0.iter()) {
                if x.is_empty()
                    || x.contains(['=', ';', '|', ',', '"'])
                    || x.chars().any(char::is_control)
                {
                    return Err(self.err(
                        &format!("{at}.{k}"),
                        format!("`{x}`: attribute names and values in constraints cannot be empty or contain `=`, `;`, `|`, `,` or quotes"),
                    ));
                }
            }
            out.push(AttrMatch {
                key: k.clone(),
                values: v.0.clone(),
            });
        }
        Ok(out)
    }

    /// Exchanges the tables a YAML trace's jobs read and extend (there and
    /// back: the trace's own resolver names the trace file in errors).
    fn swap_tables(&mut self, other: &mut Resolver) {
        std::mem::swap(&mut self.resources, &mut other.resources);
        std::mem::swap(&mut self.roles, &mut other.roles);
        std::mem::swap(&mut self.role_ids, &mut other.role_ids);
        std::mem::swap(&mut self.frameworks, &mut other.frameworks);
        std::mem::swap(&mut self.framework_ids, &mut other.framework_ids);
        std::mem::swap(&mut self.jobs, &mut other.jobs);
        std::mem::swap(&mut self.job_ids, &mut other.job_ids);
    }

    /// A YAML trace: `jobs:` entries naming their frameworks.
    pub(super) fn add_yaml_trace(&mut self, trace: &str, at: At) -> Result<(), InputError> {
        let path = self.base.join(trace);
        let shown = path.display().to_string();
        let text = read_text(&path, &shown).map_err(|e| {
            if e.line.is_none() {
                self.err(&format!("{at}.trace"), e.to_string())
            } else {
                e
            }
        })?;
        let raw: RawTrace = parse_yaml(&text, &shown)?;
        // Errors inside the trace name the trace file.
        let mut sub = Resolver::new(&text, &shown, self.base, self.policies);
        sub.swap_tables(self);
        let mut counts: BTreeMap<FrameworkId, usize> = BTreeMap::new();
        for j in &sub.jobs {
            *counts.entry(j.framework).or_default() += 1;
        }
        let result = (|| {
            for (i, job) in raw.jobs.iter().enumerate() {
                let jat = format!("jobs[{i}]");
                let Some(fname) = &job.framework else {
                    return Err(sub.err(&jat, "a trace job needs `framework: ID`"));
                };
                let fid = sub.framework(fname, &format!("{jat}.framework"))?;
                if sub.frameworks[fid.index()].behavior != Behavior::Batch {
                    return Err(sub.err(
                        &format!("{jat}.framework"),
                        format!("framework `{fname}` is not a batch framework; jobs need `behavior: batch`"),
                    ));
                }
                let n = counts.entry(fid).or_default();
                let idx = *n;
                *n += 1;
                sub.add_job(job, fid, idx, &jat)?;
            }
            Ok(())
        })();
        sub.swap_tables(self);
        result
    }
}

pub(super) fn task_duration(d: &TaskDur) -> Result<TaskDuration, String> {
    Ok(match d {
        TaskDur::Fixed(us) => TaskDuration::Fixed(*us),
        TaskDur::Forever => TaskDuration::Forever,
        TaskDur::Exp(mean) => TaskDuration::Exp { mean: *mean },
        TaskDur::Uniform(low, high) => TaskDuration::Uniform {
            low: *low,
            high: *high,
        },
        TaskDur::LogNormal(l) => {
            let mu = lognormal_mu(
                l.median.map(|d| d.0 as f64),
                l.mean.map(|d| d.0 as f64),
                l.sigma,
            )?;
            TaskDuration::LogNormal { mu, sigma: l.sigma }
        }
        TaskDur::Pareto(p) => {
            if !(p.shape.is_finite() && p.shape > 0.0) {
                return Err("pareto needs a shape > 0".into());
            }
            TaskDuration::Pareto {
                scale: p.scale.0 as f64,
                shape: p.shape,
            }
        }
    })
}
