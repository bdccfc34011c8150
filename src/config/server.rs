//! What the running server works with, resolved from [`ServeArgs`].

use std::net::SocketAddr;

use super::flags::{CookieSecure, ForwardedHeaderArg, ServeArgs};
use crate::domain::encryption::EncryptionKey;
use crate::domain::networks::ForwardedHeader;
use crate::domain::usage::UsageRetention;
use crate::domain::webhooks::destination::Policy;
use crate::domain::webhooks::signature::WebhookKeys;

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
    pub verifier: VerifierSettings,
    /// Redis that shares rate limits between instances, if any.
    pub shared_limits: Option<SharedLimits>,
    pub usage_flush: std::time::Duration,
    /// How often the busiest and most refused tokens are ranked.
    pub usage_ranking: std::time::Duration,
    /// The operator's key: token values are kept to show again only under it.
    pub encryption_key: Option<EncryptionKey>,
    /// The keys webhook signing secrets are kept under: the operator's, or on SQLite
    /// one Tessera generated, or both ([`crate::startup`] resolves them).
    pub webhook_key: Option<WebhookKeys>,
    /// Where webhooks may go.
    pub webhook_policy: Policy,
    /// Whether this instance sends webhooks.
    pub webhook_delivery: bool,
    /// How long one webhook delivery may take in all.
    pub webhook_timeout: std::time::Duration,
    /// How long ended webhook deliveries and mails are kept.
    pub retention: time::Duration,
    /// How long usage counts are kept, hourly and daily.
    pub usage_retention: UsageRetention,
    /// Where mail goes out, when set up.
    pub mail: Option<MailSettings>,
    /// Single sign-on, when an identity provider is configured.
    pub oidc: Option<super::OidcSettings>,
}

/// The SMTP server (its connection settings, built once) and the sender of
/// Tessera's mails.
#[derive(Clone)]
pub struct MailSettings {
    pub transport: lettre::SmtpTransport,
    pub from: lettre::message::Mailbox,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the URL's password.
        write!(f, "MailSettings {{ from: {} }}", self.from)
    }
}

/// Both or neither: a URL without a sender (or the reverse) is a mistake.
fn mail_settings(url: Option<&str>, from: Option<&str>) -> anyhow::Result<Option<MailSettings>> {
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    let from = from.map(str::trim).filter(|f| !f.is_empty());
    match (url, from) {
        (None, None) => Ok(None),
        (Some(url), Some(from)) => {
            let transport = lettre::SmtpTransport::from_url(url).map_err(|e| {
                anyhow::anyhow!("TESSERA_SMTP_URL is not a usable SMTP URL ({e}); write it as smtp://user:password@host:587?tls=required or smtps://host")
            })?;
            let from = from.parse().map_err(|e| {
                anyhow::anyhow!("TESSERA_MAIL_FROM {from:?} is not an address ({e}); write it as \"Tessera <tessera@example.com>\"")
            })?;
            let transport = transport
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build();
            Ok(Some(MailSettings { transport, from }))
        }
        (Some(_), None) => anyhow::bail!(
            "TESSERA_SMTP_URL is set but TESSERA_MAIL_FROM is not: set both to send mail"
        ),
        (None, Some(_)) => anyhow::bail!(
            "TESSERA_MAIL_FROM is set but TESSERA_SMTP_URL is not: set both to send mail"
        ),
    }
}

impl ServerConfig {
    /// Workers per listener: as configured, or one per core.
    pub fn worker_count(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let encryption_key = args.encryption.key()?;
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
            verifier: VerifierSettings {
                cache_capacity: args
                    .token_cache
                    .then_some(args.token_cache_capacity as usize),
                usage_granularity: args.usage_granularity_seconds,
                count_usage: args.usage_counting,
            },
            shared_limits: args
                .redis_url
                .clone()
                .filter(|url| !url.trim().is_empty())
                .map(|url| SharedLimits {
                    url,
                    when_down: args.redis_when_down.into(),
                }),
            usage_flush: std::time::Duration::from_secs(args.usage_flush_seconds.into()),
            usage_ranking: std::time::Duration::from_secs(args.usage_ranking_seconds.into()),
            webhook_key: encryption_key
                .clone()
                .map(|key| WebhookKeys::new(key, None)),
            encryption_key,
            webhook_policy: Policy {
                allow_http: args.webhook_allow_http,
                allow_private: args.webhook_allow_private,
            },
            webhook_delivery: args.webhook_delivery,
            webhook_timeout: std::time::Duration::from_secs(args.webhook_timeout_seconds.into()),
            retention: time::Duration::days(args.retention_days.into()),
            usage_retention: UsageRetention {
                hourly_days: args.usage_hourly_days,
                daily_days: args.usage_daily_days,
            },
            mail: mail_settings(args.smtp_url.as_deref(), args.mail_from.as_deref())?,
            oidc: args.oidc.settings()?,
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

    /// The address mails link to, when mail is set up.
    pub fn mail_links(&self) -> Option<&str> {
        self.mail.is_some().then(|| self.public_url())
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

/// Where rate limits are shared, and what happens while they cannot be.
#[derive(Clone)]
pub struct SharedLimits {
    /// May hold a password: never logged.
    pub url: String,
    pub when_down: crate::domain::limits::WhenDown,
}

impl std::fmt::Debug for SharedLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLimits")
            .field("when_down", &self.when_down)
            .finish_non_exhaustive()
    }
}

/// How the verifier keeps tokens and their uses.
#[derive(Debug, Clone, Copy)]
pub struct VerifierSettings {
    /// Tokens kept in memory; `None`: every verification reads the database (to
    /// measure it).
    pub cache_capacity: Option<usize>,
    /// Seconds within which repeated uses from one client are written once.
    pub usage_granularity: u32,
    /// Whether answers are counted for the Usage pages (off only to measure).
    pub count_usage: bool,
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
    fn mails_link_to_the_public_url_only_when_mail_is_set_up() {
        let args = ServeArgs {
            public_url: Some("https://tokens.example.com".into()),
            ..ServeArgs::default()
        };
        assert_eq!(ServerConfig::from_args(&args).unwrap().mail_links(), None);
        let with_mail = ServeArgs {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            mail_from: Some("Tessera <tessera@example.com>".into()),
            ..args
        };
        assert_eq!(
            ServerConfig::from_args(&with_mail).unwrap().mail_links(),
            Some("https://tokens.example.com")
        );
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
}
