//! Safe output: every command that writes files writes them somewhere
//! temporary first and moves them into place only when all are complete, so
//! an interrupted or failed command leaves the old result (or nothing), never
//! a mixture, and never touches a file mesosim would not write.
//!
//! - [`OutDir`]: a results folder (`run`, `compare`, `plot --out`, and any
//!   new command that writes a folder). `OutDir::begin` checks the folder may
//!   be written and makes a hidden staging folder beside it; write everything
//!   into [`OutDir::path`]; [`OutDir::commit`] moves it into place. Dropped
//!   without a commit (an error, a panic), the staging folder is removed.
//! - [`OutFile`]: one output file (`import -o`, `generate -o`): written under
//!   a hidden temporary name beside it, renamed over it on commit; it refuses
//!   to overwrite the command's own input.
//!
//! A folder belongs to mesosim when it holds the marker file [`MARKER`],
//! which names the kind of folder (`run`, `compare`, `plot`) and whether it
//! is complete. Only such a folder of the same kind is replaced without
//! `--force`; `--force` lets mesosim write into any folder but still replaces
//! only the files that command writes (its [`Kind`]), never anything else.
//!
//! Ctrl-C (and SIGTERM/SIGHUP): [`install_interrupt_handler`] removes the
//! staging folders and temporary files of the commands in progress, waits
//! for a commit under way to finish, and exits 130.

use crate::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The ownership marker a results folder holds (mesosim writes no other file
/// of this name, and no other program does).
pub const MARKER: &str = ".mesosim-output";

/// The marker's text is `mesosim output: KIND\nstate: STATE\n`.
const MARKER_HEAD: &str = "mesosim output: ";

/// Exit code after Ctrl-C (128 + SIGINT, the shell convention).
pub const INTERRUPTED: i32 = 130;

/// The files one command writes into its folder.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    /// `run`, `compare`, `plot`: the command, shown in messages and stored
    /// in the marker.
    pub name: &'static str,
    /// Files at the top of the folder.
    pub files: &'static [&'static str],
    /// Charts (stem, what it shows), written as `.svg` or `.png`, in
    /// `charts/` (or at the top when `charts_at_top`).
    pub charts: &'static [(&'static str, &'static str)],
    pub charts_at_top: bool,
    /// Files of its own that it does not write this time are kept (`plot
    /// --png` keeps the SVG charts); otherwise a rerun removes them.
    pub additive: bool,
    /// Written last: a folder that has it is complete (`manifest.json`).
    pub last: Option<&'static str>,
    /// Further charts named `PREFIX*` (`sweep_` charts, one per swept
    /// parameter).
    pub chart_prefixes: &'static [&'static str],
    /// A folder of per-run records (`runs/<16 hex digits>.json`) kept in
    /// the folder itself between runs so that a command can resume: a
    /// commit replaces the records it stages and never removes the others
    /// (the command prunes them once the new result is in place).
    pub records: Option<&'static str>,
}

impl Kind {
    /// Whether `rel` (a path inside the folder, `/`-separated) is a file this
    /// command writes.
    pub fn owns(&self, rel: &str) -> bool {
        if rel == MARKER || self.files.contains(&rel) {
            return true;
        }
        let chart = if self.charts_at_top {
            Some(rel)
        } else {
            rel.strip_prefix("charts/")
        };
        let is_chart = chart.is_some_and(|c| {
            c.strip_suffix(".svg")
                .or_else(|| c.strip_suffix(".png"))
                .is_some_and(|stem| {
                    self.charts.iter().any(|(s, _)| *s == stem)
                        || self
                            .chart_prefixes
                            .iter()
                            .any(|p| stem.starts_with(p) && !stem.contains('/'))
                })
        });
        is_chart || self.is_record(rel)
    }

    /// Whether `rel` is one of the per-run records (`runs/<16 hex>.json`).
    pub fn is_record(&self, rel: &str) -> bool {
        let Some(dir) = self.records else {
            return false;
        };
        rel.strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_suffix(".json"))
            .is_some_and(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

/// Paths to remove if the process is interrupted; held while committing.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn register(p: &Path) {
    pending().push(p.to_path_buf());
}

fn unregister(p: &Path) {
    pending().retain(|q| q != p);
}

fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            // A writer may still be adding files: try until it is gone
            // (a busy machine can keep the writer going for a while).
            for _ in 0..200 {
                if std::fs::remove_dir_all(p).is_ok() || !p.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// `create_dir_all` for a folder inside a staging folder (charts/,
/// records/): it waits for the pending list, which the interrupt handler
/// holds until the process exits, so that a writer never re-creates a
/// staging folder the handler has just removed (`create_dir_all` makes
/// every missing ancestor; that left `.mesosim-tmp.*` folders behind).
pub fn make_dir(dir: &Path) -> Result<(), Error> {
    let _guard = pending();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))
}

/// Installs the Ctrl-C / SIGTERM / SIGHUP handler (once; later calls do
/// nothing). On a signal it waits for a commit under way, removes every
/// staging folder and temporary file, says so on stderr and exits 130.
pub fn install_interrupt_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let guard = pending();
            for p in guard.iter() {
                remove_any(p);
            }
            eprintln!("interrupted: nothing written; earlier results are unchanged");
            std::process::exit(INTERRUPTED);
        });
    });
}

/// Removes the swapped-out folder `dir` with its marker last, so that a
/// run killed while removing it leaves a folder `clean_stale` knows as
/// ours: one still holding the marker, or an empty one.
fn remove_marker_last(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name() != MARKER {
                remove_any(&e.path());
            }
        }
    }
    remove_any(dir);
}

/// `.mesosim-tmp.PID.NAME` beside `path`: same folder, so a rename moves it
/// into place; the name keeps `path`'s extension (`.csv.gz` stays gzip).
fn staging_name(path: &Path, what: &str) -> Result<PathBuf, Error> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file or folder name", path.display())))?;
    let parent = parent_of(path);
    Ok(parent.join(format!(
        ".mesosim-{what}.{}.{}",
        std::process::id(),
        name.to_string_lossy()
    )))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes `.mesosim-tmp.PID.NAME` leftovers of killed runs beside `path`
/// (only those whose process is gone, where that can be told, and only
/// folders holding the marker or plain files with the staging name).
fn clean_stale(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().to_string()) else {
        return;
    };
    let proc_fs = Path::new("/proc/self").exists();
    if !proc_fs {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent_of(path)) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        for what in ["tmp", "old"] {
            let Some(rest) = n.strip_prefix(&format!(".mesosim-{what}.")) else {
                continue;
            };
            let Some((pid, tail)) = rest.split_once('.') else {
                continue;
            };
            if tail != name || pid.parse::<u32>().is_err() {
                continue;
            }
            if pid == std::process::id().to_string() || Path::new("/proc").join(pid).exists() {
                continue;
            }
            let p = e.path();
            // A swapped-out folder whose removal was killed after its
            // marker went (`remove_marker_last`) is left empty.
            let ours = match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => {
                    p.join(MARKER).is_file() || (what == "old" && is_empty_dir(&p))
                }
                Ok(m) => m.is_file(),
                Err(_) => false,
            };
            if ours {
                remove_any(&p);
            }
        }
    }
}

/// What the marker in `dir` says: `(kind, complete)`.
pub fn read_marker(dir: &Path) -> Option<(String, bool)> {
    let p = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&p).ok()?;
    if !meta.is_file() || meta.len() > 4096 {
        return None;
    }
    let text = std::fs::read_to_string(&p).ok()?;
    let mut lines = text.lines();
    let kind = lines.next()?.strip_prefix(MARKER_HEAD)?.to_string();
    let complete = lines.next() == Some("state: complete");
    Some((kind, complete))
}

fn marker_text(kind: &str, complete: bool) -> String {
    format!(
        "{MARKER_HEAD}{kind}\nstate: {}\n",
        if complete { "complete" } else { "incomplete" }
    )
}

/// Writes `bytes` to `path` through a temporary file beside it and a
/// rename, so that an interrupted write never leaves half a file (Ctrl-C
/// removes the temporary file). A symlink at `path` is replaced, not
/// followed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = staging_name(path, "tmp")?;
    register(&tmp);
    let r = replace_with(&tmp, path, bytes);
    unregister(&tmp);
    r
}

/// [`write_atomic`] through the temporary file `tmp`, unregistered: for the
/// commit, which holds the lock of the pending list.
fn write_atomic_locked(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace_with(&staging_name(path, "tmp")?, path, bytes)
}

fn replace_with(tmp: &Path, path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let r = std::fs::write(tmp, bytes)
        .map_err(|e| Error::io(tmp.display(), e))
        .and_then(|()| std::fs::rename(tmp, path).map_err(|e| Error::io(path.display(), e)));
    if r.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    r
}

/// How the staged files get into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The folder is missing or empty: rename the staging folder onto it.
    Fresh,
    /// The folder is mesosim's and holds only its files: swap the whole
    /// folder (the old result stays until the new one is complete).
    Swap,
    /// The folder holds other files too: replace our files one by one,
    /// marked incomplete meanwhile; other files are left alone.
    Merge,
}

/// A results folder being written; see the module documentation.
#[derive(Debug)]
pub struct OutDir {
    target: PathBuf,
    staging: PathBuf,
    kind: Kind,
    /// Whether the folder carries the marker (not for `charts/` inside a
    /// run's folder, which the run's marker covers).
    marked: bool,
    committed: bool,
}

impl OutDir {
    /// For a folder whose owner the caller has checked (`plot` into the
    /// `charts/` of a run's folder): no marker is read or written, and only
    /// `kind`'s files are replaced.
    pub fn begin_unmarked(target: &Path, kind: Kind) -> Result<OutDir, Error> {
        let mut o = OutDir::begin(target, kind, true, &[])?;
        o.marked = false;
        let _ = std::fs::remove_file(o.staging.join(MARKER));
        Ok(o)
    }

    /// Checks that `target` may receive `kind`'s files and makes the staging
    /// folder. Without `force`, `target` must be missing, empty, or a
    /// folder of the same kind that mesosim wrote. `inputs` are files or
    /// folders the command reads: `target` may not be one of them.
    pub fn begin(
        target: &Path,
        kind: Kind,
        force: bool,
        inputs: &[&Path],
    ) -> Result<OutDir, Error> {
        let shown = target.display().to_string();
        for i in inputs {
            if same_file(i, target) {
                return Err(Error::Usage(format!(
                    "--out {shown}: is the command's own input; choose another folder"
                )));
            }
        }
        match std::fs::symlink_metadata(target) {
            Err(_) => {}
            Ok(m) => {
                let is_dir = m.is_dir() || (m.file_type().is_symlink() && target.is_dir());
                if !is_dir {
                    return Err(Error::Usage(format!(
                        "--out {shown}: exists and is not a folder"
                    )));
                }
                let empty = std::fs::read_dir(target)
                    .map_err(|e| Error::io(&shown, e))?
                    .next()
                    .is_none();
                match read_marker(target) {
                    _ if empty => {}
                    Some((k, _)) if k != kind.name => {
                        return Err(Error::Usage(format!(
                            "--out {shown}: holds the results of `mesosim {k}`; \
                             `mesosim {}` does not write into it: choose another folder",
                            kind.name
                        )));
                    }
                    Some(_) => {}
                    None if force => {}
                    None => {
                        return Err(Error::Usage(format!(
                            "--out {shown}: the folder is not empty and was not written by \
                             mesosim {} (it has no {MARKER} marker); choose another folder, or \
                             pass --force to write into it (--force replaces only the files \
                             `mesosim {}` writes and deletes nothing else)",
                            kind.name, kind.name
                        )));
                    }
                }
            }
        }
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(parent.display(), e))?;
        clean_stale(target);
        let staging = staging_name(target, "tmp")?;
        remove_any(&staging);
        register(&staging);
        let made = std::fs::create_dir(&staging)
            .map_err(|e| Error::io(staging.display(), e))
            .and_then(|()| {
                std::fs::write(staging.join(MARKER), marker_text(kind.name, false))
                    .map_err(|e| Error::io(staging.display(), e))
            });
        if let Err(e) = made {
            unregister(&staging);
            remove_any(&staging);
            return Err(e);
        }
        Ok(OutDir {
            target: target.to_path_buf(),
            staging,
            kind,
            marked: true,
            committed: false,
        })
    }

    /// For a command that keeps resumable records in the folder itself
    /// (`compare`'s `runs/`): makes the folder exist and, when it is new or
    /// empty, marks it as this kind's and incomplete, so that an interrupted
    /// command can be resumed without `--force`. An existing result stays
    /// complete until the commit (records are not part of it until then).
    pub fn claim(&self) -> Result<&Path, Error> {
        let t = &self.target;
        let empty = match std::fs::read_dir(t) {
            Ok(mut it) => it.next().is_none(),
            Err(_) => {
                std::fs::create_dir_all(t).map_err(|e| Error::io(t.display(), e))?;
                true
            }
        };
        if empty && self.marked {
            write_atomic(
                &t.join(MARKER),
                marker_text(self.kind.name, false).as_bytes(),
            )?;
        }
        Ok(t)
    }

    /// Where to write the files now (the staging folder).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the files end up in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staged files into place. Every staged file must be one
    /// `kind` owns (a bug otherwise).
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let mut guard = pending();
        let result = self.commit_locked();
        guard.retain(|q| q != &self.staging);
        drop(guard);
        if result.is_ok() {
            self.committed = true;
        }
        result.map(|()| self.target.clone())
    }

    fn mode(&self) -> Result<Mode, Error> {
        if !self.marked {
            return Ok(Mode::Merge);
        }
        let Ok(m) = std::fs::symlink_metadata(&self.target) else {
            return Ok(Mode::Fresh);
        };
        let files = files_under(&self.target)?;
        if files.is_empty() && m.is_dir() && !has_subdirs(&self.target) {
            return Ok(Mode::Fresh);
        }
        let marked = read_marker(&self.target).is_some();
        // Sub-folders other than charts/ are not ours either.
        let dirs_ours = std::fs::read_dir(&self.target)
            .map_err(|e| Error::io(self.target.display(), e))?
            .flatten()
            .all(|e| {
                !e.file_type().is_ok_and(|t| t.is_dir())
                    || (!self.kind.charts_at_top && e.file_name() == "charts")
            });
        // Records kept in the folder (a resumable command's) are not in the
        // staging folder: swapping would lose them.
        let has_records = files.iter().any(|f| self.kind.is_record(f));
        if marked
            && !has_records
            && !self.kind.additive
            && dirs_ours
            && m.is_dir()
            && files.iter().all(|f| self.kind.owns(f))
        {
            Ok(Mode::Swap)
        } else {
            Ok(Mode::Merge)
        }
    }

    fn commit_locked(&mut self) -> Result<(), Error> {
        let staged = files_under(&self.staging)?;
        for f in &staged {
            debug_assert!(self.kind.owns(f), "{f} is not a {} file", self.kind.name);
        }
        let target = self.target.clone();
        let io = |p: &Path, e| Error::io(p.display(), e);
        match self.mode()? {
            Mode::Fresh => {
                write_atomic_locked(
                    &self.staging.join(MARKER),
                    marker_text(self.kind.name, true).as_bytes(),
                )?;
                if std::fs::rename(&self.staging, &target).is_err() {
                    // An empty folder some systems will not replace.
                    if target.is_dir() {
                        std::fs::remove_dir_all(&target).map_err(|e| io(&target, e))?;
                    }
                    std::fs::rename(&self.staging, &target).map_err(|e| io(&target, e))?;
                }
            }
            Mode::Swap => {
                write_atomic_locked(
                    &self.staging.join(MARKER),
                    marker_text(self.kind.name, true).as_bytes(),
                )?;
                let old = staging_name(&target, "old")?;
                remove_any(&old);
                std::fs::rename(&target, &old).map_err(|e| io(&target, e))?;
                if let Err(e) = std::fs::rename(&self.staging, &target) {
                    let _ = std::fs::rename(&old, &target);
                    return Err(io(&target, e));
                }
                remove_marker_last(&old);
            }
            Mode::Merge => {
                // 1. Claim the folder as incomplete; 2. remove every file of
                // ours (the complete-marking one first), whether or not the
                // new result has it; 3. move the new files in, the
                // complete-marking one last; 4. mark complete.
                if self.marked {
                    write_atomic_locked(
                        &target.join(MARKER),
                        marker_text(self.kind.name, false).as_bytes(),
                    )?;
                }
                let mut old: Vec<String> = files_under(&target)?
                    .into_iter()
                    .filter(|f| f != MARKER && self.kind.owns(f))
                    .filter(|f| !self.kind.additive || staged.contains(f))
                    .filter(|f| !self.kind.is_record(f) || staged.contains(f))
                    .collect();
                old.sort_by_key(|f| Some(f.as_str()) != self.kind.last);
                for f in &old {
                    let p = target.join(f);
                    std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
                }
                let mut new: Vec<&String> = staged.iter().filter(|f| *f != MARKER).collect();
                new.sort_by_key(|f| Some(f.as_str()) == self.kind.last);
                for f in new {
                    let from = self.staging.join(f);
                    let to = target.join(f);
                    if let Some(dir) = to.parent() {
                        if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
                            return Err(Error::Usage(format!(
                                "--out {}: {} is not a folder; move it away",
                                target.display(),
                                dir.display()
                            )));
                        }
                        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                    }
                    std::fs::rename(&from, &to).map_err(|e| io(&to, e))?;
                }
                if self.marked {
                    write_atomic_locked(
                        &target.join(MARKER),
                        marker_text(self.kind.name, true).as_bytes(),
                    )?;
                }
                remove_any(&self.staging);
            }
        }
        Ok(())
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut guard = pending();
            remove_any(&self.staging);
            guard.retain(|q| q != &self.staging);
        }
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut it| it.next().is_none())
}

fn has_subdirs(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut it| it.any(|e| e.is_ok()))
}

/// Every non-folder entry under `dir` (files and symlinks, not followed),
/// as `/`-separated relative paths, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<String>, Error> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, depth: usize) -> Result<(), Error> {
        if depth > 8 {
            return Ok(());
        }
        for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))? {
            let e = e.map_err(|e| Error::io(dir.display(), e))?;
            let name = e.file_name().to_string_lossy().to_string();
            let rel = format!("{prefix}{name}");
            let ft = e
                .file_type()
                .map_err(|er| Error::io(e.path().display(), er))?;
            if ft.is_dir() {
                walk(&e.path(), &format!("{rel}/"), out, depth + 1)?;
            } else {
                out.push(rel);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, "", &mut out, 0)?;
    }
    out.sort();
    Ok(out)
}

/// Whether two paths name the same existing file or folder.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// One output file written through a temporary file beside it.
#[derive(Debug)]
pub struct OutFile {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl OutFile {
    /// Refuses `target` when it is one of `inputs` or an existing folder,
    /// and picks the temporary name (`.mesosim-tmp.PID.NAME`, same
    /// extension). Write to [`OutFile::path`], then [`OutFile::commit`].
    pub fn begin(target: &Path, inputs: &[&Path]) -> Result<OutFile, Error> {
        for i in inputs {
            if same_file(i, target) {
                return Err(Error::Usage(format!(
                    "-o {}: is the command's own input; write to another file",
                    target.display()
                )));
            }
        }
        if target.is_dir() {
            return Err(Error::Usage(format!(
                "-o {}: is a folder; give a file name",
                target.display()
            )));
        }
        let tmp = staging_name(target, "tmp")?;
        clean_stale(target);
        register(&tmp);
        Ok(OutFile {
            target: target.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Where to write now.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the finished file over the target (a symlink at the target
    /// is replaced, not followed).
    pub fn commit(mut self) -> Result<(), Error> {
        let mut guard = pending();
        let r = std::fs::rename(&self.tmp, &self.target)
            .map_err(|e| Error::io(self.target.display(), e));
        guard.retain(|q| q != &self.tmp);
        drop(guard);
        if r.is_ok() {
            self.committed = true;
        }
        r
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if !self.committed {
            let mut guard = pending();
            let _ = std::fs::remove_file(&self.tmp);
            guard.retain(|q| q != &self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: Kind = Kind {
        name: "test",
        files: &["a.txt", "manifest.json"],
        charts: &[("c", "a chart")],
        charts_at_top: false,
        additive: false,
        last: Some("manifest.json"),
        chart_prefixes: &["s_"],
        records: Some("runs"),
    };

    fn tmp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("mesosim-outdir-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    fn write(o: &OutDir, text: &str) {
        std::fs::write(o.path().join("a.txt"), text).unwrap();
        std::fs::create_dir_all(o.path().join("charts")).unwrap();
        std::fs::write(o.path().join("charts/c.svg"), text).unwrap();
        std::fs::write(o.path().join("manifest.json"), text).unwrap();
    }

    #[test]
    fn owns_only_its_files() {
        assert!(K.owns("a.txt") && K.owns("charts/c.svg") && K.owns("charts/c.png"));
        assert!(K.owns(MARKER));
        assert!(!K.owns("charts/figure1.pdf") && !K.owns("b.txt") && !K.owns("c.svg"));
        assert!(K.owns("charts/s_x.svg") && !K.owns("charts/t_x.svg"));
        assert!(K.owns("runs/0123456789abcdef.json"));
        assert!(!K.owns("runs/notes.json") && !K.owns("runs/0123456789abcdef.txt"));
    }

    #[test]
    fn fresh_swap_and_merge() {
        let root = tmp("modes");
        let d = root.join("out");
        let o = OutDir::begin(&d, K, false, &[]).unwrap();
        write(&o, "1");
        assert!(!d.exists(), "nothing in place before the commit");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.txt")).unwrap(), "1");
        assert_eq!(read_marker(&d), Some(("test".into(), true)));
        // Rerun: the old result stays until the commit.
        let o = OutDir::begin(&d, K, false, &[]).unwrap();
        write(&o, "2");
        assert_eq!(std::fs::read_to_string(d.join("a.txt")).unwrap(), "1");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.txt")).unwrap(), "2");
        // A user's file in it: kept, ours replaced.
        std::fs::write(d.join("charts/figure1.pdf"), "mine").unwrap();
        let o = OutDir::begin(&d, K, false, &[]).unwrap();
        std::fs::write(o.path().join("a.txt"), "3").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.txt")).unwrap(), "3");
        assert_eq!(
            std::fs::read_to_string(d.join("charts/figure1.pdf")).unwrap(),
            "mine"
        );
        assert!(
            !d.join("charts/c.svg").exists(),
            "old files of ours are gone"
        );
        assert!(!d.join("manifest.json").exists());
        // No staging leftovers.
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(left.len(), 1);
        let _ = std::fs::remove_dir_all(&root);
    }

    /// A run killed while it removed its swapped-out folder leaves it
    /// with the marker (its files not all gone) or empty (the marker, last,
    /// gone): the next run clears either; a folder of that name holding
    /// files but no marker is not ours and stays.
    #[test]
    fn a_killed_swap_s_old_folder_is_cleared_by_the_next_run() {
        let root = tmp("stale-old");
        std::fs::create_dir_all(&root).unwrap();
        let d = root.join("out");
        // No process has this id (above Linux's limit of 2^22).
        let dead = |n: &str| root.join(format!(".mesosim-old.4000000000.{n}"));
        std::fs::create_dir_all(dead("out")).unwrap();
        std::fs::create_dir_all(dead("out").join("charts")).unwrap();
        std::fs::write(dead("out").join("charts/c.svg"), "1").unwrap();
        std::fs::write(dead("out").join(MARKER), marker_text("test", true)).unwrap();
        clean_stale(&d);
        assert!(!dead("out").exists(), "with the marker");
        std::fs::create_dir_all(dead("out")).unwrap();
        clean_stale(&d);
        assert!(!dead("out").exists(), "empty");
        std::fs::create_dir_all(dead("out")).unwrap();
        std::fs::write(dead("out").join("notes.txt"), "mine").unwrap();
        clean_stale(&d);
        assert!(dead("out").join("notes.txt").is_file(), "not ours");
        // The swap removes the old folder whole, its marker last.
        let old = root.join("old");
        std::fs::create_dir_all(old.join("charts")).unwrap();
        std::fs::write(old.join("charts/c.svg"), "1").unwrap();
        std::fs::write(old.join(MARKER), "x").unwrap();
        remove_marker_last(&old);
        assert!(!old.exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn foreign_folders_need_force_and_keep_their_files() {
        let root = tmp("foreign");
        let d = root.join("out");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("manifest.json"), "{}").unwrap();
        std::fs::write(d.join("index.html"), "app").unwrap();
        let e = OutDir::begin(&d, K, false, &[]).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        let o = OutDir::begin(&d, K, true, &[]).unwrap();
        write(&o, "x");
        o.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("index.html")).unwrap(),
            "app"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("manifest.json")).unwrap(),
            "x"
        );
        // Another kind never writes into it.
        let other = Kind { name: "other", ..K };
        assert!(OutDir::begin(&d, other, true, &[]).is_err());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let root = tmp("drop");
        let d = root.join("out");
        {
            let o = OutDir::begin(&d, K, false, &[]).unwrap();
            write(&o, "1");
        }
        assert!(!d.exists());
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn symlinks_are_replaced_not_followed() {
        let root = tmp("links");
        let d = root.join("out");
        let o = OutDir::begin(&d, K, false, &[]).unwrap();
        write(&o, "1");
        o.commit().unwrap();
        let victim = root.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::fs::remove_file(d.join("a.txt")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, d.join("a.txt")).unwrap();
        let o = OutDir::begin(&d, K, false, &[]).unwrap();
        write(&o, "2");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(d.join("a.txt")).unwrap(), "2");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn out_file_refuses_its_input_and_renames() {
        let root = tmp("file");
        std::fs::create_dir_all(&root).unwrap();
        let input = root.join("in.csv");
        std::fs::write(&input, "x").unwrap();
        assert!(OutFile::begin(&input, &[&input]).is_err());
        let out = root.join("out.csv.gz");
        let f = OutFile::begin(&out, &[&input]).unwrap();
        assert!(f.path().to_string_lossy().ends_with(".csv.gz"));
        std::fs::write(f.path(), "y").unwrap();
        assert!(!out.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "y");
        let _ = std::fs::remove_dir_all(&root);
    }
}
