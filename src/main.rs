//! The `mesosim` binary: parse the command line, call the library, map
//! errors to exit codes (0 ok, 1 regression, 2 bad input or usage, 3 bug).

use clap::Parser;
use mesosim::cli::Cli;
use mesosim::error::exit;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INPUT
            } else {
                exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    // Ctrl-C removes the staging folders and temporary files of a command
    // in progress, so an interrupted command leaves the old results.
    mesosim::report::outdir::install_interrupt_handler();
    // A panic is a bug in mesosim, never the user's fault: report it as an
    // internal error (exit 3) with what is needed to reproduce it.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "internal error (a bug in mesosim {}; please report it with the scenario and seed): {info}",
            mesosim::VERSION
        );
    }));
    let result = std::panic::catch_unwind(|| cli.execute());
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
        Err(_) => std::process::exit(exit::INTERNAL),
    }
}
