//! The work queue of `prior campaign run`: N workers, each owning one device, take the next
//! pair from one queue. A worker whose device dies is retired and its pair is retried ONCE on
//! another device; a pair that cannot be run is recorded with its reason, never lost.
//!
//! Nothing here speaks to a device: the CLI's workers do ([`PairWorker`]).

use crate::plan::PlanPair;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

/// How one attempt at a pair ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// A complete bundle was recorded (whatever its verdict).
    Complete,
    /// A bundle was recorded but the session is incomplete (the app crashed, the run was
    /// stopped…) while the device stayed usable: a result, not retried.
    Incomplete {
        /// Why.
        reason: String,
    },
    /// The pair could not be run for a reason of its own (an invalid scenario, an APK that
    /// cannot be read, no model for the app): not retried, the device stays in service.
    Failed {
        /// Why.
        reason: String,
    },
    /// The device failed or went offline: the worker is retired and the pair retried once on
    /// another device.
    DeviceLost {
        /// Why.
        reason: String,
    },
}

impl AttemptResult {
    /// The reason, when not complete.
    pub fn reason(&self) -> Option<&str> {
        match self {
            AttemptResult::Complete => None,
            AttemptResult::Incomplete { reason }
            | AttemptResult::Failed { reason }
            | AttemptResult::DeviceLost { reason } => Some(reason),
        }
    }
}

/// One attempt, as a worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// How it ended.
    pub result: AttemptResult,
    /// The bundle written, if any.
    pub bundle: Option<PathBuf>,
    /// Host time it started, µs since the epoch.
    pub started_host_us: i64,
    /// Host time it ended.
    pub ended_host_us: i64,
}

/// A worker: one device, running one pair at a time.
pub trait PairWorker: Send {
    /// The device's name for logs (serial, `simulated-2`).
    fn device(&self) -> String;
    /// Runs `pair` (attempt 1, or 2 when another device lost it) and says how it ended.
    fn run(&mut self, pair: &PlanPair, attempt: u32) -> Attempt;
}

/// What happened, as it happens (for progress and the attempt log).
#[derive(Debug, Clone)]
pub enum QueueEvent<'a> {
    /// A worker started a pair.
    Started {
        /// The pair.
        pair: &'a PlanPair,
        /// 1 or 2.
        attempt: u32,
        /// The device.
        device: &'a str,
    },
    /// An attempt ended.
    Attempted {
        /// The pair.
        pair: &'a PlanPair,
        /// 1 or 2.
        attempt: u32,
        /// The device.
        device: &'a str,
        /// How.
        attempt_result: &'a Attempt,
    },
    /// A device was taken out of the campaign.
    DeviceRetired {
        /// The device.
        device: &'a str,
        /// Why.
        reason: &'a str,
    },
    /// A pair was given up without a (further) attempt.
    GivenUp {
        /// The pair.
        pair: &'a PlanPair,
        /// Why.
        reason: &'a str,
    },
}

/// How a pair ended in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairEnd {
    /// A complete bundle.
    Complete,
    /// Recorded, incomplete, or could not be run: with the reason.
    Incomplete {
        /// Why.
        reason: String,
    },
    /// Not started because the run was stopped (a signal).
    NotRun,
}

/// One pair's end in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRecord {
    /// The pair.
    pub pair: PlanPair,
    /// How it ended.
    pub end: PairEnd,
    /// The last bundle written, if any.
    pub bundle: Option<PathBuf>,
    /// Attempts made (0, 1 or 2).
    pub attempts: u32,
}

struct Shared {
    queue: VecDeque<(PlanPair, u32)>,
    in_flight: usize,
    live: usize,
    records: Vec<PairRecord>,
}

/// Runs `pairs` on `workers` and returns one record per pair, in the order of `pairs`.
/// `stopped` is asked before each pair is taken: once it says true no new pair starts (the
/// running ones finish, their recorder sees the same stop) and the rest are [`PairEnd::NotRun`].
/// `on_event` is called from the worker threads.
pub fn run_queue<W: PairWorker>(
    pairs: Vec<PlanPair>,
    workers: Vec<W>,
    stopped: &(dyn Fn() -> bool + Sync),
    on_event: &(dyn Fn(QueueEvent<'_>) + Sync),
) -> Vec<PairRecord> {
    let order: Vec<String> = pairs.iter().map(|p| p.id.clone()).collect();
    let shared = Mutex::new(Shared {
        queue: pairs.into_iter().map(|p| (p, 1)).collect(),
        in_flight: 0,
        live: workers.len(),
        records: Vec::new(),
    });
    let wake = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(|p| p.into_inner());
    std::thread::scope(|s| {
        for mut worker in workers {
            let (shared, wake) = (&shared, &wake);
            s.spawn(move || {
                let lock = || shared.lock().unwrap_or_else(|p| p.into_inner());
                let device = worker.device();
                loop {
                    let job = {
                        let mut st = lock();
                        loop {
                            if stopped() {
                                break None;
                            }
                            if let Some(job) = st.queue.pop_front() {
                                st.in_flight += 1;
                                break Some(job);
                            }
                            if st.in_flight == 0 {
                                break None;
                            }
                            st = wake.wait(st).unwrap_or_else(|p| p.into_inner());
                        }
                    };
                    let Some((pair, attempt)) = job else {
                        let mut st = lock();
                        st.live -= 1;
                        wake.notify_all();
                        return;
                    };
                    on_event(QueueEvent::Started {
                        pair: &pair,
                        attempt,
                        device: &device,
                    });
                    let a = worker.run(&pair, attempt);
                    on_event(QueueEvent::Attempted {
                        pair: &pair,
                        attempt,
                        device: &device,
                        attempt_result: &a,
                    });
                    let mut st = lock();
                    st.in_flight -= 1;
                    let record = |end| PairRecord {
                        pair: pair.clone(),
                        end,
                        bundle: a.bundle.clone(),
                        attempts: attempt,
                    };
                    match &a.result {
                        AttemptResult::Complete => st.records.push(record(PairEnd::Complete)),
                        AttemptResult::Incomplete { reason } | AttemptResult::Failed { reason } => {
                            st.records.push(record(PairEnd::Incomplete {
                                reason: reason.clone(),
                            }))
                        }
                        AttemptResult::DeviceLost { reason } => {
                            // This worker leaves; another device gets the pair once.
                            st.live -= 1;
                            let others = st.live > 0;
                            if attempt == 1 && others && !stopped() {
                                st.queue.push_front((pair.clone(), 2));
                            } else {
                                let why = if attempt == 1 && !others {
                                    format!(
                                        "the device {device} was lost ({reason}) and no other \
                                         device was left to retry the pair"
                                    )
                                } else if attempt == 1 {
                                    format!(
                                        "the device {device} was lost ({reason}) and the run \
                                         was stopped before the retry"
                                    )
                                } else {
                                    format!("lost its device twice: last {device} ({reason})")
                                };
                                st.records.push(record(PairEnd::Incomplete { reason: why }));
                            }
                            wake.notify_all();
                            drop(st);
                            on_event(QueueEvent::DeviceRetired {
                                device: &device,
                                reason,
                            });
                            return;
                        }
                    }
                    wake.notify_all();
                }
            });
        }
    });
    let mut st = lock();
    let left: Vec<(PlanPair, u32)> = st.queue.drain(..).collect();
    for (pair, attempt) in left {
        let (end, reason) = if stopped() {
            (
                PairEnd::NotRun,
                "the run was stopped before it started".to_string(),
            )
        } else {
            let r = if attempt == 2 {
                "its device was lost and no other device was left to retry it".to_string()
            } else {
                "no device was left to run it (every device was lost)".to_string()
            };
            (PairEnd::Incomplete { reason: r.clone() }, r)
        };
        on_event(QueueEvent::GivenUp {
            pair: &pair,
            reason: &reason,
        });
        st.records.push(PairRecord {
            pair,
            end,
            bundle: None,
            attempts: attempt - 1,
        });
    }
    let mut records = std::mem::take(&mut st.records);
    records.sort_by_key(|r| order.iter().position(|id| *id == r.pair.id));
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn pairs(n: usize) -> Vec<PlanPair> {
        (0..n)
            .map(|i| PlanPair {
                id: format!("p{i:02}"),
                app: i,
                scenario: 0,
            })
            .collect()
    }

    type Ran = Arc<Mutex<Vec<(String, String, u32)>>>;

    /// A fake device: `dies_after` = the number of pairs after which it is lost (its next pair
    /// reports DeviceLost); it records what it ran.
    struct Fake {
        name: String,
        dies_after: Option<usize>,
        ran: Ran,
        count: usize,
    }

    impl PairWorker for Fake {
        fn device(&self) -> String {
            self.name.clone()
        }
        fn run(&mut self, pair: &PlanPair, attempt: u32) -> Attempt {
            self.ran
                .lock()
                .unwrap()
                .push((pair.id.clone(), self.name.clone(), attempt));
            std::thread::sleep(std::time::Duration::from_millis(2));
            let lost = self.dies_after.is_some_and(|d| self.count >= d);
            self.count += 1;
            Attempt {
                result: if lost {
                    AttemptResult::DeviceLost {
                        reason: "offline".into(),
                    }
                } else {
                    AttemptResult::Complete
                },
                bundle: None,
                started_host_us: 0,
                ended_host_us: 1,
            }
        }
    }

    fn fakes(spec: &[Option<usize>]) -> (Vec<Fake>, Ran) {
        let ran = Arc::new(Mutex::new(Vec::new()));
        let workers = spec
            .iter()
            .enumerate()
            .map(|(i, d)| Fake {
                name: format!("d{i}"),
                dies_after: *d,
                ran: Arc::clone(&ran),
                count: 0,
            })
            .collect();
        (workers, ran)
    }

    #[test]
    fn every_pair_runs_once_across_workers() {
        let (workers, ran) = fakes(&[None, None, None]);
        let records = run_queue(pairs(20), workers, &|| false, &|_| {});
        assert_eq!(records.len(), 20);
        assert!(records.iter().all(|r| r.end == PairEnd::Complete));
        let ids: Vec<_> = records.iter().map(|r| r.pair.id.clone()).collect();
        assert_eq!(ids, pairs(20).into_iter().map(|p| p.id).collect::<Vec<_>>());
        let ran = ran.lock().unwrap();
        assert_eq!(ran.len(), 20);
        let devices: BTreeSet<_> = ran.iter().map(|r| r.1.clone()).collect();
        assert!(devices.len() > 1, "{ran:?}");
    }

    #[test]
    fn a_lost_device_retires_and_its_pair_is_retried_once_elsewhere() {
        let (workers, ran) = fakes(&[Some(2), None]);
        let retired = Mutex::new(Vec::new());
        let records = run_queue(pairs(8), workers, &|| false, &|e| {
            if let QueueEvent::DeviceRetired { device, .. } = e {
                retired.lock().unwrap().push(device.to_string());
            }
        });
        assert_eq!(*retired.lock().unwrap(), ["d0"]);
        assert!(
            records.iter().all(|r| r.end == PairEnd::Complete),
            "{records:?}"
        );
        let ran = ran.lock().unwrap();
        let lost: Vec<_> = ran.iter().filter(|r| r.1 == "d0").collect();
        assert_eq!(lost.len(), 3);
        let lost_pair = &lost[2].0;
        let retry: Vec<_> = ran.iter().filter(|r| &r.0 == lost_pair).collect();
        assert_eq!(retry.len(), 2);
        assert_eq!((retry[1].1.as_str(), retry[1].2), ("d1", 2));
        let per_pair: BTreeMap<_, usize> = ran.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(r.0.clone()).or_default() += 1;
            m
        });
        assert_eq!(per_pair.values().sum::<usize>(), 9);
    }

    #[test]
    fn a_pair_whose_retry_also_loses_its_device_is_incomplete_and_the_rest_are_never_lost() {
        // Both devices die on their first pair: p00 loses d0, is retried on d1 which dies too.
        let (workers, _ran) = fakes(&[Some(0), Some(0)]);
        let records = run_queue(pairs(4), workers, &|| false, &|_| {});
        assert_eq!(records.len(), 4);
        for r in &records {
            let PairEnd::Incomplete { reason } = &r.end else {
                panic!("{r:?}")
            };
            assert!(!reason.is_empty());
        }
        assert!(
            records
                .iter()
                .any(|r| matches!(&r.end, PairEnd::Incomplete { reason } if reason.contains("twice")))
                || records.iter().any(|r| matches!(&r.end, PairEnd::Incomplete { reason } if reason.contains("no other device"))),
            "{records:?}"
        );
    }

    #[test]
    fn a_stop_starts_no_new_pair_and_the_rest_are_not_run() {
        let stop = Arc::new(AtomicBool::new(false));
        let (workers, ran) = fakes(&[None]);
        let s2 = Arc::clone(&stop);
        let records = run_queue(
            pairs(5),
            workers,
            &|| stop.load(Ordering::SeqCst),
            &move |e| {
                if let QueueEvent::Attempted { pair, .. } = e
                    && pair.id == "p01"
                {
                    s2.store(true, Ordering::SeqCst);
                }
            },
        );
        assert_eq!(ran.lock().unwrap().len(), 2);
        let ends: Vec<_> = records.iter().map(|r| r.end.clone()).collect();
        assert_eq!(
            ends,
            [
                PairEnd::Complete,
                PairEnd::Complete,
                PairEnd::NotRun,
                PairEnd::NotRun,
                PairEnd::NotRun
            ]
        );
    }
}
