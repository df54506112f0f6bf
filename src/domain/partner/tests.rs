//! Unit tests of the partner course rules: parsing a submission, patches, retirement and
//! the regenerated summary, without any store or HTTP.

use chrono::NaiveDate;

use super::*;
use crate::domain::{CourseLevel, Organisation, OrganisationKind};

fn organisation(code: &str, kind: OrganisationKind) -> Organisation {
    Organisation::new(Code::parse(code).unwrap(), format!("{code} name"), kind)
}

fn known() -> Vec<Organisation> {
    vec![
        organisation("COVENTRY", OrganisationKind::University),
        organisation("CMI", OrganisationKind::ProfessionalBody),
        organisation("RJ1", OrganisationKind::Trust),
    ]
}

fn submission() -> CourseSubmission {
    CourseSubmission {
        code: "cov-msc-hcl".to_owned(),
        title: " Healthcare Leadership ".to_owned(),
        provider: "COVENTRY".to_owned(),
        level: CourseLevel::Postgraduate,
        subject: "leadership".to_owned(),
        accredited_by: vec!["CMI".to_owned(), "CMI".to_owned()],
        description: None,
        summary: None,
    }
}

fn parse(submission: &CourseSubmission) -> Result<NewCourse, Vec<FieldProblem>> {
    let known = known();
    NewCourse::parse(submission, "", |code| {
        known.iter().find(|o| &o.code == code)
    })
}

fn published(submission: &CourseSubmission, before: Option<&Course>) -> Course {
    parse(submission).expect("valid").into_course(
        before,
        &Code::parse("COVENTRY").unwrap(),
        chrono::Utc::now(),
    )
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn a_valid_submission_is_a_course_with_its_claims_and_a_summary_labelled_as_the_providers() {
    let course = published(&submission(), None);

    assert_eq!(course.title, "Healthcare Leadership");
    assert_eq!(course.claimed_accreditations, [Code::parse("CMI").unwrap()]);
    assert!(
        course.accredited_by.is_empty(),
        "a claim is not a recorded accreditation"
    );
    assert_eq!(
        course.summary,
        "According to COVENTRY name, Healthcare Leadership is a postgraduate course in \
         leadership that it offers, and it states the course is accredited by CMI."
    );
}

#[test]
fn a_summary_the_partner_writes_is_labelled_as_its_words_once() {
    let written = CourseSubmission {
        summary: Some(" Our flagship course. ".to_owned()),
        ..submission()
    };
    let course = published(&written, None);
    let again = published(
        &CourseSubmission {
            summary: Some(course.summary.clone()),
            ..submission()
        },
        Some(&course),
    );

    assert_eq!(
        course.summary,
        "According to COVENTRY name: Our flagship course."
    );
    assert_eq!(again.summary, course.summary);
}

#[test]
fn subjects_are_stored_trimmed_collapsed_and_lower_case() {
    let course = published(
        &CourseSubmission {
            subject: "  Occupational    THERAPY ".to_owned(),
            ..submission()
        },
        None,
    );

    assert_eq!(course.subject, "occupational therapy");
    assert_eq!(canonical_subject("Health  and Care"), "health and care");
}

fn seed_course() -> Course {
    let mut course = published(&submission(), None);
    course.accredited_by = vec![Code::parse("CMI").unwrap()];
    course.claimed_accreditations = Vec::new();
    course.sources = vec![Code::parse("seed-source").unwrap()];
    course.publisher = None;
    course.updated_at = None;
    course.summary = "A seed summary naming CMI.".to_owned();
    course
}

#[test]
fn an_empty_patch_is_refused() {
    let problems = CoursePatch::default()
        .apply_to(&seed_course())
        .expect_err("empty");

    assert_eq!(problems[0].field, "patch");
}

#[test]
fn null_clears_an_optional_field_but_not_a_required_one() {
    let mut before = seed_course();
    before.description = Some("old".to_owned());

    let cleared = CoursePatch {
        description: PatchField::Cleared,
        ..CoursePatch::default()
    }
    .apply_to(&before)
    .expect("an optional field can be cleared");
    let refused = CoursePatch {
        title: PatchField::Cleared,
        accredited_by: PatchField::Cleared,
        ..CoursePatch::default()
    }
    .apply_to(&before)
    .expect_err("required fields cannot be cleared");

    assert_eq!(cleared.description, None);
    assert_eq!(
        cleared.summary.as_deref(),
        Some("A seed summary naming CMI.")
    );
    let fields: Vec<&str> = refused.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["title", "accreditedBy"]);
    assert!(refused[0].message.contains("cannot be cleared"));
}

#[test]
fn a_new_title_keeps_the_recorded_accreditation_in_the_regenerated_summary() {
    let before = seed_course();
    let submission = CoursePatch {
        title: PatchField::Set("MSc Physiotherapy".to_owned()),
        ..CoursePatch::default()
    }
    .apply_to(&before)
    .unwrap();

    let after = published(&submission, Some(&before));

    assert_eq!(after.accredited_by, before.accredited_by);
    assert_eq!(
        after.summary,
        "According to COVENTRY name, MSc Physiotherapy is a postgraduate course in \
         leadership that it offers. Recorded from its source: accredited by CMI."
    );
    assert!(after.is_recorded_from_source());
}

#[test]
fn a_retirement_cannot_precede_the_course_nor_be_absurdly_early_or_late() {
    let course = seed_course();
    let today = day("2026-11-30");
    let since = Some(day("2026-02-18"));
    let check = |on: &str| check_retirement(&course, day(on), today, since);

    assert!(check("2026-02-18").is_ok(), "the source's own day");
    assert!(check("2030-01-01").is_ok(), "scheduled");
    assert_eq!(check("2026-02-17").unwrap_err().field, "on");
    assert_eq!(
        check_retirement(&course, day("1990-01-01"), today, None)
            .unwrap_err()
            .field,
        "on"
    );
    assert!(check("2040-01-01").is_err(), "too far ahead");
}

#[test]
fn a_scheduled_retirement_can_move_but_a_past_one_needs_reinstating_first() {
    let today = day("2026-11-30");
    let mut scheduled = seed_course();
    scheduled.retired_on = Some(day("2027-01-01"));
    let mut retired = seed_course();
    retired.retired_on = Some(day("2026-06-01"));

    assert!(!scheduled.is_retired_on(today));
    assert!(scheduled.is_retired_on(day("2027-01-01")));
    assert!(check_retirement(&scheduled, day("2027-02-01"), today, None).is_ok());
    assert_eq!(
        check_retirement(&retired, day("2027-02-01"), today, None)
            .unwrap_err()
            .field,
        "code"
    );
    assert!(check_reinstatement(&retired).is_ok());
    assert!(check_reinstatement(&seed_course()).is_err());
}

#[test]
fn every_problem_is_reported_at_once_in_field_order() {
    let bad = CourseSubmission {
        code: "Bad Code!".to_owned(),
        title: "  ".to_owned(),
        provider: "NOWHERE".to_owned(),
        subject: "x".repeat(NewCourse::MAX_SUBJECT + 1),
        accredited_by: vec!["NOPE".to_owned(), "RJ1".to_owned()],
        summary: Some("line\u{7}bell".to_owned()),
        ..submission()
    };

    let problems = parse(&bad).expect_err("invalid");

    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "code",
            "title",
            "subject",
            "summary",
            "provider",
            "accreditedBy",
            "accreditedBy"
        ]
    );
    assert_eq!(
        problems[6].message,
        "\"RJ1\" is not a professional or accrediting body"
    );
}

#[test]
fn a_course_code_follows_the_domain_code_syntax() {
    for (code, valid) in [
        ("COV-MSC.2", true),
        ("cov/pg_1", true),
        ("has space", false),
        ("", false),
    ] {
        let result = parse(&CourseSubmission {
            code: code.to_owned(),
            ..submission()
        });
        assert_eq!(result.is_ok(), valid, "{code:?}");
    }
}

#[test]
fn a_republished_course_keeps_what_a_partner_may_not_change_and_cites_the_partner() {
    let mut before = parse(&submission()).unwrap().course;
    before.accredited_by = vec![Code::parse("CMI").unwrap()];
    before.sources = vec![Code::parse("seed-source").unwrap()];
    let publisher = Code::parse("COVENTRY").unwrap();
    let at = chrono::Utc::now();

    let after = parse(&submission())
        .unwrap()
        .into_course(Some(&before), &publisher, at);

    assert_eq!(after.accredited_by, before.accredited_by);
    assert_eq!(
        after.sources,
        [
            Code::parse("seed-source").unwrap(),
            Code::parse("partner-coventry").unwrap()
        ]
    );
    assert_eq!(
        (after.publisher, after.updated_at),
        (Some(publisher), Some(at))
    );
}
