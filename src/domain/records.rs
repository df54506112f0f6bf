//! The record kinds of the graph. Each record lists the sources it comes from, and knows
//! its outgoing references, so the store can index every relationship in both directions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Citation, Code, Qualifier, RecordRef, Relation, Staleness, Validity};

/// The kinds of record in the graph, declared once: each line names the kind (a
/// `RecordKind` variant, and its type name as clients see it, `PayBand`) and its name in
/// `kind:code` references as the seed files write them (`pay-band`).
macro_rules! record_kinds {
    ($($kind:ident => $reference_name:literal,)*) => {
        /// The kinds of record in the graph.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum RecordKind {
            $($kind,)*
        }

        impl RecordKind {
            pub const ALL: [RecordKind; [$(RecordKind::$kind),*].len()] = [$(RecordKind::$kind),*];

            /// The kind's name in `kind:code` references, as written in the seed files.
            pub fn reference_name(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => $reference_name,)*
                }
            }

            /// The kind's type name, as clients see it (`PayBand`).
            pub fn type_name(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => stringify!($kind),)*
                }
            }
        }
    };
}

record_kinds! {
    Organisation => "organisation",
    Role => "role",
    Post => "post",
    Programme => "programme",
    Course => "course",
    Qualification => "qualification",
    PayBand => "pay-band",
    Topic => "topic",
    CareerStory => "career-story",
    Figure => "figure",
    Source => "source",
}

/// What every record kind has in common.
pub trait Record {
    const KIND: RecordKind;

    fn code(&self) -> &Code;

    /// The name users know the record by.
    fn name(&self) -> &str;

    /// Ids of the sources the record comes from.
    fn sources(&self) -> &[Code];

    /// The words of its sources the record rests on.
    fn citations(&self) -> &[Citation];

    /// What, beyond its sources' dates, can make its facts stale.
    fn staleness(&self) -> Staleness {
        Staleness::default()
    }

    /// The record's outgoing relationships other than to its sources, undated.
    fn references(&self) -> Vec<(Relation, RecordRef)>;

    fn reference(&self) -> RecordRef {
        RecordRef::new(Self::KIND, self.code().clone())
    }
}

/// Implements [`Record`] for a record type with `code`, `sources` and `citations` fields
/// (its kind is the `RecordKind` of the same name), naming the field its `name` is, and
/// taking the methods that differ by kind (`references`, maybe `staleness`) as written.
macro_rules! record {
    ($type:ident, $name:ident, { $($methods:tt)* }) => {
        impl Record for $type {
            const KIND: RecordKind = RecordKind::$type;

            fn code(&self) -> &Code {
                &self.code
            }

            fn name(&self) -> &str {
                &self.$name
            }

            fn sources(&self) -> &[Code] {
                &self.sources
            }

            fn citations(&self) -> &[Citation] {
                &self.citations
            }

            $($methods)*
        }
    };
}

/// What kind of organisation this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrganisationKind {
    NhsEngland,
    Region,
    Icb,
    Trust,
    ClinicalCommissioningGroup,
    University,
    ProfessionalBody,
    LeadershipAcademy,
    Government,
    Regulator,
    Company,
    Other,
}

/// The service type of an NHS trust, recorded only where a source states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrustType {
    Acute,
    MentalHealth,
    Community,
    Ambulance,
    Specialist,
}

/// An organisation: NHS England, a region, an ICB, a trust, a university, a professional body...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// ODS code for NHS bodies (`Y56`, `QWE`, `RJ1`), a short stable code for others (`CMI`).
    pub code: Code,
    pub name: String,
    /// The name exactly as the registry publishes it, where one does.
    pub registered_name: Option<String>,
    pub kind: OrganisationKind,
    /// For trusts: whether it is an NHS foundation trust, as its registered name tells.
    pub foundation_trust: Option<bool>,
    pub trust_type: Option<TrustType>,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub summary: String,
    pub opened: Option<NaiveDate>,
    /// The last day it was open.
    pub closed: Option<NaiveDate>,
    pub postcode: Option<String>,
    /// ONS (GSS) code, for regions and ICBs.
    pub gss_code: Option<String>,
    pub website: Option<String>,
    /// Organisations it succeeded.
    pub predecessors: Vec<Code>,
    /// It no longer exists in the form the source describes (a CCG, a PCT).
    pub historical: bool,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

impl Organisation {
    /// An organisation known only by its code, name and kind: no dates, links, sources or
    /// quotes yet (what an operator adds, before its source is cited).
    pub fn new(code: Code, name: String, kind: OrganisationKind) -> Self {
        Self {
            code,
            name,
            registered_name: None,
            kind,
            citations: Vec::new(),
            historical: false,
            foundation_trust: None,
            trust_type: None,
            aliases: Vec::new(),
            description: None,
            summary: String::new(),
            opened: None,
            closed: None,
            postcode: None,
            gss_code: None,
            website: None,
            predecessors: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Whether the organisation was open on `date` (opening and closing days included).
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        Validity {
            from: self.opened,
            to: self.closed,
        }
        .holds_on(date)
    }
}

record!(Organisation, name, {
    fn staleness(&self) -> Staleness {
        Staleness {
            closed: self.closed,
            historical: self.historical,
            ..Staleness::default()
        }
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        refs(
            Relation::Predecessor,
            RecordKind::Organisation,
            &self.predecessors,
        )
    }
});

/// How a role sits in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleCategory {
    Executive,
    NonExecutive,
    SystemLeadership,
    Management,
    ClinicalLeadership,
    Supervisory,
    Trainee,
}

/// An executive, board or management role, independent of any organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub code: Code,
    pub name: String,
    pub category: RoleCategory,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub summary: String,
    /// What people in the role do, as the sources list it.
    pub activities: Vec<String>,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Role, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        Vec::new()
    }
});

/// Who holds a post, as a source states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    /// The date the source says this was so.
    pub as_of: Option<NaiveDate>,
}

/// The post of a role at one organisation, e.g. the chief executive of RJ1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// `ORGANISATION/role`.
    pub code: Code,
    pub name: String,
    pub organisation: Code,
    pub role: Code,
    pub holder: Option<Holder>,
    /// Made from a `[[board]]` template (a typical board post), not stated for this
    /// organisation by a source.
    pub from_template: bool,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Post, name, {
    fn staleness(&self) -> Staleness {
        Staleness {
            holder: self.holder.as_ref().map(|holder| holder.as_of),
            ..Staleness::default()
        }
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        vec![
            (Relation::PostOrganisation, organisation(&self.organisation)),
            (
                Relation::PostRole,
                RecordRef::new(RecordKind::Role, self.role.clone()),
            ),
        ]
    }
});

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
                .any(|source| source != &super::partner_source_code(&self.provider))
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

/// An Agenda for Change pay band with the example roles a source places in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayBand {
    pub code: Code,
    pub name: String,
    pub band: String,
    pub example_roles: Vec<String>,
    pub roles: Vec<Code>,
    pub description: Option<String>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(PayBand, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        refs(Relation::PayBandRole, RecordKind::Role, &self.roles)
    }
});

/// What a topic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopicCategory {
    Challenge,
    LeadershipBehaviour,
    LeadershipQuality,
    LeadershipModel,
    LeadershipApproach,
    SuccessionPlanning,
    ClinicalLeadership,
    CareerPathway,
    EntryRoute,
    Benefit,
    WorkingConditions,
    Accreditation,
    Structure,
    Other,
}

/// A piece of leadership or career knowledge: a challenge, a behaviour, an entry route...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub code: Code,
    pub category: TopicCategory,
    pub name: String,
    pub aliases: Vec<String>,
    pub text: String,
    /// The list items the source gives (implications, steps, behaviours).
    pub points: Vec<String>,
    pub related: Vec<RecordRef>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Topic, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        self.related
            .iter()
            .map(|to| (Relation::About, to.clone()))
            .collect()
    }
});

/// A real person's career story, as a source tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CareerStory {
    pub code: Code,
    pub person: String,
    pub job_title: String,
    pub employer: String,
    pub organisation: Option<Code>,
    pub entry_route: Option<Code>,
    pub role: Option<Code>,
    pub text: String,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(CareerStory, person, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        let mut references = refs(
            Relation::About,
            RecordKind::Organisation,
            &self.organisation,
        );
        references.extend(refs(Relation::About, RecordKind::Topic, &self.entry_route));
        references.extend(refs(Relation::About, RecordKind::Role, &self.role));
        references
    }
});

/// A quantitative statement with its unit, scope, date and source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub code: Code,
    pub statement: String,
    /// The number the source states (the low end of a range).
    pub value: f64,
    /// The high end, where the source states a range.
    pub value_max: Option<f64>,
    /// The hedge the source puts on the number ("nearly", "more than").
    pub qualifier: Option<Qualifier>,
    pub unit: String,
    pub scope: String,
    /// The date the figure is stated for, where the source gives one.
    pub as_of: Option<NaiveDate>,
    pub about: Vec<RecordRef>,
    /// The statement with its number, hedge and unit, attributed to its source and date.
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Figure, statement, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        self.about
            .iter()
            .map(|to| (Relation::About, to.clone()))
            .collect()
    }
});

/// What kind of document a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    WebPage,
    Article,
    Booklet,
    Dataset,
    /// Information a partner organisation published itself through the API.
    PartnerSubmission,
    /// An entry the server's operator made (a partner organisation added on a running
    /// server); no document lies behind it.
    Operator,
}

/// A document facts come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub code: Code,
    pub title: String,
    pub publisher: String,
    pub author: Option<String>,
    pub published: Option<NaiveDate>,
    /// The date its facts are current at, where that differs from `published`.
    pub as_of: Option<NaiveDate>,
    pub kind: SourceKind,
    pub document: String,
    pub url: Option<String>,
    pub licence: Option<String>,
    pub description: Option<String>,
    /// For a document that carries no date: its date in words, estimated from internal
    /// evidence (e.g. "circa 2013–14"); `as_of` then holds the estimated date.
    pub dated: Option<String>,
    /// How `dated` was estimated.
    pub evidence: Option<String>,
}

impl Source {
    /// The date to show with its facts: the estimate in words, else the effective date.
    pub fn date_label(&self) -> Option<String> {
        self.dated
            .clone()
            .or_else(|| self.effective_date().map(|date| date.to_string()))
    }

    /// The date a client should read this source's facts as current at.
    pub fn effective_date(&self) -> Option<NaiveDate> {
        self.as_of.or(self.published)
    }
}

impl Record for Source {
    const KIND: RecordKind = RecordKind::Source;

    fn code(&self) -> &Code {
        &self.code
    }

    fn name(&self) -> &str {
        &self.title
    }

    fn sources(&self) -> &[Code] {
        std::slice::from_ref(&self.code)
    }

    /// A source is its own evidence.
    fn citations(&self) -> &[Citation] {
        &[]
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        Vec::new()
    }
}

fn organisation(code: &Code) -> RecordRef {
    RecordRef::new(RecordKind::Organisation, code.clone())
}

fn refs<'a>(
    relation: Relation,
    kind: RecordKind,
    codes: impl IntoIterator<Item = &'a Code>,
) -> Vec<(Relation, RecordRef)> {
    codes
        .into_iter()
        .map(|code| (relation, RecordRef::new(kind, code.clone())))
        .collect()
}
