//! domains.*: the presence domains both sides must share.

use super::support::cut_captures;
use crate::evidence::kinds;
use crate::judge::{Check, Context, Finding, Rule};

/// The `domains.*` checks: every Microsoft SIP domain is also an IM&P presence domain.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::offline("domains.shared", shared)]
}

/// The Microsoft SIP domains: from `Get-CsSipDomain` when it was collected (what the
/// servers hold), else as typed in `[microsoft] sip_domains`; with where they came from.
fn microsoft_domains(ctx: &Context<'_>) -> (Vec<String>, String) {
    if let Some(listed) = &ctx.evidence.microsoft.sip_domains {
        let file = ctx.inventory.microsoft.evidence.path(&kinds::SIP_DOMAINS).map(|p| p.display().to_string()).unwrap_or_default();
        (listed.iter().map(|d| d.name.clone()).collect(), format!("from Get-CsSipDomain ({file})"))
    } else {
        (ctx.inventory.microsoft.sip_domains.clone(), "as declared in [microsoft] sip_domains".to_string())
    }
}

fn shared(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let presence: Vec<String> = inv.site.presence_domains.iter().map(|d| d.to_ascii_lowercase()).collect();
    let (domains, source) = microsoft_domains(ctx);
    let mut out: Vec<Finding> = domains
        .iter()
        .map(|d| {
            if presence.contains(&d.to_ascii_lowercase()) {
                ctx.pass(d.as_str(), "Microsoft SIP domain is also a presence domain on IM&P").detail(format!("SIP domain {source}"))
            } else {
                ctx.violation(
                    d.as_str(),
                    format!("Microsoft SIP domain {d} is not a presence domain on IM&P: its users are left out of federation"),
                )
                .detail(format!("SIP domain {source}; IM&P presence domains: {}", presence.join(", ")))
            }
        })
        .collect();
    // A cut capture may hold more domains after the cut.
    out.extend(cut_captures(ctx, &[&kinds::SIP_DOMAINS]));
    if out.is_empty() {
        out.push(ctx.skip("domains", "no Microsoft SIP domains listed ([microsoft] sip_domains, or Get-CsSipDomain as evidence)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::judge::Status;
    use crate::testing::*;

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

    #[test]
    fn shared_judges_the_collected_domains_over_the_typed_ones() {
        let mut s = clean();
        // Typed: only contoso.com. Collected: a second domain added on the Microsoft side.
        s.inventory.microsoft.evidence.sip_domains = Some("ms/sip-domains.txt".into());
        s.evidence.microsoft.sip_domains = Some(
            crate::evidence::sip_domains::parse("Identity : contoso.com\nIsDefault : True\n\nIdentity : fabrikam.com\nIsDefault : False\n")
                .unwrap(),
        );
        let f = judge("domains.shared", &s, &offline());
        has(&f, "fabrikam.com", Status::Fail, "fabrikam.com is not a presence domain on IM&P");
        has(&f, "contoso.com", Status::Pass, "also a presence domain");
        assert!(f.iter().all(|f| f.detail.as_deref().is_some_and(|d| d.contains("from Get-CsSipDomain (ms/sip-domains.txt)"))), "{f:?}");
    }

    #[test]
    fn shared_cannot_pass_on_a_cut_domain_list() {
        let mut s = clean();
        s.inventory.microsoft.evidence.sip_domains = Some("ms/sip-domains.txt".into());
        let cut = crate::evidence::sip_domains::parse(
            "PS C:\\> Get-CsSipDomain\n\nIdentity  : contoso.com\nName      : contoso.com\nIsDefault : True\n\nIdentity  : fab",
        )
        .unwrap();
        assert!(cut.cut.is_some());
        s.evidence.microsoft.sip_domains = Some(cut);
        let f = judge("domains.shared", &s, &offline());
        has(&f, "contoso.com", Status::Pass, "also a presence domain");
        has(&f, "capture ms/sip-domains.txt", Status::Warn, "cut short");
    }
}
