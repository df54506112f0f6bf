//! The benchmark's ceiling: a bare poem server that answers every `POST /graphql` (and
//! `GET /graphql`) with the same bytes, read once from a file. No GraphQL, no store, no
//! cache: what the HTTP stack alone costs on this machine.
//!
//! `cargo run --release --example ceiling -- --bind 127.0.0.1:8100 --body-file answer.json`

use std::net::SocketAddr;
use std::path::PathBuf;

use bytes::Bytes;
use clap::Parser;
use poem::listener::TcpListener;
use poem::web::Data;
use poem::{get, handler, Body, EndpointExt, Response, Route};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A bare poem server answering fixed bytes, for comparison.
#[derive(Debug, Parser)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8100")]
    bind: SocketAddr,
    /// The file whose bytes every answer carries.
    #[arg(long)]
    body_file: PathBuf,
}

#[handler]
async fn fixed_answer(body: Body, Data(answer): Data<&Bytes>) -> Response {
    // Read the request body as the real handler does (http-body-util's `Limited`), then
    // answer the fixed bytes.
    use http_body_util::BodyExt;
    let body: http_body_util::combinators::BoxBody<Bytes, std::io::Error> = body.into();
    let _ = http_body_util::Limited::new(body, 256 * 1024)
        .collect()
        .await;
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(answer.clone())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let bytes = Bytes::from(std::fs::read(&args.body_file)?);
    let routes = Route::new()
        .at("/graphql", get(fixed_answer).post(fixed_answer))
        .data(bytes);
    poem::Server::new(TcpListener::bind(args.bind))
        .run(routes)
        .await
}
