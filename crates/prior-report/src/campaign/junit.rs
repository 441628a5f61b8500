//! `campaign.junit.xml`: one `<testsuite>` per app (named after the app and its package), one
//! `<testcase>` per scenario (classname `prior.campaign.<app-slug>`). A pair that passes is a
//! success; one with a violation a failure (message: the violations and the categories and SDKs
//! before consent); one that is incomplete, inconclusive, tampered or not run an error (type
//! `incomplete`, `inconclusive`, `tampered` or `not_run`, message: its reasons), so a CI job
//! never reads a pair that proves nothing as passed. Always English, as every JUnit file of
//! Prior.

use super::{CampaignSummary, PairStateView};
use crate::RenderError;
use crate::i18n::Lang;
use prior_model::Verdict;
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

/// Renders the campaign's JUnit document.
pub fn render_junit(s: &CampaignSummary) -> Result<String, RenderError> {
    let mut doc = quick_junit::Report::new(format!("prior campaign {}", s.name));
    for app in &s.apps {
        let title = match &app.package {
            Some(p) if *p != app.name => format!("{} ({p})", app.name),
            _ => app.name.clone(),
        };
        let mut suite = TestSuite::new(title);
        suite.add_property(Property::new("apk", app.apk.clone()));
        suite.add_property(Property::new(
            "collects_before_consent",
            app.collects_before_consent.to_string(),
        ));
        for p in &app.pairs {
            let status = match (p.verdict, p.state) {
                (Some(Verdict::Pass), PairStateView::Done) => TestCaseStatus::success(),
                (Some(Verdict::Fail), _) => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_type("violation");
                    let mut msg = format!("{} violation(s)", p.violations);
                    if !p.categories_before_consent.is_empty() {
                        let cats: Vec<&str> = p
                            .categories_before_consent
                            .iter()
                            .map(|c| c.label())
                            .collect();
                        msg.push_str(&format!("; before consent: {}", cats.join(", ")));
                    }
                    if !p.sdks_before_consent.is_empty() {
                        msg.push_str(&format!("; SDKs: {}", p.sdks_before_consent.join(", ")));
                    }
                    if p.state != PairStateView::Done {
                        msg.push_str(&format!(" (the session is {})", p.state_word()));
                    }
                    st.set_message(msg);
                    st
                }
                (v, state) => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                    let kind = match (v, state) {
                        (_, PairStateView::Tampered) => "tampered",
                        (_, PairStateView::NotRun) => "not_run",
                        (Some(Verdict::Inconclusive), PairStateView::Done) => "inconclusive",
                        _ => "incomplete",
                    };
                    st.set_type(kind);
                    let why = if p.reasons.is_empty() {
                        p.cell(Lang::En)
                    } else {
                        p.reasons.join("; ")
                    };
                    st.set_message(format!("{}: {why}", p.cell(Lang::En)));
                    st
                }
            };
            let mut case = TestCase::new(p.scenario_stem.clone(), status);
            case.set_classname(format!("prior.campaign.{}", app.slug));
            suite.add_test_case(case);
        }
        doc.add_test_suite(suite);
    }
    let xml = doc
        .to_string()
        .map_err(|e| RenderError::Xml(e.to_string()))?;
    Ok(crate::junit::strip_root_skipped(xml))
}
