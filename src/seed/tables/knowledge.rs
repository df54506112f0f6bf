//! `[[source]]`, `[[pay_band]]`, `[[topic]]`, `[[career_story]]` and `[[figure]]`.

use serde::Deserialize;
use toml::value::Datetime;

use super::fields::{enum_field, non_empty, optional_date, references, Converted};
use super::{citations, CitationEntry, Entry};
use crate::domain::{CareerStory, Code, Figure, PayBand, Qualifier, Source, Topic};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceEntry {
    pub(crate) code: Code,
    pub(crate) title: String,
    pub(crate) publisher: String,
    pub(crate) author: Option<String>,
    pub(crate) published: Option<Datetime>,
    pub(crate) as_of: Option<Datetime>,
    pub(crate) kind: String,
    pub(crate) document: String,
    pub(crate) url: Option<String>,
    pub(crate) licence: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) dated: Option<String>,
    pub(crate) evidence: Option<String>,
}

impl Entry for SourceEntry {
    type Record = Source;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Source> {
        non_empty("title", &self.title)?;
        Ok(Source {
            code: self.code.clone(),
            title: self.title.clone(),
            publisher: self.publisher.clone(),
            author: self.author.clone(),
            published: optional_date("published", self.published.as_ref())?,
            as_of: optional_date("as_of", self.as_of.as_ref())?,
            kind: enum_field("kind", &self.kind)?,
            document: self.document.clone(),
            url: self.url.clone(),
            licence: self.licence.clone(),
            description: self.description.clone(),
            dated: self.dated.clone(),
            evidence: self.evidence.clone(),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PayBandEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) band: String,
    #[serde(default)]
    pub(crate) example_roles: Vec<String>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for PayBandEntry {
    type Record = PayBand;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<PayBand> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(PayBand {
            code: self.code.clone(),
            name: self.name.clone(),
            band: self.band.clone(),
            example_roles: self.example_roles.clone(),
            roles: self.roles.clone(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopicEntry {
    pub(crate) code: Code,
    pub(crate) category: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) points: Vec<String>,
    #[serde(default)]
    pub(crate) related: Vec<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for TopicEntry {
    type Record = Topic;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Topic> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(Topic {
            code: self.code.clone(),
            category: enum_field("category", &self.category)?,
            name: self.name.clone(),
            aliases: self.aliases.clone(),
            text: self.text.clone(),
            points: self.points.clone(),
            related: references("related", &self.related)?,
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CareerStoryEntry {
    pub(crate) code: Code,
    pub(crate) person: String,
    pub(crate) job_title: String,
    pub(crate) employer: String,
    pub(crate) organisation: Option<Code>,
    pub(crate) entry_route: Option<Code>,
    pub(crate) role: Option<Code>,
    pub(crate) text: String,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for CareerStoryEntry {
    type Record = CareerStory;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<CareerStory> {
        non_empty("person", &self.person)?;
        non_empty("summary", &self.summary)?;
        Ok(CareerStory {
            code: self.code.clone(),
            person: self.person.clone(),
            job_title: self.job_title.clone(),
            employer: self.employer.clone(),
            organisation: self.organisation.clone(),
            entry_route: self.entry_route.clone(),
            role: self.role.clone(),
            text: self.text.clone(),
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FigureEntry {
    pub(crate) code: Code,
    pub(crate) statement: String,
    pub(crate) value: f64,
    pub(crate) value_max: Option<f64>,
    pub(crate) qualifier: Option<String>,
    pub(crate) unit: String,
    pub(crate) scope: String,
    pub(crate) as_of: Option<Datetime>,
    #[serde(default)]
    pub(crate) about: Vec<String>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for FigureEntry {
    type Record = Figure;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Figure> {
        non_empty("statement", &self.statement)?;
        if !self.value.is_finite() {
            return Err(("value", "must be a finite number".to_owned()));
        }
        if let Some(max) = self.value_max {
            if !max.is_finite() || max < self.value {
                return Err((
                    "value_max",
                    "must be a finite number no lower than `value`".to_owned(),
                ));
            }
        }
        Ok(Figure {
            code: self.code.clone(),
            statement: self.statement.clone(),
            value: self.value,
            value_max: self.value_max,
            qualifier: self
                .qualifier
                .as_deref()
                .map(|words| {
                    Qualifier::from_words(words).ok_or_else(|| {
                        let known: Vec<&str> = Qualifier::ALL.iter().map(|q| q.words()).collect();
                        (
                            "qualifier",
                            format!(
                                "unknown qualifier {words:?}; use one of {}",
                                known.join(", ")
                            ),
                        )
                    })
                })
                .transpose()?,
            unit: self.unit.clone(),
            scope: self.scope.clone(),
            as_of: optional_date("as_of", self.as_of.as_ref())?,
            about: references("about", &self.about)?,
            summary: String::new(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}
