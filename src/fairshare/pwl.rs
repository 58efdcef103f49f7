//! Exact piecewise-linear functions from `[0, ∞)` to vectors of rationals:
//! right-continuous, linear between breakpoints, possibly with jumps at
//! them. The progressive fillings of [`super`] are compositions of these.

use num_rational::BigRational as Q;
use num_traits::{Signed, Zero};

/// `f(x) = at[k] + slope[k] · (x − xs[k])` for `xs[k] ≤ x < xs[k+1]` (the
/// last piece runs to infinity); `xs[0] = 0` and `xs` rises strictly.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pwl {
    pub xs: Vec<Q>,
    pub at: Vec<Vec<Q>>,
    pub slope: Vec<Vec<Q>>,
}

/// A sub-piece on which a share is linear: (start, f at start, f slope,
/// share at start, share slope).
type Sub = (Q, Vec<Q>, Vec<Q>, Q, Q);

pub(crate) fn zeros(n: usize) -> Vec<Q> {
    vec![Q::zero(); n]
}

fn axpy(base: &[Q], k: &Q, dir: &[Q]) -> Vec<Q> {
    base.iter().zip(dir).map(|(b, d)| b + k * d).collect()
}

impl Pwl {
    pub fn constant(v: Vec<Q>) -> Pwl {
        let n = v.len();
        Pwl {
            xs: vec![Q::zero()],
            at: vec![v],
            slope: vec![zeros(n)],
        }
    }

    pub fn dim(&self) -> usize {
        self.at[0].len()
    }

    /// The piece holding `x`.
    fn piece(&self, x: &Q) -> usize {
        match self.xs.binary_search(x) {
            Ok(k) => k,
            Err(k) => k - 1,
        }
    }

    pub fn value(&self, x: &Q) -> Vec<Q> {
        let k = self.piece(x);
        axpy(&self.at[k], &(x - &self.xs[k]), &self.slope[k])
    }

    /// The limit from the left at `x > 0` (the value at 0).
    pub fn left(&self, x: &Q) -> Vec<Q> {
        let k = self.piece(x);
        if k > 0 && self.xs[k] == *x {
            self.end_of(k - 1)
        } else {
            self.value(x)
        }
    }

    /// The limit from the left at the end of piece `k` (not the last).
    fn end_of(&self, k: usize) -> Vec<Q> {
        axpy(
            &self.at[k],
            &(&self.xs[k + 1] - &self.xs[k]),
            &self.slope[k],
        )
    }

    /// The slope right after `x`.
    pub fn slope_after(&self, x: &Q) -> &[Q] {
        &self.slope[self.piece(x)]
    }

    /// `x ↦ f(w · x)` for `w > 0`.
    pub fn scale_arg(&self, w: &Q) -> Pwl {
        Pwl {
            xs: self.xs.iter().map(|x| x / w).collect(),
            at: self.at.clone(),
            slope: self
                .slope
                .iter()
                .map(|s| s.iter().map(|v| v * w).collect())
                .collect(),
        }
    }

    /// The first `m` components summed over `parts`, then the remaining
    /// components of each part in turn.
    pub fn sum_concat(parts: &[Pwl], m: usize) -> Pwl {
        let mut xs: Vec<Q> = parts.iter().flat_map(|p| p.xs.iter().cloned()).collect();
        xs.sort();
        xs.dedup();
        if xs.is_empty() {
            xs.push(Q::zero());
        }
        let total: usize = m + parts.iter().map(|p| p.dim() - m).sum::<usize>();
        let mut at = Vec::with_capacity(xs.len());
        let mut slope = Vec::with_capacity(xs.len());
        for x in &xs {
            let mut a = zeros(m);
            let mut s = zeros(m);
            a.reserve(total - m);
            s.reserve(total - m);
            for p in parts {
                let k = p.piece(x);
                let v = axpy(&p.at[k], &(x - &p.xs[k]), &p.slope[k]);
                for j in 0..m {
                    a[j] += &v[j];
                    s[j] += &p.slope[k][j];
                }
                a.extend_from_slice(&v[m..]);
                s.extend_from_slice(&p.slope[k][m..]);
            }
            at.push(a);
            slope.push(s);
        }
        Pwl { xs, at, slope }
    }

    /// `σ ↦ f(μ(σ))` with `μ(σ) = sup {μ ≥ 0 : h(f(μ)) ≤ σ}` (0 when no `μ`
    /// qualifies), `f` taken from the left where the supremum is not
    /// attained, for a share function `h` of the first `m` components that
    /// is non-decreasing along `f`: the largest level at which a node's
    /// summed allocation has share `σ`. `h` is `max` (`dominant = true`) or
    /// the sum of `scale[j] · f_j` over the components with `scale[j] > 0`.
    pub fn through_share(&self, m: usize, scale: &[Q], dominant: bool) -> Pwl {
        let share_at = |v: &[Q], s: &[Q]| -> Vec<(Q, Q)> {
            (0..m)
                .filter(|&j| scale[j].is_positive())
                .map(|j| (&v[j] * &scale[j], &s[j] * &scale[j]))
                .collect()
        };
        // Sub-pieces on which h is linear: (start, f at start, f slope, h
        // at start, h slope).
        let mut subs: Vec<Sub> = Vec::new();
        let n = self.xs.len();
        for k in 0..n {
            let lines = share_at(&self.at[k], &self.slope[k]);
            let end = self.xs.get(k + 1);
            let mut x = self.xs[k].clone();
            if !dominant {
                let (h, hs) = lines
                    .iter()
                    .fold((Q::zero(), Q::zero()), |(a, b), (v, s)| (a + v, b + s));
                subs.push((x.clone(), self.at[k].clone(), self.slope[k].clone(), h, hs));
                continue;
            }
            // The upper envelope of the lines on [xs[k], end).
            let val = |i: usize, x: &Q| &lines[i].0 + &lines[i].1 * (x - &self.xs[k]);
            let best_at = |x: &Q| -> Option<usize> {
                let mut best: Option<usize> = None;
                for i in 0..lines.len() {
                    best = match best {
                        None => Some(i),
                        Some(b) => {
                            let (vi, vb) = (val(i, x), val(b, x));
                            if vi > vb || (vi == vb && lines[i].1 > lines[b].1) {
                                Some(i)
                            } else {
                                Some(b)
                            }
                        }
                    };
                }
                best
            };
            let mut cur = best_at(&x);
            loop {
                let (h, hs) = match cur {
                    Some(c) => (val(c, &x), lines[c].1.clone()),
                    None => (Q::zero(), Q::zero()),
                };
                let f = axpy(&self.at[k], &(&x - &self.xs[k]), &self.slope[k]);
                subs.push((x.clone(), f, self.slope[k].clone(), h, hs.clone()));
                let Some(c) = cur else { break };
                // The next line to overtake the current one.
                let mut next: Option<(Q, usize)> = None;
                for i in 0..lines.len() {
                    if lines[i].1 > hs {
                        let cross = &x + (val(c, &x) - val(i, &x)) / (&lines[i].1 - &hs);
                        let better = match &next {
                            None => true,
                            Some((nx, ni)) => {
                                cross < *nx || (cross == *nx && lines[i].1 > lines[*ni].1)
                            }
                        };
                        if better {
                            next = Some((cross, i));
                        }
                    }
                }
                match next {
                    Some((cross, i)) if cross > x && end.is_none_or(|e| cross < *e) => {
                        x = cross;
                        cur = Some(i);
                    }
                    _ => break,
                }
            }
        }
        // Pieces of the result: (σ where it starts, value there, slope).
        let mut pieces: Vec<(Q, Vec<Q>, Vec<Q>)> = Vec::new();
        let dim = self.dim();
        pieces.push((Q::zero(), self.at[0].clone(), zeros(dim)));
        for i in 0..subs.len() {
            let (x, f, fs, h, hs) = &subs[i];
            let end = subs.get(i + 1).map(|s| &s.0);
            let f_end = end.map(|e| axpy(f, &(e - x), fs));
            if hs.is_positive() {
                pieces.push((h.clone(), f.clone(), fs.iter().map(|v| v / hs).collect()));
            } else {
                // h is flat: σ = h reaches the end of the sub-piece.
                match &f_end {
                    Some(fe) => pieces.push((h.clone(), fe.clone(), zeros(dim))),
                    None => pieces.push((h.clone(), f.clone(), zeros(dim))),
                }
            }
            if let (Some(e), Some(fe)) = (end, &f_end) {
                let h_end = h + hs * (e - x);
                if h_end < subs[i + 1].3 {
                    // h jumps at e: in between, the supremum e is not
                    // attained and f is taken from the left.
                    pieces.push((h_end, fe.clone(), zeros(dim)));
                }
            }
        }
        let mut out = Pwl {
            xs: Vec::new(),
            at: Vec::new(),
            slope: Vec::new(),
        };
        for (s, v, sl) in pieces {
            if out.xs.last() == Some(&s) {
                out.xs.pop();
                out.at.pop();
                out.slope.pop();
            }
            // σ never falls (h is non-decreasing along f); a value below
            // the last start would be rounding, which exact arithmetic
            // does not have.
            debug_assert!(out.xs.last().is_none_or(|l| *l < s));
            out.xs.push(s);
            out.at.push(v);
            out.slope.push(sl);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;

    fn q(n: i64, d: i64) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn a_leaf_through_its_share_is_itself() {
        // f(μ) = min(μ, 2) · (1, 3): dominant share with scale (1, 1/6).
        let f = Pwl {
            xs: vec![q(0, 1), q(2, 1)],
            at: vec![vec![q(0, 1), q(0, 1)], vec![q(2, 1), q(6, 1)]],
            slope: vec![vec![q(1, 1), q(3, 1)], vec![q(0, 1), q(0, 1)]],
        };
        let g = f.through_share(2, &[q(1, 1), q(1, 6)], true);
        // h = max(μ, μ/2) = μ up to 2: g(σ) = f(σ), then constant.
        assert_eq!(g.value(&q(1, 1)), vec![q(1, 1), q(3, 1)]);
        assert_eq!(g.value(&q(5, 1)), vec![q(2, 1), q(6, 1)]);
    }

    #[test]
    fn a_flat_share_makes_a_jump() {
        // Component 0 is held at 1 (a frozen client's), component 1 grows
        // at rate 1 up to 3: h = max(1, μ) is flat on [0, 1], so at σ = 1
        // the node jumps to μ = 1 at once.
        let f = Pwl {
            xs: vec![q(0, 1), q(3, 1)],
            at: vec![vec![q(1, 1), q(0, 1)], vec![q(1, 1), q(3, 1)]],
            slope: vec![vec![q(0, 1), q(1, 1)], vec![q(0, 1), q(0, 1)]],
        };
        let g = f.through_share(2, &[q(1, 1), q(1, 1)], true);
        assert_eq!(g.value(&q(1, 2)), vec![q(1, 1), q(0, 1)]);
        assert_eq!(g.value(&q(1, 1)), vec![q(1, 1), q(1, 1)]);
        assert_eq!(g.left(&q(1, 1)), vec![q(1, 1), q(0, 1)]);
        assert_eq!(g.value(&q(2, 1)), vec![q(1, 1), q(2, 1)]);
        assert_eq!(g.value(&q(9, 1)), vec![q(1, 1), q(3, 1)]);
    }
}
