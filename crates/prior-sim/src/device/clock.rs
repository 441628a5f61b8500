//! The device wall clock, its time zone, and the date/duration formatting the shell
//! commands need (logcat times, `date`, app-ops times, `TimeUtils.formatDuration`).
//!
//! Time zones are fixed offsets: the simulator does not model daylight saving time. A zone
//! name from the built-in table gets its standard offset and abbreviation; any other name
//! needs an explicit offset in the configuration.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch on the device clock.
pub type DeviceUs = i64;

/// A fixed-offset time zone as the device reports it (`persist.sys.timezone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// The IANA name, e.g. `Asia/Shanghai`.
    pub name: String,
    /// Offset from UTC in seconds (east positive).
    pub offset_s: i32,
    /// The abbreviation `date` prints for `%Z`, e.g. `CST`.
    pub abbrev: String,
}

/// (name, offset seconds, abbreviation): zones without daylight saving time.
const ZONES: &[(&str, i32, &str)] = &[
    ("UTC", 0, "UTC"),
    ("Etc/UTC", 0, "UTC"),
    ("GMT", 0, "GMT"),
    ("Etc/GMT", 0, "GMT"),
    ("Asia/Shanghai", 8 * 3600, "CST"),
    ("Asia/Chongqing", 8 * 3600, "CST"),
    ("Asia/Hong_Kong", 8 * 3600, "HKT"),
    ("Asia/Taipei", 8 * 3600, "CST"),
    ("Asia/Singapore", 8 * 3600, "+08"),
    ("Asia/Tokyo", 9 * 3600, "JST"),
    ("Asia/Seoul", 9 * 3600, "KST"),
    ("Asia/Kolkata", 19800, "IST"),
    ("Asia/Dubai", 4 * 3600, "+04"),
    ("Europe/Moscow", 3 * 3600, "MSK"),
    ("Africa/Johannesburg", 2 * 3600, "SAST"),
    ("Africa/Lagos", 3600, "WAT"),
    ("America/Sao_Paulo", -3 * 3600, "-03"),
    ("America/Phoenix", -7 * 3600, "MST"),
    ("Pacific/Honolulu", -10 * 3600, "HST"),
    ("Australia/Brisbane", 10 * 3600, "AEST"),
];

impl TimeZone {
    /// A zone from the built-in table, or `Etc/GMT±N` (POSIX sign: `Etc/GMT-8` is UTC+8).
    pub fn named(name: &str) -> Option<TimeZone> {
        if let Some((n, off, ab)) = ZONES.iter().find(|(n, _, _)| *n == name) {
            return Some(TimeZone {
                name: (*n).to_owned(),
                offset_s: *off,
                abbrev: (*ab).to_owned(),
            });
        }
        let rest = name.strip_prefix("Etc/GMT")?;
        let (sign, digits) = match rest.as_bytes().first()? {
            b'+' => (-1, &rest[1..]),
            b'-' => (1, &rest[1..]),
            _ => return None,
        };
        let hours: i32 = digits.parse().ok().filter(|h| (0..=14).contains(h))?;
        let offset_s = sign * hours * 3600;
        Some(TimeZone {
            name: name.to_owned(),
            offset_s,
            abbrev: format_offset_abbrev(offset_s),
        })
    }

    /// Any name with an explicit offset (no daylight saving time).
    pub fn with_offset(name: &str, offset_s: i32) -> TimeZone {
        TimeZone {
            name: name.to_owned(),
            offset_s,
            abbrev: format_offset_abbrev(offset_s),
        }
    }

    /// UTC.
    pub fn utc() -> TimeZone {
        TimeZone {
            name: "UTC".to_owned(),
            offset_s: 0,
            abbrev: "UTC".to_owned(),
        }
    }
}

/// `+08`, `-0330` style abbreviation used by tzdata for zones without a letter name.
fn format_offset_abbrev(offset_s: i32) -> String {
    let sign = if offset_s < 0 { '-' } else { '+' };
    let a = offset_s.unsigned_abs();
    let (h, m) = (a / 3600, (a % 3600) / 60);
    if m == 0 {
        format!("{sign}{h:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// `+0800` as strftime `%z` prints it.
pub fn format_z(offset_s: i32) -> String {
    let sign = if offset_s < 0 { '-' } else { '+' };
    let a = offset_s.unsigned_abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// The device clock: real time plus an offset, or a manual clock for deterministic tests.
#[derive(Debug)]
pub struct SimClock {
    manual: Option<Mutex<DeviceUs>>,
    offset_us: i64,
    boot_us: DeviceUs,
}

/// How the device clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Host time plus `offset_ms` (the device may be ahead of or behind the host).
    Real {
        /// Device minus host, in milliseconds.
        offset_ms: i64,
    },
    /// A clock that stands still until [`SimClock::advance`] or a simulated `sleep` moves it.
    Manual {
        /// The initial device time, microseconds since the epoch.
        start_us: DeviceUs,
    },
}

fn host_now_us() -> DeviceUs {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

impl SimClock {
    /// A clock in the given mode; the device "booted" `uptime_s` seconds before now.
    pub fn new(mode: ClockMode, uptime_s: i64) -> SimClock {
        let (manual, offset_us, now) = match mode {
            ClockMode::Real { offset_ms } => {
                let off = offset_ms.saturating_mul(1000);
                (None, off, host_now_us().saturating_add(off))
            }
            ClockMode::Manual { start_us } => (Some(Mutex::new(start_us)), 0, start_us),
        };
        SimClock {
            manual,
            offset_us,
            boot_us: now - uptime_s * 1_000_000,
        }
    }

    /// The device time now.
    pub fn now_us(&self) -> DeviceUs {
        match &self.manual {
            Some(m) => *m.lock().unwrap_or_else(|e| e.into_inner()),
            None => host_now_us().saturating_add(self.offset_us),
        }
    }

    /// When the device booted (for `uptime`, logcat `monotonic`).
    pub fn boot_us(&self) -> DeviceUs {
        self.boot_us
    }

    /// Whether this is a manual (test) clock.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// Moves a manual clock forward; no effect on a real clock.
    pub fn advance(&self, d: Duration) {
        if let Some(m) = &self.manual {
            let mut t = m.lock().unwrap_or_else(|e| e.into_inner());
            *t = t.saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        }
    }

    /// Blocks (real clock) or advances (manual clock) until the device time is `t`.
    pub fn sleep_until(&self, t: DeviceUs) {
        match &self.manual {
            Some(m) => {
                let mut now = m.lock().unwrap_or_else(|e| e.into_inner());
                if *now < t {
                    *now = t;
                }
            }
            None => {
                let now = self.now_us();
                if t > now {
                    std::thread::sleep(Duration::from_micros(u64::try_from(t - now).unwrap_or(0)));
                }
            }
        }
    }

    /// How long to wait on a condition variable before the device time reaches `t`
    /// (a manual clock never moves by itself: poll).
    pub fn wait_hint(&self, t: Option<DeviceUs>, cap: Duration) -> Duration {
        match (t, &self.manual) {
            (_, Some(_)) => Duration::from_millis(10).min(cap),
            (None, None) => cap,
            (Some(t), None) => {
                let d = t - self.now_us();
                if d <= 0 {
                    Duration::from_millis(1)
                } else {
                    Duration::from_micros(d as u64).min(cap)
                }
            }
        }
    }
}

/// A broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Microseconds within the second.
    pub micros: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    /// 0-based day of the year.
    pub yday: u32,
}

/// Days in 400 Gregorian years: the calendar and the weekdays repeat exactly after them.
const CYCLE_DAYS: i64 = 146_097;

/// Days since 1970-01-01 → (the date, by chrono, within its 400-year cycle 1970–2369; the
/// years to add to it). chrono's dates span ±262,143 years and an `i64` of µs ±292,277, so
/// any time the device (or a hostile `touch -d`) can hold still has a date.
fn date_in_cycle(days: i64) -> (chrono::NaiveDate, i64) {
    let in_cycle = days.rem_euclid(CYCLE_DAYS);
    let date = chrono::DateTime::UNIX_EPOCH.date_naive() + chrono::Days::new(in_cycle as u64);
    (date, 400 * days.div_euclid(CYCLE_DAYS))
}

/// Breaks `utc_us` down in a zone `offset_s` east of UTC.
pub fn civil(utc_us: DeviceUs, offset_s: i32) -> Civil {
    use chrono::Datelike;
    let local = utc_us.saturating_add(i64::from(offset_s) * 1_000_000);
    let secs = local.div_euclid(1_000_000);
    let micros = local.rem_euclid(1_000_000) as u32;
    let sod = secs.rem_euclid(86_400);
    let (date, years) = date_in_cycle(secs.div_euclid(86_400));
    Civil {
        year: i64::from(date.year()) + years,
        month: date.month(),
        day: date.day(),
        hour: (sod / 3600) as u32,
        minute: ((sod % 3600) / 60) as u32,
        second: (sod % 60) as u32,
        micros,
        weekday: date.weekday().num_days_from_sunday(),
        yday: date.ordinal0(),
    }
}

/// Local (year, month, day, h, m, s, frac µs) → UTC µs. Month/day out of range (or a year
/// out of chrono's range) → `None`. A leap second (`s` = 60) runs into the next minute.
pub fn utc_from_local(
    (year, month, day): (i64, u32, u32),
    (h, m, s): (u32, u32, u32),
    micros: u32,
    offset_s: i32,
) -> Option<DeviceUs> {
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let secs =
        midnight + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s) - i64::from(offset_s);
    secs.checked_mul(1_000_000)?.checked_add(i64::from(micros))
}

const WDAY: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const WDAY_LONG: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MON: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MON_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A strftime subset (as bionic/toybox `date` print it), plus toybox's `%N` (nanoseconds).
pub fn strftime(fmt: &str, utc_us: DeviceUs, tz: &TimeZone) -> String {
    let c = civil(utc_us, tz.offset_s);
    let mut out = String::new();
    let mut it = fmt.chars();
    while let Some(ch) = it.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(spec) = it.next() else {
            out.push('%');
            break;
        };
        let h12 = if c.hour.is_multiple_of(12) {
            12
        } else {
            c.hour % 12
        };
        let piece = match spec {
            'a' => WDAY[c.weekday as usize % 7].to_owned(),
            'A' => WDAY_LONG[c.weekday as usize % 7].to_owned(),
            'b' | 'h' => MON[(c.month as usize + 11) % 12].to_owned(),
            'B' => MON_LONG[(c.month as usize + 11) % 12].to_owned(),
            'c' => strftime("%a %b %e %H:%M:%S %Y", utc_us, tz),
            'C' => format!("{:02}", c.year.div_euclid(100)),
            'd' => format!("{:02}", c.day),
            'D' => strftime("%m/%d/%y", utc_us, tz),
            'e' => format!("{:2}", c.day),
            'F' => strftime("%Y-%m-%d", utc_us, tz),
            'H' => format!("{:02}", c.hour),
            'I' => format!("{h12:02}"),
            'j' => format!("{:03}", c.yday + 1),
            'k' => format!("{:2}", c.hour),
            'l' => format!("{h12:2}"),
            'm' => format!("{:02}", c.month),
            'M' => format!("{:02}", c.minute),
            'n' => "\n".to_owned(),
            'N' => format!("{:09}", u64::from(c.micros) * 1000),
            'p' => (if c.hour < 12 { "AM" } else { "PM" }).to_owned(),
            'P' => (if c.hour < 12 { "am" } else { "pm" }).to_owned(),
            'r' => strftime("%I:%M:%S %p", utc_us, tz),
            'R' => strftime("%H:%M", utc_us, tz),
            's' => utc_us.div_euclid(1_000_000).to_string(),
            'S' => format!("{:02}", c.second),
            't' => "\t".to_owned(),
            'T' => strftime("%H:%M:%S", utc_us, tz),
            'u' => (if c.weekday == 0 { 7 } else { c.weekday }).to_string(),
            'w' => c.weekday.to_string(),
            'y' => format!("{:02}", c.year.rem_euclid(100)),
            'Y' => c.year.to_string(),
            'z' => format_z(tz.offset_s),
            'Z' => tz.abbrev.clone(),
            '%' => "%".to_owned(),
            other => format!("%{other}"),
        };
        out.push_str(&piece);
    }
    out
}

/// Android's `TimeUtils.formatDuration(long ms)`: `+1h0m5s12ms`, `-5s12ms`, `0`.
pub fn format_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0".to_owned();
    }
    let mut out = String::from(if ms > 0 { "+" } else { "-" });
    let d = ms.unsigned_abs();
    let millis = d % 1000;
    let mut secs = d / 1000;
    let days = secs / 86_400;
    secs %= 86_400;
    let hours = secs / 3600;
    secs %= 3600;
    let minutes = secs / 60;
    secs %= 60;
    let mut started = false;
    for (v, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")] {
        if started || v > 0 {
            out.push_str(&format!("{v}{unit}"));
            started = true;
        }
    }
    out.push_str(&format!("{millis}ms"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_known_dates() {
        // 2026-11-28 19:30:00 UTC = 1795894200
        let t = 1_795_894_200_i64 * 1_000_000 + 123_456;
        let c = civil(t, 0);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2026, 11, 28, 19, 30, 0)
        );
        assert_eq!(c.micros, 123_456);
        assert_eq!(c.weekday, 6, "2026-11-28 is a Saturday");
        let c8 = civil(t, 8 * 3600);
        assert_eq!((c8.day, c8.hour), (29, 3));
        assert_eq!(
            utc_from_local((2026, 11, 29), (3, 30, 0), 123_456, 8 * 3600),
            Some(t)
        );
        assert_eq!(utc_from_local((2026, 2, 29), (0, 0, 0), 0, 0), None);
        assert_eq!(civil(0, 0).weekday, 4, "1970-01-01 was a Thursday");
        assert_eq!(civil(-1, 0).year, 1969);
    }

    #[test]
    fn civil_at_the_calendar_edges() {
        let s = |secs: i64| secs * 1_000_000;
        // 2024-02-29 (leap day, a Thursday) and the day after.
        let leap = civil(s(1_709_164_800), 0);
        assert_eq!(
            (leap.month, leap.day, leap.weekday, leap.yday),
            (2, 29, 4, 59)
        );
        assert_eq!(
            (
                civil(s(1_709_251_200), 0).month,
                civil(s(1_709_251_200), 0).day
            ),
            (3, 1)
        );
        // The last second of 2024 (yday 365 in a leap year) and the first of 2025.
        let eve = civil(s(1_735_689_599), 0);
        assert_eq!(
            (eve.year, eve.month, eve.day, eve.yday),
            (2024, 12, 31, 365)
        );
        assert_eq!((eve.hour, eve.minute, eve.second), (23, 59, 59));
        let ny = civil(s(1_735_689_600), 0);
        assert_eq!(
            (ny.year, ny.month, ny.day, ny.yday, ny.weekday),
            (2025, 1, 1, 0, 3)
        );
        // The same instant is already New Year in UTC+9 and still the old year in UTC-5.
        assert_eq!(civil(s(1_735_689_599), 9 * 3600).year, 2025);
        assert_eq!(civil(s(1_735_689_600), -5 * 3600).year, 2024);
        // Before the epoch: 1900 was not a leap year.
        let c = civil(s(-2_203_891_201), 0);
        assert_eq!((c.year, c.month, c.day, c.hour), (1900, 2, 28, 23));
        let c = civil(-1, 0);
        assert_eq!(
            (c.month, c.day, c.second, c.micros, c.weekday),
            (12, 31, 59, 999_999, 3)
        );
        assert_eq!(utc_from_local((1900, 2, 29), (0, 0, 0), 0, 0), None);
        assert_eq!(
            utc_from_local((2000, 2, 29), (0, 0, 0), 0, 0),
            Some(s(951_782_400))
        );
        assert_eq!(
            utc_from_local((1969, 12, 31), (23, 59, 59), 999_999, 0),
            Some(-1)
        );
        assert_eq!(
            utc_from_local((2024, 12, 31), (23, 59, 60), 0, 0),
            Some(s(1_735_689_600))
        );
        assert_eq!(utc_from_local((2024, 4, 31), (0, 0, 0), 0, 0), None);
        assert_eq!(utc_from_local((i64::MAX, 1, 1), (0, 0, 0), 0, 0), None);
        // Any i64 breaks down without a panic (the 400-year cycle covers chrono's range).
        assert_eq!(civil(i64::MAX, 0).year, 294_247);
        assert_eq!(civil(i64::MIN, 0).year, -290_308);
    }

    #[test]
    fn strftime_matches_toybox_date_default() {
        let t = 1_795_894_200_i64 * 1_000_000;
        let tz = TimeZone::named("Asia/Shanghai").unwrap();
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", t, &tz),
            "Sun Nov 29 03:30:00 CST 2026"
        );
        assert_eq!(strftime("%s%N", t + 5, &tz), "1795894200000005000");
        assert_eq!(strftime("%z|%%|%j", t, &tz), "+0800|%|333");
        let minus = TimeZone::named("Etc/GMT+5").unwrap();
        assert_eq!(minus.offset_s, -5 * 3600);
        assert_eq!(strftime("%z %Z", t, &minus), "-0500 -05");
    }

    #[test]
    fn duration_format_matches_time_utils() {
        assert_eq!(format_duration_ms(0), "0");
        assert_eq!(format_duration_ms(30_000), "+30s0ms");
        assert_eq!(format_duration_ms(427), "+427ms");
        assert_eq!(format_duration_ms(1071), "+1s71ms");
        assert_eq!(format_duration_ms(60_005), "+1m0s5ms");
        assert_eq!(format_duration_ms(-5012), "-5s12ms");
        assert_eq!(
            format_duration_ms(-(743 * 86_400_000 + 12 * 3_600_000 + 51 * 60_000 + 31_225)),
            "-743d12h51m31s225ms"
        );
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = SimClock::new(
            ClockMode::Manual {
                start_us: 1_000_000,
            },
            100,
        );
        assert_eq!(c.now_us(), 1_000_000);
        c.advance(Duration::from_millis(5));
        assert_eq!(c.now_us(), 1_005_000);
        c.sleep_until(2_000_000);
        assert_eq!(c.now_us(), 2_000_000);
        c.sleep_until(1_000);
        assert_eq!(c.now_us(), 2_000_000);
        assert_eq!(c.boot_us(), 1_000_000 - 100_000_000);
    }
}
