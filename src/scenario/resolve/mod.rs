//! Raw structs → resolved [`Model`]: interning, cross-references, limits.
//! Every error names the file, line and column of the value at fault.

use super::locate::Locator;
use super::model::*;
use super::raw::*;
use crate::cluster::resources::{
    Limits, Quantities, ResourceNames, ResourceSet, MAX_RESOURCE_KINDS,
};
use crate::dist::lognormal_mu;
use crate::error::{nearest, InputError};
use crate::limits::{
    MAX_AGENTS, MAX_FILE_BYTES, MAX_PERIODIC_RUNS, MAX_SAMPLES, MAX_TASKS_PER_JOB,
};
use crate::policy::{PolicyRef, Registry};
use crate::sim::time::{parse_duration, DurationUs, SimTime};
use crate::{AgentId, FrameworkId, PartitionId, RoleId};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod agents;
mod architecture;
mod events;
mod faults;
mod frameworks;
pub mod generator;
mod jobs;
mod master;
mod names;
mod partitions;
mod resources;
mod roles;
mod workloads;

use jobs::task_duration;
use names::{validate_id, validate_role_name, AgentNames};

/// A loaded scenario: the model and what identifies its source.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub model: Model,
    /// SHA-256 of the scenario file's bytes, hex.
    pub sha256: String,
    pub path: PathBuf,
    /// `run --set KEY=VALUE` changes applied to the file before resolving
    /// (as written; recorded in the manifest).
    pub overrides: Vec<String>,
}

/// Reads, parses and resolves a scenario file.
pub fn load(path: &Path) -> Result<Loaded, InputError> {
    load_with(path, &Registry::builtin())
}

/// As [`load`], with the policies of `policies` (the built-in ones plus
/// whatever a library user registered) available to `master.policy` and
/// the sorter keys.
pub fn load_with(path: &Path, policies: &Registry) -> Result<Loaded, InputError> {
    let shown = path.display().to_string();
    let text = read_text(path, &shown)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let model = load_str_with(&text, &shown, base, policies)?;
    Ok(Loaded {
        model,
        sha256: crate::digest::sha256_hex(text.as_bytes()),
        path: path.to_path_buf(),
        overrides: Vec::new(),
    })
}

fn read_text(path: &Path, shown: &str) -> Result<String, InputError> {
    crate::workload::input::read_text_bounded(path, shown, "a scenario file", MAX_FILE_BYTES)
}

/// Parses and resolves scenario text; `file` names it in errors and `base`
/// is where relative trace paths start.
pub fn load_str(text: &str, file: &str, base: &Path) -> Result<Model, InputError> {
    load_str_with(text, file, base, &Registry::builtin())
}

/// As [`load_str`], with the policies of `policies`.
pub fn load_str_with(
    text: &str,
    file: &str,
    base: &Path,
    policies: &Registry,
) -> Result<Model, InputError> {
    // A UTF-8 byte-order mark (as some Windows editors write) is no content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawScenario = parse_yaml(text, file)?;
    Resolver::new(text, file, base, policies).resolve(raw)
}

/// serde_yaml with our error format: place, message, and a hint for
/// unknown keys.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::new(file, "the file is empty").at(1, 1));
    }
    if let Some(e) = too_deep(text, file) {
        return Err(e);
    }
    serde_yaml::from_str(text).map_err(|e| yaml_error(&e, text, file))
}

/// The error for YAML nested deeper than
/// [`MAX_FLOW_DEPTH`](crate::limits::MAX_FLOW_DEPTH), if it is. Every YAML
/// the tool reads is checked with this before libyaml sees it: libyaml's
/// scanner takes time quadratic in the flow nesting (100,000 `[` took
/// 30 s).
pub fn too_deep(text: &str, file: &str) -> Option<InputError> {
    let (line, col) = crate::scenario::locate::too_deep(text)?;
    let msg = format!(
        "brackets nested more than {} levels deep",
        crate::limits::MAX_FLOW_DEPTH
    );
    Some(InputError::new(file, msg).at(line, col))
}

fn yaml_error(e: &serde_yaml::Error, text: &str, file: &str) -> InputError {
    let mut msg = e.to_string();
    // serde_yaml appends " at line L column C"; we print the place first.
    if let Some(cut) = msg.rfind(" at line ") {
        msg.truncate(cut);
    }
    msg = readable_types(&msg);
    if let Some(hint) = unknown_key_hint(&msg) {
        msg.push_str(&hint);
    }
    // A repeated key is reported at the start of its map: point at the
    // repetition instead.
    let repeated = ["duplicate field `", "duplicate key `"]
        .iter()
        .find_map(|p| msg.split(p).nth(1)?.split('`').next().map(str::to_string));
    let err = InputError::new(file, msg);
    match e.location() {
        Some(loc) => {
            let at = (loc.line(), loc.column());
            let (line, col) = repeated
                .and_then(|k| super::locate::repeated_key(text, at, &k))
                .unwrap_or(at);
            err.at(line, col)
        }
        None => err.at(1, 1),
    }
}

/// serde names the struct it wanted ("expected struct RawAgent"): say what
/// the file should hold instead.
fn readable_types(msg: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        (
            "RawScenario",
            "a scenario: a map of keys such as `name`, `agents`, `frameworks`",
        ),
        (
            "RawAgent",
            "an agent: a map such as `{id: a, resources: {cpus: 4, mem: 8192}}`",
        ),
        ("RawFrameworkTemplate", "a map of framework keys"),
        ("RawFramework", "a framework: a map with an `id`"),
        (
            "RawJob",
            "a job: a map such as `{resources: {cpus: 1}, duration: 1m}`",
        ),
        ("RawRole", "a role: a map such as `{name: eng, weight: 2}`"),
        (
            "RawQuota",
            "a quota: a map with `guarantee` and/or `limit`, or `per_partition`",
        ),
        (
            "RawQuotaAmount",
            "a partition's quota: a map with `guarantee` and/or `limit`",
        ),
        (
            "RawMaster",
            "a map of master keys such as `allocation_interval`",
        ),
        (
            "RawOutput",
            "a map of output keys such as `sample_interval`",
        ),
        ("RawWindow", "a window: a map with `from` and/or `to`"),
        ("RawEvent", "an event: a map with `at` and one action"),
        (
            "RawWorkload",
            "a workload: a map with `trace` or `generate`",
        ),
        (
            "RawGenerateFile",
            "a generator spec: a map with `generate` (and `seed`)",
        ),
        ("RawGenerate", "a generator: a map with `classes`"),
        (
            "RawGenClass",
            "a generator class: a map with `name`, `framework`, `resources`",
        ),
        ("RawTrace", "a trace: a map with `jobs`"),
        (
            "RawDecisionTime",
            "a map with `per_job`, `per_offer` and/or `per_task`",
        ),
        (
            "RawRunCost",
            "a map with `per_agent`, `per_client` and/or `per_pair`",
        ),
        ("RawDisconnect", "a map such as `{framework: f, for: 30s}`"),
        ("RawSetWeight", "a map such as `{role: eng, weight: 2}`"),
        (
            "RawSetQuota",
            "a map with `role` and `guarantee` and/or `limit`, or `per_partition`",
        ),
        ("RawReserve", "a map with `agent`, `role` and `resources`"),
        (
            "RawMaintenance",
            "a map with `agents`, `start` and `duration`",
        ),
        ("RawLogNormal", "a map with `sigma` and `median` or `mean`"),
        ("RawPareto", "a map with `scale` and `shape`"),
        ("RawTargetMap", "a map with `framework` (and `roles`)"),
    ];
    let mut out = msg.to_string();
    for (name, says) in NAMES {
        for kind in ["struct ", "enum "] {
            out = out.replace(&format!("{kind}{name}"), says);
        }
    }
    out
}

/// "; did you mean `x`?" for the candidate nearest to `word`, or nothing.
fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

/// For "unknown field `x`, expected one of `a`, `b`": "; did you mean `a`?".
fn unknown_key_hint(msg: &str) -> Option<String> {
    let rest = msg.split("unknown field `").nth(1)?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    nearest(word, expected.iter().copied()).map(|k| format!("; did you mean `{k}`?"))
}
struct Resolver<'a> {
    text: &'a str,
    /// Ordering policies by name.
    policies: &'a Registry,
    file: &'a str,
    base: &'a Path,
    locator: OnceCell<Locator>,
    resources: ResourceNames,
    roles: Vec<RoleSpec>,
    role_ids: BTreeMap<String, RoleId>,
    declared_roles: BTreeSet<String>,
    agent_groups: Vec<AgentGroup>,
    agents: Vec<AgentSpec>,
    agent_names: AgentNames,
    frameworks: Vec<FrameworkSpec>,
    framework_ids: BTreeMap<String, FrameworkId>,
    jobs: Vec<JobSpec>,
    job_ids: BTreeSet<String>,
    default_refuse: DurationUs,
    streams: Vec<StreamSpec>,
    notes: Vec<String>,
    until: Option<SimTime>,
    /// Generator names and class names taken so far.
    generator_names: BTreeSet<String>,
    class_names: BTreeSet<String>,
}

/// Where a value sits in the file: a path such as `agents[2].resources`.
type At<'p> = &'p str;

impl<'a> Resolver<'a> {
    fn new(text: &'a str, file: &'a str, base: &'a Path, policies: &'a Registry) -> Resolver<'a> {
        Resolver {
            text,
            policies,
            file,
            base,
            locator: OnceCell::new(),
            resources: ResourceNames::default(),
            roles: Vec::new(),
            role_ids: BTreeMap::new(),
            declared_roles: BTreeSet::new(),
            agent_groups: Vec::new(),
            agents: Vec::new(),
            agent_names: AgentNames::default(),
            frameworks: Vec::new(),
            framework_ids: BTreeMap::new(),
            jobs: Vec::new(),
            job_ids: BTreeSet::new(),
            default_refuse: 5_000_000,
            streams: Vec::new(),
            notes: Vec::new(),
            until: None,
            generator_names: BTreeSet::new(),
            class_names: BTreeSet::new(),
        }
    }

    fn err(&self, at: At, msg: impl Into<String>) -> InputError {
        let loc = self.locator.get_or_init(|| Locator::new(self.text));
        let e = InputError::new(self.file, msg);
        match loc.find(at) {
            Some((l, c)) => e.at(l, c),
            None => e.at(1, 1),
        }
    }

    fn resolve(mut self, mut raw: RawScenario) -> Result<Model, InputError> {
        validate_id("scenario name", &raw.name).map_err(|m| self.err("name", m))?;
        if let Some(Dur(d)) = raw.master.as_ref().and_then(|m| m.refuse_seconds) {
            self.default_refuse = d;
        }
        self.until = raw.until.map(|d| SimTime(d.0));

        // Roles first, so weights and quotas apply to roles named later.
        for (i, r) in raw.roles.iter().enumerate() {
            self.declare_role(r, &format!("roles[{i}]"))?;
        }
        for (i, a) in raw.agents.iter().enumerate() {
            let at = format!("agents[{i}]");
            let t = a.at.map_or(SimTime::ZERO, |d| SimTime(d.0));
            self.add_agents(a, &at, Some(t))?;
        }
        // Agents that events add are known to every reference.
        for (i, e) in raw.events.iter().enumerate() {
            if let Some(a) = &e.agent_add {
                if a.at.is_some() {
                    return Err(self.err(
                        &format!("events[{i}].agent_add.at"),
                        "an `agent_add` event takes its time from the event's `at`",
                    ));
                }
                self.add_agents(a, &format!("events[{i}].agent_add"), None)?;
            }
        }
        for (i, f) in raw.frameworks.iter().enumerate() {
            self.add_framework(f, &format!("frameworks[{i}]"))?;
        }
        // Where each listed job sits in the file, for the lint's places.
        let mut job_paths: Vec<String> = Vec::new();
        for (i, f) in raw.frameworks.iter().enumerate() {
            let fid = FrameworkId(i as u32);
            for (j, job) in f.jobs.iter().enumerate() {
                let at = format!("frameworks[{i}].jobs[{j}]");
                debug_assert_eq!(self.jobs.len(), job_paths.len());
                job_paths.push(at.clone());
                if job.framework.is_some() {
                    return Err(self.err(
                        &format!("{at}.framework"),
                        "`framework` belongs in trace files; here the job already belongs to its framework",
                    ));
                }
                self.add_job(job, fid, j, &at)?;
            }
        }
        for (i, w) in raw.workload.iter().enumerate() {
            self.add_workload(w, &format!("workload[{i}]"), i)?;
        }
        let (events, attribute_changes) = self.resolve_events(&raw.events)?;
        let (faults, fault_of) = self.resolve_faults(raw.faults.as_ref())?;
        self.resolve_running(&raw)?;
        let partitions = self.resolve_partitions(&raw)?;
        self.check_failover_partitions(&raw.events, partitions.count)?;
        self.check_quota_partitions(&raw, partitions.count)?;
        let master = self.resolve_master(raw.master.take().unwrap_or_default())?;
        let architecture = self.resolve_architecture(&raw, &partitions, &master, &events)?;
        let output = self.resolve_output(raw.output.take())?;
        let until = raw.until.map(|d| d.0);
        self.check_run_length(until, &master, &output)?;
        self.check_ends(until)?;
        self.check_horizon(until, &events, &output)?;
        let mut model = Model {
            name: raw.name.clone(),
            description: raw.description.take().unwrap_or_default(),
            seed: raw.seed.unwrap_or(1),
            until: raw.until.map(|d| SimTime(d.0)),
            resources: std::mem::take(&mut self.resources),
            master,
            partitions,
            architecture,
            role_tree: crate::policy::RoleTree::new(self.roles.iter().map(|r| r.parent)),
            roles: std::mem::take(&mut self.roles),
            agent_groups: std::mem::take(&mut self.agent_groups),
            agents: std::mem::take(&mut self.agents),
            frameworks: std::mem::take(&mut self.frameworks),
            jobs: std::mem::take(&mut self.jobs),
            streams: std::mem::take(&mut self.streams),
            notes: std::mem::take(&mut self.notes),
            events,
            faults,
            fault_of,
            attribute_changes,
            output,
            warnings: Vec::new(),
        };
        debug_assert!(!model.never_ends());
        let findings = super::lint::lint(&model, &raw, &|i| job_paths.get(i).cloned());
        model.warnings = findings
            .into_iter()
            .map(|f| match f.at {
                Some(at) => self.err(&at, f.message),
                None => InputError::new(self.file, f.message),
            })
            .collect();
        Ok(model)
    }

    /// The `output:` section (sample interval, measurement window).
    fn resolve_output(&self, raw: Option<RawOutput>) -> Result<OutputConfig, InputError> {
        Ok(match raw {
            Some(o) => OutputConfig {
                sample_interval: match o.sample_interval {
                    Some(Dur(0)) => {
                        return Err(self.err("output.sample_interval", "must be greater than 0"))
                    }
                    Some(Dur(d)) => d,
                    None => 10_000_000,
                },
                window: match o.window {
                    None => Window::default(),
                    Some(w) => {
                        let from = SimTime(w.from.map_or(0, |d| d.0));
                        let to = w.to.map(|d| SimTime(d.0));
                        if to.is_some_and(|t| t <= from) {
                            return Err(self.err(
                                "output.window.to",
                                "the window must end after it starts (`to` > `from`)",
                            ));
                        }
                        Window { from, to }
                    }
                },
                percentiles: o.percentiles.unwrap_or_default(),
                references: o.references.unwrap_or(false),
                compare_frameworks: {
                    let ids = o.compare_frameworks.unwrap_or_default();
                    for (i, id) in ids.iter().enumerate() {
                        self.framework(id, &format!("output.compare_frameworks[{i}]"))?;
                    }
                    ids
                },
                schedulers: o.schedulers.unwrap_or(false),
                faults: o.faults.unwrap_or(false),
            },
            None => OutputConfig {
                sample_interval: 10_000_000,
                window: Window::default(),
                percentiles: Default::default(),
                references: false,
                compare_frameworks: Vec::new(),
                schedulers: false,
                faults: false,
            },
        })
    }

    /// Hostile lengths: a run that could not finish in any reasonable time.
    fn check_run_length(
        &self,
        until: Option<DurationUs>,
        master: &MasterConfig,
        output: &OutputConfig,
    ) -> Result<(), InputError> {
        if let Some(until) = until {
            let runs = until / master.allocation_interval;
            if runs > MAX_PERIODIC_RUNS {
                return Err(self.err(
                    "until",
                    format!(
                        "`until` / `allocation_interval` is {runs} periodic allocation runs; \
                         more than {MAX_PERIODIC_RUNS} are refused (raise the interval or shorten the run)"
                    ),
                ));
            }
            let samples = until / output.sample_interval;
            if samples > MAX_SAMPLES {
                return Err(self.err(
                    "until",
                    format!(
                        "`until` / `output.sample_interval` is {samples} samples; \
                         more than {MAX_SAMPLES} are refused (raise output.sample_interval)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Without `until` the run lasts as long as its inputs: one dated (or a
    /// fixed task ending) beyond the horizon would write samples for ever.
    fn check_horizon(
        &self,
        until: Option<DurationUs>,
        events: &[crate::scenario::model::ScriptedEvent],
        output: &crate::scenario::model::OutputConfig,
    ) -> Result<(), InputError> {
        if until.is_some() {
            return Ok(());
        }
        let horizon = crate::scenario::model::horizon(output.sample_interval);
        let latest = self
            .jobs
            .iter()
            .map(|j| (j.submit.0, "a job's `submit`"))
            .chain(self.jobs.iter().filter_map(|j| {
                crate::scenario::model::duration_bound(&j.duration).map(|d| {
                    (
                        j.submit.0.saturating_add(d),
                        "a job's `submit` + `duration`",
                    )
                })
            }))
            .chain(events.iter().map(|e| (e.at.0, "an event's `at`")))
            .chain(
                self.frameworks
                    .iter()
                    .map(|f| (f.at.0, "a framework's `at`")),
            )
            .chain(
                self.agents
                    .iter()
                    .filter_map(|a| a.at.map(|t| (t.0, "an agent's `at`"))),
            )
            .max_by_key(|(t, _)| *t);
        if let Some((t, what)) = latest.filter(|(t, _)| *t > horizon) {
            return Err(self.err(
                "name",
                format!(
                    "{what} is at {} s, beyond the {} s a run without `until` may last \
                     ({MAX_SAMPLES} samples of output.sample_interval); set `until` \
                     (or raise output.sample_interval)",
                    crate::sim::time::format_secs(t),
                    crate::sim::time::format_secs(horizon)
                ),
            ));
        }
        Ok(())
    }

    /// A run without `until` must end by itself.
    fn check_ends(&self, until: Option<DurationUs>) -> Result<(), InputError> {
        let never_ending = until
            .is_none()
            .then(|| {
                self.frameworks.iter().find_map(|f| match f.behavior {
                    Behavior::TakeAll => Some("a `take-all` framework"),
                    Behavior::Hold => Some("a `hold` framework"),
                    _ => None,
                })
            })
            .flatten()
            .or_else(|| {
                (until.is_none()
                    && (self.jobs.iter().any(|j| j.duration.is_forever())
                        || self.streams.iter().any(|s| s.forever)))
                .then_some("a task that runs `forever`")
            })
            .or_else(|| {
                (until.is_none()
                    && self
                        .agent_groups
                        .iter()
                        .any(|g| g.running.iter().any(|r| r.duration.is_none())))
                .then_some("a task in `agents[].running` without `for`")
            });
        if let Some(what) = never_ending {
            return Err(self.err(
                "name",
                format!("the run would never end: it has {what} and no `until`; set `until`"),
            ));
        }
        Ok(())
    }
}
