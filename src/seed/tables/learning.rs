//! `[[programme]]`, `[[course]]` and `[[qualification]]`.

use serde::Deserialize;

use super::fields::{enum_field, non_empty, Converted};
use super::{citations, CitationEntry, Entry};
use crate::domain::{Code, Course, Programme, Qualification};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgrammeEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) provider: Code,
    #[serde(default)]
    pub(crate) partners: Vec<Code>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) parent: Option<Code>,
    pub(crate) audience: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) duration: Option<String>,
    pub(crate) duration_months: Option<u32>,
    pub(crate) format: Option<String>,
    #[serde(default)]
    pub(crate) accredited_by: Vec<Code>,
    pub(crate) leads_to: Option<String>,
    #[serde(default)]
    pub(crate) qualifications: Vec<Code>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for ProgrammeEntry {
    type Record = Programme;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Programme> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(Programme {
            code: self.code.clone(),
            name: self.name.clone(),
            provider: self.provider.clone(),
            partners: self.partners.clone(),
            parent: self.parent.clone(),
            aliases: self.aliases.clone(),
            audience: self.audience.clone(),
            level: self.level.clone(),
            duration: self.duration.clone(),
            duration_months: self.duration_months,
            format: self.format.clone(),
            accredited_by: self.accredited_by.clone(),
            leads_to: self.leads_to.clone(),
            qualifications: self.qualifications.clone(),
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
pub(crate) struct CourseEntry {
    pub(crate) code: Code,
    pub(crate) title: String,
    pub(crate) provider: Code,
    pub(crate) level: String,
    pub(crate) subject: String,
    #[serde(default)]
    pub(crate) accredited_by: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for CourseEntry {
    type Record = Course;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Course> {
        non_empty("title", &self.title)?;
        non_empty("summary", &self.summary)?;
        Ok(Course {
            code: self.code.clone(),
            title: self.title.clone(),
            provider: self.provider.clone(),
            level: enum_field("level", &self.level)?,
            subject: self.subject.clone(),
            accredited_by: self.accredited_by.clone(),
            claimed_accreditations: Vec::new(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
            publisher: None,
            updated_at: None,
            retired_on: None,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualificationEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) awarded_by: Vec<Code>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) level: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

impl Entry for QualificationEntry {
    type Record = Qualification;

    fn code(&self) -> &Code {
        &self.code
    }

    fn convert(&self) -> Converted<Qualification> {
        non_empty("name", &self.name)?;
        non_empty("summary", &self.summary)?;
        Ok(Qualification {
            code: self.code.clone(),
            name: self.name.clone(),
            aliases: self.aliases.clone(),
            awarded_by: self.awarded_by.clone(),
            roles: self.roles.clone(),
            level: self.level.clone(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            citations: citations(&self.citations),
        })
    }
}
