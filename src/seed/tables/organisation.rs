//! `[[organisation]]`: the curated organisations (the registry's are read in `registry/`).

use serde::Deserialize;
use toml::value::Datetime;

use super::fields::{enum_field, non_empty, optional_date, Converted};
use super::{citations, CitationEntry, Entry};
use crate::domain::{Code, Organisation};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrganisationEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) parent: Option<Code>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) opened: Option<Datetime>,
    pub(crate) closed: Option<Datetime>,
    pub(crate) website: Option<String>,
    #[serde(default)]
    pub(crate) historical: bool,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for OrganisationEntry {
    type Record = Organisation;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Organisation> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(Organisation {
            code: self.code.clone(),
            name: self.name.clone(),
            registered_name: None,
            kind: enum_field("kind", &self.kind)?,
            foundation_trust: None,
            trust_type: None,
            aliases: self.aliases.clone(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            opened: optional_date("opened", self.opened.as_ref())?,
            closed: optional_date("closed", self.closed.as_ref())?,
            postcode: None,
            gss_code: None,
            website: self.website.clone(),
            predecessors: Vec::new(),
            historical: self.historical,
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}
