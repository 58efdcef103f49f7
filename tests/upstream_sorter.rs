//! Ports of Mesos's DRF sorter tests (`src/tests/sorter_tests.cpp` at
//! c1b42f79d157), each under its upstream name, asserting the orders the
//! upstream test asserts. They run against mesosim's sorting policy — the
//! DRF policy through the public `SortPolicy` trait (`policy::Drf`: share ÷
//! weight, allocation count, name, with Mesos's share arithmetic) — over flat
//! clients. `Flat` below is only the bookkeeping a sorter keeps (clients,
//! their allocations and counts, the total); the order comes from the
//! policy. The hierarchical tests run against `policy::Sorter`, a
//! sorter with Mesos's interface whose order comes from the allocator's
//! role-tree level rule and policy (`policy::sorter::sort_leaves`); the
//! `CommonSorterTest` ones run for both sorters, DRF and random, as upstream
//! runs them for both. Resources are scalars here (mesosim models no
//! ranges), so `ports` of the upstream tests are left out.

use mesosim::cluster::resources::Quantities;
use mesosim::policy::{
    weighted_shuffle, ClientKind, Drf, PolicyRef, Random, SortClient, SortCx, SortPolicy, Sorter,
};
use mesosim::sim::rng::Stream;
use mesosim::{FrameworkId, RoleId};
use std::sync::Arc;

/// Resource names of these tests, in index order.
const NAMES: [&str; 3] = ["cpus", "mem", "disk"];

/// `cpus:5;mem:5` → quantities (milli-units).
fn q(text: &str) -> Quantities {
    let mut out = Quantities::ZERO;
    for part in text.split(';') {
        let (name, value) = part.split_once(':').unwrap();
        let i = NAMES.iter().position(|n| *n == name).unwrap();
        let v: f64 = value.parse().unwrap();
        out.0[i] += (v * 1000.0).round() as u64;
    }
    out
}

struct Client {
    name: String,
    active: bool,
    weight: f64,
    alloc: Quantities,
    count: u64,
}

/// A flat sorter's state; `sort` is mesosim's DRF policy.
#[derive(Default)]
struct Flat {
    total: Quantities,
    clients: Vec<Client>,
}

impl Flat {
    fn add(&mut self, name: &str) {
        self.clients.push(Client {
            name: name.to_string(),
            active: false,
            weight: 1.0,
            alloc: Quantities::ZERO,
            count: 0,
        });
    }
    fn get(&mut self, name: &str) -> &mut Client {
        self.clients.iter_mut().find(|c| c.name == name).unwrap()
    }
    fn activate(&mut self, name: &str) {
        self.get(name).active = true;
    }
    fn deactivate(&mut self, name: &str) {
        self.get(name).active = false;
    }
    fn remove(&mut self, name: &str) {
        self.clients.retain(|c| c.name != name);
    }
    fn update_weight(&mut self, name: &str, w: f64) {
        self.get(name).weight = w;
    }
    fn allocated(&mut self, name: &str, res: &str) {
        let c = self.get(name);
        c.alloc.add(&q(res));
        c.count += 1;
    }
    fn unallocated(&mut self, name: &str, res: &str) {
        let c = self.get(name);
        c.alloc = c.alloc.checked_sub(&q(res)).unwrap();
    }
    /// `update(client, old, new)`: the allocation changes, the count does not.
    fn update(&mut self, name: &str, old: &str, new: &str) {
        let c = self.get(name);
        c.alloc = c.alloc.checked_sub(&q(old)).unwrap();
        c.alloc.add(&q(new));
    }
    fn set_total(&mut self, total: &str) {
        self.total = q(total);
    }
    fn sort(&self) -> Vec<String> {
        let active: Vec<&Client> = self.clients.iter().filter(|c| c.active).collect();
        let clients: Vec<SortClient<'_>> = active
            .iter()
            .enumerate()
            .map(|(i, c)| SortClient {
                kind: ClientKind::Framework(FrameworkId(i as u32), RoleId(0)),
                allocation: &c.alloc,
                weight: c.weight,
                count: c.count,
                name: &c.name,
                registered: 0,
                priority: 0,
            })
            .collect();
        let cx = SortCx::new(&self.total, 0);
        let mut rng = Stream::new(0, "upstream-sorter");
        Drf.order(&clients, &cx, &mut rng)
            .into_iter()
            .map(|i| active[i].name.clone())
            .collect()
    }
}

fn order(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn added(sorter: &mut Flat, names: &[&str]) {
    for n in names {
        sorter.add(n);
        sorter.activate(n);
    }
}

/// Upstream `DRFSorterTest.DRF` (sorter_tests.cpp:239).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_DRF() {
    let mut s = Flat::default();
    s.set_total("cpus:100;mem:100");
    assert_eq!(s.sort(), order(&[]));
    added(&mut s, &["a"]);
    s.allocated("a", "cpus:5;mem:5");
    added(&mut s, &["b"]);
    s.allocated("b", "cpus:6;mem:6");
    assert_eq!(s.sort(), order(&["a", "b"]));
    added(&mut s, &["c"]);
    s.allocated("c", "cpus:1;mem:1");
    added(&mut s, &["d"]);
    s.allocated("d", "cpus:3;mem:1");
    assert_eq!(s.sort(), order(&["c", "d", "a", "b"]));
    s.remove("a");
    s.unallocated("b", "cpus:4;mem:4");
    assert_eq!(s.sort(), order(&["c", "b", "d"]));
    added(&mut s, &["e"]);
    s.allocated("e", "cpus:1;mem:5");
    s.set_total("cpus:50;mem:100");
    assert_eq!(s.sort(), order(&["c", "b", "e", "d"]));
    s.set_total("cpus:50;mem:200");
    added(&mut s, &["f"]);
    s.allocated("f", "cpus:5;mem:1");
    s.allocated("c", "cpus:0;mem:15");
    assert_eq!(s.sort(), order(&["e", "b", "d", "c", "f"]));
    assert_eq!(s.clients.len(), 5);
    s.deactivate("d");
    assert_eq!(s.sort(), order(&["e", "b", "c", "f"]));
    assert_eq!(s.clients.len(), 5);
    s.activate("d");
    assert_eq!(s.sort(), order(&["e", "b", "d", "c", "f"]));
}

/// Upstream `DRFSorterTest.WDRF` (sorter_tests.cpp:329).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_WDRF() {
    let mut s = Flat::default();
    s.set_total("cpus:100;mem:100");
    added(&mut s, &["a"]);
    s.allocated("a", "cpus:5;mem:5");
    added(&mut s, &["b"]);
    s.update_weight("b", 2.0);
    s.allocated("b", "cpus:6;mem:6");
    assert_eq!(s.sort(), order(&["b", "a"]));
    added(&mut s, &["c"]);
    s.allocated("c", "cpus:4;mem:4");
    assert_eq!(s.sort(), order(&["b", "c", "a"]));
    added(&mut s, &["d"]);
    s.update_weight("d", 10.0);
    s.allocated("d", "cpus:10;mem:20");
    assert_eq!(s.sort(), order(&["d", "b", "c", "a"]));
    s.remove("b");
    assert_eq!(s.sort(), order(&["d", "c", "a"]));
    s.allocated("d", "cpus:10;mem:25");
    assert_eq!(s.sort(), order(&["c", "d", "a"]));
    added(&mut s, &["e"]);
    s.update_weight("e", 0.1);
    s.allocated("e", "cpus:1;mem:1");
    assert_eq!(s.sort(), order(&["c", "d", "a", "e"]));
    s.remove("a");
    assert_eq!(s.sort(), order(&["c", "d", "e"]));
}

/// Upstream `DRFSorterTest.UpdateWeight` (sorter_tests.cpp:389).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_UpdateWeight() {
    let mut s = Flat::default();
    s.set_total("cpus:100;mem:100");
    added(&mut s, &["a"]);
    s.allocated("a", "cpus:5;mem:5");
    added(&mut s, &["b"]);
    s.allocated("b", "cpus:6;mem:6");
    assert_eq!(s.sort(), order(&["a", "b"]));
    s.update_weight("b", 2.0);
    assert_eq!(s.sort(), order(&["b", "a"]));
}

/// Upstream `DRFSorterTest.AllocationCountTieBreak` (sorter_tests.cpp:419).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_AllocationCountTieBreak() {
    let mut s = Flat::default();
    s.set_total("cpus:100;mem:100");
    for n in ["a", "b", "c", "d", "e"] {
        s.add(n);
    }
    for n in ["a", "b", "c", "d", "e"] {
        s.activate(n);
    }
    s.allocated("a", "cpus:3;mem:3");
    s.allocated("b", "cpus:3;mem:3");
    s.allocated("c", "cpus:1;mem:1");
    s.allocated("c", "cpus:1;mem:1");
    s.allocated("c", "cpus:1;mem:1");
    s.allocated("d", "cpus:2;mem:2");
    s.allocated("d", "cpus:1;mem:1");
    s.allocated("e", "cpus:3;mem:3");
    assert_eq!(s.sort(), order(&["a", "b", "e", "d", "c"]));
    s.unallocated("c", "cpus:3;mem:3");
    assert_eq!(s.sort(), order(&["c", "a", "b", "e", "d"]));
    s.allocated("c", "cpus:3;mem:3");
    assert_eq!(s.sort(), order(&["a", "b", "e", "d", "c"]));
    s.deactivate("c");
    s.activate("c");
    assert_eq!(s.sort(), order(&["a", "b", "e", "d", "c"]));
    s.unallocated("c", "cpus:3;mem:3");
    s.allocated("c", "cpus:3;mem:3");
    assert_eq!(s.sort(), order(&["a", "b", "e", "d", "c"]));
    s.deactivate("a");
    s.unallocated("a", "cpus:1;mem:3");
    s.allocated("a", "cpus:1;mem:3");
    assert_eq!(s.sort(), order(&["b", "e", "d", "c"]));
    s.activate("a");
    assert_eq!(s.sort(), order(&["b", "e", "a", "d", "c"]));
}

/// Upstream `DRFSorterTest.UpdateTotal` (sorter_tests.cpp:1423).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_UpdateTotal() {
    let mut s = Flat::default();
    for n in ["a", "b"] {
        s.add(n);
        s.activate(n);
    }
    s.set_total("cpus:10;mem:100");
    s.allocated("a", "cpus:2;mem:1");
    s.allocated("b", "cpus:1;mem:2");
    assert_eq!(s.sort(), order(&["b", "a"]));
    s.set_total("cpus:100;mem:10");
    assert_eq!(s.sort(), order(&["a", "b"]));
}

/// Upstream `DRFSorterTest.RemoveResources` (sorter_tests.cpp:1501).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_RemoveResources() {
    let mut s = Flat::default();
    for n in ["a", "b"] {
        s.add(n);
        s.activate(n);
    }
    s.set_total("cpus:10");
    s.allocated("a", "cpus:6");
    s.allocated("b", "cpus:4");
    assert_eq!(s.sort(), order(&["b", "a"]));
    s.set_total("cpus:5");
    s.update("a", "cpus:6", "cpus:1");
    assert_eq!(s.sort(), order(&["a", "b"]));
}

/// Upstream `DRFSorterTest.MultipleSlavesUpdateTotal` (sorter_tests.cpp:1460):
/// the total is the sum over two agents, then one agent grows.
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_MultipleSlavesUpdateTotal() {
    let mut s = Flat::default();
    for n in ["a", "b"] {
        s.add(n);
        s.activate(n);
    }
    let mut total = q("cpus:5;mem:50");
    total.add(&q("cpus:5;mem:50"));
    s.total = total;
    s.allocated("a", "cpus:2;mem:1");
    s.allocated("b", "cpus:1;mem:3");
    assert_eq!(s.sort(), order(&["b", "a"]));
    let mut total = q("cpus:95;mem:50");
    total.add(&q("cpus:5;mem:50"));
    s.total = total;
    assert_eq!(s.sort(), order(&["a", "b"]));
}

// ---------------------------------------------------------------------------
// Hierarchical and common sorter tests, against `policy::Sorter`.

const AGENT: &str = "agentId";

fn sorter_with(policy: PolicyRef, total: &str) -> Sorter {
    let mut s = Sorter::new(policy);
    if !total.is_empty() {
        s.add_agent(AGENT, q(total));
    }
    s
}

fn drf(total: &str) -> Sorter {
    sorter_with(Arc::new(Drf), total)
}

/// Both sorters, for the `CommonSorterTest` ports.
fn both(total: &str) -> Vec<(&'static str, Sorter)> {
    vec![
        ("drf", sorter_with(Arc::new(Drf), total)),
        ("random", sorter_with(Arc::new(Random), total)),
    ]
}

fn sorted(s: &Sorter) -> Vec<String> {
    s.sort(&mut Stream::new(7, "upstream-sorter"))
}

/// `sort()` with its output sorted by name (upstream compares contents only).
fn content(s: &Sorter) -> Vec<String> {
    let mut v = sorted(s);
    v.sort();
    v
}

fn add_active(s: &mut Sorter, client: &str) {
    s.add(client);
    s.activate(client);
}

fn alloc(s: &mut Sorter, client: &str, res: &str) {
    s.allocated(client, AGENT, q(res));
}

/// The `DRFSorterTest.DRF` sequence with each client renamed by `name`:
/// upstream's `ShallowHierarchy` and `DeepHierarchy`.
fn drf_sequence(name: impl Fn(&str) -> String) {
    let n = |c: &str| name(c);
    let o = |cs: &[&str]| cs.iter().map(|c| name(c)).collect::<Vec<String>>();
    let mut s = drf("cpus:100;mem:100");
    add_active(&mut s, &n("a"));
    alloc(&mut s, &n("a"), "cpus:5;mem:5");
    add_active(&mut s, &n("b"));
    alloc(&mut s, &n("b"), "cpus:6;mem:6");
    assert_eq!(sorted(&s), o(&["a", "b"]));
    add_active(&mut s, &n("c"));
    alloc(&mut s, &n("c"), "cpus:1;mem:1");
    add_active(&mut s, &n("d"));
    alloc(&mut s, &n("d"), "cpus:3;mem:1");
    assert_eq!(sorted(&s), o(&["c", "d", "a", "b"]));
    s.remove(&n("a"));
    s.unallocated(&n("b"), AGENT, q("cpus:4;mem:4"));
    assert_eq!(sorted(&s), o(&["c", "b", "d"]));
    add_active(&mut s, &n("e"));
    alloc(&mut s, &n("e"), "cpus:1;mem:5");
    s.remove_agent(AGENT);
    s.add_agent(AGENT, q("cpus:50;mem:100"));
    assert_eq!(sorted(&s), o(&["c", "b", "e", "d"]));
    s.remove_agent(AGENT);
    s.add_agent(AGENT, q("cpus:50;mem:200"));
    add_active(&mut s, &n("f"));
    alloc(&mut s, &n("f"), "cpus:5;mem:1");
    alloc(&mut s, &n("c"), "cpus:0;mem:15");
    assert_eq!(sorted(&s), o(&["e", "b", "d", "c", "f"]));
    assert!(s.contains(&n("b")));
    assert!(!s.contains(&n("a")));
    assert_eq!(s.count(), 5);
    s.deactivate(&n("d"));
    assert!(s.contains(&n("d")));
    assert_eq!(sorted(&s), o(&["e", "b", "c", "f"]));
    assert_eq!(s.count(), 5);
    s.activate(&n("d"));
    assert_eq!(sorted(&s), o(&["e", "b", "d", "c", "f"]));
}

/// Upstream `DRFSorterTest.ShallowHierarchy` (sorter_tests.cpp:500).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_ShallowHierarchy() {
    drf_sequence(|c| format!("{c}/{c}"));
}

/// Upstream `DRFSorterTest.DeepHierarchy` (sorter_tests.cpp:592): clients
/// at different depths.
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_DeepHierarchy() {
    let depth = |c: &str| match c {
        "a" => 5,
        "b" => 4,
        "c" => 3,
        "d" | "f" => 2,
        "e" => 6,
        _ => unreachable!(),
    };
    drf_sequence(|c| vec![c; depth(c)].join("/"));
}

/// Upstream `DRFSorterTest.HierarchicalAllocation` (sorter_tests.cpp:685).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_HierarchicalAllocation() {
    let mut s = drf("cpus:100;mem:100");
    s.add("a");
    s.add("b/c");
    s.add("b/d");
    s.activate("a");
    s.activate("b/c");
    s.activate("b/d");
    assert_eq!(s.count(), 3);
    assert!(s.contains("a"));
    assert!(!s.contains("b"));
    assert!(s.contains("b/c"));
    assert!(s.contains("b/d"));
    assert_eq!(sorted(&s), order(&["a", "b/c", "b/d"]));
    alloc(&mut s, "a", "cpus:6;mem:6");
    assert_eq!(sorted(&s), order(&["b/c", "b/d", "a"]));
    alloc(&mut s, "b/c", "cpus:4;mem:4");
    alloc(&mut s, "b/d", "cpus:3;mem:3");
    assert_eq!(sorted(&s), order(&["a", "b/d", "b/c"]));
    assert_eq!(s.allocation_on("a", AGENT), q("cpus:6;mem:6"));
    assert_eq!(s.allocation_on("b/c", AGENT), q("cpus:4;mem:4"));
    assert_eq!(s.allocation_on("b/d", AGENT), q("cpus:3;mem:3"));
    assert_eq!(s.allocation_quantities("a"), q("cpus:6;mem:6"));
    assert_eq!(s.allocation_quantities("b/c"), q("cpus:4;mem:4"));
    assert_eq!(s.allocation_quantities("b/d"), q("cpus:3;mem:3"));
    assert_eq!(s.total_allocation(), q("cpus:13;mem:13"));
    alloc(&mut s, "a", "cpus:2;mem:2");
    assert_eq!(sorted(&s), order(&["b/d", "b/c", "a"]));
    add_active(&mut s, "b/e/f");
    assert!(!s.contains("b/e"));
    assert!(s.contains("b/e/f"));
    assert_eq!(sorted(&s), order(&["b/e/f", "b/d", "b/c", "a"]));
    alloc(&mut s, "b/e/f", "cpus:3.5;mem:3.5");
    assert_eq!(sorted(&s), order(&["a", "b/d", "b/e/f", "b/c"]));
    s.remove("b/e/f");
    assert!(!s.contains("b/e/f"));
    assert_eq!(s.count(), 3);
    assert_eq!(sorted(&s), order(&["b/d", "b/c", "a"]));
    s.update("b/c", AGENT, q("cpus:4;mem:4"), q("cpus:1;mem:1"));
    assert_eq!(sorted(&s), order(&["b/c", "b/d", "a"]));
    add_active(&mut s, "b/e/f");
    alloc(&mut s, "b/e/f", "cpus:3.5;mem:3.5");
    assert_eq!(sorted(&s), order(&["b/c", "b/d", "b/e/f", "a"]));
    assert_eq!(s.count(), 4);
}

/// Upstream `DRFSorterTest.HierarchicalIterationOrder` (sorter_tests.cpp:798).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_HierarchicalIterationOrder() {
    let mut s = drf("cpus:100;mem:100");
    for c in ["a/b", "c", "d", "d/e"] {
        s.add(c);
    }
    for c in ["a/b", "c", "d", "d/e"] {
        s.activate(c);
    }
    assert_eq!(sorted(&s), order(&["a/b", "c", "d", "d/e"]));
    alloc(&mut s, "c", "cpus:8;mem:8");
    assert_eq!(sorted(&s), order(&["a/b", "d", "d/e", "c"]));
    alloc(&mut s, "d", "cpus:3;mem:3");
    alloc(&mut s, "d/e", "cpus:2;mem:2");
    assert_eq!(sorted(&s), order(&["a/b", "d/e", "d", "c"]));
    alloc(&mut s, "a/b", "cpus:6;mem:6");
    assert_eq!(sorted(&s), order(&["d/e", "d", "a/b", "c"]));
}

/// Upstream `DRFSorterTest.AddChildToLeaf` (sorter_tests.cpp:845).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_AddChildToLeaf() {
    let mut s = drf("cpus:100;mem:100");
    add_active(&mut s, "a");
    alloc(&mut s, "a", "cpus:10;mem:10");
    add_active(&mut s, "b");
    alloc(&mut s, "b", "cpus:6;mem:6");
    assert_eq!(sorted(&s), order(&["b", "a"]));
    add_active(&mut s, "a/c");
    alloc(&mut s, "a/c", "cpus:5;mem:5");
    assert_eq!(sorted(&s), order(&["b", "a/c", "a"]));
    s.remove("a");
    assert!(!s.contains("a"));
    assert_eq!(sorted(&s), order(&["a/c", "b"]));
    add_active(&mut s, "a");
    alloc(&mut s, "a", "cpus:10;mem:10");
    assert!(s.contains("a"));
    assert_eq!(sorted(&s), order(&["b", "a/c", "a"]));
    s.update_weight("a/c", 0.2);
    assert_eq!(sorted(&s), order(&["b", "a", "a/c"]));
    s.update_weight("a", 3.0);
    assert_eq!(sorted(&s), order(&["a", "a/c", "b"]));
    s.update_weight("a/c", 1.0);
    assert_eq!(sorted(&s), order(&["a/c", "a", "b"]));
}

/// Upstream `DRFSorterTest.AddChildToInternal` (sorter_tests.cpp:916).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_AddChildToInternal() {
    let mut s = drf("cpus:100;mem:100");
    add_active(&mut s, "x/a");
    alloc(&mut s, "x/a", "cpus:10;mem:10");
    add_active(&mut s, "x/b");
    alloc(&mut s, "x/b", "cpus:6;mem:6");
    assert_eq!(sorted(&s), order(&["x/b", "x/a"]));
    add_active(&mut s, "x");
    alloc(&mut s, "x", "cpus:7;mem:7");
    assert_eq!(sorted(&s), order(&["x/b", "x", "x/a"]));
    add_active(&mut s, "z");
    alloc(&mut s, "z", "cpus:20;mem:20");
    assert_eq!(sorted(&s), order(&["z", "x/b", "x", "x/a"]));
    s.remove("x");
    assert_eq!(sorted(&s), order(&["x/b", "x/a", "z"]));
}

/// Upstream `DRFSorterTest.AddChildToInactiveLeaf` (sorter_tests.cpp:959).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_AddChildToInactiveLeaf() {
    let mut s = drf("cpus:100;mem:100");
    add_active(&mut s, "a");
    alloc(&mut s, "a", "cpus:10;mem:10");
    add_active(&mut s, "b");
    alloc(&mut s, "b", "cpus:6;mem:6");
    s.deactivate("a");
    assert_eq!(sorted(&s), order(&["b"]));
    add_active(&mut s, "a/c");
    alloc(&mut s, "a/c", "cpus:5;mem:5");
    assert_eq!(sorted(&s), order(&["b", "a/c"]));
}

/// Upstream `CommonSorterTest.RemoveLeafCollapseParent` (sorter_tests.cpp:994),
/// for both sorters.
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_RemoveLeafCollapseParent() {
    for (policy, mut s) in both("cpus:100;mem:100") {
        add_active(&mut s, "a");
        alloc(&mut s, "a", "cpus:10;mem:10");
        add_active(&mut s, "b");
        alloc(&mut s, "b", "cpus:6;mem:6");
        add_active(&mut s, "a/c");
        alloc(&mut s, "a/c", "cpus:5;mem:5");
        assert_eq!(content(&s), order(&["a", "a/c", "b"]), "{policy}");
        s.remove("a/c");
        assert_eq!(content(&s), order(&["a", "b"]), "{policy}");
    }
}

/// Upstream `CommonSorterTest.RemoveLeafCollapseParentInactive`
/// (sorter_tests.cpp:1039), for both sorters: the collapsed parent keeps
/// its client's inactive flag.
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_RemoveLeafCollapseParentInactive() {
    for (policy, mut s) in both("cpus:100;mem:100") {
        add_active(&mut s, "a");
        alloc(&mut s, "a", "cpus:10;mem:10");
        add_active(&mut s, "b");
        alloc(&mut s, "b", "cpus:6;mem:6");
        add_active(&mut s, "a/c");
        alloc(&mut s, "a/c", "cpus:5;mem:5");
        s.deactivate("a");
        assert_eq!(content(&s), order(&["a/c", "b"]), "{policy}");
        s.remove("a/c");
        assert_eq!(sorted(&s), order(&["b"]), "{policy}");
    }
}

/// Upstream `DRFSorterTest.ChangeWeightOnSubtree` (sorter_tests.cpp:1080).
#[test]
#[allow(non_snake_case)]
fn DRFSorterTest_ChangeWeightOnSubtree() {
    let mut s = drf("cpus:100;mem:100");
    s.update_weight("b", 3.0);
    s.update_weight("a", 2.0);
    s.add("a/x");
    s.add("b/y");
    s.activate("a/x");
    s.activate("b/y");
    assert_eq!(sorted(&s), order(&["a/x", "b/y"]));
    alloc(&mut s, "a/x", "cpus:10;mem:10");
    alloc(&mut s, "b/y", "cpus:10;mem:10");
    assert_eq!(sorted(&s), order(&["b/y", "a/x"]));
    add_active(&mut s, "b/z");
    alloc(&mut s, "b/z", "cpus:5;mem:5");
    assert_eq!(sorted(&s), order(&["b/z", "b/y", "a/x"]));
    add_active(&mut s, "b");
    alloc(&mut s, "b", "cpus:4;mem:4");
    assert_eq!(sorted(&s), order(&["a/x", "b", "b/z", "b/y"]));
    add_active(&mut s, "a/zz");
    alloc(&mut s, "a/zz", "cpus:2;mem:2");
    assert_eq!(sorted(&s), order(&["a/zz", "a/x", "b", "b/z", "b/y"]));
}

/// Upstream `CommonSorterTest.UpdateAllocation` (sorter_tests.cpp:1168), for
/// both sorters. Upstream's update is CREATE of a persistent volume, which
/// changes the resources' identity but not their quantities; mesosim's
/// sorter holds quantities only, so the update here is quantity-preserving,
/// and the assertions are upstream's: one agent, the new allocation, the
/// same scalar quantities; then an allocation updated to empty is gone.
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_UpdateAllocation() {
    for (policy, mut s) in both("") {
        for c in ["a", "b"] {
            s.add(c);
        }
        for c in ["a", "b"] {
            s.activate(c);
        }
        s.add_agent(AGENT, q("cpus:10;mem:10;disk:10"));
        alloc(&mut s, "a", "cpus:10;mem:10;disk:10");
        let old = s.allocation_on("a", AGENT);
        let new = q("cpus:10;mem:10;disk:10");
        s.update("a", AGENT, old, new);
        assert_eq!(s.allocation("a").len(), 1, "{policy}");
        assert_eq!(s.allocation("a")[AGENT], new, "{policy}");
        assert_eq!(s.allocation_on("a", AGENT), new, "{policy}");
        assert_eq!(s.allocation_quantities("a"), q("cpus:10;mem:10;disk:10"));
        assert_eq!(s.total_allocation(), q("cpus:10;mem:10;disk:10"));
        // Update to empty (MESOS-9015, MESOS-9975).
        add_active(&mut s, "c");
        s.add_agent("agentId2", q("cpus:10;mem:10;disk:10"));
        s.allocated("c", "agentId2", q("cpus:10;mem:10;disk:10"));
        s.update(
            "c",
            "agentId2",
            q("cpus:10;mem:10;disk:10"),
            Quantities::ZERO,
        );
        assert!(s.allocation("c").is_empty(), "{policy}");
    }
}

/// Upstream `CommonSorterTest.UpdateAllocationNestedClient`
/// (sorter_tests.cpp:1230), for both sorters; the volume as in
/// `CommonSorterTest_UpdateAllocation`.
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_UpdateAllocationNestedClient() {
    for (policy, mut s) in both("") {
        s.add("a/x");
        s.add("b/y");
        s.activate("a/x");
        s.activate("b/y");
        s.add_agent(AGENT, q("cpus:10;mem:10;disk:10"));
        alloc(&mut s, "a/x", "cpus:10;mem:10;disk:10");
        let old = s.allocation_on("a/x", AGENT);
        let new = q("cpus:10;mem:10;disk:10");
        s.update("a/x", AGENT, old, new);
        assert_eq!(s.allocation("a/x").len(), 1, "{policy}");
        assert_eq!(s.allocation("a/x")[AGENT], new, "{policy}");
        assert_eq!(s.allocation_on("a/x", AGENT), new, "{policy}");
        assert_eq!(s.allocation_quantities("a/x"), q("cpus:10;mem:10;disk:10"));
        assert_eq!(s.total_allocation(), q("cpus:10;mem:10;disk:10"));
    }
}

/// Upstream `CommonSorterTest.AllocationForInactiveClient`
/// (sorter_tests.cpp:1278), for both sorters.
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_AllocationForInactiveClient() {
    for (policy, mut s) in both("cpus:10;mem:10") {
        s.add("a");
        s.add("b");
        s.activate("b");
        alloc(&mut s, "a", "cpus:2;mem:2");
        alloc(&mut s, "b", "cpus:3;mem:3");
        assert_eq!(s.allocation("a").len(), 1, "{policy}");
        assert_eq!(s.allocation("a")[AGENT], q("cpus:2;mem:2"), "{policy}");
        assert_eq!(s.allocation_quantities("a"), q("cpus:2;mem:2"));
        assert_eq!(s.allocation("b").len(), 1, "{policy}");
        assert_eq!(s.allocation("b")[AGENT], q("cpus:3;mem:3"), "{policy}");
        assert_eq!(s.allocation_quantities("b"), q("cpus:3;mem:3"));
        assert_eq!(s.total_allocation(), q("cpus:5;mem:5"), "{policy}");
    }
}

/// Upstream `CommonSorterTest.MultipleSlaves` (sorter_tests.cpp:1325), for
/// both sorters (without the agents' `ports`).
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_MultipleSlaves() {
    for (policy, mut s) in both("") {
        add_active(&mut s, "framework");
        let agent = q("cpus:2;mem:512");
        s.add_agent("agentA", agent);
        s.add_agent("agentB", agent);
        s.allocated("framework", "agentA", agent);
        s.allocated("framework", "agentB", agent);
        assert_eq!(s.allocation("framework").len(), 2, "{policy}");
        assert_eq!(s.allocation_on("framework", "agentA"), agent);
        assert_eq!(s.allocation_on("framework", "agentB"), agent);
        assert_eq!(s.allocation_quantities("framework"), agent.plus(&agent));
        assert_eq!(s.total_allocation(), agent.plus(&agent), "{policy}");
    }
}

/// Upstream `CommonSorterTest.MultipleSlavesUpdateAllocation`
/// (sorter_tests.cpp:1367), for both sorters (without `ports`; the volume
/// as in `CommonSorterTest_UpdateAllocation`).
#[test]
#[allow(non_snake_case)]
fn CommonSorterTest_MultipleSlavesUpdateAllocation() {
    for (policy, mut s) in both("") {
        add_active(&mut s, "framework");
        let agent = q("cpus:2;mem:512;disk:10");
        s.add_agent("agentA", agent);
        s.add_agent("agentB", agent);
        s.allocated("framework", "agentA", agent);
        s.allocated("framework", "agentB", agent);
        s.update("framework", "agentA", agent, agent);
        s.update("framework", "agentB", agent, agent);
        assert_eq!(s.allocation("framework").len(), 2, "{policy}");
        assert_eq!(s.allocation_on("framework", "agentA"), agent);
        assert_eq!(s.allocation_on("framework", "agentB"), agent);
        assert_eq!(s.allocation_quantities("framework"), agent.plus(&agent));
        assert_eq!(s.total_allocation(), agent.plus(&agent), "{policy}");
    }
}

// ---------------------------------------------------------------------------
// Random sorter distributions: upstream's tables, each cell within an
// absolute 0.05 as upstream asserts, over mesosim's seeded streams (the
// draws differ from upstream's `std::mt19937`; the distribution may not).

/// Upstream's expected P(item i at position j) for weights 1..=5.
const FLAT_TABLE: [[f64; 5]; 5] = [
    [0.07, 0.08, 0.12, 0.20, 0.54],
    [0.13, 0.16, 0.20, 0.28, 0.23],
    [0.20, 0.22, 0.24, 0.22, 0.12],
    [0.27, 0.26, 0.23, 0.17, 0.07],
    [0.33, 0.28, 0.21, 0.13, 0.04],
];

fn assert_table<const N: usize>(counts: [[usize; N]; N], runs: usize, expect: [[f64; N]; N]) {
    for i in 0..N {
        for j in 0..N {
            let p = counts[i][j] as f64 / runs as f64;
            assert!(
                (p - expect[i][j]).abs() < 0.05,
                "position [{i}][{j}]: {p} vs {}",
                expect[i][j]
            );
        }
    }
}

/// Upstream `WeightedShuffleTest.ProbabilityDistribution` (sorter_tests.cpp:57).
#[test]
#[allow(non_snake_case)]
fn WeightedShuffleTest_ProbabilityDistribution() {
    let mut rng = Stream::new(0, "weighted-shuffle");
    let runs = 1000;
    let mut counts = [[0usize; 5]; 5];
    for _ in 0..runs {
        let items = weighted_shuffle(vec![0, 1, 2, 3, 4], &[1.0, 2.0, 3.0, 4.0, 5.0], &mut rng);
        for (pos, item) in items.into_iter().enumerate() {
            counts[item][pos] += 1;
        }
    }
    assert_table(counts, runs, FLAT_TABLE);
}

/// Upstream `RandomSorterTest.ProbabilityDistribution` (sorter_tests.cpp:178).
#[test]
#[allow(non_snake_case)]
fn RandomSorterTest_ProbabilityDistribution() {
    let mut s = Sorter::new(Arc::new(Random));
    for (i, w) in [1.0, 2.0, 3.0, 4.0, 5.0].into_iter().enumerate() {
        let c = i.to_string();
        add_active(&mut s, &c);
        s.update_weight(&c, w);
    }
    let mut rng = Stream::new(0, "random-sorter");
    let runs = 1000;
    let mut counts = [[0usize; 5]; 5];
    for _ in 0..runs {
        for (pos, c) in s.sort(&mut rng).iter().enumerate() {
            counts[c.parse::<usize>().unwrap()][pos] += 1;
        }
    }
    assert_table(counts, runs, FLAT_TABLE);
}

/// Upstream `RandomSorterTest.HierarchicalProbabilityDistribution`
/// (sorter_tests.cpp:107): roles a (1) with a/. (1) and a/b (2), c (2)
/// with c/d (1) and c/e (2).
#[test]
#[allow(non_snake_case)]
fn RandomSorterTest_HierarchicalProbabilityDistribution() {
    let clients = ["a", "a/b", "c/d", "c/e"];
    let mut s = Sorter::new(Arc::new(Random));
    for c in clients {
        add_active(&mut s, c);
    }
    for (path, w) in [
        ("a", 1.0),
        ("a/b", 2.0),
        ("c", 2.0),
        ("c/d", 1.0),
        ("c/e", 2.0),
    ] {
        s.update_weight(path, w);
    }
    let mut rng = Stream::new(0, "random-sorter");
    let runs = 10_000;
    let mut counts = [[0usize; 4]; 4];
    for _ in 0..runs {
        for (pos, c) in s.sort(&mut rng).iter().enumerate() {
            let i = clients.iter().position(|x| x == c).unwrap();
            counts[i][pos] += 1;
        }
    }
    let expect = [
        [0.11, 0.15, 0.23, 0.51],
        [0.22, 0.27, 0.30, 0.21],
        [0.22, 0.27, 0.30, 0.21],
        [0.44, 0.31, 0.18, 0.07],
    ];
    assert_table(counts, runs, expect);
}
