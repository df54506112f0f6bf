//! The GraphiQL playground, served from files embedded in the binary: it works offline,
//! with nothing fetched from a CDN (see `assets/playground/LICENSES.md`).

use poem::endpoint::{EmbeddedFileEndpoint, EmbeddedFilesEndpoint};
use poem::Endpoint;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/playground"]
struct PlaygroundAssets;

/// `GET /`: the playground page.
pub(super) fn index() -> impl Endpoint {
    EmbeddedFileEndpoint::<PlaygroundAssets>::new("index.html")
}

/// `GET /playground/<file>`: the playground's scripts and styles.
pub(super) fn assets() -> impl Endpoint {
    EmbeddedFilesEndpoint::<PlaygroundAssets>::new()
}
