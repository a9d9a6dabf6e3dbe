//! Snapshots of every text report a person reads, for the fixture with one scenario of
//! each kind. Review a changed snapshot as you would review the report itself.
#![allow(clippy::unwrap_used)]

mod common;

use common::fixture;
use onshi_reports::{Lang, junit, markdown, terminal};

#[test]
fn terminal_english() {
    insta::assert_snapshot!(terminal::render(&fixture(), Lang::En, false));
}

#[test]
fn terminal_japanese() {
    insta::assert_snapshot!(terminal::render(&fixture(), Lang::Ja, false));
}

#[test]
fn junit_xml() {
    insta::assert_snapshot!(junit::render(&fixture()));
}

#[test]
fn markdown_english() {
    insta::assert_snapshot!(markdown::render(&fixture(), Lang::En));
}

#[test]
fn markdown_japanese() {
    insta::assert_snapshot!(markdown::render(&fixture(), Lang::Ja));
}

/// The fixture as an interrupted run merged without its second partition: the headline says
/// so in both languages, and the header rows name the signal and the missing part.
fn interrupted_partial() -> onshi_reports::RunRecord {
    let mut r = fixture();
    r.interrupted = Some("SIGINT".into());
    r.missing_partitions = vec!["hash:2/2".into()];
    r
}

#[test]
fn interrupted_partial_terminal_and_markdown() {
    let r = interrupted_partial();
    let terminal_en = terminal::render(&r, Lang::En, false);
    let terminal_ja = terminal::render(&r, Lang::Ja, false);
    insta::assert_snapshot!(format!(
        "{}\n{}",
        terminal_en.lines().last().unwrap(),
        terminal_ja.lines().last().unwrap()
    ));
    let header: String = markdown::render(&r, Lang::En)
        .lines()
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(header);
}
