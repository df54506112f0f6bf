//! What leaders and managers study: programmes, courses and qualifications.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{organisation, record, refs, Record, RecordKind};
use crate::domain::{Citation, Code, RecordRef, Relation};

/// A leadership or management development programme, scheme or award.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub code: Code,
    pub name: String,
    pub provider: Code,
    pub partners: Vec<Code>,
    /// The scheme this is a specialism of.
    pub parent: Option<Code>,
    pub aliases: Vec<String>,
    pub audience: Option<String>,
    pub level: Option<String>,
    pub duration: Option<String>,
    pub duration_months: Option<u32>,
    pub format: Option<String>,
    pub accredited_by: Vec<Code>,
    pub leads_to: Option<String>,
    pub qualifications: Vec<Code>,
    pub roles: Vec<Code>,
    pub description: Option<String>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Programme, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        let mut references = vec![(Relation::ProgrammeProvider, organisation(&self.provider))];
        references.extend(refs(
            Relation::ProgrammePartner,
            RecordKind::Organisation,
            &self.partners,
        ));
        references.extend(refs(
            Relation::ProgrammeParent,
            RecordKind::Programme,
            &self.parent,
        ));
        references.extend(refs(
            Relation::ProgrammeAccreditedBy,
            RecordKind::Organisation,
            &self.accredited_by,
        ));
        references.extend(refs(
            Relation::ProgrammeQualification,
            RecordKind::Qualification,
            &self.qualifications,
        ));
        references.extend(refs(Relation::ProgrammeRole, RecordKind::Role, &self.roles));
        references
    }
});

/// The level of study of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CourseLevel {
    Undergraduate,
    Postgraduate,
    Professional,
    ShortCourse,
}

/// A course offered by a university or other provider.
///
/// Seeded courses come from a source document; partner universities publish and maintain
/// their own through the API (`publisher` is then the university). Nothing is hard-deleted:
/// a retired course keeps its record, with the day it was retired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub code: Code,
    pub title: String,
    pub provider: Code,
    pub level: CourseLevel,
    pub subject: String,
    /// Accreditation recorded from a source document.
    pub accredited_by: Vec<Code>,
    /// Accreditation the provider claims when publishing the course itself, not checked
    /// against a source; clients can tell the two apart.
    pub claimed_accreditations: Vec<Code>,
    pub description: Option<String>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
    /// The partner organisation that publishes this course through the API; `None` for
    /// courses from the seed.
    pub publisher: Option<Code>,
    /// When a partner last changed it.
    pub updated_at: Option<DateTime<Utc>>,
    /// The day it was retired; `None` while it is offered.
    pub retired_on: Option<NaiveDate>,
}

impl Course {
    /// Every body accrediting it, recorded or claimed, recorded first.
    pub fn all_accreditations(&self) -> impl Iterator<Item = &Code> {
        self.accredited_by
            .iter()
            .chain(&self.claimed_accreditations)
    }

    /// Whether it is retired on `day`: its retirement day has come (a retirement on a later
    /// day is only scheduled, and the course is still offered until then).
    pub fn is_retired_on(&self, day: NaiveDate) -> bool {
        self.retired_on.is_some_and(|retired_on| retired_on <= day)
    }

    /// Whether it comes from a source document, rather than only from its provider's own
    /// publication through the partner API.
    pub fn is_recorded_from_source(&self) -> bool {
        self.publisher.is_none()
            || self
                .sources
                .iter()
                .any(|source| source != &crate::domain::partner_source_code(&self.provider))
    }
}

record!(Course, title, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        let mut references = vec![(Relation::CourseProvider, organisation(&self.provider))];
        references.extend(refs(
            Relation::CourseAccreditedBy,
            RecordKind::Organisation,
            self.all_accreditations(),
        ));
        references
    }
});

/// A professional qualification or award, and the bodies that award it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    pub code: Code,
    pub name: String,
    pub aliases: Vec<String>,
    pub awarded_by: Vec<Code>,
    pub roles: Vec<Code>,
    pub level: Option<String>,
    pub description: Option<String>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Qualification, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        let mut references = refs(
            Relation::QualificationAwardedBy,
            RecordKind::Organisation,
            &self.awarded_by,
        );
        references.extend(refs(
            Relation::QualificationRole,
            RecordKind::Role,
            &self.roles,
        ));
        references
    }
});
