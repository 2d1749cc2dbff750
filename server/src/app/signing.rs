//! Pre-signed toolbox file URLs: per-sandbox HMAC keys and the proxy-side check.
//!
//! `signature = "v1_" + base64url(HMAC-SHA256(key, "v1:files:{METHOD}:{path}:{expires}"))`,
//! `expires` in Unix seconds, `0` = never.

#[cfg(test)]
use daytona_models::sign_file_url as sign;
use daytona_models::verify_file_url;

/// A new random signing key.
pub fn new_key() -> String {
    super::auth::random_token(43)
}

/// The operations a signed URL may authorize: download (GET) and upload (POST).
pub fn signable(method: &str, toolbox_path: &str) -> bool {
    matches!((method, toolbox_path), ("GET", "/files/download") | ("POST", "/files/upload-v2"))
}

/// Checks a signed request's `path`, `expires` and `signature` query values.
pub fn verify(
    key: &str,
    method: &str,
    path: &str,
    expires: &str,
    signature: &str,
    now_secs: i64,
) -> Result<(), String> {
    if key.is_empty() {
        return Err("no signing key".into());
    }
    let expires: i64 = expires.parse().map_err(|_| "invalid expires".to_owned())?;
    if expires != 0 && now_secs > expires {
        return Err("signed URL expired".into());
    }
    match verify_file_url(key, method, path, expires, signature) {
        true => Ok(()),
        false => Err("invalid signature".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trip_and_expiry() {
        let sig = sign("k", "GET", "/a b.txt", 100);
        assert!(sig.starts_with("v1_") && !sig.contains('='));
        assert_eq!(verify("k", "GET", "/a b.txt", "100", &sig, 50), Ok(()));
        assert!(verify("k", "GET", "/a b.txt", "100", &sig, 101).is_err(), "expired");
        assert!(verify("other", "GET", "/a b.txt", "100", &sig, 50).is_err(), "wrong key");
        assert!(verify("k", "POST", "/a b.txt", "100", &sig, 50).is_err(), "wrong method");
        assert!(verify("k", "GET", "/b.txt", "100", &sig, 50).is_err(), "wrong path");
        let forever = sign("k", "GET", "/x", 0);
        assert_eq!(verify("k", "GET", "/x", "0", &forever, i64::MAX), Ok(()));
        assert!(verify("", "GET", "/x", "0", &sign("", "GET", "/x", 0), 0).is_err(), "empty key");
    }
}
