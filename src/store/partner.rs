//! Partner writes: API keys, course writes with their audit trail, all durable on return.
//!
//! Trees: `api_keys` (key id -> `ApiKey`), `api_key_last_used` (key id -> big-endian unix
//! milliseconds of its last recorded use), `audit` (big-endian sequence -> `AuditEntry`),
//! `audit_by_organisation` (`organisation 0x00 sequence` -> empty), `partner_records`
//! (`[kind tag] code` of every record a partner published -> empty; a reseed keeps these).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::backend::{Changed, Transaction};
use super::keys::{edge_key, reference_key};
use super::write::read_u64;
use super::{codec, meta, Direction, Error, Result, Store, META_TREE};
use crate::domain::{
    record_edges, ApiKey, AuditEntry, Code, Course, CourseChange, Edge, Record, RecordKind,
    RecordRef, Relation, Source,
};

pub(crate) const API_KEYS_TREE: &str = "api_keys";
pub(crate) const API_KEY_LAST_USED_TREE: &str = "api_key_last_used";
pub(crate) const AUDIT_TREE: &str = "audit";
pub(crate) const AUDIT_BY_ORGANISATION_TREE: &str = "audit_by_organisation";
pub(crate) const PARTNER_RECORDS_TREE: &str = "partner_records";

/// The relations a course write touches.
const COURSE_RELATIONS: [Relation; 3] = [
    Relation::CourseProvider,
    Relation::CourseAccreditedBy,
    Relation::Cites,
];

/// Greater than every key of the `audit` tree (8-byte sequences).
const AFTER_EVERY_SEQUENCE: [u8; 9] = [u8::MAX; 9];

impl Store {
    /// Stores a new API key (or replaces one with the same id), durably.
    pub fn put_api_key(&self, key: &ApiKey) -> Result<()> {
        let value = codec::encode(key)?;
        self.backend
            .transaction(&[API_KEYS_TREE], &[], &mut |transaction| {
                transaction.insert(API_KEYS_TREE, key.id.as_bytes(), &value)
            })
    }

    /// The API key with `id`. Read from the backend every time (never the memo), so a key
    /// revoked through any process sharing the database stops working at once.
    pub fn api_key(&self, id: &str) -> Result<Option<ApiKey>> {
        match self.backend.get(API_KEYS_TREE, id.as_bytes())? {
            Some(bytes) => Ok(Some(codec::decode(|| API_KEYS_TREE, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Every API key, revoked ones included, ordered by id.
    pub fn api_keys(&self) -> Result<Vec<ApiKey>> {
        self.backend
            .scan_prefix(API_KEYS_TREE, &[])?
            .iter()
            .map(|(_, bytes)| codec::decode(|| API_KEYS_TREE, bytes))
            .collect()
    }

    /// Records when keys were last used, durably, in one transaction. Not a data change: the
    /// data version stays as it is, so no cache is emptied by a key's use.
    pub fn record_api_key_uses(&self, uses: &[(String, DateTime<Utc>)]) -> Result<()> {
        self.backend
            .transaction(&[API_KEY_LAST_USED_TREE], &[], &mut |transaction| {
                for (id, at) in uses {
                    let millis = at.timestamp_millis().to_be_bytes();
                    transaction.insert(API_KEY_LAST_USED_TREE, id.as_bytes(), &millis)?;
                }
                Ok(())
            })
    }

    /// The last recorded use of every key that has one, by key id.
    pub fn api_key_last_uses(&self) -> Result<HashMap<String, DateTime<Utc>>> {
        let mut uses = HashMap::new();
        for (id, value) in self.backend.scan_prefix(API_KEY_LAST_USED_TREE, &[])? {
            let at = <[u8; 8]>::try_from(value.as_slice())
                .ok()
                .map(i64::from_be_bytes)
                .and_then(DateTime::<Utc>::from_timestamp_millis);
            let (Ok(id), Some(at)) = (String::from_utf8(id), at) else {
                return Err(Error::MalformedKey {
                    tree: API_KEY_LAST_USED_TREE.to_owned(),
                });
            };
            uses.insert(id, at);
        }
        Ok(uses)
    }

    /// Applies `changes` (and adds `sources` that do not exist yet) in one transaction over
    /// the course record, its index trees, the audit trail and the data version, committed
    /// durably before returning. All or nothing: a failure leaves no trace. Returns the
    /// audit entries written.
    ///
    /// The links removed are those of the course as stored when the transaction runs, not
    /// of `change.before`, and the audit entry records that stored course as `before`: with
    /// several processes sharing a database, the caller's view may be a moment old.
    pub fn write_courses(
        &self,
        changes: &[CourseChange],
        key: &ApiKey,
        sources: &[Source],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<AuditEntry>> {
        let mut trees: Vec<&str> = vec![
            META_TREE,
            self.record_tree(RecordKind::Course),
            self.record_tree(RecordKind::Source),
            AUDIT_TREE,
            AUDIT_BY_ORGANISATION_TREE,
            PARTNER_RECORDS_TREE,
        ];
        for relation in COURSE_RELATIONS {
            trees.push(self.edge_tree(relation, Direction::Outgoing));
            trees.push(self.edge_tree(relation, Direction::Incoming));
        }
        let mut written = (Vec::new(), 0);
        self.backend.transaction(&trees, &[], &mut |transaction| {
            written = self.apply_course_write(transaction, changes, key, sources, at)?;
            Ok(())
        })?;
        let (entries, data_version) = written;
        self.live.committed(data_version);
        Ok(entries)
    }

    /// The course write inside its transaction; returns its audit entries and data version.
    fn apply_course_write(
        &self,
        transaction: &mut dyn Transaction,
        changes: &[CourseChange],
        key: &ApiKey,
        sources: &[Source],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<AuditEntry>, u64)> {
        let course_tree = self.record_tree(RecordKind::Course);
        let source_tree = self.record_tree(RecordKind::Source);
        let mut sequence = read_u64(transaction, meta::AUDIT_SEQUENCE)?;
        let mut entries = Vec::with_capacity(changes.len());
        let mut changed: Vec<RecordRef> = Vec::with_capacity(changes.len() + sources.len());
        for change in changes {
            let code = change.after.code.as_str().as_bytes();
            let before: Option<Course> = match transaction.get(course_tree, code)? {
                Some(bytes) => Some(codec::decode(|| course_tree, &bytes)?),
                None => None,
            };
            if let Some(before) = &before {
                for edge in record_edges(before) {
                    self.remove_edge(transaction, &edge)?;
                }
            }
            transaction.insert(course_tree, code, &codec::encode(&change.after)?)?;
            for edge in record_edges(&change.after) {
                self.insert_edge(transaction, &edge)?;
            }
            let reference = change.after.reference();
            transaction.insert(PARTNER_RECORDS_TREE, &reference_key(&reference), &[])?;
            changed.push(reference);
            sequence += 1;
            let entry = audit_entry(sequence, change, before, key, at);
            transaction.insert(AUDIT_TREE, &sequence.to_be_bytes(), &codec::encode(&entry)?)?;
            transaction.insert(
                AUDIT_BY_ORGANISATION_TREE,
                &organisation_sequence_key(&entry.organisation, sequence),
                &[],
            )?;
            entries.push(entry);
        }
        for source in sources {
            let code = source.code.as_str().as_bytes();
            if transaction.get(source_tree, code)?.is_none() {
                transaction.insert(source_tree, code, &codec::encode(source)?)?;
                let reference = source.reference();
                transaction.insert(PARTNER_RECORDS_TREE, &reference_key(&reference), &[])?;
                changed.push(reference);
            }
        }
        transaction.insert(META_TREE, meta::AUDIT_SEQUENCE, &sequence.to_be_bytes())?;
        let data_version = read_u64(transaction, meta::DATA_VERSION)? + 1;
        transaction.insert(META_TREE, meta::DATA_VERSION, &data_version.to_be_bytes())?;
        transaction.record_changes(data_version, &Changed::Records(changed))?;
        Ok((entries, data_version))
    }

    fn insert_edge(&self, transaction: &mut dyn Transaction, edge: &Edge) -> Result<()> {
        let (outgoing, incoming) = self.course_edge_trees(edge)?;
        let value = codec::encode(&edge.validity)?;
        transaction.insert(outgoing, &edge_key(&edge.from, &edge.to), &value)?;
        transaction.insert(incoming, &edge_key(&edge.to, &edge.from), &value)
    }

    fn remove_edge(&self, transaction: &mut dyn Transaction, edge: &Edge) -> Result<()> {
        let (outgoing, incoming) = self.course_edge_trees(edge)?;
        transaction.remove(outgoing, &edge_key(&edge.from, &edge.to))?;
        transaction.remove(incoming, &edge_key(&edge.to, &edge.from))
    }

    /// The out and in trees of `edge`'s relation, which a course write must have opened.
    fn course_edge_trees(&self, edge: &Edge) -> Result<(&str, &str)> {
        if !COURSE_RELATIONS.contains(&edge.relation) {
            return Err(Error::Task(format!(
                "a course write cannot write {:?} edges",
                edge.relation
            )));
        }
        Ok((
            self.edge_tree(edge.relation, Direction::Outgoing),
            self.edge_tree(edge.relation, Direction::Incoming),
        ))
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
        let Some(organisation) = organisation else {
            return self
                .backend
                .range(
                    AUDIT_TREE,
                    &start.to_be_bytes(),
                    &AFTER_EVERY_SEQUENCE,
                    limit,
                )?
                .iter()
                .map(|(_, bytes)| codec::decode(|| AUDIT_TREE, bytes))
                .collect();
        };
        let keys = self.backend.range(
            AUDIT_BY_ORGANISATION_TREE,
            &organisation_sequence_key(organisation, start),
            &organisation_sequence_key(organisation, u64::MAX),
            limit,
        )?;
        let mut entries = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let sequence = key
                .len()
                .checked_sub(8)
                .and_then(|tail| <[u8; 8]>::try_from(&key[tail..]).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| Error::MalformedKey {
                    tree: AUDIT_BY_ORGANISATION_TREE.to_owned(),
                })?;
            if let Some(bytes) = self.backend.get(AUDIT_TREE, &sequence.to_be_bytes())? {
                entries.push(codec::decode(|| AUDIT_TREE, &bytes)?);
            }
        }
        Ok(entries)
    }
}

/// The audit trail's record of `change` (whose course was `before`), made with `key` at `at`.
fn audit_entry(
    sequence: u64,
    change: &CourseChange,
    before: Option<Course>,
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
        before,
        after: change.after.clone(),
    }
}

/// `organisation 0x00 big-endian sequence`.
fn organisation_sequence_key(organisation: &Code, sequence: u64) -> Vec<u8> {
    let mut key = organisation.as_str().as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}
