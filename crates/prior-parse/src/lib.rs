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
    /// `default_offset_s`; uses `default_year` when no year was printed.
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
        let days = days_from_civil(year as i64, self.month, self.day);
        let secs =
            days * 86_400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
                - self.utc_offset_s.unwrap_or(default_offset_s) as i64;
        Some(secs * 1_000_000 + self.micros as i64)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
}
