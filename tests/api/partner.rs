//! Partner universities publish their own courses with an API key: authenticated, scoped,
//! validated, all-or-nothing, audited, and kept across reseeds.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use nhs_leadership_graph::api_keys;

pub(crate) const CREATE: &str = r#"mutation Create($input: CourseInput!) {
  createCourse(input: $input) {
    course { code title status provider { code } publisher { code } accreditations { body { code } basis } sources { code kind } }
    auditEntry { sequence action courseCode organisationCode keyId before { title } after { title } }
  }
}"#;

pub(crate) fn course(code: &str, provider: &str) -> Value {
    titled_course(code, provider, "MSc Health and Care Leadership")
}

/// A valid course input with its own title.
pub(crate) fn titled_course(code: &str, provider: &str, title: &str) -> Value {
    json!({
        "code": code,
        "title": title,
        "provider": provider,
        "level": "POSTGRADUATE",
        "subject": "health and care leadership",
        "accreditedBy": ["CMI"],
    })
}

impl TestApp {
    pub(crate) fn issue_key(&self, organisation: Option<&str>) -> String {
        api_keys::issue(self.app.store(), organisation, None)
            .expect("a key is issued")
            .token
    }

    /// POSTs a GraphQL request with `Authorization: Bearer <key>` when a key is given.
    pub(crate) async fn graphql_as(
        &self,
        key: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        graphql_at(&self.client, &self.address, key, query, variables).await
    }

    async fn course_count(&self) -> u64 {
        self.data("{ courses { totalCount } }").await["courses"]["totalCount"]
            .as_u64()
            .unwrap()
    }
}

/// POSTs a GraphQL request to the server at `address` (`http://host:port`), with
/// `Authorization: Bearer <key>` when a key is given; also for servers a test starts itself.
pub(crate) async fn graphql_at(
    client: &reqwest::Client,
    address: &str,
    key: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = client
        .post(format!("{address}/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap().json().await.unwrap()
}

pub(crate) fn code_of(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("(none)")
}

#[tokio::test]
async fn a_write_without_a_key_or_with_a_bad_key_is_unauthenticated_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.course_count().await;

    let anonymous = app
        .graphql_as(
            None,
            CREATE,
            json!({ "input": course("cov-new", "COVENTRY") }),
        )
        .await;
    let garbage = app
        .graphql_as(
            Some("not-a-key"),
            CREATE,
            json!({ "input": course("cov-new", "COVENTRY") }),
        )
        .await;
    let guessed = app
        .graphql_as(
            Some("nlg_0123456789abcdef_00"),
            CREATE,
            json!({ "input": course("cov-new", "COVENTRY") }),
        )
        .await;

    assert_eq!(code_of(&anonymous), "UNAUTHENTICATED");
    assert_eq!(code_of(&garbage), "UNAUTHENTICATED");
    assert_eq!(code_of(&guessed), "UNAUTHENTICATED");
    assert_eq!(app.course_count().await, before);
}

#[tokio::test]
async fn a_university_publishes_a_course_marked_as_claimed_and_cited_to_itself() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));

    let answer = app
        .graphql_as(
            Some(&key),
            CREATE,
            json!({ "input": course("cov-msc-hcl", "COVENTRY") }),
        )
        .await;

    assert!(answer.get("errors").is_none(), "{answer}");
    let written = &answer["data"]["createCourse"];
    assert_eq!(
        written["course"],
        json!({
            "code": "cov-msc-hcl",
            "title": "MSc Health and Care Leadership",
            "status": "OFFERED",
            "provider": { "code": "COVENTRY" },
            "publisher": { "code": "COVENTRY" },
            "accreditations": [{ "body": { "code": "CMI" }, "basis": "CLAIMED_BY_PROVIDER" }],
            "sources": [{ "code": "partner-coventry", "kind": "PARTNER_SUBMISSION" }]
        })
    );
    assert_eq!(written["auditEntry"]["action"], "CREATE");
    assert_eq!(written["auditEntry"]["before"], Value::Null);
    let listed = app
        .data(r#"{ courses(accreditedBy: "CMI", first: 100) { edges { node { code } } } }"#)
        .await;
    assert!(
        listed.to_string().contains("cov-msc-hcl"),
        "a claimed CMI accreditation lists the course under CMI"
    );
}

#[tokio::test]
async fn a_key_cannot_change_another_organisations_courses() {
    let app = spawn_app().await;
    let other = app.issue_key(Some("IHM"));
    let before = app
        .data(r#"{ course(code: "coventry-pg-physiotherapy") { title } }"#)
        .await;

    let create = app
        .graphql_as(
            Some(&other),
            CREATE,
            json!({ "input": course("cov-fake", "COVENTRY") }),
        )
        .await;
    let update = app
        .graphql_as(Some(&other), r#"mutation { updateCourse(code: "coventry-pg-physiotherapy", patch: { title: "Hijacked" }) { course { title } } }"#, json!({}))
        .await;
    let retire = app
        .graphql_as(
            Some(&other),
            r#"mutation { retireCourse(code: "coventry-pg-physiotherapy") { course { status } } }"#,
            json!({}),
        )
        .await;

    assert_eq!(code_of(&create), "FORBIDDEN");
    assert_eq!(code_of(&update), "FORBIDDEN");
    assert_eq!(code_of(&retire), "FORBIDDEN");
    assert_eq!(
        app.data(r#"{ course(code: "coventry-pg-physiotherapy") { title } }"#)
            .await,
        before
    );
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = app.issue_key(None);
    let before = app.course_count().await;
    let input = json!({
        "code": "Bad Code!",
        "title": "  ",
        "provider": "NOWHERE",
        "level": "POSTGRADUATE",
        "subject": "x".repeat(101),
        "accreditedBy": ["NOPE", "RJ1"],
        "summary": "line\u{0007}bell",
    });

    let answer = app
        .graphql_as(Some(&admin), CREATE, json!({ "input": input }))
        .await;

    assert_eq!(code_of(&answer), "BAD_USER_INPUT");
    let fields: Vec<&str> = answer["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "code",
            "title",
            "subject",
            "summary",
            "provider",
            "accreditedBy",
            "accreditedBy"
        ]
    );
    assert_eq!(app.course_count().await, before);
}

#[tokio::test]
async fn a_bulk_upload_with_one_bad_row_writes_nothing() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    let before = app.course_count().await;
    let mut rows = vec![
        course("cov-bulk-1", "COVENTRY"),
        course("cov-bulk-2", "COVENTRY"),
    ];
    let mut bad = course("cov-bulk-3", "COVENTRY");
    bad["subject"] = json!("");
    rows.push(bad);

    let answer = app
        .graphql_as(
            Some(&key),
            "mutation($c: [CourseInput!]) { upsertCourses(courses: $c) { created } }",
            json!({ "c": rows }),
        )
        .await;

    assert_eq!(code_of(&answer), "BAD_USER_INPUT");
    assert_eq!(
        answer["errors"][0]["extensions"]["fields"],
        json!([{ "field": "courses[2].subject", "message": "must not be empty" }])
    );
    assert_eq!(app.course_count().await, before);
}

#[tokio::test]
async fn a_bulk_csv_upload_creates_and_updates_in_one_go() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    let csv = "code,title,provider,level,subject,accredited_by,description,summary\n\
               coventry-pg-physiotherapy,Postgraduate physiotherapy,COVENTRY,POSTGRADUATE,physiotherapy,CMI,,\n\
               cov-csv-new,MBA Healthcare Management,COVENTRY,postgraduate,healthcare management,CMI;IHM,An MBA.,\n";

    let answer = app.graphql_as(Some(&key), "mutation($csv: String) { upsertCourses(csv: $csv) { created updated courses { code } } }", json!({ "csv": csv })).await;

    assert_eq!(
        answer["data"]["upsertCourses"],
        json!({ "created": 1, "updated": 1, "courses": [{ "code": "coventry-pg-physiotherapy" }, { "code": "cov-csv-new" }] })
    );
    let updated = app.data(r#"{ course(code: "coventry-pg-physiotherapy") { title accreditations { body { code } basis } } }"#).await;
    assert_eq!(updated["course"]["title"], "Postgraduate physiotherapy");
    assert_eq!(
        updated["course"]["accreditations"],
        json!([
            { "body": { "code": "CMI" }, "basis": "RECORDED_FROM_SOURCE" },
            { "body": { "code": "CMI" }, "basis": "CLAIMED_BY_PROVIDER" }
        ])
    );
}

#[tokio::test]
async fn a_retired_course_stays_queryable_as_retired_with_its_date() {
    let app = spawn_app().await;
    let key = app.issue_key(Some("COVENTRY"));
    app.graphql_as(
        Some(&key),
        CREATE,
        json!({ "input": course("cov-retiring", "COVENTRY") }),
    )
    .await;
    let today = chrono::Utc::now().date_naive().to_string();

    let retired = app
        .graphql_as(Some(&key), r#"mutation { retireCourse(code: "cov-retiring") { course { status retiredOn } auditEntry { action } } }"#, json!({}))
        .await;
    let again = app
        .graphql_as(
            Some(&key),
            r#"mutation { retireCourse(code: "cov-retiring") { course { status } } }"#,
            json!({}),
        )
        .await;
    let queried = app
        .data(r#"{ course(code: "cov-retiring") { status retiredOn title } }"#)
        .await;

    assert_eq!(
        retired["data"]["retireCourse"],
        json!({ "course": { "status": "RETIRED", "retiredOn": today }, "auditEntry": { "action": "RETIRE" } })
    );
    assert_eq!(code_of(&again), "BAD_USER_INPUT");
    assert_eq!(
        queried["course"],
        json!({ "status": "RETIRED", "retiredOn": today, "title": "MSc Health and Care Leadership" })
    );
}

#[tokio::test]
async fn the_audit_trail_shows_a_partner_its_own_writes_and_an_admin_all() {
    let app = spawn_app().await;
    let coventry = app.issue_key(Some("COVENTRY"));
    let ihm = app.issue_key(Some("IHM"));
    let admin = app.issue_key(None);
    app.graphql_as(
        Some(&coventry),
        CREATE,
        json!({ "input": course("cov-audited", "COVENTRY") }),
    )
    .await;
    app.graphql_as(
        Some(&ihm),
        CREATE,
        json!({ "input": course("ihm-audited", "IHM") }),
    )
    .await;
    let trail = "{ auditTrail(after: 0) { sequence courseCode action } }";

    let own = app.graphql_as(Some(&coventry), trail, json!({})).await;
    let all = app.graphql_as(Some(&admin), trail, json!({})).await;
    let anonymous = app.graphql_as(None, trail, json!({})).await;
    let since = app
        .graphql_as(
            Some(&admin),
            "{ auditTrail(after: 1) { courseCode } }",
            json!({}),
        )
        .await;

    assert_eq!(
        own["data"]["auditTrail"],
        json!([{ "sequence": 1, "courseCode": "cov-audited", "action": "CREATE" }])
    );
    assert_eq!(all["data"]["auditTrail"].as_array().unwrap().len(), 2);
    assert_eq!(code_of(&anonymous), "UNAUTHENTICATED");
    assert_eq!(
        since["data"]["auditTrail"],
        json!([{ "courseCode": "ihm-audited" }])
    );
}

#[tokio::test]
async fn a_revoked_key_can_write_nothing_more() {
    let app = spawn_app().await;
    let issued = api_keys::issue(app.app.store(), Some("COVENTRY"), None).unwrap();
    api_keys::revoke(app.app.store(), &issued.key.id).unwrap();

    let answer = app
        .graphql_as(
            Some(&issued.token),
            CREATE,
            json!({ "input": course("cov-revoked", "COVENTRY") }),
        )
        .await;

    assert_eq!(code_of(&answer), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_reseed_keeps_partner_published_courses() {
    let seed = crate::helpers::copy_of_seed();
    let app = crate::helpers::spawn_app_with_seed(seed.path()).await;
    let key = app.issue_key(Some("COVENTRY"));
    let created = app
        .graphql_as(
            Some(&key),
            CREATE,
            json!({ "input": course("cov-kept", "COVENTRY") }),
        )
        .await;
    let updated = app
        .graphql_as(Some(&key), r#"mutation { updateCourse(code: "coventry-pg-physiotherapy", patch: { title: "Partner title" }) { course { title } } }"#, json!({}))
        .await;
    assert!(
        created.get("errors").is_none() && updated.get("errors").is_none(),
        "{created} {updated}"
    );
    let data_dir = app.data_dir;
    app.app.shutdown().await.unwrap();
    std::fs::write(
        seed.path().join("zz-extra.toml"),
        "# a change to the seed, so it reloads\n",
    )
    .unwrap();

    let restarted = crate::helpers::start(data_dir.path(), seed.path())
        .await
        .unwrap();
    let answer = graphql_at(
        &reqwest::Client::new(),
        &format!("http://{}", restarted.local_addr()),
        None,
        r#"{ kept: course(code: "cov-kept") { title } updated: course(code: "coventry-pg-physiotherapy") { title } }"#,
        Value::Null,
    )
    .await;

    assert_eq!(
        answer["data"],
        json!({ "kept": { "title": "MSc Health and Care Leadership" }, "updated": { "title": "Partner title" } })
    );
}

#[tokio::test]
async fn the_cli_publishes_a_csv_on_a_stopped_server_through_the_same_rules() {
    let app = spawn_app().await;
    let key = api_keys::issue(app.app.store(), Some("COVENTRY"), None).expect("a key is issued");
    let TestApp { app, data_dir, .. } = app;
    app.shutdown().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let files = tempfile::tempdir().unwrap();
    let header = "code,title,provider,level,subject,accredited_by\n";
    let import = |csv: &str| {
        let path = files.path().join("courses.csv");
        std::fs::write(&path, format!("{header}{csv}")).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_nhs-leadership-graph"))
            .args(["courses", "import", "--key-id", &key.key.id, "--csv"])
            .arg(&path)
            .args(crate::helpers::store_args(data_dir.path()))
            .output()
            .unwrap()
    };

    let refused = import("cov-cli-1,MSc CLI,COVENTRY,POSTGRADUATE,leadership,CMI\ncov-cli-2, ,COVENTRY,POSTGRADUATE,leadership,\n");
    let published = import("cov-cli-1,MSc CLI,COVENTRY,POSTGRADUATE,leadership,CMI\n");

    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("csv line 3: title: must not be empty"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    let app = crate::helpers::start(data_dir.path(), &crate::helpers::repository_seed_dir())
        .await
        .unwrap();
    let answer = graphql_at(
        &reqwest::Client::new(),
        &format!("http://{}", app.local_addr()),
        None,
        r#"{ course(code: "cov-cli-1") { publisher { code } } c2: course(code: "cov-cli-2") { code } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(
        answer["data"],
        json!({ "course": { "publisher": { "code": "COVENTRY" } }, "c2": null })
    );
    app.shutdown().await.unwrap();
}
