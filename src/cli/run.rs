//! `mesosim run SCENARIO`: simulate and write the results folder.

use super::progress::Progress;
use crate::error::{Error, InputError};
use crate::metrics::RunMetrics;
use crate::report::charts::{self as chart_files, Format};
use crate::report::csv_out::{
    AuctionCsv, EventsCsv, ExplainCsv, FaultMarks, JobsCsv, OffersCsv, SharesCsv, TimeseriesCsv,
    WithWriters,
};
use crate::report::data::RunData;
use crate::report::markdown;
use crate::report::outdir::OutDir;
use crate::report::summary::{Manifest, Summary};
use crate::report::{safe_name, write_file, RUN_KIND};
use crate::scenario::overrides::{self, Override};
use crate::scenario::{self, resolve::Loaded};
use crate::sim::engine::{Options, Outcome, Simulation};
use crate::sim::observer::{Observer, Tee};
use clap::Args;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    // A placeholder in `--help`, not an HTML tag.
    #[allow(rustdoc::invalid_html_tags)]
    /// Output folder (default: out/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write events.csv (every offer, launch, ...) and explain.csv.
    #[arg(long)]
    pub events: bool,
    /// No progress bar and no summary lines; only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write into a non-empty folder that mesosim did not write.
    #[arg(long)]
    pub force: bool,
    /// Re-check the simulator's bookkeeping after every event (slower).
    #[arg(long)]
    pub check: bool,
    /// Do not draw the charts (report.md then has only the tables).
    #[arg(long)]
    pub no_charts: bool,
    /// Draw the charts as PNG instead of SVG.
    #[arg(long)]
    pub png: bool,
    /// Treat warnings as errors (exit 2): the scenario's lint findings stop
    /// the run before it starts; warnings of the run itself fail it after
    /// the results are written.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Change a scenario key for this run (repeatable), as `compare --set`
    /// does: `--set master.allocation_interval=5s`. Recorded in the manifest.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// What a run writes besides the standard files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras {
    /// events.csv and explain.csv.
    pub events: bool,
    /// Charts in this format (and in report.md).
    pub charts: Option<Format>,
}

/// What a run wrote.
pub struct RunResult {
    pub out: PathBuf,
    pub outcome: Outcome,
    pub summary: Summary,
}

pub fn execute(args: &RunArgs) -> Result<(), Error> {
    let started = Instant::now();
    let loaded = load_with_set(&args.scenario, &args.set)?;
    for w in &loaded.model.warnings {
        eprintln!("warning: {w}");
    }
    if args.deny_warnings && !loaded.model.warnings.is_empty() {
        return Err(denied(loaded.model.warnings.len(), "the scenario"));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(safe_name(&loaded.model.name)));
    if !args.quiet {
        for n in &loaded.model.notes {
            println!("{n}");
        }
    }
    let progress = super::progress_allowed(args.quiet);
    let options = Options {
        seed: args.seed,
        check: args.check,
    };
    let extras = Extras {
        events: args.events,
        charts: (!args.no_charts).then_some(if args.png { Format::Png } else { Format::Svg }),
    };
    let result = run_into(&loaded, &options, &out, extras, args.force, progress)?;
    for w in &result.outcome.warnings {
        eprintln!("warning: {w}");
    }
    if !args.quiet {
        print_report(&result, started.elapsed().as_secs_f64());
    }
    if args.deny_warnings && !result.outcome.warnings.is_empty() {
        return Err(denied(
            result.outcome.warnings.len(),
            &format!("the run (results in {})", result.out.display()),
        ));
    }
    Ok(())
}

/// Loads a scenario and applies `--set KEY=VALUE` changes to its text
/// before resolving. Errors in the file itself keep their place; those an
/// override brings name it.
pub fn load_with_set(path: &Path, sets: &[String]) -> Result<Loaded, Error> {
    let mut loaded = scenario::load(path)?;
    if sets.is_empty() {
        return Ok(loaded);
    }
    let shown = path.display().to_string();
    let mut ovs = Vec::new();
    for s in sets {
        if let Some((key, values)) = s.split_once('=') {
            if overrides::split_values(values).len() > 1 {
                return Err(Error::Usage(format!(
                    "--set {s}: `run` takes one value per key (`compare --set {key}=V1,V2` compares several; \
                     quote a YAML list as `[a, b]`)"
                )));
            }
        }
        ovs.push(Override::parse(s).map_err(|e| Error::Usage(format!("--set {e}")))?);
    }
    let text = crate::workload::input::read_text_bounded(
        path,
        &shown,
        "a scenario file",
        crate::limits::MAX_FILE_BYTES,
    )?;
    let changed =
        overrides::apply(&text, &ovs).map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    loaded.model = scenario::load_str(&changed, &shown, base).map_err(|e| {
        Error::Input(InputError::new(
            &shown,
            format!("with --set {}: {}", sets.join(" --set "), e.message),
        ))
    })?;
    // Places in the rewritten text are not places in the file.
    for w in &mut loaded.model.warnings {
        w.line = None;
        w.column = None;
        w.message = format!("with --set {}: {}", sets.join(" --set "), w.message);
    }
    loaded.overrides = sets.to_vec();
    Ok(loaded)
}

/// The error `--deny-warnings` ends with.
pub fn denied(n: usize, whose: &str) -> Error {
    Error::Usage(format!(
        "{n} warning{} from {whose}, and --deny-warnings makes warnings errors",
        if n == 1 { "" } else { "s" }
    ))
}

fn print_report(r: &RunResult, wall_s: f64) {
    let s = &r.summary;
    let util: Vec<String> = s
        .utilization
        .0
        .iter()
        .map(|(k, v)| format!("{k} {:.1}%", v * 100.0))
        .collect();
    println!(
        "{}: simulated {} s in {:.2} s wall time ({} events, seed {})",
        s.scenario,
        crate::sim::time::format_secs(s.end_time_s.0),
        wall_s,
        s.events,
        s.seed
    );
    println!(
        "  jobs {}/{} completed, tasks {} finished; offers {} made, {} declined",
        s.jobs.completed, s.jobs.submitted, s.tasks.finished, s.offers.made, s.offers.declined
    );
    println!(
        "  utilization: {}; fairness: Jain {:.3}, min/max {:.3}",
        if util.is_empty() {
            "-".to_string()
        } else {
            util.join(", ")
        },
        s.fairness.jain,
        s.fairness.min_max_ratio
    );
    println!("results: {}", r.out.display());
}

fn create(dir: &Path, name: &str) -> Result<BufWriter<File>, Error> {
    let p = dir.join(name);
    File::create(&p)
        .map(BufWriter::new)
        .map_err(|e| Error::io(p.display(), e))
}

/// Runs a loaded scenario and writes every output file into `out`: into a
/// staging folder first, moved into place once complete ([`OutDir`]).
pub fn run_into(
    loaded: &Loaded,
    options: &Options,
    out: &Path,
    extras: Extras,
    force: bool,
    progress: bool,
) -> Result<RunResult, Error> {
    let events = extras.events;
    let model = &loaded.model;
    let target = out;
    let staging = OutDir::begin(target, RUN_KIND, force, &[])?;
    let out = staging.path();
    let interval = model.output.sample_interval;
    let mut metrics = RunMetrics::new(model);
    let mut timeseries = TimeseriesCsv::new(create(out, "timeseries.csv")?, interval);
    let mut shares = SharesCsv::new(
        create(out, "shares.csv")?,
        create(out, "roles.csv")?,
        create(out, "fairness.csv")?,
        interval,
    );
    let mut offers = OffersCsv::new(create(out, "offers.csv")?, interval, model.frameworks.len());
    let mut jobs = JobsCsv::new(create(out, "jobs.csv")?);
    let mut events_csv = if events {
        Some(EventsCsv::new(create(out, "events.csv")?))
    } else {
        None
    };
    // `faults.csv` only on request (`output.faults`); the charts drawn
    // below mark faults from the rows kept in memory either way.
    let mut faults_csv = if model.output.faults {
        Some(EventsCsv::faults(create(out, "faults.csv")?))
    } else {
        None
    };
    let mut fault_marks = if crate::report::summary::has_faults(model) && !model.output.faults {
        Some(FaultMarks::default())
    } else {
        None
    };
    let mut explain_csv = if events {
        Some(ExplainCsv::new(create(out, "explain.csv")?))
    } else {
        None
    };
    let wants_auction = model
        .master
        .allocator
        .as_ref()
        .is_some_and(|p| p.uses_budgets());
    let mut auction_csv = if wants_auction {
        Some(AuctionCsv::new(create(out, "auction.csv")?))
    } else {
        None
    };
    let mut bar = if progress {
        Some(Progress::new(model))
    } else {
        None
    };

    let outcome = {
        let mut tee = Tee::default();
        // The metrics with `timeseries.csv` and `jobs.csv`, which read
        // what the metrics follow (task records followed once).
        let mut with_writers = WithWriters {
            metrics: &mut metrics,
            timeseries: &mut timeseries,
            jobs: &mut jobs,
        };
        tee.observers.push(&mut with_writers);
        tee.observers.push(&mut shares);
        tee.observers.push(&mut offers);
        if let Some(e) = events_csv.as_mut() {
            tee.observers.push(e as &mut dyn Observer);
        }
        if let Some(e) = explain_csv.as_mut() {
            tee.observers.push(e as &mut dyn Observer);
        }
        if let Some(e) = faults_csv.as_mut() {
            tee.observers.push(e as &mut dyn Observer);
        }
        if let Some(m) = fault_marks.as_mut() {
            tee.observers.push(m as &mut dyn Observer);
        }
        if let Some(a) = auction_csv.as_mut() {
            tee.observers.push(a as &mut dyn Observer);
        }
        if let Some(b) = bar.as_mut() {
            tee.observers.push(b as &mut dyn Observer);
        }
        Simulation::new(model, options).run(&mut tee)?
    };
    if let Some(b) = &bar {
        b.done();
    }

    let mut files = vec![
        "summary.json".to_string(),
        "timeseries.csv".into(),
        "shares.csv".into(),
        "roles.csv".into(),
        "fairness.csv".into(),
        "offers.csv".into(),
        "jobs.csv".into(),
    ];
    let finish = |name: &str, r: Result<BufWriter<File>, String>| -> Result<(), Error> {
        r.map(|_| ())
            .map_err(|e| Error::io(out.join(name).display(), e))
    };
    finish("timeseries.csv", timeseries.sink.finish())?;
    shares
        .finish()
        .map_err(|(name, e)| Error::io(out.join(name).display(), e))?;
    finish("offers.csv", offers.sink.finish())?;
    if let Some(e) = events_csv {
        finish("events.csv", e.sink.finish())?;
        files.push("events.csv".into());
    }
    if let Some(e) = explain_csv {
        finish("explain.csv", e.sink.finish())?;
        files.push("explain.csv".into());
    }
    if let Some(e) = faults_csv {
        finish("faults.csv", e.sink.finish())?;
        files.push("faults.csv".into());
    }
    finish("jobs.csv", jobs.sink.finish())?;
    if let Some(a) = auction_csv {
        finish("auction.csv", a.sink.finish())?;
        files.push("auction.csv".into());
    }

    let summary = Summary::build(model, &outcome, &metrics);
    // Its per-job samples can be hundreds of MB on a long trace: gone
    // before the charts read the files.
    drop(metrics);
    write_file(&out.join("summary.json"), summary.to_json().as_bytes())?;
    // Charts are drawn from the files just written, as `mesosim plot` does.
    let mut charts: Vec<(PathBuf, &str)> = Vec::new();
    if let Some(format) = extras.charts {
        let mut data = RunData::read(out)?;
        if let Some(m) = fault_marks {
            data.faults = m.rows;
        }
        for file in chart_files::write_run_charts(&data, &out.join("charts"), format)? {
            let stem = file.file_stem().map(|s| s.to_string_lossy().to_string());
            let what = chart_files::RUN_CHARTS
                .iter()
                .find(|(k, _)| Some(k.to_string()) == stem)
                .map_or("", |(_, w)| *w);
            let rel = Path::new("charts").join(&file);
            files.push(rel.to_string_lossy().replace('\\', "/"));
            charts.push((rel, what));
        }
    }
    let report = markdown::run_report(&summary, &model.description, &charts);
    write_file(&out.join("report.md"), report.as_bytes())?;
    files.push("report.md".into());
    files.sort();
    let manifest = Manifest {
        version: crate::VERSION,
        scenario: model.name.clone(),
        seed: outcome.seed,
        scenario_sha256: loaded.sha256.clone(),
        digest: outcome.digest.clone(),
        events: outcome.events,
        files,
        overrides: loaded.overrides.clone(),
    };
    write_file(&out.join("manifest.json"), manifest.to_json().as_bytes())?;
    // Everything is written: only now does it replace the old result.
    staging.commit()?;
    Ok(RunResult {
        out: target.to_path_buf(),
        outcome,
        summary,
    })
}
