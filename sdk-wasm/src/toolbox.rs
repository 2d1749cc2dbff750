//! One sandbox's toolbox as the SDK reaches it: the client, the sandbox's data (for its
//! toolbox URL, which a refresh may change) and the sandbox token browsers put on WebSocket
//! URLs, fetched once. `FileSystem`, `Process` and the PTYs borrow it (as will the areas to
//! come); the sandbox shares its data and token with them.

use std::cell::RefCell;
use std::rc::Rc;

use daytona_models::{PortPreviewUrl, Sandbox as SandboxDto};
use futures::future::LocalBoxFuture;

use crate::client::Client;
use crate::http::{encode, query_string, Method};
use crate::ws::{protocols, IdleSockets, Socket};
use crate::{Call, DaytonaError};

/// A toolbox route with a JSON body: method and path. Each area names its routes once, as
/// constants, for the Rust face (typed bodies) and the JS face (bodies of the JS values it was
/// given).
pub(crate) type Route = (Method, &'static str);

/// A handle on one sandbox's toolbox (cheap to clone; clones share everything).
#[derive(Clone, Debug)]
pub(crate) struct Toolbox {
    pub(crate) client: Rc<Client>,
    data: Rc<RefCell<SandboxDto>>,
    /// The sandbox token for browser WebSockets (fetched once, again after a failed connect).
    token: Rc<RefCell<Option<String>>>,
    /// Sockets kept open between requests (the interpreter's, by context).
    pub(crate) idle: Rc<IdleSockets>,
}

impl Toolbox {
    pub(crate) fn new(client: Rc<Client>, data: Rc<RefCell<SandboxDto>>) -> Self {
        Self { client, data, token: Rc::default(), idle: Rc::default() }
    }

    /// The sandbox's id.
    pub(crate) fn id(&self) -> String {
        self.data.borrow().id.clone()
    }

    /// The sandbox's label `key`, as last seen.
    pub(crate) fn label(&self, key: &str) -> Option<String> {
        self.data.borrow().labels.get(key).cloned()
    }

    /// `{toolboxProxyUrl}/{id}`.
    pub(crate) fn base(&self) -> String {
        let dto = self.data.borrow();
        format!("{}/{}", dto.toolbox_proxy_url.trim_end_matches('/'), dto.id)
    }

    /// A call of `route` answering JSON that reads as `T` (`unanswered()` for a call whose
    /// answer is not read); the body is the caller's to add.
    pub(crate) fn route<T>(&self, route: Route) -> Call<T> {
        Call::new(&self.client, route.0, self.url(route.1, &[]))
    }

    /// The URL of toolbox `path` with `query`.
    pub(crate) fn url(&self, path: &str, query: &[(String, String)]) -> String {
        match query.is_empty() {
            true => format!("{}{path}", self.base()),
            false => format!("{}{path}?{}", self.base(), query_string(query)),
        }
    }

    /// Opens a WebSocket to `path` the way browsers must: the sandbox token in the query and
    /// the SDK version as a subprotocol (then `extra_protocols`). One boxed future for every
    /// caller, so its state machine is compiled once.
    pub(crate) fn socket<'a>(
        &'a self,
        path: &'a str,
        query: &'a [(String, String)],
        extra_protocols: &'a [String],
    ) -> LocalBoxFuture<'a, Result<Socket, DaytonaError>> {
        Box::pin(self.open_socket(path, query, extra_protocols))
    }

    async fn open_socket(
        &self,
        path: &str,
        query: &[(String, String)],
        extra_protocols: &[String],
    ) -> Result<Socket, DaytonaError> {
        let cached = self.token.borrow().clone();
        let token = match cached {
            Some(t) => t,
            None => {
                let url = self.client.api(&format!("/sandbox/{}/ports/1/preview-url", encode(&self.id())));
                let preview: PortPreviewUrl = Call::new(&self.client, Method::Get, url).await?;
                *self.token.borrow_mut() = Some(preview.token.clone());
                preview.token
            }
        };
        let mut pairs = query.to_vec();
        pairs.push((daytona_models::SANDBOX_TOKEN_QUERY.into(), token));
        let base = self.base();
        let ws_base = match base.split_once("://") {
            Some(("https", rest)) => format!("wss://{rest}"),
            Some((_, rest)) => format!("ws://{rest}"),
            None => base,
        };
        let socket =
            Socket::connect(&format!("{ws_base}{path}?{}", query_string(&pairs)), &protocols(extra_protocols)).await;
        if socket.is_err() {
            // Browsers hide why an upgrade failed: fetch the token again next time.
            *self.token.borrow_mut() = None;
        }
        socket
    }
}
