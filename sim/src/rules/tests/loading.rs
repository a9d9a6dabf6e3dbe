//! Loading tables (builtin and user-supplied) and setting switches: what a user sees.

use super::*;

#[test]
fn builtin_tables_parse() {
    let loaded = RuleSet::try_builtin();
    assert!(loaded.is_ok(), "{loaded:?}");
    assert!(RuleSet::builtin().builtin_error().is_none());
}

#[test]
fn every_builtin_row_has_a_source() {
    let r = rules();
    let sources = [
        r.copay.sources(),
        r.high_cost.sources(),
        r.consent.sources(),
        r.windows.sources(),
        r.certificate.sources(),
    ];
    for (kind, list) in TableKind::ALL.iter().zip(&sources) {
        assert!(!list.is_empty(), "{kind} has no rows");
        for source in list {
            assert!(
                source.contains("[S"),
                "{kind}: source `{source}` names no [Sxx] key"
            );
        }
    }
}

#[test]
fn a_builtin_table_reloads_as_a_user_table() {
    for kind in TableKind::ALL {
        let reloaded = rules().with_table(kind, &kind.file_name(), kind.builtin_text());
        assert!(reloaded.is_ok(), "{kind}: {reloaded:?}");
    }
    assert_eq!(TableKind::parse("high_cost"), Ok(TableKind::HighCost));
    assert!(TableKind::parse("caps").is_err());
}

/// The error of loading `text` as `kind` under the name `user.yaml`.
fn load_error(kind: TableKind, text: &str) -> RuleError {
    rules()
        .with_table(kind, "user.yaml", text)
        .expect_err("should be rejected")
}

fn place(err: &RuleError) -> (u64, u64) {
    match err {
        RuleError::Table { line, column, .. } => (*line, *column),
        other => panic!("not a table error: {other}"),
    }
}

const COPAY_HEAD: &str = "table: copay\nrows:\n";

#[test]
fn a_misspelt_column_is_reported_with_its_line() {
    let text = format!(
        "{COPAY_HEAD}  - band: working\n    income: [general]\n    percnt: 30\n    from: 2008-04-01\n    status: enacted\n    source: \"[S24]\"\n"
    );
    let err = load_error(TableKind::Copay, &text);
    assert_eq!(place(&err).0, 5, "{err}");
    let message = err.to_string();
    assert!(message.starts_with("user.yaml:5:"), "{message}");
    assert!(message.contains("percnt"), "{message}");
    match &err {
        RuleError::Table {
            snippet: Some(s), ..
        } => assert!(s.contains("percnt: 30"), "{s}"),
        other => panic!("no snippet: {other:?}"),
    }
}

#[test]
fn broken_yaml_is_reported_with_its_line() {
    let text = format!("{COPAY_HEAD}  - band: working\n    income: [general\n    percent: 30\n");
    let err = load_error(TableKind::Copay, &text);
    assert!(place(&err).0 >= 4, "{err}");
    assert!(err.to_string().starts_with("user.yaml:"), "{err}");
}

#[test]
fn a_bad_value_is_reported_with_its_line() {
    let text = format!(
        "{COPAY_HEAD}  - band: working\n    income: [general]\n    percent: 30\n    from: 2008-13-01\n    status: enacted\n    source: \"[S24]\"\n"
    );
    assert_eq!(place(&load_error(TableKind::Copay, &text)).0, 6);
    let text = format!(
        "{COPAY_HEAD}  - band: working\n    income: [rich]\n    percent: 30\n    from: 2008-04-01\n    status: enacted\n    source: \"[S24]\"\n"
    );
    assert_eq!(place(&load_error(TableKind::Copay, &text)).0, 4);
}

#[test]
fn overlapping_rows_point_at_the_second_row() {
    let row = "  - band: working\n    income: [general]\n    percent: 30\n    from: 2008-04-01\n    status: enacted\n    source: \"[S24]\"\n";
    let text = format!(
        "{COPAY_HEAD}{row}{}",
        row.replace("2008-04-01", "2020-01-01")
    );
    let err = load_error(TableKind::Copay, &text);
    assert_eq!(place(&err).0, 9, "{err}");
    assert!(
        err.to_string().contains("overlaps the row at line 3"),
        "{err}"
    );
}

#[test]
fn checks_on_rows_carry_the_line() {
    let text = format!(
        "{COPAY_HEAD}  - band: working\n    income: [general]\n    percent: 30\n    from: 2008-04-01\n    until: 2001-01-01\n    status: enacted\n    source: \"\"\n"
    );
    let err = load_error(TableKind::Copay, &text);
    assert_eq!(place(&err).0, 3, "{err}");
    assert!(
        err.to_string()
            .contains("`until` 2001-01-01 is before `from`"),
        "{err}"
    );
}

#[test]
fn a_table_loaded_as_the_wrong_kind_is_rejected() {
    let err = load_error(TableKind::Copay, TableKind::Consent.builtin_text());
    assert!(
        err.to_string().contains("declares `table: consent`"),
        "{err}"
    );
}

#[test]
fn cap_cells_reject_words_and_formulas_without_a_threshold() {
    let head = "table: high_cost\nbirthday_month_75_halving: {from: 2009-01-01, source: \"[S11]\"}\nrows:\n";
    let row = |household: &str| {
        format!(
            "{head}  - categories: [A03]\n    from: 2015-01-01\n    status: enacted\n    household: {household}\n    outpatient: none\n    many_times: 44400\n    source: \"[S1]\"\n"
        )
    };
    let err = load_error(TableKind::HighCost, &row("lots"));
    assert_eq!(place(&err).0, 7, "{err}");
    let err = load_error(TableKind::HighCost, &row("{base: 80100}"));
    assert!(err.to_string().contains("needs `threshold`"), "{err}");
    let err = load_error(TableKind::HighCost, &row("none"));
    assert!(err.to_string().contains("cannot be `none`"), "{err}");
    let ok = rules().with_table(
        TableKind::HighCost,
        "user.yaml",
        &row("{base: 80100, threshold: null}"),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn a_window_may_only_reference_date_switches() {
    let text = TableKind::DataWindows.builtin_text().replace(
        "{switch: medical_expense_notice_from}",
        "{switch: face_match_threshold}",
    );
    let err = load_error(TableKind::DataWindows, &text);
    assert!(
        err.to_string()
            .contains("`face_match_threshold` is not a date switch"),
        "{err}"
    );
    assert!(place(&err).0 > 0);
}

#[test]
fn arbitrary_junk_is_an_error_not_a_panic() {
    for kind in TableKind::ALL {
        for junk in [
            "",
            "~",
            "[1, 2",
            "table: 3",
            "\t- x",
            "rows: !!binary AAAA",
            "table: copay\nrows: 5\n",
        ] {
            assert!(
                rules().with_table(kind, "junk.yaml", junk).is_err(),
                "{kind}: {junk:?}"
            );
        }
    }
}

#[test]
fn an_unknown_switch_suggests_the_closest_name() {
    let mut s = Switches::default();
    let err = s.set("appy_planned_revision", "true").expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "unknown switch `appy_planned_revision`; did you mean `apply_planned_revisions`?"
    );
    let err = s.set("checkup_min_age", "40").expect_err("unknown");
    assert!(
        err.to_string().contains("`checkup_screen_min_age`"),
        "{err}"
    );
}

#[test]
fn switches_are_set_from_text() {
    let mut s = Switches::default();
    s.set("apply_planned_revisions", "true").expect("bool");
    assert!(s.apply_planned_revisions);
    s.set("checkup_screen_min_age", "none").expect("option");
    assert_eq!(s.checkup_screen_min_age, None);
    s.set("checkup_screen_min_age", "35").expect("option");
    assert_eq!(s.checkup_screen_min_age, Some(35));
    s.set("face_match_threshold", "0.85").expect("f64");
    assert_eq!(s.face_match_threshold, 0.85);
    s.set("medical_expense_notice_from", "2021-10-01")
        .expect("date");
    assert_eq!(s.medical_expense_notice_from, d(2021, 10, 1));
    for (name, value) in [
        ("apply_planned_revisions", "yes"),
        ("face_match_threshold", "1.5"),
        ("face_match_threshold", "NaN"),
        ("certificate_grace_months", "-1"),
        ("certificate_grace_months", "1000"),
        ("medical_expense_notice_from", "2021-09"),
    ] {
        let err = s.set(name, value).expect_err(value);
        assert!(
            matches!(err, RuleError::SwitchValue { .. }),
            "{name}={value}: {err}"
        );
    }
}

#[test]
fn the_switch_list_shows_defaults_descriptions_and_sources() {
    let list = Switches::default().list();
    let names: Vec<_> = list.iter().map(|i| i.name).collect();
    assert_eq!(names, Switches::NAMES);
    for info in &list {
        assert_eq!(info.value, info.default, "{}", info.name);
        assert!(info.description.contains(" / "), "{}", info.name);
        assert!(!info.source.is_empty(), "{}", info.name);
    }
    let get = |name: &str| list.iter().find(|i| i.name == name).expect(name).clone();
    assert_eq!(get("checkup_screen_min_age").default, "40");
    assert!(get("checkup_screen_min_age").uncertain);
    assert_eq!(get("inpatient_consent_hours").default, "none");
    assert_eq!(get("face_match_threshold").default, "0.8");
    assert_eq!(
        get("medication_window_extension_from").default,
        "2024-04-01"
    );
    assert!(!get("outpatient_consent_hours").uncertain);
    // Every value a list shows can be set back.
    let mut s = Switches::default();
    for info in &list {
        s.set(info.name, &info.value).expect(info.name);
    }
    assert_eq!(s, Switches::default());
}
