use super::*;
use crate::domain::usage::series::outcome_index;
use time::macros::datetime;

fn bucket(start: PrimitiveDateTime, counts: &[(Outcome, i64)]) -> Bucket {
    let mut bucket = Bucket {
        start,
        counts: [0; Outcome::ALL.len()],
    };
    for (outcome, n) in counts {
        bucket.counts[outcome_index(*outcome)] = *n;
    }
    bucket
}

#[test]
fn the_axis_ends_on_a_round_number_above_the_tallest_bar() {
    assert_eq!(axis(0), (4, 1));
    assert_eq!(axis(4), (4, 1));
    assert_eq!(axis(5), (8, 2));
    assert_eq!(axis(37), (40, 10));
    assert_eq!(axis(41), (80, 20));
    assert_eq!(axis(1_999), (2_000, 500));
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(thousands(999), "999");
}

#[test]
fn bars_stack_their_outcomes_to_their_total_and_say_it() {
    let buckets = [
        bucket(
            datetime!(2026-12-06 14:00),
            &[(Outcome::Valid, 30), (Outcome::InsufficientPermissions, 10)],
        ),
        bucket(datetime!(2026-12-06 15:00), &[]),
    ];
    let chart = stacked_bars("Requests".into(), Granularity::Hour, &buckets);
    assert_eq!(chart.legend.len(), 2, "only outcomes that happened");
    assert_eq!(chart.legend[0].label, "Allowed");
    assert_eq!(chart.legend[1].total, "10");
    let bar = &chart.bars[0];
    let stacked: f64 = bar.segments.iter().map(|s| s.height).sum();
    let full = chart.baseline - chart.y_ticks[4].position;
    // 40 requests on an axis of 40.
    assert!((stacked - full).abs() < 0.02, "{stacked} {full}");
    assert_eq!(bar.segments[0].class, "series-allowed");
    assert!(
        bar.segments[1].y < bar.segments[0].y,
        "refusals stack on top"
    );
    assert_eq!(
        bar.title,
        "Dec 6, 14:00: 40 requests (30 allowed, 10 insufficient permissions)"
    );
    assert_eq!(chart.bars[1].title, "Dec 6, 15:00: no requests");
    assert!(chart.bars[1].segments.is_empty());
    assert_eq!(chart.rows.len(), 1, "hours without requests are left out");
    let counts: Vec<&str> = chart.rows[0]
        .counts
        .iter()
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(counts, ["30", "10"]);
    assert_eq!(chart.rows[0].total, "40");
}

#[test]
fn axis_labels_fall_on_round_hours_and_days() {
    let day: Vec<Bucket> = (0..24)
        .map(|h| bucket(datetime!(2026-12-05 13:00) + time::Duration::hours(h), &[]))
        .collect();
    let chart = stacked_bars("Requests".into(), Granularity::Hour, &day);
    let labels: Vec<&str> = chart.x_ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["18:00", "Dec 6", "06:00", "12:00"]);
    let week: Vec<Bucket> = (0..168)
        .map(|h| bucket(datetime!(2026-11-29 15:00) + time::Duration::hours(h), &[]))
        .collect();
    let chart = stacked_bars("Requests".into(), Granularity::Hour, &week);
    assert_eq!(chart.x_ticks.len(), 7);
    assert_eq!(chart.x_ticks[0].label, "Nov 30");
    assert!(chart.bars.iter().all(|b| b.width > 3.0 && b.x >= LEFT));
}
