//! The list's query string: read leniently, written back the same.

use super::*;
use crate::domain::ids::TokenId;
use proptest::prelude::*;

#[test]
fn an_empty_query_is_the_default_view() {
    assert_eq!(ListQuery::default().filter(), TokenFilter::default());
}

#[test]
fn keywords_are_split_and_lower_cased_and_unknown_values_fall_back() {
    let query = ListQuery {
        q: "  Billing  SYNC ".into(),
        guid: " 3F2A ".into(),
        scope: "7".into(),
        status: "inactive".into(),
        sort: "expires".into(),
        dir: "sideways".into(),
        ..ListQuery::default()
    };
    let filter = query.filter();
    assert_eq!(filter.keywords, vec!["billing", "sync"]);
    assert_eq!(filter.guid.as_deref(), Some("3f2a"));
    assert_eq!(filter.scope_id, Some(7));
    assert_eq!(filter.status, StatusFilter::Inactive);
    assert_eq!(filter.sort, SortKey::Expires);
    assert_eq!(filter.direction, SortDirection::Asc);
    let bogus = ListQuery {
        status: "exploded".into(),
        sort: "price".into(),
        scope: "x".into(),
        ..ListQuery::default()
    };
    assert_eq!(bogus.filter(), TokenFilter::default());
}

#[test]
fn the_query_string_round_trips() {
    let query = ListQuery {
        q: "billing sync".into(),
        status: "revoked".into(),
        sort: "name".into(),
        dir: "desc".into(),
        ..ListQuery::default()
    };
    let filter = query.filter();
    let text = filter.query_string(&[]);
    assert_eq!(text, "q=billing+sync&status=revoked&sort=name&dir=desc");
    let parsed: ListQuery = serde_html_form::from_str(&text).unwrap();
    assert_eq!(parsed.filter(), filter);
}

#[test]
fn one_box_searches_names_and_guids_and_every_filter_round_trips() {
    let query = ListQuery {
        q: "7AAADCBB-4f1e".into(),
        module: "3".into(),
        creator: "12".into(),
        unused: "90".into(),
        expiring: "30".into(),
        ..ListQuery::default()
    };
    let filter = query.filter();
    assert!(filter.keywords.is_empty());
    assert_eq!(filter.guid.as_deref(), Some("7aaadcbb-4f1e"));
    assert_eq!(filter.search_text(), "7aaadcbb-4f1e");
    assert_eq!(filter.module_id, Some(3));
    assert_eq!(filter.created_by, Some(AdministratorId(12)));
    assert_eq!(filter.unused.map(UnusedFor::days), Some(90));
    let text = filter.query_string(&[]);
    assert_eq!(
        text,
        "q=7aaadcbb-4f1e&expiring=30&module=3&creator=12&unused=90&sort=created&dir=desc"
    );
    let parsed: ListQuery = serde_html_form::from_str(&text).unwrap();
    assert_eq!(parsed.filter(), filter);

    let words = ListQuery {
        q: "billing 2026-12-07".into(),
        guid: "3f2a".into(),
        ..ListQuery::default()
    }
    .filter();
    assert_eq!(words.keywords, ["billing", "2026-12-07"]);
    assert_eq!(words.guid.as_deref(), Some("3f2a"));
    assert_eq!(words.search_text(), "billing 2026-12-07");
    assert!(words.query_string(&[]).contains("guid=3f2a"));
}

#[test]
fn cursors_round_trip_for_every_sort() {
    let cursors = [
        (SortKey::Name, CursorValue::Text("billing\nsync ü".into())),
        (
            SortKey::Created,
            CursorValue::Time(datetime!(2026-11-23 17:54:31.123456)),
        ),
        (SortKey::Expires, CursorValue::Time(SortKey::NEVER_EXPIRES)),
        (SortKey::LastUsed, CursorValue::Time(SortKey::NEVER_USED)),
        (SortKey::Status, CursorValue::Rank(3)),
    ];
    for (sort, value) in cursors {
        let cursor = Cursor {
            id: TokenId(42),
            value,
        };
        assert_eq!(Cursor::decode(&cursor.encode(), sort), Some(cursor));
    }
    assert_eq!(Cursor::decode("!!", SortKey::Name), None);
    let time_cursor = Cursor {
        id: TokenId(1),
        value: CursorValue::Time(SortKey::NEVER_USED),
    };
    assert_eq!(Cursor::decode(&time_cursor.encode(), SortKey::Status), None);
}

proptest! {
    #[test]
    fn any_query_string_gives_a_filter(q in ".{0,300}", guid in ".{0,80}", after in ".{0,80}") {
        let query = ListQuery { q, guid, after, ..ListQuery::default() };
        let filter = query.filter();
        prop_assert!(filter.keywords.len() <= MAX_KEYWORDS);
        let _ = query.cursor(filter.sort);
        let _ = filter.query_string(&[]);
    }
}
