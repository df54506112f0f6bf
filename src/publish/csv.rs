//! Bulk course uploads as CSV text: header
//! `code,title,provider,level,subject,accredited_by,description,summary`, `accredited_by`
//! separated by `;`. Read into submissions, every malformed row reported at once.

use crate::domain::{CourseLevel, CourseSubmission, FieldProblem};

/// The submissions of `text`, or every row's problem (named `csv line N`).
pub fn submissions_from_csv(text: &str) -> Result<Vec<CourseSubmission>, Vec<FieldProblem>> {
    #[derive(serde::Deserialize)]
    struct Row {
        code: String,
        title: String,
        provider: String,
        level: String,
        subject: String,
        #[serde(default)]
        accredited_by: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        summary: String,
    }
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let mut submissions = Vec::new();
    let mut problems = Vec::new();
    for (index, row) in reader.deserialize::<Row>().enumerate() {
        let line = index + 2;
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                problems.push(FieldProblem::new(
                    format!("csv line {line}"),
                    error.to_string(),
                ));
                continue;
            }
        };
        let level = match row.level.trim().to_ascii_uppercase().as_str() {
            "UNDERGRADUATE" => CourseLevel::Undergraduate,
            "POSTGRADUATE" => CourseLevel::Postgraduate,
            "PROFESSIONAL" => CourseLevel::Professional,
            "SHORT_COURSE" => CourseLevel::ShortCourse,
            other => {
                problems.push(FieldProblem::new(
                    format!("csv line {line}: level"),
                    format!("unknown level {other:?}"),
                ));
                continue;
            }
        };
        let optional = |text: String| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
        submissions.push(CourseSubmission {
            code: row.code.trim().to_owned(),
            title: row.title,
            provider: row.provider.trim().to_owned(),
            level,
            subject: row.subject,
            accredited_by: row
                .accredited_by
                .split(';')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect(),
            description: optional(row.description),
            summary: optional(row.summary),
        });
    }
    if problems.is_empty() {
        Ok(submissions)
    } else {
        Err(problems)
    }
}
