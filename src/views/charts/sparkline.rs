//! The token list's "requests, 7 days" column: a bar per day, drawn small, with
//! the numbers in its accessible name.

use super::thousands;

/// The drawing's coordinate space.
pub const WIDTH: f64 = 56.0;
pub const HEIGHT: f64 = 16.0;
/// Days drawn, today last.
pub const DAYS: usize = 7;

pub struct Sparkline {
    /// x, y and height of each day's bar (width [`BAR_WIDTH`]); none for a day
    /// without requests.
    pub bars: Vec<(f64, f64, f64)>,
    pub total: String,
    /// "42 requests in the last 7 days: 10, 0, 5, 7, 0, 12, 8 (today)"
    pub label: String,
}

pub const BAR_WIDTH: f64 = WIDTH / DAYS as f64 - 2.0;

/// Days oldest first, today last.
pub fn sparkline(days: [i64; DAYS]) -> Sparkline {
    let max = days.iter().copied().max().unwrap_or(0).max(1);
    let bars = days
        .iter()
        .enumerate()
        .filter(|(_, requests)| **requests > 0)
        .map(|(i, requests)| {
            // Any request shows: at least one unit high.
            let height = (*requests as f64 / max as f64 * HEIGHT).max(1.0);
            let height = (height * 100.0).round() / 100.0;
            (
                i as f64 * (WIDTH / DAYS as f64) + 1.0,
                HEIGHT - height,
                height,
            )
        })
        .collect();
    let total: i64 = days.iter().sum();
    let each: Vec<String> = days.iter().map(|d| thousands(*d)).collect();
    Sparkline {
        bars,
        total: thousands(total),
        label: format!(
            "{} request{} in the last 7 days, by day: {} (today)",
            thousands(total),
            if total == 1 { "" } else { "s" },
            each.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_day_with_requests_is_a_bar_as_high_as_its_share_of_the_busiest() {
        let line = sparkline([0, 10, 0, 5, 0, 0, 1]);
        assert_eq!(line.bars.len(), 3);
        assert_eq!(line.bars[0], (9.0, 0.0, 16.0));
        assert_eq!(line.bars[1], (25.0, 8.0, 8.0));
        assert_eq!(line.bars[2].2, 1.6);
        assert_eq!(line.total, "16");
        assert_eq!(
            line.label,
            "16 requests in the last 7 days, by day: 0, 10, 0, 5, 0, 0, 1 (today)"
        );
        let idle = sparkline([0; DAYS]);
        assert!(idle.bars.is_empty());
        assert_eq!(idle.total, "0");
        assert_eq!(
            sparkline([0, 0, 0, 0, 0, 0, 1]).label.split(' ').nth(1),
            Some("request")
        );
    }
}
