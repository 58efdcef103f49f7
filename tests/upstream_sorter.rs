//! Ports of Mesos's DRF sorter tests (`src/tests/sorter_tests.cpp` at
//! c1b42f79d157), each under its upstream name, asserting the orders the
//! upstream test asserts. They run against mesosim's sorting policy — the
//! DRF policy through the public `SortPolicy` trait (`policy::Drf`: share ÷
//! weight, allocation count, name, with Mesos's share arithmetic) — over flat
//! clients. `Flat` below is only the bookkeeping a sorter keeps (clients,
//! their allocations and counts, the total); the order comes from the
//! policy. Hierarchical sorter tests are listed in docs/mesos-fidelity.md.

use mesosim::cluster::resources::Quantities;
use mesosim::policy::{ClientKind, Drf, SortClient, SortCx, SortPolicy};
use mesosim::sim::rng::Stream;
use mesosim::{FrameworkId, RoleId};

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
            })
            .collect();
        let cx = SortCx {
            totals: &self.total,
            excluded: 0,
        };
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
