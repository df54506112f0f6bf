//! `Programme`, `Course` and `Qualification`: what leaders and managers study.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};

use super::{
    about, pointing_at, read, read_optional, read_required, CourseLevel, FigureObject,
    OrganisationObject, RecordFields, RecordId, RecordObject, RoleObject, TopicObject,
};
use crate::domain::{self, Relation};
use crate::graphql::data::graph;
use crate::graphql::scalars::{today, Date, DateTime};

/// A leadership or management development programme, scheme or award, such as the NHS
/// Leadership Academy's Mary Seacole Programme or the NHS Graduate Management Training Scheme.
pub(crate) type ProgrammeObject = RecordObject<domain::Programme>;

/// A leadership or management development programme, scheme or award, such as the NHS
/// Leadership Academy's Mary Seacole Programme or the NHS Graduate Management Training Scheme.
#[Object(name = "Programme")]
impl ProgrammeObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Programme> {
        RecordId(self)
    }

    /// Readable stable code (a slug such as `mary-seacole`).
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The programme's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// Other names and abbreviations (e.g. GMTS).
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// The organisation that provides it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<OrganisationObject> {
        read_required(ctx, &*self.0, "provider", &self.0.provider)
    }

    /// Organisations it was developed with.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        read(ctx, &self.0.partners)
    }

    /// Who it is for, in the source's words.
    async fn audience(&self) -> Option<&str> {
        self.0.audience.as_deref()
    }

    /// The career stage it is aimed at.
    async fn level(&self) -> Option<&str> {
        self.0.level.as_deref()
    }

    /// How long it lasts, as the source says (e.g. "six months").
    async fn duration(&self) -> Option<&str> {
        self.0.duration.as_deref()
    }

    /// How long it lasts in months, where the source gives a length.
    async fn duration_months(&self) -> Option<u32> {
        self.0.duration_months
    }

    /// How it is delivered (online hours, workshops, action learning sets, coaching...).
    async fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }

    /// The bodies that accredit it (e.g. CMI).
    async fn accredited_by(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        read(ctx, &self.0.accredited_by)
    }

    /// What it leads to: a qualification or award, in the source's words.
    async fn leads_to(&self) -> Option<&str> {
        self.0.leads_to.as_deref()
    }

    /// Qualifications it leads to.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        read(ctx, &self.0.qualifications)
    }

    /// The roles or career stages it prepares for.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleObject>> {
        read(ctx, &self.0.roles)
    }

    /// The scheme this is a specialism of (e.g. the Graduate Management Training Scheme).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeObject>> {
        read_optional(ctx, self.0.parent.as_ref())
    }

    /// Its specialisms, for a scheme that has them.
    async fn specialisms(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        pointing_at(ctx, &*self.0, Relation::ProgrammeParent)
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences stating the programme's key facts, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    /// Figures about this programme (durations, hours, outcomes), each with its source.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<FigureObject>> {
        about(ctx, &*self.0)
    }

    /// Topics about this programme.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<TopicObject>> {
        about(ctx, &*self.0)
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Programme> {
        RecordFields(self)
    }
}

/// A course offered by a university or other provider, with its accreditations.
pub(crate) type CourseObject = RecordObject<domain::Course>;

/// A course offered by a university or other provider, with its accreditations.
#[Object(name = "Course")]
impl CourseObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Course> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The course's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The course's title (the same as `title`, for the `Record` interface).
    pub(crate) async fn name(&self) -> String {
        self.0.title.clone()
    }

    /// The university or body that offers it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<OrganisationObject> {
        read_required(ctx, &*self.0, "provider", &self.0.provider)
    }

    /// Level of study.
    async fn level(&self) -> CourseLevel {
        self.0.level.into()
    }

    /// Subject area (e.g. physiotherapy).
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The bodies that accredit it, CMI first where it is one: those recorded from a source
    /// and those the provider claims (see `accreditations` to tell them apart).
    async fn accredited_by(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        let codes: Vec<_> = self.0.all_accreditations().cloned().collect();
        let mut bodies: Vec<_> = graph(ctx)
            .many(&codes)?
            .into_iter()
            .map(OrganisationObject::new)
            .collect();
        bodies.sort_by_key(|body| body.0.code.as_str() != "CMI");
        Ok(bodies)
    }

    /// Each accreditation with its basis: recorded from a source, or claimed by the provider.
    async fn accreditations(&self, ctx: &Context<'_>) -> Result<Vec<Accreditation>> {
        let graph = graph(ctx);
        let mut accreditations = Vec::new();
        for (codes, basis) in [
            (
                &self.0.accredited_by,
                AccreditationBasis::RecordedFromSource,
            ),
            (
                &self.0.claimed_accreditations,
                AccreditationBasis::ClaimedByProvider,
            ),
        ] {
            for body in graph.many::<domain::Organisation>(codes)? {
                accreditations.push(Accreditation {
                    body: OrganisationObject::new(body),
                    basis,
                });
            }
        }
        Ok(accreditations)
    }

    /// Whether it is offered or retired on a day: retired from its `retiredOn` day on
    /// (a retirement on a later day is scheduled, and the course is offered until then).
    async fn status(
        &self,
        #[graphql(desc = "The day to answer for; default today.")] as_of: Option<Date>,
    ) -> CourseStatus {
        CourseStatus::of(&self.0, as_of.map_or_else(today, |day| day.0))
    }

    /// The first day it is no longer offered (retired, or a retirement scheduled); null
    /// while no retirement is set.
    async fn retired_on(&self) -> Option<Date> {
        self.0.retired_on.map(Date)
    }

    /// Where the record comes from: a source document (possibly since changed by its
    /// provider), or only its provider's own publication through the partner API.
    async fn origin(&self) -> RecordOrigin {
        if self.0.is_recorded_from_source() {
            RecordOrigin::Source
        } else {
            RecordOrigin::Partner
        }
    }

    /// When its provider last changed it through the API; null for courses from the seed.
    async fn updated_at(&self) -> Option<DateTime> {
        self.0.updated_at.map(DateTime)
    }

    /// The partner organisation that publishes it through the API; null for courses from the seed.
    async fn publisher(&self, ctx: &Context<'_>) -> Result<Option<OrganisationObject>> {
        read_optional(ctx, self.0.publisher.as_ref())
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences stating the course's key facts, quotable as an answer; what its
    /// provider states through the partner API is said to be according to it. A retired
    /// course's summary says when it stopped being offered.
    pub(crate) async fn summary(&self, ctx: &Context<'_>) -> Result<String> {
        let Some(retired_on) = self.0.retired_on.filter(|&day| day <= today()) else {
            return Ok(self.0.summary.clone());
        };
        let provider = graph(ctx).get::<domain::Organisation>(&self.0.provider)?;
        let provider = provider.map_or_else(|| self.0.provider.to_string(), |p| p.name.clone());
        Ok(format!(
            "{} was offered by {provider} until {retired_on}, when it was retired; it is no longer offered.",
            self.0.title
        ))
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Course> {
        RecordFields(self)
    }
}

/// Whether a course is still offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub(crate) enum CourseStatus {
    /// Offered.
    Offered,
    /// Retired by its provider; kept, with the day it was retired.
    Retired,
}

impl CourseStatus {
    pub(crate) fn of(course: &domain::Course, day: chrono::NaiveDate) -> Self {
        if course.is_retired_on(day) {
            Self::Retired
        } else {
            Self::Offered
        }
    }
}

/// Which courses a list gives, by their status today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
pub(crate) enum CourseStatusFilter {
    /// Only courses offered today (the default): retired ones are left out.
    #[default]
    Offered,
    /// Only retired courses.
    Retired,
    /// Every course, offered or retired.
    Any,
}

impl CourseStatusFilter {
    /// Whether `course` belongs in a list filtered by this status, on `day`.
    pub(crate) fn admits(self, course: &domain::Course, day: chrono::NaiveDate) -> bool {
        match self {
            Self::Offered => !course.is_retired_on(day),
            Self::Retired => course.is_retired_on(day),
            Self::Any => true,
        }
    }
}

/// Where a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub(crate) enum RecordOrigin {
    /// Recorded from a source document (it may since have been changed by its provider,
    /// whose changes are labelled as its own).
    Source,
    /// Published only by its provider through the partner API: the provider's own claims.
    Partner,
}

/// On what basis an accreditation is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub(crate) enum AccreditationBasis {
    /// Recorded from a source document.
    RecordedFromSource,
    /// Claimed by the course's provider when publishing it; not checked against a source.
    ClaimedByProvider,
}

/// A body accrediting a course, and on what basis.
#[derive(SimpleObject)]
pub(crate) struct Accreditation {
    /// The accrediting body.
    body: OrganisationObject,
    /// Recorded from a source, or claimed by the provider.
    basis: AccreditationBasis,
}

/// A professional qualification or award, and the bodies that award it.
pub(crate) type QualificationObject = RecordObject<domain::Qualification>;

/// A professional qualification or award, and the bodies that award it.
#[Object(name = "Qualification")]
impl QualificationObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Qualification> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The qualification's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// Other names and abbreviations.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// The bodies that award it.
    async fn awarded_by(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        read(ctx, &self.0.awarded_by)
    }

    /// The roles people study it for.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleObject>> {
        read(ctx, &self.0.roles)
    }

    /// Programmes that lead to it.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        pointing_at(ctx, &*self.0, Relation::ProgrammeQualification)
    }

    /// Its level, where the source gives one.
    async fn level(&self) -> Option<&str> {
        self.0.level.as_deref()
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences stating the qualification's key facts, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Qualification> {
        RecordFields(self)
    }
}
