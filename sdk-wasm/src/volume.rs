//! `daytona.volume`: volumes, storage that outlives sandboxes and is shared between them
//! (list, get by name with create, create, delete). Mount one with
//! [`crate::CreateSandboxParams::volumes`].

use std::rc::Rc;

use daytona_models::{CreateVolume, Volume};

use crate::client::Client;
use crate::http::{encode, Method};
use crate::{Call, DaytonaError, ErrorKind};

/// The volume service of one control plane (`Daytona::volume`).
#[derive(Clone, Debug)]
pub struct VolumeService {
    client: Rc<Client>,
}

impl VolumeService {
    pub(crate) fn new(client: Rc<Client>) -> Self {
        Self { client }
    }

    /// Every volume of the organization.
    pub fn list(&self) -> Call<Vec<Volume>> {
        Call::new(&self.client, Method::Get, self.client.api("/volumes"))
    }

    /// The volume named `name`; with `create`, made if there is none.
    pub async fn get(&self, name: &str, create: bool) -> Result<Volume, DaytonaError> {
        if name.is_empty() {
            return Err(DaytonaError::InvalidArgument("volume name is required".into()));
        }
        match self.by_name(name).await {
            Err(e) if create && e.kind() == ErrorKind::NotFound => self.create(name).await,
            other => other,
        }
    }

    /// `GET /volumes/by-name/{name}`.
    pub(crate) fn by_name(&self, name: &str) -> Call<Volume> {
        Call::new(&self.client, Method::Get, self.client.api(&format!("/volumes/by-name/{}", encode(name))))
    }

    /// Makes a volume named `name`.
    pub fn create(&self, name: &str) -> Call<Volume> {
        Call::new(&self.client, Method::Post, self.client.api("/volumes")).body(&CreateVolume { name: name.to_owned() })
    }

    /// Deletes `volume` (refused with a conflict while a sandbox mounts it).
    pub fn delete(&self, volume: &Volume) -> Call<()> {
        self.delete_id(&volume.id)
    }

    /// [`Self::delete`] by id.
    pub(crate) fn delete_id(&self, id: &str) -> Call<()> {
        Call::done(&self.client, Method::Delete, self.client.api(&format!("/volumes/{}", encode(id))))
    }
}
