//! The states most tests start from: a set-up installation, the example catalog,
//! more administrators, tokens.

use tessera::domain::ids::Guid;

use super::{Browser, PASSWORD, Response, TestApp, hidden_value, input_value};

impl TestApp {
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
}

/// A token to create through the form, described the way a test reads:
/// `app.token(&admin).scope("Production").full_access().create().await`.
pub struct TokenBuilder<'a> {
    app: &'a TestApp,
    admin: &'a Browser,
    name: String,
    scopes: Vec<String>,
    fields: Vec<(&'static str, String)>,
}

impl TestApp {
    /// A token `admin` creates; read-only for 30 days unless told otherwise.
    pub fn token<'a>(&'a self, admin: &'a Browser) -> TokenBuilder<'a> {
        TokenBuilder {
            app: self,
            admin,
            name: "Test token".into(),
            scopes: Vec::new(),
            fields: Vec::new(),
        }
    }
}

impl TokenBuilder<'_> {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// In the scope of this name (several calls: several scopes).
    pub fn scope(mut self, name: &str) -> Self {
        self.scopes.push(self.app.scope_id(name));
        self
    }

    pub fn full_access(self) -> Self {
        self.field("token_type", "full_access")
    }

    /// Custom, with these (module key, action) grants.
    pub fn custom(mut self, grants: &[(&str, &str)]) -> Self {
        self = self.field("token_type", "custom");
        for (module, action) in grants {
            let grant = format!("{}:{action}", self.app.module_id(module));
            self.fields.push(("permissions", grant));
        }
        self
    }

    /// A duration of the form (`7d`, `30d`, `never`, ...).
    pub fn lasting(self, duration: &str) -> Self {
        self.field("duration", duration)
    }

    /// Valid until the end of the day `days` from today.
    pub fn ending_in(self, days: i64) -> Self {
        let last_day = tessera::domain::tokens::format_date(
            tessera::db::now().date() + time::Duration::days(days),
        );
        self.field("duration", "custom")
            .field("valid_to", &last_day)
    }

    pub fn field(mut self, name: &'static str, value: &str) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    /// Creates it; panics unless it worked.
    pub async fn create(self) -> CreatedToken {
        let first = self.scopes.first().expect("a token needs a scope").clone();
        let extra: Vec<(&str, &str)> = self.scopes[1..]
            .iter()
            .map(|id| ("scopes", id.as_str()))
            .chain(self.fields.iter().map(|(n, v)| (*n, v.as_str())))
            .collect();
        self.admin.create_token(&self.name, &first, &extra).await
    }
}

/// A token made through the form: its GUID and the secret shown once.
pub struct CreatedToken {
    pub guid: Guid,
    pub secret: String,
    pub page: Response,
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
        let html = page.html();
        let secret = input_value(&page.body, "secret").expect("the one-time page shows the secret");
        let details = html
            .attr("[data-details-url]", "data-details-url")
            .expect("a link to the token's page");
        let guid = details.rsplit('/').next().and_then(Guid::parse);
        let guid = guid.expect("a GUID in the link");
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
