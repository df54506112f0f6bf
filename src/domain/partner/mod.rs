//! Partner publishing: API keys (`keys.rs`), the audit trail of every write (here), and the
//! rules a partner's course must meet (`course.rs`: [`NewCourse`] exists only when every
//! field is valid, and building it reports every problem at once; `patch.rs`: changes to a
//! published course; `retirement.rs`: retiring and reinstating one).

mod course;
mod keys;
mod patch;
mod retirement;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use course::{
    canonical_subject, partner_source_code, stamp, CourseSubmission, FieldProblem, NewCourse,
};
pub use keys::{hash_secret, ApiKey, PresentedKey, API_KEY_PREFIX};
pub use patch::{CoursePatch, PatchField};
pub use retirement::{
    check_reinstatement, check_retirement, EARLIEST_RETIREMENT, MAX_RETIREMENT_AHEAD_DAYS,
};

use super::{Code, Course};

/// What a write did to a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CourseAction {
    Create,
    Update,
    Retire,
    /// A retirement undone (added after the others: audit entries encode it by position).
    Reinstate,
}

/// One write, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the trail: strictly increasing, never reused.
    pub sequence: u64,
    pub at: DateTime<Utc>,
    /// The id of the API key that made the change.
    pub key_id: String,
    /// The organisation the key belongs to; `None` for an admin key.
    pub actor_organisation: Option<Code>,
    pub action: CourseAction,
    pub course: Code,
    /// The organisation whose course it is (its provider).
    pub organisation: Code,
    pub before: Option<Course>,
    pub after: Course,
}

/// One course change to write: what it was (if it existed) and what it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseChange {
    pub action: CourseAction,
    pub before: Option<Course>,
    pub after: Course,
}
