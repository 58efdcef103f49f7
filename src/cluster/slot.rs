//! Slots: what a framework decides on, whatever the architecture.

use crate::cluster::resources::ResourceSet;
use crate::sim::time::SimTime;
use crate::{AgentId, PartitionId, RoleId};

/// A slot's number; under Mesos, its offer's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotId(pub u64);

/// What a framework may place tasks on: a share of one agent's resources
/// for one of its roles. Under Mesos's two-level scheduling a slot is an
/// offer; another architecture hands out other slots (a snapshot of an
/// agent's free resources), and the same framework models decide on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub id: SlotId,
    pub partition: PartitionId,
    pub agent: AgentId,
    pub role: RoleId,
    pub resources: ResourceSet,
    /// When it was made.
    pub made_at: SimTime,
}
