//! actix-session storage in the database, shared by every instance. The cookie holds
//! a random 256-bit key; the table holds its SHA-256 digest and the session's state.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;

use super::session::{admin_id_in_state, random_token, strip_admin};
use crate::db::{Db, DbError, sessions};
use crate::domain::digest::sha256_hex;

type SessionState = HashMap<String, String>;

pub struct DbSessionStore {
    db: Db,
    /// Absolute lifetime: a session ends this long after it began, active or not.
    lifetime: time::Duration,
}

impl DbSessionStore {
    pub fn new(db: Db, lifetime: time::Duration) -> Self {
        Self { db, lifetime }
    }

    async fn insert(&self, state: SessionState, ttl: time::Duration) -> anyhow::Result<SessionKey> {
        let key = random_token(32);
        let digest = sha256_hex(key.as_bytes());
        let admin_id = admin_id_in_state(&state);
        let json = serde_json::to_string(&state)?;
        self.db
            .run(move |c| sessions::insert(c, &digest, admin_id, &json, ttl).map_err(DbError::from))
            .await?;
        Ok(SessionKey::try_from(key)?)
    }
}

fn ttl(ttl: &CookieDuration) -> time::Duration {
    time::Duration::seconds(ttl.whole_seconds())
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        let digest = sha256_hex(key.as_ref().as_bytes());
        let lifetime = self.lifetime;
        let state = self
            .db
            .run(move |c| sessions::load(c, &digest, lifetime).map_err(DbError::from))
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        match state {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
        }
    }

    async fn save(
        &self,
        state: SessionState,
        ttl_: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        self.insert(state, ttl(ttl_))
            .await
            .map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: SessionState,
        ttl_: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let digest = sha256_hex(key.as_ref().as_bytes());
        let admin_id = admin_id_in_state(&state);
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let ttl = ttl(ttl_);
        let updated = self
            .db
            .run(move |c| sessions::update(c, &digest, admin_id, &json, ttl).map_err(DbError::from))
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            return Ok(key);
        }
        // The session ended while this request ran (sign-out elsewhere, administrator
        // disabled): keep what the page wanted to say, but never the sign-in.
        strip_admin(&mut state);
        self.insert(state, ttl).await.map_err(UpdateError::Other)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl_: &CookieDuration) -> anyhow::Result<()> {
        let digest = sha256_hex(key.as_ref().as_bytes());
        let ttl = ttl(ttl_);
        self.db
            .run(move |c| sessions::touch(c, &digest, ttl).map_err(DbError::from))
            .await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        let digest = sha256_hex(key.as_ref().as_bytes());
        self.db
            .run(move |c| sessions::delete(c, &digest).map_err(DbError::from))
            .await?;
        Ok(())
    }
}
