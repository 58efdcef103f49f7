//! Shared helpers for the integration tests: run scenarios through the
//! library or the binary, and compare outcomes with expectation files.

#![allow(dead_code)]

use mesosim::scenario::{self, Model};
use mesosim::sim::{Options, Outcome, Recorder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mesosim"))
}

/// A fresh, empty temporary folder for one test.
pub fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

pub fn load(rel: &str) -> Model {
    scenario::load(&root().join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .model
}

pub struct Run {
    pub outcome: Outcome,
    pub summary: serde_json::Value,
    pub records: Vec<String>,
}

/// Runs a model in memory with invariant checks on.
pub fn run_model(model: &Model, seed: Option<u64>) -> Run {
    let mut rec = Recorder::default();
    let options = Options { seed, check: true };
    let (outcome, summary) =
        mesosim::simulate(model, &options, &mut rec).unwrap_or_else(|e| panic!("{e}"));
    let summary: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    let records = rec.records.iter().map(|r| record_line(model, r)).collect();
    Run {
        outcome,
        summary,
        records,
    }
}

/// `time kind framework role agent task resources`, `-` for empty fields.
pub fn record_line(model: &Model, r: &mesosim::sim::Record) -> String {
    let dash = |s: String| if s.is_empty() { "-".to_string() } else { s };
    format!(
        "{} {} {} {} {} {} {}",
        r.time,
        r.kind.name(),
        dash(
            r.framework
                .map(|f| model.framework_name(f).to_string())
                .unwrap_or_default()
        ),
        dash(
            r.role
                .map(|x| model.role_name(x).to_string())
                .unwrap_or_default()
        ),
        dash(r.agent.map(|a| model.agent_name(a)).unwrap_or_default()),
        dash(r.task_name(model).unwrap_or_default()),
        dash(mesosim::cluster::resources::format_quantities(
            &r.resources,
            &model.resources
        )),
    )
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub scenario: String,
    pub seed: Option<u64>,
    pub records: Option<ExpectRecords>,
    #[serde(default)]
    pub summary: BTreeMap<String, serde_yaml::Value>,
    /// Pattern → number of matching records.
    #[serde(default)]
    pub count: BTreeMap<String, usize>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ExpectRecords {
    pub kinds: Vec<String>,
    /// true: exact sequence; false: same multiset at each time.
    pub ordered: bool,
    pub expect: Vec<String>,
}

/// A record pattern: fields separated by spaces, `*` matches anything.
pub fn matches(pattern: &str, line: &str) -> bool {
    let p: Vec<&str> = pattern.split_whitespace().collect();
    let l: Vec<&str> = line.split_whitespace().collect();
    p.len() <= l.len() && p.iter().zip(&l).all(|(a, b)| *a == "*" || a == b)
}

fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match cur {
            serde_json::Value::Object(m) => m.get(seg)?,
            serde_json::Value::Array(items) => items.iter().find(|it| {
                it.get("id").and_then(|x| x.as_str()) == Some(seg)
                    || it.get("name").and_then(|x| x.as_str()) == Some(seg)
            })?,
            _ => return None,
        };
    }
    Some(cur)
}

fn same(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (want, got) {
        (V::Number(a), V::Number(b)) => (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9,
        (V::Object(a), V::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (V::Array(a), V::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => want == got,
    }
}

/// Runs an expectation file; returns the problems found.
pub fn check_expectation(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let exp: Expect =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = load(&exp.scenario);
    let run = run_model(&model, exp.seed);
    let mut problems = Vec::new();
    if let Some(r) = &exp.records {
        let got: Vec<&String> = run
            .records
            .iter()
            .filter(|l| {
                r.kinds
                    .iter()
                    .any(|k| l.split_whitespace().nth(1) == Some(k.as_str()))
            })
            .collect();
        let ok = if r.ordered {
            got.len() == r.expect.len() && got.iter().zip(&r.expect).all(|(g, e)| matches(e, g))
        } else {
            let mut left: Vec<&String> = got.clone();
            let mut all = got.len() == r.expect.len();
            for e in &r.expect {
                match left.iter().position(|g| matches(e, g)) {
                    Some(i) => {
                        left.remove(i);
                    }
                    None => all = false,
                }
            }
            all
        };
        if !ok {
            problems.push(format!(
                "records of kinds {:?}:\n  want:\n    {}\n  got:\n    {}",
                r.kinds,
                r.expect.join("\n    "),
                got.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
    }
    for (key, want) in &exp.summary {
        let want: serde_json::Value = serde_json::to_value(want).unwrap();
        match lookup(&run.summary, key) {
            Some(got) if same(&want, got) => {}
            got => problems.push(format!("summary {key}: want {want}, got {got:?}")),
        }
    }
    for (pattern, n) in &exp.count {
        let got = run
            .records
            .iter()
            .filter(|l| matches(pattern, &l[l.find(' ').unwrap() + 1..]))
            .count();
        if got != *n {
            problems.push(format!("count `{pattern}`: want {n}, got {got}"));
        }
    }
    problems
}

pub fn run_bin(args: &[&str]) -> Output {
    bin().args(args).current_dir(root()).output().unwrap()
}

/// Every file under `dir`, recursively, as sorted relative paths with `/`.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Copies every file under `from` whose relative path `keep` accepts into
/// `to`, creating folders as needed.
pub fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) {
    for f in files_under(from) {
        if !keep(&f) {
            continue;
        }
        let t = to.join(&f);
        std::fs::create_dir_all(t.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), t).unwrap();
    }
}

/// Whether the heavier variants of the tests run (`MESOSIM_SLOW_TESTS=1`).
pub fn slow_tests() -> bool {
    std::env::var_os("MESOSIM_SLOW_TESTS").is_some_and(|v| v == "1")
}

/// The proptest configuration of every property test: `cases` cases from
/// a fixed seed by default, so that a test run (and CI) is reproducible —
/// the same cases every time; `MESOSIM_SLOW_TESTS=1` runs `slow_cases`
/// cases from fresh random seeds, to explore; `PROPTEST_RNG_SEED=N`
/// replays one seed (proptest prints the failing case either way).
pub fn proptest_config(cases: u32, slow_cases: u32) -> proptest::test_runner::Config {
    let slow = slow_tests();
    let mut config = proptest::test_runner::Config {
        cases: if slow { slow_cases } else { cases },
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    if !slow && std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x6d65_736f_7369_6d31);
    }
    config
}
