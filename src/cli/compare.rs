//! `mesosim compare SCENARIO --policies drf,random --seeds 1..10`: run every
//! variant with every seed (common random numbers: a seed gives every
//! variant the same workload), in parallel, and write the comparison.

use super::experiment::{self, Plan, Shard};
use crate::error::{Error, InputError};
use crate::metrics::RunMetrics;
use crate::report::compare::{framework_metrics, headline, RunRecord};
use crate::report::safe_name;
use crate::report::summary::Summary;
use crate::scenario::overrides::{self, Override};
use crate::scenario::{self, Model};
use crate::sim::engine::{Options, Simulation};
use clap::Args;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// At most this many runs in one comparison.
pub const MAX_RUNS: usize = 100_000;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// Policies to compare (`master.policy`), the first one the baseline;
    /// default: the scenario's own.
    #[arg(long, value_delimiter = ',')]
    pub policies: Vec<String>,
    /// Seeds: `1..10` (inclusive), `1..=10`, `3`, `1,2,7`, or a mix.
    #[arg(long, default_value = "1..10")]
    pub seeds: String,
    /// Override a scenario key for every run (`KEY=VALUE`), or compare
    /// several values (`KEY=V1,V2`); repeatable. KEY is a dotted path, e.g.
    /// master.allocation_interval or frameworks.spark.max_tasks_per_offer.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Runs in parallel (default: the number of cores). The results do not
    /// depend on it.
    #[arg(long, short)]
    pub jobs: Option<usize>,
    // A placeholder in `--help`, not an HTML tag.
    #[allow(rustdoc::invalid_html_tags)]
    /// Output folder (default: out/<scenario name>-compare/).
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
    /// Run only shard K of N (`0/4` … `3/4`): every N-th run, starting at
    /// the K-th; join the shard folders with `mesosim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Treat the lint's warnings (of the scenario and of each variant's
    /// changes) as errors: exit 2 before running or writing anything.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Parses `1..10`, `1..=10`, `3`, `1,2,7` and mixes; duplicates are an
/// error, order is kept.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let mut out: Vec<u64> = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(format!("--seeds `{text}`: an empty entry"));
        }
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("--seeds `{text}`: `{s}` is not a seed (a whole number)"))
        };
        if let Some((a, b)) = part.split_once("..") {
            let b = b.strip_prefix('=').unwrap_or(b);
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return Err(format!("--seeds `{text}`: the range `{part}` is empty"));
            }
            if b - a >= MAX_RUNS as u64 {
                return Err(format!("--seeds `{text}`: more than {MAX_RUNS} seeds"));
            }
            out.extend(a..=b);
        } else {
            out.push(num(part)?);
        }
        if out.len() > MAX_RUNS {
            return Err(format!("--seeds `{text}`: more than {MAX_RUNS} seeds"));
        }
    }
    let mut sorted = out.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("--seeds `{text}`: seed {} appears twice", w[0]));
    }
    Ok(out)
}

/// One configuration compared: its label and its overrides.
#[derive(Clone, Debug)]
pub struct Variant {
    pub label: String,
    pub overrides: Vec<Override>,
}

/// The variants: every combination of the compared values (policies first,
/// then each `--set` in order), with single-valued `--set`s applied to all.
pub fn variants(policies: &[String], sets: &[String]) -> Result<Vec<Variant>, String> {
    let mut dims: Vec<(String, Vec<Override>)> = Vec::new();
    if !policies.is_empty() {
        let mut ovs = Vec::new();
        for p in policies {
            let p = p.trim();
            if p.is_empty() {
                return Err("--policies: an empty policy name".into());
            }
            ovs.push(Override::parse(&format!("master.policy={p}"))?);
        }
        dims.push(("master.policy".into(), ovs));
    }
    for s in sets {
        let (key, values) = s
            .split_once('=')
            .ok_or_else(|| format!("--set `{s}`: expected KEY=VALUE"))?;
        if key.trim() == "seed" {
            return Err(format!(
                "--set {s}: every run's seed comes from --seeds, which would override it; \
                 give the seeds as --seeds {values}"
            ));
        }
        let ovs = overrides::split_values(values)
            .iter()
            .map(|v| Override::parse(&format!("{}={v}", key.trim())))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--set {e}"))?;
        dims.push((key.trim().to_string(), ovs));
    }
    let mut out = vec![Variant {
        label: String::new(),
        overrides: Vec::new(),
    }];
    for (key, ovs) in &dims {
        let mut next = Vec::new();
        for v in &out {
            for o in ovs {
                let mut label = v.label.clone();
                if ovs.len() > 1 {
                    if !label.is_empty() {
                        label.push_str(", ");
                    }
                    if key == "master.policy" {
                        label.push_str(&o.text);
                    } else {
                        label.push_str(&format!("{key}={}", o.text));
                    }
                }
                let mut overrides = v.overrides.clone();
                overrides.push(o.clone());
                next.push(Variant { label, overrides });
            }
        }
        out = next;
    }
    let mut labels: Vec<&str> = out.iter().map(|v| v.label.as_str()).collect();
    labels.sort_unstable();
    if labels.windows(2).any(|w| w[0] == w[1]) {
        return Err("the compared values repeat: every variant must differ".into());
    }
    Ok(out)
}

/// Runs one variant with one seed, in memory; the record and the digest
/// of the run's record stream.
fn run_one(model: &Model, variant: usize, seed: u64) -> Result<(RunRecord, String), Error> {
    let mut metrics = RunMetrics::new(model);
    let options = Options {
        seed: Some(seed),
        check: false,
    };
    let outcome = Simulation::new(model, &options).run(&mut metrics)?;
    let summary = Summary::build(model, &outcome, &metrics);
    let g = &metrics.jobs;
    let samples = &metrics.job_samples;
    let secs = |v: &[u64]| -> Vec<f64> { v.iter().map(|&x| x as f64 / 1e6).collect() };
    // Jobs unfinished at the end (censored): their completion time so far,
    // and their wait if they started, else their time so far, censored.
    // With sketched percentiles no job's times are kept and `compare` draws
    // no CDFs: then none of these either.
    let unfinished: Vec<_> = if samples.keeps_rows() {
        samples.censored.iter().collect()
    } else {
        Vec::new()
    };
    let mut wait_us = g.wait_us(samples);
    let mut wait_censored_us = Vec::new();
    for j in &unfinished {
        if j.wait_us == u64::MAX {
            wait_censored_us.push(j.jct_us);
        } else {
            wait_us.push(j.wait_us);
        }
    }
    let jct_censored_us: Vec<u64> = unfinished.iter().map(|j| j.jct_us).collect();
    let record = RunRecord {
        variant,
        seed,
        values: {
            let mut v = headline(&summary);
            v.extend(framework_metrics(
                &summary,
                &model.output.compare_frameworks,
            ));
            v
        },
        jct_s: secs(&g.jct_us(samples)),
        jct_censored_s: secs(&jct_censored_us),
        wait_s: secs(&wait_us),
        wait_censored_s: secs(&wait_censored_us),
        slowdown: g.slowdown(samples),
    };
    Ok((record, outcome.digest))
}

/// The `--jobs` value: at least 1, by default the number of cores.
pub fn threads(jobs: Option<usize>) -> Result<usize, Error> {
    match jobs {
        Some(0) => Err(Error::Usage("--jobs must be at least 1".into())),
        Some(n) if n > crate::limits::MAX_JOBS => Err(Error::Usage(format!(
            "--jobs {n}: at most {} simulations at a time (each takes a thread and its memory)",
            crate::limits::MAX_JOBS
        ))),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Runs every task (variant, seed) on `jobs` threads, with a progress bar
/// on a terminal unless `quiet`. The records come back in task order,
/// whatever the thread count: the one engine behind `compare`, `sweep`,
/// `merge` and `check`. With a store (an output folder and its plan), a
/// run whose intact record is already in `runs/` is read instead of run,
/// and each new run's record is written there as soon as it ends; the
/// second value is the number of runs read.
pub fn run_all(
    models: &[Model],
    tasks: &[(usize, u64)],
    jobs: usize,
    name: &str,
    quiet: bool,
    store: Option<(&Path, &Plan)>,
) -> Result<(Vec<RunRecord>, usize), Error> {
    let bar = super::progress_allowed(quiet).then(|| {
        let bar = indicatif::ProgressBar::new(tasks.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} running {msg} [{bar:40}] {pos}/{len} runs ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        bar
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("--jobs {jobs}: {e}")))?;
    let results: Vec<Result<(RunRecord, bool), Error>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(v, seed)| {
                let r = match store {
                    None => run_one(&models[v], v, seed).map(|(r, _)| (r, false)),
                    Some((dir, plan)) => {
                        let path = dir.join(plan.run_file(v, seed));
                        let key = plan.run_key(v, seed);
                        match experiment::load_record(&path, &key, v, seed) {
                            Some(r) => Ok((r, true)),
                            None => run_one(&models[v], v, seed).and_then(|(r, digest)| {
                                let bytes = experiment::record_bytes(&key, &digest, &r)?;
                                experiment::write_atomic(&path, &bytes)?;
                                Ok((r, false))
                            }),
                        }
                    }
                };
                if let Some(b) = &bar {
                    b.inc(1);
                }
                r
            })
            .collect()
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut runs = Vec::with_capacity(results.len());
    let mut reused = 0;
    for r in results {
        let (rec, was_stored) = r?;
        reused += usize::from(was_stored);
        runs.push(rec);
    }
    Ok((runs, reused))
}

/// Resolves each variant's scenario. Errors in the file itself keep their
/// line and column; errors an override brings name the override. Prints
/// the lint's warnings (the file's once, then those each variant's
/// overrides bring); the third value is how many it printed.
#[allow(clippy::type_complexity)]
pub fn models(
    path: &Path,
    variants: &[Variant],
) -> Result<(scenario::resolve::Loaded, Vec<Model>, usize), Error> {
    let loaded = scenario::load(path)?;
    for w in &loaded.model.warnings {
        eprintln!("warning: {w}");
    }
    let mut warned = loaded.model.warnings.len();
    let shown = path.display().to_string();
    let text = crate::workload::input::read_text_bounded(
        path,
        &shown,
        "a scenario file",
        crate::limits::MAX_FILE_BYTES,
    )?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for v in variants {
        if v.overrides.is_empty() {
            out.push(loaded.model.clone());
            continue;
        }
        let what = v
            .overrides
            .iter()
            .map(|o| format!("{}={}", o.key, o.text))
            .collect::<Vec<_>>()
            .join(", ");
        let changed = overrides::apply(&text, &v.overrides)
            .map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
        let model = scenario::load_str(&changed, &shown, base).map_err(|e| {
            Error::Input(InputError::new(
                &shown,
                format!("with --set {what}: {}", e.message),
            ))
        })?;
        // Lint warnings the override brings (the file's own are printed once).
        for w in &model.warnings {
            if !loaded.model.warnings.iter().any(|b| b.message == w.message) {
                eprintln!("warning: {shown}: with --set {what}: {}", w.message);
                warned += 1;
            }
        }
        out.push(model);
    }
    Ok((loaded, out, warned))
}

pub fn execute(args: &CompareArgs) -> Result<(), Error> {
    execute_with(args, &[], None)
}

/// `compare` with the chart metrics and default folder a `sweep` gives.
pub fn execute_with(
    args: &CompareArgs,
    chart_metrics: &[String],
    default_out: Option<PathBuf>,
) -> Result<(), Error> {
    let started = Instant::now();
    let seeds = parse_seeds(&args.seeds).map_err(Error::Usage)?;
    let variants = variants(&args.policies, &args.set).map_err(Error::Usage)?;
    let total = seeds.len().saturating_mul(variants.len());
    if total > MAX_RUNS {
        return Err(Error::Usage(format!(
            "{} variants × {} seeds = {total} runs; at most {MAX_RUNS}",
            variants.len(),
            seeds.len()
        )));
    }
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(Error::Usage)?;
    let jobs = threads(args.jobs)?;
    let (loaded, models, warned) = models(&args.scenario, &variants)?;
    if args.deny_warnings && warned > 0 {
        return Err(super::run::denied(
            warned,
            if variants.iter().any(|v| !v.overrides.is_empty()) {
                "the scenario and its variants"
            } else {
                "the scenario"
            },
        ));
    }
    let model = &loaded.model;
    let plan = plan(&loaded, &models, &variants, &seeds, args, chart_metrics);
    let out =
        args.out.clone().or(default_out).unwrap_or_else(|| {
            Path::new("out").join(format!("{}-compare", safe_name(&model.name)))
        });
    // Aggregates are written into a staging folder and moved into place
    // when complete; the per-run records go into the folder's own runs/
    // as each run ends, so that an interrupted comparison resumes.
    let staging = experiment::begin(&out, args.force, &[args.scenario.as_path()])?;
    staging.claim()?;
    let all = plan.tasks();
    let tasks: Vec<(usize, u64)> = match shard {
        Some(s) => all
            .iter()
            .enumerate()
            .filter(|(i, _)| s.owns(*i))
            .map(|(_, t)| *t)
            .collect(),
        None => all.clone(),
    };
    let (runs, reused) = run_all(
        &models,
        &tasks,
        jobs,
        &model.name,
        args.quiet,
        Some((&out, &plan)),
    )?;
    let wall = started.elapsed().as_secs_f64();
    let reused_text = if reused > 0 {
        format!(" ({reused} read back from {}/runs)", out.display())
    } else {
        String::new()
    };
    if let Some(s) = shard {
        let mut files: Vec<String> = tasks.iter().map(|&(v, x)| plan.run_file(v, x)).collect();
        files.sort();
        experiment::Manifest {
            plan,
            shard: Some(s.text()),
            files: files.clone(),
        }
        .write(staging.path())?;
        staging.commit()?;
        experiment::prune_runs(&out, &files)?;
        if !args.quiet {
            println!(
                "{}: shard {} — {} of {total} runs in {wall:.2} s wall time{reused_text}",
                model.name,
                s.text(),
                tasks.len(),
            );
            println!(
                "results: {} (join every shard with `mesosim merge DIR... --out OUT`)",
                out.display()
            );
        }
        return Ok(());
    }
    let table = experiment::finish(staging.path(), &plan, &runs)?;
    staging.commit()?;
    experiment::prune_runs(&out, &experiment::run_files(&plan))?;
    if !args.quiet {
        println!(
            "{}: {} variants × {} seeds = {total} runs in {wall:.2} s wall time ({jobs} threads){reused_text}",
            model.name,
            variants.len(),
            seeds.len(),
        );
        print!("{}", table.to_text());
        println!("({})", table.legend());
        println!("results: {}", out.display());
    }
    Ok(())
}

/// The plan of a comparison: labels, parameters and their values per
/// variant, seeds and chart settings.
fn plan(
    loaded: &scenario::resolve::Loaded,
    models: &[Model],
    variants: &[Variant],
    seeds: &[u64],
    args: &CompareArgs,
    chart_metrics: &[String],
) -> Plan {
    let labels: Vec<String> = variants
        .iter()
        .map(|v| {
            if v.label.is_empty() {
                models[0].master.policy.clone()
            } else {
                v.label.clone()
            }
        })
        .collect();
    let mut parameters = vec!["master.policy".to_string()];
    for v in variants {
        for o in &v.overrides {
            if !parameters.contains(&o.key) {
                parameters.push(o.key.clone());
            }
        }
    }
    let values: Vec<Vec<String>> = variants
        .iter()
        .zip(models)
        .map(|(v, m)| {
            parameters
                .iter()
                .map(|p| {
                    if p == "master.policy" {
                        return m.master.policy.clone();
                    }
                    v.overrides
                        .iter()
                        .rev()
                        .find(|o| &o.key == p)
                        .map(|o| o.text.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let swept: Vec<String> = parameters
        .iter()
        .enumerate()
        .filter(|(i, _)| values.iter().any(|v| v[*i] != values[0][*i]))
        .map(|(_, p)| p.clone())
        .collect();
    Plan {
        version: crate::VERSION.to_string(),
        scenario: loaded.model.name.clone(),
        description: loaded.model.description.clone(),
        scenario_sha256: loaded.sha256.clone(),
        variants: labels,
        overrides: variants
            .iter()
            .map(|v| {
                v.overrides
                    .iter()
                    .map(|o| format!("{}={}", o.key, o.text))
                    .collect()
            })
            .collect(),
        parameters,
        values,
        swept,
        seeds: seeds.to_vec(),
        charts: if args.no_charts {
            "none"
        } else if args.png {
            "png"
        } else {
            "svg"
        }
        .to_string(),
        chart_metrics: chart_metrics.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds() {
        assert_eq!(parse_seeds("1..4").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(parse_seeds("1..=3,7").unwrap(), vec![1, 2, 3, 7]);
        assert_eq!(parse_seeds("5").unwrap(), vec![5]);
        assert!(parse_seeds("3..1").is_err());
        assert!(parse_seeds("1,1").is_err());
        assert!(parse_seeds("x").is_err());
        assert!(parse_seeds("").is_err());
        assert!(parse_seeds("0..18446744073709551615").is_err());
    }

    #[test]
    fn variant_product_and_labels() {
        let v = variants(
            &["drf".into(), "random".into()],
            &[
                "master.allocation_interval=1s,5s".into(),
                "master.refuse_seconds=1s".into(),
            ],
        )
        .unwrap();
        let labels: Vec<&str> = v.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "drf, master.allocation_interval=1s",
                "drf, master.allocation_interval=5s",
                "random, master.allocation_interval=1s",
                "random, master.allocation_interval=5s",
            ]
        );
        assert_eq!(v[0].overrides.len(), 3);
        assert!(variants(&["drf".into(), "drf".into()], &[]).is_err());
    }
}
