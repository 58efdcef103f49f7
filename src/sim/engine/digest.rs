//! The run's record digest, hashed on a second thread when the run is alone.
//!
//! The digest is SHA-256 over every record's bytes in order (the bytes are
//! built by `hash_record` in the engine; their definition is in
//! docs/format.md). SHA-256 is sequential, but nothing in the run reads the
//! digest before the end, so the bytes can be hashed anywhere as long as
//! they arrive in order: the engine appends them to a chunk, and a full
//! chunk goes to a hashing thread through a bounded channel while the run
//! goes on. The hash of the concatenation is the hash of the pieces in
//! order, so the digest is the same byte for byte whether a chunk is hashed
//! here or there.
//!
//! Where: a run started inside a rayon pool (`compare`, `check`, sweeps)
//! hashes its chunks on its own thread, because its pool already keeps
//! every core busy with other runs (and `--jobs 1` must stay one thread); a
//! run alone (`mesosim run`) starts the hashing thread when its first chunk
//! fills, so a short run never starts one. If the thread cannot be started,
//! the run hashes its chunks itself.

use sha2::{Digest, Sha256};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Bytes gathered before a chunk is hashed (about ten thousand records).
/// The hashing thread hashes a chunk faster than the run fills the next,
/// so it has parked by the time the next one comes: every chunk handed
/// over wakes it (an inter-processor interrupt on a virtual machine, or a
/// switch of threads on a core shared with the run), and the wake-up is
/// paid on the run's thread. 1 MB keeps that to about one a millisecond
/// of a busy run (docs/performance.md, "The helper threads' wake-ups
/// (stop 24)"; 256 KB until then).
const CHUNK: usize = 1024 * 1024;
/// Full chunks that may wait for the hashing thread before the run waits
/// (with the one being filled and the one being hashed, at most four
/// chunks' memory).
const IN_FLIGHT: usize = 2;

/// Whether a run hashes on a second thread (see the module's comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hashing {
    /// On the run's own thread.
    Inline,
    /// On a second thread once the first chunk fills.
    Background,
}

impl Hashing {
    /// `Inline` inside a rayon pool, `Background` otherwise.
    pub fn for_this_thread() -> Hashing {
        if rayon::current_thread_index().is_some() {
            Hashing::Inline
        } else {
            Hashing::Background
        }
    }
}

/// Room kept free at the end of the chunk being filled: at least one
/// record's bytes ([`RecordDigest::room`]).
pub const RECORD_ROOM: usize = 256;

/// A chunk's buffer: `CHUNK + RECORD_ROOM` bytes, of which the first
/// `len` are filled.
type Buffer = Box<[u8]>;

fn new_buffer() -> Buffer {
    vec![0u8; CHUNK + RECORD_ROOM].into_boxed_slice()
}

/// The hashing thread's end: filled chunks in, their buffers back for
/// reuse.
struct Worker {
    to: SyncSender<(Buffer, usize)>,
    back: Receiver<Buffer>,
    handle: JoinHandle<Sha256>,
}

pub struct RecordDigest {
    /// The chunk being filled: `buf[..len]`; `len < CHUNK` between calls,
    /// so `RECORD_ROOM` bytes are always free after it.
    buf: Buffer,
    len: usize,
    /// Hashes the chunks when no worker runs them.
    here: Sha256,
    worker: Option<Worker>,
    hashing: Hashing,
}

impl RecordDigest {
    pub fn new(hashing: Hashing) -> RecordDigest {
        RecordDigest {
            buf: new_buffer(),
            len: 0,
            here: Sha256::new(),
            worker: None,
            hashing,
        }
    }

    /// The room after the chunk's bytes, where a record's bytes are
    /// written in place (no buffer on the stack copied by a `memcpy` call
    /// a record); [`RecordDigest::commit`] then says how many were
    /// written. `None` is not reached (`len < CHUNK` between calls, so
    /// `RECORD_ROOM` bytes are always free); a caller then gives its bytes
    /// to [`RecordDigest::update`].
    #[inline(always)]
    pub fn room(&mut self) -> Option<&mut [u8; RECORD_ROOM]> {
        self.buf
            .get_mut(self.len..)
            .and_then(|rest| rest.first_chunk_mut::<RECORD_ROOM>())
    }

    /// Counts `n` bytes written into [`RecordDigest::room`] (at most
    /// `RECORD_ROOM`).
    #[inline(always)]
    pub fn commit(&mut self, n: usize) {
        self.len += n.min(RECORD_ROOM);
        if self.len >= CHUNK {
            self.hand_off();
        }
    }

    /// Appends bytes of any length.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let free = CHUNK.saturating_sub(self.len).max(1);
            let (now, later) = bytes.split_at(free.min(bytes.len()));
            self.buf[self.len..self.len + now.len()].copy_from_slice(now);
            self.len += now.len();
            bytes = later;
            if self.len >= CHUNK {
                self.hand_off();
            }
        }
    }

    /// A full chunk goes to the worker (started on the first), or is
    /// hashed here.
    #[cold]
    fn hand_off(&mut self) {
        if self.worker.is_none() && self.hashing == Hashing::Background {
            // A thread that cannot start leaves the hashing here, for good.
            self.worker = start_worker();
            if self.worker.is_none() {
                self.hashing = Hashing::Inline;
            }
        }
        let Some(w) = &self.worker else {
            self.here.update(&self.buf[..self.len]);
            self.len = 0;
            return;
        };
        let next = w.back.try_recv().unwrap_or_else(|_| new_buffer());
        let full = std::mem::replace(&mut self.buf, next);
        let len = std::mem::take(&mut self.len);
        if let Err(mpsc::SendError((full, len))) = w.to.send((full, len)) {
            // The worker is gone (it cannot panic on bytes; this is for
            // completeness): what it hashed is lost with it, so the digest
            // cannot be finished; `finish` reports that.
            self.buf = full;
            self.len = len;
        }
    }

    /// The SHA-256 of every byte given, in order.
    pub fn finish(mut self) -> Result<[u8; 32], &'static str> {
        match self.worker.take() {
            None => {
                self.here.update(&self.buf[..self.len]);
                Ok(self.here.finalize().into())
            }
            Some(w) => {
                let last = std::mem::take(&mut self.buf);
                let sent = w.to.send((last, self.len)).is_ok();
                drop(w.to);
                let hashed = w
                    .handle
                    .join()
                    .map_err(|_| "the digest's hashing thread stopped")?;
                if !sent {
                    return Err("the digest's hashing thread stopped");
                }
                Ok(hashed.finalize().into())
            }
        }
    }
}

fn start_worker() -> Option<Worker> {
    let (to, from) = mpsc::sync_channel::<(Buffer, usize)>(IN_FLIGHT);
    let (give_back, back) = mpsc::channel::<Buffer>();
    let handle = std::thread::Builder::new()
        .name("mesosim-digest".into())
        .spawn(move || {
            let mut h = Sha256::new();
            for (buf, len) in from {
                h.update(&buf[..len.min(buf.len())]);
                // The run may have finished and dropped its end: the
                // buffer is simply freed.
                let _ = give_back.send(buf);
            }
            h
        })
        .ok()?;
    Some(Worker { to, back, handle })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> Vec<u8> {
        // Varied record-like lengths, so chunk edges fall mid-record.
        let mut x: u32 = 12345;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    fn digest_of(hashing: Hashing, data: &[u8], piece: usize) -> [u8; 32] {
        let mut d = RecordDigest::new(hashing);
        for p in data.chunks(piece) {
            d.update(p);
        }
        d.finish().expect("the worker runs")
    }

    /// As `digest_of`, through `room` and `commit` (pieces written in place).
    fn digest_appended(hashing: Hashing, data: &[u8], piece: usize) -> [u8; 32] {
        let mut d = RecordDigest::new(hashing);
        for p in data.chunks(piece) {
            match d.room() {
                Some(room) => {
                    room[..p.len()].copy_from_slice(p);
                    d.commit(p.len());
                }
                None => d.update(p),
            }
        }
        d.finish().expect("the worker runs")
    }

    #[test]
    fn same_digest_inline_background_and_one_piece() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 10 * CHUNK + 77] {
            let data = bytes(n);
            let want: [u8; 32] = Sha256::digest(&data).into();
            for piece in [1, 57, 1000] {
                assert_eq!(digest_of(Hashing::Inline, &data, piece), want, "n={n}");
                assert_eq!(
                    digest_of(Hashing::Background, &data, piece),
                    want,
                    "n={n} piece={piece}"
                );
                for hashing in [Hashing::Inline, Hashing::Background] {
                    assert_eq!(
                        digest_appended(hashing, &data, piece.min(RECORD_ROOM)),
                        want,
                        "appended n={n} piece={piece}"
                    );
                }
            }
        }
    }

    #[test]
    fn inside_a_pool_hashes_inline() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        assert_eq!(pool.install(Hashing::for_this_thread), Hashing::Inline);
        assert_eq!(Hashing::for_this_thread(), Hashing::Background);
    }
}
