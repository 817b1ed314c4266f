//! Times as allowed_signers files and `-O verify-time=` give them: `YYYYMMDD`,
//! `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, in local time unless followed by `Z` or `UTC`
//! (ssh-keygen(1) ALLOWED SIGNERS). They are read as OpenSSH 9.2's `parse_absolute_time`
//! reads them (glibc `strptime`, then `mktime` or `timegm`) and printed as its
//! `format_absolute_time` prints them (`localtime_r`, `%Y-%m-%dT%H:%M:%S`).
//!
//! Two of mktime's habits are kept because they decide when a key is valid:
//! - Fields that overflow roll over: day 31 of February is the 3rd of March, second 61 is
//!   the next minute (strptime accepts days 1-31 in every month and seconds 0-61).
//! - OpenSSH calls mktime with `tm_isdst` 0, which means "standard time": a summer date is
//!   read as standard time, so `20300701` in Berlin is 01:00 CEST, not midnight.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};

/// Seconds since the epoch, as OpenSSH's `uint64_t` times.
pub type Seconds = u64;

/// Parses a time as OpenSSH does; `None` for anything it refuses: another length, a
/// field out of range, a time before 1970. (Callers also refuse 0, as OpenSSH does.)
pub fn parse(text: &str) -> Option<Seconds> {
    let (digits, utc) = split_zone(text.as_bytes());
    if !matches!(digits.len(), 8 | 12 | 14) {
        return None;
    }
    let naive = naive_time(digits)?;
    let seconds = match utc {
        true => naive.and_utc().timestamp(),
        false => naive.and_utc().timestamp() - i64::from(standard_offset(naive)),
    };
    u64::try_from(seconds).ok()
}

/// `Z` and `UTC` (any case) mark UTC, as long as something comes before them.
fn split_zone(text: &[u8]) -> (&[u8], bool) {
    let len = text.len();
    if len > 1 && text[len - 1].eq_ignore_ascii_case(&b'z') {
        return (&text[..len - 1], true);
    }
    if len > 3 && text[len - 3..].eq_ignore_ascii_case(b"utc") {
        return (&text[..len - 3], true);
    }
    (text, false)
}

/// The fields of `YYYYMMDD[HHMM[SS]]`, rolled over as mktime rolls them.
fn naive_time(text: &[u8]) -> Option<NaiveDateTime> {
    let field = |at: usize, len: usize, max: u32| -> Option<u32> {
        let digits = text.get(at..at + len).unwrap_or_default();
        let value =
            digits.iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')));
        value.filter(|&v| v <= max)
    };
    let (year, month, day) = (field(0, 4, 9999)?, field(4, 2, 12)?, field(6, 2, 31)?);
    let (hour, minute, second) = match text.len() {
        8 => (0, 0, 0),
        12 => (field(8, 2, 23)?, field(10, 2, 59)?, 0),
        _ => (field(8, 2, 23)?, field(10, 2, 59)?, field(12, 2, 61)?),
    };
    if month == 0 || day == 0 {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)?;
    let date = first.checked_add_days(chrono::Days::new(u64::from(day - 1)))?;
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    date.and_hms_opt(0, 0, 0)?.checked_add_signed(chrono::TimeDelta::seconds(seconds))
}

/// The local zone's standard (not summer) offset from UTC in the year of `naive`, in
/// seconds: the smaller of its offsets in January and July (summer time always adds).
fn standard_offset(naive: NaiveDateTime) -> i32 {
    let year = chrono::Datelike::year(&naive);
    let offset_on = |month| {
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|at| Local.offset_from_utc_datetime(&at).fix().local_minus_utc())
            .unwrap_or(0)
    };
    offset_on(1).min(offset_on(7))
}

/// A time as OpenSSH prints it in its messages: local time, `2026-12-02T14:55:42`.
pub fn format_local(time: Seconds) -> String {
    let seconds = i64::try_from(time).unwrap_or(i64::MAX);
    match DateTime::<Utc>::from_timestamp(seconds, 0) {
        Some(utc) => utc.with_timezone(&Local).format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => "forever".to_string(),
    }
}

/// Now, in seconds since the epoch (0 if the clock is before 1970).
pub fn now() -> Seconds {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|elapsed| elapsed.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked against `ssh-keygen -Y verify` with `valid-after` (UTC forms only: the
    /// local forms depend on the zone the tests run in).
    #[test]
    fn utc_forms_and_rollover_like_openssh() {
        assert_eq!(parse("20300101Z"), Some(1_893_456_000));
        assert_eq!(parse("20300101utc"), Some(1_893_456_000));
        assert_eq!(parse("203001011200Z"), Some(1_893_456_000 + 12 * 3600));
        assert_eq!(parse("20300101235961Z"), Some(1_893_456_000 + 86_401));
        // 31 February is 3 March, as mktime rolls it over.
        assert_eq!(parse("20300231Z"), parse("20300303Z"));
        for bad in ["2030010", "20300101246000Z", "20301301Z", "20300100Z", "2030010 Z", "Z", "19690101Z"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("19700101Z"), Some(0));
    }

    #[test]
    fn printed_in_openssh_form() {
        let text = format_local(1_893_456_000);
        assert_eq!(text.len(), "2030-01-01T00:00:00".len());
        assert_eq!(&text[4..5], "-");
        assert_eq!(&text[10..11], "T");
    }
}
