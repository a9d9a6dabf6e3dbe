//! A generated life history: a small world and the steps that happen in it, in the terms of
//! the scenario language, and its rendering as a scenario file. Everything `explore` runs is
//! this text read back by the normal loader, so a history that runs is a file `onshi
//! validate` accepts, and a found difference is a scenario anyone can run again.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};

/// An insurer of the generated world: key, 保険者番号, name, registry lag (days).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsurerDef {
    /// Key in the scenario.
    pub key: &'static str,
    /// 保険者番号 with its check digit.
    pub number: String,
    /// Name.
    pub name: &'static str,
    /// Days a new 資格 takes to reach the registry.
    pub lag_days: u32,
}

/// A 限度額 entry of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitDef {
    /// 適用区分 (`A03`, `B05`, …).
    pub category: &'static str,
    /// 交付日.
    pub issued: Date,
    /// Last day it is valid, if it ends in the history.
    pub valid_until: Option<Date>,
    /// Recalled (回収) on.
    pub recalled: Option<Date>,
}

/// One insurance record (資格) at the start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDef {
    /// Insurer key.
    pub insurer: &'static str,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 家族 (dependent) rather than 本人.
    pub dependent: bool,
    /// 資格取得日.
    pub from: Date,
    /// 限度額 data.
    pub limits: Vec<LimitDef>,
    /// 特定疾病 (name, issued).
    pub disease: Option<(&'static str, Date)>,
}

/// A person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonDef {
    /// Key (`p1`, `p2`, …).
    pub key: String,
    /// 氏名 (synthetic).
    pub name: String,
    /// カナ.
    pub kana: String,
    /// Female rather than male.
    pub female: bool,
    /// 生年月日.
    pub born: Date,
    /// 所得区分 (`general`, `general2`, `active`, `low`).
    pub income: &'static str,
    /// The card's issue date and its 利用者証明用 PIN, if the person has a card.
    pub card: Option<(Date, String)>,
    /// 利用登録 (before the start), if registered.
    pub registered: Option<Date>,
    /// Records at the start (one, in practice).
    pub insurance: Vec<RecordDef>,
    /// 薬剤情報 on file (dates): data a consenting visit can share.
    pub medication: Vec<Date>,
    /// 特定健診 on file (dates).
    pub checkups: Vec<Date>,
}

/// A reader verification attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Attempt {
    /// Face with a match score.
    Face(f32),
    /// PIN (4 digits).
    Pin(String),
    /// 目視.
    Visual,
}

/// What the patient agrees to at the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    /// Nothing asked (the reader's default: no).
    Nothing,
    /// Every item.
    All,
    /// Only 限度額.
    LimitOnly,
    /// 薬剤 and 健診 but not 限度額.
    DataOnly,
    /// 包括同意 (one answer for every item).
    Blanket,
    /// Only 薬剤.
    MedicationOnly,
    /// Only 特定健診.
    CheckupOnly,
    /// Only 特定疾病.
    DiseaseOnly,
    /// 診療 and 手術 only.
    TreatmentSurgery,
}

/// A visit.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitDef {
    /// Step name (`v1`, `v2`, …): kept through shrinking.
    pub name: String,
    /// Person key.
    pub person: String,
    /// Institution key.
    pub at: &'static str,
    /// `card`, `certificate` or `previous_card`.
    pub presents: &'static str,
    /// Reader attempts (`None`: the default one live face).
    pub verify: Option<Vec<Attempt>>,
    /// Consent answers.
    pub consent: Consent,
    /// `outpatient`, `inpatient`, `home_visit`.
    pub care: &'static str,
    /// 10割 fee (yen).
    pub fee: u64,
    /// 多数回該当.
    pub many_times: bool,
}

/// One step of a history.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The clock moves to this moment.
    AdvanceTo(DateTime),
    /// The clock moves by minutes.
    Advance(u32),
    /// A visit.
    Visit(VisitDef),
    /// 転職 or a move between insurers.
    JobChange {
        /// Person key.
        person: String,
        /// The day the new 資格 starts.
        on: Date,
        /// New insurer key.
        to: &'static str,
        /// 記号.
        symbol: Option<String>,
        /// 番号.
        number: String,
        /// Days until the new record reaches the registry.
        lag_days: u32,
        /// Days until the end of the old one does.
        old_lag_days: u32,
    },
    /// 資格喪失 without a new one.
    Lose {
        /// Person key.
        person: String,
        /// 喪失日.
        on: Date,
    },
    /// The card is reported lost.
    CardLost(String),
    /// A new card is issued.
    CardReissue(String),
    /// The card is renewed.
    CardRenew(String),
    /// 利用登録 through the app.
    Register(String),
    /// An outage from now.
    Outage {
        /// `maintenance` or `emergency`.
        kind: &'static str,
        /// Minutes.
        minutes: u32,
    },
    /// 紐付け誤り: `person`'s 資格 registered under `linked_to`'s 個人番号.
    Mislink {
        /// Whose record.
        person: String,
        /// Under whose number.
        linked_to: String,
    },
}

impl Step {
    /// The step's kind as the scenario language names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::AdvanceTo(_) => "advance_to",
            Step::Advance(_) => "advance",
            Step::Visit(v) => match v.presents {
                "certificate" => "visit (資格確認書)",
                "previous_card" => "visit (previous card)",
                _ => "visit (card)",
            },
            Step::JobChange { lag_days: 0, .. } => "job.change",
            Step::JobChange { .. } => "job.change (lag)",
            Step::Lose { .. } => "insurance.lose",
            Step::CardLost(_) => "card.lost",
            Step::CardReissue(_) => "card.reissue",
            Step::CardRenew(_) => "card.renew",
            Step::Register(_) => "register",
            Step::Outage {
                kind: "maintenance",
                ..
            } => "outage (maintenance)",
            Step::Outage { .. } => "outage (emergency)",
            Step::Mislink { .. } => "insurance.mislink",
        }
    }

    /// The people the step names.
    pub fn people(&self) -> Vec<&str> {
        match self {
            Step::Visit(v) => vec![v.person.as_str()],
            Step::JobChange { person, .. } | Step::Lose { person, .. } => vec![person.as_str()],
            Step::CardLost(p) | Step::CardReissue(p) | Step::CardRenew(p) | Step::Register(p) => {
                vec![p.as_str()]
            }
            Step::Mislink { person, linked_to } => vec![person.as_str(), linked_to.as_str()],
            Step::AdvanceTo(_) | Step::Advance(_) | Step::Outage { .. } => Vec::new(),
        }
    }

    /// The visit, if the step is one.
    pub fn visit(&self) -> Option<&VisitDef> {
        match self {
            Step::Visit(v) => Some(v),
            _ => None,
        }
    }
}

/// A whole generated history.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The exploration's seed.
    pub seed: u64,
    /// Index in the seed's sequence.
    pub index: u64,
    /// Start of the scenario (JST).
    pub start: DateTime,
    /// Result and face files in Shift_JIS for a system under test.
    pub shift_jis: bool,
    /// Insurers (the ones the people use).
    pub insurers: Vec<InsurerDef>,
    /// People.
    pub people: Vec<PersonDef>,
    /// Steps in order.
    pub steps: Vec<Step>,
}

/// The institutions every history has (keys, 医療機関コード, names, items).
pub const INSTITUTIONS: [(&str, &str, &str, &str); 3] = [
    (
        "clinic",
        "1310143217",
        "オンシ内科クリニック",
        "[medication, checkup, treatment, surgery]",
    ),
    (
        "other-clinic",
        "1310590011",
        "別のクリニック",
        "[medication, checkup]",
    ),
    (
        "pharmacy",
        "1340123452",
        "オンシ薬局",
        "[medication, checkup]",
    ),
];

impl History {
    /// The scenario id of the history.
    pub fn id(&self) -> String {
        format!("explore/s{}-h{}", self.seed, self.index)
    }

    /// Number of visits.
    pub fn visits(&self) -> usize {
        self.steps.iter().filter(|s| s.visit().is_some()).count()
    }

    /// The history as a scenario file: `expect` is the text of the `expect:` list (each line
    /// starting with `  - `), `header` comment lines (without `#`) go on top.
    pub fn to_yaml(&self, header: &[String], requirements: &[String], expect: &str) -> String {
        let mut o = String::new();
        for h in header {
            if h.is_empty() {
                o.push_str("#\n");
            } else {
                // A comment stays one line whatever it quotes (a value a system reported, an
                // adapter command): a YAML reader breaks lines at CR, NEL, LS and PS too.
                let h = h.replace(
                    |c: char| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'),
                    " ",
                );
                let _ = writeln!(o, "# {h}");
            }
        }
        let _ = writeln!(o, "id: {}", self.id());
        let _ = writeln!(
            o,
            "title:\n  ja: 探索で生成した履歴（シード {}、{} 番目）\n  en: A history generated by onshi explore (seed {}, number {})",
            self.seed, self.index, self.seed, self.index
        );
        let reqs = if requirements.is_empty() {
            "PRV-1".to_string()
        } else {
            requirements.join(", ")
        };
        let _ = writeln!(o, "requirements: [{reqs}]");
        let _ = writeln!(o, "tags: [explore, provider]");
        let _ = writeln!(o, "seed: {}", self.seed);
        let _ = writeln!(o, "start: {}", moment(self.start));
        if self.shift_jis {
            let _ = writeln!(o, "oqs: {{ encoding: shift_jis }}");
        }
        o.push_str("world:\n  insurers:\n");
        for i in &self.insurers {
            let _ = writeln!(
                o,
                "    - {{ id: {}, number: \"{}\", name: {}, lag_days: {} }}",
                i.key, i.number, i.name, i.lag_days
            );
        }
        o.push_str("  institutions:\n");
        for (key, code, name, items) in INSTITUTIONS {
            let _ = writeln!(
                o,
                "    - {{ id: {key}, code: \"{code}\", name: {name}, items: {items} }}"
            );
        }
        o.push_str("  people:\n");
        for p in &self.people {
            person_yaml(&mut o, p);
        }
        o.push_str("steps:\n");
        for s in &self.steps {
            let _ = writeln!(o, "  - {}", step_yaml(s));
        }
        if !expect.is_empty() {
            o.push_str("expect:\n");
            o.push_str(expect);
        }
        o
    }
}

fn moment(t: DateTime) -> String {
    format!("{}T{:02}:{:02}", t.date(), t.hour(), t.minute())
}

fn person_yaml(o: &mut String, p: &PersonDef) {
    let _ = write!(
        o,
        "    - id: {}\n      name: \"{}\"\n      kana: \"{}\"\n      sex: {}\n      born: {}\n      income: {}\n",
        p.key,
        p.name,
        p.kana,
        if p.female { "female" } else { "male" },
        p.born,
        p.income
    );
    if let Some((issued, pin)) = &p.card {
        let _ = writeln!(o, "      card: {{ issued: {issued}, auth_pin: \"{pin}\" }}");
    }
    if let Some(on) = p.registered {
        let _ = writeln!(o, "      registered: {{ on: {on}T10:00 }}");
    }
    o.push_str("      insurance:\n");
    for r in &p.insurance {
        let mut fields = vec![format!("insurer: {}", r.insurer)];
        if let Some(s) = &r.symbol {
            fields.push(format!("symbol: \"{s}\""));
        }
        fields.push(format!("number: \"{}\"", r.number));
        if let Some(b) = &r.branch {
            fields.push(format!("branch: \"{b}\""));
        }
        if r.dependent {
            fields.push("relation: dependent".into());
        }
        fields.push(format!("from: {}", r.from));
        if !r.limits.is_empty() {
            let limits: Vec<String> = r
                .limits
                .iter()
                .map(|l| {
                    let mut f = vec![
                        format!("category: {}", l.category),
                        format!("issued: {}", l.issued),
                    ];
                    if let Some(u) = l.valid_until {
                        f.push(format!("valid_until: {u}"));
                    }
                    if let Some(r) = l.recalled {
                        f.push(format!("recalled: {r}"));
                    }
                    format!("{{ {} }}", f.join(", "))
                })
                .collect();
            fields.push(format!("limits: [{}]", limits.join(", ")));
        }
        if let Some((d, issued)) = r.disease {
            fields.push(format!("diseases: [{{ disease: {d}, issued: {issued} }}]"));
        }
        let _ = writeln!(o, "        - {{ {} }}", fields.join(", "));
    }
    if !p.medication.is_empty() {
        o.push_str("      records:\n");
        for d in &p.medication {
            let _ = writeln!(o, "        - {{ kind: medication, date: {d} }}");
        }
    }
    if !p.checkups.is_empty() {
        o.push_str("      checkups:\n");
        for d in &p.checkups {
            let _ = writeln!(o, "        - {{ date: {d} }}");
        }
    }
}

fn step_yaml(s: &Step) -> String {
    match s {
        Step::AdvanceTo(t) => format!("advance_to: {}", moment(*t)),
        Step::Advance(m) => format!("advance: {m}m"),
        Step::Visit(v) => {
            let mut f = vec![
                format!("name: {}", v.name),
                format!("person: {}", v.person),
                format!("at: {}", v.at),
            ];
            if v.presents != "card" {
                f.push(format!("presents: {}", v.presents));
            }
            if let Some(attempts) = &v.verify {
                let a: Vec<String> = attempts
                    .iter()
                    .map(|a| match a {
                        Attempt::Face(s) => format!("face: {s:.2}"),
                        Attempt::Pin(p) => format!("pin: \"{p}\""),
                        Attempt::Visual => "visual: true".into(),
                    })
                    .collect();
                f.push(format!("verify: [{}]", a.join(", ")));
            }
            match v.consent {
                Consent::Nothing => {}
                Consent::All => f.push("consent: { all: true }".into()),
                Consent::LimitOnly => f.push("consent: { limit_info: true }".into()),
                Consent::DataOnly => {
                    f.push("consent: { medication: true, checkup: true, limit_info: false }".into())
                }
                Consent::Blanket => f.push("consent: { blanket: true }".into()),
                Consent::MedicationOnly => f.push("consent: { medication: true }".into()),
                Consent::CheckupOnly => f.push("consent: { checkup: true }".into()),
                Consent::DiseaseOnly => f.push("consent: { specific_disease: true }".into()),
                Consent::TreatmentSurgery => {
                    f.push("consent: { treatment: true, surgery: true }".into())
                }
            }
            if v.care != "outpatient" {
                f.push(format!("care: {}", v.care));
            }
            f.push(format!("fee: {}", v.fee));
            if v.many_times {
                f.push("many_times: true".into());
            }
            format!("visit: {{ {} }}", f.join(", "))
        }
        Step::JobChange {
            person,
            on,
            to,
            symbol,
            number,
            lag_days,
            old_lag_days,
        } => {
            let sym = symbol
                .as_ref()
                .map(|s| format!(", symbol: \"{s}\""))
                .unwrap_or_default();
            format!(
                "job.change: {{ person: {person}, on: {on}, to: {to}{sym}, number: \"{number}\", lag_days: {lag_days}, old_lag_days: {old_lag_days} }}"
            )
        }
        Step::Lose { person, on } => {
            format!("insurance.lose: {{ person: {person}, on: {on}, reason: other }}")
        }
        Step::CardLost(p) => format!("card.lost: {{ person: {p} }}"),
        Step::CardReissue(p) => format!("card.reissue: {{ person: {p} }}"),
        Step::CardRenew(p) => format!("card.renew: {{ person: {p} }}"),
        Step::Register(p) => format!("register: {{ person: {p}, channel: app }}"),
        Step::Outage { kind, minutes } => format!("outage: {{ kind: {kind}, for: {minutes}m }}"),
        Step::Mislink { person, linked_to } => {
            format!("insurance.mislink: {{ person: {person}, linked_to: {linked_to} }}")
        }
    }
}
