//! What the API tokens list shows: filters, sort order and page position, read from
//! and written back to the query string so any view can be bookmarked and shared.

mod count;
mod cursor;
mod expiring;
mod page;
mod search;

pub use count::{EXACT_COUNT_LIMIT, StatusCounts, TokenCount};
pub use cursor::{Cursor, CursorValue};
pub use expiring::ExpiringWithin;
pub use page::{PageSize, first_position};
pub use search::words;

use time::PrimitiveDateTime;
use time::macros::datetime;

use super::ids::AdministratorId;
use super::tokens::TokenStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Status,
    Created,
    LastUsed,
    Expires,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Name,
        SortKey::Status,
        SortKey::Created,
        SortKey::LastUsed,
        SortKey::Expires,
    ];

    /// "Never used" sorts as the oldest use; "never expires" as the latest expiry.
    pub const NEVER_USED: PrimitiveDateTime = datetime!(0001-01-01 00:00:00);
    pub const NEVER_USED_SQL: &'static str = "0001-01-01 00:00:00";
    pub const NEVER_EXPIRES: PrimitiveDateTime = datetime!(9999-12-31 23:59:59);
    pub const NEVER_EXPIRES_SQL: &'static str = "9999-12-31 23:59:59";

    pub fn key(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::Created => "created",
            SortKey::LastUsed => "last_used",
            SortKey::Expires => "expires",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Status => "Status",
            SortKey::Created => "Created",
            SortKey::LastUsed => "Last used",
            SortKey::Expires => "Expires",
        }
    }

    /// The order a column starts in when first chosen: A to Z, newest first,
    /// soonest expiry first, active first.
    pub fn default_direction(self) -> SortDirection {
        match self {
            SortKey::Name | SortKey::Status | SortKey::Expires => SortDirection::Asc,
            SortKey::Created | SortKey::LastUsed => SortDirection::Desc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    pub const ALL: [SortDirection; 2] = [SortDirection::Asc, SortDirection::Desc];

    pub fn key(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            SortDirection::Asc => SortDirection::Desc,
            SortDirection::Desc => SortDirection::Asc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// The default: everything but deleted tokens.
    AllButDeleted,
    /// Everything not active, deleted tokens excepted.
    Inactive,
    Is(TokenStatus),
}

impl StatusFilter {
    /// What a list may be narrowed to (leaving the filter out is the default).
    pub const CHOICES: [StatusFilter; 7] = [
        StatusFilter::Is(TokenStatus::Active),
        StatusFilter::Inactive,
        StatusFilter::Is(TokenStatus::Scheduled),
        StatusFilter::Is(TokenStatus::Expired),
        StatusFilter::Is(TokenStatus::Disabled),
        StatusFilter::Is(TokenStatus::Revoked),
        StatusFilter::Is(TokenStatus::Deleted),
    ];

    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::AllButDeleted => "",
            StatusFilter::Inactive => "inactive",
            StatusFilter::Is(status) => status.key(),
        }
    }

    pub fn from_key(key: &str) -> Self {
        match key {
            "inactive" => StatusFilter::Inactive,
            other => {
                TokenStatus::from_key(other).map_or(StatusFilter::AllButDeleted, StatusFilter::Is)
            }
        }
    }
}

super::keyed::keyed_words!(SortKey, SortKey::ALL);
super::keyed::keyed_words!(SortDirection, SortDirection::ALL);
super::keyed::keyed_words!(StatusFilter, StatusFilter::CHOICES);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFilter {
    /// Lower-cased; every one must appear in the name.
    pub keywords: Vec<String>,
    pub guid: Option<String>,
    pub scope_id: Option<i64>,
    pub created_by: Option<AdministratorId>,
    pub status: StatusFilter,
    /// Active tokens whose validity ends within this time.
    pub expiring: Option<ExpiringWithin>,
    pub sort: SortKey,
    pub direction: SortDirection,
    pub page_size: PageSize,
}

impl Default for TokenFilter {
    fn default() -> Self {
        Self {
            keywords: Vec::new(),
            guid: None,
            scope_id: None,
            created_by: None,
            status: StatusFilter::AllButDeleted,
            expiring: None,
            sort: SortKey::Created,
            direction: SortDirection::Desc,
            page_size: PageSize::DEFAULT,
        }
    }
}

/// The list's query string, as typed or bookmarked.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub guid: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub expiring: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub per_page: String,
    /// The position of the page's first token, from the page links.
    #[serde(default)]
    pub from: String,
}

const MAX_KEYWORDS: usize = 10;
const MAX_FILTER_CHARS: usize = 100;

impl ListQuery {
    /// Reads the filters leniently: unknown values fall back to the defaults, so an
    /// old or hand-edited link still shows a list.
    pub fn filter(&self) -> TokenFilter {
        let keywords = self
            .q
            .chars()
            .take(MAX_FILTER_CHARS)
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .take(MAX_KEYWORDS)
            .map(str::to_owned)
            .collect();
        let guid = Some(self.guid.trim().to_lowercase())
            .filter(|g| !g.is_empty())
            .map(|g| g.chars().take(MAX_FILTER_CHARS).collect());
        let sort = SortKey::from_key(&self.sort).unwrap_or(SortKey::Created);
        let direction = match self.dir.as_str() {
            "asc" => SortDirection::Asc,
            "desc" => SortDirection::Desc,
            _ => sort.default_direction(),
        };
        TokenFilter {
            keywords,
            guid,
            scope_id: self.scope.trim().parse().ok(),
            created_by: None,
            status: StatusFilter::from_key(self.status.trim()),
            expiring: ExpiringWithin::from_key(&self.expiring),
            sort,
            direction,
            page_size: PageSize::from_key(&self.per_page),
        }
    }

    /// Where the page starts; a cursor that does not fit the sort is ignored.
    pub fn cursor(&self, sort: SortKey) -> (Option<Cursor>, Option<Cursor>) {
        (
            Cursor::decode(&self.after, sort),
            Cursor::decode(&self.before, sort),
        )
    }
}

impl TokenFilter {
    /// The query string for this view; `extra` adds the page position.
    pub fn query_string(&self, extra: &[(&str, &str)]) -> String {
        let keywords = self.keywords.join(" ");
        let scope = self.scope_id.map(|s| s.to_string()).unwrap_or_default();
        let page_size = self.page_size.key();
        let expiring = self
            .expiring
            .map(|e| e.days().to_string())
            .unwrap_or_default();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", keywords.as_str()),
            ("guid", self.guid.as_deref().unwrap_or("")),
            ("scope", scope.as_str()),
            ("status", self.status.key()),
            ("expiring", expiring.as_str()),
            ("sort", self.sort.key()),
            ("dir", self.direction.key()),
            ("per_page", page_size.as_str()),
        ];
        pairs.extend_from_slice(extra);
        let pairs: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    }

    /// How many filters narrow the list (the sort order is not one).
    pub fn active_filters(&self) -> usize {
        [
            !self.keywords.is_empty(),
            self.guid.is_some(),
            self.scope_id.is_some(),
            self.status != StatusFilter::AllButDeleted,
            self.expiring.is_some(),
        ]
        .into_iter()
        .filter(|active| *active)
        .count()
    }

    pub fn is_filtered(&self) -> bool {
        self.active_filters() > 0
    }
}

#[cfg(test)]
mod tests {
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
}
