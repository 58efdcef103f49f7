//! Trace importers on small committed slices (tests/data, with their
//! attribution), with exact expected counts and values. The numbers were
//! derived independently by tests/data/oracle.py.

mod common;

use mesosim::workload::{google, swf, ImportReport, Imported};
use std::path::PathBuf;

fn data(rel: &str) -> PathBuf {
    common::root().join("tests/data").join(rel)
}

const G2000: &str = "google2011/task_events-part-00001-of-00500.head2000.csv";
const G500GZ: &str = "google2011/task_events-part-00001-of-00500.head500.csv.gz";
const GJOBS: &str = "google2011/job_events-part-00001-of-00500.head500.csv";
const SWF: &str = "swf/NASA-iPSC-1993-3.1-cln.head300.swf";
const SWFGZ: &str = "swf/NASA-iPSC-1993-3.1-cln.head300.swf.gz";

fn kinds(r: &ImportReport) -> Vec<(&str, u64)> {
    r.row_kinds.iter().map(|(k, n)| (k.as_str(), *n)).collect()
}

fn skipped(r: &ImportReport) -> Vec<(&str, u64)> {
    r.skipped.iter().map(|(k, n)| (k.as_str(), *n)).collect()
}

fn sums(r: &ImportReport) -> Vec<(&str, u64)> {
    r.resource_sums
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect()
}

fn google_default(file: &str) -> Imported {
    google::import(&data(file), None, &google::Options::default()).unwrap()
}

#[test]
fn google_slice_counts_and_values() {
    let g = google_default(G2000);
    let r = &g.report;
    assert_eq!(r.rows, 2000);
    assert_eq!(
        kinds(r),
        vec![
            ("SUBMIT", 675),
            ("SCHEDULE", 621),
            ("EVICT", 277),
            ("FAIL", 14),
            ("FINISH", 153),
            ("KILL", 260)
        ]
    );
    assert_eq!(r.records, 899, "distinct tasks");
    assert_eq!((r.jobs, r.tasks), (42, 42));
    assert_eq!(
        skipped(r),
        vec![
            ("never scheduled in the file", 238),
            ("started before the file", 198),
            ("last attempt evicted or lost", 1),
            ("still running at the end of the file", 420)
        ]
    );
    assert_eq!(r.records, r.jobs + r.skipped_total());
    assert_eq!(r.first_submit, Some(0));
    assert_eq!(r.last_submit, Some(121_176_681));
    assert_eq!(sums(r), vec![("cpus", 15_650), ("mem", 32_237_691)]);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("8 tasks submitted before the file")));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("trace time 5638258829 us")));
    assert_eq!(g.resources, vec!["cpus", "mem"]);
    // The trace's own ids; one task per job.
    let first = &g.jobs[0];
    assert_eq!(first.id, "6252020580.0");
    assert_eq!(first.framework, "batch");
    assert_eq!((first.submit, first.tasks), (0, 1));
    assert_eq!(first.duration, Some(84_192_363));
    assert_eq!(first.resources, vec![300, 2_035_548]);
    assert_eq!(g.jobs.last().unwrap().id, "6252025974.0");
    let total: u64 = g.jobs.iter().map(|j| j.duration.unwrap()).sum();
    assert_eq!(total, 2_439_618_413);
    let band = |b: &str| g.jobs.iter().filter(|j| j.framework == b).count();
    assert_eq!(
        (band("batch"), band("free"), band("production")),
        (29, 11, 2)
    );
    assert!(g.jobs.windows(2).all(|w| w[0].submit <= w[1].submit));
}

#[test]
fn google_gzip_part() {
    let g = google_default(G500GZ);
    let r = &g.report;
    assert_eq!((r.rows, r.records, r.jobs), (500, 338, 1));
    assert_eq!(
        skipped(r),
        vec![
            ("never scheduled in the file", 202),
            ("started before the file", 28),
            ("still running at the end of the file", 107)
        ]
    );
    assert_eq!(sums(r), vec![("cpus", 2_000), ("mem", 815_006)]);
    assert_eq!(g.jobs[0].id, "5285926325.0");
    assert_eq!(g.jobs[0].framework, "production");
}

#[test]
fn google_job_events_and_rules() {
    let g = google::import(
        &data(G2000),
        Some(&data(GJOBS)),
        &google::Options::default(),
    )
    .unwrap();
    let notes = g.report.notes.join("\n");
    assert!(notes.contains("500 rows, 215 jobs"), "{notes}");
    assert!(
        notes.contains("39 kept tasks have a job_events row"),
        "{notes}"
    );
    assert_eq!(g.report.jobs, 42);

    // Tasks whose SUBMIT precedes the file: skipped instead.
    let o = google::Options {
        missing_submit: google::MissingSubmit::Skip,
        ..google::Options::default()
    };
    let g = google::import(&data(G2000), None, &o).unwrap();
    assert_eq!(g.report.jobs, 42 - 8);

    // Tasks still running at the end: kept forever, or cut at the last
    // timestamp of the file.
    let o = google::Options {
        open_end: google::OpenEnd::Forever,
        ..google::Options::default()
    };
    let g = google::import(&data(G2000), None, &o).unwrap();
    assert_eq!(g.report.jobs, 42 + 420);
    assert_eq!(g.jobs.iter().filter(|j| j.duration.is_none()).count(), 420);
    let o = google::Options {
        open_end: google::OpenEnd::Truncate,
        ..google::Options::default()
    };
    let t = google::import(&data(G2000), None, &o).unwrap();
    assert_eq!(t.report.jobs, 462);
    assert!(t.jobs.iter().all(|j| j.duration.is_some()));

    // Frameworks by scheduling class or by user; a machine size scales
    // the normalised requests.
    let o = google::Options {
        framework_by: google::FrameworkBy::Class,
        machine: [16_000, 65_536_000, 1_000_000],
        ..google::Options::default()
    };
    let g = google::import(&data(G2000), None, &o).unwrap();
    assert!(g.jobs.iter().all(|j| j.framework.starts_with("class-")));
    assert_eq!(g.resources, vec!["cpus", "mem", "disk"]);
    assert_eq!(g.jobs[0].resources[0], 150);
    let o = google::Options {
        framework_by: google::FrameworkBy::User,
        ..google::Options::default()
    };
    let g = google::import(&data(G2000), None, &o).unwrap();
    assert!(g
        .jobs
        .iter()
        .all(|j| j.framework.starts_with("u-") && !j.framework.contains('/')));
}

#[test]
fn swf_slice_counts_and_values() {
    for file in [SWF, SWFGZ] {
        let s = swf::import(&data(file), &swf::Options::default()).unwrap();
        let r = &s.report;
        assert_eq!((r.rows, r.records, r.jobs, r.tasks), (300, 300, 300, 7613));
        assert!(r.skipped.is_empty());
        assert_eq!(r.first_submit, Some(0));
        assert_eq!(r.last_submit, Some(288_452_000_000));
        // No memory in this log: cpus only.
        assert_eq!(s.resources, vec!["cpus"]);
        assert_eq!(sums(r), vec![("cpus", 7_613_000)]);
        assert!(r.notes.iter().any(|n| n.contains("MaxProcs 128")));
        let run: u64 = s.jobs.iter().map(|j| j.duration.unwrap()).sum();
        assert_eq!(run, 201_621_000_000);
        assert_eq!(s.jobs[0].id, "1");
        assert_eq!((s.jobs[0].tasks, s.jobs[0].gang), (128, Some(true)));
        assert_eq!(s.jobs.last().unwrap().id, "1138");
    }
    // Processors as cpus of one task.
    let o = swf::Options {
        processors: swf::Processors::Cpus,
        gang: None,
        ..swf::Options::default()
    };
    let s = swf::import(&data(SWF), &o).unwrap();
    assert_eq!((s.report.jobs, s.report.tasks), (300, 300));
    assert_eq!(sums(&s.report), vec![("cpus", 7_613_000)]);
    assert_eq!(s.jobs[0].resources, vec![128_000]);
}

#[test]
fn swf_rules_on_edge_cases() {
    let dir = common::tmp("swf-edges");
    let f = dir.join("edges.swf");
    std::fs::write(
        &f,
        "; Version: 2.2\n; MaxProcs: 4\n;\n\
         1 0 -1 10 2 -1 2048 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n\
         2 5 -1 -1 1 -1 -1 -1 -1 -1 0 1 1 -1 -1 -1 -1 -1\n\
         3 7 -1 10 -1 -1 -1 -1 -1 -1 -1 2 1 -1 -1 -1 -1 -1\n\
         4 9 -1 10 8 -1 -1 -1 -1 -1 -1 2 1 -1 -1 -1 -1 -1\n\
         5 -1 -1 10 1 -1 -1 -1 -1 -1 -1 2 1 -1 -1 -1 -1 -1\n\
         6 12.5 -1 3.25 -1 -1 -1 3 -1 4096 5 2 1 -1 1 -1 -1 -1\n",
    )
    .unwrap();
    let o = swf::Options {
        framework_by: swf::FrameworkBy::User,
        ..swf::Options::default()
    };
    let s = swf::import(&f, &o).unwrap();
    let r = &s.report;
    assert_eq!((r.rows, r.jobs, r.tasks), (6, 2, 5));
    assert_eq!(
        skipped(r),
        vec![
            ("submit time unknown", 1),
            ("run time unknown", 1),
            ("processors unknown", 1),
            ("more processors than MaxProcs", 1)
        ]
    );
    assert_eq!(
        kinds(r),
        vec![
            ("failed", 1),
            ("completed", 1),
            ("cancelled", 1),
            ("other status", 3)
        ]
    );
    assert_eq!(s.resources, vec!["cpus", "mem"]);
    // 2048 KB and 4096 KB per processor: 2 MB and 4 MB per task.
    assert_eq!(s.jobs[0].resources, vec![1000, 2000]);
    assert_eq!(s.jobs[1].resources, vec![1000, 4000]);
    assert_eq!(sums(r), vec![("cpus", 5000), ("mem", 16_000)]);
    assert_eq!(
        (s.jobs[1].submit, s.jobs[1].duration),
        (12_500_000, Some(3_250_000))
    );
    assert_eq!(s.jobs[0].framework, "user-1");
    assert_eq!(s.jobs[1].framework, "user-2");
}

/// Malformed traces: an error naming the file, line and column; no panic.
#[test]
fn malformed_traces_name_their_place() {
    let dir = common::tmp("bad-traces");
    /// (format, file, text, (line, column), the message says).
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        (usize, usize),
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "g",
            "few.csv",
            "5611824441,,6251812952,1761,1306108,4,u,0,2,0.02,0.07,0.0003,1\n1,2,3\n",
            (2, 1),
            "3 fields",
        ),
        (
            "g",
            "type.csv",
            "5611824441,,6251812952,1761,1306108,9,u,0,2,0.02,0.07,0.0003,1\n",
            (1, 37),
            "event type",
        ),
        (
            "g",
            "order.csv",
            "20,,1,0,,0,u,0,2,0.02,0.07,0.0003,1\n10,,1,0,,1,u,0,2,0.02,0.07,0.0003,1\n",
            (2, 1),
            "time order",
        ),
        (
            "g",
            "cpu.csv",
            "20,,1,0,,0,u,0,2,-0.5,0.07,0.0003,1\n",
            (1, 18),
            "CPU request",
        ),
        (
            "s",
            "short.swf",
            "; MaxProcs: 4\n1 0 -1 10 2\n",
            (2, 1),
            "5 fields",
        ),
        (
            "s",
            "word.swf",
            "1 0 -1 ten 2 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
            (1, 8),
            "run time",
        ),
        ("s", "header.swf", "; MaxProcs: lots\n", (1, 1), "MaxProcs"),
    ];
    for (fmt, name, text, (line, col), says) in cases {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let e = if *fmt == "g" {
            google::import(&p, None, &google::Options::default()).unwrap_err()
        } else {
            swf::import(&p, &swf::Options::default()).unwrap_err()
        };
        assert_eq!((e.line, e.column), (Some(*line), Some(*col)), "{name}: {e}");
        assert!(e.to_string().contains(says), "{name}: {e}");
        assert!(e.file.ends_with(name), "{name}: {e}");
    }
    // A damaged gzip file.
    let p = dir.join("damaged.csv.gz");
    std::fs::write(&p, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).unwrap();
    let e = google::import(&p, None, &google::Options::default()).unwrap_err();
    assert!(e.to_string().contains("damaged"), "{e}");
}

/// `mesosim import` writes a compact CSV or YAML trace and reports counts.
#[test]
fn import_command_writes_traces() {
    let dir = common::tmp("import-cmd");
    let csv = dir.join("g.csv");
    let o = common::run_bin(&[
        "import",
        "google2011",
        data(G2000).to_str().unwrap(),
        "--job-events",
        data(GJOBS).to_str().unwrap(),
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("2000 rows read"), "{out}");
    assert!(
        out.contains("899 records, 42 jobs (42 tasks) kept, 857 skipped"),
        "{out}"
    );
    assert!(
        out.contains("still running at the end of the file 420"),
        "{out}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows[0], "submit_s,job,framework,tasks,duration_s,cpus,mem");
    assert_eq!(
        rows[1],
        "0.000000,6252020580.0,batch,1,84.192363,0.3,2035.548"
    );
    assert_eq!(rows.len(), 43);
    assert!(text.contains("CC BY 4.0"));

    let yaml = dir.join("s.yaml");
    let o = common::run_bin(&[
        "import",
        "swf",
        data(SWF).to_str().unwrap(),
        "-o",
        yaml.to_str().unwrap(),
        "--framework",
        "hpc",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&yaml).unwrap();
    assert!(text.contains(
        "- {id: \"1\", framework: \"hpc\", submit: 0.000000s, tasks: 128, resources: {cpus: 1}, duration: 1451.000000s, gang: true}"
    ), "{text}");

    // Usage errors exit 2.
    for args in [
        vec!["import", "swf", data(SWF).to_str().unwrap(), "-o", "x.txt"],
        vec![
            "import",
            "swf",
            data(SWF).to_str().unwrap(),
            "-o",
            "x.csv",
            "--open-end",
            "skip",
        ],
        vec![
            "import",
            "google2011",
            data(G2000).to_str().unwrap(),
            "-o",
            "x.csv",
            "--framework-by",
            "team",
        ],
        vec![
            "import",
            "google2011",
            "/nonexistent/trace.csv",
            "-o",
            "x.csv",
        ],
    ] {
        let o = common::run_bin(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
    }
}
