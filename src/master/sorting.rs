//! The role sorter and the per-role framework sorters, as Mesos keeps them.
//!
//! Role sorter: clients are roles with subscribed frameworks; the tree
//! follows role paths; a role that is a client and has child clients gets a
//! virtual leaf `role/.` (weight 1) for its own allocation, while its
//! configured weight applies to the internal node. `sort()` returns the
//! clients in pre-order, children ordered by the policy. Framework sorters
//! are flat, unweighted, and list only active, unsuppressed frameworks.

use super::Master;
use crate::policy::{self, Entry};
use crate::scenario::model::{Model, SorterKind};
use crate::sim::rng::Stream;
use crate::{FrameworkId, RoleId};

#[derive(Clone, Copy, Debug)]
enum Node {
    /// A role as an internal node or a leaf.
    Role(RoleId),
    /// The virtual leaf `role/.` holding the role's own allocation.
    Own(RoleId),
}

fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

impl Master {
    pub(crate) fn has_child_clients(&self, role: RoleId) -> bool {
        self.children[role.index()]
            .iter()
            .any(|c| self.roles[c.index()].subtree_clients > 0)
    }

    /// The nodes under `parent` (top level when `None`) that hold clients.
    fn level<'m>(&self, model: &'m Model, parent: Option<RoleId>) -> Vec<Entry<'m, Node>> {
        let excluded = model.master.fair_sharing_excluded;
        let kids: &[RoleId] = match parent {
            Some(p) => &self.children[p.index()],
            None => &self.top_roles,
        };
        let mut out = Vec::new();
        for &c in kids {
            let rs = &self.roles[c.index()];
            if rs.subtree_clients == 0 {
                continue;
            }
            let share = policy::dominant_share(&rs.subtree_alloc, &self.totals, excluded);
            out.push(Entry {
                item: Node::Role(c),
                share: share / rs.weight,
                count: rs.subtree_count,
                name: last_segment(&model.roles[c.index()].name),
                weight: rs.weight,
            });
        }
        if let Some(p) = parent {
            let rs = &self.roles[p.index()];
            if rs.frameworks > 0 && !out.is_empty() {
                let share = policy::dominant_share(&rs.own_alloc, &self.totals, excluded);
                out.push(Entry {
                    item: Node::Own(p),
                    share,
                    count: rs.own_count,
                    name: ".",
                    weight: 1.0,
                });
            }
        }
        out
    }

    /// Roles with frameworks, in the role sorter's order.
    pub(crate) fn role_order(&self, model: &Model, rng: &mut Stream) -> Vec<RoleId> {
        let mut out = Vec::new();
        match model.master.role_sorter {
            SorterKind::Drf => self.drf_visit(model, None, &mut out),
            SorterKind::Random => {
                let mut leaves = Vec::new();
                let mut weights = Vec::new();
                self.random_weights(model, None, 1.0, &mut leaves, &mut weights);
                out = policy::weighted_shuffle(leaves, &weights, rng);
            }
        }
        out
    }

    fn drf_visit(&self, model: &Model, parent: Option<RoleId>, out: &mut Vec<RoleId>) {
        let mut entries = self.level(model, parent);
        policy::sort_drf(&mut entries);
        for e in entries {
            match e.item {
                Node::Own(r) => out.push(r),
                Node::Role(r) => {
                    if self.has_child_clients(r) {
                        self.drf_visit(model, Some(r), out);
                    } else {
                        out.push(r);
                    }
                }
            }
        }
    }

    /// Mesos random sorter: relative weight of a leaf = Rw(parent) ·
    /// w(node) / Σ w(active siblings including itself), down the tree.
    fn random_weights(
        &self,
        model: &Model,
        parent: Option<RoleId>,
        parent_rw: f64,
        leaves: &mut Vec<RoleId>,
        weights: &mut Vec<f64>,
    ) {
        let entries = self.level(model, parent);
        let total: f64 = entries.iter().map(|e| e.weight).sum();
        for e in entries {
            let rw = parent_rw * e.weight / total;
            match e.item {
                Node::Own(r) => {
                    leaves.push(r);
                    weights.push(rw);
                }
                Node::Role(r) => {
                    if self.has_child_clients(r) {
                        self.random_weights(model, Some(r), rw, leaves, weights);
                    } else {
                        leaves.push(r);
                        weights.push(rw);
                    }
                }
            }
        }
    }

    /// The role's framework sorter: active, unsuppressed frameworks in order.
    pub(crate) fn framework_order(
        &self,
        model: &Model,
        role: RoleId,
        rng: &mut Stream,
    ) -> Vec<FrameworkId> {
        let excluded = model.master.fair_sharing_excluded;
        let mut entries: Vec<Entry<'_, FrameworkId>> = Vec::new();
        for &fw in &self.role_frameworks[role.index()] {
            let fs = &self.frameworks[fw.index()];
            if !fs.active {
                continue;
            }
            let Some(ri) = fs.role_index(role) else {
                continue;
            };
            let r = &fs.roles[ri];
            if r.suppressed {
                continue;
            }
            entries.push(Entry {
                item: fw,
                share: policy::dominant_share(
                    &r.offered.plus(&r.allocated),
                    &self.totals,
                    excluded,
                ),
                count: r.count,
                name: &model.frameworks[fw.index()].id,
                weight: 1.0,
            });
        }
        match model.master.framework_sorter {
            SorterKind::Drf => {
                policy::sort_drf(&mut entries);
                entries.into_iter().map(|e| e.item).collect()
            }
            SorterKind::Random => {
                let weights = vec![1.0; entries.len()];
                let items = entries.into_iter().map(|e| e.item).collect();
                policy::weighted_shuffle(items, &weights, rng)
            }
        }
    }

    /// Frameworks subscribed to `role` that the sorter leaves out (for
    /// explanations): suppressed or inactive.
    pub(crate) fn frameworks_left_out(&self, role: RoleId) -> Vec<FrameworkId> {
        self.role_frameworks[role.index()]
            .iter()
            .copied()
            .filter(|fw| {
                let fs = &self.frameworks[fw.index()];
                !fs.active
                    || fs
                        .role_index(role)
                        .is_some_and(|ri| fs.roles[ri].suppressed)
            })
            .collect()
    }
}
