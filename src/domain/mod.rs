//! The knowledge graph's vocabulary: plain Rust types named as users name them.
//!
//! Organisations, roles and their posts, programmes, courses, qualifications, pay bands,
//! topics, career stories, figures and the sources they come from, plus the typed
//! references and dated relationships between them.
//!
//! Invariant: this module knows neither sled, GraphQL nor HTTP. It has no I/O and no
//! async; every other layer depends on it and it depends on none of them.

mod code;
mod dataset;
mod evidence;
mod partner;
mod records;
mod relation;

pub use code::{Code, CodeError, RecordRef};
pub use dataset::{record_edges, Dataset};
pub use evidence::{
    according_to, currency, normalise_for_quoting, quantity, Citation, Currency, Qualifier,
    Staleness, OUTDATED_AFTER_DAYS,
};
pub use partner::{
    canonical_subject, check_reinstatement, check_retirement, hash_secret, partner_source_code,
    stamp, ApiKey, AuditEntry, CourseAction, CourseChange, CoursePatch, CourseSubmission,
    FieldProblem, NewCourse, PatchField, PresentedKey, API_KEY_PREFIX, EARLIEST_RETIREMENT,
    MAX_RETIREMENT_AHEAD_DAYS,
};
pub use records::*;
pub use relation::{Direction, Edge, Relation, Validity};
