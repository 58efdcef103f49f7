//! Ordering policies: who the allocator offers to first.
//!
//! A *policy* in mesosim is always one thing: an ordering of sorter clients
//! — roles in the role sorter, frameworks in a role's framework sorter —
//! implemented by [`SortPolicy`]. The allocator asks the policy for a key
//! per client ([`SortPolicy::key`], smaller first, ties broken by Mesos's
//! allocation count and then the name), level by level down the role tree;
//! a randomised policy may instead order all clients at once
//! ([`SortPolicy::order`]), drawing only from the stream it is given.
//!
//! Policies are found by name in a [`Registry`]: `master.policy`,
//! `master.role_sorter` and `master.framework_sorter` name one, and
//! "did you mean" suggestions come from the registry's names. The built-in
//! registry holds [`Drf`] (Mesos's DRF sorter) and [`Random`] (Mesos's
//! random sorter); a library user registers more and resolves scenarios
//! with [`crate::scenario::resolve::load_with`].
//!
//! ```
//! use mesosim::policy::{Registry, SortClient, SortCx, SortPolicy};
//!
//! /// Offers to the client with the fewest allocations so far.
//! #[derive(Debug)]
//! struct FewestFirst;
//! impl SortPolicy for FewestFirst {
//!     fn name(&self) -> &str {
//!         "fewest-first"
//!     }
//!     fn key(&self, client: &SortClient<'_>, _cx: &SortCx<'_>) -> f64 {
//!         client.count as f64
//!     }
//! }
//! let mut registry = Registry::builtin();
//! registry.register(FewestFirst).unwrap();
//! assert!(registry.get("fewest-first").is_some());
//! ```

pub mod auction;
pub mod builtin;
pub mod sorter;
pub mod tree;
pub mod whole;

pub use auction::Auction;
pub use whole::{WholePolicy, WholeRef};

pub use builtin::{AssetFair, Fifo, Lottery, Priority, SingleResource, Slots};

pub use sorter::Sorter;
pub use tree::RoleTree;

use crate::cluster::resources::{Quantities, ResId, MAX_RESOURCE_KINDS, MILLI};
use crate::sim::rng::Stream;
use crate::{FrameworkId, RoleId};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// What a sorter client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// A role (a leaf client or an internal node of the role tree).
    Role(RoleId),
    /// The virtual leaf `role/.` holding a role's own allocation when the
    /// role also has child clients (weight 1, as in Mesos).
    OwnLeaf(RoleId),
    /// A framework in one role's framework sorter.
    Framework(FrameworkId, RoleId),
}

/// One sorter client (or internal node of the role tree) as a policy sees
/// it.
#[derive(Clone, Copy, Debug)]
pub struct SortClient<'a> {
    pub kind: ClientKind,
    /// What it holds: offered plus allocated, reserved and unreserved
    /// merged (for a role: over its subtree; for `role/.`: the role's own).
    pub allocation: &'a Quantities,
    /// Its weight at this level (the role's weight; 1 for `role/.` and for
    /// frameworks).
    pub weight: f64,
    /// Allocations made to it so far (Mesos's first tie-break).
    pub count: u64,
    /// Its path segment (`backend`, `.`) or framework id: the last tie-break.
    pub name: &'a str,
    /// When it registered with this master, as a sequence number (0 first):
    /// for a framework its own; for a role (or `role/.`) the earliest of
    /// the frameworks subscribed to it (its subtree; its own for `role/.`).
    pub registered: u64,
    /// `frameworks[].priority` (default 0); for a role (or `role/.`) the
    /// highest of its frameworks' (its subtree's; its own for `role/.`).
    pub priority: i64,
}

/// What every key of one sort shares: the partition's totals and the
/// resources left out of shares. Build it with [`SortCx::new`].
#[derive(Clone, Copy, Debug)]
pub struct SortCx<'a> {
    pub totals: &'a Quantities,
    /// Bit `i` set when resource `i` is left out of shares
    /// (`master.fair_sharing_excluded`).
    pub excluded: u32,
    /// The scenario's policy settings (`master.policy_resource`,
    /// `master.slot_size`).
    pub params: &'a PolicyParams,
    basis: ShareBasis,
}

/// The scenario settings some policies read. A policy that needs one names
/// its key in [`SortPolicy::required_keys`], and the scenario is refused
/// without it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PolicyParams {
    /// `master.policy_resource`: the resource `single-resource` shares.
    pub resource: Option<ResId>,
    /// `master.slot_size`: one slot of `slots`.
    pub slot_size: Option<Quantities>,
    /// `master.max_budget`: the most credit a framework can hold.
    pub max_budget: f64,
    /// `master.budget_rate`: credits a second per unit of role weight.
    pub budget_rate: f64,
}

impl PolicyParams {
    /// No settings.
    pub const NONE: PolicyParams = PolicyParams {
        resource: None,
        slot_size: None,
        max_budget: 100.0,
        budget_rate: 1.0,
    };
}

static NO_PARAMS: PolicyParams = PolicyParams::NONE;

impl<'a> SortCx<'a> {
    pub fn new(totals: &'a Quantities, excluded: u32) -> SortCx<'a> {
        SortCx::with_basis(totals, excluded, ShareBasis::new(totals, excluded))
    }

    /// The same context with the scenario's policy settings.
    pub fn with_params(mut self, params: &'a PolicyParams) -> SortCx<'a> {
        self.params = params;
        self
    }

    /// With a basis already computed for these totals and exclusions.
    pub(crate) fn with_basis(totals: &'a Quantities, excluded: u32, basis: ShareBasis) -> Self {
        debug_assert_eq!(basis, ShareBasis::new(totals, excluded));
        SortCx {
            totals,
            excluded,
            params: &NO_PARAMS,
            basis,
        }
    }

    /// The dominant share of `q` against the totals (see [`dominant_share`]).
    pub fn dominant_share(&self, q: &Quantities) -> f64 {
        self.basis.dominant_share(q)
    }

    /// The asset share of `q`: the sum of its shares of the resources that
    /// count (see [`ShareBasis::asset_share`]).
    pub fn asset_share(&self, q: &Quantities) -> f64 {
        self.basis.asset_share(q)
    }
}

/// The totals as Mesos's doubles, and which resources count toward shares
/// (a positive total, not excluded): what [`dominant_share`] divides by,
/// computed once per set of totals rather than once per share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareBasis {
    kinds: u32,
    scaled: [f64; MAX_RESOURCE_KINDS],
}

impl ShareBasis {
    pub fn new(totals: &Quantities, excluded: u32) -> ShareBasis {
        let mut basis = ShareBasis {
            kinds: 0,
            scaled: [0.0; MAX_RESOURCE_KINDS],
        };
        for (i, &total) in totals.0.iter().enumerate() {
            if total != 0 && excluded & (1 << i) == 0 {
                basis.kinds |= 1 << i;
                basis.scaled[i] = mesos_scalar(total);
            }
        }
        basis
    }

    /// See [`dominant_share`]; bit for bit the same number.
    pub fn dominant_share(&self, alloc: &Quantities) -> f64 {
        let mut share: f64 = 0.0;
        let mut kinds = self.kinds;
        while kinds != 0 {
            let i = kinds.trailing_zeros() as usize;
            kinds &= kinds - 1;
            let s = mesos_scalar(alloc.0[i]) / self.scaled[i];
            if s > share {
                share = s;
            }
        }
        share
    }

    /// The sum over the resources that count of held ÷ total (asset
    /// fairness, DRF paper §5.1), each share computed as
    /// [`ShareBasis::dominant_share`] computes it, added in resource order.
    pub fn asset_share(&self, alloc: &Quantities) -> f64 {
        let mut sum: f64 = 0.0;
        let mut kinds = self.kinds;
        while kinds != 0 {
            let i = kinds.trailing_zeros() as usize;
            kinds &= kinds - 1;
            sum += mesos_scalar(alloc.0[i]) / self.scaled[i];
        }
        sum
    }
}

/// An ordering policy. Implementations must be deterministic: the same
/// clients give the same keys, and randomised ones draw only from the
/// stream they are given.
pub trait SortPolicy: Send + Sync {
    /// The name scenarios use (`master.policy: NAME`).
    fn name(&self) -> &str;

    /// The client's sort key: smaller sorts first. Equal keys are ordered
    /// by allocation count, then name (Mesos `compareDRF`). Keys are
    /// computed once per client per sort.
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64;

    /// Whether [`SortPolicy::order`] replaces the level-by-level sort by
    /// key (randomised policies).
    fn orders_whole(&self) -> bool {
        false
    }

    /// Orders all clients at once; only called when
    /// [`SortPolicy::orders_whole`] is true. `clients[i].weight` is then the
    /// client's relative weight: for roles, the product down the role tree
    /// of w(node) / Σ w(its siblings with clients); for frameworks, 1.
    /// Returns a permutation of `0..clients.len()`. The default sorts by
    /// key as [`SortPolicy::key`] describes.
    fn order(&self, clients: &[SortClient<'_>], cx: &SortCx<'_>, rng: &mut Stream) -> Vec<usize> {
        let _ = rng;
        let keys: Vec<f64> = clients.iter().map(|c| self.key(c, cx)).collect();
        let mut idx: Vec<usize> = (0..clients.len()).collect();
        idx.sort_by(|&a, &b| {
            compare_keys(
                (keys[a], clients[a].count, clients[a].name),
                (keys[b], clients[b].count, clients[b].name),
            )
        });
        idx
    }

    /// The name of the random stream [`SortPolicy::order`] draws from
    /// (derived from the seed, per partition; see
    /// [`crate::sim::rng::StreamSet`]). Policies sharing a name share the
    /// stream; a policy with its own name moves no other policy's draws.
    fn stream(&self) -> &str {
        "random-sorter"
    }

    /// Scenario keys the policy reads from [`SortCx::params`] (e.g.
    /// `master.slot_size`): a scenario selecting it without them is
    /// refused.
    fn required_keys(&self) -> &[&'static str] {
        &[]
    }

    /// Whether the allocator hands out whole slots of
    /// `master.slot_size`, one at a time, sorting again after each (see
    /// docs/policies.md, `slots`).
    fn offers_in_slots(&self) -> bool {
        false
    }
}

impl fmt::Debug for dyn SortPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SortPolicy({})", self.name())
    }
}

/// A policy as a model holds it.
pub type PolicyRef = Arc<dyn SortPolicy>;

/// `(key, count, name)` orders: lower key, then fewer allocations, then
/// smaller name (`framework10` < `framework2`).
pub fn compare_keys(a: (f64, u64, &str), b: (f64, u64, &str)) -> Ordering {
    a.0.partial_cmp(&b.0)
        .unwrap_or(Ordering::Equal)
        .then(a.1.cmp(&b.1))
        .then_with(|| a.2.cmp(b.2))
}

/// Sorts clients by their policy's keys (then count, then name), stably;
/// each key is computed once. Every key-ordered sorter sorts with this.
pub(crate) fn sort_by_key<'a>(
    policy: &dyn SortPolicy,
    clients: impl IntoIterator<Item = SortClient<'a>>,
    cx: &SortCx<'_>,
) -> Vec<(f64, SortClient<'a>)> {
    let mut keyed: Vec<(f64, SortClient<'a>)> = clients
        .into_iter()
        .map(|c| (policy.key(&c, cx), c))
        .collect();
    keyed.sort_by(|a, b| compare_keys((a.0, a.1.count, a.1.name), (b.0, b.1.count, b.1.name)));
    keyed
}

/// A whole order from a policy must be a permutation of its clients.
pub(crate) fn checked_order(policy: &dyn SortPolicy, order: Vec<usize>, n: usize) -> Vec<usize> {
    let mut seen = vec![false; n];
    let ok = order.len() == n
        && order
            .iter()
            .all(|&i| i < n && !std::mem::replace(&mut seen[i], true));
    assert!(
        ok,
        "policy `{}` returned an order that is not a permutation of its {n} clients",
        policy.name()
    );
    order
}

/// Mesos's DRF sorter: key = dominant share ÷ weight.
#[derive(Clone, Copy, Debug, Default)]
pub struct Drf;

impl SortPolicy for Drf {
    fn name(&self) -> &str {
        "drf"
    }
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        cx.dominant_share(client.allocation) / client.weight
    }
}

/// Mesos's random sorter: a weighted random permutation of all clients
/// (Efraimidis–Spirakis, [`weighted_shuffle`]) with each client's relative
/// weight down the role tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Random;

impl SortPolicy for Random {
    fn name(&self) -> &str {
        "random"
    }
    /// Used only where a key is shown (explanations): the DRF key.
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        Drf.key(client, cx)
    }
    fn orders_whole(&self) -> bool {
        true
    }
    fn order(&self, clients: &[SortClient<'_>], _cx: &SortCx<'_>, rng: &mut Stream) -> Vec<usize> {
        let weights: Vec<f64> = clients.iter().map(|c| c.weight).collect();
        weighted_shuffle((0..clients.len()).collect(), &weights, rng)
    }
}

/// Policies by name, in registration order.
#[derive(Clone, Debug)]
pub struct Registry {
    policies: Vec<PolicyRef>,
    wholes: Vec<WholeRef>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Registry {
        Registry {
            policies: Vec::new(),
            wholes: Vec::new(),
        }
    }

    /// The built-in policies: `drf` and `random` (Mesos's sorters), then
    /// `fifo`, `priority`, `asset-fair`, `single-resource`, `slots` and
    /// `lottery` (docs/policies.md).
    pub fn builtin() -> Registry {
        let mut r = Registry::empty();
        r.policies.push(Arc::new(Drf));
        r.policies.push(Arc::new(Random));
        r.policies.push(Arc::new(Fifo));
        r.policies.push(Arc::new(Priority));
        r.policies.push(Arc::new(AssetFair));
        r.policies.push(Arc::new(SingleResource));
        r.policies.push(Arc::new(Slots));
        r.policies.push(Arc::new(Lottery));
        r.wholes.push(Arc::new(Auction));
        r
    }

    /// Adds a policy; refuses a name already taken.
    pub fn register<P: SortPolicy + 'static>(&mut self, policy: P) -> Result<(), String> {
        self.register_ref(Arc::new(policy))
    }

    /// As [`Registry::register`], for a shared policy.
    pub fn register_ref(&mut self, policy: PolicyRef) -> Result<(), String> {
        self.free(policy.name())?;
        self.policies.push(policy);
        Ok(())
    }

    /// Adds a whole-allocator policy ([`WholePolicy`]); refuses a name
    /// already taken.
    pub fn register_whole<P: WholePolicy + 'static>(&mut self, policy: P) -> Result<(), String> {
        let policy: WholeRef = Arc::new(policy);
        self.free(policy.name())?;
        self.wholes.push(policy);
        Ok(())
    }

    fn free(&self, name: &str) -> Result<(), String> {
        if self.get(name).is_some() || self.get_whole(name).is_some() {
            return Err(format!("a policy named `{name}` is already registered"));
        }
        Ok(())
    }

    /// The ordering policy called `name`.
    pub fn get(&self, name: &str) -> Option<&PolicyRef> {
        self.policies.iter().find(|p| p.name() == name)
    }

    /// The whole-allocator policy called `name`.
    pub fn get_whole(&self, name: &str) -> Option<&WholeRef> {
        self.wholes.iter().find(|p| p.name() == name)
    }

    /// The registered names, ordering policies first, each kind in
    /// registration order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.policies
            .iter()
            .map(|p| p.name())
            .chain(self.wholes.iter().map(|p| p.name()))
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin()
    }
}

/// A fixed-point amount (milli-units) as the double Mesos holds for it.
/// Mesos's `Value::Scalar` arithmetic works in integer thousandths and
/// converts the result back with an integer division and a modulus,
/// `q + r / 1000.0` (`values.cpp`, `convertToFloating`), which is not always
/// `milli / 1000.0`: 1118 milli-units are `1.1179999999999999`, not `1.118`.
pub fn mesos_scalar(milli: u64) -> f64 {
    (milli / MILLI) as f64 + (milli % MILLI) as f64 / MILLI as f64
}

/// Dominant share of `alloc` against `totals`: the largest ratio over the
/// resources not excluded and with a positive total (Mesos
/// `DRFSorter::calculateShare`, before dividing by the weight), computed as
/// Mesos computes it: each amount as the double its fixed-point arithmetic
/// gives (`mesos_scalar`), then one floating-point division. So
/// `0.1 / 0.3` cpus is `0.33333333333333337`, above `1000 / 3000` MB.
pub fn dominant_share(alloc: &Quantities, totals: &Quantities, excluded: u32) -> f64 {
    ShareBasis::new(totals, excluded).dominant_share(alloc)
}

/// Efraimidis–Spirakis weighted shuffle (Mesos `weightedShuffle`): key =
/// −u^(1/w), sorted ascending; weighted sampling without replacement. Equal
/// keys (practically never) keep their input order.
pub fn weighted_shuffle<T>(items: Vec<T>, weights: &[f64], rng: &mut Stream) -> Vec<T> {
    debug_assert_eq!(items.len(), weights.len());
    let mut keyed: Vec<(f64, usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let w = weights[i].max(f64::MIN_POSITIVE);
            let u = rng.next_f64();
            (-libm::pow(u, 1.0 / w), i, item)
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drf_order_share_then_count_then_name() {
        let mut total = Quantities::ZERO;
        total.0[0] = 10;
        let mut half = Quantities::ZERO;
        half.0[0] = 5;
        let zero = Quantities::ZERO;
        let c = |name, allocation, count| SortClient {
            kind: ClientKind::Role(crate::RoleId(0)),
            allocation,
            weight: 1.0,
            count,
            name,
            registered: 0,
            priority: 0,
        };
        let v = vec![
            c("framework2", &zero, 0),
            c("framework10", &zero, 0),
            c("a", &half, 0),
            c("b", &zero, 1),
        ];
        let cx = SortCx::new(&total, 0);
        let order = Drf.order(&v, &cx, &mut Stream::new(1, "unused"));
        let names: Vec<_> = order.iter().map(|&i| v[i].name).collect();
        assert_eq!(names, vec!["framework10", "framework2", "b", "a"]);
    }

    #[test]
    fn registry_finds_builtins_and_refuses_duplicates() {
        let mut r = Registry::builtin();
        assert_eq!(
            r.names().collect::<Vec<_>>(),
            vec![
                "drf",
                "random",
                "fifo",
                "priority",
                "asset-fair",
                "single-resource",
                "slots",
                "lottery",
                "auction"
            ]
        );
        assert!(r.get("random").unwrap().orders_whole());
        assert!(r.register(Drf).is_err());
    }

    #[test]
    fn dominant_share_skips_excluded_and_empty_totals() {
        let mut total = Quantities::ZERO;
        total.0[0] = 10_000;
        total.0[1] = 20_000;
        let mut alloc = Quantities::ZERO;
        alloc.0[0] = 1_000;
        alloc.0[1] = 8_000;
        alloc.0[2] = 5_000; // total 0: ignored
        assert_eq!(dominant_share(&alloc, &total, 0), 0.4);
        assert_eq!(dominant_share(&alloc, &total, 0b10), 0.1);
    }

    #[test]
    fn shares_use_mesos_fixed_point_doubles() {
        // Issue 9, bug 2: 0.1 of 0.3 cpus is 0.1 / 0.3 in Mesos, not 100 / 300.
        let mut total = Quantities::ZERO;
        total.0[0] = 300;
        total.0[1] = 3_000_000;
        let mut cpus = Quantities::ZERO;
        cpus.0[0] = 100;
        let mut mem = Quantities::ZERO;
        mem.0[1] = 1_000_000;
        assert_eq!(dominant_share(&cpus, &total, 0), 0.33333333333333337);
        assert_eq!(
            dominant_share(&cpus, &total, 0).to_bits(),
            (0.1f64 / 0.3).to_bits()
        );
        assert_ne!(dominant_share(&cpus, &total, 0), 100.0 / 300.0);
        assert_eq!(dominant_share(&mem, &total, 0), 0.3333333333333333);
        assert!(dominant_share(&mem, &total, 0) < dominant_share(&cpus, &total, 0));
        // convertToFloating: integer part plus thousandths, each exact.
        assert_eq!(mesos_scalar(1118), 1.0 + 0.118);
        assert_eq!(mesos_scalar(1118), 1.1179999999999999);
        assert_eq!(mesos_scalar(300), 0.3);
        assert_eq!(mesos_scalar(2_000_000), 2000.0);
    }

    #[test]
    fn weighted_shuffle_prefers_heavy_items() {
        let mut rng = Stream::new(3, "t");
        let mut first_heavy = 0;
        for _ in 0..2000 {
            let out = weighted_shuffle(vec!["light", "heavy"], &[1.0, 3.0], &mut rng);
            if out[0] == "heavy" {
                first_heavy += 1;
            }
        }
        // P(heavy first) = 3/4.
        assert!((1400..1600).contains(&first_heavy), "{first_heavy}");
    }
}
