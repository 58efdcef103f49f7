//! Charts, drawn with plotters from a results folder's files alone (see
//! [`RunData`]), as SVG or PNG. Text is rendered with the bundled DejaVu
//! Sans through plotters' pure-Rust `ab_glyph` support: no system fonts, no
//! fontconfig. SVG text names a font list ending in `sans-serif`, so an SVG
//! reads the same anywhere.

use super::data::{Meta, RunData};
use crate::error::Error;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};
use std::error::Error as StdError;
use std::path::{Path, PathBuf};

/// The bundled font (DejaVu Sans; licence in assets/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";
/// What SVG files ask the viewer for.
const SVG_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

pub type DrawResult = Result<(), Box<dyn StdError>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bundled file is a valid font; a failure would only leave
        // text undrawn, which the chart's own error then reports.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The bitmap backend with its text drawn by [`draw_glyphs`]: plotters
/// 0.3.7's own ab_glyph drawing places each glyph's ink box at the pen
/// position, dropping the left side bearing, which spaces letters unevenly
/// ("tim e"). Everything else goes to the bitmap backend unchanged.
pub struct Png<'a>(BitMapBackend<'a>);

fn glyph_font() -> &'static ab_glyph::FontRef<'static> {
    static F: std::sync::OnceLock<ab_glyph::FontRef<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| ab_glyph::FontRef::try_from_slice(FONT).expect("the bundled font parses"))
}

/// Text width in pixels at `size`, as plotters lays it out (advances plus
/// kerning).
fn text_width(size: f32, text: &str) -> f32 {
    use ab_glyph::{Font, ScaleFont};
    let font = glyph_font().as_scaled(size);
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            w += font.kern(p, id);
        }
        w += font.h_advance(id);
        prev = Some(id);
    }
    w
}

/// Rasterizes `text` with glyphs at their exact pen positions; calls
/// `pixel(x, y, coverage)` in text-box coordinates (baseline at size/2, as
/// plotters places it).
fn draw_glyphs(size: f32, text: &str, mut pixel: impl FnMut(i32, i32, f32)) {
    use ab_glyph::{point, Font, ScaleFont};
    let font = glyph_font().as_scaled(size);
    let mut pen = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            pen += font.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(pen, size / 2.0));
        if let Some(outline) = glyph_font().outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline
                .draw(|x, y, cov| pixel(b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, cov));
        }
        pen += font.h_advance(id);
        prev = Some(id);
    }
}

impl DrawingBackend for Png<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, (iw, ih), src)
    }
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        use plotters_backend::text_anchor::{HPos, VPos};
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let size = style.size() as f32;
        let width = text_width(size, text) as i32;
        let height = (style.size() / 1.24) as i32;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut result = Ok(());
        draw_glyphs(size, text, |x, y, cov| {
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if result.is_ok() && x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                result = self.0.draw_pixel((x, y), color.mix(cov as f64));
            }
        });
        result
    }
}

/// Draws one chart into `path` (`.svg` or `.png`, per `format`).
pub fn render(
    path: &Path,
    format: Format,
    size: (u32, u32),
    draw: &dyn Fn(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
    draw_png: &dyn Fn(&DrawingArea<Png, Shift>) -> DrawResult,
) -> Result<(), Error> {
    register_font();
    let fail = |e: Box<dyn StdError>| Error::io(path.display(), e);
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                root.fill(&WHITE).map_err(|e| fail(e.into()))?;
                draw(&root).map_err(fail)?;
                root.present().map_err(|e| fail(e.into()))?;
            }
            let text = text.replace(
                &format!("font-family=\"{FAMILY}\""),
                &format!("font-family=\"{SVG_FAMILY}\""),
            );
            super::write_file(path, text.as_bytes())
        }
        Format::Png => {
            let root = Png(BitMapBackend::new(path, size)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| fail(e.into()))?;
            draw_png(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.into()))?;
            Ok(())
        }
    }
}

/// Renders with one generic drawing function for both backends.
macro_rules! chart {
    ($path:expr, $format:expr, $size:expr, |$area:ident| $body:expr) => {
        $crate::report::charts::render(
            $path,
            $format,
            $size,
            &|$area: &plotters::prelude::DrawingArea<
                plotters::prelude::SVGBackend,
                plotters::coord::Shift,
            >| $body,
            &|$area: &plotters::prelude::DrawingArea<
                $crate::report::charts::Png,
                plotters::coord::Shift,
            >| $body,
        )
    };
}
pub(crate) use chart;

// ------------------------------------------------------------ styling --

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
const GREY: RGBColor = RGBColor(120, 120, 120);

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Frameworks' colours, the same in every chart of a run: up to ten
/// frameworks each get a colour (in `shares.csv` order); with more, the nine
/// with the largest mean allocation do, and the others are grey.
struct Palette {
    named: Vec<(String, RGBColor)>,
    others: Vec<String>,
}

impl Palette {
    fn of(d: &RunData) -> Palette {
        let (shown, others) = framework_order(d, 9);
        Palette {
            named: shown
                .into_iter()
                .enumerate()
                .map(|(k, f)| (f, color(k)))
                .collect(),
            others,
        }
    }

    fn get(&self, framework: &str) -> Option<RGBColor> {
        self.named
            .iter()
            .find(|(f, _)| f == framework)
            .map(|(_, c)| *c)
    }
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

/// Shades the parts of the run outside the measurement window.
fn shade_window<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    meta: &Meta,
    unit: f64,
    x_end: f64,
    y: (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if let Some((from, to)) = meta.window {
        let shade = GREY.mix(0.25).filled();
        if from > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y.0), (from / unit, y.1)],
                shade,
            )))?;
        }
        if to / unit < x_end {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(to / unit, y.0), (x_end, y.1)],
                shade,
            )))?;
        }
    }
    Ok(())
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

fn caption(what: &str, meta: &Meta) -> String {
    format!("{what} — {}", meta.subtitle())
}

fn note_window(meta: &Meta) -> &'static str {
    if meta.window.is_some() {
        " (grey: outside the measurement window)"
    } else {
        ""
    }
}

// ------------------------------------------------------------ run charts --

/// The charts of one run, each with its file stem and what it shows.
pub const RUN_CHARTS: &[(&str, &str)] = &[
    (
        "utilization",
        "Allocated resources over time, stacked by framework, per resource (% of the cluster); lines for offered-but-idle and used",
    ),
    (
        "shares",
        "Dominant share of each framework over time (solid) and its ideal DRF share (dashed)",
    ),
    (
        "roles",
        "Dominant share of each role's subtree over time (solid) and its ideal DRF share (dashed)",
    ),
    (
        "fairness",
        "Jain's index and min/max ratio over weighted dominant shares, and the distance from the ideal DRF allocation",
    ),
    (
        "jct_cdf",
        "Distribution (CDF) of job completion times, all jobs and per framework (or per job class when there are many frameworks)",
    ),
    ("wait_cdf", "Distribution (CDF) of job wait times (submission to first launch)"),
    ("slowdown_cdf", "Distribution (CDF) of job slowdowns (completion time ÷ ideal run time)"),
    ("offers", "Offers made, accepted, declined and rescinded per second, all frameworks"),
];

/// Writes the run charts into `out`; returns the files written (relative
/// to `out`), in [`RUN_CHARTS`] order. Charts without data are skipped.
pub fn write_run_charts(data: &RunData, out: &Path, format: Format) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out.display(), e))?;
    let mut written = Vec::new();
    let ext = format.ext();
    for (stem, _) in RUN_CHARTS {
        let path = out.join(format!("{stem}.{ext}"));
        let done = match *stem {
            "utilization" => {
                let panels = utilization_panels(data);
                let h = 140 + 300 * panels.len().max(1) as u32;
                chart!(&path, format, (1200, h), |a| draw_utilization(
                    a, data, &panels
                ))?;
                true
            }
            "shares" if !data.clients.is_empty() => {
                chart!(&path, format, (1200, 620), |a| draw_shares(a, data))?;
                true
            }
            "roles" if data.roles.iter().any(|r| r.1.iter().any(|&x| x > 0.0)) => {
                chart!(&path, format, (1200, 620), |a| draw_roles(a, data))?;
                true
            }
            "fairness" if data.fairness.is_some() => {
                chart!(&path, format, (1200, 560), |a| draw_fairness(a, data))?;
                true
            }
            "jct_cdf" | "wait_cdf" | "slowdown_cdf" => {
                let field: fn(&super::data::JobRow) -> Option<f64> = match *stem {
                    "jct_cdf" => |j| j.jct_s,
                    "wait_cdf" => |j| j.wait_s,
                    _ => |j| j.slowdown,
                };
                let series = job_series(data, field, cdf_base(*stem != "slowdown_cdf"));
                if series.is_empty() {
                    false
                } else {
                    let (what, axis) = match *stem {
                        "jct_cdf" => ("Job completion time", "completion time"),
                        "wait_cdf" => ("Job wait time", "wait (submission to first launch)"),
                        _ => (
                            "Job slowdown",
                            "slowdown (completion time ÷ ideal run time)",
                        ),
                    };
                    let is_time = *stem != "slowdown_cdf";
                    chart!(&path, format, (1200, 560), |a| draw_cdf(
                        a,
                        &caption(&cdf_what(what, data), &data.meta),
                        axis,
                        is_time,
                        true,
                        &series
                    ))?;
                    true
                }
            }
            "offers" if !data.offers.is_empty() => {
                chart!(&path, format, (1200, 560), |a| draw_offers(a, data))?;
                true
            }
            _ => false,
        };
        if done {
            written.push(PathBuf::from(format!("{stem}.{ext}")));
        }
    }
    Ok(written)
}

/// Resources worth a panel: those ever allocated (at least one).
/// A chart with the run's time on x (0 to `x_end`, in the unit `time_unit`
/// chose) and a linear y from 0 to `y_max`, its grid and axis labels drawn.
fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    d: &RunData,
    x_end: f64,
    y_max: f64,
    y_label_area: u32,
    y_desc: impl Into<String>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, Box<dyn StdError>>
where
    DB::ErrorType: 'static,
{
    let (_, uname) = time_unit(d.end());
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(0.0..x_end, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(format!("time ({uname}){}", note_window(&d.meta)))
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL))
        .label_style(font(TICK))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    Ok(chart)
}

fn utilization_panels(d: &RunData) -> Vec<usize> {
    let mut v: Vec<usize> = (0..d.resources.len())
        .filter(|&r| d.allocated[r].iter().any(|&x| x > 0.0))
        .collect();
    if v.is_empty() && !d.resources.is_empty() {
        v.push(0);
    }
    v
}

/// Frameworks by their mean allocation (fractions summed over resources),
/// largest first; beyond `keep`, the rest is grouped.
fn framework_order(d: &RunData, keep: usize) -> (Vec<String>, Vec<String>) {
    let fws = d.frameworks();
    let mut weight: Vec<(f64, usize)> = fws
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut sum = 0.0;
            for c in d.clients.iter().filter(|c| &c.framework == f) {
                for (r, series) in c.allocated.iter().enumerate() {
                    for (t, v) in series.iter().enumerate() {
                        let total = d.total[r][t];
                        if total > 0.0 {
                            sum += v / total;
                        }
                    }
                }
            }
            (sum, i)
        })
        .collect();
    if fws.len() <= keep + 1 {
        return (fws, Vec::new());
    }
    weight.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut top: Vec<usize> = weight.iter().take(keep).map(|w| w.1).collect();
    top.sort_unstable();
    let rest = weight.iter().skip(keep).map(|w| fws[w.1].clone()).collect();
    (top.into_iter().map(|i| fws[i].clone()).collect(), rest)
}

fn draw_utilization<DB: DrawingBackend>(
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
        shade_window(&mut chart, &d.meta, unit, x_end, (0.0, 100.0))?;
    }
    Ok(())
}

/// A labelled share series, its ideal counterpart, and its colour.
type Line<'a> = (String, &'a Vec<f64>, &'a Vec<f64>, RGBColor);

/// One line per (framework, role) client of the frameworks with a colour,
/// labelled by framework (and role for multi-role frameworks).
fn draw_shares<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &RunData) -> DrawResult
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

fn draw_roles<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &RunData) -> DrawResult
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

fn draw_share_lines<DB: DrawingBackend>(
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

fn draw_fairness<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &RunData) -> DrawResult
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
    let entries: Vec<Entry> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| Entry {
            label: l.to_string(),
            color: color(i),
            mark: Mark::Line,
        })
        .collect();
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

fn draw_offers<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, d: &RunData) -> DrawResult
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

/// A CDF chart's title; it says so when the charts read a sample of a very
/// long `jobs.csv`.
fn cdf_what(what: &str, d: &RunData) -> String {
    let jobs = if d.meta.window.is_some() {
        "completed jobs submitted in the window"
    } else {
        "completed jobs"
    };
    if d.jobs_step > 1 {
        format!(
            "{what} (CDF, {jobs}; every {}th of {} jobs)",
            d.jobs_step, d.jobs_total
        )
    } else {
        format!("{what} (CDF, {jobs})")
    }
}

/// Values of the completed jobs for a CDF (those submitted in the
/// measurement window when there is one, as `summary.json` counts them):
/// all jobs first, then per framework (coloured as in the other charts)
/// when at most ten frameworks have completed jobs, else per job class when
/// there are two to ten.
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

fn job_series(d: &RunData, field: fn(&super::data::JobRow) -> Option<f64>, base: f64) -> Vec<Cdf> {
    let in_window = |j: &super::data::JobRow| match (d.meta.window, j.submit_s) {
        (Some((from, to)), Some(t)) => t >= from && t <= to,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let done: Vec<&super::data::JobRow> = d
        .jobs
        .iter()
        .filter(|j| j.jct_s.is_some() && in_window(j))
        .collect();
    let all: Vec<f64> = done.iter().filter_map(|j| field(j)).collect();
    if all.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(cdf_label("all jobs", &all, base), all, BLACK)];
    let group = |key: &dyn Fn(&super::data::JobRow) -> &str, order: Vec<String>| {
        order
            .into_iter()
            .map(|k| {
                let v: Vec<f64> = done
                    .iter()
                    .filter(|j| key(j) == k)
                    .filter_map(|j| field(j))
                    .collect();
                (k, v)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<(String, Vec<f64>)>>()
    };
    let mut fws: Vec<String> = d.frameworks();
    for j in &done {
        if !fws.contains(&j.framework) {
            fws.push(j.framework.clone());
        }
    }
    let by_fw = group(&|j| j.framework.as_str(), fws);
    if (2..=10).contains(&by_fw.len()) {
        let palette = Palette::of(d);
        for (k, (f, v)) in by_fw.into_iter().enumerate() {
            let c = palette.get(&f).unwrap_or(color(k));
            out.push((cdf_label(&f, &v, base), v, c));
        }
        return out;
    }
    let mut classes: Vec<String> = done
        .iter()
        .filter(|j| !j.class.is_empty())
        .map(|j| j.class.clone())
        .collect();
    classes.sort();
    classes.dedup();
    let by_class = group(&|j| j.class.as_str(), classes);
    if (2..=10).contains(&by_class.len()) {
        for (k, (c, v)) in by_class.into_iter().enumerate() {
            out.push((cdf_label(&format!("class {c}"), &v, base), v, color(k)));
        }
    }
    out
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
