//! What an administrator submits for a token, and the checks that turn it into a
//! definition.

use ipnet::IpNet;
use time::PrimitiveDateTime;

use super::{Action, DurationChoice, TokenType, Validity, resolve_validity};
use crate::domain::ids::Guid;
use crate::domain::networks::parse_allow_list;
use crate::domain::validation::{FieldErrors, optional_text, required_text};

/// A module × action pair from the custom permission matrix, as submitted
/// (`"<module id>:read"`).
pub fn parse_permission(value: &str) -> Option<(i64, Action)> {
    let (module, action) = value.split_once(':')?;
    Some((
        module.trim().parse().ok()?,
        Action::from_key(action.trim())?,
    ))
}

/// What the token form submits, as text.
#[derive(Debug, Default, Clone)]
pub struct TokenInput {
    pub name: String,
    pub description: String,
    pub guid: String,
    pub scopes: Vec<String>,
    pub duration: String,
    pub valid_from: String,
    pub valid_to: String,
    pub token_type: String,
    pub permissions: Vec<String>,
    /// Client networks, one per line; empty for any address.
    pub allowed_networks: String,
    /// May call the introspection endpoint about other tokens.
    pub can_introspect: bool,
    /// The external ID of the identity that owns the token; empty for none.
    pub identity: String,
}

/// What the form may choose from, and what it is editing.
pub struct FormContext<'a> {
    pub now: PrimitiveDateTime,
    pub module_ids: &'a [i64],
    /// Scopes the administrator may assign.
    pub scope_ids: &'a [i64],
    /// The token's current window, when editing.
    pub current: Option<Validity>,
}

/// A checked token definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDefinition {
    pub name: String,
    pub description: String,
    pub guid: Guid,
    pub scope_ids: Vec<i64>,
    pub validity: Validity,
    pub token_type: TokenType,
    /// Per-module grants; empty unless the type is Custom.
    pub permissions: Vec<(i64, Action)>,
    pub allowed_networks: Vec<IpNet>,
    pub can_introspect: bool,
}

/// The capability stored for tokens that may introspect others.
pub const INTROSPECT: &str = "introspect";

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

pub fn validate(input: &TokenInput, ctx: &FormContext<'_>) -> Result<TokenDefinition, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", "Name", &input.name, MAX_NAME_CHARS);
    let description = optional_text(
        &mut errors,
        "description",
        "Description",
        &input.description,
        MAX_DESCRIPTION_CHARS,
    );
    let guid = Guid::parse(&input.guid);
    if guid.is_none() {
        errors.add("guid", "The GUID is not valid; generate a new one.");
    }

    let scope_ids = super::super::scopes::chosen(&mut errors, &input.scopes, ctx.scope_ids);

    let validity = resolve_validity(
        &mut errors,
        DurationChoice::from_key(input.duration.trim()),
        &input.valid_from,
        &input.valid_to,
        ctx.now,
        ctx.current,
    );

    let token_type = TokenType::from_key(input.token_type.trim());
    let mut permissions: Vec<(i64, Action)> = Vec::new();
    match token_type {
        None => errors.add("token_type", "Choose a token type."),
        Some(TokenType::Custom) => {
            for value in &input.permissions {
                match parse_permission(value) {
                    Some(grant) if ctx.module_ids.contains(&grant.0) => permissions.push(grant),
                    _ => errors.add(
                        "permissions",
                        "One of the ticked modules no longer exists. Tick again.",
                    ),
                }
            }
            permissions.sort_unstable();
            permissions.dedup();
            if permissions.is_empty() && errors.get("permissions").is_none() {
                errors.add("permissions", "Tick at least one module and action.");
            }
        }
        Some(_) => {}
    }

    let allowed_networks = parse_allow_list(&input.allowed_networks).unwrap_or_else(|message| {
        errors.add("allowed_networks", message);
        Vec::new()
    });

    match (token_type, validity, guid) {
        (Some(token_type), Some(validity), Some(guid)) if errors.is_empty() => {
            Ok(TokenDefinition {
                name,
                description,
                guid,
                scope_ids,
                validity,
                token_type,
                permissions,
                allowed_networks,
                can_introspect: input.can_introspect,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-11-23 17:54:31);

    fn input() -> TokenInput {
        TokenInput {
            name: " Billing sync ".into(),
            description: "Nightly job".into(),
            guid: Guid::generate().to_string(),
            scopes: vec!["1".into()],
            duration: "30d".into(),
            token_type: "read_only".into(),
            ..TokenInput::default()
        }
    }

    fn ctx() -> FormContext<'static> {
        FormContext {
            now: NOW,
            module_ids: &[10, 11],
            scope_ids: &[1, 2],
            current: None,
        }
    }

    #[test]
    fn a_valid_form_becomes_a_definition() {
        let def = validate(&input(), &ctx()).unwrap();
        assert_eq!(def.name, "Billing sync");
        assert_eq!(def.validity.valid_from, NOW);
        assert_eq!(def.validity.valid_to, Some(NOW + Duration::days(30)));
        assert_eq!(def.token_type, TokenType::ReadOnly);
        assert!(def.permissions.is_empty());
    }

    #[test]
    fn every_missing_field_is_reported() {
        let errors = validate(&TokenInput::default(), &ctx()).unwrap_err();
        for field in ["name", "guid", "scopes", "duration", "token_type"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn custom_tokens_need_known_modules() {
        let mut custom = input();
        custom.token_type = "custom".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
        custom.permissions = vec!["10:read".into(), "11:write".into(), "10:read".into()];
        assert_eq!(
            validate(&custom, &ctx()).unwrap().permissions,
            vec![(10, Action::Read), (11, Action::Write)]
        );
        custom.permissions = vec!["99:read".into()];
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
        custom.permissions = vec!["10:delete".into()];
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
    }

    #[test]
    fn scopes_must_be_ones_the_administrator_may_use() {
        let mut other = input();
        other.scopes = vec!["3".into()];
        assert!(
            validate(&other, &ctx())
                .unwrap_err()
                .get("scopes")
                .is_some()
        );
    }

    #[test]
    fn custom_dates_refuse_the_past_and_inverted_windows() {
        let mut custom = input();
        custom.duration = "custom".into();
        custom.valid_from = "2026-11-22".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_from")
                .is_some()
        );
        custom.valid_from = "2026-12-10".into();
        custom.valid_to = "2026-12-01".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_to")
                .is_some()
        );
        custom.valid_to = "2026-12-31".into();
        let def = validate(&custom, &ctx()).unwrap();
        assert_eq!(def.validity.valid_from, datetime!(2026-12-10 00:00));
        assert_eq!(def.validity.valid_to, Some(datetime!(2026-12-31 23:59:59)));
        // Starting today means starting now; no end means forever.
        custom.valid_from = "2026-11-23".into();
        custom.valid_to = String::new();
        let def = validate(&custom, &ctx()).unwrap();
        assert_eq!(
            def.validity,
            Validity {
                valid_from: NOW,
                valid_to: None
            }
        );
        custom.valid_to = "31/12/2026".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_to")
                .is_some()
        );
    }

    #[test]
    fn editing_a_started_token_with_custom_dates_keeps_its_start() {
        let started = Validity {
            valid_from: NOW - Duration::days(10),
            valid_to: None,
        };
        let editing = FormContext {
            current: Some(started),
            ..ctx()
        };
        let mut custom = input();
        custom.duration = "custom".into();
        custom.valid_to = "2027-01-31".into();
        let def = validate(&custom, &editing).unwrap();
        assert_eq!(def.validity.valid_from, started.valid_from);
        assert_eq!(def.validity.valid_to, Some(datetime!(2027-01-31 23:59:59)));
    }

    #[test]
    fn allowed_networks_are_checked() {
        let mut limited = input();
        limited.allowed_networks = "10.0.0.0/8\n2001:db8::1".into();
        assert_eq!(
            validate(&limited, &ctx()).unwrap().allowed_networks.len(),
            2
        );
        limited.allowed_networks = "10.0.0.0/8 intranet".into();
        assert!(
            validate(&limited, &ctx())
                .unwrap_err()
                .get("allowed_networks")
                .unwrap()
                .contains("intranet")
        );
    }

    #[test]
    fn keep_is_only_for_editing() {
        let mut keep = input();
        keep.duration = "keep".into();
        assert!(
            validate(&keep, &ctx())
                .unwrap_err()
                .get("duration")
                .is_some()
        );
        let current = Validity {
            valid_from: NOW - Duration::days(3),
            valid_to: None,
        };
        let editing = FormContext {
            current: Some(current),
            ..ctx()
        };
        assert_eq!(validate(&keep, &editing).unwrap().validity, current);
    }

    proptest! {
        #[test]
        fn validation_never_panics_on_any_input(
            name in ".{0,300}", description in ".{0,1200}", guid in ".{0,40}",
            scope in ".{0,12}", duration in ".{0,12}", from in ".{0,12}", to in ".{0,12}",
            kind in ".{0,12}", permission in ".{0,20}", networks in ".{0,60}",
        ) {
            let input = TokenInput {
                name, description, guid, scopes: vec![scope], duration,
                valid_from: from, valid_to: to, token_type: kind, permissions: vec![permission],
                allowed_networks: networks, can_introspect: false, identity: String::new(),
            };
            let _ = validate(&input, &ctx());
        }
    }
}
