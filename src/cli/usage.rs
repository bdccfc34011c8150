//! `tessera usage roll-up` and `tessera usage rank`: the usage jobs, now.

use std::time::Instant;

use crate::config::{DatabaseArgs, ServeArgs, ServerConfig, UsageCommand};
use crate::db;
use crate::services::{usage_overview, usage_retention};
use crate::startup::open_database;

pub fn run(
    database: &DatabaseArgs,
    serve: &ServeArgs,
    command: UsageCommand,
) -> anyhow::Result<()> {
    let config = ServerConfig::from_args(serve)?;
    let db = open_database(database, None)?;
    let system = actix_web::rt::System::new();
    let started = Instant::now();
    match command {
        UsageCommand::RollUp => {
            let done = system.block_on(usage_retention::apply(
                &db,
                config.usage_retention,
                db::now(),
            ))?;
            match done {
                Some(done) => println!(
                    "Cleared the hours of {} rows and removed {} rows in {:.2} s.",
                    done.rolled,
                    done.removed,
                    started.elapsed().as_secs_f64()
                ),
                None => println!("Nothing to roll up: it was done today (or is being done now)."),
            }
        }
        UsageCommand::Rank => {
            let ranked =
                system.block_on(usage_overview::rank(&db, db::now(), time::Duration::ZERO))?;
            match ranked {
                Some(leaders) => println!(
                    "Ranked the tokens: {leaders} places in {:.2} s.",
                    started.elapsed().as_secs_f64()
                ),
                None => anyhow::bail!("another instance ranked the tokens at this moment"),
            }
        }
    }
    Ok(())
}
