//! `Organisation`: NHS England, regions, ICBs, trusts, universities and professional bodies.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::{
    about, pointing_at, read, CareerStoryObject, CourseObject, CourseStatusFilter, FigureObject,
    OrganisationKind, PostObject, ProgrammeObject, QualificationObject, RecordFields, RecordId,
    RecordObject, TopicObject, TrustType,
};
use crate::domain::{self, Record as _, Relation, Validity};
use crate::graphql::connection::{page_complexity, paginate, Page, PageArgs};
use crate::graphql::data::graph;
use crate::graphql::scalars::{today, Date};
use crate::store::Direction;

/// A dated link between an organisation and its parent (e.g. a trust and its ICB).
#[derive(SimpleObject)]
pub(crate) struct OrganisationLink {
    /// The organisation at the other end of the link.
    organisation: OrganisationObject,
    /// The first day the link held, where known.
    from: Option<Date>,
    /// The last day the link held; null while it still holds.
    to: Option<Date>,
}

/// An organisation: NHS England, an NHS region, an integrated care board (ICB), an NHS trust,
/// a university, a professional or awarding body, or the NHS Leadership Academy.
pub(crate) type OrganisationObject = RecordObject<domain::Organisation>;

/// An organisation: NHS England, an NHS region, an integrated care board (ICB), an NHS trust,
/// a university, a professional or awarding body, or the NHS Leadership Academy.
#[Object(name = "Organisation")]
impl OrganisationObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Organisation> {
        RecordId(self)
    }

    /// ODS code for NHS bodies (`X24`, `Y56`, `QWE`, `RJ1`); a short stable code for others (`CMI`).
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The organisation's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// The name exactly as the NHS England registry publishes it (upper case), for registry bodies.
    async fn registered_name(&self) -> Option<&str> {
        self.0.registered_name.as_deref()
    }

    /// What kind of organisation this is.
    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }

    /// For trusts: whether it is an NHS foundation trust, as its registered name tells. Null for other kinds.
    async fn foundation_trust(&self) -> Option<bool> {
        self.0.foundation_trust
    }

    /// For trusts: acute, mental health, community, ambulance or specialist, only where a source states it.
    async fn trust_type(&self) -> Option<TrustType> {
        self.0.trust_type.map(Into::into)
    }

    /// Other names and abbreviations.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences stating the organisation's key facts, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    /// The day it opened, where the source gives one.
    async fn opened(&self) -> Option<Date> {
        self.0.opened.map(Date)
    }

    /// The last day it was open; null while it is open.
    async fn closed(&self) -> Option<Date> {
        self.0.closed.map(Date)
    }

    /// Whether it no longer exists in the form its source describes (a clinical
    /// commissioning group, a primary care trust): what the source says of it is history.
    async fn historical(&self) -> bool {
        self.0.historical
    }

    /// Whether it was open on `asOf` (default: today).
    async fn is_open(
        &self,
        #[graphql(desc = "The date to ask about; default today.")] as_of: Option<Date>,
    ) -> bool {
        self.0.is_open_on(as_of.map_or_else(today, |date| date.0))
    }

    /// Registered postcode (trusts).
    async fn postcode(&self) -> Option<&str> {
        self.0.postcode.as_deref()
    }

    /// ONS (GSS) code (regions and ICBs).
    async fn gss_code(&self) -> Option<&str> {
        self.0.gss_code.as_deref()
    }

    /// Website, where a source gives it.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// The parent organisation on `asOf`: a trust's ICB, an ICB's region, a region's NHS England.
    /// Without `asOf`, today's parent, or for a closed organisation its last one.
    /// A trust's ICB is the one whose area holds the trust's registered address (the NHS
    /// England ODS registry's "high level health geography"), not necessarily its commissioner;
    /// links before 2024 are assumed to start on 1 July 2022, when ICBs were established.
    async fn parent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to ask about; default today.")] as_of: Option<Date>,
    ) -> Result<Option<OrganisationObject>> {
        let mut links = self.parent_links(ctx)?;
        let date = as_of.map_or_else(today, |date| date.0);
        if let Some(index) = links
            .iter()
            .position(|(_, validity)| validity.holds_on(date))
        {
            return Ok(Some(OrganisationObject::new(links.swap_remove(index).0)));
        }
        if as_of.is_some() {
            return Ok(None);
        }
        links.sort_by_key(|(_, validity)| validity.to.unwrap_or(NaiveDate::MAX));
        Ok(links
            .pop()
            .map(|(organisation, _)| OrganisationObject::new(organisation)))
    }

    /// Every parent the organisation has had, with the dates of each link (a trust that moved ICB has two).
    async fn parent_history(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationLink>> {
        Ok(self
            .parent_links(ctx)?
            .into_iter()
            .map(|(organisation, validity)| link(organisation, validity))
            .collect())
    }

    /// Organisations directly under this one on `asOf` (default today): a region's ICBs, an ICB's trusts.
    /// Only children open on that date, whose link held on that date, are listed.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a GraphQL argument"
    )]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only children of this kind.")] kind: Option<OrganisationKind>,
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
        let date = as_of.map_or_else(today, |date| date.0);
        let children = children_on(ctx, &self.0, kind.map(Into::into), date)?;
        paginate(
            children,
            |child| child.0.code.to_string(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Organisations this one succeeded (e.g. the ICBs a 2026 ICB replaced).
    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        read(ctx, &self.0.predecessors)
    }

    /// Organisations that succeeded this one.
    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        pointing_at(ctx, &*self.0, Relation::Predecessor)
    }

    /// The executive and board posts at this organisation.
    async fn posts(&self, ctx: &Context<'_>) -> Result<Vec<PostObject>> {
        pointing_at(ctx, &*self.0, Relation::PostOrganisation)
    }

    /// Programmes this organisation provides.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        self.programmes_by(ctx, Relation::ProgrammeProvider)
    }

    /// Programmes this organisation accredits.
    async fn accredited_programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        self.programmes_by(ctx, Relation::ProgrammeAccreditedBy)
    }

    /// Programmes this organisation helped develop.
    async fn partner_programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        self.programmes_by(ctx, Relation::ProgrammePartner)
    }

    /// Courses this organisation offers (only those offered today, unless `status` asks).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn courses(
        &self,
        ctx: &Context<'_>,
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
        self.courses_by(
            ctx,
            Relation::CourseProvider,
            status,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Courses this organisation accredits (only those offered today, unless `status` asks).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn accredited_courses(
        &self,
        ctx: &Context<'_>,
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
        self.courses_by(
            ctx,
            Relation::CourseAccreditedBy,
            status,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Qualifications this organisation awards.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        pointing_at(ctx, &*self.0, Relation::QualificationAwardedBy)
    }

    /// Topics (challenges, career facts...) about this organisation.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<TopicObject>> {
        about(ctx, &*self.0)
    }

    /// Figures about this organisation, each with its unit, date and source.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<FigureObject>> {
        about(ctx, &*self.0)
    }

    /// Career stories of people working at this organisation.
    async fn career_stories(&self, ctx: &Context<'_>) -> Result<Vec<CareerStoryObject>> {
        about(ctx, &*self.0)
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Organisation> {
        RecordFields(self)
    }
}

impl OrganisationObject {
    fn parent_links(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<(Arc<domain::Organisation>, Validity)>> {
        graph(ctx).linked_dated(&self.0.reference(), Relation::Parent, Direction::Outgoing)
    }

    fn programmes_by(&self, ctx: &Context<'_>, relation: Relation) -> Result<Vec<ProgrammeObject>> {
        pointing_at(ctx, &*self.0, relation)
    }

    fn courses_by(
        &self,
        ctx: &Context<'_>,
        relation: Relation,
        status: CourseStatusFilter,
        page: PageArgs,
    ) -> Result<Page<CourseObject>> {
        let courses = graph(ctx).linked(&self.0.reference(), relation, Direction::Incoming)?;
        let today = today();
        let courses = courses
            .into_iter()
            .filter(|course| status.admits(course, today))
            .map(CourseObject::new)
            .collect();
        paginate(courses, |course| course.0.code.to_string(), page)
    }
}

/// Children of `parent` open on `date` whose link held on `date`, ordered by code.
pub(crate) fn children_on(
    ctx: &Context<'_>,
    parent: &domain::Organisation,
    kind: Option<domain::OrganisationKind>,
    date: NaiveDate,
) -> Result<Vec<OrganisationObject>> {
    let children = graph(ctx).linked_dated::<domain::Organisation>(
        &parent.reference(),
        Relation::Parent,
        Direction::Incoming,
    )?;
    Ok(children
        .into_iter()
        .filter(|(child, validity)| {
            validity.holds_on(date)
                && child.is_open_on(date)
                && kind.is_none_or(|kind| child.kind == kind)
        })
        .map(|(child, _)| OrganisationObject::new(child))
        .collect())
}

fn link(organisation: Arc<domain::Organisation>, validity: Validity) -> OrganisationLink {
    OrganisationLink {
        organisation: OrganisationObject::new(organisation),
        from: validity.from.map(Date),
        to: validity.to.map(Date),
    }
}
