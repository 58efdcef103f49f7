//! Simulated time: an integer number of microseconds.

use std::fmt;

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
pub type DurationUs = u64;

pub const US_PER_SEC: u64 = 1_000_000;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s * US_PER_SEC)
    }

    pub fn us(self) -> u64 {
        self.0
    }

    pub fn plus(self, d: DurationUs) -> SimTime {
        SimTime(self.0.saturating_add(d))
    }

    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_SEC as f64
    }
}

impl fmt::Display for SimTime {
    /// Seconds with exactly six decimals: `12.000500`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / US_PER_SEC, self.0 % US_PER_SEC)
    }
}

/// Formats a span of microseconds as seconds with six decimals.
pub fn format_secs(us: u64) -> String {
    SimTime(us).to_string()
}

/// Parses a duration as written in a scenario: a string with a unit (`250ms`,
/// `5s`, `10m`, `2h`, `1d`, `10us`, decimals allowed: `1.5s`) or a bare number
/// of seconds given as text (`"1.5"`). Exact: no floating point is involved.
pub fn parse_duration(text: &str) -> Result<DurationUs, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if t.starts_with('-') {
        return Err(format!("negative duration `{text}`"));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let unit = unit.trim();
    let scale: u64 = match unit {
        "" | "s" | "sec" | "secs" => US_PER_SEC,
        "us" | "µs" => 1,
        "ms" => 1_000,
        "m" | "min" | "mins" => 60 * US_PER_SEC,
        "h" => 3600 * US_PER_SEC,
        "d" => 86_400 * US_PER_SEC,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in duration `{text}` (use us, ms, s, m, h or d)"
            ))
        }
    };
    scaled_decimal(number, scale)
        .map_err(|why| format!("{why} in duration `{text}` (durations are whole microseconds)"))
}

/// Parses a non-negative decimal number and multiplies it by `scale`,
/// exactly. Errors if the result is not an integer or overflows u64.
pub fn scaled_decimal(number: &str, scale: u64) -> Result<u64, String> {
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("`{number}` is not a number"));
    }
    let mut value: u128 = 0;
    for b in int_part.bytes() {
        value = value * 10 + (b - b'0') as u128;
        if value > u64::MAX as u128 {
            return Err("value too large".into());
        }
    }
    let mut result = value * scale as u128;
    let mut denom: u128 = 1;
    let mut frac: u128 = 0;
    for b in frac_part.bytes() {
        if denom > 10u128.pow(30) {
            if b != b'0' {
                return Err("too many decimals".into());
            }
            continue;
        }
        denom *= 10;
        frac = frac * 10 + (b - b'0') as u128;
    }
    let frac_scaled = frac * scale as u128;
    if frac_scaled % denom != 0 {
        return Err("more precision than allowed".into());
    }
    result += frac_scaled / denom;
    u64::try_from(result).map_err(|_| "value too large".to_string())
}

/// Converts a float number of seconds (a bare YAML number) to microseconds,
/// refusing negatives, non-finite values, sub-microsecond precision and overflow.
pub fn secs_f64_to_us(secs: f64) -> Result<DurationUs, String> {
    if !secs.is_finite() {
        return Err(format!("`{secs}` is not a finite duration"));
    }
    if secs < 0.0 {
        return Err(format!("negative duration `{secs}`"));
    }
    // Go through the shortest decimal text of the float, so that 0.1 means
    // exactly 100000 µs.
    let text = format!("{secs}");
    if text.contains('e') {
        return Err(format!("duration `{secs}` is out of range"));
    }
    scaled_decimal(&text, US_PER_SEC)
        .map_err(|why| format!("{why} in duration `{secs}` (durations are whole microseconds)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("250ms"), Ok(250_000));
        assert_eq!(parse_duration("5s"), Ok(5_000_000));
        assert_eq!(parse_duration("10m"), Ok(600_000_000));
        assert_eq!(parse_duration("2h"), Ok(7_200_000_000));
        assert_eq!(parse_duration("1d"), Ok(86_400_000_000));
        assert_eq!(parse_duration("10us"), Ok(10));
        assert_eq!(parse_duration("1.5"), Ok(1_500_000));
        assert_eq!(parse_duration("0.000001"), Ok(1));
    }

    #[test]
    fn refuses_bad_durations() {
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("0.0000001").is_err());
        assert!(parse_duration("0.5us").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1.2.3s").is_err());
    }

    #[test]
    fn floats_are_exact() {
        assert_eq!(secs_f64_to_us(0.1), Ok(100_000));
        assert_eq!(secs_f64_to_us(1.5), Ok(1_500_000));
        assert!(secs_f64_to_us(-1.0).is_err());
        assert!(secs_f64_to_us(1e-9).is_err());
        assert!(secs_f64_to_us(f64::NAN).is_err());
        assert!(secs_f64_to_us(1e30).is_err());
    }

    #[test]
    fn displays_six_decimals() {
        assert_eq!(SimTime(12_000_500).to_string(), "12.000500");
        assert_eq!(SimTime(0).to_string(), "0.000000");
    }
}
