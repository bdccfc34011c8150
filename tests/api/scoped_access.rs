//! Administrators limited to some scopes: the audit log shows them only what
//! concerns their scopes' tokens and their own account; a token that is also in
//! another team's scope can be seen, not changed.

use crate::helpers::{Browser, TestApp, spawn_app};

/// Ada (Super Admin) with tokens in Production, Staging, and both; a Production
/// token manager who changed the Production token; and a Staging token manager.
struct Teams {
    app: TestApp,
    ada: Browser,
    staging: Browser,
    production_only: (String, String),
    staging_only: (String, String),
    shared: (String, String),
}

async fn teams() -> Teams {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let production = app.scope_id("Production");
    let staging_id = app.scope_id("Staging");
    let prod = ada.create_token("Prod payments", &production, &[]).await;
    let stage = ada.create_token("Stage sandbox", &staging_id, &[]).await;
    let shared = app
        .token(&ada)
        .named("Catalog read-only")
        .scope("Production")
        .scope("Staging")
        .create()
        .await;
    let pete = app
        .add_admin(&ada, "pete@example.com", "token_manager", &[&production])
        .await;
    let version = pete.version_of(&prod.guid).await;
    let disabled = pete
        .post(
            &format!("/settings/api-tokens/{}/disable", prod.guid),
            &[("version", &version)],
        )
        .await;
    assert_eq!(disabled.status, 303);
    let staging = app
        .add_admin(&ada, "sam@example.com", "token_manager", &[&staging_id])
        .await;
    Teams {
        app,
        ada,
        staging,
        production_only: (prod.guid.to_string(), "Prod payments".into()),
        staging_only: (stage.guid.to_string(), "Stage sandbox".into()),
        shared: (shared.guid.to_string(), "Catalog read-only".into()),
    }
}

#[actix_web::test]
async fn the_audit_log_shows_only_the_readers_scopes() {
    let t = teams().await;
    let (prod_guid, prod_name) = &t.production_only;
    let (stage_guid, stage_name) = &t.staging_only;

    let log = t.staging.get("/settings/audit-log").await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains(stage_guid.as_str()), "own scope's token");
    assert!(
        log.body.contains(&t.shared.0),
        "a token also in their scope"
    );
    assert!(!log.body.contains(prod_guid.as_str()), "{}", log.body);
    assert!(!log.body.contains(prod_name.as_str()));
    // Nothing about other administrators, nor who only acted elsewhere.
    assert!(!log.body.contains("pete"), "{}", log.body);
    assert!(!log.body.contains("Command line"));
    assert!(log.body.contains("sam · "), "their own sign-in");
    // Ada created a Staging token, so she may be picked as an author.
    assert!(log.body.contains("Ada Admin · "));

    let filtered = t
        .staging
        .get(&format!("/settings/audit-log?token={prod_guid}"))
        .await;
    assert!(!filtered.body.contains(prod_name.as_str()));
    assert_eq!(filtered.html().count("td[data-label=\"Action\"]"), 0);
    let by_action = t
        .staging
        .get("/settings/audit-log?action=token.disable")
        .await;
    assert_eq!(
        by_action.html().count("td[data-label=\"Action\"]"),
        0,
        "Pete's disable is in Production only"
    );

    // A Super Admin reads everything.
    let all = t.ada.get("/settings/audit-log").await;
    for seen in [
        prod_guid.as_str(),
        prod_name,
        stage_name,
        "pete",
        "Disabled token",
    ] {
        assert!(all.body.contains(seen), "{seen}");
    }
    // The token's own history stays with the token.
    let history = t
        .staging
        .get(&format!("/settings/api-tokens/{prod_guid}/details"))
        .await;
    assert_eq!(history.status, 404);
}

#[actix_web::test]
async fn a_token_in_another_teams_scope_is_seen_not_changed() {
    let t = teams().await;
    let (shared_guid, shared_name) = &t.shared;
    let version_before = t.ada.version_of(shared_guid).await;

    let list = t.staging.get("/settings/api-tokens").await;
    assert!(list.body.contains(shared_name.as_str()), "seen in the list");
    // The count covers the reader's scopes only: Stage sandbox and the shared one.
    assert!(list.body.contains(">2 tokens · "), "{}", list.body);
    assert!(
        !list
            .body
            .contains(&format!("/settings/api-tokens/{shared_guid}/edit")),
        "no edit button for it"
    );
    assert!(
        list.body
            .contains(&format!("/settings/api-tokens/{}/edit", t.staging_only.0)),
        "their own token keeps its buttons"
    );
    assert!(
        list.body
            .contains("Catalog read-only is also in scopes you do not manage")
    );

    let page = t
        .staging
        .get(&format!("/settings/api-tokens/{shared_guid}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("is also in Production, which you do not manage")
    );
    for action in ["edit", "regenerate", "revoke", "delete", "disable"] {
        assert!(
            !page
                .body
                .contains(&format!("/settings/api-tokens/{shared_guid}/{action}\"")),
            "{action}"
        );
    }

    for action in ["edit", "regenerate", "revoke", "delete"] {
        let path = format!("/settings/api-tokens/{shared_guid}/{action}");
        let form = t.staging.get(&path).await;
        assert_eq!(form.status, 403, "GET {action}");
        assert!(
            form.body.contains("also in Production"),
            "{action}: {}",
            form.body
        );
    }
    for action in [
        "edit",
        "regenerate",
        "disable",
        "enable",
        "revoke",
        "delete",
    ] {
        let path = format!("/settings/api-tokens/{shared_guid}/{action}");
        let refused = t
            .staging
            .post(
                &path,
                &[("version", &version_before), ("name", "Taken over")],
            )
            .await;
        assert_eq!(refused.status, 403, "POST {action}");
    }
    // Nothing changed: same version, still active, same name.
    assert_eq!(t.ada.version_of(shared_guid).await, version_before);
    let shown = t
        .ada
        .get(&format!("/settings/api-tokens/{shared_guid}"))
        .await;
    assert!(shown.body.contains(shared_name.as_str()));
    assert!(shown.body.contains("badge-active"));
    assert_eq!(
        t.app
            .count("audit_events WHERE action IN ('token.update','token.delete','token.revoke','token.disable','token.regenerate')"),
        1,
        "only Pete's disable of his own token"
    );

    // Their own token, and a Super Admin with the shared one, may be changed.
    let own = t
        .staging
        .get(&format!("/settings/api-tokens/{}/edit", t.staging_only.0))
        .await;
    assert_eq!(own.status, 200);
    let disabled = t
        .ada
        .post(
            &format!("/settings/api-tokens/{shared_guid}/disable"),
            &[("version", &version_before)],
        )
        .await;
    assert_eq!(disabled.status, 303);
}

#[actix_web::test]
async fn an_administrator_of_every_scope_of_a_token_may_change_it() {
    let t = teams().await;
    let both = t
        .app
        .add_admin(
            &t.ada,
            "bea@example.com",
            "token_manager",
            &[&t.app.scope_id("Production"), &t.app.scope_id("Staging")],
        )
        .await;
    let guid = &t.shared.0;
    let version = both.version_of(guid).await;
    let revoked = both
        .post(
            &format!("/settings/api-tokens/{guid}/revoke"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let page = t.ada.get(&format!("/settings/api-tokens/{guid}")).await;
    assert!(page.body.contains("badge-revoked"), "{}", page.body);
}

#[actix_web::test]
async fn an_administrator_without_scopes_sees_no_token() {
    let t = teams().await;
    let nobody = t
        .app
        .add_admin(&t.ada, "nia@example.com", "token_manager", &[])
        .await;
    let list = nobody.get("/settings/api-tokens").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("You have no scopes"),
        "says why it is empty: {}",
        list.body
    );
    assert!(
        !list.body.contains("result-count"),
        "no count of other scopes' tokens"
    );
    for (guid, name) in [&t.production_only, &t.staging_only, &t.shared] {
        assert!(!list.body.contains(guid.as_str()));
        assert!(!list.body.contains(name.as_str()));
        let page = nobody.get(&format!("/settings/api-tokens/{guid}")).await;
        assert_eq!(page.status, 404);
        assert!(
            page.body
                .contains("No token with this GUID in your scopes.")
        );
    }
    let log = nobody.get("/settings/audit-log").await;
    assert!(!log.body.contains(&t.shared.0));
}
