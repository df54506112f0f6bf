//! Natural keys: the stable codes every record is known by, and typed references to records.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RecordKind;

/// A record's natural key: an ODS code (`RJ1`), a short upper-case code (`CMI`) or a
/// lowercase slug (`mary-seacole`). Posts use `ORGANISATION/role`.
///
/// Codes are parsed once, so code that holds a `Code` can rely on it being non-empty,
/// at most [`Code::MAX_LEN`] bytes, and made only of ASCII letters, digits, `-`, `_`, `.` and `/`.
/// That keeps them safe inside store keys (which use `0x00` as a separator) and URLs.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

/// Why a text is not a valid [`Code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("code is empty")]
    Empty,
    #[error("code is longer than {max} characters", max = Code::MAX_LEN)]
    TooLong,
    #[error("code {0:?} may only contain ASCII letters, digits, '-', '_', '.' and '/'")]
    InvalidCharacter(String),
}

impl Code {
    /// The longest code accepted, in bytes.
    pub const MAX_LEN: usize = 120;

    /// Parses a code, refusing anything that could not be a natural key.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        if text.is_empty() {
            return Err(CodeError::Empty);
        }
        if text.len() > Self::MAX_LEN {
            return Err(CodeError::TooLong);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
        if !text.chars().all(allowed) {
            return Err(CodeError::InvalidCharacter(text.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The code of the post of `role` at `organisation`.
    pub fn post(organisation: &Code, role: &Code) -> Self {
        Self(format!("{}/{}", organisation.0, role.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = CodeError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> Self {
        code.0
    }
}

impl FromStr for Code {
    type Err = CodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl RecordKind {
    pub fn from_reference_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.reference_name() == name)
    }

    pub fn from_type_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.type_name() == name)
    }
}

/// A typed reference to a record: `organisation:X24`, `role:chief-executive`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub code: Code,
}

impl RecordRef {
    pub fn new(kind: RecordKind, code: Code) -> Self {
        Self { kind, code }
    }

    /// Parses `kind:code`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (kind, code) = text
            .split_once(':')
            .ok_or_else(|| format!("expected `kind:code`, got {text:?}"))?;
        let kind = RecordKind::from_reference_name(kind).ok_or_else(|| {
            let kinds: Vec<_> = RecordKind::ALL.iter().map(|k| k.reference_name()).collect();
            format!(
                "unknown record kind {kind:?} (expected one of {})",
                kinds.join(", ")
            )
        })?;
        let code = Code::parse(code).map_err(|error| error.to_string())?;
        Ok(Self { kind, code })
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.reference_name(), self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_ods_codes_slugs_and_post_keys() {
        for text in [
            "X24",
            "RJ1",
            "mary-seacole",
            "RJ1/chief-executive",
            "afc-band-8a",
        ] {
            assert_eq!(Code::parse(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn codes_refuse_separators_spaces_and_empty_text() {
        assert_eq!(Code::parse(""), Err(CodeError::Empty));
        assert!(matches!(
            Code::parse("a b"),
            Err(CodeError::InvalidCharacter(_))
        ));
        assert!(matches!(
            Code::parse("a\0b"),
            Err(CodeError::InvalidCharacter(_))
        ));
        assert_eq!(Code::parse(&"x".repeat(121)), Err(CodeError::TooLong));
    }

    #[test]
    fn record_references_round_trip_through_text() {
        let reference = RecordRef::parse("pay-band:afc-band-5").unwrap();
        assert_eq!(reference.kind, RecordKind::PayBand);
        assert_eq!(reference.to_string(), "pay-band:afc-band-5");
        assert!(RecordRef::parse("planet:mars")
            .unwrap_err()
            .contains("unknown record kind"));
        assert!(RecordRef::parse("X24").is_err());
    }
}
