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

/// Bytes gathered before a chunk is hashed (a few thousand records): large
/// enough that handing chunks over (a wake-up of the hashing thread each)
/// costs little, small enough to stay in the second-level cache.
const CHUNK: usize = 256 * 1024;
/// Full chunks that may wait for the hashing thread before the run waits.
const IN_FLIGHT: usize = 4;

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

/// The hashing thread's end: chunks in, emptied chunks back for reuse.
struct Worker {
    to: SyncSender<Vec<u8>>,
    back: Receiver<Vec<u8>>,
    handle: JoinHandle<Sha256>,
}

pub struct RecordDigest {
    chunk: Vec<u8>,
    /// Hashes the chunks when no worker runs them.
    here: Sha256,
    worker: Option<Worker>,
    hashing: Hashing,
}

impl RecordDigest {
    pub fn new(hashing: Hashing) -> RecordDigest {
        RecordDigest {
            chunk: Vec::new(),
            here: Sha256::new(),
            worker: None,
            hashing,
        }
    }

    /// Appends one record's bytes.
    #[inline]
    pub fn update(&mut self, bytes: &[u8]) {
        self.chunk.extend_from_slice(bytes);
        if self.chunk.len() >= CHUNK {
            self.hand_off();
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
            self.here.update(&self.chunk);
            self.chunk.clear();
            return;
        };
        let next = w
            .back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK + 256));
        let full = std::mem::replace(&mut self.chunk, next);
        if let Err(mpsc::SendError(full)) = w.to.send(full) {
            // The worker is gone (it cannot panic on bytes; this is for
            // completeness): what it hashed is lost with it, so the digest
            // cannot be finished; `finish` reports that.
            self.chunk = full;
        }
    }

    /// The SHA-256 of every byte given, in order.
    pub fn finish(mut self) -> Result<[u8; 32], &'static str> {
        match self.worker.take() {
            None => {
                self.here.update(&self.chunk);
                Ok(self.here.finalize().into())
            }
            Some(w) => {
                let last = std::mem::take(&mut self.chunk);
                let sent = w.to.send(last).is_ok();
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
    let (to, from) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
    let (give_back, back) = mpsc::channel::<Vec<u8>>();
    let handle = std::thread::Builder::new()
        .name("mesosim-digest".into())
        .spawn(move || {
            let mut h = Sha256::new();
            for mut chunk in from {
                h.update(&chunk);
                chunk.clear();
                // The run may have finished and dropped its end: the chunk
                // is simply freed.
                let _ = give_back.send(chunk);
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
