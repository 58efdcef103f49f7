//! The offers chart: offers made, accepted, declined, rescinded per second;
//! and under `auction` the budgets and prices.

use super::kit::*;
use super::run::{caption, shade_window, time_chart};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn draw_offers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(area, &caption("Offers over time", &d.meta), font(TITLE))?;
    let n = d.times.len();
    let mut sums = [vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]];
    for (_, s) in &d.offers {
        for (k, v) in [&s.made, &s.accepted, &s.declined, &s.rescinded]
            .into_iter()
            .enumerate()
        {
            for (sum, x) in sums[k].iter_mut().zip(v) {
                *sum += x;
            }
        }
    }
    // Each row counts what happened since the previous sample: a rate per
    // second over that interval (the row at time 0 joins the next one).
    let mut rates: [Vec<(f64, f64)>; 4] = Default::default();
    for (k, s) in sums.iter().enumerate() {
        let mut carry = 0.0;
        for (t, &count) in s.iter().enumerate() {
            let width = if t == 0 {
                0.0
            } else {
                d.times[t] - d.times[t - 1]
            };
            if width <= 0.0 {
                carry += count;
                continue;
            }
            rates[k].push((d.times[t], (count + carry) / width));
            carry = 0.0;
        }
    }
    let labels = ["made", "accepted", "declined", "rescinded"];
    let shown: Vec<usize> = (0..4)
        .filter(|&k| k < 2 || sums[k].iter().any(|&x| x > 0.0))
        .collect();
    let entries: Vec<Entry> = shown
        .iter()
        .map(|&k| Entry {
            label: labels[k].into(),
            color: color(k),
            mark: Mark::Line,
        })
        .collect();
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let y_max = shown
        .iter()
        .flat_map(|&k| rates[k].iter().map(|p| p.1))
        .fold(0.0f64, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
    let mut chart = time_chart(&plot, d, x_end, y_max, 80, "offers per second")?;
    for &k in &shown {
        let idx = thin(rates[k].len());
        let pts: Vec<(f64, f64)> = idx
            .iter()
            .map(|&i| (rates[k][i].0 / unit, rates[k][i].1))
            .collect();
        chart.draw_series(LineSeries::new(pts, color(k).stroke_width(2)))?;
    }
    shade_window(&mut chart, &d.meta, unit, x_end, (0.0, y_max))?;
    Ok(())
}

/// Budgets over time (a line per framework) and prices paid (a dot per
/// agent won, in the winner's colour), from `auction.csv`.
pub(super) fn draw_auction<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        &caption("Auction: budgets and prices", &d.meta),
        font(TITLE),
    )?;
    let entries: Vec<Entry> = d
        .auction
        .iter()
        .enumerate()
        .map(|(k, (fw, _, _))| Entry {
            label: fw.clone(),
            color: color(k),
            mark: Mark::Line,
        })
        .collect();
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let y_max = d
        .auction
        .iter()
        .flat_map(|(_, b, p)| b.iter().chain(p.iter()).map(|x| x.1))
        .fold(0.0f64, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
    let mut chart = time_chart(&plot, d, x_end, y_max, 80, "credits")?;
    for (k, (_, budgets, prices)) in d.auction.iter().enumerate() {
        let idx = thin(budgets.len());
        let pts: Vec<(f64, f64)> = idx
            .iter()
            .map(|&i| (budgets[i].0 / unit, budgets[i].1))
            .collect();
        chart.draw_series(LineSeries::new(pts, color(k).stroke_width(2)))?;
        let idx = thin(prices.len());
        chart.draw_series(
            idx.iter()
                .map(|&i| Circle::new((prices[i].0 / unit, prices[i].1), 4, color(k).filled())),
        )?;
    }
    shade_window(&mut chart, &d.meta, unit, x_end, (0.0, y_max))?;
    Ok(())
}
