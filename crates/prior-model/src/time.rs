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
/// e.g. `2026-11-28T19:30:01.123456Z`. Dependency-free so the model stays small.
pub fn format_micros_utc(us: Micros) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
    fn window_orders_bounds() {
        let w = Timing::window(5, 2);
        assert_eq!((w.earliest(), w.latest()), (2, 5));
        let j = serde_json::to_string(&w).unwrap();
        assert_eq!(j, r#"{"kind":"window","from_us":2,"to_us":5}"#);
    }
}
