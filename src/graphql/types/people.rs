//! `Role` (a kind of executive or management role) and `Post` (that role at one organisation).

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::{
    about, citations, currency, sources, CareerStoryObject, CitationObject, FigureObject,
    OrganisationObject, PayBandObject, ProgrammeObject, QualificationObject, RoleCategory,
    SourceObject, TopicObject,
};
use crate::domain::{self, Record as _, RecordKind, Relation};
use crate::graphql::connection::{page_complexity, paginate, Page, PageArgs};
use crate::graphql::data::graph;
use crate::graphql::errors::internal;
use crate::graphql::ids::global_id;
use crate::graphql::scalars::Date;
use crate::store::Direction;

/// An executive, board or management role, such as Chief Executive, Medical Director or
/// Finance Manager, independent of any one organisation.
pub(crate) struct RoleObject(pub(crate) Arc<domain::Role>);

/// An executive, board or management role, such as Chief Executive, Medical Director or
/// Finance Manager, independent of any one organisation.
#[Object(name = "Role")]
impl RoleObject {
    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self) -> ID {
        global_id(RecordKind::Role, &self.0.code)
    }

    /// Readable stable code (a slug such as `chief-executive`).
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The role's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// How the role sits in an organisation (executive, non-executive, management...).
    async fn category(&self) -> RoleCategory {
        self.0.category.into()
    }

    /// Other names and abbreviations.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences stating the role's key facts, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    /// What people in the role do, as the sources list it.
    async fn activities(&self) -> &[String] {
        &self.0.activities
    }

    /// Programmes that prepare for this role.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        let programmes = graph(ctx).linked(
            &self.0.reference(),
            Relation::ProgrammeRole,
            Direction::Incoming,
        )?;
        Ok(programmes.into_iter().map(ProgrammeObject).collect())
    }

    /// Qualifications people in this role study for, with the bodies that award them.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        let qualifications = graph(ctx).linked(
            &self.0.reference(),
            Relation::QualificationRole,
            Direction::Incoming,
        )?;
        Ok(qualifications
            .into_iter()
            .map(QualificationObject)
            .collect())
    }

    /// Agenda for Change pay bands the sources place this role in.
    async fn pay_bands(&self, ctx: &Context<'_>) -> Result<Vec<PayBandObject>> {
        let bands = graph(ctx).linked(
            &self.0.reference(),
            Relation::PayBandRole,
            Direction::Incoming,
        )?;
        Ok(bands.into_iter().map(PayBandObject).collect())
    }

    /// The posts of this role: one per organisation where it exists.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Page size counted back from the end (at most 100), to page backwards; not with `first`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the first edge of the next page, to page backwards.")]
        before: Option<String>,
    ) -> Result<Page<PostObject>> {
        let posts =
            graph(ctx).linked(&self.0.reference(), Relation::PostRole, Direction::Incoming)?;
        let posts = posts.into_iter().map(PostObject).collect();
        paginate(
            posts,
            |post| post.0.code.to_string(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Topics about this role.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<TopicObject>> {
        Ok(about(ctx, self.0.reference())?
            .into_iter()
            .map(TopicObject)
            .collect())
    }

    /// Figures about this role.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<FigureObject>> {
        Ok(about(ctx, self.0.reference())?
            .into_iter()
            .map(FigureObject)
            .collect())
    }

    /// Career stories of people in this role.
    async fn career_stories(&self, ctx: &Context<'_>) -> Result<Vec<CareerStoryObject>> {
        Ok(about(ctx, self.0.reference())?
            .into_iter()
            .map(CareerStoryObject)
            .collect())
    }

    /// The documents this record comes from, to cite.
    pub(crate) async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        sources(ctx, &self.0.sources)
    }

    /// The words of its sources each of its facts rests on: quotes found verbatim in the
    /// source documents, or, for a registry row, the CSV row itself with its `location`.
    pub(crate) async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<CitationObject>> {
        citations(ctx, domain::Record::citations(&*self.0))
    }

    /// The date its facts were stated: the newest date of its sources (for an undated
    /// document, the date estimated from its content; see `Source.dated`).
    pub(crate) async fn stated_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(currency(ctx, &*self.0)?.stated_on.map(Date))
    }

    /// Whether its facts may no longer hold: its sources are more than two years old or
    /// undated, it names a post holder (holders change), or it is a closed or historical
    /// organisation. `outdatedReasons` says which.
    pub(crate) async fn may_be_outdated(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(currency(ctx, &*self.0)?.may_be_outdated())
    }

    /// Why its facts may be out of date, one sentence each; empty when nothing suggests so.
    pub(crate) async fn outdated_reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(currency(ctx, &*self.0)?.reasons)
    }
}

/// The post of a role at one organisation, e.g. the Chief Executive of a trust.
pub(crate) struct PostObject(pub(crate) Arc<domain::Post>);

/// The person holding a post, as a source states it.
#[derive(SimpleObject)]
pub(crate) struct Holder {
    /// The holder's name as the source gives it.
    name: String,
    /// The date the source says this was so: check it before quoting the holder as current.
    as_of: Option<Date>,
    /// The source that names the holder.
    source: Option<SourceObject>,
}

/// The post of a role at one organisation, e.g. the Chief Executive of a trust.
#[Object(name = "Post")]
impl PostObject {
    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self) -> ID {
        global_id(RecordKind::Post, &self.0.code)
    }

    /// Readable stable code: `ORGANISATION/role`, e.g. `RJ1/chief-executive`.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The post's name: the role and the organisation.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// The role this is a post of.
    async fn role(&self, ctx: &Context<'_>) -> Result<RoleObject> {
        let role = graph(ctx).get::<domain::Role>(&self.0.role)?;
        role.map(RoleObject)
            .ok_or_else(|| internal(format!("post {} has no role {}", self.0.code, self.0.role)))
    }

    /// The organisation the post is at.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<OrganisationObject> {
        let organisation = graph(ctx).get::<domain::Organisation>(&self.0.organisation)?;
        organisation.map(OrganisationObject).ok_or_else(|| {
            internal(format!(
                "post {} has no organisation {}",
                self.0.code, self.0.organisation
            ))
        })
    }

    /// Who holds the post, where a source names them, as of the date it says; null otherwise.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Option<Holder>> {
        let Some(holder) = &self.0.holder else {
            return Ok(None);
        };
        let source = graph(ctx)
            .many::<domain::Source>(&self.0.sources)?
            .into_iter()
            .next()
            .map(SourceObject);
        Ok(Some(Holder {
            name: holder.name.clone(),
            as_of: holder.as_of.map(Date),
            source,
        }))
    }

    /// Whether the post comes from a `[[board]]` template: the board post a typical NHS
    /// trust has, not one a source states for this organisation. A template post has no
    /// holder recorded; do not read it as a fact about this trust.
    async fn from_template(&self) -> bool {
        self.0.from_template
    }

    /// One or two sentences about the post, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    /// The documents this record comes from, to cite.
    pub(crate) async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        sources(ctx, &self.0.sources)
    }

    /// The words of its sources each of its facts rests on: quotes found verbatim in the
    /// source documents, or, for a registry row, the CSV row itself with its `location`.
    pub(crate) async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<CitationObject>> {
        citations(ctx, domain::Record::citations(&*self.0))
    }

    /// The date its facts were stated: the newest date of its sources (for an undated
    /// document, the date estimated from its content; see `Source.dated`).
    pub(crate) async fn stated_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(currency(ctx, &*self.0)?.stated_on.map(Date))
    }

    /// Whether its facts may no longer hold: its sources are more than two years old or
    /// undated, it names a post holder (holders change), or it is a closed or historical
    /// organisation. `outdatedReasons` says which.
    pub(crate) async fn may_be_outdated(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(currency(ctx, &*self.0)?.may_be_outdated())
    }

    /// Why its facts may be out of date, one sentence each; empty when nothing suggests so.
    pub(crate) async fn outdated_reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(currency(ctx, &*self.0)?.reasons)
    }
}
