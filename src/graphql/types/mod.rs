//! GraphQL object types: thin wrappers over domain records, plus the `Node` and `Record`
//! interfaces every record type implements.

mod audit;
mod enums;
mod knowledge;
mod learning;
mod organisation;
mod people;

use std::sync::Arc;

use async_graphql::{Context, Interface, Result, SimpleObject, ID};

pub(crate) use audit::AuditEntryObject;
pub(crate) use enums::*;
pub(crate) use knowledge::{
    CareerStoryObject, FigureObject, PayBandObject, SourceObject, TopicObject,
};
pub(crate) use learning::{CourseObject, ProgrammeObject, QualificationObject};
pub(crate) use organisation::OrganisationObject;
pub(crate) mod organisation_edges {
    pub(crate) use super::organisation::children_on;
}
pub(crate) use people::{PostObject, RoleObject};

use super::data::{graph, Graph, Stored};
use crate::domain::{self, Code, RecordKind, RecordRef, Relation};
use crate::graphql::scalars::{today, Date};
use crate::store::Direction;

/// An object with a global id, fetchable with `node(id:)` (the Relay `Node` interface).
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Global id: opaque, stable across reseeds and releases."
))]
pub(crate) enum Node {
    Organisation(OrganisationObject),
    Role(RoleObject),
    Post(PostObject),
    Programme(ProgrammeObject),
    Course(CourseObject),
    Qualification(QualificationObject),
    PayBand(PayBandObject),
    Topic(TopicObject),
    CareerStory(CareerStoryObject),
    Figure(FigureObject),
    Source(SourceObject),
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
    Organisation(OrganisationObject),
    Role(RoleObject),
    Post(PostObject),
    Programme(ProgrammeObject),
    Course(CourseObject),
    Qualification(QualificationObject),
    PayBand(PayBandObject),
    Topic(TopicObject),
    CareerStory(CareerStoryObject),
    Figure(FigureObject),
    Source(SourceObject),
}

macro_rules! load_any {
    ($graph:expr, $reference:expr, $target:ident) => {{
        let code = &$reference.code;
        Ok(match $reference.kind {
            RecordKind::Organisation => $graph
                .get::<domain::Organisation>(code)?
                .map(|r| $target::Organisation(OrganisationObject(r))),
            RecordKind::Role => $graph
                .get::<domain::Role>(code)?
                .map(|r| $target::Role(RoleObject(r))),
            RecordKind::Post => $graph
                .get::<domain::Post>(code)?
                .map(|r| $target::Post(PostObject(r))),
            RecordKind::Programme => $graph
                .get::<domain::Programme>(code)?
                .map(|r| $target::Programme(ProgrammeObject(r))),
            RecordKind::Course => $graph
                .get::<domain::Course>(code)?
                .map(|r| $target::Course(CourseObject(r))),
            RecordKind::Qualification => $graph
                .get::<domain::Qualification>(code)?
                .map(|r| $target::Qualification(QualificationObject(r))),
            RecordKind::PayBand => $graph
                .get::<domain::PayBand>(code)?
                .map(|r| $target::PayBand(PayBandObject(r))),
            RecordKind::Topic => $graph
                .get::<domain::Topic>(code)?
                .map(|r| $target::Topic(TopicObject(r))),
            RecordKind::CareerStory => $graph
                .get::<domain::CareerStory>(code)?
                .map(|r| $target::CareerStory(CareerStoryObject(r))),
            RecordKind::Figure => $graph
                .get::<domain::Figure>(code)?
                .map(|r| $target::Figure(FigureObject(r))),
            RecordKind::Source => $graph
                .get::<domain::Source>(code)?
                .map(|r| $target::Source(SourceObject(r))),
        })
    }};
}

/// Reads the record a reference names, as a `Node`.
pub(crate) fn load_node(graph: &Graph, reference: &RecordRef) -> Result<Option<Node>> {
    load_any!(graph, reference, Node)
}

/// Reads the record a reference names, as a `Record`.
pub(crate) fn load_record(graph: &Graph, reference: &RecordRef) -> Result<Option<Record>> {
    load_any!(graph, reference, Record)
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

/// The sources with these codes.
pub(crate) fn sources(ctx: &Context<'_>, codes: &[Code]) -> Result<Vec<SourceObject>> {
    Ok(graph(ctx)
        .many::<domain::Source>(codes)?
        .into_iter()
        .map(SourceObject)
        .collect())
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
                source: SourceObject(source.clone()),
                quote: citation.quote.clone(),
                location: citation.location.clone(),
            })
        })
        .collect())
}

/// When a record's facts were stated and whether they may be out of date, today.
pub(crate) fn currency<T: domain::Record>(
    ctx: &Context<'_>,
    record: &T,
) -> Result<domain::Currency> {
    let sources = graph(ctx).many::<domain::Source>(record.sources())?;
    let sources: Vec<&domain::Source> = sources.iter().map(|source| &**source).collect();
    Ok(domain::currency(&sources, record.staleness(), today()))
}

/// Topics and figures about `about`, for the `topics` / `figures` fields.
pub(crate) fn about<T: Stored>(ctx: &Context<'_>, about: RecordRef) -> Result<Vec<Arc<T>>> {
    graph(ctx).linked::<T>(&about, Relation::About, Direction::Incoming)
}
