//! A certificate's validity interval, read from `-V` as ssh-keygen 9.2 reads it
//! (`parse_cert_times`): `+LIFE` (from a minute ago, rounded down to the minute, to now
//! plus LIFE: ssh-keygen back-dates for clocks that run a little behind), or `FROM:TO`,
//! each side a relative time (`-1d`, `+52w`), an absolute time `YYYYMMDD[HHMM[SS]]` in
//! local time unless it ends in `Z` or `UTC` ([`crate::sig::time`]), `0x` and seconds
//! since the epoch in hex, `always` (FROM) or `forever` (TO). Times are counted as
//! OpenSSH's `convtime` counts them: numbers with `s`, `m`, `h`, `d` or `w`, summed, the
//! total at most `INT_MAX` seconds.

use super::SpecError;
use crate::sig::time::{self, Seconds};

/// `valid_before` of a certificate valid forever.
pub const FOREVER: Seconds = u64::MAX;

/// When a certificate is valid: from `after` (inclusive) to `before` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Validity {
    /// Seconds since the epoch; 0 is "always".
    pub after: Seconds,
    /// Seconds since the epoch; [`FOREVER`] is "forever".
    pub before: Seconds,
}

impl Default for Validity {
    /// ssh-keygen's default: valid always, forever.
    fn default() -> Self {
        Validity { after: 0, before: FOREVER }
    }
}

impl Validity {
    /// Reads a `-V` argument, relative times counted from `now`.
    ///
    /// # Errors
    /// [`SpecError::Validity`] with ssh-keygen's message.
    pub fn parse(spec: &str, now: Seconds) -> Result<Self, SpecError> {
        let fail = |message: String| Err(SpecError::Validity(message));
        if let Some(life) = spec.strip_prefix('+').filter(|_| !spec.contains(':')) {
            let Some(secs) = convtime(life) else {
                return fail(format!("Invalid relative certificate life {spec}"));
            };
            // A minute back, rounded down to the minute, as ssh-keygen back-dates.
            let after = (now.saturating_sub(59) / 60) * 60;
            return Ok(Validity { after, before: now.saturating_add(secs) });
        }
        let Some((from, to)) = spec.split_once(':').filter(|(from, to)| !from.is_empty() && !to.is_empty())
        else {
            return fail(format!("Invalid certificate life specification {spec}"));
        };
        let after = match from {
            "always" => 0,
            _ => side(from, now, "from")?,
        };
        let before = match to {
            "forever" => FOREVER,
            _ => side(to, now, "to")?,
        };
        if before <= after {
            return fail("Empty certificate validity interval".to_string());
        }
        Ok(Validity { after, before })
    }

    /// Whether this is the default interval (ssh-keygen prints `forever`).
    pub fn is_forever(&self) -> bool {
        self.after == 0 && self.before == FOREVER
    }

    /// Whether the certificate is valid at `when`.
    pub fn contains(&self, when: Seconds) -> bool {
        self.after <= when && when < self.before
    }
}

/// One side of `FROM:TO` (not `always`/`forever`, which only one side takes).
fn side(text: &str, now: Seconds, which: &str) -> Result<Seconds, SpecError> {
    if text.starts_with('-') || text.starts_with('+') {
        return relative(text, now);
    }
    if text.starts_with("0x") {
        return hex(text);
    }
    time::parse(text).ok_or_else(|| SpecError::Validity(format!("Invalid {which} time \"{text}\"")))
}

/// `-TIME` or `+TIME` from now (ssh-keygen's `parse_relative_time`).
fn relative(text: &str, now: Seconds) -> Result<Seconds, SpecError> {
    let Some(secs) = convtime(&text[1..]) else {
        return Err(SpecError::Validity(format!("Invalid relative certificate time {text}")));
    };
    match text.starts_with('-') {
        true if secs > now => {
            Err(SpecError::Validity(format!("Certificate time {text} cannot be represented")))
        }
        true => Ok(now - secs),
        false => Ok(now.saturating_add(secs)),
    }
}

/// `0x…`: seconds since the epoch in hex, as `strtoull(…, 16)` reads the whole text.
fn hex(text: &str) -> Result<Seconds, SpecError> {
    let digits = &text[2..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SpecError::Validity("Invalid certificate time: not a number".to_string()));
    }
    u64::from_str_radix(digits, 16).map_err(|_| {
        SpecError::Validity("parse_hex_u64: Invalid certificate time: Numerical result out of range".into())
    })
}

/// OpenSSH's `convtime`: a sequence of `NUMBER[smhdwSMHDW]`, each number read as `strtol`
/// reads it (leading blanks and a sign allowed, negative refused), the total at most
/// `INT_MAX` seconds; `None` when the text is empty or anything does not fit.
pub fn convtime(text: &str) -> Option<Seconds> {
    const INT_MAX: i64 = i32::MAX as i64;
    let mut rest = text.as_bytes();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let (secs, after) = strtol(rest)?;
        if secs < 0 {
            return None;
        }
        let (multiplier, after) = match after.first() {
            None => (1, after),
            Some(b's' | b'S') => (1, &after[1..]),
            Some(b'm' | b'M') => (60, &after[1..]),
            Some(b'h' | b'H') => (3600, &after[1..]),
            Some(b'd' | b'D') => (86_400, &after[1..]),
            Some(b'w' | b'W') => (604_800, &after[1..]),
            Some(_) => return None,
        };
        if secs > INT_MAX / multiplier {
            return None;
        }
        let secs = secs * multiplier;
        if total > INT_MAX - secs {
            return None;
        }
        total += secs;
        rest = after;
    }
    u64::try_from(total).ok()
}

/// `strtol(text, &end, 10)`: the value (saturated) and what follows it; `None` when no
/// digit was read.
fn strtol(text: &[u8]) -> Option<(i64, &[u8])> {
    let start = text.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let mut rest = &text[start..];
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value =
        rest[..digits].iter().fold(0i64, |n, &d| n.saturating_mul(10).saturating_add(i64::from(d - b'0')));
    Some((if negative { -value } else { value }, &rest[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Seconds = 1_800_000_030;

    #[test]
    fn convtime_counts_as_openssh() {
        assert_eq!(convtime("90m"), Some(5400));
        assert_eq!(convtime("1h30m"), Some(5400));
        assert_eq!(convtime("52w1d"), Some(52 * 604_800 + 86_400));
        assert_eq!(convtime("10"), Some(10));
        assert_eq!(convtime("2147483647"), Some(2_147_483_647));
        for bad in ["", "x", "1x", "-1", "2147483648", "4000w", "1d-1"] {
            assert_eq!(convtime(bad), None, "{bad}");
        }
    }

    #[test]
    fn relative_life_is_back_dated_to_the_minute() {
        let v = Validity::parse("+52w", NOW).unwrap();
        assert_eq!(v.after, ((NOW - 59) / 60) * 60);
        assert_eq!(v.before, NOW + 52 * 604_800);
    }

    #[test]
    fn from_to_forms() {
        let v = Validity::parse("-1d:+1w", NOW).unwrap();
        assert_eq!((v.after, v.before), (NOW - 86_400, NOW + 604_800));
        assert_eq!(Validity::parse("always:forever", NOW).unwrap(), Validity::default());
        let v = Validity::parse("20300101Z:0x7fffffff", NOW).unwrap();
        assert_eq!((v.after, v.before), (1_893_456_000, 0x7fff_ffff));
        let v = Validity::parse("0x10:forever", NOW).unwrap();
        assert_eq!(v.after, 16);
    }

    #[test]
    fn refusals_in_openssh_words() {
        let message = |spec: &str| Validity::parse(spec, NOW).unwrap_err().to_string();
        assert_eq!(message("+5x"), "Invalid relative certificate life +5x");
        assert_eq!(message("-1d"), "Invalid certificate life specification -1d");
        assert_eq!(message(":forever"), "Invalid certificate life specification :forever");
        assert_eq!(message("always:"), "Invalid certificate life specification always:");
        assert_eq!(message("forever:always"), "Invalid from time \"forever\"");
        assert_eq!(message("always:2030"), "Invalid to time \"2030\"");
        assert_eq!(message("-1q:forever"), "Invalid relative certificate time -1q");
        assert_eq!(message("0x:forever"), "Invalid certificate time: not a number");
        assert_eq!(message("+1d:-1d"), "Empty certificate validity interval");
        assert_eq!(message("-100000w:forever"), "Invalid relative certificate time -100000w");
    }
}
