//! `Role` (a kind of executive or management role) and `Post` (that role at one organisation).

use async_graphql::{Context, Object, Result, SimpleObject};

use super::{
    about, pointing_at, read, read_required, CareerStoryObject, FigureObject, OrganisationObject,
    PayBandObject, ProgrammeObject, QualificationObject, RecordFields, RecordId, RecordObject,
    RoleCategory, SourceObject, TopicObject,
};
use crate::domain::{self, Relation};
use crate::graphql::connection::{page_complexity, paginate, Page, PageArgs};
use crate::graphql::scalars::Date;

/// An executive, board or management role, such as Chief Executive, Medical Director or
/// Finance Manager, independent of any one organisation.
pub(crate) type RoleObject = RecordObject<domain::Role>;

/// An executive, board or management role, such as Chief Executive, Medical Director or
/// Finance Manager, independent of any one organisation.
#[Object(name = "Role")]
impl RoleObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Role> {
        RecordId(self)
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
        pointing_at(ctx, &*self.0, Relation::ProgrammeRole)
    }

    /// Qualifications people in this role study for, with the bodies that award them.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        pointing_at(ctx, &*self.0, Relation::QualificationRole)
    }

    /// Agenda for Change pay bands the sources place this role in.
    async fn pay_bands(&self, ctx: &Context<'_>) -> Result<Vec<PayBandObject>> {
        pointing_at(ctx, &*self.0, Relation::PayBandRole)
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
        let posts = pointing_at(ctx, &*self.0, Relation::PostRole)?;
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
        about(ctx, &*self.0)
    }

    /// Figures about this role.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<FigureObject>> {
        about(ctx, &*self.0)
    }

    /// Career stories of people in this role.
    async fn career_stories(&self, ctx: &Context<'_>) -> Result<Vec<CareerStoryObject>> {
        about(ctx, &*self.0)
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Role> {
        RecordFields(self)
    }
}

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
pub(crate) type PostObject = RecordObject<domain::Post>;

/// The post of a role at one organisation, e.g. the Chief Executive of a trust.
#[Object(name = "Post")]
impl PostObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Post> {
        RecordId(self)
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
        read_required(ctx, &*self.0, "role", &self.0.role)
    }

    /// The organisation the post is at.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<OrganisationObject> {
        read_required(ctx, &*self.0, "organisation", &self.0.organisation)
    }

    /// Who holds the post, where a source names them, as of the date it says; null otherwise.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Option<Holder>> {
        let Some(holder) = &self.0.holder else {
            return Ok(None);
        };
        let source = read::<domain::Source>(ctx, &self.0.sources)?
            .into_iter()
            .next();
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

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Post> {
        RecordFields(self)
    }
}
