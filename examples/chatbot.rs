//! A chatbot backend in miniature: search the knowledge graph for a user's question, follow a
//! relationship of the top hit, print its summary and cite its sources.
//!
//! Start the server (`cargo run`), then:
//!
//! ```text
//! cargo run --example chatbot -- "is the Mary Seacole programme accredited?"
//! NHS_GRAPH_URL=http://127.0.0.1:8000 cargo run --example chatbot -- "Nye Bevan"
//! ```

use serde_json::{json, Value};

const QUERY: &str = r#"
query Ask($question: String!) {
  search(query: $question, first: 3) {
    totalCount
    edges { node {
      score snippet summary
      sources { title publisher url }
      record {
        __typename name
        ... on Programme { provider { name } accreditedBy { name } }
        ... on Course { provider { name } }
        ... on Figure { value unit }
      }
    } }
  }
}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("NHS_GRAPH_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let question = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let question = if question.trim().is_empty() {
        "is the Mary Seacole programme accredited?".to_owned()
    } else {
        question
    };

    let answer: Value = reqwest::Client::new()
        .post(format!("{}/graphql", base.trim_end_matches('/')))
        .json(&json!({ "query": QUERY, "variables": { "question": question } }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if let Some(errors) = answer.get("errors") {
        return Err(format!("the server refused the question: {errors}").into());
    }

    let edges = answer["data"]["search"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(top) = edges.first().map(|edge| &edge["node"]) else {
        println!("I found nothing about {question:?}.");
        return Ok(());
    };
    let record = &top["record"];
    println!("Q: {question}");
    println!("A: {}", top["summary"].as_str().unwrap_or_default());
    if let Some(provider) = record["provider"]["name"].as_str() {
        println!("   Provided by {provider}.");
    }
    if let Some(bodies) = record["accreditedBy"].as_array() {
        let names: Vec<&str> = bodies.iter().filter_map(|b| b["name"].as_str()).collect();
        if !names.is_empty() {
            println!("   Accredited by {}.", names.join(", "));
        }
    }
    println!(
        "   (matched: {})",
        top["snippet"].as_str().unwrap_or_default()
    );
    println!("Sources:");
    for source in top["sources"].as_array().into_iter().flatten() {
        println!(
            "  - {} ({}) {}",
            source["title"].as_str().unwrap_or_default(),
            source["publisher"].as_str().unwrap_or_default(),
            source["url"].as_str().unwrap_or_default()
        );
    }
    for other in edges.iter().skip(1) {
        println!(
            "See also: {} ({})",
            other["node"]["record"]["name"].as_str().unwrap_or_default(),
            other["node"]["record"]["__typename"]
                .as_str()
                .unwrap_or_default()
        );
    }
    Ok(())
}
