//! `lint::late-elderly`: `validate` rejects a world that keeps someone on another insurer on
//! or after their 75th birthday, and accepts one that leaves the move to the law.
#![allow(clippy::unwrap_used)]

use onshi_harness::catalog::Catalog;
use onshi_harness::scenario::{self, lint};

const HEAD: &str = "id: lint/late-elderly
title: { en: lint }
requirements: [INS-2]
start: 2026-07-01T09:00
world:
  insurers:
    - { id: kyokai, number: \"01130012\", name: 協会けんぽ }
    - { id: kouki, number: \"39130018\", name: 東京都後期高齢者医療広域連合 }
  institutions:
    - { id: clinic, code: \"1310143217\", name: オンシ内科 }
  people:
    - id: hiroshi
      born: 1951-07-15
      insurance:
";

fn lints(body: &str) -> Vec<onshi_harness::scenario::Problem> {
    let dir = std::env::temp_dir().join(format!("onshi-lint-75-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("s{}.yaml", body.len()));
    std::fs::write(&path, format!("{HEAD}{body}")).unwrap();
    let sc = scenario::open(&path, Catalog::builtin()).unwrap();
    lint::lint(&sc)
        .into_iter()
        .filter(|p| p.code == "lint::late-elderly")
        .collect()
}

#[test]
fn a_world_that_keeps_someone_past_75_is_rejected_with_positions() {
    let found = lints(
        "        - { insurer: kyokai, number: \"1\", from: 2000-04-01, lost: { on: 2026-08-01 } }
        - { insurer: kyokai, number: \"2\", from: 2026-08-01 }
steps:
  - job.change: { person: hiroshi, on: 2026-07-15, to: kyokai, number: \"3\" }
  - job.change: { person: hiroshi, on: 2026-07-14, to: kyokai, number: \"4\" }
expect:
  - trace.has: { kind: insurer.enrol }
",
    );
    let at: Vec<(u64, u64)> = found.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(at, vec![(15, 73), (16, 49), (18, 40)], "{found:?}");
    assert!(
        found[0].message.contains("2026-07-15"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("hiroshi"));
    assert!(found[2].message.contains("job.change"));
}

#[test]
fn a_world_that_leaves_the_move_to_the_law_is_accepted() {
    let found = lints(
        "        - { insurer: kyokai, number: \"1\", from: 2000-04-01 }
        - { insurer: kouki, number: \"9\", from: 2026-07-15 }
        - { insurer: kyokai, number: \"0\", from: 1990-04-01, lost: { on: 2026-07-15 } }
steps:
  - job.change: { person: hiroshi, on: 2026-07-15, to: kouki, number: \"8\" }
expect:
  - trace.has: { kind: insurer.enrol }
",
    );
    assert!(found.is_empty(), "{found:?}");
}
