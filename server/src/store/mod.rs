//! Durable records, kept in SQLite (`daytona.db` in the data dir): each sandbox's
//! [`record::SandboxRecord`] (its DTO plus what only the server knows) and each volume's DTO.
//!
//! Imports nothing of the crate but `time`; every other layer may import it.

pub mod record;

use parking_lot::Mutex;
use std::path::Path;

use rusqlite::{params, Connection};

use daytona_models::Volume;
use record::SandboxRecord;

/// The sandbox table. Every write is committed before the caller answers.
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
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS sandboxes (
                 id TEXT PRIMARY KEY,
                 name TEXT NOT NULL UNIQUE,
                 record TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS volumes (
                 id TEXT PRIMARY KEY,
                 name TEXT NOT NULL UNIQUE,
                 record TEXT NOT NULL
             );",
        )?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Every stored sandbox.
    pub fn load_all(&self) -> rusqlite::Result<Vec<SandboxRecord>> {
        let conn = self.conn.lock();
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
        let conn = self.conn.lock();
        conn.execute(
            "INSERT INTO sandboxes (id, name, record) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, record = excluded.record",
            params![rec.dto.id, rec.dto.name, json],
        )?;
        Ok(())
    }

    /// Removes a record.
    pub fn remove(&self, id: &str) -> rusqlite::Result<()> {
        let conn = self.conn.lock();
        conn.execute("DELETE FROM sandboxes WHERE id = ?1", params![id])?;
        Ok(())
    }
}

impl Store {
    /// Every stored volume.
    pub fn volumes(&self) -> rusqlite::Result<Vec<Volume>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare("SELECT record FROM volumes")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            match serde_json::from_str(&json?) {
                Ok(v) => out.push(v),
                Err(e) => tracing::error!("skipping unreadable volume record: {e}"),
            }
        }
        Ok(out)
    }

    /// Inserts a new volume; a constraint violation if its id or name is taken.
    pub fn insert_volume(&self, v: &Volume) -> rusqlite::Result<()> {
        let json = serde_json::to_string(v).expect("volumes serialize");
        self.conn
            .lock()
            .execute("INSERT INTO volumes (id, name, record) VALUES (?1, ?2, ?3)", params![v.id, v.name, json])?;
        Ok(())
    }

    /// Replaces a stored volume's record.
    pub fn update_volume(&self, v: &Volume) -> rusqlite::Result<()> {
        let json = serde_json::to_string(v).expect("volumes serialize");
        self.conn.lock().execute("UPDATE volumes SET record = ?2 WHERE id = ?1", params![v.id, json])?;
        Ok(())
    }

    /// Removes a volume's record.
    pub fn remove_volume(&self, id: &str) -> rusqlite::Result<()> {
        self.conn.lock().execute("DELETE FROM volumes WHERE id = ?1", params![id])?;
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
