//! The device clock as shell commands print it: `date +%s.%N` (seconds and nanoseconds since
//! the epoch; toybox `date` on Android 7 and later prints the nanoseconds, older shells print
//! `%N` literally or nothing) and `date +%z` (the UTC offset, `+HHMM`/`-HHMM`).

/// `+0800` → 28800; `-0330` → -12600; anything else → `None`.
pub fn parse_utc_offset(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 5 || !(b[0] == b'+' || b[0] == b'-') || !b[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let h: i32 = s.get(1..3)?.parse().ok()?;
    let m: i32 = s.get(3..5)?.parse().ok()?;
    let v = h * 3600 + m * 60;
    Some(if b[0] == b'-' { -v } else { v })
}

/// `1700000000.123456789` → (µs, true: sub-second precision); `1700000000` or
/// `1700000000.N` (a shell without `%N`) → (s × 10⁶, false); anything else → `None`.
pub fn parse_date_output(s: &str) -> Option<(i64, bool)> {
    let (secs, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if secs.is_empty() || !secs.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let base = secs.checked_mul(1_000_000)?;
    match frac {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            let us: i64 = digits.parse().ok()?;
            Some((base.checked_add(us)?, true))
        }
        _ => Some((base, false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_dates() {
        assert_eq!(parse_utc_offset("+0800"), Some(28800));
        assert_eq!(parse_utc_offset("-0330"), Some(-12600));
        assert_eq!(parse_utc_offset("0800"), None);
        assert_eq!(parse_utc_offset("+08é"), None);
        assert_eq!(
            parse_date_output("1700000000.123456789"),
            Some((1_700_000_000_123_456, true))
        );
        assert_eq!(
            parse_date_output("1700000000.5"),
            Some((1_700_000_000_500_000, true))
        );
        assert_eq!(
            parse_date_output("1700000000.N"),
            Some((1_700_000_000_000_000, false))
        );
        assert_eq!(
            parse_date_output("1700000000"),
            Some((1_700_000_000_000_000, false))
        );
        assert_eq!(parse_date_output("x"), None);
        assert_eq!(parse_date_output("99999999999999999999"), None);
    }
}
