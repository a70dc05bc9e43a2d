//! The host names of every AWS endpoint the SDK calls (SES, and the credential
//! and region chain's STS, SSO and instance metadata when they are named)
//! resolved by hickory-resolver from `/etc/resolv.conf` and `/etc/hosts`,
//! never by the C library's `getaddrinfo`.
//!
//! `getaddrinfo` goes through glibc's NSS, configured by `/etc/nsswitch.conf`
//! and able to load modules (shared libraries) at run time, which a statically
//! linked binary cannot do: the container image (`FROM scratch`,
//! deploy/container/) has neither. hickory reads the same two files a pod or a
//! host gives the C library, the same way on every machine.
//!
//! Address literals (`http://127.0.0.1:4566`, instance metadata's
//! `169.254.169.254`) never reach a resolver: the HTTP client connects to them
//! as they are.
//!
//! Two lookups stay the C library's, outside the HTTP client: aws-config checks
//! with tokio's resolver that an `http://` `AWS_CONTAINER_CREDENTIALS_FULL_URI`
//! whose host is a *name* points at a loopback or container address (ECS and EKS
//! Pod Identity give addresses, 169.254.170.2 and 169.254.170.23, which need no
//! lookup), and the home directory is looked up in the user database only when
//! `HOME` is unset (container runtimes set it from the image's `/etc/passwd`).
//! Both still work in the image: glibc (2.34 and later) has its `files` and
//! `dns` sources built in, also when linked statically; what a static binary
//! cannot load are the other NSS modules (mdns, systemd-resolved, LDAP…).

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::LookupIpStrategy;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;

/// A resolver from the system's configuration (`/etc/resolv.conf`, `/etc/hosts`;
/// `localhost` is the loopback addresses, as RFC 6761 asks), built on the first
/// name it is asked for; clones share it and its cache. One per
/// [`crate::SesSession`], and `serve --listen NAME:PORT` asks one too.
#[derive(Clone)]
pub struct HickoryDns {
    resolver: Arc<OnceLock<Result<TokioResolver, String>>>,
    /// Tests: these servers instead of the system's.
    #[cfg(test)]
    servers: Option<std::net::SocketAddr>,
}

impl fmt::Debug for HickoryDns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HickoryDns")
    }
}

/// Why a name has no address, in words: the error's root is what people read
/// ("could not reach SES (us-east-1): …").
#[derive(Debug)]
struct NoAddress(String);

impl fmt::Display for NoAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoAddress {}

impl HickoryDns {
    /// The system's resolver (read when first used).
    pub fn system() -> HickoryDns {
        HickoryDns {
            resolver: Arc::default(),
            #[cfg(test)]
            servers: None,
        }
    }

    /// Tests: a resolver asking only `server` (UDP and TCP).
    #[cfg(test)]
    pub(crate) fn asking(server: std::net::SocketAddr) -> HickoryDns {
        HickoryDns { servers: Some(server), ..HickoryDns::system() }
    }

    fn build(&self) -> Result<TokioResolver, String> {
        #[cfg(test)]
        if let Some(server) = self.servers {
            use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
            use hickory_resolver::net::runtime::TokioRuntimeProvider;
            let mut connections = vec![ConnectionConfig::udp(), ConnectionConfig::tcp()];
            for c in &mut connections {
                c.port = server.port();
            }
            let config = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
                server.ip(),
                true,
                connections,
            )]);
            let mut builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
            builder.options_mut().ip_strategy = LookupIpStrategy::Ipv4thenIpv6;
            return builder.build().map_err(|e| e.to_string());
        }
        let mut builder = TokioResolver::builder_tokio()
            .map_err(|e| format!("the system's DNS configuration (/etc/resolv.conf) cannot be read: {e}"))?;
        // A first, AAAA only for a name without one: hickory's default asks both
        // and waits for both, so even a name /etc/hosts answers would wait for
        // DNS's AAAA answer; every AWS endpoint has A records
        builder.options_mut().ip_strategy = LookupIpStrategy::Ipv4thenIpv6;
        builder.build().map_err(|e| format!("cannot start the DNS resolver: {e}"))
    }

    /// The addresses of `name` (an address literal is its own answer), or why
    /// there are none, in one sentence.
    pub async fn lookup(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        // a bare or bracketed address literal, should one be asked for
        if let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        // RFC 6761: localhost names are loopback, asked of nobody (not even
        // when there is no /etc/resolv.conf to read)
        let bare = name.trim_end_matches('.').to_ascii_lowercase();
        if bare == "localhost" || bare.ends_with(".localhost") {
            return Ok(vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)]);
        }
        let resolver = self.resolver.get_or_init(|| self.build()).as_ref().map_err(Clone::clone)?;
        let shown = sendlint_records::display::escape(name.as_bytes()).text;
        match resolver.lookup_ip(name).await {
            Ok(found) => {
                let addrs: Vec<IpAddr> = found.iter().collect();
                if addrs.is_empty() {
                    return Err(format!("{shown} has no address (A or AAAA) records"));
                }
                Ok(addrs)
            }
            Err(NetError::Dns(DnsError::NoRecordsFound(no)))
                if no.response_code == ResponseCode::NXDomain =>
            {
                Err(format!("{shown} does not exist in DNS (NXDOMAIN)"))
            }
            Err(NetError::Dns(DnsError::NoRecordsFound(_))) => {
                Err(format!("{shown} has no address (A or AAAA) records"))
            }
            Err(NetError::Timeout) => Err(format!("no DNS server answered for {shown} in time")),
            Err(e) => Err(format!("cannot resolve {shown}: {e}")),
        }
    }
}

impl ResolveDns for HickoryDns {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        DnsFuture::new(async move { self.lookup(name).await.map_err(|e| ResolveDnsError::new(NoAddress(e))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn address_literals_and_localhost_are_answered_without_any_resolver() {
        let dns = HickoryDns::system();
        for (name, ip) in
            [("127.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("169.254.169.254", "169.254.169.254")]
        {
            let got = dns.resolve_dns(name).await.expect(name);
            assert_eq!(got, vec![ip.parse::<IpAddr>().unwrap()], "{name}");
        }
        // no resolver was built for them
        assert!(dns.resolver.get().is_none());
    }
}
