//! What a token action asks before it is done: in the dialog (with JavaScript) and
//! on a page of its own (without), in the same words.

use crate::urls::TokenPage;

pub struct Question {
    /// "Revoke", "Delete", "Regenerate": the title and question start with it.
    pub verb: &'static str,
    pub body: &'static str,
    pub button: &'static str,
    pub danger: bool,
    pub action: TokenPage,
    /// Offer a grace period for the previous secret (regenerate).
    pub grace: bool,
}

pub const REGENERATE: Question = Question {
    verb: "Regenerate",
    body: "A new secret replaces the current one, with the same settings. The new secret is shown once.",
    button: "Regenerate",
    danger: false,
    action: TokenPage::Regenerate,
    grace: true,
};

pub const REVOKE: Question = Question {
    verb: "Revoke",
    body: "The token stops working now, for good. Its valid-to date becomes now. This cannot be undone.",
    button: "Revoke token",
    danger: true,
    action: TokenPage::Revoke,
    grace: false,
};

pub const DELETE: Question = Question {
    verb: "Delete",
    body: "The token stops working for good and leaves the list; the Deleted status filter still shows it, and its history stays in the audit log.",
    button: "Delete token",
    danger: true,
    action: TokenPage::Delete,
    grace: false,
};
