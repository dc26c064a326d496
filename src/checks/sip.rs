//! sip.*: does the peer answer SIP over the TLS connection?

use super::support::{each_peer, needs_sip};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::sip::{SipFailure, SipOutcome};

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
                if (200..300).contains(status) {
                    ctx.pass(target, format!("SIP/2.0 {status} {reason}{by} in {} ms", sip.elapsed_ms))
                } else {
                    ctx.pass(target, format!("answers SIP: {status} {reason}{by}"))
                        .detail("any SIP answer proves the SIP path; a 4xx to OPTIONS is common and harmless")
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
    use crate::checks::test_support::*;
    use crate::judge::Status;
    use crate::snapshot::sip::SipFailure;

    const FE1: &str = "fe1.contoso.com";

    #[test]
    fn options_pass_any_sip_answer() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(404, "Not Found"));
        let f = judge("sip.options", &s, &snap);
        all(&f, Status::Pass);
        assert_eq!(f.len(), 5, "every pool, front end and IM&P node");
        has(&f, "imp-rt.contoso.com @", Status::Pass, "SIP/2.0 200 OK from RTC/6.0 in 5 ms");
        has(&f, "fe1.contoso.com @", Status::Pass, "answers SIP: 404 Not Found from RTC/6.0");
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

    /// Any SIP answer proves the SIP path, a server error included.
    #[test]
    fn options_pass_a_server_error_as_a_sip_answer() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).sip = Some(sip_status(503, "Service Unavailable"));
        let f = judge("sip.options", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Pass, "answers SIP: 503 Service Unavailable from RTC/6.0");
        let detail = f.iter().find(|x| x.target.starts_with(FE1)).and_then(|x| x.detail.clone()).unwrap_or_default();
        assert!(detail.contains("any SIP answer proves the SIP path"), "{detail}");
    }
}
