//! Reading one field of a seed entry into its domain value: dates, enums, references and
//! texts that must not be empty; each refusal names the field.

use toml::value::Datetime;

use crate::domain::RecordRef;

/// A converted entry, or the field it cannot be read from and why.
pub(crate) type Converted<T> = Result<T, (&'static str, String)>;

/// A TOML date (`2026-01-05`), refusing times and offsets.
pub(crate) fn date(value: &Datetime) -> Result<chrono::NaiveDate, String> {
    if value.time.is_some() || value.offset.is_some() {
        return Err(format!("expected a date like 2026-01-05, got {value}"));
    }
    value
        .to_string()
        .parse()
        .map_err(|error| format!("invalid date {value}: {error}"))
}

/// Parses a SCREAMING_SNAKE_CASE seed value into a domain enum through its serde name.
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let pascal: String = text
        .split('_')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut characters = lower.chars();
            characters
                .next()
                .map(|first| first.to_uppercase().chain(characters).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    if text.is_empty() || text.chars().any(|c| !(c.is_ascii_uppercase() || c == '_')) {
        return None;
    }
    serde_json::from_value(serde_json::Value::String(pascal)).ok()
}

/// An enum field's value, or `unknown value`.
pub(super) fn enum_field<T: serde::de::DeserializeOwned>(
    field: &'static str,
    text: &str,
) -> Converted<T> {
    parse_enum(text).ok_or_else(|| (field, format!("unknown value {text:?}")))
}

/// An optional date field's value.
pub(super) fn optional_date(
    field: &'static str,
    value: Option<&Datetime>,
) -> Converted<Option<chrono::NaiveDate>> {
    value
        .map(date)
        .transpose()
        .map_err(|message| (field, message))
}

/// Refuses a text field that is empty or blank.
pub(super) fn non_empty(field: &'static str, text: &str) -> Converted<()> {
    if text.trim().is_empty() {
        return Err((field, "must not be empty".to_owned()));
    }
    Ok(())
}

/// A list of `kind:code` references.
pub(super) fn references(field: &'static str, texts: &[String]) -> Converted<Vec<RecordRef>> {
    texts
        .iter()
        .map(|text| RecordRef::parse(text).map_err(|message| (field, message)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrganisationKind, TopicCategory};

    #[test]
    fn seed_enum_values_are_screaming_snake_case() {
        assert_eq!(
            parse_enum::<OrganisationKind>("NHS_ENGLAND"),
            Some(OrganisationKind::NhsEngland)
        );
        assert_eq!(
            parse_enum::<OrganisationKind>("ICB"),
            Some(OrganisationKind::Icb)
        );
        assert_eq!(
            parse_enum::<TopicCategory>("ENTRY_ROUTE"),
            Some(TopicCategory::EntryRoute)
        );
        assert_eq!(parse_enum::<OrganisationKind>("Icb"), None);
        assert_eq!(parse_enum::<OrganisationKind>("SPACESHIP"), None);
    }
}
