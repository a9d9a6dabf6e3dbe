//! `onshi import`: OQS files made from the reference's own answers (UTF-8 and Shift_JIS) are
//! turned into scenarios that `validate` accepts and that pass against the reference; the
//! answers they restate are the ones in the files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{Clinic, WORLD, assert_green, import_ok, validate};
use onshi_sim::oqs::CharacterCode;
use onshi_sim::rules::ConsentItem;

fn check<'a>(i: &'a onshi_harness::import::Imported, step: &str, name: &str) -> Option<&'a str> {
    i.restated
        .iter()
        .find(|r| r.step == step)?
        .checks
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_card_visit_in_utf8_imports_and_passes_against_the_reference() {
    let mut c = Clinic::new(WORLD, "clinic", CharacterCode::Utf8);
    c.at("2026-04-10T09:15:30");
    c.card_visit("taro", &[(ConsentItem::Medication, true)]);
    let i = import_ok(&c.files());
    println!("{}", i.yaml);
    assert!(validate(&i.yaml).is_empty(), "{:?}", validate(&i.yaml));
    assert_eq!(check(&i, "v1", "confirmation.validity"), Some("1"));
    assert_eq!(check(&i, "v1", "confirmation.copay_percent"), Some("30"));
    assert!(assert_green(&i.yaml) >= 10);
}
