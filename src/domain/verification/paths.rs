//! Which module and action a proxied request asks for: forward-auth's path and
//! method rules.

use crate::domain::tokens::Action;

/// The action an HTTP method performs: reading methods read, the rest write.
pub fn action_of_method(method: &str) -> Action {
    if ["GET", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
    {
        Action::Read
    } else {
        Action::Write
    }
}

/// The module a normalised request path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathModule<'a> {
    Module(&'a str),
    /// No module covers the path.
    Unmapped,
    /// The module would change if letter case were ignored (`/BILLING/1` under a
    /// catch-all `/` module while `/billing` is another's): an upstream that ignores
    /// case must not be reached under the wrong module.
    AmbiguousCase,
}

/// The module whose path prefix is the longest match for `path`, on whole segments:
/// `/orders` covers `/orders` and `/orders/7`, not `/ordersfoo`. Prefixes match
/// case-sensitively, as URL paths do, and only when ignoring case picks the same one.
pub fn module_for_path<'a>(path: &str, prefixes: &'a [(String, String)]) -> PathModule<'a> {
    let (mut exact, mut folded) = (Longest::default(), Longest::default());
    for (prefix, key) in prefixes {
        // What covers the path exactly covers it ignoring case too.
        if covers(prefix, path, true) {
            folded.offer(prefix.len(), key);
            if covers(prefix, path, false) {
                exact.offer(prefix.len(), key);
            }
        }
    }
    if exact.key() != folded.key() {
        return PathModule::AmbiguousCase;
    }
    match exact.key() {
        Some(Some(key)) => PathModule::Module(key),
        _ => PathModule::Unmapped,
    }
}

/// The longest covering prefix seen so far: its length, and its module's key, or
/// `None` when prefixes of several modules have that length.
#[derive(Debug, Default)]
struct Longest<'a> {
    length: Option<usize>,
    key: Option<&'a str>,
}

impl<'a> Longest<'a> {
    fn offer(&mut self, length: usize, key: &'a str) {
        match self.length {
            Some(longest) if longest > length => {}
            Some(longest) if longest == length => {
                if self.key != Some(key) {
                    self.key = None;
                }
            }
            _ => {
                *self = Self {
                    length: Some(length),
                    key: Some(key),
                }
            }
        }
    }

    /// `None` when nothing covers the path; `Some(None)` when several modules do.
    fn key(&self) -> Option<Option<&'a str>> {
        self.length.map(|_| self.key)
    }
}

fn covers(prefix: &str, path: &str, ignore_case: bool) -> bool {
    if prefix == "/" {
        return true;
    }
    let Some(head) = path.get(..prefix.len()) else {
        return false;
    };
    let same = if ignore_case {
        head.eq_ignore_ascii_case(prefix)
    } else {
        head == prefix
    };
    same && matches!(path.as_bytes().get(prefix.len()), None | Some(b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_map_to_actions() {
        for method in ["GET", "head", "OPTIONS"] {
            assert_eq!(action_of_method(method), Action::Read);
        }
        for method in ["POST", "PUT", "PATCH", "DELETE", "PURGE"] {
            assert_eq!(action_of_method(method), Action::Write);
        }
    }

    #[test]
    fn paths_map_to_the_longest_prefix_on_whole_segments() {
        let prefixes = vec![
            ("/orders".to_owned(), "orders".to_owned()),
            ("/orders/export".to_owned(), "exports".to_owned()),
            ("/catalog".to_owned(), "catalog".to_owned()),
        ];
        let module = |path| module_for_path(path, &prefixes);
        assert_eq!(module("/orders"), PathModule::Module("orders"));
        assert_eq!(module("/orders/42"), PathModule::Module("orders"));
        assert_eq!(module("/orders/export/2026"), PathModule::Module("exports"));
        assert_eq!(module("/ordersfoo"), PathModule::Unmapped);
        assert_eq!(module("/"), PathModule::Unmapped);
        assert_eq!(module("/catalog/"), PathModule::Module("catalog"));
    }

    #[test]
    fn a_module_that_depends_on_letter_case_is_ambiguous() {
        let prefixes = vec![
            ("/".to_owned(), "everything".to_owned()),
            ("/billing".to_owned(), "billing".to_owned()),
            ("/orders".to_owned(), "orders".to_owned()),
        ];
        let module = |path| module_for_path(path, &prefixes);
        assert_eq!(module("/billing/1"), PathModule::Module("billing"));
        assert_eq!(module("/elsewhere"), PathModule::Module("everything"));
        // Under "/" to a case-sensitive server, Billing to one that ignores case.
        assert_eq!(module("/BILLING/1"), PathModule::AmbiguousCase);
        assert_eq!(module("/Orders"), PathModule::AmbiguousCase);
        // Without a catch-all, a differently cased path is refused as well...
        let strict = vec![("/orders".to_owned(), "orders".to_owned())];
        assert_eq!(
            module_for_path("/ORDERS/1", &strict),
            PathModule::AmbiguousCase
        );
        // ...and two modules whose prefixes differ only in case cover nothing.
        let twins = vec![
            ("/orders".to_owned(), "orders".to_owned()),
            ("/Orders".to_owned(), "legacy".to_owned()),
        ];
        assert_eq!(
            module_for_path("/orders/1", &twins),
            PathModule::AmbiguousCase
        );
        // Ignoring case may reach a longer prefix: no matter, when it is the same module's.
        let same = vec![
            ("/orders".to_owned(), "orders".to_owned()),
            ("/Orders/Export".to_owned(), "orders".to_owned()),
        ];
        assert_eq!(
            module_for_path("/orders/export/1", &same),
            PathModule::Module("orders")
        );
    }
}
