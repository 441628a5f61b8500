//! Prior's scenario files: YAML in the spirit of Maestro flows.
//!
//! A scenario says which app to test, where, how to recognise and answer its consent screen,
//! what to do after launch, and what result to expect. The full reference (every key, its
//! default, the default consent wording) is `docs/scenarios.md`; a complete example:
//!
//! ```yaml
//! name: Leaky Shop — first launch, accept consent
//! app: { apk: apps/leaky-shop.apk }       # relative to this file; or { package: com.x }
//! device: simulated                       # any | simulated | { serial: … } | { avd: … }
//! profile: cn-miit                        # cn-miit | gdpr | path/to/profile.toml
//! consent:
//!   mode: auto                            # auto | manual | reject
//!   timeout: 30s                          # how long to wait for the consent screen
//!   screen: { text: "隐私|个人信息|Privacy" } # regexes on text / desc / id
//!   accept: { text: "^(同意|同意并继续|Agree|Accept( all)?)$" }
//!   reject: { text: "^(不同意|Disagree|Reject( all)?)$" }
//!   tick: { id: "com.example:id/agree_box" }
//! steps:
//!   - launch
//!   - wait: 10s
//!   - accept_consent
//!   - tap: { text: "Skip" }
//!   - wait_for: { activity: .MainActivity, timeout: 10s }
//!   - screenshot: home
//!   - back
//!   - relaunch
//! expect:
//!   max_findings: 0
//!   allow:
//!     - { rule: pre-consent-access, category: location, reason: "JIRA-12", expires: 2027-01-31 }
//! ```
//!
//! `${NAME}` in any value is replaced by the value given with `-e NAME=VALUE` (`${NAME:-default}`
//! falls back to `default`; `$${` writes a literal `${`). Substitution happens **after** YAML
//! parsing, inside a single value, so a variable can never change the file's structure.
//!
//! Every error is a [`ScenarioError`]: `FILE:LINE:COLUMN: message`, a fix in `help`, and a
//! [`miette::Diagnostic`] labelling the offending text.
//!
//! ```no_run
//! use prior_scenario::{Scenario, Vars};
//! let vars = Vars::from_pairs(["APK=apps/x.apk"]).unwrap();
//! match Scenario::load("scenarios/x.yaml", &vars) {
//!     Ok(s) => println!("{}: {} steps", s.name, s.steps.len()),
//!     Err(e) => eprint!("{}", e.render_plain()),
//! }
//! ```

// Tests may unwrap (the workspace warns on `unwrap_used`; there is no clippy.toml allowing it
// in tests).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod build;
mod duration;
mod error;
mod model;
mod vars;
pub mod wording;
mod yaml;

#[cfg(test)]
mod tests;

pub use duration::{DurationError, format_duration, parse_duration};
pub use error::{ErrorKind, ScenarioError};
pub use model::{
    Allow, App, BUILTIN_PROFILES, Consent, ConsentMode, Date, DeviceSpec, Expect, Pattern, Pos,
    ProfileRef, Scenario, ScenarioWarning, Selector, SimulatedOptions, Step, StepAt, WaitTarget,
};
pub use vars::{Vars, VarsError};

use std::path::Path;
use std::sync::Arc;

/// Options for [`Scenario::load_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Check that files the scenario names (`app.apk`, a profile file, `simulated.models`)
    /// exist. Default `true`.
    pub check_files: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { check_files: true }
    }
}

impl Scenario {
    /// Reads, substitutes and validates a scenario file.
    pub fn load(path: impl AsRef<Path>, vars: &Vars) -> Result<Scenario, ScenarioError> {
        Scenario::load_with(path, vars, LoadOptions::default())
    }

    /// [`Scenario::load`] with options.
    pub fn load_with(
        path: impl AsRef<Path>,
        vars: &Vars,
        options: LoadOptions,
    ) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = fs_err::read_to_string(path).map_err(|e| {
            ScenarioError::new(ErrorKind::Io, path, format!("cannot read the file: {e}"))
                .help("check the path; scenario files are UTF-8 YAML")
        })?;
        Scenario::parse(path, &text, vars, options)
    }

    /// Validates scenario text as if it had been read from `path` (relative paths in it are
    /// resolved against `path`'s directory).
    pub fn parse(
        path: &Path,
        text: &str,
        vars: &Vars,
        options: LoadOptions,
    ) -> Result<Scenario, ScenarioError> {
        let src = Arc::new(text.to_owned());
        build::build(path, src, vars, options)
    }
}

/// The result of checking one file with [`check`].
#[derive(Debug)]
pub struct CheckResult<'a> {
    /// The file.
    pub path: &'a Path,
    /// The scenario, or every problem found.
    pub result: Result<Scenario, ScenarioError>,
}

/// Validates scenario files without a device (`prior check`). Every file is checked, even after
/// one fails.
pub fn check<'a, P: AsRef<Path>>(paths: &'a [P], vars: &Vars) -> Vec<CheckResult<'a>> {
    paths
        .iter()
        .map(|p| CheckResult {
            path: p.as_ref(),
            result: Scenario::load(p, vars),
        })
        .collect()
}
