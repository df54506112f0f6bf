//! The `introspect` tool's query and what it makes of the answer: a type of the schema,
//! compactly, with type references written as in SDL (`[Post!]!`).

use serde_json::{json, Map, Value};

/// Introspects one type (`$name`) and lists every type's name and kind.
pub(crate) const INTROSPECT_QUERY: &str = r#"query Introspect($name: String!) {
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
pub(crate) fn compact_type(ty: &Map<String, Value>) -> Map<String, Value> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_references_read_as_sdl() {
        let reference = json!({ "kind": "NON_NULL", "name": null, "ofType": { "kind": "LIST", "name": null,
            "ofType": { "kind": "NON_NULL", "name": null, "ofType": { "kind": "OBJECT", "name": "Post" } } } });
        assert_eq!(type_reference(&reference), "[Post!]!");
    }
}
