//! A remote Tessera, through its management API: what `tessera token` does with
//! `--url` and `--api-key`, so that operators script a remote installation the
//! same way as a local one. The server applies every rule; this only translates.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use awc::http::Method;
use serde_json::{Value, json};

use super::token::{Listed, validity};
use crate::config::{RemoteArgs, TokenCreateArgs};
use crate::domain::ids::Guid;
use crate::domain::timestamps::parse_iso;
use crate::domain::token_list::StatusFilter;
use crate::domain::tokens::TokenStatus;
use crate::services::outbound;

/// One runtime and one client for the whole command, so that its requests (the
/// pages of a list) share a connection.
pub struct Remote {
    api: String,
    key: String,
    runtime: actix_web::rt::SystemRunner,
    client: awc::Client,
}

/// The request did not get an answer.
#[derive(Debug, thiserror::Error)]
#[error("could not reach Tessera: {0}")]
struct Unreachable(String);

/// An answer of the API.
struct Answer {
    status: u16,
    etag: Option<String>,
    body: Value,
}

impl Remote {
    /// The remote named by `--url` and `--api-key`, if any.
    pub fn of(args: &RemoteArgs) -> anyhow::Result<Option<Self>> {
        let (Some(url), Some(key)) = (&args.url, &args.api_key) else {
            return Ok(None);
        };
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("--url {url:?}: give Tessera's address, such as https://tessera.example.com");
        }
        let runtime = actix_web::rt::System::new();
        let client = runtime.block_on(async { client() })?;
        Ok(Some(Self {
            api: format!("{url}/api/v1"),
            key: key.trim().to_owned(),
            runtime,
            client,
        }))
    }

    pub fn create_token(&self, args: &TokenCreateArgs) -> anyhow::Result<()> {
        let (duration, valid_to) = validity(&args.expires)?;
        let mut permissions = Vec::new();
        for grant in &args.grants {
            let (module, action) = grant.split_once(':').with_context(|| {
                format!("{grant:?}: write grants as module:action, such as orders:read")
            })?;
            permissions.push(json!({ "module": module, "action": action }));
        }
        let body = json!({
            "name": args.name,
            "description": args.description,
            "scopes": args.scopes,
            "type": args.token_type.token_type().key(),
            "permissions": permissions,
            "duration": duration,
            "valid_to": (!valid_to.is_empty()).then_some(valid_to),
            "allowed_networks": args.allowed_networks,
            "can_introspect": args.introspect,
        });
        // Retried once if the connection fails: the key makes sure that the
        // retry never makes a second token.
        let key = Guid::generate().to_string();
        let headers = [("Idempotency-Key", key.as_str())];
        let path = format!("{}/tokens", self.api);
        let answer = match self.send(Method::POST, &path, &headers, Some(&body)) {
            Err(error) if error.is::<Unreachable>() => {
                self.send(Method::POST, &path, &headers, Some(&body))?
            }
            other => other?,
        };
        let token = ok(answer)?.body;
        let Some(secret) = token["secret"].as_str() else {
            bail!("the token was made by an earlier attempt, and its secret is not shown again");
        };
        eprintln!(
            "Created {} ({}), {}. The secret below is shown once.",
            token["name"].as_str().unwrap_or_default(),
            token["guid"].as_str().unwrap_or_default(),
            match token["valid_to"].as_str() {
                Some(to) => format!("valid until {}", &to[..to.len().min(10)]),
                None => "valid with no end".to_owned(),
            }
        );
        println!("{secret}");
        Ok(())
    }

    /// Every token the key sees, page after page; deleted ones too with `all`.
    pub fn list_tokens(&self, all: bool) -> anyhow::Result<Vec<Listed>> {
        let mut tokens = Vec::new();
        let mut filters = vec![String::new()];
        if all {
            filters.push(format!(
                "&status={}",
                StatusFilter::Is(TokenStatus::Deleted).key()
            ));
        }
        for filter in filters {
            let mut next = Some(format!("{}/tokens?per_page=100{filter}", self.api));
            while let Some(url) = next.take() {
                let page = ok(self.send(Method::GET, &url, &[], None)?)?.body;
                for token in page["tokens"].as_array().into_iter().flatten() {
                    tokens.push(listed(token)?);
                }
                next = page["next"].as_str().map(str::to_owned);
            }
        }
        Ok(tokens)
    }

    /// Revokes the version read just before.
    pub fn revoke_token(&self, guid: &str) -> anyhow::Result<()> {
        let guid = Guid::parse(guid).with_context(|| format!("{guid} is not a GUID"))?;
        let url = format!("{}/tokens/{guid}", self.api);
        let current = ok(self.send(Method::GET, &url, &[], None)?)?;
        let version = current.etag.context("the answer has no ETag")?;
        let revoke = format!("{url}/revoke");
        let revoked = ok(self.send(Method::POST, &revoke, &[("If-Match", &version)], None)?)?;
        eprintln!(
            "Revoked {} ({guid}).",
            revoked.body["name"].as_str().unwrap_or_default()
        );
        Ok(())
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        self.runtime.block_on(async {
            let mut request = self
                .client
                .request(method, url)
                .bearer_auth(&self.key)
                .insert_header(("Accept", "application/json"));
            for (name, value) in headers {
                request = request.insert_header((*name, *value));
            }
            let mut response = match body {
                Some(body) => request.send_json(body).await,
                None => request.send().await,
            }
            .map_err(|e| Unreachable(e.to_string()))?;
            let etag = response
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response
                .body()
                .limit(16 << 20)
                .await
                .map_err(|e| Unreachable(e.to_string()))?;
            Ok(Answer {
                status: response.status().as_u16(),
                etag,
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            })
        })
    }
}

/// An HTTP client that checks certificates against the system's authorities.
fn client() -> anyhow::Result<awc::Client> {
    let connector = awc::Connector::new().openssl(outbound::tls()?);
    Ok(awc::Client::builder()
        .connector(connector)
        .timeout(Duration::from_secs(30))
        .finish())
}

/// A success, or the problem document's words as the error.
fn ok(answer: Answer) -> anyhow::Result<Answer> {
    if answer.status < 400 {
        return Ok(answer);
    }
    let problem = &answer.body;
    let mut lines = vec![problem["detail"].as_str().map_or_else(
        || format!("Tessera answered {}", answer.status),
        str::to_owned,
    )];
    for error in problem["errors"].as_array().into_iter().flatten() {
        lines.push(format!(
            "{}: {}",
            error["field"].as_str().unwrap_or_default(),
            error["detail"].as_str().unwrap_or_default()
        ));
    }
    Err(anyhow!(lines.join("\n")))
}

fn listed(token: &Value) -> anyhow::Result<Listed> {
    let word = |field: &str| token[field].as_str().unwrap_or_default();
    let status = TokenStatus::from_key(word("status")).context("a token with no status")?;
    let token_type =
        crate::domain::tokens::TokenType::from_key(word("type")).context("a token with no type")?;
    Ok(Listed {
        guid: word("guid").to_owned(),
        name: word("name").to_owned(),
        status: status.key(),
        token_type: token_type.key(),
        valid_to: token["valid_to"].as_str().and_then(parse_iso),
        last_used_at: token["last_used_at"].as_str().and_then(parse_iso),
    })
}
