//! Raw scenario structs: a mirror of the YAML file, parsed with serde.
//!
//! Unknown keys are rejected (`deny_unknown_fields`), and the value types
//! below check units, signs and precision while parsing, so serde_yaml can
//! report their line and column. Cross-references are checked afterwards, in
//! `resolve`. No `untagged` or `flatten`: they ruin error messages.

use crate::sim::time::{parse_duration, scaled_decimal, secs_f64_to_us, DurationUs, US_PER_SEC};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The largest amount of one resource in one entry, in milli-units
/// (10^9 units: a petabyte of memory in MB). Keeps cluster sums in u64.
pub const MAX_QUANTITY_MILLI: u64 = 1_000_000_000_000;

// ---------------------------------------------------------------- values --

/// A duration, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub DurationUs);

struct DurVisitor;

impl Visitor<'_> for DurVisitor {
    type Value = Dur;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a duration such as `250ms`, `5s`, `10m`, `2h`, `1d`, `10us` or a number of seconds",
        )
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
        v.checked_mul(US_PER_SEC)
            .map(Dur)
            .ok_or_else(|| E::custom(format!("duration `{v}` s is out of range")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
        if v < 0 {
            return Err(E::custom(format!("negative duration `{v}`")));
        }
        self.visit_u64(v as u64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
        secs_f64_to_us(v).map(Dur).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
        parse_duration(v).map(Dur).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        d.deserialize_any(DurVisitor)
    }
}

/// A task duration: fixed, `forever`, or drawn from a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskDur {
    Fixed(DurationUs),
    Forever,
    /// Exponential with this mean (µs).
    Exp(DurationUs),
    /// Uniform between the two bounds (µs), inclusive.
    Uniform(DurationUs, DurationUs),
}

struct TaskDurVisitor;

impl<'de> Visitor<'de> for TaskDurVisitor {
    type Value = TaskDur;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration, `forever`, `{exp: MEAN}` or `{uniform: [A, B]}`")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TaskDur, E> {
        DurVisitor.visit_u64(v).map(|d| TaskDur::Fixed(d.0))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TaskDur, E> {
        DurVisitor.visit_i64(v).map(|d| TaskDur::Fixed(d.0))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TaskDur, E> {
        DurVisitor.visit_f64(v).map(|d| TaskDur::Fixed(d.0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskDur, E> {
        if v.trim() == "forever" {
            return Ok(TaskDur::Forever);
        }
        DurVisitor.visit_str(v).map(|d| TaskDur::Fixed(d.0))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskDur, A::Error> {
        let key: String = map
            .next_key()?
            .ok_or_else(|| de::Error::custom("empty duration distribution"))?;
        let out = match key.as_str() {
            "exp" => TaskDur::Exp(map.next_value::<Dur>()?.0),
            "uniform" => {
                let [a, b]: [Dur; 2] = map.next_value()?;
                if a.0 > b.0 {
                    return Err(de::Error::custom(
                        "uniform bounds must be [low, high] with low <= high",
                    ));
                }
                TaskDur::Uniform(a.0, b.0)
            }
            other => {
                return Err(de::Error::custom(format!(
                    "unknown duration distribution `{other}` (expected `exp` or `uniform`)"
                )))
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a duration distribution has one key; unexpected `{extra}`"
            )));
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for TaskDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TaskDur, D::Error> {
        d.deserialize_any(TaskDurVisitor)
    }
}

/// A resource amount in milli-units (at most 3 decimals, not negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qty(pub u64);

struct QtyVisitor;

fn check_qty<E: de::Error>(milli: u64) -> Result<Qty, E> {
    if milli > MAX_QUANTITY_MILLI {
        return Err(E::custom(format!(
            "resource amount {} is too large (at most {})",
            milli / 1000,
            MAX_QUANTITY_MILLI / 1000
        )));
    }
    Ok(Qty(milli))
}

impl Visitor<'_> for QtyVisitor {
    type Value = Qty;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative number with at most 3 decimals")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Qty, E> {
        match v.checked_mul(1000) {
            Some(m) => check_qty(m),
            None => Err(E::custom(format!("resource amount {v} is too large"))),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Qty, E> {
        if v < 0 {
            return Err(E::custom(format!(
                "negative resource amount {v} (amounts are >= 0)"
            )));
        }
        self.visit_u64(v as u64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Qty, E> {
        if !v.is_finite() {
            return Err(E::custom(format!(
                "resource amount `{v}` is not a finite number"
            )));
        }
        if v < 0.0 {
            return Err(E::custom(format!(
                "negative resource amount {v} (amounts are >= 0)"
            )));
        }
        if v > (MAX_QUANTITY_MILLI / 1000) as f64 {
            return Err(E::custom(format!(
                "resource amount {v} is too large (at most {})",
                MAX_QUANTITY_MILLI / 1000
            )));
        }
        let text = format!("{v}");
        if text.contains('e') {
            return Err(E::custom(format!("resource amount {v} is out of range")));
        }
        match scaled_decimal(&text, 1000) {
            Ok(m) => check_qty(m),
            Err(_) => Err(E::custom(format!(
                "resource amount {v} has more than 3 decimals (0.001 is the smallest unit)"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Qty, D::Error> {
        d.deserialize_any(QtyVisitor)
    }
}

/// A map that keeps the file's order and refuses duplicate keys.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

struct OrderedMapVisitor<V>(std::marker::PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedMapVisitor<V> {
    type Value = OrderedMap<V>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMap<V>, A::Error> {
        let mut out: Vec<(String, V)> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.iter().any(|(e, _)| *e == k) {
                return Err(de::Error::custom(format!("duplicate key `{k}`")));
            }
            let v = map.next_value()?;
            out.push((k, v));
        }
        Ok(OrderedMap(out))
    }
    fn visit_unit<E: de::Error>(self) -> Result<OrderedMap<V>, E> {
        Ok(OrderedMap(Vec::new()))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OrderedMap<V>, D::Error> {
        d.deserialize_map(OrderedMapVisitor(std::marker::PhantomData))
    }
}

/// Resource amounts by name, in file order.
pub type RawResources = OrderedMap<Qty>;

/// A scalar written as text (attribute values may be written as numbers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text(pub String);

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// A key whose capability is not built yet: refused with a message saying so.
/// The refusal happens inside a visitor so that serde_yaml reports the
/// value's line and column.
macro_rules! unsupported {
    ($name:ident, $key:literal, $capability:literal) => {
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name;
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                d.deserialize_any(Refuse(concat!(
                    "`",
                    $key,
                    "` is not supported yet (it comes with ",
                    $capability,
                    ")"
                )))
                .map(|()| $name)
            }
        }
    };
}

/// A visitor that refuses whatever it is given, with a fixed message.
struct Refuse(&'static str);

impl<'de> Visitor<'de> for Refuse {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(self.0))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(self.0))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(self.0))
    }
}

unsupported!(NoPartitions, "partitions", "the partitioned mode");
unsupported!(NoPartition, "partition", "the partitioned mode");
unsupported!(NoArchitecture, "architecture", "the partitioned mode");
unsupported!(NoFaults, "faults", "fault injection");
unsupported!(NoFaultKey, "this fault setting", "fault injection");
unsupported!(
    NoDecisionTime,
    "decision_time",
    "the framework models of the workloads work"
);
unsupported!(
    NoSuppressWhenIdle,
    "suppress_when_idle",
    "the framework models of the workloads work"
);
unsupported!(
    NoConstraints,
    "constraints",
    "the framework models of the workloads work"
);
unsupported!(
    NoTraceFormat,
    "format",
    "the trace importers of the workloads work"
);
unsupported!(
    NoGenerate,
    "generate",
    "the synthetic generators of the workloads work"
);
unsupported!(NoFaultEvent, "this event", "fault injection");

// ---------------------------------------------------------------- file ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub until: Option<Dur>,
    #[serde(default)]
    pub master: Option<RawMaster>,
    #[serde(default)]
    pub roles: Vec<RawRole>,
    #[serde(default)]
    pub agents: Vec<RawAgent>,
    #[serde(default)]
    pub frameworks: Vec<RawFramework>,
    #[serde(default)]
    pub workload: Vec<RawWorkload>,
    #[serde(default)]
    pub events: Vec<RawEvent>,
    #[serde(default)]
    pub output: Option<RawOutput>,
    #[serde(default)]
    pub partitions: Option<NoPartitions>,
    #[serde(default)]
    pub architecture: Option<NoArchitecture>,
    #[serde(default)]
    pub faults: Option<NoFaults>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawMaster {
    pub allocation_interval: Option<Dur>,
    pub policy: Option<String>,
    pub role_sorter: Option<String>,
    pub framework_sorter: Option<String>,
    pub offer_timeout: Option<Text>,
    pub refuse_seconds: Option<Dur>,
    pub min_allocatable: Option<Vec<String>>,
    #[serde(default)]
    pub fair_sharing_excluded: Vec<String>,
    pub filter_gpu_resources: Option<bool>,
    pub agent_ping_timeout: Option<NoFaultKey>,
    pub max_agent_ping_timeouts: Option<NoFaultKey>,
    pub zk_session_timeout: Option<NoFaultKey>,
    pub election_delay: Option<NoFaultKey>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub name: String,
    pub weight: Option<f64>,
    pub quota: Option<RawQuota>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawQuota {
    pub guarantee: Option<RawResources>,
    pub limit: Option<RawResources>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgent {
    pub id: String,
    pub count: Option<u64>,
    #[serde(default)]
    pub resources: RawResources,
    #[serde(default)]
    pub reserved: OrderedMap<RawResources>,
    #[serde(default)]
    pub attributes: OrderedMap<Text>,
    pub at: Option<Dur>,
    pub partition: Option<NoPartition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    pub id: String,
    pub role: Option<String>,
    pub roles: Option<Vec<String>>,
    pub at: Option<Dur>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    pub behavior: Option<String>,
    pub max_tasks_per_offer: Option<u64>,
    pub refuse_seconds: Option<Dur>,
    pub min_allocatable: Option<Vec<String>>,
    pub task_duration: Option<TaskDur>,
    #[serde(default)]
    pub jobs: Vec<RawJob>,
    pub suppress_when_idle: Option<NoSuppressWhenIdle>,
    pub decision_time: Option<NoDecisionTime>,
    pub failover_timeout: Option<NoFaultKey>,
    pub partitions: Option<NoPartitions>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    pub id: Option<String>,
    /// Only in trace files: the framework the job belongs to.
    pub framework: Option<String>,
    /// For multi-role frameworks: the role its tasks run under.
    pub role: Option<String>,
    pub submit: Option<Dur>,
    pub tasks: Option<u64>,
    pub resources: RawResources,
    pub duration: TaskDur,
    pub gang: Option<bool>,
    pub constraints: Option<NoConstraints>,
    /// Per task: what it actually uses (metrics only); unnamed resources
    /// default to the request.
    pub used: Option<RawResources>,
    /// A free label grouping jobs in the metrics (`jobs.by_class`).
    pub class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub trace: Option<String>,
    pub format: Option<NoTraceFormat>,
    pub generate: Option<NoGenerate>,
}

/// A YAML trace file: `jobs:` entries, each naming its framework.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    #[serde(default)]
    pub jobs: Vec<RawJob>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    pub sample_interval: Option<Dur>,
    pub window: Option<RawWindow>,
}

/// `output.window: {from, to}`: the part of the run metrics cover.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub from: Option<Dur>,
    pub to: Option<Dur>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub at: Dur,
    pub agent_add: Option<RawAgent>,
    pub agent_remove: Option<String>,
    pub set_weight: Option<RawSetWeight>,
    pub suppress: Option<RawTarget>,
    pub revive: Option<RawTarget>,
    pub set_quota: Option<RawSetQuota>,
    pub reserve: Option<RawReserve>,
    pub unreserve: Option<RawReserve>,
    pub maintenance: Option<RawMaintenance>,
    pub agent_fail: Option<NoFaultEvent>,
    pub agent_recover: Option<NoFaultEvent>,
    pub agent_drain: Option<NoFaultEvent>,
    pub master_failover: Option<NoFaultEvent>,
    pub framework_disconnect: Option<NoFaultEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSetWeight {
    pub role: String,
    pub weight: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSetQuota {
    pub role: String,
    pub guarantee: Option<RawResources>,
    pub limit: Option<RawResources>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReserve {
    pub agent: String,
    pub role: String,
    pub resources: RawResources,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenance {
    pub agents: Vec<String>,
    pub start: Option<Dur>,
    pub duration: Dur,
}

/// `suppress: ID` or `suppress: {framework: ID, roles: [..]}` (same for revive).
#[derive(Debug, PartialEq)]
pub struct RawTarget {
    pub framework: String,
    pub roles: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargetMap {
    framework: String,
    roles: Option<Vec<String>>,
}

struct TargetVisitor;

impl<'de> Visitor<'de> for TargetVisitor {
    type Value = RawTarget;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a framework id or `{framework: ID, roles: [..]}`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTarget, E> {
        Ok(RawTarget {
            framework: v.to_string(),
            roles: None,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawTarget, A::Error> {
        let m = RawTargetMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(RawTarget {
            framework: m.framework,
            roles: m.roles,
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<RawTarget, A::Error> {
        Err(de::Error::custom(
            "expected a framework id or `{framework: ID, roles: [..]}`, not a list",
        ))
    }
}

impl<'de> Deserialize<'de> for RawTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawTarget, D::Error> {
        d.deserialize_any(TargetVisitor)
    }
}
