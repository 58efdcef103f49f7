//! Kill tests (issue 15): a rerun into a results folder is killed (SIGKILL,
//! and SIGINT as Ctrl-C sends it) at several points; the folder must then be
//! exactly the old complete result or exactly the new one — never a
//! mixture, never a folder that looks complete but is not — and a rerun
//! without `--force` must work and clear the leftovers of the killed one.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const SCENARIO: &str = "scenarios/quickstart.yaml";

/// Every file under `dir` with its bytes (charts included).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(dir.join(&f)).unwrap();
            (f, b)
        })
        .collect()
}

fn run(out: &Path, seed: &str) {
    let o = common::run_bin(&[
        "run",
        SCENARIO,
        "--quiet",
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".mesosim-tmp.") || n.starts_with(".mesosim-old."))
        .collect()
}

#[test]
fn a_killed_rerun_leaves_the_old_result_or_the_new_one() {
    let root = common::tmp("kill");
    let old_ref = root.join("old");
    let new_ref = root.join("new");
    run(&old_ref, "1");
    run(&new_ref, "2");
    let old = snapshot(&old_ref);
    let new = snapshot(&new_ref);
    assert_ne!(old, new);
    let parent = root.join("runs");
    std::fs::create_dir_all(&parent).unwrap();
    let out = parent.join("quickstart");
    // Points from just after the start to about when a run ends on a
    // quiet machine (they fall at different stages on a busy one); three by
    // default, six with MESOSIM_SLOW_TESTS=1.
    let points: &[u64] = if common::slow_tests() {
        &[5, 50, 150, 300, 500, 800]
    } else {
        &[30, 300, 900]
    };
    for (i, &delay_ms) in points.iter().enumerate() {
        for signal in ["KILL", "INT"] {
            let _ = std::fs::remove_dir_all(&out);
            common::copy_dir(&old_ref, &out, |_| true);
            let mut child = Command::new(env!("CARGO_BIN_EXE_mesosim"))
                .args(["run", SCENARIO, "--quiet", "--seed", "2", "--out"])
                .arg(&out)
                .current_dir(common::root())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let sent = Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            let status = child.wait().unwrap();
            let now = if out.exists() {
                snapshot(&out)
            } else {
                BTreeMap::new()
            };
            let state = if now == old {
                "old"
            } else if now == new {
                "new"
            } else {
                let missing: Vec<_> = old.keys().filter(|k| !now.contains_key(*k)).collect();
                let differ: Vec<_> = now
                    .iter()
                    .filter(|(k, v)| old.get(*k) != Some(v) && new.get(*k) != Some(v))
                    .map(|(k, _)| k)
                    .collect();
                panic!(
                    "point {i} ({delay_ms} ms, SIG{signal}, exit {status:?}): a mixture; \
                     missing {missing:?}, foreign {differ:?}"
                );
            };
            if signal == "INT" && status.code() == Some(130) {
                // Ctrl-C handled: its staging folder is gone already.
                assert!(leftovers(&parent).is_empty(), "{:?}", leftovers(&parent));
            }
            eprintln!("point {i}: {delay_ms} ms, SIG{signal}: {state} result");
            // A rerun needs no --force and clears what the killed run left.
            run(&out, "2");
            assert_eq!(snapshot(&out), new);
            assert!(leftovers(&parent).is_empty(), "{:?}", leftovers(&parent));
        }
    }
}

#[test]
fn a_killed_first_run_leaves_no_folder_that_looks_complete() {
    let root = common::tmp("kill-first");
    let out = root.join("r");
    for delay_ms in [20u64, 200] {
        let _ = std::fs::remove_dir_all(&out);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mesosim"))
            .args(["run", SCENARIO, "--quiet", "--out"])
            .arg(&out)
            .current_dir(common::root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        let _ = child.wait();
        // Either nothing, or (if it finished first) a complete folder.
        if out.exists() {
            assert!(out.join("manifest.json").is_file());
            let m = std::fs::read_to_string(out.join(".mesosim-output")).unwrap();
            assert!(m.contains("state: complete"), "{m}");
        }
        run(&out, "1");
        assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    }
}

/// An interrupted comparison leaves its folder marked incomplete with the
/// records of the runs that ended (never the aggregates), and a rerun
/// without `--force` resumes from them.
#[test]
fn an_interrupted_comparison_is_marked_incomplete_and_resumes() {
    let root = common::tmp("kill-compare");
    let out = root.join("c");
    let signals: &[&str] = if common::slow_tests() {
        &["INT", "KILL"]
    } else {
        &["INT"]
    };
    for signal in signals {
        let _ = std::fs::remove_dir_all(&out);
        let args = [
            "compare",
            SCENARIO,
            "--seeds",
            "1..3",
            "--jobs",
            "1",
            "--no-charts",
            "--quiet",
            "--out",
        ];
        let mut child = Command::new(env!("CARGO_BIN_EXE_mesosim"))
            .args(args)
            .arg(&out)
            .current_dir(common::root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        let marker = std::fs::read_to_string(out.join(".mesosim-output")).unwrap();
        if marker.contains("state: complete") {
            // It finished before the signal (a very fast machine).
            assert!(out.join("compare.csv").is_file(), "{status:?}");
        } else {
            assert_eq!(marker, "mesosim output: compare\nstate: incomplete\n");
            for f in ["compare.csv", "runs.csv", "report.md", "manifest.json"] {
                assert!(!out.join(f).exists(), "{f} in an interrupted folder");
            }
        }
        if *signal == "INT" && status.code() == Some(130) {
            assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
        }
        let done = common::run_bin(&[
            "compare",
            SCENARIO,
            "--seeds",
            "1..3",
            "--jobs",
            "1",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        let text = String::from_utf8_lossy(&done.stdout);
        assert_eq!(
            done.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        let records = common::files_under(&out.join("runs")).len();
        assert_eq!(records, 3, "{text}");
        assert!(out.join("compare.csv").is_file());
        assert_eq!(
            std::fs::read_to_string(out.join(".mesosim-output")).unwrap(),
            "mesosim output: compare\nstate: complete\n"
        );
        assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    }
}
