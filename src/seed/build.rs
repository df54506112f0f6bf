//! Turns the parsed tables and registry rows into a validated `Dataset`: converts each entry
//! to its domain record, then checks every reference, collecting every problem.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::evidence::{self, citations, Cited, Documents};
use super::problems::Problems;
use super::references;
use super::registry::{self, REGISTRY_SOURCE};
use super::tables::{self, Located, SeedFile, Tables};
use crate::domain::*;

/// Builds the dataset, or returns every problem found.
pub(crate) fn build(files: &[SeedFile]) -> Result<Dataset, Problems> {
    let mut problems = Problems::default();
    let tables = Tables::parse(files, &mut problems);
    let documents = Documents::read(&tables.sources, files, &mut problems);
    evidence::check(&tables, &documents, &mut problems);
    let registry = registry::read(files, &mut problems);
    let mut builder = Builder {
        problems,
        dataset: Dataset::default(),
        known: Known::default(),
    };
    builder.convert(&tables, registry);
    builder.check_references(&tables);
    builder.add_board_posts(&tables);
    builder.add_named_posts(&tables);
    summarise_figures(&mut builder.dataset);
    if builder.problems.is_empty() {
        Ok(builder.dataset)
    } else {
        Err(builder.problems)
    }
}

/// Codes of every record, by kind, to resolve references.
#[derive(Default)]
pub(crate) struct Known {
    codes: BTreeMap<RecordKind, BTreeSet<Code>>,
}

impl Known {
    pub(crate) fn contains(&self, kind: RecordKind, code: &Code) -> bool {
        self.codes
            .get(&kind)
            .is_some_and(|codes| codes.contains(code))
    }
}

struct Builder {
    problems: Problems,
    dataset: Dataset,
    known: Known,
}

impl Builder {
    fn convert(&mut self, tables: &Tables, registry: registry::Registry) {
        self.dataset.sources = self.records(&tables.sources, convert_source);
        self.dataset.organisations = self.records(&tables.organisations, convert_organisation);
        self.dataset.roles = self.records(&tables.roles, convert_role);
        self.dataset.programmes = self.records(&tables.programmes, convert_programme);
        self.dataset.courses = self.records(&tables.courses, convert_course);
        self.dataset.qualifications = self.records(&tables.qualifications, convert_qualification);
        self.dataset.pay_bands = self.records(&tables.pay_bands, convert_pay_band);
        self.dataset.topics = self.records(&tables.topics, convert_topic);
        self.dataset.career_stories = self.records(&tables.career_stories, convert_career_story);
        self.dataset.figures = self.records(&tables.figures, convert_figure);

        // Curated parents (e.g. the Leadership Academy under NHS England) are undated links.
        for entry in &tables.organisations {
            if let Some(parent) = &entry.value.parent {
                self.dataset.memberships.push(Edge {
                    from: RecordRef::new(RecordKind::Organisation, entry.value.code.clone()),
                    relation: Relation::Parent,
                    to: RecordRef::new(RecordKind::Organisation, parent.clone()),
                    validity: Validity::ALWAYS,
                });
            }
        }
        self.add_registry(registry);
        self.check_duplicates(tables);
        self.index_codes();
    }

    /// Converts each entry, reporting what does not convert.
    fn records<E, T>(
        &mut self,
        entries: &[Located<E>],
        convert: fn(&E) -> Result<T, (&'static str, String)>,
    ) -> Vec<T> {
        let mut records = Vec::with_capacity(entries.len());
        for entry in entries {
            match convert(&entry.value) {
                Ok(record) => records.push(record),
                Err((field, message)) => entry.problem(&mut self.problems, field, message),
            }
        }
        records
    }

    fn add_registry(&mut self, registry: registry::Registry) {
        let curated: BTreeSet<Code> = self
            .dataset
            .organisations
            .iter()
            .map(|organisation| organisation.code.clone())
            .collect();
        let as_of = registry.as_of;
        let n_trusts = as_of.map(|date| registry.n_open(OrganisationKind::Trust, date));
        let n_icbs = as_of.map(|date| registry.n_open(OrganisationKind::Icb, date));
        for organisation in registry.organisations {
            if curated.contains(&organisation.code) {
                let (file, line) = registry
                    .locations
                    .get(&organisation.code)
                    .copied()
                    .unwrap_or(("registry", 1));
                self.problems.push(
                    file,
                    line,
                    "ods_code",
                    format!(
                        "organisation {} is both in the registry and in a TOML file",
                        organisation.code
                    ),
                );
                continue;
            }
            self.dataset.organisations.push(organisation);
        }
        self.dataset.memberships.extend(registry.memberships);
        if let (Some(as_of), Some(n_trusts), Some(n_icbs)) = (as_of, n_trusts, n_icbs) {
            self.dataset.figures.extend(registry_figures(
                as_of,
                n_trusts,
                n_icbs,
                registry.count_citations.clone(),
            ));
        }
    }

    fn check_duplicates(&mut self, tables: &Tables) {
        duplicates(&mut self.problems, &tables.sources, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.organisations, |entry| {
            &entry.code
        });
        duplicates(&mut self.problems, &tables.roles, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.programmes, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.courses, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.qualifications, |entry| {
            &entry.code
        });
        duplicates(&mut self.problems, &tables.pay_bands, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.topics, |entry| &entry.code);
        duplicates(&mut self.problems, &tables.career_stories, |entry| {
            &entry.code
        });
        duplicates(&mut self.problems, &tables.figures, |entry| &entry.code);
    }

    fn index_codes(&mut self) {
        let dataset = &self.dataset;
        let mut add = |kind: RecordKind, codes: Vec<&Code>| {
            self.known
                .codes
                .entry(kind)
                .or_default()
                .extend(codes.into_iter().cloned());
        };
        add(
            RecordKind::Source,
            dataset.sources.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Organisation,
            dataset.organisations.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Role,
            dataset.roles.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Programme,
            dataset.programmes.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Course,
            dataset.courses.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Qualification,
            dataset.qualifications.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::PayBand,
            dataset.pay_bands.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Topic,
            dataset.topics.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::CareerStory,
            dataset.career_stories.iter().map(|r| &r.code).collect(),
        );
        add(
            RecordKind::Figure,
            dataset.figures.iter().map(|r| &r.code).collect(),
        );
    }

    /// Checks every reference. The references of records come from `Record::references()`
    /// (the relation schema's one source of truth), each reported at the seed field that
    /// wrote it; only what is not a record's reference is checked by hand here: every
    /// entry's sources, a curated organisation's parent, and the `[[board]]` and `[[post]]`
    /// entries, which become posts after this check.
    fn check_references(&mut self, tables: &Tables) {
        let mut check = Checker {
            known: &self.known,
            problems: &mut self.problems,
        };
        check.all_sources(&tables.organisations);
        check.all_sources(&tables.roles);
        check.all_sources(&tables.boards);
        check.all_sources(&tables.posts);
        check.all_sources(&tables.programmes);
        check.all_sources(&tables.courses);
        check.all_sources(&tables.qualifications);
        check.all_sources(&tables.pay_bands);
        check.all_sources(&tables.topics);
        check.all_sources(&tables.career_stories);
        check.all_sources(&tables.figures);
        for entry in &tables.organisations {
            let parent = entry.value.parent.as_ref();
            check.one(entry, "parent", RecordKind::Organisation, parent);
        }
        for entry in &tables.boards {
            check.all(entry, "roles", RecordKind::Role, &entry.value.roles);
        }
        for entry in &tables.posts {
            let post = &entry.value;
            check.one(
                entry,
                "organisation",
                RecordKind::Organisation,
                Some(&post.organisation),
            );
            check.one(entry, "role", RecordKind::Role, Some(&post.role));
        }
        references::check(tables, &self.dataset, &self.known, &mut self.problems);
        let registry_source = Code::parse(REGISTRY_SOURCE).expect("a valid code");
        if !self.known.contains(RecordKind::Source, &registry_source) {
            self.problems.push(
                "sources.toml",
                1,
                "code",
                format!("the registry needs a [[source]] with code {REGISTRY_SOURCE:?}"),
            );
        }
        let nhs_england = Code::parse(registry::NHS_ENGLAND).expect("a valid code");
        if !self.known.contains(RecordKind::Organisation, &nhs_england) {
            self.problems.push(
                "registry/regions.csv",
                1,
                "(parent)",
                format!(
                    "regions need an [[organisation]] with code {:?} (NHS England)",
                    registry::NHS_ENGLAND
                ),
            );
        }
    }

    /// Every organisation of a `[[board]]`'s kind gets a post for each of its roles.
    fn add_board_posts(&mut self, tables: &Tables) {
        for entry in &tables.boards {
            let Some(kind) = parse_enum::<OrganisationKind>(&entry.value.organisation_kind) else {
                entry.problem(
                    &mut self.problems,
                    "organisation_kind",
                    format!(
                        "unknown organisation kind {:?}",
                        entry.value.organisation_kind
                    ),
                );
                continue;
            };
            for organisation in self.dataset.organisations.iter().filter(|o| o.kind == kind) {
                for role_code in &entry.value.roles {
                    let Some(role) = self
                        .dataset
                        .roles
                        .iter()
                        .find(|role| &role.code == role_code)
                    else {
                        continue;
                    };
                    let mut post = new_post(
                        organisation,
                        role,
                        entry.value.sources.clone(),
                        citations(&entry.value.citations),
                    );
                    post.from_template = true;
                    post.summary = template_post_summary(&post.name, kind);
                    self.dataset.posts.push(post);
                }
            }
        }
    }

    /// `[[post]]` entries add a post or complete a board post with its holder and sources.
    fn add_named_posts(&mut self, tables: &Tables) {
        for entry in &tables.posts {
            let post_entry = &entry.value;
            let organisation = self
                .dataset
                .organisations
                .iter()
                .find(|o| o.code == post_entry.organisation);
            let role = self
                .dataset
                .roles
                .iter()
                .find(|r| r.code == post_entry.role);
            let (Some(organisation), Some(role)) = (organisation, role) else {
                continue; // already reported by check_references
            };
            let holder_as_of = match post_entry
                .holder_as_of
                .as_ref()
                .map(tables::date)
                .transpose()
            {
                Ok(date) => date,
                Err(message) => {
                    entry.problem(&mut self.problems, "holder_as_of", message);
                    continue;
                }
            };
            let holder = post_entry.holder.clone().map(|name| Holder {
                name,
                as_of: holder_as_of,
            });
            let code = Code::post(&organisation.code, &role.code);
            let post = match self.dataset.posts.iter_mut().find(|post| post.code == code) {
                Some(post) => post,
                None => {
                    let post = new_post(organisation, role, Vec::new(), Vec::new());
                    self.dataset.posts.push(post);
                    self.dataset.posts.last_mut().expect("just pushed")
                }
            };
            // A source states this post for this organisation: it is no longer a template's.
            post.from_template = false;
            post.sources = post_entry.sources.clone();
            post.citations = citations(&post_entry.citations);
            if holder.is_some() {
                post.holder = holder;
            }
            post.summary = post_summary(post, &self.dataset.sources);
        }
    }
}

struct Checker<'a> {
    known: &'a Known,
    problems: &'a mut Problems,
}

impl Checker<'_> {
    fn all_sources<E: Cited>(&mut self, entries: &[Located<E>]) {
        for entry in entries {
            self.sources(entry, entry.value.sources());
        }
    }

    fn sources<E>(&mut self, entry: &Located<E>, sources: &[Code]) {
        if sources.is_empty() {
            entry.problem(
                self.problems,
                "sources",
                "every record needs at least one source",
            );
        }
        self.all(entry, "sources", RecordKind::Source, sources);
    }

    fn one<E>(&mut self, entry: &Located<E>, field: &str, kind: RecordKind, code: Option<&Code>) {
        if let Some(code) = code {
            if !self.known.contains(kind, code) {
                entry.problem(
                    self.problems,
                    field,
                    format!("unknown {} {:?}", kind.reference_name(), code.as_str()),
                );
            }
        }
    }

    fn all<E>(&mut self, entry: &Located<E>, field: &str, kind: RecordKind, codes: &[Code]) {
        for code in codes {
            self.one(entry, field, kind, Some(code));
        }
    }
}

fn duplicates<E>(problems: &mut Problems, entries: &[Located<E>], code: fn(&E) -> &Code) {
    let mut seen: BTreeMap<&Code, &Located<E>> = BTreeMap::new();
    for entry in entries {
        if let Some(first) = seen.insert(code(&entry.value), entry) {
            entry.problem(
                problems,
                "code",
                format!(
                    "duplicate code {:?} (first defined at {}:{})",
                    code(&entry.value).as_str(),
                    first.file,
                    first.line()
                ),
            );
        }
    }
}

fn new_post(
    organisation: &Organisation,
    role: &Role,
    sources: Vec<Code>,
    citations: Vec<Citation>,
) -> Post {
    let name = format!("{}, {}", role.name, organisation.name);
    Post {
        code: Code::post(&organisation.code, &role.code),
        summary: format!("{name}. The sources name no holder."),
        name,
        organisation: organisation.code.clone(),
        role: role.code.clone(),
        holder: None,
        from_template: false,
        sources,
        citations,
    }
}

/// A post's summary says whether a source states it for this organisation, and attributes
/// a holder to the source and date that name them: holders change.
fn post_summary(post: &Post, sources: &[Source]) -> String {
    let name = &post.name;
    let Some(holder) = &post.holder else {
        return format!("{name}. The sources name no holder.");
    };
    let source = post
        .sources
        .iter()
        .find_map(|code| sources.iter().find(|source| &source.code == code));
    let attribution = source.map(according_to).unwrap_or_default();
    match (holder.as_of, attribution.is_empty()) {
        (Some(date), false) => format!(
            "{name}: held by {}, {attribution} (as of {date}).",
            holder.name
        ),
        (Some(date), true) => format!("{name}: held by {}, as of {date}.", holder.name),
        (None, false) => format!("{name}: held by {}, {attribution}.", holder.name),
        (None, true) => format!("{name}: held by {}, as the source states.", holder.name),
    }
}

/// A `[[board]]` post is what a typical organisation of its kind has, not a fact a source
/// states about this one; its summary says so.
fn template_post_summary(name: &str, kind: OrganisationKind) -> String {
    let typical = match kind {
        OrganisationKind::Trust => "a typical NHS trust board post",
        OrganisationKind::Icb => "a typical integrated care board post",
        _ => "a typical board post for an organisation of this kind",
    };
    format!("{name}: {typical}; the holder is not recorded.")
}

/// A figure's summary: the statement, the number with its hedge, and, since a figure is a
/// claim in time, the source and date it is stated by.
pub(crate) fn figure_summary(figure: &Figure, source: Option<&Source>) -> String {
    let statement = figure.statement.trim_end_matches('.');
    let number = quantity(figure.value, figure.value_max, figure.qualifier);
    // A statement that already names its source and date is not attributed twice.
    let attributed = statement.to_lowercase().starts_with("according to");
    let attribution = source
        .filter(|_| !attributed)
        .map(|source| format!("; {}", according_to(source)))
        .unwrap_or_default();
    format!("{statement} ({number} {}{attribution}).", figure.unit)
}

/// Sets every figure's summary from its first source.
fn summarise_figures(dataset: &mut Dataset) {
    let sources = &dataset.sources;
    for figure in &mut dataset.figures {
        let source = figure
            .sources
            .first()
            .and_then(|code| sources.iter().find(|source| &source.code == code));
        figure.summary = figure_summary(figure, source);
    }
}

fn registry_figures(
    as_of: NaiveDate,
    n_trusts: usize,
    n_icbs: usize,
    citations: [Vec<Citation>; 2],
) -> Vec<Figure> {
    let [trust_citations, icb_citations] = citations;
    let source = vec![Code::parse(REGISTRY_SOURCE).expect("a valid code")];
    let nhs_england = vec![RecordRef::new(
        RecordKind::Organisation,
        Code::parse(registry::NHS_ENGLAND).expect("a valid code"),
    )];
    vec![
        Figure {
            code: Code::parse("figure-registry-open-trusts").expect("a valid code"),
            statement: format!("The NHS England Organisation Data Service registry lists {n_trusts} open NHS trusts in England on {as_of}."),
            value: n_trusts as f64,
            value_max: None,
            qualifier: None,
            unit: "trusts".to_owned(),
            scope: "open NHS trusts and NHS foundation trusts in England, in the ODS registry extract".to_owned(),
            as_of: Some(as_of),
            about: nhs_england.clone(),
            summary: String::new(),
            sources: source.clone(),
            citations: trust_citations,
        },
        Figure {
            code: Code::parse("figure-registry-icbs").expect("a valid code"),
            statement: format!("The NHS England Organisation Data Service registry lists {n_icbs} integrated care boards on {as_of}."),
            value: n_icbs as f64,
            value_max: None,
            qualifier: None,
            unit: "integrated care boards".to_owned(),
            scope: "integrated care boards in England, in the ODS registry extract".to_owned(),
            as_of: Some(as_of),
            about: nhs_england,
            summary: String::new(),
            sources: source,
            citations: icb_citations,
        },
    ]
}

/// Parses a SCREAMING_SNAKE_CASE seed value into a domain enum through its serde name.
fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let pascal: String = text
        .split('_')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut characters = lower.chars();
            characters
                .next()
                .map(|first| first.to_uppercase().chain(characters).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    if text.is_empty() || text.chars().any(|c| !(c.is_ascii_uppercase() || c == '_')) {
        return None;
    }
    serde_json::from_value(serde_json::Value::String(pascal)).ok()
}

fn enum_field<T: serde::de::DeserializeOwned>(
    field: &'static str,
    text: &str,
) -> Result<T, (&'static str, String)> {
    parse_enum(text).ok_or_else(|| (field, format!("unknown value {text:?}")))
}

fn optional_date(
    field: &'static str,
    value: Option<&toml::value::Datetime>,
) -> Result<Option<NaiveDate>, (&'static str, String)> {
    value
        .map(tables::date)
        .transpose()
        .map_err(|message| (field, message))
}

fn non_empty(field: &'static str, text: &str) -> Result<(), (&'static str, String)> {
    if text.trim().is_empty() {
        return Err((field, "must not be empty".to_owned()));
    }
    Ok(())
}

fn references(
    field: &'static str,
    texts: &[String],
) -> Result<Vec<RecordRef>, (&'static str, String)> {
    texts
        .iter()
        .map(|text| RecordRef::parse(text).map_err(|message| (field, message)))
        .collect()
}

type Converted<T> = Result<T, (&'static str, String)>;

fn convert_source(entry: &tables::SourceEntry) -> Converted<Source> {
    non_empty("title", &entry.title)?;
    Ok(Source {
        code: entry.code.clone(),
        title: entry.title.clone(),
        publisher: entry.publisher.clone(),
        author: entry.author.clone(),
        published: optional_date("published", entry.published.as_ref())?,
        as_of: optional_date("as_of", entry.as_of.as_ref())?,
        kind: enum_field("kind", &entry.kind)?,
        document: entry.document.clone(),
        url: entry.url.clone(),
        licence: entry.licence.clone(),
        description: entry.description.clone(),
        dated: entry.dated.clone(),
        evidence: entry.evidence.clone(),
    })
}

fn convert_organisation(entry: &tables::OrganisationEntry) -> Converted<Organisation> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(Organisation {
        code: entry.code.clone(),
        name: entry.name.clone(),
        registered_name: None,
        kind: enum_field("kind", &entry.kind)?,
        foundation_trust: None,
        trust_type: None,
        aliases: entry.aliases.clone(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        opened: optional_date("opened", entry.opened.as_ref())?,
        closed: optional_date("closed", entry.closed.as_ref())?,
        postcode: None,
        gss_code: None,
        website: entry.website.clone(),
        predecessors: Vec::new(),
        historical: entry.historical,
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_role(entry: &tables::RoleEntry) -> Converted<Role> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(Role {
        code: entry.code.clone(),
        name: entry.name.clone(),
        category: enum_field("category", &entry.category)?,
        aliases: entry.aliases.clone(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        activities: entry.activities.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_programme(entry: &tables::ProgrammeEntry) -> Converted<Programme> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(Programme {
        code: entry.code.clone(),
        name: entry.name.clone(),
        provider: entry.provider.clone(),
        partners: entry.partners.clone(),
        parent: entry.parent.clone(),
        aliases: entry.aliases.clone(),
        audience: entry.audience.clone(),
        level: entry.level.clone(),
        duration: entry.duration.clone(),
        duration_months: entry.duration_months,
        format: entry.format.clone(),
        accredited_by: entry.accredited_by.clone(),
        leads_to: entry.leads_to.clone(),
        qualifications: entry.qualifications.clone(),
        roles: entry.roles.clone(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_course(entry: &tables::CourseEntry) -> Converted<Course> {
    non_empty("title", &entry.title)?;
    non_empty("summary", &entry.summary)?;
    Ok(Course {
        code: entry.code.clone(),
        title: entry.title.clone(),
        provider: entry.provider.clone(),
        level: enum_field("level", &entry.level)?,
        subject: entry.subject.clone(),
        accredited_by: entry.accredited_by.clone(),
        claimed_accreditations: Vec::new(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
        publisher: None,
        updated_at: None,
        retired_on: None,
    })
}

fn convert_qualification(entry: &tables::QualificationEntry) -> Converted<Qualification> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(Qualification {
        code: entry.code.clone(),
        name: entry.name.clone(),
        aliases: entry.aliases.clone(),
        awarded_by: entry.awarded_by.clone(),
        roles: entry.roles.clone(),
        level: entry.level.clone(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_pay_band(entry: &tables::PayBandEntry) -> Converted<PayBand> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(PayBand {
        code: entry.code.clone(),
        name: entry.name.clone(),
        band: entry.band.clone(),
        example_roles: entry.example_roles.clone(),
        roles: entry.roles.clone(),
        description: entry.description.clone(),
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_topic(entry: &tables::TopicEntry) -> Converted<Topic> {
    non_empty("name", &entry.name)?;
    non_empty("summary", &entry.summary)?;
    Ok(Topic {
        code: entry.code.clone(),
        category: enum_field("category", &entry.category)?,
        name: entry.name.clone(),
        aliases: entry.aliases.clone(),
        text: entry.text.clone(),
        points: entry.points.clone(),
        related: references("related", &entry.related)?,
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_career_story(entry: &tables::CareerStoryEntry) -> Converted<CareerStory> {
    non_empty("person", &entry.person)?;
    non_empty("summary", &entry.summary)?;
    Ok(CareerStory {
        code: entry.code.clone(),
        person: entry.person.clone(),
        job_title: entry.job_title.clone(),
        employer: entry.employer.clone(),
        organisation: entry.organisation.clone(),
        entry_route: entry.entry_route.clone(),
        role: entry.role.clone(),
        text: entry.text.clone(),
        summary: entry.summary.clone(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

fn convert_figure(entry: &tables::FigureEntry) -> Converted<Figure> {
    non_empty("statement", &entry.statement)?;
    if !entry.value.is_finite() {
        return Err(("value", "must be a finite number".to_owned()));
    }
    if let Some(max) = entry.value_max {
        if !max.is_finite() || max < entry.value {
            return Err((
                "value_max",
                "must be a finite number no lower than `value`".to_owned(),
            ));
        }
    }
    Ok(Figure {
        code: entry.code.clone(),
        statement: entry.statement.clone(),
        value: entry.value,
        value_max: entry.value_max,
        qualifier: entry
            .qualifier
            .as_deref()
            .map(|words| {
                Qualifier::from_words(words).ok_or_else(|| {
                    let known: Vec<&str> = Qualifier::ALL.iter().map(|q| q.words()).collect();
                    (
                        "qualifier",
                        format!(
                            "unknown qualifier {words:?}; use one of {}",
                            known.join(", ")
                        ),
                    )
                })
            })
            .transpose()?,
        unit: entry.unit.clone(),
        scope: entry.scope.clone(),
        as_of: optional_date("as_of", entry.as_of.as_ref())?,
        about: references("about", &entry.about)?,
        summary: String::new(),
        sources: entry.sources.clone(),
        citations: citations(&entry.citations),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_enum_values_are_screaming_snake_case() {
        assert_eq!(
            parse_enum::<OrganisationKind>("NHS_ENGLAND"),
            Some(OrganisationKind::NhsEngland)
        );
        assert_eq!(
            parse_enum::<OrganisationKind>("ICB"),
            Some(OrganisationKind::Icb)
        );
        assert_eq!(
            parse_enum::<TopicCategory>("ENTRY_ROUTE"),
            Some(TopicCategory::EntryRoute)
        );
        assert_eq!(parse_enum::<OrganisationKind>("Icb"), None);
        assert_eq!(parse_enum::<OrganisationKind>("SPACESHIP"), None);
    }
}
