//! Sweep charts: for each swept parameter, one panel per headline metric
//! with the metric's mean over seeds (and its 95% interval) against the
//! parameter's values, one line per combination of the other swept
//! parameters.

use super::charts::{self, font, titled_area, DrawResult, Entry, Format, Mark};
use super::compare::Table;
use super::safe_name;
use crate::error::Error;
use crate::metrics::compare::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One line of a panel: its label and, per variant on it, (x index,
/// variant).
type Line = (String, Vec<(usize, usize)>);

/// The lines of the chart for parameter `p`: variants grouped by the values
/// of the other swept parameters, each group ordered by `p`'s value.
fn lines(
    p: usize,
    params: &[String],
    values: &[Vec<String>],
    swept: &[usize],
) -> (Vec<String>, Vec<Line>) {
    let mut xs: Vec<String> = Vec::new();
    for v in values {
        if !xs.contains(&v[p]) {
            xs.push(v[p].clone());
        }
    }
    let mut out: Vec<Line> = Vec::new();
    for (vi, v) in values.iter().enumerate() {
        let label = swept
            .iter()
            .filter(|&&q| q != p)
            .map(|&q| {
                if params[q] == "master.policy" {
                    v[q].clone()
                } else {
                    format!("{}={}", params[q], v[q])
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let x = xs.iter().position(|x| *x == v[p]).expect("collected above");
        match out.iter_mut().find(|l| l.0 == label) {
            Some(l) => l.1.push((x, vi)),
            None => out.push((label, vec![(x, vi)])),
        }
    }
    for l in &mut out {
        l.1.sort_by_key(|&(x, _)| x);
        if l.0.is_empty() {
            l.0 = "mean over seeds".into();
        }
    }
    (xs, out)
}

/// Writes `charts/sweep_<parameter>` for each swept parameter but the
/// policy; returns the files written and what each shows.
#[allow(clippy::too_many_arguments)]
pub fn write_charts(
    table: &Table,
    params: &[String],
    values: &[Vec<String>],
    swept: &[String],
    chart_metrics: &[String],
    title: &str,
    out: &Path,
    format: Format,
) -> Result<Vec<(PathBuf, String)>, Error> {
    let swept_idx: Vec<usize> = swept
        .iter()
        .filter_map(|k| params.iter().position(|p| p == k))
        .collect();
    let metrics: Vec<usize> = (0..table.metrics.len())
        .filter(|&mi| {
            let m = &table.metrics[mi];
            if chart_metrics.is_empty() {
                !m.key.starts_with("utilization.")
                    || table.estimates[mi].iter().any(|e| e.mean != 0.0)
            } else {
                chart_metrics.contains(&m.key)
            }
        })
        .collect();
    let mut written = Vec::new();
    if metrics.is_empty() {
        return Ok(written);
    }
    crate::report::outdir::make_dir(out)?;
    for &p in &swept_idx {
        if params[p] == "master.policy" {
            continue;
        }
        let (xs, ls) = lines(p, params, values, &swept_idx);
        let file = format!("sweep_{}.{}", safe_name(&params[p]), format.ext());
        let rows = metrics.len().div_ceil(3) as u32;
        let t = format!("Headline metrics against {} — {title}", params[p]);
        charts::chart!(
            &out.join(&file),
            format,
            (1200, 110 + 280 * rows),
            |a| draw(a, table, &metrics, &params[p], &xs, &ls, &t)
        )?;
        written.push((
            PathBuf::from(file),
            format!(
                "Each headline metric against {}: mean over seeds with its 95% confidence interval, \
                 one line per combination of the other swept parameters",
                params[p]
            ),
        ));
    }
    Ok(written)
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Table,
    metrics: &[usize],
    param: &str,
    xs: &[String],
    ls: &[Line],
    title: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let area = titled_area(area, title, font(charts::TITLE))?;
    let entries: Vec<Entry> = ls
        .iter()
        .enumerate()
        .map(|(i, l)| Entry {
            label: l.0.clone(),
            color: charts::color(i),
            mark: Mark::Line,
        })
        .collect();
    let plot = charts::with_legend(&area, &entries)?;
    let rows = metrics.len().div_ceil(3);
    let cells = plot.split_evenly((rows, 3));
    let n = xs.len();
    for (&mi, cell) in metrics.iter().zip(cells.iter()) {
        let m = &t.metrics[mi];
        let scale = if m.percent { 100.0 } else { 1.0 };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for l in ls {
            for &(_, v) in &l.1 {
                let e = &t.estimates[mi][v];
                if e.n == 0 {
                    continue;
                }
                let c = e.ci95.unwrap_or(0.0);
                lo = lo.min((e.mean - c) * scale);
                hi = hi.max((e.mean + c) * scale);
            }
        }
        if !lo.is_finite() || !hi.is_finite() {
            continue;
        }
        let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.01).max(1e-9);
        let label = if m.percent {
            format!("{} (%)", m.label)
        } else {
            m.label.clone()
        };
        let mut chart = ChartBuilder::on(cell)
            .margin(10)
            .caption(label, font(charts::LABEL))
            .x_label_area_size(40)
            .y_label_area_size(62)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), (lo - pad)..(hi + pad))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
                    return String::new();
                }
                xs[i as usize].clone()
            })
            .x_desc(param)
            .label_style(font(charts::TICK))
            .axis_desc_style(font(charts::TICK))
            .y_label_formatter(&|v| charts::tick(*v))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let nl = ls.len().max(1);
        for (li, l) in ls.iter().enumerate() {
            let c = charts::color(li);
            // Lines side by side around each x, so whiskers do not overlap.
            let dx = 0.12 * (li as f64 - (nl - 1) as f64 / 2.0) / nl as f64;
            for seg in segments(&l.1, &t.estimates[mi]) {
                let pts: Vec<(f64, f64)> = seg
                    .iter()
                    .map(|&(x, v)| (x as f64 + dx, t.estimates[mi][v].mean * scale))
                    .collect();
                chart.draw_series(LineSeries::new(pts, c.stroke_width(2)))?;
            }
            for &(x, v) in l.1.iter().filter(|&&(_, v)| t.estimates[mi][v].n > 0) {
                let (px, py) = (x as f64 + dx, t.estimates[mi][v].mean * scale);
                if let Some(ci) = t.estimates[mi][v].ci95 {
                    let (a, b) = (py - ci * scale, py + ci * scale);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(px, a), (px, b)],
                        c.stroke_width(2),
                    )))?;
                }
                chart.draw_series(std::iter::once(Circle::new((px, py), 4, c.filled())))?;
            }
        }
    }
    Ok(())
}

/// The runs of consecutive points of a line whose variant has the metric
/// (a metric some variants lack, such as `partitions` keys with one
/// partition, breaks the line there rather than dropping to 0).
fn segments(points: &[(usize, usize)], estimates: &[Estimate]) -> Vec<Vec<(usize, usize)>> {
    let mut out: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut open = false;
    for &(x, v) in points {
        if estimates[v].n == 0 {
            open = false;
            continue;
        }
        if !open {
            out.push(Vec::new());
            open = true;
        }
        out.last_mut().expect("pushed above").push((x, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_group_by_the_other_swept_parameters() {
        let params = vec!["master.policy".to_string(), "k".to_string()];
        let values = vec![
            vec!["drf".to_string(), "1".to_string()],
            vec!["drf".to_string(), "2".to_string()],
            vec!["random".to_string(), "1".to_string()],
            vec!["random".to_string(), "2".to_string()],
        ];
        let (xs, ls) = lines(1, &params, &values, &[0, 1]);
        assert_eq!(xs, vec!["1", "2"]);
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].0, "drf");
        assert_eq!(ls[0].1, vec![(0, 0), (1, 1)]);
        assert_eq!(ls[1].1, vec![(0, 2), (1, 3)]);
        let (_, one) = lines(1, &params, &values[..2], &[1]);
        assert_eq!(one[0].0, "mean over seeds");
    }

    #[test]
    fn a_missing_value_breaks_the_line() {
        let e = |n: u64| Estimate {
            n,
            mean: 0.0,
            ci95: None,
        };
        let est = [e(3), e(0), e(3), e(3), e(0)];
        let pts = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)];
        assert_eq!(
            segments(&pts, &est),
            vec![vec![(0, 0)], vec![(2, 2), (3, 3)]]
        );
        assert!(segments(&pts[1..2], &est).is_empty());
    }
}
