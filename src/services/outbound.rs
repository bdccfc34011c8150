//! Connections Tessera opens to other servers (webhook receivers, a remote
//! Tessera): TLS checked against the system's certificate authorities, which the
//! vendored OpenSSL does not find by itself.

use std::sync::OnceLock;

use openssl::ssl::{SslConnector, SslMethod};

/// A TLS connector trusting the system's authorities (found by openssl-probe),
/// whose bundle is read once per process: webhook rounds ask for it every second.
pub fn tls() -> Result<SslConnector, openssl::error::ErrorStack> {
    static BUILT: OnceLock<SslConnector> = OnceLock::new();
    if let Some(tls) = BUILT.get() {
        return Ok(tls.clone());
    }
    let mut tls = SslConnector::builder(SslMethod::tls())?;
    if let Some(file) = openssl_probe::probe().cert_file {
        tls.set_ca_file(file)?;
    }
    Ok(BUILT.get_or_init(|| tls.build()).clone())
}
