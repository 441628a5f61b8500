//! The campaign report (`prior campaign merge`, issue 17; `docs/campaigns.md`, "Results back"): one
//! summary of many apps × scenarios, built from each pair's analysis, and its renderers —
//! a self-contained HTML overview, CSV, XLSX, JSON and JUnit.
//!
//! The summary is built once ([`CampaignSummary::build`]) and every format renders from it,
//! so they agree. Its rules, as a regulator would publish them:
//! - an app **collects before consent** when one of its analysed pairs has a violation
//!   before the consent answer (phase `before_consent`, severity above `info`); its
//!   categories are those findings' categories and its responsible SDKs their SDK actors;
//! - an app is **tested** when at least one of its pairs was analysed (a bundle that is done,
//!   or incomplete but readable); the percentage is of tested apps;
//! - an app is **clean** only when every one of its pairs is done and passes; an app with a
//!   pair incomplete, tampered or not run, and no violation, is counted as *not fully tested*,
//!   never as clean.

mod csv;
mod html;
mod junit;
mod xlsx;

pub use csv::render_csv;
pub use html::render_html;
pub use junit::render_junit;
pub use xlsx::render_xlsx;

use crate::i18n::{Lang, t};
use prior_analyze::Report;
use prior_model::{ActorKind, DataCategory, Phase, Severity, Signal, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The campaign report's JSON format (`docs/campaigns.md`, "Results back").
pub const CAMPAIGN_REPORT_FORMAT: u32 = 1;

/// How a pair stands after the merge (mirrors `prior_campaign::merge::PairState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairStateView {
    /// A complete bundle whose manifest verifies.
    Done,
    /// Only bundles of recordings that did not finish.
    Incomplete,
    /// Only bundles whose files do not match their manifest.
    Tampered,
    /// No bundle.
    NotRun,
}

impl PairStateView {
    fn key(self) -> &'static str {
        match self {
            PairStateView::Done => "campaign.state_done",
            PairStateView::Incomplete => "campaign.state_incomplete",
            PairStateView::Tampered => "campaign.state_tampered",
            PairStateView::NotRun => "campaign.state_not_run",
        }
    }
}

/// One app as the campaign file names it.
#[derive(Debug, Clone, Default)]
pub struct AppInput {
    /// Slug (pair ids start with it).
    pub slug: String,
    /// The APK path.
    pub apk: String,
    /// sha256 of the APK.
    pub apk_sha256: Option<String>,
    /// Name from the campaign file.
    pub name: Option<String>,
    /// Developer.
    pub developer: Option<String>,
    /// Store page.
    pub store_url: Option<String>,
    /// Extra CSV columns of the campaign file.
    pub extra: BTreeMap<String, String>,
}

/// One pair to summarise.
#[derive(Debug, Clone)]
pub struct PairInput<'a> {
    /// The pair id.
    pub id: String,
    /// App index.
    pub app: usize,
    /// Scenario index.
    pub scenario: usize,
    /// How it stands.
    pub state: PairStateView,
    /// Its analysis (none when not run, tampered, or the analysis failed).
    pub report: Option<&'a Report>,
    /// Why it is not done, and why it has no analysis.
    pub reasons: Vec<String>,
    /// Bundles not used, with why.
    pub rejected: Vec<(String, String)>,
    /// The bundle directory that stands for it.
    pub bundle: Option<String>,
    /// The pair's own HTML report, relative to the campaign page.
    pub report_href: Option<String>,
}

/// Everything the summary is built from.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput<'a> {
    /// The campaign's name.
    pub name: String,
    /// sha256 of the campaign file.
    pub campaign_sha256: String,
    /// Apps, by index.
    pub apps: Vec<AppInput>,
    /// Scenario stems, by index.
    pub scenarios: Vec<String>,
    /// Pairs (any order; rendered app-major).
    pub pairs: Vec<PairInput<'a>>,
    /// Shards merged: (directory, "I/N" or "whole", pairs).
    pub shards: Vec<ShardView>,
    /// Merge warnings.
    pub warnings: Vec<String>,
}

/// A merged shard directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShardView {
    /// Its directory.
    pub dir: String,
    /// Its shard index (1-based), none for a whole campaign.
    pub index: Option<u32>,
    /// Shard total.
    pub total: Option<u32>,
    /// Pairs in its plan.
    pub pairs: usize,
}

/// The campaign report (`campaign.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CampaignSummary {
    /// [`CAMPAIGN_REPORT_FORMAT`].
    pub format: u32,
    /// Prior's version.
    pub tool_version: String,
    /// The campaign's name.
    pub name: String,
    /// sha256 of the campaign file.
    pub campaign_sha256: String,
    /// The directories merged.
    pub shards: Vec<ShardView>,
    /// Merge warnings (a shard missing, unreadable log lines).
    pub warnings: Vec<String>,
    /// The numbers to publish.
    pub headline: Headline,
    /// Scenario stems, by index.
    pub scenarios: Vec<String>,
    /// One row per app.
    pub apps: Vec<AppRow>,
}

/// The headline numbers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Headline {
    /// Apps in the campaign.
    pub apps: usize,
    /// Apps with at least one analysed pair.
    pub apps_tested: usize,
    /// Apps with a violation before consent.
    pub apps_collecting_before_consent: usize,
    /// `apps_collecting_before_consent` / `apps_tested`, in percent with one decimal (0 when
    /// no app was tested).
    pub percent_collecting_before_consent: f64,
    /// Apps with any violation (before consent, after a refusal, no consent screen, …).
    pub apps_with_violations: usize,
    /// Apps whose every pair is done and passes.
    pub apps_clean: usize,
    /// Apps without a violation whose pairs are not all done and passing: never clean.
    pub apps_not_fully_tested: usize,
    /// Pairs by state.
    pub pairs: PairCounts,
    /// Apps collecting each category before consent, most first.
    pub by_category: Vec<CategoryCount>,
    /// Apps in which each SDK collected before consent, most first.
    pub by_sdk: Vec<SdkCount>,
}

/// Pairs by state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PairCounts {
    /// All pairs.
    pub total: usize,
    /// Done.
    pub done: usize,
    /// Incomplete.
    pub incomplete: usize,
    /// Tampered.
    pub tampered: usize,
    /// Not run.
    pub not_run: usize,
}

/// Apps collecting a category before consent.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryCount {
    /// The category.
    pub category: DataCategory,
    /// Apps.
    pub apps: usize,
    /// Percent of tested apps, one decimal.
    pub percent: f64,
}

/// Apps in which an SDK collected before consent.
#[derive(Debug, Clone, Serialize)]
pub struct SdkCount {
    /// The SDK's name (as the analysis names the actor).
    pub sdk: String,
    /// Apps.
    pub apps: usize,
    /// Percent of tested apps, one decimal.
    pub percent: f64,
}

/// An app's overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppStatus {
    /// At least one violation.
    Violation,
    /// No violation seen, but not every pair is done and passing.
    NotFullyTested,
    /// Every pair done and passing.
    Clean,
}

impl AppStatus {
    fn key(self) -> &'static str {
        match self {
            AppStatus::Violation => "campaign.status_violation",
            AppStatus::NotFullyTested => "campaign.status_not_fully_tested",
            AppStatus::Clean => "campaign.status_clean",
        }
    }
}

/// One app.
#[derive(Debug, Clone, Serialize)]
pub struct AppRow {
    /// Its index in the campaign.
    pub index: usize,
    /// Slug.
    pub slug: String,
    /// Name (campaign file), else the analysed package, else the slug.
    pub name: String,
    /// Developer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer: Option<String>,
    /// Store page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_url: Option<String>,
    /// APK path.
    pub apk: String,
    /// sha256 of the APK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apk_sha256: Option<String>,
    /// The package the analyses saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Extra columns of the campaign file.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// Overall status.
    pub status: AppStatus,
    /// Whether it collects before consent.
    pub collects_before_consent: bool,
    /// Categories collected before consent (union over pairs).
    pub categories_before_consent: Vec<DataCategory>,
    /// SDKs responsible for violations before consent.
    pub sdks_before_consent: Vec<String>,
    /// Whether the app's own code did it too.
    pub app_itself_before_consent: bool,
    /// Its pairs, by scenario.
    pub pairs: Vec<PairRow>,
}

/// One pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairRow {
    /// The pair id.
    pub id: String,
    /// Scenario index.
    pub scenario: usize,
    /// Scenario stem.
    pub scenario_stem: String,
    /// How it stands.
    pub state: PairStateView,
    /// The analysis's verdict (none without an analysis).
    pub verdict: Option<Verdict>,
    /// Violations (findings above `info`).
    pub violations: usize,
    /// Categories collected before consent.
    pub categories_before_consent: Vec<DataCategory>,
    /// SDKs responsible for violations before consent.
    pub sdks_before_consent: Vec<String>,
    /// Every finding of its analysis (JSON only): what the numbers are counted from, so a
    /// reader — or the corpus scorer (tests/corpus) — can check them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingView>,
    /// Why it is not done.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Bundles not used, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedView>,
    /// The bundle that stands for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Its HTML report, relative to the campaign page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// One finding of a pair's analysis, as `campaign.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// The rule id.
    pub rule: String,
    /// Its severity (`info` is not a violation).
    pub severity: Severity,
    /// The phase it happened in.
    pub phase: Phase,
    /// The personal-data category, when the rule has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// The API or signal, as the report names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<Signal>,
    /// Who did it: the SDK or app name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// `sdk`, `app`, … (the analysis's actor kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<ActorKind>,
}

/// A bundle not used.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedView {
    /// Its directory.
    pub path: String,
    /// Why.
    pub reason: String,
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        // usize → f64 is exact for any realistic count.
        ((n as f64) * 1000.0 / (of as f64)).round() / 10.0
    }
}

/// A file name of ours: letters, digits, `-`, `_`, `.`, not starting with a dot (the pair
/// ids of `prior_campaign::merge::safe_component`).
pub(crate) fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl PairStateView {
    /// `done`, `incomplete`, `tampered` or `not_run`.
    pub fn as_str(self) -> &'static str {
        match self {
            PairStateView::Done => "done",
            PairStateView::Incomplete => "incomplete",
            PairStateView::Tampered => "tampered",
            PairStateView::NotRun => "not_run",
        }
    }
}

impl PairRow {
    /// The state's machine word.
    pub fn state_word(&self) -> &'static str {
        self.state.as_str()
    }

    /// The cell text: the verdict, or the state when there is no analysis; an incomplete
    /// pair with a verdict says both.
    pub fn cell(&self, lang: Lang) -> String {
        match (self.verdict, self.state) {
            (Some(v), PairStateView::Done) => crate::i18n::verdict(lang, v).to_string(),
            (Some(v), s) => format!("{} ({})", crate::i18n::verdict(lang, v), t(lang, s.key())),
            (None, s) => t(lang, s.key()).to_string(),
        }
    }

    /// A CSS class / machine word for the cell: `pass`, `fail`, `inconclusive`, `incomplete`,
    /// `tampered`, `not_run`.
    pub fn class(&self) -> &'static str {
        match (self.verdict, self.state) {
            (Some(Verdict::Fail), _) => "fail",
            (Some(Verdict::Pass), PairStateView::Done) => "pass",
            (Some(_), PairStateView::Done) => "inconclusive",
            (_, PairStateView::Tampered) => "tampered",
            (_, PairStateView::NotRun) => "not_run",
            (_, _) => "incomplete",
        }
    }
}

impl AppRow {
    /// The status in a language.
    pub fn status_text(&self, lang: Lang) -> &'static str {
        t(lang, self.status.key())
    }

    /// Categories in a language, joined.
    pub fn categories_text(&self, lang: Lang) -> String {
        self.categories_before_consent
            .iter()
            .map(|c| crate::i18n::category(lang, *c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Responsible actors, joined (SDKs, then "the app" when its own code did it).
    pub fn responsible_text(&self, lang: Lang) -> String {
        let mut v: Vec<String> = self.sdks_before_consent.clone();
        if self.app_itself_before_consent {
            v.push(t(lang, "campaign.the_app").to_string());
        }
        v.join(", ")
    }
}

impl CampaignSummary {
    /// Builds the summary.
    pub fn build(input: &CampaignInput<'_>) -> CampaignSummary {
        let mut by_app: BTreeMap<usize, Vec<&PairInput<'_>>> = BTreeMap::new();
        for p in &input.pairs {
            by_app.entry(p.app).or_default().push(p);
        }
        let mut apps = Vec::new();
        let mut h = Headline {
            apps: input.apps.len(),
            ..Headline::default()
        };
        let mut cat_apps: BTreeMap<DataCategory, usize> = BTreeMap::new();
        let mut sdk_apps: BTreeMap<String, usize> = BTreeMap::new();
        for (ai, app) in input.apps.iter().enumerate() {
            let mut pairs_in = by_app.remove(&ai).unwrap_or_default();
            pairs_in.sort_by_key(|p| p.scenario);
            let mut rows = Vec::new();
            let mut cats = BTreeSet::new();
            let mut sdks = BTreeSet::new();
            let mut app_itself = false;
            let mut package = None;
            let mut any_report = false;
            let mut any_violation = false;
            let mut all_clean = !pairs_in.is_empty() && pairs_in.len() == input.scenarios.len();
            for p in pairs_in {
                h.pairs.total += 1;
                match p.state {
                    PairStateView::Done => h.pairs.done += 1,
                    PairStateView::Incomplete => h.pairs.incomplete += 1,
                    PairStateView::Tampered => h.pairs.tampered += 1,
                    PairStateView::NotRun => h.pairs.not_run += 1,
                }
                let mut pcats = BTreeSet::new();
                let mut psdks = BTreeSet::new();
                let findings: Vec<FindingView> = p
                    .report
                    .map(|r| {
                        r.findings
                            .iter()
                            .map(|f| FindingView {
                                rule: f.rule.clone(),
                                severity: f.severity,
                                phase: f.phase,
                                category: f.category,
                                api: f.api.clone(),
                                actor: f.actor.as_ref().map(|a| a.name.clone()),
                                actor_kind: f.actor.as_ref().map(|a| a.kind),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let (verdict, violations) = match p.report {
                    Some(r) => {
                        any_report = true;
                        if package.is_none() && !r.app.package.is_empty() {
                            package = Some(r.app.package.clone());
                        }
                        for f in r.violations() {
                            if f.phase != Phase::BeforeConsent {
                                continue;
                            }
                            if let Some(c) = f.category {
                                pcats.insert(c);
                            }
                            match &f.actor {
                                Some(a) if a.kind == ActorKind::Sdk => {
                                    psdks.insert(a.name.clone());
                                }
                                Some(a) if a.kind == ActorKind::App => app_itself = true,
                                _ => {}
                            }
                        }
                        let n = r.violations().count();
                        any_violation |= n > 0;
                        (Some(r.verdict), n)
                    }
                    None => (None, 0),
                };
                if !(p.state == PairStateView::Done && verdict == Some(Verdict::Pass)) {
                    all_clean = false;
                }
                cats.extend(pcats.iter().copied());
                sdks.extend(psdks.iter().cloned());
                rows.push(PairRow {
                    id: p.id.clone(),
                    scenario: p.scenario,
                    scenario_stem: input.scenarios.get(p.scenario).cloned().unwrap_or_default(),
                    state: p.state,
                    verdict,
                    violations,
                    categories_before_consent: pcats.into_iter().collect(),
                    sdks_before_consent: psdks.into_iter().collect(),
                    findings,
                    reasons: p.reasons.clone(),
                    rejected: p
                        .rejected
                        .iter()
                        .map(|(path, reason)| RejectedView {
                            path: path.clone(),
                            reason: reason.clone(),
                        })
                        .collect(),
                    bundle: p.bundle.clone(),
                    report: p.report_href.clone(),
                });
            }
            let collects = !cats.is_empty() || !sdks.is_empty() || app_itself;
            let status = if any_violation {
                AppStatus::Violation
            } else if all_clean {
                AppStatus::Clean
            } else {
                AppStatus::NotFullyTested
            };
            if any_report {
                h.apps_tested += 1;
            }
            if collects {
                h.apps_collecting_before_consent += 1;
            }
            match status {
                AppStatus::Violation => h.apps_with_violations += 1,
                AppStatus::Clean => h.apps_clean += 1,
                AppStatus::NotFullyTested => h.apps_not_fully_tested += 1,
            }
            for c in &cats {
                *cat_apps.entry(*c).or_default() += 1;
            }
            for s in &sdks {
                *sdk_apps.entry(s.clone()).or_default() += 1;
            }
            apps.push(AppRow {
                index: ai,
                slug: app.slug.clone(),
                name: app
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| package.clone())
                    .unwrap_or_else(|| app.slug.clone()),
                developer: app.developer.clone(),
                store_url: app.store_url.clone(),
                apk: app.apk.clone(),
                apk_sha256: app.apk_sha256.clone(),
                package,
                extra: app.extra.clone(),
                status,
                collects_before_consent: collects,
                categories_before_consent: cats.into_iter().collect(),
                sdks_before_consent: sdks.into_iter().collect(),
                app_itself_before_consent: app_itself,
                pairs: rows,
            });
        }
        h.percent_collecting_before_consent =
            percent(h.apps_collecting_before_consent, h.apps_tested);
        let mut by_category: Vec<CategoryCount> = cat_apps
            .into_iter()
            .map(|(category, apps)| CategoryCount {
                category,
                apps,
                percent: percent(apps, h.apps_tested),
            })
            .collect();
        by_category.sort_by(|a, b| b.apps.cmp(&a.apps).then(a.category.cmp(&b.category)));
        let mut by_sdk: Vec<SdkCount> = sdk_apps
            .into_iter()
            .map(|(sdk, apps)| SdkCount {
                sdk,
                apps,
                percent: percent(apps, h.apps_tested),
            })
            .collect();
        by_sdk.sort_by(|a, b| b.apps.cmp(&a.apps).then(a.sdk.cmp(&b.sdk)));
        h.by_category = by_category;
        h.by_sdk = by_sdk;
        CampaignSummary {
            format: CAMPAIGN_REPORT_FORMAT,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            name: input.name.clone(),
            campaign_sha256: input.campaign_sha256.clone(),
            shards: input.shards.clone(),
            warnings: input.warnings.clone(),
            headline: h,
            scenarios: input.scenarios.clone(),
            apps,
        }
    }

    /// `campaign.json`, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain data cannot fail; keep the error visible if it ever does.
            format!("{{\"error\": {:?}}}", e.to_string())
        })
    }
}

/// The headline in one sentence (text summary, page heading).
pub fn headline_sentence(s: &CampaignSummary, lang: Lang) -> String {
    let h = &s.headline;
    crate::i18n::tf(
        lang,
        "campaign.headline",
        &[
            ("tested", &h.apps_tested.to_string()),
            ("apps", &h.apps.to_string()),
            ("n", &h.apps_collecting_before_consent.to_string()),
            (
                "pct",
                &format!("{:.1}", h.percent_collecting_before_consent),
            ),
            ("untested", &h.apps_not_fully_tested.to_string()),
        ],
    )
}

#[cfg(test)]
mod tests;
