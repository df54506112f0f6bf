//! Onboarding a partner organisation: its record, the source recording that the operator
//! added it, and its first API key, written together.

use chrono::{DateTime, Utc};

use super::keys::{checked_label, expiry_after, new_key, KeyView};
use super::{internal, Expiry, IssuedKey, OperatorError};
use crate::domain::{Code, Organisation, OrganisationKind, Source, SourceKind};
use crate::store::{OrganisationAdded, Store};

/// The longest name and web address accepted, in characters.
const MAX_NAME_CHARS: usize = 200;
const MAX_WEBSITE_CHARS: usize = 500;

/// A partner organisation to add.
#[derive(Debug, Clone, Default)]
pub struct NewPartner {
    /// Its code, such as `KEELE`: upper-case letters, digits and `-`.
    pub code: String,
    pub name: String,
    /// `UNIVERSITY` when absent.
    pub kind: Option<OrganisationKind>,
    /// An `http://` or `https://` address.
    pub website: Option<String>,
    /// The label of its key (by default "<name> (onboarding)").
    pub label: Option<String>,
    pub expires: Option<Expiry>,
}

/// A partner just added: its record, its source, and its key (shown once).
#[derive(Debug, Clone)]
pub struct Onboarded {
    pub organisation: Organisation,
    pub source: Source,
    pub key: IssuedKey,
}

/// A partner just added, as the admin API answers it and the CLI prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerView {
    pub organisation: PartnerOrganisationView,
    pub source: PartnerSourceView,
    pub key: KeyView,
}

/// The organisation of a [`PartnerView`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerOrganisationView {
    pub code: String,
    pub name: String,
    /// As the GraphQL schema spells it (`UNIVERSITY`).
    pub kind: String,
    pub website: Option<String>,
    pub summary: String,
}

/// The source of a [`PartnerView`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSourceView {
    pub code: String,
    pub title: String,
}

impl PartnerView {
    pub fn of(onboarded: &Onboarded) -> Self {
        let organisation = &onboarded.organisation;
        let kind = kind_name(organisation.kind);
        Self {
            organisation: PartnerOrganisationView {
                code: organisation.code.to_string(),
                name: organisation.name.clone(),
                kind: kind.to_owned(),
                website: organisation.website.clone(),
                summary: organisation.summary.clone(),
            },
            source: PartnerSourceView {
                code: onboarded.source.code.to_string(),
                title: onboarded.source.title.clone(),
            },
            key: KeyView::issued(&onboarded.key),
        }
    }
}

/// The kinds an operator may add: NHS bodies come from the registry, never by hand.
const ADDABLE_KINDS: [(&str, OrganisationKind); 7] = [
    ("UNIVERSITY", OrganisationKind::University),
    ("PROFESSIONAL_BODY", OrganisationKind::ProfessionalBody),
    ("LEADERSHIP_ACADEMY", OrganisationKind::LeadershipAcademy),
    ("GOVERNMENT", OrganisationKind::Government),
    ("REGULATOR", OrganisationKind::Regulator),
    ("COMPANY", OrganisationKind::Company),
    ("OTHER", OrganisationKind::Other),
];

/// An organisation kind as the GraphQL schema spells it (`UNIVERSITY`), for the kinds an
/// operator may add (`OTHER` for any other).
pub fn kind_name(kind: OrganisationKind) -> &'static str {
    ADDABLE_KINDS
        .iter()
        .find(|(_, addable)| *addable == kind)
        .map_or("OTHER", |(name, _)| name)
}

/// Reads an organisation kind as the GraphQL schema spells it (`UNIVERSITY`), among those
/// an operator may add.
pub fn parse_kind(text: &str) -> Result<OrganisationKind, OperatorError> {
    let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
    ADDABLE_KINDS
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            let names: Vec<&str> = ADDABLE_KINDS.iter().map(|(name, _)| *name).collect();
            OperatorError::Invalid(format!(
                "kind {text:?} cannot be added by an operator; use one of {}",
                names.join(", ")
            ))
        })
}

/// Adds the organisation `request` describes, citing a new `operator-<code>` source, and
/// issues its key, in one durable write (all or nothing); on `at`'s date.
pub fn add_partner(
    store: &Store,
    request: NewPartner,
    at: DateTime<Utc>,
) -> Result<Onboarded, OperatorError> {
    let code = partner_code(&request.code)?;
    let name = checked_text("name", &request.name, MAX_NAME_CHARS)?;
    let website = match request.website.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(website) => Some(checked_website(website)?),
    };
    let kind = request.kind.unwrap_or(OrganisationKind::University);
    if !ADDABLE_KINDS.iter().any(|(_, addable)| *addable == kind) {
        return Err(OperatorError::Invalid(format!(
            "an operator cannot add an organisation of kind {kind:?}: NHS bodies come from the registry"
        )));
    }
    refuse_taken_code(store, &code)?;
    let label = checked_label(request.label)?.or_else(|| Some(format!("{name} (onboarding)")));
    let expires_at = expiry_after(at, request.expires)?;
    let source = operator_source(&code, &name, at);
    let summary = format!(
        "{name} is a partner {} added by the operator on {}; it publishes its own courses through the partner API.",
        kind_words(kind),
        at.date_naive()
    );
    // Added by the operator, not from a document: no quote to cite; its source says so.
    let organisation = Organisation {
        summary,
        website,
        sources: vec![source.code.clone()],
        ..Organisation::new(code.clone(), name, kind)
    };
    let key = new_key(Some(code.clone()), label, at, expires_at)?;
    match store
        .add_organisation(&organisation, &source, Some(&key.key))
        .map_err(internal)?
    {
        OrganisationAdded::Added { .. } => Ok(Onboarded {
            organisation,
            source,
            key,
        }),
        OrganisationAdded::OrganisationExists => Err(exists(&code)),
        OrganisationAdded::SourceExists => Err(OperatorError::Exists(format!(
            "a source with code {:?} exists already",
            source.code.as_str()
        ))),
    }
}

/// The source an operator-added organisation cites.
fn operator_source(code: &Code, name: &str, at: DateTime<Utc>) -> Source {
    let source_code = Code::parse(&format!("operator-{}", code.as_str().to_lowercase()))
        .expect("a partner code with a prefix is a valid code");
    Source {
        code: source_code,
        title: format!("Added by the operator on {}", at.date_naive()),
        publisher: "the operator of this server".to_owned(),
        author: None,
        published: Some(at.date_naive()),
        as_of: None,
        kind: SourceKind::Operator,
        document: String::new(),
        url: None,
        licence: None,
        dated: None,
        evidence: None,
        description: Some(format!(
            "{name} was added as a partner organisation by the server's operator, not from a published document."
        )),
    }
}

/// A partner's code: upper-case ASCII letters, digits and `-`, at most 32 characters.
fn partner_code(text: &str) -> Result<Code, OperatorError> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text.len() <= 32
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(OperatorError::Invalid(format!(
            "code {text:?} must be 1 to 32 upper-case letters, digits or '-', such as KEELE"
        )));
    }
    Code::parse(text).map_err(|error| OperatorError::Invalid(format!("code: {error}")))
}

/// Refuses a code any organisation has, in any letter case (clients look codes up
/// case-insensitively).
fn refuse_taken_code(store: &Store, code: &Code) -> Result<(), OperatorError> {
    let organisations = store.list::<Organisation>().map_err(internal)?;
    if organisations.iter().any(|organisation| {
        organisation
            .code
            .as_str()
            .eq_ignore_ascii_case(code.as_str())
    }) {
        return Err(exists(code));
    }
    Ok(())
}

fn exists(code: &Code) -> OperatorError {
    OperatorError::Exists(format!(
        "an organisation with code {:?} exists already; issue it a key with POST /admin/keys (or `keys issue`) instead",
        code.as_str()
    ))
}

fn checked_text(field: &str, value: &str, max: usize) -> Result<String, OperatorError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(OperatorError::Invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(OperatorError::Invalid(format!(
            "{field} must be at most {max} characters, without control characters"
        )));
    }
    Ok(value.to_owned())
}

fn checked_website(website: &str) -> Result<String, OperatorError> {
    let website = checked_text("website", website, MAX_WEBSITE_CHARS)?;
    let has_host = website
        .strip_prefix("https://")
        .or_else(|| website.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
    if !has_host {
        return Err(OperatorError::Invalid(format!(
            "website {website:?} must be an http:// or https:// address"
        )));
    }
    Ok(website)
}

fn kind_words(kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::University => "university",
        OrganisationKind::ProfessionalBody => "professional body",
        OrganisationKind::LeadershipAcademy => "leadership academy",
        OrganisationKind::Government => "government body",
        OrganisationKind::Regulator => "regulator",
        OrganisationKind::Company => "company",
        _ => "organisation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_code_is_upper_case_letters_digits_and_dashes() {
        assert_eq!(partner_code(" KEELE ").unwrap().as_str(), "KEELE");
        assert!(partner_code("keele").is_err());
        assert!(partner_code("KE ELE").is_err());
        assert!(partner_code("").is_err());
    }

    #[test]
    fn kinds_are_read_as_the_schema_spells_them_and_nhs_bodies_are_refused() {
        assert_eq!(
            parse_kind("university").unwrap(),
            OrganisationKind::University
        );
        assert_eq!(
            parse_kind("PROFESSIONAL_BODY").unwrap(),
            OrganisationKind::ProfessionalBody
        );
        let error = parse_kind("TRUST").unwrap_err();
        assert!(error.to_string().contains("UNIVERSITY"), "{error}");
    }

    #[test]
    fn a_website_must_be_an_http_address() {
        assert!(checked_website("https://www.keele.ac.uk").is_ok());
        assert!(checked_website("www.keele.ac.uk").is_err());
        assert!(checked_website("https://").is_err());
    }
}
