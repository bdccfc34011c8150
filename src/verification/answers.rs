//! The JSON of a passing `/verify`, written straight into its buffer: the one answer
//! the hot path writes on every hit, so no serializer walks a structure for it and
//! only free text (names) is escaped.

use std::sync::Arc;

use time::PrimitiveDateTime;

use crate::domain::timestamps::push_iso;
use crate::domain::tokens::Action;

/// A JSON string, escaped as needed.
pub fn string(out: &mut Vec<u8>, value: &str) {
    // Writing a string into a Vec cannot fail.
    serde_json::to_writer(&mut *out, value).expect("a JSON string");
}

/// `["a", "b"]` from strings.
pub fn strings<'a>(out: &mut Vec<u8>, values: impl IntoIterator<Item = &'a str>) {
    out.push(b'[');
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, value);
    }
    out.push(b']');
}

/// Grants sorted by module key, as `{"module":["action",...],...}`.
pub fn permissions(out: &mut Vec<u8>, grants: &[(Arc<str>, Action)]) {
    out.push(b'{');
    for (i, same_module) in grants.chunk_by(|a, b| a.0 == b.0).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, &same_module[0].0);
        out.push(b':');
        strings(out, same_module.iter().map(|(_, action)| action.key()));
    }
    out.push(b'}');
}

/// A timestamp as a JSON string, or `null`.
pub fn timestamp(out: &mut Vec<u8>, value: Option<&PrimitiveDateTime>) {
    match value {
        Some(value) => {
            out.push(b'"');
            push_iso(out, value);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}
