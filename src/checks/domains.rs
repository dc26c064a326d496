//! domains.*: the presence domains both sides must share.

use crate::judge::{Check, Context, Finding, Rule};

/// The `domains.*` checks: every Microsoft SIP domain is also an IM&P presence domain.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::offline("domains.shared", shared)]
}

fn shared(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let presence: Vec<String> = inv.site.presence_domains.iter().map(|d| d.to_ascii_lowercase()).collect();
    let mut out: Vec<Finding> = inv
        .microsoft
        .sip_domains
        .iter()
        .map(|d| {
            if presence.contains(&d.to_ascii_lowercase()) {
                ctx.pass(d.as_str(), "Microsoft SIP domain is also a presence domain on IM&P")
            } else {
                ctx.violation(
                    d.as_str(),
                    format!("Microsoft SIP domain {d} is not a presence domain on IM&P: its users are left out of federation"),
                )
                .detail(format!("IM&P presence domains: {}", presence.join(", ")))
            }
        })
        .collect();
    if out.is_empty() {
        out.push(ctx.skip("domains", "no Microsoft SIP domains listed ([microsoft] sip_domains)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::*;
    use crate::judge::Status;

    #[test]
    fn shared_passes_a_domain_both_sides_serve() {
        let mut s = clean();
        s.inventory.microsoft.sip_domains = vec!["Contoso.COM".into()];
        let f = judge("domains.shared", &s, &offline());
        has(&f, "Contoso.COM", Status::Pass, "Microsoft SIP domain is also a presence domain on IM&P");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn shared_fails_a_microsoft_domain_imp_does_not_serve() {
        let mut s = clean();
        s.inventory.microsoft.sip_domains.push("fabrikam.com".into());
        let f = judge("domains.shared", &s, &offline());
        has(&f, "fabrikam.com", Status::Fail, "Microsoft SIP domain fabrikam.com is not a presence domain on IM&P");
        has(&f, "contoso.com", Status::Pass, "also a presence domain");
    }

    #[test]
    fn shared_cannot_tell_without_sip_domains() {
        let mut s = clean();
        s.inventory.microsoft.sip_domains.clear();
        has(&judge("domains.shared", &s, &offline()), "domains", Status::Skip, "no Microsoft SIP domains listed");
    }
}
