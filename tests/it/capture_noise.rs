//! Captures as engineers really save them. Every evidence file in the repository is
//! re-saved through each kind of noise a session log, a pager or a PowerShell
//! transcript adds; it must parse, and its site must judge, exactly like the plain
//! file (line numbers following the lines they name).

use crate::util::{now, repo};
use fedcheck::engine::{self, RunOptions};
use fedcheck::evidence::{
    self, hardware, hosted_voicemail, hosting_provider, network_cluster, service_list, static_routes, status, tls_min_version, trusted_app,
};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::{Finding, Status};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Parser {
    ServiceList,
    Hardware,
    Status,
    Cluster,
    TlsMin,
    StaticRoutes,
    HostingProviders,
    Pools,
    Apps,
    HostedVoicemail,
}

impl Parser {
    fn for_file(path: &Path) -> Option<Parser> {
        let name = path.file_name()?.to_str()?;
        Some(match name {
            n if n.contains("service") => Parser::ServiceList,
            n if n.starts_with("show-hardware") => Parser::Hardware,
            n if n.starts_with("show-status") => Parser::Status,
            n if n.contains("network-cluster") => Parser::Cluster,
            n if n.starts_with("show-tls-min-version") => Parser::TlsMin,
            n if n.starts_with("static-routes") => Parser::StaticRoutes,
            n if n.starts_with("hosting-providers") => Parser::HostingProviders,
            n if n.starts_with("trusted-application-pool") => Parser::Pools,
            n if n.starts_with("trusted-application") => Parser::Apps,
            n if n.starts_with("hosted-voicemail") => Parser::HostedVoicemail,
            _ => return None,
        })
    }

    fn powershell(self) -> bool {
        matches!(self, Parser::StaticRoutes | Parser::HostingProviders | Parser::Pools | Parser::Apps | Parser::HostedVoicemail)
    }

    fn command(self) -> &'static str {
        match self {
            Parser::ServiceList => "utils service list",
            Parser::Hardware => "show hardware",
            Parser::Status => "show status",
            Parser::Cluster => "show network cluster",
            Parser::TlsMin => "show tls min-version",
            Parser::StaticRoutes => "Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route",
            Parser::HostingProviders => "Get-CsHostingProvider",
            Parser::Pools => "Get-CsTrustedApplicationPool",
            Parser::Apps => "Get-CsTrustedApplication",
            Parser::HostedVoicemail => "Get-CsHostedVoicemailPolicy",
        }
    }

    fn parse(self, text: &str) -> Result<Value, evidence::ParseError> {
        fn json<T: serde::Serialize>(r: Result<T, evidence::ParseError>) -> Result<Value, evidence::ParseError> {
            r.map(|v| serde_json::to_value(v).expect("serialises"))
        }
        match self {
            Parser::ServiceList => json(service_list::parse(text)),
            Parser::Hardware => json(hardware::parse(text)),
            Parser::Status => json(status::parse(text)),
            Parser::Cluster => json(network_cluster::parse(text)),
            Parser::TlsMin => json(tls_min_version::parse(text)),
            Parser::StaticRoutes => json(static_routes::parse(text)),
            Parser::HostingProviders => json(hosting_provider::parse(text)),
            Parser::Pools => json(trusted_app::parse_pools(text)),
            Parser::Apps => json(trusted_app::parse_applications(text)),
            Parser::HostedVoicemail => json(hosted_voicemail::parse(text)),
        }
    }
}

// ---------------------------------------------------------------- re-saving

/// A re-saved capture: its text, and for each line of the plain file the line it
/// became.
struct Resaved {
    text: String,
    map: Vec<usize>,
}

#[derive(Default)]
struct Builder {
    out: Vec<String>,
    map: Vec<usize>,
}

impl Builder {
    fn noise(&mut self, line: impl Into<String>) {
        self.out.push(line.into());
    }
    fn keep(&mut self, line: impl Into<String>) {
        self.out.push(line.into());
        self.map.push(self.out.len());
    }
    fn done(self) -> Resaved {
        Resaved { text: self.out.join("\n") + "\n", map: self.map }
    }
}

/// The plain file's lines, a CR of a CRLF ending kept with its line.
fn plain_lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') {
        v.pop();
    }
    v
}

/// `body` and the CR a CRLF file leaves at the end of a line.
fn split_cr(line: &str) -> (&str, &str) {
    match line.strip_suffix('\r') {
        Some(b) => (b, "\r"),
        None => (line, ""),
    }
}

fn is_cli_prompt(line: &str) -> bool {
    line.trim_start().starts_with("admin:")
}

fn is_ps_prompt(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("PS ") && t.contains('>')
}

fn is_prompt(line: &str) -> bool {
    is_cli_prompt(line) || is_ps_prompt(line)
}

fn has_echo(lines: &[&str], p: Parser) -> bool {
    let word = p.command().split(' ').next().unwrap_or("").to_ascii_lowercase();
    lines.iter().any(|l| is_prompt(l) && l.to_ascii_lowercase().contains(&word))
}

/// Lines a pager could stand on: output, with more output after it.
fn output_lines(lines: &[&str]) -> Vec<usize> {
    let out: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].trim().is_empty() && !is_prompt(lines[i])).collect();
    out
}

const MORE: &str = "\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit \x1b[0m";

fn options(from: usize, to: usize, of: usize) -> String {
    format!("options: q=quit, n=next, p=prev, b=begin, e=end (lines {from} - {to} of {of}) :")
}

type Kind = fn(&str, Parser) -> Resaved;

/// Noise kinds of an IM&P CLI session.
const CLI_KINDS: &[(&str, Kind)] = &[
    ("putty log, login and CLI banner", putty_banner),
    ("VT escape codes", vt_codes),
    ("set cli pagination off", pagination_off),
    ("more pager on its own line", more_own_line),
    ("more pager glued to data", more_glued),
    ("options pager on its own line", options_own_line),
    ("options pager glued to data", options_glued),
    ("closing prompt", closing_prompt),
    ("several commands", cli_several),
    ("Tera Term time stamps", stamps_teraterm),
    ("SecureCRT time stamps", stamps_iso),
    ("MobaXterm time stamps", stamps_clock),
    ("CRLF", crlf),
    ("UTF-16LE", utf16le),
    ("UTF-16BE", utf16be),
    ("everything at once", cli_all),
];

/// Noise kinds of a PowerShell session.
const PS_KINDS: &[(&str, Kind)] = &[
    ("remote-session prompts", remote_prompt),
    ("Start-Transcript header and footer", transcript),
    ("PowerShell 7 JSON depth warning", ps7_warning),
    ("PowerShell 7 ANSI colours", ps7_ansi),
    ("several commands", ps_several),
    ("session-log time stamps", stamps_iso),
    ("CRLF", crlf),
    ("UTF-16LE", utf16le),
    ("UTF-16BE", utf16be),
    ("everything at once", ps_all),
];

/// Every line of the plain file, and a banner line, stamped by the session logger.
fn stamped(text: &str, stamp: &dyn Fn(usize) -> String) -> Resaved {
    let mut b = Builder::default();
    b.noise(format!("{}admin:set cli pagination off", stamp(0)));
    for (i, l) in plain_lines(text).into_iter().enumerate() {
        // A blank line is stamped too; the stamp then ends the line.
        b.keep(format!("{}{l}", stamp(i + 1)).trim_end_matches(' ').to_string());
    }
    b.done()
}

fn stamps_teraterm(text: &str, _: Parser) -> Resaved {
    stamped(text, &|i| format!("[Mon Nov 30 10:{:02}:{:02}.{:03} 2026] ", 15 + i / 60, i % 60, (i * 37) % 1000))
}

fn stamps_iso(text: &str, _: Parser) -> Resaved {
    stamped(text, &|i| format!("[2026-11-30 10:{:02}:{:02}] ", 15 + i / 60, i % 60))
}

fn stamps_clock(text: &str, _: Parser) -> Resaved {
    stamped(text, &|i| format!("10:{:02}:{:02}: ", 15 + i / 60, i % 60))
}

fn putty_banner(text: &str, p: Parser) -> Resaved {
    let mut b = Builder::default();
    for l in [
        "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.30 10:15:02 =~=~=~=~=~=~=~=~=~=~=~=",
        "login as: admin",
        "admin@imp-rt.example.com's password:",
        "",
        "Command Line Interface is starting up, please wait ...",
        "",
        "   Welcome to the Platform Command Line Interface",
        "",
        "VMware Installation:",
        "        4 vCPU: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz",
        "        Disk 1: 110GB, Partitions aligned",
        "        8192 Mbytes RAM",
        "",
    ] {
        b.noise(l);
    }
    let lines = plain_lines(text);
    if !has_echo(&lines, p) {
        b.noise(format!("admin:{}", p.command()));
    }
    lines.iter().for_each(|l| b.keep(*l));
    b.noise("admin:");
    b.done()
}

fn vt_codes(text: &str, _: Parser) -> Resaved {
    let mut b = Builder::default();
    for (i, l) in plain_lines(text).into_iter().enumerate() {
        let (body, cr) = split_cr(l);
        let title = if i == 0 { "\x1b]0;admin@imp-rt: ~\x07" } else { "" };
        if let Some(rest) = body.strip_prefix("admin:") {
            b.keep(format!("{title}\x1b[?1h\x1b=\radmin:\x1b[K{rest}\x1b[K{cr}"));
        } else {
            b.keep(format!("{title}\x1b[0m{body}\x1b[K{cr}"));
        }
    }
    b.done()
}

fn pagination_off(text: &str, p: Parser) -> Resaved {
    let mut b = Builder::default();
    b.noise("admin:set cli pagination off");
    b.noise("Automation mode is On for the current session");
    let lines = plain_lines(text);
    if !has_echo(&lines, p) {
        b.noise(format!("admin:{}", p.command()));
    }
    lines.iter().for_each(|l| b.keep(*l));
    b.done()
}

/// Insert `prompt` as its own line after every third output line that has more
/// output after it.
fn pager_own_line(text: &str, prompt: &dyn Fn(usize, usize) -> String) -> Resaved {
    let lines = plain_lines(text);
    let outputs = output_lines(&lines);
    let last = outputs.last().copied().unwrap_or(0);
    let mut b = Builder::default();
    let mut n = 0;
    for (i, l) in lines.iter().enumerate() {
        b.keep(*l);
        if outputs.contains(&i) {
            n += 1;
            if n % 3 == 0 && i < last {
                b.noise(prompt(n, outputs.len()));
            }
        }
    }
    b.done()
}

/// Glue `prompt` to the front of every third output line but the first.
fn pager_glued(text: &str, prompt: &dyn Fn(usize, usize) -> String) -> Resaved {
    let lines = plain_lines(text);
    let outputs = output_lines(&lines);
    let mut b = Builder::default();
    let mut n = 0;
    for (i, l) in lines.iter().enumerate() {
        if outputs.contains(&i) {
            n += 1;
            if n % 3 == 1 && n > 1 {
                b.keep(format!("{}{l}", prompt(n - 1, outputs.len())));
                continue;
            }
        }
        b.keep(*l);
    }
    b.done()
}

fn more_own_line(text: &str, _: Parser) -> Resaved {
    // Alternate the bare prompt and the prompt the terminal already blanked.
    pager_own_line(text, &|n, _| if n % 2 == 0 { MORE.to_string() } else { format!("{MORE}\r{}\r", " ".repeat(66)) })
}

fn more_glued(text: &str, _: Parser) -> Resaved {
    pager_glued(text, &|_, _| format!("{MORE}\r{}\r", " ".repeat(66)))
}

fn options_own_line(text: &str, _: Parser) -> Resaved {
    pager_own_line(text, &|n, of| options(n.saturating_sub(2).max(1), n, of))
}

fn options_glued(text: &str, _: Parser) -> Resaved {
    pager_glued(text, &|n, of| options(n.saturating_sub(2).max(1), n, of))
}

fn closing_prompt(text: &str, _: Parser) -> Resaved {
    let mut b = Builder::default();
    plain_lines(text).iter().for_each(|l| b.keep(*l));
    b.noise("admin:\x1b[K");
    b.done()
}

fn cli_several(text: &str, p: Parser) -> Resaved {
    let mut b = Builder::default();
    let (before, after): (&[&str], &[&str]) = if p == Parser::ServiceList {
        (
            &[
                "admin:show hardware",
                "HW Platform       : VMware Virtual Machine",
                "Processors        : 4",
                "Memory            : 8192 MBytes",
                "",
            ],
            &["admin:show status", " Host Name         : imp-rt", " Product Ver       : 14.0.1.12900-2", "admin:"],
        )
    } else {
        (
            &["admin:utils service list", "Cisco Tomcat[STARTED]", "Primary Node =true", "Command successful"],
            &["admin:show version active", "Active Master Version: 14.0.1.12900-2", "admin:"],
        )
    };
    before.iter().for_each(|l| b.noise(*l));
    let lines = plain_lines(text);
    if !has_echo(&lines, p) {
        b.noise(format!("admin:{}", p.command()));
    }
    lines.iter().for_each(|l| b.keep(*l));
    after.iter().for_each(|l| b.noise(*l));
    b.done()
}

fn crlf(text: &str, _: Parser) -> Resaved {
    let mut b = Builder::default();
    for l in plain_lines(text) {
        let (body, _) = split_cr(l);
        b.keep(format!("{body}\r"));
    }
    b.done()
}

fn identity(text: &str) -> Resaved {
    let mut b = Builder::default();
    plain_lines(text).iter().for_each(|l| b.keep(*l));
    b.done()
}

/// Saved as UTF-16 with a byte-order mark, read back the way fedcheck reads files.
fn utf16(text: &str, to: fn(u16) -> [u8; 2], bom: [u8; 2]) -> Resaved {
    let r = identity(text);
    let bytes: Vec<u8> = bom.into_iter().chain(r.text.encode_utf16().flat_map(to)).collect();
    Resaved { text: evidence::decode(&bytes), map: r.map }
}

fn utf16le(text: &str, _: Parser) -> Resaved {
    utf16(text, u16::to_le_bytes, [0xFF, 0xFE])
}

fn utf16be(text: &str, _: Parser) -> Resaved {
    utf16(text, u16::to_be_bytes, [0xFE, 0xFF])
}

/// Apply kinds one after the other, composing their line maps.
fn chain(text: &str, p: Parser, kinds: &[Kind]) -> Resaved {
    let mut cur = identity(text);
    for k in kinds {
        let next = k(&cur.text, p);
        cur = Resaved { map: cur.map.iter().map(|&n| next.map[n - 1]).collect(), text: next.text };
    }
    cur
}

fn cli_all(text: &str, p: Parser) -> Resaved {
    chain(text, p, &[pagination_off, putty_banner, more_glued, options_own_line, vt_codes, closing_prompt, crlf])
}

const REMOTE: &str = "[fe01.contoso.com]: PS C:\\Users\\admin\\Documents>";

fn remote_prompt(text: &str, p: Parser) -> Resaved {
    let lines = plain_lines(text);
    let mut b = Builder::default();
    if !has_echo(&lines, p) {
        b.noise(format!("{REMOTE} {}", p.command()));
    }
    for l in &lines {
        match l.trim_start().strip_prefix("PS ").and_then(|r| r.split_once('>')) {
            Some((_, rest)) if is_ps_prompt(l) => b.keep(format!("{REMOTE}{rest}")),
            _ => b.keep(*l),
        }
    }
    b.noise(format!("{REMOTE} "));
    b.done()
}

fn transcript(text: &str, p: Parser) -> Resaved {
    let mut b = Builder::default();
    for l in [
        "**********************",
        "Windows PowerShell transcript start",
        "Start time: 20261130101502",
        "Username: CONTOSO\\admin",
        "RunAs User: CONTOSO\\admin",
        "Configuration Name: ",
        "Machine: JUMP01 (Microsoft Windows NT 10.0.17763.0)",
        "Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "Process ID: 4312",
        "PSVersion: 5.1.17763.1852",
        "PSEdition: Desktop",
        "PSCompatibleVersions: 1.0, 2.0, 3.0, 4.0, 5.0, 5.1.17763.1852",
        "BuildVersion: 10.0.17763.1852",
        "CLRVersion: 4.0.30319.42000",
        "WSManStackVersion: 3.0",
        "PSRemotingProtocolVersion: 2.3",
        "SerializationVersion: 1.1.0.1",
        "**********************",
        "Transcript started, output file is C:\\Users\\admin\\Documents\\fed.txt",
        "**********************",
        "Command start time: 20261130101510",
        "**********************",
    ] {
        b.noise(l);
    }
    let lines = plain_lines(text);
    if !has_echo(&lines, p) {
        b.noise(format!("PS C:\\Users\\admin> {}", p.command()));
    }
    lines.iter().for_each(|l| b.keep(*l));
    for l in [
        "**********************",
        "Command start time: 20261130101744",
        "**********************",
        "PS C:\\Users\\admin> Stop-Transcript",
        "**********************",
        "Windows PowerShell transcript end",
        "End time: 20261130101744",
        "**********************",
    ] {
        b.noise(l);
    }
    b.done()
}

fn ps7_warning(text: &str, p: Parser) -> Resaved {
    let lines = plain_lines(text);
    let mut b = Builder::default();
    let echo = has_echo(&lines, p);
    if !echo {
        b.noise("WARNING: Resulting JSON is truncated as serialization has exceeded the set depth of 2.");
    }
    for l in &lines {
        b.keep(*l);
        if echo && is_ps_prompt(l) && l.contains("Get-Cs") {
            b.noise("WARNING: Resulting JSON is truncated as serialization has exceeded the set depth of 2.");
        }
    }
    b.done()
}

/// PowerShell 7.2+ colours Format-List labels: `ESC[32;1mName : ESC[0mvalue`.
fn ps7_ansi(text: &str, _: Parser) -> Resaved {
    let mut b = Builder::default();
    for l in plain_lines(text) {
        let (body, cr) = split_cr(l);
        let label = body.find(" : ").or_else(|| body.strip_suffix(" :").map(|s| s.len())).filter(|&i| {
            let key = body[..i].trim_end();
            !key.is_empty() && !key.starts_with(' ') && key.chars().all(|c| c.is_ascii_alphanumeric())
        });
        match label {
            Some(i) => {
                let (key, rest) = body.split_at(i);
                let (colon, value) = if rest.len() >= 3 { rest.split_at(3) } else { (rest, "") };
                b.keep(format!("\x1b[32;1m{key}{colon}\x1b[0m{value}{cr}"));
            }
            None => b.keep(l),
        }
    }
    b.done()
}

fn ps_several(text: &str, p: Parser) -> Resaved {
    let mut b = Builder::default();
    for l in [
        "PS C:\\Users\\admin> $FormatEnumerationLimit = -1",
        "PS C:\\Users\\admin> Get-CsPool | Select-Object Identity,Fqdn",
        "",
        "Identity            Fqdn",
        "--------            ----",
        "sfbpool.contoso.com sfbpool.contoso.com",
        "",
    ] {
        b.noise(l);
    }
    let lines = plain_lines(text);
    if !has_echo(&lines, p) {
        b.noise(format!("PS C:\\Users\\admin> {}", p.command()));
    }
    lines.iter().for_each(|l| b.keep(*l));
    let after: &[&str] = if p == Parser::Apps {
        &["PS C:\\Users\\admin> Get-CsHostingProvider", "", "Identity : X", "ProxyFqdn : x.example.com", ""]
    } else {
        &["PS C:\\Users\\admin> Get-CsTrustedApplication", "", "Identity : x.example.com/urn:application:y", "Port : 5061", ""]
    };
    after.iter().for_each(|l| b.noise(*l));
    b.noise("PS C:\\Users\\admin> ");
    b.done()
}

fn ps_all(text: &str, p: Parser) -> Resaved {
    chain(text, p, &[ps_several, ps7_warning, ps7_ansi, remote_prompt, transcript, crlf, utf16le])
}

fn kinds(p: Parser) -> &'static [(&'static str, Kind)] {
    if p.powershell() {
        PS_KINDS
    } else {
        CLI_KINDS
    }
}

// ---------------------------------------------------------------- comparing

/// Every `line` number in a parse result, moved to where the re-saved file has it.
fn remap(v: &mut Value, map: &[usize]) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match (k.as_str(), x.as_u64()) {
                    ("line", Some(n)) if n > 0 => {
                        let n = usize::try_from(n).expect("small");
                        *x = Value::from(map[n - 1]);
                    }
                    _ => remap(x, map),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| remap(x, map)),
        _ => {}
    }
}

/// Every evidence capture in the repository (examples and test fixtures).
fn repo_captures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.components().any(|c| c.as_os_str() == "evidence") && p.extension().is_some_and(|x| x == "txt" || x == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo("examples"), &mut out);
    walk(&repo("tests/fixtures"), &mut out);
    out.sort();
    out
}

#[test]
fn every_repo_capture_parses_the_same_through_every_noise_kind() {
    let files = repo_captures();
    assert!(files.len() >= 25, "only {} captures found", files.len());
    let mut compared = 0;
    for path in &files {
        let p = Parser::for_file(path).unwrap_or_else(|| panic!("no parser known for {}: add it here", path.display()));
        let plain = std::fs::read_to_string(path).expect("readable");
        let plain_parse = p.parse(&plain).unwrap_or_else(|e| panic!("{}: plain form must parse: {e:?}", path.display()));
        for (kind, resave) in kinds(p) {
            let r = resave(&plain, p);
            assert_eq!(r.map.len(), plain_lines(&plain).len(), "{kind}: map covers every line");
            let got = p.parse(&r.text).unwrap_or_else(|e| panic!("{} re-saved with {kind}: {e:?}\n{}", path.display(), r.text));
            let mut want = plain_parse.clone();
            remap(&mut want, &r.map);
            assert_eq!(got, want, "{} re-saved with {kind} parses differently", path.display());
            compared += 1;
        }
    }
    assert!(compared > 250, "{compared}");
}

/// Findings with line numbers blanked: the noise moves lines, the verdicts must not move.
fn judge_all(inventory: &Path) -> Value {
    let loaded = fedcheck::inventory::load(inventory).unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::to_string(&offline_findings(&loaded, &[])).expect("serialises");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out.push_str(rest);
    serde_json::from_str(&out).expect("still JSON")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("readable dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Evidence files an inventory names, as paths relative to it.
fn evidence_of(inventory: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(inventory).expect("readable");
    let t: toml::Table = toml::from_str(&text).expect("toml");
    let mut out = Vec::new();
    let mut add = |v: Option<&toml::Value>| {
        if let Some(ev) = v.and_then(|v| v.as_table()) {
            out.extend(ev.values().filter_map(|p| p.as_str()).map(PathBuf::from));
        }
    };
    if let Some(nodes) = t.get("cisco").and_then(|c| c.get("nodes")).and_then(|n| n.as_array()) {
        nodes.iter().for_each(|n| add(n.get("evidence")));
    }
    add(t.get("microsoft").and_then(|m| m.get("evidence")));
    out
}

#[test]
fn every_example_site_judges_the_same_through_every_noise_kind() {
    for site in ["examples/clean/site.toml", "examples/enterprise/site.toml", "tests/fixtures/contract/site.toml"] {
        let inventory = repo(site);
        let files = evidence_of(&inventory);
        assert!(!files.is_empty(), "{site} names evidence");
        let plain = judge_all(&inventory);
        let dir = inventory.parent().expect("parent");
        for kind in 0..CLI_KINDS.len().max(PS_KINDS.len()) {
            let tmp = tempfile::tempdir().expect("tmp");
            copy_dir(dir, tmp.path());
            let mut names = Vec::new();
            for rel in &files {
                let p = Parser::for_file(rel).unwrap_or_else(|| panic!("{}", rel.display()));
                let list = kinds(p);
                let (name, resave) = list[kind % list.len()];
                names.push(name);
                let target = tmp.path().join(rel);
                let text = std::fs::read_to_string(&target).expect("readable");
                std::fs::write(&target, resave(&text, p).text).expect("write");
            }
            let copy = tmp.path().join(inventory.file_name().expect("name"));
            assert_eq!(judge_all(&copy), plain, "{site} judged differently with {names:?}");
        }
    }
}

// ---------------------------------------------------------------- the issue's own strings

fn clean_site_with(file: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/clean"), tmp.path());
    std::fs::write(tmp.path().join(file), text).expect("write");
    let site = tmp.path().join("site.toml");
    (tmp, site)
}

fn services_findings(site: &Path) -> Vec<Finding> {
    let loaded = fedcheck::inventory::load(site).unwrap_or_else(|e| panic!("{e}"));
    offline_findings(&loaded, &["routing-node.services"])
}

/// The findings of an offline run of `only` (every check when empty) at the tests' `now`.
fn offline_findings(loaded: &fedcheck::inventory::Loaded, only: &[&str]) -> Vec<Finding> {
    let catalog = Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, only: only.iter().map(|c| c.to_string()).collect(), now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(engine::run(loaded, &catalog, &checks, &opts)).expect("run").0.findings
}

fn routing(findings: &[Finding]) -> &Finding {
    crate::util::finding(findings, "imp-rt.contoso.com")
}

const RT: &str = "evidence/imp-rt-services.txt";
const MORE_SPACE: &str = "\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit \x1b[0m\r                                                                  \r";

fn rt_plain() -> String {
    std::fs::read_to_string(repo("examples/clean").join(RT)).expect("readable")
}

#[test]
fn feature_service_glued_to_the_pager_is_still_caught() {
    let text = rt_plain().replace(
        "Cisco XCP Text Conference Manager[STOPPED]  Service Not Activated",
        &format!("{MORE_SPACE}Cisco XCP Text Conference Manager[STARTED]"),
    );
    let (_tmp, site) = clean_site_with(RT, &text);
    let f = services_findings(&site);
    let rt = routing(&f);
    assert_eq!(rt.status, Status::Fail, "{rt:#?}");
    assert!(rt.summary.contains("Cisco XCP Text Conference Manager is STARTED"), "{}", rt.summary);
}

#[test]
fn sip_proxy_glued_to_the_pager_is_still_read() {
    let text = rt_plain().replace("Cisco SIP Proxy[STARTED]", &format!("{MORE_SPACE}Cisco SIP Proxy[STARTED]"));
    let (_tmp, site) = clean_site_with(RT, &text);
    assert_eq!(routing(&services_findings(&site)).status, Status::Pass);
    // Without that line the proxy is missing and the node fails: the glued line counted.
    let text = rt_plain().replace("Cisco SIP Proxy[STARTED]\n", "");
    let (_tmp, site) = clean_site_with(RT, &text);
    assert_eq!(routing(&services_findings(&site)).status, Status::Fail);
}

#[test]
fn cut_short_service_list_is_a_warning_naming_file_and_line() {
    // The log stops mid-list: no closing lines, no prompt.
    let plain = rt_plain();
    let cut: String = plain.lines().take(40).map(|l| format!("{l}\n")).collect();
    let (_tmp, site) = clean_site_with(RT, &cut);
    let rt_finding = services_findings(&site);
    let rt = routing(&rt_finding);
    assert_eq!(rt.status, Status::Warn, "{rt:#?}");
    assert!(rt.summary.contains("`evidence/imp-rt-services.txt` is cut short at line 40"), "{}", rt.summary);
    assert!(rt.summary.contains("state unknown"), "{}", rt.summary);

    // The user pressed q at the pager.
    let quit: String = plain.lines().take(30).map(|l| format!("{l}\n")).collect::<String>() + MORE + "\r\n" + "admin:\n";
    let (_tmp, site) = clean_site_with(RT, &quit);
    let f = services_findings(&site);
    let rt = routing(&f);
    assert_eq!(rt.status, Status::Warn, "{rt:#?}");
    assert!(rt.summary.contains("cut short at line 31"), "{}", rt.summary);
    assert!(rt.summary.contains("pager"), "{}", rt.summary);
}

#[test]
fn feature_service_absent_from_a_complete_capture_is_not_listed() {
    let text = rt_plain().replace("Cisco XCP Message Archiver[STOPPED]  Service Not Activated\n", "");
    let (_tmp, site) = clean_site_with(RT, &text);
    let f = services_findings(&site);
    let rt = routing(&f);
    assert_eq!(rt.status, Status::Info, "{rt:#?}");
    assert!(rt.summary.contains("Cisco XCP Message Archiver not listed"), "{}", rt.summary);
}

#[test]
fn wrong_command_output_is_named() {
    let status = std::fs::read_to_string(repo("examples/enterprise/evidence/imp-rt/show-status.txt")).expect("readable");
    let (_tmp, site) = clean_site_with(RT, &status);
    let err = fedcheck::inventory::load(&site).expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("`show status`, not of `utils service list`"), "{msg}");
    // Without its echo the content still gives it away.
    let (_tmp, site) = clean_site_with(RT, status.trim_start_matches("admin:show status\n"));
    let msg = fedcheck::inventory::load(&site).expect_err("refused").to_string();
    assert!(msg.contains("looks like the output of `show status`"), "{msg}");
}

#[test]
fn empty_microsoft_outputs_are_evidence() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/enterprise"), tmp.path());
    let ms = tmp.path().join("evidence/ms");
    std::fs::write(
        ms.join("hosting-providers.txt"),
        "PS C:\\Users\\svc-sfbadmin> Get-CsHostingProvider\r\nPS C:\\Users\\svc-sfbadmin> \r\n",
    )
    .expect("write");
    std::fs::write(ms.join("trusted-application-pool.txt"), "").expect("write");
    let loaded = fedcheck::inventory::load(&tmp.path().join("site.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.evidence.microsoft.hosting_providers, Some(evidence::Records::default()));
    assert_eq!(loaded.evidence.microsoft.trusted_application_pools, Some(evidence::Records::default()));
}

#[test]
fn utf16_inventory_is_read() {
    let plain = judge_all(&repo("examples/clean/site.toml"));
    let text = std::fs::read_to_string(repo("examples/clean/site.toml")).expect("readable");
    for (bom, to) in [([0xFF, 0xFE], u16::to_le_bytes as fn(u16) -> [u8; 2]), ([0xFE, 0xFF], u16::to_be_bytes)] {
        let tmp = tempfile::tempdir().expect("tmp");
        copy_dir(&repo("examples/clean"), tmp.path());
        let bytes: Vec<u8> = bom.into_iter().chain(text.replace('\n', "\r\n").encode_utf16().flat_map(to)).collect();
        std::fs::write(tmp.path().join("site.toml"), bytes).expect("write");
        assert_eq!(judge_all(&tmp.path().join("site.toml")), plain);
    }
}

#[test]
fn cut_short_cluster_capture_is_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/enterprise"), tmp.path());
    let file = tmp.path().join("evidence/imp-rt/show-network-cluster.txt");
    let plain = std::fs::read_to_string(&file).expect("readable");
    let head: String = plain.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, format!("{head}options: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 2 of 16) :\nadmin:\n")).expect("write");
    let loaded = fedcheck::inventory::load(&tmp.path().join("site.toml")).unwrap_or_else(|e| panic!("{e}"));
    let findings = offline_findings(&loaded, &["sizing.cluster"]);
    let f = crate::util::finding(&findings, "imp-rt.northwind.com");
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(f.summary.contains("`evidence/imp-rt/show-network-cluster.txt` is cut short at line 4"), "{}", f.summary);
}

/// (check, target, status) of every finding.
fn verdicts(inventory: &Path) -> Vec<(String, String, Status)> {
    let loaded = fedcheck::inventory::load(inventory).unwrap_or_else(|e| panic!("{e}"));
    offline_findings(&loaded, &[]).into_iter().map(|f| (f.check, f.target, f.status)).collect()
}

#[test]
fn one_session_log_and_one_transcript_serve_every_evidence_key() {
    let site = repo("examples/enterprise/site.toml");
    let plain = verdicts(&site);
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/enterprise"), tmp.path());
    let read = |rel: &str| std::fs::read_to_string(tmp.path().join(rel)).expect("readable");
    // The five IM&P commands of the routing node, one after the other in one PuTTY log.
    let mut log = putty_banner("", Parser::ServiceList).text.replace("admin:utils service list\nadmin:\n", "");
    for rel in [
        "imp-rt/utils-service-list.txt",
        "imp-rt/show-hardware.txt",
        "imp-rt/show-status.txt",
        "imp-rt/show-network-cluster.txt",
        "imp-rt/show-tls-min-version.txt",
    ] {
        let text = read(&format!("evidence/{rel}"));
        log.push_str(text.trim_end_matches("admin:\n"));
    }
    log.push_str("admin:exit\n");
    std::fs::write(tmp.path().join("evidence/imp-rt/session.log"), more_glued(&log, Parser::ServiceList).text).expect("write");
    // The four Management Shell commands in one transcript.
    let mut ts = String::new();
    for rel in [
        "static-routes.txt",
        "hosting-providers.json",
        "trusted-application-pool.txt",
        "trusted-application.txt",
        "hosted-voicemail-policies.txt",
    ] {
        ts.push_str(&read(&format!("evidence/ms/{rel}")));
    }
    std::fs::write(tmp.path().join("evidence/ms/transcript.txt"), transcript(&ts, Parser::StaticRoutes).text).expect("write");

    let text = std::fs::read_to_string(&site).expect("readable");
    let mut t: toml::Table = toml::from_str(&text).expect("toml");
    let nodes = t.get_mut("cisco").and_then(|c| c.get_mut("nodes")).and_then(|n| n.as_array_mut()).expect("nodes");
    let ev = nodes[0].get_mut("evidence").and_then(|e| e.as_table_mut()).expect("evidence");
    for (_, v) in ev.iter_mut() {
        *v = toml::Value::String("evidence/imp-rt/session.log".into());
    }
    let ms = t.get_mut("microsoft").and_then(|m| m.get_mut("evidence")).and_then(|e| e.as_table_mut()).expect("ms evidence");
    for (_, v) in ms.iter_mut() {
        *v = toml::Value::String("evidence/ms/transcript.txt".into());
    }
    let copy = tmp.path().join("site.toml");
    std::fs::write(&copy, toml::to_string(&t).expect("toml")).expect("write");
    assert_eq!(verdicts(&copy), plain);
}

#[test]
fn hardware_capture_cut_before_its_memory_is_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/enterprise"), tmp.path());
    let file = tmp.path().join("evidence/imp-rt/show-hardware.txt");
    let plain = std::fs::read_to_string(&file).expect("readable");
    let head: String = plain.lines().take(4).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, format!("{head}{MORE}\r\nadmin:\n")).expect("write");
    let loaded = fedcheck::inventory::load(&tmp.path().join("site.toml")).unwrap_or_else(|e| panic!("{e}"));
    let findings = offline_findings(&loaded, &["sizing.vm"]);
    let f = crate::util::finding(&findings, "imp-rt.northwind.com");
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(f.summary.contains("`evidence/imp-rt/show-hardware.txt` is cut short at line 5"), "{}", f.summary);
}

/// Positions to cut a capture at: the middle of each line whose record (Format-List)
/// or value (JSON) goes on after it, so what is left cannot read as complete.
fn cut_points(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.split('\n').collect();
    let json = text.trim_start().starts_with('[') || text.lines().any(|l| l.trim_start().starts_with('['));
    let mut at = 0;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let next_filled = lines.get(i + 1).is_some_and(|n| !n.trim().is_empty());
        let data = l.contains(':') && !l.trim_start().starts_with("PS ");
        if data && (next_filled || json) && l.trim().len() > 4 {
            let mid = at + l.len() / 2;
            if text.is_char_boundary(mid) {
                out.push(mid);
            }
        }
        at += l.len() + 1;
    }
    // A few spread over the file are enough: first, middle ones, last.
    if out.len() > 6 {
        let step = out.len() / 5;
        out = out.iter().step_by(step.max(1)).copied().chain(out.last().copied()).collect();
    }
    out
}

#[test]
fn cut_powershell_captures_warn_on_the_checks_reading_them() {
    // (evidence key, the checks that read it)
    let readers: &[(&str, &[&str], &[&str])] = &[
        (
            "static_routes",
            &["static-routes.txt", "static-routes.json"],
            &["routes.static-route", "routes.port-match", "routes.vcs-conflict"],
        ),
        (
            "hosting_providers",
            &["hosting-providers.txt", "hosting-providers.json"],
            &["routes.online-split-domain", "routes.exchange-um-conflict"],
        ),
        ("trusted_application_pools", &["trusted-application-pool.txt"], &["routes.trusted-application"]),
        ("trusted_applications", &["trusted-application.txt"], &["routes.trusted-application"]),
        ("hosted_voicemail_policies", &["hosted-voicemail-policies.txt"], &["routes.exchange-um-conflict"]),
    ];
    let mut tried = 0;
    for (key, files, checks) in readers {
        for name in *files {
            let plain = std::fs::read_to_string(repo("examples/enterprise/evidence/ms").join(name)).expect("readable");
            for at in cut_points(&plain) {
                let tmp = tempfile::tempdir().expect("tmp");
                copy_dir(&repo("examples/enterprise"), tmp.path());
                let rel = format!("evidence/ms/cut-{name}");
                std::fs::write(tmp.path().join(&rel), &plain[..at]).expect("write");
                let site = tmp.path().join("site.toml");
                let toml = std::fs::read_to_string(&site).expect("readable");
                let line = toml.lines().find(|l| l.starts_with(&format!("{key} = "))).expect("key in the site").to_string();
                std::fs::write(&site, toml.replace(&line, &format!("{key} = \"{rel}\""))).expect("write");
                let loaded = fedcheck::inventory::load(&site)
                    .unwrap_or_else(|e| panic!("{name} cut at byte {at} must load, as a cut capture: {e}\n{}", &plain[..at]));
                let findings = offline_findings(&loaded, checks);
                let cut_line = plain[..at].trim_end().lines().count();
                for check in *checks {
                    let warned = findings.iter().any(|f| {
                        f.check == *check
                            && f.status == Status::Warn
                            && f.summary.contains(&format!("`{rel}`"))
                            && f.summary.contains(&format!("cut short at line {cut_line}"))
                    });
                    assert!(warned, "{check} on {name} cut at byte {at} (line {cut_line}): {findings:#?}");
                }
                tried += 1;
            }
        }
    }
    assert!(tried >= 20, "{tried}");
}

#[test]
fn cut_show_status_before_its_version_is_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo("examples/enterprise"), tmp.path());
    let file = tmp.path().join("evidence/imp-rt/show-status.txt");
    let plain = std::fs::read_to_string(&file).expect("readable");
    let upto = plain.find("Product Ver").expect("a product version line");
    let cut = &plain[..upto + 5];
    std::fs::write(&file, cut).expect("write");
    let loaded = fedcheck::inventory::load(&tmp.path().join("site.toml")).unwrap_or_else(|e| panic!("{e}"));
    let findings = offline_findings(&loaded, &["sizing.versions"]);
    let f = crate::util::finding(&findings, "imp-rt.northwind.com");
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    let line = cut.lines().count();
    assert!(f.summary.contains(&format!("`evidence/imp-rt/show-status.txt` is cut short at line {line}")), "{}", f.summary);
}

/// What a capture from `tests/fixtures/captures/` must do to the enterprise site.
enum Expect {
    /// Judge exactly like the plain capture (findings with these targets aside).
    Same(&'static [&'static str]),
    /// A warning of this check whose summary holds this text.
    Warns(&'static str, &'static str),
    /// Refused (the inventory does not load), the message holding this text.
    Refused(&'static str),
}

#[test]
fn captures_saved_by_other_tools_judge_as_they_should() {
    use Expect::*;
    // Each replaces one evidence file of examples/enterprise.
    let cases: &[(&str, &str, Expect)] = &[
        ("service-list__timestamp-dd.mm.yyyy.txt", "imp-rt/utils-service-list.txt", Same(&[])),
        ("service-list__securecrt-timestamp-us-ampm.txt", "imp-rt/utils-service-list.txt", Same(&[])),
        ("service-list__options-pager-answer-key-echoed-on-own-line.txt", "imp-rt/utils-service-list.txt", Same(&[])),
        (
            "service-list__options-pager-e-jump-skips-lines-41-46.txt",
            "imp-rt/utils-service-list.txt",
            Warns("routing-node.services", "lines 41-46 of the output were never shown"),
        ),
        ("static-routes__expanded-route_out-file-width-80.txt", "ms/static-routes.txt", Same(&[])),
        // Format-List Identity,Route shows the collection: the note about it goes.
        ("static-routes__format-list-route-wrapped-at-comma-space_w300.txt", "ms/static-routes.txt", Same(&["route collections"])),
        (
            "static-routes__transcript-cut-after-first-route-record.txt",
            "ms/static-routes.txt",
            Warns("routes.static-route", "is cut short at line"),
        ),
        ("hosting-providers__ps7-concise-error-one-line.txt", "ms/hosting-providers.txt", Refused("failed in this capture")),
        (
            "hosting-providers__split-domain-online-provider_transcript-cut-at-record-boundary.txt",
            "ms/hosting-providers.txt",
            Warns("routes.online-split-domain", "is cut short at line"),
        ),
        ("show-hardware__log-cut-mid-Memory-number.txt", "imp-rt/show-hardware.txt", Warns("sizing.vm", "ends on the `Memory` line")),
        // Ending right after the member rows is how an IM&P node prints it (Cisco
        // TechNote 217581): nothing in the copy shows a cut.
        ("show-network-cluster__ends-after-member-rows.txt", "imp-rt/show-network-cluster.txt", Same(&[])),
        (
            "trusted-application__transcript-cut-mid-Port-value.txt",
            "ms/trusted-application.txt",
            Warns("routes.trusted-application", "is cut short at line"),
        ),
    ];
    // Complete captures saved in ways that once raised false alarms (`__FA` in their
    // names): console copies without the next prompt or blank lines, PowerShell 7
    // layouts, transcripts closed by their end block only, commands wrapped by an
    // older console, -Compress JSON wrapped at 120 columns, a short time-stamped log,
    // a copy closed by `ccmadmin:`. Each must judge exactly like the plain file.
    let target_of = |name: &str| -> &'static str {
        match name.split("__").next().unwrap_or("") {
            "service-list" => "imp-rt/utils-service-list.txt",
            "tls-min" => "imp-rt/show-tls-min-version.txt",
            "static-routes" => "ms/static-routes.txt",
            "hosting-providers" => "ms/hosting-providers.txt",
            "hosted-voicemail" => "ms/hosted-voicemail-policies.txt",
            "trusted-application" => "ms/trusted-application.txt",
            "trusted-app-pool" => "ms/trusted-application-pool.txt",
            other => panic!("no evidence file for prefix {other}"),
        }
    };
    let mut complete: Vec<(String, &'static str)> = std::fs::read_dir(repo("tests/fixtures/captures"))
        .expect("captures folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("__FA"))
        .map(|n| {
            let rel = target_of(&n);
            (n, rel)
        })
        .collect();
    complete.sort();
    assert!(complete.len() >= 15, "{complete:?}");
    // A capture whose echo names its collection (`-Identity Global`) rightly drops the
    // note that no collection was visible: that note is about the command, not the cut.
    let complete_cases: Vec<(&str, &str, Expect)> =
        complete.iter().map(|(n, rel)| (n.as_str(), *rel, Same(&["route collections"]))).collect();
    let plain = verdicts(&repo("examples/enterprise/site.toml"));
    for (case, rel, expect) in cases.iter().chain(complete_cases.iter()) {
        let tmp = tempfile::tempdir().expect("tmp");
        copy_dir(&repo("examples/enterprise"), tmp.path());
        std::fs::copy(repo("tests/fixtures/captures").join(case), tmp.path().join("evidence").join(rel)).expect("copy");
        let site = tmp.path().join("site.toml");
        let loaded = fedcheck::inventory::load(&site);
        match (expect, loaded) {
            (Refused(text), Err(e)) => assert!(e.to_string().contains(text), "{case}: {e}"),
            (Refused(_), Ok(_)) => panic!("{case}: loaded, but must be refused"),
            (_, Err(e)) => panic!("{case}: refused: {e}"),
            (Same(aside), Ok(_)) => {
                let keep =
                    |v: Vec<(String, String, Status)>| v.into_iter().filter(|(_, t, _)| !aside.contains(&t.as_str())).collect::<Vec<_>>();
                assert_eq!(keep(verdicts(&site)), keep(plain.clone()), "{case}");
            }
            (Warns(check, text), Ok(loaded)) => {
                let findings = offline_findings(&loaded, &[]);
                let hit = findings.iter().any(|f| f.check == *check && f.status == Status::Warn && f.summary.contains(text));
                assert!(
                    hit,
                    "{case}: no warning of {check} holding {text:?}: {:#?}",
                    findings.iter().filter(|f| f.check == *check).collect::<Vec<_>>()
                );
            }
        }
    }
}
