//! Draws the scaling curves of docs/performance.md (issue 14) from the file
//! `scripts/perf-scaling.py` writes:
//!
//! ```sh
//! python3 scripts/perf-scaling.py            # results/perf/scaling.csv (idle machine!)
//! cargo run --release --example perf_charts  # results/perf/scaling.{svg,png}
//! cargo run --release --example perf_charts -- IN.csv OUT_DIR
//! ```
//!
//! One column of panels per axis (agents, frameworks, tasks), each varied
//! alone around the base point: wall time on log–log axes with a dashed
//! line proportional to the axis through the base point (a curve that
//! follows it scales linearly), then peak memory, also log–log. Drawn with the crate's
//! own chart kit (the bundled font, no system library).

use mesosim::error::Error;
use mesosim::report::charts::{
    self, color, font, titled_area, with_legend, DrawResult, Entry, Format, Mark, LABEL, TICK,
    TITLE,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One measured point.
#[derive(Clone, Debug)]
struct Point {
    x: f64,
    /// The base point, common to the three axes.
    base: bool,
    wall_s: f64,
    rss_mb: f64,
}

/// One axis: its name, its label, its points in order of x, and the base
/// point's x.
struct Axis {
    label: &'static str,
    points: Vec<Point>,
}

const AXES: [(&str, &str); 3] = [
    ("agents", "agents (50 frameworks, ≈8,100 tasks)"),
    ("frameworks", "frameworks (1,000 agents, ≈8,100 tasks)"),
    ("tasks", "tasks (1,000 agents, 50 frameworks)"),
];

fn read(path: &Path) -> Result<(Vec<Axis>, String), Error> {
    let bad = |why: String| Error::io(path.display(), why);
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column `{name}`")))
    };
    let (axis, wall, rss) = (col("axis")?, col("wall_s")?, col("peak_rss_mb")?);
    let (load, commit, base) = (col("load_avg")?, col("commit")?, col("base")?);
    let mut axes: Vec<Axis> = AXES
        .iter()
        .map(|&(_, label)| Axis {
            label,
            points: Vec::new(),
        })
        .collect();
    let mut loads: Vec<f64> = Vec::new();
    let mut commits: Vec<String> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let line = i + 2;
        let num = |c: usize| -> Result<f64, Error> {
            rec.get(c)
                .and_then(|s| s.parse::<f64>().ok())
                .ok_or_else(|| bad(format!("line {line}: column {} is not a number", c + 1)))
        };
        let name = rec.get(axis).unwrap_or_default();
        let Some(k) = AXES.iter().position(|&(n, _)| n == name) else {
            return Err(bad(format!("line {line}: unknown axis `{name}`")));
        };
        let x = num(col(AXES[k].0)?)?;
        axes[k].points.push(Point {
            x,
            base: num(base)? == 1.0,
            wall_s: num(wall)?,
            rss_mb: num(rss)?,
        });
        loads.push(num(load)?);
        let c = rec.get(commit).unwrap_or_default().to_string();
        if !commits.contains(&c) {
            commits.push(c);
        }
    }
    for a in &mut axes {
        a.points.sort_by(|p, q| p.x.total_cmp(&q.x));
    }
    let max_load = loads.iter().cloned().fold(0.0, f64::max);
    let note = format!(
        "mesosim {}, load average ≤ {max_load:.1}; 30 simulated minutes, scale-2k's workload",
        commits.join(", ")
    );
    Ok((axes, note))
}

/// A compact x label: 250, 1k, 1.9k, 45k.
fn short(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1000.0 {
        let s = format!("{:.1}k", v / 1000.0);
        s.replace(".0k", "k")
    } else {
        charts::tick(v)
    }
}

/// Log–log axis bounds around `lo..hi`, a little wider.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    (lo / 1.3, hi * 1.3)
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &Axis,
    memory: bool,
    k: usize,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let pts = &axis.points;
    if pts.is_empty() {
        return Ok(());
    }
    let xs = (pts[0].x, pts[pts.len() - 1].x);
    let y = |p: &Point| if memory { p.rss_mb } else { p.wall_s };
    let series: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, y(p))).collect();
    let mut lo = pts.iter().map(y).fold(f64::INFINITY, f64::min);
    let mut hi = pts.iter().map(y).fold(0.0, f64::max);
    // Wall time: a dashed line through the base point (1,000 agents, 50
    // frameworks, 0.4 jobs/s) that grows as x. Memory has a fixed part (the
    // program, the scenario), so no such line.
    let base = pts.iter().find(|p| p.base).unwrap_or(&pts[pts.len() / 2]);
    let linear = |x: f64| base.wall_s * x / base.x;
    if !memory {
        lo = lo.min(linear(xs.0));
        hi = hi.max(linear(xs.1));
    }
    let ((x0, x1), (y0, y1)) = (log_range(xs.0, xs.1), log_range(lo, hi));
    // Ticks at the measured x values, and at 1, 1.5, 2, 3, 5, 7 times the
    // powers of ten on the y axis.
    let x_ticks: Vec<f64> = pts.iter().map(|p| p.x).collect();
    let y_ticks: Vec<f64> = (-3..6)
        .flat_map(|e| [1.0, 1.5, 2.0, 3.0, 5.0, 7.0].map(|m| m * 10f64.powi(e)))
        .filter(|v| (y0..=y1).contains(v))
        .collect();
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (x0..x1).log_scale().with_key_points(x_ticks),
            (y0..y1).log_scale().with_key_points(y_ticks),
        )?;
    chart
        .configure_mesh()
        .x_desc(axis.label)
        .y_desc(if memory {
            "peak memory (MB)"
        } else {
            "wall time (s)"
        })
        .label_style(font(TICK))
        .axis_desc_style(font(LABEL))
        .x_labels(12)
        .y_labels(12)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| charts::tick(*v))
        .draw()?;
    if !memory {
        let grey = RGBColor(120, 120, 120);
        let n = 24;
        let t = |j: usize| xs.0 * (xs.1 / xs.0).powf(j as f64 / n as f64);
        for i in (0..n).step_by(2) {
            let (a, z) = (t(i), t(i + 1));
            chart.draw_series(LineSeries::new(
                vec![(a, linear(a)), (z, linear(z))],
                grey.stroke_width(2),
            ))?;
        }
    }
    let c = color(k);
    chart.draw_series(LineSeries::new(series.clone(), c.stroke_width(3)))?;
    chart.draw_series(series.iter().map(|&p| Circle::new(p, 5, c.filled())))?;
    Ok(())
}

fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, axes: &[Axis], note: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(
        area,
        "Whole-run wall time and memory against cluster size and load",
        font(TITLE),
    )?;
    let entries = vec![
        Entry {
            label: "measured".into(),
            color: RGBColor(60, 60, 60),
            mark: Mark::Line,
        },
        Entry {
            label: "∝ x through the base".into(),
            color: RGBColor(120, 120, 120),
            mark: Mark::Dashed,
        },
    ];
    let (body, foot) = area.split_vertically(area.dim_in_pixel().1 - 30);
    foot.draw(&Text::new(note.to_string(), (20, 4), font(TICK)))?;
    let plot = with_legend(&body, &entries)?;
    let rows = plot.split_evenly((2, 3));
    for (k, axis) in axes.iter().enumerate() {
        panel(&rows[k], axis, false, k)?;
        panel(&rows[3 + k], axis, true, k)?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = PathBuf::from(
        args.first()
            .map(String::as_str)
            .unwrap_or("results/perf/scaling.csv"),
    );
    let out = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("results/perf"));
    let run = || -> Result<(), Error> {
        let (axes, note) = read(&input)?;
        for format in [Format::Svg, Format::Png] {
            let path = out.join(format!("scaling.{}", format.ext()));
            charts::render(
                &path,
                format,
                (1800, 1000),
                &|a| draw(a, &axes, &note),
                &|a| draw(a, &axes, &note),
            )?;
            println!("wrote {}", path.display());
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("perf_charts: {e}");
        std::process::exit(2);
    }
}
