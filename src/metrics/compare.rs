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

#[cfg(test)]
mod tests {
    use super::*;

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
