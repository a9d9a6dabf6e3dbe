//! A scenario's message trace as an inline SVG sequence diagram: one lane per actor, one
//! row per message, the virtual time on the left.
//!
//! The lanes card, reader, provider, registry, jlis and insurer are always drawn, so
//! diagrams of different scenarios line up; person, portal and municipality only when a
//! message uses them, and lane names the simulation does not know are appended in name
//! order. Labels are cut to fit; each row's `<title>` (a tooltip) has the full text.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::escape::{truncate, xml};
use crate::i18n::{lane, pick};
use crate::record::{Lang, TraceEvent};

/// Most messages drawn; the rest are counted in a note (run.json has them all).
pub(crate) const MAX_MESSAGES: usize = 200;

/// Lanes in drawing order, and whether each is drawn even when unused.
const LANES: [(&str, bool); 10] = [
    ("person", false),
    ("card", true),
    ("reader", true),
    ("provider", true),
    ("registry", true),
    ("jlis", true),
    ("insurer", true),
    ("portal", false),
    ("municipality", false),
    ("scenario", false),
];

const TIME_W: usize = 92;
const LANE_W: usize = 128;
const HEAD_H: usize = 44;
const ROW_H: usize = 34;
const SUMMARY_MAX: usize = 36;

/// The diagram of `trace` (and a note when it was cut), or a short paragraph when the
/// trace is empty.
pub(crate) fn diagram(trace: &[TraceEvent], lang: Lang) -> String {
    if trace.is_empty() {
        return format!(
            "<p class=\"muted\">{}</p>\n",
            pick(lang, "メッセージはありません。", "No messages.")
        );
    }
    let shown = &trace[..trace.len().min(MAX_MESSAGES)];
    let lanes = lanes(shown);
    let x = |name: &str| -> usize {
        let i = lanes.iter().position(|l| l == name).unwrap_or(0);
        TIME_W + LANE_W * i + LANE_W / 2
    };
    let width = TIME_W + LANE_W * lanes.len() + 8;
    let height = HEAD_H + ROW_H * shown.len() + 12;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg class=\"seq\" role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">",
        xml(&match lang {
            Lang::Ja => format!("メッセージシーケンス図 ({} 件)", shown.len()),
            Lang::En => format!("Message sequence diagram ({} messages)", shown.len()),
        })
    );
    for name in &lanes {
        let cx = x(name);
        let _ = writeln!(
            svg,
            "<g class=\"lane\"><rect x=\"{}\" y=\"6\" width=\"{}\" height=\"26\" rx=\"4\"/>\
             <text x=\"{cx}\" y=\"24\" text-anchor=\"middle\">{}</text>\
             <line class=\"lifeline\" x1=\"{cx}\" y1=\"32\" x2=\"{cx}\" y2=\"{}\"/></g>",
            cx - LANE_W / 2 + 8,
            LANE_W - 16,
            xml(&lane(name, lang)),
            height - 4
        );
    }
    let mut previous_date = None;
    for (row, event) in shown.iter().enumerate() {
        let mid = HEAD_H + ROW_H * row + 20;
        let (date, time) = split_time(&event.at);
        let stamp = if previous_date == Some(date) {
            time.to_string()
        } else {
            format!("{date} {time}")
        };
        previous_date = Some(date);
        let _ = write!(
            svg,
            "<g class=\"msg\"><title>#{} {} {} → {} {}: {}</title>\
             <text class=\"time\" x=\"4\" y=\"{}\">{}</text>",
            event.seq,
            xml(&event.at),
            xml(&event.from),
            xml(&event.to),
            xml(&event.kind),
            xml(&event.summary),
            mid + 3,
            xml(&stamp)
        );
        let (x1, x2) = (x(&event.from), x(&event.to));
        let y = mid + 4;
        let (label_x, anchor) = if x1 == x2 {
            let _ = write!(
                svg,
                "<path class=\"arrow\" d=\"M{x1} {} h28 v10 h-28\"/>{}",
                y - 4,
                head(x1, y + 6, false)
            );
            (x1 + 34, "start")
        } else {
            let _ = write!(
                svg,
                "<line class=\"arrow\" x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"/>{}",
                head(x2, y, x2 > x1)
            );
            // Write towards the middle of the diagram so the text stays inside it.
            if x1.min(x2) < width / 2 {
                (x1.min(x2) + 6, "start")
            } else {
                (x1.max(x2) - 6, "end")
            }
        };
        let _ = writeln!(
            svg,
            "<text class=\"label\" x=\"{label_x}\" y=\"{}\" text-anchor=\"{anchor}\">\
             <tspan class=\"kind\">{}</tspan> {}</text></g>",
            mid - 6,
            xml(&event.kind),
            xml(&truncate(&event.summary, SUMMARY_MAX))
        );
    }
    svg.push_str("</svg>\n");
    if trace.len() > shown.len() {
        let _ = writeln!(
            svg,
            "<p class=\"note\">{}</p>",
            xml(&match lang {
                Lang::Ja => format!(
                    "全 {} 件のうち最初の {} 件を表示しています。全件は run.json にあります。",
                    trace.len(),
                    shown.len()
                ),
                Lang::En => format!(
                    "Showing the first {} of {} messages; run.json has them all.",
                    shown.len(),
                    trace.len()
                ),
            })
        );
    }
    svg
}

/// Lane names to draw for these messages, in order.
fn lanes(trace: &[TraceEvent]) -> Vec<String> {
    let used: BTreeSet<&str> = trace
        .iter()
        .flat_map(|e| [e.from.as_str(), e.to.as_str()])
        .collect();
    let mut lanes: Vec<String> = LANES
        .iter()
        .filter(|(name, always)| *always || used.contains(name))
        .map(|(name, _)| name.to_string())
        .collect();
    lanes.extend(
        used.iter()
            .filter(|name| !LANES.iter().any(|(known, _)| known == *name))
            .map(|name| name.to_string()),
    );
    lanes
}

/// `2026-04-01T09:00:02+09:00` → (`2026-04-01`, `09:00:02`); anything else is all time.
fn split_time(at: &str) -> (&str, &str) {
    match at.split_once('T') {
        Some((date, rest)) => {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
                .unwrap_or(rest.len());
            (date, &rest[..end])
        }
        None => ("", at),
    }
}

/// An arrowhead with its tip at (`x`, `y`), pointing right or left.
fn head(x: usize, y: usize, right: bool) -> String {
    let back = if right { x - 8 } else { x + 8 };
    format!(
        "<polygon class=\"head\" points=\"{x},{y} {back},{} {back},{}\"/>",
        y - 4,
        y + 4
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, from: &str, to: &str) -> TraceEvent {
        TraceEvent {
            seq,
            at: "2026-04-01T09:00:00+09:00".to_string(),
            from: from.to_string(),
            to: to.to_string(),
            kind: "k".to_string(),
            person: None,
            summary: "s".to_string(),
        }
    }

    #[test]
    fn optional_lanes_only_when_used() {
        let base = ["card", "reader", "provider", "registry", "jlis", "insurer"];
        assert_eq!(lanes(&[event(0, "reader", "registry")]), base);
        let with = lanes(&[
            event(0, "person", "municipality"),
            event(1, "zeta", "alpha"),
        ]);
        assert_eq!(
            with,
            [
                "person",
                "card",
                "reader",
                "provider",
                "registry",
                "jlis",
                "insurer",
                "municipality",
                "alpha",
                "zeta"
            ]
        );
    }

    #[test]
    fn long_traces_are_capped_with_a_note() {
        let trace: Vec<TraceEvent> = (0..250).map(|i| event(i, "reader", "registry")).collect();
        let svg = diagram(&trace, Lang::En);
        assert_eq!(svg.matches("<g class=\"msg\">").count(), MAX_MESSAGES);
        assert!(svg.contains("Showing the first 200 of 250 messages"));
        let short = diagram(&trace[..3], Lang::Ja);
        assert_eq!(short.matches("<g class=\"msg\">").count(), 3);
        assert!(!short.contains("class=\"note\""));
    }

    #[test]
    fn arrows_point_from_sender_to_receiver() {
        let svg = diagram(&[event(0, "registry", "card")], Lang::En);
        // card is lane 0 (x = 92 + 64), registry lane 3 (x = 92 + 3 * 128 + 64).
        assert!(
            svg.contains("x1=\"540\" y1=\"68\" x2=\"156\" y2=\"68\""),
            "{svg}"
        );
        assert!(svg.contains("points=\"156,68 164,64 164,72\""), "{svg}");
    }

    #[test]
    fn time_shows_the_date_only_when_it_changes() {
        assert_eq!(
            split_time("2026-04-01T09:00:02+09:00"),
            ("2026-04-01", "09:00:02")
        );
        assert_eq!(split_time("step 3"), ("", "step 3"));
        let mut trace = vec![
            event(0, "reader", "registry"),
            event(1, "registry", "reader"),
        ];
        trace[1].at = "2026-04-01T09:00:05+09:00".to_string();
        let svg = diagram(&trace, Lang::En);
        assert!(svg.contains(">2026-04-01 09:00:00</text>"));
        assert!(svg.contains(">09:00:05</text>"));
    }
}
