//! Uploads of an [`Image`]'s local contexts to the control plane's object storage, as the
//! official SDKs do: S3, path-style, signed with SigV4 with the temporary credentials of
//! `GET /object-storage/push-access`. Each context is named by the MD5 of its archive path
//! and its files' paths and contents (`{organizationId}/{hash}/context.tar`), looked up with a
//! HEAD first (an upload already there is not sent again), and uploaded as a tar made on the
//! fly from its `Blob`s: one PUT up to [`PART_SIZE`], a multipart upload above, each part a
//! `Blob` of the tar headers and slices of the files' blobs (the browser sends the bytes from
//! where they are: never copied through this module's memory), with progress and cancel.

use std::rc::Rc;

use daytona_models::{context_key, hex, StorageAccess};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::client::Client;
use crate::http::{js_message, Method};
use crate::image::{Context, Image};
use crate::transfer::{TransferOptions, TransferProgress};
use crate::xhr::{self, Body};
use crate::{Call, DaytonaError};

/// Size of each part of a multipart upload (S3 takes 5 MiB to 5 GiB; fewer, larger parts go
/// up faster), and the largest single PUT.
pub const PART_SIZE: usize = 16 * 1024 * 1024;

/// How much of a blob is read at once while hashing.
const READ_CHUNK: f64 = 1024.0 * 1024.0;

/// Uploads the contexts of `image` that the storage lacks; their hashes, in order (for
/// `buildInfo.contextHashes`). No request at all for an image without contexts.
pub(crate) async fn upload_contexts(
    client: &Rc<Client>,
    image: &Image,
    opts: &TransferOptions,
) -> Result<Vec<String>, DaytonaError> {
    if image.contexts.is_empty() {
        return Ok(Vec::new());
    }
    let access: StorageAccess = Call::new(client, Method::Get, client.api("/object-storage/push-access")).await?;
    upload_with(&access, image, opts).await
}

/// Uploads the contexts of `image` that the storage lacks with the push access `access`; their
/// hashes, in order.
pub(crate) async fn upload_with(
    access: &StorageAccess,
    image: &Image,
    opts: &TransferOptions,
) -> Result<Vec<String>, DaytonaError> {
    let mut hashes = Vec::with_capacity(image.contexts.len());
    let mut pending = Vec::new();
    for context in &image.contexts {
        let hash = context_hash(context).await?;
        let key = context_key(&access.organization_id, &hash);
        if !exists(access, &key, opts).await? {
            pending.push((key, Tar::of(context)?));
        }
        hashes.push(hash);
    }
    let total: u64 = pending.iter().map(|(_, tar)| tar.size).sum();
    let mut done = 0u64;
    for (key, tar) in pending {
        let size = tar.size;
        upload(access, &key, tar, opts, done, total).await?;
        done += size;
    }
    Ok(hashes)
}

/// The MD5 the official SDKs name a context by: its archive path, then for a file its bytes,
/// for a directory each file's relative path and bytes (here in path order).
async fn context_hash(context: &Context) -> Result<String, DaytonaError> {
    let mut md5 = Md5::new();
    md5.update(context.archive_path.as_bytes());
    for (path, blob) in &context.files {
        md5.update(path.as_bytes());
        let size = blob.size();
        let mut at = 0.0;
        while at < size {
            let end = (at + READ_CHUNK).min(size);
            md5.update(read(blob, at, end).await?);
            at = end;
        }
    }
    Ok(hex(&md5.finalize()))
}

/// Bytes `start..end` of `blob`.
async fn read(blob: &Blob, start: f64, end: f64) -> Result<Vec<u8>, DaytonaError> {
    let slice = blob.slice_with_f64_and_f64(start, end).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
    let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// One piece of a tar stream.
enum Piece {
    /// Header (or padding, or the end) bytes.
    Bytes(Vec<u8>),
    /// A file's contents.
    Blob(Blob),
}

/// A context as a tar archive, produced piece by piece.
struct Tar {
    pieces: std::collections::VecDeque<Piece>,
    /// Bytes already taken of the first piece.
    offset: usize,
    /// The archive's size.
    size: u64,
}

impl Tar {
    /// The archive of `context`: entries named under its archive path (a directory entry for
    /// each directory), files 0644, directories 0755, owned by root.
    fn of(context: &Context) -> Result<Self, DaytonaError> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut pieces = std::collections::VecDeque::new();
        let mut dirs: Vec<String> = Vec::new();
        let mtime = (js_sys::Date::now() / 1000.0) as u64;
        let mut header = |path: &str, size: u64, dir: bool| -> Result<Vec<u8>, DaytonaError> {
            let mut h = tar::Header::new_gnu();
            h.set_size(size);
            h.set_mode(if dir { 0o755 } else { 0o644 });
            h.set_mtime(mtime);
            h.set_entry_type(if dir { tar::EntryType::Directory } else { tar::EntryType::Regular });
            builder
                .append_data(&mut h, path, std::io::empty())
                .map_err(|e| DaytonaError::InvalidArgument(format!("{path}: {e}")))?;
            Ok(std::mem::take(builder.get_mut()))
        };
        let push =
            |pieces: &mut std::collections::VecDeque<Piece>, bytes: Vec<u8>| pieces.push_back(Piece::Bytes(bytes));
        for (relative, blob) in &context.files {
            let path = match relative.is_empty() {
                true => context.archive_path.clone(),
                false => format!("{}/{relative}", context.archive_path),
            };
            if context.is_dir {
                // Every directory on the way, once (the context's own first).
                let mut prefix = context.archive_path.clone();
                let parts: Vec<&str> = relative.split('/').collect();
                for (n, part) in
                    std::iter::once("").chain(parts[..parts.len().saturating_sub(1)].iter().copied()).enumerate()
                {
                    if n > 0 {
                        prefix = format!("{prefix}/{part}");
                    }
                    if !dirs.contains(&prefix) {
                        dirs.push(prefix.clone());
                        push(&mut pieces, header(&prefix, 0, true)?);
                    }
                }
            }
            let len = blob.size() as u64;
            push(&mut pieces, header(&path, len, false)?);
            pieces.push_back(Piece::Blob(blob.clone()));
            let pad = (512 - (len % 512) as usize) % 512;
            if pad > 0 {
                push(&mut pieces, vec![0; pad]);
            }
        }
        if context.is_dir && context.files.is_empty() {
            push(&mut pieces, header(&context.archive_path, 0, true)?);
        }
        push(&mut pieces, vec![0; 1024]);
        let size = pieces
            .iter()
            .map(|p| match p {
                Piece::Bytes(b) => b.len() as u64,
                Piece::Blob(b) => b.size() as u64,
            })
            .sum();
        Ok(Self { pieces, offset: 0, size })
    }

    /// The next part: up to `max` bytes (fewer only at the end; `None` after it) as a `Blob` made
    /// of the headers and slices of the files' own blobs, so the browser sends the files'
    /// bytes without copying them through this module's memory.
    fn take(&mut self, max: usize) -> Result<Option<(Blob, usize)>, DaytonaError> {
        let parts = js_sys::Array::new();
        let mut taken = 0;
        while taken < max {
            let Some(piece) = self.pieces.front() else { break };
            let want = max - taken;
            let (len, end, part): (usize, usize, JsValue) = match piece {
                Piece::Bytes(bytes) => {
                    let end = (self.offset + want).min(bytes.len());
                    (bytes.len(), end, js_sys::Uint8Array::from(&bytes[self.offset..end]).into())
                }
                Piece::Blob(blob) => {
                    let len = blob.size() as usize;
                    let end = (self.offset + want).min(len);
                    let slice = blob
                        .slice_with_f64_and_f64(self.offset as f64, end as f64)
                        .map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
                    (len, end, slice.into())
                }
            };
            parts.push(&part);
            taken += end - self.offset;
            self.offset = end;
            if self.offset >= len {
                self.pieces.pop_front();
                self.offset = 0;
            }
        }
        if taken == 0 {
            return Ok(None);
        }
        let blob =
            Blob::new_with_u8_array_sequence(&parts).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
        Ok(Some((blob, taken)))
    }
}

/// Whether object `key` is stored (HEAD).
async fn exists(access: &StorageAccess, key: &str, opts: &TransferOptions) -> Result<bool, DaytonaError> {
    let quiet = TransferOptions { on_progress: None, ..opts.clone() };
    match request(access, "HEAD", key, &[], Body::None, &quiet).await {
        Ok(_) => Ok(true),
        Err(DaytonaError::Api { status: 404, .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Uploads `tar` as object `key`; progress counts from `done` of `total` bytes.
async fn upload(
    access: &StorageAccess,
    key: &str,
    mut tar: Tar,
    opts: &TransferOptions,
    done: u64,
    total: u64,
) -> Result<(), DaytonaError> {
    let part_opts = |offset: u64| {
        let report = opts.on_progress.clone();
        TransferOptions {
            on_progress: report.map(|report| -> crate::ProgressFn {
                Rc::new(move |p: TransferProgress| {
                    report(TransferProgress { loaded: done + offset + p.loaded, total: Some(total) })
                })
            }),
            ..opts.clone()
        }
    };
    if tar.size <= PART_SIZE as u64 {
        let body = tar.take(PART_SIZE)?.map(|(blob, _)| blob);
        let body = body.as_ref().map_or(Body::None, Body::Blob);
        request(access, "PUT", key, &[], body, &part_opts(0)).await?;
        return Ok(());
    }
    let created = request(access, "POST", key, &[("uploads", "")], Body::None, &TransferOptions::default()).await?;
    let upload_id = between(&created.body, "<UploadId>", "</UploadId>")
        .ok_or_else(|| DaytonaError::Decode(format!("no UploadId in {}", created.body)))?
        .to_owned();
    let mut parts = Vec::new();
    let mut offset = 0u64;
    let result: Result<(), DaytonaError> = async {
        while let Some((blob, len)) = tar.take(PART_SIZE)? {
            let number = (parts.len() + 1).to_string();
            let query = [("partNumber", number.as_str()), ("uploadId", upload_id.as_str())];
            let answer = request(access, "PUT", key, &query, Body::Blob(&blob), &part_opts(offset)).await?;
            let etag = answer.etag.ok_or_else(|| DaytonaError::Decode("no ETag on an uploaded part".into()))?;
            offset += len as u64;
            parts.push(etag);
        }
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (n, etag) in parts.iter().enumerate() {
            xml += &format!("<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>", n + 1);
        }
        xml += "</CompleteMultipartUpload>";
        let query = [("uploadId", upload_id.as_str())];
        request(access, "POST", key, &query, Body::Text(&xml), &TransferOptions::default()).await.map(|_| ())
    }
    .await;
    if result.is_err() {
        // A cancelled or failed upload leaves no parts behind.
        let query = [("uploadId", upload_id.as_str())];
        let _ = request(access, "DELETE", key, &query, Body::None, &TransferOptions::default()).await;
    }
    result
}

/// The text between `start` and `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    Some(&s[from..from + s[from..].find(end)?])
}

/// One signed request for object `key` with `query`.
async fn request(
    access: &StorageAccess,
    method: &str,
    key: &str,
    query: &[(&str, &str)],
    body: Body<'_>,
    opts: &TransferOptions,
) -> Result<xhr::Answer, DaytonaError> {
    let base = access.storage_url.trim_end_matches('/');
    let host = base.split_once("://").map_or(base, |(_, rest)| rest).split('/').next().unwrap_or_default();
    let path = format!("/{}/{}", uri_encode(&access.bucket, false), uri_encode(key, true));
    let mut pairs: Vec<(String, String)> =
        query.iter().map(|(k, v)| (uri_encode(k, false), uri_encode(v, false))).collect();
    pairs.sort();
    let canonical_query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let headers = sign(access, method, host, &path, &canonical_query, &amz_date());
    let url = match canonical_query.is_empty() {
        true => format!("{base}{path}"),
        false => format!("{base}{path}?{canonical_query}"),
    };
    xhr::send(method, &url, &headers, body, opts).await
}

/// `YYYYMMDD'T'HHMMSS'Z'`, now.
fn amz_date() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date(),
        d.get_utc_hours(),
        d.get_utc_minutes(),
        d.get_utc_seconds()
    )
}

/// S3's URI encoding: every byte but `A-Za-z0-9-_.~` (and `/` in a key) as `%XX`.
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b'/' if keep_slash => out.push('/'),
            _ => out += &format!("%{b:02X}"),
        }
    }
    out
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The headers of a SigV4-signed request (unsigned payload, the session token signed).
fn sign(
    access: &StorageAccess,
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    amz_date: &str,
) -> Vec<(String, String)> {
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/s3/aws4_request", access.region);
    let signed_headers = "host;x-amz-content-sha256;x-amz-date;x-amz-security-token";
    let canonical = format!(
        "{method}\n{path}\n{query}\nhost:{host}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:{amz_date}\n\
         x-amz-security-token:{}\n\n{signed_headers}\nUNSIGNED-PAYLOAD",
        access.session_token
    );
    let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut key = hmac(format!("AWS4{}", access.secret).as_bytes(), date);
    for part in [access.region.as_str(), "s3", "aws4_request"] {
        key = hmac(&key, part);
    }
    let signature = hex(&hmac(&key, &to_sign));
    vec![
        ("x-amz-date".into(), amz_date.into()),
        ("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into()),
        ("x-amz-security-token".into(), access.session_token.clone()),
        (
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                access.access_key
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uri_encoded_as_s3_wants() {
        assert_eq!(uri_encode("org/ab c/context.tar", true), "org/ab%20c/context.tar");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
        assert_eq!(between("<a><UploadId>x-1</UploadId></a>", "<UploadId>", "</UploadId>"), Some("x-1"));
    }
}
