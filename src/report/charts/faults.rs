//! Fault marks on the utilization chart (docs/faults.md, "Charts"): from
//! `RunData::faults`, the rows `run` kept in memory or `faults.csv`
//! (`output.faults`); runs without faults keep their charts' look.

use super::kit::*;
use super::DrawResult;
use crate::report::data::RunData;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

const FAILURE: RGBColor = RGBColor(200, 30, 30);
const DETECTED: RGBColor = RGBColor(240, 140, 0);
const RECOVERED: RGBColor = RGBColor(30, 150, 60);
const DRAIN: RGBColor = RGBColor(30, 90, 200);
const FAILOVER: RGBColor = RGBColor(130, 50, 170);

/// The kinds of marks, in legend order: (record kind, label, colour, mark).
const KINDS: [(&str, &str, RGBColor, Mark); 5] = [
    (
        "master_failover",
        "master failover (no leader)",
        FAILOVER,
        Mark::Area,
    ),
    ("agent_failed", "agent failure", FAILURE, Mark::Line),
    (
        "agent_unreachable",
        "failure detected",
        DETECTED,
        Mark::Dashed,
    ),
    (
        "agent_recovered",
        "agent recovered",
        RECOVERED,
        Mark::Dashed,
    ),
    ("agent_draining", "agent drain", DRAIN, Mark::Line),
];

/// Legend entries for the kinds of faults the run has (none without).
pub(super) fn fault_entries(d: &RunData) -> Vec<Entry> {
    KINDS
        .iter()
        .filter(|(k, ..)| d.faults.iter().any(|f| f.kind == *k))
        .map(|&(_, label, color, mark)| Entry {
            label: label.into(),
            color,
            mark,
        })
        .collect()
}

/// Draws every fault on a time chart: a vertical line per instant and
/// kind (a rack failure is one line), and a band from each master
/// failover to its partition's election (to the end if none came).
pub(super) fn draw_fault_marks<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    d: &RunData,
    unit: f64,
    x_end: f64,
    y: (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    // Failover bands: per partition, from the failover to the election.
    let mut open: Vec<(u32, f64)> = Vec::new();
    let mut bands: Vec<(f64, f64)> = Vec::new();
    for f in &d.faults {
        match f.kind.as_str() {
            "master_failover" => open.push((f.partition, f.time / unit)),
            "master_elected" => {
                if let Some(i) = open.iter().position(|(p, _)| *p == f.partition) {
                    bands.push((open.remove(i).1, f.time / unit));
                }
            }
            _ => {}
        }
    }
    bands.extend(open.iter().map(|&(_, from)| (from, x_end)));
    for &(from, to) in &bands {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(from, y.0), (to.max(from), y.1)],
            FAILOVER.mix(0.18).filled(),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(from, y.0), (from, y.1)],
            FAILOVER.stroke_width(2),
        )))?;
    }
    for &(kind, _, color, mark) in &KINDS[1..] {
        let mut last = f64::NAN;
        for f in d.faults.iter().filter(|f| f.kind == kind) {
            let x = f.time / unit;
            if x == last {
                continue;
            }
            last = x;
            let pts = vec![(x, y.0), (x, y.1)];
            match mark {
                Mark::Dashed => {
                    chart.draw_series(DashedLineSeries::new(pts, 5, 4, color.stroke_width(2)))?;
                }
                _ => {
                    chart.draw_series(std::iter::once(PathElement::new(
                        pts,
                        color.stroke_width(2),
                    )))?;
                }
            }
        }
    }
    Ok(())
}
