//! The chart toolkit: colours, fonts, tick labels, legends, titles,
//! thinning, and empirical CDFs — shared by the run and compare charts.

use super::{DrawResult, FAMILY};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error as StdError;

/// Okabe–Ito colours (distinguishable with colour-blindness), then more.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 94, 240),
    RGBColor(180, 150, 0),
    RGBColor(166, 118, 29),
    RGBColor(0, 128, 128),
];
pub(super) const GREY: RGBColor = RGBColor(120, 120, 120);

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

pub const TITLE: u32 = 24;
pub const LABEL: u32 = 19;
pub const TICK: u32 = 16;
pub const LEGEND: u32 = 17;

/// The time axis unit for a run of `end` seconds.
pub fn time_unit(end: f64) -> (f64, &'static str) {
    if end <= 600.0 {
        (1.0, "s")
    } else if end <= 4.0 * 3600.0 {
        (60.0, "min")
    } else if end <= 4.0 * 86400.0 {
        (3600.0, "h")
    } else {
        (86400.0, "days")
    }
}

/// A number for an axis tick: no trailing zeros, at most 3 decimals.
pub fn tick(v: f64) -> String {
    if v.abs() >= 1e6 {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    Line,
    Dashed,
    Area,
}

/// A legend entry.
pub struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub mark: Mark,
}

/// Splits off a legend column on the right and draws it; returns the plot
/// area. Entries that do not fit are summarised in a last line.
pub fn with_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> Result<DrawingArea<DB, Shift>, Box<dyn StdError>>
where
    DB::ErrorType: 'static,
{
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let (w, h) = area.dim_in_pixel();
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0) as u32;
    let width = (longest * 10 + 60).clamp(120, w / 3);
    let (plot, legend) = area.split_horizontally(w - width);
    let style = font(LEGEND);
    let line_h = 26i32;
    let top = 40i32;
    let fit = ((h as i32 - top - 20) / line_h).max(1) as usize;
    for (k, e) in entries.iter().enumerate() {
        let y = top + k as i32 * line_h;
        if k + 1 == fit && entries.len() > fit {
            legend.draw(&Text::new(
                format!("… {} more", entries.len() - k),
                (10, y - 8),
                style.clone(),
            ))?;
            break;
        }
        match e.mark {
            Mark::Area => legend.draw(&Rectangle::new(
                [(8, y - 7), (30, y + 7)],
                e.color.mix(0.75).filled(),
            ))?,
            Mark::Line => legend.draw(&PathElement::new(
                vec![(6, y), (32, y)],
                e.color.stroke_width(3),
            ))?,
            Mark::Dashed => {
                for x in [6, 16, 26] {
                    legend.draw(&PathElement::new(
                        vec![(x, y), (x + 6, y)],
                        e.color.stroke_width(2),
                    ))?;
                }
            }
        }
        legend.draw(&Text::new(e.label.clone(), (40, y - 8), style.clone()))?;
    }
    Ok(plot)
}

/// Indices of at most ~2000 evenly spaced samples (and the last one).
pub fn thin(n: usize) -> Vec<usize> {
    let step = n.div_ceil(2000).max(1);
    let mut v: Vec<usize> = (0..n).step_by(step).collect();
    if n > 0 && v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// The chart's title, with some room above it.
pub fn titled_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    style: TextStyle,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    area.margin(8, 0, 0, 0).titled(title, style)
}

/// A CDF's legend label: the group, how many values, and which share of
/// them is exactly `base` (0 for times, 1 for slowdowns: a jump that sits
/// on the y-axis and is easy to miss).
pub fn cdf_label(group: &str, v: &[f64], base: f64) -> String {
    let at_base = v.iter().filter(|&&x| x == base).count();
    if at_base > 0 {
        let pct = 100.0 * at_base as f64 / v.len() as f64;
        format!("{group} ({}; {pct:.0}% at {base})", v.len())
    } else {
        format!("{group} ({})", v.len())
    }
}

/// The value a CDF's axis starts from: 0 for times, 1 for slowdowns.
pub fn cdf_base(is_time: bool) -> f64 {
    if is_time {
        0.0
    } else {
        1.0
    }
}

/// A CDF series: label, values, colour.
pub type Cdf = (String, Vec<f64>, RGBColor);

/// Empirical CDFs as step lines, one per series.
pub fn draw_cdf<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    is_time: bool,
    first_bold: bool,
    series: &[Cdf],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(area, title, font(TITLE))?;
    let entries: Vec<Entry> = series
        .iter()
        .map(|(l, _, c)| Entry {
            label: l.clone(),
            color: *c,
            mark: Mark::Line,
        })
        .collect();
    let plot = with_legend(&area, &entries)?;
    let values = || series.iter().flat_map(|s| s.1.iter().copied());
    let max = values().fold(0.0f64, f64::max);
    let min = values().fold(f64::INFINITY, f64::min);
    let (unit, uname) = if is_time { time_unit(max) } else { (1.0, "") };
    // Spread over two orders of magnitude or more, and nothing at 0: a
    // logarithmic axis shows the bulk and the tail.
    let log = min > 0.0 && max / min >= 100.0;
    let mut x_desc = if is_time {
        format!("{x_desc} ({uname})")
    } else {
        x_desc.to_string()
    };
    if log {
        x_desc.push_str(", log scale");
    }
    let x_end = if max > 0.0 { max / unit * 1.02 } else { 1.0 };
    let builder = |b: &mut ChartBuilder<DB>| {
        b.margin(12).x_label_area_size(50).y_label_area_size(80);
    };
    let mut b = ChartBuilder::on(&plot);
    builder(&mut b);
    let lines: Vec<(Vec<(f64, f64)>, ShapeStyle)> = series
        .iter()
        .enumerate()
        .map(|(i, (_, v, c))| {
            let width = if i == 0 && first_bold { 3 } else { 2 };
            (cdf_points(v, unit), c.stroke_width(width))
        })
        .collect();
    if log {
        // Start at a power of ten so the axis has labels at its left end.
        let x_start = 10f64.powf((min / unit).log10().floor());
        let mut chart = b.build_cartesian_2d((x_start..x_end).log_scale(), 0.0..1.0)?;
        cdf_mesh(&mut chart, &x_desc)?;
        for (pts, style) in lines {
            chart.draw_series(LineSeries::new(pts, style))?;
        }
    } else {
        let x_start = if is_time { 0.0 } else { 1.0f64.min(x_end) };
        let mut chart = b.build_cartesian_2d(x_start..x_end, 0.0..1.0)?;
        cdf_mesh(&mut chart, &x_desc)?;
        for (pts, style) in lines {
            chart.draw_series(LineSeries::new(pts, style))?;
        }
    }
    Ok(())
}

fn cdf_mesh<DB: DrawingBackend, X>(
    chart: &mut ChartContext<DB, Cartesian2d<X, RangedCoordf64>>,
    x_desc: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("fraction of jobs ≤ x")
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    Ok(())
}

/// Step points of an empirical CDF, thinned to about 2000 steps.
pub fn cdf_points(values: &[f64], unit: f64) -> Vec<(f64, f64)> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let idx = thin(n);
    let mut pts = Vec::new();
    if idx.len() < n {
        // Thinned: the steps between the kept points are not all drawn, so
        // join them straight (a staircase would show teeth that are not in
        // the data).
        if let Some(&x) = v.first() {
            pts.push((x / unit, 0.0));
        }
        for i in idx {
            pts.push((v[i] / unit, (i + 1) as f64 / n as f64));
        }
        return pts;
    }
    let mut prev = 0.0;
    for i in idx {
        let x = v[i] / unit;
        let y = (i + 1) as f64 / n as f64;
        pts.push((x, prev));
        pts.push((x, y));
        prev = y;
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::{cdf_points, thin};

    #[test]
    fn a_short_cdf_is_a_staircase() {
        let pts = cdf_points(&[3.0, 1.0, 2.0], 1.0);
        let want = [
            (1.0, 0.0),
            (1.0, 1.0 / 3.0),
            (2.0, 1.0 / 3.0),
            (2.0, 2.0 / 3.0),
            (3.0, 2.0 / 3.0),
            (3.0, 1.0),
        ];
        assert_eq!(pts, want);
    }

    #[test]
    fn a_long_cdf_joins_its_thinned_points() {
        let v: Vec<f64> = (0..5000).rev().map(f64::from).collect();
        let pts = cdf_points(&v, 1000.0);
        assert_eq!(pts.len(), thin(5000).len() + 1);
        assert_eq!(pts[0], (0.0, 0.0));
        assert_eq!(pts[1], (0.0, 1.0 / 5000.0));
        assert_eq!(*pts.last().unwrap(), (4.999, 1.0));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1));
    }
}
