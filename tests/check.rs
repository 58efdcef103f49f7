//! `mesosim check` through the binary: exit 0 on an unchanged run, exit 1
//! with a readable table on a deliberately worsened baseline, JUnit XML with
//! one test case per metric, the GitHub step summary, `--update-baseline`
//! keeping hand-edited tolerances, and errors in baseline files.

mod common;

use std::path::Path;

const SMALL: &str = "tests/scenarios/compare-small.yaml";

fn check(baseline: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check", SMALL, "--baseline", baseline.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::run_bin(&args)
}

fn text(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn code(o: &std::process::Output, want: i32) {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(want), "stdout: {out}\nstderr: {err}");
}

/// A minimal XML well-formedness check: balanced, properly nested tags,
/// quoted attributes, known entities only. Returns the element names in
/// document order.
fn xml_elements(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        check_text(text);
        let j = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..j];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag
                .split_whitespace()
                .next()
                .expect("a tag name")
                .to_string();
            let attrs = tag[name.len()..].trim();
            // name="value" pairs.
            let mut a = attrs;
            while !a.is_empty() {
                let eq = a.find("=\"").expect("attribute=\"value\"");
                let close = a[eq + 2..].find('"').expect("closing quote") + eq + 2;
                check_text(&a[eq + 2..close]);
                a = a[close + 1..].trim_start();
            }
            names.push(name.clone());
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[j + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    names
}

fn check_text(t: &str) {
    assert!(!t.contains('<'), "raw < in {t:?}");
    let mut s = t;
    while let Some(i) = s.find('&') {
        let end = s[i..].find(';').expect("entity ends with ;") + i;
        assert!(
            matches!(&s[i..=end], "&amp;" | "&lt;" | "&gt;" | "&quot;" | "&apos;"),
            "unknown entity {}",
            &s[i..=end]
        );
        s = &s[end + 1..];
    }
}

#[test]
fn unchanged_passes_and_a_worsened_baseline_fails_with_a_table() {
    let dir = common::tmp("check-basic");
    let base = dir.join("baseline.yaml");
    // No baseline yet: a usage error that says how to write one.
    let o = check(&base, &[]);
    code(&o, 2);
    assert!(text(&o).1.contains("--update-baseline"), "{}", text(&o).1);

    let o = check(&base, &["--update-baseline", "--seeds", "1..3"]);
    code(&o, 0);
    let written = std::fs::read_to_string(&base).unwrap();
    assert!(written.contains("seeds: [1, 2, 3]"), "{written}");
    assert!(written.contains("  jobs.jct_s.mean:\n    direction: lower-is-better"));
    assert!(written.contains("  fairness.jain:\n    direction: higher-is-better"));

    // The same run again: exit 0, nothing moved.
    let junit = dir.join("junit.xml");
    let summary = dir.join("summary.md");
    let o = common::bin()
        .args([
            "check",
            SMALL,
            "--baseline",
            base.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(common::root())
        .output()
        .unwrap();
    code(&o, 0);
    let (out, _) = text(&o);
    assert!(out.contains("Every metric is identical"), "{out}");
    assert!(out.contains("no regression"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let names = xml_elements(&xml);
    let metrics = written.matches("    values: ").count();
    assert!(metrics >= 10, "{written}");
    assert_eq!(
        names.iter().filter(|n| *n == "testcase").count(),
        metrics,
        "{xml}"
    );
    assert!(!names.contains(&"failure".to_string()), "{xml}");
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.starts_with("## mesosim check — compare-small"), "{s}");
    assert!(s.contains("| metric | baseline |"), "{s}");

    // Worsen the baseline: claim a mean completion time 20% lower than the
    // run's, so the run looks like a 25% regression.
    let mut worse = String::new();
    let mut in_jct = false;
    for line in written.lines() {
        if line.starts_with("  ") && !line.starts_with("    ") {
            in_jct = line.trim() == "jobs.jct_s.mean:";
        }
        if in_jct && line.trim_start().starts_with("values: [") {
            let inner = line
                .trim()
                .trim_start_matches("values: [")
                .trim_end_matches(']');
            let vals: Vec<String> = inner
                .split(", ")
                .map(|v| format!("{:?}", v.parse::<f64>().unwrap() * 0.8))
                .collect();
            worse.push_str(&format!("    values: [{}]\n", vals.join(", ")));
        } else {
            worse.push_str(line);
            worse.push('\n');
        }
    }
    assert_ne!(worse, written);
    std::fs::write(&base, &worse).unwrap();
    let o = check(&base, &["--junit", junit.to_str().unwrap()]);
    code(&o, 1);
    let (out, err) = text(&o);
    assert!(
        out.contains("| metric | baseline | current | change (paired) |"),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.contains("`jobs.jct_s.mean`"))
        .unwrap_or_else(|| panic!("no row for jct: {out}"));
    assert!(row.contains("REGRESSED"), "{row}");
    assert_eq!(
        out.lines().filter(|l| l.contains("REGRESSED")).count(),
        1,
        "{out}"
    );
    assert!(
        err.contains("1 of") && err.contains("jobs.jct_s.mean"),
        "{err}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let names = xml_elements(&xml);
    assert_eq!(names.iter().filter(|n| *n == "failure").count(), 1, "{xml}");
    assert!(xml.contains(r#"failures="1""#), "{xml}");

    // Loosen its tolerance by hand: passes, and an update keeps the edit.
    let loose = worse.replacen(
        "  jobs.jct_s.mean:\n    direction: lower-is-better\n    tolerance: \"2%\"",
        "  jobs.jct_s.mean:\n    direction: lower-is-better\n    tolerance: \"30%\"",
        1,
    );
    assert_ne!(loose, worse);
    std::fs::write(&base, &loose).unwrap();
    let o = check(&base, &[]);
    code(&o, 0);
    assert!(
        text(&o).0.contains("moved (within tolerance)"),
        "{}",
        text(&o).0
    );
    code(&check(&base, &["--update-baseline"]), 0);
    let updated = std::fs::read_to_string(&base).unwrap();
    assert!(updated.contains("tolerance: \"30%\""), "{updated}");
    assert_eq!(updated.replace("\"30%\"", "\"2%\""), written);
}

#[test]
fn bad_baselines_are_input_errors() {
    let dir = common::tmp("check-bad");
    let base = dir.join("b.yaml");
    std::fs::write(
        &base,
        "seeds: [1, 2]\nmetrics:\n  fairness.jain: {values: [1]}\n",
    )
    .unwrap();
    let o = check(&base, &[]);
    code(&o, 2);
    assert!(
        text(&o).1.contains("1 values for 2 seeds"),
        "{}",
        text(&o).1
    );
    std::fs::write(&base, "seeds: [1\n").unwrap();
    let o = check(&base, &[]);
    code(&o, 2);
    assert!(text(&o).1.contains("line "), "{}", text(&o).1);
}
