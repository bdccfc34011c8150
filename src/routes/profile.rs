//! My profile: the signed-in administrator's name, password and sessions, and the
//! API tokens they created ("API token management"), and their keys for the
//! management API.

pub mod api_keys;
pub mod password;
pub mod show;
pub mod sign_out_everywhere;
pub mod tokens;

use crate::urls;
use crate::views::tokens::TabLink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileTab {
    Profile,
    Tokens,
    ApiKeys,
}

pub fn tabs(current: ProfileTab) -> Vec<TabLink> {
    [
        (ProfileTab::Profile, "My profile", urls::PROFILE),
        (
            ProfileTab::Tokens,
            "API token management",
            urls::PROFILE_TOKENS,
        ),
        (ProfileTab::ApiKeys, "API keys", urls::PROFILE_API_KEYS),
    ]
    .into_iter()
    .map(|(tab, label, href)| TabLink {
        label,
        href: href.to_owned(),
        current: tab == current,
    })
    .collect()
}
