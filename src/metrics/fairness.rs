//! Fairness against a reference: each (framework, role) client's fair share
//! (the weighted equal split DRF guarantees, capped by its demand), whether
//! it is below it while it has pending work, and the ideal DRF allocation of
//! the current demands by hierarchical progressive filling. Definitions and
//! formulas: docs/metrics.md.

// Vector arithmetic over resource indices reads best as indexed loops.
#![allow(clippy::needless_range_loop)]

use crate::cluster::resources::{Quantities, MAX_RESOURCE_KINDS};
use crate::fairshare;
use crate::policy::tree::Node as TreeNode;
use crate::sim::observer::{PendingWork, Record, RecordKind, View};
use crate::{FrameworkId, RoleId};
use num_traits::{One, Zero};

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
        let n = view.model.roles.len();
        let weight = |i: usize| view.role_weight(RoleId(i as u32));
        let same = self.roles == roles
            && self.selected == selected
            && self.weights.len() == n
            && self
                .weights
                .iter()
                .enumerate()
                .all(|(i, w)| w.to_bits() == weight(i).to_bits());
        if !same {
            self.split = split_down_tree(view, roles, selected);
            self.roles = roles.to_vec();
            self.selected = selected.to_vec();
            self.weights = (0..n).map(weight).collect();
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
            (
                RecordKind::AgentAdded
                | RecordKind::AgentRemoved
                | RecordKind::AgentUnreachable
                | RecordKind::AgentRecovered,
                _,
            ) => {
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
    let ds = |q: &Quantities| view.share_of(q);
    for i in 0..view.model.frameworks.len() {
        let fw = FrameworkId(i as u32);
        if !view.framework_registered(fw) {
            continue;
        }
        let work = tracker.get(fw);
        for r in view.framework_clients(fw) {
            let held = r.held();
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
    for i in 0..view.model.frameworks.len() {
        let fw = FrameworkId(i as u32);
        if !view.framework_registered(fw) {
            continue;
        }
        let work = work_of(cache, fw);
        for (ri, r) in view.framework_clients(fw).enumerate() {
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
    for (i, ri, ci) in waiting {
        let r = view
            .framework_clients(FrameworkId(i as u32))
            .nth(ri)
            .expect("client");
        let w = work_of(cache, FrameworkId(i as u32))
            .iter()
            .find(|w| w.role == r.role)
            .expect("has work");
        let held = r.offered.plus(&r.allocated);
        let share = view.share_of(&held);
        let demand = view.share_of(&held.plus(&w.total));
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

/// Which roles hold selected clients, over the model's role tree (the one
/// the allocator's sorter uses, [`crate::policy::RoleTree`]).
struct Tree {
    /// Clients directly in each role (indices into the client list).
    own: Vec<Vec<usize>>,
    /// Whether a role's subtree holds a selected client.
    live: Vec<bool>,
}

fn tree(view: &View, roles: &[RoleId], selected: &[bool]) -> Tree {
    let n = view.model.roles.len();
    let mut own = vec![Vec::new(); n];
    let mut live = vec![false; n];
    for (ci, &role) in roles.iter().enumerate() {
        if !selected[ci] {
            continue;
        }
        own[role.index()].push(ci);
        for r in view.model.role_tree.ancestors_and_self(role) {
            if std::mem::replace(&mut live[r.index()], true) {
                break;
            }
        }
    }
    Tree { own, live }
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

/// The children of a level with selected clients, with their weights: the
/// sorter's level ([`crate::policy::RoleTree::level`]), or, under a role
/// with no live child role, the role's own clients.
fn level(view: &View, t: &Tree, parent: Option<RoleId>) -> Vec<(Node, f64)> {
    let nodes = view.model.role_tree.level(
        parent,
        |c| t.live[c.index()],
        |p| !t.own[p.index()].is_empty(),
    );
    if nodes.is_empty() {
        if let Some(p) = parent {
            return t.own[p.index()]
                .iter()
                .map(|&c| (Node::Client(c), 1.0))
                .collect();
        }
    }
    nodes
        .into_iter()
        .map(|node| match node {
            TreeNode::Role(c) => (Node::Role(c), view.role_weight(c)),
            TreeNode::OwnLeaf(p) => (Node::Own(p), 1.0),
        })
        .collect()
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

/// One node of a tree filled by [`hierarchical_fill`].
#[derive(Clone, Debug)]
pub enum FillNode {
    /// A user with its demand vector (fractions of the cluster total per
    /// resource).
    Leaf(Shares),
    /// Child nodes (indices into the node list) with their weights.
    Inner(Vec<(usize, f64)>),
}

/// Whether `s` fits within `cap`, give or take `tol` (relative).
fn fits(s: &Shares, cap: &Shares, tol: f64) -> bool {
    (0..MAX_RESOURCE_KINDS).all(|r| s[r] <= cap[r] * (1.0 + tol))
}

/// The state of one hierarchical progressive filling.
struct Filling<'a> {
    nodes: &'a [FillNode],
    counted: &'a [bool; MAX_RESOURCE_KINDS],
    /// Per node: the dominant share of a leaf's demand (0 for inner nodes).
    dom: Vec<f64>,
    /// Per node: a frozen leaf's allocation.
    frozen: Vec<Option<Shares>>,
    /// Per node: what a growing leaf held after the last pass (it never
    /// holds less).
    floor: Vec<Shares>,
}

impl Filling<'_> {
    fn dominant(&self, v: &Shares) -> f64 {
        (0..MAX_RESOURCE_KINDS)
            .filter(|&r| self.counted[r])
            .map(|r| v[r])
            .fold(0.0, f64::max)
    }

    /// A leaf still growing: unfrozen, with a counted demand.
    fn growing(&self, i: usize) -> bool {
        matches!(self.nodes[i], FillNode::Leaf(_)) && self.frozen[i].is_none() && self.dom[i] > 0.0
    }

    /// The allocation of node `i` when its dominant share is to be
    /// `target` (`f64::INFINITY`: everything its leaves demand), and the
    /// allocation of each leaf below it into `out`.
    fn eval(&self, i: usize, target: f64, out: &mut Option<&mut Vec<Shares>>) -> Shares {
        let v = match &self.nodes[i] {
            FillNode::Leaf(d) => match self.frozen[i] {
                Some(f) => f,
                None if self.dom[i] <= 0.0 => [0.0; MAX_RESOURCE_KINDS],
                None => {
                    let k = (target / self.dom[i]).min(1.0);
                    let mut v = *d;
                    v.iter_mut().for_each(|x| *x *= k);
                    for (x, f) in v.iter_mut().zip(&self.floor[i]) {
                        *x = x.max(*f);
                    }
                    v
                }
            },
            FillNode::Inner(children) => {
                let full = self.sum(children, f64::INFINITY, &mut None);
                let level = if target.is_infinite() || self.dominant(&full) <= target {
                    f64::INFINITY
                } else {
                    self.level(children, target)
                };
                if level.is_infinite() && out.is_none() {
                    full
                } else {
                    self.sum(children, level, out)
                }
            }
        };
        if let Some(out) = out {
            if matches!(self.nodes[i], FillNode::Leaf(_)) {
                out[i] = v;
            }
        }
        v
    }

    /// The sum of the children's allocations at level `level`: each child
    /// at dominant share `weight × level`.
    fn sum(
        &self,
        children: &[(usize, f64)],
        level: f64,
        out: &mut Option<&mut Vec<Shares>>,
    ) -> Shares {
        let mut s = [0.0f64; MAX_RESOURCE_KINDS];
        for &(c, w) in children {
            let t = if w > 0.0 { w * level } else { 0.0 };
            add(&mut s, &self.eval(c, t, out));
        }
        s
    }

    /// The largest level at which the children's summed allocation has a
    /// dominant share of at most `target` (which is below what they can
    /// take in all).
    fn level(&self, children: &[(usize, f64)], target: f64) -> f64 {
        if children
            .iter()
            .all(|&(c, _)| matches!(self.nodes[c], FillNode::Leaf(_)))
        {
            return self.leaf_level(children, target);
        }
        // Child roles: the sum is monotone in the level; bisect.
        let f = |l: f64| self.dominant(&self.sum(children, l, &mut None));
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        let mut n = 0;
        while f(hi) <= target && n < 2000 {
            lo = hi;
            hi *= 2.0;
            n += 1;
        }
        for _ in 0..200 {
            let mid = lo + (hi - lo) / 2.0;
            if mid <= lo || mid >= hi {
                break;
            }
            if f(mid) <= target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// [`level`](Self::level) for children that are all leaves, exactly:
    /// the sum is linear in the level between the levels at which leaves'
    /// demands are met.
    fn leaf_level(&self, children: &[(usize, f64)], target: f64) -> f64 {
        let mut fixed = [0.0f64; MAX_RESOURCE_KINDS];
        // (level at which the demand is met, leaf, weight)
        let mut open: Vec<(f64, usize, f64)> = Vec::new();
        for &(c, w) in children {
            if self.growing(c) && w > 0.0 {
                open.push((self.dom[c] / w, c, w));
            } else {
                add(&mut fixed, &self.eval(c, 0.0, &mut None));
            }
        }
        open.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let demand = |c: usize| match &self.nodes[c] {
            FillNode::Leaf(d) => *d,
            FillNode::Inner(_) => [0.0; MAX_RESOURCE_KINDS],
        };
        let mut prev = 0.0;
        for k in 0..open.len() {
            // On [prev, open[k].0]: fixed + level × rate.
            let mut rate = [0.0f64; MAX_RESOURCE_KINDS];
            for &(_, c, w) in &open[k..] {
                let d = demand(c);
                for r in 0..MAX_RESOURCE_KINDS {
                    rate[r] += w * d[r] / self.dom[c];
                }
            }
            let end = open[k].0;
            let mut at_end = fixed;
            for r in 0..MAX_RESOURCE_KINDS {
                at_end[r] += end * rate[r];
            }
            if self.dominant(&at_end) > target {
                let mut level = f64::INFINITY;
                for r in 0..MAX_RESOURCE_KINDS {
                    if self.counted[r] && rate[r] > 0.0 {
                        level = level.min((target - fixed[r]) / rate[r]);
                    }
                }
                return level.clamp(prev, end);
            }
            add(&mut fixed, &demand(open[k].1));
            prev = end;
        }
        f64::INFINITY
    }
}

/// Hierarchical progressive filling (H-DRF) of the tree `nodes` below the
/// top-level children `top` into the capacity `cap`: a level `λ` rises from
/// 0 and each top-level node holds dominant share `w λ`; inside a node, its
/// children hold `w μ` at the node's own level `μ`, the largest at which
/// the node's summed allocation has the dominant share its parent gives
/// it; a leaf holds `min(share / δ, 1)` of its demand, in its demand's mix
/// (`δ` = the demand's dominant share). When a resource runs out, the
/// leaves needing it freeze; the others go on. Returns each leaf's
/// allocation (indexed like `nodes`; zero for inner nodes).
///
/// `counted[r]` says whether resource `r` counts in dominant shares (not
/// excluded from fair sharing); every resource counts as a capacity.
pub fn hierarchical_fill(
    nodes: &[FillNode],
    top: &[(usize, f64)],
    cap: &Shares,
    counted: &[bool; MAX_RESOURCE_KINDS],
) -> Vec<Shares> {
    let mut fill = Filling {
        nodes,
        counted,
        dom: vec![0.0; nodes.len()],
        frozen: vec![None; nodes.len()],
        floor: vec![[0.0; MAX_RESOURCE_KINDS]; nodes.len()],
    };
    for (i, n) in nodes.iter().enumerate() {
        if let FillNode::Leaf(d) = n {
            fill.dom[i] = fill.dominant(d);
            // A demand for a resource with no capacity cannot be met.
            if (0..MAX_RESOURCE_KINDS).any(|r| d[r] > 0.0 && cap[r] <= 0.0) {
                fill.frozen[i] = Some([0.0; MAX_RESOURCE_KINDS]);
            }
        }
    }
    let mut out = vec![[0.0f64; MAX_RESOURCE_KINDS]; nodes.len()];
    let mut lo = 0.0f64;
    // Each pass freezes at least one leaf.
    for _ in 0..=nodes.len() {
        let full = fill.sum(top, f64::INFINITY, &mut None);
        // Rounding in the sums must not stop demands that exactly fill
        // a resource from being met.
        if fits(&full, cap, 1e-12) {
            fill.sum(top, f64::INFINITY, &mut Some(&mut out));
            break;
        }
        let total = |l: f64| fill.sum(top, l, &mut None);
        // The level the last pass stopped at may not fit now: a node whose
        // share a frozen leaf holds up lets its other leaves jump there.
        // Then the jump starts from the state the last pass left.
        let jumped_here = !fits(&total(lo), cap, 0.0);
        let mut hi = if jumped_here { lo } else { (2.0 * lo).max(1.0) };
        let mut n = 0;
        while !jumped_here && fits(&total(hi), cap, 0.0) && n < 2000 {
            lo = hi;
            hi *= 2.0;
            n += 1;
        }
        for _ in 0..200 {
            let mid = lo + (hi - lo) / 2.0;
            if jumped_here || mid <= lo || mid >= hi {
                break;
            }
            if fits(&total(mid), cap, 0.0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let before = if jumped_here {
            // `out` holds the last pass's allocation.
            let mut s = [0.0f64; MAX_RESOURCE_KINDS];
            for (i, o) in out.iter().enumerate() {
                if matches!(nodes[i], FillNode::Leaf(_)) {
                    add(&mut s, o);
                }
            }
            s
        } else {
            fill.sum(top, lo, &mut Some(&mut out))
        };
        let mut over = total(hi);
        // A jump (a node whose share is held up by a frozen leaf lets its
        // other leaves grow at once) past a capacity: cut it where the
        // first resource runs out, every quantity moving in proportion.
        if (0..MAX_RESOURCE_KINDS).any(|r| over[r] > cap[r] && over[r] - before[r] > 1e-9) {
            let mut after = vec![[0.0f64; MAX_RESOURCE_KINDS]; nodes.len()];
            fill.sum(top, hi, &mut Some(&mut after));
            let mut cut = 1.0f64;
            for r in 0..MAX_RESOURCE_KINDS {
                if over[r] > cap[r] && over[r] > before[r] {
                    cut = cut.min((cap[r] - before[r]) / (over[r] - before[r]));
                }
            }
            let cut = cut.clamp(0.0, 1.0);
            for (o, a) in out.iter_mut().zip(&after) {
                for r in 0..MAX_RESOURCE_KINDS {
                    o[r] += cut * (a[r] - o[r]);
                }
            }
            for r in 0..MAX_RESOURCE_KINDS {
                let v = before[r] + cut * (over[r] - before[r]);
                // The resources the cut stops at are the ones run out.
                over[r] = if over[r] > cap[r] && v >= cap[r] * (1.0 - 1e-12) {
                    f64::INFINITY
                } else {
                    0.0
                };
            }
        }
        let full_r: Vec<bool> = (0..MAX_RESOURCE_KINDS).map(|r| over[r] > cap[r]).collect();
        let mut froze = false;
        for i in 0..nodes.len() {
            if let FillNode::Leaf(d) = &nodes[i] {
                if fill.growing(i) && (0..MAX_RESOURCE_KINDS).any(|r| full_r[r] && d[r] > 0.0) {
                    fill.frozen[i] = Some(out[i]);
                    froze = true;
                } else if fill.growing(i) {
                    fill.floor[i] = out[i];
                }
            }
        }
        if !froze {
            // Rounding left no resource over: settle everything here.
            for i in 0..nodes.len() {
                if fill.growing(i) {
                    fill.frozen[i] = Some(out[i]);
                }
            }
        }
    }
    out
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

/// The tree [`ideal`] fills and [`reference_problem`] states exactly.
struct RefTree {
    /// Per resource: counts in shares (not excluded from fair sharing and
    /// present in the cluster).
    counted: [bool; MAX_RESOURCE_KINDS],
    /// Clients first (node `i` = client `i`, its demand in fractions of
    /// the totals, zero when not selected), then roles and virtual leaves.
    nodes: Vec<FillNode>,
    top: Vec<(usize, f64)>,
    /// Whether each client takes part.
    selected: Vec<bool>,
}

/// The top-level roles, then child roles and the virtual `role/.` leaf
/// holding a role's own clients (weight 1, as in the Mesos sorter), and the
/// clients (weight 1) as leaves. Clients with no demand, or needing a
/// resource the cluster does not have, take no part.
fn ref_tree(view: &View, clients: &[Client]) -> RefTree {
    let totals = &view.totals();
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
    let selected: Vec<bool> = clients
        .iter()
        .map(|c| {
            let d = c.demand();
            !d.is_empty() && (0..MAX_RESOURCE_KINDS).all(|r| d.0[r] == 0 || totals.0[r] > 0)
        })
        .collect();
    let roles: Vec<RoleId> = clients.iter().map(|c| c.role).collect();
    let t = tree(view, &roles, &selected);
    let mut nodes: Vec<FillNode> = demand
        .iter()
        .zip(&selected)
        .map(|(d, &s)| FillNode::Leaf(if s { *d } else { [0.0; MAX_RESOURCE_KINDS] }))
        .collect();
    fn build(
        view: &View,
        t: &Tree,
        level: Vec<(Node, f64)>,
        nodes: &mut Vec<FillNode>,
    ) -> Vec<(usize, f64)> {
        level
            .into_iter()
            .map(|(node, w)| match node {
                Node::Client(c) => (c, w),
                other => {
                    let children = build(view, t, expand(view, t, other), nodes);
                    nodes.push(FillNode::Inner(children));
                    (nodes.len() - 1, w)
                }
            })
            .collect()
    }
    let top = build(view, &t, level(view, &t, None), &mut nodes);
    RefTree {
        counted,
        nodes,
        top,
        selected,
    }
}

/// The exact problem behind [`ideal`]: the same tree, each client a user
/// wanting at most one unit of its whole demand (held + pending), in the
/// resources' own units (milli-units), against the cluster's totals.
/// `fairshare::fill` on it gives the ideal DRF allocation exactly.
pub fn reference_problem(view: &View, clients: &[Client]) -> fairshare::Problem {
    use fairshare::{Node as QNode, Problem, User, Q};
    let totals = view.totals();
    let RefTree {
        counted,
        nodes,
        top,
        selected,
    } = ref_tree(view, clients);
    let int = |v: u64| Q::from_integer(v.into());
    let kinds = view.model.resources.len().min(MAX_RESOURCE_KINDS);
    let users = clients
        .iter()
        .zip(&selected)
        .map(|(c, &s)| {
            let d = c.demand();
            User {
                name: format!(
                    "{}/{}",
                    view.model.frameworks[c.framework.index()].id,
                    view.model.roles[c.role.index()].name
                ),
                unit: (0..kinds)
                    .map(|r| if s { int(d.0[r]) } else { Q::zero() })
                    .collect(),
                max_units: Some(Q::one()),
            }
        })
        .collect();
    let qnodes = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| match n {
            FillNode::Leaf(_) => QNode::User(i),
            FillNode::Inner(ch) => {
                QNode::Inner(ch.iter().map(|&(c, w)| (c, fairshare::q_f64(w))).collect())
            }
        })
        .collect();
    Problem {
        resources: view.model.resources.names()[..kinds].to_vec(),
        capacity: (0..kinds).map(|r| int(totals.0[r])).collect(),
        counted: counted[..kinds].to_vec(),
        users,
        nodes: qnodes,
        top: top
            .into_iter()
            .map(|(c, w)| (c, fairshare::q_f64(w)))
            .collect(),
    }
}

/// The ideal allocation by [`hierarchical_fill`] over the role tree: the
/// top-level roles, then child roles and the virtual `role/.` leaf holding
/// a role's own clients (weight 1, as in the Mesos sorter), and the clients
/// (weight 1) as leaves, each growing in its own demand's mix.
pub fn ideal(view: &View, clients: &[Client]) -> Ideal {
    let totals = &view.totals();
    let n_roles = view.model.roles.len();
    let RefTree {
        counted,
        nodes,
        top,
        ..
    } = ref_tree(view, clients);
    let mut cap = [0.0f64; MAX_RESOURCE_KINDS];
    for (r, c) in cap.iter_mut().enumerate() {
        *c = if totals.0[r] > 0 { 1.0 } else { 0.0 };
    }
    let mut client_alloc = hierarchical_fill(&nodes, &top, &cap, &counted);
    client_alloc.truncate(clients.len());
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
    for i in 0..view.model.frameworks.len() {
        let fw = FrameworkId(i as u32);
        if !view.framework_registered(fw) {
            continue;
        }
        let actual = view.framework_share(fw);
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

    /// Flat progressive filling: every user a top-level leaf. Returns, per
    /// user, the fraction of its demand it gets.
    fn water_fill(
        d: &[Shares],
        w: &[f64],
        cap: &Shares,
        counted: &[bool; MAX_RESOURCE_KINDS],
    ) -> Vec<f64> {
        let nodes: Vec<FillNode> = d.iter().map(|d| FillNode::Leaf(*d)).collect();
        let top: Vec<(usize, f64)> = w.iter().copied().enumerate().collect();
        let alloc = hierarchical_fill(&nodes, &top, cap, counted);
        (0..d.len())
            .map(|i| {
                let r = (0..MAX_RESOURCE_KINDS)
                    .filter(|&r| d[i][r] > 0.0)
                    .fold(0, |a, r| if d[i][r] > d[i][a] { r } else { a });
                if d[i][r] > 0.0 {
                    alloc[i][r] / d[i][r]
                } else {
                    0.0
                }
            })
            .collect()
    }

    #[test]
    fn drf_paper_example_in_one_role() {
        // The same two users as children of one role (a node with their
        // summed demand): each still grows in its own mix, to 2/3.
        let a = v(&[100.0 / 9.0, 400.0 / 18.0]);
        let b = v(&[300.0 / 9.0, 100.0 / 18.0]);
        let nodes = vec![
            FillNode::Leaf(a),
            FillNode::Leaf(b),
            FillNode::Inner(vec![(0, 1.0), (1, 1.0)]),
        ];
        let alloc = hierarchical_fill(&nodes, &[(2, 1.0)], &v(&[1.0, 1.0]), &counted(2));
        assert!((alloc[0][1] - 2.0 / 3.0).abs() < 1e-12, "{:?}", alloc[0]);
        assert!((alloc[0][0] - 1.0 / 3.0).abs() < 1e-12, "{:?}", alloc[0]);
        assert!((alloc[1][0] - 2.0 / 3.0).abs() < 1e-12, "{:?}", alloc[1]);
        assert!((alloc[1][1] - 1.0 / 9.0).abs() < 1e-12, "{:?}", alloc[1]);
    }

    #[test]
    fn nested_roles_split_by_weight_then_fill() {
        // Role x (weight 1) holds the DRF-paper pair; role y (weight 1) a
        // cpu-only user. cpus run out first: x's dominant share and y's
        // grow together. At level λ: y holds λ cpus; x holds dominant
        // share λ with A at μ, B at μ: (1.5μ cpu, 7/6 μ mem), so μ = 2λ/3
        // and cpus 2λ/3·1.5 + λ = 2λ = 1: λ = 1/2, A and B at 1/3 each.
        let a = v(&[100.0 / 9.0, 400.0 / 18.0]);
        let b = v(&[300.0 / 9.0, 100.0 / 18.0]);
        let c = v(&[10.0, 0.0]);
        let nodes = vec![
            FillNode::Leaf(a),
            FillNode::Leaf(b),
            FillNode::Leaf(c),
            FillNode::Inner(vec![(0, 1.0), (1, 1.0)]),
            FillNode::Inner(vec![(2, 1.0)]),
            // x one level deeper, to go through the bisection.
            FillNode::Inner(vec![(3, 1.0)]),
        ];
        let alloc = hierarchical_fill(&nodes, &[(5, 1.0), (4, 1.0)], &v(&[1.0, 1.0]), &counted(2));
        assert!((alloc[2][0] - 0.5).abs() < 1e-12, "{:?}", alloc[2]);
        assert!((alloc[0][1] - 1.0 / 3.0).abs() < 1e-12, "{:?}", alloc[0]);
        assert!((alloc[1][0] - 1.0 / 3.0).abs() < 1e-12, "{:?}", alloc[1]);
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
