//! Importer for the Standard Workload Format (Parallel Workloads Archive),
//! plain or gzip.
//!
//! Header comments (`; Key: value`) are read; `MaxProcs` bounds the
//! processors a job may use. Each data line (18 whitespace-separated
//! fields, −1 = unknown) is one job:
//!
//! - **submit** = field 2, **run time** = field 4 (seconds; decimals
//!   allowed), **processors** = field 5 (allocated), else field 8
//!   (requested);
//! - processors become tasks of `cpus_per_processor` cpus each
//!   (`processors: tasks`, the default; a rigid parallel job, so a gang job)
//!   or one task with that many cpus (`processors: cpus`);
//! - **memory** = field 7 (used KB per processor), else field 10
//!   (requested), in MB, per processor; absent when both are −1;
//! - jobs with an unknown submit, run time or processor count, or with more
//!   processors than `MaxProcs`, are skipped (counted).

use super::input::{self, split_whitespace, Lines};
use super::{ImportReport, Imported, TraceJob};
use crate::error::InputError;
use crate::limits::MAX_TASKS_PER_JOB;
use crate::sim::time::{scaled_decimal, US_PER_SEC};
use std::path::Path;

/// Hostile sizes: at most this many jobs in one import.
pub const MAX_JOBS: usize = 50_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processors {
    Tasks,
    Cpus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameworkBy {
    /// Every job in one framework (`framework`, default `swf`).
    One,
    User,
    Group,
    Queue,
    Partition,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub processors: Processors,
    /// Milli-cpus per processor.
    pub cpus_per_processor: u64,
    pub framework_by: FrameworkBy,
    pub framework: Option<String>,
    /// Gang flag written for each job; `None`: the framework decides. The
    /// default is `Some(true)` for `processors: tasks`.
    pub gang: Option<bool>,
    /// The first kept submission is time 0 (else the log's own seconds).
    pub origin_first: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            processors: Processors::Tasks,
            cpus_per_processor: 1000,
            framework_by: FrameworkBy::One,
            framework: None,
            gang: Some(true),
            origin_first: true,
        }
    }
}

const FIELDS: [&str; 18] = [
    "job number",
    "submit time",
    "wait time",
    "run time",
    "allocated processors",
    "average CPU time",
    "used memory",
    "requested processors",
    "requested time",
    "requested memory",
    "status",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "preceding job",
    "think time",
];

/// A field as a number of µs (`None` for −1 or any negative).
fn time_us(t: &str) -> Result<Option<u64>, String> {
    if t.starts_with('-') {
        return match t.parse::<f64>() {
            Ok(v) if v < 0.0 => Ok(None),
            _ => Err(format!("`{t}` is not a number")),
        };
    }
    // Whole microseconds: round longer decimals.
    match scaled_decimal(t, US_PER_SEC) {
        Ok(v) => Ok(Some(v)),
        Err(_) => match t.parse::<f64>() {
            Ok(v) if (0.0..1e12).contains(&v) => Ok(Some((v * US_PER_SEC as f64).round() as u64)),
            _ => Err(format!("`{t}` is not a number of seconds")),
        },
    }
}

/// An integer field (`None` for negatives).
fn int(t: &str) -> Result<Option<i64>, String> {
    match t.parse::<i64>() {
        Ok(v) if v < 0 => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(_) => match t.parse::<f64>() {
            Ok(v) if v < 0.0 => Ok(None),
            Ok(v) if v.is_finite() && v.fract() == 0.0 && v < 9e18 => Ok(Some(v as i64)),
            _ => Err(format!("`{t}` is not a whole number")),
        },
    }
}

pub fn import(path: &Path, opts: &Options) -> Result<Imported, InputError> {
    let shown = path.display().to_string();
    let mut report = ImportReport {
        format: "swf".into(),
        file: shown.clone(),
        ..ImportReport::default()
    };
    let mut lines = Lines::new(input::open(path, &shown)?, &shown);
    let mut header: Vec<(String, String)> = Vec::new();
    let mut max_procs: Option<u64> = None;
    let mut kept: Vec<TraceJob> = Vec::new();
    let mut status = [0u64; 4]; // failed, completed, cancelled, other
    let mut skips: [u64; 5] = [0; 5];
    let mut any_mem = false;
    while let Some((line_no, line)) = lines.next_line()? {
        let line_no = line_no as usize;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(c) = trimmed.strip_prefix(';') {
            if let Some((k, v)) = c.split_once(':') {
                let (k, v) = (k.trim(), v.trim());
                if !k.is_empty() && !k.contains(' ') {
                    header.push((k.to_string(), v.to_string()));
                    if k == "MaxProcs" {
                        max_procs = Some(v.parse::<u64>().map_err(|_| {
                            InputError::new(&shown, format!("`MaxProcs: {v}` is not a number"))
                                .at(line_no, 1)
                        })?);
                    }
                }
            }
            continue;
        }
        let fields = split_whitespace(line);
        if fields.len() != 18 {
            return Err(InputError::new(
                &shown,
                format!(
                    "{} fields where SWF has 18 (job number, submit time, wait time, run time, …)",
                    fields.len()
                ),
            )
            .at(line_no, 1));
        }
        let err = |i: usize, m: String| {
            InputError::new(&shown, format!("field {} ({}): {m}", i + 1, FIELDS[i]))
                .at(line_no, fields[i].0)
        };
        let t = |i: usize| fields[i].1;
        let id = t(0);
        int(id).map_err(|m| err(0, m))?;
        let submit = time_us(t(1)).map_err(|m| err(1, m))?;
        let run = time_us(t(3)).map_err(|m| err(3, m))?;
        let alloc = int(t(4)).map_err(|m| err(4, m))?;
        let used_mem = int(t(6)).map_err(|m| err(6, m))?;
        let req_procs = int(t(7)).map_err(|m| err(7, m))?;
        let req_mem = int(t(9)).map_err(|m| err(9, m))?;
        let st = int(t(10)).map_err(|m| err(10, m))?;
        let mut ids = [None; 4];
        for (k, i) in [11usize, 12, 14, 15].iter().enumerate() {
            ids[k] = int(t(*i)).map_err(|m| err(*i, m))?;
        }
        report.rows += 1;
        status[match st {
            Some(0) => 0,
            Some(1) => 1,
            Some(5) => 2,
            _ => 3,
        }] += 1;
        let Some(submit) = submit else {
            skips[0] += 1;
            continue;
        };
        let Some(run) = run else {
            skips[1] += 1;
            continue;
        };
        let procs = match (alloc, req_procs) {
            (Some(p), _) if p > 0 => p as u64,
            (_, Some(p)) if p > 0 => p as u64,
            _ => {
                skips[2] += 1;
                continue;
            }
        };
        if max_procs.is_some_and(|m| m > 0 && procs > m) {
            skips[3] += 1;
            continue;
        }
        let mem_kb = match (used_mem, req_mem) {
            (Some(m), _) if m > 0 => Some(m as u64),
            (_, Some(m)) if m > 0 => Some(m as u64),
            _ => None,
        };
        any_mem |= mem_kb.is_some();
        // KB → MB in milli-units: KB × 1000 / 1024, rounded.
        let mem_milli = |kb: u64| (kb as u128 * 1000 + 512) / 1024;
        let (tasks, cpus, mem) = match opts.processors {
            Processors::Tasks => {
                if procs > MAX_TASKS_PER_JOB {
                    skips[4] += 1;
                    continue;
                }
                (
                    procs as u32,
                    opts.cpus_per_processor,
                    mem_kb.map_or(0, |m| mem_milli(m) as u64),
                )
            }
            Processors::Cpus => (
                1,
                opts.cpus_per_processor.saturating_mul(procs),
                mem_kb.map_or(0, |m| {
                    mem_milli(m.saturating_mul(procs)).min(u64::MAX as u128) as u64
                }),
            ),
        };
        let framework = match (&opts.framework, opts.framework_by) {
            (Some(f), FrameworkBy::One) => f.clone(),
            (None, FrameworkBy::One) => "swf".into(),
            (_, by) => {
                let (prefix, v) = match by {
                    FrameworkBy::User => ("user", ids[0]),
                    FrameworkBy::Group => ("group", ids[1]),
                    FrameworkBy::Queue => ("queue", ids[2]),
                    _ => ("partition", ids[3]),
                };
                match v {
                    Some(n) => format!("{prefix}-{n}"),
                    None => format!("{prefix}-unknown"),
                }
            }
        };
        kept.push(TraceJob {
            id: id.to_string(),
            framework,
            role: None,
            submit,
            tasks,
            duration: Some(run),
            resources: vec![cpus, mem],
            gang: opts.gang,
            constraints: Vec::new(),
            prefer: Vec::new(),
            class: None,
        });
        if kept.len() > MAX_JOBS {
            return Err(
                InputError::new(&shown, format!("more than {MAX_JOBS} jobs; refused"))
                    .at(line_no, 1),
            );
        }
    }
    report.records = report.rows;
    report.row_kinds = [
        ("failed", status[0]),
        ("completed", status[1]),
        ("cancelled", status[2]),
        ("other status", status[3]),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| (k.to_string(), *n))
    .collect();
    for (reason, n) in [
        "submit time unknown",
        "run time unknown",
        "processors unknown",
        "more processors than MaxProcs",
        "more tasks than a job may have",
    ]
    .iter()
    .zip(skips)
    {
        report.skip(reason, n);
    }
    // Stable: equal submissions keep the log's order.
    kept.sort_by_key(|j| j.submit);
    let origin = if opts.origin_first {
        kept.first().map_or(0, |j| j.submit)
    } else {
        0
    };
    for j in &mut kept {
        j.submit -= origin;
    }
    let mut resources = vec!["cpus".to_string(), "mem".to_string()];
    if !any_mem {
        resources.pop();
        for j in &mut kept {
            j.resources.pop();
        }
    }
    let shown_header: Vec<String> = header
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "Version" | "Computer" | "Installation" | "MaxJobs" | "MaxNodes" | "MaxProcs"
            )
        })
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    if !shown_header.is_empty() {
        report
            .notes
            .push(format!("header: {}", shown_header.join("; ")));
    }
    match max_procs {
        Some(m) => report.notes.push(format!(
            "MaxProcs {m}: a cell of {m} processors holds the largest job ({} cpus each)",
            crate::cluster::resources::format_milli(opts.cpus_per_processor)
        )),
        None => report
            .notes
            .push("no MaxProcs in the header: processor counts are not bounded".into()),
    }
    report.summarize(&resources, &kept);
    Ok(Imported {
        resources,
        jobs: kept,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(time_us("-1"), Ok(None));
        assert_eq!(time_us("12"), Ok(Some(12_000_000)));
        assert_eq!(time_us("1.5"), Ok(Some(1_500_000)));
        assert!(time_us("x").is_err());
        assert_eq!(int("-1"), Ok(None));
        assert_eq!(int("128"), Ok(Some(128)));
        assert_eq!(int("3.0"), Ok(Some(3)));
        assert!(int("3.5").is_err());
    }
}
