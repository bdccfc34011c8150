//! An export's file, a batch of rows at a time: CSV with its header row (and a
//! byte order mark for spreadsheets), or a JSON array of objects.

use super::Reader;
use crate::domain::export::{Cell, ExportFormat, json_row};

pub struct FileWriter {
    format: ExportFormat,
    columns: Vec<String>,
    /// No row written yet (JSON separates rows with commas).
    empty: bool,
}

impl FileWriter {
    /// The writer, and the file's opening: the header row, or the array's bracket.
    pub fn open(
        format: ExportFormat,
        reader: Reader,
        columns: Vec<String>,
    ) -> anyhow::Result<(Self, Vec<u8>)> {
        let mut opening = Vec::new();
        match format {
            ExportFormat::Csv => {
                if reader == Reader::Spreadsheet {
                    opening.extend_from_slice("\u{feff}".as_bytes());
                }
                csv_rows(&mut opening, [columns.clone()])?;
            }
            ExportFormat::Json => opening.push(b'['),
        }
        let writer = Self {
            format,
            columns,
            empty: true,
        };
        Ok((writer, opening))
    }

    pub fn rows(&mut self, rows: &[Vec<Cell>]) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(rows.len() * 256);
        match self.format {
            ExportFormat::Csv => csv_rows(
                &mut out,
                rows.iter().map(|row| row.iter().map(Cell::csv).collect()),
            )?,
            ExportFormat::Json => {
                let names: Vec<&str> = self.columns.iter().map(String::as_str).collect();
                for row in rows {
                    out.extend_from_slice(if self.empty { b"\n" } else { b",\n" });
                    self.empty = false;
                    serde_json::to_writer(&mut out, &json_row(&names, row))?;
                }
            }
        }
        Ok(out)
    }

    /// The file's end: nothing for CSV, the closing bracket for JSON.
    pub fn close(&self) -> Vec<u8> {
        match self.format {
            ExportFormat::Csv => Vec::new(),
            ExportFormat::Json => b"\n]\n".to_vec(),
        }
    }
}

fn csv_rows(out: &mut Vec<u8>, rows: impl IntoIterator<Item = Vec<String>>) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.write_record(&row)?;
    }
    Ok(writer.flush()?)
}
