//! A client of the management API: JSON in, status, headers and JSON out.

use awc::http::header::HeaderMap;
use serde_json::Value;

use super::{Browser, PASSWORD, TestApp, input_value};

pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
}

impl ApiResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The problem's stable code.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
}

pub struct ApiClient {
    base: String,
    key: String,
    client: awc::Client,
}

impl ApiClient {
    pub fn new(app: &TestApp, key: &str) -> Self {
        Self {
            base: app.address.clone(),
            key: key.to_owned(),
            client: awc::Client::default(),
        }
    }

    /// Sends `method path` with the key, `headers` and `body` (JSON when `Some`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> ApiResponse {
        let body = body.map(|b| b.to_string());
        self.send_raw(method, path, headers, body.as_deref()).await
    }

    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> ApiResponse {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .insert_header(("authorization", format!("Bearer {}", self.key)));
        if body.is_some() {
            request = request.insert_header(("content-type", "application/json"));
        }
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let mut response = match body {
            Some(body) => request
                .send_body(body.to_owned())
                .await
                .expect("request sent"),
            None => request.send().await.expect("request sent"),
        };
        let bytes = response.body().limit(10 << 20).await.expect("body read");
        ApiResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, path: &str) -> ApiResponse {
        self.send("GET", path, &[], None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> ApiResponse {
        self.send("POST", path, &[], Some(body)).await
    }

    /// `method path` with `If-Match` set to `etag`.
    pub async fn write(
        &self,
        method: &str,
        path: &str,
        etag: &str,
        body: Option<&Value>,
    ) -> ApiResponse {
        self.send(method, path, &[("if-match", etag)], body).await
    }
}

impl TestApp {
    /// Creates an API key in My profile, as the signed-in `admin` (who types their
    /// password again), and returns it.
    pub async fn api_key(
        &self,
        admin: &Browser,
        name: &str,
        permissions: &[&str],
        scopes: &[&str],
    ) -> String {
        admin.get("/profile/api-keys").await;
        let mut fields = vec![
            ("name", name),
            ("expires_in_days", "30"),
            ("password", PASSWORD),
        ];
        fields.extend(permissions.iter().map(|p| ("permissions", *p)));
        let scope_ids: Vec<String> = scopes.iter().map(|s| self.scope_id(s)).collect();
        if scope_ids.is_empty() {
            fields.push(("scope_limit", "all"));
        } else {
            fields.push(("scope_limit", "listed"));
            fields.extend(scope_ids.iter().map(|id| ("scopes", id.as_str())));
        }
        let page = admin.post("/profile/api-keys", &fields).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let key = input_value(&page.body, "secret").expect("the key, shown once");
        assert!(key.starts_with("tsa_"), "{key}");
        key
    }
}
