//! A complete set of records and their dated links, as a seed load produces it.

use super::*;

/// Everything a seed load writes, already validated: every reference resolves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub organisations: Vec<Organisation>,
    pub roles: Vec<Role>,
    pub posts: Vec<Post>,
    pub programmes: Vec<Programme>,
    pub courses: Vec<Course>,
    pub qualifications: Vec<Qualification>,
    pub pay_bands: Vec<PayBand>,
    pub topics: Vec<Topic>,
    pub career_stories: Vec<CareerStory>,
    pub figures: Vec<Figure>,
    /// Organisation parent links (trust -> ICB -> region -> NHS England), with the dates they held.
    pub memberships: Vec<Edge>,
}

impl Dataset {
    /// Every edge of the dataset: the dated memberships, each record's references, and a
    /// `Cites` edge from every record to each of its sources.
    pub fn edges(&self) -> Vec<Edge> {
        let mut edges = self.memberships.clone();
        collect_edges(&mut edges, &self.organisations);
        collect_edges(&mut edges, &self.roles);
        collect_edges(&mut edges, &self.posts);
        collect_edges(&mut edges, &self.programmes);
        collect_edges(&mut edges, &self.courses);
        collect_edges(&mut edges, &self.qualifications);
        collect_edges(&mut edges, &self.pay_bands);
        collect_edges(&mut edges, &self.topics);
        collect_edges(&mut edges, &self.career_stories);
        collect_edges(&mut edges, &self.figures);
        edges
    }

    /// The number of records of every kind.
    pub fn n_records(&self) -> usize {
        self.sources.len()
            + self.organisations.len()
            + self.roles.len()
            + self.posts.len()
            + self.programmes.len()
            + self.courses.len()
            + self.qualifications.len()
            + self.pay_bands.len()
            + self.topics.len()
            + self.career_stories.len()
            + self.figures.len()
    }
}

/// The edges one record implies: its references, then one `Cites` edge per source.
pub fn record_edges<T: Record>(record: &T) -> Vec<Edge> {
    let from = record.reference();
    let cites = record.sources().iter().map(|source| {
        (
            Relation::Cites,
            RecordRef::new(RecordKind::Source, source.clone()),
        )
    });
    record
        .references()
        .into_iter()
        .chain(cites)
        .map(|(relation, to)| Edge {
            from: from.clone(),
            relation,
            to,
            validity: Validity::ALWAYS,
        })
        .collect()
}

fn collect_edges<T: Record>(edges: &mut Vec<Edge>, records: &[T]) {
    for record in records {
        edges.extend(record_edges(record));
    }
}
