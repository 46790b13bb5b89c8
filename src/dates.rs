//! Calendar days as the command line and the window's date filters take them (`2025-03-31`, in UTC) and moments as export
//! sidecars write them (`2025-03-31T14:05:09.120Z`), with no time zone data needed.

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The first moment (ms since the epoch) of a `YYYY-MM-DD` day, in UTC.
pub fn day_start(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let mut field = |len: usize| parts.next().filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()));
    let (y, m, d) = (field(4)?.parse().ok()?, field(2)?.parse().ok()?, field(2)?.parse().ok()?);
    let days = days_from_civil(y, m, d);
    // Refuses 2025-02-30 and the like: the date must come back the same.
    (civil_from_days(days) == (y, m, d)).then_some(days * DAY_MS)
}

/// The first moment of the day after a `YYYY-MM-DD` day: "until" a day includes all of it.
pub fn day_end(text: &str) -> Option<i64> {
    day_start(text).map(|t| t + DAY_MS)
}

/// A moment (ms since the epoch) in ISO 8601, UTC.
pub fn iso_utc(ms: i64) -> String {
    let (days, in_day) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_and_moments_print_in_utc() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(day_end("2024-02-29"), Some(1_709_164_800_000 + DAY_MS));
        for bad in ["2025-02-30", "2025-13-01", "2025-1-01", "yesterday", "", "2025-01-01x", "+025-01-01"] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_709_164_800_000 + 3_723_004), "2024-02-29T01:02:03.004Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
