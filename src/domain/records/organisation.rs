//! Organisations: NHS England, its regions, ICBs and trusts, universities, professional bodies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{record, refs, Record, RecordKind};
use crate::domain::{Citation, Code, RecordRef, Relation, Staleness, Validity};

/// What kind of organisation this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrganisationKind {
    NhsEngland,
    Region,
    Icb,
    Trust,
    ClinicalCommissioningGroup,
    University,
    ProfessionalBody,
    LeadershipAcademy,
    Government,
    Regulator,
    Company,
    Other,
}

/// The service type of an NHS trust, recorded only where a source states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrustType {
    Acute,
    MentalHealth,
    Community,
    Ambulance,
    Specialist,
}

/// An organisation: NHS England, a region, an ICB, a trust, a university, a professional body...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// ODS code for NHS bodies (`Y56`, `QWE`, `RJ1`), a short stable code for others (`CMI`).
    pub code: Code,
    pub name: String,
    /// The name exactly as the registry publishes it, where one does.
    pub registered_name: Option<String>,
    pub kind: OrganisationKind,
    /// For trusts: whether it is an NHS foundation trust, as its registered name tells.
    pub foundation_trust: Option<bool>,
    pub trust_type: Option<TrustType>,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub summary: String,
    pub opened: Option<NaiveDate>,
    /// The last day it was open.
    pub closed: Option<NaiveDate>,
    pub postcode: Option<String>,
    /// ONS (GSS) code, for regions and ICBs.
    pub gss_code: Option<String>,
    pub website: Option<String>,
    /// Organisations it succeeded.
    pub predecessors: Vec<Code>,
    /// It no longer exists in the form the source describes (a CCG, a PCT).
    pub historical: bool,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

impl Organisation {
    /// An organisation known only by its code, name and kind: no dates, links, sources or
    /// quotes yet (what an operator adds, before its source is cited).
    pub fn new(code: Code, name: String, kind: OrganisationKind) -> Self {
        Self {
            code,
            name,
            registered_name: None,
            kind,
            citations: Vec::new(),
            historical: false,
            foundation_trust: None,
            trust_type: None,
            aliases: Vec::new(),
            description: None,
            summary: String::new(),
            opened: None,
            closed: None,
            postcode: None,
            gss_code: None,
            website: None,
            predecessors: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Whether the organisation was open on `date` (opening and closing days included).
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        Validity {
            from: self.opened,
            to: self.closed,
        }
        .holds_on(date)
    }
}

record!(Organisation, name, {
    fn staleness(&self) -> Staleness {
        Staleness {
            closed: self.closed,
            historical: self.historical,
            ..Staleness::default()
        }
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        refs(
            Relation::Predecessor,
            RecordKind::Organisation,
            &self.predecessors,
        )
    }
});
