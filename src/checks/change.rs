//! change.*: the front-end service restart the integration requires.

use crate::inventory::parse_hours;
use crate::judge::{Check, Context, Finding, Rule};

/// The `change.*` checks: a window is planned for the front-end service restart, and
/// it stays outside peak hours.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::offline("change.restart-window", restart_window)]
}

fn restart_window(ctx: &Context<'_>) -> Vec<Finding> {
    // The label shows the window's dates; the id stays the same when they move.
    restart_window_findings(ctx).into_iter().map(|f| f.target_id("restart window")).collect()
}

fn restart_window_findings(ctx: &Context<'_>) -> Vec<Finding> {
    let default_peak: String = match ctx.table("default_peak_hours") {
        Ok(v) => v,
        Err(e) => return ctx.table_error(e),
    };
    let change = &ctx.inventory.change;
    let Some(w) = &change.restart_window else {
        return vec![ctx.violation("restart window", "no window is planned for the front-end service restart ([change] restart_window)")];
    };
    let peak_text = change.peak_hours.clone().unwrap_or(default_peak);
    let (Ok(start), Ok(end), Some(tz), Some(peak)) = (
        w.start.parse::<jiff::civil::DateTime>(),
        w.end.parse::<jiff::civil::DateTime>(),
        ctx.evidence.restart_tz.clone(),
        parse_hours(&peak_text),
    ) else {
        return vec![ctx.skip("restart window", "the window or the peak hours cannot be read")];
    };
    let label = format!("{} – {} {}", w.start, w.end, w.timezone);
    let Ok(end_ts) = end.to_zoned(tz.clone()) else {
        return vec![ctx.skip(label, "the window's end does not exist in that time zone")];
    };
    if end_ts.timestamp() < ctx.now {
        // After the change, a past window is history, not a problem.
        return vec![ctx.info(label, "the planned window is over: the restart is done or needs a new window")];
    }
    // Walk the window minute by minute in local time: a few hours at most, and it
    // handles windows across midnight and peak hours across midnight alike.
    let (p0, p1) = peak;
    let in_peak = |m: u32| {
        if p0 <= p1 {
            m >= p0 && m < p1
        } else {
            m >= p0 || m < p1
        }
    };
    let mut t = start;
    let mut clash = None;
    let mut steps = 0u32;
    while t < end && steps < 60 * 24 * 14 {
        let m = u32::try_from(t.hour()).unwrap_or(0) * 60 + u32::try_from(t.minute()).unwrap_or(0);
        if in_peak(m) {
            clash = Some(t);
            break;
        }
        t = match t.checked_add(jiff::Span::new().minutes(1)) {
            Ok(next) => next,
            Err(_) => break,
        };
        steps += 1;
    }
    match clash {
        Some(at) => vec![ctx.violation(label, format!("the window reaches into peak hours {peak_text} (from {at})"))],
        None => vec![ctx.pass(label, format!("{} outside peak hours {peak_text}", start.strftime("%A %H:%M")))],
    }
}

#[cfg(test)]
mod tests {
    use crate::judge::Status;
    use crate::testing::*;

    const WINDOW: &str = "2027-02-06T21:00:00 – 2027-02-07T01:00:00 America/New_York";

    #[test]
    fn restart_window_passes_off_peak() {
        let f = judge("change.restart-window", &clean(), &offline());
        has(&f, WINDOW, Status::Pass, "Saturday 21:00 outside peak hours 07:00-19:00");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn restart_window_warns_in_peak_hours_or_when_unplanned() {
        let mut s = clean();
        s.inventory.change.peak_hours = Some("22:00-06:00".into());
        has(
            &judge("change.restart-window", &s, &offline()),
            WINDOW,
            Status::Warn,
            "the window reaches into peak hours 22:00-06:00 (from 2027-02-06T22:00:00)",
        );
        // No peak hours given: the catalog's default applies.
        s.inventory.change.peak_hours = None;
        if let Some(w) = s.inventory.change.restart_window.as_mut() {
            w.start = "2027-02-06T18:30:00".into();
        }
        has(&judge("change.restart-window", &s, &offline()), "2027-02-06T18:30:00", Status::Warn, "reaches into peak hours 07:00-19:00");
        s.inventory.change.restart_window = None;
        has(&judge("change.restart-window", &s, &offline()), "restart window", Status::Warn, "no window is planned");
    }

    #[test]
    fn restart_window_in_the_past_is_information() {
        let later = "2027-03-01T00:00:00Z".parse().expect("time");
        let f = judge_at("change.restart-window", &clean(), &offline(), later);
        has(&f, WINDOW, Status::Info, "the planned window is over");
    }

    #[test]
    fn restart_window_cannot_tell_an_unreadable_window() {
        let mut s = clean();
        s.inventory.change.peak_hours = Some("mornings".into());
        has(&judge("change.restart-window", &s, &offline()), "restart window", Status::Skip, "the window or the peak hours cannot be read");
        let mut s = clean();
        s.evidence.restart_tz = None;
        has(&judge("change.restart-window", &s, &offline()), "restart window", Status::Skip, "cannot be read");
    }
}
