//! The tool's version, with the git description when the build had one.

/// The package version, from Cargo.toml.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The package name (`fedcheck`).
pub(crate) const NAME: &str = env!("CARGO_PKG_NAME");
/// `git describe` at build time; empty outside a git checkout.
pub(crate) const GIT: &str = env!("FEDCHECK_GIT_DESCRIBE");

/// "0.1.0 (abc1234)" or "0.1.0".
pub(crate) fn long() -> &'static str {
    static LONG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LONG.get_or_init(|| if GIT.is_empty() { VERSION.to_string() } else { format!("{VERSION} ({GIT})") })
}
