//! Exact ideal references: the divisible allocations that DRF, asset
//! fairness and CEEI would make of the demands and capacities at one
//! moment, computed with rational arithmetic (docs/policies.md, "Ideal
//! references").
//!
//! A [`Problem`] has resources with capacities, users who each want units
//! of a fixed bundle (a task's resources; optionally at most so many
//! units), and a weighted tree above the users (roles; a flat problem has
//! every user at the top).
//!
//! - [`fill`] with [`Share::Dominant`] is DRF by **progressive filling**
//!   with weights and the tree, the same definition as the metric
//!   (`metrics::fairness::hierarchical_fill`, docs/metrics.md), here exact;
//!   with [`Share::Asset`] a user's share is the sum of its resource shares
//!   (asset fairness, DRF paper §5.1).
//! - [`ceei`] is the competitive equilibrium from equal incomes: the
//!   allocation maximising `Σ b_i log x_i` (Eisenberg–Gale; the Nash
//!   bargaining solution), budgets `b_i` from the weights down the tree.
//!   Its optimum can be irrational (a root of a polynomial), so it is
//!   solved numerically and then made exact where the constraints that
//!   bind fix it: [`Ceei::exact`] says which.

// Matrix and vector arithmetic over indices reads best as indexed loops.
#![allow(clippy::needless_range_loop)]

mod pwl;
mod references;

pub use references::References;

use num_bigint::BigInt;
pub use num_rational::BigRational as Q;
use num_traits::{One, Signed, ToPrimitive, Zero};
use pwl::{zeros, Pwl};

/// A rational from a fraction of integers.
pub fn q(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

/// A rational with the exact value of a finite `f64` (0 for NaN/∞).
pub fn q_f64(x: f64) -> Q {
    Q::from_float(x).unwrap_or_else(Q::zero)
}

/// One user: it wants units of `unit` (per resource), at most `max_units`
/// of them (none: without bound).
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub name: String,
    pub unit: Vec<Q>,
    pub max_units: Option<Q>,
}

/// A node of the tree above the users.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A user, by its index in [`Problem::users`].
    User(usize),
    /// Child nodes (indices into [`Problem::nodes`]) with their weights.
    Inner(Vec<(usize, Q)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Resource names, for output.
    pub resources: Vec<String>,
    /// Capacity per resource.
    pub capacity: Vec<Q>,
    /// Whether a resource counts in shares (every resource limits).
    pub counted: Vec<bool>,
    pub users: Vec<User>,
    pub nodes: Vec<Node>,
    /// The top-level nodes with their weights.
    pub top: Vec<(usize, Q)>,
}

impl Problem {
    /// Every user at the top level with its weight.
    pub fn flat(
        resources: Vec<String>,
        capacity: Vec<Q>,
        users: Vec<User>,
        weights: Vec<Q>,
    ) -> Problem {
        let nodes: Vec<Node> = (0..users.len()).map(Node::User).collect();
        let top = weights.into_iter().enumerate().collect();
        Problem {
            counted: vec![true; capacity.len()],
            resources,
            capacity,
            users,
            nodes,
            top,
        }
    }

    fn m(&self) -> usize {
        self.capacity.len()
    }

    /// Whether user `u` can take part: it wants something of a counted
    /// resource, and nothing of a resource the cluster does not have.
    fn takes_part(&self, u: usize) -> bool {
        let d = &self.users[u].unit;
        let wants_counted = (0..self.m()).any(|j| self.counted[j] && d[j].is_positive());
        let possible = (0..self.m()).all(|j| !d[j].is_positive() || self.capacity[j].is_positive());
        let bounded_above_zero = self.users[u]
            .max_units
            .as_ref()
            .is_none_or(|m| m.is_positive());
        wants_counted && possible && bounded_above_zero
    }

    /// Each resource's weight in a share: `1 / capacity` where counted.
    fn scale(&self) -> Vec<Q> {
        (0..self.m())
            .map(|j| {
                if self.counted[j] && self.capacity[j].is_positive() {
                    Q::one() / &self.capacity[j]
                } else {
                    Q::zero()
                }
            })
            .collect()
    }

    /// The share of a bundle.
    pub fn share_of(&self, v: &[Q], share: Share) -> Q {
        let scale = self.scale();
        let parts = v.iter().zip(&scale).map(|(a, s)| a * s);
        match share {
            Share::Dominant => parts.fold(Q::zero(), |a, b| if b > a { b } else { a }),
            Share::Asset => parts.fold(Q::zero(), |a, b| a + b),
        }
    }

    /// The users below each node, in depth-first order.
    fn leaves(&self, node: usize, out: &mut Vec<usize>) {
        match &self.nodes[node] {
            Node::User(u) => out.push(*u),
            Node::Inner(children) => {
                for (c, _) in children {
                    self.leaves(*c, out);
                }
            }
        }
    }
}

/// How a user's share of a bundle is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// The largest of its resource shares (DRF).
    Dominant,
    /// The sum of its resource shares (asset fairness).
    Asset,
}

/// An allocation: units per user, and what they hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    pub units: Vec<Q>,
}

impl Allocation {
    /// User `u`'s bundle.
    pub fn bundle(&self, p: &Problem, u: usize) -> Vec<Q> {
        p.users[u].unit.iter().map(|d| d * &self.units[u]).collect()
    }
}

/// Progressive filling by `share`, exactly: a level `λ` rises from 0 and
/// each top-level node holds share `w λ`; inside a node its children hold
/// `w μ` at the node's own level `μ`, the largest at which the node's
/// summed allocation has the share its parent gives it; a user holds
/// `min(share / δ, max_units)` units (`δ` = the share of one unit). When a
/// resource runs out the users needing it freeze; the others go on, never
/// below what they held. Where a node's share is held up by a frozen user,
/// its other users grow at once to that share (the level rule); if such a
/// jump would overrun a capacity it is cut where the first resource runs
/// out, every quantity moving in proportion.
pub fn fill(p: &Problem, share: Share) -> Allocation {
    let n = p.users.len();
    let m = p.m();
    let scale = p.scale();
    let dominant = share == Share::Dominant;
    let delta: Vec<Q> = p.users.iter().map(|u| p.share_of(&u.unit, share)).collect();
    let mut order = Vec::new();
    for (c, _) in &p.top {
        p.leaves(*c, &mut order);
    }
    let mut in_tree = vec![false; n];
    for &u in &order {
        in_tree[u] = true;
    }
    // Users outside the tree, or who cannot take part, get nothing.
    let mut frozen: Vec<Option<Q>> = (0..n)
        .map(|u| (!p.takes_part(u) || !in_tree[u]).then(Q::zero))
        .collect();
    // What each growing user holds after the last pass.
    let mut floors: Vec<Q> = zeros(n);
    // Each pass freezes at least one user.
    for _ in 0..=n {
        // A node's allocation as a function of the share it is given:
        // components 0..m the resources, then its users' units.
        fn node_fn(
            p: &Problem,
            i: usize,
            delta: &[Q],
            frozen: &[Option<Q>],
            floors: &[Q],
            scale: &[Q],
            dominant: bool,
        ) -> Pwl {
            let m = p.m();
            match &p.nodes[i] {
                Node::User(u) => {
                    let unit = &p.users[*u].unit;
                    let with_units = |k: &Q| -> Vec<Q> {
                        let mut v: Vec<Q> = unit.iter().map(|d| d * k).collect();
                        v.push(k.clone());
                        v
                    };
                    match &frozen[*u] {
                        Some(k) => Pwl::constant(with_units(k)),
                        None => {
                            // units = max(floor, σ / δ), up to max_units:
                            // a user never loses what an earlier pass gave.
                            let floor = &floors[*u];
                            let rate = with_units(&(Q::one() / &delta[*u]));
                            let from = floor * &delta[*u];
                            let mut f = Pwl {
                                xs: vec![Q::zero()],
                                at: vec![with_units(floor)],
                                slope: vec![rate.clone()],
                            };
                            if from.is_positive() {
                                f.slope[0] = zeros(m + 1);
                                f.xs.push(from);
                                f.at.push(with_units(floor));
                                f.slope.push(rate);
                            }
                            if let Some(max) = &p.users[*u].max_units {
                                if floor >= max {
                                    return Pwl::constant(with_units(max));
                                }
                                f.xs.push(max * &delta[*u]);
                                f.at.push(with_units(max));
                                f.slope.push(zeros(m + 1));
                            }
                            f
                        }
                    }
                }
                Node::Inner(children) => {
                    let parts: Vec<Pwl> = children
                        .iter()
                        .map(|(c, w)| {
                            node_fn(p, *c, delta, frozen, floors, scale, dominant).scale_arg(w)
                        })
                        .collect();
                    Pwl::sum_concat(&parts, m).through_share(m, scale, dominant)
                }
            }
        }
        let parts: Vec<Pwl> = p
            .top
            .iter()
            .map(|(c, w)| node_fn(p, *c, &delta, &frozen, &floors, &scale, dominant).scale_arg(w))
            .collect();
        let total = Pwl::sum_concat(&parts, m);
        // The first level at which a resource runs out.
        let mut first: Option<Q> = None;
        for j in 0..m {
            let cap = &p.capacity[j];
            for k in 0..total.xs.len() {
                let v = &total.at[k][j];
                let s = &total.slope[k][j];
                let cross = if v > cap {
                    Some(total.xs[k].clone())
                } else if s.is_positive() {
                    let x = &total.xs[k] + (cap - v) / s;
                    total.xs.get(k + 1).is_none_or(|e| x < *e).then_some(x)
                } else {
                    None
                };
                if let Some(x) = cross {
                    if first.as_ref().is_none_or(|f| x < *f) {
                        first = Some(x);
                    }
                    break;
                }
            }
        }
        let Some(level) = first else {
            // Everything fits: every demand is met.
            let end = total.xs.last().cloned().unwrap_or_else(Q::zero);
            let v = total.value(&end);
            return assemble(n, &order, &v[m..]);
        };
        let at = total.value(&level);
        let fits = (0..m).all(|j| at[j] <= p.capacity[j]);
        let v = if fits {
            at.clone()
        } else {
            // A jump past a capacity (a node whose share is held by a
            // frozen user lets its other users grow at once): cut the jump
            // short where the first resource runs out, every quantity
            // moving in proportion.
            let before = total.left(&level);
            let mut cut = Q::one();
            for j in 0..m {
                if at[j] > p.capacity[j] && at[j] > before[j] {
                    let t = (&p.capacity[j] - &before[j]) / (&at[j] - &before[j]);
                    if t < cut {
                        cut = t;
                    }
                }
            }
            before
                .iter()
                .zip(&at)
                .map(|(b, a)| b + &cut * (a - b))
                .collect()
        };
        let after = total.slope_after(&level);
        let over: Vec<bool> = (0..m)
            .map(|j| {
                (at[j] > p.capacity[j] && v[j] == p.capacity[j])
                    || (at[j] == p.capacity[j] && after[j].is_positive())
            })
            .collect();
        let units = &v[m..];
        let mut froze = false;
        for (pos, &u) in order.iter().enumerate() {
            if frozen[u].is_none() && (0..m).any(|j| over[j] && p.users[u].unit[j].is_positive()) {
                frozen[u] = Some(units[pos].clone());
                froze = true;
            } else if frozen[u].is_none() {
                floors[u] = units[pos].clone();
            }
        }
        if !froze {
            for (pos, &u) in order.iter().enumerate() {
                if frozen[u].is_none() {
                    frozen[u] = Some(units[pos].clone());
                }
            }
        }
        if frozen.iter().all(Option::is_some) {
            break;
        }
    }
    Allocation {
        units: frozen
            .into_iter()
            .map(|f| f.unwrap_or_else(Q::zero))
            .collect(),
    }
}

fn assemble(n: usize, order: &[usize], units: &[Q]) -> Allocation {
    let mut out = zeros(n);
    for (pos, &u) in order.iter().enumerate() {
        out[u] = units[pos].clone();
    }
    Allocation { units: out }
}

/// Each user's budget in CEEI: its weight's part of its parent's budget,
/// among the siblings whose subtree has a user taking part; the top shares
/// a budget of 1.
pub fn budgets(p: &Problem) -> Vec<Q> {
    let mut out = zeros(p.users.len());
    fn active(p: &Problem, node: usize) -> bool {
        let mut ls = Vec::new();
        p.leaves(node, &mut ls);
        ls.iter().any(|&u| p.takes_part(u))
    }
    fn down(p: &Problem, level: &[(usize, Q)], budget: Q, out: &mut [Q]) {
        let live: Vec<&(usize, Q)> = level
            .iter()
            .filter(|(c, w)| w.is_positive() && active(p, *c))
            .collect();
        let sum: Q = live
            .iter()
            .map(|(_, w)| w.clone())
            .fold(Q::zero(), |a, b| a + b);
        for (c, w) in live {
            let b = &budget * w / &sum;
            match &p.nodes[*c] {
                Node::User(u) => out[*u] = b,
                Node::Inner(children) => down(p, children, b, out),
            }
        }
    }
    down(p, &p.top, Q::one(), &mut out);
    out
}

/// The CEEI allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Ceei {
    /// Units per user: the exact units rounded to `f64` when `exact` is
    /// known, the interior-point solver's otherwise (relative 1e-9; less
    /// near a kink, where a user reaches its bound just as a resource runs
    /// out: about 1e-5 there).
    pub units: Vec<f64>,
    /// The exact units, when the binding constraints fix the optimum and
    /// the optimality conditions check out exactly; `None` when the optimum
    /// is not pinned by them (it may then be irrational).
    pub exact: Option<Vec<Q>>,
}

/// CEEI: maximise `Σ b_i log x_i` subject to the capacities and
/// `x_i ≤ max_units` (an interior-point method on `f64`), then, if the
/// constraints binding at the optimum have one solution, that solution in
/// rationals, kept if it satisfies the optimality conditions exactly.
pub fn ceei(p: &Problem) -> Ceei {
    let b = budgets(p);
    let users: Vec<usize> = (0..p.users.len())
        .filter(|&u| p.takes_part(u) && b[u].is_positive())
        .collect();
    let m = p.m();
    let res: Vec<usize> = (0..m)
        .filter(|&j| users.iter().any(|&u| p.users[u].unit[j].is_positive()))
        .collect();
    let f = |x: &Q| x.to_f64().unwrap_or(0.0);
    // Units in capacity fractions: row r of `a` is resource res[r].
    let a: Vec<Vec<f64>> = res
        .iter()
        .map(|&j| {
            users
                .iter()
                .map(|&u| f(&(&p.users[u].unit[j] / &p.capacity[j])))
                .collect()
        })
        .collect();
    let cap: Vec<Option<f64>> = users
        .iter()
        .map(|&u| p.users[u].max_units.as_ref().map(f))
        .collect();
    let bf: Vec<f64> = users.iter().map(|&u| f(&b[u])).collect();
    let (x, prices) = ceei_f64(&a, &cap, &bf);
    let mut units = vec![0.0; p.users.len()];
    for (i, &u) in users.iter().enumerate() {
        units[u] = x[i];
    }
    let exact = polish(p, &users, &res, &b, &x, &prices).map(|xe| {
        let mut out = zeros(p.users.len());
        for (i, &u) in users.iter().enumerate() {
            out[u] = xe[i].clone();
        }
        out
    });
    if let Some(e) = &exact {
        for (u, v) in units.iter_mut().enumerate() {
            *v = f(&e[u]);
        }
    }
    Ceei { units, exact }
}

/// CEEI in floating point: `a[r][i]` user `i`'s unit in fractions of
/// resource `r`, `cap[i]` its bound on units, `b[i]` its budget. Returns
/// the units and the prices. Solved in the dual, whose dimension is the
/// number of resources: minimise `G(p) = Σ_r p_r + Σ_i max_{0<x≤cap_i}
/// (b_i log x − x p·a_i)` over `p ≥ 0` by Newton's method with a barrier
/// `−τ Σ log p_r`, τ → 0; a user's units are then `min(cap_i, b_i / p·a_i)`.
/// Each step costs O(users × resources²).
pub fn ceei_f64(a: &[Vec<f64>], cap: &[Option<f64>], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = b.len();
    let m = a.len();
    if n == 0 || m == 0 {
        return (vec![0.0; n], vec![0.0; m]);
    }
    let pa = |p: &[f64], i: usize| -> f64 { (0..m).map(|r| p[r] * a[r][i]).sum() };
    let units = |p: &[f64], i: usize| -> f64 {
        let v = b[i] / pa(p, i);
        match cap[i] {
            Some(c) if v > c => c,
            _ => v,
        }
    };
    let g = |p: &[f64], tau: f64| -> f64 {
        if p.iter().any(|&v| v <= 0.0) {
            return f64::INFINITY;
        }
        let mut s: f64 = p.iter().sum::<f64>() - tau * p.iter().map(|v| v.ln()).sum::<f64>();
        for i in 0..n {
            let x = units(p, i);
            s += b[i] * x.ln() - x * pa(p, i);
        }
        s
    };
    let mut p = vec![b.iter().sum::<f64>().max(1e-12); m];
    let mut tau = 1.0;
    while tau > 1e-16 {
        for _ in 0..100 {
            let mut grad: Vec<f64> = (0..m).map(|r| 1.0 - tau / p[r]).collect();
            let mut h = vec![vec![0.0; m]; m];
            for r in 0..m {
                h[r][r] = tau / (p[r] * p[r]);
            }
            for i in 0..n {
                let d = pa(&p, i);
                let x = units(&p, i);
                for r in 0..m {
                    grad[r] -= x * a[r][i];
                }
                if cap[i].is_none_or(|c| b[i] / d <= c) {
                    let k = b[i] / (d * d);
                    for r in 0..m {
                        if a[r][i] != 0.0 {
                            for s in 0..m {
                                h[r][s] += k * a[r][i] * a[s][i];
                            }
                        }
                    }
                }
            }
            let neg: Vec<f64> = grad.iter().map(|v| -v).collect();
            let Some(step) = solve_dense(h, neg) else {
                break;
            };
            let dec: f64 = -grad.iter().zip(&step).map(|(x, y)| x * y).sum::<f64>();
            if dec.is_nan() || dec <= 1e-30 {
                break;
            }
            let base = g(&p, tau);
            let mut t = 1.0;
            let mut moved = false;
            for _ in 0..80 {
                let q: Vec<f64> = p.iter().zip(&step).map(|(v, d)| v + t * d).collect();
                let gq = g(&q, tau);
                // Near the optimum the decrease is below the objective's
                // rounding: take the (quadratically converging) full step
                // while it keeps the prices positive and does not raise
                // the objective beyond its rounding. (At a kink — a user
                // reaching its bound just where a resource runs out — the
                // barrier alone shapes the step, which can be huge: taken
                // blindly, it threw the prices out of the optimum.)
                let close = dec < 1e-10
                    && q.iter().all(|&v| v > 0.0)
                    && gq <= base + 1e-12 * base.abs().max(1.0);
                if close || gq <= base - 0.25 * t * dec {
                    p = q;
                    moved = true;
                    break;
                }
                t *= 0.5;
            }
            if !moved {
                break;
            }
        }
        tau *= 0.1;
    }
    ((0..n).map(|i| units(&p, i)).collect(), p)
}

/// Gaussian elimination with partial pivoting on a positive definite system.
fn solve_dense(mut h: Vec<Vec<f64>>, mut g: Vec<f64>) -> Option<Vec<f64>> {
    let n = g.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &k| h[i][col].abs().total_cmp(&h[k][col].abs()))?;
        if h[piv][col].abs() < 1e-300 {
            return None;
        }
        h.swap(col, piv);
        g.swap(col, piv);
        for r in col + 1..n {
            let f = h[r][col] / h[col][col];
            if f != 0.0 {
                for k in col..n {
                    h[r][k] -= f * h[col][k];
                }
                g[r] -= f * g[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| h[r][k] * x[k]).sum();
        x[r] = (g[r] - s) / h[r][r];
    }
    Some(x)
}

/// Solves `rows · x = rhs` exactly; `None` unless the solution is unique.
fn solve_exact(mut rows: Vec<Vec<Q>>, mut rhs: Vec<Q>, n: usize) -> Option<Vec<Q>> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..n {
        let Some(piv) = (r..rows.len()).find(|&i| !rows[i][col].is_zero()) else {
            continue;
        };
        rows.swap(r, piv);
        rhs.swap(r, piv);
        let inv = Q::one() / &rows[r][col];
        for k in 0..n {
            rows[r][k] = &rows[r][k] * &inv;
        }
        rhs[r] = &rhs[r] * &inv;
        for i in 0..rows.len() {
            if i != r && !rows[i][col].is_zero() {
                let f = rows[i][col].clone();
                for k in 0..n {
                    let v = &rows[r][k] * &f;
                    rows[i][k] -= v;
                }
                let v = &rhs[r] * &f;
                rhs[i] -= v;
            }
        }
        pivots.push(col);
        r += 1;
    }
    if pivots.len() < n {
        return None;
    }
    // Consistent: the rows past the pivots must read 0 = 0.
    if rhs[r..].iter().any(|v| !v.is_zero()) {
        return None;
    }
    Some(rhs[..n].to_vec())
}

/// The exact optimum near the numeric one `x`, if one can be found and
/// proved: first from the constraints binding at `x` (the resources used
/// up and the users at their bound) when they have a single solution (a
/// vertex); else from the prices, each read as the simplest fraction
/// within 1e-9 of its numeric value (the optimum on a face, when its
/// prices are rational). Either candidate is kept only if it satisfies the
/// optimality conditions of the concave programme exactly: feasible, every
/// price `p_j ≥ 0` and zero unless resource `j` is used up, every bound
/// multiplier `μ_i ≥ 0` and zero unless user `i` is at its bound, and
/// `b_i / x_i = Σ_j p_j a_ij + μ_i` — so a kept candidate is the optimum.
fn polish(
    p: &Problem,
    users: &[usize],
    res: &[usize],
    b: &[Q],
    x: &[f64],
    numeric_prices: &[f64],
) -> Option<Vec<Q>> {
    let n = users.len();
    if n == 0 {
        return Some(Vec::new());
    }
    let a: Vec<Vec<Q>> = users
        .iter()
        .map(|&u| {
            res.iter()
                .map(|&j| &p.users[u].unit[j] / &p.capacity[j])
                .collect()
        })
        .collect();
    let bound: Vec<Option<Q>> = users
        .iter()
        .map(|&u| p.users[u].max_units.clone())
        .collect();
    let bu: Vec<Q> = users.iter().map(|&u| b[u].clone()).collect();
    let used = |r: usize| -> f64 { (0..n).map(|i| a[i][r].to_f64().unwrap_or(0.0) * x[i]).sum() };
    let tight_res: Vec<usize> = (0..res.len()).filter(|&r| used(r) > 1.0 - 1e-7).collect();
    let tight_cap: Vec<usize> = (0..n)
        .filter(|&i| {
            bound[i]
                .as_ref()
                .is_some_and(|c| x[i] > c.to_f64().unwrap_or(0.0) * (1.0 - 1e-7))
        })
        .collect();
    // A vertex: the binding constraints alone.
    let mut rows: Vec<Vec<Q>> = Vec::new();
    let mut rhs: Vec<Q> = Vec::new();
    for &r in &tight_res {
        rows.push((0..n).map(|i| a[i][r].clone()).collect());
        rhs.push(Q::one());
    }
    for &i in &tight_cap {
        let mut row = zeros(n);
        row[i] = Q::one();
        rows.push(row);
        rhs.push(bound[i].clone().unwrap_or_else(Q::zero));
    }
    if let Some(xe) = solve_exact(rows, rhs, n) {
        if let Some(prices) = vertex_prices(&a, &bu, &xe, &tight_res, &tight_cap) {
            if optimal(&a, &bound, &bu, &xe, &prices) {
                return Some(xe);
            }
        }
    }
    // A face: rational prices from the numeric ones (zero for a resource
    // not used up).
    let mut prices = zeros(res.len());
    for &r in &tight_res {
        prices[r] = simplest_fraction(numeric_prices[r].max(0.0), 1e-9)?;
    }
    let xe: Vec<Q> = (0..n)
        .map(|i| {
            let pa: Q = (0..res.len())
                .map(|r| &prices[r] * &a[i][r])
                .fold(Q::zero(), |s, v| s + v);
            let want = if pa.is_positive() {
                Some(&bu[i] / &pa)
            } else {
                None
            };
            match (&bound[i], want) {
                (Some(c), Some(w)) if w > *c => c.clone(),
                (Some(c), None) => c.clone(),
                (_, Some(w)) => w,
                (None, None) => Q::zero(),
            }
        })
        .collect();
    optimal(&a, &bound, &bu, &xe, &prices).then_some(xe)
}

/// The prices and bound multipliers at a vertex, from the optimality
/// conditions (one equation per user), when they are unique.
fn vertex_prices(
    a: &[Vec<Q>],
    b: &[Q],
    x: &[Q],
    tight_res: &[usize],
    tight_cap: &[usize],
) -> Option<Vec<Q>> {
    let n = x.len();
    let m = a.first().map_or(0, Vec::len);
    let k = tight_res.len() + tight_cap.len();
    let mut eq = Vec::new();
    let mut val = Vec::new();
    for i in 0..n {
        if !x[i].is_positive() {
            return None;
        }
        let mut row = zeros(k);
        for (s, &r) in tight_res.iter().enumerate() {
            row[s] = a[i][r].clone();
        }
        if let Some(pos) = tight_cap.iter().position(|&c| c == i) {
            row[tight_res.len() + pos] = Q::one();
        }
        eq.push(row);
        val.push(&b[i] / &x[i]);
    }
    let mult = solve_exact(eq, val, k)?;
    let mut prices = zeros(m);
    for (s, &r) in tight_res.iter().enumerate() {
        prices[r] = mult[s].clone();
    }
    Some(prices)
}

/// The optimality conditions of `max Σ b_i log x_i` subject to
/// `Σ_i x_i a_ir ≤ 1` and `x_i ≤ bound_i`, at `x` with prices `p`, exactly:
/// the multiplier of user `i`'s bound is `μ_i = b_i / x_i − p·a_i`.
fn optimal(a: &[Vec<Q>], bound: &[Option<Q>], b: &[Q], x: &[Q], p: &[Q]) -> bool {
    let n = x.len();
    let m = p.len();
    if x.iter().any(|v| !v.is_positive()) || p.iter().any(Signed::is_negative) {
        return false;
    }
    for r in 0..m {
        let used: Q = (0..n)
            .map(|i| &a[i][r] * &x[i])
            .fold(Q::zero(), |s, v| s + v);
        if used > Q::one() || (p[r].is_positive() && used != Q::one()) {
            return false;
        }
    }
    for i in 0..n {
        let pa: Q = (0..m)
            .map(|r| &p[r] * &a[i][r])
            .fold(Q::zero(), |s, v| s + v);
        let mu = &b[i] / &x[i] - pa;
        let at_bound = bound[i].as_ref().is_some_and(|c| x[i] == *c);
        if bound[i].as_ref().is_some_and(|c| x[i] > *c)
            || mu.is_negative()
            || (mu.is_positive() && !at_bound)
        {
            return false;
        }
    }
    true
}

/// The fraction with the smallest denominator within `tol` (relative) of
/// `v`, by continued fractions; `None` past a denominator of 10^9.
fn simplest_fraction(v: f64, tol: f64) -> Option<Q> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let (mut h0, mut h1) = (0i128, 1i128);
    let (mut k0, mut k1) = (1i128, 0i128);
    let mut rest = v;
    for _ in 0..64 {
        let a = rest.floor();
        if a > 1e15 {
            return None;
        }
        let ai = a as i128;
        let (h2, k2) = (ai * h1 + h0, ai * k1 + k0);
        if k2 > 1_000_000_000 {
            return None;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        let approx = h1 as f64 / k1 as f64;
        if (approx - v).abs() <= tol * v.abs().max(1e-300) {
            return Some(Q::new(BigInt::from(h1), BigInt::from(k1)));
        }
        let frac = rest - a;
        if frac <= 0.0 {
            return Some(Q::new(BigInt::from(h1), BigInt::from(k1)));
        }
        rest = 1.0 / frac;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(cap: (i64, i64), a: (i64, i64), b: (i64, i64)) -> Problem {
        let user = |name: &str, (c, m): (i64, i64)| User {
            name: name.into(),
            unit: vec![q(c, 1), q(m, 1)],
            max_units: None,
        };
        Problem::flat(
            vec!["cpus".into(), "mem".into()],
            vec![q(cap.0, 1), q(cap.1, 1)],
            vec![user("A", a), user("B", b)],
            vec![q(1, 1), q(1, 1)],
        )
    }

    #[test]
    fn drf_paper_example() {
        let p = two((9, 18), (1, 4), (3, 1));
        assert_eq!(fill(&p, Share::Dominant).units, vec![q(3, 1), q(2, 1)]);
        assert_eq!(fill(&p, Share::Asset).units, vec![q(63, 25), q(54, 25)]);
        let c = ceei(&p);
        assert_eq!(c.exact, Some(vec![q(45, 11), q(18, 11)]));
        assert!((c.units[0] - 45.0 / 11.0).abs() < 1e-8);
    }

    #[test]
    fn asset_fairness_counter_example() {
        let p = two((30, 30), (1, 3), (1, 1));
        assert_eq!(fill(&p, Share::Asset).units, vec![q(6, 1), q(12, 1)]);
        assert_eq!(fill(&p, Share::Dominant).units, vec![q(5, 1), q(15, 1)]);
    }
}
