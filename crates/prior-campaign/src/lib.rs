//! Campaigns (issue 17, `docs/campaigns.md`): many apps × several scenarios, run on several
//! devices, in shards on CI engines, merged into one report.
//!
//! H6's part (merged with H5's crate by the lead): [`merge`] collects the shards' campaign
//! directories and picks one bundle per pair; [`merge_model`] reads the contract's
//! `campaign.json` and `campaign.log.jsonl`.

pub mod merge;
pub mod merge_model;
