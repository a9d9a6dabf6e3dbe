//! The requirement catalog: every behaviour the harness simulates or checks, by ID.
//!
//! The data lives in `catalog/requirements.yaml` at the workspace root and is compiled
//! into the binary; its IDs come from `shared/domain/requirements.md`. Scenarios cite IDs,
//! the runner resolves them here (with a did-you-mean for typos), and run records carry
//! the entries as [`Requirement`]s so reports can render the traceability matrix.

use std::collections::HashMap;
use std::sync::OnceLock;

use onshi_reports::Requirement;
use serde::Deserialize;

/// The catalog text compiled into the binary.
const BUILTIN_YAML: &str = include_str!("../../catalog/requirements.yaml");

/// Where the built-in catalog comes from, for error messages.
const BUILTIN_NAME: &str = "catalog/requirements.yaml";

/// The requirement catalog, in catalog order.
#[derive(Clone, Debug)]
pub struct Catalog {
    entries: Vec<Requirement>,
    /// Parallel to `entries`: the rule is configurable or uncertain.
    uncertain: Vec<bool>,
    /// Position in `entries` by id.
    index: HashMap<String, usize>,
    /// Distinct areas in order of first appearance.
    areas: Vec<String>,
}

/// Why a catalog text was rejected. Every variant after [`CatalogError::Yaml`] names the
/// offending id and the line of the entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Not YAML, or not a list of entries with the expected fields.
    #[error("line {line}, column {column}: {message}")]
    Yaml {
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// What the YAML reader said.
        message: String,
    },
    /// An id is not of the form `AREA-N` (upper-case letters, a hyphen, a number ≥ 1
    /// without leading zeros).
    #[error("line {line}: id `{id}` is malformed; ids look like `REG-2` (AREA-N)")]
    MalformedId {
        /// The id as written.
        id: String,
        /// Line of the id.
        line: u64,
    },
    /// The same id appears twice.
    #[error("line {line}: id `{id}` appears twice (first at line {first_line})")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Line of the repetition.
        line: u64,
        /// Line of the first occurrence.
        first_line: u64,
    },
    /// The `area` field is not the id's prefix.
    #[error("line {line}: entry `{id}` has area `{area}`, but its id says `{expected}`")]
    AreaMismatch {
        /// The entry's id.
        id: String,
        /// Line of the id.
        line: u64,
        /// The area as written.
        area: String,
        /// The id's prefix.
        expected: String,
    },
    /// A text field is empty or blank.
    #[error("line {line}: entry `{id}` has an empty `{field}`")]
    EmptyField {
        /// The entry's id.
        id: String,
        /// Line of the id.
        line: u64,
        /// Which field: `en`, `ja` or `source`.
        field: &'static str,
    },
}

/// One entry as written in the YAML; `uncertain` is ours, not part of [`Requirement`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: serde_saphyr::Spanned<String>,
    area: String,
    en: String,
    ja: String,
    source: String,
    #[serde(default)]
    uncertain: bool,
}

impl Catalog {
    /// The catalog compiled into the binary, parsed on first use.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| match Catalog::parse(BUILTIN_YAML) {
            Ok(catalog) => catalog,
            // The file is checked by the tests below; failing here is a bug in the build.
            Err(e) => panic!("the built-in {BUILTIN_NAME} is invalid: {e}"),
        })
    }

    /// Parses and validates a catalog text: a YAML list of entries with `id`, `area`,
    /// `en`, `ja`, `source` and an optional `uncertain` flag.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let raw: Vec<RawEntry> = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
            let message = err.without_snippet().to_string();
            let suffix = format!(" at line {line}, column {column}");
            let message = message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string();
            CatalogError::Yaml {
                line,
                column,
                message,
            }
        })?;

        let mut catalog = Catalog {
            entries: Vec::with_capacity(raw.len()),
            uncertain: Vec::with_capacity(raw.len()),
            index: HashMap::with_capacity(raw.len()),
            areas: Vec::new(),
        };
        let mut lines = Vec::with_capacity(raw.len());
        for entry in raw {
            let line = entry.id.referenced.line();
            let id = entry.id.value;
            let Some(prefix) = id_area(&id) else {
                return Err(CatalogError::MalformedId { id, line });
            };
            if let Some(&first) = catalog.index.get(&id) {
                return Err(CatalogError::DuplicateId {
                    id,
                    line,
                    first_line: lines[first],
                });
            }
            if entry.area != prefix {
                return Err(CatalogError::AreaMismatch {
                    expected: prefix.to_string(),
                    id,
                    line,
                    area: entry.area,
                });
            }
            for (field, value) in [
                ("en", &entry.en),
                ("ja", &entry.ja),
                ("source", &entry.source),
            ] {
                if value.trim().is_empty() {
                    return Err(CatalogError::EmptyField { id, line, field });
                }
            }
            if !catalog.areas.contains(&entry.area) {
                catalog.areas.push(entry.area.clone());
            }
            catalog.index.insert(id.clone(), catalog.entries.len());
            lines.push(line);
            catalog.uncertain.push(entry.uncertain);
            catalog.entries.push(Requirement {
                id,
                area: entry.area,
                ja: entry.ja,
                en: entry.en,
                source: entry.source,
            });
        }
        Ok(catalog)
    }

    /// The entry with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    /// Every entry, in catalog order.
    pub fn entries(&self) -> &[Requirement] {
        &self.entries
    }

    /// Whether an entry has exactly this id.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// Whether the entry's rule is configurable or uncertain (model it as a swappable rule);
    /// `false` for ids not in the catalog.
    pub fn is_uncertain(&self, id: &str) -> bool {
        self.index.get(id).is_some_and(|&i| self.uncertain[i])
    }

    /// The distinct areas (`CARD`, `RDR`, …) in catalog order.
    pub fn areas(&self) -> impl ExactSizeIterator<Item = &str> {
        self.areas.iter().map(String::as_str)
    }

    /// The existing id closest to `id`, for a did-you-mean hint: `REG2` and `RGE-2` give
    /// `REG-2`. Case is ignored, so `reg-2` gives `REG-2`. Returns `None` when nothing is
    /// close (more than one edit away for ids of up to 3 characters, more than two
    /// otherwise). Ties go to the id that comes first in the catalog.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        let wanted: Vec<char> = id.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        if wanted.is_empty() {
            return None;
        }
        let limit = if wanted.len() <= 3 { 1 } else { 2 };
        self.entries
            .iter()
            .map(|e| {
                let candidate: Vec<char> = e.id.chars().collect();
                (edit_distance(&wanted, &candidate), e.id.as_str())
            })
            .filter(|&(d, _)| d <= limit)
            // min_by_key keeps the first of equal keys: catalog order breaks ties.
            .min_by_key(|&(d, _)| d)
            .map(|(_, id)| id)
    }
}

/// The area of a well-formed id (`REG` for `REG-2`), or `None` if `id` is not `AREA-N`.
fn id_area(id: &str) -> Option<&str> {
    let (area, number) = id.split_once('-')?;
    let area_ok = !area.is_empty() && area.bytes().all(|b| b.is_ascii_uppercase());
    let number_ok = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && !number.starts_with('0');
    (area_ok && number_ok).then_some(area)
}

/// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
/// characters as one edit each (optimal string alignment), so `RGE-2` is one edit from
/// `REG-2`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    // Row i holds the distances from the first i characters of `a` to every prefix of `b`;
    // `current` is row i, `previous` row i-1 and `before` row i-2 (needed for swaps).
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..width {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prose catalog the YAML is derived from; it sits beside the checkout.
    const REQUIREMENTS_MD: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/domain/requirements.md"
    );

    fn entry(id: &str, area: &str) -> String {
        format!("- id: {id}\n  area: {area}\n  en: text\n  ja: 文章\n  source: leaflet\n")
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn builtin_parses() {
        let catalog = Catalog::parse(BUILTIN_YAML).expect("builtin catalog parses");
        assert!(!catalog.entries().is_empty());
        assert_eq!(Catalog::builtin().entries(), catalog.entries());
    }

    #[test]
    fn builtin_has_exactly_the_ids_of_requirements_md_in_order() {
        let text = std::fs::read_to_string(REQUIREMENTS_MD)
            .unwrap_or_else(|e| panic!("cannot read {REQUIREMENTS_MD}: {e}"));
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("- "))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|word| id_area(word).is_some())
            .collect();
        assert!(
            expected.len() > 40,
            "too few ids found in {REQUIREMENTS_MD}"
        );
        let actual: Vec<&str> = Catalog::builtin()
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn every_japanese_text_is_japanese_prose() {
        let is_japanese = |c: char| matches!(c, '\u{3040}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}');
        let is_hiragana = |c: char| matches!(c, '\u{3040}'..='\u{309F}');
        for e in Catalog::builtin().entries() {
            assert!(
                e.ja.chars().any(is_japanese),
                "{}: ja has no Japanese",
                e.id
            );
            // Kana glue shows a Japanese sentence, not an English one quoting terms.
            assert!(
                e.ja.chars().any(is_hiragana),
                "{}: ja has no hiragana",
                e.id
            );
            assert!(!e.en.trim().is_empty(), "{}: en is empty", e.id);
        }
    }

    #[test]
    fn texts_are_single_lines_without_stray_spaces() {
        for e in Catalog::builtin().entries() {
            for (field, text) in [("en", &e.en), ("ja", &e.ja), ("source", &e.source)] {
                assert!(!text.contains('\n'), "{}: {field} has a line break", e.id);
                assert!(!text.contains("  "), "{}: {field} has a double space", e.id);
                assert_eq!(text.trim(), text.as_str(), "{}: {field} is padded", e.id);
            }
        }
    }

    #[test]
    fn sources_name_known_documents() {
        let known = [
            "leaflet",
            "規約 第",
            "rules-tables",
            "oqs-wire",
            "requirements.md",
        ];
        for e in Catalog::builtin().entries() {
            for part in e.source.split(';').map(str::trim) {
                assert!(
                    known.iter().any(|k| part.starts_with(k)),
                    "{}: unknown source `{part}`",
                    e.id
                );
            }
        }
    }

    #[test]
    fn areas_come_in_catalog_order() {
        let areas: Vec<&str> = Catalog::builtin().areas().collect();
        assert_eq!(areas, ["CARD", "RDR", "JLIS", "REG", "INS", "PRT", "PRV"]);
    }

    #[test]
    fn lookup_by_id() {
        let catalog = Catalog::builtin();
        let reg2 = catalog.get("REG-2").expect("REG-2 exists");
        assert_eq!(reg2.area, "REG");
        assert_eq!(reg2.source, "規約 第5条の4, 第5条の5");
        assert!(reg2.ja.contains("旧番号"));
        assert!(catalog.contains("PRV-7"));
        assert!(!catalog.contains("REG-99"));
        assert!(
            !catalog.contains("reg-2"),
            "lookup is exact; suggest() folds case"
        );
        assert!(catalog.get("REG2").is_none());
    }

    #[test]
    fn only_the_reissue_relink_rule_is_marked_uncertain() {
        let catalog = Catalog::builtin();
        let uncertain: Vec<&str> = catalog
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .filter(|id| catalog.is_uncertain(id))
            .collect();
        assert_eq!(uncertain, ["REG-2"]);
        assert!(!catalog.is_uncertain("NOPE-1"));
    }

    #[test]
    fn suggest_finds_the_intended_id() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.suggest("REG2"), Some("REG-2"));
        assert_eq!(catalog.suggest("RGE-2"), Some("REG-2"));
        assert_eq!(catalog.suggest("reg-2"), Some("REG-2"));
        assert_eq!(catalog.suggest(" REG-2 "), Some("REG-2"));
        assert_eq!(catalog.suggest("CRAD-3"), Some("CARD-3"));
        assert_eq!(catalog.suggest("JLS-3"), Some("JLIS-3"));
        assert_eq!(catalog.suggest("PRV_5"), Some("PRV-5"));
        // Ties go to the first in catalog order.
        assert_eq!(catalog.suggest("REG-13"), Some("REG-1"));
    }

    #[test]
    fn suggest_stays_quiet_when_nothing_is_close() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.suggest(""), None);
        assert_eq!(catalog.suggest("   "), None);
        assert_eq!(catalog.suggest("XYZ-99"), None);
        assert_eq!(catalog.suggest("hello"), None);
        assert_eq!(catalog.suggest("R2"), None);
        assert_eq!(catalog.suggest("限度額"), None);
    }

    #[test]
    fn edit_distance_counts_each_kind_of_edit_once() {
        let d = |a: &str, b: &str| edit_distance(&chars(a), &chars(b));
        assert_eq!(d("REG-2", "REG-2"), 0);
        assert_eq!(d("REG2", "REG-2"), 1);
        assert_eq!(d("REG-2", "REG2"), 1);
        assert_eq!(d("REG-3", "REG-2"), 1);
        assert_eq!(d("RGE-2", "REG-2"), 1);
        assert_eq!(d("", "REG"), 3);
        assert_eq!(d("REG", ""), 3);
        assert_eq!(d("CA", "ABC"), 3);
        assert_eq!(d("kitten", "sitting"), 3);
    }

    #[test]
    fn ids_must_be_area_dash_number() {
        assert_eq!(id_area("REG-2"), Some("REG"));
        assert_eq!(id_area("REG-12"), Some("REG"));
        for bad in [
            "REG2", "reg-2", "REG-", "-2", "REG-02", "REG-0", "REG-2a", "RE G-2", "REG-2-1",
        ] {
            assert_eq!(id_area(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_small_catalog_parses_with_its_flags() {
        let text = format!(
            "{}{}  uncertain: true\n",
            entry("AB-1", "AB"),
            entry("AB-2", "AB")
        );
        let catalog = Catalog::parse(&text).expect("valid");
        assert_eq!(catalog.entries().len(), 2);
        assert!(!catalog.is_uncertain("AB-1"));
        assert!(catalog.is_uncertain("AB-2"));
        assert_eq!(catalog.areas().collect::<Vec<_>>(), ["AB"]);
    }

    #[test]
    fn duplicate_ids_are_rejected_naming_the_id() {
        let text = format!(
            "{}{}{}",
            entry("REG-1", "REG"),
            entry("REG-2", "REG"),
            entry("REG-1", "REG")
        );
        let err = Catalog::parse(&text).expect_err("duplicate");
        assert_eq!(
            err,
            CatalogError::DuplicateId {
                id: "REG-1".into(),
                line: 11,
                first_line: 1
            }
        );
        assert!(err.to_string().contains("`REG-1`"), "{err}");
    }

    #[test]
    fn malformed_ids_are_rejected_naming_the_id() {
        for bad in ["REG2", "reg-2", "REG-02"] {
            let text = format!("{}{}", entry("REG-1", "REG"), entry(bad, "REG"));
            let err = Catalog::parse(&text).expect_err(bad);
            assert_eq!(
                err,
                CatalogError::MalformedId {
                    id: bad.into(),
                    line: 6
                }
            );
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn an_area_that_is_not_the_prefix_is_rejected() {
        let err = Catalog::parse(&entry("REG-1", "RDR")).expect_err("mismatch");
        assert_eq!(
            err.to_string(),
            "line 1: entry `REG-1` has area `RDR`, but its id says `REG`"
        );
    }

    #[test]
    fn empty_texts_are_rejected_naming_the_id_and_field() {
        let text = "- id: PRV-1\n  area: PRV\n  en: text\n  ja: \"  \"\n  source: leaflet\n";
        let err = Catalog::parse(text).expect_err("empty ja");
        assert_eq!(
            err,
            CatalogError::EmptyField {
                id: "PRV-1".into(),
                line: 1,
                field: "ja"
            }
        );
        let text = "- id: PRV-1\n  area: PRV\n  en: text\n  ja: 文章\n  source: ''\n";
        let err = Catalog::parse(text).expect_err("empty source");
        assert!(
            err.to_string().contains("`PRV-1` has an empty `source`"),
            "{err}"
        );
    }

    #[test]
    fn yaml_and_shape_errors_carry_a_position() {
        let err = Catalog::parse("- id: [unclosed\n").expect_err("bad yaml");
        assert!(
            matches!(err, CatalogError::Yaml { line: 1.., .. }),
            "{err:?}"
        );

        let text = format!("{}  uncertian: true\n", entry("REG-1", "REG"));
        let err = Catalog::parse(&text).expect_err("unknown field");
        let CatalogError::Yaml { line, message, .. } = &err else {
            panic!("expected a YAML error, got {err:?}");
        };
        assert_eq!(*line, 6, "{err}");
        assert!(message.contains("uncertian"), "{err}");

        let err = Catalog::parse("- id: REG-1\n  area: REG\n").expect_err("missing fields");
        assert!(matches!(err, CatalogError::Yaml { .. }), "{err:?}");
    }
}
