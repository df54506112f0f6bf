//! Seed problems, each located as `file:line: field: problem`.

use std::fmt;

/// One thing wrong with the seed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path relative to the seed directory.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

/// Every problem found, sorted by file and line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Adds a problem. A message of several lines (the TOML parser writes some) is joined
    /// into one, so the report stays one problem per line.
    pub fn push(&mut self, file: &str, line: usize, field: &str, message: impl Into<String>) {
        self.0.push(Problem {
            file: file.to_owned(),
            line,
            field: one_line(field),
            message: one_line(&message.into()),
        });
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut problems = self.0.clone();
        problems.sort();
        problems.dedup();
        for problem in problems {
            writeln!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// `text`'s lines, trimmed and joined with `; `.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The 1-based line of byte `offset` in `content`.
pub(crate) fn line_of(content: &str, offset: usize) -> usize {
    let offset = offset.min(content.len());
    content.as_bytes()[..offset]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_count_from_one() {
        let content = "a = 1\nb = 2\n\nc = 3";
        assert_eq!(line_of(content, 0), 1);
        assert_eq!(line_of(content, 6), 2);
        assert_eq!(line_of(content, content.find('c').unwrap()), 4);
        assert_eq!(line_of(content, 10_000), 4);
    }

    #[test]
    fn problems_print_as_file_line_field_message() {
        let mut problems = Problems::default();
        problems.push(
            "web/programmes.toml",
            12,
            "provider",
            "unknown organisation \"NOPE\"",
        );
        assert_eq!(
            problems.to_string(),
            "web/programmes.toml:12: provider: unknown organisation \"NOPE\"\n"
        );
    }

    #[test]
    fn a_message_of_several_lines_is_reported_on_one() {
        let mut problems = Problems::default();
        problems.push(
            "web/roles.toml",
            3,
            "(syntax)",
            "invalid array\nexpected `]`\n",
        );
        assert_eq!(
            problems.to_string(),
            "web/roles.toml:3: (syntax): invalid array; expected `]`\n"
        );
    }
}
