//! A remote Tessera, through its management API: what `tessera token` does with
//! `--url` and `--api-key`, so that operators script a remote installation the
//! same way as a local one. The server applies every rule; this only translates.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use awc::http::{Method, Uri};
use serde_json::{Value, json};

use super::token::{Listed, validity};
use crate::config::{RemoteArgs, TokenCreateArgs, read_secret_file};
use crate::domain::ids::Guid;
use crate::domain::timestamps::parse_iso;
use crate::domain::token_list::StatusFilter;
use crate::domain::tokens::TokenStatus;
use crate::services::outbound;

/// One runtime and one client for the whole command, so that its requests (the
/// pages of a list) share a connection.
pub struct Remote {
    /// Where `--url` points: the key goes there and nowhere else.
    origin: Origin,
    api: String,
    key: String,
    runtime: actix_web::rt::SystemRunner,
    client: awc::Client,
}

/// A URL's scheme, host and port: what the API key is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(url: &str) -> Option<Self> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = match (uri.port_u16(), scheme.as_str()) {
            (Some(port), _) => port,
            (None, "https") => 443,
            (None, "http") => 80,
            _ => return None,
        };
        Some(Self {
            host: uri.host()?.to_ascii_lowercase(),
            scheme,
            port,
        })
    }

    /// This machine: `localhost` or a loopback address.
    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
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
    /// The remote named by `--url` and its API key, if any.
    pub fn of(args: &RemoteArgs) -> anyhow::Result<Option<Self>> {
        let key = match &args.api_key_file {
            Some(path) => Some(read_secret_file(path, "the API key")?),
            None => args.api_key.clone(),
        };
        let (url, key) = match (&args.url, key) {
            (None, None) => return Ok(None),
            (Some(url), Some(key)) => (url, key),
            (Some(_), None) => bail!(
                "--url needs an API key: set TESSERA_API_KEY, or give --api-key-file \
                 (a file, or - for standard input)"
            ),
            (None, Some(_)) => bail!(
                "an API key was given without Tessera's address: give --url or set TESSERA_URL"
            ),
        };
        let url = url.trim().trim_end_matches('/');
        let origin = Origin::of(url)
            .filter(|o| o.scheme == "https" || o.scheme == "http")
            .with_context(|| {
                format!(
                    "--url {url:?}: give Tessera's address, such as https://tessera.example.com"
                )
            })?;
        if origin.scheme == "http" && !origin.is_loopback() && !args.allow_http {
            bail!(
                "--url {url}: plain http:// would send the API key across the network \
                 unencrypted; use https://, or give --allow-http if the network is trusted"
            );
        }
        let runtime = actix_web::rt::System::new();
        let client = runtime.block_on(async { client() })?;
        Ok(Some(Self {
            origin,
            api: format!("{url}/api/v1"),
            key: key.trim().to_owned(),
            runtime,
            client,
        }))
    }

    /// The URL of a page the server points to (`next`), if it is where `--url`
    /// points: the key is never sent anywhere else.
    fn same_origin(&self, link: &str) -> anyhow::Result<String> {
        if link.starts_with('/') && !link.starts_with("//") {
            return Ok(format!("{}{link}", self.origin));
        }
        match Origin::of(link) {
            Some(origin) if origin == self.origin => Ok(link.to_owned()),
            other => bail!(
                "Tessera points to its next page at {}, not at {} (--url): the API key is \
                 sent to --url only. Give the address Tessera's public URL \
                 (TESSERA_PUBLIC_URL) names, or set that to the address given.",
                other.map_or_else(|| format!("{link:?}"), |o| o.to_string()),
                self.origin
            ),
        }
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
            "identity": args.identity,
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
                // Anything but a page is an error, never the end of the list.
                let page = ok(self.send(Method::GET, &url, &[], None)?)?.body;
                let listed_here = page["tokens"].as_array().with_context(|| {
                    format!("{url} did not answer a page of tokens: is --url Tessera's address?")
                })?;
                for token in listed_here {
                    tokens.push(listed(token)?);
                }
                next = match &page["next"] {
                    Value::Null => None,
                    Value::String(link) => Some(self.same_origin(link)?),
                    _ => bail!("{url} answered a page without a valid next link"),
                };
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

#[cfg(test)]
mod tests {
    use super::Origin;

    #[test]
    fn origins_are_scheme_host_and_port() {
        let ours = Origin::of("https://Tessera.example.com/base").unwrap();
        assert_eq!(
            Origin::of("https://tessera.example.com:443/api/v1/tokens?after=x"),
            Some(ours.clone())
        );
        for other in [
            "http://tessera.example.com/api/v1/tokens",
            "https://tessera.example.com:8443/api/v1/tokens",
            "https://evil.example.com/api/v1/tokens",
            "https://tessera.example.com.evil.example/api",
        ] {
            assert_ne!(Origin::of(other), Some(ours.clone()), "{other}");
        }
        assert_eq!(Origin::of("ftp://x"), None);
        assert_eq!(Origin::of("/api/v1/tokens"), None);
    }

    #[test]
    fn loopback_is_this_machine_only() {
        for local in [
            "http://localhost:8080",
            "http://127.0.0.1",
            "http://[::1]:80",
        ] {
            assert!(Origin::of(local).unwrap().is_loopback(), "{local}");
        }
        for remote in [
            "http://192.0.2.1",
            "http://example.com",
            "http://localhost.example.com",
        ] {
            assert!(!Origin::of(remote).unwrap().is_loopback(), "{remote}");
        }
    }
}
