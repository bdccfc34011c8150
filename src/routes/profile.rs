//! My profile: the signed-in administrator's name, password and sessions, and the
//! API tokens they created ("API token management"), and their keys for the
//! management API.

pub mod api_keys;
pub mod password;
pub mod show;
pub mod sign_out_everywhere;
pub mod tokens;

use crate::auth::CurrentAdmin;
use crate::domain::permissions::Permission;
use crate::urls;
use crate::views::tokens::TabLink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileTab {
    Profile,
    Tokens,
    ApiKeys,
}

/// The profile's tabs; the list of one's own tokens only for a role that makes them.
pub fn tabs(current: ProfileTab, admin: &CurrentAdmin) -> Vec<TabLink> {
    let makes_tokens = admin.can(Permission::TokensCreate);
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
    .filter(|(tab, _, _)| *tab != ProfileTab::Tokens || makes_tokens)
    .map(|(tab, label, href)| TabLink {
        label,
        href: href.to_owned(),
        current: tab == current,
    })
    .collect()
}
