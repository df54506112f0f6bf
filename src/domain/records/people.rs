//! Roles, and their posts at one organisation each.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{organisation, record, Record, RecordKind};
use crate::domain::{Citation, Code, RecordRef, Relation, Staleness};

/// How a role sits in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleCategory {
    Executive,
    NonExecutive,
    SystemLeadership,
    Management,
    ClinicalLeadership,
    Supervisory,
    Trainee,
}

/// An executive, board or management role, independent of any organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub code: Code,
    pub name: String,
    pub category: RoleCategory,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub summary: String,
    /// What people in the role do, as the sources list it.
    pub activities: Vec<String>,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Role, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        Vec::new()
    }
});

/// Who holds a post, as a source states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    /// The date the source says this was so.
    pub as_of: Option<NaiveDate>,
}

/// The post of a role at one organisation, e.g. the chief executive of RJ1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// `ORGANISATION/role`.
    pub code: Code,
    pub name: String,
    pub organisation: Code,
    pub role: Code,
    pub holder: Option<Holder>,
    /// Made from a `[[board]]` template (a typical board post), not stated for this
    /// organisation by a source.
    pub from_template: bool,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Post, name, {
    fn staleness(&self) -> Staleness {
        Staleness {
            holder: self.holder.as_ref().map(|holder| holder.as_of),
            ..Staleness::default()
        }
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        vec![
            (Relation::PostOrganisation, organisation(&self.organisation)),
            (
                Relation::PostRole,
                RecordRef::new(RecordKind::Role, self.role.clone()),
            ),
        ]
    }
});
