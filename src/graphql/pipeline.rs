//! The one GraphQL request pipeline: [`Api::execute`] takes a [`RawRequest`] (the parameters
//! as they arrived, however they arrived) and the [`Caller`] the transport authenticated, and
//! returns an [`Answer`]: the body to send, a typed [`Outcome`] from which a transport derives
//! its status, and whether the answer may be shared with other anonymous callers.
//!
//! In order: the parameters' shapes, persisted queries, parsing (through the document
//! cache), the limits async-graphql cannot enforce, the operation's type (a mutation over
//! GET is refused), strict validation by the twin schema (or the cost remembered from a
//! previous acceptance), the cost limits, execution, and a stable `extensions.code` on every
//! error. HTTP (`src/http`) and MCP call it alike; it knows no transport's types.

use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Positioned, Variables};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::answer::finish;
pub use super::answer::{Answer, Outcome};
use super::auth::Caller;
use super::documents::{Cost, Document};
use super::{cost, Api};
use crate::error_code::ErrorCode;

/// How the request arrived, as far as GraphQL cares: GET may not run mutations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// The parameters of a GraphQL request, unchecked: `query`, `operationName`, `variables` and
/// `extensions`, each any JSON value (the pipeline checks their shapes).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRequest {
    pub query: Option<Value>,
    pub operation_name: Option<Value>,
    pub variables: Option<Value>,
    pub extensions: Option<Value>,
    #[serde(skip, default = "post")]
    pub method: Method,
}

fn post() -> Method {
    Method::Post
}

impl RawRequest {
    /// A request with only a query, sent as by POST.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: Some(Value::String(query.into())),
            operation_name: None,
            variables: None,
            extensions: None,
            method: Method::Post,
        }
    }

    /// The parameters of a POST body (a JSON object), or the answer refusing it.
    pub fn from_json(body: &[u8]) -> Result<Self, Answer> {
        serde_json::from_slice(body).map_err(|error| {
            Answer::refused(
                ErrorCode::BadRequest,
                &format!("request body is not a JSON object of GraphQL parameters: {error}"),
            )
        })
    }

    /// The parameters of a GET query string (`query`, `operationName`, and `variables` and
    /// `extensions` as JSON text), or the answer refusing it.
    pub fn from_url_query(query_string: &str) -> Result<Self, Answer> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query_string).map_err(|error| {
                Answer::refused(
                    ErrorCode::BadRequest,
                    &format!("malformed query string: {error}"),
                )
            })?;
        let mut request = Self {
            query: None,
            operation_name: None,
            variables: None,
            extensions: None,
            method: Method::Get,
        };
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "query" => {
                    request.query = Some(Value::String(value));
                    continue;
                }
                "operationName" => {
                    request.operation_name = Some(Value::String(value));
                    continue;
                }
                "variables" => &mut request.variables,
                "extensions" => &mut request.extensions,
                _ => continue,
            };
            let parsed = serde_json::from_str::<Value>(&value).map_err(|_| {
                Answer::refused(
                    ErrorCode::BadRequest,
                    &format!("`{name}` must be a JSON object"),
                )
            })?;
            *slot = Some(parsed);
        }
        Ok(request)
    }
}

/// A request that passed the shape checks.
struct Checked {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    extensions: Option<Map<String, Value>>,
}

/// A request that passed every check before execution.
struct Prepared {
    checked: Checked,
    document: Arc<Document>,
    operation: Option<OperationType>,
    cost: Cost,
}

impl Api {
    /// Runs one GraphQL request for `caller` from start to finish; see the module comment.
    pub async fn execute(&self, raw: RawRequest, caller: Caller) -> Answer {
        let Prepared {
            checked,
            document,
            operation,
            cost,
        } = match self.prepare(raw).await {
            Ok(prepared) => prepared,
            Err(refused) => return refused,
        };
        let anonymous = matches!(caller, Caller::Anonymous);
        let mut request = async_graphql::Request::new(checked.query)
            .variables(checked.variables)
            .data(caller);
        request.operation_name.clone_from(&checked.operation_name);
        request.set_parsed_query(document.parsed.clone());
        let mut response = self.0.schema.execute(request).await;
        if let Some(selected) =
            selected_operation(&document.parsed, checked.operation_name.as_deref())
        {
            describe_schema(&selected.node, &mut response.data);
        }
        finish(response, cost, operation, anonymous)
    }

    /// Everything [`Api::execute`] does before execution (shapes, parsing, limits, strict
    /// validation, the cost limits), without executing: the request's `extensions.cost`, or
    /// the answer refusing it. For clients that check a query before they send it (MCP's
    /// `validate` tool).
    pub async fn check(&self, raw: RawRequest) -> Result<Value, Answer> {
        let prepared = self.prepare(raw).await?;
        Ok(prepared.cost.to_value().into_json().unwrap_or_default())
    }

    /// The steps before execution that [`Api::execute`] and [`Api::check`] share, in order:
    /// the parameters' shapes, persisted queries, parsing, the limits, a mutation over GET,
    /// and the cost (remembered, or found by strict validation and compared with the limits).
    async fn prepare(&self, raw: RawRequest) -> Result<Prepared, Answer> {
        let method = raw.method;
        let checked = check_shapes(raw).and_then(|checked| self.resolve_persisted(checked))?;
        let document = self.0.documents.parse(&checked.query).map_err(|error| {
            Answer::refused_errors(ErrorCode::GraphqlParseFailed, vec![error.into()])
        })?;
        if let Err(error) = &document.limits {
            return Err(Answer::refused(
                ErrorCode::LimitExceeded,
                &error.to_string(),
            ));
        }
        let operation = operation_type(&document.parsed, checked.operation_name.as_deref());
        if method == Method::Get && operation == Some(OperationType::Mutation) {
            let mut answer =
                Answer::refused(ErrorCode::BadRequest, "mutations must be sent with POST");
            answer.outcome = Outcome::MutationOverGet;
            answer.operation = operation;
            return Err(answer);
        }
        let cost = self
            .accepted_cost(&document, &checked)
            .await
            .map_err(|mut refused| {
                refused.operation = operation;
                refused
            })?;
        Ok(Prepared {
            checked,
            document,
            operation,
            cost,
        })
    }

    /// Automatic persisted queries (Apollo's protocol): `extensions.persistedQuery` is
    /// `{"version": 1, "sha256Hash": "<64 hex digits>"}`. With `query`, the text is registered
    /// under its hash (after checking the hash is its SHA-256); without, the registered text
    /// is used, or the request answers `PERSISTED_QUERY_NOT_FOUND` (message
    /// `PersistedQueryNotFound`, which Apollo clients recognise) and the client sends it
    /// again with its text.
    fn resolve_persisted(&self, mut checked: Checked) -> Result<Checked, Answer> {
        let Some(persisted) = checked
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("persistedQuery"))
        else {
            return Ok(checked);
        };
        let malformed = |message: &str| Answer::refused(ErrorCode::BadRequest, message);
        if persisted.get("version").and_then(Value::as_u64) != Some(1) {
            return Err(malformed("`extensions.persistedQuery.version` must be 1"));
        }
        let hash = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .and_then(|text| {
                let mut hash = [0u8; 32];
                hex::decode_to_slice(text, &mut hash).ok().map(|()| hash)
            })
            .ok_or_else(|| {
                malformed("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits")
            })?;
        if checked.query.is_empty() {
            return match self.0.persisted.get(&hash) {
                Some(query) => {
                    checked.query = query.to_string();
                    Ok(checked)
                }
                None => Err(Answer::refused(
                    ErrorCode::PersistedQueryNotFound,
                    "PersistedQueryNotFound",
                )),
            };
        }
        if self.0.persisted.register(hash, &checked.query) {
            Ok(checked)
        } else {
            Err(malformed(
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`",
            ))
        }
    }

    /// The cost of an accepted request: remembered, or found by the twin's strict
    /// validation and then compared with the limits; otherwise the refusal.
    async fn accepted_cost(
        &self,
        document: &Arc<Document>,
        checked: &Checked,
    ) -> Result<Cost, Answer> {
        let key = document.cost_key(checked.operation_name.as_deref(), &checked.variables);
        if let Some(cost) = key.as_ref().and_then(|key| document.cost(key)) {
            return Ok(cost);
        }
        let mut costing =
            async_graphql::Request::new(checked.query.clone()).variables(checked.variables.clone());
        costing.operation_name.clone_from(&checked.operation_name);
        costing.set_parsed_query(document.parsed.clone());
        let validated = self.0.costing.execute(costing).await;
        if validated.is_err() {
            return Err(Answer::refused_errors(
                ErrorCode::GraphqlValidationFailed,
                validated.errors,
            ));
        }
        let cost = cost::read(&validated)
            .ok_or_else(|| Answer::internal(&"the twin schema answered no cost"))?;
        if let Some(message) = cost.refusal() {
            let mut extra = Map::new();
            extra.insert(
                "cost".to_owned(),
                cost.to_value().into_json().unwrap_or_default(),
            );
            return Err(Answer::refused_with(
                ErrorCode::LimitExceeded,
                &message,
                Some(extra),
            ));
        }
        if let Some(key) = key {
            document.remember_cost(key, cost);
        }
        Ok(cost)
    }
}

/// Checks the parameters' shapes as GraphQL over HTTP requires. An absent query is left
/// empty for a persisted query to fill; without one, it is refused there.
fn check_shapes(raw: RawRequest) -> Result<Checked, Answer> {
    let refuse = |message: &str| Answer::refused(ErrorCode::BadRequest, message);
    let extensions = match raw.extensions {
        Some(Value::Object(extensions)) => Some(extensions),
        None | Some(Value::Null) => None,
        Some(_) => return Err(refuse("`extensions` must be an object")),
    };
    let persisted = extensions
        .as_ref()
        .is_some_and(|extensions| extensions.contains_key("persistedQuery"));
    let query = match raw.query {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) if persisted => String::new(),
        None => return Err(refuse("`query` is required")),
        Some(_) => return Err(refuse("`query` must be a string")),
    };
    let operation_name = match raw.operation_name {
        Some(Value::String(name)) => Some(name),
        None | Some(Value::Null) => None,
        Some(_) => return Err(refuse("`operationName` must be a string")),
    };
    let variables = match raw.variables {
        Some(Value::Object(variables)) => Variables::from_json(Value::Object(variables)),
        None | Some(Value::Null) => Variables::default(),
        Some(_) => return Err(refuse("`variables` must be an object")),
    };
    Ok(Checked {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// Answers `__schema { description }` with the API's own description: async-graphql 7
/// answers a fixed text of its own there and has no setting for it. Only root `__schema`
/// fields written out in the operation are looked at (as introspection queries write them),
/// by their response keys, so aliases are honoured.
fn describe_schema(operation: &OperationDefinition, data: &mut async_graphql::Value) {
    use async_graphql::parser::types::Selection;
    use async_graphql::Value;

    let Value::Object(data) = data else {
        return;
    };
    for selection in &operation.selection_set.node.items {
        let Selection::Field(field) = &selection.node else {
            continue;
        };
        if field.node.name.node != "__schema" {
            continue;
        }
        let Some(Value::Object(schema)) = data.get_mut(field.node.response_key().node.as_str())
        else {
            continue;
        };
        for inner in &field.node.selection_set.node.items {
            if let Selection::Field(inner) = &inner.node {
                if inner.node.name.node == "description" {
                    if let Some(value) = schema.get_mut(inner.node.response_key().node.as_str()) {
                        *value = Value::from(super::SCHEMA_DESCRIPTION);
                    }
                }
            }
        }
    }
}

/// The type of the operation `operation_name` (or the first one) selects in `document`.
pub(crate) fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    selected_operation(document, operation_name).map(|operation| operation.node.ty)
}

/// The operation `operation_name` (or the first one) selects in `document`.
fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    let mut operations = document.operations.iter();
    let selected = match operation_name {
        Some(name) => {
            operations.find(|(operation_name, _)| operation_name.map(|n| n.as_str()) == Some(name))
        }
        None => operations.next(),
    };
    selected.map(|(_, operation)| operation)
}
