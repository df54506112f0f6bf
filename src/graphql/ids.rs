//! Global object ids (Relay `Node`): opaque to clients, but derived from the record's kind and
//! natural key, never from load order, so a saved id survives a reseed or a release.

use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::domain::{Code, RecordKind, RecordRef};

/// `base64url("Organisation:QWE")`.
pub(crate) fn global_id(kind: RecordKind, code: &Code) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.type_name(), code)))
}

/// The record a global id names, or `None` if it is not one of ours.
pub(crate) fn parse_global_id(id: &str) -> Option<RecordRef> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (type_name, code) = text.split_once(':')?;
    let kind = RecordKind::from_type_name(type_name)?;
    Some(RecordRef::new(kind, Code::parse(code).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_do_not_depend_on_anything_but_the_key() {
        let code = Code::parse("RJ1/chief-executive").unwrap();
        let id = global_id(RecordKind::Post, &code);
        assert_eq!(id.0, global_id(RecordKind::Post, &code).0);
        assert_eq!(
            parse_global_id(&id),
            Some(RecordRef::new(RecordKind::Post, code))
        );
    }

    #[test]
    fn foreign_or_garbled_ids_are_not_ours() {
        assert_eq!(parse_global_id("not base64!"), None);
        assert_eq!(
            parse_global_id(&URL_SAFE_NO_PAD.encode("Planet:Mars")),
            None
        );
        assert_eq!(
            parse_global_id(&URL_SAFE_NO_PAD.encode("Organisation:")),
            None
        );
    }
}
