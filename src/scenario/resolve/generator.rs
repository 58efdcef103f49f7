//! `generate:` specs (in a scenario's `workload` or a `mesosim generate`
//! file) → [`Generator`]s: names, arrivals, classes, distributions.

use crate::dist::{lognormal_mu, Dist};
use crate::error::InputError;
use crate::limits::MAX_GENERATED_JOBS;
use crate::scenario::model::{AttrMatch, GenClass, Generator};
use crate::scenario::raw::{RawDist, RawGenerate};
use crate::sim::time::SimTime;
use crate::workload::generate::read_empirical;
use std::path::Path;

/// Turns a raw distribution into a [`Dist`]: durations in µs (`dur`) or
/// counts. `forever` gives `None` (durations only, when `allow_forever`).
/// `read` loads an empirical file (relative paths are the caller's
/// business); errors are located by `err(path, message)`.
pub fn dist_of<V: Copy>(
    raw: &RawDist<V>,
    value: impl Fn(V) -> f64,
    allow_forever: bool,
    at: &str,
    err: &dyn Fn(&str, String) -> InputError,
    read: &dyn Fn(&str, &str) -> Result<Dist, InputError>,
) -> Result<Option<Dist>, InputError> {
    let d = match raw {
        RawDist::Forever if allow_forever => return Ok(None),
        RawDist::Forever => return Err(err(at, "`forever` is only for durations".into())),
        RawDist::Const(v) => Dist::Const(value(*v)),
        RawDist::Exp(m) => Dist::Exp { mean: value(*m) },
        RawDist::Uniform(a, b) => Dist::Uniform {
            low: value(*a),
            high: value(*b),
        },
        RawDist::LogNormal(l) => {
            let mu = lognormal_mu(l.median.map(&value), l.mean.map(&value), l.sigma)
                .map_err(|m| err(&format!("{at}.lognormal"), m))?;
            Dist::LogNormal { mu, sigma: l.sigma }
        }
        RawDist::Pareto(p) => Dist::Pareto {
            scale: value(p.scale),
            shape: p.shape,
        },
        RawDist::Empirical(file) => read(file, &format!("{at}.empirical"))?,
    };
    d.validate().map_err(|m| err(at, m))?;
    Ok(Some(d))
}

/// Builds a generator from its raw form. `default_name` is used when the
/// spec has no `name`; `until` is the scenario's, if any. Resources keep
/// their names (a scenario resolves them). Class names must be valid ids.
pub fn build(
    raw: &RawGenerate,
    at: &str,
    default_name: &str,
    until: Option<SimTime>,
    base: &Path,
    err: &dyn Fn(&str, String) -> InputError,
) -> Result<Generator, InputError> {
    // A file that cannot be read at all is reported where the scenario
    // names it; errors inside it name the file, line and column.
    let read = |file: &str, durations: bool, at: &str| -> Result<Dist, InputError> {
        let p = base.join(file);
        match read_empirical(&p, &p.display().to_string(), durations) {
            Err(e) if e.line.is_none() => Err(err(at, e.to_string())),
            r => r,
        }
    };
    let name = raw.name.clone().unwrap_or_else(|| default_name.to_string());
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err(
            &format!("{at}.name"),
            format!("`{name}` is not a valid generator name"),
        ));
    }
    let interarrival = match (&raw.interarrival, raw.rate) {
        (Some(_), Some(_)) => {
            return Err(err(
                &format!("{at}.rate"),
                "give either `rate` or `interarrival`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(err(
                at,
                "a generator needs `rate: JOBS_PER_SECOND` (Poisson arrivals) or `interarrival: DISTRIBUTION`".into(),
            ))
        }
        (None, Some(r)) => {
            if !(r.is_finite() && r > 0.0) {
                return Err(err(&format!("{at}.rate"), format!("rate {r} must be > 0")));
            }
            Dist::Exp {
                mean: 1e6 / r,
            }
        }
        (Some(d), None) => dist_of(
            d,
            |v: crate::scenario::raw::Dur| v.0 as f64,
            false,
            &format!("{at}.interarrival"),
            err,
            &|f, at| read(f, true, at),
        )?
        .expect("not forever"),
    };
    let until = raw.until.map(|d| SimTime(d.0)).or(until);
    if raw.jobs.is_none() && until.is_none() {
        return Err(err(
            at,
            "a generator needs `jobs: N` or an `until` (its own or the scenario's)".into(),
        ));
    }
    if let Some(n) = raw.jobs {
        if n == 0 || n > MAX_GENERATED_JOBS {
            return Err(err(
                &format!("{at}.jobs"),
                format!("a generator makes 1 to {MAX_GENERATED_JOBS} jobs"),
            ));
        }
    }
    if raw.classes.is_empty() {
        return Err(err(
            &format!("{at}.classes"),
            "a generator needs at least one class".into(),
        ));
    }
    let mut classes = Vec::new();
    for (i, c) in raw.classes.iter().enumerate() {
        let cat = format!("{at}.classes[{i}]");
        if c.name.is_empty()
            || c.name
                .chars()
                .any(|ch| ch.is_whitespace() || ch.is_control() || ch == ',' || ch == '"')
        {
            return Err(err(
                &format!("{cat}.name"),
                format!("`{}` is not a valid class name", c.name),
            ));
        }
        if classes.iter().any(|x: &GenClass| x.name == c.name) {
            return Err(err(
                &format!("{cat}.name"),
                format!("class `{}` appears twice", c.name),
            ));
        }
        let weight = c.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            return Err(err(
                &format!("{cat}.weight"),
                format!("weight {weight} must be > 0"),
            ));
        }
        let tasks = match &c.tasks {
            None => Dist::Const(1.0),
            Some(t) => dist_of(
                t,
                |v: f64| v,
                false,
                &format!("{cat}.tasks"),
                err,
                &|f, at| read(f, false, at),
            )?
            .expect("not forever"),
        };
        let duration = dist_of(
            &c.duration,
            |v: crate::scenario::raw::Dur| v.0 as f64,
            true,
            &format!("{cat}.duration"),
            err,
            &|f, at| read(f, true, at),
        )?;
        let mut resources = Vec::new();
        for (n, q) in &c.resources.0 {
            resources.push((n.clone(), q.0));
        }
        if resources.iter().all(|(_, v)| *v == 0) {
            return Err(err(
                &format!("{cat}.resources"),
                "a task needs some resources".into(),
            ));
        }
        let tests = |raw: &Option<
            crate::scenario::raw::OrderedMap<crate::scenario::raw::RawAttrValues>,
        >| {
            raw.as_ref()
                .map(|m| {
                    m.0.iter()
                        .map(|(k, v)| AttrMatch {
                            key: k.clone(),
                            values: v.0.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        classes.push(GenClass {
            name: c.name.clone(),
            weight,
            framework: c.framework.clone(),
            role: c.role.clone(),
            tasks,
            resources,
            duration,
            gang: c.gang,
            constraints: tests(&c.constraints),
            prefer: tests(&c.prefer),
            resolved: None,
        });
    }
    Ok(Generator {
        name,
        jobs: raw.jobs,
        start: raw.start.map_or(SimTime::ZERO, |d| SimTime(d.0)),
        until,
        interarrival,
        classes,
    })
}
