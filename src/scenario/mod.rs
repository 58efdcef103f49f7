//! Scenario files: YAML → raw structs ([`raw`]) → resolved [`Model`].

pub mod lint;
pub mod locate;
pub mod model;
pub mod overrides;
pub mod raw;
pub mod resolve;

pub use model::Model;
pub use resolve::{load, load_str};
