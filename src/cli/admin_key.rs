//! `tessera admin key create`: an API key for an administrator, printed alone on
//! standard output so a script can capture it.

use anyhow::{Context, bail};

use super::Operator;
use crate::config::{AdminKeyCreateArgs, DatabaseArgs};
use crate::db::{DbError, admins, catalog};
use crate::domain::admins::normalize_email;
use crate::domain::api_keys::{ApiKeyInput, grantable};
use crate::domain::validation::name_key;
use crate::services::Caller;
use crate::services::api_keys::{self, ApiKeyError};
use crate::startup::open_database;

pub fn create(database: &DatabaseArgs, args: AdminKeyCreateArgs) -> anyhow::Result<()> {
    let operator = Operator::new(open_database(database, None)?, None);
    let email = normalize_email(&args.email);
    let (access, known_scopes) = {
        let mut c = operator.services().db.get()?;
        let found = admins::find_credentials(&mut c, &email).map_err(DbError::from)?;
        let Some((id, _, _)) = found else {
            bail!("no administrator has the email {email}");
        };
        let access = admins::load_access(&mut c, id)
            .map_err(DbError::from)?
            .context("the administrator was deleted meanwhile")?;
        (access, catalog::list_scopes(&mut c).map_err(DbError::from)?)
    };
    let permissions = if args.permissions.is_empty() {
        grantable(access.permissions)
            .iter()
            .map(|p| p.key().to_owned())
            .collect()
    } else {
        args.permissions
    };
    let mut scopes = Vec::new();
    for wanted in &args.scopes {
        let scope = known_scopes
            .iter()
            .find(|s| name_key(&s.name) == name_key(wanted))
            .with_context(|| format!("there is no scope named {wanted:?}"))?;
        scopes.push(scope.id.to_string());
    }
    let input = ApiKeyInput {
        name: args.name,
        expires_in_days: args.expires_days.to_string(),
        permissions,
        scope_limit: if scopes.is_empty() { "all" } else { "listed" }.into(),
        scopes,
    };
    let created = operator
        .block_on(api_keys::create(
            operator.services(),
            &Caller::command_line(),
            access.admin.id,
            input,
        ))
        .map_err(|error| match error {
            ApiKeyError::Invalid(errors) => super::admin::describe(errors),
            other => anyhow::anyhow!(other),
        })?;
    println!("{}", created.secret.expose());
    Ok(())
}
