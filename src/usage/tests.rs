use super::*;
use time::macros::datetime;

fn orders() -> Option<(Arc<str>, Action)> {
    Some((Arc::from("orders"), Action::Read))
}

#[test]
fn answers_are_tallied_by_token_hour_outcome_and_access() {
    let counts = UsageCounts::default();
    let (first, second) = (TokenId(1), TokenId(2));
    for minute in 0..3 {
        counts.token(
            first,
            datetime!(2026-12-06 10:00) + time::Duration::minutes(minute),
            Outcome::Valid,
            orders(),
        );
    }
    counts.token(first, datetime!(2026-12-06 10:59), Outcome::Valid, None);
    counts.token(first, datetime!(2026-12-06 11:00), Outcome::Valid, orders());
    counts.token(first, datetime!(2026-12-06 10:30), Outcome::Expired, None);
    counts.token(
        second,
        datetime!(2026-12-06 10:30),
        Outcome::Valid,
        orders(),
    );

    let tokens = lock(&counts.tokens).clone();
    let (entries, uses) = entries_and_uses(tokens);
    let rows: Vec<TokenCount> = entries.iter().map(count_of).collect();
    let find = |token, hour: u8, outcome, access: bool| {
        rows.iter()
            .find(|r| {
                r.token_id == token
                    && r.hour.of_day == hour
                    && r.outcome == outcome
                    && r.access.is_some() == access
            })
            .map(|r| r.requests)
    };
    assert_eq!(rows.len(), 5);
    assert_eq!(find(first, 10, Outcome::Valid, true), Some(3));
    assert_eq!(find(first, 10, Outcome::Valid, false), Some(1));
    assert_eq!(find(first, 11, Outcome::Valid, true), Some(1));
    assert_eq!(find(first, 10, Outcome::Expired, false), Some(1));
    assert_eq!(find(second, 10, Outcome::Valid, true), Some(1));
    assert!(
        rows.windows(2)
            .all(|w| (w[0].token_id, w[0].hour) <= (w[1].token_id, w[1].hour))
    );

    let mut uses = uses;
    uses.sort_by_key(|u| u.token_id);
    assert_eq!(uses.len(), 2, "one latest use per token, module and action");
    assert_eq!(uses[0].at, datetime!(2026-12-06 11:00));
    assert_eq!(
        (uses[0].module.as_str(), uses[0].action),
        ("orders", Action::Read)
    );
    assert_eq!(uses[1].at, datetime!(2026-12-06 10:30));
}

#[test]
fn unknown_tokens_are_counted_in_full_with_a_bounded_list_of_addresses() {
    let counts = UsageCounts::default();
    let at = datetime!(2026-12-06 23:59:59);
    let address = |i: u32| IpAddr::from((0x0a00_0000 + i).to_be_bytes());
    for i in 0..(MAX_UNKNOWN_ADDRESSES as u32 + 10) {
        counts.unknown(at, Some(address(i)));
    }
    for _ in 0..5 {
        counts.unknown(at, Some(address(7)));
    }
    counts.unknown(datetime!(2026-12-07 00:00), Some(address(7)));
    counts.unknown(at, None);

    let unknown = lock(&counts.unknown);
    assert_eq!(unknown.per_address.len(), MAX_UNKNOWN_ADDRESSES);
    let rows = rows_of_unknown(&unknown);
    let totals: Vec<(Hour, i64)> = rows
        .iter()
        .filter(|r| r.client_ip.is_none())
        .map(|r| (r.hour, r.requests))
        .collect();
    assert_eq!(totals.len(), 2);
    assert!(totals.contains(&(Hour::of(at), MAX_UNKNOWN_ADDRESSES as i64 + 16)));
    let late = rows
        .iter()
        .filter(|r| r.hour == Hour::of(at) && r.client_ip.is_some());
    let late: Vec<&UnknownCount> = late.collect();
    assert_eq!(late.len(), TOP_UNKNOWN_ADDRESSES);
    assert_eq!(late.iter().map(|r| r.requests).max(), Some(6));
    // The next hour's request is in its total; the list of addresses was full.
    let next = Hour::of(datetime!(2026-12-07 00:00));
    assert!(totals.contains(&(next, 1)));
    assert!(!rows.iter().any(|r| r.hour == next && r.client_ip.is_some()));
}

#[test]
fn tallies_that_could_not_be_written_are_added_to_the_new_ones() {
    let counts = UsageCounts::default();
    let at = datetime!(2026-12-06 10:00);
    counts.token(TokenId(1), at, Outcome::Valid, None);
    counts.unknown(at, Some(IpAddr::from([10, 0, 0, 1])));
    let taken = std::mem::take(&mut *lock(&counts.tokens));
    let unknown = std::mem::take(&mut *lock(&counts.unknown));
    counts.token(TokenId(1), at, Outcome::Valid, None);
    counts.put_back(taken, unknown);
    let (entries, _) = entries_and_uses(lock(&counts.tokens).clone());
    let rows: Vec<TokenCount> = entries.iter().map(count_of).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].requests, 2);
    assert_eq!(lock(&counts.unknown).per_hour[&Hour::of(at)], 1);
}
