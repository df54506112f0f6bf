//! `PayBand`, `Topic`, `CareerStory`, `Figure` and `Source`: career facts, leadership
//! knowledge, figures and the documents they come from.

use std::collections::HashMap;

use async_graphql::{Context, Object, Result};

use super::{
    load_records, read, read_optional, FigureQualifier, OrganisationObject, Record, RecordFields,
    RecordId, RecordObject, RoleObject, SourceKind, TopicCategory,
};
use crate::domain::{self, Record as _, Relation};
use crate::graphql::connection::{page_complexity, paginate, Page, PageArgs};
use crate::graphql::data::graph;
use crate::graphql::scalars::Date;
use crate::store::Direction;

/// An Agenda for Change (AfC) pay band, with the example roles a source places in it.
pub(crate) type PayBandObject = RecordObject<domain::PayBand>;

/// An Agenda for Change (AfC) pay band, with the example roles a source places in it.
#[Object(name = "PayBand")]
impl PayBandObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::PayBand> {
        RecordId(self)
    }

    /// Readable stable code (e.g. `afc-band-8a`).
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The band's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// The band itself, e.g. "5" or "8a".
    async fn band(&self) -> &str {
        &self.0.band
    }

    /// Example job titles the source places in this band.
    async fn example_roles(&self) -> &[String] {
        &self.0.example_roles
    }

    /// Roles of the graph in this band.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleObject>> {
        read(ctx, &self.0.roles)
    }

    /// A fuller description, close to the source's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// One or two sentences about the band, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::PayBand> {
        RecordFields(self)
    }
}

/// A piece of leadership or career knowledge: a challenge and its implications, a leadership
/// behaviour, an entry route, a career pathway, a benefit...
pub(crate) type TopicObject = RecordObject<domain::Topic>;

/// A piece of leadership or career knowledge: a challenge and its implications, a leadership
/// behaviour, an entry route, a career pathway, a benefit...
#[Object(name = "Topic")]
impl TopicObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Topic> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// What the topic is about.
    async fn category(&self) -> TopicCategory {
        self.0.category.into()
    }

    /// The topic's name.
    pub(crate) async fn name(&self) -> String {
        self.0.name.clone()
    }

    /// Other names and abbreviations.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }

    /// What the source says, close to its words.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The list items the source gives: implications, steps, behaviours.
    async fn points(&self) -> &[String] {
        &self.0.points
    }

    /// Records this topic is about.
    async fn related(&self, ctx: &Context<'_>) -> Result<Vec<Record>> {
        load_records(graph(ctx), &self.0.related)
    }

    /// One or two sentences stating the topic's key facts, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Topic> {
        RecordFields(self)
    }
}

/// A real person's career story, as a source tells it.
pub(crate) type CareerStoryObject = RecordObject<domain::CareerStory>;

/// A real person's career story, as a source tells it.
#[Object(name = "CareerStory")]
impl CareerStoryObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::CareerStory> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The person's name (the same as `person`, for the `Record` interface).
    pub(crate) async fn name(&self) -> String {
        self.0.person.clone()
    }

    /// The person's name as the source gives it.
    async fn person(&self) -> &str {
        &self.0.person
    }

    /// Their job title.
    async fn job_title(&self) -> &str {
        &self.0.job_title
    }

    /// Their employer, as the source gives it.
    async fn employer(&self) -> &str {
        &self.0.employer
    }

    /// Their employer, where it is an organisation of the graph.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<OrganisationObject>> {
        read_optional(ctx, self.0.organisation.as_ref())
    }

    /// The route by which they entered management.
    async fn entry_route(&self, ctx: &Context<'_>) -> Result<Option<TopicObject>> {
        read_optional(ctx, self.0.entry_route.as_ref())
    }

    /// The role of the graph their job corresponds to.
    async fn role(&self, ctx: &Context<'_>) -> Result<Option<RoleObject>> {
        read_optional(ctx, self.0.role.as_ref())
    }

    /// Their story, close to the source's words.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// One or two sentences about their career, quotable as an answer.
    pub(crate) async fn summary(&self) -> String {
        self.0.summary.clone()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::CareerStory> {
        RecordFields(self)
    }
}

/// A quantitative statement with its unit, scope, date and source. Where sources disagree
/// (e.g. the number of trusts), each figure is kept with its own source and date.
pub(crate) type FigureObject = RecordObject<domain::Figure>;

/// A quantitative statement with its unit, scope, date and source. Where sources disagree
/// (e.g. the number of trusts), each figure is kept with its own source and date.
#[Object(name = "Figure")]
impl FigureObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Figure> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The statement (the same as `statement`, for the `Record` interface).
    pub(crate) async fn name(&self) -> String {
        self.0.statement.clone()
    }

    /// The statement as the source makes it.
    async fn statement(&self) -> &str {
        &self.0.statement
    }

    /// The number the source states (the low end of a range). Read it with `qualifier`:
    /// "nearly 40%" is 40 with qualifier `NEARLY`.
    async fn value(&self) -> f64 {
        self.0.value
    }

    /// The high end, where the source states a range (e.g. 15 to 25 years); null otherwise.
    async fn value_max(&self) -> Option<f64> {
        self.0.value_max
    }

    /// The hedge the source puts on the number ("nearly", "more than"...); null when it
    /// states the number plainly.
    async fn qualifier(&self) -> Option<FigureQualifier> {
        self.0.qualifier.map(Into::into)
    }

    /// Its unit (people, percent, trusts, GBP, hours per week...).
    async fn unit(&self) -> &str {
        &self.0.unit
    }

    /// What it counts.
    async fn scope(&self) -> &str {
        &self.0.scope
    }

    /// The date the figure is stated for: the date the source gives, else the source's own date.
    async fn as_of(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        if let Some(date) = self.0.as_of {
            return Ok(Some(Date(date)));
        }
        let sources = graph(ctx).many::<domain::Source>(&self.0.sources)?;
        Ok(sources
            .iter()
            .filter_map(|source| source.effective_date())
            .max()
            .map(Date))
    }

    /// Records the figure is about.
    async fn about(&self, ctx: &Context<'_>) -> Result<Vec<Record>> {
        load_records(graph(ctx), &self.0.about)
    }

    /// The statement with its number, hedge and unit, and the source and date that state
    /// it ("...; according to <source>, <date>"): a figure is a claim in time.
    pub(crate) async fn summary(&self) -> String {
        if self.0.summary.is_empty() {
            return self.0.statement.clone();
        }
        self.0.summary.clone()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Figure> {
        RecordFields(self)
    }
}

/// A document facts come from: a web page, article, booklet or dataset.
pub(crate) type SourceObject = RecordObject<domain::Source>;

/// A document facts come from: a web page, article, booklet or dataset.
#[Object(name = "Source")]
impl SourceObject {
    #[graphql(flatten)]
    async fn record_id(&self) -> RecordId<'_, domain::Source> {
        RecordId(self)
    }

    /// Readable stable code.
    pub(crate) async fn code(&self) -> String {
        self.0.code.to_string()
    }

    /// The document's title (the same as `title`, for the `Record` interface).
    pub(crate) async fn name(&self) -> String {
        self.0.title.clone()
    }

    /// The document's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Who published it.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }

    /// Who wrote it, where known.
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }

    /// The date it was published, where it states one.
    async fn published(&self) -> Option<Date> {
        self.0.published.map(Date)
    }

    /// The date its facts are current at: its data date, else its publication date.
    async fn as_of(&self) -> Option<Date> {
        self.0.effective_date().map(Date)
    }

    /// What kind of document it is.
    async fn kind(&self) -> SourceKind {
        self.0.kind.into()
    }

    /// The file the text of the document is kept in.
    async fn document(&self) -> &str {
        &self.0.document
    }

    /// Its web address, where the document gives one.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Its licence, for datasets.
    async fn licence(&self) -> Option<&str> {
        self.0.licence.as_deref()
    }

    /// What the document is.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// For a document that carries no date: its date in words, estimated from its content
    /// (e.g. "circa 2013–14"); `asOf` then holds the estimated date. Null for dated sources.
    async fn dated(&self) -> Option<&str> {
        self.0.dated.as_deref()
    }

    /// How `dated` was estimated: the internal evidence.
    async fn dating_evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }

    /// A sentence naming the document, its publisher and date.
    pub(crate) async fn summary(&self) -> String {
        domain::Record::summary(&*self.0).into_owned()
    }

    #[graphql(flatten)]
    async fn record_fields(&self) -> RecordFields<'_, domain::Source> {
        RecordFields(self)
    }

    /// The source itself, for the `Record` interface.
    #[graphql(name = "sources")]
    async fn itself(&self) -> Vec<SourceObject> {
        vec![SourceObject::new(self.0.clone())]
    }

    /// Every record this source supports.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Page size counted back from the end (at most 100), to page backwards; not with `first`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the first edge of the next page, to page backwards.")]
        before: Option<String>,
    ) -> Result<Page<Record>> {
        let graph = graph(ctx);
        let references: HashMap<String, domain::RecordRef> = graph
            .related(&self.0.reference(), Relation::Cites, Direction::Incoming)?
            .iter()
            .map(|(reference, _)| (reference.to_string(), reference.clone()))
            .collect();
        // Page over the sorted `kind:code` keys, then read only the records of that page.
        let mut keys: Vec<String> = references.keys().cloned().collect();
        keys.sort_unstable();
        let page = paginate(
            keys,
            Clone::clone,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )?;
        let mut records = Page::with_additional_fields(
            page.has_previous_page,
            page.has_next_page,
            page.additional_fields,
        );
        for edge in page.edges {
            if let Some(record) = super::load_record(graph, &references[&edge.node])? {
                records
                    .edges
                    .push(async_graphql::connection::Edge::new(edge.cursor, record));
            }
        }
        Ok(records)
    }
}
