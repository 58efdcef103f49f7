//! The command line: one file per subcommand. `main.rs` only parses and maps
//! errors to exit codes.

pub mod check;
pub mod compare;
pub mod experiment;
pub mod fair_share;
pub mod generate;
pub mod import;
pub mod plot;
pub mod progress;
pub mod run;
pub mod sweep;
pub mod validate;

use crate::error::Error;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "mesosim",
    version,
    about = "Deterministic discrete-event simulator of Apache Mesos-style cluster scheduling",
    long_about = "mesosim simulates a Mesos cluster: agents, frameworks and a master running the \
resource-offer protocol with the hierarchical DRF allocator (roles, weights, quota, reservations, \
filters, suppress/revive). Same scenario + seed + version = byte-identical outputs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its results (summary.json, CSVs, charts, report.md).
    Run(run::RunArgs),
    /// Check scenario files without running them.
    Validate(validate::ValidateArgs),
    /// Draw a run's charts from its result files (CSV) alone.
    Plot(plot::PlotArgs),
    /// Compare policies or settings over seeds (paired, in parallel).
    Compare(compare::CompareArgs),
    /// Run a parameter grid from a SWEEP.yaml file (compare's engine).
    Sweep(sweep::SweepArgs),
    /// Join the shard folders of a `compare --shard`/`sweep --shard` into
    /// the bytes of the unsharded run.
    Merge(experiment::MergeArgs),
    /// Gate CI on scheduling quality: run a scenario and compare its headline
    /// metrics with a baseline file (exit 1 on a regression).
    Check(check::CheckArgs),
    /// The exact ideal allocations (DRF, asset fairness, CEEI) of a
    /// scenario's demands at a time, beside what each client holds.
    FairShare(fair_share::FairShareArgs),
    /// Convert a Google 2011 or SWF trace into a job trace (CSV or YAML).
    Import(Box<import::ImportArgs>),
    /// Draw a synthetic workload into a job trace (CSV or YAML).
    Generate(generate::GenerateArgs),
}

impl Cli {
    pub fn execute(self) -> Result<(), Error> {
        match self.command {
            Command::Run(a) => run::execute(&a),
            Command::Validate(a) => validate::execute(&a),
            Command::Plot(a) => plot::execute(&a),
            Command::Compare(a) => compare::execute(&a),
            Command::Sweep(a) => sweep::execute(&a),
            Command::Merge(a) => experiment::merge(&a),
            Command::Check(a) => check::execute(&a),
            Command::FairShare(a) => fair_share::execute(&a),
            Command::Import(a) => import::execute(&a),
            Command::Generate(a) => generate::execute(&a),
        }
    }
}

/// Whether a progress bar may be drawn on stderr.
pub fn progress_allowed(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// A path for messages: as given.
pub fn shown(p: &std::path::Path) -> String {
    p.display().to_string()
}
