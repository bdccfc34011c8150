//! Whether a presented token may pass: the rules of the verification API, free of
//! I/O so every outcome can be tested on its own.

mod last_use;
mod paths;

pub use last_use::{LastUseMark, UseNews, precision as last_use_precision, stored_agent};
pub use paths::*;

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use time::PrimitiveDateTime;

use super::networks::allows;
use super::tokens::{Action, Lifecycle, TokenStatus, TokenType};

/// The answer to a verification, with its HTTP status and its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Valid,
    /// Anything that does not match a stored, usable secret (garbage, typos,
    /// unknown or deleted tokens, a previous secret past its grace period).
    Invalid,
    Expired,
    Disabled,
    Revoked,
    NotYetValid,
    InsufficientPermissions,
    IpNotAllowed,
    /// Forward-auth: a path that servers could resolve to different resources.
    AmbiguousPath,
    /// One of the token's (or its identity's) rate limits is reached.
    RateLimited,
    /// No credits left.
    UsageExceeded,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Outcome::Valid,
        Outcome::Invalid,
        Outcome::Expired,
        Outcome::Disabled,
        Outcome::Revoked,
        Outcome::NotYetValid,
        Outcome::InsufficientPermissions,
        Outcome::IpNotAllowed,
        Outcome::AmbiguousPath,
        Outcome::RateLimited,
        Outcome::UsageExceeded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Invalid => "invalid",
            Outcome::Expired => "expired",
            Outcome::Disabled => "disabled",
            Outcome::Revoked => "revoked",
            Outcome::NotYetValid => "not_yet_valid",
            Outcome::InsufficientPermissions => "insufficient_permissions",
            Outcome::IpNotAllowed => "ip_not_allowed",
            Outcome::AmbiguousPath => "ambiguous_path",
            Outcome::RateLimited => "rate_limited",
            Outcome::UsageExceeded => "usage_exceeded",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    /// 200 to pass, 401 for the token itself, 403 for what it may not do, 429 for
    /// what it has used up.
    pub fn http_status(self) -> u16 {
        match self {
            Outcome::Valid => 200,
            Outcome::RateLimited | Outcome::UsageExceeded => 429,
            Outcome::InsufficientPermissions | Outcome::IpNotAllowed | Outcome::AmbiguousPath => {
                403
            }
            _ => 401,
        }
    }
}

/// How the presented secret matched a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretMatch {
    Current,
    /// The secret before the last regenerate, which works until `until`.
    Previous {
        until: PrimitiveDateTime,
    },
}

/// What a token allows, as loaded for verification.
#[derive(Debug, Clone)]
pub struct TokenRules {
    pub lifecycle: Lifecycle,
    pub token_type: TokenType,
    /// Custom tokens: (module key, action). The keys are shared with the catalog, so
    /// a million cached tokens do not hold a million copies of "orders".
    pub grants: Box<[(Arc<str>, Action)]>,
    /// Empty: any address.
    pub allowed_networks: Box<[IpNet]>,
}

impl TokenRules {
    /// Whether the token may do `action` on the module `key`, which must exist.
    pub fn grants(&self, key: &str, action: Action, module_exists: bool) -> bool {
        module_exists
            && (self.token_type.grants_everywhere(action)
                || self.grants.iter().any(|(k, a)| &**k == key && *a == action))
    }
}

/// A module and action a request asks for.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub module: &'a str,
    pub action: Action,
    pub module_exists: bool,
}

pub fn evaluate(
    rules: &TokenRules,
    matched: SecretMatch,
    now: PrimitiveDateTime,
    // `None`: the client's address is not known (introspection without one), so a
    // token limited to networks does not pass.
    client_ip: Option<IpAddr>,
    access: Option<Access<'_>>,
) -> Outcome {
    if let SecretMatch::Previous { until } = matched
        && now >= until
    {
        return Outcome::Invalid;
    }
    match rules.lifecycle.status(now) {
        TokenStatus::Deleted => return Outcome::Invalid,
        TokenStatus::Revoked => return Outcome::Revoked,
        TokenStatus::Disabled => return Outcome::Disabled,
        TokenStatus::Expired => return Outcome::Expired,
        TokenStatus::Scheduled => return Outcome::NotYetValid,
        TokenStatus::Active => {}
    }
    if !rules.allowed_networks.is_empty()
        && !client_ip.is_some_and(|ip| allows(&rules.allowed_networks, ip))
    {
        return Outcome::IpNotAllowed;
    }
    match access {
        Some(a) if !rules.grants(a.module, a.action, a.module_exists) => {
            Outcome::InsufficientPermissions
        }
        _ => Outcome::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-11-23 12:00);

    fn rules() -> TokenRules {
        TokenRules {
            lifecycle: Lifecycle {
                valid_from: NOW - Duration::days(1),
                valid_to: None,
                disabled_at: None,
                revoked_at: None,
                deleted_at: None,
            },
            token_type: TokenType::Custom,
            grants: Box::new([("orders".into(), Action::Read)]),
            allowed_networks: Box::default(),
        }
    }

    fn ip() -> IpAddr {
        "198.51.100.7".parse().unwrap()
    }

    fn orders(action: Action) -> Option<Access<'static>> {
        Some(Access {
            module: "orders",
            action,
            module_exists: true,
        })
    }

    #[test]
    fn an_active_token_passes_within_its_grants() {
        assert_eq!(
            evaluate(&rules(), SecretMatch::Current, NOW, Some(ip()), None),
            Outcome::Valid
        );
        assert_eq!(
            evaluate(
                &rules(),
                SecretMatch::Current,
                NOW,
                Some(ip()),
                orders(Action::Read)
            ),
            Outcome::Valid
        );
        assert_eq!(
            evaluate(
                &rules(),
                SecretMatch::Current,
                NOW,
                Some(ip()),
                orders(Action::Write)
            ),
            Outcome::InsufficientPermissions
        );
        let unknown = Some(Access {
            module: "nope",
            action: Action::Read,
            module_exists: false,
        });
        let everything = TokenRules {
            token_type: TokenType::FullAccess,
            ..rules()
        };
        assert_eq!(
            evaluate(&everything, SecretMatch::Current, NOW, Some(ip()), unknown),
            Outcome::InsufficientPermissions
        );
        assert_eq!(
            evaluate(
                &everything,
                SecretMatch::Current,
                NOW,
                Some(ip()),
                orders(Action::Write)
            ),
            Outcome::Valid
        );
        let reader = TokenRules {
            token_type: TokenType::ReadOnly,
            ..rules()
        };
        assert_eq!(
            evaluate(
                &reader,
                SecretMatch::Current,
                NOW,
                Some(ip()),
                orders(Action::Write)
            ),
            Outcome::InsufficientPermissions
        );
    }

    #[test]
    fn each_status_has_its_code() {
        let base = rules();
        let with = |lifecycle: Lifecycle| TokenRules {
            lifecycle,
            ..rules()
        };
        let cases = [
            (
                Lifecycle {
                    deleted_at: Some(NOW),
                    ..base.lifecycle
                },
                Outcome::Invalid,
            ),
            (
                Lifecycle {
                    revoked_at: Some(NOW),
                    ..base.lifecycle
                },
                Outcome::Revoked,
            ),
            (
                Lifecycle {
                    disabled_at: Some(NOW),
                    ..base.lifecycle
                },
                Outcome::Disabled,
            ),
            (
                Lifecycle {
                    valid_to: Some(NOW),
                    ..base.lifecycle
                },
                Outcome::Expired,
            ),
            (
                Lifecycle {
                    valid_from: NOW + Duration::minutes(1),
                    ..base.lifecycle
                },
                Outcome::NotYetValid,
            ),
        ];
        for (lifecycle, outcome) in cases {
            assert_eq!(
                evaluate(
                    &with(lifecycle),
                    SecretMatch::Current,
                    NOW,
                    Some(ip()),
                    None
                ),
                outcome
            );
        }
        assert_eq!(Outcome::NotYetValid.code(), "not_yet_valid");
        assert_eq!(Outcome::Revoked.http_status(), 401);
        assert_eq!(Outcome::InsufficientPermissions.http_status(), 403);
    }

    #[test]
    fn the_previous_secret_works_only_during_its_grace() {
        let until = NOW + Duration::hours(1);
        assert_eq!(
            evaluate(
                &rules(),
                SecretMatch::Previous { until },
                NOW,
                Some(ip()),
                None
            ),
            Outcome::Valid
        );
        assert_eq!(
            evaluate(
                &rules(),
                SecretMatch::Previous { until },
                until,
                Some(ip()),
                None
            ),
            Outcome::Invalid
        );
    }

    #[test]
    fn the_allow_list_is_enforced() {
        let limited = TokenRules {
            allowed_networks: Box::new(["10.0.0.0/8".parse().unwrap()]),
            ..rules()
        };
        assert_eq!(
            evaluate(&limited, SecretMatch::Current, NOW, Some(ip()), None),
            Outcome::IpNotAllowed
        );
        assert_eq!(
            evaluate(
                &limited,
                SecretMatch::Current,
                NOW,
                Some("10.9.8.7".parse().unwrap()),
                None
            ),
            Outcome::Valid
        );
        // Without the client's address (introspection that names none), a token
        // limited to networks does not pass; one that is not limited does.
        assert_eq!(
            evaluate(&limited, SecretMatch::Current, NOW, None, None),
            Outcome::IpNotAllowed
        );
        assert_eq!(
            evaluate(&rules(), SecretMatch::Current, NOW, None, None),
            Outcome::Valid
        );
    }
}
