//! Client networks: a token's IP allow-list, and which address a request comes from
//! when it passes through trusted proxies.

use std::net::IpAddr;

use ipnet::IpNet;

pub const MAX_NETWORKS: usize = 50;

/// Parses an allow-list as typed: one network per line (or separated by commas or
/// spaces), in CIDR form (`10.0.0.0/8`, `2001:db8::/32`) or as a single address.
pub fn parse_allow_list(input: &str) -> Result<Vec<IpNet>, String> {
    let mut networks: Vec<IpNet> = Vec::new();
    for item in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let network = parse_network(item).ok_or_else(|| {
            format!(
                "\u{201c}{}\u{201d} is not an IP address or network; write it like 203.0.113.0/24 or 2001:db8::/32.",
                item.chars().take(60).collect::<String>()
            )
        })?;
        if !networks.contains(&network) {
            networks.push(network);
        }
    }
    if networks.len() > MAX_NETWORKS {
        return Err(format!("Give at most {MAX_NETWORKS} networks."));
    }
    Ok(networks)
}

/// A network, or a single address as the network of just that address. Host bits
/// are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
pub fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(network) = text.parse::<IpNet>() {
        return Some(network.trunc());
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

/// True when the list is empty (any address) or holds a network containing `ip`.
pub fn allows(networks: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    networks.is_empty() || networks.iter().any(|n| n.contains(&ip))
}

/// IPv4 addresses arriving as IPv4-mapped IPv6 (`::ffff:10.0.0.1`) compare as IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The header trusted proxies name the client in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, ...`
    #[default]
    XForwardedFor,
    /// RFC 7239: `Forwarded: for=client;proto=https, for=proxy1`
    Forwarded,
}

impl ForwardedHeader {
    pub fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }

    /// The hops of every line of the header, in order, oldest first: a proxy that
    /// adds a line of its own (HAProxy's `option forwardfor`) comes after what the
    /// client sent. `None` for an entry that is not an address (or a line that is not
    /// text): the chain cannot be followed past it.
    pub fn hops<'a>(self, lines: impl IntoIterator<Item = Option<&'a str>>) -> Vec<Option<IpAddr>> {
        let mut hops = Vec::new();
        for line in lines {
            let Some(line) = line else {
                hops.push(None);
                continue;
            };
            for entry in line.split(',') {
                hops.push(match self {
                    ForwardedHeader::XForwardedFor => parse_hop(entry),
                    ForwardedHeader::Forwarded => forwarded_for(entry).and_then(parse_hop),
                });
            }
        }
        hops
    }
}

/// The `for=` value of one element of a `Forwarded` header, unquoted.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The client of a request. The connection's peer is the client unless it is a
/// trusted proxy; then the forwarding chain is read from the right, skipping trusted
/// proxies, and the first address that is not one is the client. A proxy that sent
/// no usable chain leaves the peer as the client.
pub fn client_ip(peer: IpAddr, hops: &[Option<IpAddr>], trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.iter().any(|n| n.contains(&peer)) {
        return peer;
    }
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop else {
            // Garbage in the chain: stop at the last address we could trust.
            break;
        };
        client = canonical(*ip);
        if !trusted.iter().any(|n| n.contains(&client)) {
            break;
        }
    }
    client
}

/// One entry of X-Forwarded-For: an address, possibly with a port or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    hop.rsplit_once(':')
        .and_then(|(host, _port)| host.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn allow_lists_accept_networks_and_single_addresses() {
        let list = parse_allow_list("10.0.0.0/8, 192.168.1.7\n2001:db8::/32 10.1.2.3/8").unwrap();
        assert_eq!(list.len(), 3, "10.1.2.3/8 is 10.0.0.0/8 again");
        assert!(allows(&list, ip("10.200.0.1")));
        assert!(allows(&list, ip("192.168.1.7")));
        assert!(!allows(&list, ip("192.168.1.8")));
        assert!(allows(&list, ip("2001:db8::1")));
        assert!(!allows(&list, ip("2001:db9::1")));
        assert!(allows(&list, ip("::ffff:10.0.0.9")), "IPv4-mapped IPv6");
        assert!(allows(&[], ip("203.0.113.1")), "no list: any address");
    }

    #[test]
    fn bad_networks_are_named() {
        let error = parse_allow_list("10.0.0.0/8\nlocalhost").unwrap_err();
        assert!(error.contains("localhost"));
        assert!(parse_allow_list("10.0.0.0/33").is_err());
        assert!(parse_allow_list("").unwrap().is_empty());
    }

    fn xff(lines: &[&str]) -> Vec<Option<IpAddr>> {
        ForwardedHeader::XForwardedFor.hops(lines.iter().map(|l| Some(*l)))
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let trusted = parse_allow_list("127.0.0.1, 10.0.0.0/8").unwrap();
        // Directly from a client: the header is ignored, whatever it says.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &xff(&["1.2.3.4"]), &trusted),
            ip("203.0.113.9")
        );
        // Through trusted proxies: the first untrusted address from the right.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["198.51.100.7, 10.0.0.3"]), &trusted),
            ip("198.51.100.7")
        );
        // A client cannot hide behind a forged entry on the left.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["1.1.1.1, 198.51.100.7"]), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["garbage"]), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["198.51.100.7:5000"]), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["[2001:db8::5]:443"]), &trusted),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &xff(&["198.51.100.7"]), &[]),
            ip("127.0.0.1"),
            "no trusted proxies"
        );
    }

    #[test]
    fn every_header_line_counts_in_order() {
        let trusted = parse_allow_list("127.0.0.1").unwrap();
        // The client sent its own line; the proxy appended the real address.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &xff(&["203.0.113.7", "198.51.100.9"]),
                &trusted
            ),
            ip("198.51.100.9")
        );
        // An unreadable line stops the walk where it stands.
        let hops = ForwardedHeader::XForwardedFor.hops([Some("198.51.100.9"), None]);
        assert_eq!(client_ip(ip("127.0.0.1"), &hops, &trusted), ip("127.0.0.1"));
    }

    #[test]
    fn the_standard_forwarded_header_is_read() {
        let trusted = parse_allow_list("127.0.0.1, 10.0.0.0/8").unwrap();
        let hops = ForwardedHeader::Forwarded.hops([
            Some("for=203.0.113.7"),
            Some(r#"For="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.3;by=10.0.0.1"#),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &hops, &trusted),
            ip("2001:db8:cafe::17")
        );
        let hidden = ForwardedHeader::Forwarded.hops([Some("for=_hidden, for=10.0.0.3")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &hidden, &trusted),
            ip("10.0.0.3")
        );
        let no_for = ForwardedHeader::Forwarded.hops([Some("proto=https;by=10.0.0.1")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &no_for, &trusted),
            ip("127.0.0.1")
        );
    }
}
