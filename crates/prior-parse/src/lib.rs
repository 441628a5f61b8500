//! Pure parsers of Android device output.
//!
//! Each parser takes bytes or text exactly as the device printed them and returns typed
//! records with 1-based line numbers, so every later conclusion can point back at its
//! evidence. Architecture invariants:
//! - no I/O besides the `Read`/`BufRead` a caller hands in;
//! - never panic, never allocate unboundedly on hostile input (lines are capped at
//!   [`MAX_LINE`] bytes; the rest of an over-long line is skipped and flagged);
//! - tolerant of layout variants across Android releases: unknown lines are reported as
//!   unparsed, never fatal.
//!
//! `prior-sim` must not depend on this crate: the simulator's output is checked *against*
//! these parsers, so they must not share a bug.

pub mod am;
pub mod appops;
pub mod clock;
pub mod honey;
pub mod ipc;
pub mod logcat;
pub mod package;
pub mod pm;
pub mod ui;

/// Longest line a parser keeps; the remainder of a longer line is skipped (and flagged).
pub const MAX_LINE: usize = 64 * 1024;

/// A local (device time zone) calendar time as printed by logcat and dumpsys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LocalTime {
    /// Year, when printed (logcat prints it only with `-v year`).
    pub year: Option<i32>,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–60 (leap second tolerated).
    pub second: u32,
    /// Fraction of the second in microseconds (nanosecond input is truncated).
    pub micros: u32,
    /// UTC offset in seconds when printed (`-v zone`, `-v UTC`), east positive.
    pub utc_offset_s: Option<i32>,
}

impl LocalTime {
    /// Converts to µs since the epoch (UTC). Uses the printed offset if there is one, else
    /// `default_offset_s`; uses `default_year` when no year was printed. `None` for a date
    /// that does not exist (month 13, 30 February, 29 February of a common year).
    pub fn to_epoch_us(&self, default_year: i32, default_offset_s: i32) -> Option<i64> {
        let year = self.year.unwrap_or(default_year);
        if !(1..=12).contains(&self.month)
            || !(1..=31).contains(&self.day)
            || self.hour > 23
            || self.minute > 59
            || self.second > 60
        {
            return None;
        }
        // The date must exist (chrono checks month lengths and leap years); the time of day
        // is added by hand so that a leap second (:60) is tolerated.
        let midnight = chrono::NaiveDate::from_ymd_opt(year, self.month, self.day)?
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp();
        let secs = midnight
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.utc_offset_s.unwrap_or(default_offset_s));
        Some(secs * 1_000_000 + i64::from(self.micros))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_converts_with_offsets() {
        let t = LocalTime {
            year: Some(2023),
            month: 7,
            day: 22,
            hour: 12,
            minute: 26,
            second: 40,
            micros: 5,
            utc_offset_s: Some(8 * 3600),
        };
        assert_eq!(t.to_epoch_us(1970, 0), Some(1_690_000_000_000_005));
        let t2 = LocalTime {
            utc_offset_s: None,
            year: None,
            ..t
        };
        assert_eq!(t2.to_epoch_us(2023, 8 * 3600), Some(1_690_000_000_000_005));
        let bad = LocalTime { month: 13, ..t };
        assert_eq!(bad.to_epoch_us(2023, 0), None);
    }

    #[test]
    fn local_time_at_the_calendar_edges() {
        let at = |year, month, day, hour, minute, second| LocalTime {
            year: Some(year),
            month,
            day,
            hour,
            minute,
            second,
            micros: 0,
            utc_offset_s: Some(0),
        };
        // Leap days exist only in leap years (2000 yes, 1900 and 2023 no).
        assert_eq!(
            at(2024, 2, 29, 0, 0, 0).to_epoch_us(0, 0),
            Some(1_709_164_800_000_000)
        );
        assert_eq!(
            at(2000, 2, 29, 0, 0, 0).to_epoch_us(0, 0),
            Some(951_782_400_000_000)
        );
        assert_eq!(at(2023, 2, 29, 0, 0, 0).to_epoch_us(0, 0), None);
        assert_eq!(at(1900, 2, 29, 0, 0, 0).to_epoch_us(0, 0), None);
        assert_eq!(at(2023, 4, 31, 0, 0, 0).to_epoch_us(0, 0), None);
        // Year boundary, before the epoch, and a leap second (:60 runs into the next minute).
        assert_eq!(
            at(2024, 12, 31, 23, 59, 59).to_epoch_us(0, 0),
            Some(1_735_689_599_000_000)
        );
        assert_eq!(
            at(2024, 12, 31, 23, 59, 60).to_epoch_us(0, 0),
            Some(1_735_689_600_000_000)
        );
        assert_eq!(
            at(1969, 12, 31, 0, 0, 0).to_epoch_us(0, 0),
            Some(-86_400_000_000)
        );
        // A local New Year east of UTC is still the old year in UTC.
        let tokyo = LocalTime {
            utc_offset_s: Some(9 * 3600),
            ..at(2025, 1, 1, 0, 0, 0)
        };
        assert_eq!(tokyo.to_epoch_us(0, 0), Some(1_735_657_200_000_000));
    }
}
