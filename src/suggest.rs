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

#[cfg(test)]
mod tests {
    #[test]
    fn finds_close_names_only() {
        assert_eq!(super::closest("fdqn", ["fqdn", "ip", "product"]), Some("fqdn"));
        assert_eq!(super::closest("zzz", ["fqdn", "ip"]), None);
    }
}
