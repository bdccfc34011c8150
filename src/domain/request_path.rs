//! The path forward-auth judges: the original request's path, normalised the way
//! the upstream behind the proxy resolves it, or refused where two servers could
//! resolve it to different resources. Deciding on the raw path let
//! `/orders/../billing/1` pass as Orders while the upstream served Billing.

use std::borrow::Cow;
use std::fmt;

/// Why a path is refused rather than judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguity {
    /// Not an absolute path (`*`, `http://host/...`, empty).
    NotAbsolute,
    /// `%2F` or `%5C`, or a raw backslash: a separator some servers split on and
    /// others do not.
    EncodedSeparator,
    /// A control character, raw or percent-encoded.
    ControlCharacter,
    /// `%` not followed by two hex digits, or escapes that are not UTF-8.
    InvalidEscape,
    /// `%25` followed by two hex digits: decoded twice, it is another path.
    DoubleEncoding,
    /// `..;x` or `.;x`: a dot segment to servers that strip path parameters.
    DotSegmentParameter,
}

impl fmt::Display for Ambiguity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ambiguity::NotAbsolute => "the path is not absolute",
            Ambiguity::EncodedSeparator => "the path holds an encoded slash or a backslash",
            Ambiguity::ControlCharacter => "the path holds a control character",
            Ambiguity::InvalidEscape => "the path holds an invalid percent-escape",
            Ambiguity::DoubleEncoding => "the path is percent-encoded twice",
            Ambiguity::DotSegmentParameter => "the path holds a dot segment with parameters",
        })
    }
}

/// Normalises the path of a request target (query and fragment are cut off):
/// percent-escapes of unreserved characters are decoded and the others written in
/// upper case (RFC 3986 §6.2.2), dot segments removed (§5.2.4), repeated slashes
/// merged. What servers could read differently is refused. A path that is already
/// in that form, as nearly every proxied path is, is returned as it came.
pub fn normalize(target: &str) -> Result<Cow<'_, str>, Ambiguity> {
    let end = target.find(['?', '#']).unwrap_or(target.len());
    let path = &target[..end];
    if already_normal(path) {
        return Ok(Cow::Borrowed(path));
    }
    resolve(path).map(Cow::Owned)
}

/// Plain characters only (no escape, no parameter, no backslash), no empty segment
/// but a trailing one, no dot segment: what [`resolve`] would return unchanged.
fn already_normal(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    // Unreserved characters, sub-delimiters but `;`, and separators.
    let plain = |b: &u8| {
        is_unreserved(*b)
            || matches!(
                b,
                b'/' | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b'='
                    | b':'
                    | b'@'
            )
    };
    if !rest.as_bytes().iter().all(plain) {
        return false;
    }
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if matches!(segment, "." | "..") || (segment.is_empty() && !last) {
            return false;
        }
    }
    true
}

/// The general case of [`normalize`], for an absolute path without its query.
fn resolve(path: &str) -> Result<String, Ambiguity> {
    if !path.starts_with('/') {
        return Err(Ambiguity::NotAbsolute);
    }
    let decoded = decode_unreserved(path)?;
    let mut segments: Vec<&str> = Vec::new();
    // "/a/b/" and "/a/b/.." keep their trailing slash, as the RFC's algorithm does.
    let mut trailing_slash = false;
    for segment in decoded.split('/').skip(1) {
        trailing_slash = true;
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => {
                let bare = segment.split(';').next().unwrap_or_default();
                if matches!(bare, "." | "..") {
                    return Err(Ambiguity::DotSegmentParameter);
                }
                segments.push(segment);
                trailing_slash = false;
            }
        }
    }
    let mut normalized = String::with_capacity(decoded.len());
    for segment in &segments {
        normalized.push('/');
        normalized.push_str(segment);
    }
    if trailing_slash || segments.is_empty() {
        normalized.push('/');
    }
    Ok(normalized)
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// Decodes escapes of unreserved characters and keeps the others, in upper case.
/// The path as the upstream finally decodes it must be UTF-8 without control
/// characters, backslashes or encoded slashes.
fn decode_unreserved(path: &str) -> Result<String, Ambiguity> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut fully_decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte != b'%' {
            if byte == b'\\' {
                return Err(Ambiguity::EncodedSeparator);
            }
            out.push(byte);
            fully_decoded.push(byte);
            i += 1;
            continue;
        }
        let escape = |at: usize| {
            let high = hex_value(*bytes.get(at + 1)?)?;
            let low = hex_value(*bytes.get(at + 2)?)?;
            Some(high * 16 + low)
        };
        let value = escape(i).ok_or(Ambiguity::InvalidEscape)?;
        match value {
            b'/' | b'\\' => return Err(Ambiguity::EncodedSeparator),
            b'%' if escape(i + 2).is_some() => return Err(Ambiguity::DoubleEncoding),
            v if is_unreserved(v) => out.push(v),
            v => out.extend_from_slice(format!("%{v:02X}").as_bytes()),
        }
        fully_decoded.push(value);
        i += 3;
    }
    let text = std::str::from_utf8(&fully_decoded).map_err(|_| Ambiguity::InvalidEscape)?;
    if text.chars().any(char::is_control) {
        return Err(Ambiguity::ControlCharacter);
    }
    // Raw bytes were copied from a `str` and escapes add ASCII: always UTF-8.
    String::from_utf8(out).map_err(|_| Ambiguity::InvalidEscape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dot_segments_resolve_as_the_upstream_resolves_them() {
        for attack in [
            "/orders/../billing/1",
            "/orders/%2e%2e/billing/1",
            "/orders/%2E%2E/billing/1",
            "/orders/./../billing/1",
            "/orders/.%2E/billing/1?x=1",
            "//orders//..//billing///1",
        ] {
            assert_eq!(normalize(attack).as_deref(), Ok("/billing/1"), "{attack}");
        }
        assert_eq!(normalize("/../../etc/passwd").as_deref(), Ok("/etc/passwd"));
        assert_eq!(normalize("/orders/").as_deref(), Ok("/orders/"));
        assert_eq!(normalize("/orders/7/..").as_deref(), Ok("/orders/"));
        assert_eq!(normalize("/orders/..").as_deref(), Ok("/"));
        assert_eq!(normalize("/").as_deref(), Ok("/"));
        assert_eq!(normalize("/orders#frag").as_deref(), Ok("/orders"));
    }

    #[test]
    fn unreserved_escapes_are_decoded_and_the_rest_kept_in_upper_case() {
        assert_eq!(
            normalize("/%7Eme/%6Frders/a%3bb/%c3%a9t%c3%a9").as_deref(),
            Ok("/~me/orders/a%3Bb/%C3%A9t%C3%A9")
        );
        assert_eq!(normalize("/caf\u{e9}").as_deref(), Ok("/caf\u{e9}"));
        assert_eq!(normalize("/a;v=1/b").as_deref(), Ok("/a;v=1/b"));
        assert_eq!(normalize("/100%25off").as_deref(), Ok("/100%25off"));
    }

    #[test]
    fn what_servers_could_read_differently_is_refused() {
        let cases = [
            ("/orders/..%2fbilling/1", Ambiguity::EncodedSeparator),
            ("/orders/..%2Fbilling/1", Ambiguity::EncodedSeparator),
            ("/orders/..%5cbilling/1", Ambiguity::EncodedSeparator),
            ("/orders\\..\\billing/1", Ambiguity::EncodedSeparator),
            ("/orders/%00/x", Ambiguity::ControlCharacter),
            ("/orders/%0d%0a", Ambiguity::ControlCharacter),
            ("/orders/%C2%85", Ambiguity::ControlCharacter),
            ("/orders/%zz", Ambiguity::InvalidEscape),
            ("/orders/%2", Ambiguity::InvalidEscape),
            ("/orders/%", Ambiguity::InvalidEscape),
            ("/orders/%C0%AE%C0%AE/billing", Ambiguity::InvalidEscape),
            ("/orders/%ff", Ambiguity::InvalidEscape),
            ("/orders/%252e%252e/billing/1", Ambiguity::DoubleEncoding),
            ("/orders/%252F", Ambiguity::DoubleEncoding),
            ("/orders/..;/billing/1", Ambiguity::DotSegmentParameter),
            ("/orders/.;x/1", Ambiguity::DotSegmentParameter),
            ("/orders/%2e%2e;x/billing", Ambiguity::DotSegmentParameter),
            ("*", Ambiguity::NotAbsolute),
            ("http://evil.example/orders", Ambiguity::NotAbsolute),
            ("", Ambiguity::NotAbsolute),
            ("orders/1", Ambiguity::NotAbsolute),
        ];
        for (path, why) in cases {
            assert_eq!(normalize(path), Err(why), "{path}");
        }
    }

    /// How an upstream serves a path: every escape decoded, then dot segments
    /// removed and slashes merged.
    fn resolve_like_an_upstream(target: &str) -> String {
        let path = target.split(['?', '#']).next().unwrap();
        let mut bytes = Vec::new();
        let raw = path.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'%' {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                bytes.push(raw[i]);
                i += 1;
            }
        }
        let decoded = String::from_utf8(bytes).unwrap();
        let mut segments: Vec<&str> = Vec::new();
        for segment in decoded.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        format!("/{}", segments.join("/"))
    }

    fn tricky_path() -> impl Strategy<Value = String> {
        let segment = prop_oneof![
            Just("orders".to_owned()),
            Just("billing".to_owned()),
            Just("..".to_owned()),
            Just(".".to_owned()),
            Just(String::new()),
            Just("%2e%2e".to_owned()),
            Just("%2E.".to_owned()),
            Just("..;x".to_owned()),
            Just("%2f".to_owned()),
            Just("%5C".to_owned()),
            Just("%252e".to_owned()),
            Just("%00".to_owned()),
            Just("%41%7e".to_owned()),
            Just("a%20b".to_owned()),
            Just("%C3%A9".to_owned()),
            Just("%".to_owned()),
            "[a-zA-Z0-9._~%;-]{0,6}",
        ];
        (
            proptest::collection::vec(segment, 0..8),
            "(\\?[a-z=/.]{0,6})?",
        )
            .prop_map(|(segments, query)| format!("/{}{query}", segments.join("/")))
    }

    proptest! {
        #[test]
        fn no_input_panics(target in ".{0,80}") {
            let _ = normalize(&target);
        }

        /// The shortcut for plain paths answers what the general case would.
        #[test]
        fn a_path_taken_as_it_came_is_what_resolving_it_gives(
            target in tricky_path(),
            plain in "(/[a-z.~!$&'()*+,=:@-]{0,4}){1,5}",
        ) {
            for path in [target.as_str(), plain.as_str()] {
                if already_normal(path) {
                    prop_assert_eq!(resolve(path), Ok(path.to_owned()));
                }
            }
        }

        #[test]
        fn the_judged_path_is_the_path_the_upstream_serves(target in tricky_path()) {
            if let Ok(normalized) = normalize(&target) {
                prop_assert!(normalized.starts_with('/'));
                prop_assert!(!normalized.contains("//"), "{}", normalized);
                prop_assert!(
                    normalized.split('/').all(|s| s != "." && s != ".."),
                    "{}", normalized
                );
                let again = normalize(&normalized).map(Cow::into_owned);
                prop_assert_eq!(again, Ok(normalized.to_string()));
                let served = resolve_like_an_upstream(&target);
                let judged = resolve_like_an_upstream(&normalized);
                prop_assert_eq!(
                    served.trim_end_matches('/'),
                    judged.trim_end_matches('/'),
                    "{} judged as {}", target, normalized
                );
            }
        }
    }
}
