//! Partner writes: universities publish and maintain their own courses with an API key.
//!
//! Every mutation authenticates (`UNAUTHENTICATED`), authorises (`FORBIDDEN`: a key may only
//! change its own organisation's courses, an admin key any), validates every field
//! (`BAD_USER_INPUT`, with `extensions.fields` listing each problem), and only then writes,
//! in one transaction flushed to disk before the answer. Writes are serialised by one lock,
//! so validation and write see the same store.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Error, ErrorExtensions, InputObject, Object, Result, SimpleObject};
use serde::Serialize;

use super::auth::Caller;
use super::data::{graph, Graph};
use super::errors::internal;
use super::scalars::{today, Date};
use super::types::{AuditEntryObject, CourseLevel, CourseObject};
use crate::domain::{
    self, ApiKey, Code, Course, CourseAction, CourseChange, OrganisationKind, Source, SourceKind,
};
use crate::search::SearchIndex;

/// The most courses one `upsertCourses` may carry.
pub const MAX_BULK_COURSES: usize = 500;

/// Writes. Each needs `Authorization: Bearer <api key>`.
pub(crate) struct Mutation;

/// A course to publish.
#[derive(Debug, Clone, InputObject)]
pub(crate) struct CourseInput {
    /// Stable code for the course: lowercase letters, digits and hyphens, 3 to 80 characters (e.g. `keele-msc-health-leadership`).
    code: String,
    /// The course's title.
    title: String,
    /// Code of the organisation offering it: your own organisation's code.
    provider: String,
    /// Level of study.
    level: CourseLevel,
    /// Subject area (e.g. physiotherapy).
    subject: String,
    /// Codes of the bodies that accredit it (e.g. `CMI`); recorded as claimed by the provider.
    #[graphql(default)]
    accredited_by: Vec<String>,
    /// A fuller description.
    description: Option<String>,
    /// One or two sentences a chatbot can quote; generated from the other fields when absent.
    summary: Option<String>,
}

/// Changes to a course; absent fields stay as they are.
#[derive(Debug, Clone, InputObject)]
pub(crate) struct CoursePatch {
    /// New title.
    title: Option<String>,
    /// New level of study.
    level: Option<CourseLevel>,
    /// New subject area.
    subject: Option<String>,
    /// New list of accrediting bodies (codes), replacing the claimed ones.
    accredited_by: Option<Vec<String>>,
    /// New description.
    description: Option<String>,
    /// New summary.
    summary: Option<String>,
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

/// One invalid field, as listed in a `BAD_USER_INPUT` error's `extensions.fields`.
#[derive(Debug, Clone, Serialize)]
struct FieldProblem {
    field: String,
    message: String,
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
        authorise(&key, &input.provider)?;
        let graph = graph(ctx);
        let write = graph.write_lock.clone().lock_owned().await;
        let mut problems = Vec::new();
        if stored_course(graph, &input.code)?.is_some() {
            problems.push(problem(
                "code",
                format!(
                    "a course with code {:?} exists already; use updateCourse",
                    input.code
                ),
            ));
        }
        let course = validate(ctx, &input, "", &mut problems)?;
        let course = finish(course, None, &key, &mut problems);
        reject(problems)?;
        let mut entries = commit(
            ctx,
            vec![CourseChange {
                action: CourseAction::Create,
                before: None,
                after: course,
            }],
            &key,
            write,
        )
        .await?;
        payload(entries.pop())
    }

    /// Changes a course of your organisation.
    async fn update_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the course.")] code: String,
        #[graphql(desc = "The changes.")] patch: CoursePatch,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let graph = graph(ctx);
        let write = graph.write_lock.clone().lock_owned().await;
        let before = existing(ctx, &code)?;
        authorise(&key, before.provider.as_str())?;
        let input = CourseInput {
            code: code.clone(),
            title: patch.title.unwrap_or_else(|| before.title.clone()),
            provider: before.provider.to_string(),
            level: patch.level.unwrap_or(before.level.into()),
            subject: patch.subject.unwrap_or_else(|| before.subject.clone()),
            accredited_by: patch.accredited_by.unwrap_or_else(|| {
                before
                    .claimed_accreditations
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            }),
            description: patch.description.or_else(|| before.description.clone()),
            summary: patch.summary,
        };
        let mut problems = Vec::new();
        let course = validate(ctx, &input, "", &mut problems)?;
        let course = finish(course, Some(&before), &key, &mut problems);
        reject(problems)?;
        let change = CourseChange {
            action: CourseAction::Update,
            before: Some(before),
            after: course,
        };
        let mut entries = commit(ctx, vec![change], &key, write).await?;
        payload(entries.pop())
    }

    /// Retires a course of your organisation: it stays queryable, marked retired, with the day.
    async fn retire_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the course.")] code: String,
        #[graphql(desc = "The day it is retired; default today.")] on: Option<Date>,
    ) -> Result<CoursePayload> {
        let key = authenticated(ctx)?;
        let graph = graph(ctx);
        let write = graph.write_lock.clone().lock_owned().await;
        let before = existing(ctx, &code)?;
        authorise(&key, before.provider.as_str())?;
        if let Some(retired_on) = before.retired_on {
            return Err(bad_input(vec![problem(
                "code",
                format!("the course was already retired on {retired_on}"),
            )]));
        }
        let mut after = before.clone();
        after.retired_on = Some(on.map_or_else(today, |date| date.0));
        let mut problems = Vec::new();
        let after = finish(after, Some(&before), &key, &mut problems);
        reject(problems)?;
        let change = CourseChange {
            action: CourseAction::Retire,
            before: Some(before),
            after,
        };
        let mut entries = commit(ctx, vec![change], &key, write).await?;
        payload(entries.pop())
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
        let (inputs, locate): (Vec<CourseInput>, fn(usize) -> String) = match (courses, csv) {
            (Some(courses), None) => (courses, |index| format!("courses[{index}].")),
            (None, Some(csv)) => (parse_csv(&csv)?, |index| {
                format!("csv line {}: ", index + 2)
            }),
            _ => {
                return Err(bad_input(vec![problem(
                    "courses",
                    "give exactly one of `courses` and `csv`",
                )]))
            }
        };
        if inputs.is_empty() || inputs.len() > MAX_BULK_COURSES {
            return Err(bad_input(vec![problem(
                "courses",
                format!("give 1 to {MAX_BULK_COURSES} courses"),
            )]));
        }
        for input in &inputs {
            authorise(&key, &input.provider)?;
        }
        let graph = graph(ctx);
        let write = graph.write_lock.clone().lock_owned().await;
        let mut problems = Vec::new();
        let mut seen = HashMap::new();
        let mut changes = Vec::with_capacity(inputs.len());
        for (index, input) in inputs.iter().enumerate() {
            let prefix = locate(index);
            if let Some(first) = seen.insert(input.code.clone(), index) {
                problems.push(problem(
                    &format!("{prefix}code"),
                    format!(
                        "code {:?} appears twice (also {})",
                        input.code,
                        locate(first)
                    ),
                ));
            }
            let before = stored_course(graph, &input.code)?.map(Arc::unwrap_or_clone);
            if let Some(before) = &before {
                if authorise(&key, before.provider.as_str()).is_err() {
                    return Err(forbidden(&key));
                }
            }
            let course = validate(ctx, input, &prefix, &mut problems)?;
            let course = finish(course, before.as_ref(), &key, &mut problems);
            let action = if before.is_some() {
                CourseAction::Update
            } else {
                CourseAction::Create
            };
            changes.push(CourseChange {
                action,
                before,
                after: course,
            });
        }
        reject(problems)?;
        let created = changes
            .iter()
            .filter(|change| change.action == CourseAction::Create)
            .count();
        let updated = changes.len() - created;
        let entries = commit(ctx, changes, &key, write).await?;
        Ok(UpsertCoursesPayload {
            created,
            updated,
            courses: entries
                .iter()
                .map(|entry| CourseObject(Arc::new(entry.after.clone())))
                .collect(),
            audit_entries: entries.into_iter().map(AuditEntryObject).collect(),
        })
    }
}

/// The caller's key, or `UNAUTHENTICATED`.
pub(crate) fn authenticated(ctx: &Context<'_>) -> Result<Arc<ApiKey>> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Key(key)) => Ok(key.clone()),
        Some(Caller::Rejected(reason)) => Err(unauthenticated(reason)),
        _ => Err(unauthenticated(
            "writes need an API key: send `Authorization: Bearer <api key>`",
        )),
    }
}

fn unauthenticated(message: &str) -> Error {
    Error::new(message).extend_with(|_, extensions| extensions.set("code", "UNAUTHENTICATED"))
}

fn forbidden(key: &ApiKey) -> Error {
    let organisation = key
        .organisation
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    Error::new(format!(
        "this key may only change courses of organisation {organisation}"
    ))
    .extend_with(|_, extensions| extensions.set("code", "FORBIDDEN"))
}

/// A partner key may only touch its own organisation's courses; an admin key any.
fn authorise(key: &ApiKey, provider: &str) -> Result<()> {
    match &key.organisation {
        None => Ok(()),
        Some(organisation) if organisation.as_str() == provider => Ok(()),
        Some(_) => Err(forbidden(key)),
    }
}

fn existing(ctx: &Context<'_>, code: &str) -> Result<Course> {
    let missing = || {
        Error::new(format!("no course has code {code:?}"))
            .extend_with(|_, extensions| extensions.set("code", "NOT_FOUND"))
    };
    let code = Code::parse(code).map_err(|_| missing())?;
    graph(ctx)
        .get::<Course>(&code)?
        .map(Arc::unwrap_or_clone)
        .ok_or_else(missing)
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn bad_input(problems: Vec<FieldProblem>) -> Error {
    let summary: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    let fields = async_graphql::to_value(&problems).unwrap_or_default();
    Error::new(format!("invalid input: {}", summary.join("; "))).extend_with(
        move |_, extensions| {
            extensions.set("code", "BAD_USER_INPUT");
            extensions.set("fields", fields.clone());
        },
    )
}

fn reject(problems: Vec<FieldProblem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(bad_input(problems))
    }
}

/// The stored course with this code; none when the code is not even valid (`validate`
/// reports that).
fn stored_course(graph: &Graph, code: &str) -> Result<Option<Arc<Course>>> {
    match Code::parse(code) {
        Ok(code) => graph.get::<Course>(&code),
        Err(_) => Ok(None),
    }
}

/// `code` parsed, or a placeholder when it is invalid: `validate` has then recorded a
/// problem, and a course with problems is never written.
fn code_or_placeholder(code: &str) -> Code {
    Code::parse(code).unwrap_or_else(|_| Code::parse("-").expect("a valid code"))
}

/// Checks every field of `input`, recording each problem with `prefix`, and returns the
/// course it describes (meaningful only when no problem was recorded).
fn validate(
    ctx: &Context<'_>,
    input: &CourseInput,
    prefix: &str,
    problems: &mut Vec<FieldProblem>,
) -> Result<Course> {
    let graph = graph(ctx);
    let field = |name: &str| format!("{prefix}{name}");
    let code_ok = input.code.len() >= 3
        && input.code.len() <= 80
        && input
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !input.code.starts_with('-');
    if !code_ok {
        problems.push(problem(
            &field("code"),
            "use 3 to 80 lowercase letters, digits and hyphens",
        ));
    }
    text(problems, &field("title"), &input.title, 200, true);
    text(problems, &field("subject"), &input.subject, 100, true);
    if let Some(description) = &input.description {
        text(problems, &field("description"), description, 2_000, false);
    }
    if let Some(summary) = &input.summary {
        text(problems, &field("summary"), summary, 500, true);
    }
    let provider = match Code::parse(&input.provider)
        .ok()
        .map(|code| graph.get::<domain::Organisation>(&code))
        .transpose()?
    {
        Some(Some(provider)) => Some(provider),
        _ => {
            problems.push(problem(
                &field("provider"),
                format!("unknown organisation {:?}", input.provider),
            ));
            None
        }
    };
    let mut accreditors = Vec::new();
    if input.accredited_by.len() > 10 {
        problems.push(problem(
            &field("accreditedBy"),
            "at most 10 accrediting bodies",
        ));
    }
    for body in &input.accredited_by {
        match Code::parse(body)
            .ok()
            .map(|code| graph.get::<domain::Organisation>(&code))
            .transpose()?
        {
            Some(Some(organisation)) if organisation.kind == OrganisationKind::ProfessionalBody => {
                if !accreditors.contains(&organisation.code) {
                    accreditors.push(organisation.code.clone());
                }
            }
            Some(Some(_)) => problems.push(problem(
                &field("accreditedBy"),
                format!("{body:?} is not a professional or accrediting body"),
            )),
            _ => problems.push(problem(
                &field("accreditedBy"),
                format!("unknown organisation {body:?}"),
            )),
        }
    }
    let provider_name = provider
        .as_ref()
        .map_or_else(|| input.provider.clone(), |provider| provider.name.clone());
    let summary = input
        .summary
        .clone()
        .map(|summary| summary.trim().to_owned())
        .unwrap_or_else(|| {
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
                input.title.trim(),
                input.subject.trim()
            )
        });
    Ok(Course {
        code: code_or_placeholder(&input.code),
        title: input.title.trim().to_owned(),
        provider: provider.map_or_else(
            || code_or_placeholder(&input.provider),
            |provider| provider.code.clone(),
        ),
        level: input.level.into(),
        subject: input.subject.trim().to_owned(),
        accredited_by: Vec::new(),
        claimed_accreditations: accreditors,
        description: input
            .description
            .as_ref()
            .map(|description| description.trim().to_owned()),
        summary,
        sources: Vec::new(),
        citations: Vec::new(),
        publisher: None,
        updated_at: None,
        retired_on: None,
    })
}

/// Carries over what a write keeps from the course it replaces, and stamps the publisher.
fn finish(
    mut course: Course,
    before: Option<&Course>,
    key: &ApiKey,
    problems: &mut Vec<FieldProblem>,
) -> Course {
    if let Some(before) = before {
        course.accredited_by = before.accredited_by.clone();
        course.sources = before.sources.clone();
        course.retired_on = course.retired_on.or(before.retired_on);
        if course.provider != before.provider {
            problems.push(problem("provider", "a course's provider cannot change"));
        }
    }
    let source = partner_source_code(&course.provider);
    if !course.sources.contains(&source) {
        course.sources.push(source);
    }
    course.publisher = Some(
        key.organisation
            .clone()
            .unwrap_or_else(|| course.provider.clone()),
    );
    course.updated_at = Some(chrono::Utc::now());
    course
}

/// The source every partner-published record cites: the partner's own submission.
fn partner_source_code(organisation: &Code) -> Code {
    Code::parse(&format!("partner-{}", organisation.as_str().to_lowercase()))
        .expect("an organisation code makes a valid code")
}

/// Writes `changes` durably and returns their audit entries. `write` (the write lock) moves
/// into the blocking write, so it is held until the write ends even if the request is
/// abandoned (a timeout, a closed connection) while the write runs.
async fn commit(
    ctx: &Context<'_>,
    changes: Vec<CourseChange>,
    key: &Arc<ApiKey>,
    write: tokio::sync::OwnedMutexGuard<()>,
) -> Result<Vec<domain::AuditEntry>> {
    let graph = graph(ctx);
    let mut sources = Vec::new();
    for change in &changes {
        let provider = graph.get::<domain::Organisation>(&change.after.provider)?;
        let name = provider.map_or_else(
            || change.after.provider.to_string(),
            |provider| provider.name.clone(),
        );
        let code = partner_source_code(&change.after.provider);
        if !sources.iter().any(|source: &Source| source.code == code) {
            sources.push(Source {
                title: format!("Course information published by {name} through the partner API"),
                publisher: name,
                author: None,
                published: None,
                as_of: None,
                kind: SourceKind::PartnerSubmission,
                document: "partner API".to_owned(),
                url: None,
                licence: None,
                description: Some("Published and kept current by the organisation itself; accreditation it states is marked as claimed by the provider.".to_owned()),
                dated: None,
                evidence: None,
                code,
            });
        }
    }
    let store = graph.store.clone();
    let search_index = ctx.data_unchecked::<Arc<SearchIndex>>().clone();
    let key = key.clone();
    let at = chrono::Utc::now();
    tokio::task::spawn_blocking(move || {
        let _write = write;
        let entries = store.write_courses(&changes, &key, &sources, at).map_err(internal)?;
        // The write is durable; the search index follows it before the answer, so a client
        // that searches next finds what it just wrote.
        let courses: Vec<Course> = entries.iter().map(|entry| entry.after.clone()).collect();
        if let Err(error) = search_index.upsert_courses(&courses) {
            tracing::error!(%error, "the search index missed a course write; it is rebuilt at the next start");
        }
        Ok(entries)
    })
    .await
    .map_err(internal)?
}

fn payload(entry: Option<domain::AuditEntry>) -> Result<CoursePayload> {
    let entry = entry.ok_or_else(|| internal("a course write returned no audit entry"))?;
    Ok(CoursePayload {
        course: CourseObject(Arc::new(entry.after.clone())),
        audit_entry: AuditEntryObject(entry),
    })
}

fn text(problems: &mut Vec<FieldProblem>, field: &str, value: &str, max: usize, required: bool) {
    let trimmed = value.trim();
    if required && trimmed.is_empty() {
        problems.push(problem(field, "must not be empty"));
    } else if trimmed.chars().count() > max {
        problems.push(problem(field, format!("must be at most {max} characters")));
    } else if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        problems.push(problem(field, "must not contain control characters"));
    }
}

/// Reads `upsertCourses(csv:)` text into inputs; a malformed row is a `BAD_USER_INPUT`.
fn parse_csv(text: &str) -> Result<Vec<CourseInput>> {
    #[derive(serde::Deserialize)]
    struct Row {
        code: String,
        title: String,
        provider: String,
        level: String,
        subject: String,
        #[serde(default)]
        accredited_by: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        summary: String,
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for (index, row) in reader.deserialize::<Row>().enumerate() {
        let line = index + 2;
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                problems.push(problem(&format!("csv line {line}"), error.to_string()));
                continue;
            }
        };
        let level = match row.level.trim().to_ascii_uppercase().as_str() {
            "UNDERGRADUATE" => CourseLevel::Undergraduate,
            "POSTGRADUATE" => CourseLevel::Postgraduate,
            "PROFESSIONAL" => CourseLevel::Professional,
            "SHORT_COURSE" => CourseLevel::ShortCourse,
            other => {
                problems.push(problem(
                    &format!("csv line {line}: level"),
                    format!("unknown level {other:?}"),
                ));
                continue;
            }
        };
        let optional = |text: String| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
        inputs.push(CourseInput {
            code: row.code.trim().to_owned(),
            title: row.title,
            provider: row.provider.trim().to_owned(),
            level,
            subject: row.subject,
            accredited_by: row
                .accredited_by
                .split(';')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect(),
            description: optional(row.description),
            summary: optional(row.summary),
        });
    }
    reject(problems)?;
    Ok(inputs)
}
