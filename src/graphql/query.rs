//! The root `Query`: entry points by id, by code and by list. Codes are found as people
//! type them (see `lookup.rs`).

use std::sync::Arc;

use async_graphql::{Context, Object, PathSegment, Result, ID};

use super::connection::{page_complexity, paginate, Page, PageArgs};
use super::data::graph;
use super::errors::{bad_user_input, null_on_error};
use super::lookup::{by_code, by_id_or_code, node_by_id, organisation_code};
use super::scalars::{today, Date, DateTime};
use super::search::{self, SearchHit, SearchKind};
use super::types::*;
use crate::domain::{self, Record as _};

/// The most audit entries one `auditTrail` request returns.
const MAX_AUDIT_PAGE: usize = 1_000;
/// The most ids one `nodes` request takes: a screenful of records to refetch, and a bound on
/// the work of one field.
const MAX_NODES: usize = 100;

/// Every question starts here. Lists that can grow are cursor connections with `totalCount`;
/// single records are fetched by global `id` or by readable `code`.
pub(crate) struct Query;

/// Every question starts here. Lists that can grow are cursor connections with `totalCount`;
/// single records are fetched by global `id` or by readable `code`.
#[Object]
impl Query {
    /// Any record by its global id (the Relay `Node` interface). An unknown id gives null and a `NOT_FOUND` error.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id from any record's `id` field.")] id: ID,
    ) -> Option<Node> {
        null_on_error(ctx, node_by_id(graph(ctx), &id).map(Some))
    }

    /// Records by global id, in the order given (to refetch what a page shows), at most 100.
    /// An unknown id gives null in its place and a `NOT_FOUND` error whose path ends with its
    /// position; more than 100 ids give `BAD_USER_INPUT`.
    #[graphql(complexity = "ids.len().clamp(1, MAX_NODES) * child_complexity + 1")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids from records' `id` fields (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(bad_user_input(format!(
                "`ids` must hold at most {MAX_NODES} ids, not {}; ask for the rest in another request",
                ids.len()
            )));
        }
        let graph = graph(ctx);
        let nodes = ids
            .iter()
            .enumerate()
            .map(|(position, id)| match node_by_id(graph, id) {
                Ok(node) => Some(node),
                Err(error) => {
                    let mut error = ctx.set_error_path(error.into_server_error(ctx.item.pos));
                    error.path.push(PathSegment::Index(position));
                    ctx.add_error(error);
                    None
                }
            })
            .collect();
        Ok(nodes)
    }

    /// One organisation by global `id` or by `code` (ODS code such as `QWE`, or a short code such as `CMI`).
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global id, from any organisation's `id` field; give this or `code`, not both."
        )]
        id: Option<ID>,
        #[graphql(
            desc = "ODS code (e.g. `RJ1`) or short code (e.g. `CMI`), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<OrganisationObject> {
        null_on_error(ctx, by_id_or_code::<domain::Organisation>(ctx, id, code))
            .map(OrganisationObject::new)
    }

    /// Organisations open on `asOf` (default today), optionally of one kind, under one parent
    /// (ODS code) or whose name contains some text, ordered by code. `organisations(kind: ICB)`
    /// lists today's ICBs; `organisations(kind: ICB, asOf: "2025-06-01")` those of that date;
    /// `organisations(name: "guy's")` finds Guy's and St Thomas'.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a GraphQL argument"
    )]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only organisations of this kind.")] kind: Option<OrganisationKind>,
        #[graphql(desc = "Only organisations directly under this parent (its code), on `asOf`.")]
        parent: Option<String>,
        #[graphql(desc = "Only organisations whose name contains this text, ignoring case.")]
        name: Option<String>,
        #[graphql(desc = "The date to ask about; default today.")] as_of: Option<Date>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Page size counted back from the end (at most 100), to page backwards; not with `first`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the first edge of the next page, to page backwards.")]
        before: Option<String>,
    ) -> Result<Page<OrganisationObject>> {
        let graph = graph(ctx);
        let date = as_of.map_or_else(today, |date| date.0);
        let kind: Option<domain::OrganisationKind> = kind.map(Into::into);
        let organisations: Vec<OrganisationObject> = match parent {
            Some(parent) => {
                let parent = by_code::<domain::Organisation>(graph, &parent)?;
                organisation_edges::children_on(ctx, &parent, kind, date)?
            }
            None => {
                let candidates = match kind {
                    Some(kind) => graph
                        .many::<domain::Organisation>(&graph.organisation_codes_of_kind(kind)?)?,
                    None => graph.all::<domain::Organisation>()?,
                };
                candidates
                    .into_iter()
                    .filter(|o| o.is_open_on(date))
                    .map(OrganisationObject::new)
                    .collect()
            }
        };
        let organisations = match name.map(|name| name.to_lowercase()) {
            Some(name) => organisations
                .into_iter()
                .filter(|organisation| organisation.0.name.to_lowercase().contains(&name))
                .collect(),
            None => organisations,
        };
        paginate(
            organisations,
            |organisation| organisation.0.code.to_string(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// One role by global `id` or by `code` (e.g. `chief-executive`).
    async fn role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id, from any role's `id` field; give this or `code`, not both.")]
        id: Option<ID>,
        #[graphql(
            desc = "Code (e.g. `chief-executive`), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<RoleObject> {
        null_on_error(ctx, by_id_or_code::<domain::Role>(ctx, id, code)).map(RoleObject::new)
    }

    /// Every role, ordered by code.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only roles of this category.")] category: Option<RoleCategory>,
    ) -> Result<Vec<RoleObject>> {
        let category: Option<domain::RoleCategory> = category.map(Into::into);
        let roles = graph(ctx).all::<domain::Role>()?;
        Ok(roles
            .into_iter()
            .filter(|role| category.is_none_or(|c| role.category == c))
            .map(RoleObject::new)
            .collect())
    }

    /// One post by global `id` or by `code` (`ORGANISATION/role`, e.g. `X24/chief-executive`).
    async fn post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id, from any post's `id` field; give this or `code`, not both.")]
        id: Option<ID>,
        #[graphql(
            desc = "Code (e.g. `X24/chief-executive`), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<PostObject> {
        null_on_error(ctx, by_id_or_code::<domain::Post>(ctx, id, code)).map(PostObject::new)
    }

    /// One programme by global `id` or by `code` (e.g. `nye-bevan`).
    async fn programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global id, from any programme's `id` field; give this or `code`, not both."
        )]
        id: Option<ID>,
        #[graphql(desc = "Code (e.g. `nye-bevan`), in any case; give this or `id`, not both.")]
        code: Option<String>,
    ) -> Option<ProgrammeObject> {
        null_on_error(ctx, by_id_or_code::<domain::Programme>(ctx, id, code))
            .map(ProgrammeObject::new)
    }

    /// Every programme, ordered by code; optionally only those a body accredits or provides (organisation codes).
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only programmes accredited by this organisation (code, e.g. `CMI`).")]
        accredited_by: Option<String>,
        #[graphql(desc = "Only programmes provided by this organisation (code, e.g. `NHSLA`).")]
        provider: Option<String>,
    ) -> Result<Vec<ProgrammeObject>> {
        let graph = graph(ctx);
        let accredited_by = organisation_code(graph, accredited_by.as_deref())?;
        let provider = organisation_code(graph, provider.as_deref())?;
        let programmes = graph.all::<domain::Programme>()?;
        Ok(programmes
            .into_iter()
            .filter(|p| {
                accredited_by
                    .as_ref()
                    .is_none_or(|body| p.accredited_by.contains(body))
            })
            .filter(|p| {
                provider
                    .as_ref()
                    .is_none_or(|provider| &p.provider == provider)
            })
            .map(ProgrammeObject::new)
            .collect())
    }

    /// One course by global `id` or by `code`.
    async fn course(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global id, from any course's `id` field; give this or `code`, not both."
        )]
        id: Option<ID>,
        #[graphql(
            desc = "Code (from any course's `code` field), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<CourseObject> {
        null_on_error(ctx, by_id_or_code::<domain::Course>(ctx, id, code)).map(CourseObject::new)
    }

    /// The subjects of the courses offered today, in their canonical form (trimmed, spaces
    /// collapsed, lower case) and alphabetical order: the values to offer for a course's
    /// `subject`, and to filter `courses(subject:)` by.
    async fn course_subjects(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let today = today();
        let courses: Vec<Arc<domain::Course>> = graph(ctx).all()?;
        let subjects: std::collections::BTreeSet<String> = courses
            .iter()
            .filter(|course| !course.is_retired_on(today))
            .map(|course| domain::canonical_subject(&course.subject))
            .collect();
        Ok(subjects.into_iter().collect())
    }

    /// Courses, ordered by code: those offered today unless `status` asks for retired ones;
    /// optionally only those accredited by or offered by an organisation (codes), or whose
    /// subject contains `subject` (case-insensitive).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a GraphQL filter"
    )]
    async fn courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only courses accredited by this organisation (code, e.g. `CMI`).")]
        accredited_by: Option<String>,
        #[graphql(desc = "Only courses offered by this organisation (code, e.g. `COVENTRY`).")]
        provider: Option<String>,
        #[graphql(desc = "Only courses whose subject contains this text, case-insensitive.")]
        subject: Option<String>,
        #[graphql(
            desc = "Only courses a partner changed at or after this instant (to sync what changed); courses from the seed have no such time."
        )]
        updated_since: Option<DateTime>,
        #[graphql(
            desc = "Which courses by their status today: offered ones (the default), retired ones, or any.",
            default
        )]
        status: CourseStatusFilter,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Page size counted back from the end (at most 100), to page backwards; not with `first`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the first edge of the next page, to page backwards.")]
        before: Option<String>,
    ) -> Result<Page<CourseObject>> {
        let graph = graph(ctx);
        let courses: Vec<Arc<domain::Course>> = match (&accredited_by, &provider) {
            (Some(body), _) => {
                let body = by_code::<domain::Organisation>(graph, body)?;
                graph.linked(
                    &body.reference(),
                    domain::Relation::CourseAccreditedBy,
                    crate::store::Direction::Incoming,
                )?
            }
            (None, Some(provider)) => {
                let provider = by_code::<domain::Organisation>(graph, provider)?;
                graph.linked(
                    &provider.reference(),
                    domain::Relation::CourseProvider,
                    crate::store::Direction::Incoming,
                )?
            }
            (None, None) => graph.all()?,
        };
        let provider = organisation_code(graph, provider.as_deref())?;
        let subject = subject.map(|subject| domain::canonical_subject(&subject));
        let today = today();
        let courses = courses
            .into_iter()
            .filter(|course| status.admits(course, today))
            .filter(|course| {
                provider
                    .as_ref()
                    .is_none_or(|provider| &course.provider == provider)
            })
            .filter(|course| {
                subject
                    .as_ref()
                    .is_none_or(|subject| course.subject.to_lowercase().contains(subject))
            })
            .filter(|course| {
                updated_since.is_none_or(|since| course.updated_at.is_some_and(|at| at >= since.0))
            })
            .map(CourseObject::new)
            .collect();
        paginate(
            courses,
            |course| course.0.code.to_string(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// The audit trail of partner writes, oldest first: a partner key sees its own
    /// organisation's writes, an admin key every write. Pass the last `sequence` seen as
    /// `after` to fetch only what changed since. Needs `Authorization: Bearer <api key>`.
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries after this sequence number.", default = 0)] after: u64,
        #[graphql(desc = "At most this many entries (at most 1,000).", default = 100)] first: usize,
    ) -> Result<Vec<AuditEntryObject>> {
        let key = super::mutation::authenticated(ctx)?;
        let limit = first.min(MAX_AUDIT_PAGE);
        let entries = graph(ctx)
            .store
            .audit_entries(key.organisation.as_ref(), after, limit)
            .map_err(super::errors::internal)?;
        Ok(entries.into_iter().map(AuditEntryObject).collect())
    }

    /// One qualification by global `id` or by `code`.
    async fn qualification(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global id, from any qualification's `id` field; give this or `code`, not both."
        )]
        id: Option<ID>,
        #[graphql(
            desc = "Code (from any qualification's `code` field), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<QualificationObject> {
        null_on_error(ctx, by_id_or_code::<domain::Qualification>(ctx, id, code))
            .map(QualificationObject::new)
    }

    /// Every professional qualification and award, ordered by code.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        Ok(wrap(graph(ctx).all::<domain::Qualification>()?))
    }

    /// Every Agenda for Change pay band, ordered by code.
    async fn pay_bands(&self, ctx: &Context<'_>) -> Result<Vec<PayBandObject>> {
        Ok(wrap(graph(ctx).all::<domain::PayBand>()?))
    }

    /// One topic by global `id` or by `code`.
    async fn topic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id, from any topic's `id` field; give this or `code`, not both.")]
        id: Option<ID>,
        #[graphql(
            desc = "Code (from any topic's `code` field), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<TopicObject> {
        null_on_error(ctx, by_id_or_code::<domain::Topic>(ctx, id, code)).map(TopicObject::new)
    }

    /// Leadership and career knowledge, ordered by code; optionally of one category.
    async fn topics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only topics of this category.")] category: Option<TopicCategory>,
    ) -> Result<Vec<TopicObject>> {
        let category: Option<domain::TopicCategory> = category.map(Into::into);
        let topics = graph(ctx).all::<domain::Topic>()?;
        Ok(topics
            .into_iter()
            .filter(|topic| category.is_none_or(|c| topic.category == c))
            .map(TopicObject::new)
            .collect())
    }

    /// Real-life career stories, ordered by code.
    async fn career_stories(&self, ctx: &Context<'_>) -> Result<Vec<CareerStoryObject>> {
        Ok(wrap(graph(ctx).all::<domain::CareerStory>()?))
    }

    /// Every figure (quantitative statement) with its unit, scope, date and source, ordered by code.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<FigureObject>> {
        Ok(wrap(graph(ctx).all::<domain::Figure>()?))
    }

    /// Ranked full-text search over every record but posts (unless `kinds` asks for `POST`),
    /// best first, at most 100 hits: pass a user's question as it is. Each hit carries a
    /// snippet, the record's summary and its sources, and the record itself, to follow its
    /// relationships in the same request. Words in double quotes match as a phrase; a
    /// misspelt name is matched fuzzily. An empty query or one over 500 characters gives
    /// `BAD_USER_INPUT`.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a GraphQL argument"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question or words to search for (at most 500 characters).")]
        query: String,
        #[graphql(desc = "Only records of these kinds; default every kind but `POST`.")]
        kinds: Option<Vec<SearchKind>>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Page size counted back from the end (at most 100), to page backwards; not with `first`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the first edge of the next page, to page backwards.")]
        before: Option<String>,
    ) -> Result<Page<SearchHit>> {
        search::search(
            ctx,
            &query,
            kinds,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// One source document by global `id` or by `code`.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global id, from any source's `id` field; give this or `code`, not both."
        )]
        id: Option<ID>,
        #[graphql(
            desc = "Code (from any source's `code` field), in any case; give this or `id`, not both."
        )]
        code: Option<String>,
    ) -> Option<SourceObject> {
        null_on_error(ctx, by_id_or_code::<domain::Source>(ctx, id, code)).map(SourceObject::new)
    }

    /// Every source document, ordered by code.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        Ok(wrap(graph(ctx).all::<domain::Source>()?))
    }
}
