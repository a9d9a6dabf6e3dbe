//! Tests of the rule tables against hand-computed values from rules-tables.md.

use super::*;

#[test]
fn builtin_tables_parse() {
    let rules = RuleSet::try_builtin();
    assert!(rules.is_ok(), "{rules:?}");
    assert!(RuleSet::builtin().builtin_error().is_none());
}
