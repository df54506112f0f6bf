//! The MCP tools: `search` and `fetch` (in the shapes ChatGPT connectors and deep research
//! expect), `introspect`, `validate` and `execute` for agents that write GraphQL, and one
//! tool per operation file. Each builds GraphQL and runs it through the gateway; each
//! failure is a tool result with `isError` and a message a model can act on.

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{json, Value};

use super::catalogue::{built_in_tools, operation_tool, MAX_SEARCH_RESULTS};
use super::graphql::{Answer, Gateway, Refusal, Request};
use super::introspection::{compact_type, INTROSPECT_QUERY};
use super::operations::Operation;
use super::records::{RecordDocument, FETCH_QUERY};
use crate::error_code::ErrorCode;

/// Every tool, and what runs each.
pub(crate) struct Tools {
    gateway: Gateway,
    operations: Vec<Operation>,
    listed: Vec<Tool>,
}

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
            .any(|problem| problem.code == ErrorCode::NotFound.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

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
