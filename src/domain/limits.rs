//! Usage control: named rate limits and credits, on a token or on the identity that
//! owns it (shared by its tokens). A rate limit admits `limit` requests (or the sum
//! of their costs) per `period`, judged over a sliding window ([`window`]); credits
//! are a remaining count that each request spends and that may refill on UTC
//! calendar boundaries ([`credits`]).

pub mod credits;
pub mod window;

pub use credits::{Credits, CreditsInput, Refill};
pub use window::{Judgement, Window};

use super::validation::FieldErrors;

/// The most limits one token or identity may have.
pub const MAX_LIMITS: usize = 10;
/// The longest period: a window longer than a month is a quota (use credits).
pub const MAX_PERIOD_SECONDS: u32 = 31 * 86_400;
/// The largest number a limit or credit count may be.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// What the answers' `RateLimit` fields call credits, beside the named limits: a
/// limit may not take the name.
pub const CREDITS: &str = "credits";

/// One named limit: at most `limit` per `period_seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    pub name: String,
    pub limit: i64,
    pub period_seconds: u32,
}

impl RateLimit {
    /// `requests: 100 per minute`.
    pub fn describe(&self) -> String {
        format!(
            "{}: {} per {}",
            self.name,
            self.limit,
            period_text(self.period_seconds)
        )
    }
}

/// A period as people say it: `minute`, `day`, `10 s`, `90 min`.
pub fn period_text(seconds: u32) -> String {
    match seconds {
        1 => "second".into(),
        60 => "minute".into(),
        3600 => "hour".into(),
        86_400 => "day".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A limit's name: what headers and answers call it.
pub fn check_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "\"{name}\" is not a limit name: use 1 to 32 lowercase letters, digits, \"-\" or \"_\"."
        ))
    }
}

/// Checks one limit given as numbers (the API's form).
pub fn check_limit(limit: &RateLimit) -> Result<(), String> {
    check_name(&limit.name)?;
    if !(1..=MAX_AMOUNT).contains(&limit.limit) {
        return Err(format!(
            "The limit \"{}\" must admit between 1 and {MAX_AMOUNT} per period.",
            limit.name
        ));
    }
    if !(1..=MAX_PERIOD_SECONDS).contains(&limit.period_seconds) {
        return Err(format!(
            "The period of \"{}\" must be between 1 second and 31 days.",
            limit.name
        ));
    }
    Ok(())
}

/// Checks a set of limits: each valid, names unique, not too many.
pub fn check_limits(limits: &[RateLimit]) -> Result<(), String> {
    if limits.len() > MAX_LIMITS {
        return Err(format!("At most {MAX_LIMITS} limits, please."));
    }
    for (i, limit) in limits.iter().enumerate() {
        check_limit(limit)?;
        if limit.name == CREDITS {
            return Err(format!(
                "\"{CREDITS}\" names the credits in the answers' RateLimit fields: \
                 choose another name for this limit."
            ));
        }
        if limits[..i].iter().any(|l| l.name == limit.name) {
            return Err(format!("Two limits are named \"{}\".", limit.name));
        }
    }
    Ok(())
}

/// Parses the form's text: one limit per line, `name: 100 per minute`, with the
/// period a unit (`second`, `minute`, `hour`, `day`) or a count and unit (`60 s`,
/// `10 minutes`, `7 days`).
pub fn parse_limits(text: &str) -> Result<Vec<RateLimit>, String> {
    let limits = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(parse_line)
        .collect::<Result<Vec<_>, _>>()?;
    check_limits(&limits)?;
    Ok(limits)
}

/// The form's text for these limits, which [`parse_limits`] reads back.
pub fn limits_text(limits: &[RateLimit]) -> String {
    limits
        .iter()
        .map(RateLimit::describe)
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_line(line: &str) -> Result<RateLimit, String> {
    let malformed =
        || format!("\"{line}\" is not a limit: write it as \"requests: 100 per minute\".");
    let (name, rest) = line.split_once(':').ok_or_else(malformed)?;
    let (amount, period) = rest.split_once(" per ").ok_or_else(malformed)?;
    let limit = amount
        .trim()
        .replace(['_', ','], "")
        .parse::<i64>()
        .map_err(|_| malformed())?;
    let period_seconds = parse_period(period.trim()).ok_or_else(|| {
        format!(
            "\"{}\" is not a period: say \"minute\", \"60 s\" or \"7 days\".",
            period.trim()
        )
    })?;
    let limit = RateLimit {
        name: name.trim().to_owned(),
        limit,
        period_seconds,
    };
    check_limit(&limit)?;
    Ok(limit)
}

fn parse_period(text: &str) -> Option<u32> {
    let (count, unit) = match text.split_once(char::is_whitespace) {
        Some((count, unit)) => (count.parse::<u32>().ok()?, unit.trim()),
        None => match text.find(|c: char| !c.is_ascii_digit()) {
            Some(0) => (1, text),
            Some(at) => (text[..at].parse().ok()?, &text[at..]),
            None => return None,
        },
    };
    let unit = match unit {
        "s" | "sec" | "second" | "seconds" => 1,
        "m" | "min" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        _ => return None,
    };
    count.checked_mul(unit).filter(|s| *s > 0)
}

/// What verification does with limited tokens while Redis, which shares rate limits
/// between instances, does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenDown {
    /// Each instance applies every limit on its own: a client may get up to the
    /// limit from each instance.
    Open,
    /// Requests of tokens with rate limits are refused (`rate_limited`).
    Closed,
}

impl WhenDown {
    pub fn key(self) -> &'static str {
        match self {
            WhenDown::Open => "open",
            WhenDown::Closed => "closed",
        }
    }
}

/// What a token's or identity's usage control says, as a form submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageControl {
    pub limits: Vec<RateLimit>,
    pub credits: Option<CreditsInput>,
}

/// Reads the usage-control form: the limits' text and the credit fields.
pub fn read_form(
    limits: &str,
    credits: &str,
    refill: &str,
    refill_amount: &str,
) -> Result<UsageControl, FieldErrors> {
    let mut errors = FieldErrors::default();
    let limits = parse_limits(limits).unwrap_or_else(|message| {
        errors.add("limits", message);
        Vec::new()
    });
    let credits =
        credits::read_form(credits, refill, refill_amount).unwrap_or_else(|(field, message)| {
            errors.add(field, message);
            None
        });
    errors.into_result(UsageControl { limits, credits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_written() {
        let limits =
            parse_limits("requests: 100 per minute\n\n daily: 10_000 per day\nburst: 5 per 10s")
                .unwrap();
        assert_eq!(limits[0].period_seconds, 60);
        assert_eq!(limits[1].limit, 10_000);
        assert_eq!(limits[2].period_seconds, 10);
        assert_eq!(parse_limits(&limits_text(&limits)).unwrap(), limits);
        assert_eq!(parse_limits("").unwrap(), Vec::new());
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(
            parse_limits("requests 100 per minute")
                .unwrap_err()
                .contains("not a limit")
        );
        assert!(
            parse_limits("a: 1 per fortnight")
                .unwrap_err()
                .contains("not a period")
        );
        assert!(
            parse_limits("a: 0 per minute")
                .unwrap_err()
                .contains("between 1")
        );
        assert!(
            parse_limits("A b: 1 per minute")
                .unwrap_err()
                .contains("not a limit name")
        );
        assert!(
            parse_limits("a: 1 per minute\na: 2 per hour")
                .unwrap_err()
                .contains("Two")
        );
        assert!(
            parse_limits("a: 1 per 32 days")
                .unwrap_err()
                .contains("31 days")
        );
        assert!(parse_limits("a: 1 per 0 s").is_err());
    }
}
