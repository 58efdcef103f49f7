//! Resource names (interned) and quantities, `min_allocatable` lists.

use super::*;

impl Resolver<'_> {
    pub(super) fn intern(
        &mut self,
        name: &str,
        at: At,
    ) -> Result<crate::cluster::resources::ResId, InputError> {
        if name.is_empty()
            || name.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, ':' | ';' | ',' | '|' | '"')
            })
        {
            return Err(self.err(
                at,
                format!("`{name}` is not a valid resource name (no spaces, `:`, `;`, `,`, `|`)"),
            ));
        }
        self.resources.intern(name).ok_or_else(|| {
            self.err(
                at,
                format!("too many distinct resource names (at most {MAX_RESOURCE_KINDS})"),
            )
        })
    }

    pub(super) fn quantities(
        &mut self,
        raw: &RawResources,
        at: At,
    ) -> Result<Quantities, InputError> {
        let mut q = Quantities::ZERO;
        for (name, v) in &raw.0 {
            let r = self.intern(name, &format!("{at}.{name}"))?;
            q.set(r, v.0);
        }
        Ok(q)
    }

    /// `"cpus:0.01;mem:32"` → quantities (for `min_allocatable`).
    pub(super) fn parse_alternative(
        &mut self,
        text: &str,
        at: At,
        intern: bool,
    ) -> Result<Option<Quantities>, InputError> {
        let mut q = Quantities::ZERO;
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once(':').ok_or_else(|| {
                self.err(
                    at,
                    format!("`{part}` should be NAME:AMOUNT, e.g. `cpus:0.01`"),
                )
            })?;
            let milli = crate::sim::time::scaled_decimal(value.trim(), 1000).map_err(|_| {
                self.err(
                    at,
                    format!("`{value}` is not a non-negative amount with at most 3 decimals"),
                )
            })?;
            let name = name.trim();
            let r = if intern {
                self.intern(name, at)?
            } else {
                match self.resources.get(name) {
                    Some(r) => r,
                    // A default naming a resource nobody has: never met.
                    None => return Ok(None),
                }
            };
            q.set(r, milli);
        }
        Ok(Some(q))
    }

    pub(super) fn min_allocatable(
        &mut self,
        list: &[String],
        at: At,
    ) -> Result<Vec<Quantities>, InputError> {
        let mut out = Vec::new();
        for (i, s) in list.iter().enumerate() {
            if let Some(q) = self.parse_alternative(s, &format!("{at}[{i}]"), true)? {
                out.push(q);
            }
        }
        Ok(out)
    }
}
