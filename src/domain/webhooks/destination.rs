//! Where Tessera may send a webhook. A URL is an instruction to make a request from
//! inside the operator's network, so by default only `https://` to public
//! addresses: never loopback, private, link-local (cloud metadata) or otherwise
//! special ones, checked on every address the name resolves to when sending.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::domain::networks::canonical;

/// What the operator allows beyond the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// `http://` URLs too.
    pub allow_http: bool,
    /// Loopback, private and link-local addresses too (`TESSERA_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Enter a URL such as https://hooks.example.com/tessera.")]
    NotAUrl,
    #[error("Use an https:// URL (the operator has not allowed http://).")]
    NotHttps,
    #[error(
        "A URL with a user name or password is not accepted: put credentials in the path or query instead."
    )]
    Credentials,
    #[error(
        "This address is inside a private network (loopback, private, link-local or reserved); the operator has not allowed those."
    )]
    PrivateAddress,
    #[error("Keep the URL to 2,000 characters.")]
    TooLong,
}

const MAX_URL_CHARS: usize = 2000;

/// The URL, normalised, if it may be saved. A name is checked again, resolved,
/// when sending ([`address_allowed`]).
pub fn check_url(url: &str, policy: Policy) -> Result<String, Refusal> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(Refusal::TooLong);
    }
    let (scheme, rest) = url.split_once("://").ok_or(Refusal::NotAUrl)?;
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => return Err(Refusal::NotHttps),
        _ => return Err(Refusal::NotAUrl),
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(Refusal::Credentials);
    }
    if authority.is_empty() || rest.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Refusal::NotAUrl);
    }
    let host = host_of(authority).ok_or(Refusal::NotAUrl)?;
    if let Ok(ip) = host.parse::<IpAddr>()
        && !address_allowed(ip, policy)
    {
        return Err(Refusal::PrivateAddress);
    }
    let lowered = host.to_ascii_lowercase();
    if !policy.allow_private && (lowered == "localhost" || lowered.ends_with(".localhost")) {
        return Err(Refusal::PrivateAddress);
    }
    Ok(format!("{scheme}://{rest}"))
}

/// The URL as the audit log, the logs, mails and lists write it: what may carry a
/// credential — a user name and password, the query, the fragment — replaced with
/// `***`, so `https://user:pw@hooks.example.com/path?key=1` reads
/// `https://***@hooks.example.com/path?***`.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let (path, after_path) = tail.split_at(tail.find(['?', '#']).unwrap_or(tail.len()));
    let mut shown = String::with_capacity(url.len());
    if !scheme.is_empty() {
        shown.push_str(scheme);
        shown.push_str("://");
    }
    match authority.rsplit_once('@') {
        Some((_, host)) => {
            shown.push_str("***@");
            shown.push_str(host);
        }
        None => shown.push_str(authority),
    }
    shown.push_str(path);
    if after_path.starts_with('?') {
        shown.push_str("?***");
    }
    if after_path.contains('#') {
        shown.push_str("#***");
    }
    shown
}

/// The host of `host:port`, `[v6]:port` or `host`.
fn host_of(authority: &str) -> Option<&str> {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map(|(host, _)| host);
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                host
            } else {
                authority
            }
        });
    (!host.is_empty()).then_some(host)
}

/// Whether Tessera may connect to this address.
pub fn address_allowed(ip: IpAddr, policy: Policy) -> bool {
    policy.allow_private || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, where cloud metadata answers
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
        || (first == 0x0064 && second == 0xff9b && ip.segments()[2] == 1) // local-use NAT64
        || first == 0x2001 && second == 0x0db8 // documentation
        || embedded_v4(ip).is_some_and(|v4| !is_public_v4(v4)))
}

/// The IPv4 address a packet to `ip` ends up at, for the IPv6 ranges that carry
/// one: IPv4-mapped and -compatible (`::ffff:a.b.c.d`, `::a.b.c.d`), NAT64's
/// well-known prefix (`64:ff9b::a.b.c.d`, RFC 6052) and 6to4 (`2002:aabb:ccdd::/48`,
/// RFC 3056). A gateway translates them, so they are judged as that IPv4 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match ip.segments() {
        [0x0064, 0xff9b, 0, 0, 0, 0, high, low] => Some(v4(high, low)),
        [0x2002, high, low, ..] => Some(v4(high, low)),
        _ => ip.to_ipv4(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_http: false,
        allow_private: false,
    };

    #[test]
    fn only_https_to_public_hosts_by_default() {
        assert_eq!(
            check_url("https://hooks.example.com/tessera?x=1", STRICT).as_deref(),
            Ok("https://hooks.example.com/tessera?x=1")
        );
        assert_eq!(
            check_url("HTTPS://hooks.example.com", STRICT).as_deref(),
            Ok("https://hooks.example.com")
        );
        assert_eq!(
            check_url("http://hooks.example.com", STRICT),
            Err(Refusal::NotHttps)
        );
        assert_eq!(
            check_url("ftp://hooks.example.com", STRICT),
            Err(Refusal::NotAUrl)
        );
        assert_eq!(
            check_url("hooks.example.com", STRICT),
            Err(Refusal::NotAUrl)
        );
        assert_eq!(check_url("https://", STRICT), Err(Refusal::NotAUrl));
        assert_eq!(
            check_url("https://a b.example.com", STRICT),
            Err(Refusal::NotAUrl)
        );
        assert_eq!(
            check_url("https://user:pw@example.com", STRICT),
            Err(Refusal::Credentials)
        );
        for private in [
            "https://127.0.0.1/x",
            "https://10.1.2.3",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]:8443/",
            "https://[::ffff:127.0.0.1]/",
            "https://[fd00::1]/",
            "https://192.168.1.10:443",
            "https://localhost:8080",
            "https://0.0.0.0",
            "https://100.64.0.1",
            "https://[fec0::1]/hook",
            "https://[64:ff9b::10.0.0.1]/hook",
            "https://[2002:a9fe:a9fe::1]/latest/meta-data",
        ] {
            assert_eq!(
                check_url(private, STRICT),
                Err(Refusal::PrivateAddress),
                "{private}"
            );
        }
        let open = Policy {
            allow_http: true,
            allow_private: true,
        };
        assert!(check_url("http://127.0.0.1:9000/hook", open).is_ok());
    }

    #[test]
    fn credentials_in_a_url_are_redacted() {
        for (url, shown) in [
            (
                "https://user:pw@hooks.example.com/path?key=1",
                "https://***@hooks.example.com/path?***",
            ),
            (
                "https://hooks.example.com/tessera?token=abc&x=1#frag",
                "https://hooks.example.com/tessera?***#***",
            ),
            (
                "https://hooks.example.com/tessera#a?b",
                "https://hooks.example.com/tessera#***",
            ),
            (
                "https://h@x@hooks.example.com",
                "https://***@hooks.example.com",
            ),
            (
                "https://hooks.example.com?k",
                "https://hooks.example.com?***",
            ),
            ("http://[::1]:8080/hooks", "http://[::1]:8080/hooks"),
            (
                "https://hooks.example.com/a@b",
                "https://hooks.example.com/a@b",
            ),
            ("hooks.example.com/x?secret", "hooks.example.com/x?***"),
        ] {
            assert_eq!(redacted(url), shown, "{url}");
        }
    }

    #[test]
    fn resolved_addresses_are_checked() {
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(address_allowed(public.parse().unwrap(), STRICT), "{public}");
        }
        for private in [
            "127.0.0.53",
            "10.0.0.1",
            "172.16.5.4",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::",
            "fec0::1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::808:808",
            "2002:a00:1::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe:1::1",
        ] {
            assert!(
                !address_allowed(private.parse().unwrap(), STRICT),
                "{private}"
            );
        }
    }
}
