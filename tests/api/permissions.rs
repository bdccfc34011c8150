use crate::helpers::{Browser, spawn_app};
use crate::sign_in::public_id_of;

#[actix_web::test]
async fn a_viewer_sees_a_read_only_view() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let tokens = viewer.get("/settings/api-tokens").await;
    assert_eq!(tokens.status, 200);
    assert!(tokens.body.contains("API tokens"));
    for link in [
        "/settings/modules",
        "/settings/scopes",
        "/settings/administrators",
        "/settings/audit-log",
    ] {
        assert!(
            !tokens.body.contains(&format!("href=\"{link}\"")),
            "no link to {link}"
        );
    }
    for page in [
        "/settings/modules",
        "/settings/scopes",
        "/settings/administrators",
        "/settings/administrators/new",
        "/settings/audit-log",
        "/setup/catalog",
    ] {
        let response = viewer.get(page).await;
        assert_eq!(response.status, 403, "{page}");
        assert!(response.body.contains("Access denied"), "{page}");
    }
}

#[actix_web::test]
async fn a_viewer_is_refused_on_every_write_route_and_nothing_changes() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let list = admin.get("/settings/administrators").await;
    let ada = public_id_of(&list.body, "Ada Admin");
    let before = (
        app.count("administrators"),
        app.count("modules"),
        app.count("scopes"),
        app.count("audit_events"),
    );

    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/settings/administrators/new".into(),
            vec![
                ("display_name", "Eve"),
                ("email", "eve@example.com"),
                ("role", "super_admin"),
                ("password", "eve eve eve eve"),
                ("password_confirmation", "eve eve eve eve"),
            ],
        ),
        (
            format!("/settings/administrators/{ada}"),
            vec![("version", "1"), ("role", "viewer")],
        ),
        (
            format!("/settings/administrators/{ada}/password"),
            vec![
                ("password", "eve eve eve eve"),
                ("password_confirmation", "eve eve eve eve"),
            ],
        ),
        (
            format!("/settings/administrators/{ada}/disable"),
            vec![("version", "1")],
        ),
        (
            format!("/settings/administrators/{ada}/enable"),
            vec![("version", "1")],
        ),
        (
            "/settings/modules".into(),
            vec![
                ("key", "evil"),
                ("name", "Evil"),
                ("path_prefixes", "/evil"),
            ],
        ),
        ("/settings/scopes".into(), vec![("name", "Evil")]),
        ("/setup/catalog/examples".into(), vec![]),
    ];
    for (path, fields) in writes {
        let response = viewer.post(&path, &fields).await;
        assert_eq!(response.status, 403, "{path}");
    }
    let after = (
        app.count("administrators"),
        app.count("modules"),
        app.count("scopes"),
        app.count("audit_events"),
    );
    assert_eq!(before, after);
    assert_eq!(
        admin.get("/settings/administrators").await.status,
        200,
        "Ada is untouched"
    );
}

#[actix_web::test]
async fn a_token_manager_cannot_manage_administrators_or_settings() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[])
        .await;
    let tokens = manager.get("/settings/api-tokens").await;
    let navigation = tokens.html();
    assert_eq!(
        navigation.count("nav.sidenav a[href=\"/settings/audit-log\"]"),
        1
    );
    assert_eq!(navigation.count("a[href=\"/settings/administrators\"]"), 0);
    assert_eq!(manager.get("/settings/audit-log").await.status, 200);
    assert_eq!(manager.get("/settings/administrators").await.status, 403);
    assert_eq!(
        manager
            .post("/settings/scopes", &[("name", "Mine")])
            .await
            .status,
        403
    );
}

#[actix_web::test]
async fn anonymous_visitors_are_sent_to_sign_in_everywhere() {
    let app = spawn_app().await;
    app.set_up().await;
    let anonymous = Browser::new(&app);
    for page in [
        "/settings/api-tokens",
        "/settings/modules",
        "/settings/scopes",
        "/settings/administrators",
        "/settings/administrators/new",
        "/settings/audit-log",
        "/setup/catalog",
    ] {
        let response = anonymous.get(page).await;
        assert_eq!(response.status, 303, "{page}");
        assert!(response.location().starts_with("/login?next="), "{page}");
    }
    anonymous.get("/login").await;
    let response = anonymous
        .post("/settings/scopes", &[("name", "Sneaky")])
        .await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location(), "/login");
    assert_eq!(app.count("scopes"), 0);
}
