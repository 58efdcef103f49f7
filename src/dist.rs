//! Probability distributions for generators and task durations. A leaf
//! next to `sim::rng`: it imports nothing else from the crate.
//!
//! Values are in a base unit chosen by the caller: microseconds for
//! durations, plain numbers for counts. Sampling draws from a
//! [`Stream`] with fixed conversions and `libm`'s `log`, `exp`, `pow`,
//! `sqrt` and `cos` (a pure-Rust libm), so a seed gives the same numbers on
//! every platform.

use crate::sim::rng::Stream;
use std::sync::Arc;

/// A distribution over non-negative numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Const(f64),
    /// Exponential with this mean.
    Exp {
        mean: f64,
    },
    /// Uniform between the bounds, inclusive. For durations and counts the
    /// draw is a uniform integer in `[low, high]`.
    Uniform {
        low: f64,
        high: f64,
    },
    /// `exp(N(mu, sigma²))`: `mu` is the log of the median.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// Pareto (type I): `scale / U^(1/shape)`, never below `scale`.
    Pareto {
        scale: f64,
        shape: f64,
    },
    /// Values from a file, drawn with their weights.
    Empirical(Arc<Empirical>),
}

/// The values of an empirical distribution and their cumulative weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Empirical {
    /// Where the values came from (for messages).
    pub source: String,
    pub values: Vec<f64>,
    /// Running sum of the weights; the last entry is the total.
    pub cumulative: Vec<f64>,
}

impl Empirical {
    /// From `(value, weight)` pairs; weights must be positive and finite.
    pub fn new(source: impl Into<String>, pairs: &[(f64, f64)]) -> Result<Empirical, String> {
        if pairs.is_empty() {
            return Err("an empirical distribution needs at least one value".into());
        }
        let mut values = Vec::with_capacity(pairs.len());
        let mut cumulative = Vec::with_capacity(pairs.len());
        let mut total = 0.0;
        for &(v, w) in pairs {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("value {v} is not a finite number >= 0"));
            }
            if !(w.is_finite() && w > 0.0) {
                return Err(format!("weight {w} is not a finite number > 0"));
            }
            total += w;
            values.push(v);
            cumulative.push(total);
        }
        Ok(Empirical {
            source: source.into(),
            values,
            cumulative,
        })
    }

    pub fn mean(&self) -> f64 {
        let mut prev = 0.0;
        let mut sum = 0.0;
        for (v, c) in self.values.iter().zip(&self.cumulative) {
            sum += v * (c - prev);
            prev = *c;
        }
        sum / prev
    }

    fn draw(&self, s: &mut Stream) -> f64 {
        let total = *self.cumulative.last().expect("not empty");
        let x = s.next_f64() * total;
        // The first entry whose cumulative weight exceeds x.
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.values[i.min(self.values.len() - 1)]
    }
}

/// A standard normal draw (Box–Muller, two uniforms).
fn standard_normal(s: &mut Stream) -> f64 {
    let u1 = s.next_open01();
    let u2 = s.next_f64();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// The largest value a draw may take, so that conversions to u64 are safe
/// (about 146,000 years in microseconds).
pub const MAX_DRAW: f64 = (1u64 << 62) as f64;

impl Dist {
    /// One draw, as a float (not rounded).
    pub fn sample(&self, s: &mut Stream) -> f64 {
        let x = match self {
            Dist::Const(v) => *v,
            Dist::Exp { mean } => -mean * libm::log(s.next_open01()),
            Dist::Uniform { low, high } => low + (high - low) * s.next_f64(),
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(s)),
            Dist::Pareto { scale, shape } => scale / libm::pow(s.next_open01(), 1.0 / shape),
            Dist::Empirical(e) => e.draw(s),
        };
        if x.is_finite() {
            x.clamp(0.0, MAX_DRAW)
        } else {
            MAX_DRAW
        }
    }

    /// One draw rounded to a whole number (microseconds, tasks). A uniform
    /// draws an integer in `[low, high]` exactly.
    pub fn sample_int(&self, s: &mut Stream) -> u64 {
        match self {
            Dist::Uniform { low, high } => {
                let (lo, hi) = (low.round() as u64, high.round() as u64);
                if hi <= lo {
                    return lo;
                }
                let span = hi - lo;
                if span == u64::MAX {
                    return s.next_u64();
                }
                lo + s.below(span + 1)
            }
            _ => self.sample(s).round() as u64,
        }
    }

    /// The mean, where it is finite.
    pub fn mean(&self) -> Option<f64> {
        match self {
            Dist::Const(v) => Some(*v),
            Dist::Exp { mean } => Some(*mean),
            Dist::Uniform { low, high } => Some((low + high) / 2.0),
            Dist::LogNormal { mu, sigma } => Some(libm::exp(mu + sigma * sigma / 2.0)),
            Dist::Pareto { scale, shape } => {
                if *shape > 1.0 {
                    Some(shape * scale / (shape - 1.0))
                } else {
                    None
                }
            }
            Dist::Empirical(e) => Some(e.mean()),
        }
    }

    /// Checks parameters: finite, non-negative, ordered bounds, positive
    /// shape and sigma.
    pub fn validate(&self) -> Result<(), String> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        match self {
            Dist::Const(v) if !ok(*v) => Err(format!("{v} is not a finite number >= 0")),
            Dist::Exp { mean } if !ok(*mean) => Err(format!("mean {mean} must be >= 0")),
            Dist::Uniform { low, high } if !(ok(*low) && ok(*high)) || low > high => {
                Err("uniform bounds must be [low, high] with 0 <= low <= high".to_string())
            }
            Dist::LogNormal { mu, sigma }
                if !(mu.is_finite() && sigma.is_finite() && *sigma >= 0.0) =>
            {
                Err("lognormal needs a median > 0 and a sigma >= 0".to_string())
            }
            Dist::Pareto { scale, shape } if !(ok(*scale) && shape.is_finite() && *shape > 0.0) => {
                Err("pareto needs a scale >= 0 and a shape > 0".to_string())
            }
            _ => Ok(()),
        }
    }
}

/// Reads the text of an empirical distribution: one value a line, or
/// `value,weight`; blank lines and lines starting with `#` are skipped.
/// `parse` turns a value's text into the base unit. Errors carry the
/// 1-based line and column.
pub fn parse_empirical(
    text: &str,
    parse: impl Fn(&str) -> Result<f64, String>,
) -> Result<Vec<(f64, f64)>, (usize, usize, String)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let col0 = line.len() - trimmed.len() + 1;
        let (v, w, wcol) = match trimmed.split_once(',') {
            Some((v, w)) => (v, Some(w), col0 + v.len() + 1),
            None => (trimmed, None, 0),
        };
        let value = parse(v.trim()).map_err(|e| (i + 1, col0, e))?;
        let weight = match w {
            None => 1.0,
            Some(w) => match w.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => x,
                _ => {
                    return Err((
                        i + 1,
                        wcol,
                        format!("weight `{}` is not a number > 0", w.trim()),
                    ))
                }
            },
        };
        out.push((value, weight));
        if out.len() > MAX_EMPIRICAL_VALUES {
            return Err((
                i + 1,
                1,
                format!("more than {MAX_EMPIRICAL_VALUES} values; refused"),
            ));
        }
    }
    if out.is_empty() {
        return Err((1, 1, "no values in the file".into()));
    }
    Ok(out)
}

/// Hostile sizes: at most this many values in an empirical file.
pub const MAX_EMPIRICAL_VALUES: usize = 10_000_000;

/// The log-normal's `mu` from its median (`ln median`) or mean
/// (`ln mean − sigma²/2`); exactly one of them.
pub fn lognormal_mu(median: Option<f64>, mean: Option<f64>, sigma: f64) -> Result<f64, String> {
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(format!("lognormal sigma {sigma} must be a number >= 0"));
    }
    match (median, mean) {
        (Some(m), None) if m > 0.0 => Ok(libm::log(m)),
        (None, Some(m)) if m > 0.0 => Ok(libm::log(m) - sigma * sigma / 2.0),
        (Some(_), Some(_)) => Err("lognormal takes `median` or `mean`, not both".into()),
        (None, None) => Err("lognormal needs `median` (or `mean`) and `sigma`".into()),
        _ => Err("a lognormal's median or mean must be greater than 0".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(d: &Dist, n: usize, seed: u64) -> (f64, f64) {
        let mut s = Stream::new(seed, "dist-test");
        let mut sum = 0.0;
        let mut sq = 0.0;
        for _ in 0..n {
            let x = d.sample(&mut s);
            sum += x;
            sq += x * x;
        }
        let mean = sum / n as f64;
        (mean, sq / n as f64 - mean * mean)
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn exponential_moments() {
        let (m, v) = moments(&Dist::Exp { mean: 5.0 }, 200_000, 1);
        assert!(close(m, 5.0, 0.02), "mean {m}");
        assert!(close(v, 25.0, 0.05), "var {v}");
    }

    #[test]
    fn uniform_moments() {
        let (m, v) = moments(
            &Dist::Uniform {
                low: 2.0,
                high: 10.0,
            },
            200_000,
            2,
        );
        assert!(close(m, 6.0, 0.01), "mean {m}");
        assert!(close(v, 64.0 / 12.0, 0.03), "var {v}");
        let mut s = Stream::new(3, "x");
        let d = Dist::Uniform {
            low: 1.0,
            high: 3.0,
        };
        let mut seen = [0u32; 4];
        for _ in 0..3000 {
            seen[d.sample_int(&mut s) as usize] += 1;
        }
        assert_eq!(seen[0], 0);
        assert!(seen[1] > 900 && seen[2] > 900 && seen[3] > 900, "{seen:?}");
    }

    #[test]
    fn lognormal_moments() {
        let (mu, sigma) = (2.0f64, 0.5f64);
        let (m, v) = moments(&Dist::LogNormal { mu, sigma }, 400_000, 4);
        let want_m = (mu + sigma * sigma / 2.0).exp();
        let want_v = ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp();
        assert!(close(m, want_m, 0.01), "mean {m} want {want_m}");
        assert!(close(v, want_v, 0.05), "var {v} want {want_v}");
        // The median is e^mu.
        let mut s = Stream::new(5, "median");
        let mut xs: Vec<f64> = (0..100_001)
            .map(|_| Dist::LogNormal { mu, sigma }.sample(&mut s))
            .collect();
        xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(close(xs[50_000], mu.exp(), 0.02));
    }

    #[test]
    fn pareto_moments() {
        let d = Dist::Pareto {
            scale: 2.0,
            shape: 3.0,
        };
        let (m, v) = moments(&d, 400_000, 6);
        assert!(close(m, 3.0, 0.02), "mean {m}");
        // var = scale² shape / ((shape-1)² (shape-2)) = 4*3/(4*1) = 3
        assert!(close(v, 3.0, 0.15), "var {v}");
        let mut s = Stream::new(7, "min");
        assert!((0..10_000).all(|_| d.sample(&mut s) >= 2.0));
    }

    #[test]
    fn empirical_draws_with_weights() {
        let e = Empirical::new("t", &[(1.0, 1.0), (10.0, 3.0)]).unwrap();
        assert!(close(e.mean(), 7.75, 1e-12));
        let (m, _) = moments(&Dist::Empirical(Arc::new(e)), 200_000, 8);
        assert!(close(m, 7.75, 0.01), "mean {m}");
    }

    #[test]
    fn draws_are_reproducible() {
        let d = Dist::LogNormal {
            mu: 1.0,
            sigma: 2.0,
        };
        let a: Vec<u64> = {
            let mut s = Stream::new(42, "workload-generate/x");
            (0..100).map(|_| d.sample_int(&mut s)).collect()
        };
        let b: Vec<u64> = {
            let mut s = Stream::new(42, "workload-generate/x");
            (0..100).map(|_| d.sample_int(&mut s)).collect()
        };
        assert_eq!(a, b);
        // Pinned values: a change here changes every generated workload.
        let mut s = Stream::new(1, "pin");
        let x = Dist::Exp { mean: 1_000_000.0 }.sample_int(&mut s);
        let mut s2 = Stream::new(1, "pin");
        let u = s2.next_open01();
        assert_eq!(x, (-1_000_000.0 * libm::log(u)).round() as u64);
    }

    #[test]
    fn validation() {
        assert!(Dist::Uniform {
            low: 3.0,
            high: 1.0
        }
        .validate()
        .is_err());
        assert!(Dist::Pareto {
            scale: 1.0,
            shape: 0.0
        }
        .validate()
        .is_err());
        assert!(Dist::Exp { mean: f64::NAN }.validate().is_err());
        assert!(Dist::Const(1.0).validate().is_ok());
    }

    #[test]
    fn empirical_file_errors_have_places() {
        let ok = parse_empirical("# c\n1\n2,3\n", |t| {
            t.parse::<f64>().map_err(|e| e.to_string())
        });
        assert_eq!(ok.unwrap(), vec![(1.0, 1.0), (2.0, 3.0)]);
        let bad = parse_empirical("1\n  x\n", |t| {
            t.parse::<f64>()
                .map_err(|_| format!("`{t}` is not a number"))
        });
        assert_eq!(bad.unwrap_err().0, 2);
        let bad = parse_empirical("1,0\n", |t| t.parse::<f64>().map_err(|e| e.to_string()));
        let (l, c, _) = bad.unwrap_err();
        assert_eq!((l, c), (1, 3));
    }
}
