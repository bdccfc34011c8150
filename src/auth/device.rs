//! A browser that signed in to an account before keeps a signed cookie saying so
//! (sent to `/login` only). It skips the account-wide sign-in limit: attackers
//! guessing an administrator's password from elsewhere cannot slow them down.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};

use crate::domain::ids::AdministratorId;
use crate::urls;

pub const COOKIE: &str = "tessera_device";

/// How long a browser stays known without signing in again.
const LIFETIME: Duration = Duration::days(180);

/// The administrator this browser signed in as before, if its cookie is genuine.
pub fn known_admin(req: &HttpRequest, key: &Key) -> Option<AdministratorId> {
    let cookie = req.cookie(COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    jar.signed(key)
        .get(COOKIE)?
        .value()
        .parse()
        .ok()
        .map(AdministratorId)
}

/// The cookie that marks this browser as one `admin_id` signed in with.
pub fn cookie_for(admin_id: AdministratorId, key: &Key, secure: bool) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    jar.signed_mut(key).add(
        Cookie::build(COOKIE, admin_id.to_string())
            .path(urls::LOGIN)
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(LIFETIME)
            .finish(),
    );
    jar.get(COOKIE).cloned().expect("the cookie just added")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn only_a_cookie_signed_with_the_key_names_an_administrator() {
        let key = Key::generate();
        let cookie = cookie_for(AdministratorId(42), &key, true);
        assert_ne!(cookie.value(), "42", "signed, not bare");
        let req = TestRequest::default()
            .cookie(cookie.clone())
            .to_http_request();
        assert_eq!(known_admin(&req, &key), Some(AdministratorId(42)));
        assert_eq!(known_admin(&req, &Key::generate()), None, "another key");
        let forged = Cookie::new(COOKIE, cookie.value().replace("42", "43"));
        let req = TestRequest::default().cookie(forged).to_http_request();
        assert_eq!(known_admin(&req, &key), None);
        let bare = TestRequest::default()
            .cookie(Cookie::new(COOKIE, "42"))
            .to_http_request();
        assert_eq!(known_admin(&bare, &key), None);
    }
}
