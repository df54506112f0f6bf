//! Partner writes: universities publish and maintain their own courses with an API key.
//!
//! Resolvers translate: they authenticate the caller (`UNAUTHENTICATED`), turn arguments
//! into the domain's submissions, call the publishing capability (`crate::publish`), which
//! authorises (`FORBIDDEN`), applies every rule (`BAD_USER_INPUT`, with `extensions.fields`
//! listing each problem) and writes durably, and turn its answer into the payload.

use std::sync::Arc;

use async_graphql::{
    Context, Error, ErrorExtensions, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};

use super::auth::Caller;
use super::errors::{bad_user_input, coded, internal, not_found};
use super::scalars::{today, Date};
use super::types::{AuditEntryObject, CourseLevel, CourseObject};
use crate::domain::{
    self, ApiKey, CoursePatch as DomainPatch, CourseSubmission, FieldProblem, PatchField,
};
use crate::error_code::ErrorCode;
use crate::publish::{PublishError, Publisher};

/// Writes. Each needs `Authorization: Bearer <api key>`.
pub(crate) struct Mutation;

// The limits in these descriptions are `domain::NewCourse`'s (`MAX_TITLE`...); a test reads
// them back from the schema, so they cannot drift apart.

/// A course to publish.
#[derive(Debug, Clone, InputObject)]
pub(crate) struct CourseInput {
    /// Stable code for the course: letters, digits and `-`, `_`, `.`, `/`, at most 120 characters (e.g. `keele-msc-health-leadership`).
    code: String,
    /// The course's title: at most 200 characters.
    title: String,
    /// Code of the organisation offering it: your own organisation's code.
    provider: String,
    /// Level of study.
    level: CourseLevel,
    /// Subject area (e.g. `physiotherapy`), at most 100 characters; stored in canonical form (trimmed, spaces collapsed, lower case). `courseSubjects` lists the subjects in use.
    subject: String,
    /// Codes of the bodies that accredit it (e.g. `CMI`), at most 10; recorded as claimed by the provider.
    #[graphql(default)]
    accredited_by: Vec<String>,
    /// A fuller description: at most 2000 characters.
    description: Option<String>,
    /// One or two sentences a chatbot can quote, at most 500 characters; labelled as your organisation's words ("According to ..."). Generated from the other fields when absent.
    summary: Option<String>,
}

/// Changes to a course: an absent field stays as it is, `null` clears an optional field
/// (`description`, `summary`); at least one field must be given.
#[derive(Debug, Clone, InputObject)]
pub(crate) struct CoursePatch {
    /// New title: at most 200 characters; required, so it cannot be null.
    title: MaybeUndefined<String>,
    /// New level of study; required, so it cannot be null.
    level: MaybeUndefined<CourseLevel>,
    /// New subject area: at most 100 characters, stored in canonical form (trimmed, spaces collapsed, lower case); required, so it cannot be null.
    subject: MaybeUndefined<String>,
    /// New list of accrediting bodies (codes, at most 10), replacing the claimed ones; `[]` removes them all. Accreditation recorded from a source stays.
    accredited_by: MaybeUndefined<Vec<String>>,
    /// New description, at most 2000 characters; `null` removes it.
    description: MaybeUndefined<String>,
    /// New summary, at most 500 characters; `null` generates it again from the fields. When absent, it is generated again if the title, level, subject or accreditation changes.
    summary: MaybeUndefined<String>,
}

/// A course written, and the audit entry that records the write.
#[derive(SimpleObject)]
pub(crate) struct CoursePayload {
    /// The course as written.
    course: CourseObject,
    /// The audit entry of the write.
    audit_entry: AuditEntryObject,
}

/// What a bulk upsert wrote.
#[derive(SimpleObject)]
pub(crate) struct UpsertCoursesPayload {
    /// How many courses were created.
    created: usize,
    /// How many existing courses were updated.
    updated: usize,
    /// The courses as written, in input order.
    courses: Vec<CourseObject>,
    /// The audit entries of the writes, in input order.
    audit_entries: Vec<AuditEntryObject>,
}

/// Writes. Each needs `Authorization: Bearer <api key>`.
#[Object]
impl Mutation {
    /// Publishes a new course of your organisation.
    async fn create_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course.")] input: CourseInput,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let entry = publisher(ctx).create(&key, input.into()).await;
        payload(entry)
    }

    /// Changes a course of your organisation.
    async fn update_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the course.")] code: String,
        #[graphql(desc = "The changes.")] patch: CoursePatch,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let entry = publisher(ctx).update(&key, &code, patch.into()).await;
        payload(entry)
    }

    /// Retires a course of your organisation: it stays queryable, and from the day given it
    /// reads as `RETIRED` and leaves the course lists and search. A future day schedules the
    /// retirement (the course is offered until then); a past day cannot precede the course
    /// (the day it was published, or its source's date).
    async fn retire_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the course.")] code: String,
        #[graphql(
            desc = "The first day it is no longer offered; default today. At most five years ahead."
        )]
        on: Option<Date>,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let today = today();
        let on = on.map_or(today, |date| date.0);
        let entry = publisher(ctx).retire(&key, &code, on, today).await;
        payload(entry)
    }

    /// Offers a retired course of your organisation again, or cancels its scheduled
    /// retirement; refused when it is not retired. Audited like every write.
    async fn reinstate_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the course.")] code: String,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let entry = publisher(ctx).reinstate(&key, &code).await;
        payload(entry)
    }

    /// Creates or updates many courses of your organisation at once, from a list or from CSV
    /// text (header `code,title,provider,level,subject,accredited_by,description,summary`;
    /// `accredited_by` separated by `;`). All or nothing: one bad row and nothing is written.
    async fn upsert_courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The courses, as a list.")] courses: Option<Vec<CourseInput>>,
        #[graphql(desc = "The courses, as CSV text.")] csv: Option<String>,
    ) -> Result<UpsertCoursesPayload> {
        let key = authenticated(ctx)?;
        let (submissions, locate): (Vec<CourseSubmission>, fn(usize) -> String) =
            match (courses, csv) {
                (Some(courses), None) => (courses.into_iter().map(Into::into).collect(), |index| {
                    format!("courses[{index}].")
                }),
                (None, Some(csv)) => (
                    crate::publish::submissions_from_csv(&csv)
                        .map_err(|problems| error(PublishError::Invalid(problems)))?,
                    |index| format!("csv line {}: ", index + 2),
                ),
                _ => {
                    return Err(error(PublishError::Invalid(vec![FieldProblem::new(
                        "courses",
                        "give exactly one of `courses` and `csv`",
                    )])))
                }
            };
        let upserted = publisher(ctx)
            .upsert(&key, submissions, locate)
            .await
            .map_err(error)?;
        Ok(UpsertCoursesPayload {
            created: upserted.created,
            updated: upserted.updated,
            courses: upserted
                .entries
                .iter()
                .map(|entry| CourseObject::new(Arc::new(entry.after.clone())))
                .collect(),
            audit_entries: upserted.entries.into_iter().map(AuditEntryObject).collect(),
        })
    }
}

impl From<CourseInput> for CourseSubmission {
    fn from(input: CourseInput) -> Self {
        Self {
            code: input.code,
            title: input.title,
            provider: input.provider,
            level: input.level.into(),
            subject: input.subject,
            accredited_by: input.accredited_by,
            description: input.description,
            summary: input.summary,
        }
    }
}

impl From<CoursePatch> for DomainPatch {
    fn from(patch: CoursePatch) -> Self {
        Self {
            title: field(patch.title),
            level: field(patch.level.map_value(Into::into)),
            subject: field(patch.subject),
            accredited_by: field(patch.accredited_by),
            description: field(patch.description),
            summary: field(patch.summary),
        }
    }
}

fn field<T>(value: MaybeUndefined<T>) -> PatchField<T> {
    match value {
        MaybeUndefined::Undefined => PatchField::Unchanged,
        MaybeUndefined::Null => PatchField::Cleared,
        MaybeUndefined::Value(value) => PatchField::Set(value),
    }
}

fn publisher<'a>(ctx: &Context<'a>) -> &'a Publisher {
    ctx.data_unchecked::<Arc<Publisher>>()
}

/// The caller's key, or `UNAUTHENTICATED`.
pub(crate) fn authenticated(ctx: &Context<'_>) -> Result<Arc<ApiKey>> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Key(key)) => Ok(key.clone()),
        Some(Caller::Rejected(reason)) => Err(coded(ErrorCode::Unauthenticated, *reason)),
        Some(Caller::Unverified) => Err(coded(
            ErrorCode::Unavailable,
            "the database cannot be reached to check the API key, so nothing was written; retry shortly",
        )),
        _ => Err(coded(
            ErrorCode::Unauthenticated,
            "writes need an API key: send `Authorization: Bearer <api key>`",
        )),
    }
}

/// The client error for a publishing error: its code from the table, the problems listed.
fn error(error: PublishError) -> Error {
    match error {
        PublishError::Forbidden(_) => coded(ErrorCode::Forbidden, error.to_string()),
        PublishError::NotFound(_) => not_found(error.to_string()),
        PublishError::Invalid(ref problems) => {
            let fields = async_graphql::to_value(problems).unwrap_or_default();
            bad_user_input(error.to_string())
                .extend_with(move |_, extensions| extensions.set("fields", fields.clone()))
        }
        PublishError::Unavailable(ref reason) => {
            tracing::warn!(%reason, "a partner write found the database unreachable");
            coded(ErrorCode::Unavailable, error.to_string())
        }
        PublishError::Internal(_) => internal(error),
    }
}

fn payload(entry: Result<domain::AuditEntry, PublishError>) -> Result<CoursePayload> {
    let entry = entry.map_err(error)?;
    Ok(CoursePayload {
        course: CourseObject::new(Arc::new(entry.after.clone())),
        audit_entry: AuditEntryObject(entry),
    })
}
