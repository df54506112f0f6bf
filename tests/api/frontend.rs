//! A frontend developer's first day: the lookups a UI needs (batch refetch, backward pages,
//! codes in any case with suggestions, a name filter), documented arguments, Apollo Client's
//! `possibleTypes` kept equal to the schema, a real Apollo Client reading overlapping queries
//! back from its cache, and playground examples that run.
//!
//! The Node checks (tests/apollo/) need `npm ci --prefix tests/apollo` (scripts/test runs it);
//! `NHS_GRAPH_SKIP_NODE_TESTS=1` skips them on a machine without Node.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{codes, spawn_app, TestApp};

// ---- nodes(ids:) -------------------------------------------------------------------------

#[tokio::test]
async fn nodes_refetches_records_in_the_order_given_with_null_and_an_indexed_error_for_unknown_ids()
{
    let app = spawn_app().await;
    let organisation = id_of(&app, r#"organisation(code: "QWE")"#).await;
    let programme = id_of(&app, r#"programme(code: "nye-bevan")"#).await;

    let answer = app
        .graphql(&format!(
            r#"{{ nodes(ids: ["{programme}", "bm9wZQ", "{organisation}"]) {{
                id ... on Record {{ name }}
            }} }}"#
        ))
        .await;

    assert_eq!(
        answer["data"]["nodes"],
        json!([
            { "id": programme, "name": "Nye Bevan Programme" },
            null,
            { "id": organisation, "name": "NHS South West London Integrated Care Board" },
        ])
    );
    let errors = answer["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{answer:#}");
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(errors[0]["path"], json!(["nodes", 1]));
}

#[tokio::test]
async fn nodes_refuses_more_than_a_hundred_ids_clearly() {
    let app = spawn_app().await;
    let id = id_of(&app, r#"organisation(code: "QWE")"#).await;
    let ids = |n: usize| vec![format!("{id:?}"); n].join(", ");

    let hundred = app
        .graphql(&format!("{{ nodes(ids: [{}]) {{ id }} }}", ids(100)))
        .await;
    let too_many = app
        .graphql(&format!("{{ nodes(ids: [{}]) {{ id }} }}", ids(101)))
        .await;

    assert!(hundred.get("errors").is_none(), "{hundred:#}");
    assert_eq!(hundred["data"]["nodes"].as_array().unwrap().len(), 100);
    assert_eq!(too_many["data"], Value::Null);
    assert_eq!(
        too_many["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    let message = too_many["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 100"), "{message}");
}

// ---- backward pagination -----------------------------------------------------------------

#[tokio::test]
async fn last_gives_the_end_of_a_connection_and_before_pages_back_to_its_start() {
    let app = spawn_app().await;
    let all = app
        .data("{ organisations(kind: ICB, first: 100) { totalCount edges { node { code } } } }")
        .await;
    let all_codes = codes(&all["organisations"]);
    assert_eq!(
        all["organisations"]["totalCount"],
        json!(all_codes.len()),
        "fits in one page"
    );

    let mut pages = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let before_arg = before
            .as_ref()
            .map(|cursor| format!(", before: {cursor:?}"))
            .unwrap_or_default();
        let page = app
            .data(&format!(
                "{{ organisations(kind: ICB, last: 10{before_arg}) {{
                    totalCount
                    pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }}
                    edges {{ node {{ code }} }}
                }} }}"
            ))
            .await["organisations"]
            .clone();
        assert_eq!(page["totalCount"], json!(all_codes.len()));
        let info = &page["pageInfo"];
        assert_eq!(
            info["hasNextPage"],
            json!(before.is_some()),
            "items follow a page only when it was asked for before a cursor"
        );
        pages.insert(0, codes(&page));
        if info["hasPreviousPage"] == json!(false) {
            break;
        }
        before = Some(info["startCursor"].as_str().unwrap().to_owned());
    }

    assert_eq!(pages.last().unwrap().len(), 10);
    assert_eq!(
        pages.concat(),
        all_codes,
        "pages read backwards cover the list once, in order"
    );
}

#[tokio::test]
async fn every_connection_pages_backwards_and_refuses_first_with_last() {
    let app = spawn_app().await;
    // Root connections, ranked search, then a nested connection below.
    let connections = [
        ("organisations(kind: ICB", "organisations"),
        ("courses(", "courses"),
        (r#"search(query: "nye bevan programme""#, "search"),
    ];
    for (opening, field) in connections {
        let separator = if opening.ends_with('(') { "" } else { ", " };
        let forward = app
            .data(&format!(
                "{{ {opening}{separator}first: 100) {{ totalCount edges {{ cursor }} }} }}"
            ))
            .await;
        let backward = app
            .data(&format!(
                "{{ {opening}{separator}last: 2) {{ totalCount pageInfo {{ hasPreviousPage hasNextPage }} edges {{ cursor }} }} }}"
            ))
            .await;
        let forward_cursors = cursors(&forward[field]);
        let total = forward[field]["totalCount"].as_u64().unwrap() as usize;
        assert!(total > 2 && total <= 100, "{field}: {total}");
        assert_eq!(
            cursors(&backward[field]),
            forward_cursors[total - 2..],
            "{field}: `last: 2` is the end of the list"
        );
        assert_eq!(
            backward[field]["pageInfo"],
            json!({ "hasPreviousPage": true, "hasNextPage": false }),
            "{field}"
        );

        let both = app
            .graphql(&format!(
                "{{ {opening}{separator}first: 2, last: 2) {{ totalCount }} }}"
            ))
            .await;
        assert_eq!(both["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let message = both["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("not both"), "{field}: {message}");
    }

    let nested = app
        .data(
            r#"{ organisation(code: "QWE") {
                all: children(first: 100) { edges { node { code } } }
                end: children(last: 1) { pageInfo { hasPreviousPage } edges { node { code } } }
            } }"#,
        )
        .await;
    let all = codes(&nested["organisation"]["all"]);
    assert_eq!(
        codes(&nested["organisation"]["end"]),
        all[all.len() - 1..],
        "a nested connection pages backwards too"
    );
}

#[tokio::test]
async fn after_and_before_together_give_the_items_between_them() {
    let app = spawn_app().await;
    let all = app
        .data("{ organisations(kind: ICB, first: 10) { edges { cursor node { code } } } }")
        .await;
    let edges = all["organisations"]["edges"].as_array().unwrap();
    let (after, before) = (&edges[2]["cursor"], &edges[7]["cursor"]);

    let between = app
        .data(&format!(
            "{{ organisations(kind: ICB, after: {after}, before: {before}) {{
                pageInfo {{ hasPreviousPage hasNextPage }}
                edges {{ node {{ code }} }}
            }} }}"
        ))
        .await;

    assert_eq!(
        codes(&between["organisations"]),
        codes(&all["organisations"])[3..7]
    );
    assert_eq!(
        between["organisations"]["pageInfo"],
        json!({ "hasPreviousPage": true, "hasNextPage": true })
    );
}

// ---- codes in any case, suggestions, the name filter --------------------------------------

#[tokio::test]
async fn root_lookups_by_code_ignore_case() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{
                organisation(code: "rj1") { code }
                pasted: organisation(code: " RJ1 ") { code }
                programme(code: "NYE-BEVAN") { code }
                role(code: "Chief-Executive") { code }
                post(code: "x24/CHIEF-EXECUTIVE") { code }
                organisations(parent: "qwe", first: 1) { totalCount }
                courses(accreditedBy: "cmi", provider: "coventry") { totalCount }
                programmes(accreditedBy: "cmi") { code }
            }"#,
        )
        .await;

    assert_eq!(data["organisation"]["code"], "RJ1");
    assert_eq!(data["pasted"]["code"], "RJ1");
    assert_eq!(data["programme"]["code"], "nye-bevan");
    assert_eq!(data["role"]["code"], "chief-executive");
    assert_eq!(data["post"]["code"], "X24/chief-executive");
    let exact = app
        .data(
            r#"{
                organisations(parent: "QWE", first: 1) { totalCount }
                courses(accreditedBy: "CMI", provider: "COVENTRY") { totalCount }
                programmes(accreditedBy: "CMI") { code }
            }"#,
        )
        .await;
    assert_eq!(data["organisations"], exact["organisations"]);
    assert_eq!(data["courses"], exact["courses"]);
    assert_eq!(data["programmes"], exact["programmes"]);
    assert!(exact["courses"]["totalCount"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn an_unknown_code_is_not_found_with_the_nearest_codes_suggested() {
    let app = spawn_app().await;

    let answer = app
        .graphql(r#"{ organisation(code: "QWX") { name } }"#)
        .await;

    assert_eq!(answer["data"], json!({ "organisation": null }));
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "NOT_FOUND");
    assert_eq!(error["path"], json!(["organisation"]));
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            r#"no organisation has code "QWX"; did you mean QWE (NHS South West London Integrated Care Board)"#
        ),
        "{message}"
    );
    let suggestions = error["extensions"]["suggestions"].as_array().unwrap();
    assert!((1..=3).contains(&suggestions.len()), "{suggestions:?}");
    assert_eq!(
        suggestions[0],
        json!({ "code": "QWE", "name": "NHS South West London Integrated Care Board" })
    );
}

#[tokio::test]
async fn a_name_typed_as_a_code_suggests_the_record_so_named() {
    let app = spawn_app().await;

    let answer = app
        .graphql(r#"{ programme(code: "nye bevan") { name } }"#)
        .await;

    assert_eq!(answer["data"], json!({ "programme": null }));
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(
        answer["errors"][0]["extensions"]["suggestions"][0],
        json!({ "code": "nye-bevan", "name": "Nye Bevan Programme" })
    );
}

#[tokio::test]
async fn organisations_filter_by_name_ignoring_case() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{
                guys: organisations(name: "GUY'S AND st thomas") { edges { node { code } } }
                london: organisations(kind: ICB, name: "london", first: 100) { totalCount edges { node { code } } }
                icbs: organisations(kind: ICB, first: 100) { edges { node { code name } } }
            }"#,
        )
        .await;

    assert_eq!(codes(&data["guys"]), ["RJ1"]);
    let named_london: Vec<String> = data["icbs"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|edge| {
            let name = edge["node"]["name"].as_str().unwrap();
            name.to_lowercase().contains("london")
        })
        .map(|edge| edge["node"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(!named_london.is_empty());
    assert_eq!(codes(&data["london"]), named_london);
    assert_eq!(data["london"]["totalCount"], json!(named_london.len()));
}

// ---- the playground is the manual: every argument described ------------------------------

#[tokio::test]
async fn every_argument_of_every_field_has_a_description() {
    let app = spawn_app().await;

    let data = app
        .data("{ __schema { types { name fields { name args { name description } } } } }")
        .await;

    let mut undocumented = Vec::new();
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let type_name = ty["name"].as_str().unwrap();
        if type_name.starts_with("__") {
            continue;
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            for arg in field["args"].as_array().unwrap() {
                if arg["description"].as_str().is_none_or(str::is_empty) {
                    undocumented.push(format!(
                        "{type_name}.{}({})",
                        field["name"].as_str().unwrap(),
                        arg["name"].as_str().unwrap()
                    ));
                }
            }
        }
    }
    assert_eq!(undocumented, Vec::<String>::new());
}

// ---- the README's examples --------------------------------------------------------------

/// Every GraphQL example under "Example queries" in the README runs as written (examples with
/// a `<placeholder>` need a value from an earlier answer and are skipped).
#[tokio::test]
async fn every_graphql_example_in_the_readme_runs_without_errors() {
    let app = spawn_app().await;
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Example queries"))
        .expect("README has an \"Example queries\" section");

    let operations = graphql_operations(section);
    assert!(operations.len() >= 8, "{operations:#?}");
    for operation in operations {
        if operation.contains('<') {
            continue;
        }
        let answer = app.graphql(&operation).await;
        assert!(
            answer.get("errors").is_none() && !answer["data"].is_null(),
            "README example fails:\n{operation}\n{answer:#}"
        );
    }
}

// ---- Apollo Client ----------------------------------------------------------------------

/// `schema/possible-types.json` is Apollo Client's `possibleTypes` for the served schema.
/// `UPDATE_EXPECT=1 cargo test --test api possible_types` rewrites it.
#[test]
fn the_checked_in_possible_types_equal_the_served_schema() {
    let path = repository().join("schema/possible-types.json");
    let served = possible_types(&nhs_leadership_graph::graphql::sdl());
    let rendered = format!("{}\n", serde_json::to_string_pretty(&served).unwrap());
    assert!(
        served.contains_key("Node") && served.contains_key("Record"),
        "{served:?}"
    );

    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &rendered).expect("write schema/possible-types.json");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();

    assert!(
        checked_in == rendered,
        "schema/possible-types.json is out of date; regenerate it with:\n    UPDATE_EXPECT=1 cargo test --test api possible_types"
    );
}

#[test]
fn the_readme_shows_the_apollo_cache_the_tests_run() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let cache = std::fs::read_to_string(repository().join("tests/apollo/cache.mjs")).unwrap();

    assert!(
        readme.contains(cache.trim()),
        "README.md's Apollo Client section must show tests/apollo/cache.mjs as it is"
    );
    assert!(readme.contains("## Apollo Client and urql"));
}

#[tokio::test]
async fn a_real_apollo_client_reads_overlapping_queries_back_from_its_cache_intact() {
    if crate::helpers::backend_independent(
        "the client's cache is under test; its reads are the ones every query test makes",
    ) {
        return;
    }
    let Some(mut node) = node_or_skip("apollo", NeedsPackages::Yes) else {
        return;
    };
    let app = spawn_app().await;

    let output = node
        .arg(repository().join("tests/apollo/overlap.mjs"))
        .arg(&app.address)
        .output()
        .await
        .expect("node runs");

    assert!(
        output.status.success(),
        "Apollo Client checks failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---- playground examples ----------------------------------------------------------------

#[tokio::test]
async fn the_playground_examples_include_search_and_a_partner_write_and_all_run() {
    if crate::helpers::backend_independent(
        "the examples' reads and write are those the query and partner tests make",
    ) {
        return;
    }
    let Some(mut node) = node_or_skip("playground", NeedsPackages::No) else {
        return;
    };
    let app = spawn_app().await;
    let key = nhs_leadership_graph::api_keys::issue(app.app.store(), Some("COVENTRY"), None)
        .expect("a key is issued")
        .token;

    let output = node
        .arg(repository().join("tests/apollo/playground-tabs.mjs"))
        .arg(&app.address)
        .arg(&key)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tabs: Vec<Value> = serde_json::from_slice(&output.stdout).expect("a JSON list of tabs");

    for tab in &tabs {
        assert!(
            tab["answer"].get("errors").is_none(),
            "a playground example fails:\n{}\n{:#}",
            tab["query"].as_str().unwrap(),
            tab["answer"]
        );
    }
    let search = tabs
        .iter()
        .find(|tab| tab["answer"]["data"]["search"]["totalCount"].as_u64() > Some(0))
        .expect("an example searches and finds something");
    assert!(search["headers"].as_object().unwrap().is_empty());
    let write = tabs
        .iter()
        .find(|tab| tab["query"].as_str().unwrap().contains("mutation"))
        .expect("an example writes as a partner");
    assert_eq!(
        write["headers"],
        json!({ "authorization": format!("Bearer {key}") }),
        "the write's Headers tab holds the placeholder key the test replaced"
    );
    let served = app
        .get("/playground/playground.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(served.contains(r#"authorization: "Bearer nlg_<id>_<secret>""#));
}

// ---- helpers ----------------------------------------------------------------------------

async fn id_of(app: &TestApp, field: &str) -> String {
    let data = app.data(&format!("{{ record: {field} {{ id }} }}")).await;
    data["record"]["id"].as_str().expect("an id").to_owned()
}

fn cursors(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["cursor"].as_str().expect("a cursor").to_owned())
        .collect()
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a Node check imports npm packages (tests/apollo/node_modules).
#[derive(PartialEq)]
enum NeedsPackages {
    Yes,
    No,
}

/// `node` in tests/apollo, or `None` when `NHS_GRAPH_SKIP_NODE_TESTS=1` says to skip. Fails
/// when the check needs npm packages and tests/apollo has no node_modules, rather than
/// passing without having run.
fn node_or_skip(what: &str, packages: NeedsPackages) -> Option<tokio::process::Command> {
    if std::env::var("NHS_GRAPH_SKIP_NODE_TESTS").as_deref() == Ok("1") {
        eprintln!("skipping the {what} Node check: NHS_GRAPH_SKIP_NODE_TESTS=1");
        return None;
    }
    let directory = repository().join("tests/apollo");
    assert!(
        packages == NeedsPackages::No
            || Path::new(&directory)
                .join("node_modules/@apollo/client")
                .is_dir(),
        "tests/apollo/node_modules is missing: run `npm ci --prefix tests/apollo` \
         (or set NHS_GRAPH_SKIP_NODE_TESTS=1 to skip the Node checks)"
    );
    let mut node = tokio::process::Command::new("node");
    node.current_dir(directory);
    Some(node)
}

/// The operations in the ```graphql blocks of `markdown`: a comment or blank line ends one.
fn graphql_operations(markdown: &str) -> Vec<String> {
    let mut operations = Vec::new();
    for block in markdown.split("```graphql\n").skip(1) {
        let block = block.split("```").next().unwrap_or_default();
        let mut operation = String::new();
        for line in block.lines().chain([""]) {
            if line.trim().is_empty() || line.starts_with('#') {
                if !operation.trim().is_empty() {
                    operations.push(std::mem::take(&mut operation));
                }
                continue;
            }
            operation.push_str(line);
            operation.push('\n');
        }
    }
    operations
}

/// Apollo Client's `possibleTypes` for `sdl`: each interface and union, and the object types
/// (or interfaces) that implement or belong to it, sorted.
fn possible_types(sdl: &str) -> BTreeMap<String, Vec<String>> {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};

    let document = async_graphql_parser::parse_schema(sdl).expect("the served SDL parses");
    let mut possible: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = definition.node;
        let name = definition.name.node.to_string();
        match definition.kind {
            TypeKind::Object(object) => {
                for interface in object.implements {
                    possible
                        .entry(interface.node.to_string())
                        .or_default()
                        .push(name.clone());
                }
            }
            TypeKind::Interface(interface) => {
                possible.entry(name.clone()).or_default();
                for parent in interface.implements {
                    possible
                        .entry(parent.node.to_string())
                        .or_default()
                        .push(name.clone());
                }
            }
            TypeKind::Union(union) => {
                let members = possible.entry(name).or_default();
                members.extend(union.members.into_iter().map(|m| m.node.to_string()));
            }
            _ => {}
        }
    }
    for members in possible.values_mut() {
        members.sort();
    }
    possible
}
