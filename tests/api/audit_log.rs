use crate::helpers::{Response, spawn_app};

#[actix_web::test]
async fn the_audit_log_filters_by_actor_action_token_and_dates() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let billing = admin.create_token("Billing sync", &scope, &[]).await;
    admin.create_token("Orders feed", &scope, &[]).await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[&scope])
        .await;
    let version = manager.version_of(&billing.guid).await;
    manager
        .post(
            &format!("/settings/api-tokens/{}/disable", billing.guid),
            &[("version", &version)],
        )
        .await;

    let all = admin.get("/settings/audit-log").await;
    for label in [
        "Created token",
        "Disabled token",
        "Signed in",
        "Added administrator",
    ] {
        // A row's Action cell, not the Action filter's option of the same name.
        assert!(
            all.body
                .contains(&format!("<td data-label=\"Action\">{label}</td>")),
            "{label}"
        );
    }
    let rows = |page: &Response| page.html().count("tbody td[data-label=\"Action\"]");

    let created = admin.get("/settings/audit-log?action=token.create").await;
    assert_eq!(rows(&created), 2);

    let tom_id = {
        use diesel::prelude::*;
        use tessera::db::schema::administrators;
        administrators::table
            .filter(administrators::email.eq("tom@example.com"))
            .select(administrators::id)
            .first::<i64>(&mut app.conn())
            .unwrap()
    };
    let by_tom = admin
        .get(&format!(
            "/settings/audit-log?actor={tom_id}&action=token.disable"
        ))
        .await;
    assert_eq!(rows(&by_tom), 1);
    assert!(by_tom.body.contains("tom · "));

    let by_token = admin.get("/settings/audit-log?token=BILLING").await;
    assert_eq!(rows(&by_token), 2, "created and disabled");
    let by_guid = admin
        .get(&format!("/settings/audit-log?token={}", &billing.guid[..8]))
        .await;
    assert_eq!(rows(&by_guid), 2);

    let today = tessera::domain::tokens::format_date(tessera::db::now().date());
    let in_range = admin
        .get(&format!(
            "/settings/audit-log?from={today}&to={today}&action=token.create"
        ))
        .await;
    assert_eq!(rows(&in_range), 2);
    let before = admin.get("/settings/audit-log?to=2020-01-01").await;
    assert!(before.body.contains("No events match these filters"));

    assert_eq!(
        app.add_admin(&admin, "vic@example.com", "viewer", &[])
            .await
            .get("/settings/audit-log")
            .await
            .status,
        403
    );
}
