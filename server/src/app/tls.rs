//! HTTPS beside HTTP: the same routes on a second port (`--tls-listen`), with a certificate
//! issued at start by a local certificate authority kept in `--ca-dir` (made once, like
//! mkcert's). Clients that refuse plain HTTP need it: the official Python SDK uploads image
//! contexts to the object storage with obstore, which speaks only HTTPS and trusts only the
//! system's certificate store. `daytona-local trust-ca` puts the authority there (Debian's
//! `update-ca-certificates`); the server trusts nothing new itself.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The authority's certificate and key files in the CA directory.
const CA_CERT: &str = "daytona-local-ca.pem";
const CA_KEY: &str = "daytona-local-ca.key";

/// Where `trust-ca` installs the authority for Debian's `update-ca-certificates`.
const SYSTEM_CA: &str = "/usr/local/share/ca-certificates/daytona-local-ca.crt";

/// The default CA directory: host-wide for root (`/var/lib/daytona-local/ca`, so that every
/// server on the host shares one authority to trust), else under the user's home.
pub fn default_ca_dir() -> PathBuf {
    if crate::jail::runtime::running_as_root() {
        return PathBuf::from("/var/lib/daytona-local/ca");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/daytona-local/ca")
}

/// The local certificate authority.
pub struct LocalCa {
    key: rcgen::KeyPair,
    pem: String,
}

/// The authority's fields: always the same, so that certificates issued with its key name the
/// subject of the stored certificate as their issuer.
fn ca_params() -> rcgen::CertificateParams {
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, "daytona-local CA");
    name.push(rcgen::DnType::OrganizationName, "daytona-local");
    params.distinguished_name = name;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    params
}

impl LocalCa {
    /// The authority kept in `dir`, made there first if there is none (the key 0600, the
    /// directory 0700).
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        // Servers starting together make one authority: the first under the lock.
        let lock = std::fs::File::create(dir.join(".lock")).map_err(|e| format!("{}: {e}", dir.display()))?;
        // SAFETY: flock on a descriptor we own; released when `lock` is closed.
        if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) } != 0 {
            return Err(format!("locking {}: {}", dir.display(), std::io::Error::last_os_error()));
        }
        let (cert_file, key_file) = (dir.join(CA_CERT), dir.join(CA_KEY));
        if let (Ok(pem), Ok(key_pem)) = (std::fs::read_to_string(&cert_file), std::fs::read_to_string(&key_file)) {
            let key = rcgen::KeyPair::from_pem(&key_pem).map_err(|e| format!("{}: {e}", key_file.display()))?;
            return Ok(Self { key, pem });
        }
        let key = rcgen::KeyPair::generate().map_err(|e| format!("a CA key: {e}"))?;
        let pem = ca_params().self_signed(&key).map_err(|e| format!("the CA: {e}"))?.pem();
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&key_file)
            .map_err(|e| format!("{}: {e}", key_file.display()))?;
        std::io::Write::write_all(&mut f, key.serialize_pem().as_bytes()).map_err(|e| e.to_string())?;
        std::fs::write(&cert_file, &pem).map_err(|e| format!("{}: {e}", cert_file.display()))?;
        Ok(Self { key, pem })
    }

    /// The authority's certificate (PEM), for clients to trust.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A TLS server config with a new certificate for `names` (DNS names and IP addresses),
    /// issued by this authority.
    pub fn server_config(&self, names: &[String]) -> Result<Arc<rustls::ServerConfig>, String> {
        let key = rcgen::KeyPair::generate().map_err(|e| format!("a TLS key: {e}"))?;
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name.push(rcgen::DnType::CommonName, "daytona-local");
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<IpAddr>() {
                Ok(ip) => Ok(rcgen::SanType::IpAddress(ip)),
                Err(_) => n.clone().try_into().map(rcgen::SanType::DnsName).map_err(|e| format!("{n}: {e}")),
            })
            .collect::<Result<_, _>>()?;
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature, rcgen::KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let ca = ca_params();
        let issuer = rcgen::Issuer::from_params(&ca, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(|e| format!("a TLS certificate: {e}"))?;
        let chain = vec![cert.der().clone()];
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| format!("the TLS certificate: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The names a certificate of this host covers: `localhost`, the loopback addresses, this
/// host's name, the address listened on and the `extra` names given.
pub fn certificate_names(listen: IpAddr, extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into(), hostname()];
    if !listen.is_unspecified() {
        names.push(listen.to_string());
    }
    names.extend(extra.iter().cloned());
    names.retain(|n| !n.is_empty());
    names.sort();
    names.dedup();
    names
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_default()
}

/// `daytona-local trust-ca`: makes the authority if need be and adds it to the system's
/// certificate store (root; Debian's `update-ca-certificates`). Prints what it did.
pub fn trust(ca_dir: &Path) -> Result<(), String> {
    let ca = LocalCa::load_or_create(ca_dir)?;
    if std::fs::read_to_string(SYSTEM_CA).is_ok_and(|installed| installed == ca.pem()) {
        println!("the daytona-local CA ({}) is already trusted", ca_dir.display());
        return Ok(());
    }
    if !crate::jail::runtime::running_as_root() {
        return Err(format!(
            "adding a CA to the system's store needs root: run `sudo cp {} {SYSTEM_CA} && sudo update-ca-certificates`",
            ca_dir.join(CA_CERT).display()
        ));
    }
    if let Some(dir) = Path::new(SYSTEM_CA).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(SYSTEM_CA, ca.pem()).map_err(|e| format!("{SYSTEM_CA}: {e}"))?;
    let status = std::process::Command::new("update-ca-certificates")
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("update-ca-certificates: {e}"))?;
    if !status.success() {
        return Err(format!("update-ca-certificates failed ({status})"));
    }
    println!("the daytona-local CA ({}) is now trusted by this host", ca_dir.display());
    Ok(())
}
