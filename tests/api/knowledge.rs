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

fn cited_fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cited-seed")
}

#[tokio::test]
async fn every_record_answers_the_words_of_its_source_it_rests_on() {
    let app = crate::helpers::spawn_app_with_seed(&cited_fixture()).await;

    let data = app
        .data(r#"{ programme(code: "rosalind-franklin") { citations { source { code document } quote location } } }"#)
        .await;

    assert_eq!(
        data["programme"]["citations"],
        json!([{
            "source": { "code": "nhs-leadership-guide-2026", "document": "003_trimmed.txt" },
            "quote": "Rosalind Franklin Programme offers nine months of development for mid-level leaders with management experience seeking to expand influence beyond immediate teams.",
            "location": null
        }])
    );
}

#[tokio::test]
async fn a_hedged_figure_keeps_its_qualifier_as_data_and_in_its_summary() {
    let app = crate::helpers::spawn_app_with_seed(&cited_fixture()).await;

    let data = app
        .data(r#"{ search(query: "Nye Bevan graduates progression", kinds: [FIGURE], first: 1) { edges { node { record { ... on Figure { value valueMax qualifier unit summary statedOn } } } } } }"#)
        .await;

    assert_eq!(
        data["search"]["edges"][0]["node"]["record"],
        json!({
            "value": 40.0,
            "valueMax": null,
            "qualifier": "NEARLY",
            "unit": "percent",
            "summary": "Nearly 40% of Nye Bevan graduates report progression to more senior roles within two years (nearly 40 percent; according to NHS leadership: structure, roles, challenges and development, 2026-01-05).",
            "statedOn": "2026-01-05"
        })
    );
}

#[tokio::test]
async fn a_post_holder_answers_as_of_and_source_and_may_be_outdated() {
    let app = crate::helpers::spawn_app_with_seed(&cited_fixture()).await;

    let mut data = app
        .data(r#"{ post(code: "X24/chief-executive") { fromTemplate summary holder { name asOf source { code } } mayBeOutdated outdatedReasons } }"#)
        .await;

    // Once the source is two years old it gives a second reason; the holder's always holds.
    let reasons = data["post"]["outdatedReasons"].as_array().unwrap();
    assert!(
        reasons.contains(&json!(
            "the holder is named as of 2026-01-05; post holders change"
        )),
        "{reasons:?}"
    );
    data["post"]
        .as_object_mut()
        .unwrap()
        .remove("outdatedReasons");
    assert_eq!(
        data["post"],
        json!({
            "fromTemplate": false,
            "summary": "Chief Executive, NHS England: held by Amanda Pritchard, according to NHS leadership: structure, roles, challenges and development, 2026-01-05 (as of 2026-01-05).",
            "holder": { "name": "Amanda Pritchard", "asOf": "2026-01-05", "source": { "code": "nhs-leadership-guide-2026" } },
            "mayBeOutdated": true
        })
    );
}

#[tokio::test]
async fn a_trust_board_post_says_it_is_a_template_with_no_recorded_holder() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ post(code: "RJ1/chief-executive") { fromTemplate holder { name } summary } }"#)
        .await;

    assert_eq!(
        data["post"],
        json!({
            "fromTemplate": true,
            "holder": null,
            "summary": "Chief Executive, Guy's and St Thomas' NHS Foundation Trust: a typical NHS trust board post; the holder is not recorded."
        })
    );
}

#[tokio::test]
async fn the_undated_booklet_is_dated_from_its_content_and_its_facts_may_be_outdated() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ topic(code: "entry-route-apprenticeships") { statedOn mayBeOutdated outdatedReasons sources { dated datingEvidence asOf } } }"#)
        .await;

    let band = &data["topic"];
    assert_eq!(band["statedOn"], "2014-01-01");
    assert_eq!(band["mayBeOutdated"], true);
    assert_eq!(
        band["outdatedReasons"],
        json!(["its source, Careers in management: Make a difference with a career in health, is dated circa 2013–14, more than two years ago"])
    );
    assert_eq!(band["sources"][0]["dated"], "circa 2013–14");
    assert!(band["sources"][0]["datingEvidence"]
        .as_str()
        .unwrap()
        .contains("2014-09-30"));
}

#[tokio::test]
async fn a_registry_trust_cites_its_csv_row_and_names_the_icb_of_its_registered_address() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ organisation(code: "RPG") { summary citations { source { code } quote location } } }"#)
        .await;

    let trust = &data["organisation"];
    assert_eq!(
        trust["citations"],
        json!([{
            "source": { "code": "ods-registry-2026" },
            "quote": "RPG,OXLEAS NHS FOUNDATION TRUST,DA2 7WG,QKS,Y59,1994-04-01,,QKK",
            "location": "registry/trusts.csv:107"
        }])
    );
    let summary = trust["summary"].as_str().unwrap();
    assert!(
        summary.contains(
            "Its registered address is in the area of NHS Kent and Medway Integrated Care Board"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("not necessarily the trust's commissioner"),
        "{summary}"
    );
}

#[tokio::test]
async fn trusts_closed_since_2022_are_linked_to_the_icb_they_were_in_where_the_data_says() {
    let app = spawn_app().await;

    let data = app
        .data(r#"{ solent: organisation(code: "R1C") { closed mayBeOutdated parentHistory { organisation { code } from to } }
                  northMiddlesex: organisation(code: "RAP") { parentHistory { organisation { code } } } }"#)
        .await;

    assert_eq!(
        data["solent"],
        json!({
            "closed": "2024-09-30",
            "mayBeOutdated": true,
            "parentHistory": [{ "organisation": { "code": "QRL" }, "from": "2022-07-01", "to": "2024-09-30" }]
        })
    );
    // Its address's ICB (Z9B2Z) was created in 2026 from two ICBs: the data does not say which.
    assert_eq!(data["northMiddlesex"]["parentHistory"], json!([]));
}
