//! GraphQL object types: thin wrappers over domain records, plus the `Node` and `Record`
//! interfaces every record type implements.

mod audit;
mod enums;
mod knowledge;
mod learning;
mod organisation;
mod people;
mod record;

use async_graphql::{Context, Enum, Interface, Result, SimpleObject, ID};

pub(crate) use audit::AuditEntryObject;
pub(crate) use enums::*;
pub(crate) use knowledge::{
    CareerStoryObject, FigureObject, PayBandObject, SourceObject, TopicObject,
};
pub(crate) use learning::{CourseObject, CourseStatusFilter, ProgrammeObject, QualificationObject};
pub(crate) use organisation::OrganisationObject;
pub(crate) mod organisation_edges {
    pub(crate) use super::organisation::children_on;
}
pub(crate) use people::{PostObject, RoleObject};
pub(crate) use record::{
    about, pointing_at, read, read_optional, read_required, wrap, RecordFields, RecordId,
    RecordObject,
};

use super::data::{graph, Graph};
use crate::domain::{self, Code, RecordKind, RecordRef};
use crate::graphql::scalars::Date;

/// What is the same for every record kind, declared once: the `Node` and `Record`
/// interfaces, the `SearchKind` enum and the loaders from a `RecordRef`. Each line names the
/// kind (a `RecordKind` variant and `domain` type of the same name), its object, and the
/// `SearchKind` description.
macro_rules! record_kinds {
    ($($kind:ident => $object:ident, $search_doc:literal;)*) => {
        /// An object with a global id, fetchable with `node(id:)` (the Relay `Node` interface).
        #[derive(Interface)]
        #[graphql(field(
            name = "id",
            ty = "ID",
            desc = "Global id: opaque, stable across reseeds and releases."
        ))]
        pub(crate) enum Node {
            $($kind($object),)*
        }

        /// Any record of the knowledge graph, with what a chatbot needs to quote and cite it.
        #[allow(
            clippy::duplicated_attributes,
            reason = "each interface field repeats `ty = \"String\"`; they are different fields"
        )]
        #[derive(Interface)]
        #[graphql(
            field(
                name = "id",
                ty = "ID",
                desc = "Global id: opaque, stable across reseeds and releases."
            ),
            field(
                name = "code",
                ty = "String",
                desc = "Readable natural key: an ODS code, a short code or a slug."
            ),
            field(
                name = "name",
                ty = "String",
                desc = "The name users know the record by."
            ),
            field(
                name = "summary",
                ty = "String",
                desc = "One or two sentences stating the record's key facts, quotable as an answer."
            ),
            field(
                name = "sources",
                ty = "Vec<SourceObject>",
                desc = "The documents the record comes from, to cite."
            ),
            field(
                name = "citations",
                ty = "Vec<CitationObject>",
                desc = "The words of its sources each of its facts rests on."
            ),
            field(
                name = "stated_on",
                ty = "Option<Date>",
                desc = "The date its facts were stated: the newest date of its sources."
            ),
            field(
                name = "may_be_outdated",
                ty = "bool",
                desc = "Whether its facts may no longer hold; `outdatedReasons` says why."
            ),
            field(
                name = "outdated_reasons",
                ty = "Vec<String>",
                desc = "Why its facts may be out of date; empty when nothing suggests so."
            )
        )]
        pub(crate) enum Record {
            $($kind($object),)*
        }

        /// The kinds of record `search` can be restricted to.
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        #[graphql(remote = "RecordKind")]
        pub(crate) enum SearchKind {
            $(#[doc = $search_doc] $kind,)*
        }

        /// Reads the record a reference names, as a `Node`.
        pub(crate) fn load_node(graph: &Graph, reference: &RecordRef) -> Result<Option<Node>> {
            let code = &reference.code;
            Ok(match reference.kind {
                $(RecordKind::$kind => graph
                    .get::<domain::$kind>(code)?
                    .map(|record| Node::$kind($object::new(record))),)*
            })
        }

        /// Reads the record a reference names, as a `Record`.
        pub(crate) fn load_record(graph: &Graph, reference: &RecordRef) -> Result<Option<Record>> {
            let code = &reference.code;
            Ok(match reference.kind {
                $(RecordKind::$kind => graph
                    .get::<domain::$kind>(code)?
                    .map(|record| Record::$kind($object::new(record))),)*
            })
        }
    };
}

record_kinds! {
    Organisation => OrganisationObject, "Organisations: NHS England, regions, ICBs, trusts, universities, professional bodies...";
    Role => RoleObject, "Roles, independent of any organisation (e.g. chief executive, ward manager).";
    Post => PostObject, "Posts: a role at one organisation. Searched only when `kinds` includes `POST`.";
    Programme => ProgrammeObject, "Leadership and management development programmes and schemes.";
    Course => CourseObject, "University and other courses.";
    Qualification => QualificationObject, "Professional qualifications and awards.";
    PayBand => PayBandObject, "Agenda for Change pay bands.";
    Topic => TopicObject, "Leadership and career knowledge: challenges, behaviours, entry routes...";
    CareerStory => CareerStoryObject, "Real people's career stories.";
    Figure => FigureObject, "Quantitative statements.";
    Source => SourceObject, "Source documents.";
}

/// Reads every record in `references` that exists.
pub(crate) fn load_records(graph: &Graph, references: &[RecordRef]) -> Result<Vec<Record>> {
    let mut records = Vec::with_capacity(references.len());
    for reference in references {
        if let Some(record) = load_record(graph, reference)? {
            records.push(record);
        }
    }
    Ok(records)
}

/// The words of a source a record rests on.
#[derive(SimpleObject)]
#[graphql(name = "Citation")]
pub(crate) struct CitationObject {
    /// The source the words come from (one of the record's `sources`).
    source: SourceObject,
    /// The words, copied verbatim from the source's document (compare after collapsing
    /// whitespace and typographic quotes and dashes). For a registry row: the CSV row.
    quote: String,
    /// Where a dataset quote is, as `file:line` in the repository's `seed/` (e.g.
    /// `registry/trusts.csv:12`); null for a quote from a document.
    location: Option<String>,
}

/// The citations of a record, with their sources read.
pub(crate) fn citations(
    ctx: &Context<'_>,
    citations: &[domain::Citation],
) -> Result<Vec<CitationObject>> {
    let codes: Vec<Code> = citations.iter().map(|c| c.source.clone()).collect();
    let sources = graph(ctx).many::<domain::Source>(&codes)?;
    Ok(citations
        .iter()
        .filter_map(|citation| {
            let source = sources.iter().find(|s| s.code == citation.source)?;
            Some(CitationObject {
                source: SourceObject::new(source.clone()),
                quote: citation.quote.clone(),
                location: citation.location.clone(),
            })
        })
        .collect())
}
