//! Prior's documented exit codes (`docs/exit-codes.md`), chosen in one place.
//!
//! Commands do not pick numbers: they return an [`Outcome`] (what they concluded) or a
//! [`CliError`](crate::CliError) (what went wrong, as an [`ErrorKind`]), and [`code_of`] maps
//! that to the process exit code. `prior --help` lists the table ([`HELP_TABLE`]).

use prior_analyze::Verdict;
use std::process::ExitCode;

/// No violation (with a baseline: no new one; with `expect:`: the expectations hold) in a
/// complete session, or the command succeeded.
pub const OK: u8 = 0;
/// Violations found (with a baseline: new ones), or the scenario's `expect:` does not hold.
pub const VIOLATIONS: u8 = 1;
/// Usage or input error (arguments, scenario, bundle, manifest mismatch).
pub const INPUT: u8 = 2;
/// Device or environment error.
pub const DEVICE: u8 = 3;
/// The run is incomplete (or coverage is missing) and nothing else made it fail.
pub const INCOMPLETE: u8 = 4;

/// The exit-code table as `prior --help` prints it (after the commands).
pub const HELP_TABLE: &str = "\
Exit codes:
  0  no violation (with --baseline: no new one; with expect: the expectations
     hold) and the session is complete, or the command succeeded
  1  violations found (with --baseline: new ones), or expect: does not hold
  2  usage or input error (arguments, scenario, bundle, manifest mismatch)
  3  device or environment error (no adb server, device offline, install failed)
  4  incomplete or inconclusive run that nothing else made fail
  (the full table: docs/exit-codes.md)";

/// What kind of failure a [`CliError`](crate::CliError) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments, an unreadable scenario or bundle, a manifest mismatch, a failed write.
    Input,
    /// The device or the environment: adb, the SDK, the emulator, the device itself.
    Device,
}

/// What a command concluded. [`code_of`] turns it into the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The command did what it was asked; nothing was judged (also `--help`, `--version`
    /// and a broken pipe on stdout).
    Done,
    /// The analyzer's verdict on one bundle.
    Verdict(Verdict),
    /// A run judged beyond its verdict (`prior run`, `prior report`): the scenario's
    /// `expect:` block and/or a baseline. See [`Judged`].
    Judged(Judged),
    /// Some inputs were read and found invalid (`prior check`); each was reported.
    InvalidInput {
        /// How many.
        failed: usize,
    },
    /// `prior doctor`: a run on a real device cannot start here.
    NotReady,
    /// `prior selftest`: whether every access the device should reveal was seen, and whether
    /// anything could be checked at all.
    Selftest {
        /// No expected signal was missed and at least one was expected.
        passed: bool,
        /// At least one signal was expected (a blind recording checks nothing).
        checked: bool,
    },
    /// A command failed (its error was printed).
    Failed(ErrorKind),
    /// Several scenarios or bundles: the worst outcome counts (errors over violations over
    /// incomplete over clean; the first of equally bad ones).
    Batch(Vec<Outcome>),
}

/// The facts that decide the exit code of one judged run (`docs/exit-codes.md`, "One run").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    /// The analyzer's verdict.
    pub verdict: Verdict,
    /// The session or its analysis is incomplete, or a source kept it from passing
    /// (`prior_report::Judgement::incomplete`).
    pub incomplete: bool,
    /// The scenario's `expect:` block held (`None`: the scenario has none).
    pub expectations_met: Option<bool>,
    /// With a baseline: violations not in it and not allowed by the scenario (`None`: no
    /// baseline).
    pub new_violations: Option<usize>,
}

impl Judged {
    /// Whether the run fails (code 1): expectations that do not hold; else, with a
    /// baseline, a new violation; else, with expectations that hold, nothing; else a `fail`
    /// verdict.
    pub fn fails(&self) -> bool {
        match (self.expectations_met, self.new_violations) {
            (Some(false), _) => true,
            (_, Some(new)) => new > 0,
            (Some(true), None) => false,
            (None, None) => self.verdict == Verdict::Fail,
        }
    }
}

/// The exit code of an outcome: the one mapping from outcomes to `docs/exit-codes.md`.
pub fn code_of(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Done => OK,
        Outcome::Verdict(Verdict::Pass) => OK,
        Outcome::Verdict(Verdict::Fail) => VIOLATIONS,
        Outcome::Verdict(Verdict::Inconclusive) => INCOMPLETE,
        // Failing wins; otherwise an incomplete run is never 0.
        Outcome::Judged(j) if j.fails() => VIOLATIONS,
        Outcome::Judged(j) if j.incomplete || j.verdict == Verdict::Inconclusive => INCOMPLETE,
        Outcome::Judged(_) => OK,
        Outcome::Selftest { passed: true, .. } => OK,
        Outcome::Selftest { checked: false, .. } => INCOMPLETE,
        Outcome::Selftest { .. } => VIOLATIONS,
        Outcome::InvalidInput { .. } | Outcome::Failed(ErrorKind::Input) => INPUT,
        Outcome::NotReady | Outcome::Failed(ErrorKind::Device) => DEVICE,
        Outcome::Batch(all) => {
            let mut worst = OK;
            for c in all.iter().map(code_of) {
                if severity(c) > severity(worst) {
                    worst = c;
                }
            }
            worst
        }
    }
}

/// How bad a code is when several outcomes are combined.
fn severity(code: u8) -> u8 {
    match code {
        INPUT | DEVICE => 3,
        VIOLATIONS => 2,
        INCOMPLETE => 1,
        _ => 0,
    }
}

/// The process exit code of an outcome.
pub fn exit_code(outcome: &Outcome) -> ExitCode {
    ExitCode::from(code_of(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_map_to_the_documented_codes() {
        assert_eq!(code_of(&Outcome::Done), 0);
        assert_eq!(code_of(&Outcome::Verdict(Verdict::Pass)), 0);
        assert_eq!(code_of(&Outcome::Verdict(Verdict::Fail)), 1);
        assert_eq!(code_of(&Outcome::Verdict(Verdict::Inconclusive)), 4);
    }

    #[test]
    fn errors_map_to_input_and_device() {
        assert_eq!(code_of(&Outcome::Failed(ErrorKind::Input)), 2);
        assert_eq!(code_of(&Outcome::InvalidInput { failed: 1 }), 2);
        assert_eq!(code_of(&Outcome::Failed(ErrorKind::Device)), 3);
        assert_eq!(code_of(&Outcome::NotReady), 3);
    }

    const DOC: &str = include_str!("../../../docs/exit-codes.md");

    /// The rows between `<!-- NAME: begin` and `<!-- NAME: end -->`, as cells (header and
    /// separator dropped).
    fn rows(name: &str) -> Vec<Vec<String>> {
        let begin = format!("<!-- {name}: begin");
        let end = format!("<!-- {name}: end -->");
        let start = DOC.find(&begin).expect("the table's begin marker");
        let stop = DOC[start..].find(&end).expect("the table's end marker") + start;
        DOC[start..stop]
            .lines()
            .filter(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().trim_matches('*').to_string())
                    .collect()
            })
            .collect()
    }

    fn yes(cell: &str) -> bool {
        match cell {
            "yes" => true,
            "no" | "—" => false,
            other => panic!("not yes/no/—: {other:?}"),
        }
    }

    #[test]
    fn every_row_of_the_documented_table_is_what_code_of_gives() {
        let rows = rows("exit-table");
        assert!(rows.len() >= 34, "{} rows", rows.len());
        let mut judged = 0;
        for row in &rows {
            let [
                command,
                violations,
                incomplete,
                expect,
                baseline,
                new,
                code,
                _why,
            ] = row.as_slice()
            else {
                panic!("a row of 8 cells: {row:?}");
            };
            let verdict = match (yes(violations), yes(incomplete)) {
                (true, _) => Verdict::Fail,
                (false, true) => Verdict::Inconclusive,
                (false, false) => Verdict::Pass,
            };
            let outcome = match command.as_str() {
                "analyze" => {
                    assert_eq!((expect.as_str(), baseline.as_str()), ("—", "—"), "{row:?}");
                    Outcome::Verdict(verdict)
                }
                "report, run" => {
                    judged += 1;
                    let expectations_met = match expect.as_str() {
                        "none" => None,
                        "met" => Some(true),
                        "unmet" => Some(false),
                        other => panic!("expect {other:?}"),
                    };
                    assert!(!yes(new) || yes(baseline), "new needs a baseline: {row:?}");
                    assert!(
                        !yes(new) || yes(violations),
                        "new needs violations: {row:?}"
                    );
                    Outcome::Judged(Judged {
                        verdict,
                        incomplete: yes(incomplete),
                        expectations_met,
                        new_violations: yes(baseline).then_some(usize::from(yes(new))),
                    })
                }
                other => panic!("unknown command {other:?}"),
            };
            assert_eq!(code_of(&outcome).to_string(), *code, "{row:?}");
        }
        // Every combination is listed once: 2 × 2 × 3 × (3 with violations, 2 without).
        assert_eq!(judged, 30);
        let mut seen: Vec<&Vec<String>> = rows.iter().collect();
        seen.dedup_by(|a, b| a[..6] == b[..6]);
        assert_eq!(seen.len(), rows.len(), "a duplicated row");
    }

    #[test]
    fn every_row_of_the_documented_batch_table_is_what_code_of_gives() {
        let codes = |list: &str| -> Vec<Outcome> {
            list.split(',')
                .map(|c| match c.trim() {
                    "0" => Outcome::Verdict(Verdict::Pass),
                    "1" => Outcome::Verdict(Verdict::Fail),
                    "4" => Outcome::Verdict(Verdict::Inconclusive),
                    "2" => Outcome::Failed(ErrorKind::Input),
                    "3" => Outcome::Failed(ErrorKind::Device),
                    other => panic!("code {other:?}"),
                })
                .collect()
        };
        let rows = rows("batch-table");
        assert!(rows.len() >= 8);
        for row in rows {
            let [runs, code] = row.as_slice() else {
                panic!("{row:?}");
            };
            assert_eq!(
                code_of(&Outcome::Batch(codes(runs))).to_string(),
                *code,
                "{row:?}"
            );
        }
    }

    #[test]
    fn a_batch_takes_the_worst_and_the_first_of_equal_errors() {
        let batch = |all: Vec<Outcome>| code_of(&Outcome::Batch(all));
        let v = Outcome::Verdict;
        assert_eq!(batch(vec![]), 0);
        assert_eq!(batch(vec![v(Verdict::Inconclusive), v(Verdict::Pass)]), 4);
        assert_eq!(batch(vec![v(Verdict::Inconclusive), v(Verdict::Fail)]), 1);
        assert_eq!(
            batch(vec![
                v(Verdict::Fail),
                Outcome::Failed(ErrorKind::Device),
                Outcome::Failed(ErrorKind::Input)
            ]),
            3
        );
        assert_eq!(
            batch(vec![
                Outcome::Failed(ErrorKind::Input),
                Outcome::Failed(ErrorKind::Device)
            ]),
            2
        );
    }
}
