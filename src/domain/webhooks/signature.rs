//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): the receiver
//! checks `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with
//! the endpoint's `whsec_` secret.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::domain::encryption::{DecryptError, EncryptionKey};

pub const PREFIX: &str = "whsec_";
const KEY_BYTES: usize = 24;

/// An endpoint's signing secret. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl WebhookSecret {
    pub fn generate() -> Self {
        let mut key = vec![0; KEY_BYTES];
        rand::thread_rng().fill_bytes(&mut key);
        Self(key)
    }

    /// `whsec_` and the key in base64, as receivers' libraries take it.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    pub fn parse(text: &str) -> Option<Self> {
        let key = STANDARD.decode(text.strip_prefix(PREFIX)?).ok()?;
        (!key.is_empty()).then_some(Self(key))
    }

    /// Sealed under the operator's key for the endpoint `endpoint`, as stored.
    pub fn seal(&self, key: &EncryptionKey, endpoint: &str) -> String {
        STANDARD.encode(key.seal(endpoint, &self.expose()))
    }

    pub fn unseal(key: &EncryptionKey, endpoint: &str, sealed: &str) -> Result<Self, DecryptError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| DecryptError)?;
        Self::parse(&key.open(endpoint, &bytes)?).ok_or(DecryptError)
    }

    /// `v1,<signature>` of one message.
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret in use, so that a
/// receiver still holding the previous secret keeps accepting during a rotation.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(message_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries' tests.
    #[test]
    fn signs_as_the_specification_says() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            secret.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_new_secret_reads_back_and_both_secrets_sign_during_a_rotation() {
        let (old, new) = (WebhookSecret::generate(), WebhookSecret::generate());
        assert_ne!(old, new);
        assert_eq!(WebhookSecret::parse(&new.expose()), Some(new.clone()));
        assert!(new.expose().starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse("whsec_"), None);
        assert_eq!(WebhookSecret::parse("secret"), None);
        let header = signature_header(&[&new, &old], "msg_1", 1, "{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(
            parts,
            [new.sign("msg_1", 1, "{}"), old.sign("msg_1", 1, "{}")]
        );
        assert!(!format!("{new:?}").contains(&new.expose()[6..]));
        let key = EncryptionKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let sealed = new.seal(&key, "endpoint-1");
        assert!(!sealed.contains(&new.expose()[6..]));
        assert_eq!(WebhookSecret::unseal(&key, "endpoint-1", &sealed), Ok(new));
        assert!(
            WebhookSecret::unseal(&key, "endpoint-2", &sealed).is_err(),
            "bound to its endpoint"
        );
    }
}
