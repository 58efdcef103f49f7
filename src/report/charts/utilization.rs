//! The utilization chart: allocation stacked by framework, per resource.

use super::faults::{draw_fault_marks, fault_entries};
use super::kit::*;
use super::run::{caption, shade_window, time_chart, Palette};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Resources worth a panel: those ever allocated (at least one).
pub(super) fn utilization_panels(d: &RunData) -> Vec<usize> {
    let mut v: Vec<usize> = (0..d.resources.len())
        .filter(|&r| d.allocated[r].iter().any(|&x| x > 0.0))
        .collect();
    if v.is_empty() && !d.resources.is_empty() {
        v.push(0);
    }
    v
}

pub(super) fn draw_utilization<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
    panels: &[usize],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        &caption("Utilization by framework", &d.meta),
        font(TITLE),
    )?;
    let palette = Palette::of(d);
    let mut groups: Vec<(String, Vec<String>, RGBColor)> = palette
        .named
        .iter()
        .map(|(f, c)| (f.clone(), vec![f.clone()], *c))
        .collect();
    if !palette.others.is_empty() {
        groups.push((
            format!("{} others", palette.others.len()),
            palette.others.clone(),
            GREY,
        ));
    }
    let any_offered = panels
        .iter()
        .any(|&r| d.offered[r].iter().any(|&x| x > 0.0));
    let any_used = !d.used.is_empty()
        && panels
            .iter()
            .any(|&r| d.used[r].iter().zip(&d.allocated[r]).any(|(u, a)| u != a));
    let mut entries: Vec<Entry> = groups
        .iter()
        .map(|(label, _, c)| Entry {
            label: label.clone(),
            color: *c,
            mark: Mark::Area,
        })
        .collect();
    if any_offered {
        entries.push(Entry {
            label: "allocated + offered".into(),
            color: BLACK,
            mark: Mark::Dashed,
        });
    }
    if any_used {
        entries.push(Entry {
            label: "used".into(),
            color: BLACK,
            mark: Mark::Line,
        });
    }
    entries.extend(fault_entries(d));
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let idx = thin(d.times.len());
    let cells = plot.split_evenly((panels.len().max(1), 1));
    for (cell, &r) in cells.iter().zip(panels) {
        let pct = |v: f64, t: usize| {
            let total = d.total[r][t];
            if total > 0.0 {
                100.0 * v / total
            } else {
                0.0
            }
        };
        let mut chart = time_chart(
            cell,
            d,
            x_end,
            100.0,
            70,
            format!("{} (% of total)", d.resources[r]),
        )?;
        let mut below = vec![0.0; idx.len()];
        for (_, members, gc) in &groups {
            let mut top = below.clone();
            for c in d.clients.iter().filter(|c| members.contains(&c.framework)) {
                for (k, &t) in idx.iter().enumerate() {
                    top[k] += pct(c.allocated[r][t], t);
                }
            }
            if top.iter().zip(&below).all(|(a, b)| a == b) {
                continue;
            }
            let mut pts: Vec<(f64, f64)> = idx
                .iter()
                .zip(&top)
                .map(|(&t, &v)| (d.times[t] / unit, v))
                .collect();
            pts.extend(
                idx.iter()
                    .zip(&below)
                    .rev()
                    .map(|(&t, &v)| (d.times[t] / unit, v)),
            );
            chart.draw_series(std::iter::once(Polygon::new(pts, gc.mix(0.75).filled())))?;
            below = top;
        }
        if any_offered && (0..d.times.len()).any(|t| d.offered[r][t] > 0.0) {
            let pts: Vec<(f64, f64)> = idx
                .iter()
                .map(|&t| {
                    (
                        d.times[t] / unit,
                        pct(d.allocated[r][t] + d.offered[r][t], t),
                    )
                })
                .collect();
            chart.draw_series(DashedLineSeries::new(pts, 6, 4, BLACK.stroke_width(2)))?;
        }
        if any_used && d.used[r] != d.allocated[r] {
            let pts: Vec<(f64, f64)> = idx
                .iter()
                .map(|&t| (d.times[t] / unit, pct(d.used[r][t], t)))
                .collect();
            chart.draw_series(LineSeries::new(pts, BLACK.stroke_width(2)))?;
        }
        draw_fault_marks(&mut chart, d, unit, x_end, (0.0, 100.0))?;
        shade_window(&mut chart, &d.meta, unit, x_end, (0.0, 100.0))?;
    }
    Ok(())
}
