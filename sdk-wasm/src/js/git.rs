//! The JS face of `Git` (`sandbox.git`), with `@daytonaio/sdk`'s positional signatures.
//! Failures reject with `DaytonaGit…Error` classes picked by the daemon's `GIT_*` code.
//!
//! Size: the methods that send their arguments as a body are rows of [`POSTED`] (see
//! `posted`): no string crosses into the wasm and back, and no Rust model is serialized. The
//! wire names are `daytona_models::git`'s; daytona-local refuses unknown fields of a git body
//! (400), so the browser tests, which pass every argument, catch a misspelt one.

use wasm_bindgen::prelude::*;

use super::lazy::{lazy_methods, optional_string_arg, string_arg, Task};
use super::posted::{post_or_run, Answer, Posted};
use super::{option, sending, sending_field, task};
use crate::git as routes;
use crate::Git;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Answer of `git.commit`: the new commit's hash (`sha`, as `@daytonaio/sdk` names it). */
export interface GitCommitResponse { sha: string }
export interface Git {
  /** Clones `url` into `path`; credentials are used for this clone only (never stored). */
  clone(url: string, path: string, branch?: string, commitId?: string, username?: string, password?: string, insecureSkipTls?: boolean, depth?: number): Promise<void>;
  /** Creates a repository at `path` (`bare`, `initialBranch` optional). */
  init(path: string, bare?: boolean, initialBranch?: string): Promise<void>;
  /** Stages `files` (`.` for everything). */
  add(path: string, files: string[]): Promise<void>;
  /** Commits what is staged, as `author <email>`; resolves to `{ sha }`. */
  commit(path: string, message: string, author: string, email: string, allowEmpty?: boolean): Promise<GitCommitResponse>;
  /** Pushes the current branch (or `branch`) to `origin` (or `remote`). */
  push(path: string, username?: string, password?: string, branch?: string, remote?: string, setUpstream?: boolean): Promise<void>;
  /** Pulls the current branch's upstream (or `branch` of `remote`). */
  pull(path: string, username?: string, password?: string, branch?: string, remote?: string): Promise<void>;
  /** Creates branch `name` at HEAD. */
  createBranch(path: string, name: string): Promise<void>;
  /** Deletes branch `name`. */
  deleteBranch(path: string, name: string): Promise<void>;
  /** Checks out `branch` (a remote's branch of that name is tracked; a revision detaches). */
  checkoutBranch(path: string, branch: string): Promise<void>;
  /** Resets to `target` (default HEAD); `mode` soft, mixed (default), hard, merge or keep. */
  reset(path: string, mode?: string, target?: string, files?: string[]): Promise<void>;
  /** Restores `files` in the working tree (default) and/or the index (`staged`). */
  restore(path: string, files: string[], staged?: boolean, worktree?: boolean, source?: string): Promise<void>;
  /** Adds remote `name` (`overwrite` replaces one of that name; `fetch` fetches it). */
  remoteAdd(path: string, name: string, url: string, fetch?: boolean, overwrite?: boolean): Promise<void>;
  /** Sets config `key` (`scope` global by default; `local` needs `path`). */
  setConfig(key: string, value: string, scope?: string, path?: string): Promise<void>;
  /** Sets `user.name` and `user.email`. */
  configureUser(name: string, email: string, scope?: string, path?: string): Promise<void>;
  /**
   * Stores credentials for `host` (default github.com) in the sandbox's git credential
   * store, in plain text: later operations need none.
   */
  dangerouslyAuthenticate(username: string, password: string, host?: string, protocol?: string): Promise<void>;
  /** Branch, ahead/behind its upstream, and every changed file. */
  status(path: string): Promise<GitStatus>;
  /** The commits reachable from HEAD, newest first (daytona-local and Daytona's daemon serve it; `@daytonaio/sdk` has no method for it). */
  history(path: string): Promise<GitCommitInfo[]>;
  /** The local branches and the current one. */
  branches(path: string): Promise<ListBranchResponse>;
  /** The remotes and their URLs. */
  remotes(path: string): Promise<ListRemotesResponse>;
  /** The URL of remote `name` (`undefined` if there is none). */
  remoteGet(path: string, name: string): Promise<string | undefined>;
  /** Config `key` (`undefined` when unset). */
  getConfig(key: string, scope?: string, path?: string): Promise<string | undefined>;
}
"#;

/// The body of `git.push` (`GitPushRequest`; pull's is the same without `set_upstream`).
const PUSH: &[&str] = &["path", "username", "password", "branch", "remote", "set_upstream"];

/// Git's methods that send their arguments as a body, in the .d.ts's order.
pub(crate) const POSTED: [Posted; 15] = [
    Posted {
        name: "clone",
        route: routes::CLONE,
        fields: &["url", "path", "branch", "commit_id", "username", "password", "insecure_skip_tls", "depth"],
        answer: Answer::Nothing,
    },
    Posted { name: "init", route: routes::INIT, fields: &["path", "bare", "initial_branch"], answer: Answer::Nothing },
    Posted { name: "add", route: routes::ADD, fields: &["path", "files"], answer: Answer::Nothing },
    Posted {
        name: "commit",
        route: routes::COMMIT,
        fields: &["path", "message", "author", "email", "allow_empty"],
        answer: Answer::Renamed("hash", "sha"),
    },
    Posted { name: "push", route: routes::PUSH, fields: PUSH, answer: Answer::Nothing },
    Posted {
        name: "pull",
        route: routes::PULL,
        fields: &["path", "username", "password", "branch", "remote"],
        answer: Answer::Nothing,
    },
    Posted { name: "createBranch", route: routes::CREATE_BRANCH, fields: &["path", "name"], answer: Answer::Nothing },
    Posted { name: "deleteBranch", route: routes::DELETE_BRANCH, fields: &["path", "name"], answer: Answer::Nothing },
    Posted { name: "checkoutBranch", route: routes::CHECKOUT, fields: &["path", "branch"], answer: Answer::Nothing },
    Posted {
        name: "reset",
        route: routes::RESET,
        fields: &["path", "mode", "target", "files"],
        answer: Answer::Nothing,
    },
    Posted {
        name: "restore",
        route: routes::RESTORE,
        fields: &["path", "files", "staged", "worktree", "source"],
        answer: Answer::Nothing,
    },
    Posted {
        name: "remoteAdd",
        route: routes::REMOTE_ADD,
        fields: &["path", "name", "url", "fetch", "overwrite"],
        answer: Answer::Nothing,
    },
    Posted {
        name: "setConfig",
        route: routes::SET_CONFIG,
        fields: &["key", "value", "scope", "path"],
        answer: Answer::Nothing,
    },
    Posted {
        name: "configureUser",
        route: routes::CONFIGURE_USER,
        fields: &["name", "email", "scope", "path"],
        answer: Answer::Nothing,
    },
    Posted {
        name: "dangerouslyAuthenticate",
        route: routes::AUTHENTICATE,
        fields: &["username", "password", "host", "protocol"],
        answer: Answer::Nothing,
    },
];

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

#[wasm_bindgen(js_class = Git)]
impl JsGit {
    /// Method `index` of [`POSTED`], then of [`LAZY`], with its positional `args` (init.js
    /// names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post_or_run(&POSTED, index, args, &[], |route| self.inner.route(route), git_methods, || self.inner.clone())
    }
}

/// `remoteGet(path, name)`: the URL of remote `name` of the answer of `remotes`.
fn remote_get(git: &Git, args: &js_sys::Array) -> Result<Task, JsValue> {
    let (sent, name) = (git.remotes(&string_arg(args, 0, "path")?).request().send(), args.get(1));
    Ok(task(async move {
        let remotes = js_sys::Array::from(&option(&sent.await?, "remotes"));
        let url = remotes.iter().find(|r| option(r, "name") == name);
        Ok(url.map_or(JsValue::UNDEFINED, |r| option(&r, "url")))
    }))
}

lazy_methods!(code: LAZY, git_methods(Git) = [
    "status" => |git, args| Ok(sending(git.status(&string_arg(args, 0, "path")?))),
    "history" => |git, args| Ok(sending(git.history(&string_arg(args, 0, "path")?))),
    "branches" => |git, args| Ok(sending(git.branches(&string_arg(args, 0, "path")?))),
    "remotes" => |git, args| Ok(sending(git.remotes(&string_arg(args, 0, "path")?))),
    "remoteGet" => remote_get,
    "getConfig" => |git, args| {
        let (scope, path) = (optional_string_arg(args, 1, "scope")?, optional_string_arg(args, 2, "path")?);
        Ok(sending_field(git.get_config(&string_arg(args, 0, "key")?, scope.as_deref(), path.as_deref()), "value"))
    },
]);
