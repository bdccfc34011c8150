//! Secrets never come from the command line, where every user of the machine can
//! read them (`ps`, `/proc/<pid>/cmdline`) and shells keep them in their history:
//! they come from the environment, or from a file or standard input.

use std::io::BufRead;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

/// The flag that names the database: a secret only when its URL holds a password
/// (a SQLite file's path is none).
const DATABASE_URL: &str = "database_url";

/// Refuses a secret given on the command line. A flag carries a secret when
/// `--help` hides its environment value (`hide_env_values`). The message names
/// where the secret may come from instead, never the value.
pub fn refuse_on_command_line(command: &Command, matches: &ArgMatches) -> Result<(), String> {
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if !arg.is_hide_env_values_set()
            || matches.value_source(id) != Some(ValueSource::CommandLine)
        {
            continue;
        }
        if id == DATABASE_URL
            && !matches
                .get_one::<String>(id)
                .is_some_and(|url| holds_password(url))
        {
            continue;
        }
        let flag = format!("--{}", arg.get_long().unwrap_or(id));
        let mut instead = match arg.get_env() {
            Some(variable) => format!("set {} instead", variable.to_string_lossy()),
            None => "give it in the environment instead".to_owned(),
        };
        let file = format!("{}-file", arg.get_long().unwrap_or(id));
        if command
            .get_arguments()
            .any(|a| a.get_long() == Some(file.as_str()))
        {
            instead.push_str(&format!(
                ", or give --{file} (a file, or - for standard input)"
            ));
        }
        let what = if id == DATABASE_URL {
            "a URL with a password"
        } else {
            "a secret"
        };
        return Err(format!(
            "{flag} takes {what}, which is not accepted on the command line, where other \
             users of this machine can read it: {instead}"
        ));
    }
    match matches.subcommand() {
        Some((name, sub)) => match command.find_subcommand(name) {
            Some(subcommand) => refuse_on_command_line(subcommand, sub),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// A URL such as `postgres://user:password@host/db` or `...?password=...`.
fn holds_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let in_authority = authority
        .rsplit_once('@')
        .is_some_and(|(user, _)| user.contains(':'));
    let in_query = rest.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|pair| pair.to_ascii_lowercase().starts_with("password="))
    });
    in_authority || in_query
}

/// A secret read from a file, or from the first line of standard input for `-`;
/// surrounding white space is not part of it. `what` names it in messages, which
/// never hold the secret.
pub fn read_secret_file(path: &Path, what: &str) -> anyhow::Result<String> {
    let text = if path == Path::new("-") {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| anyhow::anyhow!("cannot read {what} from standard input: {e}"))?;
        line
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {what} from {}: {e}", path.display()))?
    };
    let secret = text.trim();
    if secret.is_empty() {
        anyhow::bail!("{what}: {} is empty", shown(path));
    }
    Ok(secret.to_owned())
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::config::Cli;

    fn check(args: &[&str]) -> Result<(), String> {
        let mut command = Cli::command();
        command.build();
        let matches = command
            .clone()
            .try_get_matches_from(args)
            .expect("the arguments parse");
        refuse_on_command_line(&command, &matches)
    }

    #[test]
    fn secrets_on_the_command_line_are_refused_with_where_to_put_them() {
        let key = check(&[
            "tessera",
            "token",
            "list",
            "--url",
            "https://t",
            "--api-key",
            "tsa_x",
        ]);
        let message = key.unwrap_err();
        assert!(message.contains("--api-key takes a secret"), "{message}");
        assert!(message.contains("TESSERA_API_KEY"), "{message}");
        assert!(message.contains("--api-key-file"), "{message}");
        assert!(!message.contains("tsa_x"), "{message}");
        for args in [
            &["tessera", "serve", "--encryption-key", "k"][..],
            &["tessera", "--encryption-key", "k"],
            &["tessera", "serve", "--smtp-url", "smtp://localhost:25"],
            &["tessera", "serve", "--metrics-token", "m"],
            &[
                "tessera",
                "token",
                "create",
                "--name",
                "n",
                "--scope",
                "s",
                "--encryption-key",
                "k",
            ],
            &[
                "tessera",
                "keys",
                "rotate",
                "--old-key",
                "a",
                "--new-key",
                "b",
            ],
            &[
                "tessera",
                "--database-url",
                "postgres://u:secret@db/tessera",
            ],
            &[
                "tessera",
                "migrate",
                "--database-url",
                "postgres://db/t?password=secret",
            ],
        ] {
            assert!(check(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn what_is_not_secret_stays_on_the_command_line() {
        for args in [
            &[
                "tessera",
                "token",
                "list",
                "--url",
                "https://t",
                "--api-key-file",
                "-",
            ][..],
            &["tessera", "--database-url", "data/tessera.db"],
            &[
                "tessera",
                "migrate",
                "--database-url",
                "postgres://tessera@db/tessera",
            ],
        ] {
            assert_eq!(check(args), Ok(()), "{args:?}");
        }
    }
}
