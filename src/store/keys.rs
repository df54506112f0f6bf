//! Key encoding for the store's trees. Keys sort the way we scan them.
//!
//! A record reference is encoded as `[kind tag][code bytes]`; an edge key as
//! `[from ref] 0x00 [to ref]`. Codes never contain `0x00` (see `domain::Code`), so a prefix of
//! `[ref] 0x00` selects exactly the edges of one record, and the key splits back unambiguously.

use crate::domain::{Code, OrganisationKind, RecordKind, RecordRef};

/// Separates the two references of an edge key.
const SEPARATOR: u8 = 0x00;

/// The one-byte tag of a record kind in keys: the kind table's (`domain::RecordKind::tag`).
/// Tags are persisted: only ever append.
pub(crate) fn kind_tag(kind: RecordKind) -> u8 {
    kind.tag()
}

/// The one-byte tag of an organisation kind in `organisations_by_kind` keys. Persisted: only append.
pub(crate) fn organisation_kind_tag(kind: OrganisationKind) -> u8 {
    match kind {
        OrganisationKind::NhsEngland => 1,
        OrganisationKind::Region => 2,
        OrganisationKind::Icb => 3,
        OrganisationKind::Trust => 4,
        OrganisationKind::ClinicalCommissioningGroup => 5,
        OrganisationKind::University => 6,
        OrganisationKind::ProfessionalBody => 7,
        OrganisationKind::LeadershipAcademy => 8,
        OrganisationKind::Government => 9,
        OrganisationKind::Regulator => 10,
        OrganisationKind::Company => 11,
        OrganisationKind::Other => 12,
    }
}

/// `[organisation kind tag] code`.
pub(crate) fn organisation_kind_key(kind: OrganisationKind, code: &Code) -> Vec<u8> {
    let mut key = vec![organisation_kind_tag(kind)];
    key.extend_from_slice(code.as_str().as_bytes());
    key
}

/// The code in an `organisations_by_kind` key.
pub(crate) fn organisation_kind_key_code(key: &[u8]) -> Option<Code> {
    Code::parse(std::str::from_utf8(key.get(1..)?).ok()?).ok()
}

fn kind_from_tag(tag: u8) -> Option<RecordKind> {
    RecordKind::ALL
        .into_iter()
        .find(|kind| kind_tag(*kind) == tag)
}

pub(crate) fn reference_key(reference: &RecordRef) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + reference.code.as_str().len());
    key.push(kind_tag(reference.kind));
    key.extend_from_slice(reference.code.as_str().as_bytes());
    key
}

/// `[from] 0x00 [to]`.
pub(crate) fn edge_key(first: &RecordRef, second: &RecordRef) -> Vec<u8> {
    let mut key = edge_prefix(first);
    key.extend_from_slice(&reference_key(second));
    key
}

/// The prefix of every edge key whose first reference is `first`.
pub(crate) fn edge_prefix(first: &RecordRef) -> Vec<u8> {
    let mut key = reference_key(first);
    key.push(SEPARATOR);
    key
}

/// The two encoded references of an edge key, or `None` if the key is not one.
pub(crate) fn edge_parts(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let separator = key.iter().skip(1).position(|byte| *byte == SEPARATOR)? + 1;
    Some((&key[..separator], &key[separator + 1..]))
}

/// The encoded reference of a record stored under `code` in the tree of `kind`.
pub(crate) fn record_reference_key(kind: RecordKind, code: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + code.len());
    key.push(kind_tag(kind));
    key.extend_from_slice(code);
    key
}

/// The reference `reference_key` encoded, or `None` if `bytes` is not one.
pub(crate) fn decode_reference(bytes: &[u8]) -> Option<RecordRef> {
    let (tag, code) = bytes.split_first()?;
    let kind = kind_from_tag(*tag)?;
    let code = Code::parse(std::str::from_utf8(code).ok()?).ok()?;
    Some(RecordRef::new(kind, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> RecordRef {
        RecordRef::parse(text).unwrap()
    }

    #[test]
    fn edge_keys_split_back_into_their_second_reference() {
        let key = edge_key(
            &reference("organisation:QWE"),
            &reference("organisation:RJ1"),
        );
        let (_, second) = edge_parts(&key).unwrap();
        assert_eq!(
            decode_reference(second),
            Some(reference("organisation:RJ1"))
        );
    }

    #[test]
    fn an_edge_prefix_does_not_match_a_longer_code() {
        let short = edge_prefix(&reference("organisation:RJ1"));
        let longer = edge_key(&reference("organisation:RJ12"), &reference("role:chair"));
        assert!(!longer.starts_with(&short));
    }

    #[test]
    fn every_kind_has_a_distinct_tag() {
        let mut tags: Vec<u8> = RecordKind::ALL.iter().map(|kind| kind_tag(*kind)).collect();
        tags.sort_unstable();
        tags.dedup();
        assert_eq!(tags.len(), RecordKind::ALL.len());
        assert!(!tags.contains(&SEPARATOR));
    }

    /// The tags are in every key on disk, and the kinds' order in every stored reference
    /// (postcard writes a `RecordKind` as its position): changing either misreads a store.
    #[test]
    fn kind_tags_are_the_ones_on_disk() {
        let tags: Vec<(&str, u8)> = RecordKind::ALL
            .iter()
            .map(|kind| (kind.reference_name(), kind_tag(*kind)))
            .collect();
        assert_eq!(
            tags,
            [
                ("organisation", 1),
                ("role", 2),
                ("post", 3),
                ("programme", 4),
                ("course", 5),
                ("qualification", 6),
                ("pay-band", 7),
                ("topic", 8),
                ("career-story", 9),
                ("figure", 10),
                ("source", 11),
            ]
        );
    }
}
