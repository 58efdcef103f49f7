//! The chart toolkit: colours, fonts, tick labels, legends, titles,
//! thinning, and the Kaplan–Meier job CDFs — shared by the run and compare charts.

use super::{DrawResult, FAMILY};
use crate::metrics::jobs::{kaplan_meier, value_counts};
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

impl Entry {
    /// One entry per label, in the palette's order, all with `mark`.
    pub fn series(labels: &[&str], mark: Mark) -> Vec<Entry> {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| Entry {
                label: l.to_string(),
                color: color(i),
                mark,
            })
            .collect()
    }
}

/// Splits off a legend column on the right and draws it; returns the plot
/// area. A label too long for the column (at most a third of the width)
/// wraps onto more lines; entries that do not fit are summarised in a last
/// line.
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
    // Text starts 40 pixels in; a line may take the rest but a margin.
    let room = width.saturating_sub(48);
    let fits = |t: &str| {
        legend
            .estimate_text_size(t, &style)
            .map_or(true, |(tw, _)| tw <= room)
    };
    let line_h = 26i32;
    let top = 40i32;
    let fit = ((h as i32 - top - 20) / line_h).max(1) as usize;
    let lines: Vec<Vec<String>> = entries.iter().map(|e| wrap(&e.label, &fits)).collect();
    let all_fit = lines.iter().map(Vec::len).sum::<usize>() <= fit;
    let mut slot = 0usize;
    for (k, e) in entries.iter().enumerate() {
        let y = top + slot as i32 * line_h;
        if !all_fit && slot + lines[k].len() > fit - 1 {
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
        for (i, line) in lines[k].iter().enumerate() {
            let y = y + i as i32 * line_h;
            legend.draw(&Text::new(line.clone(), (40, y - 8), style.clone()))?;
        }
        slot += lines[k].len();
    }
    Ok(plot)
}

/// `label` in lines that each `fits`, broken after a space, a comma or an
/// `=` where there is one, else inside a word (a line has at least one
/// character).
pub fn wrap(label: &str, fits: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: Vec<char> = label.chars().collect();
    let text = |cs: &[char]| -> String { cs.iter().collect::<String>().trim_end().to_string() };
    while !fits(&text(&rest)) {
        // The longest prefix that fits, then the last break in it.
        let longest = (1..rest.len())
            .rev()
            .find(|&i| fits(&text(&rest[..i])))
            .unwrap_or(1);
        let cut = (1..=longest)
            .rev()
            .find(|&i| matches!(rest[i - 1], ' ' | ',' | '='))
            .unwrap_or(longest);
        out.push(text(&rest[..cut]));
        rest.drain(..cut);
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
        if rest.is_empty() {
            return out;
        }
    }
    out.push(rest.into_iter().collect());
    out
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

/// A CDF's legend label: the group, how many values, which share of the
/// observed ones is exactly `base` (0 for times, 1 for slowdowns: a jump
/// that sits on the y-axis and is easy to miss), how many are censored
/// (unfinished jobs), and where the Kaplan–Meier curve stops when it stops
/// below 1.
pub fn cdf_label(group: &str, c: &Cdf, base: f64) -> String {
    let v = &c.observed;
    let mut notes = Vec::new();
    let at_base = v.iter().filter(|&&x| x == base).count();
    if at_base > 0 {
        let pct = 100.0 * at_base as f64 / v.len() as f64;
        notes.push(format!("{pct:.0}% at {base}"));
    }
    if !c.censored.is_empty() {
        notes.push(format!("{} unfinished", c.censored.len()));
        if let Some(f) = km_curve(c).stops_at {
            notes.push(format!("● stops at {:.0}%", 100.0 * f));
        }
    }
    let n = v.len() + c.censored.len();
    if notes.is_empty() {
        format!("{group} ({n})")
    } else {
        format!("{group} ({n}; {})", notes.join(", "))
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

/// A CDF series: observed values and censored ones (a lower bound each:
/// jobs unfinished at the end, at their time so far), drawn as their
/// Kaplan–Meier estimate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cdf {
    pub label: String,
    pub observed: Vec<f64>,
    pub censored: Vec<f64>,
    pub color: RGBColor,
}

impl Cdf {
    /// A series labelled by [`cdf_label`].
    pub fn new(
        group: &str,
        observed: Vec<f64>,
        censored: Vec<f64>,
        color: RGBColor,
        base: f64,
    ) -> Cdf {
        let mut c = Cdf {
            label: String::new(),
            observed,
            censored,
            color,
        };
        c.label = cdf_label(group, &c, base);
        c
    }

    fn is_empty(&self) -> bool {
        self.observed.is_empty() && self.censored.is_empty()
    }
}

/// The Kaplan–Meier steps of a series (`metrics::jobs::kaplan_meier`, the
/// estimator of `summary.json`'s percentiles): `(t_i, F(t_i))` at each
/// observed value; `end` the largest value, observed or censored; and
/// `stops_at`, `F` at the end when it is below 1 (the largest values are
/// censored: beyond the last observed value the estimate says nothing).
pub struct KmCurve {
    pub steps: Vec<(f64, f64)>,
    pub end: f64,
    pub stops_at: Option<f64>,
}

pub fn km_curve(c: &Cdf) -> KmCurve {
    let mut observed = c.observed.clone();
    observed.sort_by(f64::total_cmp);
    let mut censored = c.censored.clone();
    censored.sort_by(f64::total_cmp);
    let events = value_counts(&observed);
    let steps: Vec<(f64, f64)> = kaplan_meier(&events, &censored).collect();
    let last_obs = observed.last().copied();
    let last_cen = censored.last().copied();
    let end = last_obs.into_iter().chain(last_cen).fold(0.0, f64::max);
    let stops_at = match (last_obs, last_cen) {
        (_, None) => None,
        (Some(o), Some(x)) if o > x => None,
        _ => Some(steps.last().map_or(0.0, |s| s.1)),
    };
    KmCurve {
        steps,
        end,
        stops_at,
    }
}

/// Kaplan–Meier CDFs as step lines, one per series; a curve that stops
/// below 1 (its largest values censored) ends in a dot.
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
    let series: Vec<&Cdf> = series.iter().filter(|c| !c.is_empty()).collect();
    let entries: Vec<Entry> = series
        .iter()
        .map(|c| Entry {
            label: c.label.clone(),
            color: c.color,
            mark: Mark::Line,
        })
        .collect();
    let plot = with_legend(&area, &entries)?;
    let values = || {
        series
            .iter()
            .flat_map(|s| s.observed.iter().chain(&s.censored).copied())
    };
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
    let y_desc = if series.iter().any(|c| !c.censored.is_empty()) {
        "fraction of jobs ≤ x (Kaplan–Meier)"
    } else {
        "fraction of jobs ≤ x"
    };
    let builder = |b: &mut ChartBuilder<DB>| {
        b.margin(12).x_label_area_size(50).y_label_area_size(80);
    };
    let mut b = ChartBuilder::on(&plot);
    builder(&mut b);
    #[allow(clippy::type_complexity)]
    let lines: Vec<(Vec<(f64, f64)>, Option<(f64, f64)>, ShapeStyle)> = series
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let width = if i == 0 && first_bold { 3 } else { 2 };
            let (pts, stop) = cdf_points(&km_curve(c), unit);
            (pts, stop, c.color.stroke_width(width))
        })
        .collect();
    macro_rules! draw_lines {
        ($chart:expr) => {
            for (pts, stop, style) in lines {
                $chart.draw_series(LineSeries::new(pts, style))?;
                if let Some(p) = stop {
                    $chart.draw_series(std::iter::once(Circle::new(p, 5, style.filled())))?;
                }
            }
        };
    }
    if log {
        // Start at a power of ten so the axis has labels at its left end.
        let x_start = 10f64.powf((min / unit).log10().floor());
        let mut chart = b.build_cartesian_2d((x_start..x_end).log_scale(), 0.0..1.0)?;
        cdf_mesh(&mut chart, &x_desc, y_desc)?;
        draw_lines!(chart);
    } else {
        let x_start = if is_time { 0.0 } else { 1.0f64.min(x_end) };
        let mut chart = b.build_cartesian_2d(x_start..x_end, 0.0..1.0)?;
        cdf_mesh(&mut chart, &x_desc, y_desc)?;
        draw_lines!(chart);
    }
    Ok(())
}

fn cdf_mesh<DB: DrawingBackend, X>(
    chart: &mut ChartContext<DB, Cartesian2d<X, RangedCoordf64>>,
    x_desc: &str,
    y_desc: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    Ok(())
}

/// The points of a Kaplan–Meier curve in `unit`s: a staircase up to about
/// 2000 steps, beyond that the kept steps joined straight (a staircase
/// would show teeth that are not in the data); when the curve stops below 1,
/// a flat line from its last step to the largest (censored) value, which is
/// also the second value: where to mark the stop.
#[allow(clippy::type_complexity)]
pub fn cdf_points(k: &KmCurve, unit: f64) -> (Vec<(f64, f64)>, Option<(f64, f64)>) {
    let steps = &k.steps;
    let n = steps.len();
    let idx = thin(n);
    let mut pts = Vec::new();
    if idx.len() < n {
        if let Some(&(x, _)) = steps.first() {
            pts.push((x / unit, 0.0));
        }
        for i in idx {
            pts.push((steps[i].0 / unit, steps[i].1));
        }
    } else {
        let mut prev = 0.0;
        for i in idx {
            let (x, y) = (steps[i].0 / unit, steps[i].1);
            pts.push((x, prev));
            pts.push((x, y));
            prev = y;
        }
    }
    let stop = k.stops_at.map(|f| {
        let p = (k.end / unit, f);
        if pts.last() != Some(&p) {
            if pts.is_empty() {
                // Nothing observed: F is 0 up to the largest censored value.
                pts.push((0.0, 0.0));
            }
            pts.push(p);
        }
        p
    });
    (pts, stop)
}

#[cfg(test)]
mod tests {
    use super::{cdf_label, cdf_points, km_curve, thin, wrap, Cdf};
    use plotters::style::BLACK;

    #[test]
    fn long_legend_labels_wrap() {
        let chars = |n: usize| move |t: &str| t.chars().count() <= n;
        assert_eq!(wrap("drf", &chars(10)), vec!["drf"]);
        assert_eq!(wrap("", &chars(10)), vec![""]);
        assert_eq!(
            wrap(
                "roles.analytics.quota={guarantee: {cpus: 60}}, master.policy=drf",
                &chars(30)
            ),
            vec![
                "roles.analytics.quota=",
                "{guarantee: {cpus: 60}},",
                "master.policy=drf"
            ]
        );
        assert_eq!(wrap("abcdefghij", &chars(4)), vec!["abcd", "efgh", "ij"]);
        for w in 1..12 {
            for l in wrap("a long, label with,commas and spaces", &chars(w)) {
                assert!(l.chars().count() <= w, "{l:?} at {w}");
            }
        }
        // Nothing fits: one character a line, never an endless loop.
        assert_eq!(wrap("ab", &|_: &str| false), vec!["a", "b"]);
    }

    fn close(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(p, q)| (p.0 - q.0).abs() < 1e-12 && (p.1 - q.1).abs() < 1e-12)
    }

    fn cdf(observed: &[f64], censored: &[f64]) -> Cdf {
        Cdf::new("all jobs", observed.to_vec(), censored.to_vec(), BLACK, 0.0)
    }

    #[test]
    fn a_short_cdf_is_a_staircase() {
        let (pts, stop) = cdf_points(&km_curve(&cdf(&[3.0, 1.0, 2.0], &[])), 1.0);
        let want = [
            (1.0, 0.0),
            (1.0, 1.0 / 3.0),
            (2.0, 1.0 / 3.0),
            (2.0, 2.0 / 3.0),
            (3.0, 2.0 / 3.0),
            (3.0, 1.0),
        ];
        assert!(close(&pts, &want), "{pts:?}");
        assert_eq!(pts.last().unwrap().1, 1.0);
        assert_eq!(stop, None);
    }

    /// Four jobs, one unfinished, by hand: at 10 four at risk, S = 3/4; the
    /// job censored at 15 leaves; at 20 two at risk, S = 3/8; at 40 one at
    /// risk, S = 0. The empirical CDF of the three completed jobs would say
    /// 1/3, 2/3, 1.
    #[test]
    fn kaplan_meier_by_hand_four_jobs_one_censored() {
        let c = cdf(&[40.0, 10.0, 20.0], &[15.0]);
        let k = km_curve(&c);
        assert!(
            close(&k.steps, &[(10.0, 0.25), (20.0, 0.625), (40.0, 1.0)]),
            "{:?}",
            k.steps
        );
        assert_eq!((k.end, k.stops_at), (40.0, None));
        assert_eq!(c.label, "all jobs (4; 1 unfinished)");
        // The longest job unfinished: at 10, 20, 30 four, three, two at
        // risk, S = 3/4, 1/2, 1/4; the curve stops at F = 3/4 at 50 and is
        // marked there.
        let c = cdf(&[30.0, 10.0, 20.0], &[50.0]);
        let k = km_curve(&c);
        assert!(
            close(&k.steps, &[(10.0, 0.25), (20.0, 0.5), (30.0, 0.75)]),
            "{:?}",
            k.steps
        );
        assert_eq!(k.end, 50.0);
        assert!((k.stops_at.unwrap() - 0.75).abs() < 1e-12);
        let (pts, stop) = cdf_points(&k, 10.0);
        let (x, y) = stop.unwrap();
        assert!(x == 5.0 && (y - 0.75).abs() < 1e-12);
        assert_eq!(*pts.last().unwrap(), (x, y));
        assert_eq!(pts[pts.len() - 2].0, 3.0);
        assert_eq!(c.label, "all jobs (4; 1 unfinished, ● stops at 75%)");
        // A tie: a job censored at the last completion time is still at
        // risk there, so the curve stops below 1.
        let k = km_curve(&cdf(&[10.0, 20.0], &[20.0]));
        assert!(close(&k.steps, &[(10.0, 1.0 / 3.0), (20.0, 2.0 / 3.0)]));
        assert!(k.stops_at.is_some());
        // Nothing observed: flat at 0 up to the longest unfinished job.
        let (pts, stop) = cdf_points(&km_curve(&cdf(&[], &[5.0, 8.0])), 1.0);
        assert_eq!(
            (pts, stop),
            (vec![(0.0, 0.0), (8.0, 0.0)], Some((8.0, 0.0)))
        );
    }

    #[test]
    fn the_label_counts_values_at_the_base() {
        let c = Cdf::new("spark", vec![0.0, 0.0, 3.0, 4.0], vec![], BLACK, 0.0);
        assert_eq!(c.label, "spark (4; 50% at 0)");
        assert_eq!(cdf_label("x", &cdf(&[1.0], &[]), 0.0), "x (1)");
    }

    #[test]
    fn a_long_cdf_joins_its_thinned_points() {
        let v: Vec<f64> = (0..5000).rev().map(f64::from).collect();
        let (pts, stop) = cdf_points(&km_curve(&cdf(&v, &[])), 1000.0);
        assert_eq!(stop, None);
        assert_eq!(pts.len(), thin(5000).len() + 1);
        assert_eq!(pts[0], (0.0, 0.0));
        assert_eq!(pts[1].0, 0.0);
        assert!((pts[1].1 - 1.0 / 5000.0).abs() < 1e-12);
        assert_eq!(*pts.last().unwrap(), (4.999, 1.0));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1));
    }
}
