//! Prior's analysis: a recorded session bundle in, a [`Report`] out.
//!
//! ```text
//! The stages are in `stages/` (module documentation there); in short:
//!
//! Bundle ──► harness records ─► consent boundary (logcat markers), permission prompts
//!        ──► raw/logcat.txt   ─► streaming scan: literal prefilter, parse candidate lines,
//!                                 catalog patterns, process starts (uid/pids), markers
//!        ──► raw/appops/*     ─► app-op accesses of the app, minus the baseline snapshot
//!        ──► raw/ipc/*        ─► binder calls of the app's processes (a time window each)
//!                                 ▼
//!        ──► raw/net.pcap     ─► host names the device contacted
//!                                 ▼
//!                 events placed before / at / after consent, actors from the SDK catalogue
//!                                 ▼
//!                 signals grouped into accesses, profile rules ─► findings ─► verdict
//!                                 ▼
//!                 Report (serde, byte-stable), naming its inputs
//! ```
//!
//! Architecture invariants: no I/O besides reading the bundle's own inputs; deterministic
//! (same bundle + [`AnalysisInputs`] (catalog, SDK catalogue, profile) ⇒ the same [`Report`], serialised byte for byte: no
//! wall clock, no hash-map iteration order, every list sorted); memory bounded whatever the
//! size of `raw/logcat.txt` (fixed read buffer, capped event and evidence lists).
//!
//! Public API: [`Catalog`] ([`Catalog::builtin`], [`Catalog::from_file`]), [`Profile`]
//! ([`Profile::builtin`], [`Profile::from_file`], [`Profile::resolve`]), [`AnalysisInputs`],
//! [`analyze`] /
//! [`analyze_with`], [`Report`] and [`Verdict`].

mod analysis;
pub mod attribution;
pub mod catalog;
mod consent;
mod coverage;
mod logscan;
pub mod profile;
pub mod report;
mod rules;
mod sources;
mod stages;
#[cfg(test)]
mod tests;

pub use analysis::{
    AnalysisInputs, AnalyzeOptions, analyze, analyze_with, effective_logcat_patterns,
    logcat_prefilter_literals,
};
pub use catalog::Catalog;
/// The SDK catalogue (prior-apk's), an input of every analysis ([`AnalysisInputs::sdks`]).
pub use prior_apk::SdkCatalog;
pub use prior_model::Verdict;
pub use profile::{Level, Profile, RuleId};
pub use report::Report;

use std::fmt;

/// The version of this analyzer, recorded in every report.
pub const ANALYZER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a catalog or profile was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in Prior.
    Builtin,
    /// A user file (the path as given).
    File(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::File(p) => f.write_str(p),
        }
    }
}

/// Errors loading a catalog. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read (the io error names the path).
    #[error("read the catalog: {0}")]
    Read(std::io::Error),
    /// The file is not valid TOML for a catalog.
    #[error("parse catalog {origin}: {message}")]
    Parse {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An entry is invalid.
    #[error("load catalog {origin}: {entry}: {message}")]
    Invalid {
        /// Where it came from.
        origin: String,
        /// The entry, e.g. `logcat telephony-identifiers-denied`.
        entry: String,
        /// What is wrong.
        message: String,
    },
}

/// Errors loading a profile. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Neither a built-in name nor a readable file.
    #[error("find rule profile {name:?}: not a built-in profile ({known}) nor a file")]
    Unknown {
        /// What was asked for.
        name: String,
        /// The built-in names.
        known: String,
    },
    /// A bundle's `meta.json` names something other than a built-in profile. The message
    /// quotes nothing from the bundle.
    #[error(
        "use the rule profile the bundle names: a bundle may only name a built-in profile ({known}), \
         and this one names {}; to analyse with a profile file, pass --profile FILE",
        if *looks_like_path { "a path" } else { "an unknown profile" }
    )]
    NotBuiltinInBundle {
        /// The name looks like a path.
        looks_like_path: bool,
        /// The built-in names.
        known: String,
    },
    /// The file could not be read (the io error names the path).
    #[error("read the rule profile: {0}")]
    Read(std::io::Error),
    /// The file is not a valid profile.
    #[error("parse rule profile {origin}: {message}")]
    Parse {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// Errors of [`analyze`]. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The bundle does not match its `MANIFEST.sha256` and the caller did not allow it.
    #[error(
        "analyse the bundle: it does not match its MANIFEST.sha256 or is not sound ({}); it may \
         have been edited. Re-run with --allow-modified to analyse it anyway (the report will say \
         so; irregular entries are still never read)",
        describe_problems(.modified, .missing, .unlisted, .irregular, .implausible)
    )]
    Tampered {
        /// Files whose hash differs.
        modified: Vec<String>,
        /// Files listed but absent.
        missing: Vec<String>,
        /// Files present but not listed.
        unlisted: Vec<String>,
        /// Entries that are not regular files, `path (what it is)`.
        irregular: Vec<String>,
        /// Values that cannot be true of a recording, in words.
        implausible: Vec<String>,
    },
    /// A bundle file could not be opened or read (the error names it).
    #[error("{0}")]
    Bundle(#[from] prior_model::bundle::BundleError),
    /// `meta.json` names no package, so nothing can be attributed to the app.
    #[error("analyse the bundle: meta.json names no app package")]
    NoPackage,
    /// A raw input could not be read.
    #[error("read {file}: {source}")]
    Read {
        /// Bundle-relative path.
        file: String,
        /// The error.
        source: std::io::Error,
    },
    /// The catalog's logcat patterns could not be built for this app.
    #[error("build the logcat patterns for {package}: {message}")]
    Patterns {
        /// The app.
        package: String,
        /// What went wrong.
        message: String,
    },
}

impl AnalyzeError {
    /// Every file named by a [`AnalyzeError::Tampered`] error, sorted.
    pub fn tampered_files(&self) -> Vec<&str> {
        match self {
            AnalyzeError::Tampered {
                modified,
                missing,
                unlisted,
                irregular,
                ..
            } => {
                let mut v: Vec<&str> = modified
                    .iter()
                    .chain(missing)
                    .chain(unlisted)
                    .map(String::as_str)
                    .chain(
                        irregular
                            .iter()
                            .map(|e| e.rsplit_once(" (").map_or(e.as_str(), |(p, _)| p)),
                    )
                    .collect();
                v.sort_unstable();
                v
            }
            _ => Vec::new(),
        }
    }
}

fn describe_problems(
    modified: &[String],
    missing: &[String],
    unlisted: &[String],
    irregular: &[String],
    implausible: &[String],
) -> String {
    let mut parts = Vec::new();
    for (what, files) in [
        ("modified", modified),
        ("missing", missing),
        ("not listed", unlisted),
        ("not a regular file", irregular),
        ("implausible", implausible),
    ] {
        if !files.is_empty() {
            parts.push(format!("{what}: {}", files.join(", ")));
        }
    }
    parts.join("; ")
}
