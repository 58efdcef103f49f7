//! The cluster: fixed-point resources, and the truth about agents and
//! the tasks running on them (`state`), apart from what masters believe.

pub mod resources;
pub mod state;
