//! `tessera seed`: fills the database with example tokens across scopes and modules,
//! to try Tessera out with a realistic list, or to measure it.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use diesel::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use time::{Duration, PrimitiveDateTime};

use crate::config::{DatabaseArgs, SeedArgs};
use crate::db::schema::{api_token_permissions, api_token_scopes, api_tokens};
use crate::db::token_status::stored_status;
use crate::db::{DbConnection, catalog, now};
use crate::domain::catalog::{ScopeDetails, example_modules, example_scopes};
use crate::domain::tokens::{Action, Lifecycle, SecretToken, TokenStatus, TokenType};
use crate::domain::validation::name_key;
use crate::on_backend;
use crate::startup::open_database;

const WORDS: [&str; 20] = [
    "billing",
    "orders",
    "catalog",
    "sync",
    "export",
    "import",
    "nightly",
    "partner",
    "mobile",
    "web",
    "reports",
    "ledger",
    "payments",
    "search",
    "inventory",
    "shipping",
    "analytics",
    "backup",
    "audit",
    "feed",
];
/// Rows per INSERT statement: 18 values each, within both backends' limits.
const ROWS_PER_INSERT: usize = 1000;
/// Rows per transaction: each commit rewrites the index pages it touched, and random
/// keys touch most of them; fewer, larger commits write far less.
const ROWS_PER_TRANSACTION: usize = 100_000;

#[derive(Insertable)]
#[diesel(table_name = api_tokens, treat_none_as_default_value = false)]
struct SeedToken {
    guid: String,
    name: String,
    name_key: String,
    description: String,
    token_type: TokenType,
    secret_digest: String,
    secret_hint: String,
    valid_from: PrimitiveDateTime,
    valid_to: Option<PrimitiveDateTime>,
    disabled_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
    deleted_at: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
    last_used_at: Option<PrimitiveDateTime>,
    last_used_ip: Option<String>,
    status: i16,
    status_until: Option<PrimitiveDateTime>,
}

pub fn run(database: &DatabaseArgs, args: SeedArgs) -> anyhow::Result<()> {
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let mut scopes = example_scopes();
    scopes.extend((1..=7).map(|i| ScopeDetails {
        name: format!("Team {i:02}"),
        description: String::new(),
    }));
    catalog::add_examples(&mut conn, &example_modules(), &scopes)?;
    let scope_ids: Vec<i64> = catalog::list_scopes(&mut conn)?
        .iter()
        .map(|s| s.id)
        .collect();
    let module_ids: Vec<i64> = catalog::list_modules(&mut conn)?
        .iter()
        .map(|m| m.module.id)
        .collect();

    if let DbConnection::Sqlite(sqlite) = &mut *conn {
        // Inserts land at random places in the GUID and digest indexes: with the
        // default 2 MB page cache, most of them would read pages from disk.
        use diesel::connection::SimpleConnection;
        sqlite.batch_execute("PRAGMA cache_size = -524288")?;
    }
    let started = std::time::Instant::now();
    let mut secrets = args.secrets_file.as_deref().map(secrets_file).transpose()?;
    let total = args.tokens;
    // Tokens are made (random secrets, digests) on one core while the other writes.
    let (sender, batches) = mpsc::sync_channel::<Vec<Seeded>>(2);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(move || {
            let mut rng = rand::thread_rng();
            let now = now();
            let mut made = 0;
            while made < total {
                let size = ROWS_PER_TRANSACTION.min(total - made);
                let batch = (0..size)
                    .map(|i| token(&mut rng, now, made + i, total))
                    .collect();
                if sender.send(batch).is_err() {
                    return;
                }
                made += size;
            }
        });
        let mut rng = rand::thread_rng();
        let mut created = 0;
        for batch in batches {
            conn.transaction(|c| {
                for rows in batch.chunks(ROWS_PER_INSERT) {
                    insert(c, &mut rng, rows, &scope_ids, &module_ids)?;
                }
                anyhow::Ok(())
            })?;
            if let Some(file) = secrets.as_mut() {
                let now = now();
                for seeded in batch.iter().filter(|s| s.usable(now)) {
                    writeln!(file, "{}", seeded.secret.expose())?;
                }
            }
            created += batch.len();
            eprintln!("{created} tokens…");
        }
        Ok(())
    })?;
    if let Some(mut file) = secrets {
        file.flush()?;
    }
    use diesel::connection::SimpleConnection;
    match &mut *conn {
        // What autovacuum would do soon after a bulk load: statistics for the planner,
        // and a visibility map for index-only scans.
        DbConnection::Postgres(pg) => {
            pg.batch_execute("VACUUM ANALYZE api_tokens, api_token_scopes, api_token_permissions")?
        }
        // The load sits in the write-ahead log; moved into the database here, or the
        // next start's first write would wait for it.
        DbConnection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?,
    }
    println!(
        "Added {} example tokens in {:.1} s, across {} scopes and {} modules.",
        args.tokens,
        started.elapsed().as_secs_f64(),
        scope_ids.len(),
        module_ids.len()
    );
    Ok(())
}

/// A token to add, with the secret it was made from.
struct Seeded {
    row: SeedToken,
    lifecycle: Lifecycle,
    secret: SecretToken,
}

impl Seeded {
    /// Whether its secret passes verification now (for the secrets file).
    fn usable(&self, now: PrimitiveDateTime) -> bool {
        self.lifecycle.status(now) == TokenStatus::Active
    }
}

/// The file the usable secrets are written to, one per line, readable by its owner
/// only: for benchmarks that present many distinct tokens.
fn secrets_file(path: &Path) -> anyhow::Result<BufWriter<std::fs::File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    Ok(BufWriter::new(file))
}

/// The example token number `index` of `total`. They were created over the past
/// year in the order of their numbers, as IDs grow with time in a real database
/// (which also keeps the time-ordered indexes' inserts at their ends).
fn token(
    rng: &mut (impl Rng + rand::CryptoRng),
    now: PrimitiveDateTime,
    index: usize,
    total: usize,
) -> Seeded {
    let secret = SecretToken::generate_with(rng);
    let year = Duration::days(365).whole_seconds() as f64;
    let age = year * (total - index) as f64 / total as f64;
    let created_at = now - Duration::seconds(age as i64 + 3600);
    let name = format!(
        "{} {} {index:06}",
        WORDS.choose(rng).expect("words"),
        WORDS.choose(rng).expect("words")
    );
    let valid_to = match rng.gen_range(0..10) {
        0 | 1 => None,
        n => Some(created_at + Duration::days([7, 30, 90, 365][n % 4])),
    };
    let roll = rng.gen_range(0..100);
    let token_type = match rng.gen_range(0..10) {
        0..=3 => TokenType::ReadOnly,
        4 | 5 => TokenType::FullAccess,
        _ => TokenType::Custom,
    };
    let used = rng.gen_bool(0.6);
    let lifecycle = Lifecycle {
        valid_from: created_at,
        valid_to,
        disabled_at: (roll < 5).then_some(created_at + Duration::hours(1)),
        revoked_at: (5..8)
            .contains(&roll)
            .then_some(created_at + Duration::hours(2)),
        deleted_at: (8..13)
            .contains(&roll)
            .then_some(created_at + Duration::hours(3)),
    };
    // Stored as the list reads it, so that no refresh follows the load.
    let (status, status_until) = stored_status(&lifecycle, now);
    let row = SeedToken {
        guid: uuid::Builder::from_random_bytes(rng.r#gen())
            .into_uuid()
            .hyphenated()
            .to_string(),
        name_key: name_key(&name),
        description: format!("Example token {index}"),
        token_type,
        secret_digest: secret.digest(),
        secret_hint: secret.hint(),
        valid_from: lifecycle.valid_from,
        valid_to: lifecycle.valid_to,
        disabled_at: lifecycle.disabled_at,
        revoked_at: lifecycle.revoked_at,
        deleted_at: lifecycle.deleted_at,
        created_at,
        updated_at: created_at,
        // Used some time after creation, never in the future.
        last_used_at: used
            .then(|| (created_at + Duration::minutes(rng.gen_range(1..50_000))).min(now)),
        last_used_ip: used
            .then(|| format!("10.0.{}.{}", rng.gen_range(0..256), rng.gen_range(1..255))),
        name,
        status,
        status_until,
    };
    Seeded {
        row,
        lifecycle,
        secret,
    }
}

fn insert(
    conn: &mut DbConnection,
    rng: &mut impl Rng,
    batch: &[Seeded],
    scope_ids: &[i64],
    module_ids: &[i64],
) -> anyhow::Result<()> {
    let rows: Vec<&SeedToken> = batch.iter().map(|s| &s.row).collect();
    let insert = diesel::insert_into(api_tokens::table)
        .values(rows)
        .returning((api_tokens::guid, api_tokens::id));
    let ids: HashMap<String, i64> = on_backend!(&mut *conn, |c| insert.get_results(c))?
        .into_iter()
        .collect();
    let mut scopes = Vec::new();
    let mut grants = Vec::new();
    for Seeded { row, .. } in batch {
        let id = ids[&row.guid];
        let count = rng.gen_range(1..=2);
        for scope in scope_ids.choose_multiple(rng, count) {
            scopes.push((
                api_token_scopes::token_id.eq(id),
                api_token_scopes::scope_id.eq(*scope),
            ));
        }
        if row.token_type == TokenType::Custom {
            let count = rng.gen_range(1..=3);
            for module in module_ids.choose_multiple(rng, count) {
                let action = *[Action::Read, Action::Write].choose(rng).expect("actions");
                grants.push((
                    api_token_permissions::token_id.eq(id),
                    api_token_permissions::module_id.eq(*module),
                    api_token_permissions::action.eq(action),
                ));
            }
        }
    }
    let insert = diesel::insert_into(api_token_scopes::table).values(&scopes);
    on_backend!(&mut *conn, |c| insert.execute(c))?;
    let insert = diesel::insert_into(api_token_permissions::table).values(&grants);
    on_backend!(&mut *conn, |c| insert.execute(c))?;
    Ok(())
}
