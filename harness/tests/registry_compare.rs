//! The field-by-field comparison (`roles::registry::compare`) on answers the reference wrote in
//! library scenarios' runs: an answer against itself has no difference; one changed or removed
//! leaf is found at exactly its path with the requirements the table maps it to, unless the
//! leaf is on the ignored list; and the side-by-side rendering of a realistic pair (資格有効性
//! and 負担割合 changed) is a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::OnceLock;

use onshi_harness::catalog::Catalog;
use onshi_harness::roles::registry::compare::{
    FieldDiff, compare, ignored, render, requirements_for,
};
use onshi_harness::run::execute::reference_files;
use onshi_harness::scenario;
use onshi_sim::oqs::{Leaf, leaves};
use proptest::prelude::*;

/// Library scenarios whose runs leave 資格確認 answers of several shapes: consent and 限度額,
/// several results, a card visit after a reissue, 高齢受給者.
const SCENARIOS: &[&str] = &[
    "consent/full-consent-shares-everything.yaml",
    "reissue/relink-after-loss.yaml",
    "boundaries/seventy.yaml",
    "boundaries/limit-info-2024-10-07.yaml",
];

/// Every answer file (`res/`, `face/`) of the scenarios' reference runs.
fn answers() -> &'static [Vec<u8>] {
    static ANSWERS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ANSWERS.get_or_init(|| {
        let mut out = Vec::new();
        for name in SCENARIOS {
            let s = scenario::open(&Path::new("../scenarios").join(name), Catalog::builtin())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            for f in reference_files(&s.plan, s.plan.seed.unwrap_or(1)) {
                if !f.path().starts_with("req/") {
                    out.push(f.bytes);
                }
            }
        }
        assert!(out.len() >= 4, "the scenarios left {} answers", out.len());
        out
    })
}

/// The leaves written back as a document (UTF-8), nesting rebuilt from the paths.
fn document(leaves: &[Leaf]) -> Vec<u8> {
    fn tag(step: &str) -> &str {
        step.split('[').next().unwrap_or(step)
    }
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut open: Vec<&str> = Vec::new();
    for leaf in leaves {
        let steps: Vec<&str> = leaf.path.split('/').collect();
        let (parents, name) = steps.split_at(steps.len() - 1);
        let common = open.iter().zip(parents).take_while(|(a, b)| a == b).count();
        while open.len() > common {
            out.push_str(&format!("</{}>", tag(open.pop().unwrap())));
        }
        for step in &parents[common..] {
            out.push_str(&format!("<{}>", tag(step)));
            open.push(step);
        }
        let n = tag(name[0]);
        out.push_str(&format!("<{n}>{}</{n}>", escape(&leaf.text)));
    }
    while let Some(step) = open.pop() {
        out.push_str(&format!("</{}>", tag(step)));
    }
    out.into_bytes()
}

#[test]
fn documents_rebuilt_from_their_leaves_read_back_the_same() {
    for a in answers() {
        let l = leaves(a).unwrap();
        assert_eq!(leaves(&document(&l)).unwrap(), l);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn an_answer_has_no_difference_with_itself(i in 0usize..64) {
        let a = &answers()[i % answers().len()];
        prop_assert_eq!(compare(a, a).unwrap(), vec![]);
    }

    #[test]
    fn one_changed_leaf_is_found_at_its_path(
        i in 0usize..64,
        at in 0usize..400,
        text in "[0-9A-Za-z 診療太郎]{0,12}",
        remove in any::<bool>(),
    ) {
        let original = leaves(&answers()[i % answers().len()]).unwrap();
        let at = at % original.len();
        prop_assume!(remove || original[at].text != text);
        let mut changed = original.clone();
        if remove {
            changed.remove(at);
        } else {
            changed[at].text = text.clone();
        }
        let diffs = compare(&document(&original), &document(&changed)).unwrap();
        let path = &original[at].path;
        if ignored(path, &original).is_some() {
            prop_assert_eq!(diffs, vec![], "an ignored leaf counted");
        } else {
            let want = FieldDiff {
                path: path.clone(),
                reference: Some(original[at].text.clone()),
                under_test: (!remove).then_some(text),
                requirements: requirements_for(path).to_vec(),
            };
            prop_assert_eq!(diffs, vec![want]);
        }
    }
}

/// `doc` with the text of the first `<name>` element replaced by `value`.
fn set_first(doc: &str, name: &str, value: &str) -> String {
    let open = format!("<{name}>");
    let start = doc.find(&open).unwrap_or_else(|| panic!("no <{name}>")) + open.len();
    let end = start + doc[start..].find('<').unwrap();
    format!("{}{value}{}", &doc[..start], &doc[end..])
}

#[test]
fn a_realistic_pair_side_by_side() {
    let reference = String::from_utf8(answers()[0].clone()).unwrap();
    let under_test = set_first(&reference, "QualificationValidity", "2");
    let under_test = set_first(&under_test, "InsuredPartialContributionRatio", "010");
    let diffs = compare(reference.as_bytes(), under_test.as_bytes()).unwrap();
    assert_eq!(diffs.len(), 2, "{diffs:?}");
    insta::assert_snapshot!("validity-and-ratio", render(&diffs));
}
