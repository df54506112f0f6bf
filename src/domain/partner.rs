//! Partner publishing: API keys, the audit trail of every write, and the rules a partner's
//! course must meet ([`NewCourse`]: it exists only when every field is valid, and building
//! it reports every problem at once).

use chrono::{DateTime, Utc};
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

/// Changes to a published course; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub level: Option<CourseLevel>,
    pub subject: Option<String>,
    /// Replaces the claimed accreditations.
    pub accredited_by: Option<Vec<String>>,
    pub description: Option<String>,
    /// A new summary; when absent, the summary is generated again from the new fields.
    pub summary: Option<String>,
}

impl CoursePatch {
    /// The submission that `before` with this patch applied amounts to.
    pub fn apply_to(self, before: &Course) -> CourseSubmission {
        CourseSubmission {
            code: before.code.to_string(),
            title: self.title.unwrap_or_else(|| before.title.clone()),
            provider: before.provider.to_string(),
            level: self.level.unwrap_or(before.level),
            subject: self.subject.unwrap_or_else(|| before.subject.clone()),
            accredited_by: self.accredited_by.unwrap_or_else(|| {
                before
                    .claimed_accreditations
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            }),
            description: self.description.or_else(|| before.description.clone()),
            summary: self.summary,
        }
    }
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
    course: Course,
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
        let summary = submission.summary.as_ref().map_or_else(
            || generated_summary(submission, &provider.name, &accreditors),
            |summary| summary.trim().to_owned(),
        );
        Ok(Self {
            course: Course {
                code,
                title: submission.title.trim().to_owned(),
                provider: provider.code.clone(),
                level: submission.level,
                subject: submission.subject.trim().to_owned(),
                accredited_by: Vec::new(),
                claimed_accreditations: accreditors,
                description: submission
                    .description
                    .as_ref()
                    .map(|description| description.trim().to_owned()),
                summary,
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
    /// (recorded accreditations, sources, a retirement), and the write is stamped.
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
            course.retired_on = before.retired_on;
        }
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

fn generated_summary(
    submission: &CourseSubmission,
    provider_name: &str,
    accreditors: &[Code],
) -> String {
    let accreditation = if accreditors.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = accreditors.iter().map(Code::as_str).collect();
        format!(
            "; the provider states it is accredited by {}",
            names.join(", ")
        )
    };
    format!(
        "{} is a course in {} offered by {provider_name}{accreditation}.",
        submission.title.trim(),
        submission.subject.trim()
    )
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

    #[test]
    fn a_valid_submission_is_a_course_with_its_claims_and_a_generated_summary() {
        let course = parse(&submission()).expect("valid").course;

        assert_eq!(course.title, "Healthcare Leadership");
        assert_eq!(course.claimed_accreditations, [Code::parse("CMI").unwrap()]);
        assert!(
            course.accredited_by.is_empty(),
            "a claim is not a recorded accreditation"
        );
        assert_eq!(
            course.summary,
            "Healthcare Leadership is a course in leadership offered by COVENTRY name; \
             the provider states it is accredited by CMI."
        );
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
