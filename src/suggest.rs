//! "Did you mean": the closest known name to a misspelt one, if any is close enough.

/// The candidate most similar to `given` (Jaro-Winkler above 0.8), if any.
pub(crate) fn closest<'a, I>(given: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A name serde did not know, read out of its message (`unknown field `x`, expected
/// one of `a`, `b``; `unknown variant ...`), for a reworded message with a hint.
pub(crate) struct Unknown<'a> {
    /// `key` for an unknown field, `value` for an unknown variant.
    pub what: &'static str,
    /// The name as written.
    pub given: &'a str,
    /// The names allowed there.
    pub allowed: Vec<&'a str>,
}

impl<'a> Unknown<'a> {
    /// The unknown name in a serde message, if that is what it reports.
    pub(crate) fn parse(raw: &'a str) -> Option<Self> {
        let raw = raw.trim();
        [("unknown field `", "key"), ("unknown variant `", "value")].into_iter().find_map(|(prefix, what)| {
            let (given, tail) = raw.strip_prefix(prefix)?.split_once('`')?;
            // The allowed names are the odd pieces between backquotes.
            Some(Unknown { what, given, allowed: tail.split('`').skip(1).step_by(2).collect() })
        })
    }

    /// "did you mean `x`? <label>: a, b", or the list alone, or that nothing is allowed.
    pub(crate) fn hint(&self, label: &str) -> String {
        let list = self.allowed.join(", ");
        match closest(self.given, self.allowed.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? {label}: {list}"),
            None if self.allowed.is_empty() => format!("this {} is not allowed here", self.what),
            None => format!("{label}: {list}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_close_names_only() {
        assert_eq!(super::closest("fdqn", ["fqdn", "ip", "product"]), Some("fqdn"));
        assert_eq!(super::closest("zzz", ["fqdn", "ip"]), None);
    }
}
