//! Durable sandbox records in SQLite (`daytona.db` in the data dir).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection};

use super::record::SandboxRecord;

/// The sandbox table. Every write is committed before the caller answers.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (or creates) the database.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS sandboxes (
                 id TEXT PRIMARY KEY,
                 name TEXT NOT NULL UNIQUE,
                 record TEXT NOT NULL
             );",
        )?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Every stored sandbox.
    pub fn load_all(&self) -> rusqlite::Result<Vec<SandboxRecord>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = conn.prepare("SELECT record FROM sandboxes")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            match serde_json::from_str(&json?) {
                Ok(rec) => out.push(rec),
                Err(e) => tracing::error!("skipping unreadable sandbox record: {e}"),
            }
        }
        Ok(out)
    }

    /// Inserts or replaces a record.
    pub fn put(&self, rec: &SandboxRecord) -> rusqlite::Result<()> {
        let json = serde_json::to_string(rec).expect("records serialize");
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute(
            "INSERT INTO sandboxes (id, name, record) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, record = excluded.record",
            params![rec.dto.id, rec.dto.name, json],
        )?;
        Ok(())
    }

    /// Removes a record.
    pub fn remove(&self, id: &str) -> rusqlite::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute("DELETE FROM sandboxes WHERE id = ?1", params![id])?;
        Ok(())
    }
}
