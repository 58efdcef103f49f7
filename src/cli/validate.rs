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
}

/// Checks every file; prints `ok: FILE` or the error for each. Fails (exit 2)
/// if any file is invalid.
pub fn execute(args: &ValidateArgs) -> Result<(), Error> {
    let mut first_error: Option<InputError> = None;
    let mut bad = 0;
    for path in &args.scenarios {
        match scenario::load(path) {
            Ok(loaded) => {
                let m = &loaded.model;
                println!(
                    "ok: {} ({} agents, {} frameworks, {} jobs, {} events)",
                    path.display(),
                    m.agents.len(),
                    m.frameworks.len(),
                    m.job_count_hint(),
                    m.events.len()
                );
                for n in &m.notes {
                    println!("  {n}");
                }
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
