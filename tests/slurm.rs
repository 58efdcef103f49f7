//! The Slurm recipe of docs/scale-out.md, for real: `scripts/slurm-smoke.sh`
//! installs Slurm and MUNGE, starts a one-node cluster on localhost, submits
//! the documented job array and merge, and compares the merged folder with
//! an unsharded run. Needs root and a few minutes, so it runs only with
//! MESOSIM_SLURM_TESTS=1.

mod common;

#[test]
fn slurm_job_array_and_merge_equal_the_unsharded_run() {
    if std::env::var_os("MESOSIM_SLURM_TESTS").is_none_or(|v| v != "1") {
        eprintln!("skipped: set MESOSIM_SLURM_TESTS=1 to run scripts/slurm-smoke.sh");
        return;
    }
    let o = std::process::Command::new("bash")
        .arg(common::root().join("scripts/slurm-smoke.sh"))
        .env("MESOSIM", env!("CARGO_BIN_EXE_mesosim"))
        .current_dir(common::root())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("slurm-smoke: OK:"),
        "stdout: {out}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
