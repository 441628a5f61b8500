//! Which share of a campaign this process runs: `--shard I/N`, else the CI engine's index
//! (`docs/campaigns.md`, "Shards").

use serde::{Deserialize, Serialize};

/// Where the shard came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardSource {
    /// `--shard I/N`.
    #[serde(rename = "flag")]
    Flag,
    /// Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based) with `PRIOR_SHARD_TOTAL`.
    #[serde(rename = "JOB_COMPLETION_INDEX")]
    JobCompletionIndex,
    /// GitLab `parallel:`: `CI_NODE_INDEX` (1-based) with `CI_NODE_TOTAL`.
    #[serde(rename = "CI_NODE_INDEX")]
    CiNodeIndex,
    /// No shard: the whole campaign.
    #[serde(rename = "none")]
    None,
}

/// One share of a campaign: shard `index` (1-based) of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    /// At least 1.
    pub total: u32,
    /// Where it came from.
    pub source: ShardSource,
}

/// A shard that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(pub String);

impl Shard {
    /// The whole campaign.
    pub const ALL: Shard = Shard {
        index: 1,
        total: 1,
        source: ShardSource::None,
    };

    /// True when app index `app` belongs to this shard (app-major: every scenario of an app
    /// stays in one shard).
    pub fn takes(&self, app: usize) -> bool {
        let total = self.total.max(1) as usize;
        app % total == (self.index.max(1) - 1) as usize
    }
}

fn number(what: &str, text: &str) -> Result<u32, ShardError> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| ShardError(format!("{what} is {text:?}, not a whole number")))
}

impl Shard {
    /// `--shard I/N`: 1 ≤ I ≤ N.
    pub fn parse_flag(text: &str) -> Result<Shard, ShardError> {
        let Some((i, n)) = text.split_once('/') else {
            return Err(ShardError(format!(
                "--shard {text:?}: expected I/N, e.g. 2/4 (the second of four shards, 1-based)"
            )));
        };
        let index = number("--shard's I", i)?;
        let total = number("--shard's N", n)?;
        Shard::checked(index, total, ShardSource::Flag)
            .map_err(|e| ShardError(format!("--shard {text}: {}", e.0)))
    }

    fn checked(index: u32, total: u32, source: ShardSource) -> Result<Shard, ShardError> {
        if total == 0 {
            return Err(ShardError("the number of shards is 0".into()));
        }
        if index == 0 || index > total {
            return Err(ShardError(format!(
                "shard {index} of {total} does not exist (shards are numbered 1 to {total})"
            )));
        }
        Ok(Shard {
            index,
            total,
            source,
        })
    }

    /// The shard of this process: `flag` if given, else Kubernetes' `JOB_COMPLETION_INDEX`
    /// (0-based; Indexed Jobs do not export the completion count, so the total comes from
    /// `PRIOR_SHARD_TOTAL`), else GitLab's `CI_NODE_INDEX` (1-based) / `CI_NODE_TOTAL`, else
    /// the whole campaign. `env` reads a variable (`std::env::var` in the binary).
    pub fn resolve(
        flag: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
        if let Some(f) = flag {
            return Shard::parse_flag(f);
        }
        let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(i) = env("JOB_COMPLETION_INDEX") {
            let index = number("JOB_COMPLETION_INDEX", &i)?;
            let Some(t) = env("PRIOR_SHARD_TOTAL") else {
                return Err(ShardError(format!(
                    "JOB_COMPLETION_INDEX is {index} but PRIOR_SHARD_TOTAL is not set: a \
                     Kubernetes Indexed Job does not export its completion count, so set \
                     PRIOR_SHARD_TOTAL to the Job's `completions` (or pass --shard I/N)"
                )));
            };
            let total = number("PRIOR_SHARD_TOTAL", &t)?;
            let one_based = index
                .checked_add(1)
                .ok_or_else(|| ShardError(format!("JOB_COMPLETION_INDEX {index} is too large")))?;
            return Shard::checked(one_based, total, ShardSource::JobCompletionIndex).map_err(
                |e| {
                    ShardError(format!(
                        "JOB_COMPLETION_INDEX={index} (0-based), PRIOR_SHARD_TOTAL={total}: {}",
                        e.0
                    ))
                },
            );
        }
        if let Some(i) = env("CI_NODE_INDEX") {
            let index = number("CI_NODE_INDEX", &i)?;
            let Some(t) = env("CI_NODE_TOTAL") else {
                return Err(ShardError(format!(
                    "CI_NODE_INDEX is {index} but CI_NODE_TOTAL is not set"
                )));
            };
            let total = number("CI_NODE_TOTAL", &t)?;
            return Shard::checked(index, total, ShardSource::CiNodeIndex).map_err(|e| {
                ShardError(format!(
                    "CI_NODE_INDEX={index} (1-based), CI_NODE_TOTAL={total}: {}",
                    e.0
                ))
            });
        }
        Ok(Shard::ALL)
    }

    /// One line saying which shard this is and why, e.g. `shard 2/3 (from CI_NODE_INDEX)`.
    pub fn describe(&self) -> String {
        match self.source {
            ShardSource::None => "the whole campaign (no --shard, JOB_COMPLETION_INDEX or \
                                  CI_NODE_INDEX)"
                .to_string(),
            ShardSource::Flag => format!("shard {}/{} (from --shard)", self.index, self.total),
            ShardSource::JobCompletionIndex => format!(
                "shard {}/{} (from JOB_COMPLETION_INDEX={} and PRIOR_SHARD_TOTAL)",
                self.index,
                self.total,
                self.index - 1
            ),
            ShardSource::CiNodeIndex => format!(
                "shard {}/{} (from CI_NODE_INDEX and CI_NODE_TOTAL)",
                self.index, self.total
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_flag_is_one_based_and_checked() {
        let s = Shard::parse_flag("2/3").unwrap();
        assert_eq!((s.index, s.total, s.source), (2, 3, ShardSource::Flag));
        for bad in ["0/3", "4/3", "1/0", "1", "a/3", "1/b", "-1/3", ""] {
            assert!(Shard::parse_flag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let e = env(&[("JOB_COMPLETION_INDEX", "0"), ("PRIOR_SHARD_TOTAL", "2")]);
        let s = Shard::resolve(Some("3/3"), e).unwrap();
        assert_eq!((s.index, s.source), (3, ShardSource::Flag));
    }

    #[test]
    fn kubernetes_index_is_zero_based_and_needs_a_total() {
        let s = Shard::resolve(
            None,
            env(&[("JOB_COMPLETION_INDEX", "2"), ("PRIOR_SHARD_TOTAL", "3")]),
        )
        .unwrap();
        assert_eq!(
            (s.index, s.total, s.source),
            (3, 3, ShardSource::JobCompletionIndex)
        );
        let e = Shard::resolve(None, env(&[("JOB_COMPLETION_INDEX", "0")])).unwrap_err();
        assert!(e.0.contains("PRIOR_SHARD_TOTAL"), "{e}");
        assert!(
            Shard::resolve(
                None,
                env(&[("JOB_COMPLETION_INDEX", "3"), ("PRIOR_SHARD_TOTAL", "3")])
            )
            .is_err()
        );
        // Kubernetes wins over GitLab when both are present.
        let s = Shard::resolve(
            None,
            env(&[
                ("JOB_COMPLETION_INDEX", "0"),
                ("PRIOR_SHARD_TOTAL", "2"),
                ("CI_NODE_INDEX", "2"),
                ("CI_NODE_TOTAL", "2"),
            ]),
        )
        .unwrap();
        assert_eq!((s.index, s.source), (1, ShardSource::JobCompletionIndex));
    }

    #[test]
    fn gitlab_index_is_one_based() {
        let s =
            Shard::resolve(None, env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "4")])).unwrap();
        assert_eq!(
            (s.index, s.total, s.source),
            (1, 4, ShardSource::CiNodeIndex)
        );
        assert!(
            Shard::resolve(None, env(&[("CI_NODE_INDEX", "0"), ("CI_NODE_TOTAL", "4")])).is_err()
        );
        assert!(Shard::resolve(None, env(&[("CI_NODE_INDEX", "1")])).is_err());
    }

    #[test]
    fn no_index_is_the_whole_campaign_and_empty_values_are_unset() {
        assert_eq!(Shard::resolve(None, env(&[])).unwrap(), Shard::ALL);
        assert_eq!(
            Shard::resolve(None, env(&[("JOB_COMPLETION_INDEX", " ")])).unwrap(),
            Shard::ALL
        );
    }

    #[test]
    fn shards_partition_apps() {
        for total in 1..6u32 {
            for app in 0..40usize {
                let owners = (1..=total)
                    .filter(|i| {
                        Shard {
                            index: *i,
                            total,
                            source: ShardSource::Flag,
                        }
                        .takes(app)
                    })
                    .count();
                assert_eq!(owners, 1, "app {app} of {total} shards");
            }
        }
    }
}
