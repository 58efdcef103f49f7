//! The share charts: dominant shares per framework and per role, with
//! their ideal DRF shares.

use super::kit::*;
use super::run::{caption, shade_window, time_chart, Palette};
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A labelled share series, its ideal counterpart, and its colour.
type Line<'a> = (String, &'a Vec<f64>, &'a Vec<f64>, RGBColor);

/// One line per (framework, role) client of the frameworks with a colour,
/// labelled by framework (and role for multi-role frameworks).
pub(super) fn draw_shares<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let palette = Palette::of(d);
    let multi_role = |f: &str| d.clients.iter().filter(|c| c.framework == f).count() > 1;
    let series: Vec<Line> = d
        .clients
        .iter()
        .filter_map(|c| {
            let colour = palette.get(&c.framework)?;
            let label = if multi_role(&c.framework) {
                format!("{} ({})", c.framework, c.role)
            } else {
                c.framework.clone()
            };
            Some((label, &c.share, &c.drf_share, colour))
        })
        .collect();
    let hidden = if palette.others.is_empty() {
        None
    } else {
        Some(format!(
            "({} smaller frameworks not shown)",
            palette.others.len()
        ))
    };
    draw_share_lines(
        area,
        d,
        &caption("Dominant share per framework", &d.meta),
        "dominant share (fraction of the cluster)",
        &series,
        hidden,
    )
}

pub(super) fn draw_roles<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    // The ten roles with the largest mean share, in file order.
    let mut order: Vec<(f64, usize)> = d
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.1.iter().any(|&x| x > 0.0))
        .map(|(i, r)| (r.1.iter().sum::<f64>(), i))
        .collect();
    let with_share = order.len();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep: Vec<usize> = order.iter().take(10).map(|o| o.1).collect();
    keep.sort_unstable();
    let series: Vec<Line> = keep
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let r = &d.roles[i];
            (r.0.clone(), &r.1, &r.2, color(k))
        })
        .collect();
    let hidden = (with_share > keep.len())
        .then(|| format!("({} smaller roles not shown)", with_share - keep.len()));
    draw_share_lines(
        area,
        d,
        &caption("Dominant share per role (subtree)", &d.meta),
        "dominant share (fraction of the cluster)",
        &series,
        hidden,
    )
}

pub(super) fn draw_share_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &RunData,
    title: &str,
    y_desc: &str,
    series: &[Line],
    hidden: Option<String>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(area, title, font(TITLE))?;
    let keep: Vec<usize> = (0..series.len()).collect();
    let has_ideal = series.iter().any(|s| s.2.iter().any(|&x| x > 0.0));
    let mut entries: Vec<Entry> = keep
        .iter()
        .map(|&i| Entry {
            label: series[i].0.clone(),
            color: series[i].3,
            mark: Mark::Line,
        })
        .collect();
    if let Some(label) = hidden {
        entries.push(Entry {
            label,
            color: WHITE,
            mark: Mark::Line,
        });
    }
    if has_ideal {
        entries.push(Entry {
            label: "ideal DRF share (darker)".into(),
            color: GREY,
            mark: Mark::Dashed,
        });
    }
    let plot = with_legend(&area, &entries)?;
    let (unit, _) = time_unit(d.end());
    let x_end = (d.end() / unit).max(1e-9);
    let y_max = keep
        .iter()
        .flat_map(|&i| series[i].1.iter().chain(series[i].2.iter()))
        .fold(0.0f64, |a, &b| a.max(b));
    let y_max = (y_max * 1.1).clamp(0.05, 1.0);
    let mut chart = time_chart(&plot, d, x_end, y_max, 70, y_desc)?;
    let idx = thin(d.times.len());
    let pts = |v: &Vec<f64>| -> Vec<(f64, f64)> {
        idx.iter().map(|&t| (d.times[t] / unit, v[t])).collect()
    };
    for &i in &keep {
        chart.draw_series(LineSeries::new(
            pts(series[i].1),
            series[i].3.stroke_width(2),
        ))?;
    }
    // The ideal shares go on top, in a darker shade of each colour, so that
    // they stay visible where a share follows its ideal exactly.
    if has_ideal {
        for &i in &keep {
            let RGBColor(r, g, b) = series[i].3;
            let dark = RGBColor(r / 2, g / 2, b / 2);
            chart.draw_series(DashedLineSeries::new(
                pts(series[i].2),
                5,
                4,
                dark.stroke_width(1),
            ))?;
        }
    }
    shade_window(&mut chart, &d.meta, unit, x_end, (0.0, y_max))?;
    Ok(())
}
