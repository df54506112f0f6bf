//! Building the index from the store (in memory, or on disk where a stored one cannot be
//! served: see `stored.rs`), and taking in the writes made while serving: a partner's
//! courses, an operator's organisations.

use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use chrono::NaiveDate;
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::documents::{self, Document};
use super::schema::{self, fields_of, to_tantivy, Fields, TOKENIZER};
use super::stored::{self, earliest, Stamp};
use super::{Error, SearchIndex};
use crate::domain::{
    visit_kinds, Course, Dataset, KindVisitor, Organisation, RecordRef, RecordType, RecordsVisitor,
    Source,
};
use crate::store::Store;

/// The indexing arena of a writer taking in a write while serving: tantivy's minimum. Such
/// a writer exists only while a write is indexed, so its arena is not resident in between.
const WRITER_MEMORY_BYTES: usize = 15_000_000;
/// The arena of the writer building the whole index: large enough for the 100× benchmark
/// seed to become one segment, with no merge to wait for. Pages are allocated as used, and
/// freed when the build ends.
const BUILD_MEMORY_BYTES: usize = 256_000_000;

/// How [`SearchIndex::open_or_build`] found the index on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The stored index matched the store and was opened as it is.
    Reused,
    /// It was (re)built, for this reason.
    Built { reason: String },
}

/// The stored index's state while serving: its stamp, and the store whose version it follows.
pub(super) struct Disk {
    store: Weak<Store>,
    stamp: Stamp,
}

impl SearchIndex {
    /// Builds the index in memory from every record in `store` (a PostgreSQL-backed process,
    /// tools and tests). Blocking: call it off the async runtime.
    pub fn build(store: &Store) -> Result<Self, Error> {
        let started = Instant::now();
        let (documents, _) = documents_of(store)?;
        let (schema, fields) = schema::schema();
        let index = Index::create_in_ram(schema);
        write(&index, &fields, &documents, None)?;
        let built = Self::serving(index, fields, None)?;
        tracing::info!(
            documents = documents.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index built in memory"
        );
        Ok(built)
    }

    /// Opens the index stored in `directory` if it was built from the store's current data
    /// by a build that indexes as this one does, and its files are intact; else builds it
    /// from the store into `directory` (see `stored.rs`). Blocking.
    pub fn open_or_build(store: &Arc<Store>, directory: &Path) -> Result<(Self, Opened), Error> {
        let started = Instant::now();
        let today = chrono::Utc::now().date_naive();
        let reason = match stored::open(directory) {
            Ok((index, stamp)) => match (stamp.unfit_for(store, today)?, fields_of(&index)) {
                (None, Some(fields)) => {
                    let disk = Disk {
                        store: Arc::downgrade(store),
                        stamp,
                    };
                    match Self::serving(index, fields, Some(disk)) {
                        Ok(opened) => {
                            // What a crash mid-build left behind, if anything.
                            let _ = std::fs::remove_dir_all(stored::building_directory(directory));
                            tracing::info!(
                                documents = opened.len(),
                                elapsed_ms = started.elapsed().as_millis() as u64,
                                directory = %directory.display(),
                                "search index opened from disk"
                            );
                            return Ok((opened, Opened::Reused));
                        }
                        Err(error) => format!("it cannot be read: {error}"),
                    }
                }
                (Some(reason), _) => reason,
                (None, None) => "its schema is not this build's".to_owned(),
            },
            Err(reason) => reason,
        };
        tracing::info!(directory = %directory.display(), %reason, "building the search index on disk");
        let (documents, valid_until) = documents_of(store)?;
        let stamp = Stamp::of(store, valid_until)?;
        let building = stored::building_directory(directory);
        write_building(&building, &documents, &stamp)?;
        let built = install(store, directory, stamp)?;
        tracing::info!(
            documents = documents.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            directory = %directory.display(),
            "search index built on disk"
        );
        Ok((built, Opened::Built { reason }))
    }

    /// Builds, in `directory`'s building sibling, the index of `dataset`, stamped as the store
    /// will be once it holds that seed (`seed_hash`) at `data_version`: called while the
    /// store writes it, on a store with no partner records (whose records the dataset lacks).
    /// Nothing is served until [`Prebuilt::install`] finds the store holding what it was built
    /// for. Blocking.
    pub fn prebuild(
        dataset: &Dataset,
        data_version: u64,
        seed_hash: [u8; 32],
        directory: &Path,
    ) -> Result<Prebuilt, Error> {
        let started = Instant::now();
        let (documents, valid_until) = documents_of_dataset(dataset);
        let stamp = Stamp::planned(data_version, seed_hash, valid_until);
        let building = stored::building_directory(directory);
        write_building(&building, &documents, &stamp)?;
        tracing::info!(
            documents = documents.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            directory = %building.display(),
            "search index built from the seed while the store writes it"
        );
        Ok(Prebuilt {
            directory: directory.to_owned(),
            stamp,
        })
    }

    fn serving(index: Index, fields: Fields, disk: Option<Disk>) -> Result<Self, Error> {
        index.tokenizers().register(TOKENIZER, schema::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writing: Mutex::new(disk),
            fields,
            kind_runs: Default::default(),
        })
    }

    /// Replaces the indexed documents of `courses` (adding new ones, removing those retired
    /// today), and makes the change visible to the next search: partner writes are
    /// searchable as soon as they are answered. Called once per store write.
    pub fn upsert_courses(&self, courses: &[Course]) -> Result<(), Error> {
        let today = chrono::Utc::now().date_naive();
        let mut writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let writer = self.writer()?;
        let mut valid_until = None;
        for course in courses {
            let document = documents::course(course);
            writer.delete_term(reference_term(&self.fields, &document));
            if !course.is_retired_on(today) {
                writer.add_document(to_tantivy(&self.fields, &document, today))?;
                valid_until = earliest(valid_until, course.retired_on);
            }
        }
        self.commit(writer, &mut writing, valid_until)
    }

    /// Adds (or replaces) the documents of organisations an operator added and of the
    /// sources they cite, visible to the next search. Called once per store write.
    pub fn upsert_organisations(
        &self,
        organisations: &[Organisation],
        sources: &[Source],
    ) -> Result<(), Error> {
        let today = chrono::Utc::now().date_naive();
        let mut writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let writer = self.writer()?;
        let documents = organisations
            .iter()
            .map(documents::organisation)
            .chain(sources.iter().map(documents::source));
        let mut valid_until = None;
        for document in documents {
            writer.delete_term(reference_term(&self.fields, &document));
            writer.add_document(to_tantivy(&self.fields, &document, today))?;
            valid_until = earliest(valid_until, changes_on(&document, today));
        }
        self.commit(writer, &mut writing, valid_until)
    }

    /// Re-indexes the records `references` name as the store holds them now (one no longer
    /// there, or a course retired today, is removed): another process's write to a shared
    /// store. Called once per store write.
    pub fn reindex(&self, store: &Store, references: &[RecordRef]) -> Result<(), Error> {
        let today = chrono::Utc::now().date_naive();
        let mut writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let writer = self.writer()?;
        let mut valid_until = None;
        for reference in references {
            writer.delete_term(Term::from_field_text(
                self.fields.reference,
                &reference.to_string(),
            ));
            if let Some(document) = document_of(store, reference, today)? {
                valid_until = earliest(valid_until, changes_on(&document, today));
                writer.add_document(to_tantivy(&self.fields, &document, today))?;
            }
        }
        self.commit(writer, &mut writing, valid_until)
    }

    /// Replaces every document with those of the store as it is now: after another process
    /// reseeded a shared store.
    pub fn rebuild_from(&self, store: &Store) -> Result<(), Error> {
        let today = chrono::Utc::now().date_naive();
        let (documents, valid_until) = documents_of(store)?;
        let mut writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, BUILD_MEMORY_BYTES)?;
        writer.delete_all_documents()?;
        for document in &documents {
            writer.add_document(to_tantivy(&self.fields, document, today))?;
        }
        if let Some(disk) = writing.as_mut() {
            if let Some(store) = disk.store.upgrade() {
                disk.stamp = Stamp::of(&store, valid_until)?;
            }
        }
        let mut prepared = writer.prepare_commit()?;
        if let Some(disk) = writing.as_ref() {
            prepared.set_payload(&disk.stamp.to_payload());
        }
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    fn writer(&self) -> Result<IndexWriter<TantivyDocument>, Error> {
        Ok(self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY_BYTES)?)
    }

    /// Commits `writer`, restamping a stored index (see `stored.rs`), and shows the change to
    /// the next search.
    fn commit(
        &self,
        mut writer: IndexWriter<TantivyDocument>,
        disk: &mut Option<Disk>,
        valid_until: Option<NaiveDate>,
    ) -> Result<(), Error> {
        let mut prepared = writer.prepare_commit()?;
        if let Some(disk) = disk {
            let version = match disk.store.upgrade() {
                Some(store) => store.data_version()?,
                None => 0,
            };
            disk.stamp.after_write(version, valid_until);
            prepared.set_payload(&disk.stamp.to_payload());
        }
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }
}

/// An index built ahead of the seed write it indexes (see [`SearchIndex::prebuild`]), in
/// its directory's building sibling, not yet served.
pub struct Prebuilt {
    directory: std::path::PathBuf,
    stamp: Stamp,
}

impl Prebuilt {
    /// Moves the prebuilt index into place and serves it, if the store now holds exactly what
    /// it was built for (the seed written, at the data version planned); else leaves it
    /// and opens or builds the index as [`SearchIndex::open_or_build`] does. Blocking.
    pub fn install(self, store: &Arc<Store>) -> Result<(SearchIndex, Opened), Error> {
        let today = chrono::Utc::now().date_naive();
        match self.stamp.unfit_for(store, today)? {
            None => {
                let index = install(store, &self.directory, self.stamp)?;
                Ok((
                    index,
                    Opened::Built {
                        reason: "the seed changed".to_owned(),
                    },
                ))
            }
            Some(reason) => {
                tracing::info!(%reason, "the index built during the seed write does not fit the store");
                SearchIndex::open_or_build(store, &self.directory)
            }
        }
    }
}

/// Writes `documents` as a new index with `stamp` in `building`, emptied first.
fn write_building(building: &Path, documents: &[Document], stamp: &Stamp) -> Result<(), Error> {
    if building.exists() {
        std::fs::remove_dir_all(building).map_err(|source| io("clearing", building, source))?;
    }
    std::fs::create_dir_all(building).map_err(|source| io("creating", building, source))?;
    let (schema, fields) = schema::schema();
    let index = Index::create_in_dir(building, schema)?;
    write(&index, &fields, documents, Some(stamp))
}

/// Renames the index committed in `directory`'s building sibling into place and serves it,
/// stamped `stamp`.
fn install(store: &Arc<Store>, directory: &Path, stamp: Stamp) -> Result<SearchIndex, Error> {
    let building = stored::building_directory(directory);
    stored::replace(&building, directory)
        .map_err(|source| io("renaming into", directory, source))?;
    let index = Index::open_in_dir(directory)?;
    let fields = fields_of(&index).ok_or(Error::MalformedDocument)?;
    let disk = Disk {
        store: Arc::downgrade(store),
        stamp,
    };
    SearchIndex::serving(index, fields, Some(disk))
}

/// Every record of `dataset` as a document, in the order [`documents_of`] reads them from a
/// store holding it (kind by kind, by code), and the first day one of them changes by date.
fn documents_of_dataset(dataset: &Dataset) -> (Vec<Document>, Option<NaiveDate>) {
    struct Collect {
        today: NaiveDate,
        documents: Vec<Document>,
    }
    impl RecordsVisitor for Collect {
        type Error = std::convert::Infallible;

        fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Self::Error> {
            let mut sorted: Vec<&T> = records.iter().collect();
            sorted.sort_unstable_by(|a, b| a.code().as_str().cmp(b.code().as_str()));
            let today = self.today;
            let documents = sorted
                .into_iter()
                .filter_map(|r| documents::document(r, today));
            self.documents.extend(documents);
            Ok(())
        }
    }
    let today = chrono::Utc::now().date_naive();
    let mut collect = Collect {
        today,
        documents: Vec::new(),
    };
    let Ok(()) = dataset.visit(&mut collect);
    let until = valid_until(&collect.documents, today);
    (collect.documents, until)
}

/// Every record of `store` as a document (a retired course is not offered, so it is not
/// indexed), and the first day on which one of them changes by date.
fn documents_of(store: &Store) -> Result<(Vec<Document>, Option<NaiveDate>), Error> {
    struct Collect<'a> {
        store: &'a Store,
        today: NaiveDate,
        documents: Vec<Document>,
    }
    impl KindVisitor for Collect<'_> {
        type Error = Error;

        fn visit<T: RecordType>(&mut self) -> Result<(), Error> {
            let records = self.store.all::<T>()?;
            let today = self.today;
            let documents = records.iter().filter_map(|r| documents::document(r, today));
            self.documents.extend(documents);
            Ok(())
        }
    }
    let today = chrono::Utc::now().date_naive();
    let mut collect = Collect {
        store,
        today,
        documents: Vec::new(),
    };
    visit_kinds(&mut collect)?;
    let until = valid_until(&collect.documents, today);
    Ok((collect.documents, until))
}

/// The first day on which one of `documents` changes by date: a course retires, or an
/// organisation closes.
fn valid_until(documents: &[Document], today: NaiveDate) -> Option<NaiveDate> {
    documents.iter().fold(None, |until, document| {
        let until = earliest(until, document.retired_on);
        earliest(until, changes_on(document, today))
    })
}

/// The document of the record `reference` names, as `store` holds it on `today`, if it is
/// indexed.
fn document_of(
    store: &Store,
    reference: &RecordRef,
    today: NaiveDate,
) -> Result<Option<Document>, Error> {
    struct Read<'a> {
        store: &'a Store,
        reference: &'a RecordRef,
        today: NaiveDate,
        document: Option<Document>,
    }
    impl KindVisitor for Read<'_> {
        type Error = Error;

        fn visit<T: RecordType>(&mut self) -> Result<(), Error> {
            let record = self.store.get::<T>(&self.reference.code)?;
            self.document = record.and_then(|record| documents::document(&*record, self.today));
            Ok(())
        }
    }
    let mut read = Read {
        store,
        reference,
        today,
        document: None,
    };
    reference.kind.visit(&mut read)?;
    Ok(read.document)
}

/// The day `document` stops being current, if it is current on `today` and will.
fn changes_on(document: &Document, today: NaiveDate) -> Option<NaiveDate> {
    document
        .closed
        .filter(|_| document.is_current(today))
        .and_then(|closed| closed.succ_opt())
}

/// Writes `documents` to the empty `index` in one commit, with `stamp` as its payload.
fn write(
    index: &Index,
    fields: &Fields,
    documents: &[Document],
    stamp: Option<&Stamp>,
) -> Result<(), Error> {
    let today = chrono::Utc::now().date_naive();
    // Replaced by `analyzer()` when the index is served (`SearchIndex::serving`).
    index
        .tokenizers()
        .register(TOKENIZER, schema::bulk_analyzer());
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, BUILD_MEMORY_BYTES)?;
    for document in documents {
        writer.add_document(to_tantivy(fields, document, today))?;
    }
    let mut prepared = writer.prepare_commit()?;
    if let Some(stamp) = stamp {
        prepared.set_payload(&stamp.to_payload());
    }
    prepared.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn reference_term(fields: &Fields, document: &Document) -> Term {
    Term::from_field_text(fields.reference, &document.reference.to_string())
}

fn io(action: &str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action: format!("{action} {}", path.display()),
        source,
    }
}
