//! Workloads end to end: streamed CSV traces against listed YAML traces,
//! generators inline and through `mesosim generate`, traces used directly
//! in scenarios, errors in traces, and (with MESOSIM_SLOW_TESTS=1) a
//! 10-million-job streamed trace with bounded memory.

mod common;

use std::path::{Path, PathBuf};

const SPEC: &str = "\
seed: 99
generate:
  jobs: 400
  rate: 2
  classes:
    - {name: small, weight: 3, framework: batch, tasks: {uniform: [1, 4]}, resources: {cpus: 1, mem: 512}, duration: {exp: 20s}}
    - {name: wide, weight: 1, framework: gangs, tasks: {uniform: [2, 6]}, resources: {cpus: 2, mem: 1024}, duration: {lognormal: {median: 30s, sigma: 0.5}}, gang: true}
";

fn scenario(workload: &str) -> String {
    format!(
        "name: w
seed: 99
agents:
  - {{id: a, count: 6, resources: {{cpus: 8, mem: 8192}}}}
frameworks:
  - {{id: batch, max_tasks_per_offer: 8}}
  - {{id: gangs, gang_hold_timeout: 20s}}
workload:
  - {workload}
"
    )
}

fn run(dir: &Path, scenario: &str, out: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(out);
    let mut args = vec![
        "run",
        scenario,
        "--quiet",
        "--events",
        "--check",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = common::bin().args(&args).current_dir(dir).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{scenario}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// events.csv without its `seq` column (insertion numbers differ when
/// submissions are streamed).
fn events_without_seq(p: &Path) -> String {
    read(p)
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(1);
            f.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn generate(dir: &Path, out: &str) {
    let o = common::bin()
        .args(["generate", "spec.yaml", "-o", out, "--quiet"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn streamed_csv_runs_exactly_like_the_listed_yaml_trace() {
    let dir = common::tmp("stream-vs-yaml");
    std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    generate(&dir, "trace.csv");
    generate(&dir, "trace.csv.gz");
    generate(&dir, "trace.yaml");
    let csv = read(&dir.join("trace.csv"));
    assert_eq!(csv.lines().filter(|l| !l.starts_with('#')).count(), 401);
    std::fs::write(dir.join("yaml.yaml"), scenario("{trace: trace.yaml}")).unwrap();
    std::fs::write(dir.join("csv.yaml"), scenario("{trace: trace.csv}")).unwrap();
    std::fs::write(dir.join("gz.yaml"), scenario("{trace: trace.csv.gz}")).unwrap();
    let a = run(&dir, "yaml.yaml", "a", &[]);
    let b = run(&dir, "csv.yaml", "b", &[]);
    let c = run(&dir, "gz.yaml", "c", &[]);
    for other in [&b, &c] {
        for f in ["jobs.csv", "summary.json", "timeseries.csv", "shares.csv"] {
            assert!(
                read(&a.join(f)) == read(&other.join(f)),
                "{f} differs between the listed and the streamed trace"
            );
        }
        assert!(
            events_without_seq(&a.join("events.csv"))
                == events_without_seq(&other.join("events.csv"))
        );
    }
    let summary: serde_json::Value = serde_json::from_str(&read(&a.join("summary.json"))).unwrap();
    assert_eq!(summary["jobs"]["submitted"], 400);
    assert_eq!(summary["jobs"]["completed"], 400);
}

#[test]
fn inline_generator_matches_the_generate_command_and_ignores_the_policy() {
    let dir = common::tmp("gen-inline");
    std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    generate(&dir, "trace.csv");
    let spec_body: String = SPEC
        .lines()
        .skip(2)
        .map(|l| format!("      {}\n", &l[2..]))
        .collect();
    let inline = scenario(&format!("generate:\n{spec_body}"));
    std::fs::write(dir.join("inline.yaml"), &inline).unwrap();
    std::fs::write(dir.join("csv.yaml"), scenario("{trace: trace.csv}")).unwrap();
    std::fs::write(
        dir.join("random.yaml"),
        inline.replace("seed: 99\n", "seed: 99\nmaster: {policy: random}\n"),
    )
    .unwrap();
    let a = run(&dir, "inline.yaml", "a", &[]);
    let b = run(&dir, "csv.yaml", "b", &[]);
    assert_eq!(read(&a.join("jobs.csv")), read(&b.join("jobs.csv")));
    // Another policy: different schedule, same jobs.
    let r = run(&dir, "random.yaml", "r", &[]);
    let jobs = |p: &Path| {
        let mut v: Vec<String> = read(&p.join("jobs.csv"))
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                format!("{},{},{},{}", f[0], f[1], f[3], f[6])
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(jobs(&a), jobs(&r));
    assert_ne!(read(&a.join("events.csv")), read(&r.join("events.csv")));
    // Another seed: other jobs.
    let s = run(&dir, "inline.yaml", "s", &["--seed", "100"]);
    assert_ne!(jobs(&a), jobs(&s));
    // Reruns are byte-identical.
    let a2 = run(&dir, "inline.yaml", "a2", &[]);
    for f in ["jobs.csv", "summary.json", "events.csv", "manifest.json"] {
        assert_eq!(read(&a.join(f)), read(&a2.join(f)), "{f}");
    }
}

#[test]
fn google_trace_directly_in_a_scenario() {
    let dir = common::tmp("google-direct");
    let data = common::root().join("tests/data/google2011");
    let text = format!(
        "name: g
until: 10m
agents:
  - {{id: m, count: 20, resources: {{cpus: 16, mem: 65536}}}}
frameworks:
  - {{id: production, preset: marathon}}
workload:
  - trace: {}
    format: google2011
    job_events: {}
    open_end: forever
    framework_defaults: {{preset: hadoop, role: google}}
",
        data.join("task_events-part-00001-of-00500.head2000.csv")
            .display(),
        data.join("job_events-part-00001-of-00500.head500.csv")
            .display()
    );
    std::fs::write(dir.join("g.yaml"), text).unwrap();
    let o = common::bin()
        .args(["validate", "g.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("ok: g.yaml (20 agents, 3 frameworks, 462 jobs, 0 events)"),
        "{out}"
    );
    assert!(
        out.contains("899 records, 462 jobs (462 tasks) kept"),
        "{out}"
    );
    let r = run(&dir, "g.yaml", "out", &[]);
    let s: serde_json::Value = serde_json::from_str(&read(&r.join("summary.json"))).unwrap();
    assert_eq!(s["jobs"]["submitted"], 462);
    let ids: Vec<&str> = s["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // production is declared; free and batch are made from the defaults,
    // in the order the trace first names them.
    assert_eq!(ids, vec!["production", "free", "batch"]);
    // Tasks still running at the end of the file run forever: the first
    // kept submission (time 0) is one of them.
    assert!(read(&r.join("jobs.csv")).contains("\n6252020580.0,batch,google,25.671383,"));
}

struct Bad {
    name: &'static str,
    trace: &'static str,
    /// The workload entry (`trace: t.csv` is prepended).
    entry: &'static str,
    says: &'static [&'static str],
    /// "FILE:L:C:" expected in the message.
    place: &'static str,
}

const BAD: &[Bad] = &[
    Bad {
        name: "order",
        trace: "submit_s,job,framework,duration_s,cpus\n5,a,f,1,1\n4,b,f,1,1\n",
        entry: "",
        says: &["submission order"],
        place: "t.csv:3:1:",
    },
    Bad {
        name: "tasks",
        trace: "submit_s,job,framework,tasks,duration_s,cpus\n0,a,f,many,1,1\n",
        entry: "",
        says: &["`tasks`", "task count"],
        place: "t.csv:2:7:",
    },
    Bad {
        name: "too-many-tasks",
        trace: "submit_s,job,framework,tasks,duration_s,cpus\n0,a,f,20000000,1,1\n",
        entry: "",
        says: &["1 to 10000000"],
        place: "t.csv:2:7:",
    },
    Bad {
        name: "duration",
        trace: "# c\nsubmit_s,job,framework,duration_s,cpus\n0,a,f,soon,1\n",
        entry: "",
        says: &["`duration_s`", "forever"],
        place: "t.csv:3:7:",
    },
    Bad {
        name: "precision",
        trace: "submit_s,framework,duration_s,cpus\n0,f,1,0.0001\n",
        entry: "",
        says: &["3 decimals"],
        place: "t.csv:2:7:",
    },
    Bad {
        name: "no-resources",
        trace: "submit_s,framework,duration_s,cpus\n0,f,1,0\n",
        entry: "",
        says: &["needs some resources"],
        place: "t.csv:2:7:",
    },
    Bad {
        name: "fields",
        trace: "submit_s,framework,duration_s,cpus\n0,f,1\n",
        entry: "",
        says: &["3 fields"],
        place: "t.csv:2:1:",
    },
    Bad {
        name: "framework",
        trace: "submit_s,framework,duration_s,cpus\n0,g,1,1\n",
        entry: "",
        says: &["no framework `g`", "did you mean `f`", "framework_defaults"],
        place: "t.csv:2:3:",
    },
    Bad {
        name: "role",
        trace: "submit_s,framework,role,duration_s,cpus\n0,f,ops,1,1\n",
        entry: "",
        says: &["not subscribed to role `ops`"],
        place: "t.csv:2:5:",
    },
    Bad {
        name: "header",
        trace: "job,framework,cpus\n",
        entry: "",
        says: &["no `submit_s` column"],
        place: "t.csv:1:1:",
    },
    Bad {
        name: "no-framework-column",
        trace: "submit_s,duration_s,cpus\n0,1,1\n",
        entry: "",
        says: &["no `framework` column", "framework: ID"],
        place: "line 7",
    },
    Bad {
        name: "forever",
        trace: "submit_s,framework,duration_s,cpus\n0,f,forever,1\n",
        entry: "",
        says: &["never end"],
        place: "line 1",
    },
    Bad {
        name: "wrong-key",
        trace: "submit_s,framework,duration_s,cpus\n0,f,1,1\n",
        entry: ", bands: \"a:0-3\"",
        says: &["`bands` does not apply to format `csv`"],
        place: "line 7",
    },
    Bad {
        name: "unknown-format",
        trace: "x\n",
        entry: ", format: parquet",
        says: &["unknown trace format `parquet`"],
        place: "line 7",
    },
    Bad {
        name: "google-as-csv",
        trace: "5611824441,,6251812952,1761,1306108,4,u,0,2,0.02,0.07,0.0003,1\n",
        entry: "",
        says: &["not a header", "format: google2011"],
        place: "t.csv:1:1:",
    },
    Bad {
        name: "job-id",
        trace: "submit_s,job,framework,duration_s,cpus\n0,a\tb,f,1,1\n",
        entry: "",
        says: &["contains whitespace"],
        place: "t.csv:2:3:",
    },
    Bad {
        name: "framework-twice",
        trace: "submit_s,framework,duration_s,cpus\n0,f,1,1\n",
        entry: ", framework: f, format: csv, framework_by: user",
        says: &["not both"],
        place: "line 7",
    },
    Bad {
        name: "missing-file",
        trace: "",
        entry: "",
        says: &["cannot read"],
        place: "line 7",
    },
];

#[test]
fn bad_traces_exit_2_with_their_place() {
    let dir = common::tmp("bad-csv");
    let mut failures = Vec::new();
    for b in BAD {
        let d = dir.join(b.name);
        std::fs::create_dir_all(&d).unwrap();
        if b.name != "missing-file" {
            std::fs::write(d.join("t.csv"), b.trace).unwrap();
        }
        let text = format!(
            "name: t\nagents:\n  - {{id: a, resources: {{cpus: 4}}}}\nframeworks:\n  - {{id: f, role: web}}\nworkload:\n  - {{trace: t.csv{}}}\n",
            b.entry
        );
        std::fs::write(d.join("s.yaml"), text).unwrap();
        for cmd in ["validate", "run"] {
            let o = common::bin()
                .args(
                    [cmd, "s.yaml", "--quiet"]
                        .iter()
                        .take(if cmd == "run" { 3 } else { 2 }),
                )
                .current_dir(&d)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            let mut why = Vec::new();
            if o.status.code() != Some(2) {
                why.push(format!("exit {:?}", o.status.code()));
            }
            if err.contains("panicked") || err.contains("internal error") {
                why.push("panicked".into());
            }
            for w in b.says.iter().chain(std::iter::once(&b.place)) {
                if !err.contains(w) {
                    why.push(format!("no `{w}`"));
                }
            }
            if !why.is_empty() {
                failures.push(format!("{} ({cmd}): {}\n  {err}", b.name, why.join(", ")));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A trace that changes after the scenario was checked fails the run with
/// an input error (exit 2), not a panic.
#[test]
fn trace_changed_during_the_run_is_an_input_error() {
    let dir = common::tmp("changed");
    std::fs::write(
        dir.join("t.csv"),
        "submit_s,framework,duration_s,cpus\n0,f,1,1\n1,f,1,1\n",
    )
    .unwrap();
    let text = "name: t\nagents:\n  - {id: a, resources: {cpus: 4}}\nframeworks:\n  - {id: f}\nworkload:\n  - {trace: t.csv}\n";
    let model = mesosim::scenario::load_str(text, "s.yaml", &dir).unwrap();
    std::fs::write(
        dir.join("t.csv"),
        "submit_s,framework,duration_s,cpus\n0,f,1,1\n1,nobody,1,1\n",
    )
    .unwrap();
    let mut rec = mesosim::sim::Recorder::default();
    let err = mesosim::simulate(&model, &Default::default(), &mut rec).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("line 3"), "{err}");
}

fn peak_rss_kb(time_v_stderr: &str) -> Option<u64> {
    time_v_stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|v| v.trim().parse().ok())
}

/// 10 million jobs streamed from a compact CSV trace: memory stays bounded
/// by the jobs in flight (with `output.percentiles: sketch`), far below what
/// holding the trace would take.
#[test]
fn ten_million_streamed_jobs_in_bounded_memory() {
    if std::env::var("MESOSIM_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set MESOSIM_SLOW_TESTS=1");
        return;
    }
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipped: needs /usr/bin/time");
        return;
    }
    let dir = common::tmp("ten-million");
    let root = common::root();
    let spec = root.join("scenarios/stream-10m/stream-10m.gen.yaml");
    let o = common::bin()
        .args([
            "generate",
            spec.to_str().unwrap(),
            "-o",
            "big.csv.gz",
            "--quiet",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::copy(
        root.join("scenarios/stream-10m/stream-10m.yaml"),
        dir.join("s.yaml"),
    )
    .unwrap();
    let o = std::process::Command::new(time)
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_mesosim"))
        .args(["run", "s.yaml", "--quiet", "--out", "out"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let s: serde_json::Value = serde_json::from_str(&read(&dir.join("out/summary.json"))).unwrap();
    assert_eq!(s["jobs"]["submitted"], 10_000_000);
    assert_eq!(s["jobs"]["completed"], 10_000_000);
    let kb = peak_rss_kb(&err).expect("time -v output");
    eprintln!("10M jobs: peak RSS {kb} kB");
    // Sketched percentiles: nothing grows with the trace (about 470 MB of
    // text); memory is the jobs in flight and the charts' 500,000-row
    // sample of jobs.csv. Measured 136 MB (exact percentiles: 439 MB).
    assert!(kb < 200_000, "peak RSS {kb} kB");
}

#[test]
fn shipped_workload_scenarios_validate() {
    let mut args = vec![
        "validate",
        "scenarios/google-sample.yaml",
        "scenarios/swf-nasa.yaml",
        "scenarios/synthetic-mixed.yaml",
    ];
    let files: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(common::root().join("scenarios/workloads"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".yaml"))
            .map(|n| format!("scenarios/workloads/{n}"))
            .collect();
        v.sort();
        v
    };
    args.extend(files.iter().map(String::as_str));
    let o = common::run_bin(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("20480 jobs checked"), "{out}");
    assert!(
        out.contains("18239 records, 18239 jobs (309953 tasks) kept, 0 skipped"),
        "{out}"
    );
}

/// The shipped trace replays: exact outcomes (they are deterministic), so
/// that any change in what they do is seen.
#[test]
fn shipped_replays_run() {
    let dir = common::tmp("replays");
    let summary = |scenario: &str| -> serde_json::Value {
        let out = dir.join(Path::new(scenario).file_stem().unwrap());
        let o = common::run_bin(&["run", scenario, "--quiet", "--out", out.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap()
    };
    let g = summary("scenarios/google-sample.yaml");
    assert_eq!(g["jobs"]["submitted"], 20480);
    assert_eq!(g["tasks"]["launched"], 20480);
    assert_eq!(g["jobs"]["completed"], 12846);
    let s = summary("scenarios/swf-nasa.yaml");
    assert_eq!(s["jobs"]["submitted"], 1070);
    assert_eq!(s["jobs"]["completed"], 1069);
    let m = summary("scenarios/synthetic-mixed.yaml");
    assert_eq!(m["jobs"]["submitted"], 1487);
    assert_eq!(m["jobs"]["completed"], 1443);
    // The services never complete: they are censored at the end, so their
    // completion and wait times are lower bounds ("≥"), never 0, and their
    // slowdown (over completed jobs only) is absent.
    let report = read(&dir.join("synthetic-mixed/report.md"));
    assert!(
        report.contains("| web | 0 / 8 | ≥ 3831 s | ≥ 6872 s | – |"),
        "{report}"
    );
}
