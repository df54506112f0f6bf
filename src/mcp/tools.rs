//! The MCP tools: `search` and `fetch` (in the shapes ChatGPT connectors and deep research
//! expect), `introspect`, `validate` and `execute` for agents that write GraphQL, and one
//! tool per operation file. Each builds GraphQL and runs it through the gateway; each
//! failure is a tool result with `isError` and a message a model can act on.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Map, Value};

use super::graphql::{Answer, Gateway, Refusal, Request};
use super::operations::Operation;
use super::records::{RecordDocument, FETCH_QUERY};

/// Every tool, and what runs each.
pub(crate) struct Tools {
    gateway: Gateway,
    operations: Vec<Operation>,
    listed: Vec<Tool>,
}

/// The most results `search` gives at once.
const MAX_SEARCH_RESULTS: u64 = 50;

impl Tools {
    pub(crate) fn new(gateway: Gateway, operations: Vec<Operation>) -> Self {
        let mut listed = built_in_tools();
        listed.extend(operations.iter().map(operation_tool));
        Self {
            gateway,
            operations,
            listed,
        }
    }

    /// What `tools/list` answers.
    pub(crate) fn list(&self) -> &[Tool] {
        &self.listed
    }

    /// The tool named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Tool> {
        self.listed.iter().find(|tool| tool.name == name)
    }

    /// Runs the tool `name`; `None` when there is no such tool. `base_url` (scheme and
    /// authority) makes each record's `url`.
    pub(crate) async fn call(
        &self,
        name: &str,
        arguments: JsonObject,
        base_url: &str,
    ) -> Option<CallToolResult> {
        let tool = self.get(name)?;
        if let Err(problem) = check_arguments(&tool.input_schema, &arguments) {
            return Some(failure(format!(
                "invalid arguments for {name}: {problem}. The input schema is: {}",
                Value::Object((*tool.input_schema).clone())
            )));
        }
        let result = match name {
            "search" => self.search(&arguments, base_url).await,
            "fetch" => self.fetch(&arguments, base_url).await,
            "introspect" => self.introspect(&arguments).await,
            "validate" => self.validate(&arguments).await,
            "execute" => self.execute(&arguments).await,
            _ => {
                let operation = self
                    .operations
                    .iter()
                    .find(|operation| operation.name == name)?;
                self.operation(operation, arguments).await
            }
        };
        Some(result.unwrap_or_else(|message| failure(format!("{name}: {message}"))))
    }

    async fn search(
        &self,
        arguments: &JsonObject,
        base_url: &str,
    ) -> Result<CallToolResult, String> {
        let query = string_argument(arguments, "query")?;
        let limit = arguments
            .get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(10)
            .clamp(1, MAX_SEARCH_RESULTS);
        let answer = self
            .run(Request::new(
                "query Search($query: String!, $first: Int) { search(query: $query, first: $first) { totalCount nodes { snippet summary record { __typename id code name } } } }",
                json!({ "query": query, "first": limit }),
            ))
            .await?;
        refuse_on_errors(&answer, "search")?;
        let hits = answer.data["search"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let results: Vec<Value> = hits
            .iter()
            .map(|hit| {
                let record = &hit["record"];
                let id = record["id"].as_str().unwrap_or_default();
                json!({
                    "id": id,
                    "title": record["name"],
                    "url": record_url(base_url, id),
                    "snippet": hit["snippet"],
                    "summary": hit["summary"],
                    "kind": record["__typename"],
                    "code": record["code"],
                })
            })
            .collect();
        Ok(CallToolResult::structured(json!({
            "results": results,
            "totalCount": answer.data["search"]["totalCount"],
        })))
    }

    async fn fetch(
        &self,
        arguments: &JsonObject,
        base_url: &str,
    ) -> Result<CallToolResult, String> {
        let id = string_argument(arguments, "id")?;
        let answer = self
            .run(Request::new(FETCH_QUERY, json!({ "id": id })))
            .await?;
        if answer.data["node"].is_null() {
            let reasons: Vec<String> = answer.errors.iter().map(ToString::to_string).collect();
            let reason = if reasons.is_empty() {
                format!("no record has id {id:?} (NOT_FOUND)")
            } else {
                reasons.join("; ")
            };
            return Err(format!(
                "{reason}. Ids are the `id` of `search` results or of related records in a `fetch` text; search for the record first"
            ));
        }
        refuse_on_errors(&answer, "fetch")?;
        let document = RecordDocument::from_node(&answer.data["node"])
            .ok_or_else(|| format!("the record {id:?} could not be read; try `search` again"))?;
        Ok(CallToolResult::structured(json!({
            "id": document.id,
            "title": document.title,
            "text": document.text(),
            "url": record_url(base_url, &document.id),
            "metadata": document.metadata(),
        })))
    }

    async fn introspect(&self, arguments: &JsonObject) -> Result<CallToolResult, String> {
        let type_name = match arguments.get("typeName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => return Err("`typeName` must be a string".to_owned()),
        };
        let answer = self
            .run(Request::new(
                INTROSPECT_QUERY,
                json!({ "name": type_name.as_deref().unwrap_or("Query") }),
            ))
            .await?;
        refuse_on_errors(&answer, "introspect")?;
        let type_names: Vec<Value> = answer.data["__schema"]["types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|ty| !ty["name"].as_str().unwrap_or("__").starts_with("__"))
            .map(|ty| {
                json!(format!(
                    "{} ({})",
                    ty["name"].as_str().unwrap_or_default(),
                    ty["kind"].as_str().unwrap_or_default()
                ))
            })
            .collect();
        let Some(ty) = answer.data["__type"].as_object() else {
            return Err(format!(
                "no type is named {:?}; the schema's types are: {}",
                type_name.unwrap_or_default(),
                type_names
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let mut compact = compact_type(ty);
        if type_name.is_none() {
            compact.insert("types".to_owned(), Value::Array(type_names));
        }
        Ok(CallToolResult::structured(Value::Object(compact)))
    }

    async fn validate(&self, arguments: &JsonObject) -> Result<CallToolResult, String> {
        let request = graphql_arguments(arguments)?;
        Ok(match self.gateway.check(request).await {
            Ok(cost) => CallToolResult::structured(json!({ "valid": true, "cost": cost })),
            Err(refusal) => CallToolResult::structured(json!({
                "valid": false,
                "errors": refusal.problems,
            })),
        })
    }

    async fn execute(&self, arguments: &JsonObject) -> Result<CallToolResult, String> {
        let request = graphql_arguments(arguments)?;
        let answer = self.run(request).await?;
        Ok(answer_result(answer))
    }

    async fn operation(
        &self,
        operation: &Operation,
        arguments: JsonObject,
    ) -> Result<CallToolResult, String> {
        let answer = self
            .run(Request::new(
                operation.query.clone(),
                Value::Object(arguments),
            ))
            .await?;
        if answer
            .errors
            .iter()
            .any(|problem| problem.code == "NOT_FOUND")
        {
            let reasons: Vec<String> = answer.errors.iter().map(ToString::to_string).collect();
            return Err(format!(
                "{}. Find the right code with the `search` tool (its results carry each record's `code`)",
                reasons.join("; ")
            ));
        }
        Ok(answer_result(answer))
    }

    /// Runs `request`; a refusal becomes the message of a failed tool call.
    async fn run(&self, request: Request) -> Result<Answer, String> {
        self.gateway
            .run(request)
            .await
            .map_err(|refusal| refusal_message(&refusal))
    }
}

/// The GraphQL refusal as a model can act on it: each error with its code.
fn refusal_message(refusal: &Refusal) -> String {
    format!("the GraphQL API refused the query: {refusal}")
}

/// A tool that does not expect partial answers fails on any error.
fn refuse_on_errors(answer: &Answer, tool: &str) -> Result<(), String> {
    if answer.errors.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = answer.errors.iter().map(ToString::to_string).collect();
    Err(format!("{tool} failed: {}", reasons.join("; ")))
}

/// An executed query as a tool result: `{data, errors, cost}`, an error result when any
/// error came back (with the data that did).
fn answer_result(answer: Answer) -> CallToolResult {
    let structured = serde_json::to_value(&answer).unwrap_or(Value::Null);
    if answer.errors.is_empty() {
        CallToolResult::structured(structured)
    } else {
        let reasons: Vec<String> = answer.errors.iter().map(ToString::to_string).collect();
        CallToolResult::error(vec![
            ContentBlock::text(format!(
                "the query answered with errors: {}",
                reasons.join("; ")
            )),
            ContentBlock::text(structured.to_string()),
        ])
    }
}

fn failure(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

fn record_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/records/{id}")
}

fn string_argument(arguments: &JsonObject, name: &str) -> Result<String, String> {
    match arguments.get(name) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => Err(format!("`{name}` must not be empty")),
        _ => Err(format!("`{name}` is required and must be a string")),
    }
}

/// `query`, `variables` and `operationName`, as `/graphql` takes them.
fn graphql_arguments(arguments: &JsonObject) -> Result<Request, String> {
    let query = string_argument(arguments, "query")?;
    let variables = match arguments.get("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(variables)) => Some(Value::Object(variables.clone())),
        // Some clients send the variables as JSON text.
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(variables)) => Some(Value::Object(variables)),
            _ => return Err("`variables` must be a JSON object".to_owned()),
        },
        Some(_) => return Err("`variables` must be a JSON object".to_owned()),
    };
    let operation_name = match arguments.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err("`operationName` must be a string".to_owned()),
    };
    Ok(Request {
        query,
        variables,
        operation_name,
    })
}

/// A light check of `arguments` against a tool's input schema: required properties present,
/// no unknown ones when the schema forbids them, and each given value of the JSON type the
/// schema names. GraphQL checks the rest (enum values, formats) when the query runs.
fn check_arguments(schema: &JsonObject, arguments: &JsonObject) -> Result<(), String> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for required in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if arguments.get(required).is_none_or(Value::is_null) {
            return Err(format!("`{required}` is required"));
        }
    }
    for (name, value) in arguments {
        let Some(property) = properties.get(name) else {
            if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                let known: Vec<&String> = properties.keys().collect();
                return Err(format!(
                    "unknown argument `{name}` (the arguments are {known:?})"
                ));
            }
            continue;
        };
        let types: Vec<&str> = match property.get("type") {
            Some(Value::String(ty)) => vec![ty.as_str()],
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        if !types.iter().any(|ty| json_type_matches(ty, value)) {
            return Err(format!(
                "`{name}` must be of type {}, not {value}",
                types.join(" or ")
            ));
        }
    }
    Ok(())
}

fn json_type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

const INTROSPECT_QUERY: &str = r#"query Introspect($name: String!) {
  __type(name: $name) {
    name kind description
    fields { name description args { name description type { ...TypeName } defaultValue } type { ...TypeName } }
    inputFields { name description type { ...TypeName } defaultValue }
    enumValues { name description }
    interfaces { name }
    possibleTypes { name }
  }
  __schema { types { name kind } }
}
fragment TypeName on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

/// A type of the introspection answer, compactly: type references as SDL (`[Post!]!`),
/// empty lists left out.
fn compact_type(ty: &Map<String, Value>) -> Map<String, Value> {
    let mut compact = Map::new();
    for key in ["name", "kind", "description"] {
        if let Some(value) = ty.get(key).filter(|value| !value.is_null()) {
            compact.insert(key.to_owned(), value.clone());
        }
    }
    let compact_field = |field: &Value| {
        let mut entry = Map::new();
        entry.insert("name".to_owned(), field["name"].clone());
        entry.insert("type".to_owned(), json!(type_reference(&field["type"])));
        if let Some(description) = field["description"].as_str() {
            entry.insert("description".to_owned(), json!(description));
        }
        if let Some(default) = field["defaultValue"].as_str() {
            entry.insert("default".to_owned(), json!(default));
        }
        let args: Vec<Value> = field["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|arg| {
                let mut entry = Map::new();
                entry.insert("name".to_owned(), arg["name"].clone());
                entry.insert("type".to_owned(), json!(type_reference(&arg["type"])));
                if let Some(description) = arg["description"].as_str() {
                    entry.insert("description".to_owned(), json!(description));
                }
                if let Some(default) = arg["defaultValue"].as_str() {
                    entry.insert("default".to_owned(), json!(default));
                }
                Value::Object(entry)
            })
            .collect();
        if !args.is_empty() {
            entry.insert("args".to_owned(), Value::Array(args));
        }
        Value::Object(entry)
    };
    for key in ["fields", "inputFields"] {
        if let Some(fields) = ty.get(key).and_then(Value::as_array) {
            compact.insert(
                key.to_owned(),
                Value::Array(fields.iter().map(compact_field).collect()),
            );
        }
    }
    if let Some(values) = ty.get("enumValues").and_then(Value::as_array) {
        compact.insert("enumValues".to_owned(), Value::Array(values.clone()));
    }
    for key in ["interfaces", "possibleTypes"] {
        let names: Vec<Value> = ty
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|named| named["name"].clone())
            .collect();
        if !names.is_empty() {
            compact.insert(key.to_owned(), Value::Array(names));
        }
    }
    compact
}

/// An introspected type reference in SDL: `{kind: NON_NULL, ofType: {kind: LIST, ...}}` → `[X]!`.
fn type_reference(reference: &Value) -> String {
    match reference["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_reference(&reference["ofType"])),
        Some("LIST") => format!("[{}]", type_reference(&reference["ofType"])),
        _ => reference["name"].as_str().unwrap_or("?").to_owned(),
    }
}

fn schema(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(object) => Arc::new(object),
        _ => Arc::new(JsonObject::new()),
    }
}

/// `{data, errors, cost}`: what `execute` and the operation tools answer.
fn graphql_output_schema() -> Arc<JsonObject> {
    schema(json!({
        "type": "object",
        "properties": {
            "data": { "type": ["object", "null"], "description": "The query's answer, as /graphql gives it." },
            "errors": { "type": "array", "items": { "type": "object" } },
            "cost": { "type": "object", "description": "What the query cost against the limits." }
        },
        "required": ["data"]
    }))
}

fn read_only() -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false)
}

fn built_in_tools() -> Vec<Tool> {
    let graphql_input = schema(json!({
        "type": "object",
        "properties": {
            "query": { "type": "string", "description": "A GraphQL query document (queries only; mutations are refused)." },
            "variables": { "type": ["object", "null"], "description": "Values of the variables the query defines." },
            "operationName": { "type": ["string", "null"], "description": "Which operation of the document to run, when it holds several." }
        },
        "required": ["query"],
        "additionalProperties": false
    }));
    vec![
        Tool::new(
            "search",
            "Search the NHS leadership knowledge graph (organisations such as NHS trusts and ICBs, leadership roles, development programmes, courses, qualifications, pay bands, career stories, figures and their sources). Pass the user's question or keywords as they are. Returns ranked results, each with an `id` to pass to `fetch` for the full record with citations, a `title`, a `url` a person can open, a `snippet` with the matched words between « and », and the record's one- or two-sentence `summary`.",
            schema(json!({
                "type": "object",
                "properties": {
                    "query": { "type": "string", "description": "The question or words to search for (at most 500 characters). Words in double quotes match as a phrase." },
                    "limit": { "type": "integer", "minimum": 1, "maximum": MAX_SEARCH_RESULTS, "default": 10, "description": "How many results to return." }
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_raw_output_schema(schema(json!({
            "type": "object",
            "properties": {
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": { "type": "string" },
                            "title": { "type": "string" },
                            "url": { "type": "string" },
                            "snippet": { "type": "string" },
                            "summary": { "type": "string" },
                            "kind": { "type": "string" },
                            "code": { "type": "string" }
                        },
                        "required": ["id", "title", "url"]
                    }
                },
                "totalCount": { "type": "integer" }
            },
            "required": ["results"]
        })))
        .with_title("Search the NHS leadership graph")
        .annotate(read_only()),
        Tool::new(
            "fetch",
            "Fetch one record of the NHS leadership knowledge graph by the `id` a `search` result (or a related record in an earlier `fetch`) gave. Returns its `title`, a `text` to quote from (its summary and key facts, each followed by the numbers of the sources that support it, its relationships one hop out with each related record's id, and the numbered sources with their URLs), a `url` a person can open, and `metadata` (kind, code, sources, dates). Cite the sources when you answer.",
            schema(json!({
                "type": "object",
                "properties": {
                    "id": { "type": "string", "description": "The record's global id, from a search result or a related record." }
                },
                "required": ["id"],
                "additionalProperties": false
            })),
        )
        .with_raw_output_schema(schema(json!({
            "type": "object",
            "properties": {
                "id": { "type": "string" },
                "title": { "type": "string" },
                "text": { "type": "string" },
                "url": { "type": "string" },
                "metadata": { "type": "object" }
            },
            "required": ["id", "title", "text", "url", "metadata"]
        })))
        .with_title("Fetch a record with its citations")
        .annotate(read_only()),
        Tool::new(
            "introspect",
            "Describe a type of the GraphQL schema, compactly: its fields with their types, arguments and descriptions (or an enum's values). Without `typeName`, describes the root `Query` type and lists every type's name. Use it before writing a query for `execute`.",
            schema(json!({
                "type": "object",
                "properties": {
                    "typeName": { "type": ["string", "null"], "description": "The type to describe, e.g. Organisation, Role, Programme, OrganisationKind; default Query." }
                },
                "additionalProperties": false
            })),
        )
        .with_raw_output_schema(schema(json!({
            "type": "object",
            "properties": {
                "name": { "type": "string" },
                "kind": { "type": "string" },
                "description": { "type": "string" },
                "fields": { "type": "array" },
                "inputFields": { "type": "array" },
                "enumValues": { "type": "array" },
                "types": { "type": "array", "items": { "type": "string" } }
            },
            "required": ["name", "kind"]
        })))
        .with_title("Describe a GraphQL type")
        .annotate(read_only()),
        Tool::new(
            "validate",
            "Check a GraphQL query against the schema and the API's limits (depth, cost, size) without running it. Returns `valid: true` with the query's cost, or `valid: false` with each error and its code (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, LIMIT_EXCEEDED, READ_ONLY).",
            graphql_input.clone(),
        )
        .with_raw_output_schema(schema(json!({
            "type": "object",
            "properties": {
                "valid": { "type": "boolean" },
                "cost": { "type": ["object", "null"] },
                "errors": { "type": "array", "items": { "type": "object" } }
            },
            "required": ["valid"]
        })))
        .with_title("Validate a GraphQL query")
        .annotate(read_only()),
        Tool::new(
            "execute",
            "Run a read-only GraphQL query against the NHS leadership graph, under the same limits as /graphql, and return `{data, errors, cost}`. Mutations are refused. Lists are cursor connections (`first`, `after`, `totalCount`); records are fetched by `code` or global `id`; every record has `summary` and `sources` to cite. Use `introspect` to see the types, `validate` to check a query first.",
            graphql_input,
        )
        .with_raw_output_schema(graphql_output_schema())
        .with_title("Run a GraphQL query")
        .annotate(read_only()),
    ]
}

fn operation_tool(operation: &Operation) -> Tool {
    Tool::new(
        operation.name.clone(),
        operation.description.clone(),
        Arc::new(operation.input_schema.clone()),
    )
    .with_raw_output_schema(graphql_output_schema())
    .annotate(read_only())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_references_read_as_sdl() {
        let reference = json!({ "kind": "NON_NULL", "name": null, "ofType": { "kind": "LIST", "name": null,
            "ofType": { "kind": "NON_NULL", "name": null, "ofType": { "kind": "OBJECT", "name": "Post" } } } });
        assert_eq!(type_reference(&reference), "[Post!]!");
    }

    #[test]
    fn arguments_are_checked_against_the_input_schema() {
        let schema = json!({
            "type": "object",
            "properties": { "code": { "type": "string" }, "first": { "type": ["integer", "null"] } },
            "required": ["code"],
            "additionalProperties": false
        });
        let schema = schema.as_object().expect("an object");
        let arguments = |value: Value| value.as_object().cloned().expect("an object");
        assert!(check_arguments(schema, &arguments(json!({ "code": "RJ1" }))).is_ok());
        assert!(
            check_arguments(schema, &arguments(json!({ "code": "RJ1", "first": null }))).is_ok()
        );
        assert_eq!(
            check_arguments(schema, &arguments(json!({}))),
            Err("`code` is required".to_owned())
        );
        assert_eq!(
            check_arguments(schema, &arguments(json!({ "code": 5 }))),
            Err("`code` must be of type string, not 5".to_owned())
        );
        assert!(
            check_arguments(schema, &arguments(json!({ "code": "x", "other": 1 })))
                .is_err_and(|message| message.starts_with("unknown argument `other`"))
        );
    }
}
