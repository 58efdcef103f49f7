//! A hierarchical sorter usable on its own, with Mesos's sorter interface
//! (`src/master/allocator/mesos/sorter/sorter.hpp`): clients named by role
//! paths (`a`, `b/c`) are added, activated, charged allocations per agent,
//! and sorted.
//!
//! The bookkeeping follows Mesos's sorter tree: adding `a/c` under the leaf
//! `a` turns `a` into an internal node with a virtual leaf `a/.` that takes
//! over `a`'s allocation and allocation count; removing a client subtracts
//! its allocation from its ancestors (their counts stay) and collapses an
//! internal node left with only its `.` leaf back into a leaf. The order
//! comes from the allocator's level rule ([`RoleTree::level`]) and a
//! [`SortPolicy`], walked by [`sort_leaves`], the same recursion as the
//! allocator's role sorter (`master/sorting.rs`, which keeps its own copy
//! for now). The allocator does not use this
//! type (it keeps its own state in `master`); it is what lets the upstream
//! sorter tests run against mesosim's sorting (`tests/upstream_sorter.rs`).
//!
//! ```
//! use mesosim::cluster::resources::Quantities;
//! use mesosim::policy::{Drf, Sorter};
//! use mesosim::sim::rng::Stream;
//! use std::sync::Arc;
//!
//! let cpus = |n: u64| {
//!     let mut q = Quantities::ZERO;
//!     q.0[0] = n * 1000;
//!     q
//! };
//! let mut sorter = Sorter::new(Arc::new(Drf));
//! sorter.add_agent("agent", cpus(10));
//! for client in ["a", "b/c"] {
//!     sorter.add(client);
//!     sorter.activate(client);
//! }
//! sorter.allocated("a", "agent", cpus(2));
//! let order = sorter.sort(&mut Stream::new(1, "sorter"));
//! assert_eq!(order, vec!["b/c".to_string(), "a".to_string()]);
//! ```
//!
//! # Panics
//!
//! As Mesos's sorter `CHECK`s its preconditions (and aborts), the methods
//! panic when they are broken: a client or agent added twice; a client
//! (`remove`, `activate`, `deactivate`, `allocated`, `unallocated`,
//! `update`, `allocation`) or agent (`remove_agent`) the sorter does not
//! hold; taking back more than a client holds on an agent. These are
//! bugs of the caller, not input: [`Sorter::contains`] and
//! [`Sorter::allocation`] tell what the sorter holds first. No input file
//! reaches this type (the allocator keeps its own state).

use super::tree::Node as TreeNode;
use super::{
    checked_order, sort_by_key, ClientKind, PolicyRef, RoleTree, SortClient, SortCx, SortPolicy,
};
use crate::cluster::resources::Quantities;
use crate::sim::rng::Stream;
use crate::RoleId;
use std::collections::BTreeMap;

/// One node of the sorter tree.
#[derive(Clone, Debug, Default)]
struct Node {
    /// `None` for an internal node; `Some(active)` for a leaf (a client).
    leaf: Option<bool>,
    /// Allocation per agent (agents with nothing left are dropped).
    alloc: BTreeMap<String, Quantities>,
    /// Allocations made to the node's subtree; never decreases.
    count: u64,
}

impl Node {
    fn leaf() -> Node {
        Node {
            leaf: Some(false),
            ..Node::default()
        }
    }
    fn internal() -> Node {
        Node::default()
    }
    fn total(&self) -> Quantities {
        let mut q = Quantities::ZERO;
        for a in self.alloc.values() {
            q.add(a);
        }
        q
    }
    fn add(&mut self, agent: &str, q: &Quantities) {
        self.alloc.entry(agent.to_string()).or_default().add(q);
        self.count += 1;
    }
    /// Removes `q` from the agent's allocation; `None` if it does not hold
    /// that much there.
    fn subtract(&mut self, agent: &str, q: &Quantities) -> Option<()> {
        let held = self.alloc.get_mut(agent)?;
        *held = held.checked_sub(q)?;
        if held.is_empty() {
            self.alloc.remove(agent);
        }
        Some(())
    }
}

/// A hierarchical sorter over role paths: Mesos's sorter interface, ordered
/// by a [`SortPolicy`] exactly as the allocator's role sorter orders roles.
/// Misuse (an unknown client, a client added twice, taking away more than
/// was allocated) panics, as Mesos's `CHECK`s abort.
#[derive(Clone, Debug)]
pub struct Sorter {
    policy: PolicyRef,
    /// Tree nodes by path; the virtual leaf of `a` is `a/.`; the root is "".
    nodes: BTreeMap<String, Node>,
    weights: BTreeMap<String, f64>,
    agents: BTreeMap<String, Quantities>,
    excluded: u32,
}

fn child_path(parent: &str, token: &str) -> String {
    if parent.is_empty() {
        token.to_string()
    } else {
        format!("{parent}/{token}")
    }
}

fn parent_path(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

impl Sorter {
    /// An empty sorter ordering by `policy`.
    pub fn new(policy: PolicyRef) -> Sorter {
        let mut nodes = BTreeMap::new();
        nodes.insert(String::new(), Node::internal());
        Sorter {
            policy,
            nodes,
            weights: BTreeMap::new(),
            agents: BTreeMap::new(),
            excluded: 0,
        }
    }

    /// Leaves resources out of shares (bit `i` for resource `i`, as
    /// `master.fair_sharing_excluded`).
    pub fn set_excluded(&mut self, excluded: u32) {
        self.excluded = excluded;
    }

    fn children(&self, path: &str) -> Vec<String> {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k.is_empty() && !k[prefix.len()..].contains('/'))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The tree node holding a client: `a` itself, or `a/.` when `a` is
    /// also the parent of other clients.
    fn client_node(&self, client: &str) -> Option<String> {
        match self.nodes.get(client) {
            Some(n) if n.leaf.is_some() => Some(client.to_string()),
            Some(_) => {
                let virt = child_path(client, ".");
                self.nodes.contains_key(&virt).then_some(virt)
            }
            None => None,
        }
    }

    fn node_of(&self, client: &str) -> String {
        self.client_node(client)
            .unwrap_or_else(|| panic!("unknown sorter client `{client}`"))
    }

    /// Adds an inactive client (Mesos `Sorter::add`).
    pub fn add(&mut self, client: &str) {
        assert!(
            !client.is_empty() && self.client_node(client).is_none(),
            "sorter client `{client}` added twice"
        );
        let tokens: Vec<&str> = client.split('/').collect();
        let mut current = String::new();
        let mut next = 0;
        // Walk down while the path exists.
        loop {
            if next == tokens.len() {
                // `client` is an internal node already: its own leaf.
                self.nodes.insert(child_path(&current, "."), Node::leaf());
                return;
            }
            let node = &self.nodes[&current];
            if !current.is_empty() && node.leaf.is_some() {
                // A leaf gets a child: it becomes internal, its client
                // moves to `current/.` with its allocation and count.
                let moved = node.clone();
                self.nodes.insert(child_path(&current, "."), moved);
                let n = self.nodes.get_mut(&current).unwrap();
                n.leaf = None;
                break;
            }
            let child = child_path(&current, tokens[next]);
            if !self.nodes.contains_key(&child) {
                break;
            }
            current = child;
            next += 1;
        }
        // Create the rest of the path: internal nodes, then the leaf.
        for (i, token) in tokens.iter().enumerate().skip(next) {
            current = child_path(&current, token);
            let node = if i + 1 == tokens.len() {
                Node::leaf()
            } else {
                Node::internal()
            };
            self.nodes.insert(current.clone(), node);
        }
    }

    /// Removes a client; its allocation leaves its ancestors' (Mesos
    /// `Sorter::remove`).
    pub fn remove(&mut self, client: &str) {
        let mut current = self.node_of(client);
        let alloc = self.nodes[&current].alloc.clone();
        while !current.is_empty() {
            let parent = parent_path(&current).to_string();
            let p = self.nodes.get_mut(&parent).unwrap();
            for (agent, q) in &alloc {
                p.subtract(agent, q)
                    .unwrap_or_else(|| panic!("`{parent}` does not hold `{client}`'s allocation"));
            }
            let children = self.children(&current);
            if children.is_empty() {
                self.nodes.remove(&current);
            } else if children.len() == 1 && children[0] == child_path(&current, ".") {
                // Only the virtual leaf is left: collapse it into `current`.
                let virt = self.nodes.remove(&children[0]).unwrap();
                self.nodes.get_mut(&current).unwrap().leaf = virt.leaf;
            }
            current = parent;
        }
    }

    pub fn activate(&mut self, client: &str) {
        let node = self.node_of(client);
        self.nodes.get_mut(&node).unwrap().leaf = Some(true);
    }

    pub fn deactivate(&mut self, client: &str) {
        let node = self.node_of(client);
        self.nodes.get_mut(&node).unwrap().leaf = Some(false);
    }

    pub fn contains(&self, client: &str) -> bool {
        self.client_node(client).is_some()
    }

    /// The number of clients, active or not.
    pub fn count(&self) -> usize {
        self.nodes.values().filter(|n| n.leaf.is_some()).count()
    }

    /// Sets the weight of a role path, whether or not it is in the tree.
    pub fn update_weight(&mut self, path: &str, weight: f64) {
        self.weights.insert(path.to_string(), weight);
    }

    /// Adds an agent's resources to the total shares are computed against.
    pub fn add_agent(&mut self, agent: &str, total: Quantities) {
        let old = self.agents.insert(agent.to_string(), total);
        assert!(old.is_none(), "agent `{agent}` added twice");
    }

    pub fn remove_agent(&mut self, agent: &str) {
        self.agents
            .remove(agent)
            .unwrap_or_else(|| panic!("unknown agent `{agent}`"));
    }

    /// The sum of all agents' totals.
    pub fn total(&self) -> Quantities {
        let mut q = Quantities::ZERO;
        for a in self.agents.values() {
            q.add(a);
        }
        q
    }

    /// The client and all its ancestors, up to the root.
    fn path_to_root(&self, client: &str) -> Vec<String> {
        let mut out = vec![self.node_of(client)];
        while let Some(last) = out.last().filter(|p| !p.is_empty()) {
            let parent = parent_path(last).to_string();
            out.push(parent);
        }
        out
    }

    /// Charges an allocation on `agent` to the client and its ancestors;
    /// each one's allocation count goes up by one.
    pub fn allocated(&mut self, client: &str, agent: &str, q: Quantities) {
        for path in self.path_to_root(client) {
            self.nodes.get_mut(&path).unwrap().add(agent, &q);
        }
    }

    /// Takes back part of an allocation (counts stay).
    pub fn unallocated(&mut self, client: &str, agent: &str, q: Quantities) {
        for path in self.path_to_root(client) {
            self.nodes
                .get_mut(&path)
                .unwrap()
                .subtract(agent, &q)
                .unwrap_or_else(|| panic!("`{client}` does not hold that much on `{agent}`"));
        }
    }

    /// Replaces part of an allocation on `agent` (counts stay).
    pub fn update(&mut self, client: &str, agent: &str, old: Quantities, new: Quantities) {
        for path in self.path_to_root(client) {
            let node = self.nodes.get_mut(&path).unwrap();
            node.subtract(agent, &old)
                .unwrap_or_else(|| panic!("`{client}` does not hold that much on `{agent}`"));
            if !new.is_empty() {
                node.alloc.entry(agent.to_string()).or_default().add(&new);
            }
        }
    }

    /// The client's allocation per agent.
    pub fn allocation(&self, client: &str) -> &BTreeMap<String, Quantities> {
        &self.nodes[&self.node_of(client)].alloc
    }

    /// The client's allocation on one agent.
    pub fn allocation_on(&self, client: &str, agent: &str) -> Quantities {
        self.allocation(client)
            .get(agent)
            .copied()
            .unwrap_or(Quantities::ZERO)
    }

    /// The client's allocation over all agents.
    pub fn allocation_quantities(&self, client: &str) -> Quantities {
        self.nodes[&self.node_of(client)].total()
    }

    /// Everything allocated to all clients.
    pub fn total_allocation(&self) -> Quantities {
        self.nodes[""].total()
    }

    /// The active clients in the policy's order. Inactive clients stay in
    /// the tree (their allocations count for their ancestors) but are not
    /// listed; a subtree without active clients is left out of its level.
    pub fn sort(&self, rng: &mut Stream) -> Vec<String> {
        // Role ids for the tree's non-virtual nodes; a parent sorts before
        // its children (a prefix sorts first).
        let paths: Vec<&String> = self
            .nodes
            .keys()
            .filter(|k| !k.is_empty() && !k.ends_with("/.") && k.as_str() != ".")
            .collect();
        let id = |p: &str| paths.binary_search_by(|x| x.as_str().cmp(p)).ok();
        let tree = RoleTree::new(paths.iter().map(|p| {
            let parent = parent_path(p);
            (!parent.is_empty()).then(|| RoleId(id(parent).unwrap() as u32))
        }));
        let totals: Vec<Quantities> = paths.iter().map(|p| self.nodes[*p].total()).collect();
        let virt: Vec<Option<(String, Quantities)>> = paths
            .iter()
            .map(|p| {
                let v = child_path(p, ".");
                self.nodes.get(&v).map(|n| (v, n.total()))
            })
            .collect();
        let weights: Vec<f64> = paths
            .iter()
            .map(|p| self.weights.get(*p).copied().unwrap_or(1.0))
            .collect();
        // Whether a node's subtree holds an active client.
        let mut active = vec![false; paths.len()];
        for (i, p) in paths.iter().enumerate().rev() {
            let own = match self.nodes[*p].leaf {
                Some(a) => a,
                None => virt[i]
                    .as_ref()
                    .is_some_and(|(v, _)| self.nodes[v].leaf == Some(true)),
            };
            if own {
                active[i] = true;
            }
            if active[i] {
                if let Some(parent) = tree.parent(RoleId(i as u32)) {
                    active[parent.index()] = true;
                }
            }
        }
        let own_active = |r: RoleId| {
            virt[r.index()]
                .as_ref()
                .is_some_and(|(v, _)| self.nodes[v].leaf == Some(true))
        };
        let last = |p: &'_ str| -> usize { p.rfind('/').map_or(0, |i| i + 1) };
        let level = |parent: Option<RoleId>| -> Vec<SortClient<'_>> {
            tree.level(parent, |c| active[c.index()], own_active)
                .into_iter()
                .map(|node| match node {
                    TreeNode::Role(c) => {
                        let p = paths[c.index()];
                        SortClient {
                            kind: ClientKind::Role(c),
                            allocation: &totals[c.index()],
                            weight: weights[c.index()],
                            count: self.nodes[p].count,
                            name: &p[last(p)..],
                            // The Mesos sorter interface knows neither.
                            registered: 0,
                            priority: 0,
                        }
                    }
                    TreeNode::OwnLeaf(p) => {
                        let (v, q) = virt[p.index()].as_ref().unwrap();
                        SortClient {
                            kind: ClientKind::OwnLeaf(p),
                            allocation: q,
                            weight: 1.0,
                            count: self.nodes[v].count,
                            name: ".",
                            registered: 0,
                            priority: 0,
                        }
                    }
                })
                .collect()
        };
        let descend = |r: RoleId| {
            !tree
                .level(Some(r), |c| active[c.index()], own_active)
                .is_empty()
        };
        let total = self.total();
        let cx = SortCx::new(&total, self.excluded);
        sort_leaves(&*self.policy, &cx, rng, &level, &descend)
            .into_iter()
            .map(|c| match c.kind {
                ClientKind::Role(r) | ClientKind::OwnLeaf(r) => paths[r.index()].clone(),
                ClientKind::Framework(..) => unreachable!("a role tree has no frameworks"),
            })
            .collect()
    }
}

/// The leaf clients of a hierarchical sorter in its policy's order — the
/// one recursion behind the allocator's role sorter and the standalone
/// [`super::Sorter`]. `level(parent)` gives one level of the tree (the
/// top level for `None`), as [`RoleTree::level`] builds it; `descend(role)`
/// says whether a role of a level is an internal node whose level is
/// sorted in turn (otherwise it is a leaf).
///
/// A policy that sorts by key ([`SortPolicy::key`]) sorts each level by
/// key, allocation count and name and walks the tree in pre-order (Mesos
/// `DRFSorter::sort`). A policy that orders all clients at once
/// ([`SortPolicy::orders_whole`]) gets every leaf with its relative weight,
/// Rw(parent) · w(node) / Σ w(the level), and orders them in one go (Mesos
/// `RandomSorter::sort`).
pub fn sort_leaves<'a>(
    policy: &dyn SortPolicy,
    cx: &SortCx<'_>,
    rng: &mut Stream,
    level: &dyn Fn(Option<RoleId>) -> Vec<SortClient<'a>>,
    descend: &dyn Fn(RoleId) -> bool,
) -> Vec<SortClient<'a>> {
    let mut out = Vec::new();
    if policy.orders_whole() {
        let mut leaves = Vec::new();
        relative_weights(level, descend, None, 1.0, &mut leaves);
        for i in checked_order(policy, policy.order(&leaves, cx, rng), leaves.len()) {
            out.push(leaves[i]);
        }
    } else {
        visit_by_key(policy, cx, level, descend, None, &mut out);
    }
    out
}

fn visit_by_key<'a>(
    policy: &dyn SortPolicy,
    cx: &SortCx<'_>,
    level: &dyn Fn(Option<RoleId>) -> Vec<SortClient<'a>>,
    descend: &dyn Fn(RoleId) -> bool,
    parent: Option<RoleId>,
    out: &mut Vec<SortClient<'a>>,
) {
    for (_, c) in sort_by_key(policy, level(parent), cx) {
        match c.kind {
            ClientKind::Role(r) if descend(r) => {
                visit_by_key(policy, cx, level, descend, Some(r), out)
            }
            _ => out.push(c),
        }
    }
}

/// The leaf clients with their relative weights, as Mesos's random sorter
/// computes them: Rw(parent) · w(node) / Σ w(siblings with clients, itself
/// included), down the tree.
fn relative_weights<'a>(
    level: &dyn Fn(Option<RoleId>) -> Vec<SortClient<'a>>,
    descend: &dyn Fn(RoleId) -> bool,
    parent: Option<RoleId>,
    parent_rw: f64,
    leaves: &mut Vec<SortClient<'a>>,
) {
    let clients = level(parent);
    let total: f64 = clients.iter().map(|e| e.weight).sum();
    for mut c in clients {
        let rw = parent_rw * c.weight / total;
        match c.kind {
            ClientKind::Role(r) if descend(r) => {
                relative_weights(level, descend, Some(r), rw, leaves)
            }
            _ => {
                c.weight = rw;
                leaves.push(c);
            }
        }
    }
}
