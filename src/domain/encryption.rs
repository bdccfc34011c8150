//! Token secrets kept for showing again: AES-256-GCM under the operator's key, a fresh
//! random nonce per secret, and the token's GUID as associated data, so a ciphertext
//! only opens on the row it was written for.

use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

/// The first byte of every stored ciphertext: the format, should it ever change.
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 12;

/// The operator's 32-byte key. Never printed.
#[derive(Clone)]
pub struct EncryptionKey(Aes256Gcm);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("it is not valid base64")]
    NotBase64,
    #[error("it decodes to {0} bytes; it must be 32 bytes")]
    WrongLength(usize),
}

/// A ciphertext that does not open: tampered with, another key, or another token's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored token value cannot be decrypted with this key")]
pub struct DecryptError;

impl EncryptionKey {
    /// A new random key, in the base64 form [`Self::from_base64`] reads.
    pub fn random_base64() -> String {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    /// A key from its base64 form (`openssl rand -base64 32`).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        if bytes.len() != 32 {
            return Err(KeyError::WrongLength(bytes.len()));
        }
        Ok(Self(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes))))
    }

    /// Encrypts a token's secret for the token with this GUID.
    pub fn seal(&self, guid: &str, secret: &str) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.as_bytes(),
                    aad: guid.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any secret of a token's size");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`seal`](Self::seal) wrote for the token with this GUID.
    pub fn open(&self, guid: &str, stored: &[u8]) -> Result<String, DecryptError> {
        let (&format, rest) = stored.split_first().ok_or(DecryptError)?;
        if format != FORMAT || rest.len() < NONCE_LEN {
            return Err(DecryptError);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let plain = self
            .0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: guid.as_bytes(),
                },
            )
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const OTHER_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    const GUID: &str = "3f1c2a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f";
    const SECRET: &str = "tsr_abcdefghijklmnopqrstuvwxyz0123456789ABCD123456";

    fn key(text: &str) -> EncryptionKey {
        EncryptionKey::from_base64(text).unwrap()
    }

    #[test]
    fn random_keys_are_read_back_and_differ() {
        let (one, two) = (
            EncryptionKey::random_base64(),
            EncryptionKey::random_base64(),
        );
        assert_ne!(one, two);
        let sealed = key(&one).seal(GUID, SECRET);
        assert_eq!(key(&one).open(GUID, &sealed).unwrap(), SECRET);
    }

    #[test]
    fn a_sealed_secret_opens_again() {
        let sealed = key(KEY).seal(GUID, SECRET);
        assert_eq!(key(KEY).open(GUID, &sealed).unwrap(), SECRET);
        assert!(!sealed.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let k = key(KEY);
        assert_ne!(k.seal(GUID, SECRET), k.seal(GUID, SECRET));
    }

    #[test]
    fn tampering_another_key_or_another_row_refuse_to_open() {
        let sealed = key(KEY).seal(GUID, SECRET);
        for i in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assert_eq!(
                key(KEY).open(GUID, &tampered),
                Err(DecryptError),
                "byte {i}"
            );
        }
        assert_eq!(key(KEY).open(GUID, &sealed[..20]), Err(DecryptError));
        assert_eq!(key(KEY).open(GUID, &[]), Err(DecryptError));
        assert_eq!(key(OTHER_KEY).open(GUID, &sealed), Err(DecryptError));
        let other_row = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
        assert_eq!(key(KEY).open(other_row, &sealed), Err(DecryptError));
    }

    #[test]
    fn malformed_keys_are_named() {
        assert_eq!(
            EncryptionKey::from_base64("not base64!").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            EncryptionKey::from_base64("c2hvcnQ=").unwrap_err(),
            KeyError::WrongLength(5)
        );
        assert!(format!("{:?}", key(KEY)) == "EncryptionKey(..)");
    }
}
