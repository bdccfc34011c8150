//! Building and running the server: database, migrations, first-run code, middleware.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::auth::csrf::reject_cross_site;
use crate::auth::locked_addresses::LockedAddresses;
use crate::auth::oidc::OidcProvider;
use crate::auth::session::random_token;
use crate::auth::session_store::DbSessionStore;
use crate::config::{DatabaseArgs, ServerConfig};
use crate::db::connection::StatementHook;
use crate::db::{self, DatabaseUrl, Db, DbConnection, connection, migrations};
use crate::domain::digest::sha256_hex;
use crate::http::{client, error_pages, headers, input, request_log, static_files};
use crate::passwords::HashingGate;
use crate::routes;
use crate::state::AppState;
use crate::verification::{Metrics, Verifier, listener, usage};

/// How long a printed setup link stays valid.
const SETUP_CODE_LIFETIME: time::Duration = time::Duration::hours(24);

/// Opens the pool and brings the schema up to date. Blocking: call off the async workers.
/// `on_statement` hears of every statement the pool runs (for `/metrics`).
pub fn open_database(
    args: &DatabaseArgs,
    on_statement: Option<StatementHook>,
) -> anyhow::Result<Db> {
    let url = DatabaseUrl::parse(&args.database_url)?;
    let mut conn = url
        .connect()
        .map_err(|e| anyhow::anyhow!("cannot connect to the database ({url:?}): {e}"))?;
    let applied = migrations::run_pending(&mut conn)
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    for name in applied {
        tracing::info!(migration = %name, "applied migration");
    }
    // After an upgrade every token's stored status is due: refreshed here once,
    // rather than by the first person to open the list.
    let refreshed = db::token_status::refresh_due(&mut conn, db::now())?;
    if refreshed > 0 {
        tracing::info!(tokens = refreshed, "refreshed stored token statuses");
    }
    drop(conn);
    let writer = (url.backend() == db::Backend::Sqlite)
        .then(|| db::Writer::open(&url, on_statement.clone()));
    let pool = connection::build_pool(&url, args.database_pool_size, on_statement)?;
    Ok(Db::new(pool, writer, url))
}

/// Loads the key that signs session cookies, creating it at the very first start.
/// It lives in the database so every instance, and every restart, shares it.
fn session_cookie_key(conn: &mut DbConnection) -> anyhow::Result<Key> {
    let stored = db::settings::get_or_insert_with(conn, "session_cookie_key", || {
        STANDARD.encode(Key::generate().master())
    })?;
    let bytes = STANDARD.decode(stored)?;
    Ok(Key::try_from(bytes.as_slice())?)
}

/// With no administrator yet, creates a one-time setup code, which replaces any
/// earlier one, and returns the setup URL.
pub fn setup_url_if_needed(
    conn: &mut DbConnection,
    public_url: &str,
) -> anyhow::Result<Option<String>> {
    if db::admins::count(conn)? > 0 {
        return Ok(None);
    }
    let code = random_token(24);
    db::setup::replace_code(
        conn,
        &sha256_hex(code.as_bytes()),
        db::now() + SETUP_CODE_LIFETIME,
    )?;
    Ok(Some(format!("{public_url}/setup?code={code}")))
}

mod background;
pub mod webhook_key;

pub struct Application {
    server: Server,
    /// `/metrics` and the verification API on addresses of their own, when configured.
    side_servers: Vec<Server>,
    port: u16,
    setup_url: Option<String>,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(mut config: ServerConfig, database: DatabaseArgs) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let local = listener.local_addr()?;
        config.resolve_public_url(local);

        let metrics = Arc::new(Metrics::default());
        let counter = metrics.clone();
        let hook: StatementHook = Arc::new(move || counter.statement());
        let db = web::block(move || open_database(&database, Some(hook))).await??;
        let operator_key = config.encryption_key.clone();
        let public_url = config.public_url().to_owned();
        let startup_db = db.clone();
        let (webhook_keys, key, setup_url) = web::block(move || {
            let mut conn = startup_db.get()?;
            let url = startup_db.url();
            let webhook_keys = webhook_key::resolve(operator_key.as_ref(), url, &mut conn)?;
            let key = session_cookie_key(&mut conn)?;
            let setup_url = setup_url_if_needed(&mut conn, &public_url)?;
            anyhow::Ok((webhook_keys, key, setup_url))
        })
        .await??;
        config.webhook_key = webhook_keys;

        let verifier = Arc::new(Verifier::new(db.clone(), metrics, config.verifier));
        if let Some(shared) = &config.shared_limits {
            let metrics = verifier.metrics.shared_limits.clone();
            verifier.limiter.share(shared, metrics)?;
        }
        if let Some(url) = db.url().postgres() {
            listener::spawn(url.to_owned(), Arc::downgrade(&verifier));
        }
        let hashing = HashingGate::per_core(db.blocking().clone());
        let oidc = config
            .oidc
            .clone()
            .map(|settings| OidcProvider::new(settings, config.public_url()))
            .transpose()?;
        let state = web::Data::new(AppState {
            db,
            config,
            verifier,
            hashing,
            cookie_key: key.clone(),
            locked_addresses: LockedAddresses::default(),
            health_summaries: Default::default(),
            oidc,
        });
        warn_about_open_endpoints(&state.config);
        let config = &state.config;
        let side_servers = [
            config.metrics_listen.map(|address| {
                let what = "metrics";
                Self::serve_apart(address, what, 1, state.clone(), routes::router::metrics)
            }),
            config.verify_listen.map(|address| {
                let what = "the verification API";
                let workers = config.worker_count();
                Self::serve_apart(address, what, workers, state.clone(), |cfg| {
                    routes::router::api(cfg);
                    routes::router::health(cfg);
                })
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<anyhow::Result<_>>()?;
        let server = Self::serve(listener, state.clone(), key)?;
        Ok(Self {
            server,
            side_servers,
            port: local.port(),
            setup_url,
            state,
        })
    }

    fn serve(
        listener: TcpListener,
        state: web::Data<AppState>,
        key: Key,
    ) -> anyhow::Result<Server> {
        let config = state.config.clone();
        let secure = config.cookie_secure();
        let workers = config.worker_count();
        let verification_apart = config.verify_listen.is_some();
        let config_limits = config.clone();
        let server = HttpServer::new(move || {
            // Runs on each worker's thread. With verification served apart, the
            // admin app yields the core to it.
            if verification_apart {
                crate::blocking::lower_this_threads_priority(10);
            }
            let sessions = SessionMiddleware::builder(
                DbSessionStore::new(state.db.clone(), config.session_lifetime),
                key.clone(),
            )
            .cookie_name(
                if secure {
                    "__Host-tessera_session"
                } else {
                    "tessera_session"
                }
                .to_owned(),
            )
            .cookie_secure(secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Strict)
            .cookie_path("/".to_owned())
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                BrowserSession::default()
                    .state_ttl(actix_web::cookie::time::Duration::seconds(
                        config.session_idle.whole_seconds(),
                    ))
                    .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
            App::new()
                .app_data(state.clone())
                .wrap(headers::security_headers(secure))
                .wrap(from_fn(client::notice_https_proxy))
                .wrap(from_fn(request_log::log_requests))
                // The verification API first: it is matched on every call.
                .configure(routes::router::api)
                .configure(|cfg| {
                    if config.metrics_listen.is_none() {
                        routes::router::metrics(cfg);
                    }
                })
                .configure(routes::router::health)
                .service(
                    web::resource("/static/{path:.*}")
                        .route(web::get().to(static_files::serve))
                        .route(web::head().to(static_files::serve)),
                )
                .service(
                    web::scope("")
                        // Outermost first: the session, then error pages (which need
                        // the session to show who is signed in), then the CSRF check.
                        .wrap(from_fn(input::reject_control_characters))
                        .wrap(from_fn(reject_cross_site))
                        .wrap(ErrorHandlers::new().default_handler(error_pages::render))
                        .wrap(sessions)
                        .wrap(from_fn(routes::login::refuse_locked_addresses))
                        .configure(routes::router::admin)
                        .default_service(web::to(routes::not_found)),
                )
        })
        .workers(workers)
        .max_connections(config_limits.max_connections)
        // Queries and hashing run on the database's low-priority threads
        // ([`crate::blocking`]); the workers' own pool only starts and stops.
        .worker_max_blocking_threads(2)
        // Request headers must arrive within 5 s; bodies within the body timeout.
        .client_request_timeout(std::time::Duration::from_secs(5))
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
        Ok(server)
    }

    /// Serves what `configure` sets up, and nothing else, on `address`.
    fn serve_apart(
        address: SocketAddr,
        what: &str,
        workers: usize,
        state: web::Data<AppState>,
        configure: fn(&mut web::ServiceConfig),
    ) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(address)
            .map_err(|e| anyhow::anyhow!("cannot listen on {address} for {what}: {e}"))?;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(request_log::log_requests))
                .configure(configure)
                .default_service(web::to(HttpResponse::NotFound))
        })
        .workers(workers)
        .disable_signals()
        .client_request_timeout(std::time::Duration::from_secs(5))
        .shutdown_timeout(5)
        .listen(listener)?
        .run();
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The first-run setup URL, when the database has no administrator yet.
    pub fn setup_url(&self) -> Option<&str> {
        self.setup_url.as_deref()
    }

    pub fn public_url(&self) -> &str {
        self.state.config.public_url()
    }

    /// Serves until SIGTERM or Ctrl-C, letting requests in flight finish, then
    /// writes the last uses still in memory.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let jobs = background::Jobs::start(&self.state);
        let side_servers: Vec<_> = self
            .side_servers
            .into_iter()
            .map(|server| {
                let handle = server.handle();
                actix_web::rt::spawn(server);
                handle
            })
            .collect();
        usage::spawn_flusher(
            Arc::downgrade(&self.state.verifier),
            self.state.config.usage_flush,
        );
        let result = self.server.await;
        jobs.stop();
        for server in side_servers {
            server.stop(true).await;
        }
        let verifier = self.state.verifier.clone();
        let flushed = web::block(move || verifier.flush_usage())
            .await
            .unwrap_or(Err(db::DbError::Canceled));
        match flushed {
            Ok(written) => tracing::info!(tokens = written, "wrote the last uses at shutdown"),
            Err(error) => tracing::error!(%error, "could not write the last uses at shutdown"),
        }
        result
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }
}

/// Says at start which endpoints anyone who reaches Tessera may call.
fn warn_about_open_endpoints(config: &ServerConfig) {
    if config.forward_auth_from.is_empty() {
        tracing::warn!(
            "forward-auth (/api/v1/auth) answers any client and believes its X-Original-URI: \
             keep it unreachable from clients, or set TESSERA_FORWARD_AUTH_FROM to your proxies"
        );
    }
    if config.metrics_token.is_none() && config.metrics_listen.is_none() {
        tracing::warn!(
            "/metrics is open to anyone who reaches Tessera: set TESSERA_METRICS_TOKEN, \
             or TESSERA_METRICS_LISTEN to serve it on an address of its own"
        );
    }
}
