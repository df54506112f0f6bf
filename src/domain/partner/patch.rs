//! A partner's changes to a published course ([`CoursePatch`]): absent fields stay as they
//! are, `null` clears an optional field; applying a patch gives the whole submission again,
//! which [`super::NewCourse::parse`] then checks like any other.

use super::{canonical_subject, CourseSubmission, FieldProblem};
use crate::domain::{Course, CourseLevel};

/// One field of a [`CoursePatch`]: left as it is, cleared (`null`), or set.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PatchField<T> {
    #[default]
    Unchanged,
    Cleared,
    Set(T),
}

impl<T> PatchField<T> {
    fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }
}

/// Changes to a published course: absent fields stay as they are, `null` clears an optional
/// field. A patch must change something, and cannot clear a required field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoursePatch {
    pub title: PatchField<String>,
    pub level: PatchField<CourseLevel>,
    pub subject: PatchField<String>,
    /// Replaces the claimed accreditations (`[]` removes them all).
    pub accredited_by: PatchField<Vec<String>>,
    pub description: PatchField<String>,
    /// A new summary; when cleared, or when a fact the summary states changes (title,
    /// level, subject, accreditation), the summary is generated again.
    pub summary: PatchField<String>,
}

impl CoursePatch {
    /// The submission that `before` with this patch applied amounts to, or every problem:
    /// an empty patch, a required field cleared.
    pub fn apply_to(self, before: &Course) -> Result<CourseSubmission, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if self.is_empty() {
            problems.push(FieldProblem::new(
                "patch",
                "the patch changes nothing: give at least one field to change",
            ));
        }
        let required = [
            ("title", matches!(self.title, PatchField::Cleared)),
            ("level", matches!(self.level, PatchField::Cleared)),
            ("subject", matches!(self.subject, PatchField::Cleared)),
            (
                "accreditedBy",
                matches!(self.accredited_by, PatchField::Cleared),
            ),
        ];
        for (field, cleared) in required {
            if cleared {
                let hint = if field == "accreditedBy" {
                    "; give [] to remove every claimed accreditation"
                } else {
                    ""
                };
                problems.push(FieldProblem::new(
                    field,
                    format!("{field} is required and cannot be cleared (null){hint}"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let claimed: Vec<String> = before
            .claimed_accreditations
            .iter()
            .map(ToString::to_string)
            .collect();
        let restates_facts = matches!(&self.title, PatchField::Set(title) if title.trim() != before.title)
            || matches!(&self.level, PatchField::Set(level) if *level != before.level)
            || matches!(&self.subject, PatchField::Set(subject) if canonical_subject(subject) != before.subject)
            || matches!(&self.accredited_by, PatchField::Set(bodies) if *bodies != claimed);
        let summary = match self.summary {
            PatchField::Set(summary) => Some(summary),
            PatchField::Cleared => None,
            PatchField::Unchanged if restates_facts => None,
            PatchField::Unchanged => Some(before.summary.clone()),
        };
        Ok(CourseSubmission {
            code: before.code.to_string(),
            title: set_or(self.title, || before.title.clone()),
            provider: before.provider.to_string(),
            level: set_or(self.level, || before.level),
            subject: set_or(self.subject, || before.subject.clone()),
            accredited_by: set_or(self.accredited_by, || claimed),
            description: match self.description {
                PatchField::Set(description) => Some(description),
                PatchField::Cleared => None,
                PatchField::Unchanged => before.description.clone(),
            },
            summary,
        })
    }

    /// Whether the patch names no field at all.
    pub fn is_empty(&self) -> bool {
        self.title.is_unchanged()
            && self.level.is_unchanged()
            && self.subject.is_unchanged()
            && self.accredited_by.is_unchanged()
            && self.description.is_unchanged()
            && self.summary.is_unchanged()
    }
}

fn set_or<T>(field: PatchField<T>, before: impl FnOnce() -> T) -> T {
    match field {
        PatchField::Set(value) => value,
        PatchField::Unchanged | PatchField::Cleared => before(),
    }
}
