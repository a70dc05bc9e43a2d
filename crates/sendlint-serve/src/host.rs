//! The names this server answers as, against DNS rebinding: a page on
//! `evil.example` whose name the attacker re-points at 127.0.0.1 reaches the
//! server with `Host: evil.example`, and is refused.
//!
//! - Always: `localhost` and loopback addresses (127.0.0.0/8, `::1`).
//! - Listening on one address: that address too.
//! - Listening on every address (`0.0.0.0`, `::`, which needs a token): any IP
//!   address, as the machine's own addresses are not known in advance. An
//!   address literal cannot be rebound: a browser sends it only to that address.
//! - The names given with `--allowed-host` (a reverse proxy's public name), and
//!   the host name given to `--listen`.
//!
//! Any port is accepted (a forwarded port keeps working); names compare
//! without case and without a final dot.

use std::net::{IpAddr, SocketAddr};

/// The `Host` values a server accepts.
#[derive(Clone, Debug)]
pub struct Hosts {
    names: Vec<String>,
    listen: IpAddr,
}

/// `host[:port]` split into the host (lowercase, no final dot, IPv6 without
/// brackets) and the port; `None` when it is not an authority.
pub(crate) fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        ip.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (ip, port)
    } else {
        match authority.split_once(':') {
            Some((_, p)) if p.contains(':') => return None, // IPv6 without brackets
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let name_ok = |h: &str| {
        !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    };
    if !name_ok(&host) && host.parse::<IpAddr>().is_err() {
        return None;
    }
    Some((host, port))
}

impl Hosts {
    /// The hosts of a server listening on `listen`, with `extra` names.
    pub fn new(listen: SocketAddr, extra: &[String]) -> Hosts {
        let names = extra
            .iter()
            .filter_map(|n| split_authority(n.trim()).map(|(h, _)| h))
            .filter(|h| h.parse::<IpAddr>().is_err())
            .collect();
        Hosts { names, listen: listen.ip() }
    }

    /// Whether `host` (as split by [`split_authority`]) is one of this server's.
    pub(crate) fn allows(&self, host: &str) -> bool {
        match host.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.listen || self.listen.is_unspecified(),
            Err(_) => host == "localhost" || self.names.iter().any(|n| n == host),
        }
    }

    /// Whether `host` is one of the `--allowed-host` names (a reverse proxy's).
    pub(crate) fn is_extra(&self, host: &str) -> bool {
        self.names.iter().any(|n| n == host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(split_authority("LocalHost.:8080"), Some(("localhost".into(), Some(8080))));
        assert_eq!(split_authority("[::1]:80"), Some(("::1".into(), Some(80))));
        assert_eq!(split_authority("[::1]"), Some(("::1".into(), None)));
        assert_eq!(split_authority("127.0.0.1"), Some(("127.0.0.1".into(), None)));
        for bad in ["", ":80", "a:b", "[::1", "[::1]x", "a b", "a/b:1", "a:99999", "::1"] {
            assert_eq!(split_authority(bad), None, "{bad}");
        }
    }

    #[test]
    fn loopback_listeners_answer_only_loopback_names_and_the_extra_ones() {
        let h = Hosts::new("127.0.0.1:8080".parse().unwrap(), &["Sendlint.Corp.example".into()]);
        for ok in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "sendlint.corp.example"] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "192.0.2.7", "corp.example"]
        {
            assert!(!h.allows(bad), "{bad}");
        }
        let any = Hosts::new("0.0.0.0:8080".parse().unwrap(), &[]);
        assert!(any.allows("192.0.2.7") && any.allows("localhost") && !any.allows("evil.example"));
        let one = Hosts::new("192.0.2.7:8080".parse().unwrap(), &[]);
        assert!(one.allows("192.0.2.7") && !one.allows("192.0.2.8"));
    }
}
