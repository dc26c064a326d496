//! The arguments turned into what the engine takes: one conversion, used by every
//! command that judges.

use super::args::{ProbeArgs, RulesArg, SelectArgs};
use crate::engine::RunOptions;
use crate::judge::catalog::Catalog;

impl ProbeArgs {
    /// The probes' options, as the command line set them.
    pub(crate) fn options(&self) -> crate::observe::ProbeOptions {
        crate::observe::ProbeOptions {
            concurrency: usize::from(self.concurrency),
            timeout: self.timeout,
            deadline: self.deadline,
            progress: !self.no_progress,
            dns_attempts: self.attempts,
        }
    }
}

/// The catalog `--rules` names, else the built-in one.
pub(crate) fn catalog(rules: &RulesArg) -> anyhow::Result<Catalog> {
    Ok(match &rules.rules {
        Some(dir) => Catalog::from_dir(dir)?,
        None => Catalog::builtin()?,
    })
}

/// The engine's options: selection, waivers, and the probes when the command runs
/// them (none: offline, as `analyze` judges).
pub(crate) fn run_options(select: &SelectArgs, probe: Option<&ProbeArgs>) -> anyhow::Result<RunOptions> {
    let waivers = match &select.waivers {
        Some(p) => {
            let ids: Vec<&str> = crate::checks::registry().iter().map(|c| c.id()).collect();
            Some(crate::judge::waivers::load(p, &ids)?)
        }
        None => None,
    };
    let mut opts =
        RunOptions { only: select.only.clone(), skip: select.skip.clone(), now: select.now, waivers, offline: true, ..Default::default() };
    if let Some(p) = probe {
        opts.offline = p.offline;
        opts.probe = p.options();
    }
    Ok(opts)
}
