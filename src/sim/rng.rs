//! Named random streams derived from the scenario seed.
//!
//! Every source of randomness has its own ChaCha8 stream, keyed by the seed
//! and a stream name (`"agent-shuffle"`, `"task-durations"`, …), so that
//! changing the policy never changes what the workload draws (common random
//! numbers). The conversions from raw bits to numbers are written here, not
//! taken from `rand`'s distributions, so that they cannot change under us
//! between crate versions.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Derives the 32-byte key of a stream from the seed and the stream's name.
pub fn stream_key(seed: u64, name: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mesosim-stream-v1\0");
    h.update(seed.to_le_bytes());
    h.update(name.as_bytes());
    let out = h.finalize();
    let mut key = [0u8; 32];
    key.copy_from_slice(&out);
    key
}

/// A sequential random stream.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: ChaCha8Rng,
}

impl Stream {
    pub fn new(seed: u64, name: &str) -> Stream {
        Stream {
            rng: ChaCha8Rng::from_seed(stream_key(seed, name)),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in `[0, 1)`, 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`: safe for `ln`.
    pub fn next_open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)`, unbiased (rejection sampling). `n > 0`.
    ///
    /// A draw `x` is kept when it is below `zone = MAX − (MAX mod n)`, the
    /// largest multiple of `n` not above `u64::MAX`. Since `MAX mod n < n`,
    /// `zone > MAX − n`, so every `x ≤ MAX − n` is kept without the
    /// division that computes `zone`; only a draw in the top `n` values
    /// (for a shuffle of 12,500 agents, one in about 10^15) computes it.
    /// The same draws are kept as when `zone` was computed for every one.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let x = self.next_u64();
        if x <= u64::MAX - n {
            return x % n;
        }
        self.below_from(x, n)
    }

    /// [`Stream::below`] from a draw `x` in the top `n` values: kept if
    /// below the zone, else drawn again until one is.
    #[cold]
    #[inline(never)]
    fn below_from(&mut self, mut x: u64, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        while x >= zone {
            x = self.next_u64();
        }
        x % n
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Named sequential streams made on first use: each is
/// `Stream::new(seed, name + suffix)`, so a stream nobody draws from is
/// never made, and drawing from one never moves another. The allocator's
/// sorters draw from the one their policy names (`random-sorter`,
/// `lottery`); the suffix tells partitions apart (`/partition-1`).
#[derive(Clone, Debug)]
pub struct StreamSet {
    seed: u64,
    suffix: String,
    streams: Vec<(String, Stream)>,
}

impl StreamSet {
    pub fn new(seed: u64, suffix: &str) -> StreamSet {
        StreamSet {
            seed,
            suffix: suffix.to_string(),
            streams: Vec::new(),
        }
    }

    /// The stream called `name`, made now if it is the first use.
    pub fn get(&mut self, name: &str) -> &mut Stream {
        let at = match self.streams.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                let full = format!("{name}{}", self.suffix);
                self.streams
                    .push((name.to_string(), Stream::new(self.seed, &full)));
                self.streams.len() - 1
            }
        };
        &mut self.streams[at].1
    }
}

/// A counter-based family of streams: `draw(key, index)` gives a stream that
/// depends only on the seed, the family name, `key` and `index`, not on how
/// many draws happened before. Used for per-task durations so that a task's
/// duration is the same whatever order tasks launch in.
#[derive(Clone, Debug)]
pub struct StreamFamily {
    base: ChaCha8Rng,
}

/// Words of the ChaCha stream reserved per index (8 draws of 64 bits).
const WORDS_PER_INDEX: u128 = 16;

impl StreamFamily {
    pub fn new(seed: u64, name: &str) -> StreamFamily {
        StreamFamily {
            base: ChaCha8Rng::from_seed(stream_key(seed, name)),
        }
    }

    /// A stream positioned for `(key, index)`; good for up to 8 draws.
    pub fn at(&self, key: u64, index: u64) -> Stream {
        let mut rng = self.base.clone();
        rng.set_stream(key);
        rng.set_word_pos(index as u128 * WORDS_PER_INDEX);
        Stream { rng }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Stream::new(1, "x");
        let mut b = Stream::new(1, "x");
        let mut c = Stream::new(1, "y");
        let mut d = Stream::new(2, "x");
        let (va, vb, vc, vd) = (a.next_u64(), b.next_u64(), c.next_u64(), d.next_u64());
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        assert_ne!(va, vd);
    }

    #[test]
    fn family_is_order_independent() {
        let f = StreamFamily::new(7, "durations");
        let x1 = f.at(3, 10).next_u64();
        let _ = f.at(3, 11).next_u64();
        let x2 = f.at(3, 10).next_u64();
        assert_eq!(x1, x2);
        assert_ne!(f.at(3, 10).next_u64(), f.at(4, 10).next_u64());
        assert_ne!(f.at(3, 10).next_u64(), f.at(3, 11).next_u64());
    }

    /// `below` keeps exactly the draws the first definition kept (zone
    /// computed for every draw), so every stream gives what it gave.
    #[test]
    fn below_draws_as_with_the_zone_computed_every_time() {
        fn below_zone(s: &mut Stream, n: u64) -> u64 {
            let zone = u64::MAX - (u64::MAX % n);
            loop {
                let x = s.next_u64();
                if x < zone {
                    return x % n;
                }
            }
        }
        let mut ns: Vec<u64> = (1..2000).collect();
        for k in 1..64 {
            let p = 1u64 << k;
            ns.extend([p - 1, p, p + 1, p + p / 3]);
        }
        // Large bounds, where many draws are rejected.
        ns.extend([
            u64::MAX,
            u64::MAX - 1,
            u64::MAX / 2 + 2,
            (u64::MAX / 3) * 2 + 1,
        ]);
        let mut a = Stream::new(9, "below");
        let mut b = Stream::new(9, "below");
        for _ in 0..20 {
            for &n in &ns {
                assert_eq!(a.below(n), below_zone(&mut b, n), "n = {n}");
            }
        }
        assert_eq!(a.next_u64(), b.next_u64());
        let mut v: Vec<u32> = (0..12_500).collect();
        let mut w = v.clone();
        let (mut a, mut b) = (Stream::new(3, "s"), Stream::new(3, "s"));
        a.shuffle(&mut v);
        for i in (1..w.len()).rev() {
            let j = below_zone(&mut b, i as u64 + 1) as usize;
            w.swap(i, j);
        }
        assert_eq!(v, w);
    }

    #[test]
    fn below_and_f64_in_range() {
        let mut s = Stream::new(5, "t");
        for _ in 0..1000 {
            assert!(s.below(7) < 7);
            let u = s.next_f64();
            assert!((0.0..1.0).contains(&u));
            let o = s.next_open01();
            assert!(o > 0.0 && o <= 1.0);
        }
    }
}
