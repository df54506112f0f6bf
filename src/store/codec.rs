//! Record encoding: a format version byte, then the record in postcard.
//!
//! Every value read from the store decodes through [`decode`], so a future format change
//! (a new version byte and a migration) has exactly one place to go.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Error;

/// The current encoding of every stored value. Bump it, and teach [`decode`] the old one,
/// when a stored type changes shape.
pub(crate) const FORMAT_VERSION: u8 = 2;

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    let body = postcard::to_allocvec(value).map_err(|source| Error::Encode { source })?;
    let mut bytes = Vec::with_capacity(1 + body.len());
    bytes.push(FORMAT_VERSION);
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// Decodes a value of the tree `tree` names (asked only for an error message).
pub(crate) fn decode<T: DeserializeOwned, N: Into<String>>(
    tree: impl FnOnce() -> N,
    bytes: &[u8],
) -> Result<T, Error> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => {
            postcard::from_bytes(body).map_err(|source| Error::Decode {
                tree: tree().into(),
                source,
            })
        }
        Some((version, _)) => Err(Error::UnsupportedFormat {
            tree: tree().into(),
            version: *version,
        }),
        None => Err(Error::UnsupportedFormat {
            tree: tree().into(),
            version: 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Validity;

    #[test]
    fn values_round_trip_with_their_version_byte() {
        let validity = Validity {
            from: "2022-07-01".parse().ok(),
            to: None,
        };
        let bytes = encode(&validity).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(decode::<Validity, _>(|| "test", &bytes).unwrap(), validity);
    }

    #[test]
    fn an_unknown_version_is_refused_not_misread() {
        let error = decode::<Validity, _>(|| "test", &[99, 0, 0]).unwrap_err();
        assert!(matches!(
            error,
            Error::UnsupportedFormat { version: 99, .. }
        ));
    }
}
