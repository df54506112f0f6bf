//! The resolvers' view of the store: every call returns a GraphQL `Result` whose errors are
//! already masked, so no store detail can reach a response.

use std::sync::Arc;

use async_graphql::{Context, Result};
use serde::de::DeserializeOwned;

use super::errors::internal;
use crate::domain::{Code, OrganisationKind, Record, RecordRef, Relation, Validity};
use crate::store::{Direction, Store};

/// Shared by every request through the schema's data.
#[derive(Clone)]
pub(crate) struct Graph {
    pub(crate) store: Arc<Store>,
    /// Held by every mutation from its first read to its commit, so that what it validated
    /// is what it writes over.
    pub(crate) write_lock: super::WriteLock,
}

/// The graph of the request.
pub(crate) fn graph<'a>(ctx: &Context<'a>) -> &'a Graph {
    ctx.data_unchecked::<Graph>()
}

impl Graph {
    pub(crate) fn get<T: Record + DeserializeOwned>(&self, code: &Code) -> Result<Option<T>> {
        self.store.get(code).map_err(internal)
    }

    pub(crate) fn all<T: Record + DeserializeOwned>(&self) -> Result<Vec<T>> {
        self.store.all().map_err(internal)
    }

    pub(crate) fn organisation_codes_of_kind(&self, kind: OrganisationKind) -> Result<Vec<Code>> {
        self.store
            .organisation_codes_of_kind(kind)
            .map_err(internal)
    }

    pub(crate) fn related(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<(RecordRef, Validity)>> {
        self.store
            .related(from, relation, direction)
            .map_err(internal)
    }

    /// Records of kind `T` linked to `from`, without their link dates.
    pub(crate) fn linked<T: Record + DeserializeOwned>(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<T>> {
        let records = self
            .store
            .related_records(from, relation, direction)
            .map_err(internal)?;
        Ok(records.into_iter().map(|(record, _)| record).collect())
    }

    /// Records of kind `T` linked to `from`, with the dates each link held.
    pub(crate) fn linked_dated<T: Record + DeserializeOwned>(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<(T, Validity)>> {
        self.store
            .related_records(from, relation, direction)
            .map_err(internal)
    }

    /// Reads records by code, in order, skipping codes that do not resolve.
    pub(crate) fn many<T: Record + DeserializeOwned>(&self, codes: &[Code]) -> Result<Vec<T>> {
        let mut records = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(record) = self.get(code)? {
                records.push(record);
            }
        }
        Ok(records)
    }
}
