//! The CLI's `keys issue | list | revoke` and `partners add`: against a running server's
//! admin API (`--server URL --key ADMIN_KEY`, with reqwest, as `backup --server`), or on a
//! stopped server's store (sled lets one process open a data directory; with
//! `--database-url` the server may be running). Both answer the admin API's views, so the
//! CLI prints them one way.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;

use crate::domain::PresentedKey;
use crate::operators::{self, KeyView, NewKey, NewPartner, PartnerView};
use crate::store::Store;

/// Where the operator's commands act.
pub enum Target {
    /// A store this process opened (a stopped server's, or a shared PostgreSQL database).
    Store(Store),
    /// A running server's admin API, with an admin key.
    Server(AdminClient),
}

impl Target {
    /// Issues a key; the view carries its full text, shown once.
    pub fn issue(&self, request: NewKey) -> anyhow::Result<KeyView> {
        match self {
            Target::Store(store) => Ok(KeyView::issued(&operators::issue_key(store, request)?)),
            Target::Server(client) => client.issue(&request),
        }
    }

    /// Every key, never a secret.
    pub fn list(&self) -> anyhow::Result<Vec<KeyView>> {
        match self {
            Target::Store(store) => {
                let now = chrono::Utc::now();
                Ok(operators::list_keys(store)?
                    .iter()
                    .map(|listing| KeyView::of(listing, now))
                    .collect())
            }
            Target::Server(client) => client.list(),
        }
    }

    /// Revokes the key `id`, given as its id or as the whole `nlg_<id>_<secret>`.
    pub fn revoke(&self, id: &str) -> anyhow::Result<KeyView> {
        let id = PresentedKey::parse(id).map_or(id, |presented| presented.id);
        match self {
            Target::Store(store) => {
                let key = operators::revoke_key(store, id)?;
                let listing = operators::KeyListing {
                    key,
                    last_used_at: None,
                };
                Ok(KeyView::of(&listing, chrono::Utc::now()))
            }
            Target::Server(client) => client.revoke(id),
        }
    }

    /// Adds a partner organisation and issues its key.
    pub fn add_partner(&self, request: NewPartner) -> anyhow::Result<PartnerView> {
        match self {
            Target::Store(store) => Ok(PartnerView::of(&operators::add_partner(
                store,
                request,
                chrono::Utc::now(),
            )?)),
            Target::Server(client) => client.add_partner(&request),
        }
    }
}

/// Issues a key for `organisation` (which must exist), or an admin key when `None`, in a
/// store this process holds (tests issue keys into their server's store this way).
pub fn issue(
    store: &Store,
    organisation: Option<&str>,
    label: Option<String>,
) -> anyhow::Result<operators::IssuedKey> {
    let request = NewKey {
        organisation: organisation.map(str::to_owned),
        label,
        expires: None,
    };
    Ok(operators::issue_key(store, request)?)
}

/// Revokes the key with `id` in a store this process holds.
pub fn revoke(store: &Store, id: &str) -> anyhow::Result<crate::domain::ApiKey> {
    Ok(operators::revoke_key(store, id)?)
}

/// Opens a stopped server's sled store for the operator's commands.
pub fn open(data_dir: &Path) -> anyhow::Result<Store> {
    if !data_dir.exists() {
        anyhow::bail!(
            "no store at {}: start the server once to create and seed it",
            data_dir.display()
        );
    }
    Store::open(data_dir).with_context(|| {
        format!(
            "opening the store at {} (if the server is running, use --server http://127.0.0.1:8000 --key <ADMIN KEY> instead)",
            data_dir.display()
        )
    })
}

/// A client of a running server's admin API. Plain HTTP only: meant for loopback or a
/// private network, as `backup --server`.
pub struct AdminClient {
    server: String,
    key: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl AdminClient {
    pub fn new(server: &str, key: &str) -> anyhow::Result<Self> {
        let server = server.trim_end_matches('/');
        if !server.starts_with("http://") {
            anyhow::bail!(
                "--server must be an http:// address such as http://127.0.0.1:8000 (this build speaks plain HTTP only)"
            );
        }
        Ok(Self {
            server: server.to_owned(),
            key: key.to_owned(),
            client: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .build()
                .context("building the HTTP client")?,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the tokio runtime")?,
        })
    }

    fn issue(&self, request: &NewKey) -> anyhow::Result<KeyView> {
        let mut body = serde_json::json!({ "label": request.label });
        match &request.organisation {
            Some(organisation) => body["organisation"] = organisation.as_str().into(),
            None => body["admin"] = true.into(),
        }
        add_expiry(&mut body, request.expires);
        self.call(reqwest::Method::POST, "/admin/keys", Some(body))
    }

    fn list(&self) -> anyhow::Result<Vec<KeyView>> {
        #[derive(serde::Deserialize)]
        struct Keys {
            keys: Vec<KeyView>,
        }
        let keys: Keys = self.call(reqwest::Method::GET, "/admin/keys", None)?;
        Ok(keys.keys)
    }

    fn revoke(&self, id: &str) -> anyhow::Result<KeyView> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            anyhow::bail!("{id:?} is not a key id (the <id> of nlg_<id>_<secret>)");
        }
        self.call(reqwest::Method::DELETE, &format!("/admin/keys/{id}"), None)
    }

    fn add_partner(&self, request: &NewPartner) -> anyhow::Result<PartnerView> {
        let mut body = serde_json::json!({
            "code": request.code,
            "name": request.name,
            "website": request.website,
            "label": request.label,
        });
        if let Some(kind) = &request.kind {
            body["kind"] = operators::kind_name(*kind).into();
        }
        add_expiry(&mut body, request.expires);
        self.call(reqwest::Method::POST, "/admin/partners", Some(body))
    }

    /// Sends one request and reads its JSON answer, or the error message the server gave.
    fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.server);
        self.runtime.block_on(async {
            let mut request = self.client.request(method, &url).bearer_auth(&self.key);
            if let Some(body) = body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            let response = request
                .send()
                .await
                .with_context(|| format!("requesting {url}"))?;
            let status = response.status();
            let bytes = response
                .bytes()
                .await
                .with_context(|| format!("reading the answer of {url}"))?;
            if !status.is_success() {
                let message = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|json| json["errors"][0]["message"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
                anyhow::bail!("{url} answered {status}: {message}");
            }
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{url} answered JSON this build does not read"))
        })
    }
}

/// Adds `expiresInDays` or `expiresAt` (RFC 3339) to an admin request body.
fn add_expiry(body: &mut serde_json::Value, expires: Option<operators::Expiry>) {
    match expires {
        Some(operators::Expiry::InDays(days)) => body["expiresInDays"] = days.into(),
        Some(operators::Expiry::At(at)) => {
            body["expiresAt"] = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
        }
        None => {}
    }
}
