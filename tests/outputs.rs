//! Safe output (issue 15): results folders and trace files are written
//! elsewhere first and moved into place when complete; a folder mesosim did
//! not write is never cleared, and `--force` replaces only mesosim's own
//! files; no command overwrites its own input or follows a symlink out.

mod common;

use std::path::Path;
use std::process::Output;

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn run(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/drf-paper.yaml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    common::run_bin(&args)
}

/// No `.mesosim-tmp.*` / `.mesosim-old.*` leftovers in `dir`.
fn no_leftovers(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            !n.starts_with(".mesosim-tmp.") && !n.starts_with(".mesosim-old."),
            "leftover {n} in {}",
            dir.display()
        );
    }
}

#[test]
fn a_run_folder_carries_the_marker_and_is_replaced_whole() {
    let root = common::tmp("outputs-marker");
    let out = root.join("r");
    assert_eq!(code(&run(&out, &[])), Some(0));
    let marker = std::fs::read_to_string(out.join(".mesosim-output")).unwrap();
    assert_eq!(marker, "mesosim output: run\nstate: complete\n");
    // --events adds two files; a rerun without it removes them again.
    assert_eq!(code(&run(&out, &["--events"])), Some(0));
    assert!(out.join("events.csv").exists());
    assert_eq!(code(&run(&out, &[])), Some(0));
    assert!(!out.join("events.csv").exists());
    no_leftovers(&root);
}

#[test]
fn force_keeps_every_file_mesosim_does_not_write() {
    let root = common::tmp("outputs-force");
    let out = root.join("r");
    assert_eq!(code(&run(&out, &[])), Some(0));
    std::fs::write(out.join("charts/figure1.pdf"), "mine").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    // Still ours (marker), so no --force needed; the user's files stay.
    assert_eq!(code(&run(&out, &[])), Some(0));
    assert_eq!(
        std::fs::read_to_string(out.join("charts/figure1.pdf")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(out.join("manifest.json").exists() && out.join("charts/shares.svg").exists());
    // A foreign folder with --force: the same.
    let foreign = root.join("foreign");
    std::fs::create_dir_all(foreign.join("charts")).unwrap();
    std::fs::write(foreign.join("charts/figure1.pdf"), "mine").unwrap();
    std::fs::write(foreign.join("report.md"), "my report").unwrap();
    let o = run(&foreign, &[]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(code(&run(&foreign, &["--force"])), Some(0));
    assert_eq!(
        std::fs::read_to_string(foreign.join("charts/figure1.pdf")).unwrap(),
        "mine"
    );
    no_leftovers(&root);
}

#[test]
fn a_manifest_alone_does_not_make_a_folder_ours() {
    let root = common::tmp("outputs-manifest");
    let app = root.join("webapp");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("manifest.json"), "{\"name\": \"my app\"}").unwrap();
    std::fs::write(app.join("index.html"), "<html>").unwrap();
    let o = run(&app, &[]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(app.join("manifest.json")).unwrap(),
        "{\"name\": \"my app\"}"
    );
    assert!(app.join("index.html").exists());
    assert_eq!(std::fs::read_dir(&app).unwrap().count(), 2);
}

#[test]
fn compare_does_not_write_into_a_run_folder() {
    let root = common::tmp("outputs-mix");
    let out = root.join("r");
    assert_eq!(code(&run(&out, &[])), Some(0));
    for force in [false, true] {
        let mut args = vec![
            "compare",
            "scenarios/drf-paper.yaml",
            "--seeds",
            "1..2",
            "--quiet",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        let o = common::run_bin(&args);
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("mesosim run"), "{}", stderr(&o));
    }
    assert!(!out.join("compare.csv").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_in_an_old_folder_are_replaced_never_followed() {
    let root = common::tmp("outputs-links");
    let out = root.join("r");
    assert_eq!(code(&run(&out, &[])), Some(0));
    let victim = root.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    for f in ["jobs.csv", "charts/shares.svg"] {
        std::fs::remove_file(out.join(f)).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(f)).unwrap();
    }
    // A dangling link where report.md was.
    std::fs::remove_file(out.join("report.md")).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere.md"), out.join("report.md")).unwrap();
    assert_eq!(code(&run(&out, &[])), Some(0));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!root.join("nowhere.md").exists());
    assert!(std::fs::symlink_metadata(out.join("jobs.csv"))
        .unwrap()
        .is_file());
    // plot --out: a symlinked chart is replaced, its target untouched.
    let plots = root.join("plots");
    let o = common::run_bin(&[
        "plot",
        out.to_str().unwrap(),
        "--quiet",
        "--out",
        plots.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_file(plots.join("shares.svg")).unwrap();
    std::os::unix::fs::symlink(&victim, plots.join("shares.svg")).unwrap();
    let o = common::run_bin(&[
        "plot",
        out.to_str().unwrap(),
        "--quiet",
        "--out",
        plots.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    no_leftovers(&root);
    no_leftovers(&out);
}

#[test]
fn plot_does_not_write_into_a_foreign_folder() {
    let root = common::tmp("outputs-plot");
    let out = root.join("r");
    assert_eq!(code(&run(&out, &[])), Some(0));
    let foreign = root.join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.tex"), "mine").unwrap();
    let args = [
        "plot",
        out.to_str().unwrap(),
        "--quiet",
        "--out",
        foreign.to_str().unwrap(),
    ];
    let o = common::run_bin(&args);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
    let o = common::run_bin(&[&args[..], &["--force"]].concat());
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(foreign.join("shares.svg").exists() && foreign.join("thesis.tex").exists());
    // The default: the run folder's charts/, replaced in place.
    let o = common::run_bin(&["plot", out.to_str().unwrap(), "--quiet", "--png"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(out.join("charts/shares.png").exists() && out.join("charts/shares.svg").exists());
    no_leftovers(&out);
    no_leftovers(&out.join("charts"));
}

#[test]
fn import_and_generate_refuse_to_overwrite_their_input() {
    let root = common::tmp("outputs-self");
    let swf = root.join("log.swf");
    std::fs::copy(
        common::root().join("tests/data/swf/NASA-iPSC-1993-3.1-cln.head300.swf"),
        &swf,
    )
    .unwrap();
    let before = std::fs::read(&swf).unwrap();
    // Same file under another spelling.
    let same = root.join(".").join("log.swf");
    let o = common::run_bin(&[
        "import",
        "swf",
        swf.to_str().unwrap(),
        "-o",
        same.to_str().unwrap(),
    ]);
    // `.swf` is no output format: refused either way, input unchanged.
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&swf).unwrap(), before);
    // A CSV trace imported into itself.
    let csv = root.join("t.csv");
    let o = common::run_bin(&[
        "import",
        "swf",
        swf.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let o = common::run_bin(&[
        "import",
        "swf",
        csv.to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("own input"), "{}", stderr(&o));
    // generate SPEC -o SPEC.
    let spec = root.join("g.yaml");
    std::fs::copy(
        common::root().join("scenarios/stream-10m/stream-10m.gen.yaml"),
        &spec,
    )
    .unwrap();
    let text = std::fs::read(&spec).unwrap();
    let o = common::run_bin(&[
        "generate",
        spec.to_str().unwrap(),
        "-o",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("own input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&spec).unwrap(), text);
    no_leftovers(&root);
}

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        "tests/sweeps/small-grid.yaml",
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    common::run_bin(&args)
}

#[test]
fn sweep_and_merge_write_through_the_staging_folder_and_keep_foreign_files() {
    let root = common::tmp("outputs-sweep");
    let out = root.join("s");
    let o = sweep(&out, &[]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join(".mesosim-output")).unwrap(),
        "mesosim output: compare\nstate: complete\n"
    );
    no_leftovers(&root);
    // A rerun replaces it without --force; a user's file in it needs none
    // either (the folder is ours) and is kept.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir_all(out.join("runs")).unwrap();
    std::fs::write(out.join("runs/README"), "mine too").unwrap();
    let o = sweep(&out, &[]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("runs/README")).unwrap(),
        "mine too"
    );
    assert!(out.join("compare.csv").is_file());
    no_leftovers(&root);
    // A foreign folder needs --force, which keeps the foreign files.
    let app = root.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("manifest.json"), "{}").unwrap();
    std::fs::write(app.join("index.html"), "app").unwrap();
    let o = sweep(&app, &[]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&app).unwrap().count(), 2);
    let o = sweep(&app, &["--force"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(app.join("index.html")).unwrap(),
        "app"
    );
    // merge: shards in, a folder out; it may not write into a run folder
    // nor into one of its shards.
    let mut shards = Vec::new();
    for k in 0..2 {
        let d = root.join(format!("shard{k}"));
        let o = sweep(&d, &["--shard", &format!("{k}/2")]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        shards.push(d);
    }
    let run_dir = root.join("r");
    assert_eq!(code(&run(&run_dir, &[])), Some(0));
    let merge = |to: &Path| {
        common::run_bin(&[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--quiet",
            "--out",
            to.to_str().unwrap(),
        ])
    };
    let o = merge(&run_dir);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(run_dir.join("summary.json").is_file());
    let o = merge(&shards[0]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let merged = root.join("m");
    let o = merge(&merged);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(merged.join("compare.csv")).unwrap(),
        std::fs::read(out.join("compare.csv")).unwrap()
    );
    no_leftovers(&root);
}

#[test]
fn check_never_writes_over_its_inputs() {
    let root = common::tmp("outputs-check");
    std::fs::create_dir_all(&root).unwrap();
    let scenario = root.join("s.yaml");
    std::fs::copy("scenarios/drf-paper.yaml", &scenario).unwrap();
    let before = std::fs::read(&scenario).unwrap();
    let o = common::run_bin(&[
        "check",
        scenario.to_str().unwrap(),
        "--baseline",
        scenario.to_str().unwrap(),
        "--update-baseline",
        "--seeds",
        "1",
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&scenario).unwrap(), before);
    let baseline = root.join("b.yaml");
    let o = common::run_bin(&[
        "check",
        scenario.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--update-baseline",
        "--seeds",
        "1",
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let kept = std::fs::read(&baseline).unwrap();
    let o = common::run_bin(&[
        "check",
        scenario.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--junit",
        baseline.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&baseline).unwrap(), kept);
    no_leftovers(&root);
}
