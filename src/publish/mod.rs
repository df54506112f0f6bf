//! Publishing courses, as one capability: the GraphQL mutations, the CLI and the tests all
//! call [`Publisher`]. It authorises the key, reads what the rules need, applies the rules
//! (`domain::NewCourse`), and writes under the one write lock: a durable store write, then
//! the search index, before it answers.
//!
//! Layer: between `graphql` (which translates arguments and answers) and `search`/`store`.
//! Invariant: knows nothing of GraphQL or HTTP; its errors are its own ([`PublishError`]).

mod csv;
mod error;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::domain::{
    check_reinstatement, check_retirement, partner_source_code, stamp, ApiKey, AuditEntry, Code,
    Course, CourseAction, CourseChange, CoursePatch, CourseSubmission, FieldProblem, NewCourse,
    Organisation, Source, SourceKind,
};
use crate::search::SearchIndex;
use crate::store::Store;

pub use self::csv::submissions_from_csv;
pub use self::error::PublishError;
use self::error::{internal, invalid, store_error};

/// The most courses one bulk upsert may carry.
pub const MAX_BULK_COURSES: usize = 500;

/// Publishes partners' courses; one per server (it holds the write lock).
pub struct Publisher {
    store: Arc<Store>,
    /// `None` on a stopped server's store (the CLI): the index is rebuilt at the next start.
    search_index: Option<Arc<SearchIndex>>,
    /// Serialises writes: each holds it from its first read to its commit, so that what it
    /// validated is what it writes over; a backup holds it while it reads the store.
    write_lock: Arc<Mutex<()>>,
}

/// What a bulk upsert wrote, in input order.
#[derive(Debug)]
pub struct Upserted {
    pub created: usize,
    pub updated: usize,
    pub entries: Vec<AuditEntry>,
}

impl Publisher {
    pub fn new(store: Arc<Store>, search_index: Option<Arc<SearchIndex>>) -> Self {
        Self {
            store,
            search_index,
            write_lock: Arc::new(Mutex::new(())),
        }
    }

    /// Holds every write off until the guard drops (for a consistent backup).
    pub async fn exclusive(&self) -> OwnedMutexGuard<()> {
        self.write_lock.clone().lock_owned().await
    }

    /// Publishes a new course.
    pub async fn create(
        &self,
        key: &Arc<ApiKey>,
        submission: CourseSubmission,
    ) -> Result<AuditEntry, PublishError> {
        authorise(key, &submission.provider)?;
        let write = self.exclusive().await;
        let mut problems = Vec::new();
        if self.stored_course(&submission.code)?.is_some() {
            problems.push(FieldProblem::new(
                "code",
                format!(
                    "a course with code {:?} exists already; use updateCourse",
                    submission.code
                ),
            ));
        }
        let change = self.change(CourseAction::Create, &submission, None, key, problems)?;
        one(self.commit(vec![change], key, write).await?)
    }

    /// Changes a published course. A patch that names no field, or that would leave the
    /// course as it is, is refused and writes no audit entry.
    pub async fn update(
        &self,
        key: &Arc<ApiKey>,
        code: &str,
        patch: CoursePatch,
    ) -> Result<AuditEntry, PublishError> {
        let (write, before) = self.lock_existing(key, code).await?;
        let submission = patch.apply_to(&before).map_err(PublishError::Invalid)?;
        let change = self.change(
            CourseAction::Update,
            &submission,
            Some(before),
            key,
            Vec::new(),
        )?;
        if change
            .before
            .as_ref()
            .is_some_and(|before| same_facts(before, &change.after))
        {
            return Err(invalid(
                "patch",
                "the patch changes nothing: every field given already has that value",
            ));
        }
        one(self.commit(vec![change], key, write).await?)
    }

    /// Retires a course on `on` (`today` is the caller's today): from that day it reads as
    /// retired; a later day schedules the retirement. The day cannot precede the course.
    pub async fn retire(
        &self,
        key: &Arc<ApiKey>,
        code: &str,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<AuditEntry, PublishError> {
        let (write, before) = self.lock_existing(key, code).await?;
        let offered_since = self.offered_since(&before)?;
        check_retirement(&before, on, today, offered_since)
            .map_err(|problem| PublishError::Invalid(vec![problem]))?;
        let mut after = before.clone();
        after.retired_on = Some(on);
        self.restamp(CourseAction::Retire, before, after, key, write)
            .await
    }

    /// Undoes a course's retirement, or cancels a scheduled one.
    pub async fn reinstate(
        &self,
        key: &Arc<ApiKey>,
        code: &str,
    ) -> Result<AuditEntry, PublishError> {
        let (write, before) = self.lock_existing(key, code).await?;
        check_reinstatement(&before).map_err(|problem| PublishError::Invalid(vec![problem]))?;
        let mut after = before.clone();
        after.retired_on = None;
        self.restamp(CourseAction::Reinstate, before, after, key, write)
            .await
    }

    /// Stamps `after` as published by the key's organisation, and commits the change.
    async fn restamp(
        &self,
        action: CourseAction,
        before: Course,
        mut after: Course,
        key: &Arc<ApiKey>,
        write: OwnedMutexGuard<()>,
    ) -> Result<AuditEntry, PublishError> {
        stamp(&mut after, &publisher(key, &before.provider), Utc::now());
        let change = CourseChange {
            action,
            before: Some(before),
            after,
        };
        one(self.commit(vec![change], key, write).await?)
    }

    /// The first day `course` is known to have been offered: the latest date of the sources
    /// it is recorded from (each says it was offered then), else the day it was published
    /// through the API (its first audit entry).
    fn offered_since(&self, course: &Course) -> Result<Option<NaiveDate>, PublishError> {
        let partner_source = partner_source_code(&course.provider);
        let mut recorded = None;
        for code in course
            .sources
            .iter()
            .filter(|code| **code != partner_source)
        {
            if let Some(source) = self.store.get::<Source>(code).map_err(store_error)? {
                recorded = recorded.max(source.effective_date());
            }
        }
        if recorded.is_some() {
            return Ok(recorded);
        }
        const PAGE: usize = 500;
        let mut after_sequence = 0;
        loop {
            let entries = self
                .store
                .audit_entries(Some(&course.provider), after_sequence, PAGE)
                .map_err(store_error)?;
            if let Some(first) = entries.iter().find(|entry| entry.course == course.code) {
                return Ok(Some(first.at.date_naive()));
            }
            match entries.last() {
                Some(last) if entries.len() == PAGE => after_sequence = last.sequence,
                _ => return Ok(None),
            }
        }
    }

    /// Creates or updates many courses at once, all or nothing. `locate` names an input by
    /// its index in problems (`courses[2].`, `csv line 4: `).
    pub async fn upsert(
        &self,
        key: &Arc<ApiKey>,
        submissions: Vec<CourseSubmission>,
        locate: impl Fn(usize) -> String,
    ) -> Result<Upserted, PublishError> {
        if submissions.is_empty() || submissions.len() > MAX_BULK_COURSES {
            return Err(invalid(
                "courses",
                format!("give 1 to {MAX_BULK_COURSES} courses"),
            ));
        }
        for submission in &submissions {
            authorise(key, &submission.provider)?;
        }
        let write = self.exclusive().await;
        let mut problems = Vec::new();
        let mut seen = HashMap::new();
        let mut changes = Vec::with_capacity(submissions.len());
        for (index, submission) in submissions.iter().enumerate() {
            let prefix = locate(index);
            if let Some(first) = seen.insert(submission.code.clone(), index) {
                problems.push(FieldProblem::new(
                    format!("{prefix}code"),
                    format!(
                        "code {:?} appears twice (also {})",
                        submission.code,
                        locate(first)
                    ),
                ));
            }
            let before = self
                .stored_course(&submission.code)?
                .map(Arc::unwrap_or_clone);
            if let Some(before) = &before {
                authorise(key, before.provider.as_str())?;
            }
            let course = self.checked(submission, &prefix, before.as_ref(), key, &mut problems)?;
            if let Some(after) = course {
                let action = if before.is_some() {
                    CourseAction::Update
                } else {
                    CourseAction::Create
                };
                changes.push(CourseChange {
                    action,
                    before,
                    after,
                });
            }
        }
        reject(problems)?;
        let created = changes
            .iter()
            .filter(|change| change.action == CourseAction::Create)
            .count();
        let updated = changes.len() - created;
        let entries = self.commit(changes, key, write).await?;
        Ok(Upserted {
            created,
            updated,
            entries,
        })
    }

    /// Takes the write lock, then reads the course `code`, which `key` must be allowed to
    /// change.
    async fn lock_existing(
        &self,
        key: &ApiKey,
        code: &str,
    ) -> Result<(OwnedMutexGuard<()>, Course), PublishError> {
        let write = self.exclusive().await;
        let before = self.existing(code)?;
        authorise(key, before.provider.as_str())?;
        Ok((write, before))
    }

    /// The change `submission` makes to `before`, or every problem: those already found
    /// (`problems`) and the rules' own.
    fn change(
        &self,
        action: CourseAction,
        submission: &CourseSubmission,
        before: Option<Course>,
        key: &ApiKey,
        mut problems: Vec<FieldProblem>,
    ) -> Result<CourseChange, PublishError> {
        let course = self.checked(submission, "", before.as_ref(), key, &mut problems)?;
        match course {
            Some(after) if problems.is_empty() => Ok(CourseChange {
                action,
                before,
                after,
            }),
            _ => Err(PublishError::Invalid(problems)),
        }
    }

    /// Applies the rules to `submission`, adding its problems to `problems`; the course to
    /// write when it has none.
    fn checked(
        &self,
        submission: &CourseSubmission,
        prefix: &str,
        before: Option<&Course>,
        key: &ApiKey,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<Option<Course>, PublishError> {
        let mut named = Vec::with_capacity(1 + submission.accredited_by.len());
        for code in std::iter::once(&submission.provider).chain(&submission.accredited_by) {
            if let Ok(code) = Code::parse(code) {
                if let Some(organisation) =
                    self.store.get::<Organisation>(&code).map_err(store_error)?
                {
                    named.push(organisation);
                }
            }
        }
        let find = |code: &Code| {
            named
                .iter()
                .map(AsRef::as_ref)
                .find(|found: &&Organisation| &found.code == code)
        };
        let course = match NewCourse::parse(submission, prefix, find) {
            Ok(course) => course,
            Err(found) => {
                problems.extend(found);
                return Ok(None);
            }
        };
        if let Some(before) = before {
            if course.provider() != &before.provider {
                problems.push(FieldProblem::new(
                    "provider",
                    "a course's provider cannot change",
                ));
                return Ok(None);
            }
        }
        let publisher = publisher(key, course.provider());
        Ok(Some(course.into_course(before, &publisher, Utc::now())))
    }

    fn stored_course(&self, code: &str) -> Result<Option<Arc<Course>>, PublishError> {
        match Code::parse(code) {
            Ok(code) => self.store.get::<Course>(&code).map_err(store_error),
            Err(_) => Ok(None),
        }
    }

    fn existing(&self, code: &str) -> Result<Course, PublishError> {
        self.stored_course(code)?
            .map(Arc::unwrap_or_clone)
            .ok_or_else(|| PublishError::NotFound(code.to_owned()))
    }

    /// Writes `changes` durably, then updates the search index, and returns their audit
    /// entries. `write` (the write lock) moves into the blocking write, so it is held until
    /// the write ends even if the caller is abandoned (a timeout, a closed connection).
    async fn commit(
        &self,
        changes: Vec<CourseChange>,
        key: &Arc<ApiKey>,
        write: OwnedMutexGuard<()>,
    ) -> Result<Vec<AuditEntry>, PublishError> {
        let sources = self.partner_sources(&changes)?;
        let store = self.store.clone();
        let search_index = self.search_index.clone();
        let key = key.clone();
        let at = Utc::now();
        tokio::task::spawn_blocking(move || {
            let _write = write;
            let entries = store
                .write_courses(&changes, &key, &sources, at)
                .map_err(store_error)?;
            // The write is durable; the search index follows it before the answer, so a
            // client that searches next finds what it just wrote.
            let courses: Vec<Course> = entries.iter().map(|entry| entry.after.clone()).collect();
            let indexed = search_index.map_or(Ok(()), |index| index.upsert_courses(&courses));
            if let Err(error) = indexed {
                tracing::error!(%error, "the search index missed a course write; it is rebuilt at the next start");
            }
            Ok(entries)
        })
        .await
        .map_err(internal)?
    }

    /// The source each provider's courses cite: its own submission through the API.
    fn partner_sources(&self, changes: &[CourseChange]) -> Result<Vec<Source>, PublishError> {
        let mut sources: Vec<Source> = Vec::new();
        for change in changes {
            let code = partner_source_code(&change.after.provider);
            if sources.iter().any(|source| source.code == code) {
                continue;
            }
            let provider = self
                .store
                .get::<Organisation>(&change.after.provider)
                .map_err(store_error)?;
            let name = provider.map_or_else(
                || change.after.provider.to_string(),
                |provider| provider.name.clone(),
            );
            sources.push(Source {
                title: format!("Course information published by {name} through the partner API"),
                publisher: name,
                author: None,
                published: None,
                as_of: None,
                kind: SourceKind::PartnerSubmission,
                document: "partner API".to_owned(),
                url: None,
                licence: None,
                dated: None,
                evidence: None,
                description: Some("Published and kept current by the organisation itself; accreditation it states is marked as claimed by the provider.".to_owned()),
                code,
            });
        }
        Ok(sources)
    }
}

/// A partner key may only touch its own organisation's courses; an admin key any.
fn authorise(key: &ApiKey, provider: &str) -> Result<(), PublishError> {
    match &key.organisation {
        None => Ok(()),
        Some(organisation) if organisation.as_str() == provider => Ok(()),
        Some(organisation) => Err(PublishError::Forbidden(organisation.to_string())),
    }
}

/// Whether two versions of a course state the same facts (ignoring who wrote them, when).
fn same_facts(before: &Course, after: &Course) -> bool {
    let unstamped = |course: &Course| Course {
        publisher: None,
        updated_at: None,
        sources: Vec::new(),
        ..course.clone()
    };
    unstamped(before) == unstamped(after)
}

/// Who publishes: the key's organisation, or for an admin key the provider itself.
fn publisher(key: &ApiKey, provider: &Code) -> Code {
    key.organisation.clone().unwrap_or_else(|| provider.clone())
}

fn reject(problems: Vec<FieldProblem>) -> Result<(), PublishError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PublishError::Invalid(problems))
    }
}

fn one(mut entries: Vec<AuditEntry>) -> Result<AuditEntry, PublishError> {
    entries
        .pop()
        .ok_or_else(|| internal("a course write returned no audit entry"))
}
