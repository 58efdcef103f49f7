//! Fixed-point resource vectors.
//!
//! Every amount is an integer number of milli-units (`0.001` is the smallest
//! unit, as in Mesos), so arithmetic is exact. A scenario may name at most
//! [`MAX_RESOURCE_KINDS`] resources; they are interned into [`ResId`]s in the
//! order the scenario first mentions them, which is also the order outputs use.

use crate::RoleId;
use std::fmt::Write as _;

/// The most distinct resource names a scenario may use.
pub const MAX_RESOURCE_KINDS: usize = 16;

/// Milli-units per unit.
pub const MILLI: u64 = 1000;

/// Index of a resource name in the scenario's [`ResourceNames`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResId(pub u8);

/// The scenario's resource names, in declaration order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceNames {
    names: Vec<String>,
}

impl ResourceNames {
    /// Looks a name up, interning it if new. `None` when the table is full.
    pub fn intern(&mut self, name: &str) -> Option<ResId> {
        if let Some(id) = self.get(name) {
            return Some(id);
        }
        if self.names.len() >= MAX_RESOURCE_KINDS {
            return None;
        }
        self.names.push(name.to_string());
        Some(ResId((self.names.len() - 1) as u8))
    }

    pub fn get(&self, name: &str) -> Option<ResId> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| ResId(i as u8))
    }

    pub fn name(&self, id: ResId) -> &str {
        &self.names[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = ResId> + '_ {
        (0..self.names.len()).map(|i| ResId(i as u8))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// A vector of scalar quantities in milli-units, indexed by [`ResId`].
/// An absent resource is a zero entry.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Quantities(pub [u64; MAX_RESOURCE_KINDS]);

impl Quantities {
    pub const ZERO: Quantities = Quantities([0; MAX_RESOURCE_KINDS]);

    pub fn get(&self, r: ResId) -> u64 {
        self.0[r.0 as usize]
    }

    pub fn set(&mut self, r: ResId, milli: u64) {
        self.0[r.0 as usize] = milli;
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == 0)
    }

    /// `self ⊇ other`, entry by entry.
    pub fn contains(&self, other: &Quantities) -> bool {
        self.0.iter().zip(other.0.iter()).all(|(a, b)| a >= b)
    }

    /// How many leading entries may be non-zero: one past the last
    /// non-zero entry (0 for the zero vector). Every entry from it on is
    /// zero, so the `_first` operations over this many entries are the
    /// whole operations when `self` is their right-hand side.
    pub fn width(&self) -> usize {
        self.0.iter().rposition(|&v| v != 0).map_or(0, |i| i + 1)
    }

    /// `*self = self.minus(&other.scaled(k))` over the first `n` entries
    /// only: the same when the entries of `other` from `n` on are zero
    /// (their multiples are zero, and taking zero changes nothing).
    pub fn saturating_sub_scaled_first(&mut self, other: &Quantities, k: u64, n: usize) {
        let n = n.min(MAX_RESOURCE_KINDS);
        for (a, b) in self.0[..n].iter_mut().zip(other.0[..n].iter()) {
            *a = a.saturating_sub(b.saturating_mul(k));
        }
    }

    /// Addition that saturates at `u64::MAX` milli-units (sums of absurd
    /// but accepted inputs, e.g. pending work of 10⁷-task jobs of 10⁹
    /// cpus, must not overflow).
    pub fn add(&mut self, other: &Quantities) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// [`Quantities::add`] over the first `n` entries only: the same when
    /// the entries of `other` from `n` on are zero — as in every vector
    /// whose resources the scenario names, with `n` its number of kinds
    /// (the master's hot paths pass it). Reads and writes the first cache
    /// line of each vector only, for `n` up to 8.
    pub fn add_first(&mut self, other: &Quantities, n: usize) {
        let n = n.min(MAX_RESOURCE_KINDS);
        for (a, b) in self.0[..n].iter_mut().zip(other.0[..n].iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// [`Quantities::add_first`] with the first four entries added at once
    /// when `n` is at most 4 (no loop over `n`: a few vector operations):
    /// the same when the entries of `other` from `n` on are zero, as
    /// adding zero changes nothing.
    #[inline]
    pub fn add_first_wide(&mut self, other: &Quantities, n: usize) {
        if n <= 4 {
            for (a, b) in self.0[..4].iter_mut().zip(&other.0[..4]) {
                *a = a.saturating_add(*b);
            }
        } else {
            self.add_first(other, n);
        }
    }

    /// [`Quantities::saturating_sub`] over the first `n` entries only: the
    /// same when the entries of `other` from `n` on are zero.
    pub fn saturating_sub_first(&mut self, other: &Quantities, n: usize) {
        let n = n.min(MAX_RESOURCE_KINDS);
        for (a, b) in self.0[..n].iter_mut().zip(other.0[..n].iter()) {
            *a = a.saturating_sub(*b);
        }
    }

    /// [`Quantities::saturating_sub_first`] with the first four entries
    /// taken at once when `n` is at most 4 (as
    /// [`Quantities::add_first_wide`]): the same when the entries of
    /// `other` from `n` on are zero, as taking zero changes nothing.
    #[inline]
    pub fn saturating_sub_first_wide(&mut self, other: &Quantities, n: usize) {
        if n <= 4 {
            for (a, b) in self.0[..4].iter_mut().zip(&other.0[..4]) {
                *a = a.saturating_sub(*b);
            }
        } else {
            self.saturating_sub_first(other, n);
        }
    }

    /// [`Quantities::contains`] over the first `n` entries only: the same
    /// when the entries of `other` from `n` on are zero.
    pub fn contains_first(&self, other: &Quantities, n: usize) -> bool {
        let n = n.min(MAX_RESOURCE_KINDS);
        self.0[..n]
            .iter()
            .zip(other.0[..n].iter())
            .all(|(a, b)| a >= b)
    }

    /// [`Quantities::is_empty`] over the first `n` entries only: the same
    /// when the entries from `n` on are zero.
    pub fn is_empty_first(&self, n: usize) -> bool {
        self.0[..n.min(MAX_RESOURCE_KINDS)].iter().all(|&v| v == 0)
    }

    /// Whether every entry from `n` on is zero (what the `_first`
    /// operations need to give the full operations' results).
    pub fn zero_from(&self, n: usize) -> bool {
        self.0[n.min(MAX_RESOURCE_KINDS)..].iter().all(|&v| v == 0)
    }

    pub fn plus(mut self, other: &Quantities) -> Quantities {
        self.add(other);
        self
    }

    /// Subtraction that saturates at zero (Mesos `ResourceQuantities::-=`,
    /// which drops entries that reach zero or less).
    pub fn saturating_sub(&mut self, other: &Quantities) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.saturating_sub(*b);
        }
    }

    pub fn minus(mut self, other: &Quantities) -> Quantities {
        self.saturating_sub(other);
        self
    }

    /// Exact subtraction; `None` if `other` is not contained in `self`.
    pub fn checked_sub(&self, other: &Quantities) -> Option<Quantities> {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a = a.checked_sub(*b)?;
        }
        Some(out)
    }

    /// Entry-wise minimum (Mesos `shrinkResources` against quantities, where
    /// an absent entry means zero).
    pub fn min_each(&self, other: &Quantities) -> Quantities {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a = (*a).min(*b);
        }
        out
    }

    pub fn iter(&self) -> impl Iterator<Item = (ResId, u64)> + '_ {
        self.0.iter().enumerate().map(|(i, &v)| (ResId(i as u8), v))
    }

    /// The entries that are non-zero, in declaration order.
    pub fn nonzero(&self) -> impl Iterator<Item = (ResId, u64)> + '_ {
        self.iter().filter(|&(_, v)| v > 0)
    }

    /// Number of times `unit` fits into `self` (entries of `unit` that are
    /// zero impose no bound). `u64::MAX` when `unit` is empty.
    pub fn fits_times(&self, unit: &Quantities) -> u64 {
        let mut n = u64::MAX;
        for (a, b) in self.0.iter().zip(unit.0.iter()) {
            if *b > 0 {
                n = n.min(a / b);
            }
        }
        n
    }

    pub fn scaled(&self, k: u64) -> Quantities {
        let mut out = *self;
        for a in out.0.iter_mut() {
            *a = a.saturating_mul(k);
        }
        out
    }
}

/// Quota limits: a resource absent from the limit is unlimited, a zero entry
/// allows none (Mesos `ResourceLimits`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Limits {
    pub value: Quantities,
    /// Bit `i` set when resource `i` has a limit.
    pub set: u32,
}

impl Limits {
    pub const NONE: Limits = Limits {
        value: Quantities::ZERO,
        set: 0,
    };

    pub fn is_unlimited(&self) -> bool {
        self.set == 0
    }

    pub fn limit(&self, r: ResId) -> Option<u64> {
        if self.set & (1 << r.0) != 0 {
            Some(self.value.get(r))
        } else {
            None
        }
    }

    pub fn set_limit(&mut self, r: ResId, milli: u64) {
        self.set |= 1 << r.0;
        self.value.set(r, milli);
    }

    /// `limits - consumed`, saturating at zero; unlimited entries stay so.
    pub fn minus(&self, consumed: &Quantities) -> Limits {
        let mut out = *self;
        out.value.saturating_sub(consumed);
        out
    }

    /// Caps each entry of `x` at its limit.
    pub fn shrink(&self, x: &Quantities) -> Quantities {
        let mut out = *x;
        for i in 0..MAX_RESOURCE_KINDS {
            if self.set & (1 << i) != 0 {
                out.0[i] = out.0[i].min(self.value.0[i]);
            }
        }
        out
    }

    /// Whether `x` stays within the limits.
    pub fn admits(&self, x: &Quantities) -> bool {
        self.shrink(x) == *x
    }
}

/// `PREFIX_MASKS[n]`: all ones in the first `n` entries, zeros after
/// ([`ResourceSet::total_first`]).
static PREFIX_MASKS: [[u64; MAX_RESOURCE_KINDS]; MAX_RESOURCE_KINDS + 1] = {
    let mut m = [[0u64; MAX_RESOURCE_KINDS]; MAX_RESOURCE_KINDS + 1];
    let mut n = 0;
    while n <= MAX_RESOURCE_KINDS {
        let mut i = 0;
        while i < n {
            m[n][i] = u64::MAX;
            i += 1;
        }
        n += 1;
    }
    m
};

/// Whether any entry of `q` from the `n`-th on is nonzero: an OR of the
/// entries masked by `PREFIX_MASKS[n]`'s complement, a whole vector at a
/// time (no per-entry compare of indexes, which the build's baseline
/// x86-64 has no 64-bit vector instruction for).
#[inline]
pub fn any_from(q: &[u64; MAX_RESOURCE_KINDS], n: usize) -> bool {
    let mask = &PREFIX_MASKS[n.min(MAX_RESOURCE_KINDS)];
    let mut acc = [0u64; 2];
    for (pair, mpair) in q.chunks_exact(2).zip(mask.chunks_exact(2)) {
        acc[0] |= pair[0] & !mpair[0];
        acc[1] |= pair[1] & !mpair[1];
    }
    (acc[0] | acc[1]) != 0
}

/// Resources on an agent, in an offer, a task or a filter: unreserved
/// quantities plus quantities reserved for roles (sorted by role, no empty
/// entries).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct ResourceSet {
    pub unreserved: Quantities,
    pub reserved: Vec<(RoleId, Quantities)>,
}

impl ResourceSet {
    pub fn unreserved(q: Quantities) -> ResourceSet {
        ResourceSet {
            unreserved: q,
            reserved: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.unreserved.is_empty() && self.reserved.is_empty()
    }

    /// Reserved and unreserved merged by name (what DRF counts).
    ///
    /// `#[inline]`: the allocation run and the answers call it per offer;
    /// without it, whether it is inlined there depended on how the crate
    /// happened to be split into codegen units (a change elsewhere in the
    /// master once made it an out-of-line call with a 128-byte copy,
    /// docs/performance.md, "Offers and answers (stop 20)").
    #[inline]
    pub fn total(&self) -> Quantities {
        let mut t = self.unreserved;
        for (_, q) in &self.reserved {
            t.add(q);
        }
        t
    }

    /// `self.total().contains(demand)` without summing the total when the
    /// unreserved part alone holds the demand or nothing is reserved.
    pub fn total_contains(&self, demand: &Quantities) -> bool {
        if self.unreserved.contains(demand) {
            return true;
        }
        !self.reserved.is_empty() && self.total().contains(demand)
    }

    /// [`ResourceSet::total`] when every part's entries from `n` on are
    /// zero (see [`Quantities::add_first`]).
    ///
    /// The unreserved part's first `n` entries are taken with a mask
    /// (`PREFIX_MASKS`), whole vectors at a time, not added entry by entry
    /// into a zero vector: the same entries (`0 + x` is `x`, the rest
    /// zero), but written with vector stores, so that the caller's vector
    /// reads of the result are forwarded from them instead of waiting for
    /// eight-byte stores to reach the cache (a stall the native profiles
    /// showed in the run's offers, `track_total` and `release`).
    pub fn total_first(&self, n: usize) -> Quantities {
        let mask = &PREFIX_MASKS[n.min(MAX_RESOURCE_KINDS)];
        let mut t = Quantities::ZERO;
        for ((t, &u), &m) in t.0.iter_mut().zip(&self.unreserved.0).zip(mask) {
            *t = u & m;
        }
        for (_, q) in &self.reserved {
            t.add_first(q, n);
        }
        t
    }

    /// [`ResourceSet::total_first`], read in place when nothing is
    /// reserved (the common case: no sum built on the stack and read
    /// back); otherwise summed into `summed`.
    pub fn total_first_in<'a>(
        &'a self,
        n: usize,
        summed: &'a mut Option<Quantities>,
    ) -> &'a Quantities {
        if self.reserved.is_empty() {
            &self.unreserved
        } else {
            summed.insert(self.total_first(n))
        }
    }

    /// [`ResourceSet::add`] when every part of `other` has zeros from `n`
    /// on (see [`Quantities::add_first`]).
    pub fn add_first(&mut self, other: &ResourceSet, n: usize) {
        self.unreserved.add_first(&other.unreserved, n);
        for (role, q) in &other.reserved {
            self.add_reserved(*role, q);
        }
    }

    pub fn reserved_total(&self) -> Quantities {
        let mut t = Quantities::ZERO;
        for (_, q) in &self.reserved {
            t.add(q);
        }
        t
    }

    pub fn reserved_for(&self, role: RoleId) -> Quantities {
        match self.reserved.binary_search_by_key(&role, |(r, _)| *r) {
            Ok(i) => self.reserved[i].1,
            Err(_) => Quantities::ZERO,
        }
    }

    pub fn add_reserved(&mut self, role: RoleId, q: &Quantities) {
        if q.is_empty() {
            return;
        }
        match self.reserved.binary_search_by_key(&role, |(r, _)| *r) {
            Ok(i) => self.reserved[i].1.add(q),
            Err(i) => self.reserved.insert(i, (role, *q)),
        }
    }

    /// Removes `q` from the reservation of `role`; false if not contained.
    pub fn sub_reserved(&mut self, role: RoleId, q: &Quantities) -> bool {
        if q.is_empty() {
            return true;
        }
        match self.reserved.binary_search_by_key(&role, |(r, _)| *r) {
            Ok(i) => match self.reserved[i].1.checked_sub(q) {
                Some(rest) => {
                    if rest.is_empty() {
                        self.reserved.remove(i);
                    } else {
                        self.reserved[i].1 = rest;
                    }
                    true
                }
                None => false,
            },
            Err(_) => false,
        }
    }

    pub fn add(&mut self, other: &ResourceSet) {
        self.unreserved.add(&other.unreserved);
        for (role, q) in &other.reserved {
            self.add_reserved(*role, q);
        }
    }

    /// Exact subtraction; false (and `self` unspecified) when `other` is not
    /// contained.
    pub fn sub(&mut self, other: &ResourceSet) -> bool {
        match self.unreserved.checked_sub(&other.unreserved) {
            Some(rest) => self.unreserved = rest,
            None => return false,
        }
        other
            .reserved
            .iter()
            .all(|(role, q)| self.sub_reserved(*role, q))
    }

    pub fn contains(&self, other: &ResourceSet) -> bool {
        self.unreserved.contains(&other.unreserved)
            && other
                .reserved
                .iter()
                .all(|(role, q)| self.reserved_for(*role).contains(q))
    }

    /// [`ResourceSet::contains`] when every part of `other` has zeros from
    /// `n` on (see [`Quantities::add_first`]).
    pub fn contains_first(&self, other: &ResourceSet, n: usize) -> bool {
        self.unreserved.contains_first(&other.unreserved, n)
            && other
                .reserved
                .iter()
                .all(|(role, q)| self.reserved_for(*role).contains_first(q, n))
    }

    /// [`ResourceSet::sub`] when every part of `other` has zeros from `n`
    /// on (see [`Quantities::add_first`]): false (and `self` unspecified)
    /// when `other` is not contained.
    pub fn sub_first(&mut self, other: &ResourceSet, n: usize) -> bool {
        if !self.unreserved.contains_first(&other.unreserved, n) {
            return false;
        }
        self.unreserved.saturating_sub_first(&other.unreserved, n);
        other
            .reserved
            .iter()
            .all(|(role, q)| self.sub_reserved(*role, q))
    }

    /// The part usable by `role`: unreserved resources plus reservations for
    /// the role itself or one of its ancestors (`allowed(reservation_role)`).
    pub fn allocatable_to(&self, allowed: impl Fn(RoleId) -> bool) -> ResourceSet {
        ResourceSet {
            unreserved: self.unreserved,
            reserved: self
                .reserved
                .iter()
                .filter(|(r, _)| allowed(*r))
                .cloned()
                .collect(),
        }
    }

    /// Per part (unreserved, each role's reservation) and per name, the
    /// smaller of the two.
    pub fn overlap(&self, other: &ResourceSet) -> ResourceSet {
        let mut out = ResourceSet::unreserved(self.unreserved.min_each(&other.unreserved));
        for (role, q) in &self.reserved {
            out.add_reserved(*role, &q.min_each(&other.reserved_for(*role)));
        }
        out
    }

    /// Per part and per name, `self − other`, 0 where `other` has more
    /// (what Mesos's `Resources` subtraction gives).
    pub fn minus(&self, other: &ResourceSet) -> ResourceSet {
        let mut out = ResourceSet::unreserved(self.unreserved.minus(&other.unreserved));
        for (role, q) in &self.reserved {
            out.add_reserved(*role, &q.minus(&other.reserved_for(*role)));
        }
        out
    }

    pub fn reserved_only(&self) -> ResourceSet {
        ResourceSet {
            unreserved: Quantities::ZERO,
            reserved: self.reserved.clone(),
        }
    }

    /// [`ResourceSet::take`] when `demand`'s entries from `n` on are zero
    /// (`n` at least [`Quantities::width`] of it): the same result and the
    /// same `self` after, with the unreserved part compared and taken over
    /// the first `n` entries only when nothing is reserved (an entry past
    /// them holds a zero demand and gives it).
    #[inline]
    pub fn take_first(&mut self, demand: &Quantities, n: usize) -> Option<ResourceSet> {
        debug_assert!(demand.zero_from(n));
        if self.reserved.is_empty() {
            if !self.unreserved.contains_first(demand, n) {
                return None;
            }
            self.unreserved.saturating_sub_first(demand, n);
            return Some(ResourceSet::unreserved(*demand));
        }
        self.take(demand)
    }

    /// Takes `demand` (merged by name) out of `self`, reservations first (in
    /// role order), then unreserved. Returns the part taken, or `None` (and
    /// leaves `self` unchanged) if it does not fit.
    pub fn take(&mut self, demand: &Quantities) -> Option<ResourceSet> {
        if self.reserved.is_empty() {
            // Nothing reserved (the common case): the part taken is the
            // demand itself, from the unreserved quantities; no total is
            // summed and nothing is copied but the result.
            if !self.unreserved.contains(demand) {
                return None;
            }
            self.unreserved.saturating_sub(demand);
            return Some(ResourceSet::unreserved(*demand));
        }
        if !self.total().contains(demand) {
            return None;
        }
        let mut left = *demand;
        let mut taken = ResourceSet::default();
        for (role, q) in self.reserved.iter_mut() {
            let part = q.min_each(&left);
            if !part.is_empty() {
                q.saturating_sub(&part);
                left.saturating_sub(&part);
                taken.add_reserved(*role, &part);
            }
        }
        self.reserved.retain(|(_, q)| !q.is_empty());
        self.unreserved.saturating_sub(&left);
        taken.unreserved = left;
        Some(taken)
    }
}

/// Formats milli-units in the scenario's units: `1500` → `1.5`, `4096000` → `4096`.
pub fn format_milli(milli: u64) -> String {
    let mut s = String::new();
    write_milli(&mut s, milli);
    s
}

pub fn write_milli(out: &mut String, milli: u64) {
    let whole = milli / MILLI;
    let frac = milli % MILLI;
    let _ = write!(out, "{whole}");
    if frac != 0 {
        let digits = format!("{frac:03}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// Milli-units as a JSON-friendly float in the scenario's units.
pub fn milli_to_f64(milli: u64) -> f64 {
    milli as f64 / MILLI as f64
}

/// The Mesos text form `cpus:1;mem:4096`: names in declaration order, zero
/// entries left out, nothing held = empty string.
pub fn format_quantities(q: &Quantities, names: &ResourceNames) -> String {
    let mut out = String::new();
    for (r, v) in q.nonzero() {
        if (r.0 as usize) >= names.len() {
            continue;
        }
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(names.name(r));
        out.push(':');
        write_milli(&mut out, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `add_first_wide` is `add_first` (and `add`) whenever the added
    /// vector is zero from `n` on, for every `n`, sums near the top
    /// saturating as they do; `saturating_sub_first_wide` is
    /// `saturating_sub_first` (and `saturating_sub`) likewise.
    #[test]
    fn wide_adds_are_the_first_adds() {
        let mut x = 0x853c_49e6_748f_ea9bu64;
        let mut draw = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let n = (draw() % (MAX_RESOURCE_KINDS as u64 + 1)) as usize;
            let mut a = Quantities::ZERO;
            let mut b = Quantities::ZERO;
            for k in 0..MAX_RESOURCE_KINDS {
                a.0[k] = match draw() % 4 {
                    0 => u64::MAX - draw() % 8,
                    1 => 0,
                    _ => draw() % 1000,
                };
                if k < n {
                    b.0[k] = if draw() % 8 == 0 {
                        u64::MAX
                    } else {
                        draw() % 1000
                    };
                }
            }
            let (mut wide, mut first, mut whole) = (a, a, a);
            wide.add_first_wide(&b, n);
            first.add_first(&b, n);
            whole.add(&b);
            assert_eq!(wide, first, "n {n}");
            assert_eq!(wide, whole, "n {n}");
            // The same of the subtractions, down to zero as they saturate.
            let (mut wide, mut first, mut whole) = (a, a, a);
            wide.saturating_sub_first_wide(&b, n);
            first.saturating_sub_first(&b, n);
            whole.saturating_sub(&b);
            assert_eq!(wide, first, "n {n}");
            assert_eq!(wide, whole, "n {n}");
        }
    }

    /// `width` is one past the last non-zero entry; `take_first` over a
    /// demand's width (or more) takes what `take` takes and leaves the
    /// same set, fitting or not, with and without reserved parts and with
    /// non-zero entries past the demand's width in the set;
    /// `saturating_sub_scaled_first` over the width is
    /// `minus(scaled(k))`, saturating as they do.
    #[test]
    fn first_takes_are_the_takes() {
        let mut rng = crate::sim::rng::Stream::new(7, "take-first");
        let value = |rng: &mut crate::sim::rng::Stream, i: usize, w: usize| match rng.below(6) {
            _ if i >= w => 0,
            0 => 0,
            1 => u64::MAX - rng.below(4),
            _ => rng.below(50) + 1,
        };
        for _ in 0..20_000 {
            let w = rng.below(MAX_RESOURCE_KINDS as u64 + 1) as usize;
            let mut demand = Quantities::ZERO;
            for i in 0..MAX_RESOURCE_KINDS {
                demand.0[i] = value(&mut rng, i, w);
            }
            let width = demand.width();
            assert!(width <= w && demand.zero_from(width));
            assert!(width == 0 || demand.0[width - 1] != 0);
            let mut set = ResourceSet::default();
            for i in 0..MAX_RESOURCE_KINDS {
                set.unreserved.0[i] = value(&mut rng, i, MAX_RESOURCE_KINDS).wrapping_mul(3);
            }
            if rng.below(4) == 0 {
                let mut q = Quantities::ZERO;
                q.0[rng.below(w.max(1) as u64) as usize] = rng.below(100) + 1;
                set.add_reserved(RoleId(rng.below(3) as u32), &q);
            }
            let n = width + rng.below((MAX_RESOURCE_KINDS - width) as u64 + 1) as usize;
            let (mut first, mut whole) = (set.clone(), set.clone());
            for _ in 0..4 {
                assert_eq!(first.take_first(&demand, n), whole.take(&demand));
                assert_eq!(first, whole);
            }
            let k = match rng.below(3) {
                0 => u64::MAX,
                _ => rng.below(10),
            };
            let mut sub = set.unreserved;
            sub.saturating_sub_scaled_first(&demand, k, width);
            assert_eq!(sub, set.unreserved.minus(&demand.scaled(k)));
        }
        assert_eq!(Quantities::ZERO.width(), 0);
    }

    /// `total_first` (masked whole vectors) gives what adding the first
    /// `n` entries into a zero vector gave, for every `n` (past the end
    /// too) and sets with and without reserved parts, tails not zero
    /// included.
    /// `any_from` is "some entry from the `n`-th on is nonzero", for every
    /// `n` (past the kinds too) and vectors with zero and nonzero tails.
    #[test]
    fn any_from_is_its_definition() {
        let mut rng = crate::sim::rng::Stream::new(5, "any-from");
        for k in 0..2_000 {
            let mut q = [0u64; MAX_RESOURCE_KINDS];
            let set = rng.below(4);
            for _ in 0..set {
                let i = rng.below(MAX_RESOURCE_KINDS as u64) as usize;
                q[i] = match rng.below(3) {
                    0 => 1,
                    1 => u64::MAX,
                    _ => rng.below(1 << 40) + 1,
                };
            }
            let n = k % (MAX_RESOURCE_KINDS + 3);
            let expected = q.iter().skip(n).any(|&v| v != 0);
            assert_eq!(any_from(&q, n), expected, "{q:?} from {n}");
        }
    }

    #[test]
    fn total_first_is_the_first_definition() {
        fn first(r: &ResourceSet, n: usize) -> Quantities {
            let mut t = Quantities::ZERO;
            t.add_first(&r.unreserved, n);
            for (_, q) in &r.reserved {
                t.add_first(q, n);
            }
            t
        }
        let mut rng = crate::sim::rng::Stream::new(3, "total-first");
        for k in 0..400 {
            let mut v = || {
                let mut q = Quantities::ZERO;
                for x in q.0.iter_mut() {
                    *x = match rng.below(4) {
                        0 => 0,
                        1 => u64::MAX - rng.below(3),
                        _ => rng.below(1 << 40),
                    };
                }
                q
            };
            let unreserved = v();
            let reserved = (0..k % 3).map(|i| (RoleId(i as u32), v())).collect();
            let r = ResourceSet {
                unreserved,
                reserved,
            };
            for n in 0..=MAX_RESOURCE_KINDS + 2 {
                assert_eq!(r.total_first(n), first(&r, n), "n = {n}");
            }
        }
    }

    fn q(v: &[u64]) -> Quantities {
        let mut out = Quantities::ZERO;
        for (i, x) in v.iter().enumerate() {
            out.0[i] = *x;
        }
        out
    }

    #[test]
    fn formats_milli_units() {
        assert_eq!(format_milli(0), "0");
        assert_eq!(format_milli(1), "0.001");
        assert_eq!(format_milli(1500), "1.5");
        assert_eq!(format_milli(4_096_000), "4096");
        assert_eq!(format_milli(10), "0.01");
    }

    #[test]
    fn formats_in_declaration_order_without_zeros() {
        let mut names = ResourceNames::default();
        names.intern("cpus");
        names.intern("mem");
        names.intern("disk");
        assert_eq!(
            format_quantities(&q(&[2000, 1_024_000, 0]), &names),
            "cpus:2;mem:1024"
        );
        assert_eq!(format_quantities(&Quantities::ZERO, &names), "");
    }

    #[test]
    fn limits_absent_is_unlimited_zero_is_none() {
        let mut l = Limits::NONE;
        l.set_limit(ResId(0), 0);
        let x = q(&[5000, 7000]);
        assert_eq!(l.shrink(&x), q(&[0, 7000]));
        let l2 = l.minus(&q(&[1000, 1000]));
        assert_eq!(l2.limit(ResId(0)), Some(0));
        assert_eq!(l2.limit(ResId(1)), None);
    }

    #[test]
    fn take_prefers_reservations() {
        let mut set = ResourceSet::unreserved(q(&[2000, 1000]));
        set.add_reserved(RoleId(3), &q(&[1000]));
        let taken = set.take(&q(&[2000, 500])).unwrap();
        assert_eq!(taken.reserved_for(RoleId(3)), q(&[1000]));
        assert_eq!(taken.unreserved, q(&[1000, 500]));
        assert_eq!(set.reserved, vec![]);
        assert_eq!(set.unreserved, q(&[1000, 500]));
        assert!(set.take(&q(&[5000])).is_none());
    }

    #[test]
    fn total_contains_is_the_total_s_contains() {
        let mut set = ResourceSet::unreserved(q(&[2000, 1000]));
        for d in [
            q(&[2000, 1000]),
            q(&[3000]),
            q(&[2000, 1001]),
            q(&[0, 0, 1]),
        ] {
            assert_eq!(set.total_contains(&d), set.total().contains(&d));
        }
        set.add_reserved(RoleId(3), &q(&[1000]));
        for d in [q(&[3000, 1000]), q(&[3001]), q(&[2500, 500]), q(&[0, 0, 1])] {
            assert_eq!(set.total_contains(&d), set.total().contains(&d));
        }
    }

    #[test]
    fn take_without_reservations_takes_the_demand() {
        let mut set = ResourceSet::unreserved(q(&[4000, 16_384_000]));
        let taken = set.take(&q(&[1000, 2_048_000])).unwrap();
        assert_eq!(taken, ResourceSet::unreserved(q(&[1000, 2_048_000])));
        assert_eq!(set, ResourceSet::unreserved(q(&[3000, 14_336_000])));
        assert!(set.take(&q(&[4000])).is_none());
        assert_eq!(set, ResourceSet::unreserved(q(&[3000, 14_336_000])));
        let taken = set.take(&q(&[3000, 14_336_000])).unwrap();
        assert_eq!(taken.unreserved, q(&[3000, 14_336_000]));
        assert!(set.is_empty());
    }

    #[test]
    fn first_entries_agree_with_the_whole_vectors() {
        let a = q(&[5000, 0, 7]);
        let b = q(&[1000, 2000, 9]);
        let (mut x, mut y) = (a, a);
        x.add(&b);
        y.add_first(&b, 3);
        assert_eq!(x, y);
        let (mut x, mut y) = (a, a);
        x.saturating_sub(&b);
        y.saturating_sub_first(&b, 3);
        assert_eq!(x, y);
        assert!(q(&[0, 0, 0]).is_empty_first(3));
        assert!(!a.is_empty_first(3));
        assert!(a.zero_from(3) && !a.zero_from(2));
        let mut set = ResourceSet::unreserved(a);
        set.add_reserved(RoleId(1), &b);
        assert_eq!(set.total_first(3), set.total());
        let (mut x, mut y) = (set.clone(), set.clone());
        x.add(&set);
        y.add_first(&set, 3);
        assert_eq!(x, y);
    }

    #[test]
    fn containment_is_per_reservation() {
        let mut a = ResourceSet::unreserved(q(&[1000]));
        a.add_reserved(RoleId(1), &q(&[1000]));
        let mut b = ResourceSet::unreserved(q(&[1000]));
        assert!(a.contains(&b));
        b.add_reserved(RoleId(2), &q(&[1]));
        assert!(!a.contains(&b));
    }
}
