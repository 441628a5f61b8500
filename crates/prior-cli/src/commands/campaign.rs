//! `prior campaign run FILE` (issue 17, docs/campaigns.md): every (app × scenario) pair of this
//! shard, on N devices, each pair recorded and analysed through the same functions as
//! `prior run` (`run::record_session`, `run::analyse_recorded`).
//!
//! Planning, sharding, the campaign directory and the work queue are `prior-campaign`'s; this
//! module supplies the workers (one per device) and the terminal.
//!
//! Choices (docs/campaigns.md):
//! - A simulated worker starts a fresh in-process handset for each pair, with the scenario's
//!   seed: the same pair gives the same result on any worker, whatever ran before it.
//! - A real device is checked (`getprop sys.boot_completed`) after a failed or incomplete
//!   attempt: if it no longer answers it is taken out and the pair is retried once elsewhere;
//!   if it answers, the incomplete bundle is the pair's result (an app that crashes is a
//!   finding about the app, not a reason to run it again).
//! - Exit code: the worst over every pair of the shard by the batch rule of
//!   docs/exit-codes.md; a pair without a done bundle counts as incomplete (4), a pair that
//!   could not be run because of its own inputs as an input error (2).

use super::analyze;
use super::run::{self, Target};
use crate::exit::{ErrorKind, Judged, Outcome};
use crate::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prior_campaign::run::PairEnd;
use prior_campaign::{
    Attempt, AttemptOutcome, AttemptResult, CampaignDir, CampaignFile, DevicesSpec, LogLine,
    PairState, PairWorker, Plan, PlanPair, QueueEvent, Shard,
};
use prior_device::{AdbServer, host_now_us};
use prior_model::Verdict;
use prior_record::record::Progress;
use prior_record::stop::Stop;
use prior_scenario::{DeviceSpec, Scenario, SimulatedOptions, Vars};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Arguments of `prior campaign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Run every (app × scenario) pair of a campaign file (or of one shard) on N devices;
    /// re-running resumes, skipping the pairs already done.
    Run(RunArgs),
    /// Merge the campaign directories of a campaign (or of its shards) into one campaign
    /// report: HTML, CSV, XLSX, JSON, JUnit (docs/campaigns.md, "Results back").
    Merge(super::campaign_merge::Args),
}

/// Arguments of `prior campaign run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The campaign file (docs/campaigns.md).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The campaign directory (default: prior-campaign/<name>, with /shard-I-of-N when
    /// sharded).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Number of devices: simulated handsets, or emulators booted from --avd.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    parallel: Option<u16>,
    /// Run on these adb serials (comma-separated), one worker each.
    #[arg(long, value_delimiter = ',', value_name = "SERIALS", conflicts_with_all = ["avd", "parallel"])]
    devices: Vec<String>,
    /// Boot --parallel N emulators from this AVD (read-only system image).
    #[arg(long, value_name = "NAME")]
    avd: Option<String>,
    /// Run shard I of N (1-based); else JOB_COMPLETION_INDEX/PRIOR_SHARD_TOTAL or
    /// CI_NODE_INDEX/CI_NODE_TOTAL when set.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Continue in a directory that holds another campaign file's plan: the old campaign.json
    /// is kept as campaign.old-N.json, every bundle stays, pairs are judged done again
    /// against the new plan.
    #[arg(long)]
    force_new_plan: bool,
    /// Write the plan (campaign.json) and list this shard's pairs with their state on stdout
    /// (`ID<TAB>done|to run`); run nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Runs `prior campaign`.
pub fn run(args: Args) -> CliResult {
    match args.command {
        Sub::Run(a) => run_campaign(a),
        Sub::Merge(a) => super::campaign_merge::run(a),
    }
}

fn input(e: impl std::fmt::Display) -> CliError {
    CliError::input_msg(e.to_string())
}

/// Where the campaign's devices come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Devices {
    Simulated { models: Option<PathBuf>, n: usize },
    Serials(Vec<String>),
    Avd { name: String, n: usize },
}

fn devices_of(args: &RunArgs, file: &CampaignFile) -> Result<Devices, CliError> {
    let parallel = args.parallel.map(usize::from);
    if !args.devices.is_empty() {
        return Ok(Devices::Serials(args.devices.clone()));
    }
    if let Some(name) = &args.avd {
        prior_emulator::create::validate_avd_name(name)
            .map_err(|e| CliError::input_msg(format!("--avd {name}: failed to {e}")))?;
        return Ok(Devices::Avd {
            name: name.clone(),
            n: parallel.unwrap_or(1),
        });
    }
    Ok(match &file.devices {
        Some(DevicesSpec::Serials(s)) => {
            if parallel.is_some() {
                return Err(CliError::input_msg(format!(
                    "{}: --parallel goes with simulated handsets or an AVD; this campaign lists \
                     its devices by serial (use --devices to choose others)",
                    file.path.display()
                )));
            }
            Devices::Serials(s.clone())
        }
        Some(DevicesSpec::Avd { name, parallel: p }) => Devices::Avd {
            name: name.clone(),
            n: parallel.or(*p).unwrap_or(1),
        },
        Some(DevicesSpec::Simulated {
            models,
            parallel: p,
        }) => Devices::Simulated {
            models: models.clone(),
            n: parallel.or(*p).unwrap_or(1),
        },
        None => Devices::Simulated {
            models: None,
            n: parallel.unwrap_or(1),
        },
    })
}

/// What every worker shares.
struct Ctx {
    plan: Plan,
    dir: CampaignDir,
    stop: Arc<Stop>,
    profile: Option<String>,
    /// The judged outcome of each pair recorded in this run.
    outcomes: Mutex<BTreeMap<String, Outcome>>,
    bar: ProgressBar,
}

impl Ctx {
    fn line(&self, text: &str) {
        if self.bar.is_hidden() {
            note!("{text}");
        } else {
            self.bar.println(crate::term::safe(text));
        }
    }
}

/// The recorder's progress inside a campaign: steps are not printed (many pairs run at once);
/// what the operator must do is.
struct Quiet<'a> {
    ctx: &'a Ctx,
    pair: &'a str,
}

impl Progress for Quiet<'_> {
    fn step(&self, _: usize, _: usize, _: &str) {}
    fn note(&self, _: &str) {}
    fn operator(&self, text: &str) {
        self.ctx.line(&format!("  {} >>> {text}", self.pair));
    }
}

enum Kind {
    Simulated { models: Option<PathBuf> },
    Serial(String),
    Avd(Box<super::campaign_avd::AvdSlot>),
}

struct Worker {
    name: String,
    kind: Kind,
    ctx: Arc<Ctx>,
}

/// A step of a pair that failed, and whether the device is to blame.
struct Failure {
    reason: String,
    device: bool,
    bundle: Option<PathBuf>,
}

impl Failure {
    fn of_pair(e: impl std::fmt::Display) -> Failure {
        Failure {
            reason: e.to_string(),
            device: false,
            bundle: None,
        }
    }
}

fn err_text(e: &CliError) -> String {
    e.report.to_string()
}

impl Worker {
    fn target(&mut self, scenario: &Scenario, dir: &Path) -> Result<Target, Failure> {
        match &mut self.kind {
            Kind::Simulated { models } => {
                let mut opts = match &scenario.device {
                    DeviceSpec::Simulated(o) => o.clone(),
                    _ => SimulatedOptions::default(),
                };
                if let Some(m) = models {
                    opts.models = Some(m.clone());
                }
                run::simulated(scenario, &opts).map_err(|e| Failure::of_pair(err_text(&e)))
            }
            Kind::Serial(serial) => {
                let device = (|| {
                    let server = AdbServer::from_env().map_err(|e| e.to_string())?;
                    server.ensure_running().map_err(|e| e.to_string())?;
                    let _ = server.reconnect_if_offline(serial, Duration::from_secs(10));
                    server.device(serial).map_err(|e| e.to_string())
                })()
                .map_err(|reason| Failure {
                    reason,
                    device: true,
                    bundle: None,
                })?;
                Ok(Target {
                    device,
                    simulated: false,
                    avd: None,
                    _sim: None,
                })
            }
            Kind::Avd(slot) => slot.target(dir).map_err(|e| Failure {
                reason: err_text(&e),
                device: true,
                bundle: None,
            }),
        }
    }

    /// Whether the device still answers (an in-process handset always does).
    fn alive(&self, target: &Target) -> bool {
        target._sim.is_some()
            || target
                .device
                .getprop("sys.boot_completed")
                .is_ok_and(|v| v.trim() == "1")
    }

    fn attempt(&mut self, pair: &PlanPair) -> Result<(PathBuf, Outcome), Failure> {
        let ctx = Arc::clone(&self.ctx);
        let (Some(app), Some(sc)) = (ctx.plan.app(pair), ctx.plan.scenario(pair)) else {
            return Err(Failure::of_pair("the pair is not in the plan"));
        };
        let mut vars = Vars::new();
        vars.set("APK", app.apk.clone());
        let scenario = Scenario::load(&sc.path, &vars)
            .map_err(|e| Failure::of_pair(format!("{}: {}", sc.path, e)))?;
        let aut = run::app_under_test(&scenario).map_err(|e| Failure::of_pair(err_text(&e)))?;
        let profile = run::profile_of(&scenario, ctx.profile.as_deref());
        let profile_used = analyze::profile_record(profile.as_deref())
            .map_err(|e| Failure::of_pair(err_text(&e)))?;
        let dir = run::bundle_dir(&ctx.dir.pair_dir(pair), &scenario)
            .map_err(|e| Failure::of_pair(err_text(&e)))?;
        let remove_empty = || {
            let _ = std::fs::remove_dir(&dir);
        };
        let mut target = self
            .target(&scenario, &dir)
            .inspect_err(|_| remove_empty())?;
        if let Some((sim, _)) = &target._sim
            && !sim.has_model(&aut.package)
        {
            remove_empty();
            return Err(Failure::of_pair(format!(
                "the simulated handset has no behaviour model for {} (docs/sim-models.md, \
                 \"No model, no run\")",
                aut.package
            )));
        }
        let quiet = Quiet {
            ctx: &ctx,
            pair: &pair.id,
        };
        let recording = run::record_session(
            &scenario,
            &aut,
            &mut target,
            dir.clone(),
            profile_used,
            &ctx.stop,
            &quiet,
        );
        if let Kind::Avd(slot) = &mut self.kind {
            slot.after_run(&mut target);
        }
        let recording = match recording {
            Ok(r) => r,
            Err(e) => {
                remove_empty();
                let bundle = dir.is_dir().then(|| dir.clone());
                return Err(Failure {
                    reason: err_text(&e),
                    device: !self.alive(&target),
                    bundle,
                });
            }
        };
        if let Some(reason) = &recording.reason
            && !ctx.stop.is_requested()
            && !self.alive(&target)
        {
            return Err(Failure {
                reason: reason.clone(),
                device: true,
                bundle: Some(recording.bundle_dir),
            });
        }
        drop(target);
        let report =
            run::analyse_recorded(&recording.bundle_dir, profile.as_deref()).map_err(|e| {
                Failure {
                    reason: err_text(&e),
                    device: false,
                    bundle: Some(recording.bundle_dir.clone()),
                }
            })?;
        // Judged as done here; the summary marks it incomplete when its bundle is not.
        let outcome = pair_outcome(&report, true);
        Ok((recording.bundle_dir, outcome))
    }
}

impl PairWorker for Worker {
    fn device(&self) -> String {
        self.name.clone()
    }

    fn run(&mut self, pair: &PlanPair, _attempt: u32) -> Attempt {
        let started_host_us = host_now_us();
        let result = self.attempt(pair);
        let ended_host_us = host_now_us();
        let ctx = &self.ctx;
        let (result, bundle) = match result {
            Ok((bundle, outcome)) => {
                // This attempt's bundle, judged by the one definition of DONE.
                let sha = ctx.plan.app(pair).and_then(|a| a.apk_sha256.as_deref());
                let result = match prior_campaign::not_done_reason(&bundle, sha) {
                    None => AttemptResult::Complete,
                    Some(reason) => AttemptResult::Incomplete { reason },
                };
                lock(&ctx.outcomes).insert(pair.id.clone(), outcome);
                (result, Some(bundle))
            }
            Err(f) if f.device => (AttemptResult::DeviceLost { reason: f.reason }, f.bundle),
            Err(f) if f.bundle.is_some() => {
                (AttemptResult::Incomplete { reason: f.reason }, f.bundle)
            }
            Err(f) => {
                lock(&ctx.outcomes).insert(pair.id.clone(), Outcome::Failed(ErrorKind::Input));
                (AttemptResult::Failed { reason: f.reason }, None)
            }
        };
        Attempt {
            result,
            bundle,
            started_host_us,
            ended_host_us,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn default_out(plan: &Plan) -> PathBuf {
    let base = Path::new("prior-campaign").join(prior_campaign::slug(&plan.name));
    if plan.shard.total > 1 {
        base.join(format!(
            "shard-{}-of-{}",
            plan.shard.index, plan.shard.total
        ))
    } else {
        base
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

const INCOMPLETE: Outcome = Outcome::Judged(Judged {
    verdict: Verdict::Inconclusive,
    incomplete: true,
    expectations_met: None,
    new_violations: None,
});

/// The judged outcome of one pair from the report of its bundle, the one rule of `prior campaign
/// run` and `prior campaign merge` (docs/campaigns.md, "Exit codes"): the verdict and the
/// scenario's `expect:` block as the analyzer judged it (`prior run`'s judgement); a pair whose
/// bundle is not done (`done` false) is incomplete, unless it fails.
pub(crate) fn pair_outcome(report: &prior_analyze::Report, done: bool) -> Outcome {
    let judgement = super::judge::judge(report, None);
    match super::judge::outcome(report, &judgement) {
        Outcome::Judged(mut j) => {
            j.incomplete |= !done;
            Outcome::Judged(j)
        }
        other => other,
    }
}

/// The judged outcome of a pair done in an earlier run: its newest done bundle analysed and
/// judged again against the scenario recorded in it (as `prior report` does).
fn outcome_of_done(bundle: &Path, profile: Option<&str>) -> Outcome {
    let inputs = analyze::InputArgs {
        profile,
        judge_expect_on: Some(prior_scenario::Date::today_utc()),
        ..analyze::InputArgs::default()
    };
    let Ok(report) = analyze::analyze_bundle_with(bundle, &inputs, false) else {
        return INCOMPLETE;
    };
    pair_outcome(&report, true)
}

/// Whether a scenario of the campaign intercepts (`network: { intercept: … }`), each loaded
/// with the first app's APK as `${APK}` (as `prior check` does); a scenario that does not load
/// counts as not intercepting (its pairs fail on their own input).
fn intercepts(plan: &Plan) -> bool {
    let Some(app) = plan.apps.first() else {
        return false;
    };
    let mut vars = Vars::new();
    vars.set("APK", app.apk.clone());
    plan.scenarios
        .iter()
        .any(|sc| Scenario::load(&sc.path, &vars).is_ok_and(|s| s.network.intercept.is_some()))
}

/// One distinct loopback port per emulator of an `--avd` campaign, for `-http-proxy`, when a
/// scenario intercepts (issue 18); else none.
fn proxy_ports(plan: &Plan, n: usize) -> Vec<Option<u16>> {
    if !intercepts(plan) {
        return vec![None; n];
    }
    let mut ports: Vec<Option<u16>> = Vec::new();
    for _ in 0..n {
        // `free_port` asks the kernel for a free one; ask again on the rare repeat.
        let port = (0..8)
            .filter_map(|_| prior_intercept::free_port().ok())
            .find(|p| !ports.contains(&Some(*p)));
        ports.push(port);
    }
    ports
}

fn run_campaign(args: RunArgs) -> CliResult {
    let file = CampaignFile::load(&args.file).map_err(input)?;
    let problems = file.check();
    if !problems.is_empty() {
        for p in &problems {
            note!("error: {p}");
        }
        return Ok(Outcome::InvalidInput {
            failed: problems.len(),
        });
    }
    let shard = Shard::resolve(args.shard.as_deref(), |k| std::env::var(k).ok()).map_err(input)?;
    let apps = file.apps().map_err(input)?;
    let plan = Plan::build(&file, &apps, shard, |p| {
        prior_apk::sha256_file(p).ok().map(|(h, _)| h)
    });
    let devices = devices_of(&args, &file)?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan));
    let dir = CampaignDir::open(&out, plan.clone(), args.force_new_plan).map_err(input)?;
    note!(
        "campaign {}: {}; {} app(s) × {} scenario(s), {} pair(s) in this shard; directory {}",
        plan.name,
        shard.describe(),
        plan.apps.len(),
        plan.scenarios.len(),
        plan.pairs.len(),
        out.display()
    );
    let mut todo = Vec::new();
    let mut done_before = Vec::new();
    for pair in &plan.pairs {
        match dir.pair_state(pair) {
            PairState::Done { bundle } => done_before.push((pair.id.clone(), bundle)),
            _ => todo.push(pair.clone()),
        }
    }
    if !done_before.is_empty() {
        note!(
            "{} of {} pair(s) already done in {}: skipped ({} to run)",
            done_before.len(),
            plan.pairs.len(),
            out.display(),
            todo.len()
        );
    }
    if args.dry_run {
        let done: BTreeSet<&str> = done_before.iter().map(|(id, _)| id.as_str()).collect();
        for pair in &plan.pairs {
            let state = if done.contains(pair.id.as_str()) {
                "done"
            } else {
                "to run"
            };
            say!("{}\t{state}", pair.id);
        }
        return Ok(Outcome::Done);
    }
    let stop = Arc::new(Stop::new());
    crate::signals::stop_on_signals(Arc::clone(&stop));
    let bar = if std::io::stderr().is_terminal() && !todo.is_empty() {
        let b = ProgressBar::new(todo.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} pairs {wide_msg} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        b
    } else {
        ProgressBar::with_draw_target(Some(todo.len() as u64), ProgressDrawTarget::hidden())
    };
    let ctx = Arc::new(Ctx {
        plan: plan.clone(),
        dir,
        stop: Arc::clone(&stop),
        profile: file.profile.clone(),
        outcomes: Mutex::new(BTreeMap::new()),
        bar,
    });
    let workers: Vec<Worker> = match &devices {
        Devices::Simulated { models, n } => (1..=*n)
            .map(|i| Worker {
                name: format!("simulated-{i}"),
                kind: Kind::Simulated {
                    models: models.clone(),
                },
                ctx: Arc::clone(&ctx),
            })
            .collect(),
        Devices::Serials(serials) => serials
            .iter()
            .map(|s| Worker {
                name: s.clone(),
                kind: Kind::Serial(s.clone()),
                ctx: Arc::clone(&ctx),
            })
            .collect(),
        Devices::Avd { name, n } => {
            let ports = proxy_ports(&plan, *n);
            (1..=*n)
                .map(|i| Worker {
                    name: format!("avd:{name}#{i}"),
                    kind: Kind::Avd(Box::new(super::campaign_avd::AvdSlot::new(
                        name,
                        i,
                        ports.get(i - 1).copied().flatten(),
                    ))),
                    ctx: Arc::clone(&ctx),
                })
                .collect()
        }
    };
    if !todo.is_empty() {
        note!(
            "running {} pair(s) on {} device(s): {}",
            todo.len(),
            workers.len(),
            workers
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let counts = Mutex::new((0usize, 0usize, 0usize)); // running, complete, not complete
    let show = |c: &(usize, usize, usize)| {
        ctx.bar.set_message(format!(
            "done {} · running {} · incomplete/failed {}",
            c.1, c.0, c.2
        ));
    };
    let on_event = |e: QueueEvent<'_>| match e {
        QueueEvent::Started { .. } => {
            let mut c = lock(&counts);
            c.0 += 1;
            show(&c);
        }
        QueueEvent::Attempted {
            pair,
            attempt,
            device,
            attempt_result: a,
        } => {
            let outcome = match &a.result {
                AttemptResult::Complete => AttemptOutcome::Complete,
                AttemptResult::Incomplete { .. } => AttemptOutcome::Incomplete,
                AttemptResult::Failed { .. } | AttemptResult::DeviceLost { .. } => {
                    AttemptOutcome::Failed
                }
            };
            let line = LogLine {
                pair: pair.id.clone(),
                attempt,
                device: device.to_string(),
                started_host_us: a.started_host_us,
                ended_host_us: a.ended_host_us,
                outcome,
                reason: a.result.reason().map(str::to_string),
                bundle: a.bundle.as_deref().map(|b| rel(ctx.dir.root(), b)),
            };
            if let Err(e) = ctx.dir.log(&line) {
                ctx.line(&format!("warning: failed to write the attempt log: {e}"));
            }
            let mut c = lock(&counts);
            c.0 = c.0.saturating_sub(1);
            let lost = matches!(a.result, AttemptResult::DeviceLost { .. });
            match (&a.result, lost && attempt == 1) {
                (AttemptResult::Complete, _) => c.1 += 1,
                (_, true) => {}
                _ => c.2 += 1,
            }
            if !(lost && attempt == 1) {
                ctx.bar.inc(1);
            }
            show(&c);
            drop(c);
            let what = match &a.result {
                AttemptResult::Complete => "complete".to_string(),
                AttemptResult::Incomplete { reason } => format!("INCOMPLETE: {reason}"),
                AttemptResult::Failed { reason } => format!("FAILED: {reason}"),
                AttemptResult::DeviceLost { reason } => format!("DEVICE LOST: {reason}"),
            };
            let secs = (a.ended_host_us - a.started_host_us) as f64 / 1e6;
            ctx.line(&format!(
                "{} on {device} (attempt {attempt}, {secs:.1} s): {what}",
                pair.id
            ));
        }
        QueueEvent::DeviceRetired { device, reason } => {
            ctx.line(&format!(
                "device {device} taken out of the campaign: {reason}"
            ));
        }
        QueueEvent::GivenUp { pair, reason } => {
            ctx.line(&format!("{}: {reason}", pair.id));
            if !stop.is_requested() {
                let now = host_now_us();
                let line = LogLine {
                    pair: pair.id.clone(),
                    attempt: 0,
                    device: String::new(),
                    started_host_us: now,
                    ended_host_us: now,
                    outcome: AttemptOutcome::Failed,
                    reason: Some(reason.to_string()),
                    bundle: None,
                };
                let _ = ctx.dir.log(&line);
            }
        }
    };
    let stopped = || stop.is_requested();
    let records = prior_campaign::run_queue(todo, workers, &stopped, &on_event);
    ctx.bar.finish_and_clear();
    // The campaign's outcome: every pair of the shard.
    let outcomes = lock(&ctx.outcomes).clone();
    let mut all = Vec::new();
    let (mut complete, mut incomplete, mut not_run, mut violations) = (0, 0, 0, 0);
    // Pairs that failed on their own inputs (an unreadable scenario or APK, a failed
    // analysis): counted apart from incomplete ones, since they decide exit code 2.
    let (mut failed_input, mut failed_device) = (0, 0);
    for pair in &plan.pairs {
        let state = ctx.dir.pair_state(pair);
        let outcome = match (&state, outcomes.get(&pair.id)) {
            (PairState::Done { .. }, Some(o)) => o.clone(),
            (PairState::Done { bundle }, None) => outcome_of_done(bundle, ctx.profile.as_deref()),
            (_, Some(Outcome::Failed(k))) => Outcome::Failed(*k),
            // Recorded in this run but not done: incomplete unless it fails, as the merge
            // judges it (`pair_outcome`).
            (_, Some(Outcome::Judged(j))) => Outcome::Judged(crate::exit::Judged {
                incomplete: true,
                ..*j
            }),
            _ => INCOMPLETE,
        };
        match (&state, &outcome) {
            (PairState::Done { .. }, _) => complete += 1,
            (_, Outcome::Failed(ErrorKind::Input)) => failed_input += 1,
            (_, Outcome::Failed(ErrorKind::Device)) => failed_device += 1,
            (PairState::Incomplete { .. }, _) => incomplete += 1,
            (PairState::NotRun, _) => {
                let run_now = records
                    .iter()
                    .any(|r| r.pair.id == pair.id && r.end != PairEnd::NotRun);
                if run_now {
                    incomplete += 1
                } else {
                    not_run += 1
                }
            }
        }
        if crate::exit::code_of(&outcome) == crate::exit::VIOLATIONS {
            violations += 1;
        }
        all.push(outcome);
    }
    if let Some(why) = stop.reason() {
        note!("{why}: pairs not started are left for the next run (run the same command again)");
    }
    let outcome = Outcome::Batch(all);
    let failed = match (failed_input, failed_device) {
        (0, 0) => String::new(),
        (i, 0) => format!(", {i} failed (input)"),
        (0, d) => format!(", {d} failed (device)"),
        (i, d) => format!(", {i} failed (input), {d} failed (device)"),
    };
    note!(
        "campaign {}: {} pair(s): {complete} complete ({} done before this run), {incomplete} \
         incomplete{failed}, {not_run} not run; {violations} failing (violations or unmet \
         expect:); exit {}",
        prior_model::text::escape_controls(&plan.name),
        plan.pairs.len(),
        done_before.len(),
        crate::exit::code_of(&outcome)
    );
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(scenarios: &[&str]) -> Plan {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let v = serde_json::json!({
            "format": 1, "name": "t", "campaign_sha256": "00",
            "apps": [{"index": 0, "slug": "news",
                      "apk": root.join("scenarios/demo/apps/polite-news.apk")}],
            "scenarios": scenarios.iter().enumerate().map(|(i, s)| serde_json::json!({
                "index": i, "stem": format!("s{i}"), "path": root.join(s)
            })).collect::<Vec<_>>(),
            "pairs": [],
        });
        serde_json::from_value(v).expect("a plan")
    }

    /// An `--avd` campaign boots each emulator with its own `-http-proxy` port when one of
    /// its scenarios intercepts, and with none otherwise.
    #[test]
    fn avd_emulators_get_distinct_proxy_ports_only_when_a_scenario_intercepts() {
        let plain = plan_of(&["tests/data/campaign/accept.yaml"]);
        assert_eq!(proxy_ports(&plain, 3), vec![None, None, None]);
        let intercepting = plan_of(&[
            "tests/data/campaign/accept.yaml",
            "scenarios/demo/polite-news-intercept.yaml",
        ]);
        let ports = proxy_ports(&intercepting, 3);
        assert!(ports.iter().all(Option::is_some), "{ports:?}");
        let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), 3, "{ports:?}");
    }
}
