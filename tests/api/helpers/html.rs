//! Reading pages: a parsed document to ask about structure, and the values of
//! form fields.

use scraper::{ElementRef, Html, Selector};

/// A page parsed as a browser would, queried with CSS selectors.
pub struct Page(Html);

impl Page {
    pub fn parse(body: &str) -> Self {
        Self(Html::parse_document(body))
    }

    fn all<'a>(&'a self, css: &str) -> impl Iterator<Item = ElementRef<'a>> {
        let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"));
        // Collected: the selector does not outlive this call.
        self.0.select(&selector).collect::<Vec<_>>().into_iter()
    }

    /// How many elements match.
    pub fn count(&self, css: &str) -> usize {
        self.all(css).count()
    }

    /// The text of each matching element, with its white space collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.all(css)
            .map(|e| e.text().collect::<String>())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of each matching element as written, white space kept (code).
    pub fn raw_texts(&self, css: &str) -> Vec<String> {
        self.all(css).map(|e| e.text().collect()).collect()
    }

    /// The text of the first matching element.
    #[track_caller]
    pub fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing matches {css}"))
    }

    /// An attribute of every matching element that has it.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        self.all(css)
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }

    /// An attribute of the first matching element, as the browser reads it.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.all(css)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
    }
}

/// The value of the first input with this name.
pub fn hidden_value(body: &str, name: &str) -> Option<String> {
    Page::parse(body).attr(&format!("input[name=\"{name}\"]"), "value")
}

/// The value of the input with this id.
pub fn input_value(body: &str, id: &str) -> Option<String> {
    let page = Page::parse(body);
    page.attr(&format!("input[id=\"{id}\"]"), "value")
        .or_else(|| {
            // A text area holds its value as its text (the one-time secret).
            page.texts(&format!("textarea[id=\"{id}\"]"))
                .into_iter()
                .next()
        })
}

/// Undoes the HTML escaping of an attribute value (such as a link's href).
pub fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
}
