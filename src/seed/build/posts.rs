//! The posts the seed describes without listing each: a `[[board]]` gives every
//! organisation of a kind a post for each of its roles, and a `[[post]]` adds one post, or
//! completes a board's with its holder and sources.

use super::Builder;
use crate::domain::{
    according_to, Citation, Code, Holder, Organisation, OrganisationKind, Post, Role, Source,
};
use crate::seed::tables::{self, citations, parse_enum, Tables};

impl Builder {
    /// Every organisation of a `[[board]]`'s kind gets a post for each of its roles.
    pub(super) fn add_board_posts(&mut self, tables: &Tables) {
        for entry in &tables.boards {
            let Some(kind) = parse_enum::<OrganisationKind>(&entry.value.organisation_kind) else {
                entry.problem(
                    &mut self.problems,
                    "organisation_kind",
                    format!(
                        "unknown organisation kind {:?}",
                        entry.value.organisation_kind
                    ),
                );
                continue;
            };
            for organisation in self.dataset.organisations.iter().filter(|o| o.kind == kind) {
                for role_code in &entry.value.roles {
                    let Some(role) = self
                        .dataset
                        .roles
                        .iter()
                        .find(|role| &role.code == role_code)
                    else {
                        continue;
                    };
                    let mut post = new_post(
                        organisation,
                        role,
                        entry.value.sources.clone(),
                        citations(&entry.value.citations),
                    );
                    post.from_template = true;
                    post.summary = template_post_summary(&post.name, kind);
                    self.dataset.posts.push(post);
                }
            }
        }
    }

    /// `[[post]]` entries add a post or complete a board post with its holder and sources.
    pub(super) fn add_named_posts(&mut self, tables: &Tables) {
        for entry in &tables.posts {
            let post_entry = &entry.value;
            let organisation = self
                .dataset
                .organisations
                .iter()
                .find(|o| o.code == post_entry.organisation);
            let role = self
                .dataset
                .roles
                .iter()
                .find(|r| r.code == post_entry.role);
            let (Some(organisation), Some(role)) = (organisation, role) else {
                continue; // already reported by the reference check (references.rs)
            };
            let holder_as_of = match post_entry
                .holder_as_of
                .as_ref()
                .map(tables::date)
                .transpose()
            {
                Ok(date) => date,
                Err(message) => {
                    entry.problem(&mut self.problems, "holder_as_of", message);
                    continue;
                }
            };
            let holder = post_entry.holder.clone().map(|name| Holder {
                name,
                as_of: holder_as_of,
            });
            let code = Code::post(&organisation.code, &role.code);
            let post = match self.dataset.posts.iter_mut().find(|post| post.code == code) {
                Some(post) => post,
                None => {
                    let post = new_post(organisation, role, Vec::new(), Vec::new());
                    self.dataset.posts.push(post);
                    self.dataset.posts.last_mut().expect("just pushed")
                }
            };
            // A source states this post for this organisation: it is no longer a template's.
            post.from_template = false;
            post.sources = post_entry.sources.clone();
            post.citations = citations(&post_entry.citations);
            if holder.is_some() {
                post.holder = holder;
            }
            post.summary = post_summary(post, &self.dataset.sources);
        }
    }
}

fn new_post(
    organisation: &Organisation,
    role: &Role,
    sources: Vec<Code>,
    citations: Vec<Citation>,
) -> Post {
    let name = format!("{}, {}", role.name, organisation.name);
    Post {
        code: Code::post(&organisation.code, &role.code),
        summary: format!("{name}. The sources name no holder."),
        name,
        organisation: organisation.code.clone(),
        role: role.code.clone(),
        holder: None,
        from_template: false,
        sources,
        citations,
    }
}

/// A post's summary says whether a source states it for this organisation, and attributes
/// a holder to the source and date that name them: holders change.
fn post_summary(post: &Post, sources: &[Source]) -> String {
    let name = &post.name;
    let Some(holder) = &post.holder else {
        return format!("{name}. The sources name no holder.");
    };
    let source = post
        .sources
        .iter()
        .find_map(|code| sources.iter().find(|source| &source.code == code));
    let attribution = source.map(according_to).unwrap_or_default();
    match (holder.as_of, attribution.is_empty()) {
        (Some(date), false) => format!(
            "{name}: held by {}, {attribution} (as of {date}).",
            holder.name
        ),
        (Some(date), true) => format!("{name}: held by {}, as of {date}.", holder.name),
        (None, false) => format!("{name}: held by {}, {attribution}.", holder.name),
        (None, true) => format!("{name}: held by {}, as the source states.", holder.name),
    }
}

/// A `[[board]]` post is what a typical organisation of its kind has, not a fact a source
/// states about this one; its summary says so.
fn template_post_summary(name: &str, kind: OrganisationKind) -> String {
    let typical = match kind {
        OrganisationKind::Trust => "a typical NHS trust board post",
        OrganisationKind::Icb => "a typical integrated care board post",
        _ => "a typical board post for an organisation of this kind",
    };
    format!("{name}: {typical}; the holder is not recorded.")
}
