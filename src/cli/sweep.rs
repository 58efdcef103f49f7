//! `mesosim sweep SWEEP.yaml`: a parameter grid in a file — base scenario,
//! policies, grid, fixed settings, seeds, charted metrics — run by
//! `compare`'s engine (the file becomes `compare`'s flags; one code path).

use super::compare::{self, CompareArgs};
use crate::error::{Error, InputError};
use crate::report::safe_name;
use clap::Args;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The sweep file (YAML): `scenario`, `grid`, `seeds`, and optionally
    /// `policies`, `set`, `metrics` (see docs/format.md).
    pub sweep: PathBuf,
    /// Runs in parallel (default: the number of cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    // A placeholder in `--help`, not an HTML tag.
    #[allow(rustdoc::invalid_html_tags)]
    /// Output folder (default: out/<sweep file name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Draw the charts as PNG instead of SVG.
    #[arg(long)]
    pub png: bool,
    /// Do not draw the charts.
    #[arg(long)]
    pub no_charts: bool,
    /// No progress bar and no table on the terminal; only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write into a non-empty folder that mesosim did not write.
    #[arg(long)]
    pub force: bool,
    /// Run only shard K of N; join the shard folders with `mesosim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Treat the lint's warnings (of the scenario and of each grid point's
    /// changes) as errors: exit 2 before running or writing anything.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// A sweep file, as `compare`'s flags.
#[derive(Debug, PartialEq)]
pub struct Sweep {
    pub scenario: PathBuf,
    pub policies: Vec<String>,
    /// `KEY=V1,V2,…` for grid keys, `KEY=V` for fixed ones.
    pub set: Vec<String>,
    pub seeds: String,
    pub metrics: Vec<String>,
}

/// A YAML value as `--set` text: plain scalars as written, anything else
/// (or a string with commas, brackets or quotes) in JSON, which is YAML.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.contains([',', '[', ']', '{', '}', '"', '\'']) && !s.is_empty() => {
            Some(s.clone())
        }
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Tagged(_) => None,
        _ => serde_json::to_string(v).ok(),
    }
}

/// Line and column (1-based) of the first occurrence of `needle` in `text`
/// after a `metrics` key, for errors about a value the YAML tree no
/// longer places.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    let from = text.find("metrics").unwrap_or(0);
    let at = from + text[from..].find(needle)?;
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    Some((line, column))
}

impl Sweep {
    pub fn parse(text: &str, file: &Path) -> Result<Sweep, InputError> {
        let shown = file.display().to_string();
        let err = |m: String| InputError::new(&shown, m);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(e) = crate::scenario::resolve::too_deep(text, &shown) {
            return Err(e);
        }
        let doc: Value = serde_yaml::from_str(text).map_err(|e| {
            let ie = err(format!("not a valid sweep file: {e}"));
            match e.location() {
                Some(l) => ie.at(l.line(), l.column()),
                None => ie,
            }
        })?;
        let map = doc.as_mapping().ok_or_else(|| {
            err("a sweep file is a mapping with `scenario`, `grid`, `seeds`".into())
        })?;
        for k in map.keys() {
            let k = k.as_str().unwrap_or("");
            if !matches!(
                k,
                "scenario" | "policies" | "grid" | "set" | "seeds" | "metrics"
            ) {
                return Err(err(format!(
                    "unknown key `{k}` (expected scenario, policies, grid, set, seeds, metrics)"
                )));
            }
        }
        let base = file.parent().unwrap_or(Path::new("."));
        let scenario = map
            .get("scenario")
            .and_then(Value::as_str)
            .ok_or_else(|| err("`scenario` is missing (a path, relative to this file)".into()))?;
        let strings = |key: &str| -> Result<Vec<String>, InputError> {
            match map.get(key) {
                None => Ok(Vec::new()),
                Some(Value::Sequence(xs)) => xs
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| err(format!("`{key}`: a list of names")))
                    })
                    .collect(),
                Some(_) => Err(err(format!("`{key}`: a list of names"))),
            }
        };
        let policies = strings("policies")?;
        let metrics = strings("metrics")?;
        for (i, m) in metrics.iter().enumerate() {
            if !crate::report::compare::is_metric_key(m) {
                let e = err(format!(
                    "metrics[{i}]: `{m}` is not a metric compare reports (one of {}, \
                     utilization.<resource>, schedulers.<name>.busyness, \
                     frameworks.<id>.{{{}}}; docs/format.md)",
                    crate::report::compare::HEADLINE_METRICS.join(", "),
                    crate::report::compare::FRAMEWORK_METRICS.join(",")
                ));
                return Err(match locate(text, m) {
                    Some((l, c)) => e.at(l, c),
                    None => e,
                });
            }
        }
        let mut set = Vec::new();
        let key_text = |k: &Value| -> Result<String, InputError> {
            k.as_str()
                .map(str::to_string)
                .ok_or_else(|| err("keys are dotted scenario paths".into()))
        };
        if let Some(g) = map.get("grid") {
            let g = g
                .as_mapping()
                .ok_or_else(|| err("`grid`: a mapping of KEY: [values]".into()))?;
            for (k, v) in g {
                let key = key_text(k)?;
                let values = v
                    .as_sequence()
                    .filter(|xs| !xs.is_empty())
                    .ok_or_else(|| err(format!("grid.{key}: a non-empty list of values")))?;
                let texts = values
                    .iter()
                    .map(value_text)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| err(format!("grid.{key}: a value YAML tags cannot carry")))?;
                set.push(format!("{key}={}", texts.join(",")));
            }
        }
        if let Some(s) = map.get("set") {
            let s = s
                .as_mapping()
                .ok_or_else(|| err("`set`: a mapping of KEY: value".into()))?;
            for (k, v) in s {
                let key = key_text(k)?;
                let t = value_text(v)
                    .ok_or_else(|| err(format!("set.{key}: a value YAML tags cannot carry")))?;
                set.push(format!("{key}={t}"));
            }
        }
        let seeds = match map.get("seeds") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Sequence(xs)) => xs
                .iter()
                .map(|x| {
                    x.as_u64()
                        .map(|n| n.to_string())
                        .ok_or_else(|| err("`seeds`: whole numbers".into()))
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            _ => return Err(err("`seeds` is missing (`1..10`, or a list)".into())),
        };
        Ok(Sweep {
            scenario: base.join(scenario),
            policies,
            set,
            seeds,
            metrics,
        })
    }
}

pub fn execute(args: &SweepArgs) -> Result<(), Error> {
    let shown = args.sweep.display().to_string();
    let text = crate::workload::input::read_text_bounded(
        &args.sweep,
        &shown,
        "a sweep file",
        crate::limits::MAX_FILE_BYTES,
    )?;
    let sweep = Sweep::parse(&text, &args.sweep)?;
    let stem = args
        .sweep
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "sweep".into());
    let c = CompareArgs {
        scenario: sweep.scenario,
        policies: sweep.policies,
        seeds: sweep.seeds,
        set: sweep.set,
        jobs: args.jobs,
        out: args.out.clone(),
        png: args.png,
        no_charts: args.no_charts,
        quiet: args.quiet,
        force: args.force,
        shard: args.shard.clone(),
        deny_warnings: args.deny_warnings,
    };
    compare::execute_with(
        &c,
        &sweep.metrics,
        Some(Path::new("out").join(safe_name(&stem))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_file_becomes_compare_flags() {
        let s = Sweep::parse(
            "scenario: ../scenarios/q.yaml\npolicies: [drf, random]\n\
             grid:\n  master.allocation_interval: [1s, 5s]\n  frameworks.a.max_tasks_per_offer: [1, 8]\n\
             set:\n  master.refuse_seconds: 5s\n  jobs.0.duration: {exp: 30s}\n\
             seeds: 1..3\nmetrics: [jobs.jct_s.mean]\n",
            Path::new("sweeps/s.yaml"),
        )
        .unwrap();
        assert_eq!(s.scenario, Path::new("sweeps/../scenarios/q.yaml"));
        assert_eq!(s.policies, vec!["drf", "random"]);
        assert_eq!(
            s.set,
            vec![
                "master.allocation_interval=1s,5s",
                "frameworks.a.max_tasks_per_offer=1,8",
                "master.refuse_seconds=5s",
                "jobs.0.duration={\"exp\":\"30s\"}",
            ]
        );
        assert_eq!(s.seeds, "1..3");
        assert_eq!(s.metrics, vec!["jobs.jct_s.mean"]);
        let e = Sweep::parse(
            "scenario: a\nseeds: 1\ngrid: {k: []}\n",
            Path::new("s.yaml"),
        )
        .unwrap_err();
        assert!(e.message.contains("non-empty"), "{e}");
        let e = Sweep::parse("scenario: a\nseed: 1\n", Path::new("s.yaml")).unwrap_err();
        assert!(e.message.contains("unknown key `seed`"), "{e}");
    }

    #[test]
    fn an_unknown_metric_is_refused_where_it_is_written() {
        let text = "scenario: a\nseeds: 1..2\nmetrics:\n  - jobs.jct_s.mean\n  - jobs.jct.mean\n";
        let e = Sweep::parse(text, Path::new("s.yaml")).unwrap_err();
        assert!(e.message.contains("metrics[1]: `jobs.jct.mean`"), "{e}");
        assert_eq!((e.line, e.column), (Some(5), Some(5)), "{e}");
        for good in [
            "utilization.cpus",
            "schedulers.central.busyness",
            "schedulers.conflict_fraction",
            "frameworks.web-1.below_fair_share",
            "fairness.references.ceei_distance",
        ] {
            let t = format!("scenario: a\nseeds: 1\nmetrics: [{good}]\n");
            assert!(Sweep::parse(&t, Path::new("s.yaml")).is_ok(), "{good}");
        }
        for bad in [
            "utilization.",
            "utilization.cpus.mean",
            "schedulers..busyness",
            "frameworks.a.tasks",
            "jobs",
        ] {
            let t = format!("scenario: a\nseeds: 1\nmetrics: [{bad}]\n");
            assert!(Sweep::parse(&t, Path::new("s.yaml")).is_err(), "{bad}");
        }
    }
}
