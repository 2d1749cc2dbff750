//! `daytona.registry`: the organization's container registries (`/docker-registry`), whose
//! credentials the control plane logs in with when it pulls an image (a snapshot's, a build's
//! base images). Passwords go in and never come back.

use std::rc::Rc;

use daytona_models::{CreateDockerRegistry, DockerRegistry, UpdateDockerRegistry};

use crate::client::Client;
use crate::http::{encode, Method};
use crate::Call;

/// The registry service of one control plane (`Daytona::registry`).
#[derive(Clone, Debug)]
pub struct RegistryService {
    client: Rc<Client>,
}

impl RegistryService {
    pub(crate) fn new(client: Rc<Client>) -> Self {
        Self { client }
    }

    /// Every registry of the organization.
    pub fn list(&self) -> Call<Vec<DockerRegistry>> {
        Call::new(&self.client, Method::Get, self.client.api("/docker-registry"))
    }

    /// Adds a registry with its credentials.
    pub fn create(&self, registry: &CreateDockerRegistry) -> Call<DockerRegistry> {
        Call::new(&self.client, Method::Post, self.client.api("/docker-registry")).body(registry)
    }

    /// Changes registry `id` (a `password` or `project` of `None` keeps the stored one).
    pub fn update(&self, id: &str, registry: &UpdateDockerRegistry) -> Call<DockerRegistry> {
        Call::new(&self.client, Method::Patch, self.path(id)).body(registry)
    }

    /// Removes registry `id`: pulls no longer log in to it.
    pub fn delete(&self, id: &str) -> Call<()> {
        Call::done(&self.client, Method::Delete, self.path(id))
    }

    fn path(&self, id: &str) -> String {
        self.client.api(&format!("/docker-registry/{}", encode(id)))
    }
}
