//! sip.*: does the peer answer SIP over the TLS connection?

use super::support::{each_peer, needs_sip};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::sip::{SipFailure, SipOutcome};

/// The `sip.*` checks: a SIP OPTIONS to every peer over the TLS connection.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::live("sip.options", needs_sip, options)]
}

fn options(ctx: &Context<'_>) -> Vec<Finding> {
    each_peer(ctx, |_, target, obs| {
        let Some(sip) = &obs.sip else {
            return Some(ctx.skip(target, "cannot tell: no TLS connection to send OPTIONS over (see tls.handshake)"));
        };
        let f = match &sip.outcome {
            SipOutcome::Response { status, reason, server, .. } => {
                let by = server.as_deref().map(|s| format!(" from {s}")).unwrap_or_default();
                match *status {
                    200..=299 => ctx.pass(target, format!("SIP/2.0 {status} {reason}{by} in {} ms", sip.elapsed_ms)),
                    500..=599 => ctx.warn(target, format!("SIP/2.0 {status} {reason}{by}: the server is up but refuses service")).detail(
                        "a 5xx final answer means the SIP stack answered yet will not serve requests (overloaded, \
                             starting, a service stopped, or no route onward); federation traffic sent now would get \
                             the same answer",
                    ),
                    400..=499 => ctx
                        .info(target, format!("SIP/2.0 {status} {reason}{by}: answers SIP but refuses an unauthenticated OPTIONS"))
                        .detail(
                            "a 4xx to a bare OPTIONS (401, 403, 405, 404) proves the SIP path; the peer declines this \
                             probe because it is not a trusted server or does not serve OPTIONS, which does not say \
                             how it treats the federation's own traffic",
                        ),
                    _ => ctx
                        .info(target, format!("SIP/2.0 {status} {reason}{by}: a final answer outside 2xx, 4xx and 5xx"))
                        .detail("the peer answers SIP; a redirect (3xx) or global failure (6xx) to OPTIONS is unusual"),
                }
            }
            // TLS 1.3 peers refuse a missing client certificate only after the
            // handshake: without IM&P's certificate configured that is no fault of theirs.
            SipOutcome::Failed { kind: SipFailure::ClientCertRequired, .. } if ctx.inventory.cisco.client_key.is_none() => {
                ctx.skip(target, "cannot tell: the peer requires a client certificate; set [cisco] client_cert and client_key")
            }
            SipOutcome::Failed { message, .. } => ctx.violation(target, format!("no SIP answer: {message}")),
        };
        Some(f.evidence(sip))
    })
}

#[cfg(test)]
mod tests {
    use crate::judge::Status;
    use crate::snapshot::sip::SipFailure;
    use crate::testing::*;

    const FE1: &str = "fe1.contoso.com";

    #[test]
    fn options_pass_a_2xx_answer() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(202, "Accepted"));
        let f = judge("sip.options", &s, &snap);
        all(&f, Status::Pass);
        assert_eq!(f.len(), 5, "every pool, front end and IM&P node");
        has(&f, "imp-rt.contoso.com @", Status::Pass, "SIP/2.0 200 OK from RTC/6.0 in 5 ms");
        has(&f, "fe1.contoso.com @", Status::Pass, "SIP/2.0 202 Accepted from RTC/6.0");
    }

    /// A 4xx answers SIP but refuses the probe itself: worth knowing, not wrong.
    #[test]
    fn options_info_on_a_4xx_refusal() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(403, "Forbidden"));
        peer_mut(&mut snap, "fe2.contoso.com").sip = Some(sip_status(405, "Method Not Allowed"));
        peer_mut(&mut snap, "imp-rt.contoso.com").sip = Some(sip_status(401, "Unauthorized"));
        let f = judge("sip.options", &s, &snap);
        has(
            &f,
            "fe1.contoso.com @",
            Status::Info,
            "SIP/2.0 403 Forbidden from RTC/6.0: answers SIP but refuses an unauthenticated OPTIONS",
        );
        has(&f, "fe2.contoso.com @", Status::Info, "405 Method Not Allowed");
        has(&f, "imp-rt.contoso.com @", Status::Info, "401 Unauthorized");
        assert!(f.iter().all(|x| x.status != Status::Warn && x.status != Status::Fail), "{f:#?}");
    }

    #[test]
    fn options_fail_without_a_sip_answer() {
        let mut s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_failed(SipFailure::Timeout, "no final response within 5000 ms"));
        peer_mut(&mut snap, "fe2.contoso.com").sip = Some(sip_failed(SipFailure::ClientCertRequired, "certificate_required alert"));
        // With IM&P's certificate configured, a refusal is the peer's answer.
        s.inventory.cisco.client_key = Some("imp.key".into());
        let f = judge("sip.options", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Fail, "no SIP answer: no final response within 5000 ms");
        has(&f, "fe2.contoso.com @", Status::Fail, "no SIP answer: certificate_required alert");
    }

    #[test]
    fn options_cannot_tell() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = None;
        peer_mut(&mut snap, "fe2.contoso.com").sip = Some(sip_failed(SipFailure::ClientCertRequired, "certificate_required alert"));
        let f = judge("sip.options", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: no TLS connection to send OPTIONS over");
        has(
            &f,
            "fe2.contoso.com @",
            Status::Skip,
            "cannot tell: the peer requires a client certificate; set [cisco] client_cert and client_key",
        );
        has(&judge("sip.options", &s, &offline()), "*", Status::Skip, "live probes not run");
    }

    /// A 5xx: the server is up but refuses service, named by its status.
    #[test]
    fn options_warn_on_a_server_error() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(503, "Service Unavailable"));
        peer_mut(&mut snap, "fe2.contoso.com").sip = Some(sip_status(500, "Server Internal Error"));
        let f = judge("sip.options", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Warn, "SIP/2.0 503 Service Unavailable from RTC/6.0: the server is up but refuses service");
        has(&f, "fe2.contoso.com @", Status::Warn, "500 Server Internal Error");
        has(&f, "sfbpool.contoso.com @", Status::Pass, "200 OK");
    }

    /// Neither 2xx, 4xx nor 5xx: answered, but unusual.
    #[test]
    fn options_info_on_a_redirect() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(301, "Moved Permanently"));
        has(&judge("sip.options", &s, &snap), "fe1.contoso.com @", Status::Info, "outside 2xx, 4xx and 5xx");
    }
}
