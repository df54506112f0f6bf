//! The seed's links, stored as one list per record rather than one key per link.
//!
//! `seed-out` holds, under each record's reference, every link the seed gives it, by relation;
//! `seed-in:<relation>` holds, under each record's reference, the records linked to it. A 100×
//! seed has 461k links: one key per link and direction was 920k of the store's 1.1M keys, and
//! a sled write costs by the key. As lists they are about 180k.
//!
//! Links partners publish stay one key each in `out:<relation>` / `in:<relation>` (see
//! `keys.rs`): a partner write adds or removes a key and never rewrites a seed list, and a
//! reseed replaces the lists without touching the partner's keys. So do links that a store
//! written by an older build holds, until its next reseed replaces them with lists. A read
//! takes both (`Store::related`).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{codec, Result};
use crate::domain::{Edge, Relation, Validity};

/// The tree of every record's outgoing seed links.
pub(crate) const SEED_OUT_TREE: &str = "seed-out";

/// The tree of the records that `relation` links to each record, in the seed.
pub(crate) fn seed_in_tree_name(relation: Relation) -> String {
    format!("seed-in:{}", relation.name())
}

/// Whether `tree` holds seed lists, keyed by one record's reference.
pub(crate) fn is_list_tree(tree: &str) -> bool {
    tree == SEED_OUT_TREE || tree.starts_with("seed-in:")
}

/// The records linked by one relation, by encoded reference (`keys::reference_key`): the
/// order of the per-link keys, so reads answer in the same order either way.
pub(crate) type Links = BTreeMap<Vec<u8>, Validity>;

/// One tree's entries, encoded, by key.
pub(crate) type Entries = BTreeMap<Vec<u8>, Vec<u8>>;

/// The value of a `seed-out` entry: a record's links, by relation name.
type OutgoingLinks = BTreeMap<String, Links>;

/// A dataset's links as lists, to be written by a seed write.
#[derive(Default)]
pub(crate) struct SeedLists {
    outgoing: BTreeMap<Vec<u8>, OutgoingLinks>,
    incoming: HashMap<Relation, BTreeMap<Vec<u8>, Links>>,
}

impl SeedLists {
    /// Adds a link both ways. A second link between the same two records by the same
    /// relation replaces the first, as a second key would.
    pub(crate) fn add(&mut self, edge: &Edge) {
        let from = super::keys::reference_key(&edge.from);
        let to = super::keys::reference_key(&edge.to);
        self.outgoing
            .entry(from.clone())
            .or_default()
            .entry(edge.relation.name().to_owned())
            .or_default()
            .insert(to.clone(), edge.validity);
        self.incoming
            .entry(edge.relation)
            .or_default()
            .entry(to)
            .or_default()
            .insert(from, edge.validity);
    }

    /// The number of links (each counted once).
    pub(crate) fn n_links(&self) -> usize {
        self.outgoing
            .values()
            .flat_map(BTreeMap::values)
            .map(BTreeMap::len)
            .sum()
    }

    /// Every list tree's entries, encoded, by tree name: every list tree is named, empty or
    /// not, so that a reseed removes the lists the new seed no longer has.
    pub(crate) fn into_trees(self) -> Result<Vec<(String, Entries)>> {
        let mut trees = Vec::new();
        let mut outgoing = BTreeMap::new();
        for (from, links) in self.outgoing {
            outgoing.insert(from, codec::encode(&links)?);
        }
        trees.push((SEED_OUT_TREE.to_owned(), outgoing));
        let mut incoming = self.incoming;
        for relation in Relation::ALL {
            let mut tree = BTreeMap::new();
            for (to, links) in incoming.remove(&relation).unwrap_or_default() {
                tree.insert(to, codec::encode(&links)?);
            }
            trees.push((seed_in_tree_name(relation), tree));
        }
        Ok(trees)
    }
}

/// The links of `relation` in a stored `seed-out` value.
pub(crate) fn outgoing(value: &[u8], relation: Relation) -> Result<Links> {
    let mut links: OutgoingLinks = codec::decode(|| SEED_OUT_TREE, value)?;
    Ok(links.remove(relation.name()).unwrap_or_default())
}

/// The number of links in a stored `seed-out` value.
pub(crate) fn n_outgoing(value: &[u8]) -> Result<usize> {
    let links: OutgoingLinks = codec::decode(|| SEED_OUT_TREE, value)?;
    Ok(links.values().map(BTreeMap::len).sum())
}

/// The links in a stored `seed-in:<relation>` value.
pub(crate) fn incoming(tree: &str, value: &[u8]) -> Result<Links> {
    codec::decode(|| tree, value)
}

/// A list value of tree `tree` without its links to `partner` records: a reseed leaves out
/// the seed's links to a record a partner published in its place, whose own links stay.
/// Gives the value to write (`None` when no link is left) and the number of links dropped.
pub(crate) fn without_partner(
    tree: &str,
    value: &[u8],
    partner: &HashSet<Vec<u8>>,
) -> Result<(Option<Vec<u8>>, usize)> {
    let keep = |links: &mut Links| {
        let before = links.len();
        links.retain(|reference, _| !partner.contains(reference));
        before - links.len()
    };
    if tree == SEED_OUT_TREE {
        let mut lists: OutgoingLinks = codec::decode(|| tree, value)?;
        let dropped = lists.values_mut().map(keep).sum();
        lists.retain(|_, links| !links.is_empty());
        let value = (!lists.is_empty())
            .then(|| codec::encode(&lists))
            .transpose()?;
        Ok((value, dropped))
    } else {
        let mut links = incoming(tree, value)?;
        let dropped = keep(&mut links);
        let value = (!links.is_empty())
            .then(|| codec::encode(&links))
            .transpose()?;
        Ok((value, dropped))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::RecordRef;
    use crate::store::keys::reference_key;

    fn reference(text: &str) -> RecordRef {
        RecordRef::parse(text).unwrap()
    }

    fn edge(relation: Relation, from: &str, to: &str) -> Edge {
        Edge {
            relation,
            from: reference(from),
            to: reference(to),
            validity: Validity::ALWAYS,
        }
    }

    fn trees(lists: SeedLists) -> HashMap<String, Entries> {
        lists.into_trees().unwrap().into_iter().collect()
    }

    #[test]
    fn a_link_is_listed_under_both_its_records() {
        let mut lists = SeedLists::default();
        lists.add(&edge(Relation::PostRole, "post:a", "role:chair"));
        lists.add(&edge(Relation::PostRole, "post:b", "role:chair"));
        lists.add(&edge(
            Relation::PostOrganisation,
            "post:a",
            "organisation:RJ1",
        ));
        assert_eq!(lists.n_links(), 3);
        let trees = trees(lists);

        let post_a = &trees[SEED_OUT_TREE][&reference_key(&reference("post:a"))];
        let roles = outgoing(post_a, Relation::PostRole).unwrap();
        assert_eq!(
            roles.keys().cloned().collect::<Vec<_>>(),
            [reference_key(&reference("role:chair"))]
        );
        assert_eq!(outgoing(post_a, Relation::Cites).unwrap(), Links::new());

        let in_tree = seed_in_tree_name(Relation::PostRole);
        let chair = &trees[&in_tree][&reference_key(&reference("role:chair"))];
        let posts = incoming(&in_tree, chair).unwrap();
        assert_eq!(
            posts.keys().cloned().collect::<Vec<_>>(),
            [
                reference_key(&reference("post:a")),
                reference_key(&reference("post:b"))
            ]
        );
    }

    #[test]
    fn every_list_tree_is_named_even_when_empty() {
        let trees = trees(SeedLists::default());
        assert_eq!(trees.len(), 1 + Relation::ALL.len());
        assert!(trees.keys().all(|tree| is_list_tree(tree)));
        assert!(trees.values().all(BTreeMap::is_empty));
    }

    #[test]
    fn a_second_link_between_the_same_records_replaces_the_first() {
        let mut lists = SeedLists::default();
        let mut dated = edge(Relation::Parent, "organisation:RJ1", "organisation:QWE");
        lists.add(&dated);
        dated.validity.from = NaiveDate::from_ymd_opt(2022, 7, 1);
        lists.add(&dated);
        assert_eq!(lists.n_links(), 1);
        let trees = trees(lists);
        let value = &trees[SEED_OUT_TREE][&reference_key(&reference("organisation:RJ1"))];
        let parents = outgoing(value, Relation::Parent).unwrap();
        assert_eq!(parents.values().next().unwrap().from, dated.validity.from);
    }

    #[test]
    fn links_to_partner_records_are_left_out_of_a_list() {
        let mut lists = SeedLists::default();
        lists.add(&edge(
            Relation::CourseProvider,
            "course:a",
            "organisation:U1",
        ));
        lists.add(&edge(
            Relation::CourseProvider,
            "course:b",
            "organisation:U1",
        ));
        let trees = trees(lists);
        let in_tree = seed_in_tree_name(Relation::CourseProvider);
        let value = &trees[&in_tree][&reference_key(&reference("organisation:U1"))];
        let partner = HashSet::from([reference_key(&reference("course:b"))]);

        let (kept, dropped) = without_partner(&in_tree, value, &partner).unwrap();
        assert_eq!(dropped, 1);
        let kept = incoming(&in_tree, &kept.unwrap()).unwrap();
        assert_eq!(
            kept.keys().cloned().collect::<Vec<_>>(),
            [reference_key(&reference("course:a"))]
        );

        let out = &trees[SEED_OUT_TREE][&reference_key(&reference("course:b"))];
        let everyone = HashSet::from([reference_key(&reference("organisation:U1"))]);
        assert_eq!(
            without_partner(SEED_OUT_TREE, out, &everyone).unwrap(),
            (None, 1)
        );
    }
}
