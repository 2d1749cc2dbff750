//! The JS face of `Git` (`sandbox.git`), with `@daytonaio/sdk`'s positional signatures.
//! Failures reject with `DaytonaGit…Error` classes picked by the daemon's `GIT_*` code.
//!
//! Size: arguments stay JS values and bodies are JS objects of them (`object`), sent by the
//! Rust face's routes; no string crosses into the wasm and back, and no Rust model is
//! serialized (a typed body per method cost 36 KB of wasm for this area, 6.7 KB gzip). The
//! wire names are `daytona_models::git`'s; daytona-local refuses unknown fields of a git body
//! (400), so the browser tests, which pass every argument, catch a misspelt one.

use wasm_bindgen::prelude::*;

use super::{object, option, promise, send, send_field, send_fields, send_renamed};
use crate::git as routes;
use crate::toolbox::Route;
use crate::Git;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Answer of `git.commit`: the new commit's hash (`sha`, as `@daytonaio/sdk` names it). */
export interface GitCommitResponse { sha: string }
"#;

/// Git in a sandbox (`sandbox.git`); paths are repository directories, relative to the work
/// dir unless absolute.
#[wasm_bindgen(js_name = Git)]
pub struct JsGit {
    inner: Git,
}

impl From<Git> for JsGit {
    fn from(inner: Git) -> Self {
        Self { inner }
    }
}

impl JsGit {
    /// Sends `fields` as the JSON body of `route`, resolving to nothing.
    fn post(&self, route: Route, fields: &[(&str, &JsValue)]) -> js_sys::Promise {
        send_fields(self.inner.route::<()>(route).unanswered(), fields)
    }
}

/// The body push and pull share.
mod body {
    use wasm_bindgen::JsValue;

    /// `GitPushRequest` (`GitPullRequest` without `set_upstream`).
    pub(super) fn push<'a>(
        path: &'a JsValue,
        username: &'a JsValue,
        password: &'a JsValue,
        branch: &'a JsValue,
        remote: &'a JsValue,
        set_upstream: &'a JsValue,
    ) -> [(&'static str, &'a JsValue); 6] {
        [
            ("path", path),
            ("username", username),
            ("password", password),
            ("branch", branch),
            ("remote", remote),
            ("set_upstream", set_upstream),
        ]
    }
}

#[wasm_bindgen(js_class = Git)]
impl JsGit {
    /// Clones `url` into `path`; credentials are used for this clone only (never stored).
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn clone(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] branch: JsValue,
        #[wasm_bindgen(js_name = "commitId", unchecked_optional_param_type = "string")] commit_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] password: JsValue,
        #[wasm_bindgen(js_name = "insecureSkipTls", unchecked_optional_param_type = "boolean")]
        insecure_skip_tls: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] depth: JsValue,
    ) -> js_sys::Promise {
        let fields = [
            ("url", &url),
            ("path", &path),
            ("branch", &branch),
            ("commit_id", &commit_id),
            ("username", &username),
            ("password", &password),
            ("insecure_skip_tls", &insecure_skip_tls),
            ("depth", &depth),
        ];
        self.post(routes::CLONE, &fields)
    }

    /// Creates a repository at `path` (`bare`, `initialBranch` optional).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn init(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] bare: JsValue,
        #[wasm_bindgen(js_name = "initialBranch", unchecked_optional_param_type = "string")] initial_branch: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::INIT, &[("path", &path), ("bare", &bare), ("initial_branch", &initial_branch)])
    }

    /// Stages `files` (`.` for everything).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn add(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] files: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::ADD, &[("path", &path), ("files", &files)])
    }

    /// Commits what is staged, as `author <email>`; resolves to `{ sha }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<GitCommitResponse>")]
    pub fn commit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] author: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue,
        #[wasm_bindgen(js_name = "allowEmpty", unchecked_optional_param_type = "boolean")] allow_empty: JsValue,
    ) -> js_sys::Promise {
        let fields = [
            ("path", &path),
            ("message", &message),
            ("author", &author),
            ("email", &email),
            ("allow_empty", &allow_empty),
        ];
        send_renamed(self.inner.route::<()>(routes::COMMIT).js_body(&object(&fields)), "hash", "sha")
    }

    /// Pushes the current branch (or `branch`) to `origin` (or `remote`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn push(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] password: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] branch: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] remote: JsValue,
        #[wasm_bindgen(js_name = "setUpstream", unchecked_optional_param_type = "boolean")] set_upstream: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::PUSH, &body::push(&path, &username, &password, &branch, &remote, &set_upstream))
    }

    /// Pulls the current branch's upstream (or `branch` of `remote`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn pull(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] password: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] branch: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] remote: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::PULL, &body::push(&path, &username, &password, &branch, &remote, &JsValue::UNDEFINED))
    }

    /// Branch, ahead/behind its upstream, and every changed file.
    #[wasm_bindgen(unchecked_return_type = "Promise<GitStatus>")]
    pub fn status(&self, path: String) -> js_sys::Promise {
        send(self.inner.status(&path))
    }

    /// The commits reachable from HEAD, newest first (daytona-local and Daytona's daemon serve
    /// it; `@daytonaio/sdk` has no method for it).
    #[wasm_bindgen(unchecked_return_type = "Promise<GitCommitInfo[]>")]
    pub fn history(&self, path: String) -> js_sys::Promise {
        send(self.inner.history(&path))
    }

    /// The local branches and the current one.
    #[wasm_bindgen(unchecked_return_type = "Promise<ListBranchResponse>")]
    pub fn branches(&self, path: String) -> js_sys::Promise {
        send(self.inner.branches(&path))
    }

    /// Creates branch `name` at HEAD.
    #[wasm_bindgen(js_name = createBranch, unchecked_return_type = "Promise<void>")]
    pub fn create_branch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::CREATE_BRANCH, &[("path", &path), ("name", &name)])
    }

    /// Deletes branch `name`.
    #[wasm_bindgen(js_name = deleteBranch, unchecked_return_type = "Promise<void>")]
    pub fn delete_branch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::DELETE_BRANCH, &[("path", &path), ("name", &name)])
    }

    /// Checks out `branch` (a remote's branch of that name is tracked; a revision detaches).
    #[wasm_bindgen(js_name = checkoutBranch, unchecked_return_type = "Promise<void>")]
    pub fn checkout_branch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] branch: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::CHECKOUT, &[("path", &path), ("branch", &branch)])
    }

    /// Resets to `target` (default HEAD); `mode` soft, mixed (default), hard, merge or keep.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn reset(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] mode: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] target: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string[]")] files: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::RESET, &[("path", &path), ("mode", &mode), ("target", &target), ("files", &files)])
    }

    /// Restores `files` in the working tree (default) and/or the index (`staged`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn restore(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] staged: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] worktree: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] source: JsValue,
    ) -> js_sys::Promise {
        let fields =
            [("path", &path), ("files", &files), ("staged", &staged), ("worktree", &worktree), ("source", &source)];
        self.post(routes::RESTORE, &fields)
    }

    /// Adds remote `name` (`overwrite` replaces one of that name; `fetch` fetches it).
    #[wasm_bindgen(js_name = remoteAdd, unchecked_return_type = "Promise<void>")]
    pub fn remote_add(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] fetch: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] overwrite: JsValue,
    ) -> js_sys::Promise {
        let fields = [("path", &path), ("name", &name), ("url", &url), ("fetch", &fetch), ("overwrite", &overwrite)];
        self.post(routes::REMOTE_ADD, &fields)
    }

    /// The remotes and their URLs.
    #[wasm_bindgen(unchecked_return_type = "Promise<ListRemotesResponse>")]
    pub fn remotes(&self, path: String) -> js_sys::Promise {
        send(self.inner.remotes(&path))
    }

    /// The URL of remote `name` (`undefined` if there is none).
    #[wasm_bindgen(js_name = remoteGet, unchecked_return_type = "Promise<string | undefined>")]
    pub fn remote_get(&self, path: String, name: JsValue) -> js_sys::Promise {
        let sent = self.inner.remotes(&path).request().send();
        promise(async move {
            let remotes = js_sys::Array::from(&option(&sent.await?, "remotes"));
            let url = remotes.iter().find(|r| option(r, "name") == name);
            Ok(url.map_or(JsValue::UNDEFINED, |r| option(&r, "url")))
        })
    }

    /// Sets config `key` (`scope` global by default; `local` needs `path`).
    #[wasm_bindgen(js_name = setConfig, unchecked_return_type = "Promise<void>")]
    pub fn set_config(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] scope: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] path: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::SET_CONFIG, &[("key", &key), ("value", &value), ("scope", &scope), ("path", &path)])
    }

    /// Config `key` (`undefined` when unset).
    #[wasm_bindgen(js_name = getConfig, unchecked_return_type = "Promise<string | undefined>")]
    pub fn get_config(&self, key: String, scope: Option<String>, path: Option<String>) -> js_sys::Promise {
        send_field(self.inner.get_config(&key, scope.as_deref(), path.as_deref()), "value")
    }

    /// Sets `user.name` and `user.email`.
    #[wasm_bindgen(js_name = configureUser, unchecked_return_type = "Promise<void>")]
    pub fn configure_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] scope: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] path: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::CONFIGURE_USER, &[("name", &name), ("email", &email), ("scope", &scope), ("path", &path)])
    }

    /// Stores credentials for `host` (default github.com) in the sandbox's git credential
    /// store, in plain text: later operations need none.
    #[wasm_bindgen(js_name = dangerouslyAuthenticate, unchecked_return_type = "Promise<void>")]
    pub fn dangerously_authenticate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] host: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] protocol: JsValue,
    ) -> js_sys::Promise {
        let fields = [("username", &username), ("password", &password), ("host", &host), ("protocol", &protocol)];
        self.post(routes::AUTHENTICATE, &fields)
    }
}
