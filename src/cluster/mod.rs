//! The cluster: fixed-point resources, slots (what frameworks decide on),
//! and the truth about agents and
//! the tasks running on them (`state`), apart from what masters believe.

pub mod resources;
pub mod slot;
pub mod state;
