//! Issue 13 item 5: every command of docs/tutorial.md runs as the tutorial
//! says, so that the tutorial stays true.
//!
//! The convention (stated at the top of the tutorial):
//! - every line of every ```` ```sh ```` block is a command, run with `sh -c`
//!   in the same fresh folder, one after another; blank lines and `#`
//!   comment lines are skipped, a line ending in `\` continues on the next,
//!   and a here-document (`<<'EOF'`) runs up to its closing line;
//! - a command exits 0, unless its last line ends with `# exits N`;
//! - `cargo build --release` and `export PATH="$PWD/target/release:$PATH"`
//!   are the setup this test does itself: the folder gets a copy of the
//!   project's shipped files (`scenarios/`, `examples/`, `docs/`, `.ci/`,
//!   this file)
//!   and `PATH` starts with the crate's binary; `cargo run --release --`
//!   is `mesosim`;
//! - a ```` ```text ```` block right after a `sh` block is what its commands
//!   print: each of its lines, but `...` and those with a wall time, must be
//!   a line of their output (stdout and stderr);
//! - every inline code span that names a path (it has a `/` or a file
//!   extension, no space and no `$`, `*`, `<`, `=`) must exist afterwards,
//!   whether shipped or written by a command.

mod common;

use std::path::{Path, PathBuf};

const SETUP: [&str; 2] = [
    "cargo build --release",
    r#"export PATH="$PWD/target/release:$PATH""#,
];

struct Cmd {
    /// 1-based line of the tutorial where the command starts.
    line: usize,
    text: String,
    exit: i32,
}

struct Block {
    cmds: Vec<Cmd>,
    /// The `text` block that follows it, if any.
    output: Option<Vec<String>>,
}

fn parse(md: &str) -> Vec<Block> {
    let lines: Vec<&str> = md.lines().collect();
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = 0;
    // Whether the last fenced block was `sh` and nothing but blank lines
    // came after it.
    let mut after_sh = false;
    while i < lines.len() {
        let l = lines[i];
        if let Some(lang) = l.strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while !lines[end].starts_with("```") {
                end += 1;
            }
            let body = &lines[start..end];
            match lang.trim() {
                "sh" => {
                    blocks.push(Block {
                        cmds: commands(body, start + 1),
                        output: None,
                    });
                    after_sh = true;
                }
                "text" if after_sh => {
                    blocks.last_mut().unwrap().output =
                        Some(body.iter().map(|s| s.to_string()).collect());
                    after_sh = false;
                }
                _ => after_sh = false,
            }
            i = end + 1;
            continue;
        }
        if !l.trim().is_empty() {
            after_sh = false;
        }
        i += 1;
    }
    blocks
}

/// The commands of one `sh` block whose first line is line `first` of the
/// tutorial.
fn commands(body: &[&str], first: usize) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let l = body[i];
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            i += 1;
            continue;
        }
        let line = first + i;
        let mut text = String::from(l);
        // Continuation lines.
        while text.ends_with('\\') && i + 1 < body.len() {
            i += 1;
            text.push('\n');
            text.push_str(body[i]);
        }
        // A here-document runs to its closing word.
        if let Some(p) = text.find("<<") {
            let word: String = text[p + 2..]
                .trim_start_matches('-')
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(!word.is_empty(), "tutorial line {line}: here-document word");
            loop {
                i += 1;
                assert!(
                    i < body.len(),
                    "tutorial line {line}: here-document without its closing {word}"
                );
                text.push('\n');
                text.push_str(body[i]);
                if body[i].trim() == word {
                    break;
                }
            }
        }
        let last = text.lines().last().unwrap();
        let exit = match last.rfind("# exits ") {
            Some(p) => last[p + "# exits ".len()..]
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("tutorial line {line}: `# exits N`: {e}")),
            None => 0,
        };
        cmds.push(Cmd { line, text, exit });
        i += 1;
    }
    cmds
}

/// Inline code spans of the prose (outside fenced blocks) that name paths.
fn paths(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for l in md.lines() {
        if l.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let parts: Vec<&str> = l.split('`').collect();
        for span in parts.iter().skip(1).step_by(2) {
            let has_ext = [
                ".yaml", ".yml", ".md", ".csv", ".json", ".png", ".svg", ".xml", ".gz",
            ]
            .iter()
            .any(|e| span.ends_with(e));
            let pathlike = span.contains('/') || has_ext;
            let plain = !span
                .chars()
                .any(|c| c.is_whitespace() || "$*<=\"".contains(c));
            if pathlike && plain && !out.contains(&span.to_string()) {
                out.push(span.to_string());
            }
        }
    }
    out
}

/// A fresh folder laid out as a clone: the project's shipped files a user
/// of the tutorial has (generated traces left out).
fn fresh_clone() -> PathBuf {
    let dir = common::tmp("tutorial");
    let root = common::root();
    for sub in ["scenarios", "examples", "docs", ".ci"] {
        common::copy_dir(&root.join(sub), &dir.join(sub), |f| {
            !f.starts_with("stream-10m/") || f.ends_with(".yaml")
        });
    }
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::copy(
        root.join("tests/tutorial.rs"),
        dir.join("tests/tutorial.rs"),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, path_env: &str, cmd: &Cmd) -> String {
    let text = cmd.text.replace("cargo run --release --", "mesosim");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(&text)
        .current_dir(dir)
        .env("PATH", path_env)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(
        o.status.code(),
        Some(cmd.exit),
        "docs/tutorial.md line {}: `{}` exited {:?}, the tutorial says {}\nstdout:\n{out}\nstderr:\n{err}",
        cmd.line,
        cmd.text,
        o.status.code(),
        cmd.exit
    );
    out + &err
}

#[test]
fn the_tutorial_parser_follows_the_convention() {
    let md = "intro `out/a.csv` and `x y/z` and `$OUT/b` and `check.xml`\n\
              ```sh\n\
              # a comment\n\
              mesosim run a.yaml \\\n  --png\n\
              \n\
              cat > f.yaml <<'EOF'\n\
              # not a command\n\
              a: 1\n\
              EOF\n\
              mesosim check x   # exits 1\n\
              ```\n\
              \n\
              ```text\n\
              results: out/a\n\
              ```\n\
              ```yaml\n\
              k: `not/a/span`\n\
              ```\n";
    let blocks = parse(md);
    assert_eq!(blocks.len(), 1);
    let c = &blocks[0].cmds;
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].text, "mesosim run a.yaml \\\n  --png");
    assert_eq!((c[0].line, c[0].exit), (4, 0));
    assert_eq!(
        c[1].text,
        "cat > f.yaml <<'EOF'\n# not a command\na: 1\nEOF"
    );
    assert_eq!((c[2].line, c[2].exit), (11, 1));
    assert_eq!(
        blocks[0].output.as_deref(),
        Some(&["results: out/a".to_string()][..])
    );
    assert_eq!(paths(md), ["out/a.csv", "check.xml"]);
}

#[test]
fn every_tutorial_command_runs_as_the_tutorial_says() {
    let md = std::fs::read_to_string(common::root().join("docs/tutorial.md")).unwrap();
    let blocks = parse(&md);
    let dir = fresh_clone();

    // The setup lines are this test's to do: the binary cargo built goes
    // first on PATH as `mesosim`.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_mesosim"));
    assert!(bin.is_file(), "{}", bin.display());
    let mut path_env = std::ffi::OsString::from(bin.parent().unwrap());
    if let Some(p) = std::env::var_os("PATH") {
        path_env.push(":");
        path_env.push(p);
    }
    let path_env = path_env.to_string_lossy().to_string();

    let mut setup_seen = Vec::new();
    let mut ran = 0;
    let mut failing = 0;
    for b in &blocks {
        let mut printed = String::new();
        for c in &b.cmds {
            if SETUP.contains(&c.text.as_str()) {
                setup_seen.push(c.text.clone());
                continue;
            }
            printed.push_str(&run(&dir, &path_env, c));
            ran += 1;
            if c.exit != 0 {
                failing += 1;
            }
        }
        // What the tutorial shows them printing.
        let got: Vec<&str> = printed.lines().collect();
        for want in b.output.iter().flatten() {
            if want.trim() == "..." || want.contains("wall time") {
                continue;
            }
            assert!(
                got.contains(&want.as_str()),
                "docs/tutorial.md shows\n  {want}\nafter the commands {:?}, which printed:\n{printed}",
                b.cmds.iter().map(|c| c.line).collect::<Vec<_>>()
            );
        }
    }
    assert_eq!(setup_seen, SETUP, "the tutorial's build steps changed");
    // It covers what the issue asks for: a run, a comparison, a sweep,
    // shards and their merge, and a CI gate with a failing demo.
    for sub in ["run", "compare", "sweep", "merge", "check"] {
        let word = format!("mesosim {sub} ");
        assert!(
            blocks
                .iter()
                .flat_map(|b| &b.cmds)
                .any(|c| c.text.contains(&word)),
            "no `{word}` in the tutorial"
        );
    }
    assert!(md.contains("--shard 0/2") && md.contains("--shard 1/2"));
    assert!(ran >= 10, "{ran} commands");
    assert_eq!(failing, 1, "the gate's failing demo");

    // Every file the tutorial names is there.
    let named = paths(&md);
    assert!(named.len() >= 10, "{named:?}");
    let missing: Vec<&String> = named.iter().filter(|p| !dir.join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "docs/tutorial.md names files that are not there after its commands: {missing:?}"
    );

    // The charts are real pictures, the merged sweep is the sweep, and the
    // gate's JUnit file has a test case per metric.
    let png = std::fs::read(dir.join("out/google-sample/charts/utilization.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    let svg = std::fs::read_to_string(dir.join("out/google-sweep/charts/sweep_agents.m.count.svg"))
        .unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("agents.m.count"),
        "{svg}"
    );
    for f in common::files_under(&dir.join("out/google-sweep")) {
        assert_eq!(
            std::fs::read(dir.join("out/google-sweep").join(&f)).unwrap(),
            std::fs::read(dir.join("out/google-sweep-merged").join(&f)).unwrap(),
            "{f}"
        );
    }
    let junit = std::fs::read_to_string(dir.join("check.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), 13, "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
}
