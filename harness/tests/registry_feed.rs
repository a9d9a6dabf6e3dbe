//! The registry feed (`onshi_sim::registry::feed`, docs/registry-role.md "The registry feed"):
//! over every world of the library, the records survive JSON both ways, never carry a My
//! Number or a 住民票コード, `changed_since` brings a registry that was told less up to date,
//! and a replica refuses records that do not fit what it was told, naming the record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use onshi_harness::catalog::Catalog;
use onshi_harness::run;
use onshi_harness::run::execute::build_world;
use onshi_sim::World;
use onshi_sim::clock::Moment;
use onshi_sim::registry::feed::{Facts, Record};
use proptest::prelude::*;
use serde_json::{Value, json};

fn library_facts() -> Vec<(String, World, Facts)> {
    let (ok, bad) = run::load_all(&[PathBuf::from("../scenarios")], Catalog::builtin()).unwrap();
    assert!(bad.is_empty());
    ok.iter()
        .filter(|s| s.plan.skip.is_none())
        .filter_map(|s| {
            let w = build_world(&s.plan, s.plan.seed.unwrap_or(1)).ok()?;
            let f = w.feed_facts();
            Some((s.plan.id.clone(), w, f))
        })
        .collect()
}

#[test]
fn every_record_of_the_library_survives_json_and_carries_no_my_number() {
    let all = library_facts();
    assert!(all.len() > 120, "only {} worlds", all.len());
    let mut records = 0;
    for (id, w, facts) in &all {
        let text = serde_json::to_string(facts.records()).unwrap();
        let back: Vec<Record> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{id}: the records do not read back: {e}"));
        assert_eq!(back, facts.records(), "{id}");
        records += back.len();
        for p in w.people() {
            assert!(
                !text.contains(&p.my_number.digits()),
                "{id}: the feed carries {}'s My Number",
                p.key
            );
            assert!(
                !text.contains(&w.jlis().resident_code(p.id)),
                "{id}: the feed carries {}'s 住民票コード",
                p.key
            );
        }
        // Every type has its `type` tag and camelCase fields.
        for v in serde_json::from_str::<Vec<Value>>(&text).unwrap() {
            let t = v.get("type").and_then(Value::as_str).unwrap();
            assert!(!t.contains('_'), "{id}: type `{t}`");
        }
    }
    assert!(records > 2000, "only {records} records");
}

#[test]
fn a_replica_fed_the_whole_facts_at_once_holds_the_same_facts() {
    for (id, w, facts) in library_facts() {
        let mut replica = World::replica(w.now());
        replica
            .apply_feed(facts.records())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        // The replica's own facts name people by their key (the link id it was told), so
        // compare what does not depend on the holder: counts of each kind.
        let kinds = |f: &Facts| {
            let mut k: Vec<String> = f
                .records()
                .iter()
                .map(|r| r.key().split('/').next().unwrap_or("").to_string())
                .collect();
            k.sort();
            k
        };
        let again = replica.feed_facts();
        assert_eq!(
            kinds(&again).iter().filter(|k| *k != "jlisCa").count(),
            kinds(&facts).iter().filter(|k| *k != "jlisCa").count(),
            "{id}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Telling a registry `changed_since(told)` after `told` gives the new facts, whatever part
    /// of them it was told before (records dropped or stale).
    #[test]
    fn changed_since_completes_any_earlier_telling(
        pick in 0usize..1000,
        keep in proptest::collection::vec(any::<bool>(), 64),
        stale in proptest::collection::vec(any::<bool>(), 64),
    ) {
        let all = library_facts_cached();
        let (_, facts) = &all[pick % all.len()];
        let told = Facts::from_records(
            facts
                .records()
                .iter()
                .enumerate()
                .filter(|(i, _)| keep[i % keep.len()])
                .map(|(i, r)| match r {
                    // A record told before it changed: same key, older contents.
                    Record::Person(p) if stale[i % stale.len()] => {
                        let mut old = p.clone();
                        old.name.push('旧');
                        Record::Person(old)
                    }
                    Record::Qualification(q) if stale[i % stale.len()] => {
                        let mut old = q.clone();
                        old.lost = None;
                        old.registered_on = None;
                        Record::Qualification(old)
                    }
                    other => other.clone(),
                })
                .collect(),
        );
        let mut updated = told.clone();
        for r in facts.changed_since(&told) {
            updated.upsert(r);
        }
        let mut a: Vec<String> = updated.records().iter().map(|r| format!("{r:?}")).collect();
        let mut b: Vec<String> = facts.records().iter().map(|r| format!("{r:?}")).collect();
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
        prop_assert!(facts.changed_since(&updated).is_empty());
    }
}

fn library_facts_cached() -> &'static [(String, Facts)] {
    static ALL: std::sync::OnceLock<Vec<(String, Facts)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        library_facts()
            .into_iter()
            .map(|(id, _, f)| (id, f))
            .collect()
    })
}

fn rec(v: Value) -> Record {
    serde_json::from_value(v).unwrap()
}

fn person(id: &str) -> Record {
    rec(
        json!({"type": "person", "id": id, "name": "試験　太郎", "kana": "ｼｹﾝ ﾀﾛｳ",
        "birth": "1980-01-01", "sex": "male", "address": "東京都", "postNumber": "100-0001",
        "income": "general", "incomePeriods": []}),
    )
}

#[test]
fn a_record_that_does_not_fit_is_refused_naming_its_key() {
    let start = Moment::parse("2026-04-01T09:00:00+09:00").unwrap();
    let mut w = World::replica(start);
    let unknown_holder = rec(
        json!({"type": "registration", "seq": 1, "serial": "0A", "holder": "feedfeedfeedfeed",
        "channel": "reader", "at": "2026-04-01T09:00:00+09:00"}),
    );
    let e = w.apply_feed(&[unknown_holder]).unwrap_err();
    assert_eq!(e.key, "registration/1");
    assert!(e.reason.contains("no person `feedfeedfeedfeed`"), "{e}");

    w.apply_feed(&[person("aaaaaaaaaaaaaaaa")]).unwrap();
    let cert = |serial: &str, previous: Value, revocation: Value| {
        rec(
            json!({"type": "certificate", "serial": serial, "holder": "aaaaaaaaaaaaaaaa",
            "issued": "2024-01-01", "notAfter": "2029-01-01", "cause": "first",
            "previous": previous, "revocation": revocation}),
        )
    };
    w.apply_feed(&[cert("0A", Value::Null, Value::Null)])
        .unwrap();
    // A second certificate must name the first as its 旧番号.
    let e = w
        .apply_feed(&[cert("0B", Value::Null, Value::Null)])
        .unwrap_err();
    assert_eq!(e.key, "certificate/000000000000000B");
    assert!(
        e.reason.contains("latest certificate is 000000000000000A"),
        "{e}"
    );
    w.apply_feed(&[cert("0B", json!("0A"), Value::Null)])
        .unwrap();
    // A revocation comes once and is never withdrawn.
    let revoked = json!({"reason": "superseded", "on": "2026-04-01"});
    w.apply_feed(&[cert("0A", Value::Null, revoked)]).unwrap();
    let e = w
        .apply_feed(&[cert("0A", Value::Null, Value::Null)])
        .unwrap_err();
    assert!(e.reason.contains("never withdrawn"), "{e}");
    // A 資格 record of an insurer never fed.
    let q = rec(
        json!({"type": "qualification", "id": "Q0001", "member": "aaaaaaaaaaaaaaaa",
        "linkedTo": "aaaaaaaaaaaaaaaa", "insurer": "06132013", "symbol": null, "number": "1",
        "branch": "00", "relation": "1", "insuredName": null, "acquired": "2020-04-01",
        "lost": null, "registeredOn": "2020-04-03", "lossRegisteredOn": null,
        "copayOverride": null, "limits": [], "diseases": [], "income": [], "flaggedOn": null}),
    );
    let e = w.apply_feed(&[q]).unwrap_err();
    assert_eq!(e.key, "qualification/Q0001");
    assert!(e.reason.contains("no insurer 06132013"), "{e}");
}

#[test]
fn unknown_types_and_fields_do_not_read() {
    let bad_type = serde_json::from_value::<Record>(json!({"type": "spouse", "id": "x"}));
    assert!(bad_type.is_err());
    let extra = serde_json::from_value::<Record>(json!({"type": "insurer", "number": "06132013",
        "name": "x", "lag": 3}));
    assert!(extra.unwrap_err().to_string().contains("lag"));
}
