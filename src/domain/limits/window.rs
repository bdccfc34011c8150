//! The sliding window of a rate limit: counts in fixed windows aligned to the Unix
//! epoch (so a one-day window is a UTC day), with the previous window's count
//! weighted by how much of it the sliding window still covers. A burst at the end
//! of one window therefore still counts early in the next: unlike fixed windows,
//! no boundary lets twice the limit through. All arithmetic is in whole
//! milliseconds and integers, so a decision at the boundary is exact.

/// What a rate limit has counted, as of its latest window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// The start of the current window, in milliseconds since the epoch.
    pub start_ms: i64,
    pub current: i64,
    pub previous: i64,
}

/// A limit's answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    pub admitted: bool,
    /// What is left after this request (0 when refused).
    pub remaining: i64,
    /// Seconds until the current window ends.
    pub reset_seconds: i64,
    /// Refused: seconds until a request of this cost would pass, when one ever can.
    pub retry_after_seconds: Option<i64>,
}

impl Window {
    /// The window as of `now_ms`: moved on, the previous count carried when the
    /// windows are adjacent.
    pub fn at(self, now_ms: i64, period_ms: i64) -> Window {
        let start = now_ms - now_ms.rem_euclid(period_ms);
        if start == self.start_ms {
            self
        } else if start == self.start_ms + period_ms {
            Window {
                start_ms: start,
                current: 0,
                previous: self.current,
            }
        } else {
            Window {
                start_ms: start,
                current: 0,
                previous: 0,
            }
        }
    }

    /// The previous window's weight now, in whole requests, rounded up: its count
    /// times the share of it the sliding window still covers.
    fn previous_weight(&self, now_ms: i64, period_ms: i64) -> i64 {
        let covered = period_ms - (now_ms - self.start_ms);
        match self.previous.checked_mul(covered) {
            Some(scaled) => (scaled as u64).div_ceil(period_ms as u64) as i64,
            // Beyond 64 bits only for limits near the largest allowed, over long periods.
            None => {
                let p = i128::from(period_ms);
                ((i128::from(self.previous) * i128::from(covered) + p - 1) / p) as i64
            }
        }
    }

    /// Judges a request of `cost` at `now_ms` (the window already moved there with
    /// [`Window::at`]) without counting it. Counts are whole requests, so "the
    /// weighted count plus the cost is within the limit" holds exactly when the
    /// weight rounded up leaves room for the cost.
    pub fn judge(&self, now_ms: i64, period_ms: i64, limit: i64, cost: i64) -> Judgement {
        let room = limit
            .saturating_sub(cost)
            .saturating_sub(self.current)
            .saturating_sub(self.previous_weight(now_ms, period_ms));
        let admitted = room >= 0;
        let window_left = self.start_ms + period_ms - now_ms;
        Judgement {
            admitted,
            remaining: room.max(0),
            reset_seconds: ceil_seconds(window_left),
            retry_after_seconds: (!admitted)
                .then(|| self.wait_ms(now_ms, period_ms, limit, cost))
                .flatten()
                .map(|ms| ceil_seconds(ms).max(1)),
        }
    }

    /// Counts an admitted request.
    pub fn count(&mut self, cost: i64) {
        self.current = self.current.saturating_add(cost);
    }

    /// Takes back a request counted but refused by another limit.
    pub fn take_back(&mut self, cost: i64) {
        self.current = self.current.saturating_sub(cost).max(0);
    }

    /// The shortest wait after which a request of `cost` passes, no other arriving.
    fn wait_ms(&self, now_ms: i64, period_ms: i64, limit: i64, cost: i64) -> Option<i64> {
        if cost > limit {
            return None;
        }
        let p = period_ms as i128;
        let elapsed = (now_ms - self.start_ms) as i128;
        let (previous, current) = (self.previous as i128, self.current as i128);
        let (limit, cost) = (limit as i128, cost as i128);
        // Within this window, as the previous window's weight fades.
        if previous > 0 && current + cost <= limit {
            // previous * (p - elapsed - d) <= (limit - current - cost) * p
            let d = (p - elapsed) - ((limit - current - cost) * p) / previous;
            if d < p - elapsed {
                return Some(d.max(0) as i64);
            }
        }
        // In the next window, where this one's count fades: current * (p - e) <= (limit - cost) * p.
        let e = if current > 0 {
            (p - ((limit - cost) * p) / current).max(0)
        } else {
            0
        };
        Some((p - elapsed + e) as i64)
    }
}

fn ceil_seconds(ms: i64) -> i64 {
    (ms + 999).div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    /// Admits what it can of `n` requests at `now`; returns how many passed.
    fn hammer(window: &mut Window, now: i64, limit: i64, n: usize) -> usize {
        let mut passed = 0;
        for _ in 0..n {
            *window = window.at(now, MINUTE);
            if window.judge(now, MINUTE, limit, 1).admitted {
                window.count(1);
                passed += 1;
            }
        }
        passed
    }

    #[test]
    fn admits_exactly_the_limit_then_refuses() {
        let mut window = Window::default();
        let now = 1_000 * MINUTE + 30_000;
        assert_eq!(hammer(&mut window, now, 100, 150), 100);
        let refused = window.judge(now, MINUTE, 100, 1);
        assert!(!refused.admitted);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.reset_seconds, 30);
        // 100 counted with 30 s of this window left: the next one fits once 0.6 s of
        // the next window have gone.
        assert_eq!(refused.retry_after_seconds, Some(31));
    }

    #[test]
    fn a_boundary_does_not_let_a_second_burst_through() {
        let mut window = Window::default();
        let end = 1_001 * MINUTE;
        assert_eq!(hammer(&mut window, end - 1, 100, 100), 100);
        // Just after the boundary the previous window still weighs almost fully.
        assert_eq!(hammer(&mut window, end + 500, 100, 100), 0);
        // Halfway through the next window, half the limit is free again.
        assert_eq!(hammer(&mut window, end + 30_000, 100, 100), 50);
        // Two windows on, everything is.
        assert_eq!(hammer(&mut window, end + 2 * MINUTE, 100, 150), 100);
    }

    #[test]
    fn costs_count_and_a_cost_above_the_limit_never_passes() {
        let window = Window::default().at(5 * MINUTE, MINUTE);
        let judged = window.judge(5 * MINUTE, MINUTE, 10, 10);
        assert!(judged.admitted);
        assert_eq!(judged.remaining, 0);
        let too_much = window.judge(5 * MINUTE, MINUTE, 10, 11);
        assert!(!too_much.admitted);
        assert_eq!(too_much.retry_after_seconds, None);
    }

    /// The definition: the weighted count, times the period to keep it whole.
    fn judged_by_definition(w: &Window, now: i64, p: i64, limit: i64, cost: i64) -> (bool, i64) {
        let p = i128::from(p);
        let used =
            i128::from(w.previous) * (p - i128::from(now - w.start_ms)) + i128::from(w.current) * p;
        let after = used + i128::from(cost) * p;
        let admitted = after <= i128::from(limit) * p;
        let remaining = if admitted {
            ((i128::from(limit) * p - after) / p) as i64
        } else {
            0
        };
        (admitted, remaining)
    }

    proptest::proptest! {
        #[test]
        fn whole_request_arithmetic_agrees_with_the_definition(
            period_s in 1i64..=31 * 86_400,
            into in 0.0f64..1.0,
            // Small numbers meet the boundary often; large ones need 128 bits.
            limit in proptest::prop_oneof![1i64..200, 1i64..=1_000_000_000_000],
            previous_share in 0.0f64..1.5,
            current_share in 0.0f64..1.5,
            cost in proptest::prop_oneof![0i64..4, 0i64..=1_000_000],
        ) {
            let p = period_s * 1000;
            let start = 20_000 * p;
            let now = start + ((p as f64 * into) as i64).min(p - 1);
            let window = Window {
                start_ms: start,
                previous: (limit as f64 * previous_share) as i64,
                current: (limit as f64 * current_share) as i64,
            };
            let judged = window.judge(now, p, limit, cost);
            proptest::prop_assert_eq!(
                (judged.admitted, judged.remaining),
                judged_by_definition(&window, now, p, limit, cost)
            );
        }
    }

    #[test]
    fn the_retry_after_is_when_the_request_would_pass() {
        let mut window = Window::default();
        let start = 2_000 * MINUTE;
        hammer(&mut window, start + 10_000, 10, 10);
        let wait = window
            .judge(start + 10_000, MINUTE, 10, 1)
            .retry_after_seconds
            .unwrap();
        let mut later = window;
        let at = start + 10_000 + wait * 1000;
        later = later.at(at, MINUTE);
        assert!(later.judge(at, MINUTE, 10, 1).admitted);
        let before = start + 10_000 + (wait - 1) * 1000;
        let earlier = window.at(before, MINUTE);
        assert!(!earlier.judge(before, MINUTE, 10, 1).admitted);
    }
}
