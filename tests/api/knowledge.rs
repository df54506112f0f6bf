//! Real questions from the source documents, each answered in one request, with sources.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn cmi_accredits_the_mary_seacole_programme_and_coventrys_courses() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ organisation(code: "CMI") { name accreditedProgrammes { code } accreditedCourses(first: 50) { totalCount } } }"#)
        .await;

    assert_eq!(
        data["organisation"]["name"],
        "Chartered Management Institute"
    );
    assert_eq!(
        codes(&data["organisation"]["accreditedProgrammes"]),
        ["mary-seacole"]
    );
    assert!(
        data["organisation"]["accreditedCourses"]["totalCount"]
            .as_u64()
            .unwrap()
            >= 6
    );
}

#[tokio::test]
async fn the_nye_bevan_programme_lasts_twelve_months_and_is_for_aspiring_board_executives() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ programme(code: "nye-bevan") { duration durationMonths audience provider { code } roles { code } sources { title published } } }"#)
        .await;

    let programme = &data["programme"];
    assert_eq!(programme["duration"], "twelve months");
    assert_eq!(programme["durationMonths"], 12);
    assert_eq!(programme["provider"]["code"], "NHSLA");
    assert!(programme["audience"]
        .as_str()
        .unwrap()
        .contains("board-level"));
    assert!(codes(&programme["roles"]).contains(&"chief-executive"));
    assert_eq!(programme["sources"][0]["published"], "2026-01-05");
}

#[tokio::test]
async fn a_finance_manager_studies_for_accountancy_qualifications_awarded_by_their_bodies() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ role(code: "finance-manager") { qualifications { code awardedBy { code } } } }"#)
        .await;

    let awarding_bodies: Vec<&str> = data["role"]["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|qualification| codes(&qualification["awardedBy"]))
        .collect();
    for body in ["CIPFA", "CIMA", "ACCA"] {
        assert!(
            awarding_bodies.contains(&body),
            "{body} in {awarding_bodies:?}"
        );
    }
}

#[tokio::test]
async fn the_nhs_england_chief_executive_is_named_with_the_date_the_source_states() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ post(code: "X24/chief-executive") { holder { name asOf } organisation { code kind } sources { code } } }"#)
        .await;

    assert_eq!(
        data["post"],
        json!({
            "holder": { "name": "Amanda Pritchard", "asOf": "2026-01-05" },
            "organisation": { "code": "X24", "kind": "NHS_ENGLAND" },
            "sources": [{ "code": "nhs-leadership-guide-2026" }]
        })
    );
}

#[tokio::test]
async fn the_graduate_scheme_lists_its_specialisms_and_what_each_leads_to() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ programme(code: "gmts") { specialisms { code leadsTo } } }"#)
        .await;

    let specialisms = codes(&data["programme"]["specialisms"]);
    for specialism in [
        "gmts-finance",
        "gmts-general",
        "gmts-hr",
        "gmts-informatics",
        "gmts-policy-and-strategy",
    ] {
        assert!(
            specialisms.contains(&specialism),
            "{specialism} in {specialisms:?}"
        );
    }
}

#[tokio::test]
async fn every_source_lists_the_records_it_supports() {
    let app = spawn_app().await;

    let data = app
        .data("{ sources { code records(first: 1) { totalCount } } }")
        .await;

    for source in data["sources"].as_array().unwrap() {
        assert!(
            source["records"]["totalCount"].as_u64().unwrap() > 0,
            "{source}"
        );
    }
}

#[tokio::test]
async fn two_sources_disagreeing_on_the_number_of_trusts_are_both_answered_with_their_dates() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ organisation(code: "X24") { figures { unit value asOf sources { code } } } }"#)
        .await;

    let trust_counts: Vec<&Value> = data["organisation"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|figure| figure["unit"] == "trusts")
        .collect();
    assert!(trust_counts.contains(&&json!({ "unit": "trusts", "value": 223.0, "asOf": "2026-01-05", "sources": [{ "code": "nhs-leadership-guide-2026" }] })));
    assert!(trust_counts.contains(&&json!({ "unit": "trusts", "value": 199.0, "asOf": "2026-07-01", "sources": [{ "code": "ods-registry-2026" }] })));
}
