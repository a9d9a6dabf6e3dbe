//! Invariants over random event sequences, stated in the test names.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use jiff::ToSpan;
use jiff::civil::date;
use onshi_sim::World;
use onshi_sim::ids::PersonId;
use onshi_sim::oqs::{ConfirmEcho as Echo, to_confirm_response};
use onshi_sim::oqs::{EncodeOptions, encode};
use onshi_sim::reader::Attempt;
use onshi_sim::registry::{CardConfirm, MedicalRecord};
use onshi_sim::rules::{ConsentItem, DataKind};
use onshi_sim::world::{Event, Outcome};
use proptest::prelude::*;

const PEOPLE: usize = 4;

#[derive(Clone, Debug)]
enum Op {
    LoseAndReissue(usize),
    Renew(usize),
    Advance(u8),
    Visit {
        person: usize,
        clinic: bool,
        medication: Option<bool>,
        checkup: Option<bool>,
        pin: bool,
    },
    Fetch {
        person: usize,
        clinic: bool,
        checkup: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..PEOPLE).prop_map(Op::LoseAndReissue),
        (0..PEOPLE).prop_map(Op::Renew),
        (1u8..30).prop_map(Op::Advance),
        (
            0..PEOPLE,
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            any::<bool>()
        )
            .prop_map(|(person, clinic, medication, checkup, pin)| Op::Visit {
                person,
                clinic,
                medication,
                checkup,
                pin
            }),
        (0..PEOPLE, any::<bool>(), any::<bool>()).prop_map(|(person, clinic, checkup)| Op::Fetch {
            person,
            clinic,
            checkup
        }),
    ]
}

/// Four registered people (ages 30–80), each with medication and checkup data.
fn setup() -> (World, Vec<PersonId>) {
    let mut w = world("2026-04-01T09:00");
    let births = [
        date(1996, 7, 7),
        date(1980, 5, 10),
        date(1960, 1, 1),
        date(1946, 3, 3),
    ];
    let people: Vec<PersonId> = births
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = person(&mut w, &format!("p{i}"), *b, date(2024, 6, 1));
            w.register_for_insurance(
                p,
                onshi_sim::registry::Channel::Reader,
                at("2024-06-10T10:00"),
            )
            .unwrap();
            w.apply(Event::AddMedicalRecord {
                person: p,
                record: MedicalRecord {
                    kind: DataKind::Medication,
                    date: date(2026, 1, 10),
                    text: format!("薬{i}"),
                    e_prescription: false,
                },
            })
            .unwrap();
            w.apply(Event::AddCheckup {
                person: p,
                checkup: onshi_sim::registry::Checkup {
                    date: date(2025, 6, 1),
                    items: vec![],
                },
            })
            .unwrap();
            p
        })
        .collect();
    (w, people)
}

fn institution(w: &World, clinic: bool) -> onshi_sim::ids::InstitutionId {
    w.institution_by_key(if clinic { "clinic" } else { "other-clinic" })
        .unwrap()
}

/// A consent the patient actually gave on a screen: (person, institution, item) → time.
type Granted =
    std::collections::HashMap<(usize, bool, ConsentItem), Option<onshi_sim::clock::Moment>>;

fn apply(
    w: &mut World,
    people: &[PersonId],
    granted: &mut Granted,
    op: &Op,
) -> Option<(usize, bool, ConsentItem, bool)> {
    match *op {
        Op::LoseAndReissue(i) => {
            w.apply(Event::CardLost { person: people[i] }).unwrap();
            w.apply(Event::CardReissue {
                person: people[i],
                auth_pin: None,
            })
            .unwrap();
        }
        Op::Renew(i) => {
            w.apply(Event::CertificateRenewal { person: people[i] })
                .unwrap();
        }
        Op::Advance(h) => {
            w.apply(Event::Advance((i64::from(h) * 2).hours())).unwrap();
        }
        Op::Visit {
            person,
            clinic,
            medication,
            checkup,
            pin,
        } => {
            let attempts = if pin {
                vec![Attempt::Pin { pin: "1234".into() }]
            } else {
                face()
            };
            let mut spec = visit(w, people[person], attempts);
            spec.institution = institution(w, clinic);
            if let Some(m) = medication {
                spec.consent.items.insert(ConsentItem::Medication, m);
            }
            if let Some(c) = checkup {
                spec.consent.items.insert(ConsentItem::Checkup, c);
            }
            let Outcome::Visit(v) = w.apply(Event::Visit(Box::new(spec))).unwrap() else {
                unreachable!()
            };
            if let Some(c) = &v.consent {
                for &(item, g) in &c.decisions {
                    granted.insert((person, clinic, item), g.then(|| w.now()));
                }
            }
        }
        Op::Fetch {
            person,
            clinic,
            checkup,
        } => {
            let kind = if checkup {
                DataKind::Checkup
            } else {
                DataKind::Medication
            };
            let inst = institution(w, clinic);
            let Outcome::Data(r) = w
                .apply(Event::FetchData {
                    person: people[person],
                    institution: inst,
                    kind,
                })
                .unwrap()
            else {
                unreachable!()
            };
            let item = if checkup {
                ConsentItem::Checkup
            } else {
                ConsentItem::Medication
            };
            return Some((person, clinic, item, r.is_ok()));
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn relinking_never_crosses_people(ops in proptest::collection::vec(op(), 1..40)) {
        let (mut w, people) = setup();
        let mut granted = Granted::new();
        for op in &ops {
            apply(&mut w, &people, &mut granted, op);
        }
        let clinic = institution(&w, true);
        for &p in &people {
            let serial = w.current_auth_serial(p).unwrap();
            let a = w.confirm_card(CardConfirm { serial, institution: clinic, date: w.clock().today(), limit_consent: true, disease_consent: false });
            prop_assert_eq!(a.person, Some(p), "serial {} answered for {:?}", serial, a.person);
            // Every link the registry holds points at the person J-LIS issued the serial to.
            let link = w.registry().link(serial).unwrap();
            prop_assert_eq!(link.person, p);
            if let Some(prev) = link.relinked_from {
                let prev_owner = w.jlis().lookup(prev).and_then(|c| w.jlis().record(c).ok()).map(|r| r.person());
                prop_assert_eq!(prev_owner, Some(p));
            }
        }
    }

    #[test]
    fn an_answer_never_carries_another_persons_data_or_a_my_number(ops in proptest::collection::vec(op(), 0..25)) {
        let (mut w, people) = setup();
        let mut granted = Granted::new();
        for op in &ops {
            apply(&mut w, &people, &mut granted, op);
        }
        let clinic = institution(&w, true);
        let code = w.institutions()[clinic.index()].code;
        let numbers: Vec<String> = w.people().iter().map(|p| p.my_number.digits()).collect();
        for &p in &people {
            let serial = w.current_auth_serial(p).unwrap();
            let a = w.confirm_card(CardConfirm { serial, institution: clinic, date: w.clock().today(), limit_consent: true, disease_consent: true });
            for r in &a.results {
                prop_assert_eq!(r.person, p);
                prop_assert_eq!(w.quals()[r.qualification.index()].person, p);
            }
            let msg = to_confirm_response(&a, &w.view(), code, &Echo::default());
            let xml = encode(&msg, EncodeOptions::default()).unwrap();
            let text = String::from_utf8(xml.bytes).unwrap();
            for n in &numbers {
                prop_assert!(!text.contains(n.as_str()), "a My Number appears in the answer XML");
            }
            let json = serde_json_free_debug(&a);
            for n in &numbers {
                prop_assert!(!json.contains(n.as_str()), "a My Number appears in the typed answer");
            }
        }
    }

    #[test]
    fn medication_and_checkup_data_never_leave_without_a_valid_consent(ops in proptest::collection::vec(op(), 1..50)) {
        let (mut w, people) = setup();
        let mut granted = Granted::new();
        for op in &ops {
            if let Some((person, clinic, item, served)) = apply(&mut w, &people, &mut granted, op) {
                let valid = granted
                    .get(&(person, clinic, item))
                    .copied()
                    .flatten()
                    .is_some_and(|at| w.now() < at.plus(24.hours()).unwrap());
                if served {
                    prop_assert!(valid, "{:?} served to {} for person {} without a valid consent", item, if clinic { "clinic" } else { "other" }, person);
                }
                if valid && item == ConsentItem::Medication {
                    prop_assert!(served, "a valid medication consent was refused");
                }
            }
        }
    }
}

/// The typed answer as text (Debug), to look for My Numbers in any field.
fn serde_json_free_debug(a: &onshi_sim::registry::Answer) -> String {
    format!("{a:?}")
}
