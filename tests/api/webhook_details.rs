//! A delivery's details on its webhook's page: the payload sent, the headers, and
//! the start of the receiver's answer, escaped; and the newest delivery's state
//! on the list of webhooks.

use crate::helpers::{Receiver, add_endpoint, webhook_app};

#[actix_web::test]
async fn a_delivery_opens_to_its_payload_headers_and_the_answer_bounded_and_escaped() {
    let receiver = Receiver::start();
    receiver.answer_with(202, &format!("<b>queued</b>{}", "x".repeat(10_000)));
    let app = webhook_app(true).await;
    let ada = app.with_examples().await;
    let (id, _) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("Billing <sync>")
        .scope("Production")
        .create()
        .await;
    let sent = receiver.wait_for("token.created").await;
    // The answer is recorded once the attempt is.
    let mut page = ada.get(&format!("/settings/webhooks/{id}")).await;
    for _ in 0..50 {
        if page.body.contains("202 in") {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        page = ada.get(&format!("/settings/webhooks/{id}")).await;
    }
    let html = page.html();
    assert_eq!(html.text(".delivery-token"), "Billing <sync>");
    let blocks = html.raw_texts(".delivery-details pre");
    assert!(
        blocks[0].contains("\"name\": \"Billing <sync>\""),
        "{}",
        blocks[0]
    );
    assert!(
        blocks[1].starts_with("<b>queued</b>xxx"),
        "the answer as text"
    );
    assert_eq!(blocks[1].len(), 4096, "and no more than its first 4 KiB");
    assert!(!page.body.contains("<b>queued"), "escaped");
    let headers = html.texts(".header-list div");
    assert!(
        headers.contains(&format!("webhook-id{}", sent.id)),
        "{headers:?}"
    );
    assert!(
        headers.contains(&format!("webhook-timestamp{}", sent.timestamp)),
        "{headers:?}"
    );
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("user-agentTessera-Webhooks/"))
    );

    let list = ada.get("/settings/webhooks").await.html();
    let last = list.text("td[data-label=\"Last delivery\"]");
    assert!(last.starts_with("Delivered token.created"), "{last}");
    assert!(last.contains("202 in"), "{last}");
}
