//! Partner publishing: API keys, the audit trail of every write, and the rules a partner's
//! course must meet ([`NewCourse`]: it exists only when every field is valid, and building
//! it reports every problem at once).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Code, Course, CourseLevel, Organisation, OrganisationKind};

/// An API key as stored: only a hash of its secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The public part of the key, also its store key.
    pub id: String,
    /// The organisation whose records the key may change; `None` for an admin key.
    pub organisation: Option<Code>,
    /// SHA-256 of the secret part.
    pub secret_hash: [u8; 32],
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The first instant it is no longer accepted; `None` for a key that does not expire.
    pub expires_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn is_admin(&self) -> bool {
        self.organisation.is_none()
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Whether the key has expired by `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

/// What a write did to a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CourseAction {
    Create,
    Update,
    Retire,
    /// A retirement undone (added after the others: audit entries encode it by position).
    Reinstate,
}

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

/// One write, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the trail: strictly increasing, never reused.
    pub sequence: u64,
    pub at: DateTime<Utc>,
    /// The id of the API key that made the change.
    pub key_id: String,
    /// The organisation the key belongs to; `None` for an admin key.
    pub actor_organisation: Option<Code>,
    pub action: CourseAction,
    pub course: Code,
    /// The organisation whose course it is (its provider).
    pub organisation: Code,
    pub before: Option<Course>,
    pub after: Course,
}

/// One course change to write: what it was (if it existed) and what it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseChange {
    pub action: CourseAction,
    pub before: Option<Course>,
    pub after: Course,
}

/// A course as a partner submits it: plain text, checked by [`NewCourse::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct CourseSubmission {
    pub code: String,
    pub title: String,
    /// The code of the organisation offering it.
    pub provider: String,
    pub level: CourseLevel,
    pub subject: String,
    /// Codes of the bodies the provider says accredit it.
    pub accredited_by: Vec<String>,
    pub description: Option<String>,
    /// Generated from the other fields when absent.
    pub summary: Option<String>,
}

/// One field of a [`CoursePatch`]: left as it is, cleared (`null`), or set.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PatchField<T> {
    #[default]
    Unchanged,
    Cleared,
    Set(T),
}

impl<T> PatchField<T> {
    fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }
}

/// Changes to a published course: absent fields stay as they are, `null` clears an optional
/// field. A patch must change something, and cannot clear a required field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoursePatch {
    pub title: PatchField<String>,
    pub level: PatchField<CourseLevel>,
    pub subject: PatchField<String>,
    /// Replaces the claimed accreditations (`[]` removes them all).
    pub accredited_by: PatchField<Vec<String>>,
    pub description: PatchField<String>,
    /// A new summary; when cleared, or when a fact the summary states changes (title,
    /// level, subject, accreditation), the summary is generated again.
    pub summary: PatchField<String>,
}

impl CoursePatch {
    /// The submission that `before` with this patch applied amounts to, or every problem:
    /// an empty patch, a required field cleared.
    pub fn apply_to(self, before: &Course) -> Result<CourseSubmission, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if self.is_empty() {
            problems.push(FieldProblem::new(
                "patch",
                "the patch changes nothing: give at least one field to change",
            ));
        }
        let required = [
            ("title", matches!(self.title, PatchField::Cleared)),
            ("level", matches!(self.level, PatchField::Cleared)),
            ("subject", matches!(self.subject, PatchField::Cleared)),
            (
                "accreditedBy",
                matches!(self.accredited_by, PatchField::Cleared),
            ),
        ];
        for (field, cleared) in required {
            if cleared {
                let hint = if field == "accreditedBy" {
                    "; give [] to remove every claimed accreditation"
                } else {
                    ""
                };
                problems.push(FieldProblem::new(
                    field,
                    format!("{field} is required and cannot be cleared (null){hint}"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let claimed: Vec<String> = before
            .claimed_accreditations
            .iter()
            .map(ToString::to_string)
            .collect();
        let restates_facts = matches!(&self.title, PatchField::Set(title) if title.trim() != before.title)
            || matches!(&self.level, PatchField::Set(level) if *level != before.level)
            || matches!(&self.subject, PatchField::Set(subject) if canonical_subject(subject) != before.subject)
            || matches!(&self.accredited_by, PatchField::Set(bodies) if *bodies != claimed);
        let summary = match self.summary {
            PatchField::Set(summary) => Some(summary),
            PatchField::Cleared => None,
            PatchField::Unchanged if restates_facts => None,
            PatchField::Unchanged => Some(before.summary.clone()),
        };
        Ok(CourseSubmission {
            code: before.code.to_string(),
            title: set_or(self.title, || before.title.clone()),
            provider: before.provider.to_string(),
            level: set_or(self.level, || before.level),
            subject: set_or(self.subject, || before.subject.clone()),
            accredited_by: set_or(self.accredited_by, || claimed),
            description: match self.description {
                PatchField::Set(description) => Some(description),
                PatchField::Cleared => None,
                PatchField::Unchanged => before.description.clone(),
            },
            summary,
        })
    }

    /// Whether the patch names no field at all.
    pub fn is_empty(&self) -> bool {
        self.title.is_unchanged()
            && self.level.is_unchanged()
            && self.subject.is_unchanged()
            && self.accredited_by.is_unchanged()
            && self.description.is_unchanged()
            && self.summary.is_unchanged()
    }
}

fn set_or<T>(field: PatchField<T>, before: impl FnOnce() -> T) -> T {
    match field {
        PatchField::Set(value) => value,
        PatchField::Unchanged | PatchField::Cleared => before(),
    }
}

/// A subject in its canonical form: trimmed, runs of whitespace collapsed to one space, and
/// lower-cased (`"  Occupational   Therapy "` is `"occupational therapy"`), so that one
/// subject is spelt one way.
pub fn canonical_subject(subject: &str) -> String {
    subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One invalid field of a submission, named as the client named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A partner's course that meets every rule: its code is a [`Code`], its texts are within
/// their lengths and free of control characters, its provider is a known organisation and
/// every accrediting body a known professional body. It cannot be built otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCourse {
    /// The course without its summary, which [`NewCourse::into_course`] settles.
    course: Course,
    provider_name: String,
    /// The summary the partner gave, if any.
    summary: Option<String>,
}

impl NewCourse {
    /// The longest title, in characters.
    pub const MAX_TITLE: usize = 200;
    /// The longest subject, in characters.
    pub const MAX_SUBJECT: usize = 100;
    /// The longest description, in characters.
    pub const MAX_DESCRIPTION: usize = 2_000;
    /// The longest summary, in characters.
    pub const MAX_SUMMARY: usize = 500;
    /// The most accrediting bodies a course may name.
    pub const MAX_ACCREDITORS: usize = 10;

    /// Checks every field of `submission`, naming each field with `prefix` (such as
    /// `courses[2].`), and reports every problem at once. `organisation` finds the
    /// organisations the submission names (the caller reads them; the rules do no I/O).
    pub fn parse<'a>(
        submission: &CourseSubmission,
        prefix: &str,
        organisation: impl Fn(&Code) -> Option<&'a Organisation>,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |name: &str, message: String| {
            problems.push(FieldProblem::new(format!("{prefix}{name}"), message));
        };
        let code = Code::parse(&submission.code)
            .map_err(|error| problem("code", error.to_string()))
            .ok();
        let texts = [
            ("title", Some(&submission.title), Self::MAX_TITLE, true),
            (
                "subject",
                Some(&submission.subject),
                Self::MAX_SUBJECT,
                true,
            ),
            (
                "description",
                submission.description.as_ref(),
                Self::MAX_DESCRIPTION,
                false,
            ),
            (
                "summary",
                submission.summary.as_ref(),
                Self::MAX_SUMMARY,
                true,
            ),
        ];
        for (name, value, max, required) in texts {
            if let Some(message) = value.and_then(|value| text_problem(value, max, required)) {
                problem(name, message);
            }
        }
        let provider = Code::parse(&submission.provider)
            .ok()
            .and_then(|code| organisation(&code));
        if provider.is_none() {
            problem(
                "provider",
                format!("unknown organisation {:?}", submission.provider),
            );
        }
        if submission.accredited_by.len() > Self::MAX_ACCREDITORS {
            problem(
                "accreditedBy",
                format!("at most {} accrediting bodies", Self::MAX_ACCREDITORS),
            );
        }
        let mut accreditors: Vec<Code> = Vec::new();
        for body in &submission.accredited_by {
            match Code::parse(body).ok().and_then(|code| organisation(&code)) {
                Some(found) if found.kind == OrganisationKind::ProfessionalBody => {
                    if !accreditors.contains(&found.code) {
                        accreditors.push(found.code.clone());
                    }
                }
                Some(_) => problem(
                    "accreditedBy",
                    format!("{body:?} is not a professional or accrediting body"),
                ),
                None => problem("accreditedBy", format!("unknown organisation {body:?}")),
            }
        }
        let (Some(code), Some(provider), true) = (code, provider, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(Self {
            provider_name: provider.name.clone(),
            summary: submission
                .summary
                .as_ref()
                .map(|summary| summary.trim().to_owned()),
            course: Course {
                code,
                title: submission.title.trim().to_owned(),
                provider: provider.code.clone(),
                level: submission.level,
                subject: canonical_subject(&submission.subject),
                accredited_by: Vec::new(),
                citations: Vec::new(),
                claimed_accreditations: accreditors,
                description: submission
                    .description
                    .as_ref()
                    .map(|description| description.trim().to_owned()),
                summary: String::new(),
                sources: Vec::new(),
                publisher: None,
                updated_at: None,
                retired_on: None,
            },
        })
    }

    pub fn code(&self) -> &Code {
        &self.course.code
    }

    pub fn provider(&self) -> &Code {
        &self.course.provider
    }

    /// The course to write: what a partner may not change is carried over from `before`
    /// (recorded accreditations, sources and the quotes they are cited by, a retirement),
    /// the summary is settled, and the write is stamped.
    ///
    /// The summary: one the partner wrote is kept, labelled `According to <provider>: `
    /// unless it is `before`'s own summary unchanged or already says so; without one, it is
    /// generated from the fields, stating recorded accreditation as recorded and the
    /// provider's claims as the provider's.
    pub fn into_course(
        self,
        before: Option<&Course>,
        publisher: &Code,
        at: DateTime<Utc>,
    ) -> Course {
        let mut course = self.course;
        if let Some(before) = before {
            course.accredited_by.clone_from(&before.accredited_by);
            course.sources.clone_from(&before.sources);
            course.citations.clone_from(&before.citations);
            course.retired_on = before.retired_on;
        }
        course.summary = match self.summary {
            Some(summary)
                if before.is_some_and(|before| before.summary == summary)
                    || summary.to_lowercase().starts_with("according to") =>
            {
                summary
            }
            Some(summary) => format!("According to {}: {summary}", self.provider_name),
            None => generated_summary(&course, &self.provider_name),
        };
        stamp(&mut course, publisher, at);
        course
    }
}

/// Marks `course` as published by `publisher` at `at`, citing the partner's own source.
pub fn stamp(course: &mut Course, publisher: &Code, at: DateTime<Utc>) {
    let source = partner_source_code(&course.provider);
    if !course.sources.contains(&source) {
        course.sources.push(source);
    }
    course.publisher = Some(publisher.clone());
    course.updated_at = Some(at);
}

/// The source every partner-published record cites: the organisation's own submission.
pub fn partner_source_code(organisation: &Code) -> Code {
    Code::parse(&format!("partner-{}", organisation.as_str().to_lowercase()))
        .expect("an organisation code with a prefix is a valid code")
}

fn text_problem(value: &str, max: usize, required: bool) -> Option<String> {
    let trimmed = value.trim();
    if required && trimmed.is_empty() {
        Some("must not be empty".to_owned())
    } else if trimmed.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        Some("must not contain control characters".to_owned())
    } else {
        None
    }
}

/// The summary of a course a partner publishes: what the partner states is said to be
/// according to it; accreditation recorded from a source is stated as recorded.
fn generated_summary(course: &Course, provider_name: &str) -> String {
    let level = match course.level {
        CourseLevel::Undergraduate => "an undergraduate course",
        CourseLevel::Postgraduate => "a postgraduate course",
        CourseLevel::Professional => "a professional course",
        CourseLevel::ShortCourse => "a short course",
    };
    let mut summary = format!(
        "According to {provider_name}, {} is {level} in {} that it offers",
        course.title, course.subject
    );
    let claimed: Vec<&str> = course
        .claimed_accreditations
        .iter()
        .filter(|body| !course.accredited_by.contains(body))
        .map(Code::as_str)
        .collect();
    if !claimed.is_empty() {
        summary.push_str(&format!(
            ", and it states the course is accredited by {}",
            claimed.join(", ")
        ));
    }
    summary.push('.');
    if !course.accredited_by.is_empty() {
        let recorded: Vec<&str> = course.accredited_by.iter().map(Code::as_str).collect();
        summary.push_str(&format!(
            " Recorded from its source: accredited by {}.",
            recorded.join(", ")
        ));
    }
    summary
}

/// The prefix of every API key: `nlg_<id>_<secret>`.
pub const API_KEY_PREFIX: &str = "nlg_";

/// A presented key, split into its public id and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

impl<'a> PresentedKey<'a> {
    /// Splits `nlg_<id>_<secret>`; `None` if the text is not shaped like a key.
    pub fn parse(token: &'a str) -> Option<Self> {
        let rest = token.strip_prefix(API_KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let well_formed = |part: &str| {
            !part.is_empty()
                && part.len() <= 128
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        (well_formed(id) && well_formed(secret)).then_some(Self { id, secret })
    }

    /// Whether this key's secret matches the stored hash, compared in constant time.
    pub fn matches(&self, key: &ApiKey) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(hash_secret(self.secret).ct_eq(&key.secret_hash))
    }
}

/// SHA-256 of a key's secret: what the store keeps instead of the secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organisation(code: &str, kind: OrganisationKind) -> Organisation {
        Organisation {
            code: Code::parse(code).unwrap(),
            name: format!("{code} name"),
            registered_name: None,
            kind,
            citations: Vec::new(),
            historical: false,
            foundation_trust: None,
            trust_type: None,
            aliases: Vec::new(),
            description: None,
            summary: String::new(),
            opened: None,
            closed: None,
            postcode: None,
            gss_code: None,
            website: None,
            predecessors: Vec::new(),
            sources: Vec::new(),
        }
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

    fn stored(secret: &str) -> ApiKey {
        ApiKey {
            id: "abc123".to_owned(),
            organisation: Code::parse("COVENTRY").ok(),
            secret_hash: hash_secret(secret),
            label: None,
            created_at: chrono::Utc::now(),
            revoked_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn a_key_matches_only_its_own_secret() {
        let key = stored("s3cret");
        assert!(PresentedKey::parse("nlg_abc123_s3cret")
            .unwrap()
            .matches(&key));
        assert!(!PresentedKey::parse("nlg_abc123_s3cres")
            .unwrap()
            .matches(&key));
    }

    #[test]
    fn text_not_shaped_like_a_key_is_not_one() {
        for token in [
            "",
            "nlg_",
            "nlg_abc",
            "nlg__secret",
            "abc123_secret",
            "nlg_abc_sec ret",
            "nlg_abc_sec\0",
        ] {
            assert_eq!(PresentedKey::parse(token), None, "{token:?}");
        }
    }
}
