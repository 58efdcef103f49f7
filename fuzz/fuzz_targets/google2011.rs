//! The Google 2011 `task_events` importer, plain or gzip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("mesosim-fuzz-{}.csv", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = mesosim::workload::google::import(&path, None, &Default::default());
    }
});
