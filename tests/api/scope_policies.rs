//! Scope policies: each rule refuses a token that breaks it from the page, the
//! management API and the command line alike, naming the rule and the scope; a
//! token in several scopes follows the strictest; a token that follows the rules
//! is made as before.

use serde_json::{Value, json};

use crate::helpers::{ApiClient, Browser, TestApp, spawn_app};
use crate::process::tessera;

pub const KEY_PERMISSIONS: &[&str] = &[
    "tokens.read",
    "tokens.create",
    "tokens.update",
    "tokens.delete",
    "settings.manage",
    "audit.read",
];

/// Replaces the scope's policy through Settings > Scopes > Policy: every type
/// allowed, values shown again, any module, unless `fields` say otherwise.
pub async fn set_policy(app: &TestApp, admin: &Browser, scope: &str, fields: &[(&str, &str)]) {
    let id = app.scope_id(scope);
    let mut all = vec![
        ("allowed_types", "read_only"),
        ("allowed_types", "full_access"),
        ("allowed_types", "custom"),
        ("show_again", "on"),
        ("grants", "any"),
    ];
    // What the test names replaces the default (all the types it allows).
    all.retain(|(default, _)| !fields.iter().any(|(name, _)| name == default));
    // An empty value unticks a box: it is left out.
    all.extend(fields.iter().filter(|(_, value)| !value.is_empty()));
    let saved = admin
        .post(&format!("/settings/scopes/{id}/policy"), &all)
        .await;
    saved.assert_redirect("/settings/scopes");
}

/// The last day (YYYY-MM-DD) `days` from today.
pub fn day_in(days: i64) -> String {
    tessera::domain::tokens::format_date(tessera::db::now().date() + time::Duration::days(days))
}

struct Case {
    rule: &'static str,
    /// The policy of Production.
    policy: Vec<(&'static str, String)>,
    /// The token form's fields, the API's body and the command line's arguments
    /// of a token that breaks it.
    page: Vec<(&'static str, String)>,
    api: Value,
    cli: Vec<String>,
    /// The form's field (and the API's) the message stands beside.
    field: &'static str,
    api_field: &'static str,
    /// The same token, made to follow the rule (API body).
    fixed: Value,
}

fn cases(app: &TestApp) -> Vec<Case> {
    let year = day_in(365);
    let orders_write = format!("{}:write", app.module_id("orders"));
    let s = |v: &str| v.to_owned();
    vec![
        Case {
            rule: "max_lifetime",
            policy: vec![("max_lifetime_days", s("90"))],
            page: vec![("duration", s("custom")), ("valid_to", year.clone())],
            api: json!({ "duration": "custom", "valid_to": year }),
            cli: vec![s("--expires"), year.clone()],
            field: "duration",
            api_field: "duration",
            fixed: json!({ "duration": "custom", "valid_to": day_in(90) }),
        },
        Case {
            rule: "expiry_required",
            policy: vec![("expiry_required", s("on"))],
            page: vec![("duration", s("unlimited"))],
            api: json!({ "duration": "unlimited" }),
            cli: vec![s("--expires"), s("unlimited")],
            field: "duration",
            api_field: "duration",
            fixed: json!({ "duration": "custom", "valid_to": year }),
        },
        Case {
            rule: "allowed_types",
            policy: vec![
                ("allowed_types", s("read_only")),
                ("allowed_types", s("custom")),
            ],
            page: vec![("token_type", s("full_access"))],
            api: json!({ "type": "full_access" }),
            cli: vec![s("--type"), s("full-access")],
            field: "token_type",
            api_field: "type",
            fixed: json!({ "type": "read_only" }),
        },
        Case {
            rule: "allowed_grants",
            policy: vec![
                ("grants", s("only")),
                (
                    "allowed_grants",
                    format!("{}:read", app.module_id("orders")),
                ),
            ],
            page: vec![("token_type", s("custom")), ("permissions", orders_write)],
            api: json!({ "type": "custom", "permissions": [{ "module": "orders", "action": "write" }] }),
            cli: vec![s("--type"), s("custom"), s("--grant"), s("orders:write")],
            field: "permissions",
            api_field: "permissions",
            fixed: json!({ "type": "custom", "permissions": [{ "module": "orders", "action": "read" }] }),
        },
        Case {
            rule: "networks_required",
            policy: vec![("networks_required", s("on"))],
            page: vec![],
            api: json!({}),
            cli: vec![],
            field: "allowed_networks",
            api_field: "allowed_networks",
            fixed: json!({ "allowed_networks": ["10.0.0.0/8"] }),
        },
    ]
}

/// A new token's API body: read-only for 30 days in Production, with `extra`.
fn body(name: &str, extra: &Value) -> Value {
    let mut body = json!({
        "name": name,
        "scopes": ["Production"],
        "type": "read_only",
        "duration": "30d",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[actix_web::test]
async fn each_rule_refuses_a_breaking_token_from_the_page_the_api_and_the_command_line() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let production = app.scope_id("Production");
    for (n, case) in cases(&app).into_iter().enumerate() {
        let policy: Vec<(&str, &str)> = case.policy.iter().map(|(k, v)| (*k, v.as_str())).collect();
        set_policy(&app, &admin, "Production", &policy).await;
        let before = app.count("api_tokens");

        // The page: the form again, the message beside the field.
        let name = format!("Page {n}");
        let mut fields = vec![("name", name.as_str()), ("scopes", production.as_str())];
        fields.extend(case.page.iter().map(|(k, v)| (*k, v.as_str())));
        let page = admin.submit_token_form(&fields).await;
        assert_eq!(page.status, 422, "{}: {}", case.rule, page.body);
        let beside = page.html().text(&format!("#{}-error", case.field));
        assert!(beside.contains("Production"), "{}: {beside}", case.rule);

        // The API: a problem naming the rule, the scope and the field.
        let refused = api
            .post("/api/v1/tokens", &body(&format!("Api {n}"), &case.api))
            .await;
        assert_eq!(refused.status, 422, "{}: {:?}", case.rule, refused.json);
        assert_eq!(refused.code(), "policy_violation");
        assert_eq!(refused.json["rules"][0]["rule"], case.rule);
        assert_eq!(refused.json["rules"][0]["scope"], "Production");
        assert_eq!(refused.json["errors"][0]["field"], case.api_field);

        // The command line: a refusal in words, and no secret.
        let mut args = vec![
            "token".to_owned(),
            "create".into(),
            "--name".into(),
            format!("Cli {n}"),
            "--scope".into(),
            "production".into(),
        ];
        args.extend(case.cli.iter().cloned());
        let output = tessera(&app.db).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{}: {stderr}", case.rule);
        assert!(stderr.contains("Production"), "{}: {stderr}", case.rule);
        assert!(output.stdout.is_empty(), "no secret printed");
        assert_eq!(
            app.count("api_tokens"),
            before,
            "{}: nothing made",
            case.rule
        );

        // Made to follow the rule, the same token is made.
        let made = api
            .post("/api/v1/tokens", &body(&format!("Fixed {n}"), &case.fixed))
            .await;
        assert_eq!(made.status, 201, "{}: {:?}", case.rule, made.json);
    }
}

#[actix_web::test]
async fn a_token_in_several_scopes_follows_the_strictest_of_them() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    set_policy(&app, &admin, "Production", &[("max_lifetime_days", "90")]).await;
    set_policy(&app, &admin, "Staging", &[("max_lifetime_days", "30")]).await;
    let sixty = json!({ "duration": "custom", "valid_to": day_in(60) });

    let mut both = body("Both", &sixty);
    both["scopes"] = json!(["Production", "Staging"]);
    let refused = api.post("/api/v1/tokens", &both).await;
    assert_eq!(refused.status, 422, "{:?}", refused.json);
    assert_eq!(refused.json["rules"][0]["scope"], "Staging");
    assert!(
        refused.json["rules"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("at most 30 days"),
        "{:?}",
        refused.json
    );
    // Production alone allows it; both allow 30 days.
    assert_eq!(
        api.post("/api/v1/tokens", &body("Alone", &sixty))
            .await
            .status,
        201
    );
    both["duration"] = json!("30d");
    both.as_object_mut().unwrap().remove("valid_to");
    assert_eq!(api.post("/api/v1/tokens", &both).await.status, 201);

    // The form shows each ticked scope's rules, and says which scope refused.
    let form = admin.get("/settings/api-tokens/new").await;
    let hints = form.html().texts("[data-policy-of] h3");
    assert_eq!(hints, ["Production", "Staging"]);
    assert!(form.body.contains("Tokens expire within 30 days."));
    let production = app.scope_id("Production");
    let staging = app.scope_id("Staging");
    let refused = admin
        .submit_token_form(&[
            ("name", "Both on the page"),
            ("scopes", &production),
            ("scopes", &staging),
            ("duration", "custom"),
            ("valid_to", &day_in(60)),
        ])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .html()
            .text("#duration-error")
            .starts_with("Staging allows tokens of at most 30 days"),
        "{}",
        refused.body
    );
}
