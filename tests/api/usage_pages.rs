//! The Usage tab: the counts of the token's requests, to administrators of its
//! scopes only.

use crate::helpers::spawn_app_with;
use crate::usage_counts::{counted_exactly, expect, flushing_every_second};
use crate::verification::verify;

#[actix_web::test]
async fn the_usage_tab_shows_the_counts_to_administrators_of_the_tokens_scopes() {
    let app = spawn_app_with(flushing_every_second()).await;
    let ada = app.with_examples().await;
    let production = app.scope_id("Production");
    let token = ada.create_token("Counted", &production, &[]).await;
    for _ in 0..4 {
        assert_eq!(
            verify(&app, &token.secret, "?module=orders&action=read")
                .await
                .0,
            200
        );
    }
    assert_eq!(
        verify(&app, &token.secret, "?module=orders&action=write")
            .await
            .0,
        403
    );
    let counts = expect(&[("valid orders/read", 4), ("insufficient_permissions /", 1)]);
    counted_exactly(&app, &token.guid, &counts).await;

    let tab = format!("/settings/api-tokens/{}/usage", token.guid);
    for period in ["24h", "7d", "30d", "90d", "forever"] {
        let page = ada.get(&format!("{tab}?period={period}")).await;
        assert_eq!(page.status, 200, "{period}");
        let html = page.html();
        assert_eq!(html.texts(".usage-totals dd"), ["5", "4", "1"], "{period}");
        assert_eq!(
            html.texts(".chart-legend li"),
            ["Allowed 4", "Insufficient permissions 1"]
        );
        let bars = html.count(".chart-bar");
        let expected = match period {
            "24h" => 24,
            "30d" => 30,
            "90d" => 90,
            _ => 168,
        };
        assert_eq!(bars, expected, "{period}");
        assert_eq!(
            html.texts("#usage-by-module tbody td")[..3],
            ["orders", "Read", "4"]
        );
    }
    let current = ada.get(&format!("{tab}?period=forever")).await.html();
    assert_eq!(
        current.texts(".period-links a[aria-current]"),
        ["Last 7 days"],
        "an unknown period shows the last 7 days"
    );

    let staging = app.scope_id("Staging");
    let sam = app
        .add_admin(&ada, "sam@example.com", "token_manager", &[&staging])
        .await;
    let refused = sam.get(&tab).await;
    assert_eq!(refused.status, 404);
    assert!(!refused.body.contains("orders"));
}
