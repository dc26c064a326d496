//! The argument groups several commands share, as clap types, each under its own
//! heading in `--help`: what is checked (selection), how probes behave, where results
//! go (outputs). `options.rs` turns them into the engine's options.

use crate::report::{junit::WarnAs, FailOn, Format, View};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// `--rules DIR`: the catalog to judge with.
#[derive(Debug, Args)]
pub(crate) struct RulesArg {
    /// Catalog files (*.toml) that replace the built-in files of the same name.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

/// What is checked: the same for run, demo, bundle and analyze.
#[derive(Debug, Args)]
#[command(next_help_heading = "Selection")]
pub(crate) struct SelectArgs {
    /// Run only these checks (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,
    /// Demote these checks to skip (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Accepted findings (TOML: check, target, justification, expires).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Judge as of this instant (RFC 3339) instead of now.
    #[arg(long, hide = true)]
    pub now: Option<jiff::Timestamp>,
}

/// How probes behave: the same for run, demo and bundle.
#[derive(Debug, Args)]
#[command(next_help_heading = "Probes")]
pub(crate) struct ProbeArgs {
    /// Judge only what needs no network: every live check is skipped.
    #[arg(long)]
    pub offline: bool,
    /// Probes in flight at once.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Timeout of one probe, e.g. 5s or 800ms.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Deadline of the whole run.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub deadline: Duration,
    /// DNS tries per question (the timeout is shared between them).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub attempts: u32,
    /// No progress bar on stderr while probes run.
    #[arg(long)]
    pub no_progress: bool,
}

/// Where results go: the same for every command that judges.
#[derive(Debug, Args)]
#[command(next_help_heading = "Outputs")]
pub(crate) struct OutputArgs {
    #[command(flatten)]
    pub files: OutputFiles,
    /// How warnings appear in JUnit.
    #[arg(long, value_enum, default_value_t = WarnAs::Failure)]
    pub junit_warn: WarnAs,
    /// What the view on stdout looks like [default: terminal on a terminal, else plain].
    #[arg(long, value_enum)]
    pub format: Option<View>,
    /// Which findings make the exit code non-zero.
    #[arg(long, value_enum, default_value_t = FailOn::Warn)]
    pub fail_on: FailOn,
    /// Print only the one-line summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// List passing and skipped findings in the terminal view too.
    #[arg(short, long)]
    pub verbose: bool,
}

/// What every command that audits takes: how probes behave, what is checked, where
/// results go.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(flatten)]
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// One `--<format> FILE` flag per report format (`report::Format`), in its order: a
/// new format gets its flag without an edit here.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutputFiles(pub Vec<(Format, PathBuf)>);

impl OutputFiles {
    /// The file named for `format`, if any.
    pub(super) fn get(&self, format: Format) -> Option<&std::path::Path> {
        self.0.iter().find(|(f, _)| *f == format).map(|(_, p)| p.as_path())
    }

    /// Name a file for `format` unless one is named already.
    pub(super) fn or_insert(&mut self, format: Format, path: PathBuf) {
        if self.get(format).is_none() {
            self.0.push((format, path));
            self.0.sort_by_key(|(f, _)| Format::ALL.iter().position(|a| a == f));
        }
    }
}

impl clap::FromArgMatches for OutputFiles {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let named = Format::ALL.into_iter().filter_map(|f| m.get_one::<PathBuf>(f.spec().flag).map(|p| (f, p.clone())));
        Ok(OutputFiles(named.collect()))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for OutputFiles {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        Format::ALL.into_iter().fold(cmd, |cmd, f| {
            let s = f.spec();
            cmd.arg(
                clap::Arg::new(s.flag)
                    .long(s.flag)
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help(s.help)
                    .help_heading("Outputs"),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// "5s", "800ms", "2m", or a bare number of seconds: more than zero, at most a day.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_secs(86_400), "a day")
}

/// A collection call's timeout: as `parse_duration`, at most an hour.
pub(crate) fn parse_timeout(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_secs(3600), "an hour")
}

/// A positive duration no longer than `max` (`max_words` says it in the message).
fn duration_within(s: &str, max: Duration, max_words: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = match s.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let d: jiff::SignedDuration = s.parse().map_err(|_| format!("`{s}` is not a duration (try 5s, 800ms or 2m)"))?;
            Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))?
        }
    };
    if d.is_zero() {
        return Err("a duration of zero leaves no time to do anything".into());
    }
    if d > max {
        return Err(format!("`{s}` is more than {max_words}"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_within_their_bounds() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("800ms"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration(" 7 "), Ok(Duration::from_secs(7)));
        assert!(parse_duration("0").unwrap_err().contains("zero"));
        assert!(parse_duration("0s").unwrap_err().contains("zero"));
        assert!(parse_duration("86401").unwrap_err().contains("more than a day"));
        assert!(parse_duration("-5s").unwrap_err().contains("negative"));
        assert!(parse_duration("soon").unwrap_err().contains("not a duration"));
        assert_eq!(parse_timeout("15s"), Ok(Duration::from_secs(15)));
        assert!(parse_timeout("2h").unwrap_err().contains("more than an hour"));
    }
}
