//! `AuditEntry`: one partner write, as the audit trail records it.

use std::sync::Arc;

use async_graphql::{Enum, Object};

use super::CourseObject;
use crate::domain;
use crate::graphql::scalars::DateTime;

/// What a write did to a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "domain::CourseAction")]
pub(crate) enum CourseAction {
    /// The course was published.
    Create,
    /// The course was changed.
    Update,
    /// The course was retired (it stays queryable).
    Retire,
    /// The course's retirement was undone or cancelled.
    Reinstate,
}

/// One write to a course: who made it, when, and the course before and after.
pub(crate) struct AuditEntryObject(pub(crate) domain::AuditEntry);

/// One write to a course: who made it, when, and the course before and after.
#[Object(name = "AuditEntry")]
impl AuditEntryObject {
    /// Position in the audit trail: strictly increasing; pass the last one seen as `after` to sync.
    async fn sequence(&self) -> u64 {
        self.0.sequence
    }

    /// When the write was committed.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }

    /// The id of the API key that made it (never the secret).
    async fn key_id(&self) -> &str {
        &self.0.key_id
    }

    /// The organisation of that key; null for an admin key.
    async fn actor_organisation(&self) -> Option<String> {
        self.0.actor_organisation.as_ref().map(ToString::to_string)
    }

    /// What the write did.
    async fn action(&self) -> CourseAction {
        self.0.action.into()
    }

    /// The code of the course written.
    async fn course_code(&self) -> String {
        self.0.course.to_string()
    }

    /// The organisation whose course it is.
    async fn organisation_code(&self) -> String {
        self.0.organisation.to_string()
    }

    /// The course before the write; null when it was created.
    async fn before(&self) -> Option<CourseObject> {
        self.0
            .before
            .clone()
            .map(|course| CourseObject::new(Arc::new(course)))
    }

    /// The course after the write.
    async fn after(&self) -> CourseObject {
        CourseObject::new(Arc::new(self.0.after.clone()))
    }
}
