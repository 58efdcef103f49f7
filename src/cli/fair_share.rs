//! `mesosim fair-share SCENARIO [--at TIME]`: runs the scenario up to a
//! time and prints, for the demands and capacities then, the exact ideal
//! allocations under DRF, asset fairness and CEEI beside what each client
//! holds (docs/policies.md, "Ideal references").

use super::run::load_with_set;
use crate::error::Error;
use crate::fairshare::{References, Q};
use crate::metrics::fairness::{self, DemandTracker};
use crate::sim::engine::{Options, Simulation};
use crate::sim::observer::{KindSet, Observer, View};
use crate::sim::time::{parse_duration, SimTime};
use clap::Args;
use num_traits::ToPrimitive;
use serde_json::json;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct FairShareArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The moment whose demands and capacities are used: the state after
    /// everything at that time has happened (default 0 s).
    #[arg(long, value_name = "TIME", default_value = "0s")]
    pub at: String,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change a scenario key (repeatable), as `run --set`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Captures the references when the run ends.
struct Capture {
    tracker: DemandTracker,
    out: Option<References>,
}

impl Observer for Capture {
    fn record_kinds(&self) -> KindSet {
        KindSet::NONE
    }
    fn finish(&mut self, view: &View, _end: SimTime) {
        let clients = fairness::clients(view, &mut self.tracker);
        let problem = fairness::reference_problem(view, &clients);
        let held = clients.iter().map(|c| c.share).collect();
        self.out = Some(References::of(problem, held));
    }
}

/// The references of `path` at `at` (microseconds).
pub fn references_at(
    loaded: &crate::scenario::resolve::Loaded,
    at: SimTime,
    seed: Option<u64>,
) -> Result<References, Error> {
    let mut model = loaded.model.clone();
    if let Some(until) = model.until {
        if at > until {
            return Err(Error::Usage(format!(
                "--at {} s is after the scenario's end (until: {} s)",
                at.secs_f64(),
                until.secs_f64()
            )));
        }
    }
    model.until = Some(at);
    let mut cap = Capture {
        tracker: DemandTracker::new(model.frameworks.len()),
        out: None,
    };
    let options = Options { seed, check: false };
    Simulation::new(&model, &options).run(&mut cap)?;
    cap.out
        .ok_or_else(|| Error::Usage("the run ended before its first moment".into()))
}

pub fn execute(args: &FairShareArgs) -> Result<(), Error> {
    let at = SimTime(
        parse_duration(&args.at).map_err(|e| Error::Usage(format!("--at {}: {e}", args.at)))?,
    );
    let loaded = load_with_set(&args.scenario, &args.set)?;
    let r = references_at(&loaded, at, args.seed)?;
    if args.json {
        println!("{}", to_json(&r, at));
    } else {
        print!("{}", table(&r, &loaded.model.name, at));
    }
    Ok(())
}

fn exact(q: &Q) -> String {
    if q.is_integer() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

fn shown(q: &Q) -> String {
    let f = q.to_f64().unwrap_or(0.0);
    let e = exact(q);
    if q.is_integer() || e.len() > 12 {
        format!("{f:.4}")
    } else {
        format!("{e} = {f:.4}")
    }
}

/// The table `fair-share` prints.
pub fn table(r: &References, name: &str, at: SimTime) -> String {
    let p = &r.problem;
    let mut out = format!(
        "Ideal allocations of {name} at {} s: each client's demand (held + pending) against the \
         cluster's totals; dominant shares\n\n",
        at.secs_f64()
    );
    out.push_str("| client | demand | held | DRF | asset fairness | CEEI |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for u in 0..p.users.len() {
        let demand: Vec<String> = p
            .resources
            .iter()
            .zip(&p.users[u].unit)
            .filter(|(_, d)| !num_traits::Zero::is_zero(*d))
            .map(|(n, d)| format!("{n} {}", d.to_f64().unwrap_or(0.0) / 1000.0))
            .collect();
        let (cf, ce) = r.ceei_share(u);
        out.push_str(&format!(
            "| {} | {} | {:.4} | {} | {} | {} |\n",
            p.users[u].name,
            if demand.is_empty() {
                "none".into()
            } else {
                demand.join(", ")
            },
            r.held[u],
            shown(&r.share(&r.drf, u)),
            shown(&r.share(&r.asset, u)),
            match ce {
                Some(s) => shown(&s),
                None => format!("≈ {cf:.4}"),
            }
        ));
    }
    let d = r.distances();
    out.push_str(&format!(
        "\nDistance of what is held from each (½ Σ |held − ideal|): DRF {:.4}, asset fairness {:.4}, CEEI {:.4}\n",
        d[0], d[1], d[2]
    ));
    if r.ceei.exact.is_none() && !p.users.is_empty() {
        out.push_str(
            "CEEI (≈) is not fixed by its binding constraints here and may be irrational: \
             shown to the solver's precision.\n",
        );
    }
    out
}

fn to_json(r: &References, at: SimTime) -> String {
    let p = &r.problem;
    let d = r.distances();
    let clients: Vec<serde_json::Value> = (0..p.users.len())
        .map(|u| {
            let drf = r.share(&r.drf, u);
            let asset = r.share(&r.asset, u);
            let (cf, ce) = r.ceei_share(u);
            json!({
                "client": p.users[u].name,
                "held": r.held[u],
                "drf": drf.to_f64(),
                "drf_exact": exact(&drf),
                "asset": asset.to_f64(),
                "asset_exact": exact(&asset),
                "ceei": cf,
                "ceei_exact": ce.as_ref().map(exact),
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "at_s": at.secs_f64(),
        "clients": clients,
        "distance": {"drf": d[0], "asset": d[1], "ceei": d[2]},
    }))
    .unwrap_or_default()
}
