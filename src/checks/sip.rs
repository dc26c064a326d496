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
