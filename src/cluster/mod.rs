//! Cluster-level value types: fixed-point resources.

pub mod resources;
