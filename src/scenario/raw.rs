//! Raw scenario structs: a mirror of the YAML file, parsed with serde.
//!
//! Unknown keys are rejected (`deny_unknown_fields`), and the value types
//! below check units, signs and precision while parsing, so serde_yaml can
//! report their line and column. Cross-references are checked afterwards, in
//! `resolve`. No `untagged` or `flatten`: they ruin error messages.

use crate::limits::MAX_QUANTITY_MILLI;
use crate::sim::time::{parse_duration, scaled_decimal, secs_f64_to_us, DurationUs, US_PER_SEC};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

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
    /// Log-normal: the median (or mean) in µs, and sigma of the log.
    LogNormal(RawLogNormal<Dur>),
    /// Pareto: minimum (µs) and shape.
    Pareto(RawPareto<Dur>),
}

struct TaskDurVisitor;

impl<'de> Visitor<'de> for TaskDurVisitor {
    type Value = TaskDur;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a duration, `forever`, `{exp: MEAN}`, `{uniform: [A, B]}`, `{lognormal: {median: M, sigma: S}}` or `{pareto: {scale: X, shape: A}}`",
        )
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
            "lognormal" => TaskDur::LogNormal(map.next_value()?),
            "pareto" => TaskDur::Pareto(map.next_value()?),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown duration distribution `{other}` (expected `exp`, `uniform`, `lognormal` or `pareto`)"
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

/// `{lognormal: {median: M, sigma: S}}` (or `mean:` instead of `median:`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogNormal<V> {
    pub median: Option<V>,
    pub mean: Option<V>,
    pub sigma: f64,
}

/// `{pareto: {scale: X, shape: A}}`: minimum X, tail index A.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPareto<V> {
    pub scale: V,
    pub shape: f64,
}

/// A distribution of durations (`V` = [`Dur`]) or of counts (`V` = f64):
/// a constant, `{exp: MEAN}`, `{uniform: [A, B]}`, `{lognormal: {…}}`,
/// `{pareto: {…}}`, `{empirical: FILE}`; `forever` for durations.
#[derive(Clone, Debug, PartialEq)]
pub enum RawDist<V> {
    Const(V),
    Forever,
    Exp(V),
    Uniform(V, V),
    LogNormal(RawLogNormal<V>),
    Pareto(RawPareto<V>),
    Empirical(String),
}

struct DistVisitor<V>(std::marker::PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for DistVisitor<V> {
    type Value = RawDist<V>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a distribution: `{exp: MEAN}`, `{uniform: [A, B]}`, `{lognormal: {median: M, sigma: S}}`, `{pareto: {scale: X, shape: A}}` or `{empirical: FILE}`")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDist<V>, E> {
        V::deserialize(de::value::U64Deserializer::<E>::new(v)).map(RawDist::Const)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDist<V>, E> {
        if v < 0 {
            return Err(E::custom(format!("negative value {v}")));
        }
        V::deserialize(de::value::I64Deserializer::<E>::new(v)).map(RawDist::Const)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist<V>, E> {
        if !(v.is_finite() && v >= 0.0) {
            return Err(E::custom(format!("`{v}` is not a finite number >= 0")));
        }
        V::deserialize(de::value::F64Deserializer::<E>::new(v)).map(RawDist::Const)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDist<V>, E> {
        if v.trim() == "forever" {
            return Ok(RawDist::Forever);
        }
        V::deserialize(de::value::StrDeserializer::<E>::new(v)).map(RawDist::Const)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDist<V>, A::Error> {
        let key: String = map
            .next_key()?
            .ok_or_else(|| de::Error::custom("empty distribution"))?;
        let out = match key.as_str() {
            "exp" => RawDist::Exp(map.next_value()?),
            "uniform" => {
                let [a, b]: [V; 2] = map.next_value()?;
                RawDist::Uniform(a, b)
            }
            "lognormal" => RawDist::LogNormal(map.next_value()?),
            "pareto" => RawDist::Pareto(map.next_value()?),
            "empirical" => RawDist::Empirical(map.next_value()?),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown distribution `{other}` (expected `exp`, `uniform`, `lognormal`, `pareto` or `empirical`)"
                )))
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a distribution has one key; unexpected `{extra}`"
            )));
        }
        Ok(out)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for RawDist<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawDist<V>, D::Error> {
        d.deserialize_any(DistVisitor(std::marker::PhantomData))
    }
}

/// Attribute values a job accepts: one value or a list of alternatives.
#[derive(Clone, Debug, PartialEq)]
pub struct RawAttrValues(pub Vec<String>);

struct AttrValuesVisitor;

impl<'de> Visitor<'de> for AttrValuesVisitor {
    type Value = RawAttrValues;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute value or a list of values")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAttrValues, E> {
        Ok(RawAttrValues(vec![v.to_string()]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAttrValues, E> {
        Ok(RawAttrValues(vec![v.to_string()]))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAttrValues, E> {
        Ok(RawAttrValues(vec![v.to_string()]))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawAttrValues, E> {
        Ok(RawAttrValues(vec![v.to_string()]))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawAttrValues, E> {
        Ok(RawAttrValues(vec![v.to_string()]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawAttrValues, A::Error> {
        let mut out = Vec::new();
        while let Some(Text(t)) = seq.next_element::<Text>()? {
            out.push(t);
        }
        if out.is_empty() {
            return Err(de::Error::custom(
                "an empty list of values matches no agent",
            ));
        }
        Ok(RawAttrValues(out))
    }
}

impl<'de> Deserialize<'de> for RawAttrValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawAttrValues, D::Error> {
        d.deserialize_any(AttrValuesVisitor)
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

// -------------------------------------------------------- architecture ----

/// `architecture: NAME`, or `{type: NAME, queue | conflicts | transactions}`
/// (names checked by the resolver).
#[derive(Debug, Default)]
pub struct RawArchitecture {
    pub kind: String,
    pub queue: Option<String>,
    pub conflicts: Option<String>,
    pub transactions: Option<String>,
}

impl<'de> Deserialize<'de> for RawArchitecture {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawArchitecture;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`two-level`, `monolithic`, `shared-state` or `{type: NAME, ...}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawArchitecture, E> {
                Ok(RawArchitecture {
                    kind: v.to_string(),
                    ..RawArchitecture::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawArchitecture, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Full {
                    #[serde(rename = "type")]
                    kind: String,
                    queue: Option<String>,
                    conflicts: Option<String>,
                    transactions: Option<String>,
                }
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawArchitecture {
                    kind: f.kind,
                    queue: f.queue,
                    conflicts: f.conflicts,
                    transactions: f.transactions,
                })
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------- partitions ----

/// `partitions: {count, assign}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartitions {
    /// Default: 1 for `round-robin` and `hash`; the number of distinct
    /// values or lists for `by_attribute` and `lists`.
    pub count: Option<u32>,
    #[serde(default)]
    pub assign: RawAssign,
    pub rebalance: Option<RawRebalance>,
}

/// `partitions.rebalance: {every, policy, move_cost}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRebalance {
    pub every: Dur,
    pub policy: Option<String>,
    pub move_cost: Option<Dur>,
}

/// How agents are assigned to partitions: `round-robin`, `hash`,
/// `{by_attribute: KEY}` or `{lists: [[ids…], …]}`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum RawAssign {
    /// In registration order: the i-th agent to register goes to `i mod count`.
    #[default]
    RoundRobin,
    /// FNV-1a (64-bit) of the agent id, `mod count`.
    Hash,
    /// One partition per distinct value of the attribute, in order of first
    /// appearance.
    ByAttribute(String),
    /// Partition i holds the agents listed i-th.
    Lists(Vec<Vec<String>>),
}

const ASSIGN_EXPECTED: &str =
    "`round-robin`, `hash`, `{by_attribute: KEY}` or `{lists: [[ids...], ...]}`";

impl<'de> Deserialize<'de> for RawAssign {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAssign;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(ASSIGN_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAssign, E> {
                match v {
                    "round-robin" => Ok(RawAssign::RoundRobin),
                    "hash" => Ok(RawAssign::Hash),
                    other => Err(E::custom(format!(
                        "unknown assignment `{other}`; expected {ASSIGN_EXPECTED}"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAssign, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format!(
                        "an empty assignment; expected {ASSIGN_EXPECTED}"
                    )));
                };
                let out = match key.as_str() {
                    "by_attribute" => RawAssign::ByAttribute(map.next_value()?),
                    "lists" => RawAssign::Lists(map.next_value()?),
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown assignment `{other}`; expected {ASSIGN_EXPECTED}"
                        )))
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(format!(
                        "give one assignment; expected {ASSIGN_EXPECTED}"
                    )));
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

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
    pub partitions: Option<RawPartitions>,
    #[serde(default)]
    pub architecture: Option<RawArchitecture>,
    #[serde(default)]
    pub faults: Option<RawFaults>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawMaster {
    pub allocation_interval: Option<Dur>,
    pub policy: Option<String>,
    pub role_sorter: Option<String>,
    pub framework_sorter: Option<String>,
    /// The resource `single-resource` shares.
    pub policy_resource: Option<String>,
    /// One slot of the `slots` policy.
    pub slot_size: Option<RawResources>,
    /// `auction`: the most credit a framework holds, and the credit a
    /// second per unit of role weight.
    pub max_budget: Option<f64>,
    pub budget_rate: Option<f64>,
    pub offer_timeout: Option<Text>,
    pub refuse_seconds: Option<Dur>,
    pub min_allocatable: Option<Vec<String>>,
    #[serde(default)]
    pub fair_sharing_excluded: Vec<String>,
    pub filter_gpu_resources: Option<bool>,
    pub agent_ping_timeout: Option<Dur>,
    pub max_agent_ping_timeouts: Option<u64>,
    pub zk_session_timeout: Option<Dur>,
    pub election_delay: Option<Dur>,
    pub agent_reregister_spread: Option<Dur>,
    /// The simulated cost of an allocation run (reported, not waited for).
    pub run_cost: Option<RawRunCost>,
}

/// `master.run_cost: {per_agent, per_client, per_pair}`.
#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RawRunCost {
    pub per_agent: Option<Dur>,
    pub per_client: Option<Dur>,
    pub per_pair: Option<Dur>,
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
    /// One amount per partition instead of `guarantee`/`limit` split by
    /// capacity (docs/partitions.md).
    pub per_partition: Option<Vec<RawQuotaAmount>>,
}

/// One partition's quota in `per_partition`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawQuotaAmount {
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
    /// Explicit partition index (overrides `partitions.assign`).
    pub partition: Option<u32>,
    /// Tasks already running when the agent registers (Mesos `addSlave`
    /// with used resources).
    #[serde(default)]
    pub running: Vec<RawRunning>,
}

/// An `agents[].running` entry: a framework's task already running on the
/// agent when it registers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunning {
    pub framework: String,
    pub role: Option<String>,
    #[serde(default)]
    pub resources: RawResources,
    /// Resources reserved for the entry's role.
    #[serde(default)]
    pub reserved: RawResources,
    /// How long it keeps running after the agent registers; forever if
    /// left out.
    #[serde(rename = "for")]
    pub for_: Option<Dur>,
}

/// Declares `RawFramework` (a `frameworks` entry) and `RawFrameworkTemplate`
/// (`workload[].framework_defaults`: the same keys without `id`, `jobs`,
/// `task_duration` and `partitions`, for frameworks a trace names that the
/// scenario does not declare) from one list of the keys they share, and
/// `with_id`, which makes an entry from a template. Not `#[serde(flatten)]`:
/// serde does not support it with `deny_unknown_fields`, and buffering the
/// flattened keys would lose the list of known keys that "did you mean"
/// reads and the places of the values. The shared keys come in two runs so
/// that each struct keeps its keys in the order its error messages list.
macro_rules! raw_frameworks {
    (
        shared { $($(#[$a_attr:meta])* $a:ident: $a_ty:ty,)* }
        entry_only { $($(#[$m_attr:meta])* $m:ident: $m_ty:ty = $m_default:expr,)* }
        shared { $($(#[$b_attr:meta])* $b:ident: $b_ty:ty,)* }
    ) => {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawFramework {
            pub id: String,
            $($(#[$a_attr])* pub $a: $a_ty,)*
            $($(#[$m_attr])* pub $m: $m_ty,)*
            $($(#[$b_attr])* pub $b: $b_ty,)*
            /// Partition indices it registers with (default: all).
            pub partitions: Option<Vec<u32>>,
        }

        #[derive(Debug, Deserialize, Default, Clone)]
        #[serde(deny_unknown_fields)]
        pub struct RawFrameworkTemplate {
            $($(#[$a_attr])* pub $a: $a_ty,)*
            $($(#[$b_attr])* pub $b: $b_ty,)*
        }

        impl RawFrameworkTemplate {
            /// A framework entry with this id.
            pub fn with_id(&self, id: &str) -> RawFramework {
                RawFramework {
                    id: id.to_string(),
                    $($a: self.$a.clone(),)*
                    $($m: $m_default,)*
                    $($b: self.$b.clone(),)*
                    partitions: None,
                }
            }
        }
    };
}

raw_frameworks! {
    shared {
        role: Option<String>,
        roles: Option<Vec<String>>,
        at: Option<Dur>,
        #[serde(default)]
        capabilities: Vec<String>,
        behavior: Option<String>,
        max_tasks_per_offer: Option<u64>,
        refuse_seconds: Option<Dur>,
        min_allocatable: Option<Vec<String>>,
    }
    entry_only {
        task_duration: Option<TaskDur> = None,
        #[serde(default)]
        jobs: Vec<RawJob> = Vec::new(),
    }
    shared {
        preset: Option<String>,
        suppress_when_idle: Option<bool>,
        decision_time: Option<RawDecisionTime>,
        gang_hold_timeout: Option<Text>,
        locality_wait: Option<Dur>,
        abandon_after: Option<u64>,
        failover_timeout: Option<Dur>,
        priority: Option<i64>,
        valuation: Option<RawValuation>,
        on_lost: Option<String>,
    }
}

/// `valuation: {per_task: V, per_unit: {cpus: V, ...}}` (the `auction`).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawValuation {
    pub per_task: Option<f64>,
    pub per_unit: Option<OrderedMap<f64>>,
    /// Credits more per task of a job whose deadline is still ahead.
    pub deadline_bonus: Option<f64>,
}

/// `decision_time: {per_offer: D, per_task: D}`.
#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RawDecisionTime {
    pub per_job: Option<Dur>,
    pub per_offer: Option<Dur>,
    pub per_task: Option<Dur>,
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
    /// Agent attribute → value (or list of accepted values): hard.
    pub constraints: Option<OrderedMap<RawAttrValues>>,
    /// The same, soft: delay scheduling waits for such agents.
    pub prefer: Option<OrderedMap<RawAttrValues>>,
    /// Per task: what it actually uses (metrics only); unnamed resources
    /// default to the request.
    pub used: Option<RawResources>,
    /// A free label grouping jobs in the metrics (`jobs.by_class`).
    pub class: Option<String>,
    /// The job should be done this long after its submission.
    pub deadline: Option<Dur>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub trace: Option<String>,
    /// `yaml`, `csv`, `google2011` or `swf`; default from the file name.
    pub format: Option<String>,
    /// google2011: the `job_events` file.
    pub job_events: Option<String>,
    /// Every job of the trace goes to this framework.
    pub framework: Option<String>,
    /// google2011: `priority`, `class` or `user`; swf: `one`, `user`,
    /// `group`, `queue` or `partition`.
    pub framework_by: Option<String>,
    /// Creates the frameworks the trace names that are not declared.
    pub framework_defaults: Option<RawFrameworkTemplate>,
    /// google2011: priority bands, `name:lo-hi,...`.
    pub bands: Option<String>,
    /// google2011: the largest machine's size (normalised requests × this).
    pub machine: Option<RawResources>,
    /// google2011: `schedule` or `skip`.
    pub missing_submit: Option<String>,
    /// google2011: `skip`, `forever` or `truncate`.
    pub open_end: Option<String>,
    /// google2011 and swf: `first` or `trace`.
    pub time_origin: Option<String>,
    /// swf: `tasks` or `cpus`.
    pub processors: Option<String>,
    /// swf: cpus per processor.
    pub cpus_per_processor: Option<Qty>,
    /// swf: whether jobs are gang jobs.
    pub gang: Option<bool>,
    pub generate: Option<RawGenerate>,
}

/// `workload[].generate`: a synthetic generator.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawGenerate {
    /// Names the random stream (`workload-generate/<name>`); default `gen<N>`.
    pub name: Option<String>,
    /// How many jobs (else until `until`).
    pub jobs: Option<u64>,
    pub start: Option<Dur>,
    /// No arrival after this time (default: the scenario's `until`).
    pub until: Option<Dur>,
    /// Gaps between arrivals.
    pub interarrival: Option<RawDist<Dur>>,
    /// Poisson arrivals at this many jobs per second.
    pub rate: Option<f64>,
    pub classes: Vec<RawGenClass>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawGenClass {
    pub name: String,
    pub weight: Option<f64>,
    pub framework: String,
    pub role: Option<String>,
    pub tasks: Option<RawDist<f64>>,
    pub resources: RawResources,
    pub duration: RawDist<Dur>,
    pub gang: Option<bool>,
    pub constraints: Option<OrderedMap<RawAttrValues>>,
    pub prefer: Option<OrderedMap<RawAttrValues>>,
}

/// The file `mesosim generate` reads: a seed and a generator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGenerateFile {
    pub seed: Option<u64>,
    pub generate: RawGenerate,
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
    pub percentiles: Option<super::model::Percentiles>,
    pub references: Option<bool>,
    pub compare_frameworks: Option<Vec<String>>,
    pub schedulers: Option<bool>,
    pub faults: Option<bool>,
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
    pub whitelist: Option<RawWhitelist>,
    pub agent_fail: Option<String>,
    pub agent_recover: Option<String>,
    pub rack_fail: Option<RawRackFail>,
    pub agent_drain: Option<RawDrain>,
    pub master_failover: Option<RawMasterFailover>,
    pub framework_disconnect: Option<RawDisconnect>,
    pub offer_return: Option<RawOfferReturn>,
    pub update_allocation: Option<RawUpdateAllocation>,
    pub agent_update: Option<RawAgentUpdate>,
}

/// `offer_return: {framework, agent, role, part, refuse_seconds}`: a `hold`
/// framework gives back (part of) the offers it keeps on an agent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOfferReturn {
    pub framework: String,
    pub agent: String,
    pub role: Option<String>,
    /// `all` (default), `reserved` or `unreserved`.
    pub part: Option<String>,
    pub refuse_seconds: Option<Dur>,
}

/// `update_allocation: {framework, agent, role, reserve | unreserve |
/// remove: RESOURCES}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpdateAllocation {
    pub framework: String,
    pub agent: String,
    pub role: Option<String>,
    pub reserve: Option<RawResources>,
    pub unreserve: Option<RawResources>,
    pub remove: Option<RawResources>,
}

/// `agent_update: {agent, resources, reserved, attributes}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentUpdate {
    pub agent: String,
    pub resources: Option<RawResources>,
    pub reserved: Option<OrderedMap<RawResources>>,
    pub attributes: Option<OrderedMap<Text>>,
}

/// `agent_drain: {agent, deadline}` (no deadline: its tasks run to the end).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrain {
    pub agent: String,
    pub deadline: Option<Dur>,
}

/// `master_failover: {}` (every partition's master) or `{partition: N}`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawMasterFailover {
    pub partition: Option<u32>,
}

/// `rack_fail: {attribute, value}`: every agent with that attribute value
/// fails at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRackFail {
    pub attribute: String,
    pub value: Text,
}

/// One random-fault process: `{agent_mtbf: DIST, agent_mttr: DIST,
/// agents: [IDs]}` (`agents`: agent or `agents:` entry ids; all agents
/// when left out).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaultSpec {
    pub agent_mtbf: RawDist<Dur>,
    pub agent_mttr: RawDist<Dur>,
    pub agents: Option<Vec<String>>,
}

/// `faults:` one random-fault process (a map) or several (a list).
#[derive(Debug)]
pub struct RawFaults(pub Vec<RawFaultSpec>);

struct FaultsVisitor;

impl<'de> Visitor<'de> for FaultsVisitor {
    type Value = RawFaults;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`{agent_mtbf: DIST, agent_mttr: DIST}` or a list of those")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFaults, A::Error> {
        let one = RawFaultSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(RawFaults(vec![one]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawFaults, A::Error> {
        let mut all = Vec::new();
        while let Some(one) = seq.next_element::<RawFaultSpec>()? {
            all.push(one);
        }
        Ok(RawFaults(all))
    }
}

impl<'de> Deserialize<'de> for RawFaults {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawFaults, D::Error> {
        d.deserialize_any(FaultsVisitor)
    }
}

/// `framework_disconnect: {framework, for}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisconnect {
    pub framework: String,
    #[serde(rename = "for")]
    pub duration: Dur,
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
    pub per_partition: Option<Vec<RawQuotaAmount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReserve {
    pub agent: String,
    pub role: String,
    pub resources: RawResources,
}

/// `whitelist: [IDs]` (only these agents are offered) or `whitelist: all`.
#[derive(Debug, PartialEq)]
pub enum RawWhitelist {
    Agents(Vec<String>),
    All(String),
}

struct WhitelistVisitor;

impl<'de> Visitor<'de> for WhitelistVisitor {
    type Value = RawWhitelist;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of agent ids or `all`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawWhitelist, E> {
        Ok(RawWhitelist::All(v.to_string()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawWhitelist, A::Error> {
        let mut ids = Vec::new();
        while let Some(id) = seq.next_element::<String>()? {
            ids.push(id);
        }
        Ok(RawWhitelist::Agents(ids))
    }
}

impl<'de> Deserialize<'de> for RawWhitelist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WhitelistVisitor)
    }
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
