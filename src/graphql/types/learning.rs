//! `Programme`, `Course` and `Qualification`: what leaders and managers study.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};

use super::{
    about, citations, currency, sources, CitationObject, CourseLevel, FigureObject,
    OrganisationObject, RoleObject, SourceObject, TopicObject,
};
use crate::domain::{self, Record as _, RecordKind, Relation};
use crate::graphql::data::graph;
use crate::graphql::errors::internal;
use crate::graphql::ids::global_id;
use crate::graphql::scalars::{today, Date, DateTime};
use crate::store::Direction;

/// A leadership or management development programme, scheme or award, such as the NHS
/// Leadership Academy's Mary Seacole Programme or the NHS Graduate Management Training Scheme.
pub(crate) struct ProgrammeObject(pub(crate) Arc<domain::Programme>);

/// A leadership or management development programme, scheme or award, such as the NHS
/// Leadership Academy's Mary Seacole Programme or the NHS Graduate Management Training Scheme.
#[Object(name = "Programme")]
impl ProgrammeObject {
    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self) -> ID {
        global_id(RecordKind::Programme, &self.0.code)
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
        let provider = graph(ctx).get::<domain::Organisation>(&self.0.provider)?;
        provider.map(OrganisationObject).ok_or_else(|| {
            internal(format!(
                "programme {} has no provider {}",
                self.0.code, self.0.provider
            ))
        })
    }

    /// Organisations it was developed with.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationObject>> {
        Ok(graph(ctx)
            .many(&self.0.partners)?
            .into_iter()
            .map(OrganisationObject)
            .collect())
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
        Ok(graph(ctx)
            .many(&self.0.accredited_by)?
            .into_iter()
            .map(OrganisationObject)
            .collect())
    }

    /// What it leads to: a qualification or award, in the source's words.
    async fn leads_to(&self) -> Option<&str> {
        self.0.leads_to.as_deref()
    }

    /// Qualifications it leads to.
    async fn qualifications(&self, ctx: &Context<'_>) -> Result<Vec<QualificationObject>> {
        Ok(graph(ctx)
            .many(&self.0.qualifications)?
            .into_iter()
            .map(QualificationObject)
            .collect())
    }

    /// The roles or career stages it prepares for.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleObject>> {
        Ok(graph(ctx)
            .many(&self.0.roles)?
            .into_iter()
            .map(RoleObject)
            .collect())
    }

    /// The scheme this is a specialism of (e.g. the Graduate Management Training Scheme).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeObject>> {
        Ok(graph(ctx)
            .many(self.0.parent.as_slice())?
            .pop()
            .map(ProgrammeObject))
    }

    /// Its specialisms, for a scheme that has them.
    async fn specialisms(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        let specialisms = graph(ctx).linked(
            &self.0.reference(),
            Relation::ProgrammeParent,
            Direction::Incoming,
        )?;
        Ok(specialisms.into_iter().map(ProgrammeObject).collect())
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
        Ok(about(ctx, self.0.reference())?
            .into_iter()
            .map(FigureObject)
            .collect())
    }

    /// Topics about this programme.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<TopicObject>> {
        Ok(about(ctx, self.0.reference())?
            .into_iter()
            .map(TopicObject)
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

/// A course offered by a university or other provider, with its accreditations.
pub(crate) struct CourseObject(pub(crate) Arc<domain::Course>);

/// A course offered by a university or other provider, with its accreditations.
#[Object(name = "Course")]
impl CourseObject {
    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self) -> ID {
        global_id(RecordKind::Course, &self.0.code)
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
        let provider = graph(ctx).get::<domain::Organisation>(&self.0.provider)?;
        provider.map(OrganisationObject).ok_or_else(|| {
            internal(format!(
                "course {} has no provider {}",
                self.0.code, self.0.provider
            ))
        })
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
            .map(OrganisationObject)
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
                    body: OrganisationObject(body),
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
        Ok(graph(ctx)
            .many(self.0.publisher.as_slice())?
            .pop()
            .map(OrganisationObject))
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
pub(crate) struct QualificationObject(pub(crate) Arc<domain::Qualification>);

/// A professional qualification or award, and the bodies that award it.
#[Object(name = "Qualification")]
impl QualificationObject {
    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self) -> ID {
        global_id(RecordKind::Qualification, &self.0.code)
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
        Ok(graph(ctx)
            .many(&self.0.awarded_by)?
            .into_iter()
            .map(OrganisationObject)
            .collect())
    }

    /// The roles people study it for.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleObject>> {
        Ok(graph(ctx)
            .many(&self.0.roles)?
            .into_iter()
            .map(RoleObject)
            .collect())
    }

    /// Programmes that lead to it.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeObject>> {
        let programmes = graph(ctx).linked(
            &self.0.reference(),
            Relation::ProgrammeQualification,
            Direction::Incoming,
        )?;
        Ok(programmes.into_iter().map(ProgrammeObject).collect())
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
