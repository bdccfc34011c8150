//! The command-line entry points: `serve`, `migrate`, `admin`, `token`, `keys`,
//! `expiry`, `seed`.

pub mod admin;
pub mod admin_key;
pub mod expiry;
pub mod keys;
pub mod remote;
pub mod seed;
pub mod token;
pub mod usage;

use std::future::Future;

use crate::config::{
    AdminCommand, AdminKeyCommand, Cli, Command, ExpiryCommand, LogArgs, LogFormat,
};
use crate::db::Db;
use crate::domain::encryption::EncryptionKey;
use crate::domain::webhooks::signature::WebhookKeys;
use crate::passwords::HashingGate;
use crate::services::Services;
use crate::startup::{self, Application};

/// What a command that changes something works with: the same use cases as the
/// pages, run to completion here.
pub struct Operator {
    db: Db,
    hashing: HashingGate,
    encryption_key: Option<EncryptionKey>,
    /// No command seals a webhook secret: the operator's key, should one.
    webhook_keys: Option<WebhookKeys>,
}

impl Operator {
    pub fn new(db: Db, encryption_key: Option<EncryptionKey>) -> Self {
        let hashing = HashingGate::per_core(db.blocking().clone());
        let webhook_keys = encryption_key
            .clone()
            .map(|key| WebhookKeys::new(key, None));
        Self {
            db,
            hashing,
            encryption_key,
            webhook_keys,
        }
    }

    pub fn services(&self) -> Services<'_> {
        Services {
            db: &self.db,
            verifier: None,
            hashing: &self.hashing,
            encryption_key: self.encryption_key.as_ref(),
            webhook_key: self.webhook_keys.as_ref(),
        }
    }

    pub fn block_on<F: Future>(&self, work: F) -> F::Output {
        actix_web::rt::System::new().block_on(work)
    }
}

pub fn init_logging(args: &LogArgs) {
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging(&cli.log);
    match cli.command {
        None => serve(cli.serve, cli.database),
        Some(Command::Serve(args)) => serve(*args, cli.database),
        Some(Command::Migrate) => {
            startup::open_database(&cli.database, None)?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Some(Command::Admin(AdminCommand::Create(args))) => admin::create(&cli.database, args),
        Some(Command::Admin(AdminCommand::Unlock { email })) => {
            admin::unlock(&cli.database, &email)
        }
        Some(Command::Admin(AdminCommand::SignInLink { email })) => {
            admin::sign_in_link(&cli.database, &cli.serve, &email)
        }
        Some(Command::Admin(AdminCommand::Key(AdminKeyCommand::Create(args)))) => {
            admin_key::create(&cli.database, args)
        }
        Some(Command::Expiry(ExpiryCommand::Run)) => expiry::run(&cli.database, &cli.serve),
        Some(Command::Seed(args)) => seed::run(&cli.database, args),
        Some(Command::Usage(command)) => usage::run(&cli.database, &cli.serve, command),
        Some(Command::Token(command)) => token::run(&cli.database, command),
        Some(Command::Keys(command)) => keys::run(&cli.database, command),
        Some(Command::Openapi) => {
            let config = crate::config::ServerConfig::from_args(&cli.serve)?;
            let document = crate::routes::management::openapi::document(config.public_url());
            println!("{}", document.to_pretty_json()?);
            Ok(())
        }
    }
}

fn serve(
    args: crate::config::ServeArgs,
    database: crate::config::DatabaseArgs,
) -> anyhow::Result<()> {
    let config = crate::config::ServerConfig::from_args(&args)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config, database).await?;
        tracing::info!(url = app.public_url(), port = app.port(), "Tessera is listening");
        if let Some(url) = app.setup_url() {
            // One line on standard output, for the operator who just started Tessera.
            println!("Tessera has no administrator yet. Open {url} to create the first one (the link works once, for 24 hours).");
        }
        app.run_until_stopped().await?;
        tracing::info!("Tessera stopped");
        anyhow::Ok(())
    })
}
