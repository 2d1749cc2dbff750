//! Getting files out of a sandbox onto this computer: a file as it is, a folder as a
//! `.tar.gz` made in the sandbox first.

use std::time::Duration;

use daytona_wasm::{DaytonaError, Sandbox, TransferOptions};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlAnchorElement, Url};

use crate::files::path;
use crate::shell::quote;

/// How long a saved blob's object URL stays valid (the browser copies it long before).
const REVOKE_AFTER: Duration = Duration::from_secs(60);
/// Longest a folder may take to archive.
const ARCHIVE_TIMEOUT_SECS: u64 = 600;

/// Hands `blob` to the browser as a download named `name`.
pub fn save_blob(blob: &Blob, name: &str) -> Result<(), DaytonaError> {
    let fail = |e: wasm_bindgen::JsValue| DaytonaError::InvalidArgument(format!("cannot save {name}: {e:?}"));
    let url = Url::create_object_url_with_blob(blob).map_err(fail)?;
    let link: HtmlAnchorElement = document().create_element("a").map_err(fail)?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}

/// The name a download of `remote` is saved under.
pub fn saved_name(remote: &str, is_dir: bool) -> String {
    let name = path::base_name(remote);
    if is_dir {
        format!("{}.tar.gz", if name == "/" { "root" } else { &name })
    } else {
        name
    }
}

/// Downloads file `remote` and saves it.
pub async fn download_file(sandbox: &Sandbox, remote: &str, opts: &TransferOptions) -> Result<(), DaytonaError> {
    let blob = sandbox.fs().download_file(remote, opts).await?;
    save_blob(&blob, &saved_name(remote, false))
}

/// Archives folder `remote` in the sandbox's `/tmp`, downloads the archive, saves it and
/// deletes it from the sandbox.
pub async fn download_folder(sandbox: &Sandbox, remote: &str, opts: &TransferOptions) -> Result<(), DaytonaError> {
    let archive = format!("/tmp/daytona-console-{:08x}.tar.gz", (js_sys::Math::random() * 4e9) as u32);
    let (dir, name) = (path::parent(remote), path::base_name(remote));
    let (dir, name) = if name == "/" { ("/".to_owned(), ".".to_owned()) } else { (dir, name) };
    let command = format!("tar czf {} -C {} {}", quote(&archive), quote(&dir), quote(&name));
    let process = sandbox.process();
    let made = process.exec(&command, None, None, Some(ARCHIVE_TIMEOUT_SECS)).await?;
    if made.exit_code != 0 {
        return Err(DaytonaError::InvalidArgument(format!("tar failed ({}): {}", made.exit_code, made.result.trim())));
    }
    let fetched = sandbox.fs().download_file(&archive, opts).await;
    // The archive is only a means; a failed cleanup leaves a file in the sandbox's /tmp.
    let _ = sandbox.fs().delete_file(&archive, false).await;
    save_blob(&fetched?, &saved_name(remote, true))
}
