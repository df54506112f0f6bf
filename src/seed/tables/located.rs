//! A seed entry with the file and span it was written at, so that a problem can name the
//! line of the entry, of one of its fields, or of one of its citations.

use std::ops::Range;

use crate::seed::problems::{line_of, Problems};

/// A record with the file and byte span it was written at.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub(crate) file: String,
    pub(crate) span: Range<usize>,
    pub(crate) value: T,
    pub(super) content: std::sync::Arc<str>,
}

impl<T> Located<T> {
    /// The line the record starts at.
    pub(crate) fn line(&self) -> usize {
        line_of(&self.content, self.span.start)
    }

    /// The line `field = ...` is written at within the record, else the record's first line.
    pub(crate) fn field_line(&self, field: &str) -> usize {
        let record = &self.content[self.span.clone()];
        let mut offset = self.span.start;
        for line in record.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let is_field = trimmed
                .strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            if is_field {
                return line_of(&self.content, offset);
            }
            offset += line.len();
        }
        self.line()
    }

    /// The line of the `n`-th (0-based) entry of `citations = [...]`, written one per line
    /// as the seed format asks; else the line of `citations`.
    pub(crate) fn citation_line(&self, n: usize) -> usize {
        let start = self.field_line("citations");
        let record = &self.content[self.span.clone()];
        let first = line_of(&self.content, self.span.start);
        record
            .lines()
            .enumerate()
            .map(|(index, line)| (first + index, line))
            .filter(|(line_number, line)| *line_number >= start && line.contains("quote"))
            .nth(n)
            .map_or(start, |(line_number, _)| line_number)
    }

    pub(crate) fn problem(&self, problems: &mut Problems, field: &str, message: impl Into<String>) {
        problems.push(&self.file, self.field_line(field), field, message);
    }
}
