//! When a partner may retire a course, and reinstate one: a retirement day after the course
//! was first offered and not absurdly far ahead; a reinstatement only of a retired or
//! scheduled course.

use chrono::NaiveDate;

use super::FieldProblem;
use crate::domain::Course;

/// The earliest day a course can be said to have been retired on: no course in the graph
/// was offered before it, so an earlier day is a mistake (a typo such as 1990).
pub const EARLIEST_RETIREMENT: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("2000-01-01 is a date"),
};

/// How far ahead a retirement may be scheduled, in days (about five years).
pub const MAX_RETIREMENT_AHEAD_DAYS: u64 = 5 * 366;

/// Checks that `course` may be retired on `on`, given `today` and the day it is first known
/// to have been offered (`offered_since`: when it was published, or its source's date).
/// A day in the future schedules the retirement; a scheduled one may be moved.
pub fn check_retirement(
    course: &Course,
    on: NaiveDate,
    today: NaiveDate,
    offered_since: Option<NaiveDate>,
) -> Result<(), FieldProblem> {
    let problem = |message: String| Err(FieldProblem::new("on", message));
    if let Some(retired_on) = course.retired_on.filter(|&day| day <= today) {
        return Err(FieldProblem::new(
            "code",
            format!("the course was already retired on {retired_on}; reinstate it first"),
        ));
    }
    if on < EARLIEST_RETIREMENT {
        return problem(format!(
            "{on} is before {EARLIEST_RETIREMENT}: give the day the course stopped being offered"
        ));
    }
    if let Some(since) = offered_since.filter(|&since| on < since) {
        return problem(format!(
            "{on} is before the course is known to have been offered ({since})"
        ));
    }
    let latest = today + chrono::Days::new(MAX_RETIREMENT_AHEAD_DAYS);
    if on > latest {
        return problem(format!(
            "{on} is too far ahead: a retirement can be scheduled up to {latest}"
        ));
    }
    Ok(())
}

/// Checks that `course` may be reinstated: it is retired, or its retirement is scheduled
/// (reinstating cancels it).
pub fn check_reinstatement(course: &Course) -> Result<(), FieldProblem> {
    if course.retired_on.is_none() {
        return Err(FieldProblem::new(
            "code",
            "the course is not retired, so there is nothing to reinstate",
        ));
    }
    Ok(())
}
