//! The playground is served from the binary and renders offline in a real browser.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_playground_page_and_its_assets_are_served_from_the_binary() {
    let app = spawn_app().await;

    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for asset in [
        "/playground/graphiql.min.js",
        "/playground/graphiql.min.css",
        "/playground/playground.js",
    ] {
        assert!(html.contains(asset), "index.html references {asset}");
        let response = app
            .client
            .get(format!("{}{asset}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset} is served");
    }
    assert!(
        !html.contains("unpkg") && !html.contains("jsdelivr"),
        "nothing comes from a CDN"
    );
}

/// Renders the playground in headless Chromium (installed by `scripts/test`) and checks
/// GraphiQL's editor appeared: the page must work with no network but this server.
#[tokio::test]
async fn the_playground_renders_in_headless_chromium() {
    if crate::helpers::backend_independent(
        "the page renders from the binary's assets, not the store",
    ) {
        return;
    }
    let app = spawn_app().await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser-check.sh");

    let output = tokio::process::Command::new("bash")
        .arg(script)
        .arg(format!("{}/", app.address))
        .output()
        .await
        .expect("bash runs");

    assert!(
        output.status.success(),
        "the playground did not render (run scripts/test, which installs chromium):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
