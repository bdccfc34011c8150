//! `tessera token create | list | revoke`, for operators and automation, on the
//! local database or, with `--url` and `--api-key`, a remote Tessera through its
//! management API ([`super::remote`]). `create` prints the secret, and nothing
//! else, on standard output.

use std::io::Write;

use anyhow::{Context, bail};
use diesel::prelude::*;

use super::Operator;
use super::remote::Remote;
use crate::config::{DatabaseArgs, TokenCommand, TokenCreateArgs, TokenListArgs, TokenTypeArg};
use crate::db::schema::api_tokens;
use crate::db::tokens::{self as stored, TokenRow};
use crate::db::{catalog, now};
use crate::domain::ids::Guid;
use crate::domain::scopes::ScopeAccess;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{DurationChoice, TokenInput, TokenType, format_date, parse_date};
use crate::domain::validation::name_key;
use crate::services::Caller;
use crate::services::tokens::{self, TokenError};
use crate::startup::open_database;
use crate::views::format::optional_datetime;
use time::PrimitiveDateTime;

pub fn run(database: &DatabaseArgs, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create(args) => match Remote::of(&args.remote)? {
            Some(remote) => remote.create_token(&args),
            None => create(database, args),
        },
        TokenCommand::List(args) => match Remote::of(&args.remote)? {
            Some(remote) => print_list(&remote.list_tokens(args.all)?, args.json),
            None => list(database, args),
        },
        TokenCommand::Revoke { guid, remote } => match Remote::of(&remote)? {
            Some(remote) => remote.revoke_token(&guid),
            None => revoke(database, &guid),
        },
    }
}

/// When a new token is valid, from `--expires`: a duration choice and, for a
/// date, the last day.
pub fn validity(expires: &str) -> anyhow::Result<(String, String)> {
    match expires {
        preset
            if DurationChoice::from_key(preset)
                .is_some_and(|d| !matches!(d, DurationChoice::Keep | DurationChoice::Custom)) =>
        {
            Ok((preset.to_owned(), String::new()))
        }
        date if parse_date(date).is_some() => Ok(("custom".to_owned(), date.to_owned())),
        other => {
            bail!("--expires {other:?}: use 7d, 30d, 90d, unlimited or a date such as 2027-01-31")
        }
    }
}

impl TokenTypeArg {
    pub fn token_type(self) -> TokenType {
        match self {
            TokenTypeArg::ReadOnly => TokenType::ReadOnly,
            TokenTypeArg::FullAccess => TokenType::FullAccess,
            TokenTypeArg::Custom => TokenType::Custom,
        }
    }
}

/// A token as `list` prints it, from the database or the API.
pub struct Listed {
    pub guid: String,
    pub name: String,
    pub status: &'static str,
    pub token_type: &'static str,
    pub valid_to: Option<PrimitiveDateTime>,
    pub last_used_at: Option<PrimitiveDateTime>,
}

/// A table for people, or one JSON array for programs. A reader that stops early
/// (`| head`) is not an error.
fn print_list(tokens: &[Listed], json: bool) -> anyhow::Result<()> {
    let mut out = String::new();
    if json {
        let list: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| {
                serde_json::json!({
                    "guid": t.guid,
                    "name": t.name,
                    "status": t.status,
                    "type": t.token_type,
                    "valid_to": t.valid_to.as_ref().map(iso),
                    "last_used_at": t.last_used_at.as_ref().map(iso),
                })
            })
            .collect();
        out = format!("{}\n", serde_json::Value::Array(list));
    } else {
        out.push_str(&format!(
            "{:<36}  {:<10}  {:<21}  {:<21}  NAME\n",
            "GUID", "STATUS", "EXPIRES", "LAST USED"
        ));
        for t in tokens {
            out.push_str(&format!(
                "{:<36}  {:<10}  {:<21}  {:<21}  {}\n",
                t.guid,
                t.status,
                optional_datetime(&t.valid_to, "never"),
                optional_datetime(&t.last_used_at, "never"),
                t.name
            ));
        }
    }
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn create(database: &DatabaseArgs, args: TokenCreateArgs) -> anyhow::Result<()> {
    let key = args.encryption.key()?;
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let scopes = catalog::list_scopes(&mut conn)?;
    let modules = catalog::list_modules(&mut conn)?;
    let mut scope_ids = Vec::new();
    for wanted in &args.scopes {
        let scope = scopes
            .iter()
            .find(|s| name_key(&s.name) == name_key(wanted))
            .with_context(|| format!("there is no scope named {wanted:?}"))?;
        scope_ids.push(scope.id.to_string());
    }
    let mut permissions = Vec::new();
    for grant in &args.grants {
        let (key, action) = grant.split_once(':').with_context(|| {
            format!("{grant:?}: write grants as module:action, such as orders:read")
        })?;
        let module = modules
            .iter()
            .find(|m| m.module.module_key == key)
            .with_context(|| format!("there is no module with the key {key:?}"))?;
        permissions.push(format!("{}:{action}", module.module.id));
    }
    let (duration, valid_to) = validity(&args.expires)?;
    let token_type = args.token_type.token_type();
    let input = TokenInput {
        name: args.name,
        description: args.description,
        guid: Guid::generate().to_string(),
        scopes: scope_ids,
        duration,
        valid_from: String::new(),
        valid_to,
        token_type: token_type.key().to_owned(),
        permissions,
        allowed_networks: args.allowed_networks.join("\n"),
        can_introspect: args.introspect,
        identity: args.identity.unwrap_or_default(),
    };
    drop(conn);
    let operator = Operator::new(db, key);
    let created = operator
        .block_on(tokens::create(
            operator.services(),
            &Caller::command_line(),
            input,
        ))
        .map_err(describe)?;
    let (token, secret) = (created.token.token, created.secret);
    eprintln!(
        "Created {} ({}), {}. The secret below is shown once.",
        token.name,
        token.guid,
        match token.valid_to {
            Some(to) => format!("valid until {}", format_date(to.date())),
            None => "valid with no end".to_owned(),
        }
    );
    println!("{}", secret.expose());
    Ok(())
}

fn list(database: &DatabaseArgs, args: TokenListArgs) -> anyhow::Result<()> {
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let mut query = api_tokens::table
        .order(api_tokens::created_at.desc())
        .select(TokenRow::as_select())
        .into_boxed();
    if !args.all {
        query = query.filter(api_tokens::deleted_at.is_null());
    }
    let rows: Vec<TokenRow> = query.load(&mut conn)?;
    let now = now();
    let tokens: Vec<Listed> = rows
        .into_iter()
        .map(|t| Listed {
            status: t.status(now).key(),
            token_type: t.token_type.key(),
            guid: t.guid.to_string(),
            name: t.name,
            valid_to: t.valid_to,
            last_used_at: t.last_used_at,
        })
        .collect();
    print_list(&tokens, args.json)
}

fn revoke(database: &DatabaseArgs, guid: &str) -> anyhow::Result<()> {
    let guid = &Guid::parse(guid).with_context(|| format!("{guid} is not a GUID"))?;
    let db = open_database(database, None)?;
    let token = stored::find(&mut *db.get()?, guid, &ScopeAccess::All)?
        .with_context(|| format!("there is no token with the GUID {guid}"))?
        .token;
    let operator = Operator::new(db, None);
    let revoked = operator
        .block_on(tokens::revoke(
            operator.services(),
            &Caller::command_line(),
            guid,
            token.version,
        ))
        .map_err(describe)?;
    eprintln!("Revoked {} ({}).", revoked.name, revoked.guid);
    Ok(())
}

/// A refusal, in the words of the command line.
fn describe(error: TokenError) -> anyhow::Error {
    match error {
        TokenError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect();
            anyhow::anyhow!(lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}
