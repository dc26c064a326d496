//! Small helpers several layers share: counts in words, bytes as hex, durations as
//! milliseconds. Written once here so every message says it the same way.

use std::time::Duration;

/// `1 finding`, `3 findings`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Lowercase hex, no separator (`0a1b`).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A duration in whole milliseconds, saturating (for records and messages).
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// This machine's name, when the system says.
pub fn hostname() -> Option<String> {
    sysinfo::System::host_name().ok().filter(|s| !s.is_empty())
}

/// NO_COLOR set to anything but the empty string (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(plural(1, "finding", "findings"), "1 finding");
        assert_eq!(plural(0, "finding", "findings"), "0 findings");
        assert_eq!(hex(&[0x0a, 0xff, 0]), "0aff00");
        assert_eq!(millis(Duration::from_micros(1500)), 1);
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }
}
