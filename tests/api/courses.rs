//! The course rules a partner university meets over HTTP: patches that must change
//! something and can clear optional fields, canonical subjects, limits stated in the schema,
//! retirements that cannot precede the course and can be scheduled or undone, retired
//! courses left out of lists and search, recorded facts that survive a partner's edit, and
//! partner claims labelled and ranked below recorded records.

use chrono::{Days, Utc};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{codes, spawn_app, TestApp};
use crate::partner::{code_of, course, CREATE};
use nhs_leadership_graph::domain::NewCourse;

const UPDATE: &str = r#"mutation Update($code: String!, $patch: CoursePatch!) {
  updateCourse(code: $code, patch: $patch) {
    course { title subject description summary origin accreditations { body { code } basis } }
    auditEntry { action }
  }
}"#;

const RETIRE: &str = r#"mutation Retire($code: String!, $on: Date) {
  retireCourse(code: $code, on: $on) { course { status retiredOn summary } auditEntry { action } }
}"#;

const REINSTATE: &str = r#"mutation Reinstate($code: String!) {
  reinstateCourse(code: $code) { course { status retiredOn } auditEntry { action } }
}"#;

/// The seed's Coventry physiotherapy course, recorded from Coventry's article of 2026-02-18
/// as CMI-accredited.
const PHYSIOTHERAPY: &str = "coventry-pg-physiotherapy";

fn day(offset_days: i64) -> String {
    let today = Utc::now().date_naive();
    let day = if offset_days >= 0 {
        today + Days::new(offset_days.unsigned_abs())
    } else {
        today - Days::new(offset_days.unsigned_abs())
    };
    day.to_string()
}

impl TestApp {
    /// Publishes `code` for COVENTRY with its key, and returns the key.
    async fn published(&self, code: &str) -> String {
        let key = self.issue_key(Some("COVENTRY"));
        let created = self
            .graphql_as(
                Some(&key),
                CREATE,
                json!({ "input": course(code, "COVENTRY") }),
            )
            .await;
        assert_eq!(created["errors"], Value::Null, "{created}");
        key
    }

    async fn audit_count(&self, key: &str) -> usize {
        let trail = self
            .graphql_as(
                Some(key),
                "{ auditTrail(after: 0) { sequence } }",
                json!({}),
            )
            .await;
        trail["data"]["auditTrail"].as_array().unwrap().len()
    }

    async fn search_codes(&self, query: &str) -> Vec<String> {
        let answer = self
            .data(&format!(
                "{{ search(query: {}, first: 5) {{ edges {{ node {{ record {{ code }} }} }} }} }}",
                serde_json::to_string(query).unwrap()
            ))
            .await;
        answer["search"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| edge["node"]["record"]["code"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn an_empty_patch_is_refused_and_writes_no_audit_entry() {
    let app = spawn_app().await;
    let key = app.published("cov-empty").await;
    let before = app.audit_count(&key).await;

    let empty = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "code": "cov-empty", "patch": {} }),
        )
        .await;
    let same = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "code": "cov-empty", "patch": { "title": "MSc Health and Care Leadership" } }),
        )
        .await;

    assert_eq!(code_of(&empty), "BAD_USER_INPUT");
    assert_eq!(
        empty["errors"][0]["extensions"]["fields"][0]["field"],
        "patch"
    );
    assert_eq!(code_of(&same), "BAD_USER_INPUT");
    assert_eq!(app.audit_count(&key).await, before);
}

#[tokio::test]
async fn null_clears_an_optional_field_and_a_required_one_cannot_be_cleared() {
    let app = spawn_app().await;
    let key = app.published("cov-nulls").await;
    app.graphql_as(
        Some(&key),
        UPDATE,
        json!({ "code": "cov-nulls", "patch": { "description": "Two years, part time." } }),
    )
    .await;

    let cleared = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "code": "cov-nulls", "patch": { "description": null } }),
        )
        .await;
    let required = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "code": "cov-nulls", "patch": { "title": null, "subject": null } }),
        )
        .await;

    assert_eq!(
        cleared["data"]["updateCourse"]["course"]["description"],
        Value::Null
    );
    assert_eq!(code_of(&required), "BAD_USER_INPUT");
    assert_eq!(
        required["errors"][0]["extensions"]["fields"],
        json!([
            { "field": "title", "message": "title is required and cannot be cleared (null)" },
            { "field": "subject", "message": "subject is required and cannot be cleared (null)" },
        ])
    );
}

#[tokio::test]
async fn subjects_are_stored_in_canonical_form_and_offered_as_a_list() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    let mut input = course("cov-subject", "COVENTRY");
    input["subject"] = json!("  Health   and Care  LEADERSHIP ");

    let created = app
        .graphql_as(
            Some(&key),
            "mutation($input: CourseInput!) { createCourse(input: $input) { course { subject } } }",
            json!({ "input": input }),
        )
        .await;
    let subjects = app.data("{ courseSubjects }").await;
    let filtered = app
        .data(r#"{ courses(subject: " HEALTH  and care ") { edges { node { code } } } }"#)
        .await;

    assert_eq!(
        created["data"]["createCourse"]["course"]["subject"],
        "health and care leadership"
    );
    let subjects: Vec<&str> = subjects["courseSubjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|subject| subject.as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"health and care leadership"));
    assert!(subjects.contains(&"physiotherapy"));
    assert!(
        subjects.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted, no duplicates"
    );
    assert!(codes(&filtered["courses"]).contains(&"cov-subject".to_owned()));
}

#[tokio::test]
async fn the_length_limits_are_stated_in_the_schema() {
    let app = spawn_app().await;
    let described = |type_name: &str| {
        format!(r#"{{ __type(name: "{type_name}") {{ inputFields {{ name description }} }} }}"#)
    };

    let mut descriptions = std::collections::HashMap::new();
    for type_name in ["CourseInput", "CoursePatch"] {
        let answer = app.data(&described(type_name)).await;
        for field in answer["__type"]["inputFields"].as_array().unwrap() {
            descriptions.insert(
                format!("{type_name}.{}", field["name"].as_str().unwrap()),
                field["description"].as_str().unwrap().to_owned(),
            );
        }
    }

    for (field, limit) in [
        ("title", NewCourse::MAX_TITLE),
        ("subject", NewCourse::MAX_SUBJECT),
        ("description", NewCourse::MAX_DESCRIPTION),
        ("summary", NewCourse::MAX_SUMMARY),
        ("accreditedBy", NewCourse::MAX_ACCREDITORS),
    ] {
        for type_name in ["CourseInput", "CoursePatch"] {
            let description = &descriptions[&format!("{type_name}.{field}")];
            assert!(
                description.contains(&format!("at most {limit}")),
                "{type_name}.{field}: {description}"
            );
        }
    }
}

#[tokio::test]
async fn a_retirement_cannot_precede_the_course_nor_be_absurdly_early() {
    let app = spawn_app().await;
    let admin = app.issue_key(None);
    let key = app.published("cov-young").await;

    let absurd = app
        .graphql_as(
            Some(&admin),
            RETIRE,
            json!({ "code": PHYSIOTHERAPY, "on": "1990-01-01" }),
        )
        .await;
    let before_source = app
        .graphql_as(
            Some(&admin),
            RETIRE,
            json!({ "code": PHYSIOTHERAPY, "on": "2026-02-17" }),
        )
        .await;
    let before_published = app
        .graphql_as(
            Some(&key),
            RETIRE,
            json!({ "code": "cov-young", "on": day(-1) }),
        )
        .await;

    for refused in [&absurd, &before_source, &before_published] {
        assert_eq!(code_of(refused), "BAD_USER_INPUT", "{refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["fields"][0]["field"],
            "on"
        );
    }
    assert_eq!(
        before_source["errors"][0]["extensions"]["fields"][0]["message"],
        "2026-02-17 is before the course is known to have been offered (2026-02-18)"
    );
    let still = app
        .data(&format!(
            r#"{{ course(code: "{PHYSIOTHERAPY}") {{ status retiredOn }} }}"#
        ))
        .await;
    assert_eq!(
        still["course"],
        json!({ "status": "OFFERED", "retiredOn": null })
    );
}

#[tokio::test]
async fn a_future_retirement_is_scheduled_and_the_course_stays_offered_until_then() {
    let app = spawn_app().await;
    let key = app.published("cov-later").await;
    let on = day(30);

    let scheduled = app
        .graphql_as(Some(&key), RETIRE, json!({ "code": "cov-later", "on": on }))
        .await;
    let listed = app
        .data("{ courses(provider: \"COVENTRY\", first: 100) { edges { node { code } } } }")
        .await;
    let on_the_day = app
        .data(&format!(
            r#"{{ course(code: "cov-later") {{ today: status then: status(asOf: "{on}") }} }}"#
        ))
        .await;

    assert_eq!(
        scheduled["data"]["retireCourse"]["course"]["status"],
        "OFFERED"
    );
    assert_eq!(scheduled["data"]["retireCourse"]["course"]["retiredOn"], on);
    assert!(codes(&listed["courses"]).contains(&"cov-later".to_owned()));
    assert_eq!(
        on_the_day["course"],
        json!({ "today": "OFFERED", "then": "RETIRED" })
    );
}

#[tokio::test]
async fn a_retired_course_says_when_it_stopped_and_can_be_reinstated_once() {
    let app = spawn_app().await;
    let admin = app.issue_key(None);
    let today = day(0);

    let retired = app
        .graphql_as(
            Some(&admin),
            RETIRE,
            json!({ "code": PHYSIOTHERAPY, "on": "2026-05-01" }),
        )
        .await;
    let again = app
        .graphql_as(
            Some(&admin),
            RETIRE,
            json!({ "code": PHYSIOTHERAPY, "on": today }),
        )
        .await;
    let reinstated = app
        .graphql_as(Some(&admin), REINSTATE, json!({ "code": PHYSIOTHERAPY }))
        .await;
    let not_retired = app
        .graphql_as(Some(&admin), REINSTATE, json!({ "code": PHYSIOTHERAPY }))
        .await;
    let trail = app
        .graphql_as(
            Some(&admin),
            "{ auditTrail(after: 0) { action courseCode } }",
            json!({}),
        )
        .await;

    assert_eq!(
        retired["data"]["retireCourse"],
        json!({
            "course": {
                "status": "RETIRED",
                "retiredOn": "2026-05-01",
                "summary": "Physiotherapy (postgraduate, CMI award can be worked towards) was offered by Coventry University until 2026-05-01, when it was retired; it is no longer offered.",
            },
            "auditEntry": { "action": "RETIRE" },
        })
    );
    assert_eq!(code_of(&again), "BAD_USER_INPUT");
    assert_eq!(
        reinstated["data"]["reinstateCourse"],
        json!({ "course": { "status": "OFFERED", "retiredOn": null }, "auditEntry": { "action": "REINSTATE" } })
    );
    assert_eq!(code_of(&not_retired), "BAD_USER_INPUT");
    assert_eq!(
        trail["data"]["auditTrail"],
        json!([
            { "action": "RETIRE", "courseCode": PHYSIOTHERAPY },
            { "action": "REINSTATE", "courseCode": PHYSIOTHERAPY },
        ])
    );
}

#[tokio::test]
async fn retired_courses_leave_the_lists_and_search_unless_asked_for() {
    let app = spawn_app().await;
    let admin = app.issue_key(None);
    let lists = |status: &str| {
        format!(
            r#"{{
              courses(accreditedBy: "CMI", first: 100{status}) {{ edges {{ node {{ code }} }} }}
              cmi: organisation(code: "CMI") {{ accreditedCourses(first: 100{status}) {{ edges {{ node {{ code }} }} }} }}
              coventry: organisation(code: "COVENTRY") {{ courses(first: 100{status}) {{ edges {{ node {{ code }} }} }} }}
            }}"#
        )
    };
    let found_before = app.search_codes("CMI-accredited physiotherapy").await;

    let retired = app
        .graphql_as(Some(&admin), RETIRE, json!({ "code": PHYSIOTHERAPY }))
        .await;
    let offered = app.data(&lists("")).await;
    let only_retired = app.data(&lists(", status: RETIRED")).await;
    let any = app.data(&lists(", status: ANY")).await;
    let found_after = app.search_codes("CMI-accredited physiotherapy").await;

    assert_eq!(retired["errors"], Value::Null, "{retired}");
    let physiotherapy = PHYSIOTHERAPY.to_owned();
    for connection in [
        &offered["courses"],
        &offered["cmi"]["accreditedCourses"],
        &offered["coventry"]["courses"],
    ] {
        assert!(!codes(connection).contains(&physiotherapy), "{connection}");
    }
    for connection in [
        &only_retired["courses"],
        &only_retired["cmi"]["accreditedCourses"],
        &only_retired["coventry"]["courses"],
    ] {
        assert_eq!(codes(connection), [PHYSIOTHERAPY]);
    }
    for connection in [
        &any["courses"],
        &any["cmi"]["accreditedCourses"],
        &any["coventry"]["courses"],
    ] {
        assert!(codes(connection).contains(&physiotherapy), "{connection}");
    }
    assert!(found_before.contains(&physiotherapy), "{found_before:?}");
    assert!(!found_after.contains(&physiotherapy), "{found_after:?}");
}

#[tokio::test]
async fn a_title_only_edit_keeps_the_recorded_accreditation_in_the_record_summary_and_search() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    let rank_of = |found: &[String]| found.iter().position(|code| code == PHYSIOTHERAPY);
    let rank_before = rank_of(&app.search_codes("CMI-accredited physiotherapy").await);

    let updated = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "code": PHYSIOTHERAPY, "patch": { "title": "MSc Physiotherapy" } }),
        )
        .await;
    let read = app
        .data(&format!(
            r#"{{ course(code: "{PHYSIOTHERAPY}") {{ origin accreditations {{ body {{ code }} basis }} summary publisher {{ code }} }} }}"#
        ))
        .await;
    let found = app.search_codes("CMI-accredited physiotherapy").await;

    assert_eq!(updated["errors"], Value::Null, "{updated}");
    assert_eq!(
        read["course"],
        json!({
            "origin": "SOURCE",
            "accreditations": [{ "body": { "code": "CMI" }, "basis": "RECORDED_FROM_SOURCE" }],
            "summary": "According to Coventry University, MSc Physiotherapy is a postgraduate course in physiotherapy that it offers. Recorded from its source: accredited by CMI.",
            "publisher": { "code": "COVENTRY" },
        })
    );
    // The course is one whose students work towards a CMI award (its source does not call
    // the course itself CMI-accredited), and the old title named CMI while the new one does
    // not, so it may drop a little; its recorded accreditation keeps it on the first page.
    let rank = rank_of(&found);
    assert!(
        rank_before.is_some() && rank.is_some_and(|rank| rank < 5),
        "before the edit {rank_before:?}, after {rank:?}: {found:?}"
    );
}

#[tokio::test]
async fn a_partner_course_says_who_published_it_and_ranks_below_the_recorded_record_it_names() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    let mut input = course("cov-nye-bevan", "COVENTRY");
    input["title"] = json!("Nye Bevan (Coventry)");
    input["accreditedBy"] = json!([]);

    let created = app
        .graphql_as(
            Some(&key),
            "mutation($input: CourseInput!) { createCourse(input: $input) { course { origin publisher { code } summary accreditations { basis } } } }",
            json!({ "input": input }),
        )
        .await;
    let found = app.search_codes("nye bevan").await;

    assert_eq!(
        created["data"]["createCourse"]["course"],
        json!({
            "origin": "PARTNER",
            "publisher": { "code": "COVENTRY" },
            "summary": "According to Coventry University, Nye Bevan (Coventry) is a postgraduate course in health and care leadership that it offers.",
            "accreditations": [],
        })
    );
    assert_eq!(
        found.first().map(String::as_str),
        Some("nye-bevan"),
        "{found:?}"
    );
    let partner = found.iter().position(|code| code == "cov-nye-bevan");
    let programme = found.iter().position(|code| code == "nye-bevan");
    assert!(
        partner.is_none_or(|partner| Some(partner) > programme),
        "{found:?}"
    );
}
