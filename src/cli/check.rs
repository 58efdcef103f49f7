//! `mesosim check SCENARIO --baseline FILE`: a CI gate on scheduling
//! quality. Runs the scenario over the baseline's seeds (with `compare`'s
//! engine), compares each headline metric with the baseline under its
//! direction and tolerance, prints a Markdown table of what moved, writes
//! JUnit XML (`--junit`) and a GitHub step summary (`GITHUB_STEP_SUMMARY`),
//! and exits 1 on any regression. `--update-baseline` writes the baseline.

use super::compare::{parse_seeds, run_all, threads};
use super::experiment::write_atomic;
use crate::error::{Error, InputError};
use crate::metrics::compare::Estimate;
use crate::report::compare::{metric_union, num, Metric};
use crate::report::outdir::same_file;
use crate::scenario;
use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// The baseline file (YAML): seeds, and per metric its per-seed values,
    /// direction and tolerance (see docs/format.md).
    #[arg(long)]
    pub baseline: PathBuf,
    /// Write (or rewrite) the baseline from this run instead of checking;
    /// directions and tolerances already in the file are kept.
    #[arg(long)]
    pub update_baseline: bool,
    /// Seeds for a new baseline (`1..3`, `1,2,7`); by default the
    /// baseline's own, or `1..3` for a new one.
    #[arg(long)]
    pub seeds: Option<String>,
    /// Also write the result as JUnit XML (one test case per metric).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Runs in parallel (default: the number of cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Print only the verdict line (and errors).
    #[arg(long, short)]
    pub quiet: bool,
    /// Treat the scenario's lint warnings as errors: exit 2 before running
    /// (and before writing a baseline or JUnit file).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Higher => "higher-is-better",
            Direction::Lower => "lower-is-better",
        }
    }

    fn parse(s: &str) -> Option<Direction> {
        match s {
            "higher-is-better" => Some(Direction::Higher),
            "lower-is-better" => Some(Direction::Lower),
            _ => None,
        }
    }

    /// The default for a headline metric key.
    pub fn default_for(key: &str) -> Direction {
        if key.starts_with("utilization.")
            || key == "fairness.jain"
            || key == "fairness.min_max_ratio"
            || key == "jobs.completed"
        {
            Direction::Higher
        } else {
            Direction::Lower
        }
    }

    /// `change` (current − baseline) expressed as an improvement (> 0
    /// better, < 0 worse).
    fn gain(self, change: f64) -> f64 {
        match self {
            Direction::Higher => change,
            Direction::Lower => -change,
        }
    }
}

/// How far a metric may move the worse way before it is a regression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// In the metric's own units (fractions for percentages).
    Absolute(f64),
    /// A percentage of the baseline mean's magnitude.
    Relative(f64),
}

impl Tolerance {
    fn parse(v: &serde_yaml::Value) -> Option<Tolerance> {
        let t = match v {
            serde_yaml::Value::Number(n) => Tolerance::Absolute(n.as_f64()?),
            serde_yaml::Value::String(s) => match s.trim().strip_suffix('%') {
                Some(p) => Tolerance::Relative(p.trim().parse().ok()?),
                None => Tolerance::Absolute(s.trim().parse().ok()?),
            },
            _ => return None,
        };
        let x = match t {
            Tolerance::Absolute(x) | Tolerance::Relative(x) => x,
        };
        (x.is_finite() && x >= 0.0).then_some(t)
    }

    fn text(self) -> String {
        match self {
            Tolerance::Absolute(x) => format!("{x}"),
            Tolerance::Relative(p) => format!("{p}%"),
        }
    }

    /// The allowed worsening, in the metric's units.
    fn allowed(self, baseline_mean: f64) -> f64 {
        match self {
            Tolerance::Absolute(x) => x,
            Tolerance::Relative(p) => baseline_mean.abs() * p / 100.0,
        }
    }
}

/// The rule a metric is judged by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// The mean over seeds may not worsen by more than the tolerance.
    Mean,
    /// The worse end of the paired 95% interval of (current − baseline) may
    /// not lie beyond the tolerance: a regression unless the interval
    /// excludes every value worse than that.
    Interval,
}

impl Test {
    fn name(self) -> &'static str {
        match self {
            Test::Mean => "mean",
            Test::Interval => "interval",
        }
    }
}

/// One metric of a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricBaseline {
    pub key: String,
    pub direction: Direction,
    pub tolerance: Tolerance,
    pub test: Test,
    /// One value per seed, in the baseline's seed order.
    pub values: Vec<f64>,
}

/// A baseline file.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    pub scenario: String,
    pub scenario_sha256: String,
    pub version: String,
    pub seeds: Vec<u64>,
    pub metrics: Vec<MetricBaseline>,
}

/// The default tolerance for a new baseline's metrics.
pub const DEFAULT_TOLERANCE: Tolerance = Tolerance::Relative(2.0);

impl Baseline {
    /// Parses a baseline file's text; errors name the file and, where the
    /// YAML parser knows it, line and column.
    pub fn parse(text: &str, file: &str) -> Result<Baseline, InputError> {
        use serde_yaml::Value;
        let err = |m: String| InputError::new(file, m);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(e) = scenario::resolve::too_deep(text, file) {
            return Err(e);
        }
        let doc: Value = serde_yaml::from_str(text).map_err(|e| {
            let ie = err(format!("not a valid baseline: {e}"));
            match e.location() {
                Some(l) => ie.at(l.line(), l.column()),
                None => ie,
            }
        })?;
        let map = doc
            .as_mapping()
            .ok_or_else(|| err("a baseline is a mapping with `seeds` and `metrics`".into()))?;
        for k in map.keys() {
            let k = k.as_str().unwrap_or("");
            if !matches!(
                k,
                "scenario" | "scenario_sha256" | "version" | "seeds" | "metrics"
            ) {
                return Err(err(format!(
                    "unknown key `{k}` (expected scenario, scenario_sha256, version, seeds, metrics)"
                )));
            }
        }
        let s = |k: &str| {
            map.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let seeds = match map.get("seeds") {
            Some(Value::Sequence(xs)) => xs
                .iter()
                .map(|x| {
                    x.as_u64()
                        .ok_or_else(|| err("`seeds`: whole numbers".into()))
                })
                .collect::<Result<Vec<u64>, _>>()?,
            Some(Value::String(t)) => parse_seeds(t).map_err(err)?,
            Some(Value::Number(n)) => vec![n
                .as_u64()
                .ok_or_else(|| err("`seeds`: whole numbers".into()))?],
            _ => return Err(err("`seeds` is missing (a list, or `1..3`)".into())),
        };
        if seeds.is_empty() {
            return Err(err("`seeds` is empty".into()));
        }
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(err("`seeds`: a seed appears twice".into()));
        }
        let metrics_map = map
            .get("metrics")
            .and_then(Value::as_mapping)
            .ok_or_else(|| err("`metrics` is missing (a mapping of metric keys)".into()))?;
        let mut metrics = Vec::new();
        for (k, v) in metrics_map {
            let key = k
                .as_str()
                .ok_or_else(|| err("`metrics`: keys are metric names".into()))?
                .to_string();
            let e = |m: &str| err(format!("metrics.{key}: {m}"));
            let m = v
                .as_mapping()
                .ok_or_else(|| e("expected a mapping with `values`"))?;
            for mk in m.keys() {
                let mk = mk.as_str().unwrap_or("");
                if !matches!(mk, "direction" | "tolerance" | "test" | "values" | "mean") {
                    return Err(e(&format!(
                        "unknown key `{mk}` (expected direction, tolerance, test, values)"
                    )));
                }
            }
            let direction = match m.get("direction") {
                None => Direction::default_for(&key),
                Some(d) => d
                    .as_str()
                    .and_then(Direction::parse)
                    .ok_or_else(|| e("`direction` is `higher-is-better` or `lower-is-better`"))?,
            };
            let tolerance = match m.get("tolerance") {
                None => DEFAULT_TOLERANCE,
                Some(t) => Tolerance::parse(t).ok_or_else(|| {
                    e("`tolerance` is a number ≥ 0 (absolute) or a percentage like `2%` (relative)")
                })?,
            };
            let test = match m.get("test").map(|t| t.as_str()) {
                None | Some(Some("mean")) => Test::Mean,
                Some(Some("interval")) => Test::Interval,
                _ => return Err(e("`test` is `mean` or `interval`")),
            };
            let values = match m.get("values") {
                Some(Value::Sequence(xs)) => xs
                    .iter()
                    .map(|x| match x {
                        Value::Number(n) => n.as_f64(),
                        Value::String(s) => s.parse().ok(),
                        _ => None,
                    })
                    .collect::<Option<Vec<f64>>>()
                    .ok_or_else(|| e("`values` are numbers"))?,
                _ => return Err(e("`values` is missing (one number per seed)")),
            };
            if values.len() != seeds.len() {
                return Err(e(&format!(
                    "{} values for {} seeds",
                    values.len(),
                    seeds.len()
                )));
            }
            metrics.push(MetricBaseline {
                key,
                direction,
                tolerance,
                test,
                values,
            });
        }
        Ok(Baseline {
            scenario: s("scenario"),
            scenario_sha256: s("scenario_sha256"),
            version: s("version"),
            seeds,
            metrics,
        })
    }

    /// The file's text (values in shortest round-trip form).
    pub fn to_yaml(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# mesosim check baseline: written by `mesosim check --update-baseline`.\n\
             # Per metric: direction (higher-is-better | lower-is-better), tolerance\n\
             # (absolute in the metric's units, or `N%` of the baseline mean), test\n\
             # (mean | interval) and one value per seed. Edit directions, tolerances\n\
             # and tests by hand; an update keeps them. See docs/format.md."
        );
        let _ = writeln!(o, "scenario: {}", yaml_str(&self.scenario));
        let _ = writeln!(o, "scenario_sha256: {}", yaml_str(&self.scenario_sha256));
        let _ = writeln!(o, "version: {}", yaml_str(&self.version));
        let seeds: Vec<String> = self.seeds.iter().map(u64::to_string).collect();
        let _ = writeln!(o, "seeds: [{}]", seeds.join(", "));
        let _ = writeln!(o, "metrics:");
        for m in &self.metrics {
            let values: Vec<String> = m.values.iter().map(|v| float(*v)).collect();
            let _ = writeln!(o, "  {}:", m.key);
            let _ = writeln!(o, "    direction: {}", m.direction.name());
            let tol = match m.tolerance {
                Tolerance::Absolute(x) => float(x),
                Tolerance::Relative(_) => format!("\"{}\"", m.tolerance.text()),
            };
            let _ = writeln!(o, "    tolerance: {tol}");
            let _ = writeln!(o, "    test: {}", m.test.name());
            let _ = writeln!(o, "    values: [{}]", values.join(", "));
        }
        o
    }
}

/// A float that YAML reads back as the same number.
fn float(v: f64) -> String {
    if !v.is_finite() {
        return format!("\"{v}\"");
    }
    let s = format!("{v:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// What happened to one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Bit-for-bit the baseline.
    Unchanged,
    /// Moved, within the tolerance (or not significantly).
    Moved,
    /// Better than the baseline by more than the tolerance.
    Improved,
    Regressed,
    /// In the baseline, not produced by this run.
    Missing,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Moved => "moved (within tolerance)",
            Verdict::Improved => "improved",
            Verdict::Regressed => "**REGRESSED**",
            Verdict::Missing => "**MISSING**",
        }
    }

    fn failed(self) -> bool {
        matches!(self, Verdict::Regressed | Verdict::Missing)
    }
}

/// One row of the result.
#[derive(Clone, Debug)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub percent: bool,
    pub baseline: Estimate,
    /// `None` when the run did not produce the metric.
    pub current: Option<Estimate>,
    /// Paired current − baseline.
    pub change: Option<Estimate>,
    pub spec: MetricBaseline,
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
}

/// Judges one metric: `current` has one value per baseline seed.
pub fn judge(spec: &MetricBaseline, current: Option<&[f64]>, label: &Metric) -> Row {
    let baseline = Estimate::of(&spec.values);
    let mut row = Row {
        key: spec.key.clone(),
        label: label.label.clone(),
        percent: label.percent,
        baseline,
        current: None,
        change: None,
        spec: spec.clone(),
        verdict: Verdict::Missing,
        reason: "the run has no such metric".into(),
    };
    let Some(cur) = current else {
        return row;
    };
    let change = Estimate::paired(&spec.values, cur);
    row.current = Some(Estimate::of(cur));
    row.change = Some(change);
    let allowed = spec.tolerance.allowed(baseline.mean);
    let show = |x: f64| {
        if label.percent {
            format!("{} points", num(x * 100.0, false))
        } else {
            num(x, false)
        }
    };
    if spec
        .values
        .iter()
        .zip(cur)
        .all(|(a, b)| a.to_bits() == b.to_bits())
    {
        row.verdict = Verdict::Unchanged;
        row.reason = "identical on every seed".into();
        return row;
    }
    let gain = spec.direction.gain(change.mean);
    let (worst, how) = match (spec.test, change.ci95) {
        (Test::Interval, Some(ci)) => (
            gain - ci,
            "the worse end of the paired 95% interval".to_string(),
        ),
        (Test::Interval, None) => (
            gain,
            "the change (one seed: no interval, the mean decides)".to_string(),
        ),
        (Test::Mean, _) => (gain, "the mean change".to_string()),
    };
    if worst < -allowed {
        row.verdict = Verdict::Regressed;
        row.reason = format!(
            "{how} is {} worse; at most {} allowed ({})",
            show(-worst),
            show(allowed),
            spec.direction.name()
        );
    } else if gain > allowed {
        row.verdict = Verdict::Improved;
        row.reason = format!("better by {} ({})", show(gain), spec.direction.name());
    } else {
        row.verdict = Verdict::Moved;
        row.reason = format!("{how} is within {}", show(allowed));
    }
    row
}

fn cell_estimate(e: &Estimate, percent: bool, signed: bool) -> String {
    let scale = if percent { 100.0 } else { 1.0 };
    let mut s = num(e.mean * scale, signed);
    if let Some(ci) = e.ci95 {
        s.push_str(&format!(" ± {}", num(ci * scale, false)));
    }
    if percent {
        // A change of a percentage is in percentage points, as `compare` says.
        s.push_str(if signed { " pt" } else { " %" });
    }
    s
}

/// The Markdown table of `rows`.
pub fn markdown_table(rows: &[&Row]) -> String {
    let mut o = String::new();
    o.push_str(
        "| metric | baseline | current | change (paired) | tolerance | result |\n\
         |---|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        let cur = r
            .current
            .as_ref()
            .map(|e| cell_estimate(e, r.percent, false))
            .unwrap_or_else(|| "—".into());
        let ch = r
            .change
            .as_ref()
            .map(|e| cell_estimate(e, r.percent, true))
            .unwrap_or_else(|| "—".into());
        let tol = format!(
            "{} {}{}",
            r.spec.tolerance.text(),
            r.spec.direction.name(),
            if r.spec.test == Test::Interval {
                ", interval"
            } else {
                ""
            }
        );
        let _ = writeln!(
            o,
            "| {} (`{}`) | {} | {cur} | {ch} | {tol} | {} |",
            crate::report::markdown::cell(&r.label),
            r.key,
            cell_estimate(&r.baseline, r.percent, false),
            r.verdict.text()
        );
    }
    o
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one test suite, one test case per metric, a `<failure>` for
/// each regressed or missing one.
pub fn junit(scenario: &str, rows: &[Row]) -> String {
    let failures = rows.iter().filter(|r| r.verdict.failed()).count();
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<testsuites name="mesosim check" tests="{}" failures="{failures}" errors="0">"#,
        rows.len()
    );
    let _ = writeln!(
        o,
        r#"  <testsuite name="mesosim check {}" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        xml_escape(scenario),
        rows.len()
    );
    for r in rows {
        let cls = format!("mesosim.check.{scenario}");
        let _ = write!(
            o,
            r#"    <testcase classname="{}" name="{}""#,
            xml_escape(&cls),
            xml_escape(&r.key)
        );
        if r.verdict.failed() {
            let _ = writeln!(o, ">");
            let _ = writeln!(
                o,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                if r.verdict == Verdict::Missing {
                    "missing"
                } else {
                    "regression"
                },
                xml_escape(&format!("{}: {}", r.label, r.reason)),
                xml_escape(&markdown_table(&[r]))
            );
            let _ = writeln!(o, "    </testcase>");
        } else {
            let _ = writeln!(o, "/>");
        }
    }
    let _ = writeln!(o, "  </testsuite>");
    let _ = writeln!(o, "</testsuites>");
    o
}

pub fn execute(args: &CheckArgs) -> Result<(), Error> {
    let shown = args.baseline.display().to_string();
    // The files check writes never replace the files it reads.
    if same_file(&args.baseline, &args.scenario) {
        return Err(Error::Usage(format!(
            "--baseline {shown}: is the scenario itself; give the baseline its own file"
        )));
    }
    if let Some(j) = &args.junit {
        if same_file(j, &args.scenario) || same_file(j, &args.baseline) {
            return Err(Error::Usage(format!(
                "--junit {}: is one of the command's inputs; write to another file",
                j.display()
            )));
        }
    }
    let existing = match std::fs::read_to_string(&args.baseline) {
        Ok(t) => Some(Baseline::parse(&t, &shown)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.update_baseline => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Usage(format!(
                "--baseline {shown}: no such file; write one with \
                 `mesosim check {} --baseline {shown} --update-baseline`",
                args.scenario.display()
            )))
        }
        Err(e) => return Err(Error::io(&shown, e)),
    };
    let seeds = match (&args.seeds, &existing) {
        (Some(s), Some(b)) if !args.update_baseline => {
            let s = parse_seeds(s).map_err(Error::Usage)?;
            if s != b.seeds {
                return Err(Error::Usage(
                    "--seeds differs from the baseline's seeds; the baseline decides \
                     (pass --update-baseline to change them)"
                        .into(),
                ));
            }
            s
        }
        (Some(s), _) => parse_seeds(s).map_err(Error::Usage)?,
        (None, Some(b)) => b.seeds.clone(),
        (None, None) => vec![1, 2, 3],
    };
    let jobs = threads(args.jobs)?;
    let loaded = scenario::load(&args.scenario)?;
    for w in &loaded.model.warnings {
        eprintln!("warning: {w}");
    }
    if args.deny_warnings && !loaded.model.warnings.is_empty() {
        return Err(super::run::denied(
            loaded.model.warnings.len(),
            "the scenario",
        ));
    }
    let model = &loaded.model;
    let tasks: Vec<(usize, u64)> = seeds.iter().map(|&s| (0, s)).collect();
    let (runs, _) = run_all(
        std::slice::from_ref(model),
        &tasks,
        jobs,
        &model.name,
        args.quiet,
        None,
    )?;
    let metrics = metric_union(&runs);
    let values_of = |key: &str| -> Option<Vec<f64>> {
        runs.iter()
            .map(|r| r.value(key))
            .collect::<Option<Vec<_>>>()
    };

    if args.update_baseline {
        let mut out = Baseline {
            scenario: model.name.clone(),
            scenario_sha256: loaded.sha256.clone(),
            version: crate::VERSION.to_string(),
            seeds: seeds.clone(),
            metrics: Vec::new(),
        };
        for m in &metrics {
            let Some(values) = values_of(&m.key) else {
                continue;
            };
            let old = existing
                .as_ref()
                .and_then(|b| b.metrics.iter().find(|x| x.key == m.key));
            out.metrics.push(MetricBaseline {
                key: m.key.clone(),
                direction: old.map_or(Direction::default_for(&m.key), |o| o.direction),
                tolerance: old.map_or(DEFAULT_TOLERANCE, |o| o.tolerance),
                test: old.map_or(Test::Mean, |o| o.test),
                values,
            });
        }
        write_atomic(&args.baseline, out.to_yaml().as_bytes())?;
        if !args.quiet {
            println!(
                "{}: baseline written to {shown} ({} metrics, seeds {})",
                model.name,
                out.metrics.len(),
                seeds
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return Ok(());
    }

    let baseline = existing.expect("read above");
    let rows: Vec<Row> = baseline
        .metrics
        .iter()
        .map(|spec| {
            let label = metrics
                .iter()
                .find(|m| m.key == spec.key)
                .cloned()
                .unwrap_or_else(|| Metric {
                    key: spec.key.clone(),
                    label: spec.key.clone(),
                    percent: false,
                });
            judge(spec, values_of(&spec.key).as_deref(), &label)
        })
        .collect();
    let failed: Vec<&Row> = rows.iter().filter(|r| r.verdict.failed()).collect();
    let moved: Vec<&Row> = rows
        .iter()
        .filter(|r| r.verdict != Verdict::Unchanged)
        .collect();
    let verdict = if failed.is_empty() {
        format!(
            "{}: no regression ({} metrics checked over {} seeds, {} moved)",
            model.name,
            rows.len(),
            seeds.len(),
            moved.len()
        )
    } else {
        format!(
            "{}: {} of {} metrics regressed: {}",
            model.name,
            failed.len(),
            rows.len(),
            failed
                .iter()
                .map(|r| format!("{} ({})", r.key, r.reason))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let mut notes = Vec::new();
    if baseline.scenario_sha256 != loaded.sha256 && !baseline.scenario_sha256.is_empty() {
        notes.push(format!(
            "note: {} changed since the baseline was written",
            args.scenario.display()
        ));
    }
    if baseline.version != crate::VERSION && !baseline.version.is_empty() {
        notes.push(format!(
            "note: the baseline was written by mesosim {}, this is {}",
            baseline.version,
            crate::VERSION
        ));
    }
    let new: Vec<&str> = metrics
        .iter()
        .filter(|m| !baseline.metrics.iter().any(|b| b.key == m.key))
        .map(|m| m.key.as_str())
        .collect();
    if !new.is_empty() {
        notes.push(format!(
            "note: not in the baseline, not checked: {}",
            new.join(", ")
        ));
    }

    if !args.quiet {
        println!(
            "## mesosim check — {} (seeds {})\n",
            model.name,
            seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if moved.is_empty() {
            println!("Every metric is identical to the baseline.\n");
        } else {
            print!("{}", markdown_table(&moved));
            println!();
        }
        for n in &notes {
            println!("{n}");
        }
    }
    if let Some(path) = &args.junit {
        write_atomic(path, junit(&model.name, &rows).as_bytes())?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        let mut o = String::new();
        let _ = writeln!(o, "## mesosim check — {}\n", model.name);
        let _ = writeln!(
            o,
            "{} {verdict}\n",
            if failed.is_empty() { "✅" } else { "❌" }
        );
        let all: Vec<&Row> = rows.iter().collect();
        o.push_str(&markdown_table(&all));
        for n in &notes {
            let _ = writeln!(o, "\n{n}");
        }
        o.push('\n');
        use std::io::Write as _;
        let path = PathBuf::from(summary);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(o.as_bytes()))
            .map_err(|e| Error::io(path.display(), e))?;
    }
    if failed.is_empty() {
        println!("{verdict}");
        Ok(())
    } else {
        Err(Error::Regression(verdict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(values: Vec<f64>, dir: Direction, tol: Tolerance, test: Test) -> MetricBaseline {
        MetricBaseline {
            key: "m".into(),
            direction: dir,
            tolerance: tol,
            test,
            values,
        }
    }

    fn label() -> Metric {
        Metric {
            key: "m".into(),
            label: "m".into(),
            percent: false,
        }
    }

    #[test]
    fn verdicts() {
        let s = spec(
            vec![10.0, 12.0, 11.0],
            Direction::Lower,
            Tolerance::Relative(5.0),
            Test::Mean,
        );
        let j = |cur: &[f64]| judge(&s, Some(cur), &label()).verdict;
        assert_eq!(j(&[10.0, 12.0, 11.0]), Verdict::Unchanged);
        assert_eq!(j(&[10.2, 12.2, 11.2]), Verdict::Moved);
        assert_eq!(j(&[11.0, 13.0, 12.0]), Verdict::Regressed);
        assert_eq!(j(&[9.0, 11.0, 10.0]), Verdict::Improved);
        assert_eq!(judge(&s, None, &label()).verdict, Verdict::Missing);
        // Higher is better: the same rise is an improvement.
        let h = spec(
            vec![10.0, 12.0, 11.0],
            Direction::Higher,
            Tolerance::Absolute(0.5),
            Test::Mean,
        );
        assert_eq!(
            judge(&h, Some(&[11.0, 13.0, 12.0]), &label()).verdict,
            Verdict::Improved
        );
        assert_eq!(
            judge(&h, Some(&[9.0, 11.0, 10.0]), &label()).verdict,
            Verdict::Regressed
        );
    }

    #[test]
    fn interval_test_needs_the_interval_clear_of_worse_values() {
        // Mean change 0, but noisy: the interval reaches far into worse.
        let s = spec(
            vec![10.0, 10.0, 10.0],
            Direction::Lower,
            Tolerance::Relative(1.0),
            Test::Interval,
        );
        let noisy = [8.0, 12.0, 10.0];
        assert_eq!(
            judge(&s, Some(&noisy), &label()).verdict,
            Verdict::Regressed
        );
        let mean = MetricBaseline {
            test: Test::Mean,
            ..s.clone()
        };
        assert_eq!(judge(&mean, Some(&noisy), &label()).verdict, Verdict::Moved);
    }

    #[test]
    fn baseline_round_trips() {
        let b = Baseline {
            scenario: "q".into(),
            scenario_sha256: "ab".into(),
            version: "0.1.0".into(),
            seeds: vec![1, 2],
            metrics: vec![
                spec(
                    vec![0.1 + 0.2, 1.0 / 3.0],
                    Direction::Higher,
                    Tolerance::Relative(2.5),
                    Test::Interval,
                ),
                MetricBaseline {
                    key: "jobs.completed".into(),
                    ..spec(
                        vec![114.0, 1e-300],
                        Direction::Lower,
                        Tolerance::Absolute(0.01),
                        Test::Mean,
                    )
                },
            ],
        };
        let text = b.to_yaml();
        assert_eq!(Baseline::parse(&text, "b.yaml").unwrap(), b, "{text}");
    }

    #[test]
    fn bad_baselines_say_where() {
        let e =
            Baseline::parse("seeds: [1]\nmetrics:\n  m: {values: [1, 2]}\n", "b.yaml").unwrap_err();
        assert!(e.to_string().contains("2 values for 1 seeds"), "{e}");
        let e = Baseline::parse("seeds: [1\n", "b.yaml").unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let e = Baseline::parse(
            "seeds: [1]\nmetrics:\n  m: {values: [1], direction: up}\n",
            "b.yaml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("direction"), "{e}");
        let e = Baseline::parse(
            "seeds: [1]\nmetrics:\n  m: {values: [1], tolerance: -1}\n",
            "b.yaml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("tolerance"), "{e}");
    }
}
