//! Charts, drawn with plotters from a results folder's files alone (see
//! [`RunData`](crate::report::data::RunData)), as SVG or PNG. Text is rendered with the bundled DejaVu
//! Sans through plotters' pure-Rust `ab_glyph` support: no system fonts, no
//! fontconfig. SVG text names a font list ending in `sans-serif`, so an SVG
//! reads the same anywhere.
//!
//! One concern a file: `png` is the bitmap backend that places glyphs
//! correctly, `kit` the chart toolkit (colours, fonts, legends, axes, CDFs)
//! that the run and compare charts share, `run` the list of a run's charts
//! and what they have in common, and one file per chart family.

mod fairness;
mod faults;
mod jobs;
mod kit;
mod offers;
mod partitions;
mod png;
mod run;
mod shares;
mod utilization;

pub use kit::*;
pub use png::Png;
pub use run::{write_run_charts, RUN_CHARTS};

use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::error::Error as StdError;
use std::path::Path;

/// The bundled font (DejaVu Sans; licence in assets/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
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
