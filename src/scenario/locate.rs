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

#[cfg(test)]
mod tests {
    use super::*;

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
