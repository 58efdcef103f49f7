//! The compact CSV job trace: checked in full when a scenario naming it
//! loads.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
agents:
  - {id: a, count: 2, resources: {cpus: 8, mem: 8192}}
frameworks:
  - {id: f}
  - {id: g, roles: [r1, r2]}
workload:
  - {trace: trace.csv, format: csv}
";

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("mesosim-fuzz-csv-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    if std::fs::write(dir.join("trace.csv"), data).is_ok() {
        let _ = mesosim::scenario::resolve::load_str(SCENARIO, "fuzz.yaml", &dir);
    }
});
