//! `prior sdks BUNDLE|APK`: SDKs present in the APK vs SDKs seen active before consent vs
//! after.
//!
//! * For an APK: the SDKs its dex files and manifest contain (static inventory only).
//! * For a bundle: the bundle is analysed (as `prior analyze` would) and every event of the
//!   timeline attributed to an SDK counts as that SDK being active, before consent (events
//!   before or at the consent answer) or after it. The APK, when given with `--apk` or found
//!   in the bundle as `meta.json`'s `apk_file`, adds the "present" column; SDKs active but not
//!   found in the APK are listed too (dynamic code loading, or a catalogue gap).
//! * An SDK active at run time but not in the APK read gets an explanation: which run-time
//!   signals recognised it (stack frames, hosts, components, log tags — the analyzer's
//!   attribution, from each event's actor reason) and why the APK shows nothing (a manifest-only
//!   APK such as Prior's demo apps has no code at all; otherwise code loaded at run time or a
//!   catalog gap).

use crate::commands::analyze::analyze_bundle;
use crate::commands::inspect::load_catalogue;
use crate::{CliError, CliResult, exit::Outcome};
use prior_apk::{Inventory, SdkCatalog};
use prior_model::{ActorKind, Phase};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Output formats of `prior sdks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `prior sdks`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A session bundle directory or an APK file.
    #[arg(value_name = "BUNDLE|APK")]
    path: PathBuf,
    /// The APK of the bundle's app (default: the bundle's own copy, when it has one).
    #[arg(long, value_name = "APK")]
    apk: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A complete SDK catalog replacing the built-in one (used for the APK; the analyzer's
    /// attribution uses the built-in catalog).
    #[arg(long = "sdk-catalog", alias = "sdk-catalogue", value_name = "FILE")]
    sdk_catalogue: Option<PathBuf>,
    /// Analyse a bundle even if files do not match MANIFEST.sha256.
    #[arg(long)]
    allow_modified: bool,
}

/// One SDK row.
#[derive(Debug, Clone, Default, Serialize)]
struct Row {
    id: Option<String>,
    name: String,
    category: Option<String>,
    /// In the APK: `Some(true/false)`, `None` when no APK was read. An SDK whose types are only
    /// referenced is not present (`confidence` says `referenced-only`).
    present: Option<bool>,
    /// How sure the inventory is (`embedded`, `likely`, `referenced-only`); `None` when the APK
    /// shows nothing of it or no APK was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<prior_apk::Confidence>,
    /// What decided `confidence` (the inventory's evidence, strongest first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<String>,
    /// Declares an auto-init provider.
    auto_init: bool,
    /// Events attributed to it before (or at) the consent answer.
    before_consent: u64,
    /// Events attributed to it after the consent answer.
    after_consent: u64,
    /// How the analyzer recognised it at run time: signal (`stack frame`, `host`, `component`,
    /// `log tag`) → events.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    recognised_by: BTreeMap<&'static str, u64>,
    /// Why an SDK the APK does not contain was active (set only for such rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// The analyzer's attribution signal an actor reason starts with
/// (`prior_analyze::attribution::Basis`, rendered as "stack frame com.umeng… (confidence high)").
fn signal_of(reason: Option<&str>) -> &'static str {
    let r = reason.unwrap_or("");
    ["stack frame", "component", "host", "log tag"]
        .into_iter()
        .find(|b| r.starts_with(&format!("{b} ")))
        .unwrap_or("other")
}

/// The explanation of an SDK that was active but is not in the APK read.
fn absent_but_active_note(row: &Row, apk_has_code: bool) -> String {
    let plural = |s: &str, n: u64| match (s, n) {
        (_, 1) => format!("{s} (1 event)"),
        ("stack frame", _) => format!("stack frames ({n} events)"),
        ("log tag", _) => format!("log tags ({n} events)"),
        (s, _) => format!("{s}s ({n} events)"),
    };
    let signals: Vec<String> = row
        .recognised_by
        .iter()
        .map(|(s, n)| plural(s, *n))
        .collect();
    let how = if signals.is_empty() {
        "its events".to_string()
    } else {
        signals.join(", ")
    };
    if row.confidence == Some(prior_apk::Confidence::ReferencedOnly) {
        format!(
            "the APK only references its types ({}), yet it was recognised at run time by {how}: \
             code loaded at run time (a plugin or a downloaded DEX) or an entry point the SDK \
             catalog does not list",
            row.evidence.join("; ")
        )
    } else if apk_has_code {
        format!(
            "not found in the APK's code or manifest, yet recognised at run time by {how}: \
             code loaded at run time (a plugin or a downloaded DEX) or a gap in the SDK catalog"
        )
    } else {
        format!(
            "the APK carries no code at all (no classes*.dex: a manifest-only APK, like Prior's \
             demo apps whose behaviour lives in the simulated handset's models), so no SDK can \
             be found in it; this SDK was recognised at run time by {how}"
        )
    }
}

#[derive(Debug, Serialize)]
struct Output {
    apk: Option<String>,
    bundle: Option<String>,
    /// Events of the bundle's timeline looked at, and how many the session had (the analyzer
    /// keeps at most 2000 in the timeline; counts then cover the earliest ones only).
    events_counted: Option<u64>,
    events_total: Option<u64>,
    /// Whether the APK read has any DEX code (`None` when no APK was read).
    apk_has_code: Option<bool>,
    sdks: Vec<Row>,
}

/// Runs `prior sdks`.
pub fn run(args: Args) -> CliResult {
    let catalog = load_catalogue(args.sdk_catalogue.as_deref())?;
    let is_bundle = args.path.is_dir();
    let apk_path = if is_bundle {
        args.apk.clone().or_else(|| bundle_apk(&args.path))
    } else {
        Some(args.path.clone())
    };
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut counted = None;
    let mut apk_has_code = None;
    if let Some(apk) = &apk_path {
        let inv = Inventory::read(apk, &catalog)
            .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
        apk_has_code = Some(!inv.dex.is_empty());
        for h in inv.sdks {
            rows.insert(
                h.name.clone(),
                Row {
                    id: Some(h.id),
                    name: h.name,
                    category: Some(h.category),
                    present: Some(h.confidence != prior_apk::Confidence::ReferencedOnly),
                    confidence: Some(h.confidence),
                    evidence: h.evidence,
                    auto_init: h.auto_init,
                    ..Row::default()
                },
            );
        }
    }
    if is_bundle {
        let report = analyze_bundle(&args.path, None, None, args.allow_modified)?;
        counted = Some((report.timeline.len() as u64, report.timeline_total));
        for t in &report.timeline {
            let Some(a) = &t.event.actor else { continue };
            if a.kind != ActorKind::Sdk {
                continue;
            }
            let row = rows
                .entry(a.name.clone())
                .or_insert_with(|| new_row(&catalog, &a.name, apk_path.is_some()));
            match t.phase {
                Phase::AfterConsent => row.after_consent += 1,
                _ => row.before_consent += 1,
            }
            *row.recognised_by
                .entry(signal_of(a.reason.as_deref()))
                .or_default() += 1;
        }
        if let Some(has_code) = apk_has_code {
            for row in rows.values_mut() {
                if row.present == Some(false) && row.before_consent + row.after_consent > 0 {
                    row.note = Some(absent_but_active_note(row, has_code));
                }
            }
        }
    }
    let out = Output {
        apk: apk_path.as_ref().map(|p| p.display().to_string()),
        bundle: is_bundle.then(|| args.path.display().to_string()),
        events_counted: counted.map(|c| c.0),
        events_total: counted.map(|c| c.1),
        apk_has_code,
        sdks: rows.into_values().collect(),
    };
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&out)
                .map_err(|e| CliError::input_msg(format!("failed to serialise: {e}")))?;
            s.push('\n');
            s
        }
        Format::Text => to_text(&out, is_bundle),
    };
    super::out(&text)?;
    Ok(Outcome::Done)
}

fn new_row(catalog: &SdkCatalog, name: &str, apk_read: bool) -> Row {
    let entry = catalog.sdks.iter().find(|s| s.name == name);
    Row {
        id: entry.map(|s| s.id.clone()),
        name: name.to_owned(),
        category: entry.map(|s| s.category.clone()),
        present: apk_read.then_some(false),
        ..Row::default()
    }
}

/// The bundle's copy of the APK, when `meta.json` names one that exists inside the bundle.
fn bundle_apk(dir: &Path) -> Option<PathBuf> {
    // Read like every bundle file: no link followed, no FIFO opened blocking, capped.
    let meta = super::report::read_meta(dir)?;
    let name = meta["app"]["apk_file"].as_str()?;
    // Only a plain file name inside the bundle: never follow a path out of it.
    if name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return None;
    }
    let p = dir.join(name);
    // The entry itself must be a regular file, not a link out of the bundle.
    p.symlink_metadata().is_ok_and(|m| m.is_file()).then_some(p)
}

fn to_text(out: &Output, is_bundle: bool) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    match (&out.apk, &out.bundle) {
        (Some(a), Some(b)) => {
            let _ = writeln!(o, "SDKs of bundle {b} (APK {a}):");
        }
        (None, Some(b)) => {
            let _ = writeln!(
                o,
                "SDKs of bundle {b} (no APK read: pass --apk to see which SDKs it contains):"
            );
        }
        (Some(a), None) => {
            let _ = writeln!(o, "SDKs in {a}:");
        }
        (None, None) => {}
    }
    if let (Some(n), Some(total)) = (out.events_counted, out.events_total)
        && n < total
    {
        let _ = writeln!(
            o,
            "  (activity counted over the earliest {n} of {total} events: the analyzer's timeline limit)"
        );
    }
    if out.sdks.is_empty() {
        let _ = writeln!(o, "  none found");
        if out.apk_has_code == Some(false) {
            let _ = writeln!(
                o,
                "  (the APK carries no code at all — no classes*.dex, a manifest-only APK — so \
                 SDKs can only be seen at run time: run it and pass the bundle)"
            );
        }
        return o;
    }
    let _ = writeln!(
        o,
        "  {:<40} {:<16} {:<8} {:<10} {:>14} {:>13}",
        "SDK", "category", "in APK", "auto-init", "before consent", "after consent"
    );
    for r in &out.sdks {
        let present = match (r.present, r.confidence) {
            (_, Some(prior_apk::Confidence::Likely)) => "likely",
            (_, Some(prior_apk::Confidence::ReferencedOnly)) => "ref-only",
            (Some(true), _) => "yes",
            (Some(false), _) => "NO",
            (None, _) => "?",
        };
        let (before, after) = if is_bundle {
            (r.before_consent.to_string(), r.after_consent.to_string())
        } else {
            ("-".to_string(), "-".to_string())
        };
        let _ = writeln!(
            o,
            "  {:<40} {:<16} {:<8} {:<10} {:>14} {:>13}",
            r.name,
            r.category.as_deref().unwrap_or("?"),
            present,
            if r.auto_init { "yes" } else { "" },
            before,
            after
        );
    }
    let weak: Vec<&Row> = out
        .sdks
        .iter()
        .filter(|r| r.confidence == Some(prior_apk::Confidence::ReferencedOnly))
        .collect();
    for r in weak {
        let note = format!(
            "note: {} is only referenced (\"ref-only\": not counted as in the APK): {}.",
            r.name,
            r.evidence.join("; ")
        );
        for (i, line) in wrap_words(&note, 92).iter().enumerate() {
            let indent = if i == 0 { "  " } else { "        " };
            let _ = writeln!(o, "{indent}{line}");
        }
    }
    for r in out.sdks.iter().filter(|r| r.note.is_some()) {
        let note = format!(
            "note: {} is \"in APK: NO\" but active: {}.",
            r.name,
            r.note.as_deref().unwrap_or("")
        );
        for (i, line) in wrap_words(&note, 92).iter().enumerate() {
            let indent = if i == 0 { "  " } else { "        " };
            let _ = writeln!(o, "{indent}{line}");
        }
    }
    o
}

/// Splits `text` at spaces into lines of at most `width` characters (a longer word stays whole).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
