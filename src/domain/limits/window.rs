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

    /// What the sliding window counts, times `period_ms` (kept whole).
    fn used_scaled(&self, now_ms: i64, period_ms: i64) -> i128 {
        let elapsed = now_ms - self.start_ms;
        self.previous as i128 * (period_ms - elapsed) as i128
            + self.current as i128 * period_ms as i128
    }

    /// Judges a request of `cost` at `now_ms` (the window already moved there with
    /// [`Window::at`]) without counting it.
    pub fn judge(&self, now_ms: i64, period_ms: i64, limit: i64, cost: i64) -> Judgement {
        let p = period_ms as i128;
        let used = self.used_scaled(now_ms, period_ms);
        let admitted = used + cost as i128 * p <= limit as i128 * p;
        let after = if admitted {
            used + cost as i128 * p
        } else {
            used
        };
        let remaining = ((limit as i128 * p - after).max(0) / p) as i64;
        let window_left = self.start_ms + period_ms - now_ms;
        Judgement {
            admitted,
            remaining: if admitted { remaining } else { 0 },
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
