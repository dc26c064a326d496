//! Facts about the machine that ran fedcheck, for `host.json` in the bundle.
//!
//! A support engineer reading a bundle needs to know where the probes ran from (a
//! jump host's clock, time zone or OS can explain a certificate or DNS verdict).
//! Every fact is best effort: what the platform cannot tell is left out, never fatal.

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

/// The facts about the host that ran fedcheck, as `host.json` holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// The host's name, when it can be read.
    pub hostname: Option<String>,
    /// The operating system's name (e.g. "Ubuntu", "Windows").
    pub os_name: Option<String>,
    /// The operating system's version.
    pub os_version: Option<String>,
    /// The operating system's long version, with its name.
    pub os_long_version: Option<String>,
    /// The kernel's version.
    pub kernel: Option<String>,
    /// The CPU architecture (e.g. `x86_64`).
    pub arch: String,
    /// Number of logical CPUs.
    pub cpu_count: usize,
    /// The first CPU's brand string, when it has one.
    pub cpu_brand: Option<String>,
    /// Total RAM in bytes, when known.
    pub total_memory_bytes: Option<u64>,
    /// Local time when the bundle was written, RFC 3339 with the local offset.
    pub local_time: String,
    /// IANA name of the local time zone, when the system has one.
    pub time_zone: Option<String>,
    /// The tool's name (`fedcheck`).
    pub tool_name: String,
    /// The fedcheck version that wrote the bundle.
    pub tool_version: String,
    /// How fedcheck was invoked (secrets redacted when redaction is on).
    pub command_line: String,
}

/// Gathers the facts of this host; `command_line` is recorded as given.
pub(super) fn collect(command_line: String) -> HostFacts {
    let sys = System::new_with_specifics(
        RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()).with_cpu(CpuRefreshKind::nothing()),
    )
    .ok();
    let cpus = sys.as_ref().map(|s| s.cpus()).unwrap_or_default();
    let cpu_count = if cpus.is_empty() { std::thread::available_parallelism().map_or(0, usize::from) } else { cpus.len() };
    let cpu_brand = cpus.first().map(|c| c.brand().trim().to_string()).filter(|b| !b.is_empty());
    let total_memory_bytes = sys.as_ref().map(System::total_memory).filter(|&m| m > 0);
    let zoned = jiff::Zoned::now();
    HostFacts {
        hostname: crate::text::hostname(),
        os_name: System::name().ok(),
        os_version: System::os_version().ok(),
        os_long_version: System::long_os_version().ok(),
        kernel: System::kernel_version().ok(),
        arch: System::cpu_arch(),
        cpu_count,
        cpu_brand,
        total_memory_bytes,
        local_time: zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        time_zone: zoned.time_zone().iana_name().map(str::to_string),
        tool_name: crate::version::NAME.to_string(),
        tool_version: crate::version::VERSION.to_string(),
        command_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_this_host() {
        let f = collect("fedcheck bundle".into());
        assert!(f.cpu_count > 0);
        assert!(!f.arch.is_empty());
        assert!(jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", &f.local_time).is_ok());
        assert_eq!(f.tool_version, crate::version::VERSION);
        let json = serde_json::to_string(&f).unwrap();
        let back: HostFacts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
    }
}
