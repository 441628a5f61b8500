//! Renderers of an analysis [`Report`]: a terminal summary ([`render_text`]) and the stable
//! JSON form ([`render_json`], documented in `docs/report-json.md`).
//!
//! Architecture invariant: renderers only format; every decision (verdict, severity, phase)
//! was made by `prior-analyze`. Everything the app or the bundle controls (package names,
//! log lines, scenario names) is treated as hostile: control characters are escaped in text
//! output, so a log line cannot move the cursor or recolour the terminal.

mod text;

pub use text::render_text;

use prior_analyze::Report;

/// The report as pretty-printed JSON with a final newline. Field order is fixed and every list
/// is sorted by the analyzer, so the same report always gives the same bytes.
pub fn render_json(report: &Report) -> String {
    match serde_json::to_string_pretty(report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Unreachable in practice: the report holds only strings, numbers and lists.
        Err(e) => format!(
            "{{\n  \"error\": {}\n}}\n",
            serde_json::Value::String(format!("failed to serialise the report: {e}"))
        ),
    }
}

#[cfg(test)]
mod tests;
