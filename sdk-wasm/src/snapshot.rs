//! `daytona.snapshot`: the images sandboxes run on (list, get, create from an image name or
//! from an [`crate::Image`] (see [`crate::build`]), delete, activate, deactivate). Name one with [`crate::CreateSandboxParams::snapshot`].

use std::rc::Rc;

use daytona_models::{CreateSnapshot, PaginatedSnapshots, Snapshot};

use crate::client::Client;
use crate::http::{encode, Method};
use crate::Call;

/// The snapshot service of one control plane (`Daytona::snapshot`).
#[derive(Clone, Debug)]
pub struct SnapshotService {
    client: Rc<Client>,
}

impl SnapshotService {
    pub(crate) fn new(client: Rc<Client>) -> Self {
        Self { client }
    }

    pub(crate) fn client(&self) -> &Rc<Client> {
        &self.client
    }

    pub(crate) fn url(&self, id: &str, action: &str) -> String {
        self.client.api(&format!("/snapshots/{}{action}", encode(id)))
    }

    /// One page of snapshots (`page` from 1, up to `limit` each).
    pub fn list(&self, page: u32, limit: u32) -> Call<PaginatedSnapshots> {
        Call::new(&self.client, Method::Get, self.client.api(&format!("/snapshots?page={page}&limit={limit}")))
    }

    /// The snapshot with this id or name.
    pub fn get(&self, id_or_name: &str) -> Call<Snapshot> {
        Call::new(&self.client, Method::Get, self.url(id_or_name, ""))
    }

    /// Asks for a snapshot of an image; it is `pending` or `pulling` until `active` (or
    /// `error`): poll [`Self::get`].
    pub fn create(&self, params: &CreateSnapshot) -> Call<Snapshot> {
        self.create_call().body(params)
    }

    /// `POST /snapshots`, its body still to give.
    pub(crate) fn create_call(&self) -> Call<Snapshot> {
        Call::new(&self.client, Method::Post, self.client.api("/snapshots"))
    }

    /// Deletes `snapshot` (refused while a sandbox runs on it).
    pub fn delete(&self, snapshot: &Snapshot) -> Call<()> {
        self.delete_id(&snapshot.id)
    }

    /// [`Self::delete`] by id or name.
    pub(crate) fn delete_id(&self, id_or_name: &str) -> Call<()> {
        Call::done(&self.client, Method::Delete, self.url(id_or_name, ""))
    }

    /// Offers an inactive snapshot again.
    pub fn activate(&self, snapshot: &Snapshot) -> Call<Snapshot> {
        self.activate_id(&snapshot.id)
    }

    /// [`Self::activate`] by id or name.
    pub(crate) fn activate_id(&self, id_or_name: &str) -> Call<Snapshot> {
        Call::new(&self.client, Method::Post, self.url(id_or_name, "/activate"))
    }

    /// Keeps a snapshot but stops offering it.
    pub fn deactivate(&self, snapshot: &Snapshot) -> Call<()> {
        Call::done(&self.client, Method::Post, self.url(&snapshot.id, "/deactivate"))
    }
}
