//! The relationship questions clients ask, each in one request.

use pretty_assertions::assert_eq;
use serde_json::json;

use crate::helpers::{codes, spawn_app};

#[tokio::test]
async fn today_there_are_36_icbs_and_on_1_june_2025_there_were_42() {
    let app = spawn_app().await;

    let today = app
        .data("{ organisations(kind: ICB) { totalCount } }")
        .await;
    let before_mergers = app
        .data(r#"{ organisations(kind: ICB, asOf: "2025-06-01") { totalCount } }"#)
        .await;

    assert_eq!(today, json!({ "organisations": { "totalCount": 36 } }));
    assert_eq!(
        before_mergers,
        json!({ "organisations": { "totalCount": 42 } })
    );
}

#[tokio::test]
async fn an_icb_lists_its_trusts_their_posts_and_the_programmes_for_each_role_in_one_request() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{ organisation(code: "QWE") { name kind parent { code kind }
                 children(kind: TRUST, first: 50) { totalCount edges { node { id code name
                   posts { role { code name programmes { code name } } } } } } } }"#,
        )
        .await;

    let icb = &data["organisation"];
    assert_eq!(icb["name"], "NHS South West London Integrated Care Board");
    assert_eq!(icb["kind"], "ICB");
    assert_eq!(icb["parent"], json!({ "code": "Y56", "kind": "REGION" }));
    let trusts = codes(&icb["children"]);
    assert_eq!(icb["children"]["totalCount"], trusts.len());
    assert!(
        trusts.contains(&"RJ7".to_owned()),
        "St George's is in South West London: {trusts:?}"
    );
    for edge in icb["children"]["edges"].as_array().unwrap() {
        let roles: Vec<&str> = edge["node"]["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|post| post["role"]["code"].as_str().unwrap())
            .collect();
        assert!(
            roles.contains(&"chief-executive") && roles.contains(&"medical-director"),
            "every trust has a board: {roles:?}"
        );
    }
    let chief_executive = &icb["children"]["edges"][0]["node"]["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|post| post["role"]["code"] == "chief-executive")
        .unwrap()["role"];
    let programmes: Vec<&str> = chief_executive["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(
        programmes.contains(&"nye-bevan"),
        "Nye Bevan prepares for board-level roles: {programmes:?}"
    );
}

#[tokio::test]
async fn cmi_accredited_courses_are_listed_with_their_providers() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ courses(accreditedBy: "CMI", first: 50) { totalCount edges { node { code title provider { name } accreditedBy { code } } } } }"#)
        .await;

    let courses = data["courses"]["edges"].as_array().unwrap();
    assert_eq!(data["courses"]["totalCount"], courses.len());
    assert!(
        courses.len() >= 6,
        "Coventry's six CMI-accredited course areas: {courses:?}"
    );
    for course in courses {
        assert_eq!(course["node"]["accreditedBy"][0]["code"], "CMI");
        assert!(course["node"]["provider"]["name"].is_string());
    }
    let physiotherapy = courses.iter().find(|course| {
        course["node"]["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("physiotherapy")
    });
    assert_eq!(
        physiotherapy.unwrap()["node"]["provider"]["name"],
        "Coventry University"
    );
}

#[tokio::test]
async fn a_trust_that_moved_icb_sits_under_the_icb_of_the_date_asked() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{ before: organisation(code: "RPG") { parent(asOf: "2025-06-01") { code } }
                 after: organisation(code: "RPG") { parent(asOf: "2026-06-01") { code } }
                 history: organisation(code: "RPG") { parentHistory { organisation { code } from to } } }"#,
        )
        .await;

    assert_eq!(data["before"]["parent"]["code"], "QKK");
    assert_eq!(data["after"]["parent"]["code"], "QKS");
    assert_eq!(
        data["history"]["parentHistory"],
        json!([
            { "organisation": { "code": "QKK" }, "from": "2022-07-01", "to": "2026-03-31" },
            { "organisation": { "code": "QKS" }, "from": "2026-04-01", "to": null }
        ])
    );
}

#[tokio::test]
async fn merged_icbs_link_to_their_successors_and_predecessors() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{ organisation(code: "D7T5G") { opened predecessors { code closed } }
                 old: organisation(code: "QH8") { closed successors { code } isOpen } }"#,
        )
        .await;

    assert_eq!(data["organisation"]["opened"], "2026-04-01");
    let predecessors = codes_of(&data["organisation"]["predecessors"]);
    assert_eq!(predecessors, ["QH8", "QJG", "QM7"]);
    assert_eq!(
        data["organisation"]["predecessors"][0]["closed"],
        "2026-03-31"
    );
    assert_eq!(
        data["old"],
        json!({ "closed": "2026-03-31", "successors": [{ "code": "D7T5G" }], "isOpen": false })
    );
}

#[tokio::test]
async fn an_icb_that_closed_keeps_its_trusts_as_of_a_date_before_it_closed() {
    let app = spawn_app().await;

    let data = app
        .data(
            r#"{ then: organisation(code: "QH8") { children(kind: TRUST, asOf: "2025-06-01") { totalCount } }
                 now: organisation(code: "QH8") { children(kind: TRUST) { totalCount } } }"#,
        )
        .await;

    assert!(data["then"]["children"]["totalCount"].as_u64().unwrap() > 0);
    assert_eq!(data["now"]["children"]["totalCount"], 0);
}

#[tokio::test]
async fn a_node_is_found_by_the_global_id_a_list_gave() {
    let app = spawn_app().await;
    let listed = app
        .data(r#"{ programme(code: "mary-seacole") { id name } }"#)
        .await;
    let id = listed["programme"]["id"].as_str().unwrap();

    let data = app
        .data(&format!(r#"{{ node(id: "{id}") {{ id ... on Programme {{ code name provider {{ code }} accreditedBy {{ code }} }} }} }}"#))
        .await;

    assert_eq!(
        data["node"],
        json!({ "id": id, "code": "mary-seacole", "name": listed["programme"]["name"], "provider": { "code": "NHSLA" }, "accreditedBy": [{ "code": "CMI" }] })
    );
}

#[tokio::test]
async fn global_ids_do_not_change_when_the_store_is_rebuilt() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    let query = r#"{ organisation(code: "RJ1") { id posts { id } } }"#;

    assert_eq!(first.data(query).await, second.data(query).await);
}

#[tokio::test]
async fn connections_page_through_every_item_exactly_once() {
    let app = spawn_app().await;
    let total = app
        .data("{ organisations(kind: TRUST) { totalCount } }")
        .await["organisations"]["totalCount"]
        .as_u64()
        .unwrap();

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let argument = if after.is_empty() {
            String::new()
        } else {
            format!(r#", after: "{after}""#)
        };
        let page = app
            .data(&format!("{{ organisations(kind: TRUST, first: 50{argument}) {{ edges {{ cursor node {{ code }} }} pageInfo {{ hasNextPage endCursor }} }} }}"))
            .await;
        seen.extend(codes(&page["organisations"]));
        if page["organisations"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["organisations"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_owned();
    }

    assert_eq!(seen.len() as u64, total);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique, seen, "no trust appears twice");
}

#[tokio::test]
async fn following_a_trusts_posts_reads_the_same_whatever_the_number_of_trusts() {
    let normal = spawn_app().await;
    let grown_seed = crate::helpers::copy_of_seed();
    grow_registry(grown_seed.path(), 2_000);
    let grown = crate::helpers::spawn_app_with_seed(grown_seed.path()).await;
    let query = r#"{ organisation(code: "RJ1") { posts { role { name programmes { name } } } parent { name } } }"#;

    let reads_normal = reads_of(&normal, query).await;
    let reads_grown = reads_of(&grown, query).await;

    assert_eq!(
        grown
            .data("{ organisations(kind: TRUST) { totalCount } }")
            .await["organisations"]["totalCount"]
            .as_u64()
            .unwrap() as usize,
        2_000 + trusts_in_seed()
    );
    assert_eq!(
        reads_normal, reads_grown,
        "edges are prefix scans and point reads, never scans of a kind"
    );
    assert!(
        reads_normal < 100,
        "{reads_normal} reads for one trust's posts"
    );
}

async fn reads_of(app: &crate::helpers::TestApp, query: &str) -> u64 {
    let before = app.store_reads();
    app.data(query).await;
    app.store_reads() - before
}

fn trusts_in_seed() -> usize {
    let trusts =
        std::fs::read_to_string(crate::helpers::repository_seed_dir().join("registry/trusts.csv"))
            .unwrap();
    trusts.lines().count() - 1
}

/// Appends `n` synthetic open trusts to the registry, spread over existing ICBs.
fn grow_registry(seed: &std::path::Path, n: usize) {
    use std::io::Write;
    let path = seed.join("registry/trusts.csv");
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    for index in 0..n {
        let (icb, region) = [("QWE", "Y56"), ("QKS", "Y59"), ("QOP", "Y62")][index % 3];
        writeln!(
            file,
            "ZZ{index:04},SYNTHETIC {index} NHS TRUST,AB1 2CD,{icb},{region},2020-01-01,,{icb}"
        )
        .unwrap();
    }
}

fn codes_of(list: &serde_json::Value) -> Vec<String> {
    let mut codes: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}
