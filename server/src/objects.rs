//! Object storage for build contexts: an S3-compatible endpoint served on the API's own
//! address, path-style under `/{BUCKET}/…`, reached with the temporary credentials of
//! `GET /api/object-storage/push-access` (the official SDKs upload image contexts there as
//! `{organizationId}/{hash}/context.tar`, with a HEAD first and multipart for large ones).
//!
//! `s3s` speaks the protocol: it parses requests, checks their SigV4 signatures (headers or
//! presigned query) against the secret of the request's access key, and writes S3's XML
//! answers; this module keeps the credentials (each expires an hour after it was handed out,
//! and its session token must come with it) and stores objects as files under
//! `DATA/objects/`, with only the operations builds need: put, head, get, list, multipart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use daytona_models::hex;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use parking_lot::Mutex;
use rand::distributions::{Alphanumeric, DistString};
use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput, CompleteMultipartUploadOutput,
    CreateMultipartUploadInput, CreateMultipartUploadOutput, ETag, GetObjectInput, GetObjectOutput, HeadObjectInput,
    HeadObjectOutput, ListObjectsV2Input, ListObjectsV2Output, PutObjectInput, PutObjectOutput, StreamingBlob,
    Timestamp, UploadPartInput, UploadPartOutput,
};
use s3s::{s3_error, S3Request, S3Response, S3Result};
use tokio::io::AsyncWriteExt;

/// The one bucket (Daytona's name for it).
pub const BUCKET: &str = "daytona-volume-builds";

/// The region credentials are signed for.
pub const REGION: &str = "us-east-1";

/// How long handed-out credentials stay valid.
const CREDENTIALS_TTL: Duration = Duration::from_secs(60 * 60);

/// Most credentials valid at once (the oldest are forgotten first).
const MAX_GRANTS: usize = 1024;

/// Largest object, in bytes.
pub const MAX_OBJECT_BYTES: u64 = 8 << 30;

/// Most parts of a multipart upload (S3's own limit).
const MAX_PARTS: i32 = 10_000;

/// Most keys one listing answers.
const MAX_LISTED: i32 = 1000;

/// Longest object key, in bytes.
const MAX_KEY_BYTES: usize = 512;

/// Multipart uploads older than this are removed when the server starts.
const STALE_UPLOAD: Duration = Duration::from_secs(24 * 60 * 60);

/// Credentials handed out by push-access.
struct Grant {
    secret: String,
    session_token: String,
    expires: Instant,
}

type Grants = Arc<Mutex<HashMap<String, Grant>>>;

/// The object storage: its files and its S3 front.
pub struct ObjectStorage {
    dir: PathBuf,
    grants: Grants,
    service: s3s::service::S3Service,
}

/// Temporary credentials: access key, secret, session token.
pub struct Credentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret: String,
    /// Session token.
    pub session_token: String,
}

impl ObjectStorage {
    /// The storage under `data_dir/objects` (made if need be; abandoned uploads removed).
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("objects");
        for sub in ["data", "uploads"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        remove_stale_uploads(&dir.join("uploads"));
        let grants: Grants = Arc::default();
        let mut builder = s3s::service::S3ServiceBuilder::new(Files { dir: dir.clone() });
        builder.set_auth(Keys(Arc::clone(&grants)));
        builder.set_access(Access(Arc::clone(&grants)));
        Ok(Self { dir, grants, service: builder.build() })
    }

    /// New temporary credentials, valid for [`CREDENTIALS_TTL`].
    pub fn grant(&self) -> Credentials {
        let random = |n| Alphanumeric.sample_string(&mut rand::thread_rng(), n);
        let creds =
            Credentials { access_key: format!("DL{}", random(18)), secret: random(40), session_token: random(64) };
        let mut grants = self.grants.lock();
        let now = Instant::now();
        grants.retain(|_, g| g.expires > now);
        if grants.len() >= MAX_GRANTS {
            if let Some(oldest) = grants.iter().min_by_key(|(_, g)| g.expires).map(|(k, _)| k.clone()) {
                grants.remove(&oldest);
            }
        }
        let grant = Grant {
            secret: creds.secret.clone(),
            session_token: creds.session_token.clone(),
            expires: now + CREDENTIALS_TTL,
        };
        grants.insert(creds.access_key.clone(), grant);
        creds
    }

    /// The file of object `key`, if it exists.
    pub fn object(&self, key: &str) -> Option<PathBuf> {
        let path = object_path(&self.dir, key).ok()?;
        path.is_file().then_some(path)
    }

    /// Answers one S3 request (its path starts with `/{BUCKET}`).
    pub async fn serve(&self, req: Request) -> Response {
        let mut service = self.service.clone();
        match tower::Service::call(&mut service, req).await {
            Ok(resp) => resp.map(Body::new).into_response(),
            Err(e) => {
                tracing::error!("object storage: {e:?}");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// Removes multipart uploads begun more than [`STALE_UPLOAD`] ago.
fn remove_stale_uploads(uploads: &Path) {
    for entry in std::fs::read_dir(uploads).into_iter().flatten().flatten() {
        let old =
            entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or_default() > STALE_UPLOAD);
        if old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Checks an object key: 1 to 16 components of letters, digits, `.`, `_` and `-`, none of
/// them `.` or `..`; nothing that could leave the storage's directory.
fn check_key(key: &str) -> S3Result<()> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY_BYTES
        && key.split('/').count() <= 16
        && key.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        });
    match ok {
        true => Ok(()),
        false => Err(s3_error!(InvalidArgument, "object keys are made of letters, digits, '.', '_', '-' and '/'")),
    }
}

fn check_bucket(bucket: &str) -> S3Result<()> {
    match bucket == BUCKET {
        true => Ok(()),
        false => Err(s3_error!(NoSuchBucket)),
    }
}

/// The file of object `key` (checked).
fn object_path(dir: &Path, key: &str) -> S3Result<PathBuf> {
    check_key(key)?;
    Ok(dir.join("data").join(key))
}

/// The ETag kept beside an object's data (`data/…` ↔ `etags/…`).
fn etag_path(dir: &Path, key: &str) -> PathBuf {
    dir.join("etags").join(key)
}

/// A multipart upload's directory (its id checked: ours are UUIDs).
fn upload_dir(dir: &Path, upload_id: &str) -> S3Result<PathBuf> {
    match uuid::Uuid::parse_str(upload_id) {
        Ok(id) => Ok(dir.join("uploads").join(id.to_string())),
        Err(_) => Err(s3_error!(NoSuchUpload)),
    }
}

fn internal(e: impl std::fmt::Display) -> s3s::S3Error {
    tracing::error!("object storage: {e}");
    s3_error!(InternalError)
}

/// Writes `body` to `to` (a new file), at most `limit` bytes; returns its size and MD5.
async fn write_body(body: StreamingBlob, to: &Path, limit: u64) -> S3Result<(u64, [u8; 16])> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(internal)?;
    }
    let mut file = tokio::fs::File::create(to).await.map_err(internal)?;
    let (mut size, mut md5) = (0u64, Md5::new());
    let mut body = body;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| s3_error!(IncompleteBody, "{e}"))?;
        size += chunk.len() as u64;
        if size > limit {
            drop(file);
            let _ = tokio::fs::remove_file(to).await;
            return Err(s3_error!(EntityTooLarge, "objects are at most {MAX_OBJECT_BYTES} bytes here"));
        }
        md5.update(&chunk);
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.sync_all().await.map_err(internal)?;
    Ok((size, md5.finalize().into()))
}

/// Moves a finished temporary file to object `key`'s place, with its ETag.
async fn commit(dir: &Path, key: &str, tmp: &Path, etag: &str) -> S3Result<()> {
    let path = object_path(dir, key)?;
    let etag_file = etag_path(dir, key);
    for p in [&path, &etag_file] {
        if let Some(parent) = p.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(internal)?;
        }
    }
    tokio::fs::write(&etag_file, etag).await.map_err(internal)?;
    tokio::fs::rename(tmp, &path).await.map_err(internal)
}

/// The files behind the S3 operations.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn tmp(&self) -> PathBuf {
        self.dir.join("uploads").join(format!(".put-{}", uuid::Uuid::new_v4()))
    }

    async fn stat(&self, key: &str) -> S3Result<(u64, Timestamp, ETag)> {
        let path = object_path(&self.dir, key)?;
        let meta = tokio::fs::metadata(&path).await.map_err(|_| s3_error!(NoSuchKey))?;
        if !meta.is_file() {
            return Err(s3_error!(NoSuchKey));
        }
        let etag = tokio::fs::read_to_string(etag_path(&self.dir, key)).await.unwrap_or_default();
        let modified = meta.modified().map_err(internal)?;
        Ok((meta.len(), Timestamp::from(modified), ETag::Strong(etag)))
    }
}

#[async_trait::async_trait]
impl s3s::S3 for Files {
    async fn put_object(&self, req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
        let PutObjectInput { body, bucket, key, .. } = req.input;
        check_bucket(&bucket)?;
        check_key(&key)?;
        let body = body.ok_or_else(|| s3_error!(IncompleteBody))?;
        let tmp = self.tmp();
        let (_, md5) = write_body(body, &tmp, MAX_OBJECT_BYTES).await?;
        let etag = hex(&md5);
        commit(&self.dir, &key, &tmp, &etag).await?;
        Ok(S3Response::new(PutObjectOutput { e_tag: Some(ETag::Strong(etag)), ..Default::default() }))
    }

    async fn head_object(&self, req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
        check_bucket(&req.input.bucket)?;
        let (size, modified, etag) = self.stat(&req.input.key).await?;
        Ok(S3Response::new(HeadObjectOutput {
            content_length: Some(size as i64),
            last_modified: Some(modified),
            e_tag: Some(etag),
            ..Default::default()
        }))
    }

    async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        check_bucket(&req.input.bucket)?;
        if req.input.range.is_some() {
            return Err(s3_error!(NotImplemented, "ranged reads are not served here"));
        }
        let (size, modified, etag) = self.stat(&req.input.key).await?;
        let file = tokio::fs::File::open(object_path(&self.dir, &req.input.key)?).await.map_err(internal)?;
        let stream = tokio_util::io::ReaderStream::new(file);
        Ok(S3Response::new(GetObjectOutput {
            body: Some(StreamingBlob::wrap(stream)),
            content_length: Some(size as i64),
            last_modified: Some(modified),
            e_tag: Some(etag),
            ..Default::default()
        }))
    }

    async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
        let ListObjectsV2Input { bucket, prefix, max_keys, .. } = req.input;
        check_bucket(&bucket)?;
        let prefix = prefix.unwrap_or_default();
        let max = max_keys.unwrap_or(MAX_LISTED).clamp(0, MAX_LISTED) as usize;
        // Walk only the directory the prefix names whole (`org/hash/` → that directory).
        let dir = match prefix.rfind('/') {
            Some(at) => {
                check_key(&prefix[..at])?;
                self.dir.join("data").join(&prefix[..at])
            }
            None => self.dir.join("data"),
        };
        let data = self.dir.join("data");
        let found = tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(&dir).follow_links(false).sort_by_file_name() {
                let Ok(entry) = entry else { continue };
                let key = entry.path().strip_prefix(&data).ok().and_then(|k| k.to_str()).map(str::to_owned);
                match key {
                    Some(key) if entry.file_type().is_file() && key.starts_with(&prefix) => found.push(key),
                    _ => {}
                }
                if found.len() > max {
                    break;
                }
            }
            found
        })
        .await
        .map_err(internal)?;
        let truncated = found.len() > max;
        let mut contents = Vec::new();
        for key in found.into_iter().take(max) {
            let (size, modified, etag) = self.stat(&key).await?;
            contents.push(s3s::dto::Object {
                key: Some(key),
                size: Some(size as i64),
                last_modified: Some(modified),
                e_tag: Some(etag),
                ..Default::default()
            });
        }
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(bucket),
            key_count: Some(contents.len() as i32),
            max_keys: Some(max as i32),
            is_truncated: Some(truncated),
            contents: Some(contents),
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let CreateMultipartUploadInput { bucket, key, .. } = req.input;
        check_bucket(&bucket)?;
        check_key(&key)?;
        let id = uuid::Uuid::new_v4().to_string();
        let dir = upload_dir(&self.dir, &id)?;
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        tokio::fs::write(dir.join("key"), &key).await.map_err(internal)?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(bucket),
            key: Some(key),
            upload_id: Some(id),
            ..Default::default()
        }))
    }

    async fn upload_part(&self, req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
        let UploadPartInput { body, bucket, key, part_number, upload_id, .. } = req.input;
        check_bucket(&bucket)?;
        if !(1..=MAX_PARTS).contains(&part_number) {
            return Err(s3_error!(InvalidArgument, "part numbers are 1 to {MAX_PARTS}"));
        }
        let dir = self.upload_of(&upload_id, &key).await?;
        let body = body.ok_or_else(|| s3_error!(IncompleteBody))?;
        let tmp = dir.join(format!(".{part_number}.{}", uuid::Uuid::new_v4()));
        let (_, md5) = write_body(body, &tmp, MAX_OBJECT_BYTES).await?;
        let etag = hex(&md5);
        tokio::fs::write(dir.join(format!("{part_number}.etag")), &etag).await.map_err(internal)?;
        tokio::fs::rename(&tmp, dir.join(part_number.to_string())).await.map_err(internal)?;
        Ok(S3Response::new(UploadPartOutput { e_tag: Some(ETag::Strong(etag)), ..Default::default() }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let CompleteMultipartUploadInput { bucket, key, upload_id, multipart_upload, .. } = req.input;
        check_bucket(&bucket)?;
        let dir = self.upload_of(&upload_id, &key).await?;
        let parts = multipart_upload.and_then(|m| m.parts).unwrap_or_default();
        if parts.is_empty() {
            return Err(s3_error!(InvalidPart, "name at least one part"));
        }
        let tmp = self.tmp();
        let mut out = tokio::fs::File::create(&tmp).await.map_err(internal)?;
        let (mut previous, mut size, mut digests) = (0, 0u64, Vec::with_capacity(parts.len() * 16));
        let result: S3Result<()> = async {
            for part in &parts {
                let number = part.part_number.unwrap_or(0);
                if number <= previous {
                    return Err(s3_error!(InvalidPartOrder));
                }
                previous = number;
                let stored = tokio::fs::read_to_string(dir.join(format!("{number}.etag")))
                    .await
                    .map_err(|_| s3_error!(InvalidPart, "part {number} was not uploaded"))?;
                if part.e_tag.as_ref().is_some_and(|e| e.value().trim_matches('"') != stored) {
                    return Err(s3_error!(InvalidPart, "part {number}'s ETag differs"));
                }
                let mut digest = [0u8; 16];
                for (i, byte) in digest.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(stored.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
                }
                digests.extend_from_slice(&digest);
                let mut file = tokio::fs::File::open(dir.join(number.to_string())).await.map_err(internal)?;
                size += tokio::io::copy(&mut file, &mut out).await.map_err(internal)?;
                if size > MAX_OBJECT_BYTES {
                    return Err(s3_error!(EntityTooLarge, "objects are at most {MAX_OBJECT_BYTES} bytes here"));
                }
            }
            out.sync_all().await.map_err(internal)
        }
        .await;
        drop(out);
        if let Err(e) = result {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        let etag = format!("{}-{}", hex(&Md5::digest(&digests)), parts.len());
        commit(&self.dir, &key, &tmp, &etag).await?;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(bucket),
            key: Some(key),
            e_tag: Some(ETag::Strong(etag)),
            ..Default::default()
        }))
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        check_bucket(&req.input.bucket)?;
        let dir = self.upload_of(&req.input.upload_id, &req.input.key).await?;
        tokio::fs::remove_dir_all(&dir).await.map_err(internal)?;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }
}

impl Files {
    /// The directory of upload `upload_id`, which must be of object `key`.
    async fn upload_of(&self, upload_id: &str, key: &str) -> S3Result<PathBuf> {
        let dir = upload_dir(&self.dir, upload_id)?;
        match tokio::fs::read_to_string(dir.join("key")).await {
            Ok(k) if k == key => Ok(dir),
            _ => Err(s3_error!(NoSuchUpload)),
        }
    }
}

/// The secret of each valid access key.
struct Keys(Grants);

#[async_trait::async_trait]
impl s3s::auth::S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<s3s::auth::SecretKey> {
        let grants = self.0.lock();
        match grants.get(access_key) {
            Some(g) if g.expires > Instant::now() => Ok(g.secret.clone().into()),
            Some(_) => Err(s3_error!(ExpiredToken, "the credentials have expired: get new ones from push-access")),
            None => Err(s3_error!(InvalidAccessKeyId)),
        }
    }
}

/// Signed requests only, with the session token of their access key, on the bucket.
struct Access(Grants);

#[async_trait::async_trait]
impl s3s::access::S3Access for Access {
    async fn check(&self, cx: &mut s3s::access::S3AccessContext<'_>) -> S3Result<()> {
        use subtle::ConstantTimeEq;
        let Some(creds) = cx.credentials() else { return Err(s3_error!(AccessDenied, "sign the request")) };
        let token =
            cx.headers().get("x-amz-security-token").and_then(|v| v.to_str().ok()).map(str::to_owned).or_else(|| {
                form_urlencoded::parse(cx.uri().query().unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == "X-Amz-Security-Token")
                    .map(|(_, v)| v.into_owned())
            });
        let valid = {
            let grants = self.0.lock();
            let expected = grants.get(&creds.access_key).map(|g| g.session_token.clone()).unwrap_or_default();
            token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(expected.as_bytes())))
        };
        if !valid {
            return Err(s3_error!(InvalidToken, "the session token does not belong to the access key"));
        }
        match cx.s3_path() {
            s3s::path::S3Path::Object { bucket, .. } | s3s::path::S3Path::Bucket { bucket } if &**bucket == BUCKET => {
                Ok(())
            }
            _ => Err(s3_error!(AccessDenied, "only bucket {BUCKET} is served")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_storage() {
        for ok in ["org/0123/context.tar", "a", "a.b-c_d/e"] {
            assert!(check_key(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a/../b", "/a", "a//b", "a/./b", "a/", "a b", "a\\b", &"a/".repeat(20)] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
        assert!(upload_dir(Path::new("/d"), "../../etc").is_err());
    }
}
