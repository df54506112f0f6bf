//! Integration tests: each boots the real server on an ephemeral port with its own temporary
//! store, and talks HTTP to it. The store is a sled directory, or with
//! `NHS_GRAPH_TEST_BACKEND=postgres` a PostgreSQL database (`helpers.rs`).

mod abuse;
mod backup;
mod cache;
mod courses;
mod crash;
mod data;
mod errors;
mod frontend;
mod fuzz;
mod helpers;
mod http;
mod knowledge;
mod mcp;
mod operators;
mod ops;
mod partner;
mod playground;
mod postgres;
mod postgres_cluster;
mod relationships;
mod schema;
mod search;
mod seed;
mod store_model;
