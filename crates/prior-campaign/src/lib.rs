//! Campaigns (issue 17, `docs/campaigns.md`): many apps × several scenarios, run on several
//! devices, in shards on CI engines, merged into one report.
//!
//! This crate is pure planning and bookkeeping; it never speaks to a device:
//! - [`file`]: the campaign file (YAML) and its apps (a list, a directory, or a CSV export);
//! - [`plan`]: the pairs (app × scenario), their ids, and `campaign.json`;
//! - [`shard`]: `--shard I/N` and the CI engines' own indexes;
//! - [`state`]: the campaign directory — which pairs are done, the attempt log;
//! - [`run`]: the work queue that hands pairs to device workers, retries a pair once when its
//!   device dies, and never loses one.
//!
//! `prior campaign run` (crates/prior-cli) supplies the workers: each records one scenario on
//! its device through the same code as `prior run`.
//! - [`merge`]: `prior campaign merge` collects the shards' directories and picks one bundle
//!   per pair. It reads `campaign.json` and the attempt log with the same types
//!   ([`plan::Plan`], [`state::LogLine`]) that `prior campaign run` writes them with.

pub mod file;
pub mod merge;
pub mod plan;
pub mod run;
pub mod shard;
pub mod state;

pub use file::{AppEntry, AppsSpec, CampaignFile, DevicesSpec, FileError, ScenarioRef};
pub use plan::{PLAN_FORMAT, Plan, PlanApp, PlanPair, PlanScenario, ShardInfo, slug};
pub use run::{Attempt, AttemptResult, PairEnd, PairRecord, PairWorker, QueueEvent, run_queue};
pub use shard::{Shard, ShardError, ShardSource};
pub use state::{
    AttemptOutcome, CampaignDir, LogLine, PairState, StateError, bundle_is_done, not_done_reason,
};
