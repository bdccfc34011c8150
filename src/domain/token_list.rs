//! What the API tokens list shows: filters, sort order and page position, read from
//! and written back to the query string so any view can be bookmarked and shared.

mod count;
mod cursor;
mod expiring;
mod page;
mod search;
mod unused;

pub use count::{EXACT_COUNT_LIMIT, StatusCounts, TokenCount};
pub use cursor::{Cursor, CursorValue};
pub use expiring::ExpiringWithin;
pub use page::{PageSize, first_position};
pub use search::{looks_like_guid, words};
pub use unused::UnusedFor;

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
    /// Tokens that may call this module (all but Custom tokens may call every one).
    pub module_id: Option<i64>,
    pub status: StatusFilter,
    /// Active tokens whose validity ends within this time.
    pub expiring: Option<ExpiringWithin>,
    pub unused: Option<UnusedFor>,
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
            module_id: None,
            status: StatusFilter::AllButDeleted,
            expiring: None,
            unused: None,
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
    pub module: String,
    /// The creating administrator's ID.
    #[serde(default)]
    pub creator: String,
    #[serde(default)]
    pub unused: String,
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
        // One search box finds names and GUIDs; `guid` is for links made before.
        let (q, guid) = if self.guid.trim().is_empty() && looks_like_guid(&self.q) {
            ("", self.q.as_str())
        } else {
            (self.q.as_str(), self.guid.as_str())
        };
        let keywords = q
            .chars()
            .take(MAX_FILTER_CHARS)
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .take(MAX_KEYWORDS)
            .map(str::to_owned)
            .collect();
        let guid = Some(guid.trim().to_lowercase())
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
            created_by: self.creator.trim().parse().ok().map(AdministratorId),
            module_id: self.module.trim().parse().ok(),
            status: StatusFilter::from_key(self.status.trim()),
            expiring: ExpiringWithin::from_key(&self.expiring),
            unused: UnusedFor::from_key(&self.unused),
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
        let search = self.search_text();
        let guid = self.guid.as_deref().filter(|g| !looks_like_guid(g));
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let scope = number(self.scope_id);
        let creator = number(self.created_by.map(|a| a.0));
        let module = number(self.module_id);
        let unused = number(self.unused.map(UnusedFor::days));
        let page_size = self.page_size.key();
        let expiring = number(self.expiring.map(ExpiringWithin::days));
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", search.as_str()),
            ("guid", guid.unwrap_or("")),
            ("scope", scope.as_str()),
            ("status", self.status.key()),
            ("expiring", expiring.as_str()),
            ("module", module.as_str()),
            ("creator", creator.as_str()),
            ("unused", unused.as_str()),
            ("sort", self.sort.key()),
            ("dir", self.direction.key()),
            ("per_page", page_size.as_str()),
        ];
        pairs.extend_from_slice(extra);
        let pairs: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    }

    /// What the search box holds: the words of the name, or the GUID looked for.
    pub fn search_text(&self) -> String {
        match &self.guid {
            Some(guid) if self.keywords.is_empty() && looks_like_guid(guid) => guid.clone(),
            _ => self.keywords.join(" "),
        }
    }
}

#[cfg(test)]
mod tests;
