//! The secret: its format (prefix, random body, checksum), generation, and how it
//! is stored (digest, hint, and optionally sealed to show again).

use std::fmt;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::domain::digest::sha256_hex;
use crate::domain::encryption::{DecryptError, EncryptionKey};
use crate::domain::ids::Guid;

/// Every secret starts with this, so secret scanners can find leaked tokens.
pub const PREFIX: &str = "tsr_";
/// Random base62 characters after the prefix: 40 × log2(62) ≈ 238 bits.
pub const BODY_LEN: usize = 40;
/// Base62 CRC32 of prefix and body, so typos are caught without a lookup.
pub const CHECKSUM_LEN: usize = 6;
const MIN_BODY_LEN: usize = 32;
const MAX_BODY_LEN: usize = 128;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A token secret in clear. It exists only between generation and the page that
/// shows it once; its `Debug` and `Display` never print it.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Self {
        Self::generate_with(&mut rand::rngs::OsRng)
    }

    /// A new secret from `rng`, which must be cryptographically secure (the seed
    /// command makes a million with a thread's generator, seeded by the system).
    pub fn generate_with(rng: &mut (impl Rng + rand::CryptoRng)) -> Self {
        Self(generate_secret(PREFIX, rng))
    }

    /// The plaintext, for the one page that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps instead of the secret.
    pub fn digest(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// A hint that tells tokens apart on screen without revealing them.
    pub fn hint(&self) -> String {
        secret_hint(PREFIX, &self.0)
    }

    /// What the database keeps of the secret of the token `guid`: with an encryption
    /// key, the secret encrypted too, so it can be shown again.
    pub fn to_store(&self, guid: &Guid, key: Option<&EncryptionKey>) -> StoredSecret {
        StoredSecret {
            digest: self.digest(),
            hint: self.hint(),
            sealed: key.map(|k| self.seal(guid, k)),
        }
    }

    /// The secret encrypted for the token `guid` under `key`, as stored (base64).
    pub fn seal(&self, guid: &Guid, key: &EncryptionKey) -> String {
        BASE64.encode(key.seal(guid.as_str(), &self.0))
    }

    /// The secret of the token `guid`, decrypted from what [`to_store`](Self::to_store) kept.
    pub fn unseal(key: &EncryptionKey, guid: &Guid, sealed: &str) -> Result<Self, DecryptError> {
        let bytes = BASE64.decode(sealed).map_err(|_| DecryptError)?;
        key.open(guid.as_str(), &bytes).map(Self)
    }
}

/// A secret as stored: never in clear.
pub struct StoredSecret {
    pub digest: String,
    pub hint: String,
    /// Base64 of the AES-256-GCM ciphertext, when an encryption key is set.
    pub sealed: Option<String>,
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// Six base62 digits of the CRC32 of `text` (zero-padded: 62⁶ > 2³²).
fn checksum(text: &str) -> [u8; CHECKSUM_LEN] {
    let mut value = u64::from(crc32fast::hash(text.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    MissingPrefix,
    BadLength,
    BadCharacter,
    BadChecksum,
}

/// A new secret: `prefix`, [`BODY_LEN`] random base62 characters drawn from a
/// generator seeded by `rng` (both cryptographically secure), and the checksum of
/// both. One seed, not one read of `rng` per character: from the operating
/// system's generator, each read is a system call.
pub fn generate_secret(prefix: &str, rng: &mut (impl Rng + rand::CryptoRng)) -> String {
    let mut rng = StdRng::from_rng(rng).expect("the system's random generator");
    let mut secret = String::with_capacity(prefix.len() + BODY_LEN + CHECKSUM_LEN);
    secret.push_str(prefix);
    for _ in 0..BODY_LEN {
        secret.push(BASE62[rng.gen_range(0..BASE62.len())] as char);
    }
    let checksum = checksum(&secret);
    secret.extend(checksum.iter().map(|b| char::from(*b)));
    secret
}

/// Checks prefix, length, alphabet and checksum of a token secret: what can be
/// known without the database.
pub fn check_format(candidate: &str) -> Result<(), FormatError> {
    check_secret_format(PREFIX, candidate)
}

/// The prefix and the last four characters of a secret (of any kind): enough to
/// tell secrets apart on screen, too little to guess one.
pub fn secret_hint(prefix: &str, secret: &str) -> String {
    format!("{prefix}…{}", &secret[secret.len().saturating_sub(4)..])
}

/// [`check_format`] for secrets of another kind, told apart by their prefix.
pub fn check_secret_format(prefix: &str, candidate: &str) -> Result<(), FormatError> {
    let rest = candidate
        .strip_prefix(prefix)
        .ok_or(FormatError::MissingPrefix)?;
    if !(MIN_BODY_LEN + CHECKSUM_LEN..=MAX_BODY_LEN + CHECKSUM_LEN).contains(&rest.len()) {
        return Err(FormatError::BadLength);
    }
    // No early exit: the compiler then checks many bytes at once.
    if !rest
        .bytes()
        .fold(true, |ok, b| ok & b.is_ascii_alphanumeric())
    {
        return Err(FormatError::BadCharacter);
    }
    let (head, sum) = candidate.split_at(candidate.len() - CHECKSUM_LEN);
    if base62_value(sum.as_bytes()) != u64::from(crc32fast::hash(head.as_bytes())) {
        return Err(FormatError::BadChecksum);
    }
    Ok(())
}

/// The number base62 `digits` write (alphanumeric, as checked before): reading the
/// checksum costs no division, unlike writing it.
fn base62_value(digits: &[u8]) -> u64 {
    digits.iter().fold(0, |value, digit| {
        let d = match digit {
            b'0'..=b'9' => digit - b'0',
            b'A'..=b'Z' => digit - b'A' + 10,
            _ => digit.wrapping_sub(b'a').wrapping_add(36),
        };
        value * 62 + u64::from(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_secrets_have_the_documented_shape() {
        let secret = SecretToken::generate();
        let text = secret.expose();
        assert!(text.starts_with("tsr_"));
        assert_eq!(text.len(), PREFIX.len() + BODY_LEN + CHECKSUM_LEN);
        assert!(text[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(check_format(text), Ok(()));
        assert_eq!(secret.digest().len(), 64);
        assert!(secret.hint().starts_with("tsr_…") && text.ends_with(&secret.hint()[7..]));
        assert_ne!(SecretToken::generate().expose(), text);
        assert!(!format!("{secret:?}").contains(&text[4..]));
    }

    #[test]
    fn the_format_check_names_what_is_wrong() {
        let good = SecretToken::generate().expose().to_owned();
        assert_eq!(
            check_format(&good.replacen("tsr_", "tsx_", 1)),
            Err(FormatError::MissingPrefix)
        );
        assert_eq!(check_format("tsr_abc"), Err(FormatError::BadLength));
        assert_eq!(
            check_format(&good.replacen('_', "-", 1)),
            Err(FormatError::MissingPrefix)
        );
        let mut bad_char = good.clone();
        bad_char.replace_range(10..11, "!");
        assert_eq!(check_format(&bad_char), Err(FormatError::BadCharacter));
    }

    proptest! {
        #[test]
        fn a_checksum_read_back_is_the_crc_it_was_written_from(text in ".{0,80}") {
            let crc = crc32fast::hash(text.as_bytes());
            prop_assert_eq!(base62_value(&checksum(&text)), u64::from(crc));
        }

        #[test]
        fn any_single_character_change_is_caught(index in 4usize..50, replacement in 0usize..62) {
            let good = SecretToken::generate().expose().to_owned();
            let mut bytes = good.clone().into_bytes();
            let new = BASE62[replacement];
            prop_assume!(bytes[index] != new);
            bytes[index] = new;
            let mutated = String::from_utf8(bytes).unwrap();
            prop_assert!(check_format(&mutated).is_err());
        }

        #[test]
        fn swapping_two_different_neighbours_is_caught(index in 4usize..49) {
            let good = SecretToken::generate().expose().to_owned();
            let mut bytes = good.into_bytes();
            prop_assume!(bytes[index] != bytes[index + 1]);
            bytes.swap(index, index + 1);
            prop_assert!(check_format(&String::from_utf8(bytes).unwrap()).is_err());
        }

        #[test]
        fn dropping_or_adding_a_character_is_caught(index in 0usize..50, extra in 0usize..62) {
            let good = SecretToken::generate().expose().to_owned();
            let mut shorter = good.clone();
            shorter.remove(index);
            prop_assert!(check_format(&shorter).is_err());
            let mut longer = good;
            longer.insert(index, BASE62[extra] as char);
            prop_assert!(check_format(&longer).is_err());
        }

        #[test]
        fn arbitrary_strings_never_panic_and_rarely_pass(s in ".{0,80}") {
            let _ = check_format(&s);
            let with_prefix = format!("tsr_{s}");
            let _ = check_format(&with_prefix);
        }
    }
}
