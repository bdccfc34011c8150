//! Where a page of the list starts: the last row before it, as a value of the
//! sort order and an ID, written into the page links.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::PrimitiveDateTime;
use time::macros::format_description;

use super::SortKey;
use crate::domain::ids::TokenId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorValue {
    Text(String),
    Time(PrimitiveDateTime),
    Rank(i32),
}

/// The last row of a page: its sort value and ID. The next page starts after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub id: TokenId,
    pub value: CursorValue,
}

const TIME_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]");

impl Cursor {
    pub fn encode(&self) -> String {
        let value = match &self.value {
            CursorValue::Text(text) => text.clone(),
            CursorValue::Time(time) => time.format(TIME_FORMAT).unwrap_or_default(),
            CursorValue::Rank(rank) => rank.to_string(),
        };
        URL_SAFE_NO_PAD.encode(format!("{}\n{value}", self.id.0))
    }

    pub fn decode(encoded: &str, sort: SortKey) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (id, value) = text.split_once('\n')?;
        let value = match sort {
            SortKey::Name => CursorValue::Text(value.to_owned()),
            SortKey::Status => CursorValue::Rank(value.parse().ok()?),
            SortKey::Created | SortKey::LastUsed | SortKey::Expires => {
                CursorValue::Time(PrimitiveDateTime::parse(value, TIME_FORMAT).ok()?)
            }
        };
        Some(Self {
            id: TokenId(id.parse().ok()?),
            value,
        })
    }
}
