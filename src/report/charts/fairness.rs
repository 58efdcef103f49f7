//! The fairness chart: Jain's index, min/max ratio, distance from ideal.

use super::kit::*;
use super::run::{caption, shade_window, time_chart};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn draw_fairness<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let Some(f) = &d.fairness else { return Ok(()) };
    let area = titled_area(area, &caption("Fairness over time", &d.meta), font(TITLE))?;
    // One axis for three unitless measures: each label says which way is fair.
    let labels = [
        "Jain's index (1 = fair)",
        "min/max ratio (1 = fair)",
        "distance from ideal DRF (0 = ideal)",
    ];
    let entries = Entry::series(&labels, Mark::Line);
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let y_max = f[2].iter().fold(1.0f64, |a, &b| a.max(b)) * 1.05;
    let mut chart = time_chart(
        &plot,
        d,
        x_end,
        y_max,
        70,
        "value (over weighted dominant shares)",
    )?;
    let idx = thin(d.times.len());
    for (i, s) in f.iter().enumerate() {
        let pts: Vec<(f64, f64)> = idx.iter().map(|&t| (d.times[t] / unit, s[t])).collect();
        chart.draw_series(LineSeries::new(pts, color(i).stroke_width(2)))?;
    }
    shade_window(&mut chart, &d.meta, unit, x_end, (0.0, y_max))?;
    Ok(())
}
