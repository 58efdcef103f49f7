//! `--set KEY=VALUE`: change one value of a scenario before it is resolved.
//! KEY is a dotted path through the YAML (`master.allocation_interval`,
//! `frameworks.spark.max_tasks_per_offer`, `roles.1.weight`): map keys are
//! created when missing; list entries are chosen by index or by their `id`
//! or `name`. VALUE is YAML (`5s`, `2`, `[a, b]`, `{exp: 30s}`). The result
//! is resolved like any scenario, so every key, old or new, is checked the
//! same way.

use serde_yaml::{Mapping, Value};

/// One override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: Value,
    /// As the user wrote it, for labels and messages.
    pub text: String,
}

impl Override {
    /// Parses `KEY=VALUE`.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let (key, value) = arg.split_once('=').ok_or_else(|| {
            format!("`{arg}`: expected KEY=VALUE, e.g. master.allocation_interval=5s")
        })?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(|s| s.is_empty()) {
            return Err(format!(
                "`{arg}`: the key must be a dotted path such as master.policy"
            ));
        }
        Ok(Override {
            key: key.to_string(),
            value: parse_value(value.trim())?,
            text: value.trim().to_string(),
        })
    }
}

/// A YAML value (an empty text is the empty string).
pub fn parse_value(text: &str) -> Result<Value, String> {
    if text.is_empty() {
        return Ok(Value::String(String::new()));
    }
    too_deep(text)?;
    serde_yaml::from_str(text).map_err(|e| format!("`{text}` is not a YAML value: {e}"))
}

/// The nesting bound, checked before libyaml sees the text (see
/// [`crate::scenario::resolve::too_deep`]).
fn too_deep(text: &str) -> Result<(), String> {
    match crate::scenario::locate::too_deep(text) {
        Some((l, c)) => Err(format!(
            "brackets nested more than {} levels deep (line {l}, column {c})",
            crate::limits::MAX_FLOW_DEPTH
        )),
        None => Ok(()),
    }
}

/// Splits `a,b,[c, d]` at the commas outside brackets, braces and quotes.
pub fn split_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Applies the overrides, in order, to scenario text; returns YAML text.
pub fn apply(text: &str, overrides: &[Override]) -> Result<String, String> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    too_deep(text)?;
    let mut doc: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    for o in overrides {
        set(&mut doc, &o.key, o.value.clone())
            .map_err(|e| format!("--set {}={}: {e}", o.key, o.text))?;
    }
    serde_yaml::to_string(&doc).map_err(|e| e.to_string())
}

fn set(doc: &mut Value, key: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = key.split('.').collect();
    let mut cur = doc;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let here = segs[..i].join(".");
        if cur.is_null() {
            *cur = Value::Mapping(Mapping::new());
        }
        cur = match cur {
            Value::Mapping(m) => {
                let k = Value::String(seg.to_string());
                if last {
                    m.insert(k, value);
                    return Ok(());
                }
                if !m.contains_key(&k) {
                    m.insert(k.clone(), Value::Null);
                }
                m.get_mut(&k).expect("inserted")
            }
            Value::Sequence(items) => {
                let pos = match seg.parse::<usize>() {
                    Ok(n) if n < items.len() => Some(n),
                    Ok(n) => {
                        return Err(format!(
                            "`{here}` has {} entries; there is no entry {n}",
                            items.len()
                        ))
                    }
                    Err(_) => items.iter().position(|it| {
                        ["id", "name"]
                            .iter()
                            .any(|f| it.get(f).and_then(Value::as_str) == Some(*seg))
                    }),
                };
                let Some(pos) = pos else {
                    let ids: Vec<&str> = items
                        .iter()
                        .filter_map(|it| it.get("id").or_else(|| it.get("name")))
                        .filter_map(Value::as_str)
                        .collect();
                    return Err(format!(
                        "`{here}` has no entry with id or name `{seg}` (entries: {})",
                        if ids.is_empty() {
                            "none named".to_string()
                        } else {
                            ids.join(", ")
                        }
                    ));
                };
                if last {
                    items[pos] = value;
                    return Ok(());
                }
                &mut items[pos]
            }
            _ => {
                return Err(format!(
                    "`{here}` is a single value; `{seg}` cannot go inside it"
                ))
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ov(s: &str) -> Override {
        Override::parse(s).unwrap()
    }

    #[test]
    fn sets_nested_keys_and_list_entries() {
        let text = "name: x\nframeworks:\n  - {id: a, refuse_seconds: 1s}\n  - {id: b}\n";
        let out = apply(
            text,
            &[
                ov("master.allocation_interval=5s"),
                ov("frameworks.b.max_tasks_per_offer=3"),
                ov("frameworks.0.refuse_seconds=0s"),
            ],
        )
        .unwrap();
        let v: Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(v["master"]["allocation_interval"], Value::from("5s"));
        assert_eq!(v["frameworks"][1]["max_tasks_per_offer"], Value::from(3));
        assert_eq!(v["frameworks"][0]["refuse_seconds"], Value::from("0s"));
    }

    #[test]
    fn explains_bad_paths() {
        let text = "name: x\nframeworks:\n  - {id: a}\n";
        let e = apply(text, &[ov("frameworks.zz.role=r")]).unwrap_err();
        assert!(
            e.contains("no entry with id or name `zz`") && e.contains("a"),
            "{e}"
        );
        let e = apply(text, &[ov("name.sub=1")]).unwrap_err();
        assert!(e.contains("single value"), "{e}");
        assert!(Override::parse("novalue").is_err());
        assert!(Override::parse("a..b=1").is_err());
    }

    #[test]
    fn splits_values_outside_brackets() {
        assert_eq!(split_values("1s,5s"), vec!["1s", "5s"]);
        assert_eq!(
            split_values("[\"cpus:1\", \"mem:32\"],[]"),
            vec!["[\"cpus:1\", \"mem:32\"]", "[]"]
        );
        assert_eq!(split_values("{exp: 1s}"), vec!["{exp: 1s}"]);
    }
}
