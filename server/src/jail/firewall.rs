//! The firewall of a networked sandbox: an nftables rule set inside the sandbox's own network
//! namespace, loaded by the server while the sandbox starts (before anything of the sandbox's
//! own can run); the sandbox user has no capability to change it.
//!
//! Always: the host's own addresses (every address of its interfaces, so also services bound to
//! 0.0.0.0) and link-local addresses (cloud metadata services) are unreachable; slirp4netns
//! already keeps the host's loopback out. With `networkAllowList`, a sandbox may only open
//! connections to those networks and to its DNS forwarder. DNS stays open so that names
//! resolve: a sandbox behind an allow list can still send queries through the host's
//! resolver, which is a (slow) channel out; use `networkBlockAll` where that matters.

use std::net::IpAddr;
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

/// The DNS forwarder of slirp4netns, always allowed (names must resolve to reach the list).
const DNS: &str = "10.0.2.3";

/// A parsed allow list: IPv4 and IPv6 networks in CIDR notation.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowList {
    v4: Vec<String>,
    v6: Vec<String>,
}

impl AllowList {
    /// Parses Daytona's comma-separated CIDR list; `None` for an absent or empty list.
    pub fn parse(list: Option<&str>) -> Result<Option<Self>, String> {
        let networks =
            daytona_models::parse_allow_list(list.unwrap_or("")).map_err(|e| format!("networkAllowList: {e}"))?;
        if networks.is_empty() {
            return Ok(None);
        }
        let (v4, v6): (Vec<_>, Vec<_>) = networks.into_iter().partition(|(addr, _)| addr.is_ipv4());
        let cidrs = |v: Vec<(IpAddr, u8)>| v.into_iter().map(|(a, p)| format!("{a}/{p}")).collect();
        Ok(Some(Self { v4: cidrs(v4), v6: cidrs(v6) }))
    }

    /// The rules that let through what the list allows (the chain's policy drops the rest).
    fn rules(&self) -> Vec<String> {
        let mut rules = vec![
            "ct state established,related accept".to_owned(),
            format!("ip daddr {DNS} udp dport 53 accept"),
            format!("ip daddr {DNS} tcp dport 53 accept"),
        ];
        // One rule per network: overlapping networks would conflict inside one set.
        rules.extend(self.v4.iter().map(|net| format!("ip daddr {net} accept")));
        rules.extend(self.v6.iter().map(|net| format!("ip6 daddr {net} accept")));
        rules
    }
}

/// Link-local networks (cloud metadata services live there), blocked like the host.
const LINK_LOCAL: [&str; 2] = ["169.254.0.0/16", "fe80::/10"];

/// A networked sandbox's firewall: the host's addresses blocked, and its allow list if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Firewall {
    host: Vec<IpAddr>,
    allow_list: Option<AllowList>,
    /// Nothing out but loopback (`networkBlockAll` set while the sandbox runs).
    block_all: bool,
}

impl Firewall {
    /// Blocks this host's addresses (read now, from its interfaces).
    pub fn for_this_host() -> Self {
        Self { host: host_addresses(), allow_list: None, block_all: false }
    }

    /// This firewall plus a sandbox's `networkAllowList`.
    pub fn with_allow_list(&self, list: Option<&str>) -> Result<Self, String> {
        Ok(Self { host: self.host.clone(), allow_list: AllowList::parse(list)?, block_all: false })
    }

    /// This firewall letting nothing out but loopback.
    pub fn blocking_all(&self) -> Self {
        Self { host: self.host.clone(), allow_list: None, block_all: true }
    }

    /// The nftables rule set: outgoing traffic to the host or link-local addresses dropped;
    /// with an allow list, everything dropped unless it goes to loopback, answers a connection
    /// made to the sandbox, asks the DNS forwarder, or targets a listed network.
    fn ruleset(&self) -> String {
        if self.block_all {
            let rules = "type filter hook output priority 0; policy drop;\n    oif \"lo\" accept";
            return format!("flush ruleset\ntable inet daytona {{\n  chain output {{\n    {rules}\n  }}\n}}\n");
        }
        let policy = if self.allow_list.is_some() { "drop" } else { "accept" };
        let mut rules =
            vec![format!("type filter hook output priority 0; policy {policy};"), "oif \"lo\" accept".to_owned()];
        let (v4, v6): (Vec<String>, Vec<String>) =
            self.host.iter().map(IpAddr::to_string).chain(LINK_LOCAL.map(String::from)).partition(|a| !a.contains(':'));
        rules.push(format!("ip daddr {{ {} }} drop", v4.join(", ")));
        rules.push(format!("ip6 daddr {{ {} }} drop", v6.join(", ")));
        if let Some(list) = &self.allow_list {
            rules.extend(list.rules());
        }
        // `flush ruleset` first: loaded again into a running sandbox, the new rules replace the old.
        format!("flush ruleset\ntable inet daytona {{\n  chain output {{\n    {}\n  }}\n}}\n", rules.join("\n    "))
    }

    /// Loads the rule set into the network namespace of `pid`, entering its user namespace
    /// too when the server is not root (that namespace is the server's own).
    pub async fn apply(&self, pid: i32, as_root: bool) -> Result<(), String> {
        let mut cmd = tokio::process::Command::new("nsenter");
        if !as_root {
            cmd.arg(format!("--user=/proc/{pid}/ns/user")).arg("--preserve-credentials");
        }
        cmd.arg(format!("--net=/proc/{pid}/ns/net")).args(["nft", "-f", "-"]);
        cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| format!("firewall: starting nsenter: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(self.ruleset().as_bytes()).await.map_err(|e| format!("firewall: {e}"))?;
        drop(stdin);
        let out = child.wait_with_output().await.map_err(|e| format!("firewall: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        Err(match err.contains("nft") && err.contains("No such file") {
            true => "a sandbox's network needs nftables (nft), which is not installed: run scripts/setup.sh".into(),
            false => format!("loading the sandbox's firewall failed: {}", err.trim()),
        })
    }
}

/// Every address of this host's interfaces but loopback (slirp4netns keeps that out).
fn host_addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills a list we walk read-only and free once.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            tracing::warn!("listing the host's addresses: {}", std::io::Error::last_os_error());
            return found;
        }
        let mut cur = list;
        while !cur.is_null() {
            let addr = (*cur).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(addr as *const libc::sockaddr_in);
                        found.push(IpAddr::from(u32::from_be(sin.sin_addr.s_addr).to_be_bytes()));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(addr as *const libc::sockaddr_in6);
                        found.push(IpAddr::from(sin6.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            cur = (*cur).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found.retain(|a| !a.is_loopback());
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_become_rules() {
        assert_eq!(AllowList::parse(None), Ok(None));
        assert_eq!(AllowList::parse(Some(" , ")), Ok(None));
        let host = Firewall { host: vec!["192.0.2.1".parse().unwrap()], allow_list: None, block_all: false };
        let closed = host.blocking_all().ruleset();
        assert!(
            closed.contains("policy drop;") && closed.contains("oif \"lo\" accept") && !closed.contains("53"),
            "{closed}"
        );
        let open = host.ruleset();
        assert!(
            open.contains("policy accept;") && open.contains("ip daddr { 192.0.2.1, 169.254.0.0/16 } drop"),
            "{open}"
        );
        let list = host.with_allow_list(Some("10.1.0.0/16, 192.0.2.7/32,2001:db8::/32")).unwrap();
        let rules = list.ruleset();
        assert!(
            rules.find("192.0.2.1, 169").unwrap() < rules.find("10.1.0.0/16 accept").unwrap(),
            "host first: {rules}"
        );
        assert!(rules.contains("policy drop;"), "{rules}");
        assert!(rules.contains("ip daddr 10.1.0.0/16 accept\n    ip daddr 192.0.2.7/32 accept"), "{rules}");
        assert!(rules.contains("ip6 daddr 2001:db8::/32 accept"), "{rules}");
        assert!(AllowList::parse(Some("10.0.0.0")).is_err());
    }
}
