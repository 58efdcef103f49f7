//! The three references of one moment with what the clients hold: their
//! exact allocations and the distances from them (`mesosim fair-share`, and
//! per sample in `summary.json` with `output.references`).

use super::{ceei, fill, q_f64, Allocation, Ceei, Problem, Share, Q};
use num_traits::ToPrimitive;

/// The references for one moment.
#[derive(Clone, Debug)]
pub struct References {
    pub problem: Problem,
    /// Per client: the dominant share it holds.
    pub held: Vec<f64>,
    pub drf: Allocation,
    pub asset: Allocation,
    pub ceei: Ceei,
}

impl References {
    /// Computes the three references of a problem.
    pub fn of(problem: Problem, held: Vec<f64>) -> References {
        let drf = fill(&problem, Share::Dominant);
        let asset = fill(&problem, Share::Asset);
        let ceei = ceei(&problem);
        References {
            problem,
            held,
            drf,
            asset,
            ceei,
        }
    }

    /// Client `u`'s dominant share under an exact allocation.
    pub fn share(&self, a: &Allocation, u: usize) -> Q {
        self.problem
            .share_of(&a.bundle(&self.problem, u), Share::Dominant)
    }

    /// Client `u`'s dominant share under CEEI (exact when known).
    pub fn ceei_share(&self, u: usize) -> (f64, Option<Q>) {
        match &self.ceei.exact {
            Some(x) => {
                let a = Allocation { units: x.clone() };
                let s = self.share(&a, u);
                (s.to_f64().unwrap_or(0.0), Some(s))
            }
            None => {
                let k = q_f64(self.ceei.units[u]);
                let a: Vec<Q> = self.problem.users[u].unit.iter().map(|d| d * &k).collect();
                (
                    self.problem
                        .share_of(&a, Share::Dominant)
                        .to_f64()
                        .unwrap_or(0.0),
                    None,
                )
            }
        }
    }

    /// Per reference: ½ Σ |held − ideal| over the clients' dominant shares.
    pub fn distances(&self) -> [f64; 3] {
        let mut d = [0.0; 3];
        for u in 0..self.problem.users.len() {
            let h = self.held[u];
            d[0] += (h - self.share(&self.drf, u).to_f64().unwrap_or(0.0)).abs();
            d[1] += (h - self.share(&self.asset, u).to_f64().unwrap_or(0.0)).abs();
            d[2] += (h - self.ceei_share(u).0).abs();
        }
        d.map(|x| x / 2.0)
    }
}
