//! Scoring from the regulator's table (issue 17): the `campaign.json` that `prior campaign
//! merge` writes lists, per pair, its verdict and every finding of its analysis
//! (`docs/campaigns.md`, "campaign.json"). [`reports_of_campaign`] turns it into one report per
//! pair in the shape the scorer (`gen.rs`, `score`) reads from `prior analyze --format json`,
//! so the corpus is scored from the published table itself; `tests/it/corpus.rs` checks that
//! both ways give the same score.

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One report per analysed pair of a merged `campaign.json`, by pair id: `verdict`, `findings`
/// (`rule`, `category`, `api`, `actor.name`) and, for a pair that is not done, `incomplete`
/// (its reasons). A pair without an analysis (not run, tampered) has none: the scorer counts it
/// as missing.
pub fn reports_of_campaign(campaign: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for app in campaign["apps"].as_array().into_iter().flatten() {
        for p in app["pairs"].as_array().into_iter().flatten() {
            let (Some(id), Some(verdict)) = (p["id"].as_str(), p["verdict"].as_str()) else {
                continue;
            };
            let findings: Vec<Value> = p["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    json!({
                        "rule": f["rule"],
                        "category": f["category"],
                        "api": f["api"],
                        "actor": f["actor"].as_str().map(|n| json!({ "name": n })),
                    })
                })
                .collect();
            let incomplete = if p["state"] == "done" {
                Value::Array(Vec::new())
            } else {
                p["reasons"].clone()
            };
            out.insert(
                id.to_string(),
                json!({ "verdict": verdict, "findings": findings, "incomplete": incomplete }),
            );
        }
    }
    out
}
