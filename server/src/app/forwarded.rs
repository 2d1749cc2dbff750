//! The scheme and host a client reached this server under, for the URLs the API hands out
//! (`toolboxProxyUrl`, preview URLs, the URLs of `/api/config`). `X-Forwarded-Host` and
//! `X-Forwarded-Proto` count only when the TCP peer is a `--trusted-proxy`; a `Host` (or
//! forwarded host) that is not a plain `host[:port]` is ignored, so nothing a client sends
//! is reflected into those URLs except a well-formed host name.

use std::net::{IpAddr, SocketAddr};

use axum::http::{header, HeaderMap};

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or a single address, as given to
/// `--trusted-proxy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an IP address or a network in CIDR notation (e.g. 10.0.0.0/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` is in this network; an IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, as seen on
    /// a dual-stack listener) also counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        [ip, ip.to_canonical()].into_iter().any(|ip| match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        })
    }
}

/// What the server knows about the connection a request came on; every request carries it as
/// an extension.
#[derive(Clone, Copy, Debug)]
pub struct Conn {
    /// The TCP peer.
    pub peer: SocketAddr,
    /// This server's end of the connection (the address the client connected to).
    pub local: SocketAddr,
    /// Whether the peer is a `--trusted-proxy`, whose `X-Forwarded-*` headers count.
    pub trusted_proxy: bool,
    /// Whether it came over TLS (`--tls-listen`).
    pub tls: bool,
}

/// `scheme://host[:port]` of this server as the client sees it: the forwarded host and scheme
/// from a trusted proxy, else the `Host` header, else the address the client connected to.
pub fn origin(headers: &HeaderMap, conn: Option<&Conn>) -> String {
    let trusted = conn.is_some_and(|c| c.trusted_proxy);
    // A chain of proxies appends: the first entry is what the client asked for.
    let forwarded = |name: &str| {
        headers
            .get(name)
            .filter(|_| trusted)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    let host = forwarded("x-forwarded-host")
        .filter(|h| is_host(h))
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_host(h)))
        .map(str::to_owned)
        .unwrap_or_else(|| conn.map_or_else(|| "127.0.0.1:3000".to_owned(), |c| c.local.to_string()));
    let proto = match forwarded("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        Some(_) => "http",
        None if conn.is_some_and(|c| c.tls) => "https",
        None => "http",
    };
    format!("{proto}://{host}")
}

/// Whether `s` is a plain `host[:port]`: a DNS name (ASCII letters, digits, `-` and `_` in
/// dot-separated labels of at most 63), an IPv4 address or a bracketed IPv6 address, and an
/// optional decimal port.
pub fn is_host(s: &str) -> bool {
    let (host, port) = match s.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, after)) if v6.parse::<std::net::Ipv6Addr>().is_ok() => match after {
                "" => return true,
                after => match after.strip_prefix(':') {
                    Some(port) => ("", Some(port)),
                    None => return false,
                },
            },
            _ => return false,
        },
        None => match s.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        },
    };
    let port_ok = match port {
        None => true,
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok(),
    };
    let name_ok = |host: &str| {
        !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    };
    port_ok && (s.starts_with('[') || name_ok(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(trusted_proxy: bool) -> Conn {
        Conn {
            peer: "10.1.2.3:5555".parse().unwrap(),
            local: "127.0.0.1:3000".parse().unwrap(),
            trusted_proxy,
            tls: false,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn networks() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.255.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        let one = Cidr::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()) && !one.contains("127.0.0.2".parse().unwrap()));
        let v6 = Cidr::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()) && !v6.contains("fe80::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "::/129", "example.com", "10.0.0.0/", "10.0.0.0/x"] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn hosts() {
        for good in
            ["localhost", "localhost:3000", "127.0.0.1:3000", "[::1]:3000", "[::1]", "box.example.com", "a_b-c.d"]
        {
            assert!(is_host(good), "{good:?} refused");
        }
        for bad in [
            "", ":3000", "a\"b", "x/y", "a b", "a:b", "a:", "a:99999", "a:1:2", "::1", "[::1", "[x]:1", "[::1]x",
            "a..b", ".a", "a@b", "a<b>", "a\\b", "a#b",
        ] {
            assert!(!is_host(bad), "{bad:?} accepted");
        }
        assert!(!is_host(&"a".repeat(64)));
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(origin(&h, Some(&conn(false))), "http://127.0.0.1:3000");
        assert_eq!(origin(&h, Some(&conn(true))), "https://evil.example");
        let chain = headers(&[("host", "proxy:80"), ("x-forwarded-host", "a.example, b.example")]);
        assert_eq!(origin(&chain, Some(&conn(true))), "http://a.example");
        let junk = headers(&[("host", "h:1"), ("x-forwarded-host", "a\"b"), ("x-forwarded-proto", "javascript")]);
        assert_eq!(origin(&junk, Some(&conn(true))), "http://h:1");
    }

    #[test]
    fn a_junk_host_falls_back_to_the_local_address() {
        assert_eq!(origin(&headers(&[("host", "a\"b")]), Some(&conn(false))), "http://127.0.0.1:3000");
        assert_eq!(origin(&headers(&[("host", "x/y")]), Some(&conn(true))), "http://127.0.0.1:3000");
        assert_eq!(origin(&HeaderMap::new(), Some(&conn(false))), "http://127.0.0.1:3000");
    }
}
