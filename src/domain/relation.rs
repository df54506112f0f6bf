//! Relationships between records: typed, directed and, where the registry dates them, dated.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::RecordRef;

/// A directed relationship from one record to another.
///
/// Every relation is stored in both directions, so a client can follow it either way.
/// The comment on each variant reads `from -> to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Relation {
    /// organisation -> its parent organisation (trust -> ICB -> region -> NHS England), dated.
    Parent,
    /// organisation -> an organisation it succeeded (a merged ICB -> the ICBs it replaced).
    Predecessor,
    /// post -> the organisation it is at.
    PostOrganisation,
    /// post -> the role it is a post of.
    PostRole,
    /// programme -> the organisation that provides it.
    ProgrammeProvider,
    /// programme -> an organisation it was developed with.
    ProgrammePartner,
    /// programme -> the body that accredits it.
    ProgrammeAccreditedBy,
    /// programme -> a role it prepares for.
    ProgrammeRole,
    /// programme -> the scheme it is a specialism of.
    ProgrammeParent,
    /// programme -> a qualification it leads to.
    ProgrammeQualification,
    /// course -> the university or body that offers it.
    CourseProvider,
    /// course -> the body that accredits it.
    CourseAccreditedBy,
    /// qualification -> the body that awards it.
    QualificationAwardedBy,
    /// qualification -> a role it is studied for.
    QualificationRole,
    /// pay band -> a role the source places in that band.
    PayBandRole,
    /// topic, figure or career story -> a record it is about.
    About,
    /// any record -> a source it comes from.
    Cites,
}

impl Relation {
    pub const ALL: [Relation; 17] = [
        Relation::Parent,
        Relation::Predecessor,
        Relation::PostOrganisation,
        Relation::PostRole,
        Relation::ProgrammeProvider,
        Relation::ProgrammePartner,
        Relation::ProgrammeAccreditedBy,
        Relation::ProgrammeRole,
        Relation::ProgrammeParent,
        Relation::ProgrammeQualification,
        Relation::CourseProvider,
        Relation::CourseAccreditedBy,
        Relation::QualificationAwardedBy,
        Relation::QualificationRole,
        Relation::PayBandRole,
        Relation::About,
        Relation::Cites,
    ];

    /// A short stable name, used for store tree names and logs.
    pub fn name(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Predecessor => "predecessor",
            Relation::PostOrganisation => "post_organisation",
            Relation::PostRole => "post_role",
            Relation::ProgrammeProvider => "programme_provider",
            Relation::ProgrammePartner => "programme_partner",
            Relation::ProgrammeAccreditedBy => "programme_accredited_by",
            Relation::ProgrammeRole => "programme_role",
            Relation::ProgrammeParent => "programme_parent",
            Relation::ProgrammeQualification => "programme_qualification",
            Relation::CourseProvider => "course_provider",
            Relation::CourseAccreditedBy => "course_accredited_by",
            Relation::QualificationAwardedBy => "qualification_awarded_by",
            Relation::QualificationRole => "qualification_role",
            Relation::PayBandRole => "pay_band_role",
            Relation::About => "about",
            Relation::Cites => "cites",
        }
    }
}

/// The dates a relationship held, both inclusive; `None` means "not known to start" or "still holds".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Validity {
    pub const ALWAYS: Validity = Validity {
        from: None,
        to: None,
    };

    /// Whether the relationship held on `date`.
    pub fn holds_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }
}

/// One relationship instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: RecordRef,
    pub relation: Relation,
    pub to: RecordRef,
    pub validity: Validity,
}

/// Which way to follow a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the record that holds the reference (programme -> its provider).
    Outgoing,
    /// Back to the records that hold a reference to this one (provider -> its programmes).
    Incoming,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn validity_includes_both_end_dates() {
        let validity = Validity {
            from: Some(date("2022-07-01")),
            to: Some(date("2026-03-31")),
        };
        assert!(!validity.holds_on(date("2022-06-30")));
        assert!(validity.holds_on(date("2022-07-01")));
        assert!(validity.holds_on(date("2026-03-31")));
        assert!(!validity.holds_on(date("2026-04-01")));
        assert!(Validity::ALWAYS.holds_on(date("1948-07-05")));
    }
}
