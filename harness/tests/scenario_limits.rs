//! Scenario limits and confinement: `use` expansion bombs, the cap on problems per file,
//! plain wording for YAML parser limits, the position of invalid UTF-8, includes that try to
//! leave the scenario tree, and certification packages whose includes still resolve.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use onshi_harness::catalog::Catalog;
use onshi_harness::scenario::limits::{
    MAX_EXPANDED_STEPS, MAX_PROBLEMS_PER_FILE, TOO_MANY_PROBLEMS, TOO_MANY_STEPS,
};
use onshi_harness::scenario::tree::INCLUDE_OUTSIDE;
use onshi_harness::scenario::{self, Problem};

const HEAD: &str =
    "id: t/limits\ntitle: { en: limits }\nrequirements: [REG-4]\nstart: 2026-04-01T09:00\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn problems(path: &Path) -> Vec<Problem> {
    match scenario::open(path, Catalog::builtin()) {
        Ok(_) => panic!("{} loaded without a problem", path.display()),
        Err(p) => p,
    }
}

fn rendered(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{p}\n{}", p.render_plain()))
        .collect()
}

/// `s0` advances once, `s1`…`s{levels-1}` each use the one before `fan_out` times.
fn bomb(levels: usize, fan_out: usize) -> String {
    let mut text = format!("{HEAD}sequences:\n  s0:\n    steps: [advance: 1d]\n");
    for i in 1..levels {
        let one = format!("use: {{sequence: s{}}}", i - 1);
        text.push_str(&format!(
            "  s{i}:\n    steps: [{}]\n",
            vec![one; fan_out].join(", ")
        ));
    }
    text
}

#[test]
fn an_expansion_bomb_gives_the_limit_problem_at_its_use() {
    let dir = tempfile::tempdir().unwrap();
    // The report's two bombs: 5 levels (1e8 steps) and 10 levels (past the nesting limit,
    // where the old compiler listed 1e16 problems).
    for levels in [5usize, 10] {
        let text = format!(
            "{}steps:\n  - advance: 1d\n  - use: {{ sequence: s{} }}\n",
            bomb(levels, 100),
            levels - 1
        );
        let line = text.lines().count() as u64;
        let path = write(dir.path(), &format!("bomb{levels}.yaml"), &text);
        let ps = problems(&path);
        assert_eq!(ps.len(), 1, "{}", rendered(&ps));
        let p = &ps[0];
        assert_eq!(p.code, TOO_MANY_STEPS);
        assert!(p.file.ends_with(&format!("bomb{levels}.yaml")), "{p}");
        assert_eq!((p.line, p.column), (line, 22), "{p}");
        assert!(p.message.contains("100,000"), "{p}");
        assert!(
            p.message.contains(&format!("`use: s{}`", levels - 1)),
            "{p}"
        );
    }
}

#[test]
fn the_step_that_crosses_the_limit_is_named_and_those_below_it_compile() {
    // s2 expands to 1 + 100 × (1 + 100 × 2) = 20,101 steps: four fit, the fifth crosses.
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{}steps:\n", bomb(3, 100));
    for _ in 0..4 {
        text.push_str("  - use: { sequence: s2 }\n");
    }
    let fits = write(dir.path(), "fits.yaml", &text);
    let sc = scenario::open(&fits, Catalog::builtin()).unwrap();
    assert_eq!(sc.plan.steps.len(), 4 * 100 * 100);
    text.push_str("  - use: { sequence: s2 }\n  - use: { sequence: s2 }\n");
    let crosses = write(dir.path(), "crosses.yaml", &text);
    let ps = problems(&crosses);
    assert_eq!(ps.len(), 1, "{}", rendered(&ps));
    assert_eq!(ps[0].code, TOO_MANY_STEPS);
    assert_eq!(ps[0].line, text.lines().count() as u64 - 1, "{}", ps[0]);
    assert!(
        ps[0].message.contains("80,404 counted before it"),
        "{}",
        ps[0]
    );
}

#[test]
fn the_library_is_far_below_the_step_limit() {
    let files = scenario::collect(&[PathBuf::from("../scenarios")]).unwrap();
    let mut most = 0;
    for f in files {
        let sc = scenario::open(&f, Catalog::builtin()).unwrap();
        most = most.max(sc.plan.steps.len() + sc.plan.finally.len());
    }
    assert!(most > 0);
    assert!((most as u64) * 100 < MAX_EXPANDED_STEPS, "{most}");
}

#[test]
fn problems_are_capped_per_file_with_a_count_of_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        format!("{HEAD}sequences:\n  bad:\n    steps: [card.lost: {{person: nobody}}]\nsteps:\n");
    for _ in 0..(MAX_PROBLEMS_PER_FILE + 100) {
        text.push_str("  - use: { sequence: bad }\n");
    }
    let path = write(dir.path(), "many.yaml", &text);
    let ps = problems(&path);
    assert_eq!(ps.len(), MAX_PROBLEMS_PER_FILE + 1, "{}", ps.len());
    let last = ps.last().unwrap();
    assert_eq!(last.code, TOO_MANY_PROBLEMS);
    assert!(last.message.starts_with("100 more problems"), "{last}");
    assert!(last.line > 0, "{last}");
}

#[test]
fn yaml_parser_limits_are_plain_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let tags = vec!["a"; 250_001].join(",");
    let path = write(dir.path(), "nodes.yaml", &format!("{HEAD}tags: [{tags}]\n"));
    let ps = problems(&path);
    let all = rendered(&ps);
    assert_eq!(ps[0].code, "scenario::yaml-limit", "{all}");
    assert!(ps[0].message.contains("more than 250,000 nodes"), "{all}");
    assert!(!all.contains("Nodes {") && !all.contains("budget"), "{all}");
    let path = write(dir.path(), "dup.yaml", &format!("{HEAD}seed: 1\nseed: 2\n"));
    let ps = problems(&path);
    assert_eq!(ps[0].message, "duplicate key `seed`");
    assert!(!rendered(&ps).contains("DuplicateKeyPolicy"));
}

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    std::fs::write(&path, b"id: t/x\ntitle: { en: \"caf\xe9\" }\n").unwrap();
    let ps = problems(&path);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].code, "scenario::not-utf8");
    assert_eq!((ps[0].line, ps[0].column), (2, 18), "{}", ps[0]);
    assert!(ps[0].render_plain().contains("latin1.yaml:2:18"));
}

/// A suite with a fixture, and outside it a file whose text must never be shown.
struct Escape {
    _dir: tempfile::TempDir,
    suite: PathBuf,
    secret: PathBuf,
}

const SECRET: &str = "zq7x-outside-content";

fn escape_setup() -> Escape {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // An unknown key and a bad value: the old loader echoed both in its problem.
    let secret = write(
        &root,
        "outside/secret.yaml",
        &format!("{SECRET}: 1\nworld: {{ people: [{{ id: {SECRET} }}] }}\n"),
    );
    let suite = root.join("suite");
    write(&suite, "fixtures/base.yaml", "description: base\n");
    Escape {
        _dir: dir,
        suite,
        secret,
    }
}

fn scenario_including(suite: &Path, name: &str, entry: &str) -> PathBuf {
    write(
        suite,
        &format!("area/{name}.yaml"),
        &format!("{HEAD}include: [base, \"{entry}\"]\nexpect: [review: {{text: x}}]\n"),
    )
}

fn assert_refused_unseen(path: &Path) {
    let ps = problems(path);
    let all = rendered(&ps);
    assert_eq!(ps.len(), 1, "{all}");
    assert_eq!(ps[0].code, INCLUDE_OUTSIDE, "{all}");
    assert_eq!(ps[0].line, 5, "{all}");
    assert!(!all.contains(SECRET), "{all}");
}

#[test]
fn an_absolute_include_is_refused_without_showing_the_file() {
    let e = escape_setup();
    let secret = e.secret.to_string_lossy().to_string();
    assert_refused_unseen(&scenario_including(&e.suite, "absolute", &secret));
    // The environment of the process is not shown either.
    let p = scenario_including(&e.suite, "environ", "/proc/self/environ");
    let all = rendered(&problems(&p));
    if let Ok(path) = std::env::var("PATH") {
        assert!(!all.contains(&path), "{all}");
    }
    assert!(all.contains(INCLUDE_OUTSIDE));
}

#[test]
fn a_dotdot_include_out_of_the_tree_is_refused_without_showing_the_file() {
    let e = escape_setup();
    assert_refused_unseen(&scenario_including(
        &e.suite,
        "dotdot",
        "../../outside/secret.yaml",
    ));
    // Through a folder that is not there, and far above the root.
    assert_refused_unseen(&scenario_including(
        &e.suite,
        "deep",
        "../nope/../../../../../../../../../../../../etc/passwd",
    ));
}

#[test]
fn a_symlink_out_of_the_tree_is_refused_without_showing_the_file() {
    let e = escape_setup();
    std::fs::create_dir_all(e.suite.join("area")).unwrap();
    std::os::unix::fs::symlink(&e.secret, e.suite.join("area/link.yaml")).unwrap();
    assert_refused_unseen(&scenario_including(&e.suite, "file-link", "link.yaml"));
    std::os::unix::fs::symlink(e.secret.parent().unwrap(), e.suite.join("area/linked")).unwrap();
    assert_refused_unseen(&scenario_including(
        &e.suite,
        "dir-link",
        "linked/secret.yaml",
    ));
    // A named fixture that is a link out of the tree.
    std::os::unix::fs::symlink(&e.secret, e.suite.join("fixtures/evil.yaml")).unwrap();
    assert_refused_unseen(&scenario_including(&e.suite, "fixture-link", "evil"));
}

#[test]
fn a_scenario_file_that_links_out_of_its_tree_is_not_read() {
    let e = escape_setup();
    std::fs::create_dir_all(e.suite.join("area")).unwrap();
    std::os::unix::fs::symlink(&e.secret, e.suite.join("area/evil.yaml")).unwrap();
    write(
        &e.suite,
        "area/good.yaml",
        &format!("{HEAD}include: [base]\nexpect: [review: {{text: x}}]\n"),
    );
    let (ok, bad) =
        onshi_harness::run::load_all(std::slice::from_ref(&e.suite), Catalog::builtin()).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(bad.len(), 1);
    let all = rendered(&bad[0].1);
    assert_eq!(bad[0].1[0].code, "scenario::link-outside", "{all}");
    assert!(!all.contains(SECRET), "{all}");
}

#[test]
fn refused_includes_never_reach_the_run_record_or_the_report() {
    let e = escape_setup();
    let secret = e.secret.to_string_lossy().to_string();
    scenario_including(&e.suite, "absolute", &secret);
    scenario_including(&e.suite, "dotdot", "../../outside/secret.yaml");
    // `_` names are not scenarios themselves.
    std::os::unix::fs::symlink(&e.secret, e.suite.join("area/_link.yaml")).unwrap();
    scenario_including(&e.suite, "link", "_link.yaml");
    let result = onshi_harness::run::run(
        std::slice::from_ref(&e.suite),
        Catalog::builtin(),
        &onshi_harness::run::RunOptions::default(),
    )
    .unwrap();
    assert_eq!(result.problems.len(), 3);
    let json = onshi_reports::json::render(&result.record);
    let html = onshi_reports::html::render(&result.record, onshi_reports::Lang::En);
    assert!(json.contains("out of the scenario tree"), "{json}");
    assert!(!json.contains(SECRET) && !html.contains(SECRET));
}

#[test]
fn includes_inside_the_tree_still_load() {
    let e = escape_setup();
    write(&e.suite, "shared/extra.yaml", "description: extra\n");
    write(&e.suite, "area/fixtures/local.yaml", "include: [base]\n");
    for (name, entry) in [
        ("up", "../fixtures/base.yaml"),
        ("sibling", "../shared/extra.yaml"),
        ("here", "./fixtures/local.yaml"),
        ("named", "local"),
    ] {
        let path = scenario_including(&e.suite, name, entry);
        if let Err(ps) = scenario::open(&path, Catalog::builtin()) {
            panic!("{name}: {}", rendered(&ps));
        }
    }
}

#[test]
fn a_certification_package_keeps_includes_resolvable() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    let standard = std::fs::read_to_string("../scenarios/fixtures/standard.yaml").unwrap();
    write(&suite, "fixtures/standard.yaml", &standard);
    // A `..` include out of the scenario's folder, two levels deep.
    let paper = std::fs::read_to_string("../scenarios/provider/paper-limit-answer.yaml").unwrap();
    assert!(paper.contains("include: [standard]"));
    write(
        &suite,
        "provider/paper/limit.yaml",
        &paper.replace(
            "include: [standard]",
            "include: [../../fixtures/standard.yaml]",
        ),
    );
    // A named fixture from a nested fixtures/ folder that includes one from the top.
    let hanako =
        std::fs::read_to_string("../scenarios/consent/fixtures/hanako-records.yaml").unwrap();
    write(&suite, "consent/fixtures/hanako-records.yaml", &hanako);
    let refuse = std::fs::read_to_string("../scenarios/consent/refuse-medication.yaml").unwrap();
    write(&suite, "consent/refuse-medication.yaml", &refuse);
    let result = onshi_harness::run::run(
        std::slice::from_ref(&suite),
        Catalog::builtin(),
        &onshi_harness::run::RunOptions::default(),
    )
    .unwrap();
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    assert_eq!(result.record.scenarios.len(), 2);
    let out = dir.path().join("package");
    onshi_harness::cli::certify::package(&result.record, onshi_reports::Lang::En, &out).unwrap();
    for f in [
        "fixtures/standard.yaml",
        "provider/paper/limit.yaml",
        "consent/fixtures/hanako-records.yaml",
        "consent/refuse-medication.yaml",
    ] {
        assert!(out.join("scenarios").join(f).is_file(), "{f}");
    }
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert!(
        sums.contains("  scenarios/fixtures/standard.yaml\n"),
        "{sums}"
    );
    // The packaged suite validates, through the library and the CLI.
    let packaged = scenario::collect(&[out.join("scenarios")]).unwrap();
    assert_eq!(packaged.len(), 2);
    for f in &packaged {
        if let Err(ps) = scenario::open(f, Catalog::builtin()) {
            panic!("{}", rendered(&ps));
        }
    }
    let status = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["validate", "scenarios"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// One sequence: `advance` steps, and `use`s of any sequence (itself included).
    fn sequence(count: usize) -> impl Strategy<Value = Vec<Option<usize>>> {
        prop::collection::vec(
            prop_oneof![1 => Just(None), 4 => (0..count).prop_map(Some)],
            0..120,
        )
    }

    fn scenario_text(seqs: &[Vec<Option<usize>>], top: &[usize], broken: Option<usize>) -> String {
        let mut text = format!("{HEAD}sequences:\n");
        for (i, steps) in seqs.iter().enumerate() {
            let mut items: Vec<String> = steps
                .iter()
                .map(|s| match s {
                    None => "advance: 1d".to_string(),
                    Some(j) => format!("use: {{sequence: s{j}}}"),
                })
                .collect();
            if broken == Some(i) {
                items.push("card.lost: {person: nobody}".into());
            }
            text.push_str(&format!("  s{i}:\n    steps: [{}]\n", items.join(", ")));
        }
        text.push_str("steps:\n");
        for t in top {
            text.push_str(&format!("  - use: {{ sequence: s{t} }}\n"));
        }
        text
    }

    fn case() -> impl Strategy<Value = String> {
        (1usize..6)
            .prop_flat_map(|count| {
                (
                    prop::collection::vec(sequence(count), count),
                    prop::collection::vec(0..count, 1..6),
                    prop::option::of(0..count),
                )
            })
            .prop_map(|(seqs, top, broken)| scenario_text(&seqs, &top, broken))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever the nesting (deep, wide, recursive, with errors inside), validating
        /// returns, lists at most the capped number of problems, and a plan that compiles
        /// stays within the step limit.
        #[test]
        fn nested_uses_are_bounded(text in case()) {
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "nested.yaml", &text);
            match scenario::open(&path, Catalog::builtin()) {
                Ok(sc) => {
                    let steps = (sc.plan.steps.len() + sc.plan.finally.len()) as u64;
                    prop_assert!(steps <= MAX_EXPANDED_STEPS);
                }
                Err(ps) => {
                    prop_assert!(!ps.is_empty());
                    prop_assert!(ps.len() <= MAX_PROBLEMS_PER_FILE + 1, "{}", ps.len());
                    for p in &ps {
                        prop_assert!(p.line > 0, "{}", p);
                    }
                }
            }
        }
    }
}
