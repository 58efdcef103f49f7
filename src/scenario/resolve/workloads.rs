//! `workload:` entries: YAML traces (read whole), compact CSV traces
//! (checked in full now, streamed during the run), Google 2011 and SWF
//! traces (imported now), generators (drawn during the run).

use super::generator;
use super::*;
use crate::scenario::raw::{RawFrameworkTemplate, RawGenerate};
use crate::workload::csv_trace::TraceReader;
use crate::workload::{google, swf, Imported};

/// Hostile sizes: frameworks a trace may create, jobs a streamed trace may
/// hold (job ids are u32).
const MAX_TRACE_FRAMEWORKS: usize = 100_000;
const MAX_STREAM_JOBS: u64 = u32::MAX as u64 / 2;

/// Keys of a workload entry other than `trace` and `generate`, and the
/// formats each applies to.
const KEYS: &[(&str, &[&str])] = &[
    ("format", &["yaml", "csv", "google2011", "swf"]),
    ("job_events", &["google2011"]),
    ("framework", &["csv", "google2011", "swf"]),
    ("framework_by", &["google2011", "swf"]),
    (
        "framework_defaults",
        &["csv", "google2011", "swf", "generate"],
    ),
    ("bands", &["google2011"]),
    ("machine", &["google2011"]),
    ("missing_submit", &["google2011"]),
    ("open_end", &["google2011"]),
    ("time_origin", &["google2011", "swf"]),
    ("processors", &["swf"]),
    ("cpus_per_processor", &["swf"]),
    ("gang", &["swf"]),
];

const FORMATS: [&str; 4] = ["yaml", "csv", "google2011", "swf"];

/// Why a trace's framework could not be found or made.
enum FwError {
    /// Say this where the trace names the framework.
    Msg(String),
    /// Already located (in the template).
    Input(InputError),
}

/// The format a trace file's name suggests.
fn format_of(trace: &str) -> Option<&'static str> {
    let lower = trace.to_ascii_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some("yaml")
    } else if name.ends_with(".csv") {
        Some("csv")
    } else if name.ends_with(".swf") {
        Some("swf")
    } else {
        None
    }
}

impl Resolver<'_> {
    pub(super) fn add_workload(
        &mut self,
        w: &RawWorkload,
        at: At,
        index: usize,
    ) -> Result<(), InputError> {
        if w.framework.is_some() && w.framework_by.is_some() {
            return Err(self.err(
                &format!("{at}.framework_by"),
                "give `framework` (every job in one framework) or `framework_by`, not both",
            ));
        }
        let given = [
            w.format.is_some(),
            w.job_events.is_some(),
            w.framework.is_some(),
            w.framework_by.is_some(),
            w.framework_defaults.is_some(),
            w.bands.is_some(),
            w.machine.is_some(),
            w.missing_submit.is_some(),
            w.open_end.is_some(),
            w.time_origin.is_some(),
            w.processors.is_some(),
            w.cpus_per_processor.is_some(),
            w.gang.is_some(),
        ];
        let format: &str = match (&w.trace, &w.generate) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    &format!("{at}.generate"),
                    "a workload entry has either `trace` or `generate`, not both",
                ))
            }
            (None, None) => {
                return Err(self.err(
                    at,
                    "a workload entry needs `trace: FILE` or `generate: {...}`",
                ))
            }
            (None, Some(_)) => "generate",
            (Some(t), None) => match &w.format {
                Some(f) => match FORMATS.iter().find(|x| **x == f.as_str()) {
                    Some(x) => x,
                    None => {
                        let hint = did_you_mean(f, FORMATS);
                        return Err(self.err(
                            &format!("{at}.format"),
                            format!("unknown trace format `{f}` (yaml, csv, google2011 or swf){hint}"),
                        ));
                    }
                },
                None => match format_of(t) {
                    Some(f) => f,
                    None => {
                        return Err(self.err(
                            &format!("{at}.trace"),
                            format!("cannot tell the format of `{t}` from its name; give `format:` (yaml, csv, google2011 or swf)"),
                        ))
                    }
                },
            },
        };
        for ((key, formats), present) in KEYS.iter().zip(given) {
            if present && !formats.contains(&format) {
                return Err(self.err(
                    &format!("{at}.{key}"),
                    format!(
                        "`{key}` does not apply to {} (it is for {})",
                        if format == "generate" {
                            "a generator".to_string()
                        } else {
                            format!("format `{format}`")
                        },
                        formats.join(", ")
                    ),
                ));
            }
        }
        let defaults = w.framework_defaults.as_ref();
        let dat = format!("{at}.framework_defaults");
        match (format, &w.trace, &w.generate) {
            ("generate", _, Some(g)) => {
                self.add_generator(g, &format!("{at}.generate"), defaults, &dat)
            }
            ("yaml", Some(t), _) => self.add_yaml_trace(t, at),
            ("csv", Some(t), _) => self.add_csv_trace(w, t, at, index),
            (f, Some(t), _) => self.add_imported(w, t, at, f),
            _ => unreachable!("format matched above"),
        }
    }

    /// The framework a trace names: declared, or made from the entry's
    /// `framework_defaults`.
    fn trace_framework(
        &mut self,
        name: &str,
        defaults: Option<&RawFrameworkTemplate>,
        dat: &str,
    ) -> Result<FrameworkId, FwError> {
        if let Some(id) = self.framework_ids.get(name) {
            if self.frameworks[id.index()].behavior != Behavior::Batch {
                return Err(FwError::Msg(format!(
                    "framework `{name}` is not a batch framework; jobs need `behavior: batch`"
                )));
            }
            return Ok(*id);
        }
        let Some(t) = defaults else {
            let hint = did_you_mean(name, self.framework_ids.keys().map(String::as_str));
            return Err(FwError::Msg(format!(
                "no framework `{name}` in this scenario{hint} (declare it, or give the workload entry `framework_defaults` to create the frameworks the trace names)"
            )));
        };
        validate_id("framework", name).map_err(FwError::Msg)?;
        if self.frameworks.len() >= MAX_TRACE_FRAMEWORKS {
            return Err(FwError::Msg(format!(
                "more than {MAX_TRACE_FRAMEWORKS} frameworks; refused (map the trace to fewer frameworks)"
            )));
        }
        self.add_framework(&t.with_id(name), dat)
            .map_err(FwError::Input)?;
        let id = self.framework_ids[name];
        if self.frameworks[id.index()].behavior != Behavior::Batch {
            return Err(FwError::Input(self.err(
                &format!("{dat}.behavior"),
                "frameworks made for a trace run its jobs: `behavior: batch`",
            )));
        }
        Ok(id)
    }

    fn trace_path(&self, trace: &str) -> (PathBuf, String) {
        let path = self.base.join(trace);
        let shown = path.display().to_string();
        (path, shown)
    }

    /// An error without a line (the file is missing, ...) points at the
    /// scenario's `trace:` key instead.
    fn at_trace(&self, e: InputError, at: At) -> InputError {
        if e.line.is_none() {
            self.err(&format!("{at}.trace"), e.to_string())
        } else {
            e
        }
    }

    fn add_csv_trace(
        &mut self,
        w: &RawWorkload,
        trace: &str,
        at: At,
        index: usize,
    ) -> Result<(), InputError> {
        let (path, shown) = self.trace_path(trace);
        let mut r = TraceReader::open(&path, &shown).map_err(|e| self.at_trace(e, at))?;
        let mut res_ids = Vec::new();
        for (_, n) in r.layout.resources.clone() {
            res_ids.push(self.intern(&n, &format!("{at}.trace"))?);
        }
        let defaults = w.framework_defaults.as_ref();
        let dat = format!("{at}.framework_defaults");
        let fixed = match &w.framework {
            Some(f) => Some(
                self.trace_framework(f, defaults, &dat)
                    .map_err(|e| match e {
                        FwError::Msg(m) => self.err(&format!("{at}.framework"), m),
                        FwError::Input(e) => e,
                    })?,
            ),
            None => None,
        };
        if fixed.is_none() && !r.layout.has_framework() {
            return Err(self.err(
                &format!("{at}.trace"),
                format!(
                    "`{shown}` has no `framework` column; give the workload entry `framework: ID`"
                ),
            ));
        }
        let mut cache: BTreeMap<String, FrameworkId> = BTreeMap::new();
        let (mut jobs, mut forever) = (0u64, false);
        let mut digest = TraceDigest::default();
        // Shape → index in digest.shapes (bounded by TRACE_SHAPES).
        let mut shape_index: BTreeMap<(u32, u32, Vec<u64>), Vec<usize>> = BTreeMap::new();
        while let Some(t) = r.next_job()? {
            let fid = match fixed {
                Some(f) => f,
                None => match cache.get(&t.framework) {
                    Some(f) => *f,
                    None => {
                        let f = self.trace_framework(&t.framework, defaults, &dat).map_err(
                            |e| match e {
                                FwError::Msg(m) => r.field_error("framework", m),
                                FwError::Input(e) => e,
                            },
                        )?;
                        cache.insert(t.framework.clone(), f);
                        f
                    }
                },
            };
            if let Some(role) = &t.role {
                let ok = self
                    .role_ids
                    .get(role)
                    .is_some_and(|id| self.frameworks[fid.index()].roles.contains(id));
                if !ok {
                    return Err(r.field_error(
                        "role",
                        format!(
                            "framework `{}` is not subscribed to role `{role}`",
                            self.frameworks[fid.index()].id
                        ),
                    ));
                }
            }
            if t.resources.iter().all(|v| *v == 0) {
                let first = r.layout.resources[0].1.clone();
                return Err(r.field_error(&first, "a task needs some resources"));
            }
            forever |= t.duration.is_none();
            jobs += 1;
            let role = match &t.role {
                Some(name) => self.role_ids[name],
                None => self.frameworks[fid.index()].roles[0],
            };
            if let Err(i) = digest.roles.binary_search(&role) {
                digest.roles.insert(i, role);
            }
            if t.submit >= digest.last_submit.0 {
                digest.last_submit = SimTime(t.submit);
                digest.last_line = r.line();
            }
            let key = (fid.0, role.0, t.resources);
            let known = shape_index.get(&key).and_then(|ix| {
                ix.iter()
                    .copied()
                    .find(|&i| digest.shapes[i].constraints == t.constraints)
            });
            match known {
                Some(i) => digest.shapes[i].jobs += 1,
                None if digest.shapes.len() < TRACE_SHAPES => {
                    let mut resources = Quantities::ZERO;
                    for (id, v) in res_ids.iter().zip(&key.2) {
                        resources.set(*id, *v);
                    }
                    shape_index
                        .entry(key)
                        .or_default()
                        .push(digest.shapes.len());
                    digest.shapes.push(TraceShape {
                        framework: fid,
                        role,
                        resources,
                        constraints: t.constraints,
                        line: r.line(),
                        jobs: 1,
                    });
                }
                None => digest.unshaped += 1,
            }
            if jobs > MAX_STREAM_JOBS {
                return Err(r.field_error(
                    "submit_s",
                    format!("more than {MAX_STREAM_JOBS} jobs in one trace; refused"),
                ));
            }
        }
        self.notes.push(format!(
            "{shown}: {jobs} jobs checked; streamed during the run"
        ));
        self.streams.push(StreamSpec {
            name: at.to_string(),
            source: StreamSource::Csv(CsvStream {
                path,
                shown,
                framework: fixed,
                id_prefix: format!("w{index}-"),
                digest,
            }),
            jobs: Some(jobs),
            forever,
        });
        Ok(())
    }

    fn pick<T: Copy>(
        &self,
        value: &Option<String>,
        choices: &[(&str, T)],
        default: T,
        at: At,
    ) -> Result<T, InputError> {
        let Some(v) = value else {
            return Ok(default);
        };
        match choices.iter().find(|(k, _)| k == v) {
            Some((_, t)) => Ok(*t),
            None => {
                let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
                let hint = did_you_mean(v, names.iter().copied());
                Err(self.err(
                    at,
                    format!("`{v}` is not one of {}{hint}", names.join(", ")),
                ))
            }
        }
    }

    fn google_options(&self, w: &RawWorkload, at: At) -> Result<google::Options, InputError> {
        use google::{FrameworkBy, MissingSubmit, OpenEnd, TimeOrigin};
        let mut o = google::Options {
            framework_by: self.pick(
                &w.framework_by,
                &[
                    ("priority", FrameworkBy::Priority),
                    ("class", FrameworkBy::Class),
                    ("user", FrameworkBy::User),
                ],
                FrameworkBy::Priority,
                &format!("{at}.framework_by"),
            )?,
            missing_submit: self.pick(
                &w.missing_submit,
                &[
                    ("schedule", MissingSubmit::Schedule),
                    ("skip", MissingSubmit::Skip),
                ],
                MissingSubmit::Schedule,
                &format!("{at}.missing_submit"),
            )?,
            open_end: self.pick(
                &w.open_end,
                &[
                    ("skip", OpenEnd::Skip),
                    ("forever", OpenEnd::Forever),
                    ("truncate", OpenEnd::Truncate),
                ],
                OpenEnd::Skip,
                &format!("{at}.open_end"),
            )?,
            time_origin: self.pick(
                &w.time_origin,
                &[("first", TimeOrigin::First), ("trace", TimeOrigin::Trace)],
                TimeOrigin::First,
                &format!("{at}.time_origin"),
            )?,
            framework: w.framework.clone(),
            ..google::Options::default()
        };
        if let Some(b) = &w.bands {
            o.bands = google::parse_bands(b).map_err(|m| self.err(&format!("{at}.bands"), m))?;
        }
        if let Some(m) = &w.machine {
            o.machine = [0, 0, 0];
            for (k, q) in &m.0 {
                let i = match k.as_str() {
                    "cpus" => 0,
                    "mem" => 1,
                    "disk" => 2,
                    other => {
                        return Err(self.err(
                            &format!("{at}.machine.{other}"),
                            "the Google trace normalises `cpus`, `mem` and `disk` only",
                        ))
                    }
                };
                o.machine[i] = q.0;
            }
            if o.machine[0] == 0 && o.machine[1] == 0 {
                return Err(self.err(
                    &format!("{at}.machine"),
                    "give the largest machine's `cpus` and `mem` (e.g. `{cpus: 32, mem: 131072}`)",
                ));
            }
        }
        Ok(o)
    }

    fn swf_options(&self, w: &RawWorkload, at: At) -> Result<swf::Options, InputError> {
        use swf::{FrameworkBy, Processors};
        let processors = self.pick(
            &w.processors,
            &[("tasks", Processors::Tasks), ("cpus", Processors::Cpus)],
            Processors::Tasks,
            &format!("{at}.processors"),
        )?;
        let cpus = w.cpus_per_processor.map_or(1000, |q| q.0);
        if cpus == 0 {
            return Err(self.err(
                &format!("{at}.cpus_per_processor"),
                "must be greater than 0",
            ));
        }
        Ok(swf::Options {
            processors,
            cpus_per_processor: cpus,
            framework_by: self.pick(
                &w.framework_by,
                &[
                    ("one", FrameworkBy::One),
                    ("user", FrameworkBy::User),
                    ("group", FrameworkBy::Group),
                    ("queue", FrameworkBy::Queue),
                    ("partition", FrameworkBy::Partition),
                ],
                FrameworkBy::One,
                &format!("{at}.framework_by"),
            )?,
            framework: w.framework.clone(),
            gang: match (w.gang, processors) {
                (Some(g), _) => Some(g),
                (None, Processors::Tasks) => Some(true),
                (None, Processors::Cpus) => None,
            },
            origin_first: self.pick(
                &w.time_origin,
                &[("first", true), ("trace", false)],
                true,
                &format!("{at}.time_origin"),
            )?,
        })
    }

    fn add_imported(
        &mut self,
        w: &RawWorkload,
        trace: &str,
        at: At,
        format: &str,
    ) -> Result<(), InputError> {
        let (path, _) = self.trace_path(trace);
        let imported: Imported = match format {
            "google2011" => {
                let opts = self.google_options(w, at)?;
                let je = w.job_events.as_ref().map(|p| self.base.join(p));
                if let Some(p) = &je {
                    if !p.exists() {
                        return Err(self.err(
                            &format!("{at}.job_events"),
                            format!("cannot read `{}`", p.display()),
                        ));
                    }
                }
                google::import(&path, je.as_deref(), &opts)
            }
            _ => {
                let opts = self.swf_options(w, at)?;
                swf::import(&path, &opts)
            }
        }
        .map_err(|e| self.at_trace(e, at))?;
        let mut res_ids = Vec::new();
        for n in &imported.resources {
            res_ids.push(self.intern(n, &format!("{at}.trace"))?);
        }
        let defaults = w.framework_defaults.as_ref();
        let dat = format!("{at}.framework_defaults");
        let mut cache: BTreeMap<String, FrameworkId> = BTreeMap::new();
        for t in &imported.jobs {
            let fid = match cache.get(&t.framework) {
                Some(f) => *f,
                None => {
                    let f = self.trace_framework(&t.framework, defaults, &dat).map_err(
                        |e| match e {
                            FwError::Msg(m) => self.err(
                                &format!("{at}.trace"),
                                format!("job `{}` of the trace: {m}", t.id),
                            ),
                            FwError::Input(e) => e,
                        },
                    )?;
                    cache.insert(t.framework.clone(), f);
                    f
                }
            };
            if !self.job_ids.insert(t.id.clone()) {
                return Err(self.err(
                    &format!("{at}.trace"),
                    format!("job id `{}` (from the trace) is used twice", t.id),
                ));
            }
            if self.jobs.len() >= u32::MAX as usize / 2 {
                return Err(self.err(&format!("{at}.trace"), "too many jobs"));
            }
            let mut resources = Quantities::ZERO;
            for (r, v) in res_ids.iter().zip(&t.resources) {
                resources.set(*r, *v);
            }
            let fw = &self.frameworks[fid.index()];
            self.jobs.push(JobSpec {
                id: t.id.clone(),
                framework: fid,
                role: fw.roles[0],
                submit: SimTime(t.submit),
                tasks: t.tasks,
                resources,
                duration: match t.duration {
                    Some(d) => TaskDuration::Fixed(d),
                    None => TaskDuration::Forever,
                },
                gang: t.gang.unwrap_or(fw.gang_default),
                constraints: Vec::new(),
                prefer: Vec::new(),
                used: resources,
                class: t.class.clone(),
                deadline: None,
            });
        }
        self.notes.extend(imported.report.lines());
        Ok(())
    }

    fn add_generator(
        &mut self,
        g: &RawGenerate,
        at: At,
        defaults: Option<&RawFrameworkTemplate>,
        dat: &str,
    ) -> Result<(), InputError> {
        let default_name = format!("gen{}", self.generator_names.len() + 1);
        let mut gen = generator::build(g, at, &default_name, self.until, self.base, &|p, m| {
            self.err(p, m)
        })?;
        if !self.generator_names.insert(gen.name.clone()) {
            return Err(self.err(
                &format!("{at}.name"),
                format!(
                    "generator name `{}` is used twice (it names the random stream)",
                    gen.name
                ),
            ));
        }
        for (ci, c) in gen.classes.iter_mut().enumerate() {
            let cat = format!("{at}.classes[{ci}]");
            if !self.class_names.insert(c.name.clone()) {
                return Err(self.err(
                    &format!("{cat}.name"),
                    format!(
                        "class `{}` is used by two generators (it prefixes job ids)",
                        c.name
                    ),
                ));
            }
            let fid = self
                .trace_framework(&c.framework, defaults, dat)
                .map_err(|e| match e {
                    FwError::Msg(m) => self.err(&format!("{cat}.framework"), m),
                    FwError::Input(e) => e,
                })?;
            let fw = &self.frameworks[fid.index()];
            let role = match &c.role {
                None => fw.roles[0],
                Some(r) => match self.role_ids.get(r) {
                    Some(id) if fw.roles.contains(id) => *id,
                    _ => {
                        return Err(self.err(
                            &format!("{cat}.role"),
                            format!("framework `{}` is not subscribed to role `{r}`", fw.id),
                        ))
                    }
                },
            };
            let gang = c.gang.unwrap_or(fw.gang_default);
            let mut resources = Quantities::ZERO;
            for (n, v) in &c.resources {
                let r = self.intern(n, &format!("{cat}.resources.{n}"))?;
                resources.set(r, *v);
            }
            for (key, tests) in [("constraints", &c.constraints), ("prefer", &c.prefer)] {
                let raw = OrderedMap(
                    tests
                        .iter()
                        .map(|t| (t.key.clone(), RawAttrValues(t.values.clone())))
                        .collect(),
                );
                self.attr_tests(Some(&raw), &format!("{cat}.{key}"))?;
            }
            c.resolved = Some(ResolvedClass {
                framework: fid,
                role,
                resources,
                gang,
            });
        }
        let forever = gen.classes.iter().any(|c| c.duration.is_none());
        let jobs = if gen.until.is_none() { gen.jobs } else { None };
        self.streams.push(StreamSpec {
            name: at.to_string(),
            source: StreamSource::Generate(gen),
            jobs,
            forever,
        });
        Ok(())
    }
}
