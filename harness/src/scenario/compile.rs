//! From parsed files to a checked plan: every date, number, code and reference is
//! validated here (with its file, line and column), world parts from fragments are merged,
//! and `use` steps are expanded. A plan that compiles runs without input errors.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use onshi_reports::Title;
use onshi_sim::clock::{Moment, Span};
use onshi_sim::ids::{InstitutionCode, InstitutionId, InsurerId, InsurerNumber, PersonId};
use onshi_sim::insurer::{
    DesignatedDisease, DesignatedDiseaseCertificate, LimitCertificate, LimitCertificateKind,
    LossReason, Relation,
};
use onshi_sim::person::Sex;
use onshi_sim::portal::ProxyGrant;
use onshi_sim::provider::Fee;
use onshi_sim::reader::{Attempt, ConsentAnswers};
use onshi_sim::registry::{Channel, Checkup, MedicalRecord, OutageKind};
use onshi_sim::rules::{
    CareMode, ConsentItem, DataKind, IncomeClass, InstitutionSettings, LimitCategory, PinKind,
    RuleSet,
};
use onshi_sim::world::{CardSpec, Event, PersonSpec, Presentation, QualificationSpec, VisitSpec};

use super::diag::{Problem, did_you_mean};
use super::load::Loaded;
use super::model::*;
use crate::catalog::Catalog;

/// Where something was written: source index (into [`Loaded::sources`]), line, column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Source index.
    pub source: usize,
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

/// A person with everything set up before the start.
#[derive(Clone, Debug)]
pub struct PlannedPerson {
    /// Person.
    pub spec: PersonSpec,
    /// Card.
    pub card: Option<CardSpec>,
    /// 資格 records (ids resolved).
    pub quals: Vec<QualificationSpec>,
    /// 利用登録 before the start.
    pub registered: Option<(Moment, Channel)>,
    /// Portal account.
    pub portal_account: bool,
    /// Records.
    pub records: Vec<MedicalRecord>,
    /// Checkups.
    pub checkups: Vec<Checkup>,
}

/// A checked scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Title,
    /// Cited requirement ids.
    pub requirements: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The scenario's own seed.
    pub seed: Option<u64>,
    /// Virtual start.
    pub start: Moment,
    /// Skip reason.
    pub skip: Option<String>,
    /// Card visits go through the terminal role (APDUs and the terminal protocol).
    pub terminal: bool,
    /// How the 資格確認端末 writes result and face files for a provider under test.
    pub oqs_encoding: onshi_sim::oqs::CharacterCode,
    /// The rules with the scenario's switches applied.
    pub rules: RuleSet,
    /// Insurers: key, number, name, lag.
    pub insurers: Vec<(String, InsurerNumber, String, u32)>,
    /// Institutions: key, code, name, settings.
    pub institutions: Vec<(String, InstitutionCode, String, InstitutionSettings)>,
    /// People.
    pub people: Vec<PlannedPerson>,
    /// Steps.
    pub steps: Vec<PlannedStep>,
    /// Final expectations.
    pub expect: Vec<PlannedExpect>,
    /// Steps that always run.
    pub finally: Vec<PlannedStep>,
}

impl Plan {
    /// Whether the scenario observes a provider (a `provider` or `requests` expectation, in
    /// `expect` or an `expect` step) and does not route visits through the terminal role: the
    /// scenarios a provider under test (`--adapter`) runs.
    pub fn provider_suite(&self) -> bool {
        fn observes(e: &PlannedExpect) -> bool {
            matches!(
                e.expectation,
                Expectation::Provider(_) | Expectation::Requests(_)
            )
        }
        fn in_steps(steps: &[PlannedStep]) -> bool {
            steps.iter().any(|s| match &s.action {
                Action::Expect(list) => list.iter().any(observes),
                Action::Fails { step, .. } => in_steps(std::slice::from_ref(step)),
                _ => false,
            })
        }
        !self.terminal && (self.expect.iter().any(observes) || in_steps(&self.steps))
    }
}

/// A step.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    /// Where it is written.
    pub origin: Origin,
    /// Its name, for expectations.
    pub name: Option<String>,
    /// What to do.
    pub action: Action,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum Action {
    /// A world event.
    Event(Box<Event>),
    /// Confirmation by numbers; fields left out default to the person's current 資格 at
    /// run time.
    ConfirmNumbers {
        /// Institution.
        institution: InstitutionId,
        /// Person.
        person: PersonId,
        /// 保険者番号 typed.
        insurer_number: Option<InsurerNumber>,
        /// 記号 typed.
        symbol: Option<String>,
        /// 番号 typed.
        number: Option<String>,
        /// 枝番 typed.
        branch: Option<String>,
        /// 生年月日 typed.
        born: Option<Date>,
        /// 限度額 consent.
        limit_consent: bool,
    },
    /// An outage window starting at `from` (default: now) for `length`.
    Outage {
        /// Kind.
        kind: OutageKind,
        /// Start.
        from: Option<Moment>,
        /// Length.
        length: Span,
    },
    /// Checks now.
    Expect(Vec<PlannedExpect>),
    /// A step that must be refused, and what the refusal must say.
    Fails {
        /// The wrapped step.
        step: Box<PlannedStep>,
        /// Text the error must contain.
        error: Option<String>,
        /// Requirement ids the check evidences.
        requirements: Vec<String>,
    },
}

/// An expectation with its requirement ids.
#[derive(Clone, Debug)]
pub struct PlannedExpect {
    /// Where it is written.
    pub origin: Origin,
    /// Requirement ids it evidences.
    pub requirements: Vec<String>,
    /// The expectation (references checked).
    pub expectation: Expectation,
}

/// Key → index tables, in world insertion order (which is also the id order).
#[derive(Default)]
struct Keys {
    people: BTreeMap<String, usize>,
    insurers: BTreeMap<String, usize>,
    institutions: BTreeMap<String, usize>,
}

struct Compiler<'a> {
    loaded: &'a Loaded,
    catalog: &'a Catalog,
    problems: Vec<Problem>,
    keys: Keys,
    sequences: BTreeMap<String, (usize, SequenceSpec)>,
    names: BTreeSet<String>,
    /// Current source while lowering.
    source: usize,
}

/// Checks a loaded scenario and builds its plan, or lists every problem found.
pub fn compile(loaded: &Loaded, catalog: &Catalog) -> Result<Plan, Vec<Problem>> {
    let mut c = Compiler {
        loaded,
        catalog,
        problems: Vec::new(),
        keys: Keys::default(),
        sequences: BTreeMap::new(),
        names: BTreeSet::new(),
        source: 0,
    };
    let plan = c.plan();
    if c.problems.is_empty() {
        Ok(plan)
    } else {
        Err(c.problems)
    }
}

impl Compiler<'_> {
    fn problem(&mut self, line: u64, column: u64, code: &'static str, msg: String) -> &mut Problem {
        let src = &self.loaded.sources[self.source];
        self.problems.push(
            Problem::new(&src.display, line, column, code, msg).with_source(Some(src.text.clone())),
        );
        let n = self.problems.len() - 1;
        &mut self.problems[n]
    }

    fn problem_at<T>(&mut self, at: &At<T>, code: &'static str, msg: String) -> &mut Problem {
        self.problem(at.line, at.column, code, msg)
    }

    fn origin<T>(&self, at: &At<T>) -> Origin {
        Origin {
            source: self.source,
            line: at.line,
            column: at.column,
        }
    }

    fn plan(&mut self) -> Plan {
        let sc = &self.loaded.scenario;
        self.source = 0;
        // Id and title.
        let id = sc.id.value.clone();
        if !valid_id(&id) {
            self.problem_at(
                &sc.id,
                "scenario::bad-id",
                format!("scenario id `{id}` is not of the form area/short-name"),
            )
            .help = Some(
                "use lower-case letters, digits, `-` and `/`, e.g. `reissue/relink-after-loss`"
                    .into(),
            );
        }
        if sc.title.ja.is_none() && sc.title.en.is_none() {
            self.problem(
                sc.id.line,
                1,
                "scenario::no-title",
                "the title needs `ja`, `en` or both".into(),
            );
        }
        // Requirements.
        let mut requirements = Vec::new();
        if sc.requirements.is_empty() {
            self.problem(
                sc.id.line,
                1,
                "scenario::no-requirements",
                "a scenario must cite at least one requirement id".into(),
            )
            .help =
                Some("e.g. `requirements: [REG-2]`; `onshi explain REG-2` prints an entry".into());
        }
        for r in &sc.requirements.clone() {
            if self.check_requirement(r) {
                requirements.push(r.value.clone());
            }
        }
        let start = self
            .moment(&sc.start)
            .unwrap_or_else(|| Moment::start_of(Date::constant(2026, 1, 1)));
        // Rules.
        let mut rules = RuleSet::builtin().clone();
        for (name, value) in &sc.rules.switches {
            let text = match &value.value {
                SwitchValue::Bool(b) => b.to_string(),
                SwitchValue::Number(n) => n.to_string(),
                SwitchValue::Text(t) => t.clone(),
            };
            if let Err(e) = rules.switches_mut().set(name, &text) {
                self.problem_at(
                    value,
                    "scenario::bad-switch",
                    format!("rule switch `{name}`: {e}"),
                )
                .help = Some("`onshi explain switches` lists every switch with its default".into());
            }
        }
        // Merge the world: fragments first (include order), then the scenario's own.
        let mut parts: Vec<(usize, &WorldSpec)> = self
            .loaded
            .fragments
            .iter()
            .map(|(i, f)| (*i, &f.world))
            .collect();
        parts.push((0, &sc.world));
        for (i, f) in &self.loaded.fragments {
            for (name, seq) in &f.sequences {
                self.sequences.insert(name.clone(), (*i, seq.clone()));
            }
        }
        for (name, seq) in &sc.sequences {
            self.sequences.insert(name.clone(), (0, seq.clone()));
        }
        let mut insurers = Vec::new();
        let mut institutions = Vec::new();
        for (src, w) in &parts {
            self.source = *src;
            for ins in &w.insurers {
                if let Some(x) = self.insurer(ins) {
                    insurers.push(x);
                }
            }
            for inst in &w.institutions {
                if let Some(x) = self.institution(inst) {
                    institutions.push(x);
                }
            }
        }
        // People need every insurer key first.
        let mut people = Vec::new();
        for (src, w) in &parts {
            self.source = *src;
            for p in &w.people {
                if self.keys.people.contains_key(&p.value.id) {
                    self.problem_at(
                        p,
                        "scenario::duplicate-key",
                        format!("person `{}` is defined twice", p.value.id),
                    );
                    continue;
                }
                let n = self.keys.people.len();
                self.keys.people.insert(p.value.id.clone(), n);
            }
        }
        for (src, w) in &parts {
            self.source = *src;
            for p in &w.people {
                people.push(self.person(p, start));
            }
        }
        self.source = 0;
        let steps = self.steps(&sc.steps, &BTreeMap::new(), 0);
        let finally = self.steps(&sc.finally, &BTreeMap::new(), 0);
        let expect = self.expectations(&sc.expect, &BTreeMap::new());
        let oqs_encoding = match sc.oqs.as_ref().and_then(|o| o.encoding.as_ref()) {
            None => onshi_sim::oqs::CharacterCode::Utf8,
            Some(e) => match e.value.as_str() {
                "utf8" => onshi_sim::oqs::CharacterCode::Utf8,
                "shift_jis" => onshi_sim::oqs::CharacterCode::ShiftJis,
                other => {
                    self.problem_at(
                        e,
                        "scenario::bad-encoding",
                        format!("encoding `{other}` is not utf8 or shift_jis"),
                    );
                    onshi_sim::oqs::CharacterCode::Utf8
                }
            },
        };
        Plan {
            id,
            title: Title {
                ja: sc.title.ja.clone(),
                en: sc.title.en.clone(),
            },
            requirements,
            tags: sc.tags.clone(),
            seed: sc.seed,
            start,
            skip: sc.skip.clone(),
            terminal: sc.terminal,
            oqs_encoding,
            rules,
            insurers,
            institutions,
            people,
            steps,
            expect,
            finally,
        }
    }

    fn check_requirement(&mut self, r: &At<String>) -> bool {
        if self.catalog.contains(&r.value) {
            return true;
        }
        let hint = match self.catalog.suggest(&r.value) {
            Some(s) => format!("did you mean `{s}`? `onshi explain {s}` prints it"),
            None => "the catalog is catalog/requirements.yaml; `onshi explain ID` prints an entry"
                .into(),
        };
        self.problem_at(
            r,
            "scenario::unknown-requirement",
            format!("`{}` is not a requirement id of the catalog", r.value),
        )
        .help = Some(hint);
        false
    }

    fn date(&mut self, at: &At<DateText>) -> Option<Date> {
        match at.value.0.parse::<Date>() {
            Ok(d) if at.value.0.len() == 10 => Some(d),
            Ok(_) | Err(_) => {
                let why = at
                    .value
                    .0
                    .parse::<Date>()
                    .err()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                self.problem_at(
                    at,
                    "scenario::bad-date",
                    format!("expected a date YYYY-MM-DD, found `{}`{why}", at.value.0),
                )
                .help = Some("dates are written like 2026-04-01".into());
                None
            }
        }
    }

    fn opt_date(&mut self, at: &Option<At<DateText>>) -> Option<Option<Date>> {
        match at {
            None => Some(None),
            Some(a) => self.date(a).map(Some),
        }
    }

    fn moment(&mut self, at: &At<MomentText>) -> Option<Moment> {
        match Moment::parse(&at.value.0) {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem_at(
                    at,
                    "scenario::bad-time",
                    format!(
                        "expected a JST time like 2026-04-01T09:00, found `{}`: {e}",
                        at.value.0
                    ),
                )
                .help =
                    Some("times are Japan time; write 2026-04-01T09:00 (or with +09:00)".into());
                None
            }
        }
    }

    fn span(&mut self, at: &At<String>) -> Option<Span> {
        match parse_span(&at.value) {
            Some(s) => Some(s),
            None => {
                self.problem_at(
                    at,
                    "scenario::bad-duration",
                    format!(
                        "expected a duration like 14d, 3h, 30m or 1d12h, found `{}`",
                        at.value
                    ),
                )
                .help = Some("units: d (days), h (hours), m (minutes)".into());
                None
            }
        }
    }

    fn person_ref(&mut self, at: &At<String>) -> Option<PersonId> {
        self.reference(at, "person").map(|i| PersonId(i as u32))
    }

    fn insurer_ref(&mut self, at: &At<String>) -> Option<InsurerId> {
        self.reference(at, "insurer").map(|i| InsurerId(i as u32))
    }

    fn institution_ref(&mut self, at: &At<String>) -> Option<InstitutionId> {
        self.reference(at, "institution")
            .map(|i| InstitutionId(i as u32))
    }

    fn reference(&mut self, at: &At<String>, what: &'static str) -> Option<usize> {
        let table = match what {
            "person" => &self.keys.people,
            "insurer" => &self.keys.insurers,
            _ => &self.keys.institutions,
        };
        if let Some(i) = table.get(&at.value) {
            return Some(*i);
        }
        let known: Vec<String> = table.keys().cloned().collect();
        let hint = match did_you_mean(&at.value, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => {
                format!("no {what} is defined (check `world:` and `include:`)")
            }
            None => format!("defined: {}", known.join(", ")),
        };
        let msg = if at.value.starts_with('$') {
            format!(
                "`{}` is a sequence parameter used outside a sequence (or not passed with `with:`)",
                at.value
            )
        } else {
            format!("unknown {what} `{}`", at.value)
        };
        self.problem_at(at, "scenario::unknown-reference", msg).help = Some(hint);
        None
    }

    fn insurer(&mut self, ins: &At<InsurerDef>) -> Option<(String, InsurerNumber, String, u32)> {
        let d = &ins.value;
        if self.keys.insurers.contains_key(&d.id) {
            self.problem_at(
                ins,
                "scenario::duplicate-key",
                format!("insurer `{}` is defined twice", d.id),
            );
            return None;
        }
        let number = match InsurerNumber::parse(&d.number.value) {
            Ok(n) => n,
            Err(e) => {
                self.problem_at(&d.number, "scenario::bad-insurer-number", format!("保険者番号 `{}` is invalid: {e}", d.number.value))
                    .help = Some("8 digits (法別番号 2 + 都道府県 2 + 保険者 3 + check digit), or 6 for 国保; the check digit is checked".into());
                return None;
            }
        };
        let n = self.keys.insurers.len();
        self.keys.insurers.insert(d.id.clone(), n);
        Some((d.id.clone(), number, d.name.clone(), d.lag_days))
    }

    fn institution(
        &mut self,
        inst: &At<InstitutionDef>,
    ) -> Option<(String, InstitutionCode, String, InstitutionSettings)> {
        let d = &inst.value;
        if self.keys.institutions.contains_key(&d.id) {
            self.problem_at(
                inst,
                "scenario::duplicate-key",
                format!("institution `{}` is defined twice", d.id),
            );
            return None;
        }
        let code = match InstitutionCode::parse(&d.code.value) {
            Ok(c) => c,
            Err(e) => {
                self.problem_at(
                    &d.code,
                    "scenario::bad-institution-code",
                    format!("医療機関コード `{}` is invalid: {e}", d.code.value),
                )
                .help = Some(
                    "10 digits: 都道府県 2 + 点数表 1 + 郡市区 2 + 番号 4 + check digit".into(),
                );
                return None;
            }
        };
        let settings = match &d.items {
            None => InstitutionSettings::default(),
            Some(items) => InstitutionSettings {
                enabled: items.iter().map(|i| medical_item(*i)).collect(),
            },
        };
        let n = self.keys.institutions.len();
        self.keys.institutions.insert(d.id.clone(), n);
        Some((d.id.clone(), code, d.name.clone(), settings))
    }

    fn person(&mut self, at: &At<PersonDef>, start: Moment) -> PlannedPerson {
        let d = &at.value;
        let pid = PersonId(self.keys.people.get(&d.id).copied().unwrap_or(0) as u32);
        let birth = self.date(&d.born).unwrap_or(Date::constant(1980, 1, 1));
        let spec = PersonSpec {
            key: d.id.clone(),
            name: d.name.clone().unwrap_or_else(|| "試験　太郎".into()),
            kana: d.kana.clone().unwrap_or_else(|| "ｼｹﾝ ﾀﾛｳ".into()),
            birth,
            sex: match d.sex {
                SexName::Male => Sex::Male,
                SexName::Female => Sex::Female,
            },
            address: d
                .address
                .clone()
                .unwrap_or_else(|| "東京都千代田区千代田1-1".into()),
            post_number: "100-0001".into(),
            income: match d.income {
                IncomeName::General => IncomeClass::General,
                IncomeName::General2 => IncomeClass::GeneralII,
                IncomeName::Active => IncomeClass::ActiveIncome,
                IncomeName::Low => IncomeClass::Low,
            },
        };
        let card = d.card.as_ref().and_then(|c| {
            let issued = self.date(&c.issued)?;
            if issued < birth {
                self.problem_at(
                    &c.issued,
                    "scenario::bad-date",
                    format!("the card is issued on {issued}, before the birth date {birth}"),
                );
            }
            if issued > start.date() {
                self.problem_at(
                    &c.issued,
                    "scenario::bad-date",
                    format!("the card is issued on {issued}, after the scenario start {start}"),
                )
                .help = Some("use `card.reissue` in the steps for a later card".into());
            }
            let auth_pin = self.pin(&c.auth_pin, PinKind::Auth, "1234");
            let sign_pin = self.pin(&c.sign_pin, PinKind::Signature, "ONSHI2024");
            Some(CardSpec {
                issued,
                auth_pin,
                sign_pin,
            })
        });
        let mut quals = Vec::new();
        for q in &d.insurance {
            if let Some(x) = self.qualification(q, pid) {
                quals.push(x);
            }
        }
        let registered = d.registered.as_ref().and_then(|r| {
            let on = self.moment(&r.value.on)?;
            if d.card.is_none() {
                self.problem_at(
                    r,
                    "scenario::no-card",
                    format!(
                        "person `{}` is registered for insurance use but has no card",
                        d.id
                    ),
                );
            }
            if on > start {
                self.problem_at(
                    &r.value.on,
                    "scenario::bad-time",
                    format!("registration at {on} is after the scenario start {start}"),
                )
                .help = Some(
                    "use a `register` step or `register: true` on a visit for later registrations"
                        .into(),
                );
            }
            Some((on, channel(r.value.channel)))
        });
        let mut records = Vec::new();
        for r in &d.records {
            if let Some(date) = self.date(&r.date) {
                records.push(MedicalRecord {
                    kind: record_kind(r.kind),
                    date,
                    text: r.text.clone().unwrap_or_else(|| "（合成データ）".into()),
                    e_prescription: r.e_prescription,
                });
            }
        }
        let mut checkups = Vec::new();
        for ch in &d.checkups {
            if let Some(date) = self.date(&ch.date) {
                checkups.push(Checkup {
                    date,
                    items: ch
                        .items
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                });
            }
        }
        if d.portal_account && d.card.is_none() {
            self.problem_at(
                at,
                "scenario::no-card",
                format!("person `{}` has a portal account but no card", d.id),
            );
        }
        PlannedPerson {
            spec,
            card,
            quals,
            registered,
            portal_account: d.portal_account,
            records,
            checkups,
        }
    }

    fn pin(&mut self, at: &Option<At<String>>, kind: PinKind, default: &str) -> String {
        match at {
            None => default.to_string(),
            Some(p) => {
                if let Err(e) = RuleSet::builtin().validate_pin(kind, &p.value) {
                    self.problem_at(p, "scenario::bad-pin", format!("PIN `{}`: {e}", p.value))
                        .help = Some("the auth PIN is exactly 4 digits; the signature PIN 6–16 upper-case letters and digits".into());
                }
                p.value.clone()
            }
        }
    }

    fn branch(&mut self, at: &Option<At<String>>) -> String {
        match at {
            None => "00".into(),
            Some(b) => {
                if b.value.len() != 2 || !b.value.bytes().all(|c| c.is_ascii_digit()) {
                    self.problem_at(
                        b,
                        "scenario::bad-branch",
                        format!("枝番 `{}` must be 2 digits", b.value),
                    );
                }
                b.value.clone()
            }
        }
    }

    fn qualification(
        &mut self,
        at: &At<InsuranceDef>,
        person: PersonId,
    ) -> Option<QualificationSpec> {
        let d = &at.value;
        let insurer = self.insurer_ref(&d.insurer);
        let acquired = self.date(&d.from);
        let branch = self.branch(&d.branch);
        if d.number.value.trim().is_empty() {
            self.problem_at(
                &d.number,
                "scenario::bad-number",
                "被保険者番号 must not be empty".into(),
            );
        }
        let lost = match &d.lost {
            None => Some(None),
            Some(l) => self.date(&l.on).map(|on| Some((on, loss(l.reason)))),
        };
        let registered_on = self.opt_date(&d.registered_on);
        let mut limits = Vec::new();
        for l in &d.limits {
            if let Some(x) = self.limit(l) {
                limits.push(x);
            }
        }
        let mut diseases = Vec::new();
        for x in &d.diseases {
            let issued = self.date(&x.value.issued);
            let from = self.opt_date(&x.value.valid_from);
            let until = self.opt_date(&x.value.valid_until);
            if let (Some(issued), Some(from), Some(until)) = (issued, from, until) {
                diseases.push(DesignatedDiseaseCertificate {
                    disease: disease(x.value.disease),
                    issued,
                    valid_from: from.unwrap_or(issued),
                    valid_until: until,
                    monthly_cap: x.value.monthly_cap.unwrap_or(10_000),
                });
            }
        }
        if let Some(p) = d.copay_percent
            && !matches!(p, 0 | 10 | 20 | 30)
        {
            self.problem_at(
                at,
                "scenario::bad-copay",
                format!("copay_percent {p} is not 0, 10, 20 or 30"),
            );
        }
        let acquired = acquired?;
        if let Some(Some((on, _))) = lost
            && on <= acquired
        {
            self.problem_at(
                at,
                "scenario::bad-date",
                format!("資格喪失日 {on} is not after 資格取得日 {acquired}"),
            );
        }
        Some(QualificationSpec {
            person,
            insurer: insurer?,
            symbol: d.symbol.clone(),
            number: d.number.value.clone(),
            branch,
            relation: match d.relation {
                RelationName::Insured => Relation::Insured,
                RelationName::Dependent => Relation::Dependent,
            },
            acquired,
            lost: lost?,
            registered_on: registered_on?,
            copay_override: d.copay_percent,
            limits,
            designated_diseases: diseases,
        })
    }

    fn limit(&mut self, at: &At<LimitDef>) -> Option<LimitCertificate> {
        let d = &at.value;
        let category = match LimitCategory::parse(&d.category.value) {
            Ok(c) => Some(c),
            Err(e) => {
                self.problem_at(
                    &d.category,
                    "scenario::bad-limit-category",
                    format!("適用区分 `{}`: {e}", d.category.value),
                )
                .help = Some("A01–A06 (under 70) or B01–B10 (70 and over)".into());
                None
            }
        };
        let issued = self.date(&d.issued);
        let from = self.opt_date(&d.valid_from);
        let until = self.opt_date(&d.valid_until);
        let recalled = self.opt_date(&d.recalled);
        let long = self.opt_date(&d.long_stay_from);
        let issued = issued?;
        Some(LimitCertificate {
            kind: match d.kind {
                LimitKindName::Limit => LimitCertificateKind::Limit,
                LimitKindName::LimitAndMealReduction => LimitCertificateKind::LimitAndMealReduction,
                LimitKindName::MealReduction => LimitCertificateKind::MealReduction,
            },
            category: category?,
            issued,
            valid_from: from?.unwrap_or(issued),
            valid_until: until?,
            recalled: recalled?,
            long_stay_from: long?,
            registered: d.registered,
        })
    }

    fn steps(
        &mut self,
        steps: &[At<Step>],
        args: &BTreeMap<String, String>,
        depth: usize,
    ) -> Vec<PlannedStep> {
        let mut out = Vec::new();
        for s in steps {
            self.step(s, args, depth, &mut out);
        }
        out
    }

    fn step(
        &mut self,
        at: &At<Step>,
        args: &BTreeMap<String, String>,
        depth: usize,
        out: &mut Vec<PlannedStep>,
    ) {
        let mut step = at.value.clone();
        substitute(&mut step, args);
        let origin = self.origin(at);
        let mut name = None;
        let action = match &step {
            Step::Advance(text) => {
                let t = At {
                    value: text.clone(),
                    line: at.line,
                    column: at.column,
                };
                self.span(&t)
                    .map(|s| Action::Event(Box::new(Event::Advance(s))))
            }
            Step::AdvanceTo(m) => self
                .moment(m)
                .map(|m| Action::Event(Box::new(Event::AdvanceTo(m)))),
            Step::CardLost(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CardLost { person })),
            Step::CardReissue(a) => {
                let person = self.person_ref(&a.person);
                let pin = a
                    .auth_pin
                    .as_ref()
                    .map(|p| self.pin(&Some(p.clone()), PinKind::Auth, ""));
                person.map(|person| {
                    ev(Event::CardReissue {
                        person,
                        auth_pin: pin,
                    })
                })
            }
            Step::CardRenew(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CertificateRenewal { person })),
            Step::CardReturn(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::CardReturned { person })),
            Step::PinReset(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::PinReset { person })),
            Step::Move(m) => self.person_ref(&m.person).map(|person| {
                ev(Event::Move {
                    person,
                    address: m.address.clone(),
                })
            }),
            Step::JobChange(j) => {
                let person = self.person_ref(&j.person);
                let to = self.insurer_ref(&j.to);
                let on = self.date(&j.on);
                let branch = self.branch(&j.branch);
                match (person, to, on) {
                    (Some(person), Some(to), Some(on)) => Some(ev(Event::JobChange {
                        person,
                        on,
                        to,
                        symbol: j.symbol.clone(),
                        number: j.number.value.clone(),
                        branch,
                        lag_days: j.lag_days,
                        old_lag_days: j.old_lag_days,
                    })),
                    _ => None,
                }
            }
            Step::LoseInsurance(l) => {
                let person = self.person_ref(&l.person);
                let on = self.date(&l.on);
                match (person, on) {
                    (Some(person), Some(on)) => Some(ev(Event::LoseQualification {
                        person,
                        on,
                        reason: loss(l.reason),
                    })),
                    _ => None,
                }
            }
            Step::Register(r) => {
                let person = self.person_ref(&r.person);
                if r.channel.value == ChannelName::Reader {
                    self.problem_at(
                        &r.channel,
                        "scenario::bad-channel",
                        "registration at the reader happens inside a visit".into(),
                    )
                    .help = Some(
                        "use `visit: {..., register: true}`, or channel app / atm here".into(),
                    );
                }
                person.map(|person| {
                    ev(Event::Register {
                        person,
                        channel: channel(r.channel.value),
                    })
                })
            }
            Step::Visit(v) => {
                name = v.name.clone();
                self.visit(v).map(|spec| ev(Event::Visit(Box::new(spec))))
            }
            Step::ConfirmNumbers(n) => {
                name = n.name.clone();
                let institution = self.institution_ref(&n.at);
                let person = self.person_ref(&n.person);
                let insurer_number = match &n.insurer_number {
                    None => Some(None),
                    Some(x) => match InsurerNumber::parse(&x.value) {
                        Ok(v) => Some(Some(v)),
                        Err(e) => {
                            self.problem_at(
                                x,
                                "scenario::bad-insurer-number",
                                format!("保険者番号 `{}` is invalid: {e}", x.value),
                            );
                            None
                        }
                    },
                };
                let born = match &n.born {
                    None => Some(None),
                    Some(b) => self.date(b).map(Some),
                };
                match (institution, person, insurer_number, born) {
                    (Some(institution), Some(person), Some(insurer_number), Some(born)) => {
                        Some(Action::ConfirmNumbers {
                            institution,
                            person,
                            insurer_number,
                            symbol: n.symbol.clone(),
                            number: n.number.clone(),
                            branch: n.branch.clone(),
                            born,
                            limit_consent: n.limit_consent,
                        })
                    }
                    _ => None,
                }
            }
            Step::Fetch(f) => {
                name = f.name.clone();
                let person = self.person_ref(&f.person);
                let institution = self.institution_ref(&f.at);
                match (person, institution) {
                    (Some(person), Some(institution)) => Some(ev(Event::FetchData {
                        person,
                        institution,
                        kind: data_kind(f.kind),
                    })),
                    _ => None,
                }
            }
            Step::PortalAccount(p) => self
                .person_ref(&p.person)
                .map(|person| ev(Event::PortalAccount { person })),
            Step::PortalView(v) => {
                name = v.name.clone();
                let viewer = self.person_ref(&v.viewer);
                let subject = match &v.subject {
                    Some(s) => self.person_ref(s),
                    None => viewer,
                };
                match (viewer, subject) {
                    (Some(viewer), Some(subject)) => Some(ev(Event::PortalView {
                        viewer,
                        subject,
                        kind: data_kind(v.kind),
                    })),
                    _ => None,
                }
            }
            Step::PortalProxy(p) => {
                let principal = self.person_ref(&p.principal);
                let proxy = self.person_ref(&p.proxy);
                let until = self.opt_date(&p.until);
                match (principal, proxy, until) {
                    (Some(principal), Some(proxy), Some(until)) => {
                        Some(ev(Event::GrantProxy(ProxyGrant {
                            principal,
                            proxy,
                            scope: p.scope.iter().map(|k| data_kind(*k)).collect(),
                            until,
                        })))
                    }
                    _ => None,
                }
            }
            Step::Outage(o) => {
                let from = match &o.from {
                    None => Some(None),
                    Some(f) => self.moment(f).map(Some),
                };
                let length = self.span(&o.length);
                match (from, length) {
                    (Some(from), Some(length)) => Some(Action::Outage {
                        kind: match o.kind {
                            OutageName::Maintenance => OutageKind::Maintenance,
                            OutageName::Emergency => OutageKind::Emergency,
                            OutageName::Throttle => OutageKind::Throttle,
                        },
                        from,
                        length,
                    }),
                    _ => None,
                }
            }
            Step::RecordAdd(r) => {
                let person = self.person_ref(&r.person);
                let date = self.date(&r.date);
                match (person, date) {
                    (Some(person), Some(date)) => Some(ev(Event::AddMedicalRecord {
                        person,
                        record: MedicalRecord {
                            kind: record_kind(r.kind),
                            date,
                            text: r.text.clone().unwrap_or_else(|| "（合成データ）".into()),
                            e_prescription: r.e_prescription,
                        },
                    })),
                    _ => None,
                }
            }
            Step::CheckupAdd(c) => {
                let person = self.person_ref(&c.person);
                let date = self.date(&c.date);
                match (person, date) {
                    (Some(person), Some(date)) => Some(ev(Event::AddCheckup {
                        person,
                        checkup: Checkup {
                            date,
                            items: c
                                .items
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        },
                    })),
                    _ => None,
                }
            }
            Step::Use(u) => {
                self.use_sequence(u, args, depth, out);
                return;
            }
            Step::Expect(list) => Some(Action::Expect(self.expectations(list, args))),
            Step::Fails(f) => self.fails(f, args, depth),
        };
        if let Some(n) = &name
            && !self.names.insert(n.clone())
            && depth == 0
        {
            self.problem_at(
                at,
                "scenario::duplicate-name",
                format!("step name `{n}` is used twice"),
            )
            .help =
                Some("names let expectations pick a step (`of: name`); make them unique".into());
        }
        if let Some(action) = action {
            out.push(PlannedStep {
                origin,
                name,
                action,
            });
        }
    }

    /// `fails`: lowers the wrapped step, which must be a single world step.
    fn fails(
        &mut self,
        f: &FailsArgs,
        args: &BTreeMap<String, String>,
        depth: usize,
    ) -> Option<Action> {
        if matches!(
            f.step.value,
            Step::Use(_) | Step::Expect(_) | Step::Fails(_)
        ) {
            self.problem_at(
                &f.step,
                "scenario::fails-target",
                "`fails` wraps one world step, not `use`, `expect` or another `fails`".into(),
            )
            .help = Some("put the step that must be refused under `step:`".into());
            return None;
        }
        let mut requirements = Vec::new();
        for r in &f.req {
            if self.check_requirement(r) {
                requirements.push(r.value.clone());
            }
        }
        if requirements.is_empty() {
            requirements = self
                .loaded
                .scenario
                .requirements
                .iter()
                .map(|r| r.value.clone())
                .collect();
        }
        let mut inner = Vec::new();
        self.step(&f.step, args, depth, &mut inner);
        let step = inner.pop()?;
        Some(Action::Fails {
            step: Box::new(step),
            error: f.error.clone(),
            requirements,
        })
    }

    fn use_sequence(
        &mut self,
        u: &UseArgs,
        args: &BTreeMap<String, String>,
        depth: usize,
        out: &mut Vec<PlannedStep>,
    ) {
        if depth >= 8 {
            self.problem_at(
                &u.sequence,
                "scenario::sequence-depth",
                "sequences nest deeper than 8 (a sequence that uses itself?)".into(),
            );
            return;
        }
        let Some((src, seq)) = self.sequences.get(&u.sequence.value).cloned() else {
            let known: Vec<String> = self.sequences.keys().cloned().collect();
            let hint = match did_you_mean(&u.sequence.value, known.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if known.is_empty() => {
                    "no sequences are defined here or in the included fragments".into()
                }
                None => format!("defined: {}", known.join(", ")),
            };
            self.problem_at(
                &u.sequence,
                "scenario::unknown-sequence",
                format!("unknown sequence `{}`", u.sequence.value),
            )
            .help = Some(hint);
            return;
        };
        // Arguments may themselves be parameters of an enclosing sequence.
        let mut bound = BTreeMap::new();
        for (k, v) in &u.args {
            if !seq.params.contains(k) {
                self.problem_at(
                    &u.sequence,
                    "scenario::unknown-parameter",
                    format!("sequence `{}` has no parameter `{k}`", u.sequence.value),
                )
                .help = Some(format!("parameters: {}", seq.params.join(", ")));
            }
            let value = v
                .strip_prefix('$')
                .and_then(|p| args.get(p))
                .cloned()
                .unwrap_or_else(|| v.clone());
            bound.insert(k.clone(), value);
        }
        for p in &seq.params {
            if !bound.contains_key(p) {
                self.problem_at(
                    &u.sequence,
                    "scenario::missing-parameter",
                    format!("sequence `{}` needs `{p}`", u.sequence.value),
                )
                .help = Some(format!("add `with: {{{p}: ...}}`"));
            }
        }
        let saved = self.source;
        self.source = src;
        for s in &seq.steps {
            self.step(s, &bound, depth + 1, out);
        }
        self.source = saved;
    }

    fn visit(&mut self, v: &VisitArgs) -> Option<VisitSpec> {
        let person = self.person_ref(&v.person);
        let institution = self.institution_ref(&v.at);
        let confirmation_date = self.opt_date(&v.confirmation_date);
        let mut verify = Vec::new();
        match &v.verify {
            None if v.presents != PresentationName::Certificate => verify.push(Attempt::Face {
                similarity: 0.95,
                live: true,
            }),
            None => {}
            Some(list) => {
                for a in list {
                    match &a.value {
                        AttemptSpec::Face(s) | AttemptSpec::Spoof(s)
                            if !(0.0..=1.0).contains(s) =>
                        {
                            self.problem_at(
                                a,
                                "scenario::bad-similarity",
                                format!("similarity {s} is outside 0.0–1.0"),
                            );
                        }
                        AttemptSpec::Face(s) => verify.push(Attempt::Face {
                            similarity: *s,
                            live: true,
                        }),
                        AttemptSpec::Spoof(s) => verify.push(Attempt::Face {
                            similarity: *s,
                            live: false,
                        }),
                        AttemptSpec::Pin(p) => verify.push(Attempt::Pin { pin: p.clone() }),
                        AttemptSpec::Visual(b) => verify.push(Attempt::Visual { confirmed: *b }),
                    }
                }
                if v.presents == PresentationName::Certificate && !list.is_empty() {
                    self.problem_at(
                        &list[0],
                        "scenario::verify-without-card",
                        "a 資格確認書 is not verified at the reader".into(),
                    )
                    .help = Some("drop `verify`, or present the card".into());
                }
            }
        }
        let consent = consent_answers(&v.consent);
        Some(VisitSpec {
            person: person?,
            institution: institution?,
            presentation: match v.presents {
                PresentationName::Card => Presentation::Card,
                PresentationName::Certificate => Presentation::EligibilityCertificate,
                PresentationName::PreviousCard => Presentation::PreviousCard,
            },
            verify,
            register_if_prompted: v.register,
            consent,
            care: match v.care {
                CareName::Outpatient => CareMode::Outpatient,
                CareName::Inpatient => CareMode::Inpatient,
                CareName::HomeVisit => CareMode::HomeVisit,
            },
            confirmation_date: confirmation_date?,
            fee: v.fee.map(|total| Fee {
                total,
                many_times: v.many_times,
            }),
        })
    }

    fn expectations(
        &mut self,
        list: &[At<Expectation>],
        args: &BTreeMap<String, String>,
    ) -> Vec<PlannedExpect> {
        let mut out = Vec::new();
        for at in list {
            let mut e = at.value.clone();
            substitute_expect(&mut e, args);
            let mut reqs = Vec::new();
            for r in expectation_reqs(&e) {
                if self.check_requirement(r) {
                    reqs.push(r.value.clone());
                }
            }
            self.check_expectation(&e, at.line, at.column);
            out.push(PlannedExpect {
                origin: self.origin(at),
                requirements: if reqs.is_empty() {
                    self.loaded
                        .scenario
                        .requirements
                        .iter()
                        .map(|r| r.value.clone())
                        .collect()
                } else {
                    reqs
                },
                expectation: e,
            });
        }
        out
    }

    /// Reference and value checks that serde cannot make.
    fn check_expectation(&mut self, e: &Expectation, line: u64, column: u64) {
        match e {
            Expectation::RegistryLink(l) => {
                self.person_ref(&l.person);
            }
            Expectation::RegistryCount(c) => {
                self.insurer_ref(&c.insurer);
            }
            Expectation::JlisChain(c) => {
                self.person_ref(&c.person);
            }
            Expectation::Card(c) => {
                self.person_ref(&c.person);
                if let Some(d) = &c.expires {
                    self.date(d);
                }
                if let Some(d) = &c.certificate_expires {
                    self.date(d);
                }
            }
            Expectation::NoMyNumber(n) => {
                self.person_ref(&n.person);
            }
            Expectation::TraceHas(t) | Expectation::TraceNever(t) => {
                if let Some(p) = &t.person {
                    self.person_ref(p);
                }
            }
            Expectation::Wire(w) if !matches!(w.encoding.value.as_str(), "utf8" | "shift_jis") => {
                self.problem_at(
                    &w.encoding,
                    "scenario::bad-encoding",
                    format!("encoding `{}` is not utf8 or shift_jis", w.encoding.value),
                );
            }
            Expectation::Confirmation(c) => {
                if let Some(v) = c.validity
                    && !(1..=6).contains(&v)
                {
                    self.problem(
                        line,
                        column,
                        "scenario::bad-validity",
                        format!("資格有効性 {v} does not exist (1–6)"),
                    );
                }
                if let Some(cat) = &c.limit_category
                    && cat != "none"
                    && LimitCategory::parse(cat).is_err()
                {
                    self.problem(
                        line,
                        column,
                        "scenario::bad-limit-category",
                        format!("適用区分 `{cat}` does not exist"),
                    );
                }
            }
            _ => {}
        }
    }
}

fn ev(e: Event) -> Action {
    Action::Event(Box::new(e))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 120
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'_'
        })
        && !id.starts_with('/')
        && !id.ends_with('/')
}

/// `14d`, `3h`, `30m`, `1d12h`.
pub fn parse_span(text: &str) -> Option<Span> {
    let (mut days, mut hours, mut minutes) = (0i64, 0i64, 0i64);
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let slot = match c {
            'd' => &mut days,
            'h' => &mut hours,
            'm' => &mut minutes,
            _ => return None,
        };
        *slot = slot.checked_add(n)?;
        any = true;
    }
    if !any || !digits.is_empty() {
        return None;
    }
    Span::new()
        .try_days(days)
        .ok()?
        .try_hours(hours)
        .ok()?
        .try_minutes(minutes)
        .ok()
}

fn channel(c: ChannelName) -> Channel {
    match c {
        ChannelName::Reader => Channel::Reader,
        ChannelName::App => Channel::PortalApp,
        ChannelName::Atm => Channel::Atm,
    }
}

fn loss(l: LossName) -> LossReason {
    match l {
        LossName::Death => LossReason::Death,
        LossName::PublicAssistance => LossReason::PublicAssistance,
        LossName::OtherInsurance => LossReason::OtherInsurance,
        LossName::Other => LossReason::Other,
    }
}

fn disease(d: DiseaseName) -> DesignatedDisease {
    match d {
        DiseaseName::ChronicRenalFailure => DesignatedDisease::ChronicRenalFailure,
        DiseaseName::Hemophilia => DesignatedDisease::Hemophilia,
        DiseaseName::HivFromBloodProducts => DesignatedDisease::HivFromBloodProducts,
    }
}

fn record_kind(k: RecordKind) -> DataKind {
    match k {
        RecordKind::Medication => DataKind::Medication,
        RecordKind::Treatment => DataKind::Treatment,
        RecordKind::Surgery => DataKind::Surgery,
    }
}

/// Scenario data kind → sim data kind.
pub fn data_kind(k: DataKindName) -> DataKind {
    match k {
        DataKindName::Medication => DataKind::Medication,
        DataKindName::Treatment => DataKind::Treatment,
        DataKindName::Surgery => DataKind::Surgery,
        DataKindName::Checkup => DataKind::Checkup,
        DataKindName::ExpenseNotice => DataKind::MedicalExpenseNotice,
        DataKindName::EPrescription => DataKind::EPrescription,
    }
}

fn medical_item(i: MedicalItem) -> ConsentItem {
    match i {
        MedicalItem::Checkup => ConsentItem::Checkup,
        MedicalItem::Medication => ConsentItem::Medication,
        MedicalItem::Treatment => ConsentItem::Treatment,
        MedicalItem::Surgery => ConsentItem::Surgery,
    }
}

/// Scenario consent item → sim consent item.
pub fn consent_item(i: ConsentItemName) -> ConsentItem {
    match i {
        ConsentItemName::LimitInfo => ConsentItem::LimitInfo,
        ConsentItemName::SpecificDisease => ConsentItem::SpecificDisease,
        ConsentItemName::Checkup => ConsentItem::Checkup,
        ConsentItemName::Medication => ConsentItem::Medication,
        ConsentItemName::Treatment => ConsentItem::Treatment,
        ConsentItemName::Surgery => ConsentItem::Surgery,
    }
}

fn consent_answers(c: &ConsentSpec) -> ConsentAnswers {
    let mut a = ConsentAnswers {
        blanket: c.blanket.or(c.all),
        ..ConsentAnswers::default()
    };
    let items = [
        (ConsentItem::LimitInfo, c.limit_info),
        (ConsentItem::SpecificDisease, c.specific_disease),
        (ConsentItem::Checkup, c.checkup),
        (ConsentItem::Medication, c.medication),
        (ConsentItem::Treatment, c.treatment),
        (ConsentItem::Surgery, c.surgery),
    ];
    for (item, v) in items {
        if let Some(v) = v.or(c.all) {
            a.items.insert(item, v);
        }
    }
    a
}

fn expectation_reqs(e: &Expectation) -> &[At<String>] {
    match e {
        Expectation::Confirmation(x) => &x.req,
        Expectation::Verification(x) => &x.req,
        Expectation::Terminal(x) => &x.req,
        Expectation::Reader(x) => &x.req,
        Expectation::Data(x) => &x.req,
        Expectation::Provider(x) => &x.req,
        Expectation::RegistryLink(x) => &x.req,
        Expectation::RegistryCount(x) => &x.req,
        Expectation::JlisChain(x) => &x.req,
        Expectation::Card(x) => &x.req,
        Expectation::Portal(x) => &x.req,
        Expectation::TraceHas(x) | Expectation::TraceNever(x) => &x.req,
        Expectation::NoMyNumber(x) => &x.req,
        Expectation::Wire(x) => &x.req,
        Expectation::Review(x) => &x.req,
        Expectation::Requests(x) => &x.req,
    }
}

fn subst(s: &mut At<String>, args: &BTreeMap<String, String>) {
    if let Some(p) = s.value.strip_prefix('$')
        && let Some(v) = args.get(p)
    {
        s.value = v.clone();
    }
}

fn subst_opt(s: &mut Option<At<String>>, args: &BTreeMap<String, String>) {
    if let Some(s) = s {
        subst(s, args);
    }
}

/// Replaces `$param` in reference fields.
fn substitute(step: &mut Step, args: &BTreeMap<String, String>) {
    if args.is_empty() {
        return;
    }
    match step {
        Step::CardLost(p)
        | Step::CardRenew(p)
        | Step::CardReturn(p)
        | Step::PinReset(p)
        | Step::PortalAccount(p) => subst(&mut p.person, args),
        Step::CardReissue(r) => subst(&mut r.person, args),
        Step::Move(m) => subst(&mut m.person, args),
        Step::JobChange(j) => {
            subst(&mut j.person, args);
            subst(&mut j.to, args);
        }
        Step::LoseInsurance(l) => subst(&mut l.person, args),
        Step::Register(r) => subst(&mut r.person, args),
        Step::Visit(v) => {
            subst(&mut v.person, args);
            subst(&mut v.at, args);
        }
        Step::ConfirmNumbers(n) => {
            subst(&mut n.person, args);
            subst(&mut n.at, args);
        }
        Step::Fetch(f) => {
            subst(&mut f.person, args);
            subst(&mut f.at, args);
        }
        Step::PortalView(v) => {
            subst(&mut v.viewer, args);
            subst_opt(&mut v.subject, args);
        }
        Step::PortalProxy(p) => {
            subst(&mut p.principal, args);
            subst(&mut p.proxy, args);
        }
        Step::RecordAdd(r) => subst(&mut r.person, args),
        Step::CheckupAdd(c) => subst(&mut c.person, args),
        Step::Use(u) => {
            for v in u.args.values_mut() {
                if let Some(p) = v.strip_prefix('$')
                    && let Some(x) = args.get(p)
                {
                    *v = x.clone();
                }
            }
        }
        Step::Expect(list) => {
            for e in list {
                substitute_expect(&mut e.value, args);
            }
        }
        Step::Fails(f) => substitute(&mut f.step.value, args),
        Step::Advance(_) | Step::AdvanceTo(_) | Step::Outage(_) => {}
    }
}

fn substitute_expect(e: &mut Expectation, args: &BTreeMap<String, String>) {
    if args.is_empty() {
        return;
    }
    match e {
        Expectation::RegistryLink(l) => subst(&mut l.person, args),
        Expectation::RegistryCount(c) => subst(&mut c.insurer, args),
        Expectation::JlisChain(c) => subst(&mut c.person, args),
        Expectation::Card(c) => subst(&mut c.person, args),
        Expectation::NoMyNumber(n) => subst(&mut n.person, args),
        Expectation::TraceHas(t) | Expectation::TraceNever(t) => subst_opt(&mut t.person, args),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse() {
        assert!(parse_span("14d").is_some());
        assert!(parse_span("1d12h").is_some());
        assert!(parse_span("30m").is_some());
        assert!(parse_span("14").is_none());
        assert!(parse_span("d").is_none());
        assert!(parse_span("3w").is_none());
        assert!(parse_span("").is_none());
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("reissue/relink-after-loss"));
        assert!(!valid_id("Reissue"));
        assert!(!valid_id("a b"));
        assert!(!valid_id("/x"));
    }
}
