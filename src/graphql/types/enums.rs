//! GraphQL enums mirroring the domain's, which carry no GraphQL derives of their own.

use async_graphql::Enum;

use crate::domain;

/// What kind of organisation this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::OrganisationKind")]
pub(crate) enum OrganisationKind {
    /// NHS England, the national body leading the NHS in England (ODS code X24).
    NhsEngland,
    /// One of NHS England's seven regions.
    Region,
    /// An integrated care board, the statutory NHS body of an integrated care system (ICS).
    Icb,
    /// An NHS trust or NHS foundation trust.
    Trust,
    /// A clinical commissioning group: the commissioning body that ICBs replaced in 2022.
    ClinicalCommissioningGroup,
    /// A university.
    University,
    /// A professional, chartered or awarding body (CMI, IHM, ILM, CIPD, CIPFA...).
    ProfessionalBody,
    /// The NHS Leadership Academy.
    LeadershipAcademy,
    /// A government department or body.
    Government,
    /// A regulator.
    Regulator,
    /// A company.
    Company,
    /// Any other organisation.
    Other,
}

/// The hedge a source puts on a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::Qualifier")]
pub(crate) enum FigureQualifier {
    /// "nearly"
    Nearly,
    /// "almost"
    Almost,
    /// "about"
    About,
    /// "around"
    Around,
    /// "more than"
    MoreThan,
    /// "over"
    Over,
    /// "up to"
    UpTo,
    /// "at least"
    AtLeast,
    /// "less than"
    LessThan,
}

/// The service type of an NHS trust. Recorded only where a source states it, never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::TrustType")]
pub(crate) enum TrustType {
    /// Acute hospital services.
    Acute,
    /// Mental health services.
    MentalHealth,
    /// Community health services.
    Community,
    /// Ambulance services.
    Ambulance,
    /// Specialist services.
    Specialist,
}

/// How a role sits in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::RoleCategory")]
pub(crate) enum RoleCategory {
    /// An executive director or executive team member.
    Executive,
    /// A non-executive board member, including the chair.
    NonExecutive,
    /// A leadership role across an integrated care system.
    SystemLeadership,
    /// A management role (finance, HR, estates, operations...).
    Management,
    /// A clinical leadership role.
    ClinicalLeadership,
    /// A supervisory or first-line management role.
    Supervisory,
    /// A trainee role, such as a graduate management trainee.
    Trainee,
}

/// The level of study of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::CourseLevel")]
pub(crate) enum CourseLevel {
    /// An undergraduate course.
    Undergraduate,
    /// A postgraduate course.
    Postgraduate,
    /// A professional qualification course.
    Professional,
    /// A short course.
    ShortCourse,
}

/// What a topic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::TopicCategory")]
pub(crate) enum TopicCategory {
    /// A challenge NHS leaders face, with its implications.
    Challenge,
    /// A leadership behaviour (e.g. of compassionate leadership).
    LeadershipBehaviour,
    /// A quality or skill of effective leaders.
    LeadershipQuality,
    /// A leadership model or framework, such as the Healthcare Leadership Model.
    LeadershipModel,
    /// An approach to leadership (distributed, system, collective...).
    LeadershipApproach,
    /// Succession planning.
    SuccessionPlanning,
    /// Clinical leadership and its development.
    ClinicalLeadership,
    /// A career pathway.
    CareerPathway,
    /// A route into a management career.
    EntryRoute,
    /// A benefit of working in the NHS.
    Benefit,
    /// Working conditions (hours, holidays...).
    WorkingConditions,
    /// Accreditation and what it gives.
    Accreditation,
    /// How the NHS is structured.
    Structure,
    /// Anything else.
    Other,
}

/// What kind of document a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::SourceKind")]
pub(crate) enum SourceKind {
    /// A web page.
    WebPage,
    /// An article.
    Article,
    /// A booklet.
    Booklet,
    /// A dataset, such as the NHS England organisation registry.
    Dataset,
    /// Information a partner organisation published itself through the API.
    PartnerSubmission,
    /// An entry the server's operator made (a partner organisation added on a running
    /// server); no document lies behind it.
    Operator,
}
