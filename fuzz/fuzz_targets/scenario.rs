//! Scenario loading: parse + resolve any text; errors are fine, panics,
//! hangs and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let base = std::env::temp_dir();
        let _ = mesosim::scenario::resolve::load_str(text, "fuzz.yaml", &base);
    }
});
