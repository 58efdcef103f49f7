//! `mesosim plot RESULTS_DIR`: draw a run's charts again from its files
//! alone (the CSVs; `summary.json` only for titles).

use crate::error::Error;
use crate::report::charts::{write_run_charts, Format, RUN_CHARTS};
use crate::report::data::RunData;
use clap::Args;
use std::path::PathBuf;

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
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.results.join("charts"));
    let format = if args.png { Format::Png } else { Format::Svg };
    let written = write_run_charts(&data, &out, format)?;
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
