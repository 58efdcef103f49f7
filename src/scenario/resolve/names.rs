//! Names: role names as Mesos checks them, ids, and agent names with
//! their counted groups (`node` × 3 = node1..node3).

use super::*;

/// Checks a role name as Mesos does (`roles::validate`).
pub(super) fn validate_role_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a role name cannot be empty".into());
    }
    if name == "*" {
        return Ok(());
    }
    if name.starts_with('/') || name.ends_with('/') {
        return Err(format!("role `{name}` cannot start or end with `/`"));
    }
    // Role trees are walked recursively: a depth bound keeps the stack safe.
    let depth = name.split('/').count();
    if depth > crate::limits::MAX_ROLE_DEPTH {
        return Err(format!(
            "role `{}…` is nested {depth} levels deep; at most {} levels",
            name.chars().take(40).collect::<String>(),
            crate::limits::MAX_ROLE_DEPTH
        ));
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Err(format!("role `{name}` has an empty path segment"));
        }
        if part == "." || part == ".." {
            return Err(format!(
                "role `{name}` cannot have `.` or `..` as a segment"
            ));
        }
        if part == "*" {
            return Err(format!(
                "role `{name}`: `*` cannot be part of a nested role"
            ));
        }
        if part.starts_with('-') {
            return Err(format!("role `{name}`: a segment cannot start with `-`"));
        }
        if part
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(format!(
                "role `{name}` contains whitespace, a control character or a backslash"
            ));
        }
    }
    Ok(())
}

pub(super) fn validate_id(kind: &str, id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err(format!("{kind} id cannot be empty"));
    }
    if id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == '"')
    {
        return Err(format!(
            "{kind} id `{id}` contains whitespace, a control character, a comma or a quote"
        ));
    }
    Ok(())
}

/// Agent names: plain ids and counted groups (`node` × 3 = node1..node3).
#[derive(Default)]
pub(super) struct AgentNames {
    pub(super) plain: BTreeMap<String, AgentId>,
    /// base → (count, first AgentId)
    pub(super) counted: BTreeMap<String, (u64, AgentId)>,
}

/// Splits `name` into every (prefix, number) where the suffix is a decimal
/// number without a leading zero.
pub(super) fn numeric_splits(name: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = name.as_bytes();
    let digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let start = bytes.len() - digits;
    (start..bytes.len())
        .filter(move |&i| bytes[i] != b'0')
        .map(move |i| (&name[..i], &name[i..]))
}

pub(super) fn digits_of(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |d| d + 1)
}

impl AgentNames {
    pub(super) fn lookup(&self, name: &str) -> Option<AgentId> {
        if let Some(id) = self.plain.get(name) {
            return Some(*id);
        }
        for (prefix, num) in numeric_splits(name) {
            if let Some((count, first)) = self.counted.get(prefix) {
                if let Ok(i) = num.parse::<u64>() {
                    if i >= 1 && i <= *count {
                        return Some(AgentId(first.0 + (i - 1) as u32));
                    }
                }
            }
        }
        None
    }

    /// Does a counted group `base` × `count` produce a name already taken?
    pub(super) fn counted_collides(&self, base: &str, count: u64) -> Option<String> {
        if let Some((other, _)) = self.counted.get_key_value(base) {
            return Some(format!("{other}1"));
        }
        // Plain ids of the form base + number in 1..=count.
        for (name, _) in self.plain.range(base.to_string()..) {
            if !name.starts_with(base) {
                break;
            }
            let rest = &name[base.len()..];
            if !rest.is_empty()
                && !rest.starts_with('0')
                && rest.bytes().all(|b| b.is_ascii_digit())
                && rest.parse::<u64>().is_ok_and(|i| i >= 1 && i <= count)
            {
                return Some(name.clone());
            }
        }
        // Another counted group whose names overlap: one base extends the
        // other with digits.
        let overlap = |short: &str, short_count: u64, long: &str, long_count: u64| {
            let r = &long[short.len()..];
            if r.is_empty() || r.starts_with('0') || !r.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let r: u64 = r.parse().ok()?;
            for d in 1..=digits_of(long_count) {
                let j = if d == 1 { 1 } else { 10u64.pow(d - 1) };
                let i = r.checked_mul(10u64.checked_pow(d)?)?.checked_add(j)?;
                if i <= short_count {
                    return Some(format!("{long}{j}"));
                }
            }
            None
        };
        for (prefix, _) in numeric_splits(base) {
            if let Some((c, _)) = self.counted.get(prefix) {
                if let Some(n) = overlap(prefix, *c, base, count) {
                    return Some(n);
                }
            }
        }
        for (other, (c, _)) in self.counted.range(base.to_string()..) {
            if !other.starts_with(base) {
                break;
            }
            if let Some(n) = overlap(base, count, other, *c) {
                return Some(n);
            }
        }
        None
    }
}
