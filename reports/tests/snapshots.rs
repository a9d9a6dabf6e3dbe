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
