//! OBSERVE: turn what the selected checks need into probes, run each probe once
//! (memoized by question or by address and port), concurrently under a global limit,
//! each bounded by its timeout and the whole by the run deadline.

mod plan;
mod progress;

pub use plan::{PeerPlan, Plan};
use progress::Progress;

use crate::inventory::Loaded;
use crate::judge::DnsSide;
use crate::probe::dns;
use crate::probe::sip;
use crate::probe::tls::{ClientIdentity, TlsProber};
use crate::probe::tls_raw;
use crate::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, RecordType};
use crate::snapshot::sip::SipObservation;
use crate::snapshot::tls::suite_openssl_name;
use crate::snapshot::{peer_addresses, PeerObservation, Resolvers, Snapshot, SnapshotIndex};
use crate::wire::dns_server;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How probes run: filled from the command line, read by every probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// Probes in flight at once.
    pub concurrency: usize,
    /// Budget of one probe (a DNS question's tries share it).
    pub timeout: Duration,
    /// Budget of the whole observation phase.
    pub deadline: Duration,
    /// Show a progress bar on stderr (only honoured when stderr is a terminal).
    pub progress: bool,
    /// DNS tries per question, sharing the probe timeout.
    pub dns_attempts: u32,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            concurrency: 256,
            timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(120),
            progress: false,
            dns_attempts: 2,
        }
    }
}

/// DNS questions in flight per resolver.
const DNS_IN_FLIGHT_PER_SERVER: usize = 32;

/// Why observation could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// The client certificate and key the inventory names cannot be loaded.
    #[error("the client certificate for probes cannot be used: {0}")]
    Identity(crate::probe::tls::IdentityError),
    /// A side names no resolver and the system has none either (why, in words).
    #[error("no DNS resolver: the inventory names none and {0}")]
    NoResolver(String),
}

/// The resolvers each side uses; a side the inventory names none for uses the system's.
pub fn resolvers(loaded: &Loaded) -> Result<Resolvers, ObserveError> {
    let parse = |list: &[String]| list.iter().filter_map(|s| dns_server::parse_server(s).ok()).collect::<Vec<_>>();
    let mut r = Resolvers { imp: parse(&loaded.inventory.dns.imp), microsoft: parse(&loaded.inventory.dns.microsoft), system: false };
    if r.imp.is_empty() || r.microsoft.is_empty() {
        let system = dns_server::system_nameservers();
        if system.is_empty() {
            return Err(ObserveError::NoResolver("/etc/resolv.conf lists no nameserver: name resolvers in [dns] imp and microsoft".into()));
        }
        for side in [&mut r.imp, &mut r.microsoft] {
            if side.is_empty() {
                *side = system.clone();
            }
        }
        r.system = true;
    }
    Ok(r)
}

/// Run `jobs` in order with at most `limit` in flight; a job still unfinished at
/// `deadline` yields None.
async fn run_bounded<T, F>(jobs: Vec<F>, limit: usize, deadline: Instant) -> Vec<Option<T>>
where
    F: Future<Output = T>,
{
    // Checked before a job starts: `timeout_at` polls its future once even after the
    // deadline, and a DNS job's first poll already sends a datagram.
    futures::stream::iter(jobs.into_iter().map(|job| async move {
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::timeout_at(deadline, job).await.ok()
    }))
    .buffered(limit.max(1))
    .collect()
    .await
}

/// What every round shares: the bounds of the run and its progress bar.
struct Round<'a> {
    deadline: Instant,
    limit: usize,
    settings: &'a ProbeOptions,
    progress: &'a Progress,
}

/// Gather every observation in `plan`, in rounds: DNS first (`dns_rounds`), then the
/// peers at the addresses DNS gave (`peer_round`). A new probe is a new round here,
/// reading what the rounds before it found and writing its own snapshot field.
pub async fn observe(loaded: &Loaded, plan: &Plan, settings: &ProbeOptions, started_at: String) -> Result<Snapshot, ObserveError> {
    let mut snapshot = Snapshot::offline(started_at);
    snapshot.live = true;
    snapshot.not_live_reason = None;
    let identity = match (&loaded.inventory.cisco.client_cert, &loaded.inventory.cisco.client_key) {
        (Some(c), Some(k)) => {
            Some(ClientIdentity::from_pem_files(&loaded.base_dir.join(c), &loaded.base_dir.join(k)).map_err(ObserveError::Identity)?)
        }
        _ => None,
    };
    let prober = Arc::new(TlsProber::new(identity.as_ref()).map_err(ObserveError::Identity)?);
    snapshot.resolvers = resolvers(loaded)?;
    let forward = forward_questions(plan, &snapshot.resolvers);
    let progress = Progress::new(settings.progress, forward.len() as u64 + plan.peers.len() as u64, "dns");
    let round = Round { deadline: Instant::now() + settings.deadline, limit: settings.concurrency, settings, progress: &progress };

    let dns = dns_rounds(plan, &snapshot.resolvers, forward, &round).await;
    snapshot.dns = dns.observations;
    snapshot.fanout_capped = dns.capped;
    snapshot.deadline_hit |= dns.deadline_hit;

    let peers = peer_round(plan, &snapshot, prober, &round).await;
    snapshot.fanout_capped.extend(peers.capped);
    snapshot.path1_suites = peers.path1_suites;
    snapshot.deadline_hit |= peers.deadline_hit;
    snapshot.peers = peers.observations;
    progress.done();
    Ok(snapshot)
}

/// The resolvers a side's names are asked at.
fn servers_for(resolvers: &Resolvers, side: DnsSide) -> Vec<SocketAddr> {
    match side {
        DnsSide::Imp => resolvers.imp.clone(),
        DnsSide::Microsoft => resolvers.microsoft.clone(),
        DnsSide::Both => resolvers.all(),
    }
}

/// A and AAAA for every planned name, at each resolver of its side.
fn forward_questions(plan: &Plan, resolvers: &Resolvers) -> Vec<DnsQuery> {
    let mut seen = BTreeSet::new();
    plan.names
        .iter()
        .flat_map(|(n, side)| {
            servers_for(resolvers, *side)
                .into_iter()
                .flat_map(move |s| [RecordType::A, RecordType::Aaaa].map(|t| DnsQuery { server: s, name: n.clone(), rtype: t }))
        })
        .filter(|q| seen.insert(q.clone()))
        .collect()
}

/// What a round found, what it left out (fan-out caps) and whether the deadline cut it.
struct RoundResult<T> {
    observations: Vec<T>,
    capped: Vec<String>,
    deadline_hit: bool,
}

/// DNS, in three rounds: forward; reverse of every address, at the resolvers that
/// returned it; forward again for each PTR name at the resolver that gave it
/// (forward-confirmed reverse DNS). Each question is asked once.
async fn dns_rounds(plan: &Plan, resolvers: &Resolvers, forward: Vec<DnsQuery>, round: &Round<'_>) -> RoundResult<DnsObservation> {
    let settings = round.settings;
    let attempts = settings.dns_attempts.max(1);
    let per_attempt = (settings.timeout / attempts).max(Duration::from_millis(50));
    let mut asked: BTreeSet<DnsQuery> = forward.iter().cloned().collect();
    let mut once = |qs: Vec<DnsQuery>| -> Vec<DnsQuery> { qs.into_iter().filter(|q| asked.insert(q.clone())).collect() };
    let progress = round.progress;
    let dns_job = |q: DnsQuery| async move {
        let label = q.to_string();
        progress.begin(&label);
        let o = dns::query(&q, per_attempt, attempts).await;
        progress.end(&label);
        o
    };
    // A burst of hundreds of datagrams overflows a resolver's receive queue and
    // turns into retries; a site's DNS deserves gentler treatment anyway.
    let dns_limit = round.limit.min(DNS_IN_FLIGHT_PER_SERVER * resolvers.all().len().max(1));
    let mut out: RoundResult<DnsObservation> = RoundResult { observations: Vec::new(), capped: Vec::new(), deadline_hit: false };
    for stage in 0..3 {
        let qs: Vec<DnsQuery> = match stage {
            0 => forward.clone(),
            1 => {
                let mut qs: Vec<DnsQuery> = out
                    .observations
                    .iter()
                    .filter(|o| matches!(o.query.rtype, RecordType::A | RecordType::Aaaa))
                    .flat_map(|o| {
                        followed(o, MAX_ADDRESSES_FOLLOWED, &mut out.capped).iter().map(move |r| DnsQuery {
                            server: o.query.server,
                            name: r.clone(),
                            rtype: RecordType::Ptr,
                        })
                    })
                    .collect();
                // Declared node addresses too, at the resolvers asked about the node.
                for (name, ip) in &plan.declared {
                    let Some(side) = plan.names.get(name) else { continue };
                    qs.extend(servers_for(resolvers, *side).into_iter().map(|s| DnsQuery {
                        server: s,
                        name: ip.to_string(),
                        rtype: RecordType::Ptr,
                    }));
                }
                once(qs)
            }
            _ => once(
                out.observations
                    .iter()
                    .filter(|o| o.query.rtype == RecordType::Ptr)
                    .flat_map(|o| {
                        followed(o, MAX_PTR_NAMES_FOLLOWED, &mut out.capped).iter().map(move |r| DnsQuery {
                            server: o.query.server,
                            name: r.clone(),
                            rtype: RecordType::A,
                        })
                    })
                    .collect(),
            ),
        };
        if stage > 0 {
            progress.stage("dns", qs.len() as u64);
        }
        let got = run_bounded(qs.into_iter().map(dns_job).collect(), dns_limit, round.deadline).await;
        // A question cut off by the deadline is left out: the checks then say
        // "cannot tell" instead of blaming a resolver that was never asked.
        for o in got {
            match o {
                Some(o) => out.observations.push(o),
                None => out.deadline_hit = true,
            }
        }
    }
    out.observations.sort_by(|a, b| a.query.cmp(&b.query));
    out
}

/// What the peer round adds beside its observations: the suites path 1 offered.
struct PeerRound {
    observations: Vec<PeerObservation>,
    capped: Vec<String>,
    deadline_hit: bool,
    path1_suites: Vec<String>,
}

/// TLS (both paths) and SIP: every address each host resolves to (or its declared
/// address), once per address and port; SIP when any need asked for it.
async fn peer_round(plan: &Plan, snapshot: &Snapshot, prober: Arc<TlsProber>, round: &Round<'_>) -> PeerRound {
    let index = SnapshotIndex::new(snapshot);
    let mut capped: Vec<String> = Vec::new();
    let mut targets: BTreeMap<SocketAddr, (String, bool)> = BTreeMap::new();
    for ((host, port), peer) in &plan.peers {
        let mut addrs = peer_addresses(host, *port, index.addresses(host), peer.declared);
        if addrs.len() > MAX_ADDRESSES_FOLLOWED {
            capped.push(format!("{host}: {} addresses, TLS probed at the first {MAX_ADDRESSES_FOLLOWED}", addrs.len()));
            addrs.truncate(MAX_ADDRESSES_FOLLOWED);
        }
        for addr in addrs {
            let e = targets.entry(addr).or_insert_with(|| (host.clone(), false));
            e.1 |= peer.sip;
        }
    }
    drop(index);
    let progress = round.progress;
    progress.stage("tls + sip", targets.len().saturating_sub(plan.peers.len()) as u64);
    let timeout = round.settings.timeout;
    let local = hostname();
    // Path 1 offers what IM&P is configured to offer, so its verdict is IM&P's.
    let offer: Arc<Vec<u16>> = Arc::new(plan.offer.clone());
    let path1_suites = offer.iter().map(|c| suite_openssl_name(*c).map(str::to_string).unwrap_or_else(|| format!("0x{c:04x}"))).collect();
    let jobs: Vec<_> = targets
        .iter()
        .map(|(addr, (name, want_sip))| {
            let (prober, offer) = (prober.clone(), offer.clone());
            let (addr, name, want_sip, local) = (*addr, name.clone(), *want_sip, local.clone());
            async move {
                let label = format!("{name} @ {addr}");
                progress.begin(&label);
                let o = probe_peer(&prober, addr, name, want_sip, &local, &offer, timeout).await;
                progress.end(&label);
                o
            }
        })
        .collect();
    let got = run_bounded(jobs, round.limit, round.deadline).await;
    let mut out = PeerRound { observations: Vec::with_capacity(got.len()), capped, deadline_hit: false, path1_suites };
    for (p, (addr, (name, _))) in got.into_iter().zip(&targets) {
        out.deadline_hit |= p.is_none();
        out.observations.push(p.unwrap_or_else(|| PeerObservation {
            addr: *addr,
            server_name: name.clone(),
            raw: None,
            tls: None,
            sip: None,
            not_run: Some("not probed: the run deadline was reached".into()),
        }));
    }
    out.observations.sort_by_key(|p| p.addr);
    out
}

/// Addresses of one A/AAAA answer whose PTR is asked, and PTR names of one answer that
/// are asked forward again: a federation host has a handful; an answer with hundreds
/// is a broken or hostile resolver, and following all of it would cost minutes.
const MAX_ADDRESSES_FOLLOWED: usize = 16;
const MAX_PTR_NAMES_FOLLOWED: usize = 4;

/// The records of an answer that are followed, at most `max`; a longer answer is noted.
fn followed<'a>(o: &'a DnsObservation, max: usize, capped: &mut Vec<String>) -> &'a [String] {
    let records = answer_records(o);
    if records.len() > max {
        capped.push(format!("{} {} @{}: {} records, the first {max} followed", o.query.rtype, o.query.name, o.query.server, records.len()));
    }
    records.get(..max).unwrap_or(records)
}

fn answer_records(o: &DnsObservation) -> &[String] {
    match &o.outcome {
        DnsOutcome::Answer { records, .. } => records,
        _ => &[],
    }
}

/// Both TLS paths at once, then SIP over path 2 when asked for.
async fn probe_peer(
    prober: &TlsProber,
    addr: SocketAddr,
    name: String,
    want_sip: bool,
    local: &str,
    offer: &[u16],
    timeout: Duration,
) -> PeerObservation {
    let sni = name.parse::<IpAddr>().is_err().then_some(name.as_str());
    let raw = tls_raw::probe_offering(addr, sni, offer, timeout, tls_raw::DEFAULT_MAX_BYTES);
    let full = async {
        let (obs, stream) = prober.handshake(addr, &name, timeout).await;
        let sip: Option<SipObservation> = match (want_sip, stream) {
            (true, Some(mut s)) => Some(sip::options(&mut s, &name, addr.port(), local, timeout, 64 * 1024).await),
            _ => None,
        };
        (obs, sip)
    };
    let (raw, (tls, sip)) = tokio::join!(raw, full);
    PeerObservation { addr, server_name: name, raw: Some(raw), tls: Some(tls), sip, not_run: None }
}

/// This machine's name, for the SIP Via and Contact headers.
fn hostname() -> String {
    crate::text::hostname().unwrap_or_else(|| "fedcheck.invalid".into())
}
