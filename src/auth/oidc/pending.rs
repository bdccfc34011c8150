//! A sign-in on its way through the provider: its `state`, `nonce` and PKCE
//! verifier wait in a cookie, encrypted and authenticated with the server's cookie
//! key, sent only to the callback. The session cookie cannot carry them: it is
//! SameSite=Strict, and the provider's redirect back is a cross-site navigation.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize};

use crate::urls;

const COOKIE: &str = "tessera_sso";

/// What the browser keeps between leaving for the provider and coming back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub(super) state: String,
    pub(super) nonce: String,
    pub(super) pkce_verifier: String,
    /// Where to go after signing in.
    pub next: String,
    pub(super) started_at: i64,
}

/// The cookie that carries a sign-in to the callback.
pub fn pending_cookie(pending: &PendingSignIn, key: &Key, secure: bool) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    let value = serde_json::to_string(pending).expect("serializable");
    let mut cookie = base(Cookie::new(COOKIE, value), secure);
    cookie.set_max_age(actix_web::cookie::time::Duration::minutes(10));
    jar.private_mut(key).add(cookie);
    jar.get(COOKIE).cloned().expect("the cookie just added")
}

/// The sign-in this browser started, if its cookie is genuine.
pub fn take_pending(req: &HttpRequest, key: &Key) -> Option<PendingSignIn> {
    let cookie = req.cookie(COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    let value = jar.private(key).get(COOKIE)?;
    serde_json::from_str(value.value()).ok()
}

/// Removes the cookie: a sign-in is finished once, whatever its outcome.
pub fn cleared_pending_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = base(Cookie::new(COOKIE, ""), secure);
    cookie.make_removal();
    cookie
}

fn base(mut cookie: Cookie<'static>, secure: bool) -> Cookie<'static> {
    cookie.set_path(urls::SSO_CALLBACK);
    cookie.set_http_only(true);
    cookie.set_secure(secure);
    cookie.set_same_site(SameSite::Lax);
    cookie
}
