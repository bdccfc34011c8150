//! `tessera admin create`, `unlock` and `sign-in-link`: administrators from a terminal. The password comes from
//! a prompt or from standard input, never from the command line (which other users
//! of the machine can see).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};

use super::Operator;
use crate::config::{AdminCreateArgs, DatabaseArgs, ServeArgs, ServerConfig};
use crate::db::catalog;
use crate::domain::admins::normalize_email;
use crate::domain::validation::{FieldErrors, name_key};
use crate::passwords::Password;
use crate::services::admins::{self as admins_service, AdminError, NewAdministrator};
use crate::services::{Caller, catalog as catalog_service, sign_in, sign_in_links};
use crate::startup::open_database;

pub fn create(database: &DatabaseArgs, args: AdminCreateArgs) -> anyhow::Result<()> {
    let password = read_password(args.password_stdin)?;
    let operator = Operator::new(open_database(database, None)?, None);
    let caller = Caller::command_line();
    if args.example_catalog {
        // Added first, so that `--scope` can name an example scope; adding them
        // again later skips those that exist.
        operator.block_on(catalog_service::add_examples(operator.services(), &caller))?;
    }
    let known = catalog::list_scopes(&mut *operator.services().db.get()?)?;
    let mut scope_ids = Vec::new();
    for wanted in &args.scopes {
        let scope = known
            .iter()
            .find(|s| name_key(&s.name) == name_key(wanted))
            .with_context(|| format!("there is no scope named {wanted:?}"))?;
        scope_ids.push(scope.id);
    }
    let new = NewAdministrator {
        display_name: args.name,
        email: args.email,
        password: password.clone(),
        password_confirmation: password,
        role: args.role.role_key().to_owned(),
        scope_ids,
    };
    let admin = operator
        .block_on(admins_service::create(operator.services(), &caller, new))
        .map_err(|error| match error {
            AdminError::Invalid(errors) => describe(errors),
            other => anyhow::anyhow!(other),
        })?;
    println!(
        "Created {} <{}>. They can sign in now.",
        admin.label(),
        admin.email
    );
    Ok(())
}

/// `tessera admin unlock --email`: lifts the sign-in limits of one account.
pub fn unlock(database: &DatabaseArgs, email: &str) -> anyhow::Result<()> {
    let email = normalize_email(email);
    let operator = Operator::new(open_database(database, None)?, None);
    let caller = Caller::command_line();
    let unlocked = sign_in::unlock(operator.services(), &caller, &email);
    let (admin, removed) = match operator.block_on(unlocked) {
        Err(AdminError::NotFound) => bail!("no administrator has the email {email}"),
        other => other?,
    };
    println!(
        "Lifted the sign-in limits of {} ({removed} counters removed).",
        admin.label()
    );
    Ok(())
}

/// `tessera admin sign-in-link --email`: the break-glass way in. The code rides
/// after `#` in the link, which browsers never send to a server.
pub fn sign_in_link(database: &DatabaseArgs, serve: &ServeArgs, email: &str) -> anyhow::Result<()> {
    let operator = Operator::new(open_database(database, None)?, None);
    let code = operator.block_on(sign_in_links::create(operator.services(), email))?;
    let mut config = ServerConfig::from_args(serve)?;
    config.resolve_public_url(serve.listen);
    println!(
        "A one-time sign-in link (it works once, for {} minutes):\n{}{}#{code}",
        sign_in_links::LINK_LIFETIME.whole_minutes(),
        config.public_url(),
        crate::urls::SIGN_IN_LINK,
    );
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<Password> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(Password::new(line.trim_end_matches(['\r', '\n'])));
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    if first != second {
        bail!("the two passwords do not match");
    }
    Ok(Password::new(first))
}

pub fn describe(errors: FieldErrors) -> anyhow::Error {
    let messages: Vec<String> = errors
        .iter()
        .map(|(field, m)| format!("{field}: {m}"))
        .collect();
    anyhow::anyhow!(messages.join("\n"))
}
