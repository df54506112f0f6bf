//! What every record kind's GraphQL object shares, written once.
//!
//! `RecordObject<T>` is the object of every kind (`ProgrammeObject` is
//! `RecordObject<domain::Programme>`): the record, and its currency computed at most once
//! however many of `statedOn`, `mayBeOutdated` and `outdatedReasons` a query asks for.
//! The fields every record has are resolved here, for every kind: `id` (`RecordId`) and
//! `sources`, `citations`, `statedOn`, `mayBeOutdated`, `outdatedReasons` (`RecordFields`),
//! which each kind's `#[Object]` splices in with `#[graphql(flatten)]` where the SDL lists
//! them (first, and after the kind's own fields). The functions at the end turn records read
//! through `Graph` into objects, so that a relationship's resolver is one line.

use std::sync::{Arc, OnceLock};

use std::borrow::Cow;

use async_graphql::{Context, Object, Result, TypeName, ID};

use super::{citations, CitationObject, SourceObject};
use crate::domain::{self, Code, Relation};
use crate::graphql::data::{graph, Stored};
use crate::graphql::errors::internal;
use crate::graphql::ids::global_id;
use crate::graphql::scalars::{today, Date};
use crate::store::Direction;

/// The GraphQL object of a record of kind `T`: a thin wrapper over the shared record.
pub(crate) struct RecordObject<T>(pub(crate) Arc<T>, OnceLock<domain::Currency>);

impl<T: Stored> RecordObject<T> {
    pub(crate) fn new(record: Arc<T>) -> Self {
        Self(record, OnceLock::new())
    }

    // The fields every record has. The `Node` and `Record` interfaces call these methods
    // (with the signature `#[Object]` gives its resolvers); `RecordId` and `RecordFields`
    // serve them as each object's fields.

    /// Global id: opaque, stable across reseeds and releases.
    pub(crate) async fn id(&self, _: &Context<'_>) -> Result<ID> {
        Ok(global_id(T::KIND, self.0.code()))
    }

    pub(crate) async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        read(ctx, self.0.sources())
    }

    pub(crate) async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<CitationObject>> {
        citations(ctx, self.0.citations())
    }

    pub(crate) async fn stated_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(self.currency(ctx)?.stated_on.map(Date))
    }

    pub(crate) async fn may_be_outdated(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.currency(ctx)?.may_be_outdated())
    }

    pub(crate) async fn outdated_reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self.currency(ctx)?.reasons.clone())
    }

    /// When the record's facts were stated and whether they may be out of date, today:
    /// computed on first use and kept for the object's other fields.
    pub(crate) fn currency(&self, ctx: &Context<'_>) -> Result<&domain::Currency> {
        if let Some(currency) = self.1.get() {
            return Ok(currency);
        }
        let sources = graph(ctx).many::<domain::Source>(self.0.sources())?;
        let sources: Vec<&domain::Source> = sources.iter().map(|source| &**source).collect();
        let currency = domain::currency(&sources, self.0.staleness(), today());
        Ok(self.1.get_or_init(|| currency))
    }
}

/// Objects for these records, in order.
pub(crate) fn wrap<T: Stored>(records: impl IntoIterator<Item = Arc<T>>) -> Vec<RecordObject<T>> {
    records.into_iter().map(RecordObject::new).collect()
}

/// The records with these codes that exist, in order.
pub(crate) fn read<T: Stored>(ctx: &Context<'_>, codes: &[Code]) -> Result<Vec<RecordObject<T>>> {
    Ok(wrap(graph(ctx).many(codes)?))
}

/// The record an optional reference names, if it exists.
pub(crate) fn read_optional<T: Stored>(
    ctx: &Context<'_>,
    code: Option<&Code>,
) -> Result<Option<RecordObject<T>>> {
    Ok(read(ctx, code.map(std::slice::from_ref).unwrap_or_default())?.pop())
}

/// The record a required reference of `owner` (its `field`) names; its absence is a broken
/// store, reported as `INTERNAL`.
pub(crate) fn read_required<T: Stored>(
    ctx: &Context<'_>,
    owner: &impl domain::Record,
    field: &str,
    code: &Code,
) -> Result<RecordObject<T>> {
    let record = graph(ctx).get::<T>(code)?;
    record.map(RecordObject::new).ok_or_else(|| {
        let owner = owner.reference();
        internal(format!(
            "{} {} has no {field} {code}",
            owner.kind.reference_name(),
            owner.code
        ))
    })
}

/// The records of kind `T` whose `relation` points at `to` (a role's programmes are the
/// programmes whose `ProgrammeRole` points at the role).
pub(crate) fn pointing_at<T: Stored>(
    ctx: &Context<'_>,
    to: &impl domain::Record,
    relation: Relation,
) -> Result<Vec<RecordObject<T>>> {
    Ok(wrap(graph(ctx).linked(
        &to.reference(),
        relation,
        Direction::Incoming,
    )?))
}

/// Topics, figures or career stories about `record`, for its `topics`, `figures` and
/// `careerStories` fields.
pub(crate) fn about<T: Stored>(
    ctx: &Context<'_>,
    record: &impl domain::Record,
) -> Result<Vec<RecordObject<T>>> {
    pointing_at(ctx, record, Relation::About)
}

/// The `id` field of every record, which each object flattens in first. Its GraphQL type
/// (`<Kind>RecordId`) is never referenced, so the schema drops it.
pub(crate) struct RecordId<'a, T>(pub(crate) &'a RecordObject<T>);

/// Names a flattened part of each kind's object after the kind (`ProgrammeRecordId`), so
/// that the kinds' parts do not share one GraphQL type name.
macro_rules! named_per_kind {
    ($part:ident) => {
        impl<T: Stored> TypeName for $part<'_, T> {
            fn type_name() -> Cow<'static, str> {
                format!("{}{}", T::KIND.type_name(), stringify!($part)).into()
            }
        }
    };
}

named_per_kind!(RecordId);

#[Object(name_type)]
impl<T: Stored> RecordId<'_, T> {
    /// Global id: opaque, stable across reseeds and releases.
    async fn id(&self, ctx: &Context<'_>) -> Result<ID> {
        self.0.id(ctx).await
    }
}

/// The provenance fields of every record, which each object flattens in after its own.
/// Its GraphQL type (`<Kind>RecordFields`) is never referenced, so the schema drops it.
pub(crate) struct RecordFields<'a, T>(pub(crate) &'a RecordObject<T>);

named_per_kind!(RecordFields);

#[Object(name_type)]
impl<T: Stored> RecordFields<'_, T> {
    /// The documents this record comes from, to cite.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        self.0.sources(ctx).await
    }

    /// The words of its sources each of its facts rests on: quotes found verbatim in the
    /// source documents, or, for a registry row, the CSV row itself with its `location`.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<CitationObject>> {
        self.0.citations(ctx).await
    }

    /// The date its facts were stated: the newest date of its sources (for an undated
    /// document, the date estimated from its content; see `Source.dated`).
    async fn stated_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.0.stated_on(ctx).await
    }

    /// Whether its facts may no longer hold: its sources are more than two years old or
    /// undated, it names a post holder (holders change), or it is a closed or historical
    /// organisation. `outdatedReasons` says which.
    async fn may_be_outdated(&self, ctx: &Context<'_>) -> Result<bool> {
        self.0.may_be_outdated(ctx).await
    }

    /// Why its facts may be out of date, one sentence each; empty when nothing suggests so.
    async fn outdated_reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        self.0.outdated_reasons(ctx).await
    }
}
