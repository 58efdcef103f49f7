//! Hostile sizes refused up front, in one place (ARCHITECTURE.md lists them).
//! A leaf: it imports nothing from the crate, so every module may use it.

/// Hostile sizes are refused: at most this many agents in one entry (and in
/// all), or tasks in one job.
pub const MAX_AGENTS: u64 = 10_000_000;
pub const MAX_TASKS_PER_JOB: u64 = 10_000_000;
/// At most this many periodic allocation runs (`until` ÷ interval) and
/// output samples (`until` ÷ `sample_interval`) in one run.
pub const MAX_PERIODIC_RUNS: u64 = 1_000_000_000;
pub const MAX_SAMPLES: u64 = 100_000_000;
/// Largest scenario or YAML trace file we read, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The largest amount of one resource in one entry, in milli-units
/// (10^9 units: a petabyte of memory in MB). Keeps cluster sums in u64.
pub const MAX_QUANTITY_MILLI: u64 = 1_000_000_000_000;

/// Hostile sizes: at most this many jobs from one generator.
pub const MAX_GENERATED_JOBS: u64 = 1_000_000_000;
