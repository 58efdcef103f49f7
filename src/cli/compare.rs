//! `mesosim compare SCENARIO --policies drf,random --seeds 1..10`: run every
//! variant with every seed (common random numbers: a seed gives every
//! variant the same workload), in parallel, and write the comparison.

use crate::error::{Error, InputError};
use crate::metrics::RunMetrics;
use crate::report::charts::Format;
use crate::report::compare::{self, headline, RunRecord, Table};
use crate::report::summary::Summary;
use crate::report::{prepare_dir, safe_name, write_file, COMPARE_FILES};
use crate::scenario::overrides::{self, Override};
use crate::scenario::{self, Model};
use crate::sim::engine::{Options, Simulation};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
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

#[derive(Serialize)]
struct CompareManifest {
    version: &'static str,
    scenario: String,
    scenario_sha256: String,
    variants: Vec<String>,
    overrides: Vec<Vec<String>>,
    seeds: Vec<u64>,
    files: Vec<String>,
}

/// Runs one variant with one seed, in memory.
fn run_one(model: &Model, variant: usize, seed: u64) -> Result<RunRecord, Error> {
    let mut metrics = RunMetrics::new(model);
    let options = Options {
        seed: Some(seed),
        check: false,
    };
    let outcome = Simulation::new(model, &options).run(&mut metrics)?;
    let summary = Summary::build(model, &outcome, &metrics);
    let g = &metrics.jobs;
    Ok(RunRecord {
        variant,
        seed,
        values: headline(&summary),
        jct_s: g
            .jct_us(&metrics.job_samples)
            .iter()
            .map(|&x| x as f64 / 1e6)
            .collect(),
        wait_s: g
            .wait_us(&metrics.job_samples)
            .iter()
            .map(|&x| x as f64 / 1e6)
            .collect(),
        slowdown: g.slowdown(&metrics.job_samples),
    })
}

/// Resolves each variant's scenario. Errors in the file itself keep their
/// line and column; errors an override brings name the override.
fn models(
    path: &Path,
    variants: &[Variant],
) -> Result<(scenario::resolve::Loaded, Vec<Model>), Error> {
    let loaded = scenario::load(path)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(&shown, e))?;
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
        out.push(model);
    }
    Ok((loaded, out))
}

pub fn execute(args: &CompareArgs) -> Result<(), Error> {
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
    let jobs = match args.jobs {
        Some(0) => return Err(Error::Usage("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let (loaded, models) = models(&args.scenario, &variants)?;
    let model = &loaded.model;
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
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(format!("{}-compare", safe_name(&model.name))));
    prepare_dir(&out, args.force, COMPARE_FILES, "mesosim compare")?;

    let bar = super::progress_allowed(args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} comparing {msg} [{bar:40}] {pos}/{len} runs ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(model.name.clone());
        bar
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("--jobs {jobs}: {e}")))?;
    let tasks: Vec<(usize, u64)> = (0..variants.len())
        .flat_map(|v| seeds.iter().map(move |&s| (v, s)))
        .collect();
    // Collected in task order, whatever the thread count.
    let results: Vec<Result<RunRecord, Error>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(v, seed)| {
                let r = run_one(&models[v], v, seed);
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
    for r in results {
        runs.push(r?);
    }

    let metrics = compare::metric_union(&runs);
    let table = Table::build(metrics.clone(), labels.clone(), seeds.clone(), &runs);
    let mut files = vec![
        "compare.csv".to_string(),
        "compare.md".into(),
        "runs.csv".into(),
        "report.md".into(),
    ];
    write_file(&out.join("compare.csv"), table.to_csv()?.as_bytes())?;
    write_file(&out.join("compare.md"), table.to_markdown().as_bytes())?;
    write_file(
        &out.join("runs.csv"),
        compare::runs_csv(&metrics, &labels, &runs)?.as_bytes(),
    )?;
    let seeds_text = seeds_summary(&seeds);
    let title = format!("{} · {} seeds", model.name, seeds.len());
    let mut charts = Vec::new();
    if !args.no_charts {
        let format = if args.png { Format::Png } else { Format::Svg };
        for (file, what) in
            compare::write_charts(&table, &runs, &title, &out.join("charts"), format)?
        {
            let rel = Path::new("charts").join(file);
            files.push(rel.to_string_lossy().replace('\\', "/"));
            charts.push((rel, what));
        }
    }
    let mut settings = vec![
        format!("Variants: {}", labels.join("; ")),
        format!("Seeds: {seeds_text} ({} runs per variant)", seeds.len()),
    ];
    let common: Vec<String> = variants[0]
        .overrides
        .iter()
        .filter(|o| variants.iter().all(|v| v.overrides.contains(o)))
        .filter(|o| o.key != "master.policy" || variants.len() == 1)
        .map(|o| format!("`{}={}`", o.key, o.text))
        .collect();
    if !common.is_empty() {
        settings.push(format!("Set for every run: {}", common.join(", ")));
    }
    settings.push(format!("mesosim {}", crate::VERSION));
    let report = compare::report(&model.name, &model.description, &settings, &table, &charts);
    write_file(&out.join("report.md"), report.as_bytes())?;
    files.sort();
    let manifest = CompareManifest {
        version: crate::VERSION,
        scenario: model.name.clone(),
        scenario_sha256: loaded.sha256.clone(),
        variants: labels.clone(),
        overrides: variants
            .iter()
            .map(|v| {
                v.overrides
                    .iter()
                    .map(|o| format!("{}={}", o.key, o.text))
                    .collect()
            })
            .collect(),
        seeds: seeds.clone(),
        files,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
    json.push('\n');
    write_file(&out.join("manifest.json"), json.as_bytes())?;

    if !args.quiet {
        println!(
            "{}: {} variants × {} seeds = {total} runs in {:.2} s wall time ({jobs} threads)",
            model.name,
            variants.len(),
            seeds.len(),
            started.elapsed().as_secs_f64()
        );
        print!("{}", table.to_text());
        println!("(mean ± 95% CI over seeds; differences paired by seed, * = CI excludes 0)");
        println!("results: {}", out.display());
    }
    Ok(())
}

/// `1..10` for a contiguous ascending list, else the list.
fn seeds_summary(seeds: &[u64]) -> String {
    let contiguous = seeds.windows(2).all(|w| w[1] == w[0] + 1);
    match (seeds.first(), seeds.last()) {
        (Some(a), Some(b)) if contiguous && seeds.len() > 2 => format!("{a}..{b}"),
        _ => seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
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
