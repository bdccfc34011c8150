//! Starts the real application on port 0 with a database of its own.

use tessera::config::{DatabaseArgs, ServeArgs, ServerConfig};
use tessera::startup::Application;

use super::TestDatabase;

pub struct TestApp {
    pub address: String,
    pub setup_url: Option<String>,
    pub db: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ServeArgs::default()).await
}

pub async fn spawn_app_with(args: ServeArgs) -> TestApp {
    spawn_app_on(TestDatabase::new(), args).await
}

/// Starts Tessera on this database (such as [`TestDatabase::sqlite`] for what only
/// SQLite does).
pub async fn spawn_app_on(db: TestDatabase, args: ServeArgs) -> TestApp {
    let (address, setup_url) = start(args, db.args()).await;
    TestApp {
        address,
        setup_url,
        db,
    }
}

/// Starts one more instance of Tessera on the same database (scale-out).
pub async fn spawn_instance(app: &TestApp, args: ServeArgs) -> String {
    start(args, app.db.args()).await.0
}

async fn start(mut args: ServeArgs, database: DatabaseArgs) -> (String, Option<String>) {
    args.listen = "127.0.0.1:0".parse().unwrap();
    args.workers = Some(1);
    let config = ServerConfig::from_args(&args).unwrap();
    let app = Application::build(config, database)
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let setup_url = app.setup_url().map(str::to_owned);
    actix_web::rt::spawn(app.run_until_stopped());
    (address, setup_url)
}
