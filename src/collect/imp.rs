//! `fedcheck collect imp`: ask every Cisco node for its services, version, hardware
//! and cluster over HTTPS (Basic authentication), save the answers as evidence and
//! write an inventory that points at them.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::Semaphore;

use super::record::{CallOutcome, CallRecord, CollectRecord, Failure, FailureKind, NodeRecord, Summary, SCHEMA};
use super::soap::{self, Call};
use super::tls::Verify;
use super::CollectError;
use crate::evidence::soap::{inspect, Inspection};
use crate::exit::Exit;
use crate::inventory::Node;

/// The largest answer kept from one call. A real soapGetServiceStatus answer is
/// around 50 KB; anything near this is not an answer worth reading.
pub const DEFAULT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// What `collect imp` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site inventory; every `[[cisco.nodes]]` entry is asked.
    pub inventory: PathBuf,
    /// Folder to write evidence/, site.toml and collect.json into (created if missing).
    pub output: PathBuf,
    /// Administrator user for HTTP Basic authentication.
    pub user: String,
    /// CA certificate(s) of the nodes' Tomcat certificates (default: the system's store).
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (NOT verified; the collected files say so).
    pub insecure: bool,
    /// HTTPS port of the nodes' web services.
    pub port: u16,
    /// Timeout of one call.
    pub timeout: std::time::Duration,
    /// Nodes asked at once.
    pub concurrency: u16,
    /// Largest answer accepted from one call, in bytes.
    pub max_bytes: usize,
    /// Write into an output folder that already holds a collection.
    pub force: bool,
}

/// What a collection produced.
#[derive(Debug)]
pub struct Outcome {
    /// Ok when every call was collected (or not offered), Partial otherwise.
    pub exit: Exit,
    /// What to tell the user: one line per node, the summary, warnings.
    pub notes: Vec<String>,
    /// What was written to collect.json.
    pub record: CollectRecord,
    /// The inventory written beside the evidence.
    pub site: PathBuf,
}

/// Settings shared by every node's calls.
struct Ctx {
    tls: rustls::ClientConfig,
    user: String,
    password: String,
    port: u16,
    timeout: Duration,
    max_bytes: usize,
}

/// One call's result before it is written.
struct Answer {
    record: CallRecord,
    body: Option<String>,
    evidence_key: &'static str,
}

/// A file name part that cannot climb out of the evidence folder.
pub fn safe_name(s: &str) -> String {
    let cleaned: String = s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' }).collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "node".into()
    } else {
        trimmed.to_string()
    }
}

fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Millisecond).map(|t| t.to_string()).unwrap_or_else(|_| jiff::Timestamp::now().to_string())
}

/// Run a collection: every node, bounded concurrency, each call under the timeout.
pub async fn collect(args: &Options, password: &str) -> Result<Outcome, CollectError> {
    let inv_err = |message: String| CollectError::Inventory { path: args.inventory.clone(), message };
    let loaded = crate::inventory::load(&args.inventory).map_err(|e| inv_err(e.to_string()))?;
    let original_text = std::fs::read_to_string(&args.inventory).map_err(|e| inv_err(format!("cannot read it: {e}")))?;
    if loaded.inventory.cisco.nodes.is_empty() {
        return Err(inv_err("names no [[cisco.nodes]] to collect from".into()));
    }
    prepare_output(&args.output, args.force)?;
    let verify = match (&args.ca_file, args.insecure) {
        (_, true) => Verify::Insecure,
        (Some(p), false) => Verify::CaFile(p.clone()),
        (None, false) => Verify::SystemStore,
    };
    let (tls, mut notes) = super::tls::client_config(&verify)?;
    let ctx = Arc::new(Ctx {
        tls,
        user: args.user.clone(),
        password: password.to_string(),
        port: args.port,
        timeout: args.timeout,
        max_bytes: args.max_bytes,
    });
    let started_at = now();
    let limit = Arc::new(Semaphore::new(usize::from(args.concurrency)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, node) in loaded.inventory.cisco.nodes.iter().enumerate() {
        let ctx = ctx.clone();
        let limit = limit.clone();
        let node = node.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            (i, collect_node(&ctx, &node).await)
        });
    }
    let mut results: BTreeMap<usize, (NodeRecord, Vec<Answer>)> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => {
                results.insert(i, r);
            }
            Err(e) => return Err(CollectError::Client(format!("a collection task ended abnormally: {e}"))),
        }
    }

    // Write what came back: evidence files, then the inventory and collect.json.
    let insecure = verify == Verify::Insecure;
    let mut nodes = Vec::new();
    let mut collected: Vec<(String, &'static str, String)> = Vec::new();
    for (_, (mut node_rec, answers)) in results {
        let dir_rel = format!("evidence/{}", safe_name(&node_rec.fqdn));
        for mut a in answers {
            if let (Some(body), CallOutcome::Collected) = (&a.body, a.record.outcome) {
                let rel = format!("{dir_rel}/{}.xml", a.record.call);
                let text = if insecure { mark_insecure(body) } else { body.clone() };
                write_file(&args.output.join(&rel), &text)?;
                a.record.file = Some(rel.clone());
                collected.push((node_rec.fqdn.clone(), a.evidence_key, rel));
            }
            node_rec.calls.push(a.record);
        }
        nodes.push(node_rec);
    }
    let site_rel = "site.toml";
    let site_text = super::rewrite::inventory(&original_text, &args.inventory, &collected, insecure)
        .map_err(|message| CollectError::Output { path: args.output.join(site_rel), message })?;
    write_file(&args.output.join(site_rel), &site_text)?;

    let summary = Summary::of(&nodes);
    let complete = nodes.iter().flat_map(|n| &n.calls).all(|c| matches!(c.outcome, CallOutcome::Collected | CallOutcome::NotOffered));
    let exit = if complete { Exit::Ok } else { Exit::Partial };
    let exit_code = i32::from(exit.code());
    let record = CollectRecord {
        schema: SCHEMA.into(),
        tool_version: crate::version::long().to_string(),
        started_at,
        finished_at: now(),
        inventory: args.inventory.display().to_string(),
        site: site_rel.into(),
        user: args.user.clone(),
        port: args.port,
        timeout_ms: crate::text::millis(args.timeout),
        concurrency: args.concurrency,
        tls: verify.record(),
        nodes,
        summary,
        exit_code,
    };
    let json = serde_json::to_string_pretty(&record).map_err(|e| CollectError::Client(e.to_string()))?;
    write_file(&args.output.join("collect.json"), &format!("{json}\n"))?;
    notes.extend(report(&record, &args.output));
    Ok(Outcome { exit, notes, record, site: args.output.join(site_rel) })
}

/// The output folder: created when missing; one that already holds a collection is
/// only reused with --force.
fn prepare_output(dir: &Path, force: bool) -> Result<(), CollectError> {
    let err = |message: String| CollectError::Output { path: dir.to_path_buf(), message };
    if dir.join("collect.json").exists() && !force {
        return Err(err("already holds a collection (collect.json); choose another folder or add --force".into()));
    }
    std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create it: {e}")))
}

fn write_file(path: &Path, text: &str) -> Result<(), CollectError> {
    let err = |e: std::io::Error| CollectError::Output { path: path.to_path_buf(), message: format!("cannot write it: {e}") };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(path, text).map_err(err)
}

/// With --insecure the saved answer carries a comment saying so (after the XML
/// declaration, where a comment is allowed); the answer itself is unchanged.
pub fn mark_insecure(body: &str) -> String {
    const NOTE: &str = "<!-- fedcheck collect --insecure: this answer was received WITHOUT verifying the node's certificate -->";
    let trimmed = body.trim_start_matches('\u{feff}');
    if trimmed.starts_with("<?xml") {
        if let Some(end) = trimmed.find("?>") {
            return format!("{}\n{NOTE}\n{}", &trimmed[..end + 2], trimmed[end + 2..].trim_start_matches(['\r', '\n']));
        }
    }
    format!("{NOTE}\n{trimmed}")
}

/// One line per node and the summary line.
fn report(record: &CollectRecord, out: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for n in &record.nodes {
        let parts: Vec<String> = n
            .calls
            .iter()
            .map(|c| match (&c.outcome, &c.failure) {
                (CallOutcome::Collected, _) => format!("{} collected ({})", c.call, c.summary.as_deref().unwrap_or("")),
                (CallOutcome::NotOffered, _) => format!("{} not offered (404)", c.call),
                (CallOutcome::Skipped, _) => format!("{} not asked", c.call),
                (CallOutcome::Failed, Some(f)) => format!("{} FAILED: {}: {}", c.call, f.kind, f.message),
                (CallOutcome::Failed, None) => format!("{} FAILED", c.call),
            })
            .collect();
        lines.push(format!("{} ({}): {}", n.fqdn, n.address, parts.join("; ")));
    }
    let s = &record.summary;
    lines.push(format!(
        "{} node(s): {} call(s) collected, {} not offered, {} failed, {} not asked; wrote {} and {}{}",
        s.nodes,
        s.collected,
        s.not_offered,
        s.failed,
        s.skipped,
        out.join(&record.site).display(),
        out.join("collect.json").display(),
        if record.tls.verified { "" } else { " (certificates NOT verified: --insecure)" }
    ));
    lines
}

async fn collect_node(ctx: &Ctx, node: &Node) -> (NodeRecord, Vec<Answer>) {
    let fqdn = node.fqdn.trim_end_matches('.').to_string();
    let address = match node.ip {
        Some(ip) => SocketAddr::new(ip, ctx.port).to_string(),
        None => format!("{fqdn}:{}", ctx.port),
    };
    let rec = NodeRecord { fqdn: fqdn.clone(), product: format!("{:?}", node.product).to_ascii_lowercase(), address, calls: Vec::new() };
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(ctx.tls.clone())
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(ctx.timeout)
        .timeout(ctx.timeout)
        .user_agent(concat!("fedcheck/", env!("CARGO_PKG_VERSION")));
    // Connect to the inventory's address but name the node in SNI and check its
    // certificate against the FQDN.
    if let Some(ip) = node.ip {
        builder = builder.resolve(&fqdn, SocketAddr::new(ip, ctx.port));
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            let f = Failure::new(FailureKind::Connection, format!("cannot build the HTTPS client: {e}"));
            let answers = soap::CALLS.iter().map(|c| failed_answer(c, &fqdn, ctx.port, f.clone())).collect();
            return (rec, answers);
        }
    };
    let mut answers = Vec::new();
    let mut unreachable: Option<(String, Failure)> = None;
    for call in soap::CALLS {
        if let Some((first, f)) = &unreachable {
            let mut a =
                failed_answer(&call, &fqdn, ctx.port, Failure::new(f.kind, format!("not asked: {first} already failed ({})", f.kind)));
            a.record.outcome = CallOutcome::Skipped;
            answers.push(a);
            continue;
        }
        let mut a = ask(ctx, &client, &fqdn, &call).await;
        // A node that does not know getClusterStatus may know the older operation.
        if call.name == "cluster" && a.record.failure.as_ref().is_some_and(|f| f.kind == FailureKind::SoapFault) {
            let older = ask(ctx, &client, &fqdn, &soap::CLUSTER_NODES).await;
            if older.record.outcome == CallOutcome::Collected {
                a = older;
            }
        }
        if let Some(f) = a.record.failure.as_ref().filter(|f| f.kind.node_unreachable()) {
            unreachable = Some((call.name.to_string(), f.clone()));
        }
        answers.push(a);
    }
    (rec, answers)
}

fn url_of(fqdn: &str, port: u16, call: &Call) -> String {
    format!("https://{fqdn}:{port}{}", call.path)
}

fn failed_answer(call: &Call, fqdn: &str, port: u16, failure: Failure) -> Answer {
    Answer {
        record: CallRecord {
            call: call.name.into(),
            api: call.api.into(),
            url: url_of(fqdn, port, call),
            required: call.required,
            started_at: now(),
            elapsed_ms: 0,
            outcome: CallOutcome::Failed,
            http_status: None,
            bytes: None,
            file: None,
            summary: None,
            failure: Some(failure),
        },
        body: None,
        evidence_key: call.evidence_key,
    }
}

async fn ask(ctx: &Ctx, client: &reqwest::Client, fqdn: &str, call: &Call) -> Answer {
    let url = url_of(fqdn, ctx.port, call);
    let mut answer = failed_answer(call, fqdn, ctx.port, Failure::new(FailureKind::Connection, ""));
    answer.record.url = url.clone();
    let start = Instant::now();
    // The client's own timeout covers the whole exchange; this one also bounds a
    // body that trickles in.
    let result = tokio::time::timeout(ctx.timeout + Duration::from_millis(250), exchange(ctx, client, &url, call)).await;
    answer.record.elapsed_ms = crate::text::millis(start.elapsed());
    let (status, body) = match result {
        Err(_) => {
            answer.record.failure =
                Some(Failure::new(FailureKind::Timeout, format!("no complete answer within {} ms", ctx.timeout.as_millis())));
            return answer;
        }
        Ok(Err(f)) => {
            answer.record.failure = Some(f);
            return answer;
        }
        Ok(Ok(x)) => x,
    };
    answer.record.http_status = Some(status);
    answer.record.bytes = Some(body.len());
    let text = crate::evidence::decode(&body);
    let fail = |kind, msg: String| Some(Failure::new(kind, msg));
    answer.record.failure = match status {
        401 => fail(FailureKind::Unauthorized, format!("HTTP 401: the node refused user `{}` (wrong user or password)", ctx.user)),
        403 => fail(FailureKind::Forbidden, format!("HTTP 403: user `{}` lacks the role for {}", ctx.user, call.api)),
        404 if !call.required => {
            answer.record.outcome = CallOutcome::NotOffered;
            None
        }
        404 => fail(FailureKind::NotOffered, format!("HTTP 404: the node does not offer {}", call.api)),
        200 | 500 => match inspect(&text) {
            Inspection::Malformed(e) => fail(FailureKind::MalformedXml, format!("HTTP {status}, line {}: {}", e.line, e.message)),
            Inspection::Fault(f) => fail(FailureKind::SoapFault, format!("HTTP {status}: {f}")),
            Inspection::Answer if status == 500 => fail(FailureKind::HttpStatus, "HTTP 500 without a SOAP fault".into()),
            Inspection::Answer => match soap::check_answer(call, &text) {
                Ok(summary) => {
                    answer.record.outcome = CallOutcome::Collected;
                    answer.record.summary = Some(summary);
                    answer.body = Some(text);
                    None
                }
                Err(e) => fail(FailureKind::UnexpectedAnswer, e.message),
            },
        },
        s => fail(FailureKind::HttpStatus, format!("HTTP {s}")),
    };
    answer
}

/// POST the envelope; read at most `max_bytes` of the answer.
async fn exchange(ctx: &Ctx, client: &reqwest::Client, url: &str, call: &Call) -> Result<(u16, Vec<u8>), Failure> {
    let mut resp = client
        .post(url)
        .basic_auth(&ctx.user, Some(&ctx.password))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", call.soap_action)
        .body(call.envelope)
        .send()
        .await
        .map_err(|e| classify(&e, ctx.timeout))?;
    let status = resp.status().as_u16();
    let cap = ctx.max_bytes;
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(Failure::new(
            FailureKind::TooLarge,
            format!("the node announced {} bytes; the cap is {cap} bytes", resp.content_length().unwrap_or(0)),
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e, ctx.timeout))? {
        if body.len() + chunk.len() > cap {
            return Err(Failure::new(FailureKind::TooLarge, format!("the answer passed the cap of {cap} bytes; reading stopped")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

/// Name a transport failure from the error chain reqwest hands back.
fn classify(e: &reqwest::Error, timeout: Duration) -> Failure {
    if e.is_timeout() {
        return Failure::new(FailureKind::Timeout, format!("no answer within {} ms", timeout.as_millis()));
    }
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return tls_failure(r);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(r) = io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                return tls_failure(r);
            }
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Failure::new(FailureKind::ConnectionRefused, "connection refused"),
                std::io::ErrorKind::TimedOut => {
                    return Failure::new(FailureKind::Timeout, format!("no answer within {} ms", timeout.as_millis()))
                }
                _ => {}
            }
        }
        cur = err.source();
    }
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    // Some layers box their cause so that it cannot be downcast; their text still
    // carries rustls' own wording.
    let lower = msg.to_ascii_lowercase();
    let kind = if lower.contains("invalid peer certificate") && lower.contains("not valid for name") {
        FailureKind::CertificateNameMismatch
    } else if lower.contains("invalid peer certificate") {
        FailureKind::CertificateUntrusted
    } else if lower.contains("connection refused") {
        FailureKind::ConnectionRefused
    } else if lower.contains("received fatal alert") || lower.contains("handshake") || lower.contains("peer is incompatible") {
        FailureKind::TlsHandshake
    } else {
        FailureKind::Connection
    };
    let msg = match kind {
        FailureKind::CertificateUntrusted => format!("{msg} (give the CA that issued the nodes' Tomcat certificates with --ca-file)"),
        _ => msg,
    };
    Failure::new(kind, msg)
}

fn tls_failure(e: &rustls::Error) -> Failure {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            Failure::new(FailureKind::CertificateNameMismatch, format!("the node's certificate is for another name: {e}"))
        }
        rustls::Error::InvalidCertificate(c) => Failure::new(
            FailureKind::CertificateUntrusted,
            format!("the node's certificate is not trusted ({c:?}); give the issuing CA with --ca-file"),
        ),
        other => Failure::new(FailureKind::TlsHandshake, format!("TLS handshake failed: {other}")),
    }
}

/// For tests and `run --collect`: the path of an inventory written by a collection.
pub fn site_of(dir: &Path) -> PathBuf {
    dir.join("site.toml")
}

/// Read a collect.json back.
pub fn read_record(dir: &Path) -> anyhow::Result<CollectRecord> {
    let p = dir.join("collect.json");
    let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    Ok(serde_json::from_str(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_folder() {
        assert_eq!(safe_name("IMP-RT.Example.com"), "IMP-RT.Example.com");
        assert_eq!(safe_name("../../etc"), "_.._etc");
        assert_eq!(safe_name(".."), "node");
    }

    #[test]
    fn insecure_mark_keeps_the_declaration_first() {
        let m = mark_insecure("<?xml version=\"1.0\"?>\n<a/>");
        assert!(m.starts_with("<?xml version=\"1.0\"?>\n<!-- fedcheck collect --insecure"), "{m}");
        assert!(crate::evidence::soap::looks_like_xml(&m));
        assert!(mark_insecure("<a/>").contains("WITHOUT verifying"));
    }
}
