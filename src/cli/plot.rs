//! `mesosim plot RESULTS_DIR`: draw a run's charts again from its files
//! alone (the CSVs; `summary.json` only for titles).

use crate::error::Error;
use crate::report::charts::{write_run_charts, Format, RUN_CHARTS};
use crate::report::data::RunData;
use crate::report::outdir::OutDir;
use crate::report::PLOT_KIND;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A folder written by `mesosim run`.
    pub results: PathBuf,
    /// Where to write the charts (default: RESULTS/charts).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// PNG instead of SVG.
    #[arg(long)]
    pub png: bool,
    /// Write into a non-empty --out folder that `mesosim plot` did not
    /// write (only the chart files it draws are replaced).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: &PlotArgs) -> Result<(), Error> {
    if !args.results.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder (give the output folder of `mesosim run`)",
            args.results.display()
        )));
    }
    let data = RunData::read(&args.results)?;
    // Charts are drawn beside the destination and moved in when all are
    // drawn; only chart files of mesosim's names are replaced.
    let staging = match &args.out {
        Some(out) => OutDir::begin(out, PLOT_KIND, args.force, &[&args.results])?,
        None => OutDir::begin_unmarked(&args.results.join("charts"), PLOT_KIND)?,
    };
    let format = if args.png { Format::Png } else { Format::Svg };
    let written = write_run_charts(&data, staging.path(), format)?;
    let out = staging.commit()?;
    if args.out.is_none() {
        relink(&args.results, &written, args.png)?;
    }
    if !args.quiet {
        for f in &written {
            let stem = f.file_stem().map(|s| s.to_string_lossy().to_string());
            let what = RUN_CHARTS
                .iter()
                .find(|(k, _)| Some(k.to_string()) == stem)
                .map_or("", |(_, w)| *w);
            println!("{}: {what}", out.join(f).display());
        }
    }
    Ok(())
}

/// Charts redrawn in the other format into the folder's own `charts/`:
/// point `report.md`'s images and `manifest.json`'s file list at them.
fn relink(results: &Path, written: &[PathBuf], png: bool) -> Result<(), Error> {
    let (old, new) = if png { ("svg", "png") } else { ("png", "svg") };
    let swap = |text: &str| {
        let mut t = text.to_string();
        for f in written {
            if let Some(stem) = f.file_stem().map(|s| s.to_string_lossy().to_string()) {
                t = t.replace(
                    &format!("charts/{stem}.{old}"),
                    &format!("charts/{stem}.{new}"),
                );
            }
        }
        t
    };
    for name in ["report.md", "manifest.json"] {
        let p = results.join(name);
        if let Ok(text) = std::fs::read_to_string(&p) {
            let swapped = swap(&text);
            if swapped != text {
                crate::report::outdir::write_atomic(&p, swapped.as_bytes())?;
            }
        }
    }
    Ok(())
}
