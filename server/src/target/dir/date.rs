//! HTTP-dates (RFC 9110 section 5.6.7): formatting as IMF-fixdate and parsing all three
//! forms a recipient must accept.
//!
//! Directory responses carry `Date` and `Last-Modified`, and the conditional headers
//! (`If-Modified-Since`, `If-Unmodified-Since`, `If-Range`) carry dates back. The calendar
//! arithmetic is the proleptic Gregorian days-from-civil conversion, done by hand so the
//! server needs no date crate. Time is always a parameter: nothing here reads the clock.
//!
//! ```text
//! IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT     (sent, and preferred when parsing)
//! RFC 850       Sunday, 06-Nov-94 08:49:37 GMT    (obsolete, parsed)
//! asctime       Sun Nov  6 08:49:37 1994          (obsolete, parsed)
//! ```

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const SECS_PER_DAY: i64 = 86_400;
/// 0001-01-01T00:00:00Z, the earliest instant with a four-digit year.
const MIN_SECS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z, the latest instant with a four-digit year.
const MAX_SECS: i64 = 253_402_300_799;

/// An instant with one-second resolution, as HTTP carries it: seconds since the Unix epoch,
/// between the years 1 and 9999.
///
/// [`Display`](fmt::Display) writes the IMF-fixdate form; [`HttpDate::parse`] reads any of
/// the three forms.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use nagrel_server::target::dir::date::HttpDate;
///
/// let date = HttpDate::from(UNIX_EPOCH + Duration::from_secs(784_111_777));
/// assert_eq!(date.to_string(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(HttpDate::parse(b"Sunday, 06-Nov-94 08:49:37 GMT"), Ok(date));
/// assert_eq!(HttpDate::parse(b"Sun Nov  6 08:49:37 1994"), Ok(date));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpDate {
    secs: i64,
}

impl HttpDate {
    /// The date `secs` seconds after 1970-01-01T00:00:00Z (negative: before), clamped to
    /// the years 1 to 9999.
    ///
    /// ```
    /// use nagrel_server::target::dir::date::HttpDate;
    ///
    /// assert_eq!(HttpDate::from_unix_secs(0).to_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
    /// assert_eq!(HttpDate::from_unix_secs(i64::MAX).to_string(), "Fri, 31 Dec 9999 23:59:59 GMT");
    /// ```
    pub fn from_unix_secs(secs: i64) -> HttpDate {
        HttpDate {
            secs: secs.clamp(MIN_SECS, MAX_SECS),
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative: before).
    ///
    /// ```
    /// use nagrel_server::target::dir::date::HttpDate;
    ///
    /// let date = HttpDate::parse(b"Thu, 01 Jan 1970 00:01:40 GMT").unwrap();
    /// assert_eq!(date.unix_secs(), 100);
    /// ```
    pub fn unix_secs(self) -> i64 {
        self.secs
    }

    /// Parses an HTTP-date in any of its three forms (IMF-fixdate, RFC 850, asctime).
    ///
    /// Day and month names are matched without regard to ASCII case, the day name is not
    /// checked against the date (RFC 9110 does not ask recipients to), a leap second `:60`
    /// counts as `:59`, and a two-digit RFC 850 year means 1970 to 2069.
    ///
    /// ```
    /// use nagrel_server::target::dir::date::{DateErrorKind, HttpDate};
    ///
    /// let err = HttpDate::parse(b"Sun, 31 Feb 1994 08:49:37 GMT").unwrap_err();
    /// assert_eq!(err.kind(), DateErrorKind::Day);
    /// assert_eq!(err.position(), 5);
    /// ```
    pub fn parse(input: &[u8]) -> Result<HttpDate, DateError> {
        let mut cur = Cursor { input, pos: 0 };
        let name_len = cur.day_name()?;
        let fields = match cur.peek() {
            Some(b',') if name_len == 3 => cur.imf_fixdate()?,
            Some(b',') => cur.rfc850()?,
            Some(b' ') if name_len == 3 => cur.asctime()?,
            _ => return Err(cur.error(DateErrorKind::Format)),
        };
        if cur.pos != input.len() {
            return Err(cur.error(DateErrorKind::Trailing));
        }
        Ok(HttpDate::from_unix_secs(fields.to_unix_secs()))
    }
}

impl From<SystemTime> for HttpDate {
    /// Whole seconds of `time`, rounded down (also before the epoch), clamped to the years
    /// 1 to 9999.
    fn from(time: SystemTime) -> HttpDate {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                // -1.5 s is in the second that starts at -2 s.
                let partial = i64::from(before.subsec_nanos() > 0);
                whole.saturating_add(partial).saturating_neg()
            }
        };
        HttpDate::from_unix_secs(secs)
    }
}

impl From<HttpDate> for SystemTime {
    fn from(date: HttpDate) -> SystemTime {
        let magnitude = Duration::from_secs(date.secs.unsigned_abs());
        if date.secs >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }
}

impl fmt::Display for HttpDate {
    /// The IMF-fixdate form, `Sun, 06 Nov 1994 08:49:37 GMT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(SECS_PER_DAY);
        let secs_of_day = self.secs.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4).rem_euclid(7) as usize;
        write!(
            f,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAY_NAMES[weekday],
            day,
            MONTH_NAMES[(month - 1) as usize],
            year,
            secs_of_day / 3600,
            secs_of_day / 60 % 60,
            secs_of_day % 60,
        )
    }
}

/// What is wrong with a date that [`HttpDate::parse`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateErrorKind {
    /// The bytes follow none of the three forms.
    Format,
    /// Not a day name (`Sun` to `Sat`, or `Sunday` to `Saturday` in RFC 850 dates).
    DayName,
    /// Not a month name (`Jan` to `Dec`).
    Month,
    /// No such day in that month.
    Day,
    /// An hour above 23, a minute above 59 or a second above 60.
    Time,
    /// A year outside 1 to 9999.
    Year,
    /// The zone is not `GMT`.
    Zone,
    /// Bytes after a complete date.
    Trailing,
}

/// A date [`HttpDate::parse`] refused: what is wrong and at which byte.
///
/// ```
/// use nagrel_server::target::dir::date::{DateErrorKind, HttpDate};
///
/// let err = HttpDate::parse(b"Sun, 06 Nov 1994 08:49:37 UTC").unwrap_err();
/// assert_eq!((err.kind(), err.position()), (DateErrorKind::Zone, 26));
/// assert_eq!(err.to_string(), "bad HTTP-date: the zone must be GMT (at byte 26)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateError {
    kind: DateErrorKind,
    position: usize,
}

impl DateError {
    /// What is wrong.
    pub fn kind(&self) -> DateErrorKind {
        self.kind
    }

    /// The offset of the offending part in the input.
    pub fn position(&self) -> usize {
        self.position
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DateErrorKind::Format => "not an IMF-fixdate, RFC 850 or asctime date",
            DateErrorKind::DayName => "unknown day name",
            DateErrorKind::Month => "unknown month name",
            DateErrorKind::Day => "no such day in that month",
            DateErrorKind::Time => "time of day out of range",
            DateErrorKind::Year => "year out of range",
            DateErrorKind::Zone => "the zone must be GMT",
            DateErrorKind::Trailing => "unexpected bytes after the date",
        };
        write!(f, "bad HTTP-date: {what} (at byte {})", self.position)
    }
}

impl std::error::Error for DateError {}

/// The parts of a parsed date, checked for range.
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Fields {
    fn to_unix_secs(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        // A leap second is folded into the second before it, keeping the same minute.
        let second = self.second.min(59);
        days * SECS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(second)
    }
}

/// Reads a date left to right, remembering where it is for error positions.
struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn error(&self, kind: DateErrorKind) -> DateError {
        DateError {
            kind,
            position: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), DateError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(DateErrorKind::Format))
        }
    }

    /// The leading day name, short or long: its length.
    fn day_name(&mut self) -> Result<usize, DateError> {
        let start = self.pos;
        let word = self.alphabetic();
        let known = DAY_NAMES
            .iter()
            .chain(LONG_DAY_NAMES.iter())
            .any(|name| word.eq_ignore_ascii_case(name.as_bytes()));
        if known {
            Ok(word.len())
        } else {
            Err(DateError {
                kind: DateErrorKind::DayName,
                position: start,
            })
        }
    }

    fn alphabetic(&mut self) -> &[u8] {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        &self.input[start..self.pos]
    }

    /// A three-letter month name, as 1 to 12.
    fn month(&mut self) -> Result<u32, DateError> {
        let start = self.pos;
        let word = self.alphabetic();
        match MONTH_NAMES
            .iter()
            .position(|name| word.eq_ignore_ascii_case(name.as_bytes()))
        {
            Some(index) => Ok(index as u32 + 1),
            None => Err(DateError {
                kind: DateErrorKind::Month,
                position: start,
            }),
        }
    }

    /// Exactly `count` ASCII digits, as a number; an error points at the first digit.
    fn digits(&mut self, count: usize) -> Result<u32, DateError> {
        let start = self.pos;
        let mut value = 0u32;
        for _ in 0..count {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => {
                    return Err(DateError {
                        kind: DateErrorKind::Format,
                        position: start,
                    })
                }
            }
        }
        Ok(value)
    }

    /// `HH:MM:SS`.
    fn time_of_day(&mut self) -> Result<(u32, u32, u32), DateError> {
        let start = self.pos;
        let hour = self.digits(2)?;
        self.expect(b':')?;
        let minute = self.digits(2)?;
        self.expect(b':')?;
        let second = self.digits(2)?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(DateError {
                kind: DateErrorKind::Time,
                position: start,
            });
        }
        Ok((hour, minute, second))
    }

    fn gmt(&mut self) -> Result<(), DateError> {
        let start = self.pos;
        if self.alphabetic().eq_ignore_ascii_case(b"GMT") {
            Ok(())
        } else {
            Err(DateError {
                kind: DateErrorKind::Zone,
                position: start,
            })
        }
    }

    /// After the day name: `, DD Mon YYYY HH:MM:SS GMT`.
    fn imf_fixdate(&mut self) -> Result<Fields, DateError> {
        self.expect(b',')?;
        self.expect(b' ')?;
        let day_at = self.pos;
        let day = self.digits(2)?;
        self.expect(b' ')?;
        let month = self.month()?;
        self.expect(b' ')?;
        let year_at = self.pos;
        let year = i64::from(self.digits(4)?);
        self.expect(b' ')?;
        let (hour, minute, second) = self.time_of_day()?;
        self.expect(b' ')?;
        self.gmt()?;
        checked(year, year_at, month, day, day_at, (hour, minute, second))
    }

    /// After the long day name: `, DD-Mon-YY HH:MM:SS GMT`.
    fn rfc850(&mut self) -> Result<Fields, DateError> {
        self.expect(b',')?;
        self.expect(b' ')?;
        let day_at = self.pos;
        let day = self.digits(2)?;
        self.expect(b'-')?;
        let month = self.month()?;
        self.expect(b'-')?;
        let year_at = self.pos;
        let short_year = i64::from(self.digits(2)?);
        // A fixed window instead of RFC 9110's "not more than 50 years ahead of now":
        // parsing stays independent of the clock, and the two agree until 2020 + 50.
        let year = if short_year < 70 {
            2000 + short_year
        } else {
            1900 + short_year
        };
        self.expect(b' ')?;
        let (hour, minute, second) = self.time_of_day()?;
        self.expect(b' ')?;
        self.gmt()?;
        checked(year, year_at, month, day, day_at, (hour, minute, second))
    }

    /// After the day name: ` Mon DD HH:MM:SS YYYY`, the day padded with a space.
    fn asctime(&mut self) -> Result<Fields, DateError> {
        self.expect(b' ')?;
        let month = self.month()?;
        self.expect(b' ')?;
        let day_at = self.pos;
        let day = if self.peek() == Some(b' ') {
            self.pos += 1;
            self.digits(1)?
        } else {
            self.digits(2)?
        };
        self.expect(b' ')?;
        let (hour, minute, second) = self.time_of_day()?;
        self.expect(b' ')?;
        let year_at = self.pos;
        let year = i64::from(self.digits(4)?);
        checked(year, year_at, month, day, day_at, (hour, minute, second))
    }
}

/// Checks the year and the day of the month (the time of day is checked as it is read).
fn checked(
    year: i64,
    year_at: usize,
    month: u32,
    day: u32,
    day_at: usize,
    (hour, minute, second): (u32, u32, u32),
) -> Result<Fields, DateError> {
    if !(1..=9999).contains(&year) {
        return Err(DateError {
            kind: DateErrorKind::Year,
            position: year_at,
        });
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(DateError {
            kind: DateErrorKind::Day,
            position: day_at,
        });
    }
    Ok(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (month 1 to 12).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Count years from March so the leap day is the last day of the counted year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date (year, month 1 to 12, day) `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<i64, DateErrorKind> {
        HttpDate::parse(s.as_bytes())
            .map(HttpDate::unix_secs)
            .map_err(|e| e.kind())
    }

    #[test]
    fn the_rfc_example_in_all_three_forms() {
        let expected = 784_111_777;
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Ok(expected));
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Ok(expected));
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), Ok(expected));
        assert_eq!(
            parse("Sun Nov 16 08:49:37 1994"),
            Ok(expected + 10 * 86_400)
        );
    }

    #[test]
    fn names_match_without_case() {
        assert_eq!(parse("sun, 06 NOV 1994 08:49:37 gmt"), Ok(784_111_777));
        assert_eq!(parse("SUNDAY, 06-nov-94 08:49:37 GMT"), Ok(784_111_777));
    }

    #[test]
    fn rfc850_years_window() {
        assert_eq!(parse("Thursday, 01-Jan-70 00:00:00 GMT"), Ok(0));
        assert_eq!(
            parse("Monday, 01-Jan-69 00:00:00 GMT"),
            Ok(days_from_civil(2069, 1, 1) * 86_400)
        );
    }

    #[test]
    fn formats_known_instants() {
        let cases = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (MIN_SECS, "Mon, 01 Jan 0001 00:00:00 GMT"),
            (MAX_SECS, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ];
        for (secs, text) in cases {
            assert_eq!(HttpDate::from_unix_secs(secs).to_string(), text);
            assert_eq!(parse(text), Ok(secs), "{text}");
        }
    }

    #[test]
    fn civil_conversion_round_trips_every_day_of_four_centuries() {
        let start = days_from_civil(1900, 1, 1);
        for days in start..start + 146_097 {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn format_then_parse_is_identity() {
        let mut secs = MIN_SECS;
        while secs < MAX_SECS {
            let date = HttpDate::from_unix_secs(secs);
            assert_eq!(HttpDate::parse(date.to_string().as_bytes()), Ok(date));
            secs += 7_777_777_777 / 3;
        }
    }

    #[test]
    fn system_time_conversions_round_down() {
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(HttpDate::from(before).unix_secs(), -2);
        let after = UNIX_EPOCH + Duration::from_millis(1500);
        assert_eq!(HttpDate::from(after).unix_secs(), 1);
        let date = HttpDate::from_unix_secs(-5);
        assert_eq!(HttpDate::from(SystemTime::from(date)), date);
    }

    #[test]
    fn leap_second_stays_in_its_minute() {
        assert_eq!(
            parse("Sat, 31 Dec 2016 23:59:60 GMT"),
            parse("Sat, 31 Dec 2016 23:59:59 GMT")
        );
    }

    #[test]
    fn refusals_say_what_and_where() {
        let cases: [(&str, DateErrorKind, usize); 14] = [
            ("", DateErrorKind::DayName, 0),
            ("Xyz, 06 Nov 1994 08:49:37 GMT", DateErrorKind::DayName, 0),
            ("Sun, 06 Foo 1994 08:49:37 GMT", DateErrorKind::Month, 8),
            ("Sun, 29 Feb 1900 08:49:37 GMT", DateErrorKind::Day, 5),
            ("Sun, 00 Nov 1994 08:49:37 GMT", DateErrorKind::Day, 5),
            ("Sun, 06 Nov 1994 24:00:00 GMT", DateErrorKind::Time, 17),
            ("Sun, 06 Nov 1994 08:60:00 GMT", DateErrorKind::Time, 17),
            ("Sun, 06 Nov 0000 08:49:37 GMT", DateErrorKind::Year, 12),
            (
                "Sun, 06 Nov 1994 08:49:37 GMT ",
                DateErrorKind::Trailing,
                29,
            ),
            ("Sun, 6 Nov 1994 08:49:37 GMT", DateErrorKind::Format, 5),
            ("Sun,06 Nov 1994 08:49:37 GMT", DateErrorKind::Format, 4),
            ("Sunday Nov  6 08:49:37 1994", DateErrorKind::Format, 6),
            ("Sun Nov  6 08:49:37 94", DateErrorKind::Format, 20),
            ("Sun, 06 Nov 1994 08:49:37 +0000", DateErrorKind::Zone, 26),
        ];
        for (text, kind, position) in cases {
            let err = HttpDate::parse(text.as_bytes()).unwrap_err();
            assert_eq!((err.kind(), err.position()), (kind, position), "{text:?}");
        }
    }

    #[test]
    fn no_input_panics() {
        let valid = b"Sun, 06 Nov 1994 08:49:37 GMT";
        for end in 0..valid.len() {
            assert!(HttpDate::parse(&valid[..end]).is_err());
        }
        for byte in 0..=255u8 {
            for at in 0..valid.len() {
                let mut bent = *valid;
                bent[at] = byte;
                let _ = HttpDate::parse(&bent);
            }
        }
    }
}
