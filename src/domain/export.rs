//! Exports: rows of cells written as CSV for spreadsheets or as JSON for programs.
//! A cell a spreadsheet would read as a formula is written as text.

use serde_json::Value;
use time::{Date, PrimitiveDateTime};

use super::timestamps::iso;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
        }
    }
}

/// What is exported, as files and the audit log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Tokens,
    AuditLog,
    TokenUsage,
}

impl ExportKind {
    pub fn key(self) -> &'static str {
        match self {
            ExportKind::Tokens => "api-tokens",
            ExportKind::AuditLog => "audit-log",
            ExportKind::TokenUsage => "token-usage",
        }
    }

    /// `api-tokens-2026-12-07.csv`: what (of which, if `of` says), and the day
    /// (UTC) it was taken.
    pub fn file_name(self, of: Option<&str>, day: Date, format: ExportFormat) -> String {
        let what = match of {
            Some(of) => format!("{}-{of}", self.key()),
            None => self.key().to_owned(),
        };
        format!("{what}-{day}.{}", format.extension())
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    /// A moment, or none (never, no end).
    Time(Option<PrimitiveDateTime>),
    List(Vec<String>),
}

impl Cell {
    /// As a CSV field: lists joined with "; ", moments in ISO 8601, text made safe
    /// for spreadsheets.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(text) => spreadsheet_safe(text),
            Cell::Number(n) => n.to_string(),
            Cell::Time(at) => at.as_ref().map(iso).unwrap_or_default(),
            Cell::List(items) => spreadsheet_safe(&items.join("; ")),
        }
    }

    pub fn json(&self) -> Value {
        match self {
            Cell::Text(text) => Value::from(text.as_str()),
            Cell::Number(n) => Value::from(*n),
            Cell::Time(at) => at.as_ref().map_or(Value::Null, |t| Value::from(iso(t))),
            Cell::List(items) => Value::from(items.clone()),
        }
    }
}

/// Text a spreadsheet would take for a formula (it begins with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading apostrophe, which spreadsheets show
/// as text and do not run (OWASP's advice on CSV injection).
pub fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// A row as a JSON object, keyed by the columns.
pub fn json_row(columns: &[&str], row: &[Cell]) -> Value {
    Value::Object(
        columns
            .iter()
            .zip(row)
            .map(|(column, cell)| ((*column).to_owned(), cell.json()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        for formula in [
            "=HYPERLINK(\"http://evil\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let cell = Cell::Text(formula.to_owned()).csv();
            assert_eq!(cell, format!("'{formula}"));
        }
        assert_eq!(Cell::Text("Billing = prod".into()).csv(), "Billing = prod");
        assert_eq!(
            Cell::List(vec!["=cmd".into(), "Staging".into()]).csv(),
            "'=cmd; Staging"
        );
        // Numbers and moments are the exporter's own, never formulas.
        assert_eq!(Cell::Number(-3).csv(), "-3");
        assert_eq!(
            Cell::Time(Some(datetime!(2026-12-07 00:30))).csv(),
            "2026-12-07T00:30:00Z"
        );
        assert_eq!(Cell::Time(None).csv(), "");
    }

    #[test]
    fn json_keeps_the_values_as_they_are() {
        let row = json_row(
            &["name", "scopes", "valid_to", "uses"],
            &[
                Cell::Text("=not a formula in JSON".into()),
                Cell::List(vec!["Production".into()]),
                Cell::Time(None),
                Cell::Number(4),
            ],
        );
        assert_eq!(
            row,
            serde_json::json!({
                "name": "=not a formula in JSON",
                "scopes": ["Production"],
                "valid_to": null,
                "uses": 4,
            })
        );
    }

    #[test]
    fn file_names_carry_the_day() {
        assert_eq!(
            ExportKind::Tokens.file_name(None, date!(2026 - 12 - 07), ExportFormat::Csv),
            "api-tokens-2026-12-07.csv"
        );
        assert_eq!(
            ExportKind::AuditLog.file_name(None, date!(2027 - 01 - 31), ExportFormat::Json),
            "audit-log-2027-01-31.json"
        );
        assert_eq!(
            ExportKind::TokenUsage.file_name(
                Some("0b8f-24h"),
                date!(2027 - 01 - 31),
                ExportFormat::Csv
            ),
            "token-usage-0b8f-24h-2027-01-31.csv"
        );
    }
}
