//! What text is indexed for each record kind: [`document`] maps any domain record to a
//! [`Document`], by default its name, summary and the quotes it cites ([`Document::new`]),
//! and, for the kinds with more worth finding them by, through the kind's own function below.
//! This is where relevance is mostly decided: text in `name` and `aliases` weighs most, then
//! `summary`, then `body`.

use std::any::Any;

use chrono::NaiveDate;

use crate::domain::{
    CareerStory, Code, Course, CourseLevel, Figure, Organisation, OrganisationKind, PayBand, Post,
    Programme, Qualification, Record, RecordRef, RecordType, Role, RoleCategory, Source, Topic,
    TopicCategory,
};

/// The document of any record as indexed on `today`, or `None` when it is not indexed then
/// (a retired course is no longer offered). A kind gets the default document unless it has
/// its own function here, listed below.
pub(crate) fn document<T: RecordType>(record: &T, today: NaiveDate) -> Option<Document> {
    let any: &dyn Any = record;
    if let Some(course) = any.downcast_ref::<Course>() {
        return (!course.is_retired_on(today)).then(|| self::course(course));
    }
    let own = own(any, organisation)
        .or_else(|| own(any, role))
        .or_else(|| own(any, post))
        .or_else(|| own(any, programme))
        .or_else(|| own(any, qualification))
        .or_else(|| own(any, pay_band))
        .or_else(|| own(any, topic))
        .or_else(|| own(any, career_story))
        .or_else(|| own(any, figure))
        .or_else(|| own(any, source));
    Some(own.unwrap_or_else(|| Document::new(record, &record.summary())))
}

/// The document `document` makes of `record`, when `record` is of its kind.
fn own<T: 'static>(record: &dyn Any, document: fn(&T) -> Document) -> Option<Document> {
    record.downcast_ref::<T>().map(document)
}

/// The searchable text of one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub(crate) reference: RecordRef,
    /// The name users know the record by.
    pub(crate) name: String,
    /// Other names: abbreviations (CMI, GMTS, AfC, ICB...), short names, registered names.
    pub(crate) aliases: Vec<String>,
    /// The record's quotable summary, as its GraphQL `summary` field gives it: what a hit
    /// shows.
    pub(crate) summary: String,
    /// The summary's text as indexed, where it differs: a figure's statement without the
    /// "according to <source title>" every figure shares, which would match any question
    /// using a word of a title.
    pub(crate) indexed_summary: Option<String>,
    /// Who and what situation it is for, in the record's words (a programme's audience and
    /// level): what people describe when they do not name the record.
    pub(crate) situations: Vec<String>,
    /// Everything else worth finding it by, including the quotes it cites.
    pub(crate) body: Vec<String>,
    /// For an organisation: the last day it was open, and whether it is historical. Closed
    /// and historical organisations rank below current ones.
    pub(crate) closed: Option<NaiveDate>,
    pub(crate) historical: bool,
    /// The codes of the sources to cite.
    pub(crate) sources: Vec<Code>,
    /// For a course: the day it is retired, when it leaves the index.
    pub(crate) retired_on: Option<NaiveDate>,
}

impl Document {
    fn new<T: Record>(record: &T, summary: &str) -> Self {
        Self {
            reference: record.reference(),
            name: record.name().to_owned(),
            aliases: Vec::new(),
            summary: summary.to_owned(),
            indexed_summary: None,
            situations: Vec::new(),
            // The words of its sources are what a question often echoes.
            body: record
                .citations()
                .iter()
                .filter(|citation| citation.location.is_none())
                .map(|citation| citation.quote.clone())
                .collect(),
            closed: None,
            historical: false,
            sources: record.sources().to_vec(),
            retired_on: None,
        }
    }

    /// Whether it is current on `today`: not closed before it, not historical.
    pub(crate) fn is_current(&self, today: NaiveDate) -> bool {
        !self.historical && self.closed.is_none_or(|closed| closed >= today)
    }

    fn body(mut self, parts: impl IntoIterator<Item = Option<String>>) -> Self {
        self.body.extend(parts.into_iter().flatten());
        self
    }
}

pub(crate) fn organisation(o: &Organisation) -> Document {
    let mut document = Document::new(o, &o.summary);
    document.aliases = o.aliases.clone();
    document.aliases.extend(o.registered_name.clone());
    document.aliases.push(o.code.to_string());
    document.closed = o.closed;
    document.historical = o.historical;
    if o.historical {
        document
            .body
            .push("historical former no longer exists".to_owned());
    }
    document.body(vec![
        o.description.clone(),
        Some(organisation_kind(o.kind).to_owned()),
    ])
}

fn organisation_kind(kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::NhsEngland => "NHS England national body",
        OrganisationKind::Region => "NHS England region",
        OrganisationKind::Icb => "integrated care board ICB",
        OrganisationKind::Trust => "NHS trust",
        OrganisationKind::ClinicalCommissioningGroup => "clinical commissioning group CCG",
        OrganisationKind::University => "university",
        OrganisationKind::ProfessionalBody => "professional body",
        OrganisationKind::LeadershipAcademy => "leadership academy",
        OrganisationKind::Government => "government",
        OrganisationKind::Regulator => "regulator",
        OrganisationKind::Company => "company",
        OrganisationKind::Other => "organisation",
    }
}

fn role(r: &Role) -> Document {
    let mut document = Document::new(r, &r.summary);
    document.aliases = r.aliases.clone();
    let category = match r.category {
        RoleCategory::Executive => "executive board role",
        RoleCategory::NonExecutive => "non-executive board role",
        RoleCategory::SystemLeadership => "system leadership role",
        RoleCategory::Management => "management role",
        RoleCategory::ClinicalLeadership => "clinical leadership role",
        RoleCategory::Supervisory => "supervisory role",
        RoleCategory::Trainee => "trainee role",
    };
    document.situations = vec![category.to_owned()];
    document
        .body(vec![r.description.clone()])
        .body(r.activities.iter().cloned().map(Some))
}

/// Posts are ~2,300 near-identical records: only their name and holder are indexed, and
/// [`super::SearchIndex::search`] leaves them out unless asked for by kind.
fn post(p: &Post) -> Document {
    let mut document = Document::new(p, &p.summary);
    document
        .aliases
        .extend(p.holder.as_ref().map(|h| h.name.clone()));
    document
}

fn programme(p: &Programme) -> Document {
    let mut document = Document::new(p, &p.summary);
    document.aliases = p.aliases.clone();
    document.situations = [p.audience.clone(), p.level.clone()]
        .into_iter()
        .flatten()
        .collect();
    document.body(vec![
        p.duration.clone(),
        p.format.clone(),
        p.leads_to.clone(),
        p.description.clone(),
        (!p.accredited_by.is_empty()).then(|| {
            let bodies: Vec<&str> = p.accredited_by.iter().map(Code::as_str).collect();
            format!("accredited by {}", bodies.join(" "))
        }),
    ])
}

/// A course published only by its provider (no source records it) is the provider's claim:
/// its title is indexed as body text, not as a name, so that when relevance is close a
/// recorded record ranks above it (a course titled "Nye Bevan (Coventry)" does not outrank
/// the Nye Bevan Programme).
pub(crate) fn course(c: &Course) -> Document {
    let mut document = Document::new(c, &c.summary);
    document.retired_on = c.retired_on;
    if !c.is_recorded_from_source() {
        document.body.push(std::mem::take(&mut document.name));
    }
    let level = match c.level {
        CourseLevel::Undergraduate => "undergraduate",
        CourseLevel::Postgraduate => "postgraduate",
        CourseLevel::Professional => "professional",
        CourseLevel::ShortCourse => "short course",
    };
    document.body(vec![
        Some(c.subject.clone()),
        Some(format!("{level} course")),
        c.description.clone(),
    ])
}

fn qualification(q: &Qualification) -> Document {
    let mut document = Document::new(q, &q.summary);
    document.aliases = q.aliases.clone();
    document.body(vec![q.level.clone(), q.description.clone()])
}

fn pay_band(b: &PayBand) -> Document {
    let mut document = Document::new(b, &b.summary);
    document.aliases = vec![
        format!("band {}", b.band),
        format!("AfC band {}", b.band),
        "Agenda for Change pay band".to_owned(),
    ];
    document
        .body(vec![b.description.clone()])
        .body(b.example_roles.iter().cloned().map(Some))
}

fn topic(t: &Topic) -> Document {
    let mut document = Document::new(t, &t.summary);
    document.aliases = t.aliases.clone();
    let category = match t.category {
        TopicCategory::Challenge => "challenge",
        TopicCategory::EntryRoute => "entry route",
        TopicCategory::CareerPathway => "career pathway",
        _ => "",
    };
    document
        .body(vec![Some(t.text.clone()), Some(category.to_owned())])
        .body(t.points.iter().cloned().map(Some))
}

fn career_story(s: &CareerStory) -> Document {
    let mut document = Document::new(s, &s.summary);
    document.aliases = vec![s.job_title.clone(), s.employer.clone()];
    document.body(vec![Some("career story".to_owned()), Some(s.text.clone())])
}

/// A figure has no name but its statement; its summary adds the hedged number and source.
fn figure(f: &Figure) -> Document {
    let summary = if f.summary.is_empty() {
        &f.statement
    } else {
        &f.summary
    };
    let mut document = Document::new(f, summary);
    document.indexed_summary = Some(without_attribution(&f.statement).to_owned());
    // "How many trusts..." asks for the number of what the figure counts.
    document.aliases = vec![format!("number of {}", f.unit)];
    document.situations = vec![f.scope.clone()];
    document.body(vec![Some(f.unit.clone())])
}

/// A statement without a leading "According to <source> (<date>), ": the words every
/// figure of a source would share, which would match any question naming the source.
fn without_attribution(statement: &str) -> &str {
    if !statement.starts_with("According to ") {
        return statement;
    }
    let after = statement
        .find("), ")
        .map(|at| at + 3)
        .or_else(|| statement.find(", ").map(|at| at + 2));
    after.map_or(statement, |at| &statement[at..])
}

/// A source's summary is the one its GraphQL `summary` field gives: title, publisher, date.
pub(crate) fn source(s: &Source) -> Document {
    let mut document = Document::new(s, &s.summary());
    document.aliases = vec![s.publisher.clone()];
    document.aliases.extend(s.author.clone());
    document.body(vec![s.description.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Citation, Holder};

    #[test]
    fn a_figure_is_indexed_without_the_attribution_its_statement_starts_with() {
        assert_eq!(
            without_attribution("According to the guide (5 January 2026), managers are 2%."),
            "managers are 2%."
        );
        assert_eq!(without_attribution("Managers are 2%."), "Managers are 2%.");
    }

    fn course(retired_on: Option<NaiveDate>) -> Course {
        Course {
            code: Code::parse("msc-leadership").unwrap(),
            title: "MSc Healthcare Leadership".to_owned(),
            provider: Code::parse("UNI").unwrap(),
            level: CourseLevel::Postgraduate,
            subject: "leadership".to_owned(),
            accredited_by: vec![],
            claimed_accreditations: vec![],
            description: None,
            summary: "A master's in leadership.".to_owned(),
            sources: vec![Code::parse("uni-page").unwrap()],
            citations: vec![Citation::new(
                Code::parse("uni-page").unwrap(),
                "lead with compassion".to_owned(),
            )],
            publisher: None,
            updated_at: None,
            retired_on,
        }
    }

    #[test]
    fn a_record_gets_its_kinds_own_document_and_a_retired_course_none() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let offered = course(today.succ_opt());
        assert_eq!(
            document(&offered, today),
            Some(super::course(&offered)),
            "a course's own document"
        );
        assert_eq!(document(&course(Some(today)), today), None);
    }

    #[test]
    fn the_default_document_is_the_name_summary_and_quotes() {
        let record = course(None);
        let document = Document::new(&record, &record.summary());
        assert_eq!(document.name, "MSc Healthcare Leadership");
        assert_eq!(document.summary, "A master's in leadership.");
        assert_eq!(document.body, ["lead with compassion"]);
        assert_eq!(document.sources, record.sources);
        assert!(document.aliases.is_empty() && document.situations.is_empty());
    }

    #[test]
    fn a_post_is_indexed_by_name_and_holder_only() {
        let post = Post {
            code: Code::parse("RJ1/chief-executive").unwrap(),
            name: "Chief Executive, Guy's and St Thomas'".to_owned(),
            organisation: Code::parse("RJ1").unwrap(),
            role: Code::parse("chief-executive").unwrap(),
            holder: Some(Holder {
                name: "A Person".to_owned(),
                as_of: None,
            }),
            from_template: false,
            summary: "The chief executive.".to_owned(),
            sources: vec![],
            citations: vec![],
        };
        let document = super::post(&post);
        assert_eq!(document.aliases, ["A Person"]);
        assert!(document.body.is_empty());
    }
}
