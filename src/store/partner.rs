//! Partner writes: API keys, course writes with their audit trail, all durable on return.
//!
//! Trees: `api_keys` (key id -> `ApiKey`), `audit` (big-endian sequence -> `AuditEntry`),
//! `audit_by_organisation` (`organisation 0x00 sequence` -> empty), `partner_records`
//! (`[kind tag] code` of every record a partner published -> empty; a reseed keeps these).

use std::sync::atomic::Ordering;

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;

use super::keys::{edge_key, reference_key};
use super::{codec, meta, Direction, Error, Result, Store};
use crate::domain::{
    record_edges, ApiKey, AuditEntry, Code, CourseChange, Record, RecordKind, Relation, Source,
};

pub(crate) const API_KEYS_TREE: &str = "api_keys";
pub(crate) const AUDIT_TREE: &str = "audit";
pub(crate) const AUDIT_BY_ORGANISATION_TREE: &str = "audit_by_organisation";
pub(crate) const PARTNER_RECORDS_TREE: &str = "partner_records";

/// The relations a course write touches.
const COURSE_RELATIONS: [Relation; 3] = [
    Relation::CourseProvider,
    Relation::CourseAccreditedBy,
    Relation::Cites,
];

impl Store {
    /// Stores a new API key (or replaces one with the same id), durably.
    pub fn put_api_key(&self, key: &ApiKey) -> Result<()> {
        self.api_keys
            .insert(key.id.as_bytes(), codec::encode(key)?)?;
        self.flush()
    }

    pub fn api_key(&self, id: &str) -> Result<Option<ApiKey>> {
        match self.api_keys.get(id.as_bytes())? {
            Some(bytes) => Ok(Some(codec::decode(|| API_KEYS_TREE, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Every API key, revoked ones included, ordered by id.
    pub fn api_keys(&self) -> Result<Vec<ApiKey>> {
        self.api_keys
            .iter()
            .values()
            .map(|bytes| codec::decode(|| API_KEYS_TREE, &bytes?))
            .collect()
    }

    /// Applies `changes` (and adds `sources` that do not exist yet) in one transaction over
    /// the course record, its index trees, the audit trail and the data version, then
    /// flushes to disk before returning, unless the store was opened without durability.
    /// All or nothing: a failure leaves no trace. Returns the audit entries written.
    pub fn write_courses(
        &self,
        changes: &[CourseChange],
        key: &ApiKey,
        sources: &[Source],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<AuditEntry>> {
        let mut trees: Vec<sled::Tree> = vec![
            self.meta.clone(),
            self.record_tree(RecordKind::Course).clone(),
            self.record_tree(RecordKind::Source).clone(),
            self.audit.clone(),
            self.audit_by_organisation.clone(),
            self.partner_records.clone(),
        ];
        for relation in COURSE_RELATIONS {
            trees.push(self.edge_tree(relation, Direction::Outgoing).clone());
            trees.push(self.edge_tree(relation, Direction::Incoming).clone());
        }
        if !self.durable {
            return write_behind(trees, changes, key, sources, at);
        }
        let entries = apply_course_write(&trees, changes, key, sources, at)?;
        self.memo.forget_all();
        self.data_version
            .fetch_max(self.stored_data_version()?, Ordering::AcqRel);
        self.flush()?;
        Ok(entries)
    }

    /// Audit entries after `after_sequence`, oldest first, at most `limit`; only those of
    /// `organisation`'s courses when one is given.
    pub fn audit_entries(
        &self,
        organisation: Option<&Code>,
        after_sequence: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let start = after_sequence.saturating_add(1);
        let sequences: Vec<u64> = match organisation {
            Some(organisation) => self
                .audit_by_organisation
                .range(
                    organisation_sequence_key(organisation, start)
                        ..organisation_sequence_key(organisation, u64::MAX),
                )
                .keys()
                .take(limit)
                .map(|key| {
                    let key = key?;
                    let tail = key
                        .len()
                        .checked_sub(8)
                        .ok_or_else(|| malformed(AUDIT_BY_ORGANISATION_TREE))?;
                    Ok(u64::from_be_bytes(
                        key[tail..]
                            .try_into()
                            .map_err(|_| malformed(AUDIT_BY_ORGANISATION_TREE))?,
                    ))
                })
                .collect::<Result<_>>()?,
            None => self
                .audit
                .range(start.to_be_bytes()..)
                .keys()
                .take(limit)
                .map(|key| {
                    Ok(u64::from_be_bytes(
                        key?.as_ref()
                            .try_into()
                            .map_err(|_| malformed(AUDIT_TREE))?,
                    ))
                })
                .collect::<Result<_>>()?,
        };
        let mut entries = Vec::with_capacity(sequences.len());
        for sequence in sequences {
            if let Some(bytes) = self.audit.get(sequence.to_be_bytes())? {
                entries.push(codec::decode(|| AUDIT_TREE, &bytes)?);
            }
        }
        Ok(entries)
    }

    /// The records partners published, which a reseed must keep.
    pub(crate) fn partner_references(&self) -> Result<std::collections::HashSet<Vec<u8>>> {
        self.partner_records
            .iter()
            .keys()
            .map(|key| Ok(key?.to_vec()))
            .collect()
    }
}

/// The course write itself: one transaction over `trees` (in the order `write_courses` lists
/// them), not yet flushed.
fn apply_course_write(
    trees: &[sled::Tree],
    changes: &[CourseChange],
    key: &ApiKey,
    sources: &[Source],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<AuditEntry>> {
    let outcome: Result<Vec<AuditEntry>, TransactionError<Error>> = trees.transaction(|views| {
        let [meta_view, courses, source_records, audit, audit_by_organisation, partner_records, edge_views @ ..] =
            views.as_slice()
        else {
            return abort(Error::Task("course write opened the wrong trees".to_owned()));
        };
        let mut sequence = read_u64(meta_view, meta::AUDIT_SEQUENCE)?;
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            if let Some(before) = &change.before {
                for edge in record_edges(before) {
                    remove_edge(edge_views, &edge)?;
                }
            }
            courses.insert(change.after.code.as_str().as_bytes(), encode(&change.after)?)?;
            for edge in record_edges(&change.after) {
                insert_edge(edge_views, &edge)?;
            }
            partner_records.insert(reference_key(&change.after.reference()), &[][..])?;
            sequence += 1;
            let entry = audit_entry(sequence, change, key, at);
            audit.insert(&sequence.to_be_bytes(), encode(&entry)?)?;
            audit_by_organisation.insert(organisation_sequence_key(&entry.organisation, sequence), &[][..])?;
            entries.push(entry);
        }
        for source in sources {
            if source_records.get(source.code.as_str().as_bytes())?.is_none() {
                source_records.insert(source.code.as_str().as_bytes(), encode(source)?)?;
                partner_records.insert(reference_key(&source.reference()), &[][..])?;
            }
        }
        meta_view.insert(meta::AUDIT_SEQUENCE, &sequence.to_be_bytes()[..])?;
        let data_version = read_u64(meta_view, meta::DATA_VERSION)? + 1;
        meta_view.insert(meta::DATA_VERSION, &data_version.to_be_bytes()[..])?;
        Ok(entries)
    });
    outcome.map_err(|error| match error {
        TransactionError::Abort(error) => error,
        TransactionError::Storage(error) => Error::Sled(error),
    })
}

/// The audit trail's record of `change`, made with `key` at `at`.
fn audit_entry(
    sequence: u64,
    change: &CourseChange,
    key: &ApiKey,
    at: chrono::DateTime<chrono::Utc>,
) -> AuditEntry {
    AuditEntry {
        sequence,
        at,
        key_id: key.id.clone(),
        actor_organisation: key.organisation.clone(),
        action: change.action,
        course: change.after.code.clone(),
        organisation: change.after.provider.clone(),
        before: change.before.clone(),
        after: change.after.clone(),
    }
}

/// Test only (`--unsafe-skip-flush`): acknowledges the write at once and applies it 100 ms
/// later on another thread, as a write-behind cache would. The crash test's negative
/// control uses it to show that it catches acknowledged writes that never reached the disk.
fn write_behind(
    trees: Vec<sled::Tree>,
    changes: &[CourseChange],
    key: &ApiKey,
    sources: &[Source],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<AuditEntry>> {
    let provisional = changes
        .iter()
        .map(|change| audit_entry(0, change, key, at))
        .collect();
    let (changes, key, sources) = (changes.to_vec(), key.clone(), sources.to_vec());
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Err(error) = apply_course_write(&trees, &changes, &key, &sources, at) {
            tracing::error!(%error, "write-behind course write failed");
        }
    });
    Ok(provisional)
}

/// `organisation 0x00 big-endian sequence`.
fn organisation_sequence_key(organisation: &Code, sequence: u64) -> Vec<u8> {
    let mut key = organisation.as_str().as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<Error>>;

fn abort<T>(error: Error) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(error))
}

fn encode<T: serde::Serialize>(value: &T) -> TxResult<Vec<u8>> {
    codec::encode(value).map_err(ConflictableTransactionError::Abort)
}

fn read_u64(tree: &TransactionalTree, key: &[u8]) -> TxResult<u64> {
    Ok(tree
        .get(key)?
        .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
        .map_or(0, u64::from_be_bytes))
}

/// The out/in views of `relation` among the course write's edge views.
fn edge_views(
    views: &[TransactionalTree],
    relation: Relation,
) -> Option<(&TransactionalTree, &TransactionalTree)> {
    let index = COURSE_RELATIONS
        .iter()
        .position(|candidate| *candidate == relation)?;
    Some((views.get(index * 2)?, views.get(index * 2 + 1)?))
}

fn insert_edge(views: &[TransactionalTree], edge: &crate::domain::Edge) -> TxResult<()> {
    let Some((outgoing, incoming)) = edge_views(views, edge.relation) else {
        return abort(Error::Task(format!(
            "a course write cannot write {:?} edges",
            edge.relation
        )));
    };
    let value = encode(&edge.validity)?;
    outgoing.insert(edge_key(&edge.from, &edge.to), value.clone())?;
    incoming.insert(edge_key(&edge.to, &edge.from), value)?;
    Ok(())
}

fn remove_edge(views: &[TransactionalTree], edge: &crate::domain::Edge) -> TxResult<()> {
    let Some((outgoing, incoming)) = edge_views(views, edge.relation) else {
        return abort(Error::Task(format!(
            "a course write cannot remove {:?} edges",
            edge.relation
        )));
    };
    outgoing.remove(edge_key(&edge.from, &edge.to))?;
    incoming.remove(edge_key(&edge.to, &edge.from))?;
    Ok(())
}

fn malformed(tree: &str) -> Error {
    Error::MalformedKey {
        tree: tree.to_owned(),
    }
}
