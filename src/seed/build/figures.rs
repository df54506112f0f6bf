//! Figures' summaries (the statement, its hedged number, and the source and date that state
//! it), and the figures the registry itself states: how many trusts and ICBs are open.

use chrono::NaiveDate;

use crate::domain::{
    according_to, quantity, Citation, Code, Dataset, Figure, RecordKind, RecordRef, Source,
};
use crate::seed::registry::{self, REGISTRY_SOURCE};

/// A figure's summary: the statement, the number with its hedge, and, since a figure is a
/// claim in time, the source and date it is stated by.
fn figure_summary(figure: &Figure, source: Option<&Source>) -> String {
    let statement = figure.statement.trim_end_matches('.');
    let number = quantity(figure.value, figure.value_max, figure.qualifier);
    // A statement that already names its source and date is not attributed twice.
    let attributed = statement.to_lowercase().starts_with("according to");
    let attribution = source
        .filter(|_| !attributed)
        .map(|source| format!("; {}", according_to(source)))
        .unwrap_or_default();
    format!("{statement} ({number} {}{attribution}).", figure.unit)
}

/// Sets every figure's summary from its first source.
pub(super) fn summarise_figures(dataset: &mut Dataset) {
    let sources = &dataset.sources;
    for figure in &mut dataset.figures {
        let source = figure
            .sources
            .first()
            .and_then(|code| sources.iter().find(|source| &source.code == code));
        figure.summary = figure_summary(figure, source);
    }
}

pub(super) fn registry_figures(
    as_of: NaiveDate,
    n_trusts: usize,
    n_icbs: usize,
    citations: [Vec<Citation>; 2],
) -> Vec<Figure> {
    let [trust_citations, icb_citations] = citations;
    let source = vec![Code::parse(REGISTRY_SOURCE).expect("a valid code")];
    let nhs_england = vec![RecordRef::new(
        RecordKind::Organisation,
        Code::parse(registry::NHS_ENGLAND).expect("a valid code"),
    )];
    vec![
        Figure {
            code: Code::parse("figure-registry-open-trusts").expect("a valid code"),
            statement: format!("The NHS England Organisation Data Service registry lists {n_trusts} open NHS trusts in England on {as_of}."),
            value: n_trusts as f64,
            value_max: None,
            qualifier: None,
            unit: "trusts".to_owned(),
            scope: "open NHS trusts and NHS foundation trusts in England, in the ODS registry extract".to_owned(),
            as_of: Some(as_of),
            about: nhs_england.clone(),
            summary: String::new(),
            sources: source.clone(),
            citations: trust_citations,
        },
        Figure {
            code: Code::parse("figure-registry-icbs").expect("a valid code"),
            statement: format!("The NHS England Organisation Data Service registry lists {n_icbs} integrated care boards on {as_of}."),
            value: n_icbs as f64,
            value_max: None,
            qualifier: None,
            unit: "integrated care boards".to_owned(),
            scope: "integrated care boards in England, in the ODS registry extract".to_owned(),
            as_of: Some(as_of),
            about: nhs_england,
            summary: String::new(),
            sources: source,
            citations: icb_citations,
        },
    ]
}
