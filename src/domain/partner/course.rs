//! The rules of a partner's course: [`NewCourse::parse`] turns a [`CourseSubmission`] into a
//! [`NewCourse`] only when every field is valid, reporting every [`FieldProblem`] at once;
//! [`NewCourse::into_course`] gives the course to store, with its generated summary.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{Code, Course, CourseLevel, Organisation, OrganisationKind};

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
    pub(super) course: Course,
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
