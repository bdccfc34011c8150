use crate::helpers::{Browser, spawn_app};

#[actix_web::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let health = browser.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert!(health.body.contains("\"ok\""));
    let ready = browser.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert!(ready.body.contains("\"ready\""));
}
