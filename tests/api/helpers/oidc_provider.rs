//! A real OpenID provider for the single sign-on tests: `tests/oidc-provider`
//! (the certified oidc-provider package, under Node.js), started once per test
//! process and stopped with it (it ends when its standard input closes). Its
//! packages are installed from the lock file on first use.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use tessera::config::OidcArgs;

use super::{Browser, Response};

pub struct Provider {
    pub issuer: String,
    _process: Mutex<Child>,
}

fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// The provider, started at first use.
pub fn provider() -> &'static Provider {
    static PROVIDER: OnceLock<Provider> = OnceLock::new();
    PROVIDER.get_or_init(start)
}

fn start() -> Provider {
    let dir = directory();
    if !dir.join("node_modules/oidc-provider").exists() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm installs the test OpenID provider: install Node.js 20 or later (apt-get install nodejs npm)");
        assert!(installed.success(), "npm ci in {} failed", dir.display());
    }
    let mut child = Command::new("node")
        .arg("provider.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Node.js runs the test OpenID provider: install Node.js 20 or later");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the provider prints its issuer");
    let issuer = line.trim().to_owned();
    assert!(
        issuer.starts_with("http://127.0.0.1:"),
        "the test OpenID provider did not start: run `node tests/oidc-provider/provider.js` to see why"
    );
    Provider {
        issuer,
        _process: Mutex::new(child),
    }
}

impl Provider {
    /// Tessera's flags for signing in with this provider as `client`: members
    /// of tessera-admins are Super Admins, of tessera-viewers Viewers; the group
    /// production-team adds the scope Production.
    pub fn args(&self, client: &str) -> OidcArgs {
        OidcArgs {
            oidc_issuer: Some(self.issuer.clone()),
            oidc_client_id: Some(client.to_owned()),
            oidc_client_secret: Some(format!("{client}-secret")),
            oidc_name: "Test IdP".into(),
            oidc_role_map: "tessera-admins=super_admin; tessera-viewers=Viewer".into(),
            oidc_scope_map: "production-team=Production".into(),
            oidc_strict: true,
            ..OidcArgs::default()
        }
    }

    /// Adds or replaces an account (its claims, `sub` aside).
    pub async fn set_account(&self, id: &str, claims: Value) {
        let response = awc::Client::new()
            .put(format!("{}/test/accounts/{id}", self.issuer))
            .send_json(&claims)
            .await
            .expect("the provider answers");
        assert_eq!(response.status().as_u16(), 204);
    }
}

/// An account of its own for one test: `email`, verified, in `groups`.
pub async fn account(id: &str, groups: &[&str]) -> String {
    let claims = serde_json::json!({
        "email": format!("{id}@example.com"),
        "email_verified": true,
        "name": format!("{id} Example"),
        "groups": groups,
    });
    provider().set_account(id, claims).await;
    id.to_owned()
}

/// Signs in through the provider as `account`: Tessera's answer at its callback.
pub async fn sign_in_through_provider(browser: &Browser, account: &str) -> Response {
    let callback = through_provider(browser, account, |url| url).await;
    browser.get(&callback).await
}

/// Starts a sign-in at Tessera and goes through the provider as `account`, with
/// the authorization URL changed by `tamper` first: the callback (a path on
/// Tessera) the provider sends the browser back to, not yet visited.
pub async fn through_provider(
    browser: &Browser,
    account: &str,
    tamper: impl FnOnce(String) -> String,
) -> String {
    let start = browser.get("/login/sso").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let mut url = tamper(format!("{}&login_hint={account}", start.location()));
    let client = awc::Client::builder().disable_redirects().finish();
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    for _ in 0..10 {
        let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut answer = client
            .get(&url)
            .insert_header(("cookie", cookies.join("; ")))
            .send()
            .await
            .expect("the provider answers");
        for value in answer.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            jar.insert(name.to_owned(), value.to_owned());
        }
        let Some(location) = answer.headers().get("location") else {
            let body = answer.body().await.unwrap_or_default();
            panic!(
                "the provider stopped at {url}: {}",
                String::from_utf8_lossy(&body)
            );
        };
        let location = location.to_str().unwrap().to_owned();
        if let Some(path) = location.strip_prefix(browser.base()) {
            return path.to_owned();
        }
        url = if location.starts_with('/') {
            format!("{}{location}", provider().issuer)
        } else {
            location
        };
    }
    panic!("the provider never sent the browser back to Tessera");
}
