//! `tessera admin create` and `unlock`: administrators from a terminal. The password comes from
//! a prompt or from standard input, never from the command line (which other users
//! of the machine can see).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use diesel::Connection;

use crate::auth::throttle;
use crate::config::{AdminCreateArgs, DatabaseArgs};
use crate::db::DbConnection;
use crate::db::admins::{self, AdminWriteError, Administrator, NewAdmin};
use crate::db::audit::{self, Actor, Target};
use crate::db::{catalog, setup};
use crate::domain::admins::{
    generate_public_id, normalize_email, validate_details, validate_new_password,
};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::{example_modules, example_scopes};
use crate::domain::validation::{FieldErrors, name_key};
use crate::passwords::{self, Password};
use crate::startup::open_database;

pub fn create(database: &DatabaseArgs, args: AdminCreateArgs) -> anyhow::Result<()> {
    let details = validate_details(&args.name, &args.email).map_err(describe)?;
    let password = read_password(args.password_stdin)?;
    let mut errors = FieldErrors::default();
    validate_new_password(
        &mut errors,
        password.expose(),
        password.expose(),
        &details.email,
    );
    if !errors.is_empty() {
        bail!(describe(errors));
    }
    let hash = passwords::hash(&password);

    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let admin = conn.transaction(|c| -> anyhow::Result<_> {
        if args.example_catalog {
            catalog::add_examples(c, &example_modules(), &example_scopes())?;
        }
        let known = catalog::list_scopes(c)?;
        let mut scope_ids = Vec::new();
        for wanted in &args.scopes {
            let scope = known
                .iter()
                .find(|s| name_key(&s.name) == name_key(wanted))
                .with_context(|| format!("there is no scope named {wanted:?}"))?;
            scope_ids.push(scope.id);
        }
        let public_id = generate_public_id();
        let admin = admins::create(
            c,
            &NewAdmin {
                public_id: &public_id,
                display_name: &details.display_name,
                email: &details.email,
                password_hash: &hash,
                role_key: args.role.role_key(),
                scope_ids: &scope_ids,
            },
        )
        .map_err(|e| match e {
            AdminWriteError::EmailTaken => anyhow::anyhow!(
                "an administrator with the email {} already exists",
                details.email
            ),
            other => other.into(),
        })?;
        // The first administrator closes first-run setup.
        setup::delete_all(c)?;
        record_about(c, &admin, AuditAction::AdminCreated, "")?;
        Ok(admin)
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
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let found = match admins::find_credentials(&mut conn, &email)? {
        Some((id, _, _)) => admins::find(&mut conn, id)?,
        None => None,
    };
    let Some(admin) = found else {
        bail!("no administrator has the email {email}");
    };
    let removed = conn.transaction(|c| {
        let removed = throttle::unlock(c, &email)?;
        let details = format!("{removed} counters removed");
        record_about(c, &admin, AuditAction::SignInUnlocked, &details)?;
        Ok::<_, anyhow::Error>(removed)
    })?;
    println!(
        "Lifted the sign-in limits of {} ({removed} counters removed).",
        admin.label()
    );
    Ok(())
}

/// An audit event by the command line about an administrator.
fn record_about(
    conn: &mut DbConnection,
    admin: &Administrator,
    action: AuditAction,
    details: &str,
) -> diesel::QueryResult<()> {
    let label = admin.label();
    let target = Target {
        kind: crate::domain::audit::TargetKind::Administrator,
        id: Some(&admin.public_id),
        label: &label,
    };
    audit::record(conn, &Actor::command_line(), action, &target, details)
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

fn describe(errors: FieldErrors) -> anyhow::Error {
    let messages: Vec<String> = errors
        .iter()
        .map(|(field, m)| format!("{field}: {m}"))
        .collect();
    anyhow::anyhow!(messages.join("\n"))
}
