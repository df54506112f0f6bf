//! One record as a model or a person reads it: the query that fetches a record by global id
//! with its key facts and its relationships one hop out, and what is made of the answer, a
//! [`RecordDocument`], rendered as cited text (the `fetch` tool) or as an HTML page
//! (`/records/{id}`, in `pages.rs`, which `fetch` and `search` give as each record's `url`).

use serde_json::{json, Map, Value};

/// Fetches one record by global id (`$id`): the `Record` fields, then each kind's facts and
/// relationships, every related record as its id and name. Kind-specific fields whose
/// names clash across kinds with different types are aliased, as GraphQL requires.
///
/// The `Record` fields are every kind's default page: a kind with no fragment of its own
/// here is shown by its name, summary and sources ([`RecordDocument::from_node`] reads any
/// field it is given), and a fragment adds what is worth showing of that kind.
pub(crate) const FETCH_QUERY: &str = r#"query Fetch($id: ID!) {
  node(id: $id) {
    __typename
    ... on Record { id code name summary sources { ...Cite } }
    ... on Organisation {
      organisationKind: kind registeredName aliases trustType foundationTrust description
      opened closed postcode website
      parent { ...Ref } predecessors { ...Ref } successors { ...Ref }
      children(first: 25) { totalCount nodes { ...Ref } }
      posts { ...Ref holder { name asOf } }
      programmes { ...Ref } accreditedProgrammes { ...Ref } qualifications { ...Ref }
      courses(first: 25) { totalCount nodes { ...Ref } }
      accreditedCourses(first: 25) { totalCount nodes { ...Ref } }
      topics { ...Ref } careerStories { ...Ref } figures { ...Stated }
    }
    ... on Role {
      roleCategory: category aliases description activities
      programmes { ...Ref } qualifications { ...Ref } payBands { ...Ref }
      posts(first: 25) { totalCount nodes { ...Ref } }
      topics { ...Ref } careerStories { ...Ref } figures { ...Stated }
    }
    ... on Post { role { ...Ref } organisation { ...Ref } holder { name asOf } }
    ... on Programme {
      aliases audience programmeLevel: level duration format leadsTo description
      provider { ...Ref } partners { ...Ref } accreditedBy { ...Ref }
      qualifications { ...Ref } roles { ...Ref } parent { ...Ref } specialisms { ...Ref }
      topics { ...Ref } figures { ...Stated }
    }
    ... on Course {
      courseLevel: level subject status retiredOn updatedAt
      provider { ...Ref } accreditedBy { ...Ref }
    }
    ... on Qualification {
      aliases qualificationLevel: level description
      awardedBy { ...Ref } roles { ...Ref } programmes { ...Ref }
    }
    ... on PayBand { band exampleRoles description roles { ...Ref } }
    ... on Topic { topicCategory: category aliases text points related { ...Ref } }
    ... on CareerStory {
      person jobTitle employer text organisation { ...Ref } entryRoute { ...Ref } role { ...Ref }
    }
    ... on Figure { value unit scope asOf about { ...Ref } }
    ... on Source {
      publisher author published asOf sourceKind: kind url licence description
      records(first: 25) { totalCount nodes { ...Ref } }
    }
  }
}
fragment Ref on Record { id name }
fragment Cite on Source { id title publisher published url }
fragment Stated on Figure { id statement asOf sources { ...Cite } }"#;

/// A record's fields shown elsewhere than among its facts.
const HEADLINE_FIELDS: [&str; 6] = ["__typename", "id", "code", "name", "summary", "sources"];

/// The fields that are dates, gathered into `metadata.dates`.
const DATE_FIELDS: [&str; 6] = [
    "opened",
    "closed",
    "published",
    "asOf",
    "retiredOn",
    "updatedAt",
];

/// A record, its facts and relationships, each fact with the numbers of its sources.
#[derive(Debug, Clone)]
pub(crate) struct RecordDocument {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) code: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(super) facts: Vec<Fact>,
    pub(super) relations: Vec<Relation>,
    /// Numbered from 1 in this order.
    pub(super) citations: Vec<Citation>,
    pub(super) dates: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub(super) struct Fact {
    pub(super) label: String,
    pub(super) value: String,
    pub(super) cites: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Relation {
    pub(super) label: String,
    pub(super) records: Vec<Related>,
    /// How many there are in all, when only the first page is listed.
    pub(super) total: Option<u64>,
}

#[derive(Debug, Clone)]
pub(super) struct Related {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Citation {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) publisher: Option<String>,
    pub(super) published: Option<String>,
    pub(super) url: Option<String>,
}

impl RecordDocument {
    /// Reads the `node` of an answer to [`FETCH_QUERY`]; `None` when it is not a record.
    pub(crate) fn from_node(node: &Value) -> Option<Self> {
        let object = node.as_object()?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut document = Self {
            id: text("id")?,
            kind: text("__typename")?,
            code: text("code").unwrap_or_default(),
            title: text("name")?,
            summary: text("summary").unwrap_or_default(),
            facts: Vec::new(),
            relations: Vec::new(),
            citations: Vec::new(),
            dates: Map::new(),
        };
        let own_cites = document.cite_all(object.get("sources"));
        if !document.summary.is_empty() {
            document.facts.push(Fact {
                label: "Summary".to_owned(),
                value: document.summary.clone(),
                cites: own_cites.clone(),
            });
        }
        for (key, value) in object {
            if HEADLINE_FIELDS.contains(&key.as_str()) {
                continue;
            }
            if DATE_FIELDS.contains(&key.as_str()) && !value.is_null() {
                document.dates.insert(key.clone(), value.clone());
            }
            document.add_field(key, value, &own_cites);
        }
        Some(document)
    }

    /// Numbers every source of `sources` (reusing a number already given) and returns them.
    fn cite_all(&mut self, sources: Option<&Value>) -> Vec<usize> {
        let Some(sources) = sources.and_then(Value::as_array) else {
            return Vec::new();
        };
        let mut numbers = Vec::new();
        for source in sources {
            let text = |key: &str| source.get(key).and_then(Value::as_str).map(str::to_owned);
            let Some(citation) = text("id").map(|id| Citation {
                id,
                title: text("title").unwrap_or_default(),
                publisher: text("publisher"),
                published: text("published"),
                url: text("url"),
            }) else {
                continue;
            };
            let number = match self
                .citations
                .iter()
                .position(|known| known.id == citation.id)
            {
                Some(index) => index + 1,
                None => {
                    self.citations.push(citation);
                    self.citations.len()
                }
            };
            numbers.push(number);
        }
        numbers
    }

    /// Files one field of the answer as a fact or a relationship.
    fn add_field(&mut self, key: &str, value: &Value, own_cites: &[usize]) {
        let label = label(key);
        match value {
            Value::Null => {}
            Value::String(_) | Value::Number(_) | Value::Bool(_) => self.facts.push(Fact {
                label,
                value: scalar(value),
                cites: own_cites.to_vec(),
            }),
            Value::Array(items) if items.iter().all(|item| !item.is_object()) => {
                if !items.is_empty() {
                    let values: Vec<String> = items.iter().map(scalar).collect();
                    self.facts.push(Fact {
                        label,
                        value: values.join("; "),
                        cites: own_cites.to_vec(),
                    });
                }
            }
            Value::Array(items) if items.iter().any(|item| item.get("statement").is_some()) => {
                // Figures: each a fact of its own, cited to its own sources.
                for item in items {
                    let cites = self.cite_all(item.get("sources"));
                    let mut statement = item.get("statement").map(scalar).unwrap_or_default();
                    if let Some(as_of) = item.get("asOf").and_then(Value::as_str) {
                        statement.push_str(&format!(" (as of {as_of})"));
                    }
                    self.facts.push(Fact {
                        label: "Figure".to_owned(),
                        value: statement,
                        cites,
                    });
                }
            }
            Value::Array(items) => self.add_relation(label, items, None),
            Value::Object(object) if object.contains_key("nodes") => {
                let items = object
                    .get("nodes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let total = object.get("totalCount").and_then(Value::as_u64);
                self.add_relation(label, &items, total);
            }
            Value::Object(object) if object.contains_key("id") => {
                self.add_relation(label, std::slice::from_ref(value), None);
            }
            Value::Object(object) => {
                // A holder: a name, and the date a source says it was so.
                let mut text = object.get("name").map(scalar).unwrap_or_default();
                if let Some(as_of) = object.get("asOf").and_then(Value::as_str) {
                    text.push_str(&format!(" (as of {as_of})"));
                }
                self.facts.push(Fact {
                    label,
                    value: text,
                    cites: own_cites.to_vec(),
                });
            }
        }
    }

    fn add_relation(&mut self, label: String, items: &[Value], total: Option<u64>) {
        let records: Vec<Related> = items
            .iter()
            .filter_map(|item| {
                let note = item.get("holder").and_then(|holder| {
                    let name = holder.get("name")?.as_str()?;
                    Some(match holder.get("asOf").and_then(Value::as_str) {
                        Some(as_of) => format!("held by {name} as of {as_of}"),
                        None => format!("held by {name}"),
                    })
                });
                Some(Related {
                    id: item.get("id")?.as_str()?.to_owned(),
                    name: item.get("name")?.as_str()?.to_owned(),
                    note,
                })
            })
            .collect();
        if records.is_empty() {
            return;
        }
        let total = total.filter(|total| *total > records.len() as u64);
        self.relations.push(Relation {
            label,
            records,
            total,
        });
    }

    /// The record as cited plain text: its summary and facts, each with the numbers of its
    /// sources, its relationships one hop out (each related record's id, for `fetch`), and
    /// the numbered sources.
    pub(crate) fn text(&self) -> String {
        let mut text = format!("{} ({}, code {})\n\n", self.title, self.kind, self.code);
        text.push_str("Facts:\n");
        for fact in &self.facts {
            text.push_str(&format!(
                "- {}: {}{}\n",
                fact.label,
                fact.value,
                cite_marks(&fact.cites)
            ));
        }
        if !self.relations.is_empty() {
            text.push_str("\nRelationships (fetch an id for more):\n");
            for relation in &self.relations {
                let names: Vec<String> = relation
                    .records
                    .iter()
                    .map(|record| match &record.note {
                        Some(note) => format!("{} ({note}) [id {}]", record.name, record.id),
                        None => format!("{} [id {}]", record.name, record.id),
                    })
                    .collect();
                text.push_str(&format!("- {}: {}", relation.label, names.join("; ")));
                if let Some(total) = relation.total {
                    text.push_str(&format!(" (first {} of {total})", relation.records.len()));
                }
                text.push('\n');
            }
        }
        if !self.citations.is_empty() {
            text.push_str("\nSources:\n");
            for (index, citation) in self.citations.iter().enumerate() {
                text.push_str(&format!("[{}] {}\n", index + 1, citation.line()));
            }
        }
        text
    }

    /// `metadata` of the `fetch` result: the kind, code, sources and dates.
    pub(crate) fn metadata(&self) -> Value {
        let sources: Vec<Value> = self
            .citations
            .iter()
            .map(|citation| {
                json!({
                    "id": citation.id,
                    "title": citation.title,
                    "publisher": citation.publisher,
                    "published": citation.published,
                    "url": citation.url,
                })
            })
            .collect();
        json!({
            "kind": self.kind,
            "code": self.code,
            "sources": sources,
            "dates": self.dates,
        })
    }
}

impl Citation {
    fn line(&self) -> String {
        let mut line = self.title.clone();
        for detail in [&self.publisher, &self.published].into_iter().flatten() {
            line.push_str(", ");
            line.push_str(detail);
        }
        if let Some(url) = &self.url {
            line.push_str(&format!(". {url}"));
        }
        line
    }
}

/// `camelCase` field name to a sentence-case label: `accreditedProgrammes` → "Accredited programmes".
fn label(key: &str) -> String {
    let mut label = String::new();
    for (index, character) in key.chars().enumerate() {
        if character.is_uppercase() {
            label.push(' ');
            label.extend(character.to_lowercase());
        } else if index == 0 {
            label.extend(character.to_uppercase());
        } else {
            label.push(character);
        }
    }
    label
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        other => other.to_string(),
    }
}

fn cite_marks(cites: &[usize]) -> String {
    cites.iter().map(|number| format!(" [{number}]")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_without_a_fragment_of_its_own_gets_the_default_page() {
        let node = json!({
            "__typename": "Apprenticeship",
            "id": "QXBwcmVudGljZXNoaXA6eA==",
            "code": "x",
            "name": "X Apprenticeship",
            "summary": "X is an apprenticeship.",
            "sources": [{ "id": "S1", "title": "About X", "publisher": "NHS", "published": null, "url": null }]
        });
        let document = RecordDocument::from_node(&node).expect("a record");
        assert_eq!(
            document.text(),
            "X Apprenticeship (Apprenticeship, code x)\n\nFacts:\n- Summary: X is an apprenticeship. [1]\n\nSources:\n[1] About X, NHS\n"
        );
    }

    #[test]
    fn labels_read_as_sentences() {
        assert_eq!(label("accreditedProgrammes"), "Accredited programmes");
        assert_eq!(label("parent"), "Parent");
    }

    #[test]
    fn facts_cite_the_record_sources_and_figures_their_own() {
        let node = json!({
            "__typename": "Programme",
            "id": "UHJvZ3JhbW1lOng=",
            "code": "x",
            "name": "X Programme",
            "summary": "X is a programme.",
            "sources": [{ "id": "S1", "title": "About X", "publisher": "NHS", "published": null, "url": "https://x.example" }],
            "duration": "six months",
            "provider": { "id": "T3JnOkE=", "name": "Academy" },
            "figures": [{ "id": "F", "statement": "X has 10 cohorts", "asOf": "2024-01-01",
                          "sources": [{ "id": "S2", "title": "Report", "publisher": null, "published": "2024-01-01", "url": null }] }]
        });
        let document = RecordDocument::from_node(&node).expect("a record");
        let text = document.text();
        assert!(text.contains("- Summary: X is a programme. [1]"), "{text}");
        assert!(text.contains("- Duration: six months [1]"), "{text}");
        assert!(
            text.contains("- Figure: X has 10 cohorts (as of 2024-01-01) [2]"),
            "{text}"
        );
        assert!(text.contains("- Provider: Academy [id T3JnOkE=]"), "{text}");
        assert!(
            text.contains("[1] About X, NHS. https://x.example"),
            "{text}"
        );
        assert!(text.contains("[2] Report, 2024-01-01"), "{text}");
        assert_eq!(document.metadata()["kind"], "Programme");
    }
}
