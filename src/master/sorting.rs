//! The role sorter and the per-role framework sorters, as Mesos keeps them.
//!
//! Role sorter: clients are roles with subscribed frameworks; the tree
//! follows role paths; a role that is a client and has child clients gets a
//! virtual leaf `role/.` (weight 1) for its own allocation, while its
//! configured weight applies to the internal node. `sort()` returns the
//! clients in pre-order, children ordered by the sorter's policy
//! ([`crate::policy::SortPolicy`]). Framework sorters are flat, unweighted,
//! and list only active, unsuppressed frameworks.

use super::Master;
use crate::cluster::resources::Quantities;
use crate::policy::tree::Node;
use crate::policy::{
    checked_order, compare_keys, sort_by_key, ClientKind, SortClient, SortCx, SortPolicy,
};
use crate::scenario::model::Model;
use crate::sim::rng::StreamSet;
use crate::{FrameworkId, RoleId};

fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

impl Master {
    /// Whether a role's subtree holds sorter clients (roles with
    /// frameworks).
    fn live(&self, role: RoleId) -> bool {
        self.roles[role.index()].subtree_clients > 0
    }

    pub(crate) fn has_child_clients(&self, role: RoleId) -> bool {
        self.tree.children(Some(role)).iter().any(|&c| self.live(c))
    }

    fn sort_cx<'a>(&'a self, model: &'a Model) -> SortCx<'a> {
        SortCx::with_basis(
            &self.totals,
            model.master.fair_sharing_excluded,
            self.share_basis,
        )
        .with_params(&model.master.policy_params)
    }

    /// The nodes under `parent` (top level when `None`) that hold clients,
    /// by the one role tree's level rule
    /// ([`crate::policy::RoleTree::level`]).
    fn level<'a>(
        &'a self,
        model: &'a Model,
        parent: Option<RoleId>,
    ) -> impl Iterator<Item = SortClient<'a>> + 'a {
        self.tree
            .level_iter(
                parent,
                move |c| self.live(c),
                move |p| self.roles[p.index()].frameworks > 0,
            )
            .map(move |node| match node {
                Node::Role(c) => {
                    let rs = &self.roles[c.index()];
                    SortClient {
                        kind: ClientKind::Role(c),
                        allocation: &rs.subtree_alloc,
                        weight: rs.weight,
                        count: rs.subtree_count,
                        name: last_segment(&model.roles[c.index()].name),
                        registered: rs.subtree_first_registered,
                        priority: rs.subtree_top_priority,
                    }
                }
                Node::OwnLeaf(p) => {
                    let rs = &self.roles[p.index()];
                    SortClient {
                        kind: ClientKind::OwnLeaf(p),
                        allocation: &rs.own_alloc,
                        weight: 1.0,
                        count: rs.own_count,
                        name: ".",
                        registered: rs.own_first_registered,
                        priority: rs.own_top_priority,
                    }
                }
            })
    }

    /// Roles with frameworks, in the role sorter's order.
    pub(crate) fn role_order(&self, model: &Model, rngs: &mut StreamSet) -> Vec<RoleId> {
        let policy = &*model.master.role_sorter;
        let cx = self.sort_cx(model);
        let mut out = Vec::new();
        if policy.orders_whole() {
            let mut leaves = Vec::new();
            self.relative_weights(model, None, 1.0, &mut leaves);
            let rng = rngs.get(policy.stream());
            for i in checked_order(policy, policy.order(&leaves, &cx, rng), leaves.len()) {
                out.push(role_of(&leaves[i]));
            }
        } else {
            self.visit_by_key(model, policy, &cx, None, &mut out);
        }
        out
    }

    fn visit_by_key(
        &self,
        model: &Model,
        policy: &dyn SortPolicy,
        cx: &SortCx<'_>,
        parent: Option<RoleId>,
        out: &mut Vec<RoleId>,
    ) {
        for (_, c) in sort_by_key(policy, self.level(model, parent), cx) {
            match c.kind {
                ClientKind::Role(r) if self.has_child_clients(r) => {
                    self.visit_by_key(model, policy, cx, Some(r), out)
                }
                _ => out.push(role_of(&c)),
            }
        }
    }

    /// The leaf clients with their relative weights, as Mesos's random
    /// sorter computes them: Rw(parent) · w(node) / Σ w(siblings with
    /// clients, itself included), down the tree.
    fn relative_weights<'a>(
        &'a self,
        model: &'a Model,
        parent: Option<RoleId>,
        parent_rw: f64,
        leaves: &mut Vec<SortClient<'a>>,
    ) {
        let level: Vec<SortClient<'a>> = self.level(model, parent).collect();
        let total: f64 = level.iter().map(|e| e.weight).sum();
        for mut c in level {
            let rw = parent_rw * c.weight / total;
            match c.kind {
                ClientKind::Role(r) if self.has_child_clients(r) => {
                    self.relative_weights(model, Some(r), rw, leaves)
                }
                _ => {
                    c.weight = rw;
                    leaves.push(c);
                }
            }
        }
    }

    /// The role's framework sorter: active, unsuppressed frameworks in order.
    pub(crate) fn framework_order(
        &self,
        model: &Model,
        role: RoleId,
        rngs: &mut StreamSet,
    ) -> Vec<FrameworkId> {
        let policy = &*model.master.framework_sorter;
        let cx = self.sort_cx(model);
        let fws = &self.role_frameworks[role.index()];
        let sortable = fws.iter().filter_map(|&fw| {
            let fs = &self.frameworks[fw.index()];
            let r = &fs.roles[fs.role_index(role)?];
            (fs.active && !r.suppressed).then(|| Held {
                fw,
                allocation: r.offered.plus(&r.allocated),
                count: r.count,
                registered: fs.registration,
            })
        });
        if policy.orders_whole() {
            let held: Vec<Held> = sortable.collect();
            let clients: Vec<SortClient<'_>> = held
                .iter()
                .map(|h| framework_client(model, role, h))
                .collect();
            let order = policy.order(&clients, &cx, rngs.get(policy.stream()));
            checked_order(policy, order, clients.len())
                .into_iter()
                .map(|i| framework_of(&clients[i]))
                .collect()
        } else {
            // One key per framework, computed as it is read: no copy of
            // the allocations outlives its key.
            let mut keyed: Vec<(f64, u64, &str, FrameworkId)> = sortable
                .map(|held| {
                    let c = framework_client(model, role, &held);
                    let name = model.frameworks[held.fw.index()].id.as_str();
                    (policy.key(&c, &cx), c.count, name, held.fw)
                })
                .collect();
            keyed.sort_by(|a, b| compare_keys((a.0, a.1, a.2), (b.0, b.1, b.2)));
            keyed.into_iter().map(|k| k.3).collect()
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

/// What a framework holds in one role, as its framework sorter sees it.
struct Held {
    fw: FrameworkId,
    allocation: Quantities,
    count: u64,
    registered: u64,
}

/// A framework sorter client from what the framework holds in `role`.
fn framework_client<'a>(model: &'a Model, role: RoleId, held: &'a Held) -> SortClient<'a> {
    SortClient {
        kind: ClientKind::Framework(held.fw, role),
        allocation: &held.allocation,
        weight: 1.0,
        count: held.count,
        name: &model.frameworks[held.fw.index()].id,
        registered: held.registered,
        priority: model.frameworks[held.fw.index()].priority,
    }
}

fn role_of(c: &SortClient<'_>) -> RoleId {
    match c.kind {
        ClientKind::Role(r) | ClientKind::OwnLeaf(r) | ClientKind::Framework(_, r) => r,
    }
}

fn framework_of(c: &SortClient<'_>) -> FrameworkId {
    match c.kind {
        ClientKind::Framework(f, _) => f,
        _ => unreachable!("framework sorter clients are frameworks"),
    }
}
