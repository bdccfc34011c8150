//! The commands and their flags.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use super::flags::{DatabaseArgs, EncryptionArgs, LogArgs, ServeArgs};
use super::secrets::refuse_on_command_line;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Tessera: self-hosted API tokens, with an admin web app and a verification API",
    long_about = "Tessera: self-hosted API tokens.\n\n\
        Administrators manage API tokens in a web app; the services those tokens are for \
        ask Tessera on every request whether a token may pass.\n\n\
        Without a command, Tessera runs the web server (`tessera serve`).",
    args_conflicts_with_subcommands = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub log: LogArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command line, read as [`Parser::parse`] reads it, with a secret on it
    /// refused ([`super::secrets`]): like any mistake there, with a message and
    /// exit code 2.
    pub fn from_command_line() -> Self {
        let mut command = Self::command();
        command.build();
        let matches = command.clone().get_matches();
        if let Err(message) = refuse_on_command_line(&command, &matches) {
            command.error(ErrorKind::ArgumentConflict, message).exit();
        }
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server: the admin app and the verification API (the default)
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations, then exit
    Migrate,
    /// Manage administrators from a terminal
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Create, list and revoke API tokens from a terminal
    #[command(subcommand)]
    Token(TokenCommand),
    /// Make and rotate the key that stored token values are encrypted with
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Warn about tokens that expire soon, now rather than at the daily run's hour
    #[command(subcommand)]
    Expiry(ExpiryCommand),
    /// Roll up or rank the usage counts now, rather than at the server's next turn
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Add example tokens across example scopes and modules, to try Tessera out or measure it
    Seed(SeedArgs),
    /// Print the OpenAPI document of the API (also served at /api/v1/openapi.json)
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Clear the hours of the days past the hourly window and remove the days past
    /// the daily one (TESSERA_USAGE_HOURLY_DAYS, TESSERA_USAGE_DAILY_DAYS), as the
    /// server does every 10 minutes
    RollUp,
    /// Rank the busiest and most refused tokens of Settings > Usage, as the server
    /// does every TESSERA_USAGE_RANKING_SECONDS
    Rank,
}

#[derive(Debug, Subcommand)]
pub enum ExpiryCommand {
    /// Run the expiry warnings now, as the daily run does (one instance at a time):
    /// webhook events, and mail digests when TESSERA_SMTP_URL and TESSERA_MAIL_FROM
    /// are set, which the server then sends
    Run,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once, alone, on standard output
    Create(TokenCreateArgs),
    /// List tokens (not deleted ones, unless --all)
    List(TokenListArgs),
    /// Revoke an active token for good
    Revoke {
        /// The token's GUID
        guid: String,

        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// A remote Tessera: with these, a token command goes through the management API
/// instead of the local database.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// Tessera's URL, such as https://tessera.example.com; the API key is sent
    /// there and nowhere else
    #[arg(long, env = "TESSERA_URL")]
    pub url: Option<String>,

    /// An API key (tsa_...) from My profile > API keys, for --url: from the
    /// environment only, never on the command line
    #[arg(long, env = "TESSERA_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// A file holding the API key (- reads it from standard input)
    #[arg(long, env = "TESSERA_API_KEY_FILE", value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// Let --url be plain http:// to another machine: the API key then crosses the
    /// network unencrypted (http:// to this machine needs no flag)
    #[arg(long)]
    pub allow_http: bool,
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Name, unique among tokens that are not deleted
    #[arg(long)]
    pub name: String,

    /// Scope the token belongs to (by name); repeat for several
    #[arg(long = "scope", value_name = "SCOPE", required = true)]
    pub scopes: Vec<String>,

    /// What the token may do
    #[arg(long = "type", value_enum, default_value_t = TokenTypeArg::ReadOnly)]
    pub token_type: TokenTypeArg,

    /// For custom tokens: module and action, such as orders:read; repeat for several
    #[arg(long = "grant", value_name = "MODULE:ACTION")]
    pub grants: Vec<String>,

    /// 7d, 30d, 90d, unlimited, or the last day (UTC) such as 2027-01-31
    #[arg(long, default_value = "30d")]
    pub expires: String,

    #[arg(long, default_value = "")]
    pub description: String,

    /// Client network the token may be used from (CIDR); repeat for several
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allowed_networks: Vec<String>,

    /// Let the token call the introspection endpoint about other tokens
    #[arg(long)]
    pub introspect: bool,

    /// The external ID of the identity that owns the token
    #[arg(long, value_name = "EXTERNAL_ID")]
    pub identity: Option<String>,

    #[command(flatten)]
    pub encryption: EncryptionArgs,

    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenTypeArg {
    ReadOnly,
    FullAccess,
    Custom,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Include deleted tokens
    #[arg(long)]
    pub all: bool,

    /// One JSON array instead of a table
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many tokens to add
    #[arg(long, default_value_t = 1000)]
    pub tokens: usize,

    /// Also write the secrets of the tokens that are usable now to this file, one
    /// per line (mode 600), for benchmarks that present many distinct tokens
    #[arg(long, value_name = "PATH")]
    pub secrets_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new random key, for TESSERA_ENCRYPTION_KEY
    Generate,
    /// Re-encrypt every stored token value under a new key, in one transaction
    Rotate(KeysRotateArgs),
}

#[derive(Debug, Args)]
pub struct KeysRotateArgs {
    /// The key the values are stored under now (from the environment only)
    #[arg(long, env = "TESSERA_ENCRYPTION_KEY", hide_env_values = true)]
    pub old_key: String,

    /// The key to store them under from now on, then start Tessera with it (from
    /// the environment only)
    #[arg(long, env = "TESSERA_NEW_ENCRYPTION_KEY", hide_env_values = true)]
    pub new_key: String,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator; the password is read from a prompt or from standard input
    Create(AdminCreateArgs),
    /// Lift every sign-in limit of an account, from every address
    Unlock {
        /// The administrator's email address
        #[arg(long)]
        email: String,
    },
    /// An administrator's API keys for the management API
    #[command(subcommand)]
    Key(AdminKeyCommand),
    /// Print a one-time sign-in link for an administrator (works once, for 15
    /// minutes): the way in when the identity provider is down, or when sign-in is
    /// through it alone. Uses TESSERA_PUBLIC_URL for the link's address
    SignInLink {
        /// The administrator's email address
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminKeyCommand {
    /// Create an API key for an administrator and print it (alone) on standard output
    Create(AdminKeyCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminKeyCreateArgs {
    /// The email address of the administrator the key acts as
    #[arg(long)]
    pub email: String,

    /// What uses the key, such as "CI deploy"; the audit log names it
    #[arg(long)]
    pub name: String,

    /// Days until the key expires (at most 365)
    #[arg(long, default_value_t = crate::domain::api_keys::DEFAULT_LIFETIME_DAYS)]
    pub expires_days: i64,

    /// Permissions of the key (such as tokens.read), comma-separated or repeated;
    /// by default the administrator's own. Never more than theirs.
    #[arg(long = "permissions", value_delimiter = ',', value_name = "PERMISSION")]
    pub permissions: Vec<String>,

    /// Scopes of the key, by name, comma-separated or repeated; by default every
    /// scope of the administrator, as they are when the key is used
    #[arg(long = "scopes", value_delimiter = ',', value_name = "SCOPE")]
    pub scopes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    /// Display name, shown in the admin app and the audit log
    #[arg(long)]
    pub name: String,

    /// Email address used to sign in
    #[arg(long)]
    pub email: String,

    /// Role of the new administrator
    #[arg(long, value_enum, default_value_t = RoleArg::SuperAdmin)]
    pub role: RoleArg,

    /// Scope the administrator may see (by name); repeat for several
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,

    /// Read the password from the first line of standard input instead of a prompt
    #[arg(long)]
    pub password_stdin: bool,

    /// Also add the example modules and scopes (Orders, Catalog, ... / Production, Staging, ...)
    #[arg(long)]
    pub example_catalog: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    SuperAdmin,
    TokenManager,
    Viewer,
}

impl RoleArg {
    pub fn role_key(self) -> &'static str {
        match self {
            RoleArg::SuperAdmin => "super_admin",
            RoleArg::TokenManager => "token_manager",
            RoleArg::Viewer => "viewer",
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
