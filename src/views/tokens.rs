//! Settings > API tokens: the list, the form, the one-time reveal, the details tabs
//! and the confirmations.

pub mod bulk;
mod filters;
mod form;
pub mod history;
mod list;
pub mod questions;
mod reveal;
mod show;
mod usage;

pub use filters::*;
pub use form::*;
pub use list::*;
pub use reveal::*;
pub use show::*;
