//! A partitioned run's per-partition charts (docs/partitions.md), drawn
//! beside the global ones: per resource, each partition's allocated and
//! offered-but-idle share of its own agents' total (one line per
//! partition, the whole cluster's dashed black), next to the utilization
//! chart; and each partition's fairness next to the whole cluster's and
//! the global DRF distance, next to the fairness chart.

use super::kit::*;
use super::run::{shade_window, time_chart};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws the per-partition panels, one row per resource of `panels` (the
/// global chart's), each with an allocated and an offered-but-idle panel,
/// into `area`.
pub(super) fn draw_partition_utilization<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
    panels: &[usize],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        "Per partition: allocated and offered but idle",
        font(TITLE),
    )?;
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
    let cells = plot.split_evenly((panels.len().max(1), 2));
    for (pair, &r) in cells.chunks(2).zip(panels) {
        for (cell, offered) in pair.iter().zip([false, true]) {
            let what = if offered {
                "offered but idle"
            } else {
                "allocated"
            };
            let mut chart = time_chart(
                cell,
                d,
                x_end,
                100.0,
                70,
                format!("{} {what} (% of own total)", d.resources[r]),
            )?;
            for (k, p) in d.partitions.iter().enumerate() {
                let series = if offered { &p.offered } else { &p.allocated };
                let pts: Vec<(f64, f64)> = idx
                    .iter()
                    .map(|&t| (d.times[t] / unit, pct(series[r][t], p.total[r][t])))
                    .collect();
                chart.draw_series(LineSeries::new(pts, color(k).stroke_width(2)))?;
            }
            let whole = if offered { &d.offered } else { &d.allocated };
            let pts: Vec<(f64, f64)> = idx
                .iter()
                .map(|&t| (d.times[t] / unit, pct(whole[r][t], d.total[r][t])))
                .collect();
            chart.draw_series(DashedLineSeries::new(pts, 6, 4, BLACK.stroke_width(2)))?;
            shade_window(&mut chart, &d.meta, unit, x_end, (0.0, 100.0))?;
        }
    }
    Ok(())
}

/// Whether a partitioned run has the fairness figures of
/// [`draw_partition_fairness`] (`summary.json` `partitions[].fairness`).
pub(super) fn has_partition_fairness(d: &RunData) -> bool {
    d.partitions.iter().any(|p| p.fairness.is_some())
}

/// Bars of the time-weighted fairness (`summary.json`): the whole
/// cluster's Jain's index, min/max ratio and distance from ideal DRF, then
/// each partition's Jain's index and min/max ratio within it.
pub(super) fn draw_partition_fairness<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        "Fairness: whole cluster and within each partition",
        font(TITLE),
    )?;
    let labels = [
        "Jain's index (1 = fair)",
        "min/max ratio (1 = fair)",
        "DRF distance (0 = ideal; cluster)",
    ];
    let entries = Entry::series(&labels, Mark::Area);
    let plot = with_legend(&area, &entries)?;
    // Groups: the whole cluster, then the partitions; each a list of
    // (measure index, value).
    let mut groups: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
    if let Some(f) = d.run_fairness {
        groups.push((
            "whole cluster".into(),
            vec![(0, f[0]), (1, f[1]), (2, f[2])],
        ));
    }
    for p in &d.partitions {
        if let Some((j, m)) = p.fairness {
            groups.push((format!("partition {}", p.name), vec![(0, j), (1, m)]));
        }
    }
    let y_max = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|v| v.1))
        .fold(1.0f64, f64::max)
        * 1.1;
    let n = groups.len() as f64;
    let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    let group_label = move |v: &f64| -> String {
        let k = v.round();
        if (v - k).abs() < 1e-6 && k >= 0.0 {
            names.get(k as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.6..(n - 0.4), 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_labels(groups.len().max(1) * 2 + 1)
        .x_label_formatter(&group_label)
        .y_label_formatter(&|v| tick(*v))
        .y_desc(format!(
            "time-weighted value{}",
            if d.meta.window.is_some() {
                " (measurement window)"
            } else {
                ""
            }
        ))
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    let width = 0.25;
    for (g, (_, bars)) in groups.iter().enumerate() {
        for (i, &(measure, v)) in bars.iter().enumerate() {
            let x0 = g as f64 - 0.375 + i as f64 * width;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x0 + width * 0.9, v)],
                color(measure).mix(0.85).filled(),
            )))?;
            // The value above its bar (a DRF distance near 0 has no height).
            chart.draw_series(std::iter::once(Text::new(
                format!("{v:.2}"),
                (x0, v + 0.06 * y_max),
                font(TICK),
            )))?;
        }
    }
    Ok(())
}
