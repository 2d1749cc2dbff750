//! Shared server state: the records (in memory, written through to SQLite) and the runtime.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use daytona_models::SandboxState;

use super::error::ApiError;
use crate::jail::runtime::Runtime;
use crate::store::record::{ControlEvent, SandboxRecord};
use crate::store::{Named, Store, Table};

/// Everything the handlers share.
pub struct AppState {
    /// The API key every request must carry.
    pub api_key: String,
    /// Length of a "minute" of the auto-stop/archive/delete intervals, in ms (60 000 unless testing).
    pub minute_ms: i64,
    /// Durable records.
    pub store: Store,
    /// Live jails.
    pub runtime: Runtime,
    /// Build contexts (S3).
    pub objects: crate::objects::ObjectStorage,
    /// The HTTPS port (0 until it listens).
    pub tls_port: std::sync::atomic::AtomicU16,
    /// The sandboxes' last CPU samples (`GET /system/metrics`).
    pub cpu_samples: crate::proxy::metrics::CpuSamples,
    /// The sandboxes' resource-use history (`GET /sandbox/{id}/telemetry/metrics`).
    pub metrics_history: crate::control::telemetry::History,
    /// The SSH gateway (its port and host key), once it listens.
    pub ssh: std::sync::OnceLock<crate::ssh::GatewayInfo>,
    records: RwLock<HashMap<String, SandboxRecord>>,
    /// Every creation and state change, for the event socket.
    pub events: tokio::sync::broadcast::Sender<ControlEvent>,
    op_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Held while a volume is deleted and while a new sandbox's mounts are checked and
    /// recorded: a volume in use is never deleted.
    pub volume_lock: Mutex<()>,
    /// When this server process started (ISO 8601): the default snapshot's dates.
    pub started_at: String,
}

/// The organization every local sandbox belongs to.
pub const ORGANIZATION_ID: &str = "local";

impl AppState {
    /// State over an opened store, loading every record.
    pub fn new(
        api_key: String,
        minute_ms: i64,
        store: Store,
        runtime: Runtime,
        objects: crate::objects::ObjectStorage,
    ) -> rusqlite::Result<Self> {
        let records =
            store.records::<SandboxRecord>(Table::Sandboxes)?.into_iter().map(|r| (r.dto.id.clone(), r)).collect();
        Ok(Self {
            api_key,
            minute_ms,
            store,
            runtime,
            objects,
            tls_port: Default::default(),
            ssh: Default::default(),
            cpu_samples: Default::default(),
            metrics_history: Default::default(),
            records: RwLock::new(records),
            events: tokio::sync::broadcast::channel(256).0,
            op_locks: Mutex::new(HashMap::new()),
            volume_lock: Mutex::new(()),
            started_at: crate::time::now_iso(),
        })
    }

    /// A snapshot of every record.
    pub fn all(&self) -> Vec<SandboxRecord> {
        self.records.read().values().cloned().collect()
    }

    /// The record with this id, or else this name.
    pub fn find(&self, id_or_name: &str) -> Result<SandboxRecord, ApiError> {
        let records = self.records.read();
        records
            .get(id_or_name)
            .or_else(|| records.values().find(|r| r.dto.name == id_or_name))
            .cloned()
            .ok_or_else(|| ApiError::sandbox_not_found(id_or_name))
    }

    /// The sandbox whose unexpired signed preview URL of `port` has `token`, at `now_ms`.
    pub fn find_signed_preview(&self, token: &str, port: u16, now_ms: i64) -> Option<SandboxRecord> {
        self.records.read().values().find(|r| r.signed_preview(token, port, now_ms).is_some()).cloned()
    }

    /// The sandbox whose unexpired SSH access has `token`, at `now_ms`.
    pub fn find_ssh_access(&self, token: &str, now_ms: i64) -> Option<SandboxRecord> {
        self.records.read().values().find(|r| r.ssh_access(token, now_ms).is_some()).cloned()
    }

    /// Stores a new or changed record (database first, then memory).
    pub fn put(&self, rec: SandboxRecord) -> Result<SandboxRecord, ApiError> {
        self.store.put(&rec)?;
        let old = self.records.write().insert(rec.dto.id.clone(), rec.clone());
        self.announce(old.map(|o| o.state()), &rec);
        Ok(rec)
    }

    /// Stores the new `rec` of `table`; a name already taken (by a concurrent request, too) is
    /// a 409 naming the `kind` of record.
    pub fn insert_named<T: serde::Serialize + Named>(&self, table: Table, rec: &T, kind: &str) -> Result<(), ApiError> {
        self.store.insert(table, rec).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                ApiError::Conflict(format!("{kind} with name {} already exists", rec.name()))
            }
            _ => e.into(),
        })
    }

    /// Tells the event socket about `rec`, new (`old` = None) or changed from state `old`.
    fn announce(&self, old: Option<SandboxState>, rec: &SandboxRecord) {
        let event = match old {
            None => ControlEvent::Created(rec.clone()),
            Some(old) if old != rec.state() => ControlEvent::StateUpdated { sandbox: rec.clone(), old },
            Some(_) => return,
        };
        self.tell(event);
    }

    /// Pushes `event` to the event socket's clients (none listening is fine).
    pub fn tell(&self, event: ControlEvent) {
        let _ = self.events.send(event);
    }

    /// Applies `f` to the current record of `id` (or name) and stores the result, atomically:
    /// concurrent updates never lose each other's changes, and a forgotten record stays gone.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut SandboxRecord)) -> Result<SandboxRecord, ApiError> {
        let mut records = self.records.write();
        let key = match records.contains_key(id) {
            true => id.to_owned(),
            false => records
                .values()
                .find(|r| r.dto.name == id)
                .map(|r| r.dto.id.clone())
                .ok_or_else(|| ApiError::sandbox_not_found(id))?,
        };
        let mut rec = records[&key].clone();
        let old = rec.state();
        f(&mut rec);
        self.store.put(&rec)?;
        records.insert(key, rec.clone());
        self.announce(Some(old), &rec);
        Ok(rec)
    }

    /// [`Self::update`] for changes no client waits on (activity, recovery after a restart): a
    /// sandbox deleted meanwhile is no failure; a store that cannot be written is logged.
    pub fn update_logged(&self, id: &str, f: impl FnOnce(&mut SandboxRecord)) {
        match self.update(id, f) {
            Ok(_) | Err(ApiError::NotFound(_)) => {}
            Err(e) => tracing::error!("sandbox {id}: the change could not be stored: {e}"),
        }
    }

    /// Forgets a record for good.
    pub fn forget(&self, id: &str) -> Result<(), ApiError> {
        let mut records = self.records.write();
        self.store.delete(Table::Sandboxes, id)?;
        if let Some(mut gone) = records.remove(id) {
            let old = gone.state();
            gone.set_state(SandboxState::Destroyed);
            self.announce(Some(old), &gone);
        }
        self.op_locks.lock().remove(id);
        Ok(())
    }

    /// The lock serializing lifecycle operations on one sandbox.
    pub fn op_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.op_locks.lock().entry(id.to_owned()).or_default().clone()
    }

    /// The record of sandbox `id_or_name` as it is once its [`Self::op_lock`] is held (until
    /// the guard drops): lifecycle operations on one sandbox run one at a time, each seeing the
    /// state the previous one left.
    pub async fn lock_sandbox(
        &self,
        id_or_name: &str,
    ) -> Result<(tokio::sync::OwnedMutexGuard<()>, SandboxRecord), ApiError> {
        let id = self.find(id_or_name)?.dto.id;
        let guard = self.op_lock(&id).lock_owned().await;
        Ok((guard, self.find(&id)?))
    }
}
