//! Exports: the token list with its filters, the audit log and a token's usage,
//! as CSV a spreadsheet opens (UTF-8 with a byte order mark, a header row, no
//! formula run) and as JSON; from the pages and the API; within the reader's
//! scopes; and in the audit log.

use serde_json::Value;

use crate::helpers::{ApiClient, Browser, Response, TestApp, spawn_app};
use crate::scope_policies::KEY_PERMISSIONS;

fn today() -> String {
    tessera::domain::tokens::format_date(tessera::db::now().date())
}

/// The rows of a CSV file, its header first.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let at = rows[0].iter().position(|c| c == name).unwrap();
    rows[1..].iter().map(|r| r[at].as_str()).collect()
}

fn file_name(response: &Response) -> String {
    response
        .header("content-disposition")
        .unwrap_or_default()
        .to_owned()
}

/// What the API answers a program that asks for CSV.
async fn api_csv(app: &TestApp, key: &str, path: &str) -> String {
    let mut response = awc::Client::default()
        .get(format!("{}{path}", app.address))
        .insert_header(("authorization", format!("Bearer {key}")))
        .insert_header(("accept", "text/csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let body = response.body().limit(1 << 24).await.unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

async fn export(admin: &Browser, path: &str) -> Response {
    let response = admin.get(path).await;
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    response
}

async fn tokens_named(app: &TestApp, admin: &Browser, names: &[&str], scope: &str) {
    for name in names {
        app.token(admin).named(name).scope(scope).create().await;
    }
}

#[actix_web::test]
async fn the_token_list_exports_exactly_its_filtered_rows_safe_for_spreadsheets() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let formulas = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"];
    tokens_named(&app, &admin, &formulas, "Production").await;
    tokens_named(&app, &admin, &["Ünïcode ✓", "Plain"], "Production").await;
    tokens_named(&app, &admin, &["Staging only"], "Staging").await;
    let production = app.scope_id("Production");
    let in_production = app.count(&format!(
        "api_tokens WHERE deleted_at IS NULL AND scope_set LIKE '%,{production},%'"
    ));

    let csv = export(
        &admin,
        &format!("/settings/api-tokens/export.csv?scope={production}&sort=name&dir=asc"),
    )
    .await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        file_name(&csv).contains(&format!("api-tokens-{}.csv", today())),
        "{}",
        file_name(&csv)
    );
    assert!(csv.body.starts_with('\u{feff}'), "a BOM, for spreadsheets");
    let rows = csv_rows(csv.body.trim_start_matches('\u{feff}'));
    assert_eq!(rows[0][..3], ["guid", "name", "description"]);
    assert_eq!(
        rows.len() as i64 - 1,
        in_production,
        "exactly the filtered rows"
    );
    let names = column(&rows, "name");
    for formula in formulas {
        assert!(names.contains(&format!("'{formula}").as_str()), "{names:?}");
        assert!(!names.contains(&formula), "{formula} would run");
    }
    assert!(names.contains(&"Ünïcode ✓"));
    assert!(!names.contains(&"Staging only"));
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.trim_start_matches('\'').to_lowercase());
    assert_eq!(names, sorted, "in the list's order");
    assert!(
        column(&rows, "scopes")
            .iter()
            .all(|s| s.contains("Production"))
    );

    // JSON: the same rows, values as they are.
    let json = export(
        &admin,
        &format!("/settings/api-tokens/export.json?scope={production}"),
    )
    .await;
    assert!(file_name(&json).contains(&format!("api-tokens-{}.json", today())));
    let items: Vec<Value> = serde_json::from_str(&json.body).unwrap();
    assert_eq!(items.len() as i64, in_production);
    assert!(items.iter().any(|t| t["name"] == formulas[0]));
    assert!(items.iter().all(|t| t["scopes"].as_array().is_some()));

    // The API answers a program's Accept: text/csv with the file, without a BOM.
    let key = app.api_key(&admin, "Export", KEY_PERMISSIONS, &[]).await;
    let path = format!("/api/v1/tokens?scope={production}&per_page=25");
    let body = api_csv(&app, &key, &path).await;
    assert!(body.starts_with("guid,name,"), "{body}");
    assert_eq!(csv_rows(&body).len() as i64 - 1, in_production);

    // Every export is in the audit log, with its filters.
    let exports = app.texts(
        "SELECT target_label || ' ' || details AS t FROM audit_events WHERE action = 'export.download' ORDER BY id",
    );
    assert_eq!(exports.len(), 3, "{exports:?}");
    assert!(
        exports[0].contains(&format!("scope={production}")),
        "{exports:?}"
    );
    assert!(exports[2].contains("\"format\":\"csv\""));

    assert_eq!(
        admin.get("/settings/api-tokens/export.xlsx").await.status,
        404
    );
}

#[actix_web::test]
async fn exports_hold_only_what_the_reader_may_see() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    tokens_named(&app, &admin, &["Prod secret"], "Production").await;
    tokens_named(&app, &admin, &["Staging one"], "Staging").await;
    let staging = app.scope_id("Staging");
    let vic = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let rows = csv_rows(
        export(&vic, "/settings/api-tokens/export.csv")
            .await
            .body
            .trim_start_matches('\u{feff}'),
    );
    let names = column(&rows, "name");
    assert!(names.contains(&"Staging one"), "{names:?}");
    assert!(!names.contains(&"Prod secret"), "{names:?}");
    for scopes in column(&rows, "scopes") {
        assert!(scopes.contains("Staging"), "{scopes}");
    }
    // Naming another scope in the filter shows nothing more.
    let production = app.scope_id("Production");
    let other = export(
        &vic,
        &format!("/settings/api-tokens/export.json?scope={production}"),
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&other.body).unwrap(),
        Vec::<Value>::new()
    );

    // The audit log's export holds the events of the reader's scopes' tokens, and
    // of their own account: nothing of Production's.
    let tess = app
        .add_admin(&admin, "tess@example.com", "token_manager", &[&staging])
        .await;
    let prod_guid = app.texts("SELECT guid AS t FROM api_tokens WHERE name = 'Prod secret'");
    let staging_guid = app.texts("SELECT guid AS t FROM api_tokens WHERE name = 'Staging one'");
    let log = export(&tess, "/settings/audit-log/export.csv").await;
    assert!(log.body.contains(&staging_guid[0]), "{}", log.body);
    assert!(!log.body.contains(&prod_guid[0]), "{}", log.body);
    assert!(!log.body.contains("Prod secret"), "{}", log.body);
}

#[actix_web::test]
async fn the_audit_log_and_a_tokens_usage_are_exported_with_their_filters() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Audited")
        .scope("Production")
        .create()
        .await;
    let guid = token.guid.to_string();
    let version = admin.version_of(&guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{guid}/disable"),
            &[("version", version.as_str())],
        )
        .await;

    let csv = export(
        &admin,
        "/settings/audit-log/export.csv?action=token.disable",
    )
    .await;
    assert!(file_name(&csv).contains(&format!("audit-log-{}.csv", today())));
    let rows = csv_rows(csv.body.trim_start_matches('\u{feff}'));
    assert_eq!(column(&rows, "action"), ["token.disable"]);
    assert_eq!(column(&rows, "target_id"), [guid.as_str()]);
    let all = export(&admin, "/settings/audit-log/export.json").await;
    let events: Vec<Value> = serde_json::from_str(&all.body).unwrap();
    let recorded = app.count("audit_events");
    // Newest first; the export itself is recorded before it is read.
    assert_eq!(events.len() as i64, recorded);
    assert_eq!(events[0]["action"], "export.download");

    let usage = export(
        &admin,
        &format!("/settings/api-tokens/{guid}/usage.csv?period=24h"),
    )
    .await;
    assert!(
        file_name(&usage).contains(&format!("token-usage-{guid}-24h-{}.csv", today())),
        "{}",
        file_name(&usage)
    );
    let rows = csv_rows(usage.body.trim_start_matches('\u{feff}'));
    assert_eq!(rows[0].first().map(String::as_str), Some("start"));
    assert_eq!(rows[0].last().map(String::as_str), Some("total"));
    assert_eq!(rows.len(), 25, "a row per hour of the day");
    let json = export(&admin, &format!("/settings/api-tokens/{guid}/usage.json")).await;
    assert!(
        serde_json::from_str::<Vec<Value>>(&json.body)
            .unwrap()
            .len()
            >= 7
    );
    // A token's usage export is in its own history.
    assert_eq!(
        app.count(&format!(
            "audit_events WHERE action = 'export.download' AND target_id = '{guid}'"
        )),
        2
    );

    // The API: the audit log and the usage as CSV for a program.
    let key = app.api_key(&admin, "Export", KEY_PERMISSIONS, &[]).await;
    let api = ApiClient::new(&app, &key);
    let page = api.get("/api/v1/audit-events?action=token.disable").await;
    assert_eq!(page.json["events"].as_array().unwrap().len(), 1);
    let csv = api_csv(&app, &key, "/api/v1/audit-events?action=token.disable").await;
    assert_eq!(column(&csv_rows(&csv), "action"), ["token.disable"]);
    let usage = api_csv(&app, &key, &format!("/api/v1/tokens/{guid}/usage")).await;
    assert!(usage.starts_with("start,valid,"), "{usage}");
}

#[actix_web::test]
async fn an_export_of_many_batches_holds_every_row_once_in_the_lists_order() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let seeded = crate::process::tessera(&app.db)
        .args(["seed", "--tokens", "2600"])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let live = app.count("api_tokens WHERE deleted_at IS NULL");
    assert!(live > 2 * tessera::services::exports::BATCH, "{live}");
    for sort in [
        "sort=name&dir=asc",
        "sort=created&dir=desc",
        "sort=expires&dir=asc",
    ] {
        let csv = export(&admin, &format!("/settings/api-tokens/export.csv?{sort}")).await;
        let rows = csv_rows(csv.body.trim_start_matches('\u{feff}'));
        let mut guids = column(&rows, "guid");
        assert_eq!(guids.len() as i64, live, "{sort}");
        guids.sort_unstable();
        guids.dedup();
        assert_eq!(guids.len() as i64, live, "{sort}: each token once");
    }
    // The API's CSV is the whole of what the filters match, its cursor and page
    // size aside.
    let key = app.api_key(&admin, "Export", KEY_PERMISSIONS, &[]).await;
    let first = ApiClient::new(&app, &key)
        .get("/api/v1/tokens?per_page=25")
        .await;
    let next = first.json["next"].as_str().unwrap();
    let after = next
        .split_once("after=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap();
    let path = format!("/api/v1/tokens?per_page=25&after={after}");
    assert_eq!(
        csv_rows(&api_csv(&app, &key, &path).await).len() as i64 - 1,
        live
    );

    // The first rows are the list's first page, in its order.
    let page = admin.get("/settings/api-tokens?sort=name&dir=asc").await;
    let listed = page.html().texts("a.token-name");
    let csv = export(&admin, "/settings/api-tokens/export.csv?sort=name&dir=asc").await;
    let rows = csv_rows(csv.body.trim_start_matches('\u{feff}'));
    let names: Vec<String> = column(&rows, "name")
        .iter()
        .take(listed.len())
        .map(|n| n.trim_start_matches('\'').to_owned())
        .collect();
    assert_eq!(names, listed);
}
