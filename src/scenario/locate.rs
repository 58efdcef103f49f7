//! Finds the line and column of a value in a YAML text by its path
//! (`frameworks[0].jobs[2].id`).
//!
//! serde_yaml reports positions for errors raised while deserializing, but
//! the checks that need the whole scenario (unknown references, duplicate
//! ids) run afterwards on plain structs. For those we re-read the text with
//! yaml-rust2's event parser, which gives every node's position, and map
//! paths to positions. This runs only when there is an error to report.

use std::collections::BTreeMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Nesting depth beyond which paths are not tracked (scenarios nest a few
/// levels; serde_yaml refuses more than 128).
const MAX_DEPTH: usize = 256;
const TOO_DEEP: &str = "\u{0}deep";

/// Path → (line, column), both 1-based.
#[derive(Debug, Default)]
pub struct Locator {
    values: BTreeMap<String, (usize, usize)>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    values: BTreeMap<String, (usize, usize)>,
    root_seen: bool,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Builder {
    /// The path of the node that starts now, or `None` if it is a map key.
    fn node_path(&mut self, scalar_text: Option<&str>) -> Option<String> {
        // Past this depth no path is built or recorded (errors point at the
        // nearest recorded ancestor): building each level's path from its
        // parent's would take time quadratic in the depth.
        if self.stack.len() >= MAX_DEPTH {
            return Some(TOO_DEEP.to_string());
        }
        match self.stack.last_mut() {
            None => {
                if self.root_seen {
                    return None;
                }
                self.root_seen = true;
                Some(String::new())
            }
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    // This node is a key.
                    *key = Some(scalar_text.unwrap_or("?").to_string());
                    None
                }
            },
        }
    }

    fn record(&mut self, path: &str, mark: Marker) {
        if path == TOO_DEEP {
            return;
        }
        self.values
            .entry(path.to_string())
            .or_insert((mark.line().max(1), mark.col() + 1));
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(p) = self.node_path(Some(&text)) {
                    self.record(&p, mark);
                }
            }
            Event::Alias(_) => {
                if let Some(p) = self.node_path(Some("*alias")) {
                    self.record(&p, mark);
                }
            }
            Event::MappingStart(..) => {
                let p = self.node_path(None).unwrap_or_else(|| "?".into());
                self.record(&p, mark);
                self.stack.push(Frame::Map { path: p, key: None });
            }
            Event::SequenceStart(..) => {
                let p = self.node_path(None).unwrap_or_else(|| "?".into());
                self.record(&p, mark);
                self.stack.push(Frame::Seq { path: p, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl Locator {
    /// Reads `text`; a text that does not parse gives an empty locator.
    pub fn new(text: &str) -> Locator {
        let mut b = Builder::default();
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut b, false);
        Locator { values: b.values }
    }

    /// The position of the value at `path`, or of its nearest ancestor that
    /// has one.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.values.get(&p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p.truncate(cut);
        }
    }
}

/// Where `key` appears a second time in the mapping that starts at `map`
/// (line, column, 1-based) — or, if no mapping starts there, in the first
/// mapping where it repeats.
pub fn repeated_key(text: &str, map: (usize, usize), key: &str) -> Option<(usize, usize)> {
    /// An open mapping: its start, whether a key comes next, the keys seen.
    type OpenMap = ((usize, usize), bool, Vec<String>);
    struct Dups<'a> {
        key: &'a str,
        map: (usize, usize),
        /// Per open node: a mapping, or `None` for a sequence.
        stack: Vec<Option<OpenMap>>,
        exact: Option<(usize, usize)>,
        any: Option<(usize, usize)>,
    }
    impl Dups<'_> {
        /// A value node starts: its mapping parent expects a key next.
        fn value(&mut self) {
            if let Some(Some((_, want_key, _))) = self.stack.last_mut() {
                *want_key = true;
            }
        }
    }
    impl MarkedEventReceiver for Dups<'_> {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            let at = (mark.line().max(1), mark.col() + 1);
            match ev {
                Event::Scalar(text, ..) => match self.stack.last_mut() {
                    Some(Some((start, want_key, keys))) if *want_key => {
                        if text == self.key && keys.contains(&text) {
                            if *start == self.map && self.exact.is_none() {
                                self.exact = Some(at);
                            }
                            self.any.get_or_insert(at);
                        }
                        keys.push(text);
                        *want_key = false;
                    }
                    _ => self.value(),
                },
                Event::Alias(_) => self.value(),
                Event::MappingStart(..) => {
                    self.value();
                    self.stack.push(Some((at, true, Vec::new())));
                }
                Event::SequenceStart(..) => {
                    self.value();
                    self.stack.push(None);
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }
    let mut d = Dups {
        key,
        map,
        stack: Vec::new(),
        exact: None,
        any: None,
    };
    let _ = Parser::new_from_str(text).load(&mut d, false);
    d.exact.or(d.any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_repeated_key() {
        let text = "name: t\nseed: 1\nseed: 2\n";
        assert_eq!(repeated_key(text, (1, 1), "seed"), Some((3, 1)));
        let text = "name: t\nagents:\n  - id: a\n    resources: {cpus: 1, id: 3}\n    id: b\n";
        assert_eq!(repeated_key(text, (3, 5), "id"), Some((5, 5)));
        assert_eq!(repeated_key("a: 1\nb: 2\n", (1, 1), "a"), None);
    }

    #[test]
    fn finds_nested_values() {
        let text = "name: t\nframeworks:\n  - id: f1\n    jobs:\n      - {id: j1, tasks: 3}\n";
        let loc = Locator::new(text);
        assert_eq!(loc.find("name"), Some((1, 7)));
        assert_eq!(loc.find("frameworks[0].id"), Some((3, 9)));
        assert_eq!(loc.find("frameworks[0].jobs[0].tasks"), Some((5, 25)));
        // Falls back to the nearest ancestor.
        assert_eq!(loc.find("frameworks[0].jobs[0].nothing"), Some((5, 9)));
    }
}

/// The line and column where flow nesting first passes
/// [`MAX_FLOW_DEPTH`](crate::limits::MAX_FLOW_DEPTH), if it does: one
/// linear pass that skips quoted strings and comments (an approximation of
/// YAML's rules that errs on the side of counting: a bracket inside a plain
/// scalar counts too).
pub fn too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = ' ';
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some(q) => {
                if c == q && !(q == '"' && prev == '\\') {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' if matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':') => quote = Some(c),
                '#' if matches!(prev, ' ' | '\t') => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > crate::limits::MAX_FLOW_DEPTH {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

#[cfg(test)]
mod depth_tests {
    use super::*;
    use crate::limits::MAX_FLOW_DEPTH;

    #[test]
    fn flow_depth_is_counted_outside_quotes_and_comments() {
        assert_eq!(too_deep("name: t\nx: [[1], {a: [2]}]\n"), None);
        let deep = format!("name: t\nx: {}\n", "[".repeat(200));
        assert_eq!(too_deep(&deep), Some((2, 4 + MAX_FLOW_DEPTH)));
        let quoted = format!("name: \"{}\"\n# {}\n", "[".repeat(200), "{".repeat(200));
        assert_eq!(too_deep(&quoted), None);
    }
}
