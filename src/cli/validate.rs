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
        if is_generator_spec(path) {
            match super::generate::load_spec(path, None) {
                Ok((g, _)) => println!(
                    "ok: {} (a generator spec for `mesosim generate`, not a scenario: {}, {})",
                    path.display(),
                    match (g.jobs, g.until) {
                        (Some(n), _) => count(n, "job"),
                        (None, Some(t)) => format!("jobs until {t} s"),
                        (None, None) => "jobs".to_string(),
                    },
                    match g.classes.len() {
                        1 => "1 class".to_string(),
                        n => format!("{n} classes"),
                    }
                ),
                Err(Error::Input(e)) => {
                    bad += 1;
                    if first_error.is_none() {
                        first_error = Some(e);
                    } else {
                        eprintln!("error: {e}");
                    }
                }
                Err(e) => return Err(e),
            }
            continue;
        }
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

/// A file whose top level has `generate` and no `name`: a generator spec
/// (`mesosim generate SPEC`), which `validate` checks as such.
fn is_generator_spec(path: &std::path::Path) -> bool {
    let small = std::fs::metadata(path)
        .is_ok_and(|m| m.is_file() && m.len() <= crate::limits::MAX_FILE_BYTES);
    if !small {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if scenario::resolve::too_deep(text, "").is_some() {
        // Not parsed here: the scenario loader reports it.
        return false;
    }
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(serde_yaml::Value::Mapping(m)) => m.contains_key("generate") && !m.contains_key("name"),
        _ => false,
    }
}
