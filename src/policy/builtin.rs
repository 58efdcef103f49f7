//! The ordering policies beyond Mesos's two sorters (issue 12). Each is
//! documented, with its rule and its source, in docs/policies.md.

use super::{SortClient, SortCx, SortPolicy};
use crate::sim::rng::Stream;

/// Largest `|frameworks[].priority|` a scenario may give: with registration
/// sequence numbers below 2^32, `priority`'s key is an exact double.
pub const MAX_PRIORITY: i64 = 1_000_000;

/// `fifo`: registration order. Key = the client's registration sequence
/// number (a role: its earliest framework's).
#[derive(Clone, Copy, Debug, Default)]
pub struct Fifo;

impl SortPolicy for Fifo {
    fn name(&self) -> &str {
        "fifo"
    }
    fn key(&self, client: &SortClient<'_>, _cx: &SortCx<'_>) -> f64 {
        client.registered as f64
    }
}

/// `priority`: the highest `frameworks[].priority` first, then
/// registration order. Key = −priority · 2^32 + registration, exact in a
/// double for |priority| ≤ [`MAX_PRIORITY`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Priority;

impl SortPolicy for Priority {
    fn name(&self) -> &str {
        "priority"
    }
    fn key(&self, client: &SortClient<'_>, _cx: &SortCx<'_>) -> f64 {
        let registered = client.registered.min(u32::MAX as u64) as f64;
        -(client.priority as f64) * 4_294_967_296.0 + registered
    }
}

/// `asset-fair`: key = the sum of the client's resource shares ÷ weight
/// (DRF paper §5.1, "asset fairness").
#[derive(Clone, Copy, Debug, Default)]
pub struct AssetFair;

impl SortPolicy for AssetFair {
    fn name(&self) -> &str {
        "asset-fair"
    }
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        cx.asset_share(client.allocation) / client.weight
    }
}

/// `single-resource`: max-min fairness on one resource
/// (`master.policy_resource`): key = held ÷ total of that resource ÷
/// weight (0 while the cluster has none of it).
#[derive(Clone, Copy, Debug, Default)]
pub struct SingleResource;

impl SortPolicy for SingleResource {
    fn name(&self) -> &str {
        "single-resource"
    }
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        let Some(r) = cx.params.resource else {
            return cx.dominant_share(client.allocation) / client.weight;
        };
        let total = cx.totals.get(r);
        if total == 0 {
            return 0.0;
        }
        super::mesos_scalar(client.allocation.get(r)) / super::mesos_scalar(total) / client.weight
    }
    fn required_keys(&self) -> &[&'static str] {
        &["master.policy_resource"]
    }
}

/// `slots` (Hadoop fair scheduler): key = the slots the client holds ÷
/// weight, where what it holds occupies max over resources of
/// ⌈held ÷ slot⌉ slots; the allocator hands out one slot at a time
/// ([`SortPolicy::offers_in_slots`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Slots;

/// The slots `held` occupies: max over the resources a slot has of
/// ⌈held ÷ slot size⌉.
pub fn slots_held(
    held: &crate::cluster::resources::Quantities,
    slot: &crate::cluster::resources::Quantities,
) -> u64 {
    held.0
        .iter()
        .zip(slot.0.iter())
        .filter(|(_, &s)| s > 0)
        .map(|(&h, &s)| h.div_ceil(s))
        .max()
        .unwrap_or(0)
}

impl SortPolicy for Slots {
    fn name(&self) -> &str {
        "slots"
    }
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        match &cx.params.slot_size {
            Some(slot) => slots_held(client.allocation, slot) as f64 / client.weight,
            None => cx.dominant_share(client.allocation) / client.weight,
        }
    }
    fn required_keys(&self) -> &[&'static str] {
        &["master.slot_size"]
    }
    fn offers_in_slots(&self) -> bool {
        true
    }
}

/// `lottery` (Mesos paper §4.3): the next client offered to is drawn with
/// probability s_i / Σ s over the clients not yet drawn, s = the client's
/// relative weight (its intended share: for roles the product down the role
/// tree of w ÷ Σ w of its siblings with clients; frameworks in a role hold
/// equal tickets), from its own stream `lottery`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lottery;

impl SortPolicy for Lottery {
    fn name(&self) -> &str {
        "lottery"
    }
    /// Used only where a key is shown (explanations): the DRF key.
    fn key(&self, client: &SortClient<'_>, cx: &SortCx<'_>) -> f64 {
        super::Drf.key(client, cx)
    }
    fn orders_whole(&self) -> bool {
        true
    }
    fn order(&self, clients: &[SortClient<'_>], _cx: &SortCx<'_>, rng: &mut Stream) -> Vec<usize> {
        let tickets: Vec<f64> = clients.iter().map(|c| c.weight.max(0.0)).collect();
        lottery_order(&tickets, rng)
    }
    fn stream(&self) -> &str {
        "lottery"
    }
}

/// Successive lottery draws without replacement: each draw picks client
/// `i` among those left with probability `tickets[i] / Σ tickets left`
/// (one uniform draw per position; the last is not drawn).
pub fn lottery_order(tickets: &[f64], rng: &mut Stream) -> Vec<usize> {
    let mut left: Vec<usize> = (0..tickets.len()).collect();
    let mut out = Vec::with_capacity(left.len());
    while left.len() > 1 {
        let total: f64 = left.iter().map(|&i| tickets[i]).sum();
        let pick = if total > 0.0 {
            let mut u = rng.next_f64() * total;
            let mut at = left.len() - 1;
            for (pos, &i) in left.iter().enumerate() {
                if u < tickets[i] {
                    at = pos;
                    break;
                }
                u -= tickets[i];
            }
            at
        } else {
            rng.below(left.len() as u64) as usize
        };
        out.push(left.remove(pick));
    }
    out.extend(left);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::Quantities;
    use crate::policy::ClientKind;
    use crate::RoleId;

    fn client<'a>(alloc: &'a Quantities, name: &'a str) -> SortClient<'a> {
        SortClient {
            kind: ClientKind::Role(RoleId(0)),
            allocation: alloc,
            weight: 1.0,
            count: 0,
            name,
            registered: 0,
            priority: 0,
        }
    }

    #[test]
    fn asset_share_sums_and_slots_round_up() {
        // DRF paper: <9 CPU, 18 GB>; A holds <1, 4>: asset 1/9 + 4/18.
        let mut total = Quantities::ZERO;
        total.0[0] = 9000;
        total.0[1] = 18000;
        let mut a = Quantities::ZERO;
        a.0[0] = 1000;
        a.0[1] = 4000;
        let cx = SortCx::new(&total, 0);
        assert_eq!(AssetFair.key(&client(&a, "a"), &cx), 1.0 / 9.0 + 4.0 / 18.0);
        let mut slot = Quantities::ZERO;
        slot.0[0] = 1000;
        slot.0[1] = 3000;
        assert_eq!(slots_held(&a, &slot), 2);
        assert_eq!(slots_held(&Quantities::ZERO, &slot), 0);
    }

    #[test]
    fn priority_then_registration() {
        let z = Quantities::ZERO;
        let cx = SortCx::new(&z, 0);
        let mut hi = client(&z, "hi");
        hi.priority = 5;
        hi.registered = 7;
        let mut lo = client(&z, "lo");
        lo.registered = 0;
        let mut lo2 = client(&z, "lo2");
        lo2.registered = 1;
        let k = |c: &SortClient<'_>| Priority.key(c, &cx);
        assert!(k(&hi) < k(&lo) && k(&lo) < k(&lo2));
        assert!(Fifo.key(&lo, &cx) < Fifo.key(&hi, &cx));
    }

    #[test]
    fn lottery_draws_in_proportion_to_tickets() {
        let mut rng = Stream::new(5, "lottery");
        let mut first = [0u32; 3];
        for _ in 0..30_000 {
            let o = lottery_order(&[1.0, 2.0, 3.0], &mut rng);
            let mut sorted = o.clone();
            sorted.sort();
            assert_eq!(sorted, vec![0, 1, 2]);
            first[o[0]] += 1;
        }
        // Expected 5000, 10000, 15000; 4 standard deviations ≈ 260.
        for (i, &n) in first.iter().enumerate() {
            let expect = 5000.0 * (i + 1) as f64;
            assert!((n as f64 - expect).abs() < 300.0, "{first:?}");
        }
    }
}
