//! A sandbox's `networkAllowList`: parsing and checking the comma-separated CIDR list, as the
//! server applies it and the SDKs validate it.

use crate::Quoted;
use std::net::IpAddr;

/// Most networks in one `networkAllowList`.
pub const MAX_ALLOWED_NETWORKS: usize = 10;

/// Parses a sandbox's `networkAllowList` (comma-separated CIDRs such as `10.0.0.0/8`) into
/// `(address, prefix length)` pairs; empty for an absent or blank list. The rule the server
/// enforces and the console checks as you type; the messages name no field (the server's say
/// `networkAllowList`, the console's field is "Allowed networks").
pub fn parse_allow_list(list: &str) -> Result<Vec<(IpAddr, u8)>, String> {
    let items: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if items.len() > MAX_ALLOWED_NETWORKS {
        return Err(format!("at most {MAX_ALLOWED_NETWORKS} networks, got {}", items.len()));
    }
    items
        .into_iter()
        .map(|item| {
            let bad = || format!("{} is not a network in CIDR notation (e.g. 192.168.1.0/24)", Quoted(item));
            let (addr, prefix) = item.split_once('/').ok_or_else(bad)?;
            let addr: IpAddr = addr.parse().map_err(|_| bad())?;
            let prefix: u8 = prefix.parse().map_err(|_| bad())?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            if prefix > max {
                return Err(bad());
            }
            Ok((addr, prefix))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists() {
        assert_eq!(parse_allow_list(" , "), Ok(vec![]));
        let parsed = parse_allow_list("10.1.0.0/16, 2001:db8::/32").unwrap();
        assert_eq!(parsed, vec![("10.1.0.0".parse().unwrap(), 16), ("2001:db8::".parse().unwrap(), 32)]);
        for bad in ["10.0.0.0", "10.0.0.0/33", "example.com/24", "::/129", "1.2.3.4/x"] {
            assert!(parse_allow_list(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_allow_list(&["10.0.0.0/8"; MAX_ALLOWED_NETWORKS + 1].join(",")).is_err());
    }
}
