//! Sorting policies used by the allocator: Mesos's DRF sorter order and its
//! random sorter (a weighted random permutation). Pure functions over small
//! entries; the master builds the entries from its role tree and framework
//! lists (see `master::sorting`).

use crate::cluster::resources::{Quantities, MAX_RESOURCE_KINDS, MILLI};
use crate::sim::rng::Stream;
use std::cmp::Ordering;

/// One client (or internal node) as a sorter sees it.
#[derive(Clone, Debug)]
pub struct Entry<'a, T> {
    pub item: T,
    /// Dominant share divided by the node's weight.
    pub share: f64,
    /// Number of allocations made to this node (Mesos's tie-break).
    pub count: u64,
    /// Node path, the last tie-break (`framework10` < `framework2`).
    pub name: &'a str,
    pub weight: f64,
}

/// Mesos `compareDRF`: lower share, then fewer allocations, then smaller path.
pub fn compare_drf<T>(a: &Entry<'_, T>, b: &Entry<'_, T>) -> Ordering {
    a.share
        .partial_cmp(&b.share)
        .unwrap_or(Ordering::Equal)
        .then(a.count.cmp(&b.count))
        .then_with(|| a.name.cmp(b.name))
}

pub fn sort_drf<T>(entries: &mut [Entry<'_, T>]) {
    entries.sort_by(compare_drf);
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
    let mut share: f64 = 0.0;
    for i in 0..MAX_RESOURCE_KINDS {
        let total = totals.0[i];
        if total == 0 || excluded & (1 << i) != 0 {
            continue;
        }
        let s = mesos_scalar(alloc.0[i]) / mesos_scalar(total);
        if s > share {
            share = s;
        }
    }
    share
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

    fn e(name: &str, share: f64, count: u64) -> Entry<'_, String> {
        Entry {
            item: name.to_string(),
            share,
            count,
            name,
            weight: 1.0,
        }
    }

    #[test]
    fn drf_order_share_then_count_then_name() {
        let mut v = vec![
            e("framework2", 0.0, 0),
            e("framework10", 0.0, 0),
            e("a", 0.5, 0),
            e("b", 0.0, 1),
        ];
        sort_drf(&mut v);
        let names: Vec<_> = v.iter().map(|x| x.item.as_str()).collect();
        assert_eq!(names, vec!["framework10", "framework2", "b", "a"]);
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
