//! `mesosim import FORMAT INPUT -o OUT`: converts a Google 2011 or SWF trace
//! into a compact CSV job trace (`.csv`, `.csv.gz`; streamed by runs) or a
//! YAML trace (`.yaml`; read whole), and reports what it read and skipped.

use crate::error::Error;
use crate::report::outdir::OutFile;
use crate::workload::csv_trace::{write_yaml_trace, OutputColumns, TraceWriter};
use crate::workload::{google, swf, Imported};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Larger outputs must be compact CSV: a YAML trace is read whole.
pub const MAX_YAML_JOBS: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Google cluster-data 2011 `task_events` (plain or .gz).
    Google2011,
    /// Standard Workload Format (Parallel Workloads Archive).
    Swf,
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// The trace's format.
    #[arg(value_enum)]
    pub format: Format,
    /// The trace file (plain or gzip).
    pub input: PathBuf,
    /// Output: `.csv` or `.csv.gz` (compact job trace), or `.yaml`.
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
    /// google2011: the matching `job_events` file.
    #[arg(long)]
    pub job_events: Option<PathBuf>,
    /// How jobs map to frameworks. google2011: priority (default), class,
    /// user. swf: one (default), user, group, queue, partition.
    #[arg(long)]
    pub framework_by: Option<String>,
    /// Put every job in this framework.
    #[arg(long)]
    pub framework: Option<String>,
    /// google2011: priority bands, `name:lo-hi,...` (default
    /// `free:0-1,batch:2-8,production:9-11`).
    #[arg(long)]
    pub bands: Option<String>,
    /// google2011: the largest machine, `cpus=32,mem=131072[,disk=N]`
    /// (normalised requests are scaled by it).
    #[arg(long)]
    pub machine: Option<String>,
    /// google2011: tasks whose SUBMIT precedes the file: `schedule`
    /// (submit = first SCHEDULE, default) or `skip`.
    #[arg(long)]
    pub missing_submit: Option<String>,
    /// google2011: tasks still running at the end of the file: `skip`
    /// (default), `forever` or `truncate`.
    #[arg(long)]
    pub open_end: Option<String>,
    /// `first` (the first kept submission is 0, default) or `trace`.
    #[arg(long)]
    pub time_origin: Option<String>,
    /// swf: processors become `tasks` (default) or `cpus` of one task.
    #[arg(long)]
    pub processors: Option<String>,
    /// swf: cpus per processor (default 1).
    #[arg(long)]
    pub cpus_per_processor: Option<String>,
    /// swf: whether jobs are gang jobs (default true with `--processors tasks`).
    #[arg(long)]
    pub gang: Option<bool>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn choose<T: Copy>(
    v: &Option<String>,
    flag: &str,
    choices: &[(&str, T)],
    default: T,
) -> Result<T, Error> {
    match v {
        None => Ok(default),
        Some(v) => choices
            .iter()
            .find(|(k, _)| k == v)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--{flag} `{v}` is not one of {}",
                    choices
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
    }
}

fn milli(text: &str, flag: &str) -> Result<u64, Error> {
    crate::sim::time::scaled_decimal(text.trim(), 1000).map_err(|_| {
        Error::Usage(format!(
            "--{flag}: `{text}` is not an amount >= 0 with at most 3 decimals"
        ))
    })
}

fn refuse_for(format: Format, given: &[(&str, bool)]) -> Result<(), Error> {
    for (flag, present) in given {
        if *present {
            return Err(Error::Usage(format!(
                "--{flag} does not apply to {}",
                match format {
                    Format::Google2011 => "google2011",
                    Format::Swf => "swf",
                }
            )));
        }
    }
    Ok(())
}

pub fn google_options(a: &ImportArgs) -> Result<google::Options, Error> {
    use google::{FrameworkBy, MissingSubmit, OpenEnd, TimeOrigin};
    refuse_for(
        Format::Google2011,
        &[
            ("processors", a.processors.is_some()),
            ("cpus-per-processor", a.cpus_per_processor.is_some()),
            ("gang", a.gang.is_some()),
        ],
    )?;
    let mut o = google::Options {
        framework_by: choose(
            &a.framework_by,
            "framework-by",
            &[
                ("priority", FrameworkBy::Priority),
                ("class", FrameworkBy::Class),
                ("user", FrameworkBy::User),
            ],
            FrameworkBy::Priority,
        )?,
        missing_submit: choose(
            &a.missing_submit,
            "missing-submit",
            &[
                ("schedule", MissingSubmit::Schedule),
                ("skip", MissingSubmit::Skip),
            ],
            MissingSubmit::Schedule,
        )?,
        open_end: choose(
            &a.open_end,
            "open-end",
            &[
                ("skip", OpenEnd::Skip),
                ("forever", OpenEnd::Forever),
                ("truncate", OpenEnd::Truncate),
            ],
            OpenEnd::Skip,
        )?,
        time_origin: choose(
            &a.time_origin,
            "time-origin",
            &[("first", TimeOrigin::First), ("trace", TimeOrigin::Trace)],
            TimeOrigin::First,
        )?,
        framework: a.framework.clone(),
        ..google::Options::default()
    };
    if let Some(b) = &a.bands {
        o.bands = google::parse_bands(b).map_err(|m| Error::Usage(format!("--bands: {m}")))?;
    }
    if let Some(m) = &a.machine {
        o.machine = [0, 0, 0];
        for part in m.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once(['=', ':']).ok_or_else(|| {
                Error::Usage(format!("--machine: `{part}` should be NAME=AMOUNT"))
            })?;
            let i = match k.trim() {
                "cpus" => 0,
                "mem" => 1,
                "disk" => 2,
                other => {
                    return Err(Error::Usage(format!(
                        "--machine: `{other}`: the Google trace normalises cpus, mem and disk only"
                    )))
                }
            };
            o.machine[i] = milli(v, "machine")?;
        }
        if o.machine[0] == 0 && o.machine[1] == 0 {
            return Err(Error::Usage("--machine needs cpus and mem".into()));
        }
    }
    Ok(o)
}

pub fn swf_options(a: &ImportArgs) -> Result<swf::Options, Error> {
    use swf::{FrameworkBy, Processors};
    refuse_for(
        Format::Swf,
        &[
            ("job-events", a.job_events.is_some()),
            ("bands", a.bands.is_some()),
            ("machine", a.machine.is_some()),
            ("missing-submit", a.missing_submit.is_some()),
            ("open-end", a.open_end.is_some()),
        ],
    )?;
    let processors = choose(
        &a.processors,
        "processors",
        &[("tasks", Processors::Tasks), ("cpus", Processors::Cpus)],
        Processors::Tasks,
    )?;
    let cpus = match &a.cpus_per_processor {
        Some(c) => milli(c, "cpus-per-processor")?,
        None => 1000,
    };
    if cpus == 0 {
        return Err(Error::Usage(
            "--cpus-per-processor must be greater than 0".into(),
        ));
    }
    Ok(swf::Options {
        processors,
        cpus_per_processor: cpus,
        framework_by: choose(
            &a.framework_by,
            "framework-by",
            &[
                ("one", FrameworkBy::One),
                ("user", FrameworkBy::User),
                ("group", FrameworkBy::Group),
                ("queue", FrameworkBy::Queue),
                ("partition", FrameworkBy::Partition),
            ],
            FrameworkBy::One,
        )?,
        framework: a.framework.clone(),
        gang: match (a.gang, processors) {
            (Some(g), _) => Some(g),
            (None, Processors::Tasks) => Some(true),
            (None, Processors::Cpus) => None,
        },
        origin_first: choose(
            &a.time_origin,
            "time-origin",
            &[("first", true), ("trace", false)],
            true,
        )?,
    })
}

/// Where a trace goes, by the output's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutKind {
    Csv,
    Yaml,
}

pub fn out_kind(out: &Path) -> Result<OutKind, Error> {
    let name = out.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
    if name.ends_with(".csv") {
        Ok(OutKind::Csv)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        if out.to_string_lossy().ends_with(".gz") {
            return Err(Error::Usage(
                "a YAML trace cannot be gzipped; use .yaml".into(),
            ));
        }
        Ok(OutKind::Yaml)
    } else {
        Err(Error::Usage(format!(
            "-o {}: name the output `.csv` or `.csv.gz` (compact job trace) or `.yaml` (YAML trace)",
            out.display()
        )))
    }
}

/// Runs the importer (no output written).
pub fn run_import(a: &ImportArgs) -> Result<Imported, Error> {
    if a.framework.is_some() && a.framework_by.is_some() {
        return Err(Error::Usage(
            "give --framework (every job in one framework) or --framework-by, not both".into(),
        ));
    }
    Ok(match a.format {
        Format::Google2011 => {
            let o = google_options(a)?;
            google::import(&a.input, a.job_events.as_deref(), &o)?
        }
        Format::Swf => {
            let o = swf_options(a)?;
            swf::import(&a.input, &o)?
        }
    })
}

pub fn execute(a: &ImportArgs) -> Result<(), Error> {
    let kind = out_kind(&a.out)?;
    let mut inputs = vec![a.input.as_path()];
    inputs.extend(a.job_events.as_deref());
    // Written under a temporary name, renamed over -o when complete.
    let file = OutFile::begin(&a.out, &inputs)?;
    let imported = run_import(a)?;
    let source = a
        .input
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut comments = vec![format!(
        "imported by mesosim {} from {} trace {}",
        crate::VERSION,
        match a.format {
            Format::Google2011 => "google2011",
            Format::Swf => "swf",
        },
        source
    )];
    comments.push(match a.format {
        Format::Google2011 => {
            "source: Google cluster-data 2011, https://github.com/google/cluster-data (CC BY 4.0)"
                .to_string()
        }
        Format::Swf => {
            "source: the Parallel Workloads Archive (Feitelson, Tsafrir & Krakov, JPDC 2014); acknowledge the log's contributor"
                .to_string()
        }
    });
    match kind {
        OutKind::Csv => {
            let mut w = TraceWriter::create(
                file.path(),
                &imported.resources,
                OutputColumns::of(&imported.jobs),
                &comments,
            )?;
            for j in &imported.jobs {
                w.write(j)?;
            }
            w.finish()?;
        }
        OutKind::Yaml => {
            if imported.jobs.len() > MAX_YAML_JOBS {
                return Err(Error::Usage(format!(
                    "{} jobs is too many for a YAML trace (read whole, at most {MAX_YAML_JOBS}); write a compact CSV trace instead: -o {}.csv",
                    imported.jobs.len(),
                    a.out.with_extension("").display()
                )));
            }
            write_yaml_trace(file.path(), &imported.resources, &imported.jobs, &comments)?;
        }
    }
    file.commit()?;
    if !a.quiet {
        for l in imported.report.lines() {
            println!("{l}");
        }
        println!("wrote {} jobs to {}", imported.jobs.len(), a.out.display());
    }
    Ok(())
}
