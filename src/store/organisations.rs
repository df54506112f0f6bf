//! Organisations an operator adds to a running server (a partner university, say): the
//! record, the source it cites, its place in `organisations_by_kind` and, optionally, the
//! partner's first API key, in one durable transaction.
//!
//! Such an organisation is recorded in `partner_records`, so a reseed keeps it (and its
//! links and index entry) exactly as it keeps partner-published courses.

use super::backend::{Changed, Transaction};
use super::keys::{edge_key, organisation_kind_key, reference_key};
use super::partner::{API_KEYS_TREE, PARTNER_RECORDS_TREE};
use super::write::read_u64;
use super::{codec, meta, Direction, Result, Store, META_TREE, ORGANISATIONS_BY_KIND_TREE};
use crate::domain::{record_edges, ApiKey, Organisation, Record, RecordKind, Source};

/// What [`Store::add_organisation`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationAdded {
    /// Written, at this data version.
    Added { data_version: u64 },
    /// An organisation with that code exists already: nothing was written.
    OrganisationExists,
    /// A source with that code exists already: nothing was written.
    SourceExists,
}

impl Store {
    /// Adds `organisation`, citing `source` (both new), and stores `key` with them, in one
    /// transaction that also bumps the data version; committed durably before returning.
    /// Refuses, writing nothing, when either code is taken: the check is made inside the
    /// transaction, so two operators adding the same code at once cannot both succeed.
    pub fn add_organisation(
        &self,
        organisation: &Organisation,
        source: &Source,
        key: Option<&ApiKey>,
    ) -> Result<OrganisationAdded> {
        let edges = record_edges(organisation);
        let mut trees: Vec<&str> = vec![
            META_TREE,
            self.record_tree(RecordKind::Organisation),
            self.record_tree(RecordKind::Source),
            ORGANISATIONS_BY_KIND_TREE,
            PARTNER_RECORDS_TREE,
            API_KEYS_TREE,
        ];
        for edge in &edges {
            for direction in [Direction::Outgoing, Direction::Incoming] {
                let tree = self.edge_tree(edge.relation, direction);
                if !trees.contains(&tree) {
                    trees.push(tree);
                }
            }
        }
        let mut outcome = OrganisationAdded::OrganisationExists;
        self.backend.transaction(&trees, &[], &mut |transaction| {
            outcome = self.write_organisation(transaction, organisation, source, key)?;
            Ok(())
        })?;
        if let OrganisationAdded::Added { data_version } = outcome {
            self.live.committed(data_version);
        }
        Ok(outcome)
    }

    fn write_organisation(
        &self,
        transaction: &mut dyn Transaction,
        organisation: &Organisation,
        source: &Source,
        key: Option<&ApiKey>,
    ) -> Result<OrganisationAdded> {
        let organisation_tree = self.record_tree(RecordKind::Organisation);
        let source_tree = self.record_tree(RecordKind::Source);
        let code = organisation.code.as_str().as_bytes();
        if transaction.get(organisation_tree, code)?.is_some() {
            return Ok(OrganisationAdded::OrganisationExists);
        }
        let source_code = source.code.as_str().as_bytes();
        if transaction.get(source_tree, source_code)?.is_some() {
            return Ok(OrganisationAdded::SourceExists);
        }
        transaction.insert(organisation_tree, code, &codec::encode(organisation)?)?;
        transaction.insert(source_tree, source_code, &codec::encode(source)?)?;
        transaction.insert(
            ORGANISATIONS_BY_KIND_TREE,
            &organisation_kind_key(organisation.kind, &organisation.code),
            &[],
        )?;
        for edge in record_edges(organisation) {
            let value = codec::encode(&edge.validity)?;
            let outgoing = self.edge_tree(edge.relation, Direction::Outgoing);
            let incoming = self.edge_tree(edge.relation, Direction::Incoming);
            transaction.insert(outgoing, &edge_key(&edge.from, &edge.to), &value)?;
            transaction.insert(incoming, &edge_key(&edge.to, &edge.from), &value)?;
        }
        let references = vec![organisation.reference(), source.reference()];
        for reference in &references {
            transaction.insert(PARTNER_RECORDS_TREE, &reference_key(reference), &[])?;
        }
        if let Some(key) = key {
            transaction.insert(API_KEYS_TREE, key.id.as_bytes(), &codec::encode(key)?)?;
        }
        let data_version = read_u64(transaction, meta::DATA_VERSION)? + 1;
        transaction.insert(META_TREE, meta::DATA_VERSION, &data_version.to_be_bytes())?;
        transaction.record_changes(data_version, &Changed::Records(references))?;
        Ok(OrganisationAdded::Added { data_version })
    }
}
