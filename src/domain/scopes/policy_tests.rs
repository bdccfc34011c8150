use time::macros::datetime;

use super::*;

const NOW: PrimitiveDateTime = datetime!(2026-12-07 00:30);

fn shape(days: Option<i64>, token_type: TokenType, grants: &[(i64, Action)]) -> TokenShape<'_> {
    TokenShape {
        validity: Validity {
            valid_from: NOW,
            valid_to: days.map(|d| NOW + Duration::days(d)),
        },
        token_type,
        grants,
        has_networks: false,
    }
}

fn rules(breaches: &[Breach]) -> Vec<(Rule, &str)> {
    breaches
        .iter()
        .map(|b| (b.rule, b.scope.as_str()))
        .collect()
}

fn name(id: i64) -> String {
    format!("m{id}")
}

#[test]
fn a_lifetime_limit_refuses_longer_and_endless_tokens() {
    let production = ScopePolicy {
        max_lifetime_days: Some(90),
        ..ScopePolicy::default()
    };
    let all = strictest([("Production", &production)]);
    let year = all.breaches(&shape(Some(365), TokenType::ReadOnly, &[]), NOW, name);
    assert_eq!(rules(&year), [(Rule::MaxLifetime, "Production")]);
    assert_eq!(
        year[0].message,
        "Production allows tokens of at most 90 days, so until 2027-03-07 at the latest; this one would end on 2027-12-07. Choose an earlier expiry."
    );
    assert_eq!(year[0].rule.field(), "duration");
    let endless = all.breaches(&shape(None, TokenType::ReadOnly, &[]), NOW, name);
    assert_eq!(rules(&endless), [(Rule::MaxLifetime, "Production")]);
    assert!(
        all.breaches(&shape(Some(90), TokenType::ReadOnly, &[]), NOW, name)
            .is_empty()
    );
    // The date the form offers 90 days out, to its end, is within.
    let last_day = TokenShape {
        validity: Validity {
            valid_from: NOW,
            valid_to: Some(datetime!(2027-03-07 23:59:59)),
        },
        ..shape(None, TokenType::ReadOnly, &[])
    };
    assert!(all.breaches(&last_day, NOW, name).is_empty());
    let a_day_more = TokenShape {
        validity: Validity {
            valid_from: NOW,
            valid_to: Some(datetime!(2027-03-08 00:00)),
        },
        ..last_day
    };
    assert_eq!(all.breaches(&a_day_more, NOW, name).len(), 1);
}

#[test]
fn the_lifetime_counts_from_the_start_or_from_now_whichever_is_later() {
    let policy = ScopePolicy {
        max_lifetime_days: Some(30),
        ..ScopePolicy::default()
    };
    let all = strictest([("Staging", &policy)]);
    // Started a year ago, ends in 20 days: within 30 days of now.
    let old = TokenShape {
        validity: Validity {
            valid_from: NOW - Duration::days(365),
            valid_to: Some(NOW + Duration::days(20)),
        },
        ..shape(None, TokenType::ReadOnly, &[])
    };
    assert!(all.breaches(&old, NOW, name).is_empty());
    // Starts in 10 days and lives 30: allowed; 31: not.
    let later = |days: i64| TokenShape {
        validity: Validity {
            valid_from: NOW + Duration::days(10),
            valid_to: Some(NOW + Duration::days(10 + days)),
        },
        ..shape(None, TokenType::ReadOnly, &[])
    };
    assert!(all.breaches(&later(30), NOW, name).is_empty());
    assert_eq!(all.breaches(&later(31), NOW, name).len(), 1);
}

#[test]
fn a_token_in_several_scopes_follows_the_strictest_of_each_rule() {
    let production = ScopePolicy {
        max_lifetime_days: Some(90),
        allowed_types: vec![TokenType::ReadOnly, TokenType::Custom],
        ..ScopePolicy::default()
    };
    let staging = ScopePolicy {
        max_lifetime_days: Some(30),
        networks_required: true,
        show_again: false,
        ..ScopePolicy::default()
    };
    let all = strictest([("Production", &production), ("Staging", &staging)]);
    let breaches = all.breaches(&shape(Some(60), TokenType::FullAccess, &[]), NOW, name);
    assert_eq!(
        rules(&breaches),
        [
            (Rule::MaxLifetime, "Staging"),
            (Rule::TokenType, "Production"),
            (Rule::NetworksRequired, "Staging"),
        ]
    );
    assert!(
        breaches[1]
            .message
            .contains("does not allow Full access tokens")
    );
    assert!(!all.keeps_value());
    assert_eq!(all.forbids_showing_again(), Some("Staging"));
    // Alone, Production keeps values and allows 60 days.
    let production_only = strictest([("Production", &production)]);
    assert!(production_only.keeps_value());
    assert!(
        production_only
            .breaches(
                &shape(Some(60), TokenType::Custom, &[(1, Action::Read)]),
                NOW,
                name
            )
            .is_empty()
    );
}

#[test]
fn limited_grants_allow_only_custom_tokens_with_the_pairs_of_every_limiting_scope() {
    let production = ScopePolicy {
        allowed_grants: Some(vec![(1, Action::Read), (2, Action::Read)]),
        ..ScopePolicy::default()
    };
    let partner = ScopePolicy {
        allowed_grants: Some(vec![(1, Action::Read), (2, Action::Write)]),
        ..ScopePolicy::default()
    };
    let all = strictest([("Production", &production), ("Partner", &partner)]);
    assert!(
        all.breaches(
            &shape(None, TokenType::Custom, &[(1, Action::Read)]),
            NOW,
            name
        )
        .is_empty()
    );
    let wide = all.breaches(
        &shape(None, TokenType::Custom, &[(2, Action::Read)]),
        NOW,
        name,
    );
    assert_eq!(rules(&wide), [(Rule::Grants, "Partner")]);
    assert_eq!(wide[0].message, "Partner does not allow m2 read.");
    let read_only = all.breaches(&shape(None, TokenType::ReadOnly, &[]), NOW, name);
    assert_eq!(rules(&read_only), [(Rule::Grants, "Production")]);
    assert!(read_only[0].message.contains("choose Custom"));
}

#[test]
fn expiry_required_refuses_endless_tokens_only() {
    let policy = ScopePolicy {
        expiry_required: true,
        ..ScopePolicy::default()
    };
    let all = strictest([("Partner", &policy)]);
    assert_eq!(
        rules(&all.breaches(&shape(None, TokenType::ReadOnly, &[]), NOW, name)),
        [(Rule::ExpiryRequired, "Partner")]
    );
    assert!(
        all.breaches(&shape(Some(3000), TokenType::ReadOnly, &[]), NOW, name)
            .is_empty()
    );
}

#[test]
fn no_policy_breaks_nothing_and_describes_itself_as_nothing() {
    let none = ScopePolicy::default();
    assert!(none.is_unrestricted());
    assert!(none.describe(name).is_empty());
    let all = strictest([("Production", &none)]);
    assert!(all.keeps_value());
    assert!(
        all.breaches(&shape(None, TokenType::FullAccess, &[]), NOW, name)
            .is_empty()
    );
    let strict = ScopePolicy {
        max_lifetime_days: Some(90),
        allowed_types: vec![TokenType::Custom],
        allowed_grants: Some(vec![(1, Action::Read)]),
        networks_required: true,
        show_again: false,
        ..ScopePolicy::default()
    };
    assert_eq!(
        strict.describe(name),
        [
            "Tokens expire within 90 days.",
            "Token types: Custom.",
            "Custom tokens with only m1 read.",
            "Tokens need an IP allow-list.",
            "Token values are shown once, never again.",
        ]
    );
}

#[test]
fn a_policy_no_token_could_follow_is_refused() {
    let no_type = ScopePolicy {
        allowed_types: vec![],
        ..ScopePolicy::default()
    };
    assert!(
        no_type
            .validate()
            .unwrap_err()
            .get("allowed_types")
            .is_some()
    );
    let grants_without_custom = ScopePolicy {
        allowed_types: vec![TokenType::ReadOnly],
        allowed_grants: Some(vec![(1, Action::Read)]),
        ..ScopePolicy::default()
    };
    assert!(
        grants_without_custom
            .validate()
            .unwrap_err()
            .get("allowed_grants")
            .is_some()
    );
    for days in [0, MAX_LIFETIME_DAYS + 1] {
        let policy = ScopePolicy {
            max_lifetime_days: Some(days),
            ..ScopePolicy::default()
        };
        assert!(
            policy
                .validate()
                .unwrap_err()
                .get("max_lifetime_days")
                .is_some()
        );
    }
    let fine = ScopePolicy {
        max_lifetime_days: Some(90),
        allowed_types: vec![TokenType::Custom, TokenType::ReadOnly, TokenType::Custom],
        ..ScopePolicy::default()
    };
    assert_eq!(
        fine.validate().unwrap().allowed_types,
        [TokenType::ReadOnly, TokenType::Custom]
    );
}

#[test]
fn a_start_at_the_calendars_end_is_no_breach_and_no_panic() {
    let policy = ScopePolicy {
        max_lifetime_days: Some(90),
        ..ScopePolicy::default()
    };
    let all = strictest([("Production", &policy)]);
    let far = TokenShape {
        validity: Validity {
            valid_from: datetime!(9999-12-30 00:00),
            valid_to: Some(datetime!(9999-12-31 23:59:59)),
        },
        ..shape(None, TokenType::ReadOnly, &[])
    };
    assert!(all.breaches(&far, NOW, name).is_empty());
    // The last day is allowed to its last fraction of a second; its midnight is not,
    // as the health check says.
    let just_past = TokenShape {
        validity: Validity {
            valid_from: NOW,
            valid_to: Some(datetime!(2027-03-07 23:59:59.5)),
        },
        ..shape(None, TokenType::ReadOnly, &[])
    };
    assert!(all.breaches(&just_past, NOW, name).is_empty());
    let midnight = TokenShape {
        validity: Validity {
            valid_from: NOW,
            valid_to: Some(datetime!(2027-03-08 00:00)),
        },
        ..just_past
    };
    assert_eq!(all.breaches(&midnight, NOW, name).len(), 1);
}
