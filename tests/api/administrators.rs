use crate::helpers::{Browser, PASSWORD, hidden_value, spawn_app};
use crate::sign_in::public_id_of;

fn scope_id(body: &str, name: &str) -> String {
    // <input type="checkbox" name="scopes" value="ID"> ... <span>NAME</span>
    let at = body
        .find(&format!("<span>{name}</span>"))
        .expect("scope offered");
    let before = &body[..at];
    let start =
        before.rfind("name=\"scopes\" value=\"").unwrap() + "name=\"scopes\" value=\"".len();
    before[start..].split('"').next().unwrap().to_owned()
}

#[actix_web::test]
async fn a_super_admin_adds_a_viewer_with_scopes_who_signs_in() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    admin.post("/setup/catalog/examples", &[]).await;
    let form = admin.get("/settings/administrators/new").await;
    assert_eq!(form.status, 200);
    let staging = scope_id(&form.body, "Staging");
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let list = admin.get("/settings/administrators").await;
    assert!(list.body.contains("vic@example.com"));
    assert!(list.body.contains("Viewer"));
    assert!(list.body.contains("Staging"));
    let page = viewer.get("/settings/api-tokens").await;
    assert!(page.body.contains("Viewer"));
    assert!(app.get_audit_actions().contains(&"admin.create".to_owned()));
}

#[actix_web::test]
async fn bad_input_is_reported_per_field_with_values_kept() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    admin.get("/settings/administrators/new").await;
    let response = admin
        .post(
            "/settings/administrators/new",
            &[
                ("display_name", ""),
                ("email", "vic@"),
                ("role", "emperor"),
                ("scopes", "999"),
                ("password", PASSWORD),
                ("password_confirmation", "other"),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(app.count("administrators"), 1, "nobody was created");
    for message in [
        "Name is required.",
        "Enter an email address",
        "Choose a role.",
        "no longer exists",
        "do not match",
    ] {
        assert!(response.body.contains(message), "{message}");
    }
    assert!(response.body.contains("value=\"vic@\""));

    let duplicate = admin
        .post(
            "/settings/administrators/new",
            &[
                ("display_name", "Ada Again"),
                ("email", "ADA@example.com"),
                ("role", "viewer"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert!(duplicate.body.contains("already exists"));
    assert_eq!(app.count("administrators"), 1);
}

#[actix_web::test]
async fn concurrent_edits_do_not_overwrite_each_other() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    app.add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let second = Browser::new(&app);
    second.sign_in("ada@example.com", PASSWORD).await;
    let list = admin.get("/settings/administrators").await;
    let id = public_id_of(&list.body, "vic");
    let path = format!("/settings/administrators/{id}");

    let first_page = admin.get(&path).await;
    let second_page = second.get(&path).await;
    let version = hidden_value(&first_page.body, "version").unwrap();
    assert_eq!(hidden_value(&second_page.body, "version").unwrap(), version);

    admin
        .post(&path, &[("version", &version), ("role", "token_manager")])
        .await
        .assert_redirect(&path);
    second
        .post(&path, &[("version", &version), ("role", "super_admin")])
        .await
        .assert_redirect(&path);
    let after = second.get(&path).await;
    assert!(
        after
            .body
            .contains("Someone else changed this administrator"),
        "{}",
        after.body
    );
    assert_eq!(
        app.count("administrators WHERE role_key = 'token_manager'"),
        1,
        "the first save stands"
    );
    assert_eq!(
        app.count("administrators WHERE role_key = 'super_admin'"),
        1
    );
}

#[actix_web::test]
async fn the_last_super_admin_stays_and_nobody_disables_themselves() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let list = admin.get("/settings/administrators").await;
    let me = public_id_of(&list.body, "Ada Admin");
    let path = format!("/settings/administrators/{me}");
    let page = admin.get(&path).await;
    assert!(
        !page.body.contains("/disable\""),
        "no disable button for yourself"
    );
    let version = hidden_value(&page.body, "version").unwrap();
    admin
        .post(&path, &[("version", &version), ("role", "viewer")])
        .await
        .assert_redirect(&path);
    assert!(
        admin
            .get(&path)
            .await
            .body
            .contains("last enabled Super Admin")
    );
    assert_eq!(
        app.count("administrators WHERE role_key = 'super_admin'"),
        1
    );

    let refused = admin
        .post(&format!("{path}/disable"), &[("version", &version)])
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(app.count("administrators WHERE disabled_at IS NULL"), 1);
}

#[actix_web::test]
async fn unknown_administrators_are_not_found() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let page = admin.get("/settings/administrators/NOPE0000").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Page not found"));
}

#[actix_web::test]
async fn an_administrator_without_scopes_is_named_so_warned_about_and_told_why_the_list_is_empty() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let manager = app
        .add_admin(&admin, "nora@example.com", "token_manager", &[])
        .await;
    let list = admin.get("/settings/administrators").await;
    assert!(
        list.body.contains("has no scopes, so sees no tokens"),
        "a warning after the creation"
    );
    let cells = list.html().texts("td[data-label=Scopes]");
    assert!(cells.contains(&"All scopes".to_owned()), "{cells:?}");
    assert!(cells.contains(&"No scopes".to_owned()), "{cells:?}");
    assert!(!cells.iter().any(|c| c == "—"));

    let empty = manager.get("/settings/api-tokens").await;
    assert!(empty.body.contains("You have no scopes"));

    // Given a scope, the warning is not repeated for the next one created so.
    let form = admin.get("/settings/administrators/new").await;
    let staging = scope_id(&form.body, "Staging");
    app.add_admin(&admin, "sam@example.com", "token_manager", &[&staging])
        .await;
    let list = admin.get("/settings/administrators").await;
    assert!(!list.body.contains("has no scopes, so sees no tokens"));
}
