//! What each physical line of a capture is: rendered as a terminal shows it, then
//! classified (command output, prompt, echo, session-log header, transcript block,
//! pager prompt, banner), with per-line time stamps removed when most lines carry one.

use super::*;

/// Render every physical line and say what it is.
pub(super) fn classify(text: &str) -> Vec<Rendered> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A file saved with bare CR line endings has no LF at all.
    let sep = if !text.contains('\n') && text.contains('\r') { '\r' } else { '\n' };
    let mut out: Vec<Rendered> = text
        .split(sep)
        .enumerate()
        .map(|(i, raw)| {
            let (text, pager, space_after) = render(raw);
            let space_after = space_after && !text.is_empty();
            Rendered { no: i + 1, text, kind: Kind::Data, pager, space_after, transcript: false }
        })
        .collect();
    // `split` yields one empty piece after a final newline: not a line of the file.
    if out.len() > 1 && out.last().is_some_and(|r| r.text.is_empty() && r.pager.is_none()) && text.ends_with(sep) {
        out.pop();
    }
    strip_timestamps(&mut out);
    // A console copy that pads every line to the window width says nothing by its
    // trailing spaces: keep them as wrap marks only when few lines have one.
    let filled = out.iter().filter(|r| !r.text.is_empty()).count();
    if out.iter().filter(|r| r.space_after).count() * 2 > filled {
        out.iter_mut().for_each(|r| r.space_after = false);
    }
    let mut cli_users: Vec<String> = vec!["admin".into()];
    let mut star_block = false;
    let mut banner = false;
    let mut ps_echo = false;
    // A `WARNING:` line a console wrapped: its tail is on the next line.
    let mut warning = false;
    let last_filled = out.iter().rposition(|r| !r.text.trim().is_empty());
    let mut transcript_started = false;
    // The line of the PowerShell prompt just seen with a command after it.
    let mut echo_at: Option<usize> = None;
    for i in 0..out.len() {
        let t = out[i].text.trim().to_string();
        let lower_t = t.to_ascii_lowercase();
        let kind = if star_block {
            if is_stars(&t) {
                star_block = false;
            }
            if lower_t.starts_with("windows powershell transcript start") || lower_t.starts_with("powershell transcript start") {
                transcript_started = true;
            }
            if lower_t.starts_with("windows powershell transcript end") || lower_t.starts_with("powershell transcript end") {
                // Stop-Transcript ran: the output before it is whole, prompt or not.
                Kind::Prompt(String::new())
            } else {
                Kind::Noise
            }
        } else if t.is_empty() {
            // A line that held only a pager prompt was never a blank line of output.
            if out[i].pager.is_some() {
                Kind::Noise
            } else {
                Kind::Blank
            }
        } else if is_stars(&t) {
            let next = out[i + 1..].iter().map(|r| r.text.trim()).find(|t| !t.is_empty()).unwrap_or("");
            star_block = opens_transcript_block(next);
            Kind::Noise
        } else if ps_echo && t.starts_with(">>") {
            // A PowerShell command continued over several lines.
            Kind::Noise
        } else if let Some(p) =
            echo_at.filter(|&p| p + 1 == i && out[p].text.chars().count() >= 79 && !t.starts_with(['[', '{']) && !t.contains(':'))
        {
            // A long command line an older console wrapped at its width: the rest of
            // the command, not output (`...| Format-` / `List *`).
            if let Kind::Prompt(command) = &mut out[p].kind {
                command.push_str(&t);
            }
            Kind::Noise
        } else if warning && !t.starts_with(['[', '{']) && !t.contains(':') && t.len() < 80 {
            // The wrapped tail of a warning (`2.` of `...the set depth of` / `2.`).
            Kind::Noise
        } else if let Some(command) = powershell_prompt(&t) {
            Kind::Prompt(command.to_string())
        } else if last_filled == Some(i) && is_bare_cli_prompt(&t) {
            // `ccmadmin:` closing a copy that left out the echo.
            Kind::Prompt(String::new())
        } else if last_filled == Some(i) && is_partial_prompt(&t) {
            // The log stops while the next prompt is being drawn: the command had finished.
            Kind::Prompt(String::new())
        } else if is_bare_command(&t) {
            // The command copied without its prompt.
            Kind::Prompt(t.clone())
        } else if let Some((user, command)) = cli_prompt(&t, &cli_users) {
            if !cli_users.iter().any(|u| u.eq_ignore_ascii_case(user)) {
                cli_users.push(user.to_string());
            }
            Kind::Prompt(command.to_string())
        } else if (banner && is_vm_summary(&t)) || is_noise(&t) {
            Kind::Noise
        } else if is_trailer(&t) {
            Kind::Trailer
        } else {
            Kind::Data
        };
        banner = match &kind {
            Kind::Noise => banner || t.to_ascii_lowercase().starts_with("vmware installation"),
            Kind::Blank => banner,
            _ => false,
        };
        let lower = t.to_ascii_lowercase();
        warning = kind == Kind::Noise && (lower.starts_with("warning:") || lower.starts_with("verbose:") || (warning && !t.is_empty()));
        echo_at = match &kind {
            Kind::Prompt(c) if !c.is_empty() && powershell_prompt(&t).is_some() => Some(i),
            _ => None,
        };
        ps_echo = match &kind {
            Kind::Prompt(c) => !c.is_empty() && powershell_prompt(&t).is_some(),
            Kind::Noise => ps_echo && t.starts_with(">>"),
            _ => false,
        };
        if kind == Kind::Blank {
            out[i].text.clear();
        }
        out[i].kind = kind;
        out[i].transcript = transcript_started;
    }
    out
}

/// Session logs that stamp every line (Tera Term's `[Mon Nov 30 10:15:02.123 2026] `,
/// SecureCRT's and MobaXterm's custom per-line data such as `[2026-11-30 10:15:02] `
/// or `10:15:02: `): when most lines begin with a time stamp, it is removed from each
/// line that has one. A stamp on a few lines only is left alone: output such as the
/// `uptime` line of `show status` may itself begin with a time.
pub(super) fn strip_timestamps(lines: &mut [Rendered]) {
    let prefixes: Vec<Option<usize>> = lines.iter().map(|r| timestamp_prefix(&r.text)).collect();
    let filled = lines.iter().filter(|r| !r.text.trim().is_empty()).count();
    let stamped = prefixes.iter().flatten().count();
    // Every line stamped (a short capture), or most of a longer one.
    let all = stamped > 0 && stamped == filled;
    if !all && (stamped < 3 || stamped * 10 < filled * 6) {
        return;
    }
    for (r, p) in lines.iter_mut().zip(prefixes) {
        if let Some(n) = p {
            r.text.drain(..n);
        }
    }
}

/// Length of a leading time stamp and the separator after it, if the line has one.
pub(super) fn timestamp_prefix(t: &str) -> Option<usize> {
    let has_time = |s: &str| {
        let b = s.as_bytes();
        b.windows(5)
            .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[2] == b':' && w[3].is_ascii_digit() && w[4].is_ascii_digit())
    };
    let stamp_len = if let Some(close) = t.strip_prefix('[').and_then(|r| r.find(']')) {
        // `[...]`: short, made of date and time characters, holding a time.
        let inner = &t[1..=close];
        let ok = (5..=40).contains(&inner.len())
            && has_time(inner)
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || " :.,/+-_".contains(c));
        if !ok {
            return None;
        }
        close + 2
    } else {
        // Bare words of a date and time (`2026-11-30 10:15:02.123`, `17.11.2026 09:42:00`,
        // `11/17/2026 9:42:00 AM`, `Nov 17 09:42:00`, `10:15:02:`): the longest run of
        // such words at the start of the line, one of them a time of day.
        let mut end = 0;
        let mut timed = false;
        let mut at = 0;
        for _ in 0..6 {
            let rest = &t[at..];
            let word_start = at + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            let word_end = t[word_start..].find([' ', '\t']).map_or(t.len(), |k| word_start + k);
            let word = &t[word_start..word_end];
            if word.is_empty() {
                break;
            }
            // After the time only its suffixes follow (`AM`, a zone, the year): a second
            // time is output (`10:15:02:  09:42:07 up 38 days`).
            let suffix = !timed || word.chars().any(|c| c.is_ascii_alphabetic()) || word.starts_with('+') || word.len() == 4;
            match stamp_word(word).filter(|is_time| suffix && !(timed && *is_time)) {
                Some(is_time) => {
                    timed |= is_time;
                    end = word_end;
                    at = word_end;
                }
                None => break,
            }
        }
        if !timed || end == 0 {
            return None;
        }
        end
    };
    // Then the logger's separator (` - `, ` | ` or one space) and nothing more: the
    // indent after it belongs to the output (Format-List continuation lines).
    let rest = &t[stamp_len.min(t.len())..];
    if matches!(rest.trim(), "" | "-" | "|") {
        // A stamped blank line (its trailing space already trimmed).
        return Some(t.len());
    }
    let sep = [" - ", " | ", " ", "\t"].iter().find(|s| rest.starts_with(**s)).map_or(0, |s| s.len());
    Some(stamp_len.min(t.len()) + sep)
}

/// Whether a word can be part of a time stamp, and whether it holds the time of day.
pub(super) fn stamp_word(word: &str) -> Option<bool> {
    let w = word.trim_end_matches([':', '|', ']', ',']);
    let lower = w.to_ascii_lowercase();
    const NAMES: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat",
        "sun", "am", "pm", "utc", "gmt", "z",
    ];
    if NAMES
        .iter()
        .any(|n| lower.len() >= n.len() && lower.starts_with(n) && lower.len() <= 9 && lower.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Some(false);
    }
    if w.is_empty()
        || !w.chars().all(|c| c.is_ascii_digit() || "-/:.,TZ+".contains(c))
        || !w.starts_with(|c: char| c.is_ascii_digit() || c == '+')
    {
        return None;
    }
    let b = w.as_bytes();
    // `9:42`, `10:15:02.123`, `2026-11-30T10:15:02Z`.
    let time = b.windows(3).any(|x| x[0].is_ascii_digit() && x[1] == b':' && x[2].is_ascii_digit())
        && w.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).count() >= 2;
    if time {
        return Some(true);
    }
    // A date (`2026-11-30`, `17.11.2026`, `11/17/2026`), a day or a year, a zone offset.
    let groups: Vec<&str> = w.split(['-', '/', '.']).collect();
    let date = (groups.len() == 3 && groups.iter().all(|g| (1..=4).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit())))
        || (w.len() <= 4 && w.chars().all(|c| c.is_ascii_digit()))
        || (w.starts_with('+') && w.len() <= 6);
    date.then_some(false)
}

pub(super) fn is_stars(t: &str) -> bool {
    t.len() >= 10 && t.chars().all(|c| c == '*')
}

/// The first line inside a `*****` block of a Start-Transcript file.
pub(super) fn opens_transcript_block(next: &str) -> bool {
    let lower = next.to_ascii_lowercase();
    ["windows powershell transcript", "powershell transcript", "command start time", "start time", "end time", "username"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Lines that are never command output, wherever they stand.
pub(super) fn is_noise(t: &str) -> bool {
    // PowerShell's `| more` pager: `-- More  --`.
    if t.starts_with("--") && t.ends_with("--") && t.trim_matches(['-', ' ']).eq_ignore_ascii_case("more") {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        // Session logs and SSH clients.
        "=~=~=~",
        "login as:",
        "using username \"",
        "access denied",
        "keyboard-interactive authentication prompts",
        "end of keyboard-interactive prompts",
        "pre-authentication banner message",
        "end of banner message from server",
        "authenticating with public key",
        "last login:",
        "last failed login:",
        "warning: permanently added",
        "the authenticity of host",
        "ecdsa key fingerprint is",
        "ed25519 key fingerprint is",
        "rsa key fingerprint is",
        "are you sure you want to continue connecting",
        "using keyboard-interactive authentication",
        "server refused our key",
        "connecting to ",
        "connection established.",
        "to escape to local shell",
        // The IM&P CLI.
        "command line interface is starting up",
        "welcome to the platform command line interface",
        "vmware installation",
        "automation mode is",
        // PowerShell.
        "transcript started, output file is",
        "ps>terminatingerror(",
        ">> terminatingerror(",
        "transcript stopped, output file is",
        "windows powershell transcript",
        "powershell transcript start",
        "powershell transcript end",
        "warning:",
        "verbose:",
        "debug:",
    ];
    PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.ends_with("password:")
        || lower.contains("'s password")
        || lower.contains("mobaxterm")
        // Box drawing and bullets of terminal programs' own banners (MobaXterm...):
        // no command output starts with a non-ASCII symbol.
        || t.starts_with(|c: char| !c.is_ascii() && !c.is_alphanumeric())
}

/// The VMware summary the IM&P CLI prints at login: `2 vCPU: Intel(R) ...`,
/// `Disk 1: 80GB, Partitions aligned`, `4096 Mbytes RAM`.
pub(super) fn is_vm_summary(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.contains("vcpu:")
        || (lower.starts_with("disk ") && lower.contains("gb") && !lower.contains(" : "))
        || lower.ends_with("mbytes ram")
        || lower.ends_with("mb ram")
        || lower.ends_with("gb ram")
}

pub(super) fn is_trailer(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower == "command successful"
        || lower == "command successful."
        || lower == "executed command successfully"
        || lower.starts_with("primary node =")
        || lower.starts_with("primary node=")
}

/// A command line copied without its prompt: exactly an IM&P CLI command fedcheck
/// knows (or `set cli pagination off`), or a Lync/SfB cmdlet call.
pub(super) fn is_bare_command(t: &str) -> bool {
    let norm = t.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let cli = crate::evidence::kinds::KINDS.iter().any(|k| k.side == crate::evidence::kinds::Side::Cisco && norm == k.cmd.key)
        || norm == "set cli pagination off";
    // `Get-CsX: The term ...` is PowerShell 7's error view, not the command.
    let first = norm.split(' ').next().unwrap_or("");
    let cmdlet = norm.starts_with("get-cs") && !norm.contains(" : ") && !norm.contains("\":") && !first.ends_with(':');
    cli || cmdlet
}

/// The IM&P CLI prompt `admin:` with what was typed after it. Other platform user
/// names count when a known CLI verb follows (`ccmadmin:show status`); once seen,
/// their bare prompt counts too.
pub(super) fn cli_prompt<'a>(t: &'a str, users: &[String]) -> Option<(&'a str, &'a str)> {
    let (user, rest) = t.split_once(':')?;
    let valid = !user.is_empty()
        && user.len() <= 32
        && user.starts_with(|c: char| c.is_ascii_alphabetic())
        && user.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !valid {
        return None;
    }
    let known = users.iter().any(|u| u.eq_ignore_ascii_case(user));
    let verb = rest.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    const VERBS: &[&str] = &["utils", "show", "set", "unset", "file", "run", "license", "delete", "quit", "exit"];
    // `Uptime:` in `show status` is a label, not a prompt: a stranger needs a verb.
    (known || (VERBS.contains(&verb.as_str()) && !rest.starts_with(' '))).then_some((user, rest.trim()))
}

/// `PS C:\Users\admin> Get-CsHostingProvider`, with an optional remote-session
/// prefix `[fe01.contoso.com]: `; the command after the prompt (may be empty).
pub(super) fn powershell_prompt(t: &str) -> Option<&str> {
    let mut rest = t;
    if let Some(r) = rest.strip_prefix('[') {
        let close = r.find("]:")?;
        let host = &r[..close];
        if host.is_empty() || host.contains(char::is_whitespace) {
            return None;
        }
        rest = r[close + 2..].trim_start();
    }
    if let Some(command) = rest.strip_prefix("PS>") {
        // A transcript's record of an error, not a prompt.
        return (!command.starts_with("TerminatingError(")).then(|| command.trim());
    }
    let after = rest.strip_prefix("PS ")?;
    let end = after.find('>')?;
    let path = &after[..end];
    let drive = path.len() >= 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.as_bytes()[1] == b':';
    (drive || path.starts_with("\\\\") || path.contains("::")).then(|| after[end + 1..].trim())
}

/// A platform CLI prompt alone (`admin:`, `ccmadmin:`): an account name with `admin` in it.
pub(super) fn is_bare_cli_prompt(t: &str) -> bool {
    t.strip_suffix(':').is_some_and(|user| {
        (1..=32).contains(&user.len())
            && user.starts_with(|c: char| c.is_ascii_alphabetic())
            && user.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            && user.to_ascii_lowercase().contains("admin")
    })
}

/// The start of a PowerShell prompt (`PS C:\Users\`, `[fe01]: PS C:\`) without its `>`.
pub(super) fn is_partial_prompt(t: &str) -> bool {
    let rest = match t.strip_prefix('[').and_then(|r| r.find("]:").map(|c| r[c + 2..].trim_start())) {
        Some(r) => r,
        None => t,
    };
    let Some(path) = rest.strip_prefix("PS ") else { return false };
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && !path.contains(' ')
}
