//! Single sign-on: what the identity provider says about someone, and the role and
//! scopes Tessera gives them for it. Every sign-in applies the rules again, so a
//! change of groups at the provider takes effect at the next sign-in.

use serde_json::Value;

/// Members of `group` get `grant`: a role (by key or name) or a scope (by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    pub group: String,
    pub grant: String,
}

/// Rules written as `group=grant`, separated by `;` or new lines. A group may hold
/// `=` (an LDAP name such as `CN=Ops,OU=Staff`): the rule splits at the last one.
pub fn parse_rules(text: &str, variable: &str) -> Result<Vec<GroupRule>, String> {
    text.split([';', '\n'])
        .map(str::trim)
        .filter(|rule| !rule.is_empty())
        .map(|rule| {
            let (group, grant) = rule
                .rsplit_once('=')
                .map(|(g, r)| (g.trim(), r.trim()))
                .filter(|(g, r)| !g.is_empty() && !r.is_empty())
                .ok_or_else(|| {
                    format!("{variable}: {rule:?} is not a rule such as tessera-admins=super_admin")
                })?;
            Ok(GroupRule {
                group: group.to_owned(),
                grant: grant.to_owned(),
            })
        })
        .collect()
}

/// How groups become a role and scopes.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Tried in order: the first whose group the person is in gives the role.
    pub roles: Vec<GroupRule>,
    /// Each rule whose group the person is in adds its scope.
    pub scopes: Vec<GroupRule>,
    /// The role of someone no role rule matches, unless `strict`.
    pub default_role: Option<String>,
    /// Refuses whoever no role rule matches.
    pub strict: bool,
}

/// The role and scopes the rules give (the role as written in the rule: the
/// service finds it by key or by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedAccess {
    pub role: String,
    pub scope_names: Vec<String>,
}

impl Mapping {
    pub fn access_for(&self, groups: &[String]) -> Result<MappedAccess, Refusal> {
        let member = |rule: &&GroupRule| groups.contains(&rule.group);
        let role = self
            .roles
            .iter()
            .find(member)
            .map(|rule| rule.grant.clone())
            .or_else(|| (!self.strict).then(|| self.default_role.clone()).flatten())
            .ok_or(Refusal::NoRoleMapped)?;
        let mut scope_names: Vec<String> = Vec::new();
        for rule in self.scopes.iter().filter(member) {
            if !scope_names.contains(&rule.grant) {
                scope_names.push(rule.grant.clone());
            }
        }
        Ok(MappedAccess { role, scope_names })
    }
}

/// Who the provider says signed in, from the ID token and the user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

impl Identity {
    /// Reads the claims (a JSON object); the groups are at `groups_path`.
    pub fn from_claims(claims: &Value, groups_path: &str) -> Option<Self> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        // Some providers send `"email_verified": "true"`.
        let email_verified = match claims.get("email_verified") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        Some(Self {
            subject: text("sub")?,
            email: text("email"),
            email_verified,
            name: text("name").or_else(|| text("preferred_username")),
            groups: groups_at(claims, groups_path),
        })
    }
}

/// The groups at `path` in the claims: a claim of that very name (such as
/// `https://example.com/groups`), or a dotted path into nested objects (such as
/// Keycloak's `realm_access.roles`); a list of strings, or one string.
pub fn groups_at(claims: &Value, path: &str) -> Vec<String> {
    let found = claims.get(path).or_else(|| {
        path.split('.')
            .try_fold(claims, |value, key| value.get(key))
    });
    match found {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Why a sign-in through the provider was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The answer did not belong to a sign-in this browser started (wrong or
    /// missing `state`, or one already used).
    NotStartedHere,
    /// The provider said no, with its error code.
    ProviderRefused(String),
    /// The provider could not be reached or answered something unusable.
    ProviderUnavailable,
    /// The token endpoint refused the code, with its error code (`invalid_grant`:
    /// used before or expired; `invalid_client`: Tessera's client ID or secret).
    CodeRefused(String),
    /// The ID token failed validation: what failed.
    InvalidIdToken(String),
    NoEmail,
    EmailNotVerified,
    NoRoleMapped,
    /// A role rule names a role Tessera does not have.
    UnknownRole(String),
    SignUpClosed,
    Disabled,
    /// Their email belongs to an administrator linked to another subject.
    LinkedElsewhere,
    /// The mapping would take Super Admin from the last enabled one.
    LastSuperAdmin,
}

impl Refusal {
    /// The stable name in the audit log.
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::NotStartedHere => "state_mismatch",
            Refusal::ProviderRefused(_) => "provider_error",
            Refusal::ProviderUnavailable => "provider_unavailable",
            Refusal::CodeRefused(_) => "code_refused",
            Refusal::InvalidIdToken(_) => "invalid_id_token",
            Refusal::NoEmail => "no_email",
            Refusal::EmailNotVerified => "email_not_verified",
            Refusal::NoRoleMapped => "no_role_mapped",
            Refusal::UnknownRole(_) => "unknown_role",
            Refusal::SignUpClosed => "sign_up_closed",
            Refusal::Disabled => "disabled",
            Refusal::LinkedElsewhere => "linked_elsewhere",
            Refusal::LastSuperAdmin => "last_super_admin",
        }
    }

    /// What the audit log says, in a sentence for the operator.
    pub fn detail(&self) -> String {
        match self {
            Refusal::NotStartedHere => "The answer did not match a sign-in started in this browser (state).".into(),
            Refusal::ProviderRefused(code) => format!("The provider answered with the error {code}."),
            Refusal::ProviderUnavailable => "The provider could not be reached.".into(),
            Refusal::CodeRefused(error) if error == "invalid_client" => "The provider refused Tessera's client ID or secret (invalid_client): check TESSERA_OIDC_CLIENT_ID and TESSERA_OIDC_CLIENT_SECRET.".into(),
            Refusal::CodeRefused(error) => format!("The provider refused the authorization code ({error}): used before, or expired."),
            Refusal::InvalidIdToken(why) => format!("The ID token is not valid: {why}."),
            Refusal::NoEmail => "The provider gave no email address.".into(),
            Refusal::EmailNotVerified => "The provider has not verified the email address.".into(),
            Refusal::NoRoleMapped => "None of their groups maps to a role.".into(),
            Refusal::UnknownRole(role) => format!("A role rule names the role {role}, which does not exist."),
            Refusal::SignUpClosed => "There is no administrator with this email, and sign-up through the provider is off.".into(),
            Refusal::Disabled => "The administrator is disabled.".into(),
            Refusal::LinkedElsewhere => "The administrator with this email signs in as another account of the provider.".into(),
            Refusal::LastSuperAdmin => "Their groups would take Super Admin from the last enabled Super Admin.".into(),
        }
    }

    /// What the person signing in is told: enough to act on, nothing an attacker
    /// can use.
    pub fn message(&self, provider: &str) -> String {
        match self {
            Refusal::NotStartedHere | Refusal::CodeRefused(_) | Refusal::InvalidIdToken(_) => {
                format!("The sign-in with {provider} could not be completed. Start again.")
            }
            Refusal::ProviderRefused(_) => format!("{provider} did not sign you in."),
            Refusal::ProviderUnavailable => {
                format!("{provider} cannot be reached right now. Try again in a moment.")
            }
            Refusal::NoEmail | Refusal::EmailNotVerified => format!(
                "{provider} did not give Tessera a verified email address for you. Ask your administrator."
            ),
            Refusal::NoRoleMapped => format!(
                "Your account at {provider} is in no group that gives access to Tessera. Ask your administrator."
            ),
            Refusal::SignUpClosed => format!(
                "There is no Tessera administrator for your {provider} account. Ask your administrator to add you."
            ),
            Refusal::Disabled => "Your administrator account is disabled.".into(),
            Refusal::UnknownRole(_) | Refusal::LinkedElsewhere | Refusal::LastSuperAdmin => {
                "Tessera cannot sign you in with these groups. Ask your administrator.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(text: &str) -> Vec<GroupRule> {
        parse_rules(text, "TEST").unwrap()
    }

    #[test]
    fn rules_split_at_the_last_equals_sign() {
        assert_eq!(
            rules("a=super_admin; CN=Ops,OU=Staff = Viewer\n"),
            vec![
                GroupRule {
                    group: "a".into(),
                    grant: "super_admin".into()
                },
                GroupRule {
                    group: "CN=Ops,OU=Staff".into(),
                    grant: "Viewer".into()
                },
            ]
        );
        assert!(parse_rules("admins", "TEST").unwrap_err().contains("TEST"));
        assert!(parse_rules("=viewer", "TEST").is_err());
    }

    #[test]
    fn the_first_matching_role_rule_wins_and_scopes_add_up() {
        let mapping = Mapping {
            roles: rules("admins=super_admin; ops=token_manager"),
            scopes: rules("ops=Production; eu=Europe; ops=Production"),
            default_role: Some("viewer".into()),
            strict: false,
        };
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let access = mapping
            .access_for(&groups(&["eu", "ops", "admins"]))
            .unwrap();
        assert_eq!(access.role, "super_admin");
        assert_eq!(access.scope_names, ["Production", "Europe"]);
        assert_eq!(mapping.access_for(&groups(&["x"])).unwrap().role, "viewer");
        let strict = Mapping {
            strict: true,
            ..mapping
        };
        assert_eq!(
            strict.access_for(&groups(&["x"])),
            Err(Refusal::NoRoleMapped)
        );
        let no_default = Mapping {
            default_role: None,
            strict: false,
            ..strict
        };
        assert_eq!(no_default.access_for(&[]), Err(Refusal::NoRoleMapped));
    }

    #[test]
    fn groups_are_found_by_name_or_by_path() {
        let claims = json!({
            "sub": "u1",
            "groups": ["a", "b", 3],
            "realm_access": { "roles": ["r"] },
            "https://example.com/groups": "one",
        });
        assert_eq!(groups_at(&claims, "groups"), ["a", "b"]);
        assert_eq!(groups_at(&claims, "realm_access.roles"), ["r"]);
        assert_eq!(groups_at(&claims, "https://example.com/groups"), ["one"]);
        assert!(groups_at(&claims, "missing.path").is_empty());
    }

    #[test]
    fn an_identity_needs_a_subject_and_a_verified_flag_that_says_true() {
        let identity = Identity::from_claims(
            &json!({ "sub": "u1", "email": " a@b.c ", "email_verified": "true", "preferred_username": "ab" }),
            "groups",
        )
        .unwrap();
        assert_eq!(identity.email.as_deref(), Some("a@b.c"));
        assert!(identity.email_verified);
        assert_eq!(identity.name.as_deref(), Some("ab"));
        let unverified = Identity::from_claims(&json!({ "sub": "u1", "email": "a@b.c" }), "groups");
        assert!(!unverified.unwrap().email_verified);
        assert!(Identity::from_claims(&json!({ "email": "a@b.c" }), "groups").is_none());
    }
}
