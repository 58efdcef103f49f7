//! `architecture:`: who places tasks (docs/architectures.md), and what a
//! non-Mesos architecture refuses.

use super::*;
use crate::arch::{Architecture, ConflictMode, QueueOrder, TxnMode};
use crate::scenario::model::{Behavior, EventKind, ScriptedEvent};

impl Resolver<'_> {
    /// Resolves `architecture:` once everything else is known, and refuses
    /// what only Mesos's offers give meaning to.
    pub(super) fn resolve_architecture(
        &self,
        raw: &RawScenario,
        partitions: &Partitions,
        master: &MasterConfig,
        events: &[ScriptedEvent],
    ) -> Result<Architecture, InputError> {
        let Some(a) = &raw.architecture else {
            return Ok(Architecture::TwoLevel);
        };
        let bad = |key: &str, what: &str, value: &str, expected: &str| {
            self.err(
                key,
                format!("unknown {what} `{value}`; expected {expected}"),
            )
        };
        let only = |key: &str, v: &Option<String>, kind: &str| match v {
            Some(_) => Err(self.err(
                &format!("architecture.{key}"),
                format!("`{key}` does not apply to the {kind} architecture"),
            )),
            None => Ok(()),
        };
        let arch = match a.kind.as_str() {
            "two-level" => {
                only("queue", &a.queue, "two-level")?;
                only("conflicts", &a.conflicts, "two-level")?;
                only("transactions", &a.transactions, "two-level")?;
                return Ok(Architecture::TwoLevel);
            }
            "monolithic" => {
                only("conflicts", &a.conflicts, "monolithic")?;
                only("transactions", &a.transactions, "monolithic")?;
                let queue = match a.queue.as_deref() {
                    None | Some("fifo") => QueueOrder::Fifo,
                    Some("drf") => QueueOrder::Drf,
                    Some(q) => {
                        return Err(bad("architecture.queue", "queue", q, "`fifo` or `drf`"))
                    }
                };
                Architecture::Monolithic { queue }
            }
            "shared-state" => {
                only("queue", &a.queue, "shared-state")?;
                let conflicts = match a.conflicts.as_deref() {
                    None | Some("resource-fit") => ConflictMode::ResourceFit,
                    Some("sequence-numbers") => ConflictMode::SequenceNumbers,
                    Some(c) => {
                        return Err(bad(
                            "architecture.conflicts",
                            "conflict detection",
                            c,
                            "`resource-fit` or `sequence-numbers`",
                        ))
                    }
                };
                let transactions = match a.transactions.as_deref() {
                    None | Some("incremental") => TxnMode::Incremental,
                    Some("all-or-nothing") => TxnMode::AllOrNothing,
                    Some(t) => {
                        return Err(bad(
                            "architecture.transactions",
                            "transaction mode",
                            t,
                            "`incremental` or `all-or-nothing`",
                        ))
                    }
                };
                Architecture::SharedState {
                    conflicts,
                    transactions,
                }
            }
            other => {
                return Err(bad(
                    "architecture",
                    "architecture",
                    other,
                    "`two-level`, `monolithic` or `shared-state`",
                ))
            }
        };
        let name = arch.name();
        let refuse = |at: &str, what: &str| {
            Err(self.err(
                at,
                format!(
                    "{what} needs Mesos offers; the {name} architecture cannot run it \
                     (docs/architectures.md, \"What is refused\")"
                ),
            ))
        };
        if partitions.count > 1 {
            return refuse("partitions", "more than one partition");
        }
        if master.allocator.is_some() {
            return refuse("master.policy", "a whole-allocator policy");
        }
        for (i, f) in self.frameworks.iter().enumerate() {
            if f.behavior != Behavior::Batch {
                return refuse(
                    &format!("frameworks[{i}].behavior"),
                    &format!("behavior `{}`", f.behavior.name()),
                );
            }
        }
        for (i, r) in raw.roles.iter().enumerate() {
            if r.quota.is_some() {
                return refuse(&format!("roles[{i}].quota"), "quota");
            }
        }
        for (i, e) in events.iter().enumerate() {
            let what = match e.kind {
                EventKind::SetQuota { .. } => "a `set_quota` event",
                EventKind::Suppress { .. } => "a `suppress` event",
                EventKind::Revive { .. } => "a `revive` event",
                EventKind::Maintenance { .. } => "a `maintenance` event (inverse offers)",
                EventKind::Whitelist { .. } => "a `whitelist` event",
                _ => continue,
            };
            return refuse(&format!("events[{i}]"), what);
        }
        Ok(arch)
    }
}
