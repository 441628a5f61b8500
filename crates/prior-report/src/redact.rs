//! Redaction of honey values (issue 18): a report shows the values Prior put on or read from
//! the device, and found in the app's traffic, only as `35xxxxxxxxxx110` unless the operator
//! asks for them (`--show-values`).
//!
//! [`redact`] replaces, in **every** string of a report (messages, evidence, timeline details,
//! notes, the `transmission` section), every literal form of every honey value the report names
//! (`prior_analyze::transmission::literal_forms`: the value, its case and separator variants,
//! URL-encoded and base64 forms; for a location the value and its coordinates) and every
//! non-hash text found in a request, by [`mask`]. Hashes (MD5/SHA-1/SHA-256 hex) are kept:
//! they are what was sent, and the value they hide is redacted beside them. Every renderer
//! (text, JSON, HTML, SARIF, JUnit) renders the redacted report, so they all agree.
//!
//! Choice where the issue is silent: a value of fewer than [`MIN_SHOWN_LEN`] characters is
//! masked whole (keeping five of seven characters would show it); masks keep the length.

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use prior_analyze::Report;

/// Values shorter than this are masked whole.
pub const MIN_SHOWN_LEN: usize = 8;

/// `358240051111110` → `35xxxxxxxxxx110`: the first 2 and last 3 characters kept, the rest
/// `x`; shorter than [`MIN_SHOWN_LEN`] characters: all `x`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < MIN_SHOWN_LEN {
        return "x".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 2 || i + 3 >= n { *c } else { 'x' })
        .collect()
}

/// The texts to mask in this report, longest first.
pub fn secrets(report: &Report) -> Vec<String> {
    let Some(t) = &report.transmission else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for h in &t.honey {
        if let Some(v) = &h.value {
            out.extend(prior_analyze::transmission::literal_forms(&h.kind, v));
        }
    }
    for m in &t.matches {
        out.extend(prior_analyze::transmission::literal_forms(
            &m.kind, &m.value,
        ));
        if !m.hash {
            out.extend(m.matched.split(',').map(|s| s.trim().to_string()));
            out.push(m.matched.clone());
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    out.dedup();
    out
}

/// The report with every honey value masked (see the module documentation). A report
/// without a `transmission` section is returned unchanged.
pub fn redact(report: &Report) -> Report {
    let secrets = secrets(report);
    if secrets.is_empty() {
        return report.clone();
    }
    let Ok(ac) = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&secrets)
    else {
        return report.clone();
    };
    let masks: Vec<String> = secrets.iter().map(|s| mask(s)).collect();
    let Ok(mut v) = serde_json::to_value(report) else {
        return report.clone();
    };
    walk(&mut v, &|s: &str| ac.replace_all(s, &masks));
    serde_json::from_value(v).unwrap_or_else(|_| report.clone())
}

fn walk(v: &mut serde_json::Value, f: &dyn Fn(&str) -> String) {
    use serde_json::Value;
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| walk(x, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_two_and_three_characters_and_the_length() {
        assert_eq!(mask("861234567890123"), "86xxxxxxxxxx123");
        assert_eq!(mask("02:00:00:44:55:66"), "02xxxxxxxxxxxx:66");
        assert_eq!(mask("Ann"), "xxx");
        assert_eq!(mask("1234567"), "xxxxxxx");
        assert_eq!(mask("张三李四王五赵六"), "张三xxx五赵六");
    }
}
