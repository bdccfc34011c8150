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

/// The keys signing secrets are kept under: new ones under `current`; those kept
/// before under the key Tessera generated beside a SQLite database open with
/// `generated` too, while that file exists, so that an operator who sets a key of
/// their own later strands none.
#[derive(Debug, Clone)]
pub struct WebhookKeys {
    current: EncryptionKey,
    generated: Option<EncryptionKey>,
}

impl WebhookKeys {
    pub fn new(current: EncryptionKey, generated: Option<EncryptionKey>) -> Self {
        Self { current, generated }
    }

    /// A secret sealed for the endpoint `endpoint`, under the current key.
    pub fn seal(&self, secret: &WebhookSecret, endpoint: &str) -> String {
        secret.seal(&self.current, endpoint)
    }

    /// A stored secret, under the current key or else the generated one.
    pub fn open(&self, endpoint: &str, sealed: &str) -> Result<WebhookSecret, DecryptError> {
        WebhookSecret::unseal(&self.current, endpoint, sealed).or_else(|error| {
            let generated = self.generated.as_ref().ok_or(error)?;
            WebhookSecret::unseal(generated, endpoint, sealed)
        })
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

/// Who sends, as the receiver reads it.
pub const USER_AGENT: &str = concat!("Tessera-Webhooks/", env!("CARGO_PKG_VERSION"));

/// The headers of a delivery (Standard Webhooks), in the order sent; the page of a
/// delivery lists the same ones. The timestamp and signature come last.
pub fn request_headers(
    message_id: &str,
    timestamp: i64,
    signature: String,
) -> [(&'static str, String); 5] {
    [
        ("content-type", "application/json".to_owned()),
        ("user-agent", USER_AGENT.to_owned()),
        ("webhook-id", message_id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ]
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

    #[test]
    fn the_generated_key_opens_only_what_the_current_one_does_not_and_never_seals() {
        let key = |byte| EncryptionKey::from_base64(&STANDARD.encode([byte; 32])).unwrap();
        let secret = WebhookSecret::generate();
        let before = secret.seal(&key(1), "endpoint-1");
        let keys = WebhookKeys::new(key(2), Some(key(1)));
        assert_eq!(keys.open("endpoint-1", &before), Ok(secret.clone()));
        let after = keys.seal(&secret, "endpoint-1");
        assert_eq!(
            WebhookSecret::unseal(&key(2), "endpoint-1", &after),
            Ok(secret)
        );
        assert!(
            WebhookKeys::new(key(2), None)
                .open("endpoint-1", &before)
                .is_err()
        );
        assert!(keys.open("endpoint-2", &before).is_err());
    }
}
