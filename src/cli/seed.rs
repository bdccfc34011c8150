//! `tessera seed`: fills the database with example tokens across scopes and modules,
//! to try Tessera out with a realistic list, or to measure it.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use rand::Rng;
use rand::seq::SliceRandom;
use time::{Duration, PrimitiveDateTime};

use crate::config::{DatabaseArgs, SeedArgs};
use crate::db::examples::{self, ExampleRow, ExampleToken};
use crate::db::token_status::stored_status;
use crate::db::{catalog, now};
use crate::domain::catalog::{ScopeDetails, example_modules, example_scopes};
use crate::domain::scopes::ScopeSet;
use crate::domain::tokens::{Action, Lifecycle, SecretToken, TokenStatus, TokenType};
use crate::domain::validation::name_key;
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
/// Rows per transaction: each commit rewrites the index pages it touched, and random
/// keys touch most of them; fewer, larger commits write far less.
const ROWS_PER_TRANSACTION: usize = 100_000;

mod usage;

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
    let modules: Vec<(i64, String)> = catalog::list_modules(&mut conn)?
        .into_iter()
        .map(|m| (m.module.id, m.module.module_key))
        .collect();

    examples::begin_bulk_load(&mut conn)?;
    let started = std::time::Instant::now();
    let mut secrets = args.secrets_file.as_deref().map(secrets_file).transpose()?;
    let total = args.tokens;
    // Tokens are made (random secrets, digests) on one core while the other writes.
    let (sender, batches) = mpsc::sync_channel::<Batch>(2);
    let catalog = (scope_ids.as_slice(), modules.as_slice());
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(move || {
            let mut rng = rand::thread_rng();
            let now = now();
            let mut made = 0;
            while made < total {
                let size = ROWS_PER_TRANSACTION.min(total - made);
                let mut batch = Batch::default();
                for i in 0..size {
                    let (token, lifecycle, secret) = token(&mut rng, now, made + i, total, catalog);
                    batch.tokens.push(token);
                    batch.secrets.push((lifecycle, secret));
                }
                if sender.send(batch).is_err() {
                    return;
                }
                made += size;
            }
        });
        let mut created = 0;
        for batch in batches {
            examples::insert(&mut conn, &batch.tokens)?;
            if let Some(file) = secrets.as_mut() {
                // The secrets that pass verification now.
                let now = now();
                for (_, secret) in batch
                    .secrets
                    .iter()
                    .filter(|(l, _)| l.status(now) == TokenStatus::Active)
                {
                    writeln!(file, "{}", secret.expose())?;
                }
            }
            created += batch.tokens.len();
            eprintln!("{created} tokens…");
        }
        Ok(())
    })?;
    if let Some(mut file) = secrets {
        file.flush()?;
    }
    examples::end_bulk_load(&mut conn)?;
    println!(
        "Added {} example tokens in {:.1} s, across {} scopes and {} modules.",
        args.tokens,
        started.elapsed().as_secs_f64(),
        scope_ids.len(),
        modules.len()
    );
    Ok(())
}

/// Tokens to add, with the dates and secret each was made from.
#[derive(Default)]
struct Batch {
    tokens: Vec<ExampleToken>,
    secrets: Vec<(Lifecycle, SecretToken)>,
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
    (scope_ids, modules): (&[i64], &[(i64, String)]),
) -> (ExampleToken, Lifecycle, SecretToken) {
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
    let mut row = ExampleRow {
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
        scope_set: String::new(),
    };
    let scope_count = rng.gen_range(1..=2);
    let scope_ids: Vec<i64> = scope_ids
        .choose_multiple(rng, scope_count)
        .copied()
        .collect();
    row.scope_set = ScopeSet::of(scope_ids.clone()).key().to_owned();
    let grants: Vec<(&(i64, String), Action)> = if token_type == TokenType::Custom {
        let count = rng.gen_range(1..=3);
        modules
            .choose_multiple(rng, count)
            .map(|module| {
                (
                    module,
                    *[Action::Read, Action::Write].choose(rng).expect("actions"),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let (mut uses, mut clients) = (Vec::new(), Vec::new());
    if let (Some(last), Some(address)) = (row.last_used_at, row.last_used_ip.as_deref()) {
        let used = usage::Used {
            created: created_at,
            last,
            address,
        };
        let granted: Vec<(String, Action)> = grants
            .iter()
            .map(|((_, key), a)| (key.clone(), *a))
            .collect();
        uses = usage::uses(rng, &used, token_type, &granted, modules);
        clients = usage::clients(rng, &used);
    }
    let token = ExampleToken {
        row,
        scope_ids,
        grants: grants.iter().map(|((id, _), a)| (*id, *a)).collect(),
        uses,
        clients,
    };
    (token, lifecycle, secret)
}
