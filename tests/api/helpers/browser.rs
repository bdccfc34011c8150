//! Drives the application the way a browser would: cookies kept, CSRF tokens read
//! from forms.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Page, TestApp, hidden_value};

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HashMap<String, Vec<String>>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }

    /// The body parsed, to ask about its structure.
    pub fn html(&self) -> Page {
        Page::parse(&self.body)
    }

    /// The value of the first hidden CSRF field on the page.
    pub fn csrf_token(&self) -> Option<String> {
        hidden_value(&self.body, "csrf_token")
    }

    #[track_caller]
    pub fn assert_redirect(&self, location: &str) {
        assert_eq!(
            self.status, 303,
            "expected a redirect to {location}: {}",
            self.body
        );
        assert_eq!(self.location(), location);
    }
}

/// A browser: keeps the session cookie and the CSRF token of the last page seen.
pub struct Browser {
    base: String,
    client: awc::Client,
    cookie: RefCell<Option<String>>,
    /// The cookie a sign-in through the identity provider waits in.
    sso_cookie: RefCell<Option<String>>,
    csrf: RefCell<Option<String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.address.clone(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                // Idle connections are dropped before the server's keep-alive (5 s)
                // would close them under a request after a long pause.
                .connector(awc::Connector::new().conn_keep_alive(std::time::Duration::from_secs(2)))
                .finish(),
            cookie: RefCell::new(None),
            sso_cookie: RefCell::new(None),
            csrf: RefCell::new(None),
        }
    }

    /// The address of the server this browser talks to.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The raw session cookie (name=value), to replay it later.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.borrow().clone()
    }

    pub fn set_cookie(&self, cookie: Option<String>) {
        *self.cookie.borrow_mut() = cookie;
    }

    pub fn csrf(&self) -> String {
        self.csrf
            .borrow()
            .clone()
            .expect("a page with a form was loaded before")
    }

    pub async fn get(&self, path: &str) -> Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        let cookies: Vec<String> = [self.cookie(), self.sso_cookie.borrow().clone()]
            .into_iter()
            .flatten()
            .collect();
        if !cookies.is_empty() {
            request = request.insert_header(("cookie", cookies.join("; ")));
        }
        let response = request.send().await.expect("GET sent");
        self.read(response).await
    }

    /// Posts a form as a same-origin browser would, adding the CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(
            path,
            &all,
            &[
                ("origin", &self.base.clone()),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await
    }

    /// Posts exactly these fields with exactly these extra headers.
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.post(format!("{}{path}", self.base));
        if let Some(cookie) = self.cookie() {
            request = request.insert_header(("cookie", cookie));
        }
        for (name, value) in headers {
            request = request.append_header((*name, *value));
        }
        let body = serde_html_form::to_string(fields).unwrap();
        let response = request
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .send_body(body)
            .await
            .expect("POST sent");
        self.read(response).await
    }

    async fn read<S>(&self, mut response: awc::ClientResponse<S>) -> Response
    where
        S: futures_util::Stream<
                Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
            > + Unpin,
    {
        let mut headers: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in response.headers() {
            headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(value.to_str().unwrap_or_default().to_owned());
        }
        for set_cookie in headers.get("set-cookie").into_iter().flatten() {
            let pair = set_cookie.split(';').next().unwrap_or_default();
            let empty = pair
                .split_once('=')
                .is_none_or(|(_, value)| value.is_empty());
            let cleared =
                empty || set_cookie.contains("Max-Age=0;") || set_cookie.ends_with("Max-Age=0");
            let slot = if pair.starts_with("tessera_sso=") {
                &self.sso_cookie
            } else {
                &self.cookie
            };
            *slot.borrow_mut() = if cleared { None } else { Some(pair.to_owned()) };
        }
        let body = response
            .body()
            .limit(4 * 1024 * 1024)
            .await
            .expect("body read");
        let body = String::from_utf8_lossy(&body).into_owned();
        let result = Response {
            status: response.status().as_u16(),
            headers,
            body,
        };
        if let Some(token) = result.csrf_token() {
            *self.csrf.borrow_mut() = Some(token);
        }
        result
    }

    /// Signs in through the form; panics unless it worked.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.get("/login").await;
        let response = self
            .post(
                "/login",
                &[("email", email), ("password", password), ("next", "")],
            )
            .await;
        response.assert_redirect("/settings/api-tokens");
        // Load a page so the browser holds the new session's CSRF token.
        assert_eq!(self.get("/settings/api-tokens").await.status, 200);
    }
}
