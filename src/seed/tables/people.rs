//! `[[role]]`, and the entries that become posts after the checks: `[[board]]` (a post for
//! each of its roles at every organisation of a kind) and `[[post]]` (one post, maybe its holder).

use serde::Deserialize;
use toml::value::Datetime;

use super::fields::{enum_field, non_empty, Converted};
use super::{citations, CitationEntry, Entry};
use crate::domain::{Code, Role};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) activities: Vec<String>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for RoleEntry {
    type Record = Role;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Role> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(Role {
            code: self.code.clone(),
            name: self.name.clone(),
            category: enum_field("category", &self.category)?,
            aliases: self.aliases.clone(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            activities: self.activities.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoardEntry {
    pub(crate) organisation_kind: String,
    pub(crate) roles: Vec<Code>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostEntry {
    pub(crate) organisation: Code,
    pub(crate) role: Code,
    pub(crate) holder: Option<String>,
    pub(crate) holder_as_of: Option<Datetime>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}
