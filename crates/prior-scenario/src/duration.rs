//! Durations as written in scenario files: `500ms`, `10s`, `2m`, `1h`, and sums such as `1m30s`.

use std::time::Duration;

/// The longest duration a scenario may ask for (24 hours).
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Why a text is not a scenario duration; the message explains the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DurationError(pub String);

/// Parses a duration: one or more `<integer><unit>` parts with units `ms`, `s`, `m`, `h`
/// (largest first, each unit at most once), e.g. `500ms`, `10s`, `2m`, `1m30s`.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    parse(text).map_err(DurationError)
}

fn parse(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s.contains('.') || s.contains(',') {
        return Err(format!(
            "`{s}`: fractions are not supported; use a smaller unit (`1500ms`, not `1.5s`)"
        ));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` has no unit"));
    }
    let mut total: u128 = 0;
    let mut rest = s;
    let mut last_rank = u8::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("`{s}` is not a duration"));
        }
        let (num, after) = rest.split_at(digits);
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, next) = after.split_at(unit_len);
        let (ms_per, rank) = match unit {
            "h" => (3_600_000u128, 4u8),
            "m" => (60_000, 3),
            "s" => (1_000, 2),
            "ms" => (1, 1),
            "" => return Err(format!("`{s}`: the number `{num}` has no unit")),
            other => return Err(format!("`{s}`: unknown unit `{other}`")),
        };
        if rank >= last_rank {
            return Err(format!(
                "`{s}`: units must go from largest to smallest, each once"
            ));
        }
        last_rank = rank;
        let n: u128 = num.parse().map_err(|_| format!("`{s}` is too long"))?;
        total = total.saturating_add(n.saturating_mul(ms_per));
        rest = next;
    }
    if total > MAX_DURATION.as_millis() {
        return Err(format!("`{s}` is longer than 24h"));
    }
    let ms = u64::try_from(total).map_err(|_| format!("`{s}` is too long"))?;
    Ok(Duration::from_millis(ms))
}

/// Formats a duration the way scenario files write it (`1m30s`, `500ms`, `0s`).
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, per) in [("h", 3_600_000u128), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if ms >= per {
            out.push_str(&format!("{}{unit}", ms / per));
            ms %= per;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_sums() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration(" 0s "), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_bad_durations_with_reasons() {
        for (bad, why) in [
            ("10", "no unit"),
            ("", "empty"),
            ("10 s", "has no unit"),
            ("1.5s", "fractions are not supported"),
            ("10sec", "unknown unit `sec`"),
            ("s", "not a duration"),
            ("30s1m", "largest to smallest"),
            ("1s1s", "largest to smallest"),
            ("25h", "longer than 24h"),
            ("99999999999999999999999999999999999999999h", "too long"),
            ("-1s", "not a duration"),
        ] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.0.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for s in ["0s", "500ms", "10s", "1m30s", "2h", "1h1m1s1ms"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }
}
