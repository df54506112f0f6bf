//! What `tools/list` shows of each tool: its name, a description written for a model, and
//! JSON Schemas of its input and output; the operation tools' come from their files.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Value};

use super::operations::Operation;

/// The most results `search` gives at once.
pub(crate) const MAX_SEARCH_RESULTS: u64 = 50;

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

pub(crate) fn built_in_tools() -> Vec<Tool> {
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

pub(crate) fn operation_tool(operation: &Operation) -> Tool {
    Tool::new(
        operation.name.clone(),
        operation.description.clone(),
        Arc::new(operation.input_schema.clone()),
    )
    .with_raw_output_schema(graphql_output_schema())
    .annotate(read_only())
}
