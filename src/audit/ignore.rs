//! The `ignore` list: advisories accepted for a while, each with an expiry date and a reason.
//!
//! One entry per line: `<advisory id or alias> <YYYY-MM-DD expiry> <reason>`; blank lines and
//! lines starting with `#` are skipped. An entry past its expiry fails the run, so accepted
//! risk is looked at again.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignore {
    pub id: String,
    /// `YYYY-MM-DD`; the entry holds through that day (UTC).
    pub expires: String,
    pub reason: String,
}

pub fn parse(text: &str) -> Result<Vec<Ignore>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let id = parts.next().unwrap_or_default().to_owned();
        let expires = parts.next().unwrap_or_default().trim().to_owned();
        let reason = parts.next().unwrap_or_default().trim().to_owned();
        if date_days(&expires).is_none() {
            return Err(format!(
                "line {}: {expires:?} is not an expiry date (YYYY-MM-DD); write `<id> <YYYY-MM-DD> <reason>`",
                n + 1
            ));
        }
        if reason.is_empty() {
            return Err(format!("line {}: {id} has no reason", n + 1));
        }
        out.push(Ignore {
            id,
            expires,
            reason,
        });
    }
    Ok(out)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn date_days(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: i64 = s[5..7].parse().ok()?;
    let d: i64 = s[8..10].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_len = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_len[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Today, in days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs / 86_400) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries() {
        let list = parse("# accepted\nGHSA-x 2030-01-31 not reachable: we never call it\n");
        assert_eq!(list.map(|l| l.len()), Ok(1));
        assert!(parse("GHSA-x 2030-02-30 reason").is_err());
        assert!(parse("GHSA-x 2030-01-01").is_err());
        assert_eq!(date_days("1970-01-01"), Some(0));
        assert_eq!(date_days("2000-03-01"), Some(11_017));
    }
}
