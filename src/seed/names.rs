//! Display names for registry organisations, whose ODS names are in upper case.

/// Words kept in upper case.
const ACRONYMS: &[&str] = &["NHS", "ICB", "UK", "CIC", "HIV", "II"];
/// Words kept in lower case unless first.
const MINOR_WORDS: &[&str] = &["AND", "OF", "THE", "FOR", "ON", "UPON", "IN", "AT", "WITH"];

/// Turns an ODS upper-case name into the way people write it:
/// `"GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"` -> `"Guy's and St Thomas' NHS Foundation Trust"`.
pub(crate) fn display_name(registered: &str) -> String {
    registered
        .split_whitespace()
        .enumerate()
        .map(|(index, word)| {
            word.split('-')
                .enumerate()
                .map(|(part_index, part)| {
                    let first = index == 0 && part_index == 0;
                    if ACRONYMS.contains(&part) {
                        part.to_owned()
                    } else if !first && MINOR_WORDS.contains(&part) {
                        part.to_lowercase()
                    } else {
                        capitalise(part)
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalise(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut characters = lower.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_read_as_people_write_them() {
        assert_eq!(
            display_name("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"),
            "Guy's and St Thomas' NHS Foundation Trust"
        );
        assert_eq!(
            display_name("NHS SOUTH WEST LONDON INTEGRATED CARE BOARD"),
            "NHS South West London Integrated Care Board"
        );
        assert_eq!(
            display_name("UNIVERSITY HOSPITALS OF NORTH MIDLANDS NHS TRUST"),
            "University Hospitals of North Midlands NHS Trust"
        );
        assert_eq!(
            display_name("NHS STOKE-ON-TRENT INTEGRATED CARE BOARD"),
            "NHS Stoke-on-Trent Integrated Care Board"
        );
        assert_eq!(display_name("THE ONLINE NHS TRUST"), "The Online NHS Trust");
    }
}
