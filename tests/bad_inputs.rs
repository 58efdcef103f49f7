//! The bad-input corpus (issue 15): every file in `tests/bad-inputs/` is fed
//! to mesosim as `tests/bad-inputs/expected.txt` says, under a memory limit
//! (`ulimit -v`) and a time limit, and must give the expected exit code and
//! a message containing the expected fragment, never a panic.
//!
//! `expected.txt`: one line per file, tab-separated:
//! `FILE  COMMAND  EXIT  FRAGMENT`, COMMAND one of `validate`, `run`,
//! `import-swf`, `import-google`. Files ending in `.txt` (traces that the
//! corpus scenarios name) are inputs of other entries, not entries.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space per run (KB for `ulimit -v`): 512 MB.
const MEMORY_KB: u64 = 512 * 1024;
/// A run still going after this long is a hang (generous: the machine may
/// be busy; a healthy run takes well under a second).
const TIME_LIMIT: Duration = Duration::from_secs(30);

struct Outcome {
    code: Option<i32>,
    said: String,
    hung: bool,
}

/// Runs mesosim with `args` under the memory and time limits.
fn bounded(args: &[String]) -> Outcome {
    let bin = env!("CARGO_BIN_EXE_mesosim");
    let script = format!("ulimit -v {MEMORY_KB}; exec \"$0\" \"$@\"");
    // One folder per call: the two tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = common::tmp(&format!("bad-inputs-run-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .current_dir(common::root())
        .env("MESOSIM_BAD_INPUT_TMP", &dir)
        .stdin(Stdio::null())
        // Files, not pipes: a long message must not block the child.
        .stdout(std::fs::File::create(dir.join("stdout")).unwrap())
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut hung = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            hung = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let read = |n: &str| String::from_utf8_lossy(&std::fs::read(dir.join(n)).unwrap()).to_string();
    Outcome {
        code: status.code(),
        said: format!("{}{}", read("stdout"), read("stderr")),
        hung,
    }
}

fn args_for(command: &str, file: &str, out: &Path) -> Vec<String> {
    let f = format!("tests/bad-inputs/{file}");
    let o = out.to_string_lossy().to_string();
    let v: Vec<&str> = match command {
        "validate" => vec!["validate", &f],
        "run" => vec!["run", &f, "--quiet", "--no-charts", "--out", &o],
        "import-swf" => vec!["import", "swf", &f, "-o", &o, "--quiet"],
        "import-google" => vec!["import", "google2011", &f, "-o", &o, "--quiet"],
        other => panic!("expected.txt: unknown command {other}"),
    };
    v.into_iter().map(str::to_string).collect()
}

#[test]
fn every_bad_input_is_refused_clearly_within_bounds() {
    let dir = common::root().join("tests/bad-inputs");
    let table = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let mut listed = Vec::new();
    let mut failures = Vec::new();
    let out_root = common::tmp("bad-inputs");
    for (n, line) in table.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "expected.txt line {}: {line}", n + 1);
        let (file, command, exit, fragment) = (cols[0], cols[1], cols[2], cols[3]);
        let exit: i32 = exit.parse().unwrap();
        listed.push(file.to_string());
        let out = out_root.join(format!("{n}.csv"));
        let o = bounded(&args_for(command, file, &out));
        let mut why = Vec::new();
        if o.hung {
            why.push(format!("still running after {TIME_LIMIT:?}"));
        }
        if o.code != Some(exit) {
            why.push(format!("exit {:?}, want {exit}", o.code));
        }
        if !o.said.contains(fragment) {
            why.push(format!("message lacks `{fragment}`"));
        }
        if o.said.contains("panicked") || o.said.contains("internal error") {
            why.push("panicked".into());
        }
        if !why.is_empty() {
            let said: String = o.said.chars().take(400).collect();
            failures.push(format!(
                "{file} ({command}): {}\n    said: {said}",
                why.join("; ")
            ));
        }
    }
    // Every corpus file is listed (traces the scenarios name end in .txt).
    let mut unlisted = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        let input = name.ends_with(".txt") || name.ends_with(".csv.gz");
        if name != "expected.txt" && !input && !listed.contains(&name) {
            unlisted.push(name);
        }
    }
    assert!(unlisted.is_empty(), "not in expected.txt: {unlisted:?}");
    assert!(listed.len() >= 60, "only {} bad inputs", listed.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_without_reading() {
    let fifo = common::tmp("bad-inputs-fifo").join("scenario.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut inputs = vec!["/dev/zero".to_string(), "/dev/urandom".to_string()];
    if made.is_ok_and(|s| s.success()) {
        inputs.push(fifo.to_string_lossy().to_string());
    }
    for input in inputs {
        for cmd in [
            vec!["validate".to_string(), input.clone()],
            vec![
                "import".into(),
                "swf".into(),
                input.clone(),
                "-o".into(),
                common::tmp("bad-inputs-dev")
                    .join("x.csv")
                    .to_string_lossy()
                    .to_string(),
            ],
        ] {
            let o = bounded(&cmd);
            assert!(!o.hung, "{cmd:?} hung");
            assert_eq!(o.code, Some(2), "{cmd:?}: {}", o.said);
            assert!(o.said.contains("not a regular file"), "{cmd:?}: {}", o.said);
        }
    }
}
