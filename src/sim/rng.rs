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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

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
pub struct Stream {
    rng: ChaCha8Rng,
    /// The stream's words made ahead on another thread ([`Ahead`]): when
    /// set, every draw comes from it, and `rng` stays where the stream
    /// was when it started.
    ahead: Option<Box<Ahead<ChaCha8Rng>>>,
    /// Draws its shuffles and passes have taken (saturating): the words
    /// are made ahead once this reaches [`AHEAD_AFTER`] (`u64::MAX` in a
    /// clone: never).
    drawn: u64,
}

impl Clone for Stream {
    /// A stream at the same word, making its own words, and never
    /// starting a thread to make them ahead (its count of draws is
    /// spent): a benchmark or a test that clones a stream for each run
    /// times or checks one run, not a thread's start and stop.
    fn clone(&self) -> Stream {
        Stream {
            rng: match &self.ahead {
                None => self.rng.clone(),
                Some(a) => a.here(),
            },
            ahead: None,
            drawn: u64::MAX,
        }
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = match &self.ahead {
            None => self.rng.get_word_pos(),
            Some(a) => a.here().get_word_pos(),
        };
        f.debug_struct("Stream")
            .field("word", &word)
            .field("ahead", &self.ahead.is_some())
            .finish()
    }
}

thread_local! {
    /// What [`Stream::shuffle`] divides by, worked out once per thread
    /// for every stream: entry `i` for the bound `i + 1` ([`Divisor`]),
    /// grown to the longest list shuffled yet. A pure function of the
    /// bounds, so it changes no draw; kept out of the streams so that a
    /// stream made or cloned afresh (a benchmark's, a partition's) does
    /// not work them out again.
    static DIVISORS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Words a shuffle draws, a block at a time: `fill` writes the next
/// `buf.len() / 8` 64-bit draws, little-endian, exactly the words as many
/// calls of `next_u64` would give.
trait Words {
    fn fill(&mut self, buf: &mut [u8]);
}

impl Words for ChaCha8Rng {
    /// `fill_bytes` copies the generator's 32-bit words in order, and
    /// `next_u64` is the next two of them, the first the low half: so 8
    /// bytes read little-endian are one `next_u64`, across the buffer's
    /// refills too (unit test `shuffle_draws_as_below_did`).
    #[inline]
    fn fill(&mut self, buf: &mut [u8]) {
        self.fill_bytes(buf);
    }
}

/// Draws a shuffle takes from its stream at a time (at most the draws it
/// still needs, so it never takes a word the old definition did not).
const SHUFFLE_BLOCK: usize = 64;

/// `x mod n` without a division: the multiplier of Granlund and
/// Montgomery ("Division by invariant integers using multiplication",
/// 1994, figure 4.1) for 64-bit dividends and a divisor `n >= 2`:
/// `l = ceil(log2 n)`, `m = floor(2^(64+l) / n) - 2^64 + 1`, and
/// `q = (t + ((x - t) >> 1)) >> (l - 1)` with `t = (m·x) >> 64` is
/// `floor(x / n)` for every 64-bit `x`. So [`Divisor::rem`] is exactly
/// `x % n` (unit test `divisor_rem_is_the_remainder`).
struct Divisor;

impl Divisor {
    /// The multiplier for `n` (`2 <= n <= 2^63`).
    fn multiplier(n: u64) -> u64 {
        debug_assert!((2..=1u64 << 63).contains(&n));
        let l = 64 - (n - 1).leading_zeros();
        if n <= 1 << 32 {
            // floor(2^(64+l) / n) is 2^64 + floor(r · 2^64 / n) with
            // r = 2^l − n < n (as 2^(l−1) < n <= 2^l), so m is that second
            // quotient plus one; r · 2^64 divided 32 bits at a time (r and
            // each remainder are below n <= 2^32, so every step fits 64
            // bits): two divisions, not a 128-bit one.
            let r = (1u64 << l) - n;
            let a = r << 32;
            let (q1, r1) = (a / n, a % n);
            let q2 = (r1 << 32) / n;
            return ((q1 << 32) | q2) + 1;
        }
        Self::multiplier_wide(n)
    }

    /// [`Divisor::multiplier`] by the definition, in 128 bits.
    fn multiplier_wide(n: u64) -> u64 {
        let l = 64 - (n - 1).leading_zeros();
        (((1u128 << (64 + l)) / n as u128) + 1 - (1u128 << 64)) as u64
    }

    /// `x % n`, given `m = Divisor::multiplier(n)`.
    #[inline(always)]
    fn rem(x: u64, n: u64, m: u64) -> u64 {
        let shift = 63 - (n - 1).leading_zeros();
        let t = ((x as u128 * m as u128) >> 64) as u64;
        let q = (t + ((x - t) >> 1)) >> shift;
        x - q * n
    }
}

/// Fisher–Yates over `items` with the draws of `words`, as
/// [`Stream::below`] makes them: for `i` from the end down to 1, a draw
/// `x` kept when `x <= MAX − (i + 1)` (else [`shuffle_reject`]) and
/// `j = x mod (i + 1)`, then `items.swap(i, j)`. The words come a block
/// at a time into a local buffer (no generator index to load and store
/// per draw), and `x mod (i + 1)` is a multiply (`divisors[i]`), not a
/// 64-bit division: the same words, the same `j`, the same permutation.
///
/// A block's `j`s are worked out first, all of them, and its swaps made
/// after: the remainders of one block depend on nothing the swaps write,
/// so the processor works them out side by side instead of each behind
/// the last swap's loads and stores (2.3 times faster on 12,500 items:
/// docs/performance.md, "A shuffle's draws before its swaps (stop 33)").
/// A block with a draw that may be rejected (`x > MAX − (i + 1)`, about
/// one in 2^50 here) is shuffled draw by draw instead, from its first
/// draw ([`shuffle_from`]): no swap of it has been made yet, and a
/// rejection takes more words, which moves every later draw.
fn shuffle_with<T, W: Words>(words: &mut W, divisors: &[u64], items: &mut [T]) {
    let mut buf = [0u8; 8 * SHUFFLE_BLOCK];
    let mut js = [0usize; SHUFFLE_BLOCK];
    let mut i = items.len().saturating_sub(1);
    while i >= 1 {
        // Draws still needed: at least one for each i down to 1.
        let have = SHUFFLE_BLOCK.min(i);
        words.fill(&mut buf[..8 * have]);
        let mut doubt = false;
        for (t, j) in js[..have].iter_mut().enumerate() {
            let x = word_at(&buf, t);
            let n = (i - t) as u64 + 1;
            doubt |= x > u64::MAX - n;
            // Exact for every x (`Divisor::rem`); not used if in doubt.
            *j = Divisor::rem(x, n, divisors[i - t]) as usize;
        }
        if doubt {
            shuffle_from(words, divisors, &mut items[..=i], &mut buf, have);
            return;
        }
        for (t, &j) in js[..have].iter().enumerate() {
            items.swap(i - t, j);
        }
        i -= have;
    }
}

/// [`shuffle_with`] draw by draw, from the start of a block: `items` are
/// those still to shuffle (`i` from `items.len() − 1` down to 1) and
/// `buf` holds the block's `have` draws, none taken yet.
#[cold]
#[inline(never)]
fn shuffle_from<T, W: Words>(
    words: &mut W,
    divisors: &[u64],
    items: &mut [T],
    buf: &mut [u8; 8 * SHUFFLE_BLOCK],
    have: usize,
) {
    let (mut at, mut have) = (0, have);
    for i in (1..items.len()).rev() {
        if at == have {
            have = SHUFFLE_BLOCK.min(i);
            words.fill(&mut buf[..8 * have]);
            at = 0;
        }
        let x = word_at(buf, at);
        at += 1;
        let n = i as u64 + 1;
        let j = if x <= u64::MAX - n {
            Divisor::rem(x, n, divisors[i])
        } else {
            shuffle_reject(words, buf, &mut at, &mut have, i, x)
        };
        items.swap(i, j as usize);
    }
}

/// Takes from `words` exactly the words [`shuffle_with`] takes to shuffle
/// `len` items (`len <= 2^32`), permuting nothing: for a run that will
/// use no order of its agents, only where its stream is left matters. A
/// block of words none of which has its high 32 bits all ones is at most
/// `2^64 − 2^32 − 1 <= MAX − (i + 1)` for every bound `i + 1 <= 2^32`,
/// so the shuffle keeps it whole (no draw in it is rejected) and it is
/// passed with one vector test, not a look at each word; from the first
/// block with such a word on, the words are looked at one by one as the
/// shuffle does (rejections redraw through [`shuffle_reject`]).
fn pass_with<W: Words>(words: &mut W, len: usize) {
    debug_assert!(len <= 1 << 32);
    let mut buf = [0u8; 8 * SHUFFLE_BLOCK];
    let mut i = len.saturating_sub(1);
    while i >= 1 {
        // As the shuffle fills at index i: the draws still needed, at most
        // a block.
        let have = SHUFFLE_BLOCK.min(i);
        words.fill(&mut buf[..8 * have]);
        let high_ones = buf[..8 * have]
            .chunks_exact(8)
            .fold(0u32, |any, w| any | u32::from(w[4..] == [0xff; 4]));
        if high_ones == 0 {
            i -= have;
            continue;
        }
        let (mut at, mut have) = (0, have);
        for i in (1..=i).rev() {
            if at == have {
                have = SHUFFLE_BLOCK.min(i);
                words.fill(&mut buf[..8 * have]);
                at = 0;
            }
            let x = word_at(&buf, at);
            at += 1;
            if x > u64::MAX - (i as u64 + 1) {
                shuffle_reject(words, &mut buf, &mut at, &mut have, i, x);
            }
        }
        return;
    }
}

/// Words that can be moved on without being looked at: the generator a
/// stream made ahead falls back on, and what its clones start from.
trait Seek: Words + Clone + Send + 'static {
    /// Moves on by `bytes` (a multiple of 4) as `fill` of that many would.
    fn skip(&mut self, bytes: u64);
}

impl Seek for ChaCha8Rng {
    fn skip(&mut self, bytes: u64) {
        debug_assert!(bytes % 4 == 0);
        let at = self.get_word_pos();
        self.set_word_pos(at + u128::from(bytes / 4));
    }
}

/// Draws a stream's shuffles take before its words are made ahead on
/// another thread (about 50 runs of 10,000 agents): a short run, a test,
/// a small scenario never starts one.
const AHEAD_AFTER: u64 = 1 << 20;
/// Bytes of words in a chunk made ahead (a multiple of 8).
const AHEAD_CHUNK: usize = 128 * 1024;
/// Chunks in the pool: at most this many made ahead and not yet spent
/// (4 MB of words, about 50 passes of 10,000 agents). Spent chunks go back
/// half the pool at a time, one wake-up of the thread each; the other half
/// is still ahead of the stream while the thread refills, so a run of idle
/// passes (which take their words without reading them) seldom waits for
/// words (docs/performance.md, "The helper threads' wake-ups (stop 24)";
/// 8 until then).
const AHEAD_POOL: usize = 32;
/// Streams making words ahead at once, in the whole process.
const AHEAD_MAX_LIVE: usize = 2;
static AHEAD_LIVE: AtomicUsize = AtomicUsize::new(0);

/// What the stream sends the thread making its words ahead.
enum ToMaker {
    /// Spent chunks to fill again.
    Spent(Vec<Chunk>),
    /// A guess that the stream's next draws, from byte `at` of the words
    /// made ahead on, are two shuffles of `len` items
    /// ([`Stream::shuffle_twice`]): the thread works out their
    /// permutation of `0..len` into `buf` ([`permute_twice`]).
    /// `ahead`: the guess follows a run's double shuffle (not an idle
    /// run's pass), so the thread may work out the runs after it too.
    Permute {
        at: u64,
        len: usize,
        buf: Vec<u32>,
        ahead: bool,
    },
}

/// The thread's answer to a [`ToMaker::Permute`], in the order asked
/// (`asked`), or a permutation it worked out ahead of any guess (not
/// `asked`: see [`SPECULATE`]): `order` is what two shuffles of `0..len`
/// from byte `at` on make of it, and `bytes` the words they take; `order`
/// is empty when a later guess came before this one was worked out (it is
/// passed by), or when the thread had already sent that permutation.
struct Perm {
    at: u64,
    len: usize,
    order: Vec<u32>,
    bytes: u64,
    asked: bool,
}

/// Double shuffles the thread works out ahead of the stream's latest
/// guess, each from where the one before leaves the words, with the same
/// length: a run's shuffles (or an idle run's pass of as many words)
/// follow one another with no other draw between, so the next run's
/// permutation is worked out while this one runs, not only once this
/// one's guess comes. Runs come as close as tens of microseconds apart,
/// less than the thread needs for one permutation. Only after a guess
/// that follows a run's double shuffle (not an idle run's pass: the runs
/// after an idle one are mostly idle too), and only when no chunk of
/// words waits to be made (docs/performance.md, "The shuffles worked out
/// ahead (stop 30)").
const SPECULATE: usize = 4;

/// The thread's double shuffles worked out from its latest guess on: of
/// `len` items, sent from byte `sent[0]` on (in order), the next from
/// byte `next`, with `words` already there.
struct Chain<W> {
    len: usize,
    /// Whether the latest guess followed a run's double shuffle: after an
    /// idle run's pass the thread works out the guess only (most runs
    /// after an idle one are idle too: omega-exp's 87.5%, whose
    /// permutations no run would use).
    ahead: bool,
    sent: std::collections::VecDeque<u64>,
    next: u64,
    words: Option<W>,
}

/// Words that count the bytes they give.
struct Counted<'a, W: Words> {
    words: &'a mut W,
    bytes: u64,
}

impl<W: Words> Words for Counted<'_, W> {
    #[inline]
    fn fill(&mut self, buf: &mut [u8]) {
        self.bytes += buf.len() as u64;
        self.words.fill(buf);
    }
}

/// Two shuffles of `0..len` (`len` from 2 to 2^32) with `words`, into
/// `order`; returns the bytes they took. Fisher–Yates moves positions,
/// whatever the items, so two shuffles of any list `l` of `len` items
/// make `k ↦ l[order[k]]` of it, with the same words.
fn permute_twice<W: Words>(words: &mut W, len: usize, order: &mut Vec<u32>) -> u64 {
    order.clear();
    order.extend(0..len as u32);
    let mut counted = Counted { words, bytes: 0 };
    with_divisors(len, |divisors| {
        shuffle_with(&mut counted, divisors, order);
        shuffle_with(&mut counted, divisors, order);
    });
    counted.bytes
}

/// Runs `f` with this thread's [`DIVISORS`], grown to `len` bounds.
fn with_divisors<R>(len: usize, f: impl FnOnce(&[u64]) -> R) -> R {
    DIVISORS.with(|divisors| {
        let mut divisors = divisors.borrow_mut();
        if divisors.len() < len {
            let from = divisors.len().max(1);
            divisors.resize(from, 0);
            divisors.extend((from..len).map(|i| Divisor::multiplier(i as u64 + 1)));
        }
        f(&divisors)
    })
}

/// A chunk of words made ahead, and where in it (byte offsets, in order)
/// a 32-bit word is all ones: a shuffle's draw can be rejected only if
/// its high half is such a word, so a range with no mark is kept whole.
struct Chunk {
    bytes: Box<[u8]>,
    marks: Vec<u32>,
}

impl Chunk {
    fn new(len: usize) -> Chunk {
        Chunk {
            bytes: vec![0u8; len].into_boxed_slice(),
            marks: Vec::new(),
        }
    }

    /// Notes the all-ones words (one in 2^32: a block of 64 words is
    /// tested at once, and looked into only when it has one).
    fn mark(&mut self) {
        self.marks.clear();
        for (b, block) in self.bytes.chunks(256).enumerate() {
            let any = block
                .chunks_exact(4)
                .fold(0u32, |any, w| any | u32::from(w == [0xff; 4]));
            if any != 0 {
                for (k, w) in block.chunks_exact(4).enumerate() {
                    if w == [0xff; 4] {
                        self.marks.push((256 * b + 4 * k) as u32);
                    }
                }
            }
        }
    }
}

/// A stream's words made ahead on another thread, for a run alone
/// (`mesosim run`): the words of a shuffle stream are taken strictly in
/// order, so a thread can make them before they are asked for, in
/// chunks, while the run does other work. The words are the generator's
/// own, in its order (the thread runs a clone of it from where the stream
/// was), so every draw is the one the stream would have made itself
/// (unit tests `words_made_ahead_are_the_streams`,
/// `passing_ahead_takes_the_shuffles_words`). An idle run's pass
/// ([`pass_ahead`]) moves over the words of chunks with no mark without
/// reading them. If the thread stops, the stream goes on from the
/// generator at the same place ([`Ahead::here`]).
struct Ahead<W: Seek> {
    /// The generator where the words made ahead begin.
    origin: W,
    /// Bytes of the chunks spent before `cur`.
    base: u64,
    cur: Chunk,
    /// Bytes of `cur` taken; `marks[mi..]` are the marks at or after it
    /// (moved on lazily by [`Ahead::clean_run`]).
    at: usize,
    mi: usize,
    /// Spent chunks, handed back to the thread `give_back` at a time
    /// (half the pool: it is woken once for that many, not once a
    /// chunk). Fewer than the pool, so the thread always has a chunk to
    /// fill while the stream waits for one.
    spent: Vec<Chunk>,
    give_back: usize,
    from: Option<Receiver<Chunk>>,
    back: Option<Sender<ToMaker>>,
    /// The thread's permutations ([`Perm`]): one per guess sent, and
    /// those worked out ahead.
    perms: Option<Receiver<Perm>>,
    /// Permutations received and not used yet, from the stream's byte on.
    ready: std::collections::VecDeque<Perm>,
    /// The last guess sent (byte, length), and the answers not yet
    /// received.
    asked: Option<(u64, usize)>,
    unanswered: usize,
    /// A spent permutation's buffer, sent with the next guess.
    spare: Vec<u32>,
    /// Double shuffles made from the thread's permutations (for tests).
    used: u64,
    /// Wait for the answer to a right guess (tests: so that which double
    /// shuffles use the thread's permutation does not depend on timing).
    wait: bool,
    handle: Option<JoinHandle<()>>,
    /// The generator itself, once the thread has stopped.
    local: Option<W>,
    /// Counted in [`AHEAD_LIVE`] (a stream's, not a test's).
    counted: bool,
}

impl<W: Seek> Ahead<W> {
    /// Starts a thread making `words`' words in chunks of `chunk` bytes
    /// (a multiple of 8), `pool` chunks at most ahead; `None` if it
    /// cannot start.
    fn start(words: W, chunk: usize, pool: usize, speculate: usize) -> Option<Ahead<W>> {
        debug_assert!(chunk > 0 && chunk % 8 == 0);
        let pool = pool.max(2);
        let (to, from) = mpsc::channel::<Chunk>();
        let (back, asks) = mpsc::channel::<ToMaker>();
        let (answer, perms) = mpsc::channel::<Perm>();
        let mut maker = words.clone();
        let origin = words.clone();
        let handle = std::thread::Builder::new()
            .name("mesosim-shuffle-words".into())
            .spawn(move || {
                let mut free: Vec<Chunk> = Vec::new();
                let mut made = 0;
                // The latest guess not worked out yet: an earlier one is
                // answered empty (the stream has moved past it).
                let mut guess: Option<(u64, usize, Vec<u32>, bool)> = None;
                let mut chain: Chain<W> = Chain {
                    len: 0,
                    ahead: false,
                    sent: std::collections::VecDeque::new(),
                    next: 0,
                    words: None,
                };
                // Buffers of permutations the stream gave back (a few).
                let mut bufs: Vec<Vec<u32>> = Vec::new();
                let empty = |at: u64, len: usize| Perm {
                    at,
                    len,
                    order: Vec::new(),
                    bytes: 0,
                    asked: true,
                };
                let take = |m: ToMaker,
                            free: &mut Vec<Chunk>,
                            guess: &mut Option<(u64, usize, Vec<u32>, bool)>,
                            bufs: &mut Vec<Vec<u32>>|
                 -> bool {
                    match m {
                        ToMaker::Spent(batch) => free.extend(batch),
                        ToMaker::Permute {
                            at,
                            len,
                            buf,
                            ahead,
                        } => {
                            if let Some((at, len, order, _)) = guess.replace((at, len, buf, ahead))
                            {
                                if bufs.len() <= speculate {
                                    bufs.push(order);
                                }
                                return answer.send(empty(at, len)).is_ok();
                            }
                        }
                    }
                    true
                };
                loop {
                    // Guesses first (the stream may be waiting for one),
                    // then chunks, then the permutations ahead.
                    loop {
                        match asks.try_recv() {
                            Ok(m) => {
                                if !take(m, &mut free, &mut guess, &mut bufs) {
                                    return;
                                }
                            }
                            Err(mpsc::TryRecvError::Empty) => break,
                            Err(mpsc::TryRecvError::Disconnected) => return,
                        }
                    }
                    let (at, len, mut order, asked) = match guess.take() {
                        Some((at, len, buf, ahead)) => {
                            chain.ahead = ahead;
                            if buf.capacity() > 0 && bufs.len() <= speculate {
                                bufs.push(buf);
                            }
                            if chain.len == len && chain.sent.contains(&at) {
                                // Sent ahead already: the chain goes on
                                // from here.
                                while chain.sent.front().is_some_and(|&p| p < at) {
                                    chain.sent.pop_front();
                                }
                                if answer.send(empty(at, len)).is_err() {
                                    return;
                                }
                                continue;
                            }
                            if chain.len != len || chain.next != at {
                                // Another chain: from here.
                                chain.len = len;
                                chain.words = None;
                            }
                            // The stream is past every one sent before.
                            chain.sent.clear();
                            (at, len, bufs.pop().unwrap_or_default(), true)
                        }
                        // Ahead only when no chunk waits to be made: a run
                        // whose words run out waits for them, while a
                        // permutation not made ahead costs it only the
                        // shuffles.
                        None if chain.len >= 2
                            && chain.ahead
                            && chain.sent.len() <= speculate
                            && free.is_empty()
                            && made >= pool =>
                        {
                            let at = chain.next;
                            (at, chain.len, bufs.pop().unwrap_or_default(), false)
                        }
                        None => (0, 0, Vec::new(), false),
                    };
                    if len >= 2 {
                        let mut w = match chain.words.take() {
                            Some(w) if chain.next == at => w,
                            _ => {
                                let mut w = origin.clone();
                                w.skip(at);
                                w
                            }
                        };
                        let bytes = permute_twice(&mut w, len, &mut order);
                        chain.sent.push_back(at);
                        chain.next = at + bytes;
                        chain.words = Some(w);
                        let perm = Perm {
                            at,
                            len,
                            order,
                            bytes,
                            asked,
                        };
                        if answer.send(perm).is_err() {
                            return;
                        }
                        continue;
                    }
                    let mut c = match free.pop() {
                        Some(c) => c,
                        None if made < pool => {
                            made += 1;
                            Chunk::new(chunk)
                        }
                        None => match asks.recv() {
                            Ok(m) => {
                                if !take(m, &mut free, &mut guess, &mut bufs) {
                                    return;
                                }
                                continue;
                            }
                            Err(_) => return,
                        },
                    };
                    maker.fill(&mut c.bytes);
                    c.mark();
                    if to.send(c).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Ahead {
            origin: words,
            base: 0,
            cur: Chunk::new(0),
            at: 0,
            mi: 0,
            spent: Vec::new(),
            give_back: pool / 2,
            from: Some(from),
            back: Some(back),
            perms: Some(perms),
            ready: std::collections::VecDeque::new(),
            asked: None,
            unanswered: 0,
            spare: Vec::new(),
            used: 0,
            wait: false,
            handle: Some(handle),
            local: None,
            counted: false,
        })
    }

    /// The generator at the word the stream is at.
    fn here(&self) -> W {
        if let Some(w) = &self.local {
            return w.clone();
        }
        let mut w = self.origin.clone();
        w.skip(self.base + self.at as u64);
        w
    }

    /// Moves on to the next chunk (`cur` spent); false if the thread has
    /// stopped.
    fn next_chunk(&mut self) -> bool {
        let Some(from) = &self.from else {
            return false;
        };
        match from.recv() {
            Ok(c) => {
                let old = std::mem::replace(&mut self.cur, c);
                self.base += old.bytes.len() as u64;
                self.at = 0;
                self.mi = 0;
                if !old.bytes.is_empty() {
                    self.spent.push(old);
                }
                if self.spent.len() >= self.give_back {
                    if let Some(back) = &self.back {
                        let _ = back.send(ToMaker::Spent(std::mem::take(&mut self.spent)));
                    }
                }
                true
            }
            Err(_) => {
                self.from = None;
                false
            }
        }
    }

    /// Takes up to `max` draws of 8 bytes none of whose words is marked,
    /// stopping before the first that has one (or that straddles two
    /// chunks); returns how many it took. Such draws are kept by a
    /// shuffle whatever their bound (`pass_with`).
    fn clean_run(&mut self, max: usize) -> usize {
        let mut done = 0;
        while done < max {
            if self.local.is_some() {
                return done;
            }
            if self.at == self.cur.bytes.len() && !self.next_chunk() {
                self.local = Some(self.here());
                return done;
            }
            let marks = &self.cur.marks;
            while self.mi < marks.len() && (marks[self.mi] as usize) < self.at {
                self.mi += 1;
            }
            let limit = marks
                .get(self.mi)
                .map_or(self.cur.bytes.len(), |&m| m as usize);
            let k = ((limit - self.at) / 8).min(max - done);
            if k == 0 {
                return done;
            }
            self.at += 8 * k;
            done += k;
        }
        done
    }

    fn draw(&mut self) -> u64 {
        let mut w = [0u8; 8];
        self.fill(&mut w);
        u64::from_le_bytes(w)
    }

    /// Moves on by `bytes` as `fill` of that many would, reading none.
    fn skip_bytes(&mut self, mut bytes: u64) {
        while bytes > 0 {
            if let Some(w) = &mut self.local {
                w.skip(bytes);
                return;
            }
            if self.at == self.cur.bytes.len() {
                if !self.next_chunk() {
                    self.local = Some(self.here());
                }
                continue;
            }
            let n = bytes.min((self.cur.bytes.len() - self.at) as u64);
            self.at += n as usize;
            bytes -= n;
        }
    }

    /// Receives the permutations that have come without waiting: the
    /// guesses' answers counted, those with an order kept for the
    /// double shuffles to come.
    fn drain_answers(&mut self) {
        let Some(perms) = self.perms.take() else {
            return;
        };
        loop {
            match perms.try_recv() {
                Ok(p) => self.keep(p),
                Err(mpsc::TryRecvError::Empty) => break,
                // The thread has stopped: no more.
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        }
        self.perms = Some(perms);
    }

    /// Keeps a permutation's buffer for the next guess, if larger than the
    /// one kept.
    fn spare_from(&mut self, order: Vec<u32>) {
        if order.capacity() > self.spare.capacity() {
            self.spare = order;
        }
    }

    /// A permutation received: counted if it answers a guess, kept if it
    /// has an order the stream has not passed (at most a few: the oldest
    /// go first), else its buffer kept for the next guess.
    fn keep(&mut self, p: Perm) {
        if p.asked {
            self.unanswered = self.unanswered.saturating_sub(1);
        }
        let here = self.base + self.at as u64;
        if p.order.is_empty() || p.at < here {
            self.spare_from(p.order);
            return;
        }
        if self.ready.len() > 2 * SPECULATE + 2 {
            self.ready.pop_front();
        }
        self.ready.push_back(p);
    }

    /// Guesses that the next draws are two shuffles of `len` items: asks
    /// the thread for their permutation from here.
    fn guess_twice(&mut self, len: usize, ahead: bool) {
        self.drain_answers();
        if self.local.is_some() || !(2..=1 << 32).contains(&len) {
            return;
        }
        let Some(back) = &self.back else {
            return;
        };
        let at = self.base + self.at as u64;
        let buf = std::mem::take(&mut self.spare);
        if back
            .send(ToMaker::Permute {
                at,
                len,
                buf,
                ahead,
            })
            .is_ok()
        {
            self.asked = Some((at, len));
            self.unanswered += 1;
        }
    }

    /// The permutation of two shuffles of `len` items from here, if the
    /// thread has sent it (worked out for a guess, or ahead of one: see
    /// [`SPECULATE`]); when the last guess was that, its answer is waited
    /// for only when `wait` (tests). `None` if not (the shuffles are then
    /// made here, a thread busy or not scheduled never holds the run up),
    /// or if the thread has stopped.
    fn guessed_twice(&mut self, len: usize) -> Option<Perm> {
        let at = self.base + self.at as u64;
        if self.local.is_some() {
            return None;
        }
        self.drain_answers();
        if self.wait && self.asked == Some((at, len)) {
            if let Some(perms) = self.perms.take() {
                let mut open = true;
                while self.unanswered > 0 {
                    match perms.recv() {
                        Ok(p) => self.keep(p),
                        Err(_) => {
                            open = false;
                            break;
                        }
                    }
                }
                if open {
                    self.perms = Some(perms);
                }
            }
        }
        self.asked = None;
        // Those the stream has passed go.
        while self.ready.front().is_some_and(|p| p.at < at) {
            if let Some(p) = self.ready.pop_front() {
                self.spare_from(p.order);
            }
        }
        let k = self
            .ready
            .iter()
            .position(|p| p.at == at && p.len == len && p.order.len() == len)?;
        self.ready.remove(k)
    }
}

impl<W: Seek> Words for Ahead<W> {
    /// The next bytes of the chunks, in order, across chunks; from the
    /// generator itself once the thread has stopped.
    fn fill(&mut self, mut buf: &mut [u8]) {
        while !buf.is_empty() {
            if let Some(w) = &mut self.local {
                w.fill(buf);
                return;
            }
            if self.at == self.cur.bytes.len() {
                if !self.next_chunk() {
                    self.local = Some(self.here());
                }
                continue;
            }
            let n = buf.len().min(self.cur.bytes.len() - self.at);
            let (now, rest) = buf.split_at_mut(n);
            now.copy_from_slice(&self.cur.bytes[self.at..self.at + n]);
            self.at += n;
            buf = rest;
        }
    }
}

impl<W: Seek> Drop for Ahead<W> {
    fn drop(&mut self) {
        // Both channels closed first, so the thread, waiting or not,
        // stops at its next send or receive.
        self.from = None;
        self.back = None;
        self.perms = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        if self.counted {
            AHEAD_LIVE.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// [`pass_with`] on words made ahead: runs of unmarked draws are passed
/// by moving on in the chunks (no word read); a draw with a marked word
/// is taken and looked at as the shuffle does (`below`'s rejection).
fn pass_ahead<W: Seek>(a: &mut Ahead<W>, len: usize) {
    let mut i = len.saturating_sub(1);
    while i >= 1 {
        i -= a.clean_run(i);
        if i == 0 {
            return;
        }
        if let Some(w) = &mut a.local {
            pass_with(w, i + 1);
            return;
        }
        let n = i as u64 + 1;
        let x = a.draw();
        if x > u64::MAX - n {
            kept_from(x, n, || a.draw());
        }
        i -= 1;
    }
}

/// [`Stream::shuffle_twice`] on words made ahead (`2 <= items.len() <=
/// 2^32`): from the thread's permutation if the last guess was right,
/// else two [`shuffle_with`]s here; then the next guess.
fn twice_ahead<W: Seek, T: Copy>(a: &mut Ahead<W>, items: &mut [T]) {
    let len = items.len();
    match a.guessed_twice(len) {
        Some(p) => {
            let from = items.to_vec();
            for (item, &k) in items.iter_mut().zip(&p.order) {
                *item = from[k as usize];
            }
            a.skip_bytes(p.bytes);
            a.used += 1;
            a.spare = p.order;
        }
        None => with_divisors(len, |divisors| {
            shuffle_with(a, divisors, items);
            shuffle_with(a, divisors, items);
        }),
    }
    a.guess_twice(len, true);
}

/// The draw kept for the bound `n` from a first draw `x` in the top `n`
/// values: `x` if below `zone = MAX − (MAX mod n)`, else the first of
/// `draw()`'s that is (the one rejection rule of [`Stream::below`], the
/// shuffle and the passes).
#[inline]
fn kept_from(mut x: u64, n: u64, mut draw: impl FnMut() -> u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    while x >= zone {
        x = draw();
    }
    x
}

#[inline(always)]
fn word_at(buf: &[u8; 8 * SHUFFLE_BLOCK], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&buf[8 * at..8 * at + 8]);
    u64::from_le_bytes(w)
}

/// [`shuffle_with`]'s draw for the bound `i + 1` when `x` is in its top
/// `i + 1` values: [`Stream::below_from`] with the next words taken from
/// the block (refilled when spent, again with no more than the draws
/// still needed: this one and one for each index below `i`).
#[cold]
#[inline(never)]
fn shuffle_reject<W: Words>(
    words: &mut W,
    buf: &mut [u8; 8 * SHUFFLE_BLOCK],
    at: &mut usize,
    have: &mut usize,
    i: usize,
    x: u64,
) -> u64 {
    let n = i as u64 + 1;
    let x = kept_from(x, n, || {
        if *at == *have {
            *have = SHUFFLE_BLOCK.min(i);
            words.fill(&mut buf[..8 * *have]);
            *at = 0;
        }
        let w = word_at(buf, *at);
        *at += 1;
        w
    });
    x % n
}

impl Stream {
    pub fn new(seed: u64, name: &str) -> Stream {
        Stream::of(ChaCha8Rng::from_seed(stream_key(seed, name)))
    }

    fn of(rng: ChaCha8Rng) -> Stream {
        Stream {
            rng,
            ahead: None,
            drawn: 0,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        match &mut self.ahead {
            None => self.rng.next_u64(),
            Some(a) => a.draw(),
        }
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
    fn below_from(&mut self, x: u64, n: u64) -> u64 {
        kept_from(x, n, || self.next_u64()) % n
    }

    /// Fisher–Yates shuffle: for `i` from the end down to 1, swaps item
    /// `i` with item `self.below(i + 1)` (see `shuffle_with` for how,
    /// with the same draws).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        let len = items.len();
        if len < 2 {
            return;
        }
        if len > 1 << 32 {
            // Never in a simulation; the plain definition.
            for i in (1..len).rev() {
                let j = self.below(i as u64 + 1) as usize;
                items.swap(i, j);
            }
            return;
        }
        self.count_draws(len);
        with_divisors(len, |divisors| match &mut self.ahead {
            None => shuffle_with(&mut self.rng, divisors, items),
            Some(a) => shuffle_with(&mut **a, divisors, items),
        });
    }

    /// Two shuffles of `items` one after the other: the same draws, the
    /// same order as `shuffle` twice. When the stream's words are made
    /// ahead, the thread making them is asked, after each such double
    /// shuffle, for the next one's permutation of `0..len` from where the
    /// stream then is, guessing that the next draws are two shuffles of
    /// as many items ([`Stream::pass_shuffle_twice`] guesses too); when
    /// they are and the thread's answer has come, the items are put in
    /// that order (one gather, no swap, no word read here) and the stream
    /// moves on by the words the thread's shuffles took. A wrong guess
    /// (another length, other draws between) or an answer not come yet is
    /// passed by: the two shuffles are made here with the same words. Unit
    /// tests `double_shuffles_made_ahead_are_two_shuffles`,
    /// `double_shuffles_ahead_take_the_shuffles_words`.
    pub fn shuffle_twice<T: Copy>(&mut self, items: &mut [T]) {
        let len = items.len();
        if len < 2 {
            return;
        }
        match &mut self.ahead {
            Some(a) if len <= 1 << 32 => {
                self.drawn = self.drawn.saturating_add(2 * len as u64);
                twice_ahead(a, items);
            }
            _ => {
                self.shuffle(items);
                self.shuffle(items);
                if let Some(a) = &mut self.ahead {
                    // Made ahead from these shuffles on.
                    a.guess_twice(len, true);
                }
            }
        }
    }

    /// Moves the stream on by exactly the words [`Stream::shuffle`] of
    /// `len` items would take (the same draws, rejections included),
    /// without permuting anything: for a caller that will not use the
    /// order (an allocation run with no client to offer to). Unit test
    /// `pass_shuffle_takes_the_shuffles_words`.
    pub fn pass_shuffle(&mut self, len: usize) {
        if len > 1 << 32 {
            // As `shuffle`'s plain definition, without the swaps.
            for i in (1..len).rev() {
                self.below(i as u64 + 1);
            }
            return;
        }
        self.count_draws(len);
        match &mut self.ahead {
            None => pass_with(&mut self.rng, len),
            Some(a) => pass_ahead(a, len),
        }
    }

    /// Two [`Stream::pass_shuffle`]s of `len` items (an idle run's); when
    /// the stream's words are made ahead, then guesses that the next draws
    /// are two shuffles of as many items, as [`Stream::shuffle_twice`]
    /// does, so that a run with a client after idle runs finds its
    /// permutation made.
    pub fn pass_shuffle_twice(&mut self, len: usize) {
        self.pass_shuffle(len);
        self.pass_shuffle(len);
        if let Some(a) = &mut self.ahead {
            a.guess_twice(len, false);
        }
    }

    /// Counts a shuffle's draws; the stream's words are made ahead on
    /// another thread from when its shuffles have taken [`AHEAD_AFTER`]
    /// draws, if the run is alone (not in a rayon pool: `compare`,
    /// `check` and sweeps keep every core busy with runs, and `--jobs 1`
    /// stays one thread), fewer than [`AHEAD_MAX_LIVE`] streams of the
    /// process make theirs, and the thread starts. Tried once a stream.
    #[inline]
    fn count_draws(&mut self, len: usize) {
        let before = self.drawn;
        self.drawn = before.saturating_add(len as u64);
        if before < AHEAD_AFTER && self.drawn >= AHEAD_AFTER && self.ahead.is_none() {
            self.start_ahead();
        }
    }

    #[cold]
    fn start_ahead(&mut self) {
        if rayon::current_thread_index().is_some() {
            return;
        }
        if AHEAD_LIVE.fetch_add(1, Ordering::Relaxed) >= AHEAD_MAX_LIVE {
            AHEAD_LIVE.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        match Ahead::start(self.rng.clone(), AHEAD_CHUNK, AHEAD_POOL, SPECULATE) {
            Some(mut a) => {
                a.counted = true;
                self.ahead = Some(Box::new(a));
            }
            None => {
                AHEAD_LIVE.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// Makes the stream's words ahead on another thread now, whatever it
    /// has drawn and wherever it runs (for tests that compare it with a
    /// stream making its own; a right guess of a double shuffle waits for
    /// the thread's answer, so that which ones use it does not depend on
    /// timing); false if the thread did not start.
    #[doc(hidden)]
    pub fn make_words_ahead(&mut self) -> bool {
        if self.ahead.is_none() {
            self.ahead =
                Ahead::start(self.rng.clone(), AHEAD_CHUNK, AHEAD_POOL, SPECULATE).map(|mut a| {
                    a.wait = true;
                    Box::new(a)
                });
        }
        self.ahead.is_some()
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
        Stream::of(rng)
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
    fn divisor_rem_is_the_remainder() {
        let mut ns: Vec<u64> = (2..3000).collect();
        for k in 1..63 {
            let p = 1u64 << k;
            ns.extend([p - 1, p, p + 1, p + p / 3]);
        }
        ns.retain(|&n| n >= 2);
        ns.push(1 << 63);
        let mut r = Stream::new(4, "divisor");
        for _ in 0..300 {
            ns.push(2 + r.next_u64() % (u32::MAX as u64));
            ns.push(2 + (r.next_u64() >> 1));
        }
        for n in (2..100_000).chain([(1 << 32) - 1, 1 << 32]) {
            assert_eq!(
                Divisor::multiplier(n),
                Divisor::multiplier_wide(n),
                "n = {n}"
            );
        }
        for &n in &ns {
            let m = Divisor::multiplier(n);
            if n <= 1 << 32 {
                assert_eq!(m, Divisor::multiplier_wide(n), "n = {n}");
            }
            let mut xs = vec![0, 1, n - 1, n, n + 1, u64::MAX, u64::MAX - 1, u64::MAX - n];
            xs.extend([u64::MAX / n * n, (u64::MAX / n) * n - 1, u64::MAX / 2]);
            for _ in 0..40 {
                xs.push(r.next_u64());
            }
            for x in xs {
                assert_eq!(Divisor::rem(x, n, m), x % n, "x = {x}, n = {n}");
            }
        }
    }

    /// The first definition of the shuffle: a draw `below(i + 1)` per
    /// index, each from `next_u64`, the zone computed every time.
    fn shuffle_as_first<T>(next: &mut dyn FnMut() -> u64, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let n = i as u64 + 1;
            let zone = u64::MAX - (u64::MAX % n);
            let j = loop {
                let x = next();
                if x < zone {
                    break x % n;
                }
            };
            items.swap(i, j as usize);
        }
    }

    /// `Stream::shuffle` (words in blocks, remainders by multiplying) gives
    /// the permutation the first definition gave and leaves the stream
    /// where it left it, for every length around the block size and the
    /// generator's 64-word buffer, from an even and an odd word position,
    /// and for shuffles one after another on one stream (the divisors
    /// kept between them, per thread).
    /// The list lengths the shuffle tests walk: every length to 300, the
    /// block and buffer sizes around them, and the bench's cluster sizes.
    fn shuffle_lens() -> Vec<usize> {
        let mut lens: Vec<usize> = (0..300).collect();
        lens.extend([511, 512, 513, 1000, 4097, 10_000, 12_500]);
        lens
    }

    /// Two identical streams, both moved on by one 32-bit word if `odd`
    /// (so that a test starts at an odd word position).
    fn stream_pair(seed: u64, name: &str, odd: bool) -> (Stream, Stream) {
        let mut a = Stream::new(seed, name);
        let mut b = Stream::new(seed, name);
        if odd {
            a.rng.next_u32();
            b.rng.next_u32();
        }
        (a, b)
    }

    #[test]
    fn shuffle_draws_as_below_did() {
        let lens = shuffle_lens();
        for odd in [false, true] {
            let (mut a, mut b) = stream_pair(21, "shuffle", odd);
            for &len in &lens {
                let mut v: Vec<u32> = (0..len as u32).collect();
                let mut w = v.clone();
                a.shuffle(&mut v);
                shuffle_as_first(&mut || b.next_u64(), &mut w);
                assert_eq!(v, w, "len {len}, odd {odd}");
                assert_eq!(a.next_u64(), b.next_u64(), "len {len}, odd {odd}");
            }
        }
    }

    /// Words with many in the rejection zone of small bounds (one in
    /// `every` near `u64::MAX`). `fail_after`: made ahead, the thread
    /// making them stops (panics) after that many words.
    #[derive(Clone)]
    struct Crafted {
        state: u64,
        taken: usize,
        every: u64,
        fail_after: usize,
    }

    impl Crafted {
        fn next(&mut self) -> u64 {
            self.taken += 1;
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let w = self.state;
            if w % self.every == 0 {
                u64::MAX - (w >> 40) % 8
            } else {
                w
            }
        }
    }

    impl Words for Crafted {
        fn fill(&mut self, buf: &mut [u8]) {
            if self.taken >= self.fail_after
                && std::thread::current().name() == Some("mesosim-shuffle-words")
            {
                panic!("the words' thread stops here (a test)");
            }
            for c in buf.chunks_exact_mut(8) {
                c.copy_from_slice(&self.next().to_le_bytes());
            }
        }
    }

    impl Seek for Crafted {
        fn skip(&mut self, bytes: u64) {
            for _ in 0..bytes / 8 {
                self.next();
            }
        }
    }

    fn crafted(state: u64, every: u64) -> Crafted {
        Crafted {
            state,
            taken: 0,
            every,
            fail_after: usize::MAX,
        }
    }

    /// A draw in doubt in a later block of a long shuffle (the blocks
    /// before it worked out draws first, swaps after; from it on, draw by
    /// draw): the same permutation and words as the first definition.
    #[test]
    fn a_late_draw_in_doubt_shuffles_as_below_did() {
        let mut rejected = 0;
        for (len, every) in [(1000, 997), (12_500, 4999), (12_500, 7919), (20_001, 9973)] {
            let seed = 0x2545_f491_4f6c_dd1d ^ len as u64 ^ every;
            let mut probe = crafted(seed, every);
            // The first crafted word comes after the first block.
            let first = (0..len).find(|_| probe.next() >= u64::MAX - 8);
            assert!(
                first.is_some_and(|k| k >= SHUFFLE_BLOCK),
                "len {len}: {first:?}"
            );
            rejected += shuffled_as_first(len, seed, every) - (len - 1);
        }
        assert!(rejected > 0, "no draw rejected");
    }

    /// Shuffles `0..len` with crafted words (from `seed`, one in `every`
    /// in the rejection zone) by `shuffle_with` and by the first
    /// definition; asserts the same permutation and words taken, and
    /// returns how many words that was.
    fn shuffled_as_first(len: usize, seed: u64, every: u64) -> usize {
        let mut divisors = vec![0u64];
        divisors.extend((1..len.max(1)).map(|i| Divisor::multiplier(i as u64 + 1)));
        let mut a = crafted(seed, every);
        let mut b = crafted(seed, every);
        let mut v: Vec<u32> = (0..len as u32).collect();
        let mut w = v.clone();
        shuffle_with(&mut a, &divisors, &mut v);
        shuffle_as_first(&mut || b.next(), &mut w);
        assert_eq!(v, w, "len {len}");
        assert_eq!(a.taken, b.taken, "len {len}");
        a.taken
    }

    /// The rejection path (a draw in the top `i + 1` values, about one in
    /// 10^15 for real shuffles) redraws from the block as `below` did,
    /// and takes no word more than the first definition.
    #[test]
    fn shuffle_rejects_as_below_did() {
        for len in (0..400).chain([1000, 2049]) {
            let taken = shuffled_as_first(len, 0x9e37_79b9_7f4a_7c15 ^ len as u64, 3);
            if len > 100 {
                assert!(taken > len, "len {len}: no draw rejected");
            }
        }
    }

    /// `pass_shuffle` takes the words `shuffle` takes: from ChaCha (around
    /// the block and buffer sizes, from even and odd word positions, in a
    /// row on one stream), and from crafted words with rejections one in
    /// 3, 50 and 1,000 words (so that the one-by-one path starts at the
    /// first block, part way, or never) and none.
    #[test]
    fn pass_shuffle_takes_the_shuffles_words() {
        let lens = shuffle_lens();
        for odd in [false, true] {
            let (mut a, mut b) = stream_pair(22, "pass", odd);
            for &len in &lens {
                let mut v: Vec<u32> = (0..len as u32).collect();
                a.shuffle(&mut v);
                b.pass_shuffle(len);
                assert_eq!(a.next_u64(), b.next_u64(), "len {len}, odd {odd}");
            }
        }
        for every in [3, 50, 1000, u64::MAX] {
            for len in (0..400).chain([1000, 2049, 10_000]) {
                let mut divisors = vec![0u64];
                divisors.extend((1..len.max(1)).map(|i| Divisor::multiplier(i as u64 + 1)));
                let mut a = crafted(0x9e37_79b9_7f4a_7c15 ^ len as u64 ^ every, every);
                let mut b = crafted(a.state, every);
                let mut v: Vec<u32> = (0..len as u32).collect();
                shuffle_with(&mut a, &divisors, &mut v);
                pass_with(&mut b, len);
                assert_eq!(a.taken, b.taken, "len {len}, one in {every}");
                assert_eq!(a.next(), b.next(), "len {len}, one in {every}");
                if len > 1000 && every < 1000 {
                    assert!(a.taken > len, "len {len}: no draw rejected");
                }
            }
        }
    }

    /// A stream whose words are made ahead on another thread draws what
    /// a stream making its own draws, through shuffles, passes and single
    /// draws, from an even and an odd word position; its clones start at
    /// its word.
    #[test]
    fn words_made_ahead_are_the_streams() {
        let lens = shuffle_lens();
        for odd in [false, true] {
            let (mut a, mut b) = stream_pair(23, "ahead", odd);
            assert!(a.make_words_ahead());
            for (k, &len) in lens.iter().enumerate() {
                let mut v: Vec<u32> = (0..len as u32).collect();
                let mut w = v.clone();
                if k % 3 == 0 {
                    a.pass_shuffle(len);
                    b.pass_shuffle(len);
                } else {
                    a.shuffle(&mut v);
                    b.shuffle(&mut w);
                    assert_eq!(v, w, "len {len}, odd {odd}");
                }
                if k % 5 == 0 {
                    assert_eq!(a.below(1000), b.below(1000), "len {len}, odd {odd}");
                }
                assert_eq!(
                    a.clone().next_u64(),
                    b.clone().next_u64(),
                    "len {len}, odd {odd}"
                );
            }
            // Many chunks on: passes of 10,000 agents, then a shuffle.
            for _ in 0..100 {
                a.pass_shuffle(10_000);
                b.pass_shuffle(10_000);
            }
            let mut v: Vec<u32> = (0..12_500).collect();
            let mut w = v.clone();
            a.shuffle(&mut v);
            b.shuffle(&mut w);
            assert_eq!(v, w);
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    /// A stream starts making its words ahead once its shuffles have
    /// taken `AHEAD_AFTER` draws (outside a rayon pool), and a clone never
    /// does, however much it draws.
    #[test]
    fn words_made_ahead_from_the_threshold_on_and_never_in_a_clone() {
        let len = 10_000;
        let runs = (AHEAD_AFTER as usize).div_ceil(len);
        let mut a = Stream::new(24, "threshold");
        let mut b = Stream::new(24, "threshold");
        let mut c = a.clone();
        for k in 0..runs + 3 {
            a.pass_shuffle(len);
            b.pass_shuffle(len);
            c.pass_shuffle(len);
            assert!(c.ahead.is_none(), "a clone made its words ahead");
            if k + 1 < runs {
                assert!(a.ahead.is_none(), "ahead after {} passes", k + 1);
            }
        }
        // `a` may share the process's limit with other tests' streams.
        if a.ahead.is_some() {
            assert!(a.clone().ahead.is_none());
        }
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!((x, y), (z, z));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        pool.install(|| {
            let mut d = Stream::new(24, "in a pool");
            for _ in 0..runs + 3 {
                d.pass_shuffle(len);
            }
            assert!(d.ahead.is_none(), "made ahead inside a pool");
        });
    }

    /// Made ahead in chunks of every size from one draw up (so draws and
    /// passes cross chunks anywhere), crafted words with rejections one in
    /// 3, 50 and 1,000 words and none (so marked words stop passes at the
    /// first draw, part way, or never): a pass takes the words
    /// `pass_with` takes, a shuffle gives `shuffle_with`'s permutation;
    /// and when the thread stops part way the stream goes on from the
    /// same word.
    #[test]
    fn passing_ahead_takes_the_shuffles_words() {
        for every in [3, 50, 1000, u64::MAX] {
            for chunk in [8, 16, 24, 504, 4096] {
                for fail_after in [usize::MAX, 5_000] {
                    let seed = 0x5851_f42d_4c95_7f2d ^ every ^ chunk as u64;
                    let mut words = crafted(seed, every);
                    words.fail_after = fail_after;
                    let mut a = Ahead::start(words, chunk, 3, 0).expect("a thread");
                    let mut b = crafted(seed, every);
                    for len in (0..40).chain([300, 1000, 2049]) {
                        let mut divisors = vec![0u64];
                        divisors.extend((1..len.max(1)).map(|i| Divisor::multiplier(i as u64 + 1)));
                        pass_ahead(&mut a, len);
                        pass_with(&mut b, len);
                        assert_eq!(a.here().taken, b.taken, "len {len}, one in {every}");
                        let mut v: Vec<u32> = (0..len as u32).collect();
                        let mut w = v.clone();
                        shuffle_with(&mut a, &divisors, &mut v);
                        shuffle_with(&mut b, &divisors, &mut w);
                        assert_eq!(v, w, "len {len}, one in {every}, chunk {chunk}");
                        assert_eq!(a.here().taken, b.taken, "len {len}, one in {every}");
                    }
                    assert_eq!(a.draw(), b.next(), "one in {every}, chunk {chunk}");
                    assert_eq!(a.local.is_some(), fail_after < usize::MAX);
                }
            }
        }
    }

    /// One step of the double-shuffle tests: a double shuffle of `len`
    /// items, or something else that moves the stream on between them.
    #[derive(Clone, Copy)]
    enum Step {
        Twice(usize),
        Once(usize),
        Pass(usize),
        /// An idle run's two passes, then a guess.
        PassTwice(usize),
        Draw,
    }

    /// Steps where the guess is right (a double shuffle after one of the
    /// same length), wrong in length (one more item, one fewer) or in
    /// place (a pass, a single shuffle or a draw between), for lengths
    /// around the block and buffer sizes and the bench's cluster sizes
    /// (12,500 items cross a 128 kB chunk at every double shuffle).
    fn twice_steps(lens: &[usize]) -> Vec<Step> {
        let mut steps = Vec::new();
        for &len in lens {
            steps.extend([Step::Twice(len); 4]);
            steps.extend([Step::Twice(len + 1), Step::Twice(len), Step::Twice(len)]);
            steps.extend([Step::Pass(len), Step::Twice(len), Step::Twice(len)]);
            steps.extend([Step::Once(len), Step::Twice(len), Step::Draw]);
            steps.extend([Step::Twice(len), Step::Twice(len.saturating_sub(1))]);
            steps.extend([Step::PassTwice(len), Step::Twice(len), Step::PassTwice(len)]);
            steps.extend([Step::PassTwice(len), Step::Twice(len), Step::Twice(len)]);
            steps.extend([Step::PassTwice(len), Step::Draw, Step::Twice(len)]);
        }
        steps
    }

    /// Double shuffles whose permutation the thread made ahead were
    /// expected for: every double shuffle of at least 2 items whose
    /// stream's last words were taken by one of the same length (steps
    /// of fewer than 2 items take none).
    fn twice_hits(steps: &[Step]) -> u64 {
        let (mut hits, mut last) = (0, None);
        for &step in steps {
            match step {
                Step::Twice(len) | Step::Once(len) | Step::Pass(len) | Step::PassTwice(len)
                    if len < 2 => {}
                Step::Twice(len) => {
                    hits += u64::from(last == Some(len));
                    last = Some(len);
                }
                Step::PassTwice(len) => last = Some(len),
                _ => last = None,
            }
        }
        hits
    }

    /// The double shuffles of `steps` of at least 2 items: at most this
    /// many can use a permutation of the thread's. With the permutations
    /// worked out ahead ([`SPECULATE`]), which of them find one beyond the
    /// right guesses' (`twice_hits`) depends on how far ahead the thread
    /// is: a permutation worked out from any earlier guess is used when
    /// the stream comes to its byte with a double shuffle of its length,
    /// however the words between were taken (a single shuffle takes half a
    /// double shuffle's).
    fn twice_all(steps: &[Step]) -> u64 {
        steps
            .iter()
            .filter(|s| matches!(s, Step::Twice(len) if *len >= 2))
            .count() as u64
    }

    /// A stream made ahead gives by `shuffle_twice` what a stream making
    /// its own words gives by two shuffles (same order of a list that is
    /// not `0..len`, same next word), whether the thread's guess of the
    /// next double shuffle was right or wrong; and every right guess was
    /// used.
    #[test]
    fn double_shuffles_made_ahead_are_two_shuffles() {
        let mut lens: Vec<usize> = (0..70).collect();
        lens.extend([127, 128, 129, 511, 512, 513, 1000, 4097, 10_000, 12_500]);
        let steps = twice_steps(&lens);
        let mut items = Stream::new(26, "items");
        for (odd, wait) in [(false, true), (true, true), (false, false)] {
            let (mut a, mut b) = stream_pair(26, "twice", odd);
            assert!(a.make_words_ahead());
            if let Some(a) = &mut a.ahead {
                a.wait = wait;
            }
            for (k, &step) in steps.iter().enumerate() {
                match step {
                    Step::Twice(len) | Step::Once(len) => {
                        let mut v: Vec<u64> = (0..len).map(|_| items.next_u64()).collect();
                        let mut w = v.clone();
                        if let Step::Twice(_) = step {
                            a.shuffle_twice(&mut v);
                            b.shuffle(&mut w);
                        } else {
                            a.shuffle(&mut v);
                        }
                        b.shuffle(&mut w);
                        assert_eq!(v, w, "step {k}, len {len}, odd {odd}");
                    }
                    Step::Pass(len) => {
                        a.pass_shuffle(len);
                        b.pass_shuffle(len);
                    }
                    Step::PassTwice(len) => {
                        a.pass_shuffle_twice(len);
                        b.pass_shuffle(len);
                        b.pass_shuffle(len);
                    }
                    Step::Draw => assert_eq!(a.next_u64(), b.next_u64()),
                }
                assert_eq!(a.clone().next_u64(), b.clone().next_u64(), "step {k}");
            }
            let used = a.ahead.as_ref().map_or(0, |a| a.used);
            // Every right guess waited for is used; the permutations
            // worked out ahead may be used too, when they have come.
            // Answers not come yet are passed by: the same order.
            if wait {
                assert!(used >= twice_hits(&steps), "odd {odd}: {used}");
            }
            assert!(used <= twice_all(&steps), "odd {odd}: {used}");
            assert_eq!(a.next_u64(), b.next_u64());
        }
        // A stream making its own words: two shuffles.
        let (mut a, mut b) = stream_pair(27, "twice", false);
        for len in [0, 1, 2, 300, 12_500] {
            let mut v: Vec<u32> = (0..len as u32).rev().collect();
            let mut w = v.clone();
            a.shuffle_twice(&mut v);
            b.shuffle(&mut w);
            b.shuffle(&mut w);
            assert_eq!(v, w, "len {len}");
            assert_eq!(a.next_u64(), b.next_u64(), "len {len}");
        }
    }

    /// The same with crafted words (rejections one in 3, 50 and 1,000
    /// words and none: the thread's shuffles take more words than draws),
    /// chunks of every size from one draw up, the thread working out
    /// double shuffles ahead of the guesses or not ([`SPECULATE`]), and
    /// the thread stopping part way (the stream goes on from the same
    /// word; no permutation is used after).
    #[test]
    fn double_shuffles_ahead_take_the_shuffles_words() {
        let lens: Vec<usize> = (0..24).chain([300, 1000, 2049]).collect();
        let steps = twice_steps(&lens);
        for every in [3, 50, 1000, u64::MAX] {
            for chunk in [8, 24, 504, 4096] {
                // Worked out ahead or not (but with chunks of one draw,
                // the slowest); the thread stopping part way while it
                // works ahead, for one chunk size.
                let cases: &[(usize, usize)] = match chunk {
                    8 => &[(usize::MAX, 0), (20_000, 0)],
                    504 => &[
                        (usize::MAX, 0),
                        (usize::MAX, SPECULATE),
                        (20_000, 0),
                        (20_000, SPECULATE),
                    ],
                    _ => &[(usize::MAX, 0), (usize::MAX, SPECULATE), (20_000, 0)],
                };
                for &(fail_after, speculate) in cases {
                    let seed = 0x2545_f491_4f6c_dd1d ^ every ^ chunk as u64;
                    let mut words = crafted(seed, every);
                    words.fail_after = fail_after;
                    let mut a = Ahead::start(words, chunk, 3, speculate).expect("a thread");
                    a.wait = true;
                    let mut b = crafted(seed, every);
                    let divisors = with_divisors(3000, |d| d.to_vec());
                    for (k, &step) in steps.iter().enumerate() {
                        let at = format!("step {k}, one in {every}, chunk {chunk}");
                        match step {
                            Step::Twice(len) | Step::Once(len) => {
                                let mut v: Vec<u32> = (0..len as u32).map(|x| x * 7 + 3).collect();
                                let mut w = v.clone();
                                if let Step::Twice(_) = step {
                                    if len >= 2 {
                                        twice_ahead(&mut a, &mut v);
                                    }
                                    shuffle_with(&mut b, &divisors, &mut w);
                                } else {
                                    shuffle_with(&mut a, &divisors, &mut v);
                                }
                                shuffle_with(&mut b, &divisors, &mut w);
                                assert_eq!(v, w, "{at}");
                            }
                            Step::Pass(len) => {
                                pass_ahead(&mut a, len);
                                pass_with(&mut b, len);
                            }
                            Step::PassTwice(len) => {
                                // As `Stream::pass_shuffle_twice`.
                                pass_ahead(&mut a, len);
                                pass_ahead(&mut a, len);
                                a.guess_twice(len, false);
                                pass_with(&mut b, len);
                                pass_with(&mut b, len);
                            }
                            Step::Draw => assert_eq!(a.draw(), b.next(), "{at}"),
                        }
                        assert_eq!(a.here().taken, b.taken, "{at}");
                    }
                    assert_eq!(a.draw(), b.next(), "one in {every}, chunk {chunk}");
                    if fail_after == usize::MAX && speculate == 0 {
                        assert_eq!(a.used, twice_hits(&steps), "one in {every}, chunk {chunk}");
                    } else if fail_after == usize::MAX {
                        let used = a.used;
                        assert!(used >= twice_hits(&steps), "one in {every}, chunk {chunk}");
                        assert!(used <= twice_all(&steps), "one in {every}, chunk {chunk}");
                    } else {
                        assert!(a.local.is_some());
                    }
                }
            }
        }
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
