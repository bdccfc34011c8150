//! Password hashing with argon2id. Hashing is slow on purpose: call these functions
//! off the async workers, through [`HashingGate`].

mod gate;

pub use gate::{HashingError, HashingGate};

use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;

/// OWASP's minimum for argon2id: 19 MiB of memory, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A password as typed by someone; its `Debug` never shows it.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

pub fn hash(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &Password, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => argon2()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the work of a real verification when there is no account, so the time a
/// failed sign-in takes does not tell whether the email exists.
pub fn verify_without_account(password: &Password) -> bool {
    static DUMMY_HASH: LazyLock<String> =
        LazyLock::new(|| hash(&Password::new("an unguessable placeholder password")));
    let _ = verify(password, &DUMMY_HASH);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let password = Password::new("correct horse battery staple");
        let hashed = hash(&password);
        assert!(
            hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hashed}"
        );
        assert!(verify(&password, &hashed));
        assert!(!verify(&Password::new("wrong"), &hashed));
        assert!(!verify(&password, "not a hash"));
        assert!(!verify_without_account(&password));
    }

    #[test]
    fn debug_output_hides_the_password() {
        assert!(!format!("{:?}", Password::new("hunter2")).contains("hunter2"));
    }
}
