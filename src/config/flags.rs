//! The flags shared by commands: database, logging, serving, the encryption key.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

use crate::domain::encryption::EncryptionKey;

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// Database URL: a SQLite file path (`tessera.db`, `sqlite://data/tessera.db`)
    /// or a PostgreSQL URL (`postgres://user:password@host/db`); a URL with a
    /// password from the environment only
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

    /// Bearer token that /metrics requires (Authorization: Bearer ...), from the
    /// environment only
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

    /// Verified tokens kept in memory (each costs well under a kilobyte); beyond
    /// them, the least used are read again from the database
    #[arg(long, env = "TESSERA_TOKEN_CACHE_CAPACITY", default_value_t = 200_000,
          value_parser = clap::value_parser!(u32).range(100..=50_000_000))]
    pub token_cache_capacity: u32,

    /// Redis that shares rate limits between instances (redis://host:6379/0). From
    /// the environment only: it may hold a password
    #[arg(long, env = "TESSERA_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// While Redis does not answer: `open` applies each limit per instance, `closed`
    /// refuses requests of tokens with rate limits
    #[arg(long, env = "TESSERA_REDIS_WHEN_DOWN", value_enum, default_value_t = WhenDownArg::Open)]
    pub redis_when_down: WhenDownArg,

    /// Seconds between writes of buffered last-use data
    #[arg(long, env = "TESSERA_USAGE_FLUSH_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=300))]
    pub usage_flush_seconds: u32,

    /// Seconds within which a token's repeated uses from one client are written once
    /// (its page says "last used within the minute" at the default)
    #[arg(long, env = "TESSERA_USAGE_GRANULARITY_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub usage_granularity_seconds: u32,

    /// Count every verification answer for the Usage pages (turn off only to measure
    /// what counting costs: the pages then show nothing new)
    #[arg(long, env = "TESSERA_USAGE_COUNTING", default_value_t = true, action = clap::ArgAction::Set)]
    pub usage_counting: bool,

    /// Days before today whose usage counts keep their hours (the charts of the
    /// last 24 hours and 7 days are hourly); older days keep their daily totals
    #[arg(long, env = "TESSERA_USAGE_HOURLY_DAYS", default_value_t = 7,
          value_parser = clap::value_parser!(u32).range(7..=90))]
    pub usage_hourly_days: u32,

    /// Days before today whose daily usage totals are kept; older counts are removed
    #[arg(long, env = "TESSERA_USAGE_DAILY_DAYS", default_value_t = 730,
          value_parser = clap::value_parser!(u32).range(7..=3650))]
    pub usage_daily_days: u32,

    /// Seconds between rankings of the busiest and most refused tokens on Settings >
    /// Usage (with several instances, one ranks each time)
    #[arg(long, env = "TESSERA_USAGE_RANKING_SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub usage_ranking_seconds: u32,

    /// Let webhooks go to http:// URLs (by default https:// only)
    #[arg(long, env = "TESSERA_WEBHOOK_ALLOW_HTTP", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_http: bool,

    /// Let webhooks go to loopback, private, link-local and other internal
    /// addresses (by default refused, checked on every address a name resolves to)
    #[arg(long, env = "TESSERA_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_private: bool,

    /// Send webhooks from this instance (with several instances, each delivery is
    /// sent by one of them)
    #[arg(long, env = "TESSERA_WEBHOOK_DELIVERY", default_value_t = true, action = clap::ArgAction::Set)]
    pub webhook_delivery: bool,

    /// Seconds a webhook delivery may take in all (connecting, the answer's headers
    /// and its body); a slower receiver's attempt fails and is retried
    #[arg(long, env = "TESSERA_WEBHOOK_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=60))]
    pub webhook_timeout_seconds: u32,

    /// Days webhook deliveries and mails are kept once they ended (delivered, sent,
    /// or given up); older ones are removed, and the audit log says how many
    #[arg(long, env = "TESSERA_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,

    /// SMTP server for expiry digests, such as smtp://user:password@mail.example.com:587?tls=required
    /// or smtps://mail.example.com; without it, no mail is sent. From the environment only
    #[arg(long, env = "TESSERA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of the mails, such as "Tessera <tessera@example.com>"
    #[arg(long, env = "TESSERA_MAIL_FROM")]
    pub mail_from: Option<String>,

    #[command(flatten)]
    pub encryption: EncryptionArgs,

    #[command(flatten)]
    pub oidc: super::OidcArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct EncryptionArgs {
    /// Key (32 bytes, base64: `tessera keys generate`) under which token values are
    /// also stored encrypted, so that administrators allowed to may show them again.
    /// Without it, a token value is shown once. From the environment only
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
            token_cache_capacity: 200_000,
            redis_url: None,
            redis_when_down: WhenDownArg::Open,
            usage_flush_seconds: 5,
            usage_granularity_seconds: 60,
            usage_counting: true,
            usage_hourly_days: 7,
            usage_daily_days: 730,
            usage_ranking_seconds: 300,
            webhook_allow_http: false,
            webhook_allow_private: false,
            webhook_delivery: true,
            webhook_timeout_seconds: 10,
            retention_days: 30,
            smtp_url: None,
            mail_from: None,
            encryption: EncryptionArgs::default(),
            oidc: super::OidcArgs::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhenDownArg {
    Open,
    Closed,
}

impl From<WhenDownArg> for crate::domain::limits::WhenDown {
    fn from(arg: WhenDownArg) -> Self {
        match arg {
            WhenDownArg::Open => Self::Open,
            WhenDownArg::Closed => Self::Closed,
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
