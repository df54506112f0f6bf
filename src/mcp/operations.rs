//! Operation tools: every `operations/*.graphql` file of the repository, embedded in the
//! binary, is one named GraphQL query and becomes one MCP tool, named after the operation.
//! Its leading `#` comment is the tool's description, and its variable definitions are the
//! tool's input JSON Schema (`# $name: text` lines describe a variable).
//!
//! Nothing here executes a query: the server runs an operation's text through the gateway.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, OperationType, Type, VariableDefinition};
use rust_embed::RustEmbed;
use serde_json::{json, Map, Value};

/// The operation files, embedded at build time.
#[derive(RustEmbed)]
#[folder = "operations/"]
struct Files;

/// One operation file, ready to be a tool.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// The operation's name, which is the tool's name.
    pub(crate) name: String,
    /// The file's leading comment, without its `# $variable:` lines.
    pub(crate) description: String,
    /// The whole file: the query the tool runs.
    pub(crate) query: String,
    /// A JSON Schema of the operation's variables.
    pub(crate) input_schema: Map<String, Value>,
}

/// Every embedded operation, by file name; a file that is not one named query is an error
/// naming the file. `enums` gives each enum type's values, for the input schemas.
pub(crate) fn load(enums: &HashMap<String, Vec<String>>) -> Result<Vec<Operation>, String> {
    let mut names: Vec<_> = Files::iter()
        .filter(|file| file.ends_with(".graphql"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|file| {
            let bytes = Files::get(file).map(|file| file.data.into_owned());
            let text = bytes
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| format!("operations/{file}: not UTF-8 text"))?;
            parse(&text, enums).map_err(|problem| format!("operations/{file}: {problem}"))
        })
        .collect()
}

/// Reads one operation file.
pub(crate) fn parse(text: &str, enums: &HashMap<String, Vec<String>>) -> Result<Operation, String> {
    let document = async_graphql::parser::parse_query(text).map_err(|error| error.to_string())?;
    let mut operations = document.operations.iter();
    let (Some((Some(name), operation)), None) = (operations.next(), operations.next()) else {
        return Err("must hold exactly one operation, and it must be named".to_owned());
    };
    if operation.node.ty != OperationType::Query {
        return Err(format!("{name} must be a query: MCP tools only read"));
    }
    let (description, variable_descriptions) = leading_comment(text);
    if description.is_empty() {
        return Err(format!(
            "{name} needs a leading `#` comment: it is the tool's description"
        ));
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for variable in &operation.node.variable_definitions {
        let variable = &variable.node;
        let variable_name = variable.name.node.to_string();
        let mut schema = type_schema(&variable.var_type.node, enums);
        if let Some(text) = variable_descriptions.get(&variable_name) {
            schema.insert("description".to_owned(), Value::String(text.clone()));
        }
        if let Some(default) = &variable.default_value {
            if let Ok(default) = default.node.clone().into_json() {
                schema.insert("default".to_owned(), default);
            }
        }
        if is_required(variable) {
            required.push(Value::String(variable_name.clone()));
        }
        properties.insert(variable_name, Value::Object(schema));
    }
    let mut input_schema = Map::new();
    input_schema.insert("type".to_owned(), json!("object"));
    input_schema.insert("properties".to_owned(), Value::Object(properties));
    input_schema.insert("required".to_owned(), Value::Array(required));
    input_schema.insert("additionalProperties".to_owned(), json!(false));
    Ok(Operation {
        name: name.to_string(),
        description,
        query: text.to_owned(),
        input_schema,
    })
}

/// A variable the caller must give: non-null without a default.
fn is_required(variable: &VariableDefinition) -> bool {
    !variable.var_type.node.nullable && variable.default_value.is_none()
}

/// The JSON Schema of a GraphQL input type; a nullable one also accepts `null`.
fn type_schema(ty: &Type, enums: &HashMap<String, Vec<String>>) -> Map<String, Value> {
    let mut schema = Map::new();
    let json_type = match &ty.base {
        BaseType::List(item) => {
            schema.insert("items".to_owned(), Value::Object(type_schema(item, enums)));
            "array"
        }
        BaseType::Named(name) => match name.as_str() {
            "Int" => "integer",
            "Float" => "number",
            "Boolean" => "boolean",
            "String" | "ID" => "string",
            "Date" => {
                schema.insert("format".to_owned(), json!("date"));
                "string"
            }
            "DateTime" => {
                schema.insert("format".to_owned(), json!("date-time"));
                "string"
            }
            other => match enums.get(other) {
                Some(values) => {
                    let mut values: Vec<Value> =
                        values.iter().cloned().map(Value::String).collect();
                    if ty.nullable {
                        values.push(Value::Null);
                    }
                    schema.insert("enum".to_owned(), Value::Array(values));
                    "string"
                }
                // An input object: its fields are checked by GraphQL when the tool runs.
                None => "object",
            },
        },
    };
    let json_type = if ty.nullable {
        json!([json_type, "null"])
    } else {
        json!(json_type)
    };
    schema.insert("type".to_owned(), json_type);
    schema
}

/// The `#` comment lines at the top of a file: the description, and the `# $name: text`
/// lines that describe variables.
fn leading_comment(text: &str) -> (String, HashMap<String, String>) {
    let mut description = Vec::new();
    let mut variables = HashMap::new();
    for line in text.lines() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        match comment
            .strip_prefix('$')
            .and_then(|rest| rest.split_once(':'))
        {
            Some((name, text)) => {
                variables.insert(name.trim().to_owned(), text.trim().to_owned());
            }
            None => description.push(comment),
        }
    }
    (description.join(" ").trim().to_owned(), variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enums() -> HashMap<String, Vec<String>> {
        HashMap::from([(
            "OrganisationKind".to_owned(),
            vec!["ICB".to_owned(), "TRUST".to_owned()],
        )])
    }

    #[test]
    fn every_shipped_operation_loads() {
        let operations = load(&enums()).expect("every operation file loads");
        assert!(operations.len() >= 5, "{operations:?}");
        for operation in &operations {
            assert!(!operation.description.is_empty(), "{}", operation.name);
        }
    }

    #[test]
    fn variables_become_a_json_schema_with_required_defaults_and_descriptions() {
        let operation = parse(
            "# Lists things.\n# $code: The code.\nquery Things($code: String!, $kinds: [OrganisationKind!], $first: Int = 5, $on: Date) { __typename }",
            &enums(),
        )
        .expect("a valid operation");
        assert_eq!(operation.name, "Things");
        assert_eq!(operation.description, "Lists things.");
        assert_eq!(
            Value::Object(operation.input_schema),
            json!({
                "type": "object",
                "properties": {
                    "code": { "type": "string", "description": "The code." },
                    "kinds": {
                        "type": ["array", "null"],
                        "items": { "type": "string", "enum": ["ICB", "TRUST"] }
                    },
                    "first": { "type": ["integer", "null"], "default": 5 },
                    "on": { "type": ["string", "null"], "format": "date" }
                },
                "required": ["code"],
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn anonymous_multiple_and_mutation_operations_are_refused() {
        let cases = [
            "# A.\n{ __typename }",
            "# A.\nquery A { __typename } query B { __typename }",
            "# A.\nmutation A { __typename }",
            "query A { __typename }",
        ];
        for case in cases {
            assert!(parse(case, &enums()).is_err(), "{case}");
        }
    }
}
