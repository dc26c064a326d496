//! Capture cleaning: every evidence parser reads a file through here.
//!
//! Engineers save command output the way their tools give it to them: PuTTY session
//! logs with VT escape codes and the IM&P pager redrawn with carriage returns,
//! Start-Transcript files of remote PowerShell sessions, several commands in one
//! file. This module renders each physical line the way a terminal shows it, drops
//! what is not command output (session-log headers, login prompts, the CLI banner,
//! prompts, pager prompts, transcript blocks) and, when the file holds several
//! commands, keeps the output of the one the parser reads. Every kept line carries
//! its line number in the original file, so messages point where the user looks.
//!
//! Here: the commands' echo matching, segmentation at prompts and the choice of the
//! segments a parser reads (`Capture`). `classify` says what each line is,
//! `terminal` renders escapes and the pager, `text` holds the parsers' helpers.

mod classify;
mod terminal;
mod text;

use super::ParseError;
use classify::*;
use terminal::*;
pub(crate) use text::{key_value, looks_like_json, quote, unrecognised};

/// One line of a capture after cleaning. `text` has trailing whitespace removed but
/// keeps leading whitespace (Format-List uses it to mark continuation lines). An
/// empty `text` is a blank line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// 1-based line number in the original file.
    pub no: usize,
    pub text: &'a str,
    /// The line ended in a space before trimming: where PowerShell word-wraps a long
    /// value, the space it broke at ends the line, so the value goes on after a space.
    pub space_after: bool,
}

/// A command whose output a parser reads (each evidence kind has one: `kinds`).
#[derive(Debug)]
pub(crate) struct Cmd {
    /// As the user types it, for messages.
    pub name: &'static str,
    /// Lowercase words that identify it in an echoed command line.
    pub key: &'static str,
}

impl Cmd {
    /// Whether an echoed command line runs this command (word boundaries respected,
    /// so `Get-CsTrustedApplication` does not match `Get-CsTrustedApplicationPool`).
    pub(crate) fn echoed_in(&self, command: &str) -> bool {
        let norm = command.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let mut from = 0;
        while let Some(i) = norm[from..].find(self.key) {
            let start = from + i;
            let end = start + self.key.len();
            let before_ok = norm[..start].chars().next_back().is_none_or(|c| !word(c));
            let after_ok = norm[end..].chars().next().is_none_or(|c| !word(c));
            if before_ok && after_ok {
                return true;
            }
            from = end;
        }
        false
    }
}

/// The known command an echoed command line runs, if any.
fn known_command(command: &str) -> Option<&'static Cmd> {
    super::kinds::echoed(command).map(|k| &k.cmd)
}

/// What a rendered line is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Blank,
    Data,
    /// Not output: session-log header, login, banner, transcript block, warning...
    Noise,
    /// The IM&P CLI's closing lines (`Primary Node =`, `Command successful`): not
    /// data, but proof the command ran to its end.
    Trailer,
    /// A shell prompt, with the command typed after it (empty for a bare prompt).
    Prompt(String),
}

struct Rendered {
    no: usize,
    text: String,
    kind: Kind,
    /// A pager prompt stood on this line.
    pager: Option<Pager>,
    /// The line ended in whitespace (see `Line::space_after`).
    space_after: bool,
    /// A Start-Transcript header came before this line.
    transcript: bool,
}

/// The output of one command (or the text before the first prompt).
#[derive(Default)]
struct Segment {
    /// Line and command of the echo that opened it.
    echo: Option<(usize, String)>,
    rows: Vec<usize>,
    /// A prompt followed the output.
    closed: bool,
    trailer: bool,
    pager_quit: Option<usize>,
    /// A page whose first line came after lines never shown: its line, and the
    /// output lines skipped.
    pager_gap: Option<(usize, u64, u64)>,
}

/// A capture cleaned and cut down to the output of one command.
pub(crate) struct Capture {
    rows: Vec<(usize, String)>,
    /// Line numbers (of `rows`) whose line ended in a space.
    spaced: std::collections::BTreeSet<usize>,
    /// Lines in the original file.
    total: usize,
    cmd: Option<&'static Cmd>,
    /// A prompt follows the output (in a transcript, the `Stop-Transcript` echo).
    pub closed: bool,
    /// Line of the echoed command the output follows, when the capture shows it.
    pub echo_line: Option<usize>,
    /// The file is a Start-Transcript record (its header came before the output).
    pub transcript: bool,
    /// The IM&P CLI's closing lines are present.
    pub trailer: bool,
    /// Line of a pager prompt the user quit at (the rest of the output is missing).
    pub pager_quit: Option<usize>,
    /// A page that skipped output lines (`e` pressed): its line and the lines skipped.
    pub pager_gap: Option<(usize, u64, u64)>,
}

impl Capture {
    /// Clean `text` and keep the output of `cmd` (every command's output when `None`).
    /// Fails only when the file plainly holds another command's output instead.
    #[cfg(test)]
    pub(crate) fn new(text: &str, cmd: Option<&'static Cmd>) -> Result<Self, ParseError> {
        Self::candidates(text, cmd)?.into_iter().next().ok_or_else(|| ParseError::new(0, "no capture"))
    }

    /// Every run of `cmd` in the file that printed something, latest first (at least
    /// one capture).
    fn candidates(text: &str, cmd: Option<&'static Cmd>) -> Result<Vec<Self>, ParseError> {
        let rendered = classify(text);
        let segments = segment(&rendered);
        let choices: Vec<Vec<&Segment>> = match cmd {
            None => vec![segments.iter().collect()],
            Some(cmd) => choose(&segments, &rendered, cmd)?,
        };
        Ok(choices.into_iter().map(|chosen| Self::from_segments(&rendered, &chosen, cmd)).collect())
    }

    fn from_segments(rendered: &[Rendered], chosen: &[&Segment], cmd: Option<&'static Cmd>) -> Self {
        let total = rendered.len();
        let mut rows: Vec<usize> = chosen.iter().flat_map(|s| s.rows.iter().copied()).collect();
        rows.sort_unstable();
        let last_with_data = chosen.iter().rev().find(|s| s.rows.iter().any(|&i| rendered[i].kind == Kind::Data));
        let tail = last_with_data.or(chosen.last());
        let transcript = rows.first().is_some_and(|&i| rendered[i].transcript);
        Capture {
            spaced: rows.iter().map(|&i| &rendered[i]).filter(|r| r.space_after && r.kind == Kind::Data).map(|r| r.no).collect(),
            rows: rows
                .into_iter()
                .map(|i| {
                    let r = &rendered[i];
                    (r.no, if r.kind == Kind::Data { r.text.clone() } else { String::new() })
                })
                .collect(),
            total,
            cmd,
            closed: tail.is_some_and(|s| s.closed),
            echo_line: tail.and_then(|s| s.echo.as_ref()).map(|(line, _)| *line),
            transcript,
            trailer: chosen.iter().any(|s| s.trailer),
            pager_quit: tail.and_then(|s| s.pager_quit),
            pager_gap: chosen.iter().find_map(|s| s.pager_gap),
        }
    }

    /// The kept lines, blank lines included.
    pub(crate) fn lines(&self) -> Vec<Line<'_>> {
        self.rows.iter().map(|(no, text)| Line { no: *no, text: text.as_str(), space_after: self.spaced.contains(no) }).collect()
    }

    /// The kept text with every other line blanked and the line count unchanged, so a
    /// JSON parser's line numbers still point into the original file.
    pub(crate) fn json_text(&self) -> String {
        let mut out = String::new();
        let mut at = 1;
        for (no, text) in &self.rows {
            while at < *no {
                out.push('\n');
                at += 1;
            }
            out.push_str(text);
        }
        while at < self.total {
            out.push('\n');
            at += 1;
        }
        out
    }

    /// True when the command printed nothing (or the file is empty).
    pub(crate) fn is_blank(&self) -> bool {
        self.rows.iter().all(|(_, t)| t.trim().is_empty())
    }

    /// Line of the last kept line that carries data.
    pub(crate) fn last_data_line(&self) -> Option<usize> {
        self.rows.iter().rev().find(|(_, t)| !t.trim().is_empty()).map(|(no, _)| *no)
    }

    /// A Start-Transcript record that stops before `Stop-Transcript` wrote its end and
    /// before the next prompt: the session or the file was cut, the output with it.
    pub(crate) fn transcript_cut(&self) -> Option<super::CutShort> {
        if !self.transcript || self.closed {
            return None;
        }
        Some(super::CutShort {
            line: self.last_data_line().or(self.echo_line).unwrap_or(0),
            reason: format!(
                "the transcript stops here, before the prompt after `{}` and before its `transcript end` block: the rest of the output is not in it",
                self.command_name()
            ),
        })
    }

    /// Whether the capture ends at `line` with nothing after it that proves the command
    /// finished (no prompt, no CLI closing lines): a line that cannot be read there was
    /// cut off by the capture, not printed wrong by the server.
    pub(crate) fn stops_at(&self, line: usize) -> bool {
        !self.closed && !self.trailer && self.last_data_line() == Some(line)
    }

    /// Whether `e` is the damage a capture stopping at its line would do.
    pub(crate) fn cut_explains(&self, e: &ParseError) -> bool {
        e.incomplete && self.may_be_cut_at(e.line)
    }

    /// `cut_explains`, for an error about a whole record that ends at `line`.
    pub(crate) fn cut_explains_at(&self, e: &ParseError, line: usize) -> bool {
        e.incomplete && self.may_be_cut_at(line)
    }

    /// Whether the capture may have been cut at `line`: it ends there, nothing closes
    /// it, and it is not another command's output.
    pub(crate) fn may_be_cut_at(&self, line: usize) -> bool {
        self.stops_at(line) && self.other_command().is_none()
    }

    /// The known command this output looks like, when that is not the one read.
    fn other_command(&self) -> Option<&'static Cmd> {
        let cmd = self.cmd?;
        let text: String = self.rows.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
        sniff(&text).filter(|other| other.name != cmd.name)
    }

    /// The cut an unreadable last line means, when the capture stops there.
    pub(crate) fn cut_at(&self, e: &ParseError) -> Option<super::CutShort> {
        self.cut_explains(e).then(|| super::CutShort {
            line: e.line,
            reason: format!("the capture stops inside the output, at a line that is cut off ({}); the rest is missing", e.message),
        })
    }

    /// The command failed instead of printing its output: a PowerShell error record
    /// (`+ CategoryInfo` / `+ FullyQualifiedErrorId`) or the IM&P CLI's
    /// `Executed command unsuccessfully`. The error names the line and quotes why.
    pub(crate) fn failure(&self) -> Option<ParseError> {
        let name = self.command_name();
        let filled: Vec<&(usize, String)> = self.rows.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
        for (i, (no, text)) in filled.iter().enumerate() {
            let t = text.trim();
            let lower = t.to_ascii_lowercase();
            // PowerShell 7's concise error view: `Get-CsX: The term ...`, one line.
            if let Some(rest) = self.cmd.filter(|c| c.key.starts_with("get-cs")).and_then(|c| lower.strip_prefix(c.key)) {
                if let Some(after) = rest.strip_prefix(':').or_else(|| rest.strip_prefix(" :")) {
                    return Some(powershell_failed(name, *no, &t[t.len() - after.len()..]));
                }
            }
            if lower.starts_with("+ categoryinfo") || lower.starts_with("+ fullyqualifiederrorid") {
                // The record starts at the message, above `At line:` and the `+ ~~~` lines.
                let start = filled[..i]
                    .iter()
                    .rposition(|(_, l)| {
                        let l = l.trim();
                        !(l.starts_with('+') || l.starts_with("At line:") || l.starts_with("At ") && l.contains(" char:"))
                    })
                    .unwrap_or(i);
                let (line, message) = filled[start];
                // `Get-CsX : The term ...`: the text after the cmdlet's name.
                let message = message.trim();
                let message = message.split_once(" : ").filter(|(c, _)| !c.contains(' ')).map_or(message, |(_, m)| m);
                return Some(powershell_failed(name, *line, message));
            }
            if lower == "executed command unsuccessfully" {
                let why: Vec<&str> = filled[i + 1..].iter().take(2).map(|(_, l)| l.trim()).collect();
                let why = if why.is_empty() { String::new() } else { format!(": {}", quote(&why.join(" "))) };
                return Some(ParseError::new(*no, format!("`{name}` failed on the node (`Executed command unsuccessfully`){why}")));
            }
        }
        None
    }

    /// The command read, as the user types it.
    pub(crate) fn command_name(&self) -> &'static str {
        self.cmd.map_or("the command", |c| c.name)
    }

    /// The line of a `Format-Table` header, the one above its rule (`----  ------`).
    pub(crate) fn table_rule(&self) -> Option<usize> {
        let filled: Vec<&(usize, String)> = self.rows.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
        filled.windows(2).find_map(|w| {
            let rule = w[1].1.trim();
            let groups = rule.split_whitespace().count();
            let is_rule = groups >= 2 && rule.chars().all(|c| c == '-' || c == ' ');
            (is_rule && !w[0].1.contains(':')).then_some(w[0].0)
        })
    }

    /// A parser's error, with a note when the text looks like another command's output.
    pub(crate) fn explain(&self, e: ParseError) -> ParseError {
        let Some(cmd) = self.cmd else { return e };
        match self.other_command() {
            Some(other) => {
                ParseError::new(e.line, format!("this looks like the output of `{}`, not of `{}` ({})", other.name, cmd.name, e.message))
            }
            None => e,
        }
    }
}

/// The error for a cmdlet that failed where its output should be.
fn powershell_failed(name: &str, line: usize, message: &str) -> ParseError {
    let message: String = message.trim().chars().take(200).collect();
    ParseError::new(
        line,
        format!(
            "`{name}` failed in this capture instead of printing its output: \"{message}\"; run it again in the Lync / Skype for Business Management Shell (or after Import-Module SkypeForBusiness / Lync) and save what it prints"
        ),
    )
}

/// Run a parser over the cleaned capture of `cmd`, naming the command the text looks
/// like when the parser fails.
/// When the command ran several times, the latest run that parses wins; if none does,
/// the latest run's error is reported.
pub(crate) fn parse_with<T>(text: &str, cmd: &'static Cmd, body: impl Fn(&Capture) -> Result<T, ParseError>) -> Result<T, ParseError> {
    let mut first_error = None;
    for cap in Capture::candidates(text, Some(cmd))? {
        if let Some(e) = cap.failure() {
            first_error.get_or_insert(e);
            continue;
        }
        match body(&cap) {
            Ok(v) => return Ok(v),
            Err(e) => {
                first_error.get_or_insert_with(|| cap.explain(e));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ParseError::new(0, format!("no output of `{}` found", cmd.name))))
}

/// Which known command `text` (cleaned output) looks like.
fn sniff(text: &str) -> Option<&'static Cmd> {
    super::kinds::sniff(text).map(|k| &k.cmd)
}

/// Pick the segments holding `cmd`'s output.
/// Alternatives, best first: each run of the command that printed something, latest
/// first (a later run is usually the corrected one), then the latest run.
fn choose<'s>(segments: &'s [Segment], rendered: &[Rendered], cmd: &'static Cmd) -> Result<Vec<Vec<&'s Segment>>, ParseError> {
    let has_data = |s: &Segment| s.rows.iter().any(|&i| rendered[i].kind == Kind::Data);
    let mine: Vec<&Segment> = segments.iter().filter(|s| s.echo.as_ref().is_some_and(|(_, c)| cmd.echoed_in(c))).collect();
    if let Some(last) = mine.last() {
        let mut runs: Vec<Vec<&Segment>> = mine.iter().rev().filter(|s| has_data(s)).map(|s| vec![*s]).collect();
        if runs.is_empty() {
            runs.push(vec![*last]);
        }
        return Ok(runs);
    }
    // No echo of this command: take what no other command printed (output saved
    // without its prompt, or run through a variable).
    let unclaimed: Vec<&Segment> = segments.iter().filter(|s| s.echo.as_ref().is_none_or(|(_, c)| !runs_another_command(c))).collect();
    if unclaimed.iter().any(|s| has_data(s)) {
        return Ok(vec![unclaimed]);
    }
    let shown = |other: &str| known_command(other).map(|c| c.name.to_string()).unwrap_or_else(|| other.trim().to_string());
    if let Some((line, other)) = segments.iter().filter(|s| has_data(s)).find_map(|s| s.echo.as_ref()) {
        return Err(ParseError::new(
            *line,
            format!("this file holds the output of `{}`, not of `{}`; capture `{}` and save its output", shown(other), cmd.name, cmd.name),
        ));
    }
    // Nothing printed at all: under another command's echo that is that command's
    // empty output, not "none exist" for this one.
    if let Some((line, other)) = segments.iter().find_map(|s| s.echo.as_ref().filter(|(_, c)| runs_another_command(c))) {
        return Err(ParseError::new(
            *line,
            format!(
                "this file holds the output of `{}` (which printed nothing), not of `{}`; capture `{}` and save its output",
                shown(other),
                cmd.name,
                cmd.name
            ),
        ));
    }
    Ok(vec![unclaimed])
}

/// An echoed command line that runs a command other than the one being read: a known
/// command, a Lync/SfB cmdlet (`Get-Cs…`) or an IM&P CLI `show`/`utils` command.
fn runs_another_command(command: &str) -> bool {
    if known_command(command).is_some() {
        return true;
    }
    let first = command.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    first.starts_with("get-cs") || first == "show" || first == "utils"
}

/// Cut the rendered lines at every prompt.
fn segment(rendered: &[Rendered]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = Segment::default();
    let mut pending_pager: Option<usize> = None;
    // The last output line the `options:` pager had shown, and of how many.
    let mut shown_to: Option<(u64, u64)> = None;
    for (i, r) in rendered.iter().enumerate() {
        if let Some((from, to, of)) = r.pager.and_then(|p| p.range) {
            // `e` or `p` moved the window: lines between two pages of the same output
            // were never shown. (The prompt follows its page, so the closing lines may
            // be on it.)
            let before = shown_to.filter(|(_, total)| *total == of).map(|(b, _)| b);
            if let Some(b) = before.filter(|b| from > b + 1) {
                cur.pager_gap.get_or_insert((r.no, b + 1, from - 1));
            }
            shown_to = Some((before.map_or(to, |b| b.max(to)), of));
        }
        // A pager after the CLI's closing lines hides nothing of the output.
        if let Some(p) = r.pager.filter(|_| !cur.trailer) {
            pending_pager = p.more.then_some(r.no);
        }
        match &r.kind {
            Kind::Prompt(command) => {
                cur.closed = true;
                cur.pager_quit = pending_pager.take();
                shown_to = None;
                out.push(std::mem::take(&mut cur));
                let command = command.trim();
                if !command.is_empty() {
                    cur.echo = Some((r.no, command.to_string()));
                }
            }
            Kind::Data | Kind::Trailer => {
                // Output after the pager shows the user went on; a pager printed
                // behind the data on this same line still waits for an answer.
                if r.pager.is_none_or(|p| p.output_after) {
                    pending_pager = None;
                }
                cur.trailer |= r.kind == Kind::Trailer;
                cur.rows.push(i);
            }
            Kind::Blank => cur.rows.push(i),
            Kind::Noise => {}
        }
    }
    cur.pager_quit = pending_pager;
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(text: &str, cmd: Option<&'static Cmd>) -> Vec<(usize, String)> {
        Capture::new(text, cmd).unwrap().rows.into_iter().filter(|(_, t)| !t.is_empty()).collect()
    }

    fn row(no: usize, t: &str) -> (usize, String) {
        (no, t.to_string())
    }

    #[test]
    fn per_line_time_stamps_are_removed_when_most_lines_carry_one() {
        for stamp in [
            "[Mon Nov 30 10:15:02.123 2026] ",
            "[2026-11-30 10:15:02] ",
            "10:15:02: ",
            "2026-11-30 10:15:02.123 | ",
            "[10:15:02] ",
            "17.11.2026 09:42:00 ",
            "11/17/2026 9:42:00 AM ",
            "Nov 17 09:42:00 ",
            "2026-11-30T10:15:02.123+01:00 ",
        ] {
            let text = format!(
                "{stamp}admin:utils service list\n{stamp}\n{stamp}Cisco Tomcat[STARTED]\n{stamp}Cisco SIP Proxy[STARTED]\n{stamp}Primary Node =true\n{stamp}admin:"
            );
            assert_eq!(
                data(&text, Some(&crate::evidence::kinds::SERVICE_LIST.cmd)),
                vec![row(3, "Cisco Tomcat[STARTED]"), row(4, "Cisco SIP Proxy[STARTED]")],
                "{stamp:?}"
            );
        }
    }

    #[test]
    fn another_commands_output_is_never_read_as_this_one() {
        let routes = &crate::evidence::kinds::STATIC_ROUTES.cmd;
        let providers = &crate::evidence::kinds::HOSTING_PROVIDERS.cmd;
        // An empty capture of the wrong command is not "none exist".
        let e = Capture::new("PS C:\\> Get-CsStaticRoutingConfiguration\n\nPS C:\\>\n", Some(providers)).err().unwrap();
        assert!(e.message.contains("(which printed nothing)") && e.message.contains("Get-CsStaticRoutingConfiguration"), "{}", e.message);
        // Data under a cmdlet fedcheck does not read is that cmdlet's, not ours.
        let e = Capture::new("PS C:\\> Get-CsPool | fl\n\nIdentity : pool.a.com\n\nPS C:\\>\n", Some(routes)).err().unwrap();
        assert!(e.message.contains("`Get-CsPool | fl`"), "{}", e.message);
        let e =
            Capture::new("admin:show myself\nMachine Name : imp\nadmin:\n", Some(&crate::evidence::kinds::SHOW_STATUS.cmd)).err().unwrap();
        assert!(e.message.contains("show myself"), "{}", e.message);
        // An empty capture of the right command, and output under a variable, still read.
        assert!(Capture::new("PS C:\\> Get-CsHostingProvider\n\nPS C:\\>\n", Some(providers)).is_ok());
        assert!(!data("PS C:\\> $r | fl\n\nIdentity : a\n\nPS C:\\>\n", Some(providers)).is_empty());
    }

    #[test]
    fn a_cli_command_that_failed_is_named() {
        let text = "admin:show tls min-version\n\nExecuted command unsuccessfully\nNo valid command entered\nadmin:";
        let e = parse_with(text, &crate::evidence::kinds::SHOW_TLS_MIN_VERSION.cmd, |_| Ok(())).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`show tls min-version` failed on the node"), "{}", e.message);
        assert!(e.message.contains("No valid command entered"), "{}", e.message);
    }

    #[test]
    fn a_prompt_cut_while_drawn_closes_the_output_and_more_pagers_are_noise() {
        let text = "PS C:\\Users\\admin> Get-CsHostingProvider\n\nIdentity : a\n-- More  --\nName : b\n\nPS C:\\Users\\";
        let cap = Capture::new(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)).unwrap();
        assert!(cap.closed);
        assert_eq!(data(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)), vec![row(3, "Identity : a"), row(5, "Name : b")]);
    }

    #[test]
    fn a_command_wrapped_by_the_console_and_a_bare_platform_prompt() {
        let long =
            format!("PS C:\\Users\\svc-sfbadmin> Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route | Format-{}", "");
        assert!(long.chars().count() >= 79);
        let text = format!("{long}\nList *\n\n\nMatchUri : a\n\n\n");
        let cap = Capture::new(&text, Some(&crate::evidence::kinds::STATIC_ROUTES.cmd)).unwrap();
        assert_eq!(data(&text, Some(&crate::evidence::kinds::STATIC_ROUTES.cmd)), vec![row(5, "MatchUri : a")]);
        assert_eq!(cap.echo_line, Some(1));
        // `ccmadmin:` alone at the end closes a copy that left out the echo.
        let cap = Capture::new("Cisco Tomcat[STARTED]\nccmadmin:\n", Some(&crate::evidence::kinds::SERVICE_LIST.cmd)).unwrap();
        assert!(cap.closed);
    }

    #[test]
    fn a_warning_wrapped_by_the_console_is_noise_to_its_end() {
        let text = "PS C:\\> Get-CsHostingProvider | ConvertTo-Json\nWARNING: Resulting JSON is truncated as serialization has exceeded the set depth of\n2.\n[\n {\"Identity\": \"a\"}\n]\nPS C:\\> ";
        assert_eq!(
            data(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)),
            vec![row(4, "["), row(5, " {\"Identity\": \"a\"}"), row(6, "]")]
        );
    }

    #[test]
    fn a_time_at_the_start_of_a_few_lines_is_output() {
        // `show status` prints the `uptime` line, which begins with the time of day.
        let text = "Host Name : imp\nUptime:\n 10:15:02 up 3 days,  2:01,  1 user\nCPU Idle:   96.73%\nMemory Total: 8062528K\n";
        assert!(data(text, None).contains(&row(3, " 10:15:02 up 3 days,  2:01,  1 user")));
        // Nor is a bracketed word without a time a stamp.
        let text = "[fe01.contoso.com]: PS C:\\> Get-CsHostingProvider\nIdentity : a\nName : b\n";
        assert_eq!(data(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)), vec![row(2, "Identity : a"), row(3, "Name : b")]);
    }

    #[test]
    fn pager_prompt_alone_and_glued() {
        let text = "a\noptions: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 20 of 58) :\r\n\
                    options: q=quit, n=next, p=prev, b=begin, e=end (lines 21 - 40 of 58) :Cisco Tomcat[STARTED]\n";
        assert_eq!(data(text, None), vec![row(1, "a"), row(3, "Cisco Tomcat[STARTED]")]);
    }

    #[test]
    fn options_pager_answer_key_is_not_data() {
        let text = "options: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 20 of 58) :nCisco Tomcat[STARTED]\n";
        assert_eq!(data(text, None), vec![row(1, "Cisco Tomcat[STARTED]")]);
        let text = "options: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 20 of 58) :nothing\n";
        assert_eq!(data(text, None), vec![row(1, "nothing")]);
    }

    #[test]
    fn more_pager_redrawn_with_carriage_returns() {
        let prompt = "\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit \x1b[0m";
        let spaces = " ".repeat(70);
        let text = format!("A[STARTED]\n{prompt}\r{spaces}\rCisco SIP Proxy[STARTED]\n{prompt}\nB[STARTED]\n");
        assert_eq!(data(&text, None), vec![row(1, "A[STARTED]"), row(2, "Cisco SIP Proxy[STARTED]"), row(4, "B[STARTED]")]);
        // Fewer spaces than the prompt is long: the prompt's tail must not stick.
        let text = format!("{prompt}\r   \rCisco SIP Proxy[STARTED]\n");
        assert_eq!(data(&text, None), vec![row(1, "Cisco SIP Proxy[STARTED]")]);
    }

    #[test]
    fn terminal_program_banner_is_noise() {
        let text = "\u{250c}\u{2500}\u{2500}\u{2510}\n\u{2022} MobaXterm Personal Edition v23.0 \u{2022}\n\u{27a4} SSH session to admin@imp-rt\nA[STARTED]\n";
        assert_eq!(data(text, None), vec![row(4, "A[STARTED]")]);
    }

    #[test]
    fn pager_after_the_closing_lines_hides_nothing() {
        let prompt = "Press <enter> for 1 line, <space> for one page, or <q> to quit";
        let cap =
            Capture::new(&format!("A[STARTED]\nPrimary Node =true\n{prompt}\nadmin:\n"), Some(&crate::evidence::kinds::SERVICE_LIST.cmd))
                .unwrap();
        assert_eq!(cap.pager_quit, None);
    }

    #[test]
    fn pager_quit_is_detected() {
        let prompt = "\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit \x1b[0m";
        let cap = Capture::new(
            &format!("admin:utils service list\nA[STARTED]\n{prompt}\r     \r\nadmin:\n"),
            Some(&crate::evidence::kinds::SERVICE_LIST.cmd),
        )
        .unwrap();
        assert_eq!(cap.pager_quit, Some(3));
        let cap = Capture::new(
            &format!("admin:utils service list\nA[STARTED]\n{prompt}\r     \rB[STARTED]\nadmin:\n"),
            Some(&crate::evidence::kinds::SERVICE_LIST.cmd),
        )
        .unwrap();
        assert_eq!(cap.pager_quit, None);
        // A pager printed behind the last line, then the prompt: quit.
        let cap = Capture::new(
            &format!("admin:utils service list\nA[STARTED]{prompt}\nadmin:\n"),
            Some(&crate::evidence::kinds::SERVICE_LIST.cmd),
        )
        .unwrap();
        assert_eq!(cap.pager_quit, Some(2));
        // The last page of the long-output pager is not a quit.
        let cap = Capture::new("A[STARTED]\noptions: q=quit, n=next, p=prev, b=begin, e=end (lines 41 - 45 of 45) :\n", None).unwrap();
        assert_eq!(cap.pager_quit, None);
        let cap = Capture::new("A[STARTED]\noptions: q=quit, n=next, p=prev, b=begin, e=end (lines 21 - 40 of 45) :\n", None).unwrap();
        assert_eq!(cap.pager_quit, Some(2));
    }

    #[test]
    fn escapes_are_stripped_and_erases_applied() {
        assert_eq!(render("admin:\x1b[Kutils service list").0, "admin:utils service list");
        assert_eq!(render("\x1b]0;imp-rt - PuTTY\x07\x1b[1mbold\x1b[0m\x1b(B").0, "bold");
        assert_eq!(render("abcdef\r\x1b[Kxy").0, "xy");
        assert_eq!(render("abc\x08\x08Z").0, "aZc");
        assert_eq!(render("utils servcie\x08\x08\x08\x1b[Kice list").0, "utils service list");
        assert_eq!(render("\x1b[?1h\x1b=data\x1b[2K").0, "");
        assert_eq!(render("  indented : x\r").0, "  indented : x");
    }

    #[test]
    fn bare_cr_line_endings_and_hostile_cursor_moves() {
        assert_eq!(data("a\rb\r", None), vec![row(1, "a"), row(2, "b")]);
        let hostile = "\x1b[512C".repeat(10_000) + "x";
        assert_eq!(render(&hostile).0.chars().count(), MAX_COLUMNS + 1);
    }

    #[test]
    fn session_log_login_and_banner_are_dropped() {
        let text = "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.30 10:15:02 =~=~=~=~=~=~=~=~=~=~=~=\n\
                    login as: admin\n\
                    admin@imp-rt.example.com's password:\n\
                    Command Line Interface is starting up, please wait ...\n\
                    \n   Welcome to the Platform Command Line Interface\n\n\
                    VMware Installation:\n        4 vCPU: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n\
                    \x20       Disk 1: 110GB, Partitions aligned\n        8192 Mbytes RAM\n\n\
                    admin:set cli pagination off\nAutomation mode is On for the current session\n\
                    admin:utils service list\nA[STARTED]\nPrimary Node =true\nCommand successful\nadmin:\n";
        let cap = Capture::new(text, Some(&crate::evidence::kinds::SERVICE_LIST.cmd)).unwrap();
        let rows: Vec<_> = cap.rows.iter().filter(|(_, t)| !t.is_empty()).cloned().collect();
        assert_eq!(rows, vec![row(16, "A[STARTED]")]);
        assert!(cap.closed && cap.trailer);
    }

    #[test]
    fn transcript_blocks_and_remote_prompts_are_dropped() {
        let text = "**********************\nWindows PowerShell transcript start\nStart time: 20261130101502\n\
                    Username: CONTOSO\\admin\nRunAs User: CONTOSO\\admin\nConfiguration Name: \nMachine: JUMP01 (Microsoft Windows NT 10.0.17763.0)\n\
                    Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\nProcess ID: 4312\n\
                    PSVersion: 5.1.17763.1852\nPSEdition: Desktop\n**********************\n\
                    Transcript started, output file is C:\\Users\\admin\\Documents\\fed.txt\n\
                    [fe01.contoso.com]: PS C:\\Users\\admin\\Documents> Get-CsHostingProvider\n\nIdentity : X\n\n\
                    [fe01.contoso.com]: PS C:\\Users\\admin\\Documents> Stop-Transcript\n\
                    **********************\nWindows PowerShell transcript end\nEnd time: 20261130101744\n**********************\n";
        let cap = Capture::new(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)).unwrap();
        let rows: Vec<_> = cap.rows.iter().filter(|(_, t)| !t.is_empty()).cloned().collect();
        assert_eq!(rows, vec![row(16, "Identity : X")]);
    }

    #[test]
    fn several_commands_keep_the_right_output() {
        let text =
            "PS C:\\> Get-CsTrustedApplicationPool\nIdentity : pool\n\nPS C:\\> Get-CsTrustedApplication\nIdentity : app\nPS C:\\>\n";
        assert_eq!(data(text, Some(&crate::evidence::kinds::TRUSTED_POOLS.cmd)), vec![row(2, "Identity : pool")]);
        assert_eq!(data(text, Some(&crate::evidence::kinds::TRUSTED_APPS.cmd)), vec![row(5, "Identity : app")]);
        let err = Capture::new(text, Some(&crate::evidence::kinds::HOSTING_PROVIDERS.cmd)).err().unwrap();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`Get-CsTrustedApplicationPool`, not of `Get-CsHostingProvider`"), "{}", err.message);
    }

    #[test]
    fn latest_run_that_parses_wins() {
        let text = "PS C:\\> Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route\n\nMatchUri : a\n\n\
                    PS C:\\> Get-CsStaticRoutingConfiguration\n\nIdentity : Global\nRoute : {MatchUri=b...}\nPS C:\\>\n";
        let runs = Capture::candidates(text, Some(&crate::evidence::kinds::STATIC_ROUTES.cmd)).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].last_data_line(), Some(8));
        let got = parse_with(text, &crate::evidence::kinds::STATIC_ROUTES.cmd, |c| {
            if c.last_data_line() == Some(8) {
                Err(ParseError::new(8, "bad"))
            } else {
                Ok(c.last_data_line())
            }
        });
        assert_eq!(got.unwrap(), Some(3));
        let err = parse_with(text, &crate::evidence::kinds::STATIC_ROUTES.cmd, |c| {
            Err::<(), _>(ParseError::new(c.last_data_line().unwrap_or(0), "bad"))
        })
        .unwrap_err();
        assert_eq!(err.line, 8);
    }

    #[test]
    fn prompts_and_status_lines_are_dropped() {
        let text = "\u{feff}admin:utils service list\nPS C:\\Users\\adm> Get-CsHostingProvider\n\
                    data\nPrimary Node =true\nCommand successful\nExecuted command successfully\n";
        assert_eq!(data(text, None), vec![row(3, "data")]);
    }

    #[test]
    fn command_copied_without_its_prompt() {
        assert_eq!(data("utils service list\nA[STARTED]\n", Some(&crate::evidence::kinds::SERVICE_LIST.cmd)), vec![row(2, "A[STARTED]")]);
        let text = "Get-CsTrustedApplicationPool\n\nIdentity : p\n\nGet-CsTrustedApplication\n\nIdentity : a\n";
        assert_eq!(data(text, Some(&crate::evidence::kinds::TRUSTED_APPS.cmd)), vec![row(7, "Identity : a")]);
        assert!(!is_bare_command("Identity : Get-CsX"));
        assert!(!is_bare_command("utils service list extra words"));
    }

    #[test]
    fn labels_are_not_prompts() {
        let users = vec!["admin".to_string()];
        assert_eq!(cli_prompt("Uptime:", &users), None);
        assert_eq!(cli_prompt("Free:  296144K", &users), None);
        assert_eq!(cli_prompt("admin:", &users), Some(("admin", "")));
        assert_eq!(cli_prompt("ccmadmin:show status", &users), Some(("ccmadmin", "show status")));
    }

    #[test]
    fn powershell_prompts() {
        assert_eq!(powershell_prompt("PS > nothing"), None);
        assert_eq!(powershell_prompt("PS C:\\>"), Some(""));
        assert_eq!(powershell_prompt("PS \\\\fs01\\share> x"), Some("x"));
        assert_eq!(powershell_prompt("[fe01.contoso.com]: PS C:\\Users\\admin\\Documents> Get-CsPool"), Some("Get-CsPool"));
        assert_eq!(powershell_prompt("[not a host]: PS C:\\>"), None);
        assert_eq!(powershell_prompt("PS>Get-CsHostingProvider"), Some("Get-CsHostingProvider"));
        assert_eq!(powershell_prompt("PS>TerminatingError(Get-CsPool): \"x\""), None);
    }

    #[test]
    fn json_text_keeps_line_numbers() {
        let text = "PS C:\\> x | ConvertTo-Json\r\nWARNING: Resulting JSON is truncated as serialization has exceeded the set depth of 2.\r\n[\r\n 1\r\n]\r\nPS C:\\>";
        assert_eq!(Capture::new(text, None).unwrap().json_text(), "\n\n[\n 1\n]\n");
    }

    #[test]
    fn echo_matching_respects_word_boundaries() {
        assert!(crate::evidence::kinds::TRUSTED_APPS.cmd.echoed_in("Get-CsTrustedApplication | fl"));
        assert!(!crate::evidence::kinds::TRUSTED_APPS.cmd.echoed_in("Get-CsTrustedApplicationPool"));
        assert!(crate::evidence::kinds::SERVICE_LIST.cmd.echoed_in("utils  service list"));
    }

    #[test]
    fn cli_key_values() {
        assert_eq!(key_value("HW Platform       : VMware Virtual Machine"), Some(("HW Platform", "VMware Virtual Machine")));
        assert_eq!(key_value("RAID Version      :"), Some(("RAID Version", "")));
        assert_eq!(key_value("Date : Wed Mar 4, 2026 10:15:32"), Some(("Date", "Wed Mar 4, 2026 10:15:32")));
        assert_eq!(key_value("no colon here"), None);
        assert_eq!(key_value("#$%! : x"), None);
    }

    #[test]
    fn quote_truncates_long_lines() {
        let long = "x".repeat(100);
        let q = quote(&long);
        assert_eq!(q.chars().count(), 63);
        assert!(q.ends_with("…\""));
        assert_eq!(quote("  short  "), "\"short\"");
    }
}
