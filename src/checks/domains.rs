//! domains.*: the presence domains both sides must share.

use crate::judge::{Check, Context, Finding, Rule};

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
