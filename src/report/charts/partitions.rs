//! Per-partition utilization, drawn beside the global utilization chart of
//! a partitioned run (docs/partitions.md): one line per partition, the
//! share of its own agents' total that is allocated, and the whole
//! cluster's as a thick black line.

use super::kit::*;
use super::run::{shade_window, time_chart};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws the per-partition panels, one per resource of `panels` (the
/// global chart's), into `area`.
pub(super) fn draw_partition_utilization<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
    panels: &[usize],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(area, "Utilization per partition", font(TITLE))?;
    let mut entries: Vec<Entry> = d
        .partitions
        .iter()
        .enumerate()
        .map(|(k, p)| Entry {
            label: format!("partition {}", p.name),
            color: color(k),
            mark: Mark::Line,
        })
        .collect();
    entries.push(Entry {
        label: "whole cluster".into(),
        color: BLACK,
        mark: Mark::Dashed,
    });
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let idx = thin(d.times.len());
    let pct = |v: f64, total: f64| if total > 0.0 { 100.0 * v / total } else { 0.0 };
    let cells = plot.split_evenly((panels.len().max(1), 1));
    for (cell, &r) in cells.iter().zip(panels) {
        let mut chart = time_chart(
            cell,
            d,
            x_end,
            100.0,
            70,
            format!("{} allocated (% of own total)", d.resources[r]),
        )?;
        for (k, p) in d.partitions.iter().enumerate() {
            let pts: Vec<(f64, f64)> = idx
                .iter()
                .map(|&t| (d.times[t] / unit, pct(p.allocated[r][t], p.total[r][t])))
                .collect();
            chart.draw_series(LineSeries::new(pts, color(k).stroke_width(2)))?;
        }
        let pts: Vec<(f64, f64)> = idx
            .iter()
            .map(|&t| (d.times[t] / unit, pct(d.allocated[r][t], d.total[r][t])))
            .collect();
        chart.draw_series(DashedLineSeries::new(pts, 6, 4, BLACK.stroke_width(2)))?;
        shade_window(&mut chart, &d.meta, unit, x_end, (0.0, 100.0))?;
    }
    Ok(())
}
