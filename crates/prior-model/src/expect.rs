//! The scenario's `expect:` block as a bundle records it (`meta.json`
//! `scenario.expect`, docs/bundle.md): typed, so the analyzer judges it without parsing the
//! scenario again. `prior-scenario` parses the YAML (with source positions and compiled
//! patterns) and converts it to this record ([`Expect`]); `prior-record` writes it;
//! `prior-analyze` reads and judges it (its `expect` stage).

use crate::{DataCategory, Verdict};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date (`YYYY-MM-DD`), used for `expires:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31 (valid for the month).
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        // chrono says whether the day exists (month lengths, leap years).
        chrono::NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day))?;
        Some(Date { year, month, day })
    }

    /// The date (UTC) of a point in time given as seconds since the Unix epoch (clamped to
    /// chrono's range, ±262,000 years).
    pub fn from_unix_seconds(secs: i64) -> Date {
        let date = match chrono::DateTime::from_timestamp(secs, 0) {
            Some(t) => t.date_naive(),
            None if secs < 0 => chrono::NaiveDate::MIN,
            None => chrono::NaiveDate::MAX,
        };
        Date::from_chrono(date)
    }

    /// Today's date in UTC, from the host clock.
    pub fn today_utc() -> Date {
        Date::from_chrono(chrono::Utc::now().date_naive())
    }

    fn from_chrono(date: chrono::NaiveDate) -> Date {
        use chrono::Datelike;
        Date {
            year: date.year(),
            // chrono's month (1–12) and day (1–31) always fit.
            month: u8::try_from(date.month()).unwrap_or(1),
            day: u8::try_from(date.day()).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| {
            serde::de::Error::custom("a date must be YYYY-MM-DD and exist in the calendar")
        })
    }
}

/// The recorded `expect:` block.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Expect {
    /// `max_findings:` — at most this many violations no allow entry covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_findings: Option<u32>,
    /// `verdict:` — the verdict the run must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// `allow:` — accepted findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Allow>,
}

impl Expect {
    /// Whether the block says anything (an empty block is no expectation).
    pub fn is_empty(&self) -> bool {
        self.max_findings.is_none() && self.verdict.is_none() && self.allow.is_empty()
    }
}

/// One recorded allow entry: a finding it matches does not count. Every given key must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allow {
    /// The finding's rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The finding's data category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// A Rust `regex` searched in the finding's signal (`api`), as written in the scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the entry applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

impl Allow {
    /// Whether the entry has expired on `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn dates_parse_only_real_days() {
        assert_eq!(Date::parse("2000-02-29"), Some(date(2000, 2, 29)));
        assert_eq!(Date::parse("1900-02-29"), None);
        assert_eq!(Date::parse("2023-04-31"), None);
        assert_eq!(Date::parse("+023-01-01"), None);
        assert_eq!(Date::from_unix_seconds(1_735_689_600), date(2025, 1, 1));
    }

    #[test]
    fn the_record_round_trips_through_json() {
        let e = Expect {
            max_findings: Some(1),
            verdict: Some(Verdict::Fail),
            allow: vec![Allow {
                rule: Some("pre-consent-access".into()),
                category: Some(DataCategory::Location),
                api: Some("ILocationManager\\.".into()),
                reason: "known".into(),
                expires: Some(date(2030, 6, 30)),
            }],
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"expires\":\"2030-06-30\""), "{json}");
        assert_eq!(serde_json::from_str::<Expect>(&json).unwrap(), e);
        assert!(serde_json::from_str::<Date>("\"2030-02-30\"").is_err());
        assert!(Expect::default().is_empty());
    }
}
