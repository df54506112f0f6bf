//! GraphQL object types: thin wrappers over domain records, plus the `Node` and `Record`
//! interfaces every record type implements.

mod audit;
mod enums;
mod knowledge;
mod learning;
mod organisation;
mod people;

use std::sync::Arc;

use async_graphql::{Context, Interface, Result, ID};

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

use super::data::{graph, Graph, Stored};
use crate::domain::{self, Code, RecordKind, RecordRef, Relation};
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

/// Topics and figures about `about`, for the `topics` / `figures` fields.
pub(crate) fn about<T: Stored>(ctx: &Context<'_>, about: RecordRef) -> Result<Vec<Arc<T>>> {
    graph(ctx).linked::<T>(&about, Relation::About, Direction::Incoming)
}
