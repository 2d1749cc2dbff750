//! `GET /port` and `GET /port/{port}/in-use`: the TCP ports something listens on in the
//! sandbox (its own network namespace: `/proc/net/tcp` and `tcp6` as the agent sees them).

use axum::extract::Path;
use axum::Json;
use daytona_models::{IsPortInUse, PortList};

use super::error::ToolboxError;

/// The local ports of sockets in state LISTEN in a `/proc/net/tcp`-style table.
fn listening(table: &str) -> impl Iterator<Item = u16> + '_ {
    table.lines().skip(1).filter_map(|line| {
        let mut fields = line.split_whitespace();
        let local = fields.nth(1)?;
        let state = fields.nth(1)?;
        (state == "0A").then_some(())?;
        u16::from_str_radix(local.rsplit(':').next()?, 16).ok()
    })
}

fn ports() -> Vec<u16> {
    let mut ports: Vec<u16> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|t| std::fs::read_to_string(t).ok())
        .flat_map(|table| listening(&table).collect::<Vec<_>>())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Handler of `GET /port`.
pub async fn list() -> Json<PortList> {
    Json(PortList { ports: tokio::task::spawn_blocking(ports).await.unwrap_or_default() })
}

/// Handler of `GET /port/{port}/in-use`.
pub async fn in_use(Path(port): Path<String>) -> Result<Json<IsPortInUse>, ToolboxError> {
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| ToolboxError::BadRequest(format!("port must be between 1 and 65535, got {port:?}")))?;
    let ports = tokio::task::spawn_blocking(ports).await.unwrap_or_default();
    Ok(Json(IsPortInUse { is_in_use: ports.contains(&port) }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_listening_sockets_count() {
        let table =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
           0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1\n\
           1: 0100007F:1F41 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 2 1\n";
        assert_eq!(super::listening(table).collect::<Vec<_>>(), vec![8000]);
    }
}
