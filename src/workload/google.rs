//! Importer for the Google cluster-data 2011 trace (`task_events`, and
//! optionally `job_events`), plain or gzip.
//!
//! Every task of the trace becomes a one-task job (id `<job ID>.<task
//! index>`), so that each keeps its own request and run time. Rules
//! (docs/workloads.md):
//!
//! - **Run time** = the end (FINISH, FAIL or KILL) of the task's last
//!   attempt − the SCHEDULE time of that attempt. A last attempt ended by
//!   EVICT or LOST is skipped.
//! - **Submit** = the task's first SUBMIT in the file, if no SCHEDULE of
//!   it comes earlier. A task first seen SCHEDULEd (its SUBMIT is in an
//!   earlier part) takes its first SCHEDULE
//!   time as submit (`missing_submit: schedule`, the default) or is skipped
//!   (`skip`). A task seen only by its end is skipped (it started before
//!   the file).
//! - **End outside the file** (still running at its end): skipped
//!   (`open_end: skip`, the default), kept running `forever`, or cut at
//!   the file's last timestamp (`truncate`).
//! - Times 0 ("before the trace") and 2^63−1 ("after the trace") count as
//!   outside the file.
//! - **Resources**: normalised CPU, memory (and disk) requests × the
//!   `machine` size, rounded to 0.001; the request in force at the last
//!   SCHEDULE (the latest value given up to it).
//! - **Frameworks** by `priority` band (default: free 0–1, batch 2–8,
//!   production 9–11), scheduling `class` (`class-0` … `class-3`) or
//!   `user` (`u-<hash>`).

use super::input::{self, split_commas, Lines};
use super::{ImportReport, Imported, TraceJob};
use crate::error::InputError;
use std::collections::BTreeMap;
use std::path::Path;

/// Hostile sizes: at most this many distinct tasks in one import.
pub const MAX_TASKS: usize = 20_000_000;

const AFTER_TRACE: u64 = (1u64 << 63) - 1;

const EVENT_NAMES: [&str; 9] = [
    "SUBMIT",
    "SCHEDULE",
    "EVICT",
    "FAIL",
    "FINISH",
    "KILL",
    "LOST",
    "UPDATE_PENDING",
    "UPDATE_RUNNING",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameworkBy {
    Priority,
    Class,
    User,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingSubmit {
    Schedule,
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenEnd {
    Skip,
    Forever,
    Truncate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeOrigin {
    /// The first kept submission is time 0.
    First,
    /// The trace's own microseconds (0 = 600 s before the window).
    Trace,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub framework_by: FrameworkBy,
    /// Priority bands: (name, lowest, highest), inclusive.
    pub bands: Vec<(String, u8, u8)>,
    /// The largest machine's size, in milli-units: cpus, mem (MB), disk
    /// (MB; 0 leaves disk out).
    pub machine: [u64; 3],
    pub missing_submit: MissingSubmit,
    pub open_end: OpenEnd,
    pub time_origin: TimeOrigin,
    /// Every job goes to this framework (the mapping rule is ignored).
    pub framework: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            framework_by: FrameworkBy::Priority,
            bands: default_bands(),
            machine: [32_000, 131_072_000, 0],
            missing_submit: MissingSubmit::Schedule,
            open_end: OpenEnd::Skip,
            time_origin: TimeOrigin::First,
            framework: None,
        }
    }
}

pub fn default_bands() -> Vec<(String, u8, u8)> {
    vec![
        ("free".into(), 0, 1),
        ("batch".into(), 2, 8),
        ("production".into(), 9, 11),
    ]
}

/// Parses `name:lo-hi,name:lo-hi`.
pub fn parse_bands(text: &str) -> Result<Vec<(String, u8, u8)>, String> {
    let mut out: Vec<(String, u8, u8)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("`{part}` should be NAME:LOW-HIGH, e.g. `batch:2-8`");
        let (name, range) = part.split_once(':').ok_or_else(bad)?;
        let (lo, hi) = range.split_once('-').ok_or_else(bad)?;
        let lo: u8 = lo.trim().parse().map_err(|_| bad())?;
        let hi: u8 = hi.trim().parse().map_err(|_| bad())?;
        if lo > hi || hi > 11 {
            return Err(format!(
                "`{part}`: priorities run from 0 to 11, low <= high"
            ));
        }
        if let Some((other, _, _)) = out.iter().find(|(_, a, b)| lo <= *b && *a <= hi) {
            return Err(format!("band `{}` overlaps band `{other}`", name.trim()));
        }
        out.push((name.trim().to_string(), lo, hi));
    }
    if out.is_empty() {
        return Err("no bands given".into());
    }
    Ok(out)
}

#[derive(Clone, Debug, Default)]
struct TaskRec {
    submit: Option<u64>,
    first_sched: Option<u64>,
    last_sched: Option<u64>,
    /// The end of the last attempt: (time, event type).
    end: Option<(u64, u8)>,
    user: u32,
    class: Option<u8>,
    priority: u8,
    /// Latest requests seen (cpu, mem, disk).
    req: [Option<f64>; 3],
    /// Requests in force at the last SCHEDULE.
    at_sched: [Option<f64>; 3],
}

struct Fields<'a> {
    shown: &'a str,
    line: u64,
    fields: Vec<(usize, &'a str)>,
    names: &'static [&'static str],
}

impl Fields<'_> {
    fn err(&self, i: usize, msg: String) -> InputError {
        InputError::new(
            self.shown,
            format!("field {} ({}): {msg}", i + 1, self.names[i]),
        )
        .at(self.line as usize, self.fields[i].0)
    }

    fn text(&self, i: usize) -> &str {
        self.fields[i].1.trim()
    }

    fn uint(&self, i: usize) -> Result<u64, InputError> {
        self.text(i)
            .parse::<u64>()
            .map_err(|_| self.err(i, format!("`{}` is not a whole number", self.text(i))))
    }

    fn opt_small(&self, i: usize, max: u8) -> Result<Option<u8>, InputError> {
        let t = self.text(i);
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<u8>() {
            Ok(v) if v <= max => Ok(Some(v)),
            _ => Err(self.err(i, format!("`{t}` is not a number from 0 to {max}"))),
        }
    }

    fn opt_float(&self, i: usize) -> Result<Option<f64>, InputError> {
        let t = self.text(i);
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(self.err(i, format!("`{t}` is not a number >= 0"))),
        }
    }
}

const TASK_FIELDS: [&str; 13] = [
    "time",
    "missing info",
    "job ID",
    "task index",
    "machine ID",
    "event type",
    "user",
    "scheduling class",
    "priority",
    "CPU request",
    "memory request",
    "disk space request",
    "different machines restriction",
];

const JOB_FIELDS: [&str; 8] = [
    "time",
    "missing info",
    "job ID",
    "event type",
    "user",
    "scheduling class",
    "job name",
    "logical job name",
];

fn split<'a>(
    line: &'a str,
    shown: &'a str,
    line_no: u64,
    names: &'static [&'static str],
) -> Result<Fields<'a>, InputError> {
    let fields = split_commas(line);
    if fields.len() != names.len() {
        // A header line is what a converted trace starts with; the raw
        // Google files have none.
        let converted =
            (line_no == 1 && fields.iter().any(|(_, f)| *f == "submit_s")) || line.starts_with('#');
        let hint = if converted {
            "; this looks like a compact job trace that `mesosim import` already converted \
             (it has a header): use it as `{trace: FILE}` without `format: google2011`, or \
             import the raw task_events file"
        } else {
            ""
        };
        return Err(InputError::new(
            shown,
            format!(
                "{} fields where the Google 2011 schema has {} ({} …){hint}",
                fields.len(),
                names.len(),
                names[..4].join(", ")
            ),
        )
        .at(line_no as usize, 1));
    }
    Ok(Fields {
        shown,
        line: line_no,
        fields,
        names,
    })
}

/// Per job: user and scheduling class, from `job_events`.
#[derive(Default)]
struct JobInfo {
    jobs: BTreeMap<u64, (u32, Option<u8>)>,
    rows: u64,
}

fn read_job_events(
    path: &Path,
    users: &mut Users,
    report: &mut ImportReport,
) -> Result<JobInfo, InputError> {
    let shown = path.display().to_string();
    let mut lines = Lines::new(input::open(path, &shown)?, &shown);
    let mut info = JobInfo::default();
    while let Some((line_no, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        let f = split(line, &shown, line_no, &JOB_FIELDS)?;
        f.uint(0)?;
        let job = f.uint(2)?;
        f.opt_small(3, 8)?
            .ok_or_else(|| f.err(3, "the event type is missing".into()))?;
        let class = f.opt_small(5, 3)?;
        let user = f.text(4);
        info.rows += 1;
        let e = info.jobs.entry(job).or_insert((u32::MAX, None));
        if !user.is_empty() && e.0 == u32::MAX {
            e.0 = users.intern(user);
        }
        if class.is_some() && e.1.is_none() {
            e.1 = class;
        }
        if info.jobs.len() > MAX_TASKS {
            return Err(
                InputError::new(&shown, format!("more than {MAX_TASKS} jobs; refused"))
                    .at(line_no as usize, 1),
            );
        }
    }
    report.notes.push(format!(
        "job_events {shown}: {} rows, {} jobs",
        info.rows,
        info.jobs.len()
    ));
    Ok(info)
}

#[derive(Default)]
struct Users {
    names: Vec<String>,
    ids: BTreeMap<String, u32>,
}

impl Users {
    fn intern(&mut self, u: &str) -> u32 {
        if let Some(i) = self.ids.get(u) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(u.to_string());
        self.ids.insert(u.to_string(), i);
        i
    }
}

/// A user hash as a framework id: URL-safe, without padding.
fn user_framework(hash: &str) -> String {
    let h: String = hash
        .chars()
        .filter(|c| *c != '=')
        .map(|c| match c {
            '/' => '_',
            '+' => '-',
            c => c,
        })
        .collect();
    format!("u-{h}")
}

/// Imports `task_events` (and `job_events`, when given).
pub fn import(
    task_events: &Path,
    job_events: Option<&Path>,
    opts: &Options,
) -> Result<Imported, InputError> {
    let shown = task_events.display().to_string();
    let mut report = ImportReport {
        format: "google2011".into(),
        file: shown.clone(),
        ..ImportReport::default()
    };
    let mut users = Users::default();
    let job_info = match job_events {
        Some(p) => Some(read_job_events(p, &mut users, &mut report)?),
        None => None,
    };
    let mut lines = Lines::new(input::open(task_events, &shown)?, &shown);
    let mut tasks: BTreeMap<(u64, u64), TaskRec> = BTreeMap::new();
    let mut kinds = [0u64; 9];
    let mut last_time = 0u64;
    let mut file_end = 0u64;
    while let Some((line_no, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        let f = split(line, &shown, line_no, &TASK_FIELDS)?;
        let time = f.uint(0)?;
        if time < last_time {
            return Err(f.err(
                0,
                format!(
                    "rows must be in time order (as the trace's parts are): {time} comes after {last_time}"
                ),
            ));
        }
        last_time = time;
        if time != AFTER_TRACE {
            file_end = file_end.max(time);
        }
        let job = f.uint(2)?;
        let index = f.uint(3)?;
        let kind = f
            .opt_small(5, 8)?
            .ok_or_else(|| f.err(5, "the event type is missing".into()))?;
        let class = f.opt_small(7, 3)?;
        let priority = f
            .opt_small(8, 11)?
            .ok_or_else(|| f.err(8, "the priority is missing".into()))?;
        let req = [f.opt_float(9)?, f.opt_float(10)?, f.opt_float(11)?];
        let user = f.text(6);
        let user = if user.is_empty() {
            u32::MAX
        } else {
            users.intern(user)
        };
        report.rows += 1;
        kinds[kind as usize] += 1;
        if tasks.len() >= MAX_TASKS && !tasks.contains_key(&(job, index)) {
            return Err(f.err(
                2,
                format!("more than {MAX_TASKS} distinct tasks; refused (import a smaller part)"),
            ));
        }
        let t = tasks.entry((job, index)).or_insert_with(|| TaskRec {
            user: u32::MAX,
            ..TaskRec::default()
        });
        if user != u32::MAX {
            t.user = user;
        }
        if class.is_some() {
            t.class = class;
        }
        t.priority = priority;
        for (k, v) in req.iter().enumerate() {
            if v.is_some() {
                t.req[k] = *v;
            }
        }
        let inside = time != 0 && time != AFTER_TRACE;
        match kind {
            // A SUBMIT after a SCHEDULE is a resubmission: the task was
            // first submitted before the file.
            0 if inside && t.submit.is_none() && t.first_sched.is_none() => {
                t.submit = Some(time);
            }
            1 => {
                if inside {
                    t.first_sched.get_or_insert(time);
                    t.last_sched = Some(time);
                } else {
                    // Scheduled before the trace: its start is unknown.
                    t.last_sched = None;
                }
                t.end = None;
                t.at_sched = t.req;
            }
            2..=6 if t.last_sched.is_some() && t.end.is_none() && inside => {
                t.end = Some((time, kind));
            }
            _ => {}
        }
    }
    report.row_kinds = EVENT_NAMES
        .iter()
        .zip(kinds)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    report.records = tasks.len() as u64;

    // Classify each task and build its job.
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut kept: Vec<(u64, u64, u64, TraceJob)> = Vec::new();
    let mut from_schedule = 0u64;
    let mut open_kept = 0u64;
    let mut with_job_events = 0u64;
    for ((job, index), t) in &tasks {
        let mut skip = |r: &'static str| *counts.entry(r).or_default() += 1;
        let Some(sched) = t.last_sched else {
            if t.submit.is_some() {
                skip("never scheduled in the file");
            } else {
                skip("started before the file");
            }
            continue;
        };
        let submit = match t.submit {
            Some(s) => s,
            None => match opts.missing_submit {
                MissingSubmit::Skip => {
                    skip("submitted before the file");
                    continue;
                }
                MissingSubmit::Schedule => t.first_sched.unwrap_or(sched),
            },
        };
        let duration = match t.end {
            Some((end, 3..=5)) => Some(end - sched),
            Some(_) => {
                skip("last attempt evicted or lost");
                continue;
            }
            None => match opts.open_end {
                OpenEnd::Skip => {
                    skip("still running at the end of the file");
                    continue;
                }
                OpenEnd::Forever => None,
                OpenEnd::Truncate => Some(file_end.saturating_sub(sched)),
            },
        };
        // The request in force at the last SCHEDULE, else the latest one.
        let req: Vec<Option<f64>> = (0..3).map(|k| t.at_sched[k].or(t.req[k])).collect();
        let scale = |k: usize| -> u64 {
            match req[k] {
                Some(x) if opts.machine[k] > 0 => (x * opts.machine[k] as f64).round() as u64,
                _ => 0,
            }
        };
        let mut resources = vec![scale(0), scale(1)];
        if opts.machine[2] > 0 {
            resources.push(scale(2));
        }
        if resources.iter().all(|v| *v == 0) {
            skip("no resource request");
            continue;
        }
        let (mut user, mut class) = (t.user, t.class);
        if let Some(info) = &job_info {
            if let Some((u, c)) = info.jobs.get(job) {
                with_job_events += 1;
                if user == u32::MAX {
                    user = *u;
                }
                if class.is_none() {
                    class = *c;
                }
            }
        }
        let framework = match (&opts.framework, opts.framework_by) {
            (Some(f), _) => f.clone(),
            (None, FrameworkBy::Priority) => {
                match opts
                    .bands
                    .iter()
                    .find(|(_, lo, hi)| (*lo..=*hi).contains(&t.priority))
                {
                    Some((name, _, _)) => name.clone(),
                    None => {
                        skip("priority outside the bands");
                        continue;
                    }
                }
            }
            (None, FrameworkBy::Class) => match class {
                Some(c) => format!("class-{c}"),
                None => "class-unknown".into(),
            },
            (None, FrameworkBy::User) => match users.names.get(user as usize) {
                Some(u) => user_framework(u),
                None => "u-unknown".into(),
            },
        };
        // Kept: count the rules it needed.
        from_schedule += u64::from(t.submit.is_none());
        open_kept += u64::from(t.end.is_none());
        kept.push((
            submit,
            *job,
            *index,
            TraceJob {
                id: format!("{job}.{index}"),
                framework,
                role: None,
                submit,
                tasks: 1,
                duration,
                resources,
                gang: None,
                constraints: Vec::new(),
                prefer: Vec::new(),
                class: None,
            },
        ));
    }
    kept.sort_by_key(|(s, j, i, _)| (*s, *j, *i));
    let origin = match opts.time_origin {
        TimeOrigin::First => kept.first().map_or(0, |k| k.0),
        TimeOrigin::Trace => 0,
    };
    let jobs: Vec<TraceJob> = kept
        .into_iter()
        .map(|(_, _, _, mut j)| {
            j.submit -= origin;
            j
        })
        .collect();
    for reason in [
        "never scheduled in the file",
        "started before the file",
        "submitted before the file",
        "last attempt evicted or lost",
        "still running at the end of the file",
        "no resource request",
        "priority outside the bands",
    ] {
        report.skip(reason, counts.get(reason).copied().unwrap_or(0));
    }
    if from_schedule > 0 {
        report.notes.push(format!(
            "{from_schedule} tasks submitted before the file take their first SCHEDULE as submit"
        ));
    }
    if open_kept > 0 {
        report.notes.push(format!(
            "{open_kept} tasks still running at the end of the file are kept ({})",
            match opts.open_end {
                OpenEnd::Forever => "running forever",
                _ => "cut at the file's last timestamp",
            }
        ));
    }
    if job_info.is_some() {
        report.notes.push(format!(
            "{with_job_events} kept tasks have a job_events row"
        ));
    }
    report.notes.push(format!(
        "time origin: {} (trace time {} us)",
        match opts.time_origin {
            TimeOrigin::First => "the first kept submission",
            TimeOrigin::Trace => "the trace's own",
        },
        origin
    ));
    let mut resources = vec!["cpus".to_string(), "mem".to_string()];
    if opts.machine[2] > 0 {
        resources.push("disk".into());
    }
    report.summarize(&resources, &jobs);
    Ok(Imported {
        resources,
        jobs,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_parse_and_refuse_overlaps() {
        let b = parse_bands("low:0-4, high:5-11").unwrap();
        assert_eq!(b, vec![("low".into(), 0, 4), ("high".into(), 5, 11)]);
        assert!(parse_bands("a:0-5,b:5-11").is_err());
        assert!(parse_bands("a:0-12").is_err());
        assert!(parse_bands("a").is_err());
    }

    #[test]
    fn user_ids_are_url_safe() {
        assert_eq!(user_framework("a/b+c="), "u-a_b-c");
    }
}
