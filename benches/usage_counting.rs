//! What counting adds to each verification: the time of `UsageCounts::token`, the
//! one call the verification path makes, for one token (S1) and for 100,000 in
//! turn (S5), with and without a module. The fastest of several runs of a few
//! million calls: little moved by what else the machine runs, unlike throughput.
//! `cargo bench --bench usage_counting`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use tessera::domain::ids::TokenId;
use tessera::domain::tokens::Action;
use tessera::domain::verification::Outcome;
use tessera::usage::UsageCounts;

// A quick pass when built without optimisations (`cargo test --all-targets`).
const CALLS: i64 = if cfg!(debug_assertions) {
    10_000
} else {
    3_000_000
};
const RUNS: usize = if cfg!(debug_assertions) { 1 } else { 7 };

fn fastest(label: &str, tokens: i64, module: Option<Arc<str>>) {
    let now = tessera::db::now();
    let mut best = f64::MAX;
    for _ in 0..RUNS {
        // A fresh tally, as after a flush.
        let counts = UsageCounts::default();
        let started = Instant::now();
        for i in 0..CALLS {
            let access = module.clone().map(|m| (m, Action::Read));
            counts.token(black_box(TokenId(i % tokens)), now, Outcome::Valid, access);
        }
        best = best.min(started.elapsed().as_nanos() as f64 / CALLS as f64);
    }
    println!("| {label} | {best:.0} |");
}

fn main() {
    println!("| Calls to `UsageCounts::token` | ns per call (fastest of {RUNS} runs of {CALLS}) |");
    println!("| --- | --- |");
    fastest("one token, no module (S1)", 1, None);
    fastest(
        "one token, a module and action",
        1,
        Some(Arc::from("orders")),
    );
    fastest("100,000 tokens in turn (S5)", 100_000, None);
}
