//! The resolvers' view of the store: every call returns a GraphQL `Result` whose errors are
//! already masked, so no store detail can reach a response.

use std::sync::Arc;

use async_graphql::{Context, Result};
use serde::de::DeserializeOwned;

use super::errors;
use crate::domain::{Code, OrganisationKind, Record, RecordRef, Relation, Validity};
use crate::store::{Direction, Store};

/// Shared by every request through the schema's data.
#[derive(Clone)]
pub(crate) struct Graph {
    pub(crate) store: Arc<Store>,
}

/// The graph of the request.
pub(crate) fn graph<'a>(ctx: &Context<'a>) -> &'a Graph {
    ctx.data_unchecked::<Graph>()
}

/// A record the resolvers can read: decoded once and shared (`Arc`) until a write.
pub(crate) trait Stored: Record + DeserializeOwned + Send + Sync + 'static {}

impl<T: Record + DeserializeOwned + Send + Sync + 'static> Stored for T {}

impl Graph {
    pub(crate) fn get<T: Stored>(&self, code: &Code) -> Result<Option<Arc<T>>> {
        self.store.get(code).map_err(errors::store)
    }

    /// Every record of kind `T`, ordered by code.
    pub(crate) fn all<T: Stored>(&self) -> Result<Vec<Arc<T>>> {
        let all = self.store.list().map_err(errors::store)?;
        Ok(all.iter().cloned().collect())
    }

    pub(crate) fn organisation_codes_of_kind(
        &self,
        kind: OrganisationKind,
    ) -> Result<Arc<Vec<Code>>> {
        self.store
            .organisation_codes_of_kind(kind)
            .map_err(errors::store)
    }

    pub(crate) fn related(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Arc<[(RecordRef, Validity)]>> {
        self.store
            .related(from, relation, direction)
            .map_err(errors::store)
    }

    /// Records of kind `T` linked to `from`, without their link dates.
    pub(crate) fn linked<T: Stored>(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<Arc<T>>> {
        let records = self
            .store
            .related_records(from, relation, direction)
            .map_err(errors::store)?;
        Ok(records.into_iter().map(|(record, _)| record).collect())
    }

    /// Records of kind `T` linked to `from`, with the dates each link held.
    pub(crate) fn linked_dated<T: Stored>(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<(Arc<T>, Validity)>> {
        self.store
            .related_records(from, relation, direction)
            .map_err(errors::store)
    }

    /// Reads records by code, in order, skipping codes that do not resolve.
    pub(crate) fn many<T: Stored>(&self, codes: &[Code]) -> Result<Vec<Arc<T>>> {
        let mut records = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(record) = self.get(code)? {
                records.push(record);
            }
        }
        Ok(records)
    }
}
