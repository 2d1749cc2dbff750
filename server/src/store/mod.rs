//! Durable records, kept in SQLite (`daytona.db` in the data dir): each sandbox's
//! [`record::SandboxRecord`] (its DTO plus what only the server knows), each volume's and each
//! snapshot's DTO, each registry's DTO and password.
//!
//! Imports nothing of the crate but `time`; every other layer may import it.

pub mod record;

use parking_lot::Mutex;
use std::path::Path;

use rusqlite::{params, Connection};

use daytona_models::{Snapshot, Volume};
use record::SandboxRecord;

/// The database. Every write is committed before the caller answers.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (or creates) the database. The database and its `-wal`, `-shm` and `-journal`
    /// files are private (0600) whatever the umask: created so, and fixed if they exist.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        make_private(path, true).map_err(|e| io_error(path, e))?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // SQLite creates these with the database's mode; older ones may predate that.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            make_private(Path::new(&side), false).map_err(|e| io_error(Path::new(&side), e))?;
        }
        for table in Table::ALL {
            conn.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS {} (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, record TEXT NOT NULL);",
                table.sql_name()
            ))?;
        }
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Inserts or replaces a record.
    pub fn put(&self, rec: &SandboxRecord) -> rusqlite::Result<()> {
        let json = serde_json::to_string(rec).expect("records serialize");
        let conn = self.conn.lock();
        conn.execute(
            "INSERT INTO sandboxes (id, name, record) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, record = excluded.record",
            params![rec.dto.id, rec.dto.name, json],
        )?;
        Ok(())
    }
}

/// The tables: JSON records keyed by id, with unique names.
#[derive(Clone, Copy, Debug)]
pub enum Table {
    /// [`SandboxRecord`]s.
    Sandboxes,
    /// [`Volume`]s.
    Volumes,
    /// [`Snapshot`]s.
    Snapshots,
    /// [`record::RegistryRecord`]s.
    Registries,
}

impl Table {
    const ALL: [Self; 4] = [Self::Sandboxes, Self::Volumes, Self::Snapshots, Self::Registries];

    fn sql_name(self) -> &'static str {
        match self {
            Self::Sandboxes => "sandboxes",
            Self::Volumes => "volumes",
            Self::Snapshots => "snapshots",
            Self::Registries => "registries",
        }
    }
}

/// A record of a [`Table`]: its id and unique name.
pub trait Named {
    /// Primary key.
    fn id(&self) -> &str;
    /// Unique name.
    fn name(&self) -> &str;
}

impl Named for Volume {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Snapshot {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Store {
    /// Every record of `table` (unreadable ones are logged and skipped).
    pub fn records<T: serde::de::DeserializeOwned>(&self, table: Table) -> rusqlite::Result<Vec<T>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare(&format!("SELECT record FROM {}", table.sql_name()))?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            match serde_json::from_str(&json?) {
                Ok(v) => out.push(v),
                Err(e) => tracing::error!("skipping an unreadable record of {}: {e}", table.sql_name()),
            }
        }
        Ok(out)
    }

    /// Inserts a new record; a constraint violation if its id or name is taken.
    pub fn insert<T: serde::Serialize + Named>(&self, table: Table, rec: &T) -> rusqlite::Result<()> {
        let json = serde_json::to_string(rec).expect("records serialize");
        let sql = format!("INSERT INTO {} (id, name, record) VALUES (?1, ?2, ?3)", table.sql_name());
        self.conn.lock().execute(&sql, params![rec.id(), rec.name(), json])?;
        Ok(())
    }

    /// Replaces a stored record (by id).
    pub fn replace<T: serde::Serialize + Named>(&self, table: Table, rec: &T) -> rusqlite::Result<()> {
        let json = serde_json::to_string(rec).expect("records serialize");
        let sql = format!("UPDATE {} SET record = ?2 WHERE id = ?1", table.sql_name());
        self.conn.lock().execute(&sql, params![rec.id(), json])?;
        Ok(())
    }

    /// Removes a record.
    pub fn delete(&self, table: Table, id: &str) -> rusqlite::Result<()> {
        self.conn.lock().execute(&format!("DELETE FROM {} WHERE id = ?1", table.sql_name()), params![id])?;
        Ok(())
    }
}

/// Mode of the database files: read and write for the server's user only.
const PRIVATE_FILE: u32 = 0o600;

/// Sets `path` to mode 0600; creates it so (empty, which SQLite takes for a new database)
/// when `create` and it does not exist. A missing file is fine otherwise.
fn make_private(path: &Path, create: bool) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if create {
        // Never readable by others, not even briefly.
        std::fs::OpenOptions::new().append(true).create(true).mode(PRIVATE_FILE).open(path)?;
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(PRIVATE_FILE)) {
        Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn io_error(path: &Path, e: std::io::Error) -> rusqlite::Error {
    let code = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_PERM);
    rusqlite::Error::SqliteFailure(code, Some(format!("making {} private: {e}", path.display())))
}
