//! Command line and environment configuration. Every flag has a `TESSERA_*` fallback.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::encryption::EncryptionKey;
use crate::domain::networks::ForwardedHeader;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Tessera: self-hosted API tokens, with an admin web app and a verification API",
    long_about = "Tessera: self-hosted API tokens.\n\n\
        Administrators manage API tokens in a web app; the services those tokens are for \
        ask Tessera on every request whether a token may pass.\n\n\
        Without a command, Tessera runs the web server (`tessera serve`).",
    args_conflicts_with_subcommands = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub log: LogArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server: the admin app and the verification API (the default)
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit
    Migrate,
    /// Manage administrators from a terminal
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Create, list and revoke API tokens from a terminal
    #[command(subcommand)]
    Token(TokenCommand),
    /// Make and rotate the key that stored token values are encrypted with
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Add example tokens across example scopes and modules, to try Tessera out or measure it
    Seed(SeedArgs),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once, alone, on standard output
    Create(TokenCreateArgs),
    /// List tokens (not deleted ones, unless --all)
    List(TokenListArgs),
    /// Revoke an active token for good
    Revoke {
        /// The token's GUID
        guid: String,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Name, unique among tokens that are not deleted
    #[arg(long)]
    pub name: String,

    /// Scope the token belongs to (by name); repeat for several
    #[arg(long = "scope", value_name = "SCOPE", required = true)]
    pub scopes: Vec<String>,

    /// What the token may do
    #[arg(long = "type", value_enum, default_value_t = TokenTypeArg::ReadOnly)]
    pub token_type: TokenTypeArg,

    /// For custom tokens: module and action, such as orders:read; repeat for several
    #[arg(long = "grant", value_name = "MODULE:ACTION")]
    pub grants: Vec<String>,

    /// 7d, 30d, 90d, unlimited, or the last day (UTC) such as 2027-01-31
    #[arg(long, default_value = "30d")]
    pub expires: String,

    #[arg(long, default_value = "")]
    pub description: String,

    /// Client network the token may be used from (CIDR); repeat for several
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allowed_networks: Vec<String>,

    /// Let the token call the introspection endpoint about other tokens
    #[arg(long)]
    pub introspect: bool,

    #[command(flatten)]
    pub encryption: EncryptionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenTypeArg {
    ReadOnly,
    FullAccess,
    Custom,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Include deleted tokens
    #[arg(long)]
    pub all: bool,

    /// One JSON array instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many tokens to add
    #[arg(long, default_value_t = 1000)]
    pub tokens: usize,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new random key, for TESSERA_ENCRYPTION_KEY
    Generate,
    /// Re-encrypt every stored token value under a new key, in one transaction
    Rotate(KeysRotateArgs),
}

#[derive(Debug, Args)]
pub struct KeysRotateArgs {
    /// The key the values are stored under now
    #[arg(long, env = "TESSERA_ENCRYPTION_KEY", hide_env_values = true)]
    pub old_key: String,

    /// The key to store them under from now on; then start Tessera with it
    #[arg(long, env = "TESSERA_NEW_ENCRYPTION_KEY", hide_env_values = true)]
    pub new_key: String,
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// Database URL: a SQLite file path (`tessera.db`, `sqlite://data/tessera.db`)
    /// or a PostgreSQL URL (`postgres://user:password@host/db`)
    #[arg(
        long,
        env = "TESSERA_DATABASE_URL",
        default_value = "tessera.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Largest number of open database connections per instance
    #[arg(
        long,
        env = "TESSERA_DATABASE_POOL_SIZE",
        default_value_t = 10,
        global = true
    )]
    pub database_pool_size: u32,
}

#[derive(Debug, Args, Clone)]
pub struct LogArgs {
    /// Log filter, in `tracing` syntax (for example `info` or `tessera=debug,info`)
    #[arg(long, env = "TESSERA_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log format on standard error
    #[arg(long, env = "TESSERA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event
    Text,
    /// One JSON object per event, for log collectors
    Json,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, env = "TESSERA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// URL administrators and API clients reach Tessera at (default: http://<listen>)
    #[arg(long, env = "TESSERA_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Mark the session cookie Secure: `auto` does so when the public URL is https
    #[arg(long, env = "TESSERA_COOKIE_SECURE", value_enum, default_value_t = CookieSecure::Auto)]
    pub cookie_secure: CookieSecure,

    /// Minutes without activity after which an administrator is signed out
    #[arg(long, env = "TESSERA_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,

    /// Hours after sign-in at which a session ends, active or not
    #[arg(long, env = "TESSERA_SESSION_LIFETIME_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_lifetime_hours: u32,

    /// Number of HTTP worker threads (default: one per CPU core)
    #[arg(long, env = "TESSERA_WORKERS")]
    pub workers: Option<usize>,

    /// Proxies whose X-Forwarded-For is believed, as addresses or CIDR networks,
    /// comma-separated (for example 127.0.0.1,10.0.0.0/8); from anyone else the
    /// connection's address is the client's
    #[arg(long, env = "TESSERA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// The header trusted proxies name the client in: X-Forwarded-For, or the
    /// standard Forwarded (RFC 7239); the other one is ignored
    #[arg(long, env = "TESSERA_FORWARDED_HEADER", value_enum, default_value_t = ForwardedHeaderArg::XForwardedFor)]
    pub forwarded_header: ForwardedHeaderArg,

    /// Proxies allowed to call forward-auth (/api/v1/auth), as addresses or CIDR
    /// networks, comma-separated; checked against the connection's address. Without
    /// it, anyone who reaches Tessera may call it
    #[arg(long, env = "TESSERA_FORWARD_AUTH_FROM", value_delimiter = ',')]
    pub forward_auth_from: Vec<String>,

    /// Bearer token that /metrics requires (Authorization: Bearer ...); prefer the
    /// environment variable
    #[arg(long, env = "TESSERA_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Serve /metrics on this address and port only, apart from the admin app and
    /// the verification API (for example 127.0.0.1:9090)
    #[arg(long, env = "TESSERA_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Serve the verification API also on this address and port, with workers of its
    /// own; the admin app's workers then run at a lower priority, so that a flood of
    /// sign-ins or page loads cannot slow verification down
    #[arg(long, env = "TESSERA_VERIFY_LISTEN")]
    pub verify_listen: Option<SocketAddr>,

    /// Seconds a client may take to send a request body; slower ones are cut off
    #[arg(long, env = "TESSERA_BODY_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=300))]
    pub body_timeout_seconds: u32,

    /// Open connections each worker accepts; beyond them, new ones wait
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS", default_value_t = 2048,
          value_parser = clap::value_parser!(u32).range(16..=100_000))]
    pub max_connections: u32,

    /// Cache verified tokens in memory (turn off only to measure the database path)
    #[arg(long, env = "TESSERA_TOKEN_CACHE", default_value_t = true, action = clap::ArgAction::Set)]
    pub token_cache: bool,

    /// Seconds between writes of buffered last-use data
    #[arg(long, env = "TESSERA_USAGE_FLUSH_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=300))]
    pub usage_flush_seconds: u32,

    #[command(flatten)]
    pub encryption: EncryptionArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct EncryptionArgs {
    /// Key (32 bytes, base64: `tessera keys generate`) under which token values are
    /// also stored encrypted, so that administrators allowed to may show them again.
    /// Without it, a token value is shown once. Prefer the environment variable
    #[arg(long, env = "TESSERA_ENCRYPTION_KEY", hide_env_values = true)]
    pub encryption_key: Option<String>,
}

impl EncryptionArgs {
    /// The configured key, or a message that says what is wrong with it (never the key).
    pub fn key(&self) -> anyhow::Result<Option<EncryptionKey>> {
        self.encryption_key
            .as_deref()
            .filter(|text| !text.trim().is_empty())
            .map(|text| parse_key(text, "TESSERA_ENCRYPTION_KEY"))
            .transpose()
    }
}

/// A key given in the environment variable `variable`; the message never holds the key.
pub fn parse_key(text: &str, variable: &str) -> anyhow::Result<EncryptionKey> {
    EncryptionKey::from_base64(text).map_err(|e| {
        anyhow::anyhow!("{variable} is malformed: {e}. Make one with `tessera keys generate`.")
    })
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            public_url: None,
            cookie_secure: CookieSecure::Auto,
            session_idle_minutes: 30,
            session_lifetime_hours: 12,
            workers: None,
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeaderArg::XForwardedFor,
            body_timeout_seconds: 10,
            max_connections: 2048,
            forward_auth_from: Vec::new(),
            metrics_token: None,
            metrics_listen: None,
            verify_listen: None,
            token_cache: true,
            usage_flush_seconds: 5,
            encryption: EncryptionArgs::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForwardedHeaderArg {
    /// X-Forwarded-For: client, proxy1, ...
    XForwardedFor,
    /// Forwarded: for=client, for=proxy1 (RFC 7239)
    Forwarded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CookieSecure {
    /// Secure when the public URL starts with https://
    Auto,
    /// Always Secure (Tessera is behind HTTPS)
    Always,
    /// Never Secure: plain http, for localhost only
    Never,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator; the password is read from a prompt or from standard input
    Create(AdminCreateArgs),
    /// Lift every sign-in limit of an account, from every address
    Unlock {
        /// The administrator's email address
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    /// Display name, shown in the admin app and the audit log
    #[arg(long)]
    pub name: String,

    /// Email address used to sign in
    #[arg(long)]
    pub email: String,

    /// Role of the new administrator
    #[arg(long, value_enum, default_value_t = RoleArg::SuperAdmin)]
    pub role: RoleArg,

    /// Scope the administrator may see (by name); repeat for several
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,

    /// Read the password from the first line of standard input instead of a prompt
    #[arg(long)]
    pub password_stdin: bool,

    /// Also add the example modules and scopes (Orders, Catalog, ... / Production, Staging, ...)
    #[arg(long)]
    pub example_catalog: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    SuperAdmin,
    TokenManager,
    Viewer,
}

impl RoleArg {
    pub fn role_key(self) -> &'static str {
        match self {
            RoleArg::SuperAdmin => "super_admin",
            RoleArg::TokenManager => "token_manager",
            RoleArg::Viewer => "viewer",
        }
    }
}

/// Settings the running server needs, resolved from [`ServeArgs`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    public_url: Option<String>,
    /// The operator set the public URL (it is not the listen address).
    pub public_url_configured: bool,
    cookie_secure: CookieSecure,
    pub session_idle: time::Duration,
    pub session_lifetime: time::Duration,
    pub workers: Option<usize>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub forwarded_header: ForwardedHeader,
    pub body_timeout: std::time::Duration,
    pub max_connections: usize,
    /// Empty: forward-auth answers anyone.
    pub forward_auth_from: Vec<ipnet::IpNet>,
    pub metrics_token: Option<String>,
    pub metrics_listen: Option<SocketAddr>,
    pub verify_listen: Option<SocketAddr>,
    pub token_cache: bool,
    pub usage_flush: std::time::Duration,
    pub encryption_key: Option<EncryptionKey>,
}

impl ServerConfig {
    /// Workers per listener: as configured, or one per core.
    pub fn worker_count(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        Ok(Self {
            listen: args.listen,
            public_url_configured: args.public_url.is_some(),
            public_url: args
                .public_url
                .as_deref()
                .map(normalize_public_url)
                .transpose()?,
            cookie_secure: args.cookie_secure,
            session_idle: time::Duration::minutes(args.session_idle_minutes.into()),
            session_lifetime: time::Duration::hours(args.session_lifetime_hours.into()),
            workers: args.workers,
            trusted_proxies: parse_networks(&args.trusted_proxies, "TESSERA_TRUSTED_PROXIES")?,
            forwarded_header: match args.forwarded_header {
                ForwardedHeaderArg::XForwardedFor => ForwardedHeader::XForwardedFor,
                ForwardedHeaderArg::Forwarded => ForwardedHeader::Forwarded,
            },
            body_timeout: std::time::Duration::from_secs(args.body_timeout_seconds.into()),
            max_connections: args.max_connections as usize,
            forward_auth_from: parse_networks(
                &args.forward_auth_from,
                "TESSERA_FORWARD_AUTH_FROM",
            )?,
            metrics_token: args
                .metrics_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            metrics_listen: args.metrics_listen,
            verify_listen: args.verify_listen,
            token_cache: args.token_cache,
            usage_flush: std::time::Duration::from_secs(args.usage_flush_seconds.into()),
            encryption_key: args.encryption.key()?,
        })
    }

    /// Without a configured public URL, the address actually bound is used
    /// (it differs from `listen` when the port is 0).
    pub fn resolve_public_url(&mut self, bound: SocketAddr) {
        if self.public_url.is_none() {
            self.public_url = Some(format!("http://{bound}"));
        }
    }

    pub fn public_url(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or("http://127.0.0.1:8080")
    }

    pub fn cookie_secure(&self) -> bool {
        match self.cookie_secure {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            CookieSecure::Auto => self.public_url().starts_with("https://"),
        }
    }
}

/// A comma-separated list of addresses and CIDR networks from `variable`.
fn parse_networks(items: &[String], variable: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    items
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            crate::domain::networks::parse_network(p).ok_or_else(|| {
                anyhow::anyhow!("{variable}: {p:?} is not an IP address or CIDR network")
            })
        })
        .collect()
}

fn normalize_public_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("TESSERA_PUBLIC_URL must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        anyhow::bail!("TESSERA_PUBLIC_URL must be a plain URL such as https://tokens.example.com");
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_defaults_to_the_listen_address_and_drives_secure_cookies() {
        let mut config = ServerConfig::from_args(&ServeArgs::default()).unwrap();
        config.resolve_public_url("127.0.0.1:40123".parse().unwrap());
        assert_eq!(config.public_url(), "http://127.0.0.1:40123");
        assert!(!config.cookie_secure());

        let args = ServeArgs {
            public_url: Some("https://tokens.example.com/".into()),
            ..ServeArgs::default()
        };
        let mut config = ServerConfig::from_args(&args).unwrap();
        config.resolve_public_url("127.0.0.1:40123".parse().unwrap());
        assert_eq!(config.public_url(), "https://tokens.example.com");
        assert!(config.cookie_secure());
    }

    #[test]
    fn malformed_public_urls_are_refused() {
        for bad in [
            "tokens.example.com",
            "ftp://x",
            "https://",
            "https://x/?a=b",
        ] {
            let args = ServeArgs {
                public_url: Some(bad.into()),
                ..ServeArgs::default()
            };
            assert!(ServerConfig::from_args(&args).is_err(), "{bad}");
        }
    }

    #[test]
    fn trusted_proxies_are_parsed_or_refused() {
        let args = ServeArgs {
            trusted_proxies: vec!["127.0.0.1".into(), "10.0.0.0/8".into()],
            ..ServeArgs::default()
        };
        assert_eq!(
            ServerConfig::from_args(&args)
                .unwrap()
                .trusted_proxies
                .len(),
            2
        );
        let args = ServeArgs {
            trusted_proxies: vec!["proxy.local".into()],
            ..ServeArgs::default()
        };
        assert!(ServerConfig::from_args(&args).is_err());
        let args = ServeArgs {
            forward_auth_from: vec!["10.0.0.0/33".into()],
            ..ServeArgs::default()
        };
        assert!(ServerConfig::from_args(&args).is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
