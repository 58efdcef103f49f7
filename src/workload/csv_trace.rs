//! The compact CSV job trace: one job a line, in submission order, read as
//! the run goes. docs/workloads.md is the reference; in short:
//!
//! ```text
//! # comments start with '#'
//! submit_s,job,framework,tasks,duration_s,cpus,mem
//! 0.000000,j1,spark,10,60.000000,1,2048
//! ```
//!
//! Known columns (any order): `submit_s` and `duration_s` (required),
//! `job`, `framework`, `role`, `tasks`, `gang`, `constraints`, `prefer`;
//! every other column is a resource (per task). Fields are never quoted.

use super::input::{self, split_commas, Lines};
use super::{JobSource, TraceJob};
use crate::cluster::resources::{format_milli, Quantities, ResId};
use crate::error::InputError;
use crate::limits::{MAX_QUANTITY_MILLI, MAX_TASKS_PER_JOB};
use crate::scenario::model::{AttrMatch, CsvStream, JobSpec, Model, TaskDuration};
use crate::sim::time::{format_secs, scaled_decimal, US_PER_SEC};
use crate::{FrameworkId, RoleId};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const KNOWN: [&str; 10] = [
    "submit_s",
    "job",
    "framework",
    "role",
    "tasks",
    "duration_s",
    "gang",
    "constraints",
    "prefer",
    "class",
];

/// Which column holds what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub columns: Vec<String>,
    submit: usize,
    job: Option<usize>,
    framework: Option<usize>,
    role: Option<usize>,
    tasks: Option<usize>,
    duration: usize,
    gang: Option<usize>,
    constraints: Option<usize>,
    prefer: Option<usize>,
    class: Option<usize>,
    /// Resource columns: (column, resource name), in header order.
    pub resources: Vec<(usize, String)>,
}

impl Layout {
    /// Reads a header line.
    pub fn parse(line: &str, shown: &str, line_no: u64) -> Result<Layout, InputError> {
        let err = |col: usize, msg: String| InputError::new(shown, msg).at(line_no as usize, col);
        let fields = split_commas(line);
        if fields[0].1.trim().parse::<f64>().is_ok() {
            return Err(err(
                1,
                "the first line is data, not a header: a compact job trace starts with a header such as `submit_s,job,framework,tasks,duration_s,cpus,mem` (a Google 2011 trace needs `format: google2011`, an SWF log `format: swf`)".into(),
            ));
        }
        let mut columns = Vec::new();
        let mut find: BTreeMap<&str, usize> = BTreeMap::new();
        let mut resources = Vec::new();
        for (i, (col, name)) in fields.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                return Err(err(*col, format!("column {} has no name", i + 1)));
            }
            if columns.iter().any(|c| c == name) {
                return Err(err(*col, format!("column `{name}` appears twice")));
            }
            columns.push(name.to_string());
            if let Some(known) = KNOWN.iter().find(|k| **k == name) {
                find.insert(*known, i);
            } else {
                if name.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, ':' | ';' | '|' | '"')
                }) {
                    return Err(err(
                        *col,
                        format!("`{name}` is not a valid resource name (no spaces, `:`, `;`, `|`)"),
                    ));
                }
                resources.push((i, name.to_string()));
            }
        }
        let need = |k: &str| {
            find.get(k).copied().ok_or_else(|| {
                err(
                    1,
                    format!(
                        "the header has no `{k}` column (a compact job trace starts with a header such as `submit_s,job,framework,tasks,duration_s,cpus,mem`; Google or SWF traces need `format: google2011` or `format: swf`)"
                    ),
                )
            })
        };
        let submit = need("submit_s")?;
        let duration = need("duration_s")?;
        if resources.is_empty() {
            return Err(err(
                1,
                "the header names no resource column (such as `cpus` or `mem`)".into(),
            ));
        }
        if resources.len() > crate::cluster::resources::MAX_RESOURCE_KINDS {
            return Err(err(1, "too many resource columns".into()));
        }
        Ok(Layout {
            columns,
            submit,
            job: find.get("job").copied(),
            framework: find.get("framework").copied(),
            role: find.get("role").copied(),
            tasks: find.get("tasks").copied(),
            duration,
            gang: find.get("gang").copied(),
            constraints: find.get("constraints").copied(),
            prefer: find.get("prefer").copied(),
            class: find.get("class").copied(),
            resources,
        })
    }

    /// The layout the writers use: the usual columns, optional ones only
    /// when some job needs them.
    pub fn for_output(resources: &[String], jobs: OutputColumns) -> Layout {
        let mut names: Vec<String> = vec!["submit_s".into(), "job".into(), "framework".into()];
        if jobs.role {
            names.push("role".into());
        }
        names.push("tasks".into());
        names.push("duration_s".into());
        names.extend(resources.iter().cloned());
        if jobs.gang {
            names.push("gang".into());
        }
        if jobs.constraints {
            names.push("constraints".into());
        }
        if jobs.prefer {
            names.push("prefer".into());
        }
        if jobs.class {
            names.push("class".into());
        }
        Layout::parse(&names.join(","), "", 1).expect("valid output header")
    }

    pub fn header_line(&self) -> String {
        self.columns.join(",")
    }

    pub fn has_framework(&self) -> bool {
        self.framework.is_some()
    }

    pub fn resource_names(&self) -> Vec<String> {
        self.resources.iter().map(|(_, n)| n.clone()).collect()
    }

    /// The 1-based column number of a known field, for messages.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Which optional columns a trace needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct OutputColumns {
    pub role: bool,
    pub gang: bool,
    pub constraints: bool,
    pub prefer: bool,
    pub class: bool,
}

impl OutputColumns {
    pub fn of<'a>(jobs: impl IntoIterator<Item = &'a TraceJob>) -> OutputColumns {
        let mut c = OutputColumns::default();
        for j in jobs {
            c.role |= j.role.is_some();
            c.gang |= j.gang.is_some();
            c.constraints |= !j.constraints.is_empty();
            c.prefer |= !j.prefer.is_empty();
            c.class |= j.class.is_some();
        }
        c
    }
}

/// `key=v1|v2;key2=v3` → tests.
pub fn parse_attr_tests(text: &str) -> Result<Vec<AttrMatch>, String> {
    let mut out: Vec<AttrMatch> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` should be KEY=VALUE (alternatives with `|`)"))?;
        let key = k.trim();
        if key.is_empty() {
            return Err(format!("`{part}` has no attribute name"));
        }
        if out.iter().any(|m| m.key == key) {
            return Err(format!("attribute `{key}` is tested twice"));
        }
        let values: Vec<String> = v.split('|').map(|x| x.trim().to_string()).collect();
        out.push(AttrMatch {
            key: key.to_string(),
            values,
        });
    }
    Ok(out)
}

/// Tests → `key=v1|v2;key2=v3`.
pub fn format_attr_tests(tests: &[AttrMatch]) -> String {
    tests
        .iter()
        .map(|t| format!("{}={}", t.key, t.values.join("|")))
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads a compact trace row by row, checking every field.
pub struct TraceReader {
    lines: Lines,
    pub layout: Layout,
    shown: String,
    last_submit: u64,
    /// Data rows read so far.
    pub rows: u64,
    /// Columns (1-based) of the fields of the last row.
    cols: Vec<usize>,
}

impl TraceReader {
    pub fn open(path: &Path, shown: &str) -> Result<TraceReader, InputError> {
        let mut lines = Lines::new(input::open(path, shown)?, shown);
        let layout = loop {
            match lines.next_line()? {
                None => {
                    return Err(
                        InputError::new(shown, "the trace is empty (no header line)").at(1, 1),
                    )
                }
                Some((_, l)) if l.trim().is_empty() || l.trim_start().starts_with('#') => continue,
                Some((n, l)) => {
                    let l = l.to_string();
                    break Layout::parse(&l, shown, n)?;
                }
            }
        };
        Ok(TraceReader {
            lines,
            layout,
            shown: shown.to_string(),
            last_submit: 0,
            rows: 0,
            cols: Vec::new(),
        })
    }

    /// The line of the last row read.
    pub fn line(&self) -> u64 {
        self.lines.line
    }

    /// An error about a named field of the last row.
    pub fn field_error(&self, field: &str, msg: impl Into<String>) -> InputError {
        let col = self
            .layout
            .index_of(field)
            .and_then(|i| self.cols.get(i).copied())
            .unwrap_or(1);
        InputError::new(&self.shown, format!("`{field}`: {}", msg.into()))
            .at(self.lines.line as usize, col)
    }

    /// The next job, or `None` at the end. `id` is empty when the trace
    /// gives none; `framework` is empty when it has no such column.
    pub fn next_job(&mut self) -> Result<Option<TraceJob>, InputError> {
        let line_no = loop {
            match self.lines.next_line()? {
                None => return Ok(None),
                Some((_, l)) if l.trim().is_empty() || l.trim_start().starts_with('#') => continue,
                Some((n, _)) => break n,
            }
        };
        // Disjoint borrows of the reader's parts.
        let line = self.lines.current();
        let l = &self.layout;
        let shown = self.shown.as_str();
        let fields = split_commas(line);
        self.cols.clear();
        self.cols.extend(fields.iter().map(|(c, _)| *c));
        if fields.len() != l.columns.len() {
            return Err(InputError::new(
                shown,
                format!(
                    "{} fields where the header has {} ({})",
                    fields.len(),
                    l.columns.len(),
                    l.header_line()
                ),
            )
            .at(line_no as usize, 1));
        }
        self.rows += 1;
        let err = |i: usize, msg: String| {
            InputError::new(shown, format!("`{}`: {msg}", l.columns[i]))
                .at(line_no as usize, fields[i].0)
        };
        let text = |i: usize| fields[i].1.trim();
        let submit = scaled_decimal(text(l.submit), US_PER_SEC).map_err(|e| {
            err(
                l.submit,
                format!("`{}` is not a time in seconds ({e})", text(l.submit)),
            )
        })?;
        if submit < self.last_submit {
            return Err(err(
                l.submit,
                format!(
                    "rows must be in submission order: {} s comes after {} s",
                    format_secs(submit),
                    format_secs(self.last_submit)
                ),
            ));
        }
        self.last_submit = submit;
        let duration = {
            let t = text(l.duration);
            if t == "forever" {
                None
            } else {
                Some(scaled_decimal(t, US_PER_SEC).map_err(|e| {
                    err(
                        l.duration,
                        format!("`{t}` is not a duration in seconds or `forever` ({e})"),
                    )
                })?)
            }
        };
        let tasks = match l.tasks {
            None => 1,
            Some(i) if text(i).is_empty() => 1,
            Some(i) => match text(i).parse::<u64>() {
                Ok(n) if (1..=MAX_TASKS_PER_JOB).contains(&n) => n as u32,
                Ok(n) => {
                    return Err(err(
                        i,
                        format!("{n} tasks: a job has 1 to {MAX_TASKS_PER_JOB} tasks"),
                    ))
                }
                Err(_) => return Err(err(i, format!("`{}` is not a task count", text(i)))),
            },
        };
        let mut resources = Vec::with_capacity(l.resources.len());
        for (i, _) in &l.resources {
            let t = text(*i);
            let v = if t.is_empty() {
                0
            } else {
                let m = scaled_decimal(t, 1000).map_err(|_| {
                    err(
                        *i,
                        format!("`{t}` is not an amount >= 0 with at most 3 decimals"),
                    )
                })?;
                if m > MAX_QUANTITY_MILLI {
                    return Err(err(*i, format!("amount `{t}` is too large")));
                }
                m
            };
            resources.push(v);
        }
        let gang = match l.gang {
            None => None,
            Some(i) => match text(i) {
                "" => None,
                "1" | "true" => Some(true),
                "0" | "false" => Some(false),
                other => return Err(err(i, format!("`{other}` is not 0, 1, true or false"))),
            },
        };
        let tests = |c: Option<usize>| -> Result<Vec<AttrMatch>, InputError> {
            match c {
                None => Ok(Vec::new()),
                Some(i) => parse_attr_tests(text(i)).map_err(|m| err(i, m)),
            }
        };
        let constraints = tests(l.constraints)?;
        let prefer = tests(l.prefer)?;
        if let Some(i) = l.job {
            let id = text(i);
            if id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"')
            {
                return Err(err(
                    i,
                    format!("job id `{id}` contains whitespace, a control character or a quote"),
                ));
            }
        }
        let opt = |c: Option<usize>| c.map(|i| text(i).to_string()).filter(|s| !s.is_empty());
        Ok(Some(TraceJob {
            id: opt(l.job).unwrap_or_default(),
            framework: opt(l.framework).unwrap_or_default(),
            role: opt(l.role),
            submit,
            tasks,
            duration,
            resources,
            gang,
            constraints,
            prefer,
            class: opt(l.class),
        }))
    }
}

/// Reads a checked compact trace during a run.
pub struct CsvSource<'m> {
    model: &'m Model,
    spec: &'m CsvStream,
    reader: TraceReader,
    res_ids: Vec<ResId>,
    frameworks: BTreeMap<String, FrameworkId>,
    roles: BTreeMap<String, RoleId>,
}

impl<'m> CsvSource<'m> {
    pub fn open(model: &'m Model, spec: &'m CsvStream) -> Result<CsvSource<'m>, InputError> {
        let reader = TraceReader::open(&spec.path, &spec.shown)?;
        let mut res_ids = Vec::new();
        for (_, name) in &reader.layout.resources {
            res_ids.push(model.resources.get(name).ok_or_else(|| {
                InputError::new(
                    &spec.shown,
                    format!("resource column `{name}` is new: the file changed since the scenario was loaded"),
                )
                .at(1, 1)
            })?);
        }
        let frameworks = model
            .frameworks
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), FrameworkId(i as u32)))
            .collect();
        let roles = model
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), RoleId(i as u32)))
            .collect();
        Ok(CsvSource {
            model,
            spec,
            reader,
            res_ids,
            frameworks,
            roles,
        })
    }
}

impl JobSource for CsvSource<'_> {
    fn next_job(&mut self) -> Result<Option<JobSpec>, InputError> {
        let Some(t) = self.reader.next_job()? else {
            return Ok(None);
        };
        let changed = |r: &TraceReader, field: &str| {
            r.field_error(
                field,
                "not as when the scenario was loaded: the file changed",
            )
        };
        let framework = match self.spec.framework {
            Some(f) => f,
            None => match self.frameworks.get(&t.framework) {
                Some(f) => *f,
                None => return Err(changed(&self.reader, "framework")),
            },
        };
        let fw = &self.model.frameworks[framework.index()];
        let role = match &t.role {
            None => fw.roles[0],
            Some(r) => match self.roles.get(r) {
                Some(id) if fw.roles.contains(id) => *id,
                _ => return Err(changed(&self.reader, "role")),
            },
        };
        let mut resources = Quantities::ZERO;
        for (r, v) in self.res_ids.iter().zip(&t.resources) {
            resources.set(*r, *v);
        }
        Ok(Some(JobSpec {
            id: if t.id.is_empty() {
                format!("{}{}", self.spec.id_prefix, self.reader.rows)
            } else {
                t.id
            },
            framework,
            role,
            submit: crate::sim::time::SimTime(t.submit),
            tasks: t.tasks,
            resources,
            duration: match t.duration {
                Some(d) => TaskDuration::Fixed(d),
                None => TaskDuration::Forever,
            },
            gang: t.gang.unwrap_or(fw.gang_default),
            constraints: t.constraints,
            prefer: t.prefer,
            used: resources,
            class: t.class,
            deadline: None,
        }))
    }
}

/// Writes a compact trace (gzip when the name ends in `.gz`, with a fixed
/// header so that the bytes depend only on the jobs).
pub struct TraceWriter {
    w: Box<dyn Write>,
    layout: Layout,
    shown: String,
    pub rows: u64,
}

impl TraceWriter {
    pub fn create(
        path: &Path,
        resources: &[String],
        columns: OutputColumns,
        comments: &[String],
    ) -> Result<TraceWriter, crate::error::Error> {
        let shown = path.display().to_string();
        let f = std::fs::File::create(path).map_err(|e| crate::error::Error::io(&shown, e))?;
        let buf = std::io::BufWriter::with_capacity(1 << 18, f);
        let w: Box<dyn Write> = if shown.ends_with(".gz") {
            Box::new(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .write(buf, flate2::Compression::default()),
            )
        } else {
            Box::new(buf)
        };
        let mut tw = TraceWriter {
            w,
            layout: Layout::for_output(resources, columns),
            shown,
            rows: 0,
        };
        for c in comments {
            tw.put(&format!("# {c}\n"))?;
        }
        let header = format!("{}\n", tw.layout.header_line());
        tw.put(&header)?;
        Ok(tw)
    }

    fn put(&mut self, s: &str) -> Result<(), crate::error::Error> {
        self.w
            .write_all(s.as_bytes())
            .map_err(|e| crate::error::Error::io(&self.shown, e))
    }

    pub fn write(&mut self, j: &TraceJob) -> Result<(), crate::error::Error> {
        let mut out = String::with_capacity(64);
        for (i, c) in self.layout.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match c.as_str() {
                "submit_s" => out.push_str(&format_secs(j.submit)),
                "job" => out.push_str(&j.id),
                "framework" => out.push_str(&j.framework),
                "role" => out.push_str(j.role.as_deref().unwrap_or("")),
                "tasks" => out.push_str(&j.tasks.to_string()),
                "duration_s" => match j.duration {
                    Some(d) => out.push_str(&format_secs(d)),
                    None => out.push_str("forever"),
                },
                "gang" => out.push_str(match j.gang {
                    None => "",
                    Some(true) => "1",
                    Some(false) => "0",
                }),
                "constraints" => out.push_str(&format_attr_tests(&j.constraints)),
                "prefer" => out.push_str(&format_attr_tests(&j.prefer)),
                "class" => out.push_str(j.class.as_deref().unwrap_or("")),
                _ => {
                    let k = self
                        .layout
                        .resources
                        .iter()
                        .position(|(col, _)| *col == i)
                        .expect("resource column");
                    let v = j.resources.get(k).copied().unwrap_or(0);
                    if v > 0 {
                        out.push_str(&format_milli(v));
                    } else {
                        out.push('0');
                    }
                }
            }
        }
        out.push('\n');
        self.rows += 1;
        self.put(&out)
    }

    pub fn finish(mut self) -> Result<(), crate::error::Error> {
        self.w
            .flush()
            .map_err(|e| crate::error::Error::io(&self.shown, e))?;
        // Dropping the gzip encoder writes its trailer; flush first so that
        // errors are seen.
        drop(self.w);
        Ok(())
    }
}

/// Writes jobs as a YAML trace (`jobs:` entries with `framework:`), the
/// format `workload: [{trace: FILE}]` reads whole.
pub fn write_yaml_trace(
    path: &Path,
    resources: &[String],
    jobs: &[TraceJob],
    comments: &[String],
) -> Result<(), crate::error::Error> {
    let shown = path.display().to_string();
    let mut out = String::new();
    for c in comments {
        out.push_str(&format!("# {c}\n"));
    }
    out.push_str("jobs:\n");
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    for j in jobs {
        let res: Vec<String> = resources
            .iter()
            .zip(&j.resources)
            .filter(|(_, v)| **v > 0)
            .map(|(n, v)| format!("{n}: {}", format_milli(*v)))
            .collect();
        out.push_str(&format!(
            "  - {{id: {}, framework: {}, submit: {}s, tasks: {}, resources: {{{}}}, duration: {}",
            q(&j.id),
            q(&j.framework),
            format_secs(j.submit),
            j.tasks,
            res.join(", "),
            match j.duration {
                Some(d) => format!("{}s", format_secs(d)),
                None => "forever".into(),
            }
        ));
        if let Some(r) = &j.role {
            out.push_str(&format!(", role: {}", q(r)));
        }
        if let Some(g) = j.gang {
            out.push_str(&format!(", gang: {g}"));
        }
        if let Some(c) = &j.class {
            out.push_str(&format!(", class: {}", q(c)));
        }
        for (key, tests) in [("constraints", &j.constraints), ("prefer", &j.prefer)] {
            if !tests.is_empty() {
                let items: Vec<String> = tests
                    .iter()
                    .map(|t| {
                        let vals: Vec<String> = t.values.iter().map(|v| q(v)).collect();
                        format!("{}: [{}]", q(&t.key), vals.join(", "))
                    })
                    .collect();
                out.push_str(&format!(", {key}: {{{}}}", items.join(", ")));
            }
        }
        out.push_str("}\n");
    }
    crate::report::write_file(path, out.as_bytes()).map_err(|e| match e {
        crate::error::Error::Io(m) => crate::error::Error::Io(m),
        other => crate::error::Error::Io(format!("{shown}: {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout() {
        let l = Layout::parse("submit_s,job,framework,tasks,duration_s,cpus,mem", "t", 1).unwrap();
        assert_eq!(l.resource_names(), vec!["cpus", "mem"]);
        assert!(Layout::parse("job,cpus", "t", 1)
            .unwrap_err()
            .message
            .contains("submit_s"));
        assert!(Layout::parse("submit_s,duration_s", "t", 1)
            .unwrap_err()
            .message
            .contains("resource"));
        let e = Layout::parse("submit_s,duration_s,cpus,cpus", "t", 3).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(26)));
    }

    #[test]
    fn attr_tests_round_trip() {
        let t = parse_attr_tests("rack=r1|r2;zone=a").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].values, vec!["r1", "r2"]);
        assert_eq!(format_attr_tests(&t), "rack=r1|r2;zone=a");
        assert!(parse_attr_tests("rack").is_err());
        assert!(parse_attr_tests("a=1;a=2").is_err());
    }
}
