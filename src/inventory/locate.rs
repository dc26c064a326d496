//! Map a path inside the inventory (e.g. `cisco.nodes[2].fqdn`) back to the line and
//! column it was written at, so semantic errors point where the user must look.

use toml::de::{DeTable, DeValue};

/// One step of a path into the TOML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before.get(line_start..).map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

/// Where the deepest existing element of `path` starts (line, column); (0, 0) if the
/// document cannot be parsed (it was parsed before, so that does not happen).
pub(super) fn locate(text: &str, path: &[Seg<'_>]) -> (usize, usize) {
    let Ok(root) = DeTable::parse(text) else {
        return (0, 0);
    };
    let mut span = 0..0;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for seg in path {
        match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => {
                let Some((key, v)) = t.iter().find(|(key, _)| key.get_ref() == k) else {
                    break;
                };
                // Point at the key itself: that is what the user typed.
                span = key.span();
                value = Some(v.get_ref());
                table = match v.get_ref() {
                    DeValue::Table(t) => Some(t),
                    _ => None,
                };
            }
            (Seg::Index(i), _, Some(DeValue::Array(items))) => {
                let Some(item) = items.get(*i) else { break };
                span = item.span();
                value = Some(item.get_ref());
                table = match item.get_ref() {
                    DeValue::Table(t) => Some(t),
                    _ => None,
                };
            }
            _ => break,
        }
    }
    line_col(text, span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_key_inside_an_array_of_tables() {
        let text = "[site]\nname = \"x\"\n\n[[nodes]]\nfqdn = \"a\"\n\n[[nodes]]\nfqdn = \"b\"\n";
        assert_eq!(locate(text, &[Seg::Key("nodes"), Seg::Index(1), Seg::Key("fqdn")]), (8, 1));
        assert_eq!(locate(text, &[Seg::Key("site"), Seg::Key("name")]), (2, 1));
    }

    #[test]
    fn finds_an_inline_table_key_and_an_array_element() {
        let text = "a = { b = 1, c = [\"x\", \"y\"] }\n";
        assert_eq!(locate(text, &[Seg::Key("a"), Seg::Key("c")]), (1, 14));
        assert_eq!(locate(text, &[Seg::Key("a"), Seg::Key("c"), Seg::Index(1)]), (1, 24));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("é = 1\nab", 8), (2, 2));
    }
}
