//! `schema/schema.graphql` is exactly the schema the server serves.

#[test]
fn the_checked_in_sdl_equals_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();

    let served = nhs_leadership_graph::graphql::sdl();

    assert!(
        checked_in == served,
        "schema/schema.graphql is out of date; regenerate it with:\n    cargo run -- export-schema > schema/schema.graphql"
    );
}

#[tokio::test]
async fn the_served_schema_documents_every_type_and_field() {
    let app = crate::helpers::spawn_app().await;

    let data = app
        .data("{ __schema { types { name kind description fields { name description } } } }")
        .await;

    let mut undocumented = Vec::new();
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        // Built-in scalars, introspection types, and the Connection/Edge/PageInfo types
        // async-graphql generates (their fields are documented, the types are not).
        let generated =
            name.ends_with("Connection") || name.ends_with("Edge") || name == "PageInfo";
        if name.starts_with("__")
            || ["String", "Int", "Float", "Boolean", "ID"].contains(&name)
            || generated
        {
            continue;
        }
        if ty["description"].as_str().is_none_or(str::is_empty) {
            undocumented.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            if field["description"].as_str().is_none_or(str::is_empty) {
                undocumented.push(format!("{name}.{}", field["name"].as_str().unwrap()));
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
}
