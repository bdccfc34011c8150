//! Single sign-on through an OpenID Connect provider: its flags, and the settings
//! they make.

use clap::Args;

use crate::domain::sso::{Mapping, parse_rules};

#[derive(Debug, Args, Clone)]
pub struct OidcArgs {
    /// Issuer URL of the OpenID Connect provider administrators sign in with (such
    /// as https://keycloak.example.com/realms/staff); its settings are discovered
    /// from <issuer>/.well-known/openid-configuration. Without it, single sign-on is off
    #[arg(long, env = "TESSERA_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// Client ID Tessera has at the provider
    #[arg(long, env = "TESSERA_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// Client secret Tessera has at the provider. From the environment only
    #[arg(long, env = "TESSERA_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// The provider's name on the sign-in button ("Sign in with <name>")
    #[arg(long, env = "TESSERA_OIDC_NAME", default_value = "single sign-on")]
    pub oidc_name: String,

    /// Scopes asked for, space-separated (openid is always asked)
    #[arg(
        long,
        env = "TESSERA_OIDC_SCOPES",
        default_value = "openid email profile groups"
    )]
    pub oidc_scopes: String,

    /// Claim that lists someone's groups: a name, or a dotted path such as
    /// realm_access.roles
    #[arg(long, env = "TESSERA_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,

    /// Group to role rules, `group=role` separated by `;` (role by key or name,
    /// such as `tessera-admins=super_admin; tessera-viewers=Viewer`); the first
    /// rule whose group someone is in gives their role
    #[arg(long, env = "TESSERA_OIDC_ROLE_MAP", default_value = "")]
    pub oidc_role_map: String,

    /// Group to scope rules, `group=scope` separated by `;` (scope by name); every
    /// rule whose group someone is in adds its scope
    #[arg(long, env = "TESSERA_OIDC_SCOPE_MAP", default_value = "")]
    pub oidc_scope_map: String,

    /// Role of someone no role rule matches (without it, or in strict mode, they
    /// are refused)
    #[arg(long, env = "TESSERA_OIDC_DEFAULT_ROLE")]
    pub oidc_default_role: Option<String>,

    /// Refuse whoever no role rule matches, even with a default role
    #[arg(long, env = "TESSERA_OIDC_STRICT", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_strict: bool,

    /// Create the administrator at their first sign-in, when no administrator has
    /// their verified email (without it, an administrator must be added first)
    #[arg(long, env = "TESSERA_OIDC_ALLOW_SIGN_UP", default_value_t = true, action = clap::ArgAction::Set)]
    pub oidc_allow_sign_up: bool,

    /// Single sign-on only: the password form is gone, and nobody signs in with a
    /// password (the break-glass path is `tessera admin sign-in-link`)
    #[arg(long, env = "TESSERA_OIDC_ONLY", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_only: bool,

    /// Send whoever opens the sign-in page straight to the provider (the page
    /// still shows when a sign-in was refused)
    #[arg(long, env = "TESSERA_OIDC_AUTO_LOGIN", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_auto_login: bool,
}

/// The flags' defaults, for configurations built in code.
impl Default for OidcArgs {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_name: "single sign-on".into(),
            oidc_scopes: "openid email profile groups".into(),
            oidc_groups_claim: "groups".into(),
            oidc_role_map: String::new(),
            oidc_scope_map: String::new(),
            oidc_default_role: None,
            oidc_strict: false,
            oidc_allow_sign_up: true,
            oidc_only: false,
            oidc_auto_login: false,
        }
    }
}

/// Single sign-on, as configured and checked.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub name: String,
    pub scopes: Vec<String>,
    pub groups_claim: String,
    pub mapping: Mapping,
    pub allow_sign_up: bool,
    pub only: bool,
    pub auto_login: bool,
}

/// Never prints the client secret.
impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl OidcArgs {
    /// The settings, when an issuer is given; or what is wrong with them.
    pub fn settings(&self) -> anyhow::Result<Option<OidcSettings>> {
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let Some(issuer) = given(&self.oidc_issuer) else {
            if self.oidc_only {
                anyhow::bail!("TESSERA_OIDC_ONLY needs TESSERA_OIDC_ISSUER: nobody could sign in");
            }
            return Ok(None);
        };
        let issuer = issuer.trim_end_matches('/').to_owned();
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            anyhow::bail!("TESSERA_OIDC_ISSUER: {issuer:?} is not an http(s) URL");
        }
        let client_id = given(&self.oidc_client_id)
            .ok_or_else(|| anyhow::anyhow!("TESSERA_OIDC_ISSUER needs TESSERA_OIDC_CLIENT_ID"))?;
        let mut scopes: Vec<String> = vec!["openid".into()];
        for scope in self.oidc_scopes.split_whitespace() {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        let mapping = Mapping {
            roles: parse_rules(&self.oidc_role_map, "TESSERA_OIDC_ROLE_MAP")
                .map_err(anyhow::Error::msg)?,
            scopes: parse_rules(&self.oidc_scope_map, "TESSERA_OIDC_SCOPE_MAP")
                .map_err(anyhow::Error::msg)?,
            default_role: given(&self.oidc_default_role),
            strict: self.oidc_strict,
        };
        Ok(Some(OidcSettings {
            issuer,
            client_id,
            client_secret: given(&self.oidc_client_secret),
            name: self.oidc_name.trim().to_owned(),
            scopes,
            groups_claim: self.oidc_groups_claim.trim().to_owned(),
            mapping,
            allow_sign_up: self.oidc_allow_sign_up,
            only: self.oidc_only,
            auto_login: self.oidc_auto_login,
        }))
    }
}
