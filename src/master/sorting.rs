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
use crate::policy::{checked_order, sort_by_key, ClientKind, SortClient, SortCx, SortPolicy};
use crate::scenario::model::Model;
use crate::sim::rng::StreamSet;
use crate::{FrameworkId, RoleId};
use std::cmp::Ordering;

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
            .map(move |node| self.role_client(model, node))
    }

    /// The role sorter's client for one node of the role tree.
    fn role_client<'a>(&'a self, model: &'a Model, node: Node) -> SortClient<'a> {
        match node {
            Node::Role(c) => {
                let rs = &self.roles[c.index()];
                SortClient {
                    kind: ClientKind::Role(c),
                    allocation: &rs.subtree_alloc,
                    weight: rs.weight,
                    count: rs.subtree_count,
                    name: &model.roles[c.index()].name[self.role_leaf_at[c.index()] as usize..],
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
        }
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
        if policy.orders_whole() {
            let cx = self.sort_cx(model);
            let held: Vec<Held> = self.role_frameworks[role.index()]
                .iter()
                .filter_map(|&fw| self.held_in(role, fw))
                .collect();
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
            self.keyed_frameworks(model, role)
                .into_iter()
                .map(|k| k.fw)
                .collect()
        }
    }

    /// Whether `role`'s framework sorter lists `fw` (active, subscribed to
    /// the role and not suppressed there).
    fn lists(&self, role: RoleId, fw: FrameworkId) -> bool {
        let fs = &self.frameworks[fw.index()];
        fs.active
            && fs
                .role_index(role)
                .is_some_and(|ri| !fs.roles[ri].suppressed)
    }

    /// What `fw` holds in `role` as the role's framework sorter sees it;
    /// `None` when the sorter leaves it out (inactive or suppressed).
    fn held_in(&self, role: RoleId, fw: FrameworkId) -> Option<Held> {
        let fs = &self.frameworks[fw.index()];
        let r = &fs.roles[fs.role_index(role)?];
        (fs.active && !r.suppressed).then(|| Held {
            fw,
            allocation: r.offered.plus(&r.allocated),
            count: r.count,
            registered: fs.registration,
        })
    }

    /// The sort key of `fw` in `role`'s key-ordered framework sorter, or
    /// `None` when the sorter leaves it out.
    fn framework_key(
        &self,
        model: &Model,
        cx: &SortCx<'_>,
        role: RoleId,
        fw: FrameworkId,
    ) -> Option<Keyed> {
        let held = self.held_in(role, fw)?;
        let c = framework_client(model, role, &held);
        Some(Keyed {
            key: model.master.framework_sorter.key(&c, cx),
            count: c.count,
            name: self.framework_name_rank[fw.index()],
            fw,
        })
    }

    /// A key-ordered framework sorter's clients with their keys, in order:
    /// key, then count, then name (names compared as their ranks in name
    /// order, which orders exactly as the names do).
    fn keyed_frameworks(&self, model: &Model, role: RoleId) -> Vec<Keyed> {
        let cx = self.sort_cx(model);
        let mut keyed: Vec<Keyed> = self.role_frameworks[role.index()]
            .iter()
            .filter_map(|&fw| self.framework_key(model, &cx, role, fw))
            .collect();
        keyed.sort_by(Keyed::cmp);
        keyed
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

/// A framework's place in a key-ordered framework sorter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keyed {
    key: f64,
    count: u64,
    /// The framework id's rank in name order ([`Master::framework_name_rank`]),
    /// or for a role the role name's ([`Master::role_name_rank`]).
    name: u32,
    /// The framework (for a role: the role's index).
    fw: FrameworkId,
}

impl Keyed {
    /// [`crate::policy::compare_keys`] with the name compared by rank.
    fn cmp(a: &Keyed, b: &Keyed) -> Ordering {
        a.key
            .partial_cmp(&b.key)
            .unwrap_or(Ordering::Equal)
            .then(a.count.cmp(&b.count))
            .then(a.name.cmp(&b.name))
    }
}

/// The framework sorters' orders kept through one allocation run, as
/// Mesos keeps its sorters: within a run only the framework an offer was
/// just made to changes its key (its share and count in that role;
/// totals, activity and suppression do not change mid-run), so after an
/// offer that one framework is moved to its new place instead of sorting
/// every framework again for every agent. The order is exactly the one a
/// full sort gives: `(key, count, name)` is a total order (names are
/// unique), unless a key is NaN, in which case this falls back to sorting
/// every time. Whole-order policies (`random`) always sort afresh.
pub(crate) struct RunOrders {
    by_role: Vec<Option<Vec<Keyed>>>,
    /// Per role: the frameworks whose key there changed since the role's
    /// order was last brought up to date, in the order they changed (a
    /// role's order is brought up to date only when it is asked for, so a
    /// role that no offer touched costs one read).
    touched: Vec<Vec<FrameworkId>>,
    /// Per role: how many keys of its order are NaN (an order with one is
    /// sorted afresh, see above), kept as keys come and go instead of
    /// looking at every key each time the order is asked for.
    nans: Vec<u32>,
    incremental: bool,
    /// The role sorter's order, kept the same way when the role sorter is
    /// key-ordered: re-made only after an offer changed a role's key, and
    /// when every client role is at the top level (a flat tree) by moving
    /// only the roles that changed.
    roles: Option<Vec<RoleId>>,
    flat_roles: Option<Vec<Keyed>>,
    roles_touched: Vec<RoleId>,
    roles_incremental: bool,
    flat: bool,
    /// Per role: whether its framework sorter lists a framework this run,
    /// when the flat role order may leave the other roles out (see
    /// [`RunOrders::new`]); `None`: it may not.
    clients: Option<Vec<bool>>,
}

impl RunOrders {
    /// The orders of a run; `explain`: the run explains itself (every
    /// role is then in the role order, see below).
    ///
    /// A role whose framework sorter lists no framework (all its
    /// frameworks suppressed or inactive) does nothing in a run that does
    /// not explain itself when its framework sorter orders by key: its
    /// framework order is empty, and computing that order draws no random
    /// number. So the flat role order of such a run keeps only the roles
    /// that list a framework (which do not change within a run): the same
    /// roles in the same order as the full order, without the others.
    /// With one such role (google-day, most of the time) an offer then
    /// re-keys no role, as a framework order of one framework re-keys
    /// nothing (see [`RunOrders::touched`]).
    pub(crate) fn new(master: &Master, model: &Model, explain: bool) -> RunOrders {
        let flat = master
            .tree
            .children(None)
            .iter()
            .all(|&r| !master.live(r) || !master.has_child_clients(r));
        let leave_out = !explain && !model.master.framework_sorter.orders_whole();
        let clients = leave_out.then(|| {
            (0..master.roles.len())
                .map(|r| {
                    let role = RoleId(r as u32);
                    master.role_frameworks[r]
                        .iter()
                        .any(|&fw| master.lists(role, fw))
                })
                .collect()
        });
        RunOrders {
            by_role: vec![None; master.roles.len()],
            touched: vec![Vec::new(); master.roles.len()],
            nans: vec![0; master.roles.len()],
            incremental: !model.master.framework_sorter.orders_whole(),
            roles: None,
            flat_roles: None,
            roles_touched: Vec::new(),
            roles_incremental: !model.master.role_sorter.orders_whole(),
            flat,
            clients,
        }
    }

    /// The role sorter's order now (as [`Master::role_order`]), into
    /// `out` (cleared first; the caller keeps one buffer for the run).
    pub(crate) fn role_order(
        &mut self,
        master: &Master,
        model: &Model,
        rngs: &mut StreamSet,
        out: &mut Vec<RoleId>,
    ) {
        out.clear();
        if !self.roles_incremental {
            out.extend(master.role_order(model, rngs));
            return;
        }
        if let Some(order) = &self.flat_roles {
            if order.len() <= 1
                && self.roles_touched.is_empty()
                && !order.iter().any(|k| k.key.is_nan())
            {
                // The order of one role (or none), as below without the
                // set-up: nothing can move it.
                out.extend(order.iter().map(|k| RoleId(k.fw.0)));
                return;
            }
        }
        if !self.flat {
            if !self.roles_touched.is_empty() {
                self.roles = None;
                self.roles_touched.clear();
            }
            let order = self
                .roles
                .get_or_insert_with(|| master.role_order(model, rngs));
            out.extend_from_slice(order);
            return;
        }
        let policy = &*model.master.role_sorter;
        let key = |cx: &SortCx<'_>, role: RoleId| {
            let c = master.role_client(model, Node::Role(role));
            Keyed {
                key: policy.key(&c, cx),
                count: c.count,
                name: master.role_name_rank[role.index()],
                fw: FrameworkId(role.0),
            }
        };
        let order = match &mut self.flat_roles {
            Some(order) => {
                if order.len() <= 1 {
                    // An order of one role is that role whatever its key.
                    self.roles_touched.clear();
                } else if !self.roles_touched.is_empty() {
                    let cx = master.sort_cx(model);
                    for role in self.roles_touched.drain(..) {
                        if let Some(i) = order.iter().position(|k| k.fw.0 == role.0) {
                            order.remove(i);
                            let k = key(&cx, role);
                            let at = order.partition_point(|e| Keyed::cmp(e, &k) == Ordering::Less);
                            order.insert(at, k);
                        }
                    }
                }
                order
            }
            None => {
                self.roles_touched.clear();
                let cx = master.sort_cx(model);
                let mut order: Vec<Keyed> = master
                    .tree
                    .children(None)
                    .iter()
                    .filter(|&&r| master.live(r))
                    .map(|&r| key(&cx, r))
                    .collect();
                if order.iter().any(|k| k.key.is_nan()) {
                    // Sorted with a NaN key, the roles without clients
                    // can move the others: every role is kept (and the
                    // order is made afresh each time, below).
                    self.clients = None;
                }
                if let Some(clients) = &self.clients {
                    order.retain(|k| clients[k.fw.index()]);
                }
                order.sort_by(Keyed::cmp);
                self.flat_roles.insert(order)
            }
        };
        if order.iter().any(|k| k.key.is_nan()) {
            self.roles_incremental = false;
            out.extend(master.role_order(model, rngs));
            return;
        }
        out.extend(order.iter().map(|k| RoleId(k.fw.0)));
    }

    /// The role's framework order now (as [`Master::framework_order`]),
    /// into `out` (cleared first; the caller keeps one buffer for the run,
    /// so no order is allocated per agent).
    pub(crate) fn framework_order(
        &mut self,
        master: &Master,
        model: &Model,
        role: RoleId,
        rngs: &mut StreamSet,
        out: &mut Vec<FrameworkId>,
    ) {
        out.clear();
        if !self.incremental {
            out.extend(master.framework_order(model, role, rngs));
            return;
        }
        let r = role.index();
        let nans = &mut self.nans[r];
        let order = match &mut self.by_role[r] {
            Some(order) => {
                let touched = &mut self.touched[r];
                if !touched.is_empty() {
                    let cx = master.sort_cx(model);
                    for fw in touched.drain(..) {
                        if let Some(i) = order.iter().position(|k| k.fw == fw) {
                            *nans -= u32::from(order.remove(i).key.is_nan());
                        }
                        if let Some(k) = master.framework_key(model, &cx, role, fw) {
                            *nans += u32::from(k.key.is_nan());
                            let at = order.partition_point(|e| Keyed::cmp(e, &k) == Ordering::Less);
                            order.insert(at, k);
                        }
                    }
                }
                order
            }
            None => {
                self.touched[r].clear();
                let order = master.keyed_frameworks(model, role);
                *nans = order.iter().filter(|k| k.key.is_nan()).count() as u32;
                self.by_role[r].insert(order)
            }
        };
        if *nans > 0 {
            self.incremental = false;
            out.extend(master.framework_order(model, role, rngs));
            return;
        }
        out.extend(order.iter().map(|k| k.fw));
    }

    /// An offer to `fw` in `role` changed its key there (and the keys of
    /// the role and its ancestors in the role sorter).
    ///
    /// A framework order of one framework is not re-keyed: it stays that
    /// one framework whatever its key (the frameworks an order lists do
    /// not change within a run), and should its key become NaN the full
    /// sort that a NaN key falls back to lists the same one framework.
    pub(crate) fn touched(&mut self, fw: FrameworkId, role: RoleId) {
        if self.incremental
            && self.by_role[role.index()]
                .as_ref()
                .is_some_and(|o| o.len() > 1)
        {
            self.touched[role.index()].push(fw);
        }
        // A flat role order is made from scratch while there is none yet,
        // and one of a single role is not re-keyed: neither needs to know
        // which roles were touched.
        if !self.flat || self.flat_roles.as_ref().is_some_and(|o| o.len() > 1) {
            self.roles_touched.push(role);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::ResourceSet;
    use crate::scenario::load_str;
    use crate::AgentId;
    use std::path::Path;

    /// The orders a run keeps up to date offer by offer (`RunOrders`: each
    /// role's framework order brought up to date only when asked for, from
    /// the frameworks touched since) are the orders a full sort gives at
    /// every point of a run, whatever the offers and however many touches
    /// come between two asks.
    #[test]
    fn run_orders_follow_offers_as_a_full_sort_does() {
        let s = "name: orders\nuntil: 1h\nagents:\n  - {id: a, count: 4, resources: {cpus: 64, mem: 262144}}\nframeworks:\n  - {id: f0, role: r1}\n  - {id: f1, role: r1}\n  - {id: f2, role: r1}\n  - {id: f3, role: r1}\n  - {id: f4, role: r2}\n  - {id: f5, role: r2}\n  - {id: f6, role: r3}\n";
        let model = load_str(s, "orders.yaml", Path::new(".")).expect("scenario");
        let mut m = Master::new(&model);
        for a in 0..4 {
            m.add_agent(&model, AgentId(a));
        }
        for f in 0..7 {
            m.add_framework(&model, FrameworkId(f));
        }
        let roles: Vec<RoleId> = (0..m.roles.len() as u32)
            .map(RoleId)
            .filter(|r| !m.role_frameworks[r.index()].is_empty())
            .collect();
        assert_eq!(roles.len(), 3);
        let mut rngs = StreamSet::new(1, "");
        let mut x = 42u64;
        let mut next = |n: usize| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) % n as u64) as usize
        };
        let (mut got, mut roles_got) = (Vec::new(), Vec::new());
        for run in 0..60 {
            // Between runs some frameworks are suppressed (whole roles
            // with none listed, orders of one framework), and every other
            // run explains itself (its role order then keeps every role).
            let explain = run % 2 == 1;
            for f in 0..7 {
                let fw = FrameworkId(f);
                let role = model.frameworks[f as usize].roles[0];
                if run > 0 && next(2) == 0 {
                    m.suppress(fw, &[role]);
                } else {
                    m.revive(fw, &[role]);
                }
            }
            let listed = |m: &Master, role: RoleId| -> Vec<FrameworkId> {
                m.role_frameworks[role.index()]
                    .iter()
                    .copied()
                    .filter(|&fw| m.lists(role, fw))
                    .collect()
            };
            let client_roles: Vec<RoleId> = roles
                .iter()
                .copied()
                .filter(|&r| !listed(&m, r).is_empty())
                .collect();
            let mut orders = RunOrders::new(&m, &model, explain);
            for step in 0..200 {
                // An offer: a random part of an agent to a framework the
                // run could offer to.
                if client_roles.is_empty() {
                    break;
                }
                let role = client_roles[next(client_roles.len())];
                let fws = listed(&m, role);
                let fw = fws[next(fws.len())];
                let agent = AgentId(next(4) as u32);
                let mut res = ResourceSet::default();
                res.unreserved.0[0] = 1 + next(4000) as u64;
                res.unreserved.0[1] = 1 + next(16_000_000) as u64;
                m.charge_offer(&model, (fw, role, agent), &res, false, false, None);
                orders.touched(fw, role);
                // Asked for now and then (touches pile up in between).
                if next(3) == 0 {
                    continue;
                }
                for &r in &roles {
                    orders.framework_order(&m, &model, r, &mut rngs, &mut got);
                    assert_eq!(
                        got,
                        m.framework_order(&model, r, &mut rngs),
                        "run {run} step {step}"
                    );
                }
                // Without explain, the roles that list no framework are
                // left out; the others keep their places.
                let mut full = m.role_order(&model, &mut rngs);
                if !explain {
                    full.retain(|r| client_roles.contains(r));
                }
                orders.role_order(&m, &model, &mut rngs, &mut roles_got);
                assert_eq!(roles_got, full, "run {run} step {step}");
            }
        }
    }
}
