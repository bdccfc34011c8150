//! Starts the real application on port 0 with a database of its own, and drives it
//! the way a browser would: cookies kept, CSRF tokens read from forms.

use std::cell::RefCell;
use std::collections::HashMap;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use tessera::config::{DatabaseArgs, ServeArgs, ServerConfig};
use tessera::db::{DatabaseUrl, DbConnection};
use tessera::domain::ids::Guid;
use tessera::startup::Application;

pub const PASSWORD: &str = "correct horse battery staple";

/// A database used by one test only: a SQLite file in a temporary directory, or,
/// when `TEST_DATABASE_URL` is set, a fresh PostgreSQL database on that server.
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server_url) if !server_url.is_empty() => Self::postgres(server_url),
            _ => Self::sqlite(),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("tessera.db").to_string_lossy().into_owned();
        Self {
            url,
            postgres: None,
            _dir: Some(dir),
        }
    }

    fn postgres(server_url: String) -> Self {
        let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = DatabaseUrl::parse(&server_url)
            .unwrap()
            .connect()
            .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let url = replace_database_name(&server_url, &name);
        Self {
            url,
            postgres: Some((server_url, name)),
            _dir: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn connect(&self) -> DbConnection {
        DatabaseUrl::parse(&self.url)
            .unwrap()
            .connect()
            .expect("connect to the test database")
    }

    pub fn args(&self) -> DatabaseArgs {
        DatabaseArgs {
            database_url: self.url.clone(),
            database_pool_size: 4,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server_url, name)) = &self.postgres
            && let Ok(mut conn) = DatabaseUrl::parse(server_url).unwrap().connect()
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub struct TestApp {
    pub address: String,
    pub setup_url: Option<String>,
    pub db: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ServeArgs::default()).await
}

pub async fn spawn_app_with(args: ServeArgs) -> TestApp {
    let db = TestDatabase::new();
    let (address, setup_url) = start(args, db.args()).await;
    TestApp {
        address,
        setup_url,
        db,
    }
}

/// Starts one more instance of Tessera on the same database (scale-out).
pub async fn spawn_instance(app: &TestApp, args: ServeArgs) -> String {
    start(args, app.db.args()).await.0
}

async fn start(mut args: ServeArgs, database: DatabaseArgs) -> (String, Option<String>) {
    args.listen = "127.0.0.1:0".parse().unwrap();
    args.workers = Some(1);
    let config = ServerConfig::from_args(&args).unwrap();
    let app = Application::build(config, database)
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let setup_url = app.setup_url().map(str::to_owned);
    actix_web::rt::spawn(app.run_until_stopped());
    (address, setup_url)
}

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

pub fn hidden_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// A browser: keeps the session cookie and the CSRF token of the last page seen.
pub struct Browser {
    base: String,
    client: awc::Client,
    cookie: RefCell<Option<String>>,
    csrf: RefCell<Option<String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.address.clone(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            cookie: RefCell::new(None),
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
        if let Some(cookie) = self.cookie() {
            request = request.insert_header(("cookie", cookie));
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
            let cleared = pair.ends_with('=') || set_cookie.contains("Max-Age=0");
            *self.cookie.borrow_mut() = if cleared { None } else { Some(pair.to_owned()) };
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

impl TestApp {
    pub fn conn(&self) -> DbConnection {
        self.db.connect()
    }

    /// Completes first-run setup in a browser, which ends up signed in as the Super Admin.
    pub async fn set_up(&self) -> Browser {
        let browser = Browser::new(self);
        let url = self
            .setup_url
            .as_deref()
            .expect("a setup URL for a new database");
        let path = &url[url.find("/setup").unwrap()..];
        assert_eq!(browser.get(path).await.status, 200);
        let code = path.split("code=").nth(1).unwrap().to_owned();
        let response = browser
            .post(
                "/setup",
                &[
                    ("code", &code),
                    ("display_name", "Ada Admin"),
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("password_confirmation", PASSWORD),
                ],
            )
            .await;
        response.assert_redirect("/setup/catalog");
        assert_eq!(browser.get("/setup/catalog").await.status, 200);
        browser
    }

    /// Adds an administrator through Settings > Administrators and returns a browser
    /// signed in as them.
    pub async fn add_admin(
        &self,
        super_admin: &Browser,
        email: &str,
        role: &str,
        scopes: &[&str],
    ) -> Browser {
        super_admin.get("/settings/administrators/new").await;
        let mut fields = vec![
            ("display_name", email.split('@').next().unwrap()),
            ("email", email),
            ("role", role),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ];
        fields.extend(scopes.iter().map(|s| ("scopes", *s)));
        let response = super_admin
            .post("/settings/administrators/new", &fields)
            .await;
        response.assert_redirect("/settings/administrators");
        let browser = Browser::new(self);
        browser.sign_in(email, PASSWORD).await;
        browser
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    pub fn execute(&self, sql: &str) {
        self.conn().batch_execute(sql).unwrap();
    }
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        replace_database_name(
            "postgres://u:p@localhost:5432/postgres?sslmode=disable",
            "t1"
        ),
        "postgres://u:p@localhost:5432/t1?sslmode=disable"
    );
    assert_eq!(
        replace_database_name("postgres://localhost", "t1"),
        "postgres://localhost/t1"
    );
}

impl TestApp {
    pub fn get_audit_actions(&self) -> Vec<String> {
        use diesel::prelude::*;
        use tessera::db::schema::audit_events;
        audit_events::table
            .order(audit_events::id.asc())
            .select(audit_events::action)
            .load(&mut self.conn())
            .unwrap()
    }
}

/// A token made through the form: its GUID and the secret shown once.
pub struct CreatedToken {
    pub guid: Guid,
    pub secret: String,
    pub page: Response,
}

/// The value of an input with this id on a page.
pub fn input_value(body: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let at = body.find(&marker)?;
    let tag_end = body[at..].find('>')? + at;
    let tag = &body[at..tag_end];
    let start = tag.find("value=\"")? + "value=\"".len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_owned())
}

impl TestApp {
    /// Setup, plus the example modules and scopes.
    pub async fn with_examples(&self) -> Browser {
        let admin = self.set_up().await;
        admin
            .post("/setup/catalog/examples", &[])
            .await
            .assert_redirect("/setup/catalog");
        admin.get("/settings/api-tokens").await;
        admin
    }

    pub fn scope_id(&self, name: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::scopes;
        scopes::table
            .filter(scopes::name.eq(name))
            .select(scopes::id)
            .first::<i64>(&mut self.conn())
            .unwrap()
            .to_string()
    }

    pub fn module_id(&self, key: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::modules;
        modules::table
            .filter(modules::module_key.eq(key))
            .select(modules::id)
            .first::<i64>(&mut self.conn())
            .unwrap()
            .to_string()
    }

    /// The stored SHA-256 digest of a token's current secret.
    pub fn digest_of(&self, guid: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::api_tokens;
        api_tokens::table
            .filter(api_tokens::guid.eq(guid))
            .select(api_tokens::secret_digest)
            .first(&mut self.conn())
            .unwrap()
    }
}

impl Browser {
    /// Opens the create form and posts it with these fields on top of defaults
    /// (30 days, read-only, the form's GUID). Returns the raw response.
    pub async fn submit_token_form(&self, fields: &[(&str, &str)]) -> Response {
        let form = self.get("/settings/api-tokens/new").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let guid = input_value(&form.body, "guid").expect("a GUID in the form");
        let mut all: Vec<(&str, &str)> = vec![("guid", guid.as_str())];
        for (name, default) in [("duration", "30d"), ("token_type", "read_only")] {
            if !fields.iter().any(|(n, _)| *n == name) {
                all.push((name, default));
            }
        }
        all.extend_from_slice(fields);
        self.post("/settings/api-tokens/new", &all).await
    }

    /// Creates a token named `name` in `scope_id`; panics unless it worked.
    pub async fn create_token(
        &self,
        name: &str,
        scope_id: &str,
        extra: &[(&str, &str)],
    ) -> CreatedToken {
        let mut fields = vec![("name", name), ("scopes", scope_id)];
        fields.extend_from_slice(extra);
        let page = self.submit_token_form(&fields).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let secret = input_value(&page.body, "secret").expect("the one-time page shows the secret");
        let marker = "data-details-url=\"/settings/api-tokens/";
        let start = page.body.find(marker).unwrap() + marker.len();
        let guid = Guid::parse(&page.body[start..start + 36]).expect("a GUID in the page");
        CreatedToken { guid, secret, page }
    }

    /// The version the token's page carries in its action forms.
    pub async fn version_of(&self, guid: &str) -> String {
        let page = self.get(&format!("/settings/api-tokens/{guid}")).await;
        let data = page.body.find("data-version=\"").map(|start| {
            let rest = &page.body[start + "data-version=\"".len()..];
            rest.split('"').next().unwrap_or_default().to_owned()
        });
        data.or_else(|| hidden_value(&page.body, "version"))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("a version on the token page: {}", page.body))
    }
}

/// Undoes the HTML escaping of an attribute value (such as a link's href).
pub fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
}
