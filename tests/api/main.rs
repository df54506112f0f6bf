//! Integration tests: each boots the real server on an ephemeral port with its own temporary
//! sled directory, and talks HTTP to it.

mod cache;
mod data;
mod errors;
mod helpers;
mod http;
mod knowledge;
mod playground;
mod relationships;
mod schema;
mod seed;
