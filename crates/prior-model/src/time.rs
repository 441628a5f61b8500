use serde::{Deserialize, Serialize};

/// A point on the device wall clock: microseconds since 1970-01-01T00:00:00Z.
pub type Micros = i64;

/// When an event happened, on the device clock.
///
/// Sources with timestamps (logcat, app-ops) give an [`Timing::Instant`]. Sources without
/// them (an `am trace-ipc` dump) only say the event happened somewhere inside a window,
/// e.g. "between launch and the moment the trace was stopped".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timing {
    /// At one instant.
    Instant {
        /// Device wall clock, µs since the epoch.
        at_us: Micros,
    },
    /// Somewhere in `[from_us, to_us]` (inclusive); `from_us <= to_us`.
    Window {
        /// Earliest possible time.
        from_us: Micros,
        /// Latest possible time.
        to_us: Micros,
    },
}

impl Timing {
    /// An instant.
    pub fn instant(at_us: Micros) -> Self {
        Timing::Instant { at_us }
    }

    /// A window; the bounds are put in order if given reversed.
    pub fn window(a: Micros, b: Micros) -> Self {
        Timing::Window {
            from_us: a.min(b),
            to_us: a.max(b),
        }
    }

    /// The earliest time the event may have happened.
    pub fn earliest(&self) -> Micros {
        match *self {
            Timing::Instant { at_us } => at_us,
            Timing::Window { from_us, .. } => from_us,
        }
    }

    /// The latest time the event may have happened.
    pub fn latest(&self) -> Micros {
        match *self {
            Timing::Instant { at_us } => at_us,
            Timing::Window { to_us, .. } => to_us,
        }
    }
}

/// Formats device-clock microseconds as an RFC 3339 UTC time with microseconds,
/// e.g. `2026-11-28T19:30:01.123456Z`. Any `i64` formats (years beyond 9999 get more digits).
pub fn format_micros_utc(us: Micros) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = ymd_from_days(secs.div_euclid(86_400));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Days in 400 Gregorian years: the calendar (and the weekday) repeats exactly after them.
const CYCLE_DAYS: i64 = 146_097;

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), by chrono. chrono's
/// dates span ±262,143 years and `i64` microseconds ±292,277, so the day is placed within its
/// 400-year cycle (1970–2369) and the cycles' years are added back: every `i64` has a date.
fn ymd_from_days(days: i64) -> (i64, u32, u32) {
    use chrono::Datelike;
    let cycles = days.div_euclid(CYCLE_DAYS);
    let in_cycle = days.rem_euclid(CYCLE_DAYS);
    let date = chrono::DateTime::UNIX_EPOCH.date_naive() + chrono::Days::new(in_cycle as u64);
    (
        i64::from(date.year()) + 400 * cycles,
        date.month(),
        date.day(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(format_micros_utc(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_micros_utc(1_690_000_000_123_456),
            "2023-07-22T04:26:40.123456Z"
        );
        assert_eq!(format_micros_utc(-1), "1969-12-31T23:59:59.999999Z");
        // 2024-02-29 (leap day)
        assert_eq!(
            format_micros_utc(1_709_164_800_000_000),
            "2024-02-29T00:00:00.000000Z"
        );
    }

    #[test]
    fn formats_the_edges() {
        // The last µs of a leap day and of a year; 2000 is a leap year, 1900 and 2100 are not.
        assert_eq!(
            format_micros_utc(1_709_251_199_999_999),
            "2024-02-29T23:59:59.999999Z"
        );
        assert_eq!(
            format_micros_utc(951_782_400_000_000),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            format_micros_utc(4_107_542_400_000_000),
            "2100-03-01T00:00:00.000000Z"
        );
        assert_eq!(
            format_micros_utc(-2_203_891_200_000_000),
            "1900-03-01T00:00:00.000000Z"
        );
        assert_eq!(
            format_micros_utc(1_735_689_599_999_999),
            "2024-12-31T23:59:59.999999Z"
        );
        assert_eq!(
            format_micros_utc(1_735_689_600_000_000),
            "2025-01-01T00:00:00.000000Z"
        );
        // Negative times, and the 400-year cycle boundary after the epoch.
        assert_eq!(
            format_micros_utc(-86_400_000_000),
            "1969-12-31T00:00:00.000000Z"
        );
        assert_eq!(
            format_micros_utc(-62_135_596_800_000_000),
            "0001-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            format_micros_utc(12_622_780_800_000_000),
            "2370-01-01T00:00:00.000000Z"
        );
    }

    #[test]
    fn formats_every_i64_without_panicking() {
        assert_eq!(format_micros_utc(i64::MAX), "294247-01-10T04:00:54.775807Z");
        assert_eq!(
            format_micros_utc(i64::MIN),
            "-290308-12-21T19:59:05.224192Z"
        );
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_chrono_from_year_0(us in -62_167_219_200_000_000i64..8_000_000_000_000_000_000) {
            let t = chrono::DateTime::from_timestamp_micros(us).expect("in chrono's range");
            let want = t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
            // chrono writes years beyond 9999 with a sign (and pads negative years differently).
            proptest::prop_assert_eq!(format_micros_utc(us), want.trim_start_matches('+'));
        }
    }

    #[test]
    fn window_orders_bounds() {
        let w = Timing::window(5, 2);
        assert_eq!((w.earliest(), w.latest()), (2, 5));
        let j = serde_json::to_string(&w).unwrap();
        assert_eq!(j, r#"{"kind":"window","from_us":2,"to_us":5}"#);
    }
}
