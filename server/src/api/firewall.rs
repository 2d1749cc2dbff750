//! `networkAllowList`: a sandbox with an allow list may only open connections to those
//! networks (and to its DNS forwarder). Enforced with an nftables rule set inside the
//! sandbox's own network namespace, loaded by the server before anything in the sandbox runs;
//! the sandbox user has no capability to change it.

use std::net::IpAddr;
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

/// The DNS forwarder of slirp4netns, always allowed (names must resolve to reach the list).
const DNS: &str = "10.0.2.3";

/// A parsed allow list: IPv4 and IPv6 networks in CIDR notation.
#[derive(Debug, PartialEq)]
pub struct AllowList {
    v4: Vec<String>,
    v6: Vec<String>,
}

impl AllowList {
    /// Parses Daytona's comma-separated CIDR list; `None` for an absent or empty list.
    pub fn parse(list: Option<&str>) -> Result<Option<Self>, String> {
        let networks = daytona_models::parse_allow_list(list.unwrap_or(""))?;
        if networks.is_empty() {
            return Ok(None);
        }
        let (v4, v6): (Vec<_>, Vec<_>) = networks.into_iter().partition(|(addr, _)| addr.is_ipv4());
        let cidrs = |v: Vec<(IpAddr, u8)>| v.into_iter().map(|(a, p)| format!("{a}/{p}")).collect();
        Ok(Some(Self { v4: cidrs(v4), v6: cidrs(v6) }))
    }

    /// The nftables rule set: outgoing traffic dropped unless it goes to loopback, answers a
    /// connection made to the sandbox, asks the DNS forwarder, or targets a listed network.
    fn ruleset(&self) -> String {
        let mut rules = vec![
            "type filter hook output priority 0; policy drop;".to_owned(),
            "oif \"lo\" accept".to_owned(),
            "ct state established,related accept".to_owned(),
            format!("ip daddr {DNS} udp dport 53 accept"),
            format!("ip daddr {DNS} tcp dport 53 accept"),
        ];
        // One rule per network: overlapping networks would conflict inside one set.
        rules.extend(self.v4.iter().map(|net| format!("ip daddr {net} accept")));
        rules.extend(self.v6.iter().map(|net| format!("ip6 daddr {net} accept")));
        format!("table inet daytona_allow_list {{\n  chain output {{\n    {}\n  }}\n}}\n", rules.join("\n    "))
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
        let mut child = cmd.spawn().map_err(|e| format!("networkAllowList: starting nsenter: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(self.ruleset().as_bytes()).await.map_err(|e| format!("networkAllowList: {e}"))?;
        drop(stdin);
        let out = child.wait_with_output().await.map_err(|e| format!("networkAllowList: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        Err(match err.contains("nft") && err.contains("No such file") {
            true => "networkAllowList needs nftables (nft), which is not installed: run scripts/setup.sh".into(),
            false => format!("networkAllowList: loading the firewall failed: {}", err.trim()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_become_rules() {
        assert_eq!(AllowList::parse(None), Ok(None));
        assert_eq!(AllowList::parse(Some(" , ")), Ok(None));
        let list = AllowList::parse(Some("10.1.0.0/16, 192.0.2.7/32,2001:db8::/32")).unwrap().unwrap();
        let rules = list.ruleset();
        assert!(rules.contains("policy drop;"), "{rules}");
        assert!(rules.contains("ip daddr 10.1.0.0/16 accept\n    ip daddr 192.0.2.7/32 accept"), "{rules}");
        assert!(rules.contains("ip6 daddr 2001:db8::/32 accept"), "{rules}");
        assert!(AllowList::parse(Some("10.0.0.0")).is_err());
    }
}
