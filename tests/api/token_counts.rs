//! The kept token counts against the tokens themselves: after random sequences of
//! creates, edits of scopes, lifecycle changes, bulk actions and expiries made through the
//! management API, every administrator's count of every status, of one scope or
//! of all, is what counting the tokens one by one with the status rule gives.

use std::collections::HashMap;

use diesel::prelude::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::json;
use tessera::db::schema::{api_token_scopes, api_tokens};
use tessera::db::{now, token_counts};
use tessera::domain::scopes::ScopeAccess;
use tessera::domain::tokens::{Lifecycle, TokenStatus};

use crate::helpers::{ApiClient, TestApp, spawn_app};
use crate::management_api::new_token;

#[derive(Debug, Clone)]
enum Step {
    /// In these scopes (indexes into the example scopes); scheduled for later or not.
    Create(Vec<usize>, bool),
    EditScopes(usize, Vec<usize>),
    Disable(usize),
    Enable(usize),
    Revoke(usize),
    Delete(usize),
    /// Time passes: the token's validity ends (or, for a scheduled one, starts).
    TimePasses(usize),
    /// A bulk action on every token of one scope.
    Bulk(&'static str, usize),
    Fold,
}

fn scopes() -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence(vec![0, 1, 2], 1..=2)
}

fn step() -> impl Strategy<Value = Step> {
    let token = 0..12usize;
    prop_oneof![
        3 => (scopes(), any::<bool>()).prop_map(|(s, later)| Step::Create(s, later)),
        1 => (token.clone(), scopes()).prop_map(|(t, s)| Step::EditScopes(t, s)),
        1 => token.clone().prop_map(Step::Disable),
        1 => token.clone().prop_map(Step::Enable),
        1 => token.clone().prop_map(Step::Revoke),
        1 => token.clone().prop_map(Step::Delete),
        2 => token.prop_map(Step::TimePasses),
        1 => (
            proptest::sample::select(vec!["disable", "enable", "revoke", "delete", "add_scope"]),
            0..3usize
        )
            .prop_map(|(action, scope)| Step::Bulk(action, scope)),
        1 => Just(Step::Fold),
    ]
}

/// Every token's status by the rule, now, with its scopes: the count to match.
fn truth(app: &TestApp) -> Vec<(TokenStatus, Vec<i64>)> {
    let mut conn = app.conn();
    type Dates = (
        i64,
        time::PrimitiveDateTime,
        Option<time::PrimitiveDateTime>,
        Option<time::PrimitiveDateTime>,
        Option<time::PrimitiveDateTime>,
        Option<time::PrimitiveDateTime>,
    );
    let rows: Vec<Dates> = api_tokens::table
        .select((
            api_tokens::id,
            api_tokens::valid_from,
            api_tokens::valid_to,
            api_tokens::disabled_at,
            api_tokens::revoked_at,
            api_tokens::deleted_at,
        ))
        .load(&mut conn)
        .unwrap();
    let mut scopes: HashMap<i64, Vec<i64>> = HashMap::new();
    for (token, scope) in api_token_scopes::table
        .select((api_token_scopes::token_id, api_token_scopes::scope_id))
        .load::<(i64, i64)>(&mut conn)
        .unwrap()
    {
        scopes.entry(token).or_default().push(scope);
    }
    let now = now();
    rows.into_iter()
        .map(
            |(id, valid_from, valid_to, disabled_at, revoked_at, deleted_at)| {
                let lifecycle = Lifecycle {
                    valid_from,
                    valid_to,
                    disabled_at,
                    revoked_at,
                    deleted_at,
                };
                (
                    lifecycle.status(now),
                    scopes.remove(&id).unwrap_or_default(),
                )
            },
        )
        .collect()
}

fn assert_counts_exact(app: &TestApp, scope_ids: &[i64], after: &[Step]) {
    let tokens = truth(app);
    let mut accesses = vec![
        ScopeAccess::All,
        ScopeAccess::Scopes(scope_ids[..2].to_vec()),
    ];
    accesses.extend(scope_ids.iter().map(|id| ScopeAccess::Scopes(vec![*id])));
    let mut conn = app.conn();
    for access in &accesses {
        for scope in [None, Some(scope_ids[0])] {
            let counts = token_counts::status_counts(&mut conn, access, scope).unwrap();
            for status in TokenStatus::ALL {
                let expected = tokens
                    .iter()
                    .filter(|(s, scopes)| {
                        *s == status
                            && access.sees(scopes)
                            && scope.is_none_or(|wanted| scopes.contains(&wanted))
                    })
                    .count() as i64;
                assert_eq!(
                    counts.of(status),
                    expected,
                    "{status:?} seen by {access:?} in {scope:?}, after {after:?}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn kept_counts_match_the_tokens_after_any_sequence_of_changes() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let key = app
        .api_key(
            &admin,
            "counts",
            &[
                "tokens.read",
                "tokens.create",
                "tokens.update",
                "tokens.delete",
            ],
            &[],
        )
        .await;
    let api = ApiClient::new(&app, &key);
    let names = ["Production", "Staging", "Development"];
    let scope_ids: Vec<i64> = names
        .iter()
        .map(|n| app.scope_id(n).parse().unwrap())
        .collect();
    let mut runner = TestRunner::deterministic();
    let mut created: Vec<String> = Vec::new();
    for case in 0..4 {
        let steps = proptest::collection::vec(step(), 25)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for (i, step) in steps.iter().enumerate() {
            let guid = |t: &usize| created.get(t % created.len().max(1)).cloned();
            let path = |g: &str| format!("/api/v1/tokens/{g}");
            match step {
                Step::Create(scopes, later) => {
                    let mut body = new_token(&format!("count {case}-{i}"), names[scopes[0]]);
                    body["scopes"] = json!(scopes.iter().map(|s| names[*s]).collect::<Vec<_>>());
                    if *later {
                        body["duration"] = json!("custom");
                        body["valid_from"] = json!("2099-01-01");
                    }
                    let answer = api.post("/api/v1/tokens", &body).await;
                    assert_eq!(answer.status, 201, "{}", answer.json);
                    created.push(answer.json["guid"].as_str().unwrap().to_owned());
                }
                Step::Bulk(action, scope) => {
                    let body = json!({
                        "action": action,
                        "scope": names[(scope + 1) % 3],
                        "filter": { "scope": names[*scope] },
                    });
                    let answer = api.post("/api/v1/tokens/bulk", &body).await;
                    assert_eq!(answer.status, 200, "{}", answer.json);
                }
                Step::Fold => {
                    token_counts::fold(&mut app.conn()).unwrap();
                }
                Step::TimePasses(t) => {
                    let Some(g) = guid(t) else { continue };
                    // What time would do, written as the clock would find it.
                    app.execute(&format!(
                        "UPDATE api_tokens SET valid_to = CASE WHEN valid_from > CURRENT_TIMESTAMP \
                         THEN valid_to ELSE '2000-01-01 00:00:00' END, \
                         valid_from = CASE WHEN valid_from > CURRENT_TIMESTAMP \
                         THEN '2000-01-01 00:00:00' ELSE valid_from END WHERE guid = '{g}'"
                    ));
                }
                change => {
                    let (t, method, suffix, body) = match change {
                        Step::EditScopes(t, scopes) => (
                            t,
                            "PATCH",
                            "",
                            Some(json!({
                                "scopes": scopes.iter().map(|s| names[*s]).collect::<Vec<_>>()
                            })),
                        ),
                        Step::Disable(t) => (t, "POST", "/disable", None),
                        Step::Enable(t) => (t, "POST", "/enable", None),
                        Step::Revoke(t) => (t, "POST", "/revoke", None),
                        Step::Delete(t) => (t, "DELETE", "", None),
                        _ => unreachable!(),
                    };
                    let Some(g) = guid(t) else { continue };
                    let read = api.get(&path(&g)).await;
                    let Some(etag) = read.header("etag").map(str::to_owned) else {
                        continue; // deleted
                    };
                    let target = format!("{}{suffix}", path(&g));
                    let answer = api.write(method, &target, &etag, body.as_ref()).await;
                    assert!(
                        [200, 204, 409, 422].contains(&answer.status),
                        "{step:?}: {} {}",
                        answer.status,
                        answer.json
                    );
                }
            }
            if i % 5 == 4 {
                assert_counts_exact(&app, &scope_ids, &steps[..=i]);
            }
        }
        assert_counts_exact(&app, &scope_ids, &steps);
    }
    // Folded, the changes are gone and the counts still match.
    token_counts::fold(&mut app.conn()).unwrap();
    assert_eq!(app.count("token_count_changes"), 0);
    assert_counts_exact(&app, &scope_ids, &[]);
}
