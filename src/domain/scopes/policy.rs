//! A scope's policy: the rules every token in the scope must follow. A token in
//! several scopes follows the strictest of their policies ([`strictest`]). The rules
//! are checked whenever a token is made or changed so that it could pass again;
//! tokens made before a rule are left as they are and found by token health.

use time::{Date, Duration, PrimitiveDateTime, Time};

use crate::domain::tokens::{Action, TokenType, Validity};
use crate::domain::validation::FieldErrors;

/// The longest lifetime a policy may set, in days (ten years).
pub const MAX_LIFETIME_DAYS: i64 = 3650;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopePolicy {
    /// A token's validity ends at most this many days after it starts, or after
    /// the change that sets it, whichever is later (by the end of that day, UTC,
    /// as the date the form offers).
    pub max_lifetime_days: Option<i64>,
    pub expiry_required: bool,
    /// The token types allowed.
    pub allowed_types: Vec<TokenType>,
    /// The module × action pairs a token may be granted; `None` for any. Limited
    /// pairs allow Custom tokens only: the other types grant every module,
    /// including modules added later.
    pub allowed_grants: Option<Vec<(i64, Action)>>,
    pub networks_required: bool,
    /// Token values may be kept (with an encryption key) and shown again.
    pub show_again: bool,
}

impl Default for ScopePolicy {
    /// No rule at all: what a scope has until one is set.
    fn default() -> Self {
        Self {
            max_lifetime_days: None,
            expiry_required: false,
            allowed_types: TokenType::ALL.to_vec(),
            allowed_grants: None,
            networks_required: false,
            show_again: true,
        }
    }
}

impl ScopePolicy {
    pub fn is_unrestricted(&self) -> bool {
        *self == Self::default()
    }

    /// The policy, if some token could still follow it.
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(days) = self.max_lifetime_days
            && !(1..=MAX_LIFETIME_DAYS).contains(&days)
        {
            errors.add(
                "max_lifetime_days",
                format!("Enter a number of days from 1 to {MAX_LIFETIME_DAYS}, or leave it empty."),
            );
        }
        self.allowed_types
            .sort_by_key(|t| TokenType::ALL.iter().position(|a| a == t));
        self.allowed_types.dedup();
        if self.allowed_types.is_empty() {
            errors.add("allowed_types", "Allow at least one token type.");
        }
        if let Some(grants) = &mut self.allowed_grants {
            grants.sort_unstable();
            grants.dedup();
            if !self.allowed_types.contains(&TokenType::Custom) {
                errors.add(
                    "allowed_grants",
                    "Limiting modules leaves Custom tokens only: allow the Custom type too.",
                );
            } else if grants.is_empty() {
                errors.add(
                    "allowed_grants",
                    "Tick at least one module and action, or allow every module.",
                );
            }
        }
        errors.into_result(self)
    }

    /// Each rule in a short sentence, for the scope list and the token form's hint.
    pub fn describe(&self, module_name: impl Fn(i64) -> String) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(days) = self.max_lifetime_days {
            lines.push(format!("Tokens expire within {days} days."));
        } else if self.expiry_required {
            lines.push("Tokens must have an expiry date.".to_owned());
        }
        if self.allowed_types.len() < TokenType::ALL.len() {
            lines.push(format!(
                "Token types: {}.",
                type_labels(&self.allowed_types)
            ));
        }
        if let Some(grants) = &self.allowed_grants {
            lines.push(if grants.is_empty() {
                "No module may be granted.".to_owned()
            } else {
                format!(
                    "Custom tokens with only {}.",
                    grant_names(grants, &module_name)
                )
            });
        }
        if self.networks_required {
            lines.push("Tokens need an IP allow-list.".to_owned());
        }
        if !self.show_again {
            lines.push("Token values are shown once, never again.".to_owned());
        }
        lines
    }
}

fn type_labels(types: &[TokenType]) -> String {
    if types.is_empty() {
        return "none".to_owned();
    }
    types
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn grant_names(grants: &[(i64, Action)], module_name: &impl Fn(i64) -> String) -> String {
    grants
        .iter()
        .map(|(module, action)| format!("{} {}", module_name(*module), action.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scope's policy in words, for the token form's hint.
#[derive(Debug, Clone)]
pub struct ScopeRules {
    pub scope_id: i64,
    pub scope: String,
    pub rules: Vec<String>,
}

/// A rule of a policy, by the name the API gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    MaxLifetime,
    ExpiryRequired,
    TokenType,
    Grants,
    NetworksRequired,
    ShowAgain,
}

impl Rule {
    pub fn key(self) -> &'static str {
        match self {
            Rule::MaxLifetime => "max_lifetime",
            Rule::ExpiryRequired => "expiry_required",
            Rule::TokenType => "allowed_types",
            Rule::Grants => "allowed_grants",
            Rule::NetworksRequired => "networks_required",
            Rule::ShowAgain => "show_again",
        }
    }

    /// The token form's field the message stands beside.
    pub fn field(self) -> &'static str {
        match self {
            Rule::MaxLifetime | Rule::ExpiryRequired => "duration",
            Rule::TokenType => "token_type",
            Rule::Grants => "permissions",
            Rule::NetworksRequired => "allowed_networks",
            Rule::ShowAgain => "value",
        }
    }
}

/// A rule a token would break, the scope whose policy sets it, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub rule: Rule,
    pub scope: String,
    pub message: String,
}

/// The last day (UTC) a token starting at `start` may be valid on for `days`
/// days; `None` past the calendar's end, where nothing can be later.
pub fn last_day(start: PrimitiveDateTime, days: i64) -> Option<Date> {
    start
        .checked_add(Duration::days(days))
        .map(|limit| limit.date())
}

/// The midnight after [`last_day`]: a validity ending at it or later is too long.
pub fn too_long_from(start: PrimitiveDateTime, days: i64) -> Option<PrimitiveDateTime> {
    last_day(start, days)?
        .next_day()
        .map(|day| PrimitiveDateTime::new(day, Time::MIDNIGHT))
}

/// The breaches as a form's errors, each beside its field.
pub fn field_errors(breaches: &[Breach]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for breach in breaches {
        errors.add(breach.rule.field(), breach.message.clone());
    }
    errors
}

/// What of a token the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct TokenShape<'a> {
    pub validity: Validity,
    pub token_type: TokenType,
    /// Custom grants; empty for the other types.
    pub grants: &'a [(i64, Action)],
    pub has_networks: bool,
}

/// The policies of a token's scopes together: for each rule, its strictest value
/// and the scope that sets it.
#[derive(Debug, Clone, Default)]
pub struct Strictest {
    max_lifetime: Option<(i64, String)>,
    expiry_required: Option<String>,
    forbidden_types: Vec<(TokenType, String)>,
    grant_limits: Vec<(String, Vec<(i64, Action)>)>,
    networks_required: Option<String>,
    no_show_again: Option<String>,
}

/// The strictest of the policies of the named scopes.
pub fn strictest<'a>(policies: impl IntoIterator<Item = (&'a str, &'a ScopePolicy)>) -> Strictest {
    let mut all = Strictest::default();
    for (scope, policy) in policies {
        if let Some(days) = policy.max_lifetime_days
            && all.max_lifetime.as_ref().is_none_or(|(d, _)| days < *d)
        {
            all.max_lifetime = Some((days, scope.to_owned()));
        }
        if policy.expiry_required && all.expiry_required.is_none() {
            all.expiry_required = Some(scope.to_owned());
        }
        for kind in TokenType::ALL {
            if !policy.allowed_types.contains(&kind)
                && !all.forbidden_types.iter().any(|(t, _)| *t == kind)
            {
                all.forbidden_types.push((kind, scope.to_owned()));
            }
        }
        if let Some(grants) = &policy.allowed_grants {
            all.grant_limits.push((scope.to_owned(), grants.clone()));
        }
        if policy.networks_required && all.networks_required.is_none() {
            all.networks_required = Some(scope.to_owned());
        }
        if !policy.show_again && all.no_show_again.is_none() {
            all.no_show_again = Some(scope.to_owned());
        }
    }
    all
}

impl Strictest {
    /// Values may be kept and shown again.
    pub fn keeps_value(&self) -> bool {
        self.no_show_again.is_none()
    }

    /// The scope that forbids showing values again, if one does.
    pub fn forbids_showing_again(&self) -> Option<&str> {
        self.no_show_again.as_deref()
    }

    /// The rules `token` would break if saved at `now`, one breach per rule.
    pub fn breaches(
        &self,
        token: &TokenShape<'_>,
        now: PrimitiveDateTime,
        module_name: impl Fn(i64) -> String,
    ) -> Vec<Breach> {
        let mut found = Vec::new();
        let mut breach = |rule, scope: &str, message: String| {
            found.push(Breach {
                rule,
                scope: scope.to_owned(),
                message,
            });
        };
        let end = token.validity.valid_to;
        if let Some((days, scope)) = &self.max_lifetime {
            let start = token.validity.valid_from.max(now);
            let too_long = too_long_from(start, *days);
            match end {
                None => breach(
                    Rule::MaxLifetime,
                    scope,
                    format!("{scope} allows tokens of at most {days} days: choose an expiry."),
                ),
                Some(end) if too_long.is_some_and(|too_long| end >= too_long) => breach(
                    Rule::MaxLifetime,
                    scope,
                    format!(
                        "{scope} allows tokens of at most {days} days, so until {} at the latest; this one would end on {}. Choose an earlier expiry.",
                        last_day(start, *days).map_or_else(String::new, |d| d.to_string()),
                        end.date()
                    ),
                ),
                Some(_) => {}
            }
        } else if let (Some(scope), None) = (&self.expiry_required, end) {
            breach(
                Rule::ExpiryRequired,
                scope,
                format!("{scope} requires tokens to expire: choose an expiry."),
            );
        }
        if let Some((kind, scope)) = self
            .forbidden_types
            .iter()
            .find(|(t, _)| *t == token.token_type)
        {
            breach(
                Rule::TokenType,
                scope,
                format!("{scope} does not allow {} tokens.", kind.label()),
            );
        }
        for (scope, allowed) in &self.grant_limits {
            if token.token_type != TokenType::Custom {
                // A forbidden type says so already.
                if !self
                    .forbidden_types
                    .iter()
                    .any(|(t, _)| *t == token.token_type)
                {
                    breach(
                        Rule::Grants,
                        scope,
                        format!(
                            "{scope} allows only chosen modules and actions: choose Custom and tick them."
                        ),
                    );
                }
                break;
            }
            let extra: Vec<(i64, Action)> = token
                .grants
                .iter()
                .filter(|g| !allowed.contains(g))
                .copied()
                .collect();
            if !extra.is_empty() {
                breach(
                    Rule::Grants,
                    scope,
                    format!(
                        "{scope} does not allow {}.",
                        grant_names(&extra, &module_name)
                    ),
                );
                break;
            }
        }
        if let (Some(scope), false) = (&self.networks_required, token.has_networks) {
            breach(
                Rule::NetworksRequired,
                scope,
                format!(
                    "{scope} requires an IP allow-list: enter the networks its clients call from."
                ),
            );
        }
        found
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
