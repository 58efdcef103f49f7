//! Hostile sizes refused up front, in one place (ARCHITECTURE.md lists them).
//! A leaf: it imports nothing from the crate, so every module may use it.

/// Hostile sizes are refused: at most this many agents in one entry (and in
/// all; about 2.2 KB each, so 500,000 fit in about 1.1 GB), or tasks in one
/// job.
pub const MAX_AGENTS: u64 = 500_000;
pub const MAX_TASKS_PER_JOB: u64 = 10_000_000;
/// At most this many periodic allocation runs (`until` ÷ interval) and
/// output samples (`until` ÷ `sample_interval`, each a few rows in
/// `timeseries.csv`, `shares.csv`, `roles.csv`, `fairness.csv` and
/// `offers.csv`) in one run. Without `until`, `MAX_SAMPLES` samples are
/// also the horizon no input may lie beyond.
pub const MAX_PERIODIC_RUNS: u64 = 100_000_000;
pub const MAX_SAMPLES: u64 = 10_000_000;
/// Largest scenario, YAML trace, generator spec or distribution file we
/// read, in bytes (parsed YAML takes several times its size in memory).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Deepest role (`a/b/c` is 3 levels): role trees are walked recursively.
pub const MAX_ROLE_DEPTH: usize = 64;
/// Role weights (and `set_weight`) must lie in this range: shares are
/// divided by weights and squared (Jain's index), so weights outside it
/// overflow to infinity or underflow to 0.
pub const MIN_WEIGHT: f64 = 1e-6;
pub const MAX_WEIGHT: f64 = 1e6;
/// Deepest flow nesting (`[`, `{`) in a YAML file: libyaml's scanner takes
/// time quadratic in it before serde_yaml's own limit (128) applies.
pub const MAX_FLOW_DEPTH: usize = 128;
/// Most simulations at a time (`compare --jobs`, `check --jobs`).
pub const MAX_JOBS: usize = 256;

/// The largest amount of one resource in one entry, in milli-units
/// (10^9 units: a petabyte of memory in MB). Keeps cluster sums in u64.
pub const MAX_QUANTITY_MILLI: u64 = 1_000_000_000_000;

/// Hostile sizes: at most this many jobs from one generator.
pub const MAX_GENERATED_JOBS: u64 = 1_000_000_000;

/// At most this many streamed workloads (CSV traces, generators) in one
/// scenario (2^24 − 3): each has its own lane in the event queue's keys,
/// whose ranks have 24 bits (`sim::queue::MAX_LANE`, checked below).
pub const MAX_STREAMS: u64 = (1 << 24) - 3;
