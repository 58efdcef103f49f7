//! Fairness against a reference: each (framework, role) client's fair share
//! (the weighted equal split DRF guarantees, capped by its demand), whether
//! it is below it while it has pending work, and the ideal DRF allocation of
//! the current demands by hierarchical progressive filling. Definitions and
//! formulas: docs/metrics.md.

// Vector arithmetic over resource indices reads best as indexed loops.
#![allow(clippy::needless_range_loop)]

use crate::cluster::resources::{Quantities, MAX_RESOURCE_KINDS};
use crate::policy::dominant_share;
use crate::sim::observer::{PendingWork, Record, RecordKind, View};
use crate::{FrameworkId, RoleId};

/// Tolerance of the comparisons between shares (they are sums and ratios
/// of floats).
const EPS: f64 = 1e-9;

/// A vector of per-resource fractions of the cluster total.
type Shares = [f64; MAX_RESOURCE_KINDS];

/// Keeps each framework's pending work (tasks not yet launched), recounted
/// from the view only when something may have changed it: a launch, kill,
/// failure or loss of one of its tasks, or a change in its pending count
/// (a submission).
///
/// It also keeps the last weighted split down the role tree for
/// [`below_flags`], which runs at every time step: the split changes only
/// when the set of active clients or a weight does.
#[derive(Clone, Debug, Default)]
pub struct DemandTracker {
    cache: Vec<Option<(u64, Vec<PendingWork>)>>,
    dirty: Vec<bool>,
    split: SplitCache,
}

/// A split down the role tree and what it was computed from.
#[derive(Clone, Debug, Default)]
struct SplitCache {
    roles: Vec<RoleId>,
    selected: Vec<bool>,
    weights: Vec<f64>,
    split: Vec<f64>,
}

impl SplitCache {
    /// [`split_down_tree`], recomputed only when its inputs changed.
    fn get(&mut self, view: &View, roles: &[RoleId], selected: &[bool]) -> &[f64] {
        let weights = &view.master.roles;
        let same = self.roles == roles
            && self.selected == selected
            && self.weights.len() == weights.len()
            && self
                .weights
                .iter()
                .zip(weights)
                .all(|(w, r)| w.to_bits() == r.weight.to_bits());
        if !same {
            self.split = split_down_tree(view, roles, selected);
            self.roles = roles.to_vec();
            self.selected = selected.to_vec();
            self.weights = weights.iter().map(|r| r.weight).collect();
        }
        &self.split
    }
}

/// A framework's cached pending work.
fn work_of(cache: &[Option<(u64, Vec<PendingWork>)>], fw: FrameworkId) -> &[PendingWork] {
    cache
        .get(fw.index())
        .and_then(|c| c.as_ref())
        .map_or(&[], |(_, w)| w.as_slice())
}

impl DemandTracker {
    pub fn new(frameworks: usize) -> DemandTracker {
        DemandTracker {
            cache: vec![None; frameworks],
            dirty: vec![true; frameworks],
            split: SplitCache::default(),
        }
    }

    pub fn record(&mut self, rec: &Record) {
        match (rec.kind, rec.framework) {
            (
                RecordKind::Launch | RecordKind::Kill | RecordKind::Fail | RecordKind::Lost,
                Some(f),
            ) => {
                if let Some(d) = self.dirty.get_mut(f.index()) {
                    *d = true;
                }
            }
            // The totals changed: tasks' dominant shares too.
            (RecordKind::AgentAdded | RecordKind::AgentRemoved, _) => {
                self.dirty.iter_mut().for_each(|d| *d = true);
            }
            _ => {}
        }
    }

    /// Recounts what may have changed.
    pub fn refresh(&mut self, view: &View) {
        let n = view.frameworks.len();
        if self.cache.len() < n {
            self.cache.resize(n, None);
            self.dirty.resize(n, true);
        }
        for i in 0..n {
            let count = view.frameworks[i].pending_tasks;
            let stale = self.dirty[i] || self.cache[i].as_ref().is_none_or(|(c, _)| *c != count);
            if stale {
                let work = if count == 0 {
                    Vec::new()
                } else {
                    view.pending_work(FrameworkId(i as u32))
                };
                self.cache[i] = Some((count, work));
                self.dirty[i] = false;
            }
        }
    }

    /// The framework's pending work per role (roles in id order), as of
    /// the last [`refresh`](Self::refresh).
    pub fn get(&self, fw: FrameworkId) -> &[PendingWork] {
        work_of(&self.cache, fw)
    }
}

/// One (framework, role) client at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    pub framework: FrameworkId,
    pub role: RoleId,
    /// Offered + allocated in this role.
    pub held: Quantities,
    pub allocated: Quantities,
    pub pending_tasks: u64,
    /// Resources of the pending tasks.
    pub pending: Quantities,
    /// Dominant share of `held`.
    pub share: f64,
    /// Dominant share of `held + pending` (the demand).
    pub demand_share: f64,
    /// Dominant share of its smallest pending task (0 without one).
    pub task_share: f64,
    /// Holds something or has pending tasks.
    pub active: bool,
    /// Weighted equal split down the role tree among active clients.
    pub guarantee: f64,
    /// min(guarantee, demand_share); 0 when inactive.
    pub fair_share: f64,
    /// Has pending tasks and could run one more of them within its fair
    /// share: share + task_share ≤ fair_share.
    pub below: bool,
}

impl Client {
    pub fn demand(&self) -> Quantities {
        self.held.plus(&self.pending)
    }
}

/// Every registered framework's clients (its subscribed roles, in order),
/// frameworks in id order, with fair shares.
pub fn clients(view: &View, tracker: &mut DemandTracker) -> Vec<Client> {
    let mut out = Vec::new();
    clients_into(view, tracker, &mut out);
    out
}

/// As [`clients`], into a reused buffer.
pub fn clients_into(view: &View, tracker: &mut DemandTracker, out: &mut Vec<Client>) {
    out.clear();
    tracker.refresh(view);
    let tracker = &*tracker;
    let totals = &view.master.totals;
    let excluded = view.model.master.fair_sharing_excluded;
    let ds = |q: &Quantities| dominant_share(q, totals, excluded);
    for (i, fs) in view.master.frameworks.iter().enumerate() {
        if !fs.registered {
            continue;
        }
        let work = tracker.get(FrameworkId(i as u32));
        let fw = FrameworkId(i as u32);
        for r in &fs.roles {
            let held = r.offered.plus(&r.allocated);
            let (pending_tasks, pending, task_share) = match work.iter().find(|w| w.role == r.role)
            {
                Some(w) => (w.tasks, w.total, w.task_share),
                None => (0, Quantities::ZERO, 0.0),
            };
            out.push(Client {
                framework: fw,
                role: r.role,
                held,
                allocated: r.allocated,
                pending_tasks,
                pending,
                share: ds(&held),
                demand_share: ds(&held.plus(&pending)),
                task_share,
                active: !held.is_empty() || pending_tasks > 0,
                guarantee: 0.0,
                fair_share: 0.0,
                below: false,
            });
        }
    }
    let active: Vec<bool> = out.iter().map(|c| c.active).collect();
    let roles: Vec<RoleId> = out.iter().map(|c| c.role).collect();
    let g = split_down_tree(view, &roles, &active);
    for (c, g) in out.iter_mut().zip(g) {
        c.guarantee = g;
        c.fair_share = if c.active { g.min(c.demand_share) } else { 0.0 };
        c.below = c.pending_tasks > 0 && c.share + c.task_share <= c.fair_share + EPS;
    }
}

/// Per framework (model order): whether it has pending work, and whether
/// one of its clients with pending work is below its fair share — the
/// same test as [`clients`], without building the clients (it runs at
/// every step of the clock).
pub fn below_flags(
    view: &View,
    tracker: &mut DemandTracker,
    pending: &mut [bool],
    below: &mut [bool],
) {
    tracker.refresh(view);
    let DemandTracker { cache, split, .. } = tracker;
    pending.iter_mut().for_each(|x| *x = false);
    below.iter_mut().for_each(|x| *x = false);
    let mut roles = Vec::new();
    let mut active = Vec::new();
    // (framework, role index, client index) of clients with pending work.
    let mut waiting: Vec<(usize, usize, usize)> = Vec::new();
    for (i, fs) in view.master.frameworks.iter().enumerate() {
        if !fs.registered {
            continue;
        }
        let work = work_of(cache, FrameworkId(i as u32));
        for (ri, r) in fs.roles.iter().enumerate() {
            let has_work = work.iter().any(|w| w.role == r.role && w.tasks > 0);
            if has_work {
                waiting.push((i, ri, roles.len()));
            }
            roles.push(r.role);
            active.push(has_work || !r.offered.is_empty() || !r.allocated.is_empty());
        }
    }
    if waiting.is_empty() {
        return;
    }
    let g = split.get(view, &roles, &active);
    let totals = &view.master.totals;
    let excluded = view.model.master.fair_sharing_excluded;
    for (i, ri, ci) in waiting {
        let r = &view.master.frameworks[i].roles[ri];
        let w = work_of(cache, FrameworkId(i as u32))
            .iter()
            .find(|w| w.role == r.role)
            .expect("has work");
        let held = r.offered.plus(&r.allocated);
        let share = dominant_share(&held, totals, excluded);
        let demand = dominant_share(&held.plus(&w.total), totals, excluded);
        let fair = g[ci].min(demand);
        if let Some(p) = pending.get_mut(i) {
            *p = true;
        }
        if share + w.task_share <= fair + EPS {
            if let Some(b) = below.get_mut(i) {
                *b = true;
            }
        }
    }
}

/// The role tree as the allocator's sorter sees it: each role's child
/// roles, and the top-level roles.
struct Tree {
    children: Vec<Vec<RoleId>>,
    top: Vec<RoleId>,
    /// Clients directly in each role (indices into the client list).
    own: Vec<Vec<usize>>,
    /// Whether a role's subtree holds a selected client.
    live: Vec<bool>,
}

fn tree(view: &View, roles: &[RoleId], selected: &[bool]) -> Tree {
    let n = view.model.roles.len();
    let mut children = vec![Vec::new(); n];
    let mut top = Vec::new();
    for (i, r) in view.model.roles.iter().enumerate() {
        match r.parent {
            Some(p) => children[p.index()].push(RoleId(i as u32)),
            None => top.push(RoleId(i as u32)),
        }
    }
    let mut own = vec![Vec::new(); n];
    let mut live = vec![false; n];
    for (ci, &role) in roles.iter().enumerate() {
        if !selected[ci] {
            continue;
        }
        own[role.index()].push(ci);
        let mut cur = Some(role);
        while let Some(r) = cur {
            if live[r.index()] {
                break;
            }
            live[r.index()] = true;
            cur = view.model.roles[r.index()].parent;
        }
    }
    Tree {
        children,
        top,
        own,
        live,
    }
}

/// A node of one level of the tree: a role's subtree, the virtual leaf
/// `role/.` holding the role's own clients (weight 1, as in the Mesos
/// sorter), or one client.
#[derive(Clone, Copy, Debug)]
enum Node {
    Role(RoleId),
    Own(RoleId),
    Client(usize),
}

/// The children of a level with selected clients, with their weights.
fn level(view: &View, t: &Tree, parent: Option<RoleId>) -> Vec<(Node, f64)> {
    let kids: &[RoleId] = match parent {
        Some(p) => &t.children[p.index()],
        None => &t.top,
    };
    let mut out: Vec<(Node, f64)> = kids
        .iter()
        .filter(|c| t.live[c.index()])
        .map(|&c| (Node::Role(c), view.master.roles[c.index()].weight))
        .collect();
    if let Some(p) = parent {
        let own = &t.own[p.index()];
        if !own.is_empty() {
            if out.is_empty() {
                return own.iter().map(|&c| (Node::Client(c), 1.0)).collect();
            }
            out.push((Node::Own(p), 1.0));
        }
    }
    out
}

fn expand(view: &View, t: &Tree, node: Node) -> Vec<(Node, f64)> {
    match node {
        Node::Role(r) => level(view, t, Some(r)),
        Node::Own(r) => t.own[r.index()]
            .iter()
            .map(|&c| (Node::Client(c), 1.0))
            .collect(),
        Node::Client(_) => Vec::new(),
    }
}

/// Splits 1 down the tree among the selected clients: each level in
/// proportion to weights. Unselected clients get 0.
fn split_down_tree(view: &View, roles: &[RoleId], selected: &[bool]) -> Vec<f64> {
    let t = tree(view, roles, selected);
    let mut out = vec![0.0; roles.len()];
    let mut stack: Vec<(Vec<(Node, f64)>, f64)> = vec![(level(view, &t, None), 1.0)];
    while let Some((nodes, amount)) = stack.pop() {
        let total: f64 = nodes.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            continue;
        }
        for (node, w) in nodes {
            let part = amount * w / total;
            match node {
                Node::Client(c) => out[c] = part,
                other => stack.push((expand(view, &t, other), part)),
            }
        }
    }
    out
}

/// Weighted progressive filling (water-filling) of users with demand
/// vectors `d` (as fractions of the cluster total per resource) into the
/// capacity `cap` (same units). All unfrozen users grow their dominant
/// share at rates proportional to their weights, each keeping its demand's
/// mix; a user freezes when its demand is met or a resource it needs runs
/// out. Returns, per user, the fraction of its demand it gets.
///
/// `counted[r]` says whether resource `r` counts in dominant shares (not
/// excluded from fair sharing); every resource with a demand counts as a
/// capacity.
pub fn water_fill(
    d: &[Shares],
    w: &[f64],
    cap: &Shares,
    counted: &[bool; MAX_RESOURCE_KINDS],
) -> Vec<f64> {
    let n = d.len();
    let mut alpha = vec![0.0; n];
    let dom: Vec<f64> = d
        .iter()
        .map(|v| {
            (0..MAX_RESOURCE_KINDS)
                .filter(|&r| counted[r])
                .map(|r| v[r])
                .fold(0.0, f64::max)
        })
        .collect();
    // Users with no counted demand, or needing a resource with no capacity,
    // get nothing.
    let mut open: Vec<usize> = (0..n)
        .filter(|&i| {
            dom[i] > 0.0
                && w[i] > 0.0
                && (0..MAX_RESOURCE_KINDS).all(|r| d[i][r] <= 0.0 || cap[r] > 0.0)
        })
        .collect();
    let mut used = [0.0f64; MAX_RESOURCE_KINDS];
    let mut s = 0.0f64;
    while !open.is_empty() {
        let mut rate = [0.0f64; MAX_RESOURCE_KINDS];
        for &i in &open {
            for r in 0..MAX_RESOURCE_KINDS {
                rate[r] += w[i] * d[i][r] / dom[i];
            }
        }
        // The next event: a demand met or a resource exhausted.
        let mut step = f64::INFINITY;
        for &i in &open {
            step = step.min(dom[i] / w[i] - s);
        }
        for r in 0..MAX_RESOURCE_KINDS {
            if rate[r] > 0.0 {
                step = step.min((cap[r] - used[r]) / rate[r]);
            }
        }
        let step = step.max(0.0);
        s += step;
        for r in 0..MAX_RESOURCE_KINDS {
            used[r] += rate[r] * step;
        }
        let full: Vec<bool> = (0..MAX_RESOURCE_KINDS)
            .map(|r| rate[r] > 0.0 && cap[r] - used[r] <= EPS * cap[r].max(1e-300))
            .collect();
        let before = open.len();
        open.retain(|&i| {
            let met = dom[i] / w[i] - s <= EPS * (dom[i] / w[i]);
            let blocked = (0..MAX_RESOURCE_KINDS).any(|r| full[r] && d[i][r] > 0.0);
            if met {
                alpha[i] = 1.0;
            } else if blocked {
                alpha[i] = (w[i] * s / dom[i]).min(1.0);
            }
            !(met || blocked)
        });
        if open.len() == before {
            // Rounding left no event within tolerance: settle the closest.
            let (k, _) = open
                .iter()
                .enumerate()
                .map(|(k, &i)| (k, dom[i] / w[i] - s))
                .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
            let i = open.remove(k);
            alpha[i] = (w[i] * s / dom[i]).min(1.0);
        }
    }
    alpha
}

/// The ideal DRF allocation of the current demands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ideal {
    /// Per client (same order as the client list): dominant share.
    pub client_share: Vec<f64>,
    /// Per framework (model order): dominant share over all its roles.
    pub framework_share: Vec<f64>,
    /// Per role (model order): dominant share of its subtree.
    pub role_share: Vec<f64>,
}

/// Hierarchical progressive filling: at each level of the role tree, the
/// nodes (roles with their subtree's summed demand, the virtual `role/.`
/// leaf, or clients) share the level's capacity by [`water_fill`] with
/// their weights; each node's grant is the capacity of the level below.
pub fn ideal(view: &View, clients: &[Client]) -> Ideal {
    let totals = &view.master.totals;
    let excluded = view.model.master.fair_sharing_excluded;
    let mut counted = [false; MAX_RESOURCE_KINDS];
    for (r, c) in counted.iter_mut().enumerate() {
        *c = excluded & (1 << r) == 0 && totals.0[r] > 0;
    }
    let frac = |q: &Quantities| -> Shares {
        let mut v = [0.0; MAX_RESOURCE_KINDS];
        for r in 0..MAX_RESOURCE_KINDS {
            if totals.0[r] > 0 {
                v[r] = q.0[r] as f64 / totals.0[r] as f64;
            }
        }
        v
    };
    let demand: Vec<Shares> = clients.iter().map(|c| frac(&c.demand())).collect();
    // Clients with no demand, or needing a resource the cluster does not
    // have, take no part (their ideal share is 0).
    let selected: Vec<bool> = clients
        .iter()
        .map(|c| {
            let d = c.demand();
            !d.is_empty() && (0..MAX_RESOURCE_KINDS).all(|r| d.0[r] == 0 || totals.0[r] > 0)
        })
        .collect();
    let roles: Vec<RoleId> = clients.iter().map(|c| c.role).collect();
    let t = tree(view, &roles, &selected);

    // Subtree demand of each role, and of each role's own clients.
    let n_roles = view.model.roles.len();
    let mut role_demand = vec![[0.0f64; MAX_RESOURCE_KINDS]; n_roles];
    let mut own_demand = vec![[0.0f64; MAX_RESOURCE_KINDS]; n_roles];
    for (ci, c) in clients.iter().enumerate() {
        if !selected[ci] {
            continue;
        }
        add(&mut own_demand[c.role.index()], &demand[ci]);
        let mut cur = Some(c.role);
        while let Some(r) = cur {
            add(&mut role_demand[r.index()], &demand[ci]);
            cur = view.model.roles[r.index()].parent;
        }
    }
    let node_demand = |n: Node| -> Shares {
        match n {
            Node::Role(r) => role_demand[r.index()],
            Node::Own(r) => own_demand[r.index()],
            Node::Client(c) => demand[c],
        }
    };

    let mut client_alloc = vec![[0.0f64; MAX_RESOURCE_KINDS]; clients.len()];
    let mut cap = [0.0f64; MAX_RESOURCE_KINDS];
    for (r, c) in cap.iter_mut().enumerate() {
        *c = if totals.0[r] > 0 { 1.0 } else { 0.0 };
    }
    let mut stack: Vec<(Vec<(Node, f64)>, Shares)> = vec![(level(view, &t, None), cap)];
    while let Some((nodes, cap)) = stack.pop() {
        let d: Vec<Shares> = nodes.iter().map(|(n, _)| node_demand(*n)).collect();
        let w: Vec<f64> = nodes.iter().map(|(_, w)| *w).collect();
        let alpha = water_fill(&d, &w, &cap, &counted);
        for (k, (node, _)) in nodes.into_iter().enumerate() {
            let mut grant = [0.0f64; MAX_RESOURCE_KINDS];
            for r in 0..MAX_RESOURCE_KINDS {
                grant[r] = alpha[k] * d[k][r];
            }
            match node {
                Node::Client(c) => client_alloc[c] = grant,
                Node::Role(_) | Node::Own(_) => stack.push((expand(view, &t, node), grant)),
            }
        }
    }
    // A role's ideal: the sum of its subtree's clients.
    let mut role_sum = vec![[0.0f64; MAX_RESOURCE_KINDS]; n_roles];
    for (ci, c) in clients.iter().enumerate() {
        let mut cur = Some(c.role);
        while let Some(r) = cur {
            add(&mut role_sum[r.index()], &client_alloc[ci]);
            cur = view.model.roles[r.index()].parent;
        }
    }
    let dom = |v: &Shares| -> f64 {
        (0..MAX_RESOURCE_KINDS)
            .filter(|&r| counted[r])
            .map(|r| v[r])
            .fold(0.0, f64::max)
    };
    let mut fw_sum = vec![[0.0f64; MAX_RESOURCE_KINDS]; view.model.frameworks.len()];
    for (ci, c) in clients.iter().enumerate() {
        add(&mut fw_sum[c.framework.index()], &client_alloc[ci]);
    }
    Ideal {
        client_share: client_alloc.iter().map(dom).collect(),
        framework_share: fw_sum.iter().map(dom).collect(),
        role_share: role_sum.iter().map(dom).collect(),
    }
}

fn add(a: &mut Shares, b: &Shares) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// ½ Σ |actual − ideal| over the registered frameworks' dominant shares.
pub fn drf_distance(view: &View, ideal: &Ideal) -> f64 {
    let mut sum = 0.0;
    for (i, fs) in view.master.frameworks.iter().enumerate() {
        if !fs.registered {
            continue;
        }
        let actual = view
            .master
            .framework_share(view.model, FrameworkId(i as u32));
        sum += (actual - ideal.framework_share[i]).abs();
    }
    sum / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[f64]) -> Shares {
        let mut out = [0.0; MAX_RESOURCE_KINDS];
        out[..xs.len()].copy_from_slice(xs);
        out
    }

    fn counted(n: usize) -> [bool; MAX_RESOURCE_KINDS] {
        let mut c = [false; MAX_RESOURCE_KINDS];
        for x in c.iter_mut().take(n) {
            *x = true;
        }
        c
    }

    #[test]
    fn drf_paper_example() {
        // 9 CPU, 18 GB; A wants <1,4> per task, B <3,1>, both unbounded
        // (demand = the whole cluster's worth). DRF: both at 2/3.
        let a = v(&[100.0 / 9.0, 400.0 / 18.0]);
        let b = v(&[300.0 / 9.0, 100.0 / 18.0]);
        let alpha = water_fill(&[a, b], &[1.0, 1.0], &v(&[1.0, 1.0]), &counted(2));
        let share_a = alpha[0] * a[1];
        let share_b = alpha[1] * b[0];
        assert!((share_a - 2.0 / 3.0).abs() < 1e-12, "{share_a}");
        assert!((share_b - 2.0 / 3.0).abs() < 1e-12, "{share_b}");
    }

    #[test]
    fn small_demands_are_met_and_the_rest_shared() {
        // One resource; demands 0.1, 0.5, 0.8: 0.1 met, the others 0.45 each.
        let d = [v(&[0.1]), v(&[0.5]), v(&[0.8])];
        let alpha = water_fill(&d, &[1.0; 3], &v(&[1.0]), &counted(1));
        assert_eq!(alpha[0], 1.0);
        assert!((alpha[1] * 0.5 - 0.45).abs() < 1e-12);
        assert!((alpha[2] * 0.8 - 0.45).abs() < 1e-12);
    }

    #[test]
    fn weights_scale_the_levels() {
        // Weight 2 vs 1 on one resource, both unbounded: 2/3 and 1/3.
        let d = [v(&[1.0]), v(&[1.0])];
        let alpha = water_fill(&d, &[2.0, 1.0], &v(&[1.0]), &counted(1));
        assert!((alpha[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((alpha[1] - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn saturation_freezes_only_those_needing_the_resource() {
        // A needs only cpu, B cpu and mem, C only mem. Level rises to 0.5,
        // cpu full (A, B at 0.5): C goes on alone to take the rest of mem.
        let d = [v(&[1.0, 0.0]), v(&[1.0, 1.0]), v(&[0.0, 1.0])];
        let alpha = water_fill(&d, &[1.0; 3], &v(&[1.0, 1.0]), &counted(2));
        assert!((alpha[0] - 0.5).abs() < 1e-12);
        assert!((alpha[1] - 0.5).abs() < 1e-12);
        assert!((alpha[2] - 0.5).abs() < 1e-12);
        // Now B needs little mem: C gets the mem B leaves.
        let d = [v(&[1.0, 0.0]), v(&[1.0, 0.1]), v(&[0.0, 1.0])];
        let alpha = water_fill(&d, &[1.0; 3], &v(&[1.0, 1.0]), &counted(2));
        assert!((alpha[2] - 0.95).abs() < 1e-12, "{alpha:?}");
    }

    #[test]
    fn impossible_demands_get_nothing() {
        let d = [v(&[0.5, 0.1]), v(&[0.5])];
        let alpha = water_fill(&d, &[1.0; 2], &v(&[1.0, 0.0]), &counted(1));
        assert_eq!(alpha[0], 0.0);
        assert_eq!(alpha[1], 1.0);
    }
}
