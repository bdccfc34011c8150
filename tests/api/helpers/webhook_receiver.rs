//! A webhook receiver on a port of its own, and the instances and endpoints that
//! send to it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use tessera::config::{EncryptionArgs, ServeArgs};
use tessera::domain::encryption::EncryptionKey;
use tessera::domain::webhooks::destination::Policy;
use tessera::domain::webhooks::signature::WebhookKeys;
use tessera::services::webhooks::delivery::Sender;

use super::{Browser, TestApp, spawn_app_with};

/// The encryption key of webhook tests: signing secrets are kept sealed under it.
pub const WEBHOOK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A message as the receiver got it.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Whether one of the signatures is the secret's, as the Standard Webhooks
    /// reference library signs (its `verify` also wants the timestamp within five
    /// minutes of the real clock, and these tests move the sender's clock).
    pub fn signed_by(&self, secret: &str) -> bool {
        let expected = standardwebhooks::Webhook::new(secret)
            .unwrap()
            .sign(&self.id, self.timestamp, self.body.as_bytes())
            .unwrap();
        self.signature.split(' ').any(|s| s == expected)
    }
}

/// A receiver on a port of its own, answering `status`.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<Mutex<u16>>,
    body: Arc<Mutex<String>>,
}

impl Receiver {
    pub fn start() -> Self {
        Self::start_on("127.0.0.1:0")
    }

    /// A receiver listening on `address`, such as `[::1]:0`.
    pub fn start_on(address: &str) -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200));
        let answer = Arc::new(Mutex::new(String::new()));
        let (g, s, a) = (got.clone(), status.clone(), answer.clone());
        let server = HttpServer::new(move || {
            let (g, s, a) = (g.clone(), s.clone(), a.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: String| {
                let (g, s, a) = (g.clone(), s.clone(), a.clone());
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    g.lock().unwrap().push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
                        signature: header("webhook-signature"),
                        body,
                    });
                    let code = *s.lock().unwrap();
                    let answer = a.lock().unwrap().clone();
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap())
                        .body(answer)
                }
            }))
        })
        .workers(1)
        .bind(address)
        .unwrap();
        let url = format!("http://{}/hooks", server.addrs()[0]);
        actix_web::rt::spawn(server.run());
        Self {
            url,
            got,
            status,
            body: answer,
        }
    }

    pub fn answer(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }

    /// Answers `status` with this body from now on.
    pub fn answer_with(&self, status: u16, body: &str) {
        self.answer(status);
        *self.body.lock().unwrap() = body.to_owned();
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until a message of `event` arrives.
    pub async fn wait_for(&self, event: &str) -> Received {
        for _ in 0..100 {
            if let Some(found) = self
                .received()
                .into_iter()
                .find(|r| r.json()["type"] == event)
            {
                return found;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {event} arrived; got {:?}", self.received());
    }
}

/// An instance that may send webhooks to the test's receiver on loopback, and
/// sends them itself when `delivery` is on.
pub async fn webhook_app(delivery: bool) -> TestApp {
    spawn_app_with(webhook_args(delivery)).await
}

pub fn webhook_args(delivery: bool) -> ServeArgs {
    ServeArgs {
        webhook_allow_http: true,
        webhook_allow_private: true,
        webhook_delivery: delivery,
        encryption: EncryptionArgs {
            encryption_key: Some(WEBHOOK_KEY.into()),
        },
        ..ServeArgs::default()
    }
}

/// The keys a test's own sender opens signing secrets with: `key` (base64) alone.
pub fn webhook_keys(key: &str) -> WebhookKeys {
    WebhookKeys::new(EncryptionKey::from_base64(key).unwrap(), None)
}

/// How a test sends with its own clock: under `keys`, to any address, within
/// `timeout`, with no mail.
pub fn test_sender(keys: &WebhookKeys, timeout: Duration) -> Sender<'_> {
    Sender {
        key: Some(keys),
        policy: Policy {
            allow_http: true,
            allow_private: true,
        },
        timeout,
        mail_links: None,
    }
}

/// Adds an endpoint through the page; its ID and the secret shown once.
pub async fn add_endpoint(admin: &Browser, url: &str, events: &[&str]) -> (String, String) {
    admin.get("/settings/webhooks/new").await;
    let mut fields = vec![("url", url), ("description", "Receiver")];
    fields.extend(events.iter().map(|e| ("events", *e)));
    let page = admin.post("/settings/webhooks/new", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let secret = page.html().text("#secret");
    let href = page
        .html()
        .attr("a.button-primary[href^='/settings/webhooks/']", "href")
        .unwrap();
    (href.rsplit('/').next().unwrap().to_owned(), secret)
}
