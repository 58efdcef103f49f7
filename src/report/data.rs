//! A results folder read back from its files: the CSV time series and jobs
//! (required), and `summary.json` for titles (optional). This is all the
//! charts use, so `mesosim plot` needs nothing but the folder.

use crate::error::{Error, InputError};
use std::collections::BTreeMap;
use std::path::Path;

/// What a chart title names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub scenario: String,
    pub policy: Option<String>,
    pub seed: Option<u64>,
    /// The measurement window (s), when it is not the whole run.
    pub window: Option<(f64, f64)>,
    /// The end of the run (s), `summary.json`'s `end_time_s`.
    pub end_s: Option<f64>,
}

impl Meta {
    /// `scenario · policy drf · seed 7`.
    pub fn subtitle(&self) -> String {
        let mut s = self.scenario.clone();
        if let Some(p) = &self.policy {
            s.push_str(&format!(" · policy {p}"));
        }
        if let Some(seed) = self.seed {
            s.push_str(&format!(" · seed {seed}"));
        }
        s
    }
}

/// One job of `jobs.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub framework: String,
    /// Submission time (s); `None` if never submitted.
    pub submit_s: Option<f64>,
    pub class: String,
    /// `finished`, `pending`, `running`, …; empty when `jobs.csv` has no
    /// `state` column (an older version's folder).
    pub state: String,
    pub wait_s: Option<f64>,
    pub jct_s: Option<f64>,
    pub slowdown: Option<f64>,
}

/// A series per (framework, role) client of `shares.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientSeries {
    pub framework: String,
    pub role: String,
    /// Aligned with [`RunData::times`]; 0 where the client had no row.
    pub share: Vec<f64>,
    pub drf_share: Vec<f64>,
    /// Per resource (order of [`RunData::resources`]).
    pub allocated: Vec<Vec<f64>>,
}

/// Per framework counts of `offers.csv`, aligned with the times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OfferSeries {
    pub made: Vec<f64>,
    pub accepted: Vec<f64>,
    pub declined: Vec<f64>,
    pub rescinded: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunData {
    pub meta: Meta,
    /// Sample times (s).
    pub times: Vec<f64>,
    pub resources: Vec<String>,
    /// Per resource, aligned with `times`.
    pub total: Vec<Vec<f64>>,
    pub offered: Vec<Vec<f64>>,
    pub allocated: Vec<Vec<f64>>,
    /// Empty when the file has no `used` column.
    pub used: Vec<Vec<f64>>,
    pub clients: Vec<ClientSeries>,
    /// Roles with their share and ideal share (from `roles.csv`, if any).
    pub roles: Vec<(String, Vec<f64>, Vec<f64>)>,
    /// `fairness.csv`, if any: jain, min/max, drf distance.
    pub fairness: Option<[Vec<f64>; 3]>,
    /// `offers.csv`, if any: per framework.
    pub offers: Vec<(String, OfferSeries)>,
    /// Rows of `jobs.csv`: all of them, or every `jobs_step`-th when the
    /// file has more than [`MAX_CHART_JOBS`] (charts stay in bounded memory).
    pub jobs: Vec<JobRow>,
    pub jobs_step: u64,
    /// Data rows in `jobs.csv`.
    pub jobs_total: u64,
    /// `auction.csv`, if any: per framework, its budget after each run
    /// `(time, budget)` and its purchases `(time, price)`.
    pub auction: Vec<(String, Points, Points)>,
    /// With partitions (`timeseries.csv` rows other than `all`): per
    /// partition its name and, per resource, allocated, offered and total,
    /// aligned with `times`.
    pub partitions: Vec<PartitionSeries>,
    /// With partitions, `summary.json`'s whole-run fairness: Jain's index,
    /// min/max ratio and the distance from ideal DRF (global), when there.
    pub run_fairness: Option<[f64; 3]>,
    /// The fault rows: `faults.csv` if the run wrote it (`output.faults`);
    /// `run` sets them from memory otherwise. In order.
    pub faults: Vec<FaultRow>,
}

/// One partition's rows of `timeseries.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartitionSeries {
    pub name: String,
    /// Per resource (order of [`RunData::resources`]).
    pub allocated: Vec<Vec<f64>>,
    /// Offered but idle: what the partition's master holds in offers.
    pub offered: Vec<Vec<f64>>,
    pub total: Vec<Vec<f64>>,
    /// `summary.json` `partitions[].fairness`: time-weighted Jain's index
    /// and min/max ratio within the partition, when there.
    pub fairness: Option<(f64, f64)>,
}

/// A row of `faults.csv` (docs/faults.md): when, what, which partition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRow {
    pub time: f64,
    pub kind: String,
    pub partition: u32,
}

/// `(time, value)` points.
pub type Points = Vec<(f64, f64)>;

/// The most `jobs.csv` rows the charts read; beyond, a systematic sample.
pub const MAX_CHART_JOBS: u64 = 500_000;

/// Data rows of a CSV file (lines after the header), counted without
/// parsing.
fn count_rows(path: &Path) -> Result<u64, Error> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(&shown, e))?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(&shown, e))?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines.saturating_sub(1))
}

type Rows = (Vec<String>, Vec<csv::StringRecord>);

/// An open CSV file of a results folder: its shown path, header and reader.
struct OpenCsv {
    shown: String,
    header: Vec<String>,
    reader: csv::Reader<std::fs::File>,
}

impl OpenCsv {
    /// Opens `dir/name`; `None` if it is absent and not `required`.
    fn open(dir: &Path, name: &str, required: bool) -> Result<Option<OpenCsv>, Error> {
        let path = dir.join(name);
        let shown = path.display().to_string();
        if !path.is_file() {
            if required {
                return Err(Error::Input(InputError::new(
                    shown,
                    "not found: is this a folder written by `mesosim run`?",
                )));
            }
            return Ok(None);
        }
        let mut reader = csv::ReaderBuilder::new()
            .from_path(&path)
            .map_err(|e| Error::Input(InputError::new(&shown, e.to_string())))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| Error::Input(InputError::new(&shown, e.to_string())))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Some(OpenCsv {
            shown,
            header,
            reader,
        }))
    }

    /// The records one by one, errors naming the file and line.
    fn records(&mut self) -> impl Iterator<Item = Result<csv::StringRecord, Error>> + '_ {
        let shown = &self.shown;
        self.reader.records().map(move |rec| {
            rec.map_err(|e| {
                let err = InputError::new(shown, e.to_string());
                Error::Input(match e.position() {
                    Some(p) => err.at(p.line() as usize, 1),
                    None => err,
                })
            })
        })
    }
}

fn read_csv(dir: &Path, name: &str, required: bool) -> Result<Option<Rows>, Error> {
    let Some(mut f) = OpenCsv::open(dir, name, required)? else {
        return Ok(None);
    };
    let rows = f.records().collect::<Result<Vec<_>, _>>()?;
    Ok(Some((f.header, rows)))
}

/// Column positions by name, with a clear error for a missing one.
struct Cols<'a> {
    file: String,
    header: &'a [String],
}

impl Cols<'_> {
    fn need(&self, name: &str) -> Result<usize, Error> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            Error::Input(InputError::new(
                &self.file,
                format!("the header has no `{name}` column"),
            ))
        })
    }
    fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

fn num(rec: &csv::StringRecord, i: usize, file: &str, row: usize) -> Result<f64, Error> {
    let text = rec.get(i).unwrap_or("");
    if text.is_empty() {
        return Ok(0.0);
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            Error::Input(
                InputError::new(file, format!("`{text}` is not a number")).at(row + 2, i + 1),
            )
        })
}

fn opt_num(rec: &csv::StringRecord, i: Option<usize>) -> Option<f64> {
    i.and_then(|i| rec.get(i))
        .filter(|t| !t.is_empty())
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|x| x.is_finite())
}

/// `cpus:1;mem:4096` → amounts per resource of `names` (unknown names are
/// ignored).
fn amounts(text: &str, names: &[String]) -> Vec<f64> {
    let mut out = vec![0.0; names.len()];
    for part in text.split(';').filter(|p| !p.is_empty()) {
        if let Some((n, v)) = part.split_once(':') {
            if let (Some(i), Ok(v)) = (names.iter().position(|x| x == n), v.parse::<f64>()) {
                out[i] = v;
            }
        }
    }
    out
}

impl RunData {
    /// Reads a results folder.
    pub fn read(dir: &Path) -> Result<RunData, Error> {
        RunData::read_sampled(dir, MAX_CHART_JOBS)
    }

    /// Reads a results folder, keeping at most `max_jobs` rows of
    /// `jobs.csv` (every `ceil(total / max_jobs)`-th row, from the first).
    pub fn read_sampled(dir: &Path, max_jobs: u64) -> Result<RunData, Error> {
        let mut d = RunData {
            meta: read_meta(dir),
            ..RunData::default()
        };
        // timeseries.csv: the sample times and the resources.
        let file = dir.join("timeseries.csv").display().to_string();
        let (h, rows) = read_csv(dir, "timeseries.csv", true)?.expect("required");
        let c = Cols {
            file: file.clone(),
            header: &h,
        };
        let (ti, ri, toti, offi, alli) = (
            c.need("time_s")?,
            c.need("resource")?,
            c.need("total")?,
            c.need("offered")?,
            c.need("allocated")?,
        );
        let usedi = c.find("used");
        // With partitions the whole cluster's rows are the `all` ones; the
        // per-partition rows (which follow them at each sample) are kept
        // apart for the per-partition panels.
        let parti = c.find("partition");
        let whole_only = parti.is_some_and(|p| rows.iter().any(|r| r.get(p) == Some("all")));
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut part_rows: Vec<(String, usize, usize, [f64; 3])> = Vec::new();
        for (k, rec) in rows.iter().enumerate() {
            if whole_only && parti.and_then(|p| rec.get(p)) != Some("all") {
                let name = parti.and_then(|p| rec.get(p)).unwrap_or("").to_string();
                let t = rec.get(ti).unwrap_or("");
                let res = rec.get(ri).unwrap_or("");
                if let (Some(&at), Some(r)) = (
                    index.get(t),
                    d.resources.iter().position(|x| x.as_str() == res),
                ) {
                    let alloc = num(rec, alli, &file, k)?;
                    let offered = num(rec, offi, &file, k)?;
                    let total = num(rec, toti, &file, k)?;
                    part_rows.push((name, at, r, [alloc, offered, total]));
                }
                continue;
            }
            let t = rec.get(ti).unwrap_or("").to_string();
            let ts = num(rec, ti, &file, k)?;
            let at = match index.get(&t) {
                Some(&i) => i,
                None => {
                    index.insert(t, d.times.len());
                    d.times.push(ts);
                    for v in [&mut d.total, &mut d.offered, &mut d.allocated, &mut d.used] {
                        for s in v.iter_mut() {
                            s.push(0.0);
                        }
                    }
                    d.times.len() - 1
                }
            };
            let res = rec.get(ri).unwrap_or("").to_string();
            let r = match d.resources.iter().position(|x| *x == res) {
                Some(r) => r,
                None => {
                    d.resources.push(res);
                    let n = d.times.len();
                    d.total.push(vec![0.0; n]);
                    d.offered.push(vec![0.0; n]);
                    d.allocated.push(vec![0.0; n]);
                    if usedi.is_some() {
                        d.used.push(vec![0.0; n]);
                    }
                    d.resources.len() - 1
                }
            };
            d.total[r][at] = num(rec, toti, &file, k)?;
            d.offered[r][at] = num(rec, offi, &file, k)?;
            d.allocated[r][at] = num(rec, alli, &file, k)?;
            if let Some(u) = usedi {
                d.used[r][at] = num(rec, u, &file, k)?;
            }
        }
        let n = d.times.len();
        let nres = d.resources.len();
        for (name, at, r, [alloc, offered, total]) in part_rows {
            let i = match d.partitions.iter().position(|p| p.name == name) {
                Some(i) => i,
                None => {
                    d.partitions.push(PartitionSeries {
                        name,
                        allocated: vec![vec![0.0; n]; nres],
                        offered: vec![vec![0.0; n]; nres],
                        total: vec![vec![0.0; n]; nres],
                        fairness: None,
                    });
                    d.partitions.len() - 1
                }
            };
            d.partitions[i].allocated[r][at] = alloc;
            d.partitions[i].offered[r][at] = offered;
            d.partitions[i].total[r][at] = total;
        }
        if !d.partitions.is_empty() {
            read_partition_fairness(dir, &mut d);
        }

        // shares.csv: per (framework, role).
        let file = dir.join("shares.csv").display().to_string();
        let (h, rows) = read_csv(dir, "shares.csv", true)?.expect("required");
        let c = Cols {
            file: file.clone(),
            header: &h,
        };
        let (ti, fi, roi, si, hi) = (
            c.need("time_s")?,
            c.need("framework")?,
            c.need("role")?,
            c.need("dominant_share")?,
            c.need("resources")?,
        );
        let (alli, drfi) = (c.find("allocated"), c.find("drf_share"));
        for (k, rec) in rows.iter().enumerate() {
            let Some(&at) = index.get(rec.get(ti).unwrap_or("")) else {
                continue;
            };
            let fw = rec.get(fi).unwrap_or("").to_string();
            let role = rec.get(roi).unwrap_or("").to_string();
            let ci = match d
                .clients
                .iter()
                .position(|x| x.framework == fw && x.role == role)
            {
                Some(i) => i,
                None => {
                    d.clients.push(ClientSeries {
                        framework: fw,
                        role,
                        share: vec![0.0; n],
                        drf_share: vec![0.0; n],
                        allocated: vec![vec![0.0; n]; nres],
                    });
                    d.clients.len() - 1
                }
            };
            let cs = &mut d.clients[ci];
            cs.share[at] = num(rec, si, &file, k)?;
            cs.drf_share[at] = opt_num(rec, drfi).unwrap_or(0.0);
            // Old folders have no `allocated`: held is the next best thing.
            let text = rec.get(alli.unwrap_or(hi)).unwrap_or("");
            for (r, v) in amounts(text, &d.resources).into_iter().enumerate() {
                cs.allocated[r][at] = v;
            }
        }

        if let Some((h, rows)) = read_csv(dir, "roles.csv", false)? {
            let file = dir.join("roles.csv").display().to_string();
            let c = Cols {
                file: file.clone(),
                header: &h,
            };
            let (ti, ri, si) = (
                c.need("time_s")?,
                c.need("role")?,
                c.need("dominant_share")?,
            );
            let drfi = c.find("drf_share");
            for (k, rec) in rows.iter().enumerate() {
                let Some(&at) = index.get(rec.get(ti).unwrap_or("")) else {
                    continue;
                };
                let role = rec.get(ri).unwrap_or("").to_string();
                let i = match d.roles.iter().position(|x| x.0 == role) {
                    Some(i) => i,
                    None => {
                        d.roles.push((role, vec![0.0; n], vec![0.0; n]));
                        d.roles.len() - 1
                    }
                };
                d.roles[i].1[at] = num(rec, si, &file, k)?;
                d.roles[i].2[at] = opt_num(rec, drfi).unwrap_or(0.0);
            }
        }

        if let Some((h, rows)) = read_csv(dir, "fairness.csv", false)? {
            let file = dir.join("fairness.csv").display().to_string();
            let c = Cols {
                file: file.clone(),
                header: &h,
            };
            let cols = [
                c.need("jain")?,
                c.need("min_max_ratio")?,
                c.need("drf_distance")?,
            ];
            let ti = c.need("time_s")?;
            let mut f = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
            for (k, rec) in rows.iter().enumerate() {
                let Some(&at) = index.get(rec.get(ti).unwrap_or("")) else {
                    continue;
                };
                for (j, &col) in cols.iter().enumerate() {
                    f[j][at] = num(rec, col, &file, k)?;
                }
            }
            d.fairness = Some(f);
        }

        if let Some((h, rows)) = read_csv(dir, "offers.csv", false)? {
            let file = dir.join("offers.csv").display().to_string();
            let c = Cols {
                file: file.clone(),
                header: &h,
            };
            let ti = c.need("time_s")?;
            let fi = c.need("framework")?;
            let cols = [
                c.need("made")?,
                c.need("accepted")?,
                c.need("declined")?,
                c.need("rescinded")?,
            ];
            for (k, rec) in rows.iter().enumerate() {
                let Some(&at) = index.get(rec.get(ti).unwrap_or("")) else {
                    continue;
                };
                let fw = rec.get(fi).unwrap_or("").to_string();
                let i = match d.offers.iter().position(|x| x.0 == fw) {
                    Some(i) => i,
                    None => {
                        let z = vec![0.0; n];
                        d.offers.push((
                            fw,
                            OfferSeries {
                                made: z.clone(),
                                accepted: z.clone(),
                                declined: z.clone(),
                                rescinded: z,
                            },
                        ));
                        d.offers.len() - 1
                    }
                };
                let s = &mut d.offers[i].1;
                s.made[at] = num(rec, cols[0], &file, k)?;
                s.accepted[at] = num(rec, cols[1], &file, k)?;
                s.declined[at] = num(rec, cols[2], &file, k)?;
                s.rescinded[at] = num(rec, cols[3], &file, k)?;
            }
        }

        if let Some((h, rows)) = read_csv(dir, "auction.csv", false)? {
            let file = dir.join("auction.csv").display().to_string();
            let c = Cols {
                file: file.clone(),
                header: &h,
            };
            let (ti, ki, fi) = (c.need("time_s")?, c.need("kind")?, c.need("framework")?);
            let (pi, bi) = (c.need("price")?, c.need("budget")?);
            for (k, rec) in rows.iter().enumerate() {
                let fw = rec.get(fi).unwrap_or("").to_string();
                let i = match d.auction.iter().position(|x| x.0 == fw) {
                    Some(i) => i,
                    None => {
                        d.auction.push((fw, Vec::new(), Vec::new()));
                        d.auction.len() - 1
                    }
                };
                let t = num(rec, ti, &file, k)?;
                if rec.get(ki) == Some("sale") {
                    let price = num(rec, pi, &file, k)?;
                    d.auction[i].2.push((t, price));
                } else {
                    let budget = num(rec, bi, &file, k)?;
                    d.auction[i].1.push((t, budget));
                }
            }
        }

        if let Some((h, rows)) = read_csv(dir, "faults.csv", false)? {
            let file = dir.join("faults.csv").display().to_string();
            let c = Cols {
                file: file.clone(),
                header: &h,
            };
            let (ti, ki, pi) = (c.need("time_s")?, c.need("kind")?, c.need("partition")?);
            for (k, rec) in rows.iter().enumerate() {
                d.faults.push(FaultRow {
                    time: num(rec, ti, &file, k)?,
                    kind: rec.get(ki).unwrap_or("").to_string(),
                    partition: num(rec, pi, &file, k)? as u32,
                });
            }
        }

        let mut f = OpenCsv::open(dir, "jobs.csv", true)?.expect("required");
        d.jobs_total = count_rows(&dir.join("jobs.csv"))?;
        d.jobs_step = d.jobs_total.div_ceil(max_jobs.max(1)).max(1);
        let c = Cols {
            file: f.shown.clone(),
            header: &f.header,
        };
        let (fi, wi, ji) = (c.need("framework")?, c.need("wait_s")?, c.need("jct_s")?);
        let (ci, si, ti) = (c.find("class"), c.find("slowdown"), c.find("submit_s"));
        let sti = c.find("state");
        for (k, rec) in f.records().enumerate() {
            let rec = rec?;
            if k as u64 % d.jobs_step != 0 {
                continue;
            }
            d.jobs.push(JobRow {
                framework: rec.get(fi).unwrap_or("").to_string(),
                submit_s: opt_num(&rec, ti),
                class: ci.and_then(|i| rec.get(i)).unwrap_or("").to_string(),
                state: sti.and_then(|i| rec.get(i)).unwrap_or("").to_string(),
                wait_s: opt_num(&rec, Some(wi)),
                jct_s: opt_num(&rec, Some(ji)),
                slowdown: opt_num(&rec, si),
            });
        }
        Ok(d)
    }

    /// Frameworks in order of first appearance in `shares.csv`.
    pub fn frameworks(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.clients {
            if !out.contains(&c.framework) {
                out.push(c.framework.clone());
            }
        }
        out
    }

    pub fn end(&self) -> f64 {
        self.times.last().copied().unwrap_or(0.0)
    }
}

/// A partitioned run's fairness from `summary.json`: the whole run's
/// (`fairness`) and each partition's (`partitions[].fairness`, matched by
/// index). Left out where `summary.json` or a key is missing (charts are
/// drawn from what is there).
fn read_partition_fairness(dir: &Path, d: &mut RunData) {
    let Ok(text) = std::fs::read_to_string(dir.join("summary.json")) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let get = |f: &serde_json::Value, k: &str| f.get(k).and_then(|x| x.as_f64());
    d.run_fairness = v.get("fairness").and_then(|f| {
        Some([
            get(f, "jain")?,
            get(f, "min_max_ratio")?,
            get(f, "drf_distance")?,
        ])
    });
    let Some(parts) = v.get("partitions").and_then(|p| p.as_array()) else {
        return;
    };
    for p in parts {
        let Some(id) = p.get("partition").and_then(|x| x.as_u64()) else {
            continue;
        };
        let Some(f) = p.get("fairness") else { continue };
        if let (Some(series), Some(j), Some(m)) = (
            d.partitions.iter_mut().find(|s| s.name == id.to_string()),
            get(f, "jain"),
            get(f, "min_max_ratio"),
        ) {
            series.fairness = Some((j, m));
        }
    }
}

/// Title information from `summary.json`, or the folder's name.
fn read_meta(dir: &Path) -> Meta {
    let fallback = Meta {
        scenario: dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "results".into()),
        ..Meta::default()
    };
    let Ok(text) = std::fs::read_to_string(dir.join("summary.json")) else {
        return fallback;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return fallback;
    };
    let window = (|| {
        let from = v.get("window")?.get("from_s")?.as_f64()?;
        let to = v.get("window")?.get("to_s")?.as_f64()?;
        let end = v.get("end_time_s")?.as_f64()?;
        (from > 0.0 || to < end).then_some((from, to))
    })();
    Meta {
        scenario: v
            .get("scenario")
            .and_then(|s| s.as_str())
            .map(str::to_string)
            .unwrap_or(fallback.scenario),
        policy: v.get("policy").and_then(|s| s.as_str()).map(str::to_string),
        seed: v.get("seed").and_then(|s| s.as_u64()),
        window,
        end_s: v.get("end_time_s").and_then(|s| s.as_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::count_rows;

    #[test]
    fn rows_are_lines_after_the_header_with_or_without_a_final_newline() {
        let dir = std::env::temp_dir().join(format!("mesosim-count-rows-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases: [(&str, u64); 5] = [
            ("", 0),
            ("a,b\n", 0),
            ("a,b\n1,2\n", 1),
            ("a,b\n1,2\n3,4", 2),
            ("a,b\n1,2\n3,4\n5,6\n", 3),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let p = dir.join(format!("{i}.csv"));
            std::fs::write(&p, text).unwrap();
            assert_eq!(count_rows(&p).unwrap(), *want, "{text:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
