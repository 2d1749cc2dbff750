//! `Daytona`: the control-plane client (create, get, find, list, start/stop, delete).

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use daytona_models::{
    ListSandboxesQuery, ListSandboxesResponse, Organization, OrganizationUsageOverview, PaginatedSandboxes,
    Sandbox as SandboxDto, SshAccessValidation,
};

use crate::client::Client;
use crate::http::{encode, query_string, Method};
use crate::{
    Call, CreateSandboxParams, DaytonaConfig, DaytonaError, RegistryService, Sandbox, SandboxEvents, SnapshotService,
    VolumeService,
};

/// Default time to wait for a new sandbox to start.
pub const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(60);

/// Entry point: a client of one Daytona control plane.
#[derive(Clone, Debug)]
pub struct Daytona {
    client: Rc<Client>,
}

/// One page of a sandbox listing.
#[derive(Clone, Debug)]
pub struct SandboxPage {
    /// The sandboxes on this page.
    pub items: Vec<Sandbox>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A numbered page of sandboxes ([`Daytona::list_numbered`]).
#[derive(Clone, Debug)]
pub struct NumberedPage {
    /// The sandboxes on this page.
    pub items: Vec<Sandbox>,
    /// How many match in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// How many pages there are.
    pub total_pages: u64,
}

/// `GET /sandbox` with `query` (one cursor page; on `Daytona` and, to see whether a deleted
/// sandbox is gone, on `Sandbox`).
pub(crate) fn list_call(client: &Rc<Client>, query: &ListSandboxesQuery) -> Call<ListSandboxesResponse> {
    let pairs = query.to_pairs();
    let mut url = client.api("/sandbox");
    if !pairs.is_empty() {
        url.push('?');
        url.push_str(&query_string(&pairs));
    }
    Call::new(client, Method::Get, url)
}

impl Daytona {
    /// A client for `config`; fails if no credentials are given.
    pub fn new(config: DaytonaConfig) -> Result<Self, DaytonaError> {
        Ok(Self { client: Rc::new(Client::new(&config)?) })
    }

    pub(crate) fn client(&self) -> &Rc<Client> {
        &self.client
    }

    /// The control-plane URL in use.
    pub fn api_url(&self) -> &str {
        &self.client.api_url
    }

    /// Its snapshots: list, get, create from an image, delete, activate, deactivate.
    pub fn snapshot(&self) -> SnapshotService {
        SnapshotService::new(Rc::clone(&self.client))
    }

    /// Its container registries (the credentials image pulls log in with): list, create,
    /// update, delete.
    pub fn registry(&self) -> RegistryService {
        RegistryService::new(Rc::clone(&self.client))
    }

    /// Its volumes: list, get (or create) by name, create, delete.
    pub fn volume(&self) -> VolumeService {
        VolumeService::new(Rc::clone(&self.client))
    }

    /// Opens the control plane's event socket: sandbox creations and state changes as they
    /// happen (what the official SDKs' waits listen to).
    pub async fn events(&self) -> Result<SandboxEvents, DaytonaError> {
        SandboxEvents::connect(&self.client).await
    }

    fn wrap(&self, dto: SandboxDto) -> Sandbox {
        Sandbox::new(Rc::clone(&self.client), dto)
    }

    /// Creates a sandbox and waits until it is started (default timeout 60 s).
    pub async fn create(
        &self,
        params: CreateSandboxParams,
        timeout: Option<Duration>,
    ) -> Result<Sandbox, DaytonaError> {
        self.create_with(params, None, None, timeout).await
    }

    /// The sandbox with this id or name.
    pub async fn get(&self, id_or_name: &str) -> Result<Sandbox, DaytonaError> {
        if id_or_name.is_empty() {
            return Err(DaytonaError::InvalidArgument("sandbox id or name is required".into()));
        }
        let url = self.client.api(&format!("/sandbox/{}", encode(id_or_name)));
        Ok(self.wrap(Call::new(&self.client, Method::Get, url).await?))
    }

    /// The sandbox with `id_or_name`, else the first one carrying all `labels`.
    pub async fn find_one(
        &self,
        id_or_name: Option<&str>,
        labels: Option<BTreeMap<String, String>>,
    ) -> Result<Sandbox, DaytonaError> {
        if let Some(id) = id_or_name {
            return self.get(id).await;
        }
        let query = ListSandboxesQuery { labels, limit: Some(1), ..Default::default() };
        let page = self.list_page(&query).await?;
        page.items.into_iter().next().ok_or_else(|| DaytonaError::Api {
            status: 404,
            message: "No sandbox found matching the labels".into(),
            code: None,
            origin: None,
        })
    }

    /// One page of sandboxes (pass `next_cursor` back as `query.cursor` for the next).
    pub async fn list_page(&self, query: &ListSandboxesQuery) -> Result<SandboxPage, DaytonaError> {
        let resp = list_call(&self.client, query).await?;
        Ok(SandboxPage {
            items: resp.items.into_iter().map(|d| self.wrap(d)).collect(),
            next_cursor: resp.next_cursor.filter(|c| !c.is_empty()),
        })
    }

    /// Page `page` (from 1) of `limit` sandboxes matching `query`, with the total count
    /// (`GET /sandbox/paginated`; `query`'s cursor and limit are not used).
    pub async fn list_numbered(
        &self,
        query: &ListSandboxesQuery,
        page: u32,
        limit: u32,
    ) -> Result<NumberedPage, DaytonaError> {
        let resp = self.numbered_call(query, page, limit).await?;
        Ok(NumberedPage {
            items: resp.items.into_iter().map(|d| self.wrap(d)).collect(),
            total: resp.total,
            page: resp.page,
            total_pages: resp.total_pages,
        })
    }

    /// `GET /sandbox/paginated` for page `page` of `limit` sandboxes matching `query`.
    pub(crate) fn numbered_call(&self, query: &ListSandboxesQuery, page: u32, limit: u32) -> Call<PaginatedSandboxes> {
        let mut pairs = ListSandboxesQuery { cursor: None, limit: None, ..query.clone() }.to_pairs();
        pairs.push(("page".into(), page.max(1).to_string()));
        pairs.push(("limit".into(), limit.to_string()));
        let url = format!("{}?{}", self.client.api("/sandbox/paginated"), query_string(&pairs));
        Call::new(&self.client, Method::Get, url)
    }

    /// A sandbox from its data as the browser parsed it (the JS face's listings, which read
    /// the rest of an answer as it is).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub(crate) fn sandbox_from_js(&self, data: wasm_bindgen::JsValue) -> Result<Sandbox, DaytonaError> {
        crate::json::from_js(data).map(|dto| self.wrap(dto)).map_err(|e| DaytonaError::Decode(format!("sandbox: {e}")))
    }

    /// Whether SSH access `token` opens a sandbox now, and which.
    pub fn validate_ssh_access(&self, token: &str) -> Call<SshAccessValidation> {
        crate::sandbox::validate_ssh_access(&self.client, token)
    }

    /// The organizations of the caller (`GET /organizations`): an API key's own.
    pub fn organizations(&self) -> Call<Vec<Organization>> {
        Call::new(&self.client, Method::Get, self.client.api("/organizations"))
    }

    /// What organization `id`'s sandboxes use of its quotas, and what one sandbox may ask for,
    /// per region (`GET /organizations/{id}/usage`).
    pub fn organization_usage(&self, id: &str) -> Call<OrganizationUsageOverview> {
        Call::new(&self.client, Method::Get, self.client.api(&format!("/organizations/{}/usage", encode(id))))
    }

    /// Every sandbox matching `query`, following cursors across pages.
    pub async fn list(&self, query: &ListSandboxesQuery) -> Result<Vec<Sandbox>, DaytonaError> {
        let mut query = query.clone();
        let mut all = Vec::new();
        loop {
            let page = self.list_page(&query).await?;
            all.extend(page.items);
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => return Ok(all),
            }
        }
    }

    /// Starts `sandbox` and waits until it is started.
    pub async fn start(&self, sandbox: &Sandbox, timeout: Option<Duration>) -> Result<(), DaytonaError> {
        sandbox.start(timeout).await
    }

    /// Stops `sandbox` and waits until it is stopped.
    pub async fn stop(&self, sandbox: &Sandbox, timeout: Option<Duration>) -> Result<(), DaytonaError> {
        sandbox.stop(timeout, false).await
    }

    /// Deletes `sandbox`.
    pub async fn delete(&self, sandbox: &Sandbox, timeout: Option<Duration>) -> Result<(), DaytonaError> {
        sandbox.delete(timeout).await
    }
}
