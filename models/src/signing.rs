//! The signature of pre-signed toolbox file URLs, shared by the server (which checks it)
//! and the SDK (which makes it).

use base64::Engine;
use hmac::{Hmac, Mac};

/// `"v1_" + base64url(HMAC-SHA256(key, "v1:files:{METHOD}:{path}:{expires}"))`; `expires` is in
/// Unix seconds (`0` = never).
pub fn sign_file_url(key: &str, method: &str, path: &str, expires: i64) -> String {
    let mac = file_url_mac(key, method, path, expires);
    format!("v1_{}", base64url(&mac.finalize().into_bytes()))
}

/// Whether `signature` is [`sign_file_url`]'s for these values, compared in constant time
/// (`Mac::verify_slice`).
pub fn verify_file_url(key: &str, method: &str, path: &str, expires: i64, signature: &str) -> bool {
    let Some(tag) = signature.strip_prefix("v1_") else { return false };
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else { return false };
    file_url_mac(key, method, path, expires).verify_slice(&tag).is_ok()
}

fn file_url_mac(key: &str, method: &str, path: &str, expires: i64) -> Hmac<sha2::Sha256> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("v1:files:{method}:{path}:{expires}").as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_official_sdk_algorithm() {
        // Node: 'v1_' + createHmac('sha256', 'secret').update('v1:files:GET:/tmp/f:1700000000').digest('base64url')
        assert_eq!(
            super::sign_file_url("secret", "GET", "/tmp/f", 1_700_000_000),
            "v1_ylHnGVXIDhfgP_gn0nt68AgyM7YBsrzdHzdxq49Io_Y"
        );
    }
}

/// `bytes` in base64url without padding (RFC 4648 §5), as the SDKs send them (signatures, the
/// PTY's environment): `base64`'s engine does the same (held to it in a test) but cost the
/// browser package 2 KB of wasm for these two encodings; decoding (the server's) stays its.
pub fn base64url(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        // A chunk of k bytes gives k + 1 digits.
        for i in 0..=chunk.len() {
            out.push(char::from(DIGITS[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// `bytes` as lowercase hexadecimal (digests: ETags, SigV4 signatures, build and token hashes).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod hex_tests {
    #[test]
    fn base64url_is_the_base64_crates() {
        use base64::Engine;
        let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
        for len in 0..70 {
            for start in [0, 1, 100, 250] {
                let slice = &bytes[start..start + len];
                assert_eq!(super::base64url(slice), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(slice));
            }
        }
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
