//! Statistics for comparing configurations over seeds: means, Student-t 95%
//! confidence intervals, paired differences (common random numbers).

/// Two-sided 95% quantiles of Student's t for 1 … 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom (exact
/// table to 30, then the Cornish–Fisher expansion around the normal).
pub fn t975(df: u64) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df as usize - 1],
        _ => {
            let z = 1.959963984540054;
            let n = df as f64;
            let z3 = z * z * z;
            let z5 = z3 * z * z;
            z + (z3 + z) / (4.0 * n) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// Mean and the half-width of its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub n: u64,
    pub mean: f64,
    /// `None` with fewer than two values.
    pub ci95: Option<f64>,
}

impl Estimate {
    /// Sums in input order: the same values in the same order give the same
    /// bits.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len() as u64;
        if n == 0 {
            return Estimate {
                n,
                mean: 0.0,
                ci95: None,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let ci95 = (n >= 2).then(|| {
            let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        });
        Estimate { n, mean, ci95 }
    }

    /// Paired differences `b[i] − a[i]`.
    pub fn paired(a: &[f64], b: &[f64]) -> Estimate {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
        Estimate::of(&d)
    }
}

impl Estimate {
    /// Two-sided p-value of Student's t-test that the true mean is 0
    /// (the statistic recovered from the interval: se = ci95 / t975(n − 1));
    /// `None` with fewer than two values. A zero-width interval gives 0 (a
    /// non-zero mean every seed agrees on) or 1 (all zero).
    pub fn p_value(&self) -> Option<f64> {
        let ci = self.ci95?;
        let df = self.n.checked_sub(1).filter(|d| *d > 0)? as f64;
        if ci == 0.0 {
            return Some(if self.mean == 0.0 { 1.0 } else { 0.0 });
        }
        let se = ci / t975(self.n - 1);
        let t = self.mean / se;
        Some(reg_inc_beta(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0))
    }
}

/// Holm–Bonferroni at level `alpha` over a family of p-values (`None`: not
/// tested, never significant): sorted ascending, the k-th smallest (from 0)
/// is significant while every p up to it is ≤ alpha / (m − k), m the tests.
pub fn holm(ps: &[Option<f64>], alpha: f64) -> Vec<bool> {
    let mut order: Vec<(f64, usize)> = ps
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (p, i)))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let m = order.len();
    let mut out = vec![false; ps.len()];
    for (k, (p, i)) in order.into_iter().enumerate() {
        if p > alpha / (m - k) as f64 {
            break;
        }
        out[i] = true;
    }
    out
}

/// The regularized incomplete beta function I_x(a, b), by its continued
/// fraction (evaluated where it converges fast, by symmetry otherwise).
fn reg_inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log(1.0 - x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of I_x(a, b) (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..=500 {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_of_the_t_quantiles_are_five_percent() {
        // At the two-sided 95% quantile, p = 0.05 for every df.
        for df in 1..=30u64 {
            let e = Estimate {
                n: df + 1,
                mean: t975(df),
                // se = 1: ci95 = t975(df).
                ci95: Some(t975(df)),
            };
            let p = e.p_value().unwrap();
            assert!((p - 0.05).abs() < 1e-8, "df {df}: p {p}");
        }
        // t = 1 with 9 df: p = 0.3434363 (two-sided).
        let e = Estimate {
            n: 10,
            mean: 1.0,
            ci95: Some(t975(9)),
        };
        assert!((e.p_value().unwrap() - 0.343436).abs() < 1e-5);
        // t = 0: p = 1; one value: none.
        let zero = Estimate {
            n: 5,
            mean: 0.0,
            ci95: Some(1.0),
        };
        assert!((zero.p_value().unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(Estimate::of(&[3.0]).p_value(), None);
    }

    #[test]
    fn holm_steps_down() {
        // m = 4: thresholds .0125, .01667, .025, .05.
        let ps = [Some(0.01), Some(0.04), Some(0.03), Some(0.005)];
        assert_eq!(holm(&ps, 0.05), [true, false, false, true]);
        let ps = [Some(0.01), Some(0.02), Some(0.024), Some(0.005)];
        assert_eq!(holm(&ps, 0.05), [true, true, true, true]);
        // Per-test 0.04 < 0.05 but not after correction; None is no test.
        assert_eq!(
            holm(&[Some(0.04), Some(0.03), None], 0.05),
            [false, false, false]
        );
        assert_eq!(holm(&[Some(0.04), None], 0.05), [true, false]);
    }

    #[test]
    fn mean_and_interval() {
        // 1..5: mean 3, s = sqrt(2.5), t(4) = 2.776445105.
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        let want = 2.776445105 * (2.5f64 / 5.0).sqrt();
        assert!((e.ci95.unwrap() - want).abs() < 1e-12);
        assert_eq!(Estimate::of(&[7.0]).ci95, None);
        assert_eq!(Estimate::of(&[]).mean, 0.0);
    }

    #[test]
    fn paired_differences() {
        let e = Estimate::paired(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 1.0);
        assert_eq!(e.ci95, Some(0.0));
    }

    #[test]
    fn t_quantiles() {
        assert_eq!(t975(1), 12.706204736);
        // t(60) = 2.000297822, t(120) = 1.979930405.
        assert!((t975(60) - 2.000297822).abs() < 1e-4);
        assert!((t975(120) - 1.979930405).abs() < 1e-4);
    }
}
