//! Charts drawn on the server as SVG: stacked bars of requests by outcome over
//! time. The geometry is worked out here; `templates/usage/chart.html` writes it,
//! escaped like any other text, with a data table beside it.

pub mod sparkline;

use time::PrimitiveDateTime;
use time::macros::format_description;

use crate::domain::usage::series::{Bucket, Granularity};
use crate::domain::verification::Outcome;

/// The drawing's coordinate space; the SVG scales to its container.
pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

pub struct StackedBars {
    /// What the chart shows, for its accessible name.
    pub label: String,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// The outcomes with requests, in stacking order, with their totals.
    pub legend: Vec<LegendEntry>,
    /// One row per bucket with requests, for the table beside the chart.
    pub rows: Vec<TableRow>,
    pub plot_left: f64,
    pub plot_right: f64,
    pub baseline: f64,
}

pub struct Bar {
    pub x: f64,
    pub width: f64,
    /// The whole column, for pointing at it.
    pub top: f64,
    pub segments: Vec<Segment>,
    /// "Dec 6, 14:00 – 15:00: 42 requests (40 allowed, 2 insufficient permissions)"
    pub title: String,
}

pub struct Segment {
    pub y: f64,
    pub height: f64,
    pub class: &'static str,
}

pub struct Tick {
    pub position: f64,
    pub label: String,
}

pub struct LegendEntry {
    pub class: &'static str,
    pub label: &'static str,
    pub total: String,
}

/// Numbers written out ("1,234").
pub struct TableRow {
    pub when: String,
    /// In the legend's order: the outcome's label and its count.
    pub counts: Vec<(&'static str, String)>,
    pub total: String,
}

/// The CSS class that colours an outcome's series.
pub fn series_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Valid => "series-allowed",
        Outcome::Invalid => "series-invalid",
        Outcome::Expired => "series-expired",
        Outcome::Disabled => "series-disabled",
        Outcome::Revoked => "series-revoked",
        Outcome::NotYetValid => "series-not-yet-valid",
        Outcome::InsufficientPermissions => "series-insufficient",
        Outcome::IpNotAllowed => "series-address",
        Outcome::AmbiguousPath => "series-ambiguous",
        Outcome::RateLimited => "series-rate-limited",
        Outcome::UsageExceeded => "series-usage-exceeded",
    }
}

pub fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Valid => "Allowed",
        Outcome::Invalid => "Unknown or malformed token",
        Outcome::Expired => "Expired",
        Outcome::Disabled => "Disabled",
        Outcome::Revoked => "Revoked",
        Outcome::NotYetValid => "Not yet valid",
        Outcome::InsufficientPermissions => "Insufficient permissions",
        Outcome::IpNotAllowed => "Address not allowed",
        Outcome::AmbiguousPath => "Ambiguous path",
        Outcome::RateLimited => "Rate limited",
        Outcome::UsageExceeded => "Out of credits",
    }
}

/// A round upper bound for the axis, at least `max`, and its step: 1, 2 or 5 times
/// a power of ten, four steps.
pub fn axis(max: i64) -> (i64, i64) {
    let rough = (max.max(1) as f64 / 4.0).ceil() as i64;
    let mut power = 1;
    while power * 10 <= rough {
        power *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10 * power);
    (step * 4, step)
}

pub fn stacked_bars(label: String, granularity: Granularity, buckets: &[Bucket]) -> StackedBars {
    let shown: Vec<(usize, Outcome)> = Outcome::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| buckets.iter().any(|b| b.counts[*i] > 0))
        .map(|(i, o)| (i, *o))
        .collect();
    let (top_value, step) = axis(buckets.iter().map(Bucket::total).max().unwrap_or(0));
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let baseline = HEIGHT - BOTTOM;
    let scale = |value: i64| value as f64 / top_value as f64 * plot_height;
    let slot = plot_width / buckets.len().max(1) as f64;
    // Thin bars touch; wider ones keep a gap between them.
    let gap = if slot > 6.0 { slot * 0.2 } else { 0.0 };
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, bucket)| {
            let mut y = baseline;
            let segments = shown
                .iter()
                .filter(|(index, _)| bucket.counts[*index] > 0)
                .map(|(index, outcome)| {
                    let height = scale(bucket.counts[*index]);
                    y -= height;
                    Segment {
                        y: rounded(y),
                        height: rounded(height),
                        class: series_class(*outcome),
                    }
                })
                .collect();
            Bar {
                x: rounded(LEFT + slot * i as f64 + gap / 2.0),
                width: rounded(slot - gap),
                top: TOP,
                segments,
                title: bar_title(granularity, bucket, &shown),
            }
        })
        .collect();
    let y_ticks = (0..=4)
        .map(|k| Tick {
            position: rounded(baseline - scale(step * k)),
            label: thousands(step * k),
        })
        .collect();
    let every = label_every(granularity, buckets.len());
    let x_ticks = buckets
        .iter()
        .enumerate()
        .filter(|(i, b)| is_label_bucket(granularity, *i, b.start, every))
        .map(|(i, b)| Tick {
            position: rounded(LEFT + slot * (i as f64 + 0.5)),
            label: axis_label(granularity, b.start),
        })
        .collect();
    let legend = shown
        .iter()
        .map(|(index, outcome)| LegendEntry {
            class: series_class(*outcome),
            label: outcome_label(*outcome),
            total: thousands(buckets.iter().map(|b| b.counts[*index]).sum()),
        })
        .collect();
    let rows = buckets
        .iter()
        .filter(|b| b.total() > 0)
        .map(|b| TableRow {
            when: bucket_label(granularity, b.start),
            counts: shown
                .iter()
                .map(|(index, outcome)| (outcome_label(*outcome), thousands(b.counts[*index])))
                .collect(),
            total: thousands(b.total()),
        })
        .collect();
    StackedBars {
        label,
        bars,
        y_ticks,
        x_ticks,
        legend,
        rows,
        plot_left: LEFT,
        plot_right: WIDTH - RIGHT,
        baseline,
    }
}

fn bar_title(granularity: Granularity, bucket: &Bucket, shown: &[(usize, Outcome)]) -> String {
    let parts: Vec<String> = shown
        .iter()
        .filter(|(index, _)| bucket.counts[*index] > 0)
        .map(|(index, outcome)| {
            format!(
                "{} {}",
                thousands(bucket.counts[*index]),
                outcome_label(*outcome).to_lowercase()
            )
        })
        .collect();
    let total = bucket.total();
    let requests = if total == 1 { "request" } else { "requests" };
    let when = bucket_label(granularity, bucket.start);
    if parts.is_empty() {
        format!("{when}: no requests")
    } else {
        format!(
            "{when}: {} {requests} ({})",
            thousands(total),
            parts.join(", ")
        )
    }
}

/// Hours every six (24 bars) or at midnight (168); days every five or fifteen.
fn label_every(granularity: Granularity, buckets: usize) -> usize {
    match granularity {
        Granularity::Hour if buckets <= 24 => 6,
        Granularity::Hour => 24,
        Granularity::Day if buckets <= 30 => 5,
        Granularity::Day => 15,
    }
}

fn is_label_bucket(
    granularity: Granularity,
    index: usize,
    start: PrimitiveDateTime,
    every: usize,
) -> bool {
    match granularity {
        Granularity::Hour if every == 24 => start.hour() == 0,
        Granularity::Hour => usize::from(start.hour()) % every == 0,
        Granularity::Day => index.is_multiple_of(every),
    }
}

fn axis_label(granularity: Granularity, start: PrimitiveDateTime) -> String {
    let format = match granularity {
        Granularity::Hour if start.hour() == 0 => {
            format_description!("[month repr:short] [day padding:none]")
        }
        Granularity::Hour => format_description!("[hour]:00"),
        Granularity::Day => format_description!("[month repr:short] [day padding:none]"),
    };
    start.format(format).unwrap_or_default()
}

/// The bucket's span, for titles and the table (UTC).
pub fn bucket_label(granularity: Granularity, start: PrimitiveDateTime) -> String {
    let format = match granularity {
        Granularity::Hour => {
            format_description!("[month repr:short] [day padding:none], [hour]:00")
        }
        Granularity::Day => {
            format_description!("[weekday repr:short], [month repr:short] [day padding:none]")
        }
    };
    start.format(format).unwrap_or_default()
}

/// Two decimals are finer than any screen shows; more only lengthen the page.
fn rounded(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// 1234567 → "1,234,567".
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests;
