//! Raw structs → resolved [`Model`]: interning, cross-references, limits.
//! Every error names the file, line and column of the value at fault.

use super::locate::Locator;
use super::model::*;
use super::raw::*;
use crate::cluster::resources::{
    Limits, Quantities, ResourceNames, ResourceSet, MAX_RESOURCE_KINDS,
};
use crate::error::{nearest, InputError};
use crate::sim::time::{parse_duration, DurationUs, SimTime};
use crate::{AgentId, FrameworkId, RoleId};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod workloads;

/// Hostile sizes are refused: at most this many agents in one entry (and in
/// all), or tasks in one job.
pub const MAX_AGENTS: u64 = 10_000_000;
pub const MAX_TASKS_PER_JOB: u64 = 10_000_000;
/// At most this many periodic allocation runs (`until` ÷ interval) and
/// output samples (`until` ÷ `sample_interval`) in one run.
pub const MAX_PERIODIC_RUNS: u64 = 1_000_000_000;
pub const MAX_SAMPLES: u64 = 100_000_000;
/// Largest scenario or YAML trace file we read, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// A loaded scenario: the model and what identifies its source.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub model: Model,
    /// SHA-256 of the scenario file's bytes, hex.
    pub sha256: String,
    pub path: PathBuf,
}

/// Reads, parses and resolves a scenario file.
pub fn load(path: &Path) -> Result<Loaded, InputError> {
    let shown = path.display().to_string();
    let text = read_text(path, &shown)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let model = load_str(&text, &shown, base)?;
    Ok(Loaded {
        model,
        sha256: crate::report::sha256_hex(text.as_bytes()),
        path: path.to_path_buf(),
    })
}

fn read_text(path: &Path, shown: &str) -> Result<String, InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(InputError::new(
            shown,
            "is a directory, not a scenario file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::new(
            shown,
            format!(
                "the file is {} MB; YAML files over {} MB are refused (use a CSV trace for big workloads)",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::new(shown, "the file is not valid UTF-8").at(line, 1)
    })
}

/// Parses and resolves scenario text; `file` names it in errors and `base`
/// is where relative trace paths start.
pub fn load_str(text: &str, file: &str, base: &Path) -> Result<Model, InputError> {
    let raw: RawScenario = parse_yaml(text, file)?;
    Resolver::new(text, file, base).resolve(raw)
}

/// serde_yaml with our error format: place, message, and a hint for
/// unknown keys.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::new(file, "the file is empty").at(1, 1));
    }
    serde_yaml::from_str(text).map_err(|e| yaml_error(&e, text, file))
}

fn yaml_error(e: &serde_yaml::Error, text: &str, file: &str) -> InputError {
    let mut msg = e.to_string();
    // serde_yaml appends " at line L column C"; we print the place first.
    if let Some(cut) = msg.rfind(" at line ") {
        msg.truncate(cut);
    }
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

/// For "unknown field `x`, expected one of `a`, `b`": "; did you mean `a`?".
fn unknown_key_hint(msg: &str) -> Option<String> {
    let rest = msg.split("unknown field `").nth(1)?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    nearest(word, expected.iter().copied()).map(|k| format!("; did you mean `{k}`?"))
}

/// Checks a role name as Mesos does (`roles::validate`).
fn validate_role_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a role name cannot be empty".into());
    }
    if name == "*" {
        return Ok(());
    }
    if name.starts_with('/') || name.ends_with('/') {
        return Err(format!("role `{name}` cannot start or end with `/`"));
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Err(format!("role `{name}` has an empty path segment"));
        }
        if part == "." || part == ".." {
            return Err(format!(
                "role `{name}` cannot have `.` or `..` as a segment"
            ));
        }
        if part == "*" {
            return Err(format!(
                "role `{name}`: `*` cannot be part of a nested role"
            ));
        }
        if part.starts_with('-') {
            return Err(format!("role `{name}`: a segment cannot start with `-`"));
        }
        if part
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(format!(
                "role `{name}` contains whitespace, a control character or a backslash"
            ));
        }
    }
    Ok(())
}

fn validate_id(kind: &str, id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err(format!("{kind} id cannot be empty"));
    }
    if id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == '"')
    {
        return Err(format!(
            "{kind} id `{id}` contains whitespace, a control character, a comma or a quote"
        ));
    }
    Ok(())
}

/// Agent names: plain ids and counted groups (`node` × 3 = node1..node3).
#[derive(Default)]
struct AgentNames {
    plain: BTreeMap<String, AgentId>,
    /// base → (count, first AgentId)
    counted: BTreeMap<String, (u64, AgentId)>,
}

/// Splits `name` into every (prefix, number) where the suffix is a decimal
/// number without a leading zero.
fn numeric_splits(name: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = name.as_bytes();
    let digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let start = bytes.len() - digits;
    (start..bytes.len())
        .filter(move |&i| bytes[i] != b'0')
        .map(move |i| (&name[..i], &name[i..]))
}

fn digits_of(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |d| d + 1)
}

impl AgentNames {
    fn lookup(&self, name: &str) -> Option<AgentId> {
        if let Some(id) = self.plain.get(name) {
            return Some(*id);
        }
        for (prefix, num) in numeric_splits(name) {
            if let Some((count, first)) = self.counted.get(prefix) {
                if let Ok(i) = num.parse::<u64>() {
                    if i >= 1 && i <= *count {
                        return Some(AgentId(first.0 + (i - 1) as u32));
                    }
                }
            }
        }
        None
    }

    /// Does a counted group `base` × `count` produce a name already taken?
    fn counted_collides(&self, base: &str, count: u64) -> Option<String> {
        if let Some((other, _)) = self.counted.get_key_value(base) {
            return Some(format!("{other}1"));
        }
        // Plain ids of the form base + number in 1..=count.
        for (name, _) in self.plain.range(base.to_string()..) {
            if !name.starts_with(base) {
                break;
            }
            let rest = &name[base.len()..];
            if !rest.is_empty()
                && !rest.starts_with('0')
                && rest.bytes().all(|b| b.is_ascii_digit())
                && rest.parse::<u64>().is_ok_and(|i| i >= 1 && i <= count)
            {
                return Some(name.clone());
            }
        }
        // Another counted group whose names overlap: one base extends the
        // other with digits.
        let overlap = |short: &str, short_count: u64, long: &str, long_count: u64| {
            let r = &long[short.len()..];
            if r.is_empty() || r.starts_with('0') || !r.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let r: u64 = r.parse().ok()?;
            for d in 1..=digits_of(long_count) {
                let j = if d == 1 { 1 } else { 10u64.pow(d - 1) };
                let i = r.checked_mul(10u64.checked_pow(d)?)?.checked_add(j)?;
                if i <= short_count {
                    return Some(format!("{long}{j}"));
                }
            }
            None
        };
        for (prefix, _) in numeric_splits(base) {
            if let Some((c, _)) = self.counted.get(prefix) {
                if let Some(n) = overlap(prefix, *c, base, count) {
                    return Some(n);
                }
            }
        }
        for (other, (c, _)) in self.counted.range(base.to_string()..) {
            if !other.starts_with(base) {
                break;
            }
            if let Some(n) = overlap(base, count, other, *c) {
                return Some(n);
            }
        }
        None
    }
}

struct Resolver<'a> {
    text: &'a str,
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
    fn new(text: &'a str, file: &'a str, base: &'a Path) -> Resolver<'a> {
        Resolver {
            text,
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

    fn resolve(mut self, raw: RawScenario) -> Result<Model, InputError> {
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
        for (i, f) in raw.frameworks.iter().enumerate() {
            let fid = FrameworkId(i as u32);
            for (j, job) in f.jobs.iter().enumerate() {
                let at = format!("frameworks[{i}].jobs[{j}]");
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
        let events = self.resolve_events(&raw.events)?;
        let master = self.resolve_master(raw.master.unwrap_or_default())?;
        let output = match raw.output {
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
            },
            None => OutputConfig {
                sample_interval: 10_000_000,
                window: Window::default(),
                percentiles: Default::default(),
            },
        };

        // Hostile lengths: a run that could not finish in any reasonable time.
        if let Some(Dur(until)) = raw.until {
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
        let never_ending = raw
            .until
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
                (raw.until.is_none()
                    && (self.jobs.iter().any(|j| j.duration.is_forever())
                        || self.streams.iter().any(|s| s.forever)))
                .then_some("a task that runs `forever`")
            });
        if let Some(what) = never_ending {
            return Err(self.err(
                "name",
                format!("the run would never end: it has {what} and no `until`; set `until`"),
            ));
        }
        let model = Model {
            name: raw.name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(1),
            until: raw.until.map(|d| SimTime(d.0)),
            resources: self.resources,
            master,
            roles: self.roles,
            agent_groups: self.agent_groups,
            agents: self.agents,
            frameworks: self.frameworks,
            jobs: self.jobs,
            streams: self.streams,
            notes: self.notes,
            events,
            output,
        };
        debug_assert!(!model.never_ends());
        Ok(model)
    }

    // ------------------------------------------------------------ roles --

    /// The id of a role, creating it (and its ancestors) on first mention.
    fn role(&mut self, name: &str, at: At) -> Result<RoleId, InputError> {
        if let Some(id) = self.role_ids.get(name) {
            return Ok(*id);
        }
        validate_role_name(name).map_err(|m| self.err(at, m))?;
        let parent = match name.rfind('/') {
            Some(cut) => Some(self.role(&name[..cut], at)?),
            None => None,
        };
        let depth = parent.map_or(0, |p| self.roles[p.index()].depth + 1);
        let id = RoleId(self.roles.len() as u32);
        self.roles.push(RoleSpec {
            name: name.to_string(),
            parent,
            depth,
            weight: 1.0,
            quota: Quota::default(),
        });
        self.role_ids.insert(name.to_string(), id);
        Ok(id)
    }

    fn declare_role(&mut self, r: &RawRole, at: At) -> Result<(), InputError> {
        if !self.declared_roles.insert(r.name.clone()) {
            return Err(self.err(
                &format!("{at}.name"),
                format!("role `{}` is declared twice", r.name),
            ));
        }
        let id = self.role(&r.name, &format!("{at}.name"))?;
        if let Some(w) = r.weight {
            self.roles[id.index()].weight = self.weight(w, &format!("{at}.weight"))?;
        }
        if let Some(q) = &r.quota {
            let quota = self.quota(
                id,
                q.guarantee.as_ref(),
                q.limit.as_ref(),
                &format!("{at}.quota"),
            )?;
            self.roles[id.index()].quota = quota;
        }
        Ok(())
    }

    fn weight(&self, w: f64, at: At) -> Result<f64, InputError> {
        if !(w.is_finite() && w > 0.0) {
            return Err(self.err(at, format!("a weight must be a positive number, not {w}")));
        }
        Ok(w)
    }

    fn quota(
        &mut self,
        role: RoleId,
        guarantee: Option<&RawResources>,
        limit: Option<&RawResources>,
        at: At,
    ) -> Result<Quota, InputError> {
        let name = self.roles[role.index()].name.clone();
        if self.roles[role.index()].parent.is_some() {
            return Err(self.err(
                at,
                format!("quota can only be set on top-level roles, not on `{name}` (as in Mesos)"),
            ));
        }
        let guarantee = match guarantee {
            Some(g) => self.quantities(g, &format!("{at}.guarantee"))?,
            None => Quantities::ZERO,
        };
        let mut lim = Limits::NONE;
        if let Some(l) = limit {
            for (n, q) in &l.0 {
                let r = self.intern(n, &format!("{at}.limit"))?;
                lim.set_limit(r, q.0);
            }
        }
        if !lim.admits(&guarantee) {
            return Err(self.err(at, "a quota guarantee cannot exceed its limit"));
        }
        Ok(Quota {
            guarantee,
            limit: lim,
        })
    }

    // -------------------------------------------------------- resources --

    fn intern(
        &mut self,
        name: &str,
        at: At,
    ) -> Result<crate::cluster::resources::ResId, InputError> {
        if name.is_empty()
            || name.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, ':' | ';' | ',' | '|' | '"')
            })
        {
            return Err(self.err(
                at,
                format!("`{name}` is not a valid resource name (no spaces, `:`, `;`, `,`, `|`)"),
            ));
        }
        self.resources.intern(name).ok_or_else(|| {
            self.err(
                at,
                format!("too many distinct resource names (at most {MAX_RESOURCE_KINDS})"),
            )
        })
    }

    fn quantities(&mut self, raw: &RawResources, at: At) -> Result<Quantities, InputError> {
        let mut q = Quantities::ZERO;
        for (name, v) in &raw.0 {
            let r = self.intern(name, &format!("{at}.{name}"))?;
            q.set(r, v.0);
        }
        Ok(q)
    }

    /// `"cpus:0.01;mem:32"` → quantities (for `min_allocatable`).
    fn parse_alternative(
        &mut self,
        text: &str,
        at: At,
        intern: bool,
    ) -> Result<Option<Quantities>, InputError> {
        let mut q = Quantities::ZERO;
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once(':').ok_or_else(|| {
                self.err(
                    at,
                    format!("`{part}` should be NAME:AMOUNT, e.g. `cpus:0.01`"),
                )
            })?;
            let milli = crate::sim::time::scaled_decimal(value.trim(), 1000).map_err(|_| {
                self.err(
                    at,
                    format!("`{value}` is not a non-negative amount with at most 3 decimals"),
                )
            })?;
            let name = name.trim();
            let r = if intern {
                self.intern(name, at)?
            } else {
                match self.resources.get(name) {
                    Some(r) => r,
                    // A default naming a resource nobody has: never met.
                    None => return Ok(None),
                }
            };
            q.set(r, milli);
        }
        Ok(Some(q))
    }

    fn min_allocatable(&mut self, list: &[String], at: At) -> Result<Vec<Quantities>, InputError> {
        let mut out = Vec::new();
        for (i, s) in list.iter().enumerate() {
            if let Some(q) = self.parse_alternative(s, &format!("{at}[{i}]"), true)? {
                out.push(q);
            }
        }
        Ok(out)
    }

    // ----------------------------------------------------------- agents --

    fn add_agents(
        &mut self,
        a: &RawAgent,
        at: At,
        time: Option<SimTime>,
    ) -> Result<(), InputError> {
        validate_id("agent", &a.id).map_err(|m| self.err(&format!("{at}.id"), m))?;
        let count = match a.count {
            Some(0) => return Err(self.err(&format!("{at}.count"), "`count` must be at least 1")),
            Some(n) if n > MAX_AGENTS => {
                return Err(self.err(
                    &format!("{at}.count"),
                    format!("{n} agents in one entry is more than the limit of {MAX_AGENTS}"),
                ))
            }
            other => other,
        };
        let n = count.unwrap_or(1);
        if self.agents.len() as u64 + n > MAX_AGENTS {
            return Err(self.err(
                &format!("{at}.count"),
                format!("the scenario would have more than {MAX_AGENTS} agents"),
            ));
        }
        let first = AgentId(self.agents.len() as u32);
        match count {
            Some(c) => {
                if let Some(taken) = self.agent_names.counted_collides(&a.id, c) {
                    return Err(self.err(
                        &format!("{at}.id"),
                        format!(
                            "agent id `{taken}` (from `{}` with count {c}) is used twice",
                            a.id
                        ),
                    ));
                }
                self.agent_names.counted.insert(a.id.clone(), (c, first));
            }
            None => {
                if self.agent_names.lookup(&a.id).is_some() {
                    return Err(self.err(
                        &format!("{at}.id"),
                        format!("agent id `{}` is used twice", a.id),
                    ));
                }
                self.agent_names.plain.insert(a.id.clone(), first);
            }
        }
        let unreserved = self.quantities(&a.resources, &format!("{at}.resources"))?;
        let mut resources = ResourceSet::unreserved(unreserved);
        for (role, res) in &a.reserved.0 {
            let rat = format!("{at}.reserved.{role}");
            if role == "*" {
                return Err(self.err(
                    &rat,
                    "resources reserved for `*` are simply unreserved; list them under `resources`",
                ));
            }
            let rid = self.role(role, &rat)?;
            let q = self.quantities(res, &rat)?;
            resources.add_reserved(rid, &q);
        }
        let attributes = a
            .attributes
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        let group = self.agent_groups.len() as u32;
        self.agent_groups.push(AgentGroup {
            base_id: a.id.clone(),
            counted: count.is_some(),
            resources,
            attributes,
        });
        for i in 0..n {
            self.agents.push(AgentSpec {
                group,
                index: (i + 1) as u32,
                at: time,
            });
        }
        Ok(())
    }

    fn agent(&self, name: &str, at: At) -> Result<AgentId, InputError> {
        self.agent_names.lookup(name).ok_or_else(|| {
            let known = self.agent_names.plain.keys().map(String::as_str);
            let hint = nearest(name, known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            self.err(at, format!("no agent `{name}` in this scenario{hint}"))
        })
    }

    // ------------------------------------------------------- frameworks --

    fn add_framework(&mut self, f: &RawFramework, at: At) -> Result<(), InputError> {
        validate_id("framework", &f.id).map_err(|m| self.err(&format!("{at}.id"), m))?;
        if self.framework_ids.contains_key(&f.id) {
            return Err(self.err(
                &format!("{at}.id"),
                format!("framework id `{}` is used twice", f.id),
            ));
        }
        let roles = match (&f.role, &f.roles) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    &format!("{at}.roles"),
                    "give either `role` or `roles`, not both",
                ))
            }
            (Some(r), None) => vec![self.role(r, &format!("{at}.role"))?],
            (None, Some(list)) => {
                if list.is_empty() {
                    return Err(self.err(&format!("{at}.roles"), "`roles` cannot be empty"));
                }
                let mut out = Vec::new();
                for (i, r) in list.iter().enumerate() {
                    let id = self.role(r, &format!("{at}.roles[{i}]"))?;
                    if out.contains(&id) {
                        return Err(self.err(
                            &format!("{at}.roles[{i}]"),
                            format!("role `{r}` is listed twice"),
                        ));
                    }
                    out.push(id);
                }
                out
            }
            (None, None) => vec![self.role("*", &format!("{at}.id"))?],
        };
        let preset = match &f.preset {
            None => None,
            Some(name) => Some(crate::framework::presets::find(name).ok_or_else(|| {
                let hint = nearest(name, crate::framework::presets::names())
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                self.err(
                    &format!("{at}.preset"),
                    format!(
                        "unknown preset `{name}` ({}){hint}",
                        crate::framework::presets::names()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?),
        };
        let mut gpu = preset.is_some_and(|p| p.gpu);
        for (i, c) in f.capabilities.iter().enumerate() {
            match c.as_str() {
                "gpu" => gpu = true,
                other => {
                    return Err(self.err(
                        &format!("{at}.capabilities[{i}]"),
                        format!("unknown capability `{other}` (known: gpu)"),
                    ))
                }
            }
        }
        let behavior = match f.behavior.as_deref() {
            None | Some("batch") => Behavior::Batch,
            Some("take-all") => Behavior::TakeAll,
            Some("decline-all") => Behavior::DeclineAll,
            Some("hold") => Behavior::Hold,
            Some(other) => {
                let hint = nearest(other, ["batch", "take-all", "decline-all", "hold"])
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(self.err(
                    &format!("{at}.behavior"),
                    format!(
                        "unknown behavior `{other}` (batch, take-all, decline-all or hold){hint}"
                    ),
                ));
            }
        };
        if behavior != Behavior::Batch && f.preset.is_some() {
            return Err(self.err(
                &format!("{at}.behavior"),
                "presets describe `batch` frameworks; leave `behavior` out",
            ));
        }
        if behavior != Behavior::Batch {
            for (key, given) in [
                ("suppress_when_idle", f.suppress_when_idle.is_some()),
                ("gang_hold_timeout", f.gang_hold_timeout.is_some()),
                ("locality_wait", f.locality_wait.is_some()),
                ("abandon_after", f.abandon_after.is_some()),
            ] {
                if given {
                    return Err(self.err(
                        &format!("{at}.{key}"),
                        format!("`{key}` is for `batch` frameworks"),
                    ));
                }
            }
        }
        if behavior != Behavior::Batch && !f.jobs.is_empty() {
            return Err(self.err(
                &format!("{at}.jobs"),
                format!(
                    "a `{}` framework has no jobs; jobs need `behavior: batch`",
                    behavior.name()
                ),
            ));
        }
        if f.task_duration.is_some() && behavior != Behavior::TakeAll {
            return Err(self.err(
                &format!("{at}.task_duration"),
                "`task_duration` is for `take-all` frameworks",
            ));
        }
        if f.max_tasks_per_offer == Some(0) {
            return Err(self.err(&format!("{at}.max_tasks_per_offer"), "must be at least 1"));
        }
        let min_allocatable = match &f.min_allocatable {
            Some(list) => Some(self.min_allocatable(list, &format!("{at}.min_allocatable"))?),
            None => None,
        };
        let task_duration = match &f.task_duration {
            None => TaskDuration::Forever,
            Some(d) => task_duration(d).map_err(|m| self.err(&format!("{at}.task_duration"), m))?,
        };
        let gang_hold_timeout =
            match &f.gang_hold_timeout {
                None => preset.and_then(|p| p.gang_hold_timeout),
                Some(Text(t)) if t.trim() == "none" => None,
                Some(Text(t)) => match parse_duration(t) {
                    Ok(0) => return Err(self.err(
                        &format!("{at}.gang_hold_timeout"),
                        "must be greater than 0 (or `none`: gang jobs need one offer that fits)",
                    )),
                    Ok(d) => Some(d),
                    Err(e) => return Err(self.err(&format!("{at}.gang_hold_timeout"), e)),
                },
            };
        let abandon_after = match f.abandon_after {
            Some(0) => return Err(self.err(&format!("{at}.abandon_after"), "must be at least 1")),
            Some(n) => Some(n.min(u32::MAX as u64) as u32),
            None => preset.and_then(|p| p.abandon_after),
        };
        let pd = preset.map(|p| p.decision_time).unwrap_or_default();
        let decision_time = DecisionTime {
            per_offer: f
                .decision_time
                .and_then(|d| d.per_offer)
                .map_or(pd.per_offer, |d| d.0),
            per_task: f
                .decision_time
                .and_then(|d| d.per_task)
                .map_or(pd.per_task, |d| d.0),
        };
        let id = FrameworkId(self.frameworks.len() as u32);
        self.framework_ids.insert(f.id.clone(), id);
        self.frameworks.push(FrameworkSpec {
            id: f.id.clone(),
            roles,
            at: f.at.map_or(SimTime::ZERO, |d| SimTime(d.0)),
            gpu,
            behavior,
            max_tasks_per_offer: f
                .max_tasks_per_offer
                .or(preset.and_then(|p| p.max_tasks_per_offer)),
            refuse: f
                .refuse_seconds
                .map(|d| d.0)
                .or(preset.map(|p| p.refuse))
                .unwrap_or(self.default_refuse),
            min_allocatable,
            task_duration,
            preset: f.preset.clone(),
            suppress_when_idle: f
                .suppress_when_idle
                .or(preset.map(|p| p.suppress_when_idle))
                .unwrap_or(false),
            decision_time,
            gang_hold_timeout,
            locality_wait: f
                .locality_wait
                .map(|d| d.0)
                .or(preset.map(|p| p.locality_wait))
                .unwrap_or(0),
            abandon_after,
            failover_timeout: f.failover_timeout.map_or(0, |d| d.0),
            gang_default: preset.is_some_and(|p| p.gang_default),
        });
        Ok(())
    }

    fn framework(&self, name: &str, at: At) -> Result<FrameworkId, InputError> {
        self.framework_ids.get(name).copied().ok_or_else(|| {
            let hint = nearest(name, self.framework_ids.keys().map(String::as_str))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            self.err(at, format!("no framework `{name}` in this scenario{hint}"))
        })
    }

    fn add_job(
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
        });
        Ok(())
    }

    /// `{rack: r1, zone: [a, b]}` → attribute tests.
    fn attr_tests(
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

    /// A YAML trace: `jobs:` entries naming their frameworks.
    fn add_yaml_trace(&mut self, trace: &str, at: At) -> Result<(), InputError> {
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
        let mut sub = Resolver::new(&text, &shown, self.base);
        std::mem::swap(&mut sub.resources, &mut self.resources);
        std::mem::swap(&mut sub.roles, &mut self.roles);
        std::mem::swap(&mut sub.role_ids, &mut self.role_ids);
        std::mem::swap(&mut sub.frameworks, &mut self.frameworks);
        std::mem::swap(&mut sub.framework_ids, &mut self.framework_ids);
        std::mem::swap(&mut sub.jobs, &mut self.jobs);
        std::mem::swap(&mut sub.job_ids, &mut self.job_ids);
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
        std::mem::swap(&mut sub.resources, &mut self.resources);
        std::mem::swap(&mut sub.roles, &mut self.roles);
        std::mem::swap(&mut sub.role_ids, &mut self.role_ids);
        std::mem::swap(&mut sub.frameworks, &mut self.frameworks);
        std::mem::swap(&mut sub.framework_ids, &mut self.framework_ids);
        std::mem::swap(&mut sub.jobs, &mut self.jobs);
        std::mem::swap(&mut sub.job_ids, &mut self.job_ids);
        result
    }

    // ----------------------------------------------------------- events --

    fn resolve_events(&mut self, raw: &[RawEvent]) -> Result<Vec<ScriptedEvent>, InputError> {
        let mut out = Vec::new();
        // Agents added by events were numbered in file order above.
        let mut next_added = self
            .agents
            .iter()
            .position(|a| a.at.is_none())
            .unwrap_or(self.agents.len());
        for (i, e) in raw.iter().enumerate() {
            let at = format!("events[{i}]");
            let time = SimTime(e.at.0);
            let mut kinds: Vec<EventKind> = Vec::new();
            let mut actions = 0;
            if let Some(a) = &e.agent_add {
                // One entry with `count` adds all its agents at the same instant.
                actions += 1;
                for _ in 0..a.count.unwrap_or(1) {
                    kinds.push(EventKind::AgentAdd(AgentId(next_added as u32)));
                    next_added += 1;
                }
            }
            if let Some(name) = &e.agent_remove {
                actions += 1;
                kinds.push(EventKind::AgentRemove(
                    self.agent(name, &format!("{at}.agent_remove"))?,
                ));
            }
            if let Some(w) = &e.set_weight {
                actions += 1;
                let role = self.role(&w.role, &format!("{at}.set_weight.role"))?;
                let weight = self.weight(w.weight, &format!("{at}.set_weight.weight"))?;
                kinds.push(EventKind::SetWeight { role, weight });
            }
            for (key, target, suppress) in [
                ("suppress", &e.suppress, true),
                ("revive", &e.revive, false),
            ] {
                if let Some(t) = target {
                    actions += 1;
                    let kat = format!("{at}.{key}");
                    let framework = self.framework(&t.framework, &kat)?;
                    let mut roles = Vec::new();
                    for (j, r) in t.roles.iter().flatten().enumerate() {
                        let rid = self.role_ids.get(r).copied();
                        match rid {
                            Some(rid)
                                if self.frameworks[framework.index()].roles.contains(&rid) =>
                            {
                                roles.push(rid)
                            }
                            _ => {
                                return Err(self.err(
                                    &format!("{kat}.roles[{j}]"),
                                    format!(
                                        "framework `{}` is not subscribed to role `{r}`",
                                        t.framework
                                    ),
                                ))
                            }
                        }
                    }
                    kinds.push(if suppress {
                        EventKind::Suppress { framework, roles }
                    } else {
                        EventKind::Revive { framework, roles }
                    });
                }
            }
            if let Some(q) = &e.set_quota {
                actions += 1;
                let role = self.role(&q.role, &format!("{at}.set_quota.role"))?;
                let quota = self.quota(
                    role,
                    q.guarantee.as_ref(),
                    q.limit.as_ref(),
                    &format!("{at}.set_quota"),
                )?;
                kinds.push(EventKind::SetQuota { role, quota });
            }
            for (key, r, reserve) in [
                ("reserve", &e.reserve, true),
                ("unreserve", &e.unreserve, false),
            ] {
                if let Some(r) = r {
                    actions += 1;
                    let kat = format!("{at}.{key}");
                    let agent = self.agent(&r.agent, &format!("{kat}.agent"))?;
                    if r.role == "*" {
                        return Err(self.err(
                            &format!("{kat}.role"),
                            "cannot reserve for the default role `*`",
                        ));
                    }
                    let role = self.role(&r.role, &format!("{kat}.role"))?;
                    let resources = self.quantities(&r.resources, &format!("{kat}.resources"))?;
                    kinds.push(if reserve {
                        EventKind::Reserve {
                            agent,
                            role,
                            resources,
                        }
                    } else {
                        EventKind::Unreserve {
                            agent,
                            role,
                            resources,
                        }
                    });
                }
            }
            if let Some(d) = &e.framework_disconnect {
                actions += 1;
                let kat = format!("{at}.framework_disconnect");
                let framework = self.framework(&d.framework, &format!("{kat}.framework"))?;
                let timeout = self.frameworks[framework.index()].failover_timeout;
                if d.duration.0 >= timeout {
                    return Err(self.err(
                        &format!("{kat}.for"),
                        format!(
                            "framework `{}` would be removed after its failover_timeout ({} s) \
                             before it reconnects; removing frameworks comes with fault \
                             injection: set its `failover_timeout` above `for`",
                            d.framework,
                            SimTime(timeout)
                        ),
                    ));
                }
                kinds.push(EventKind::FrameworkDisconnect {
                    framework,
                    duration: d.duration.0,
                });
            }
            if let Some(m) = &e.maintenance {
                actions += 1;
                let mut agents = Vec::new();
                for (j, a) in m.agents.iter().enumerate() {
                    agents.push(self.agent(a, &format!("{at}.maintenance.agents[{j}]"))?);
                }
                kinds.push(EventKind::Maintenance {
                    agents,
                    start: m.start.map_or(0, |d| d.0),
                    duration: m.duration.0,
                });
            }
            match actions {
                1 => out.extend(kinds.into_iter().map(|kind| ScriptedEvent { at: time, kind })),
                0 => return Err(self.err(&at, "an event needs one action besides `at` (e.g. `agent_add`, `set_weight`, `suppress`)")),
                _ => return Err(self.err(&at, "an event has exactly one action besides `at`; split it into several events")),
            }
        }
        Ok(out)
    }

    // ----------------------------------------------------------- master --

    fn resolve_master(&mut self, m: RawMaster) -> Result<MasterConfig, InputError> {
        let allocation_interval = match m.allocation_interval {
            Some(Dur(0)) => {
                return Err(self.err("master.allocation_interval", "must be greater than 0"))
            }
            Some(Dur(d)) => d,
            None => 1_000_000,
        };
        let sorter = |r: &Resolver,
                      v: &Option<String>,
                      at: At|
         -> Result<Option<SorterKind>, InputError> {
            match v.as_deref() {
                None => Ok(None),
                Some("drf") => Ok(Some(SorterKind::Drf)),
                Some("random") => Ok(Some(SorterKind::Random)),
                Some(other) => Err(r.err(at, format!("unknown sorter `{other}` (drf or random)"))),
            }
        };
        let policy = m.policy.clone().unwrap_or_else(|| "drf".into());
        let base = match policy.as_str() {
            "drf" => SorterKind::Drf,
            "random" => SorterKind::Random,
            other => {
                let hint = nearest(other, ["drf", "random"])
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(self.err(
                    "master.policy",
                    format!("unknown policy `{other}` (drf or random){hint}"),
                ));
            }
        };
        let role_sorter = sorter(self, &m.role_sorter, "master.role_sorter")?.unwrap_or(base);
        let framework_sorter =
            sorter(self, &m.framework_sorter, "master.framework_sorter")?.unwrap_or(base);
        let offer_timeout = match &m.offer_timeout {
            None => None,
            Some(Text(t)) if t.trim() == "none" => None,
            Some(Text(t)) => match parse_duration(t) {
                Ok(0) => {
                    return Err(
                        self.err("master.offer_timeout", "must be greater than 0 (or `none`)")
                    )
                }
                Ok(d) => Some(d),
                Err(e) => return Err(self.err("master.offer_timeout", e)),
            },
        };
        let refuse = m.refuse_seconds.map_or(5_000_000, |d| d.0);
        let min_allocatable = match &m.min_allocatable {
            Some(list) => self.min_allocatable(list, "master.min_allocatable")?,
            None => {
                let mut out = Vec::new();
                for alt in ["cpus:0.01", "mem:32"] {
                    // Defaults never intern a name the scenario does not use.
                    if let Some(q) = self.parse_alternative(alt, "master", false)? {
                        out.push(q);
                    }
                }
                if out.is_empty() {
                    // Neither cpus nor mem exists: as in Mesos, nothing is allocatable.
                    out.push(Quantities([u64::MAX; MAX_RESOURCE_KINDS]));
                }
                out
            }
        };
        let mut fair_sharing_excluded = 0u32;
        for (i, n) in m.fair_sharing_excluded.iter().enumerate() {
            let r = self.intern(n, &format!("master.fair_sharing_excluded[{i}]"))?;
            fair_sharing_excluded |= 1 << r.0;
        }
        Ok(MasterConfig {
            policy,
            allocation_interval,
            role_sorter,
            framework_sorter,
            offer_timeout,
            refuse,
            min_allocatable,
            fair_sharing_excluded,
            filter_gpu_resources: m.filter_gpu_resources.unwrap_or(true),
        })
    }
}

fn task_duration(d: &TaskDur) -> Result<TaskDuration, String> {
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

/// The log-normal's `mu` from its median (`ln median`) or mean
/// (`ln mean − sigma²/2`); exactly one of them.
pub fn lognormal_mu(median: Option<f64>, mean: Option<f64>, sigma: f64) -> Result<f64, String> {
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(format!("lognormal sigma {sigma} must be a number >= 0"));
    }
    match (median, mean) {
        (Some(m), None) if m > 0.0 => Ok(libm::log(m)),
        (None, Some(m)) if m > 0.0 => Ok(libm::log(m) - sigma * sigma / 2.0),
        (Some(_), Some(_)) => Err("lognormal takes `median` or `mean`, not both".into()),
        (None, None) => Err("lognormal needs `median` (or `mean`) and `sigma`".into()),
        _ => Err("a lognormal's median or mean must be greater than 0".into()),
    }
}
