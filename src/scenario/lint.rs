//! Experiment lint: scenarios that are valid but almost certainly not what
//! their author meant. Each finding is a warning (`validate` and `run` print
//! it, `summary.json` lists it, `--deny-warnings` makes it an error); none
//! changes what the simulator does. The checks read the resolved model and,
//! for places and times as written, the raw file; docs/format.md
//! ("Warnings") lists them.

use super::model::{attrs_match, AttrMatch, EventKind, Model, StreamSource};
use super::raw::{RawEvent, RawScenario, RawTarget};
use crate::cluster::resources::{format_quantities, Quantities};
use crate::error::nearest;
use crate::sim::time::SimTime;
use crate::{FrameworkId, RoleId};

/// One warning: where in the scenario file (a path such as `events[2]`, as
/// the resolver's errors use) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub at: Option<String>,
    pub message: String,
}

/// At most this many findings name a job or class each; the rest are counted.
const SHOWN: usize = 5;

/// What asks for resources: a job or a generator class.
struct Demand<'a> {
    what: String,
    at: Option<String>,
    framework: FrameworkId,
    role: RoleId,
    resources: Quantities,
    constraints: &'a [AttrMatch],
}

/// Every finding for `model`, in a fixed order: resources nobody has, tasks
/// no agent fits, roles nobody uses, times after `until`, suppress/revive
/// before registration. `job_at(i)` is the file path of `model.jobs[i]` when
/// the scenario lists it (not for trace jobs).
pub fn lint(
    model: &Model,
    raw: &RawScenario,
    job_at: &dyn Fn(usize) -> Option<String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let demands = demands(model, job_at);
    unfit_demands(model, &demands, &mut out);
    unused_roles(model, raw, &mut out);
    after_until(model, raw, &mut out);
    before_registration(model, raw, &mut out);
    out
}

fn demands<'m>(model: &'m Model, job_at: &dyn Fn(usize) -> Option<String>) -> Vec<Demand<'m>> {
    let mut v: Vec<Demand> = model
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| Demand {
            what: format!("job `{}`", j.id),
            at: job_at(i).map(|p| format!("{p}.resources")),
            framework: j.framework,
            role: j.role,
            resources: j.resources,
            constraints: &j.constraints,
        })
        .collect();
    for (k, s) in model.streams.iter().enumerate() {
        if let StreamSource::Csv(c) = &s.source {
            for shape in &c.digest.shapes {
                v.push(Demand {
                    what: match shape.jobs {
                        1 => format!("the job at `{}:{}`", c.shown, shape.line),
                        n => format!(
                            "the job at `{}:{}` (and {} more like it)",
                            c.shown,
                            shape.line,
                            n - 1
                        ),
                    },
                    at: Some(format!("workload[{k}].trace")),
                    framework: shape.framework,
                    role: shape.role,
                    resources: shape.resources,
                    constraints: &shape.constraints,
                });
            }
        }
        if let StreamSource::Generate(g) = &s.source {
            for (c, class) in g.classes.iter().enumerate() {
                if let Some(r) = &class.resolved {
                    v.push(Demand {
                        what: format!("generator class `{}`", class.name),
                        at: Some(format!("workload[{k}].generate.classes[{c}].resources")),
                        framework: r.framework,
                        role: r.role,
                        resources: r.resources,
                        constraints: &class.constraints,
                    });
                }
            }
        }
    }
    v
}

/// What an agent can give a task of `role`: unreserved resources plus the
/// reservations of the role and its ancestors. With `unreserve` events in
/// the scenario any reservation may become unreserved: then the whole agent.
fn capacity(model: &Model, agent: usize, role: RoleId, loose: bool) -> Quantities {
    let rs = &model.agent_groups[model.agents[agent].group as usize].resources;
    if loose {
        rs.total()
    } else {
        rs.allocatable_to(|r| model.role_is_self_or_ancestor(r, role))
            .total()
    }
}

fn unfit_demands(model: &Model, demands: &[Demand], out: &mut Vec<Finding>) {
    let loose = model
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Unreserve { .. }));
    // Resources some agent has, summed over every agent the run may see.
    let mut on_agents = Quantities::ZERO;
    for g in &model.agent_groups {
        on_agents.add(&g.resources.total());
    }
    let mut asked = Quantities::ZERO;
    for d in demands {
        asked.add(&d.resources);
    }
    // A resource jobs ask for that no agent has: one finding per resource.
    let names = &model.resources;
    let missing: Vec<_> = names
        .ids()
        .filter(|r| asked.get(*r) > 0 && on_agents.get(*r) == 0)
        .collect();
    let unasked: Vec<&str> = names
        .ids()
        .filter(|r| on_agents.get(*r) > 0 && asked.get(*r) == 0)
        .map(|r| names.name(r))
        .collect();
    for r in &missing {
        let who: Vec<&Demand> = demands.iter().filter(|d| d.resources.get(*r) > 0).collect();
        let name = names.name(*r);
        let hint = match nearest(name, unasked.iter().copied()) {
            Some(n) => format!(" (the agents have `{n}`, which nothing asks for: a typo?)"),
            None => String::new(),
        };
        out.push(Finding {
            at: who.iter().find_map(|d| d.at.clone()),
            message: format!(
                "{} ask{} for `{name}`, which no agent has{hint}: {} can never launch",
                list(&who),
                if who.len() == 1 { "s" } else { "" },
                if who.len() == 1 {
                    "its tasks"
                } else {
                    "their tasks"
                },
            ),
        });
    }
    // Tasks that fit no agent their framework is offered.
    let mut unfit = Vec::new();
    for d in demands {
        if missing.iter().any(|r| d.resources.get(*r) > 0) {
            continue;
        }
        let fw = &model.frameworks[d.framework.index()];
        let mut matching = false;
        let mut gpu_only = false;
        let fits = (0..model.agents.len()).any(|a| {
            let group = &model.agent_groups[model.agents[a].group as usize];
            // Its entry's attributes, or any an `agent_update` gives it.
            let later = model
                .attribute_changes
                .get(&crate::AgentId(a as u32))
                .into_iter()
                .flatten();
            if !attrs_match(d.constraints, &group.attributes)
                && !later
                    .into_iter()
                    .any(|(_, attrs)| attrs_match(d.constraints, attrs))
            {
                return false;
            }
            matching = true;
            if !capacity(model, a, d.role, loose).contains(&d.resources) {
                return false;
            }
            let gpus = names
                .get("gpus")
                .is_some_and(|g| group.resources.total().get(g) > 0);
            if model.master.filter_gpu_resources && gpus && !fw.gpu {
                gpu_only = true;
                return false;
            }
            true
        });
        if fits || model.agents.is_empty() {
            continue;
        }
        let why = if !matching {
            "its constraints match no agent".to_string()
        } else if gpu_only {
            format!(
                "it fits only agents with gpus, which framework `{}` is never offered \
                 without the `gpu` capability (master.filter_gpu_resources)",
                fw.id
            )
        } else {
            format!(
                "a task ({}) is larger than every agent offers role `{}`",
                format_quantities(&d.resources, names),
                model.role_name(d.role)
            )
        };
        unfit.push((d, why));
    }
    for (d, why) in unfit.iter().take(SHOWN) {
        out.push(Finding {
            at: d.at.clone(),
            message: format!("{}: {why}, so its tasks can never launch", d.what),
        });
    }
    if unfit.len() > SHOWN {
        out.push(Finding {
            at: None,
            message: format!(
                "{} more jobs or classes have tasks that can never launch",
                unfit.len() - SHOWN
            ),
        });
    }
}

/// "job `a`", "job `a` and job `b`", "job `a`, job `b` and 3 more".
fn list(who: &[&Demand]) -> String {
    let names: Vec<&str> = who.iter().take(2).map(|d| d.what.as_str()).collect();
    match who.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        2 => format!("{} and {}", names[0], names[1]),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}

/// Roles the scenario gives a weight (declared, or by `set_weight`) that no
/// framework, job or generator class uses, itself or below it. A role with
/// a quota is left alone: Mesos keeps its guarantee as headroom even with
/// no framework. The roles of a streamed CSV trace's jobs are those its
/// check at load saw.
fn unused_roles(model: &Model, raw: &RawScenario, out: &mut Vec<Finding>) {
    let mut used: Vec<RoleId> = Vec::new();
    for s in &model.streams {
        if let StreamSource::Csv(c) = &s.source {
            used.extend(&c.digest.roles);
        }
    }
    for f in &model.frameworks {
        used.extend(&f.roles);
    }
    used.extend(model.jobs.iter().map(|j| j.role));
    for s in &model.streams {
        if let StreamSource::Generate(g) = &s.source {
            used.extend(
                g.classes
                    .iter()
                    .filter_map(|c| c.resolved.as_ref().map(|r| r.role)),
            );
        }
    }
    let with_quota = |r: RoleId| {
        !model.roles[r.index()].quota.is_default()
            || model
                .events
                .iter()
                .any(|e| matches!(&e.kind, EventKind::SetQuota { role, .. } if *role == r))
    };
    let is_used = |r: RoleId| used.iter().any(|u| model.role_is_self_or_ancestor(r, *u));
    let role_names: Vec<&str> = used.iter().map(|r| model.role_name(*r)).collect();
    let find = |name: &str| {
        model
            .roles
            .iter()
            .position(|r| r.name == name)
            .map(|i| RoleId(i as u32))
    };
    let hint = |name: &str| match nearest(name, role_names.iter().copied()) {
        Some(n) if n != name => format!(" (did you mean `{n}`?)"),
        _ => String::new(),
    };
    for (i, r) in raw.roles.iter().enumerate() {
        let Some(id) = find(&r.name) else { continue };
        if r.weight.is_none() || is_used(id) || with_quota(id) {
            continue;
        }
        out.push(Finding {
            at: Some(format!("roles[{i}].name")),
            message: format!(
                "role `{}` is given a weight but no framework uses it or a role under it{}",
                r.name,
                hint(&r.name)
            ),
        });
    }
    for (i, e) in raw.events.iter().enumerate() {
        let Some(w) = &e.set_weight else { continue };
        let Some(id) = find(&w.role) else { continue };
        if is_used(id) || with_quota(id) {
            continue;
        }
        out.push(Finding {
            at: Some(format!("events[{i}].set_weight.role")),
            message: format!(
                "`set_weight` changes role `{}`, which no framework uses, itself or under it{}",
                w.role,
                hint(&w.role)
            ),
        });
    }
}

/// Seconds as written: `90 s`, `0.25 s`.
fn secs(t: u64) -> String {
    let s = SimTime(t).to_string();
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} s")
}

/// Events, agents and frameworks dated after `until` never happen.
fn after_until(model: &Model, raw: &RawScenario, out: &mut Vec<Finding>) {
    let Some(until) = model.until else { return };
    let late = |at: u64, place: String, what: &str, out: &mut Vec<Finding>| {
        if at > until.0 {
            out.push(Finding {
                at: Some(place),
                message: format!(
                    "{what} at {} is after `until` ({}): it never happens",
                    secs(at),
                    secs(until.0)
                ),
            });
        }
    };
    for (i, a) in raw.agents.iter().enumerate() {
        if let Some(t) = a.at {
            late(
                t.0,
                format!("agents[{i}].at"),
                &format!("agent `{}`", a.id),
                out,
            );
        }
    }
    for (i, f) in raw.frameworks.iter().enumerate() {
        let t = model.frameworks.get(i).map_or(0, |s| s.at.0);
        late(
            t,
            format!("frameworks[{i}].at"),
            &format!("framework `{}`", f.id),
            out,
        );
    }
    for (i, e) in raw.events.iter().enumerate() {
        let what = format!("the `{}` event", event_key(e));
        late(e.at.0, format!("events[{i}].at"), &what, out);
    }
    for (k, s) in model.streams.iter().enumerate() {
        if let StreamSource::Csv(c) = &s.source {
            let d = &c.digest;
            let what = format!("the last job of `{}` (line {})", c.shown, d.last_line);
            late(d.last_submit.0, format!("workload[{k}].trace"), &what, out);
        }
    }
}

/// The action key of an event entry (the first one set).
fn event_key(e: &RawEvent) -> &'static str {
    let set = [
        ("agent_add", e.agent_add.is_some()),
        ("agent_remove", e.agent_remove.is_some()),
        ("set_weight", e.set_weight.is_some()),
        ("suppress", e.suppress.is_some()),
        ("revive", e.revive.is_some()),
        ("set_quota", e.set_quota.is_some()),
        ("reserve", e.reserve.is_some()),
        ("unreserve", e.unreserve.is_some()),
        ("maintenance", e.maintenance.is_some()),
        ("whitelist", e.whitelist.is_some()),
        ("framework_disconnect", e.framework_disconnect.is_some()),
        ("offer_return", e.offer_return.is_some()),
        ("update_allocation", e.update_allocation.is_some()),
        ("agent_update", e.agent_update.is_some()),
    ];
    set.iter().find(|(_, s)| *s).map_or("scripted", |(k, _)| k)
}

/// A `suppress` or `revive` dated before its framework registers: a
/// scheduler can only call them once subscribed (issue 9, bug 3). The
/// simulator applies a suppress anyway (the framework registers suppressed)
/// and a revive then changes nothing.
fn before_registration(model: &Model, raw: &RawScenario, out: &mut Vec<Finding>) {
    for (i, e) in raw.events.iter().enumerate() {
        for (key, target) in [("suppress", &e.suppress), ("revive", &e.revive)] {
            let Some(RawTarget { framework, .. }) = target else {
                continue;
            };
            let Some(f) = model.framework_by_name(framework) else {
                continue;
            };
            let reg = model.frameworks[f.index()].at;
            if e.at.0 < reg.0 {
                let effect = if key == "suppress" {
                    "it registers suppressed, which Mesos cannot do"
                } else {
                    "it does nothing"
                };
                out.push(Finding {
                    at: Some(format!("events[{i}].{key}")),
                    message: format!(
                        "`{key}` of framework `{framework}` at {} comes before it registers (at {}): {effect}",
                        secs(e.at.0),
                        secs(reg.0)
                    ),
                });
            }
        }
    }
}
