//! Upgrades, once, the values that older builds wrote in shapes this build no longer reads:
//! API keys from before keys could expire, and partner-published courses, their sources and
//! the audit trail from before citations, which a reseed keeps (the seed's own records it
//! rewrites anyway).
//!
//! Those builds used the same format byte, so a value's shape is told by decoding it: as
//! this build's shape first, then as the old one, each only when it uses every byte. A value
//! that is neither is left alone, to fail with a clear error when it is read. When every
//! value is upgraded, `meta` records it, and later opens cost one read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::backend::Transaction;
use super::codec::{self, FORMAT_VERSION};
use super::partner::{API_KEYS_TREE, AUDIT_TREE};
use super::{meta, Result, Store, META_TREE};
use crate::domain::{
    ApiKey, AuditEntry, Code, Course, CourseAction, CourseLevel, RecordKind, Source, SourceKind,
};

/// The `meta` value saying the store holds only this build's shapes.
const UPGRADED: &[u8] = b"citations";

impl Store {
    /// Rewrites, in one transaction, every API key, course, source and audit entry still in
    /// an older build's shape; a no-op once done.
    pub(super) fn upgrade_old_shapes(&self) -> Result<()> {
        if self.backend.get(META_TREE, meta::SHAPES)?.as_deref() == Some(UPGRADED) {
            return Ok(());
        }
        let course_tree = self.record_tree(RecordKind::Course);
        let source_tree = self.record_tree(RecordKind::Source);
        let mut rewrites = Vec::new();
        for (tree, upgrade) in [
            (
                API_KEYS_TREE,
                upgrade::<ApiKey, KeyWithoutExpiry> as Upgrade,
            ),
            (course_tree, upgrade::<Course, OldCourse>),
            (source_tree, upgrade::<Source, OldSource>),
            (AUDIT_TREE, upgrade::<AuditEntry, OldAuditEntry>),
        ] {
            for (key, value) in self.backend.scan_prefix(tree, &[])? {
                if let Some(value) = upgrade(&value)? {
                    rewrites.push((tree, key, value));
                }
            }
        }
        let trees = [
            API_KEYS_TREE,
            course_tree,
            source_tree,
            AUDIT_TREE,
            META_TREE,
        ];
        self.backend.transaction(&trees, &[], &mut |transaction| {
            for (tree, key, value) in &rewrites {
                transaction.insert(tree, key, value)?;
            }
            mark_upgraded(transaction)
        })?;
        if !rewrites.is_empty() {
            tracing::info!(
                values = rewrites.len(),
                "upgraded values stored by an older build"
            );
        }
        Ok(())
    }
}

fn mark_upgraded(transaction: &mut dyn Transaction) -> Result<()> {
    transaction.insert(META_TREE, meta::SHAPES, UPGRADED)
}

/// The value in this build's encoding when `bytes` holds `Old`'s shape; `None` when it
/// already holds `New`'s, or neither.
type Upgrade = fn(&[u8]) -> Result<Option<Vec<u8>>>;

fn upgrade<New, Old>(bytes: &[u8]) -> Result<Option<Vec<u8>>>
where
    New: Serialize + DeserializeOwned,
    Old: DeserializeOwned + Into<New>,
{
    let Some((&FORMAT_VERSION, body)) = bytes.split_first() else {
        return Ok(None);
    };
    if decodes_exactly::<New>(body).is_some() {
        return Ok(None);
    }
    match decodes_exactly::<Old>(body) {
        Some(old) => Ok(Some(codec::encode(&old.into())?)),
        None => Ok(None),
    }
}

/// `T` decoded from `body` when that uses every byte of it.
fn decodes_exactly<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    match postcard::take_from_bytes::<T>(body) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// An [`ApiKey`] as builds before key expiry encoded it.
#[derive(Serialize, Deserialize)]
struct KeyWithoutExpiry {
    id: String,
    organisation: Option<Code>,
    secret_hash: [u8; 32],
    label: Option<String>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<KeyWithoutExpiry> for ApiKey {
    fn from(old: KeyWithoutExpiry) -> Self {
        ApiKey {
            id: old.id,
            organisation: old.organisation,
            secret_hash: old.secret_hash,
            label: old.label,
            created_at: old.created_at,
            revoked_at: old.revoked_at,
            expires_at: None,
        }
    }
}

/// A [`Course`] as builds before citations encoded it.
#[derive(Serialize, Deserialize)]
struct OldCourse {
    code: Code,
    title: String,
    provider: Code,
    level: CourseLevel,
    subject: String,
    accredited_by: Vec<Code>,
    claimed_accreditations: Vec<Code>,
    description: Option<String>,
    summary: String,
    sources: Vec<Code>,
    publisher: Option<Code>,
    updated_at: Option<DateTime<Utc>>,
    retired_on: Option<NaiveDate>,
}

impl From<OldCourse> for Course {
    fn from(old: OldCourse) -> Self {
        Course {
            code: old.code,
            title: old.title,
            provider: old.provider,
            level: old.level,
            subject: old.subject,
            accredited_by: old.accredited_by,
            claimed_accreditations: old.claimed_accreditations,
            description: old.description,
            summary: old.summary,
            sources: old.sources,
            citations: Vec::new(),
            publisher: old.publisher,
            updated_at: old.updated_at,
            retired_on: old.retired_on,
        }
    }
}

/// A [`Source`] as builds before citations encoded it.
#[derive(Serialize, Deserialize)]
struct OldSource {
    code: Code,
    title: String,
    publisher: String,
    author: Option<String>,
    published: Option<NaiveDate>,
    as_of: Option<NaiveDate>,
    kind: SourceKind,
    document: String,
    url: Option<String>,
    licence: Option<String>,
    description: Option<String>,
}

impl From<OldSource> for Source {
    fn from(old: OldSource) -> Self {
        Source {
            code: old.code,
            title: old.title,
            publisher: old.publisher,
            author: old.author,
            published: old.published,
            as_of: old.as_of,
            kind: old.kind,
            document: old.document,
            url: old.url,
            licence: old.licence,
            description: old.description,
            dated: None,
            evidence: None,
        }
    }
}

/// An [`AuditEntry`] as builds before citations encoded it (its courses changed shape).
#[derive(Serialize, Deserialize)]
struct OldAuditEntry {
    sequence: u64,
    at: DateTime<Utc>,
    key_id: String,
    actor_organisation: Option<Code>,
    action: CourseAction,
    course: Code,
    organisation: Code,
    before: Option<OldCourse>,
    after: OldCourse,
}

impl From<OldAuditEntry> for AuditEntry {
    fn from(old: OldAuditEntry) -> Self {
        AuditEntry {
            sequence: old.sequence,
            at: old.at,
            key_id: old.key_id,
            actor_organisation: old.actor_organisation,
            action: old.action,
            course: old.course,
            organisation: old.organisation,
            before: old.before.map(Course::from),
            after: old.after.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Record;

    fn code(text: &str) -> Code {
        Code::parse(text).unwrap()
    }

    fn old_course(number: u32) -> OldCourse {
        OldCourse {
            code: code(&format!("partner-course-{number}")),
            title: format!("MSc Health Leadership {number}"),
            provider: code("COVENTRY"),
            level: CourseLevel::Postgraduate,
            subject: "leadership".to_owned(),
            accredited_by: vec![code("CMI")],
            claimed_accreditations: Vec::new(),
            description: None,
            summary: "A partner's course.".to_owned(),
            sources: vec![code("partner-coventry")],
            publisher: Some(code("COVENTRY")),
            updated_at: Some(Utc::now()),
            retired_on: None,
        }
    }

    fn old_source() -> OldSource {
        OldSource {
            code: code("partner-coventry"),
            title: "Courses published by Coventry University".to_owned(),
            publisher: "Coventry University".to_owned(),
            author: None,
            published: None,
            as_of: None,
            kind: SourceKind::PartnerSubmission,
            document: String::new(),
            url: None,
            licence: None,
            description: None,
        }
    }

    /// Writes `value` in the old shape, as the older build did (same format byte).
    fn put_old(store: &Store, tree: &str, key: &[u8], value: &impl Serialize) {
        let bytes = codec::encode(value).unwrap();
        store
            .backend
            .transaction(&[tree], &[], &mut |transaction| {
                transaction.insert(tree, key, &bytes)
            })
            .unwrap();
    }

    #[test]
    fn partner_courses_sources_and_audit_from_an_older_build_are_read_after_reopening() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let course_tree = store.record_tree(RecordKind::Course).to_owned();
        let source_tree = store.record_tree(RecordKind::Source).to_owned();
        put_old(&store, &course_tree, b"partner-course-1", &old_course(1));
        put_old(&store, &source_tree, b"partner-coventry", &old_source());
        let entry = OldAuditEntry {
            sequence: 1,
            at: Utc::now(),
            key_id: "abc".to_owned(),
            actor_organisation: Some(code("COVENTRY")),
            action: CourseAction::Update,
            course: code("partner-course-1"),
            organisation: code("COVENTRY"),
            before: Some(old_course(0)),
            after: old_course(1),
        };
        put_old(&store, AUDIT_TREE, &1u64.to_be_bytes(), &entry);
        store
            .backend
            .transaction(&[META_TREE], &[], &mut |transaction| {
                transaction.remove(META_TREE, meta::SHAPES)
            })
            .unwrap();
        assert!(store.get::<Course>(&code("partner-course-1")).is_err());
        drop(store);

        let store = Store::open(directory.path()).unwrap();
        let course = store
            .get::<Course>(&code("partner-course-1"))
            .unwrap()
            .unwrap();
        assert_eq!(course.title, "MSc Health Leadership 1");
        assert_eq!(course.publisher, Some(code("COVENTRY")));
        assert!(course.citations().is_empty());
        let source = store
            .get::<Source>(&code("partner-coventry"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (source.kind, source.dated.clone()),
            (SourceKind::PartnerSubmission, None)
        );
        let audit = store.audit_entries(None, 0, 10).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            audit[0].before.as_ref().unwrap().title,
            "MSc Health Leadership 0"
        );
    }

    #[test]
    fn a_key_stored_before_keys_could_expire_is_read_after_reopening() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let created_at = Utc::now();
        let old = KeyWithoutExpiry {
            id: "abc".to_owned(),
            organisation: Code::parse("COVENTRY").ok(),
            secret_hash: [7; 32],
            label: Some("old".to_owned()),
            created_at,
            revoked_at: None,
        };
        put_old(&store, API_KEYS_TREE, b"abc", &old);
        store
            .backend
            .transaction(&[META_TREE], &[], &mut |transaction| {
                transaction.remove(META_TREE, meta::SHAPES)
            })
            .unwrap();
        assert!(store.api_key("abc").is_err());
        drop(store);

        let store = Store::open(directory.path()).unwrap();
        let key = store.api_key("abc").unwrap().unwrap();
        assert_eq!((key.id.as_str(), key.expires_at), ("abc", None));
        assert_eq!(key.label.as_deref(), Some("old"));
        let new = ApiKey {
            expires_at: Some(created_at),
            ..key
        };
        let bytes = codec::encode(&new).unwrap();
        assert_eq!(upgrade::<ApiKey, KeyWithoutExpiry>(&bytes).unwrap(), None);
        assert_eq!(codec::decode::<ApiKey, _>(|| "test", &bytes).unwrap(), new);
    }

    #[test]
    fn values_in_this_builds_shape_are_left_as_they_are() {
        let mut course: Course = old_course(2).into();
        course.citations = vec![crate::domain::Citation {
            source: code("partner-coventry"),
            quote: "MSc".to_owned(),
            location: None,
        }];
        let bytes = codec::encode(&course).unwrap();
        assert_eq!(upgrade::<Course, OldCourse>(&bytes).unwrap(), None);
        let old = codec::encode(&old_course(2)).unwrap();
        let upgraded = upgrade::<Course, OldCourse>(&old).unwrap().unwrap();
        let decoded: Course = codec::decode(|| "test", &upgraded).unwrap();
        assert_eq!(decoded.title, course.title);
        assert!(decoded.citations.is_empty());
    }
}
