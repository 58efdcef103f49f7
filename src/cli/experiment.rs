//! The experiment engine behind `compare`, `sweep` and `merge`: the plan
//! (variants × seeds), the per-run record store that makes a comparison
//! resumable (`runs/<id>.json`, verified by its SHA-256 and its key), the
//! deterministic sharding (`--shard K/N`), and the writer of every
//! aggregate output, which depends only on the plan and the records — so a
//! resumed, a sharded-then-merged and an uninterrupted run write the same
//! bytes.

use crate::error::Error;
use crate::report::charts::Format;
use crate::report::compare::{self, Metric, RunRecord, Table};
use crate::report::outdir::{self, OutDir};
use crate::report::{sha256_hex, write_file, COMPARE_KIND};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a comparison runs and how its outputs look: everything the
/// aggregate outputs depend on, stored in `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: String,
    pub scenario: String,
    pub description: String,
    pub scenario_sha256: String,
    /// Variant labels.
    pub variants: Vec<String>,
    /// Per variant, its overrides as `KEY=VALUE`.
    pub overrides: Vec<Vec<String>>,
    /// The parameter columns of `runs.csv`: `master.policy`, then each
    /// `--set` key in order.
    pub parameters: Vec<String>,
    /// Per variant, the value of each parameter.
    pub values: Vec<Vec<String>>,
    /// Parameters with more than one value (the sweep charts' axes).
    pub swept: Vec<String>,
    pub seeds: Vec<u64>,
    /// `svg`, `png` or `none`.
    pub charts: String,
    /// Metrics drawn against each swept parameter (empty: all).
    pub chart_metrics: Vec<String>,
}

impl Plan {
    /// Every run, (variant, seed), in variant then seed order.
    pub fn tasks(&self) -> Vec<(usize, u64)> {
        (0..self.variants.len())
            .flat_map(|v| self.seeds.iter().map(move |&s| (v, s)))
            .collect()
    }

    /// The key a run's record is stored and verified under.
    pub fn run_key(&self, variant: usize, seed: u64) -> String {
        format!(
            "mesosim {}\nscenario {}\n{}\nseed {seed}\n",
            self.version,
            self.scenario_sha256,
            self.overrides[variant].join("\n")
        )
    }

    /// `runs/<id>.json` of a run: the first 16 hex digits of its key's
    /// SHA-256.
    pub fn run_file(&self, variant: usize, seed: u64) -> String {
        let h = sha256_hex(self.run_key(variant, seed).as_bytes());
        format!("runs/{}.json", &h[..16])
    }

    fn format(&self) -> Option<Format> {
        match self.charts.as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// `--shard K/N`: K in 0..N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "--shard `{text}`: expected K/N with 0 ≤ K < N, e.g. 0/4 \
                 (K is $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)"
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Task `i` (in plan order) belongs to shard `i mod N`.
    pub fn owns(&self, task: usize) -> bool {
        task % self.count == self.index
    }

    pub fn text(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// `manifest.json` of a comparison folder (or of one shard of it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub plan: Plan,
    /// `K/N` in a shard's folder; absent in a complete one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<String>,
    /// The files written, sorted; empty while the run is under way.
    pub files: Vec<String>,
}

impl Manifest {
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let mut json = serde_json::to_string_pretty(self).expect("manifest serializes");
        json.push('\n');
        write_atomic(&dir.join("manifest.json"), json.as_bytes())
    }

    pub fn read(dir: &Path) -> Result<Manifest, Error> {
        let p = dir.join("manifest.json");
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(p.display(), e))?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Input(
                crate::error::InputError::new(
                    p.display().to_string(),
                    format!("not a comparison manifest: {e}"),
                )
                .at(e.line(), e.column()),
            )
        })
    }
}

/// One run as stored in `runs/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StoredRun {
    key: String,
    /// SHA-256 of the run's whole record stream (as in a run's manifest).
    digest: String,
    /// key, label, shown as a percentage, value.
    metrics: Vec<(String, String, bool, f64)>,
    jct_s: Vec<f64>,
    jct_censored_s: Vec<f64>,
    wait_s: Vec<f64>,
    wait_censored_s: Vec<f64>,
    slowdown: Vec<f64>,
}

#[derive(Deserialize)]
struct StoredFile<'a> {
    sha256: String,
    #[serde(borrow)]
    run: &'a serde_json::value::RawValue,
}

/// The bytes of a run's record file: `{"sha256": …, "run": …}` where the
/// hash covers the `run` text exactly.
pub fn record_bytes(key: &str, digest: &str, r: &RunRecord) -> Result<Vec<u8>, Error> {
    if r.values.iter().any(|(_, v)| !v.is_finite())
        || r.jct_s
            .iter()
            .chain(&r.jct_censored_s)
            .chain(&r.wait_s)
            .chain(&r.wait_censored_s)
            .chain(&r.slowdown)
            .any(|v| !v.is_finite())
    {
        return Err(Error::Io(format!(
            "a run (seed {}) has a value that is not a finite number; it cannot be stored",
            r.seed
        )));
    }
    let stored = StoredRun {
        key: key.to_string(),
        digest: digest.to_string(),
        metrics: r
            .values
            .iter()
            .map(|(m, v)| (m.key.clone(), m.label.clone(), m.percent, *v))
            .collect(),
        jct_s: r.jct_s.clone(),
        jct_censored_s: r.jct_censored_s.clone(),
        wait_s: r.wait_s.clone(),
        wait_censored_s: r.wait_censored_s.clone(),
        slowdown: r.slowdown.clone(),
    };
    let run = serde_json::to_string(&stored).expect("a run serializes");
    Ok(format!(
        "{{\"sha256\":\"{}\",\"run\":{run}}}\n",
        sha256_hex(run.as_bytes())
    )
    .into_bytes())
}

/// Reads a stored run if the file exists, is intact (its SHA-256 matches)
/// and holds the run `key`; `None` otherwise.
pub fn load_record(path: &Path, key: &str, variant: usize, seed: u64) -> Option<RunRecord> {
    let bytes = std::fs::read(path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let file: StoredFile = serde_json::from_str(text).ok()?;
    if sha256_hex(file.run.get().as_bytes()) != file.sha256 {
        return None;
    }
    let run: StoredRun = serde_json::from_str(file.run.get()).ok()?;
    if run.key != key {
        return None;
    }
    Some(RunRecord {
        variant,
        seed,
        values: run
            .metrics
            .into_iter()
            .map(|(key, label, percent, v)| {
                (
                    Metric {
                        key,
                        label,
                        percent,
                    },
                    v,
                )
            })
            .collect(),
        jct_s: run.jct_s,
        jct_censored_s: run.jct_censored_s,
        wait_s: run.wait_s,
        wait_censored_s: run.wait_censored_s,
        slowdown: run.slowdown,
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so that an interrupted write never leaves half a file
/// ([`outdir::write_atomic`]); makes the folder first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(d) = dir {
        outdir::make_dir(d)?;
    }
    outdir::write_atomic(path, bytes)
}

/// Files `compare` writes besides `runs/` and `charts/`.
pub const AGGREGATE_FILES: &[&str] = &["compare.csv", "compare.md", "runs.csv", "report.md"];

/// Starts writing a comparison's folder `dir` ([`OutDir`] of kind
/// [`COMPARE_KIND`]): a folder of another kind is refused, a non-empty folder
/// mesosim did not write needs `force`, `dir` may not be one of `inputs`.
/// The aggregate outputs go into the staging folder; `runs/` is kept in
/// `dir` itself so that an interrupted comparison resumes.
pub fn begin(dir: &Path, force: bool, inputs: &[&Path]) -> Result<OutDir, Error> {
    OutDir::begin(dir, COMPARE_KIND, force, inputs)
}

/// Removes the records under `runs/` that are not in `keep` (runs of an
/// earlier, different plan), so that the folder holds exactly this plan's
/// runs. Only record files (`runs/<16 hex digits>.json`) are touched.
pub fn prune_runs(dir: &Path, keep: &[String]) -> Result<(), Error> {
    let runs = dir.join("runs");
    let Ok(entries) = std::fs::read_dir(&runs) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let rel = format!("runs/{}", e.file_name().to_string_lossy());
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if is_file && COMPARE_KIND.is_record(&rel) && !keep.contains(&rel) {
            std::fs::remove_file(e.path()).map_err(|er| Error::io(e.path().display(), er))?;
        }
    }
    Ok(())
}

/// The record files of every run of `plan`.
pub fn run_files(plan: &Plan) -> Vec<String> {
    plan.tasks()
        .iter()
        .map(|&(v, s)| plan.run_file(v, s))
        .collect()
}

/// Writes every aggregate output of a complete comparison (runs in plan
/// order) and its manifest into `out` (a staging folder: the records
/// stay where they are); returns the table.
pub fn finish(out: &Path, plan: &Plan, runs: &[RunRecord]) -> Result<Table, Error> {
    let run_files = run_files(plan);
    let metrics = compare::metric_union(runs);
    let table = Table::build(
        metrics.clone(),
        plan.variants.clone(),
        plan.seeds.clone(),
        runs,
    );
    let mut files: Vec<String> = AGGREGATE_FILES.iter().map(|s| s.to_string()).collect();
    write_file(&out.join("compare.csv"), table.to_csv()?.as_bytes())?;
    write_file(&out.join("compare.md"), table.to_markdown().as_bytes())?;
    write_file(
        &out.join("runs.csv"),
        compare::runs_csv(
            &metrics,
            &plan.variants,
            &plan.parameters,
            &plan.values,
            runs,
        )?
        .as_bytes(),
    )?;
    // A metric the sweep file names that no run has (a resource no agent
    // has, a framework not in `output.compare_frameworks`, a scheduler
    // of another architecture) has no chart: say so.
    for m in &plan.chart_metrics {
        if !table.metrics.iter().any(|x| &x.key == m) {
            eprintln!("warning: metrics: `{m}` is in no run's summary; it has no chart");
        }
    }
    let title = format!("{} · {} seeds", plan.scenario, plan.seeds.len());
    let mut charts: Vec<(PathBuf, String)> = Vec::new();
    if let Some(format) = plan.format() {
        let dir = out.join("charts");
        for (file, what) in compare::write_charts(&table, runs, &title, &dir, format)? {
            charts.push((Path::new("charts").join(file), what.to_string()));
        }
        for (file, what) in crate::report::sweep::write_charts(
            &table,
            &plan.parameters,
            &plan.values,
            &plan.swept,
            &plan.chart_metrics,
            &title,
            &dir,
            format,
        )? {
            charts.push((Path::new("charts").join(file), what));
        }
    }
    for (rel, _) in &charts {
        files.push(rel.to_string_lossy().replace('\\', "/"));
    }
    let mut settings = vec![
        format!("Variants: {}", plan.variants.join("; ")),
        format!(
            "Seeds: {} ({} runs per variant)",
            seeds_summary(&plan.seeds),
            plan.seeds.len()
        ),
    ];
    let common: Vec<String> = plan.overrides[0]
        .iter()
        .filter(|o| plan.overrides.iter().all(|v| v.contains(o)))
        .filter(|o| !o.starts_with("master.policy=") || plan.variants.len() == 1)
        .map(|o| format!("`{o}`"))
        .collect();
    if !common.is_empty() {
        settings.push(format!("Set for every run: {}", common.join(", ")));
    }
    settings.push(format!("mesosim {}", plan.version));
    let chart_refs: Vec<(PathBuf, &str)> = charts
        .iter()
        .map(|(p, w)| (p.clone(), w.as_str()))
        .collect();
    let report = compare::report(
        &plan.scenario,
        &plan.description,
        &settings,
        &table,
        &chart_refs,
    );
    write_file(&out.join("report.md"), report.as_bytes())?;
    files.extend(run_files);
    files.sort();
    Manifest {
        plan: plan.clone(),
        shard: None,
        files,
    }
    .write(out)?;
    Ok(table)
}

/// `1..10` for a contiguous ascending list, else the list.
pub fn seeds_summary(seeds: &[u64]) -> String {
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

/// `mesosim merge DIR... --out OUT`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The shard folders (`compare --shard K/N --out DIR`), all N of them.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged comparison goes.
    #[arg(long)]
    pub out: PathBuf,
    /// No table on the terminal; only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write into a non-empty folder that mesosim did not write.
    #[arg(long)]
    pub force: bool,
}

pub fn merge(args: &MergeArgs) -> Result<(), Error> {
    let mut plan: Option<Plan> = None;
    let mut count: Option<usize> = None;
    let mut by_index: Vec<Option<PathBuf>> = Vec::new();
    for d in &args.dirs {
        let m = Manifest::read(d)?;
        let shard = match &m.shard {
            Some(s) => Shard::parse(s)
                .map_err(|e| Error::Usage(format!("{}: manifest.json: {e}", d.display())))?,
            None => Shard { index: 0, count: 1 },
        };
        match &plan {
            None => plan = Some(m.plan.clone()),
            Some(p) if *p != m.plan => {
                return Err(Error::Usage(format!(
                    "{} is a shard of a different comparison than {} \
                     (scenario, variants, seeds, version or chart settings differ)",
                    d.display(),
                    args.dirs[0].display()
                )))
            }
            Some(_) => {}
        }
        match count {
            None => {
                count = Some(shard.count);
                by_index = vec![None; shard.count];
            }
            Some(n) if n != shard.count => {
                return Err(Error::Usage(format!(
                    "{} is shard {} but {} was cut into {n} shards",
                    d.display(),
                    shard.text(),
                    args.dirs[0].display()
                )))
            }
            Some(_) => {}
        }
        if let Some(prev) = &by_index[shard.index] {
            return Err(Error::Usage(format!(
                "shard {} is given twice: {} and {}",
                shard.text(),
                prev.display(),
                d.display()
            )));
        }
        by_index[shard.index] = Some(d.clone());
    }
    let plan = plan.expect("at least one folder");
    let n = count.expect("at least one folder");
    let missing: Vec<String> = (0..n)
        .filter(|&i| by_index[i].is_none())
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "missing shards: {} (give every shard's folder)",
            missing.join(", ")
        )));
    }
    for d in by_index.iter().flatten() {
        if same_dir(d, &args.out) {
            return Err(Error::Usage(format!(
                "--out {}: is one of the shard folders; merge into a new folder",
                args.out.display()
            )));
        }
    }
    let tasks = plan.tasks();
    let mut runs = Vec::with_capacity(tasks.len());
    let mut bytes = Vec::with_capacity(tasks.len());
    for (i, &(v, seed)) in tasks.iter().enumerate() {
        let dir = by_index[i % n].as_ref().expect("checked");
        let rel = plan.run_file(v, seed);
        let path = dir.join(&rel);
        let rec = load_record(&path, &plan.run_key(v, seed), v, seed).ok_or_else(|| {
            Error::Usage(format!(
                "{}: the run of `{}` with seed {seed} is missing or damaged \
                 (rerun that shard: it resumes)",
                path.display(),
                plan.variants[v]
            ))
        })?;
        runs.push(rec);
        bytes.push((
            rel,
            std::fs::read(&path).map_err(|e| Error::io(path.display(), e))?,
        ));
    }
    let inputs: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    let staging = begin(&args.out, args.force, &inputs)?;
    for (rel, b) in &bytes {
        write_atomic(&staging.path().join(rel), b)?;
    }
    let table = finish(staging.path(), &plan, &runs)?;
    staging.commit()?;
    prune_runs(&args.out, &run_files(&plan))?;
    if !args.quiet {
        println!(
            "{}: merged {n} shards, {} variants × {} seeds = {} runs",
            plan.scenario,
            plan.variants.len(),
            plan.seeds.len(),
            tasks.len()
        );
        print!("{}", table.to_text());
        println!("({})", table.legend());
        println!("results: {}", args.out.display());
    }
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
