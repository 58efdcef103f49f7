//! Opening trace files: plain or gzip (recognised by its magic bytes, not
//! the name), and reading lines with a length limit so that a hostile file
//! cannot make one line eat the memory.

use crate::error::InputError;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest line accepted in a trace file.
pub const MAX_LINE_BYTES: usize = 1 << 20;

const BUF: usize = 1 << 18;

/// Refuses anything but a regular file (or a symlink to one): a folder, a
/// device (`/dev/zero` has no size and never ends), a FIFO (opening it
/// blocks until a writer comes) or a socket. `what` names the expected
/// file in the message (`a scenario file`).
pub fn check_regular(
    path: &Path,
    shown: &str,
    what: &str,
) -> Result<std::fs::Metadata, InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(InputError::new(
            shown,
            format!("is a directory, not {what}"),
        ));
    }
    if !meta.is_file() {
        return Err(InputError::new(
            shown,
            format!("is not a regular file (a device, FIFO or socket), not {what}"),
        ));
    }
    Ok(meta)
}

/// Reads a whole regular file of at most `max` bytes (checked while
/// reading too: the file may grow meanwhile).
pub fn read_bounded(path: &Path, shown: &str, what: &str, max: u64) -> Result<Vec<u8>, InputError> {
    let meta = check_regular(path, shown, what)?;
    let too_big = |len: u64| {
        InputError::new(
            shown,
            format!(
                "the file is {} MB; files over {} MB are refused here (use a CSV trace for big workloads)",
                len / (1024 * 1024),
                max / (1024 * 1024)
            ),
        )
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    let f = File::open(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text; invalid UTF-8 is an error at its line
/// and column.
pub fn read_text_bounded(
    path: &Path,
    shown: &str,
    what: &str,
    max: u64,
) -> Result<String, InputError> {
    let bytes = read_bounded(path, shown, what, max)?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        InputError::new(shown, "the file is not valid UTF-8 (save it as UTF-8)").at(line, col)
    })
}

/// Opens a trace for reading, decompressing gzip transparently.
pub fn open(path: &Path, shown: &str) -> Result<Box<dyn BufRead>, InputError> {
    if let Err(e) = std::fs::metadata(path) {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            " (a trace that `mesosim generate` or `mesosim import` makes must be written \
             there first; the path is relative to the scenario file)"
        } else {
            ""
        };
        return Err(InputError::new(
            shown,
            format!("cannot read the file: {e}{hint}"),
        ));
    }
    check_regular(path, shown, "a trace file")?;
    let mut f = File::open(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut f, &mut magic)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    let f = File::open(path)
        .map_err(|e| InputError::new(shown, format!("cannot read the file: {e}")))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(
            BUF,
            MultiGzDecoder::new(BufReader::with_capacity(BUF, f)),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUF, f)))
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads lines one at a time, numbering them from 1.
pub struct Lines {
    reader: Box<dyn BufRead>,
    shown: String,
    pub line: u64,
    buf: Vec<u8>,
}

impl Lines {
    pub fn new(reader: Box<dyn BufRead>, shown: &str) -> Lines {
        Lines {
            reader,
            shown: shown.to_string(),
            line: 0,
            buf: Vec::new(),
        }
    }

    /// The next line without its end (`\n` or `\r\n`) and its number, or
    /// `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<(u64, &str)>, InputError> {
        self.buf.clear();
        let n = (&mut self.reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| self.io_error(e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.len() > MAX_LINE_BYTES {
            return Err(InputError::new(
                &self.shown,
                format!("line is longer than {MAX_LINE_BYTES} bytes; refused"),
            )
            .at(self.line as usize, 1));
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        // A byte-order mark, as spreadsheets write before the header.
        if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
        }
        let line = self.line;
        std::str::from_utf8(&self.buf)
            .map(|s| Some((line, s)))
            .map_err(|e| {
                InputError::new(&self.shown, "the line is not valid UTF-8")
                    .at(line as usize, e.valid_up_to() + 1)
            })
    }

    /// The line `next_line` last returned.
    pub fn current(&self) -> &str {
        std::str::from_utf8(&self.buf).unwrap_or("")
    }

    fn io_error(&self, e: std::io::Error) -> InputError {
        let msg = if e.kind() == std::io::ErrorKind::InvalidInput
            || e.kind() == std::io::ErrorKind::InvalidData
        {
            format!("the file is damaged or not gzip: {e}")
        } else {
            format!("cannot read the file: {e}")
        };
        InputError::new(&self.shown, msg).at(self.line as usize + 1, 1)
    }
}

/// Splits a comma-separated line into fields with their 1-based columns
/// (the trace formats here never quote).
pub fn split_commas(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b',' {
            out.push((start + 1, &line[start..i]));
            start = i + 1;
        }
    }
    out.push((start + 1, &line[start..]));
    out
}

/// Splits a whitespace-separated line into fields with their 1-based columns.
pub fn split_whitespace(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, b) in line.bytes().enumerate() {
        let ws = b == b' ' || b == b'\t';
        match (ws, start) {
            (true, Some(s)) => {
                out.push((s + 1, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s + 1, &line[s..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_columns() {
        assert_eq!(split_commas("a,,bc"), vec![(1, "a"), (3, ""), (4, "bc")]);
        assert_eq!(
            split_whitespace("  1  22\t3"),
            vec![(3, "1"), (6, "22"), (9, "3")]
        );
    }
}
