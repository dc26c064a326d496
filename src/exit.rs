//! The process exit codes, one enum for every command (the preflight convention):
//! 0 nothing above info, 3 a fail (or a regression in `diff`), 4 warnings only,
//! 5 a collection that was incomplete, 2 the run could not start, 1 an internal error.

/// How a command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit {
    /// Nothing above info (or: done).
    Ok,
    /// A check crashed, or an output of a run that did happen could not be written.
    Internal,
    /// Bad arguments, inventory or output path, or nothing selected could be judged.
    CannotStart,
    /// At least one fail (for `diff`: at least one regression).
    Fail,
    /// Warnings, no fail.
    Warn,
    /// Something could not be collected (the rest was).
    Partial,
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Internal => 1,
            Exit::CannotStart => 2,
            Exit::Fail => 3,
            Exit::Warn => 4,
            Exit::Partial => 5,
        }
    }

    /// The exit a number stands for, if it is one of ours.
    pub fn from_code(code: i64) -> Option<Exit> {
        [Exit::Ok, Exit::Internal, Exit::CannotStart, Exit::Fail, Exit::Warn, Exit::Partial]
            .into_iter()
            .find(|e| i64::from(e.code()) == code)
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in 0..=5 {
            assert_eq!(Exit::from_code(code).map(Exit::code), Some(code as u8));
        }
        assert_eq!(Exit::from_code(6), None);
        assert_eq!(Exit::from_code(-1), None);
    }
}
