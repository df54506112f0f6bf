//! The knowledge around the organisations: pay bands, topics, career stories, figures, and
//! the sources every fact comes from.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{record, refs, Record, RecordKind};
use crate::domain::{Citation, Code, Qualifier, RecordRef, Relation};

/// An Agenda for Change pay band with the example roles a source places in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayBand {
    pub code: Code,
    pub name: String,
    pub band: String,
    pub example_roles: Vec<String>,
    pub roles: Vec<Code>,
    pub description: Option<String>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(PayBand, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        refs(Relation::PayBandRole, RecordKind::Role, &self.roles)
    }
});

/// What a topic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopicCategory {
    Challenge,
    LeadershipBehaviour,
    LeadershipQuality,
    LeadershipModel,
    LeadershipApproach,
    SuccessionPlanning,
    ClinicalLeadership,
    CareerPathway,
    EntryRoute,
    Benefit,
    WorkingConditions,
    Accreditation,
    Structure,
    Other,
}

/// A piece of leadership or career knowledge: a challenge, a behaviour, an entry route...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub code: Code,
    pub category: TopicCategory,
    pub name: String,
    pub aliases: Vec<String>,
    pub text: String,
    /// The list items the source gives (implications, steps, behaviours).
    pub points: Vec<String>,
    pub related: Vec<RecordRef>,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Topic, name, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        self.related
            .iter()
            .map(|to| (Relation::About, to.clone()))
            .collect()
    }
});

/// A real person's career story, as a source tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CareerStory {
    pub code: Code,
    pub person: String,
    pub job_title: String,
    pub employer: String,
    pub organisation: Option<Code>,
    pub entry_route: Option<Code>,
    pub role: Option<Code>,
    pub text: String,
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(CareerStory, person, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        let mut references = refs(
            Relation::About,
            RecordKind::Organisation,
            &self.organisation,
        );
        references.extend(refs(Relation::About, RecordKind::Topic, &self.entry_route));
        references.extend(refs(Relation::About, RecordKind::Role, &self.role));
        references
    }
});

/// A quantitative statement with its unit, scope, date and source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub code: Code,
    pub statement: String,
    /// The number the source states (the low end of a range).
    pub value: f64,
    /// The high end, where the source states a range.
    pub value_max: Option<f64>,
    /// The hedge the source puts on the number ("nearly", "more than").
    pub qualifier: Option<Qualifier>,
    pub unit: String,
    pub scope: String,
    /// The date the figure is stated for, where the source gives one.
    pub as_of: Option<NaiveDate>,
    pub about: Vec<RecordRef>,
    /// The statement with its number, hedge and unit, attributed to its source and date.
    pub summary: String,
    pub sources: Vec<Code>,
    /// The words of its sources each fact rests on.
    pub citations: Vec<Citation>,
}

record!(Figure, statement, {
    fn references(&self) -> Vec<(Relation, RecordRef)> {
        self.about
            .iter()
            .map(|to| (Relation::About, to.clone()))
            .collect()
    }
});

/// What kind of document a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    WebPage,
    Article,
    Booklet,
    Dataset,
    /// Information a partner organisation published itself through the API.
    PartnerSubmission,
    /// An entry the server's operator made (a partner organisation added on a running
    /// server); no document lies behind it.
    Operator,
}

/// A document facts come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub code: Code,
    pub title: String,
    pub publisher: String,
    pub author: Option<String>,
    pub published: Option<NaiveDate>,
    /// The date its facts are current at, where that differs from `published`.
    pub as_of: Option<NaiveDate>,
    pub kind: SourceKind,
    pub document: String,
    pub url: Option<String>,
    pub licence: Option<String>,
    pub description: Option<String>,
    /// For a document that carries no date: its date in words, estimated from internal
    /// evidence (e.g. "circa 2013–14"); `as_of` then holds the estimated date.
    pub dated: Option<String>,
    /// How `dated` was estimated.
    pub evidence: Option<String>,
}

impl Source {
    /// The date to show with its facts: the estimate in words, else the effective date.
    pub fn date_label(&self) -> Option<String> {
        self.dated
            .clone()
            .or_else(|| self.effective_date().map(|date| date.to_string()))
    }

    /// The date a client should read this source's facts as current at.
    pub fn effective_date(&self) -> Option<NaiveDate> {
        self.as_of.or(self.published)
    }
}

impl Record for Source {
    const KIND: RecordKind = RecordKind::Source;

    fn code(&self) -> &Code {
        &self.code
    }

    fn name(&self) -> &str {
        &self.title
    }

    /// A sentence naming the document, its publisher and date.
    fn summary(&self) -> Cow<'_, str> {
        let date = self
            .date_label()
            .map(|date| format!(", {date}"))
            .unwrap_or_default();
        Cow::Owned(format!("{} ({}{date}).", self.title, self.publisher))
    }

    fn sources(&self) -> &[Code] {
        std::slice::from_ref(&self.code)
    }

    /// A source is its own evidence.
    fn citations(&self) -> &[Citation] {
        &[]
    }

    fn references(&self) -> Vec<(Relation, RecordRef)> {
        Vec::new()
    }
}
