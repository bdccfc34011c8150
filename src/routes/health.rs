//! `/healthz`: the process is up. `/readyz`: it can reach its database; with
//! shared rate limits, whether Redis answers and what happens while it does not.

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;

use crate::db::DbError;
use crate::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let reachable = state
        .db
        .run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(DbError::from)
        })
        .await;
    // Redis: shared rate limits, and what happens to them while it is down.
    let limits = state
        .verifier
        .limiter
        .shared_state()
        .map(|(up, when_down)| {
            serde_json::json!({
                "shared_limits": if up { "redis" } else { "redis_down" },
                "when_redis_down": when_down.key(),
            })
        });
    match reachable {
        Ok(_) => {
            let mut body = serde_json::json!({ "status": "ready" });
            if let Some(serde_json::Value::Object(limits)) = limits {
                body.as_object_mut().expect("an object").extend(limits);
            }
            HttpResponse::Ok().json(body)
        }
        Err(error) => {
            tracing::warn!(%error, "database unreachable");
            HttpResponse::ServiceUnavailable().json(
                serde_json::json!({ "status": "unavailable", "reason": "database unreachable" }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, test, web};
    use diesel::r2d2::Pool;

    use crate::config::{ServeArgs, ServerConfig};
    use crate::db::connection::ConnectionManager;
    use crate::db::{DatabaseUrl, Db};
    use crate::routes::router::health as configure;
    use crate::state::AppState;

    #[actix_web::test]
    async fn readyz_reports_an_unreachable_database() {
        let url = DatabaseUrl::parse("postgres://tessera@127.0.0.1:1/nowhere").unwrap();
        let pool = Pool::builder()
            .connection_timeout(std::time::Duration::from_millis(300))
            .build_unchecked(ConnectionManager::new(url.clone(), None));
        let db = Db::new(pool, None, url);
        let hashing = crate::passwords::HashingGate::new(1, db.blocking().clone());
        let config = ServerConfig::from_args(&ServeArgs::default()).unwrap();
        let state = AppState {
            hashing,
            verifier: std::sync::Arc::new(crate::verification::Verifier::new(
                db.clone(),
                Default::default(),
                config.verifier,
            )),
            db,
            config,
            cookie_key: actix_web::cookie::Key::generate(),
            locked_addresses: Default::default(),
            health_summaries: Default::default(),
            oidc: None,
        };
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(state))
                .configure(configure),
        )
        .await;
        let ready =
            test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
        assert_eq!(ready.status(), 503);
        let health =
            test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request()).await;
        assert_eq!(health.status(), 200, "the process itself is up");
    }
}
