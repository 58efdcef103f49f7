//! `mesosim validate SCENARIO...`: parse and resolve, run nothing.

use crate::error::{Error, InputError};
use crate::scenario;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Treat the lint's warnings as errors (exit 2), for CI.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Checks every file; prints `ok: FILE` or the error for each, and the
/// lint's warnings on stderr. Fails (exit 2) if any file is invalid, or with
/// `--deny-warnings` if any has a warning.
pub fn execute(args: &ValidateArgs) -> Result<(), Error> {
    let mut first_error: Option<InputError> = None;
    let mut bad = 0;
    let mut warned = 0;
    for path in &args.scenarios {
        match scenario::load(path) {
            Ok(loaded) => {
                let m = &loaded.model;
                println!(
                    "ok: {} ({}, {}, {}, {})",
                    path.display(),
                    count(m.agents.len() as u64, "agent"),
                    count(m.frameworks.len() as u64, "framework"),
                    count(m.job_count_hint(), "job"),
                    count(m.events.len() as u64, "event")
                );
                for n in &m.notes {
                    println!("  {n}");
                }
                for w in &m.warnings {
                    eprintln!("warning: {w}");
                }
                warned += m.warnings.len();
            }
            Err(e) => {
                bad += 1;
                if first_error.is_none() {
                    first_error = Some(e);
                } else {
                    eprintln!("error: {e}");
                }
            }
        }
    }
    match first_error {
        None if args.deny_warnings && warned > 0 => Err(super::run::denied(
            warned,
            if args.scenarios.len() == 1 {
                "the scenario"
            } else {
                "the scenarios"
            },
        )),
        None => Ok(()),
        Some(e) if bad == 1 => Err(Error::Input(e)),
        Some(e) => {
            eprintln!("error: {e}");
            Err(Error::Usage(format!(
                "{bad} of {} scenario files are invalid",
                args.scenarios.len()
            )))
        }
    }
}

/// `1 agent`, `3 agents`.
pub fn count(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
