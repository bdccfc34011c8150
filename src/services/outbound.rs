//! Connections Tessera opens to other servers (webhook receivers, a remote
//! Tessera): TLS checked against the system's certificate authorities, which the
//! vendored OpenSSL does not find by itself.

use openssl::ssl::{SslConnector, SslMethod};

/// A TLS connector trusting the system's authorities (found by openssl-probe).
pub fn tls() -> Result<SslConnector, openssl::error::ErrorStack> {
    let mut tls = SslConnector::builder(SslMethod::tls())?;
    if let Some(file) = openssl_probe::probe().cert_file {
        tls.set_ca_file(file)?;
    }
    Ok(tls.build())
}
