//! The SWF importer (Parallel Workloads Archive logs), plain or gzip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("mesosim-fuzz-{}.swf", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = mesosim::workload::swf::import(&path, &Default::default());
    }
});
