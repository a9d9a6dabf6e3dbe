//! The scenario file: a header saying what was kept and what replaced, the world (insurers,
//! institutions, people with their card, registration, 資格 records, drug records and
//! checkups), then the steps ([`super::steps`]). Every part says in a comment which files it
//! comes from (by their label: the file names carry 医療機関コード and clinic identifiers, so
//! the scenario names each file by its kind, a number and its time; `onshi import` prints which
//! label is which file) and what the files could not tell (`# unknown: …`).
//!
//! Scalars the files supply are written double-quoted with every control and line-break
//! character escaped, and comments are kept on one line, so no value can change the
//! structure of the file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use onshi_sim::clock::{Date, Moment};
use onshi_sim::ids::{InstitutionCode, InsurerNumber};
use onshi_sim::oqs::{LimitCertificateKind, MedicalDataKind, PersonalFamily, ReasonOfLoss, Sex};
use onshi_sim::rules::{DataKind, RuleSet};

use super::facts::{Action, Answer, DataAnswer};
use super::identity::Model;
use super::pseudo::{Pseudo, institution_name, insurer_name};

/// What the writer needs: the model, the maps, and the keys and names given out.
pub(super) struct Ctx<'a> {
    /// The world and events.
    pub(super) m: &'a Model,
    /// The pseudonymisation maps.
    pub(super) pseudo: Pseudo,
    /// File name as given → label in the scenario.
    pub(super) labels: &'a BTreeMap<String, String>,
    /// Insurer number (real) → scenario key.
    pub(super) insurer_keys: BTreeMap<InsurerNumber, String>,
    /// Insurer number (real) → synthetic name.
    pub(super) insurer_names: BTreeMap<InsurerNumber, String>,
    /// Institution code (real) → scenario key.
    pub(super) institution_keys: BTreeMap<InstitutionCode, String>,
    /// Person index → scenario key.
    pub(super) person_keys: Vec<String>,
    /// Person index → 氏名 as written.
    pub(super) person_names: Vec<String>,
    /// The scenario's start.
    pub(super) start: Moment,
}

/// A scalar the files supply, double-quoted, every control and line-break character escaped.
pub(super) fn q(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(o, "\\u{:04X}", u32::from(c));
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A comment line at `indent` spaces; line breaks and control characters become spaces.
pub(super) fn comment(o: &mut String, indent: usize, text: &str) {
    let text = text.replace(
        |c: char| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'),
        " ",
    );
    let _ = writeln!(o, "{:indent$}# {text}", "");
}

/// A moment as the scenario writes it (`2026-04-10T09:15:30`, JST).
pub(super) fn moment(m: Moment) -> String {
    m.0.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

impl Ctx<'_> {
    /// `text` with every file name as given replaced by its label.
    pub(super) fn relabel(&self, text: &str) -> String {
        let mut names: Vec<(&String, &String)> = self.labels.iter().collect();
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let mut out = text.to_string();
        for (name, label) in names {
            if out.contains(name.as_str()) {
                out = out.replace(name.as_str(), label);
            }
        }
        out
    }

    /// `# from …` for these files (by label; the first few when there are many).
    pub(super) fn sources_comment(&self, o: &mut String, indent: usize, files: &[String]) {
        const SHOWN: usize = 4;
        let mut labels: Vec<&str> = files
            .iter()
            .map(|f| self.labels.get(f).map_or("(made up)", String::as_str))
            .collect();
        labels.dedup();
        let more = labels.len().saturating_sub(SHOWN);
        labels.truncate(SHOWN);
        if !labels.is_empty() {
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            comment(o, indent, &format!("from {}{tail}", labels.join(", ")));
        }
    }

    /// The notes, relabelled, as comments.
    pub(super) fn notes(&self, o: &mut String, indent: usize, notes: &[String]) {
        for n in notes {
            comment(o, indent, &self.relabel(n));
        }
    }
}

/// The header, the scenario's fields and its world.
pub(super) fn world(
    ctx: &mut Ctx<'_>,
    o: &mut String,
    id: &str,
    files: usize,
    keep_names: bool,
    shift_jis: bool,
) {
    comment(
        o,
        0,
        &format!("onshi import: a scenario built from {files} OQS file(s)."),
    );
    comment(
        o,
        0,
        "Kept as the files have them: birth dates, dates and times, 枝番, sex, 都道府県, codes and ratios.",
    );
    if keep_names {
        comment(
            o,
            0,
            "Replaced by synthetic values (the same value everywhere): 保険者番号, 医療機関コード, 記号, 番号, addresses, post codes, insurer and institution names, drug names.",
        );
        comment(
            o,
            0,
            "WARNING: written with --keep-names: 氏名 and カナ are the real ones. Do not share this file.",
        );
    } else {
        comment(
            o,
            0,
            "Replaced by synthetic values (the same value everywhere): names, kana, 保険者番号, 医療機関コード, 記号, 番号, addresses, post codes, insurer and institution names, drug names.",
        );
    }
    comment(
        o,
        0,
        "Nothing else of the files is kept (file identifiers, reception and reference numbers, free text, checkup values).",
    );
    comment(
        o,
        0,
        "Files are named by their kind, a number and their time; `onshi import` printed which is which.",
    );
    comment(
        o,
        0,
        "Fill in what the files could not tell: see the `# unknown:` comments.",
    );
    let _ = writeln!(o, "id: {id}");
    let _ = writeln!(
        o,
        "title:\n  ja: 現場の OQS ファイル {files} 件から取り込んだシナリオ\n  en: Imported from {files} OQS file(s) a clinic saw"
    );
    let _ = writeln!(o, "requirements: [{}]", requirements(ctx.m).join(", "));
    let _ = writeln!(o, "tags: [imported]");
    let _ = writeln!(o, "start: {}", moment(ctx.start));
    if shift_jis {
        comment(
            o,
            0,
            "the terminal wrote its answers in Shift_JIS: so do onshi's for a provider under test",
        );
        o.push_str("oqs: { encoding: shift_jis }\n");
    }
    if !ctx.m.switches.is_empty() {
        for (_, _, why) in &ctx.m.switches {
            comment(o, 0, &ctx.relabel(why));
        }
        let items: Vec<String> = ctx
            .m
            .switches
            .iter()
            .map(|(name, value, _)| format!("{name}: {value}"))
            .collect();
        let _ = writeln!(o, "rules: {{ switches: {{ {} }} }}", items.join(", "));
    }
    o.push_str("world:\n");
    insurers(ctx, o);
    institutions(ctx, o);
    o.push_str("  people:\n");
    for p in 0..ctx.m.people.len() {
        person(ctx, o, p);
    }
}

/// The requirement ids the restated answers evidence.
fn requirements(m: &Model) -> Vec<&'static str> {
    let mut out = vec!["REG-4"];
    let mut limit = false;
    let (mut medication, mut checkup) = (false, false);
    for e in &m.events {
        match (&e.action, &e.answer) {
            (_, Answer::Confirm(a)) => limit |= a.results.iter().any(|r| r.limit.is_some()),
            (Action::Fetch(MedicalDataKind::Medication), _) => medication = true,
            (Action::Fetch(MedicalDataKind::Checkup), _) => checkup = true,
            _ => {}
        }
        for d in &e.desk_data {
            match d.kind {
                MedicalDataKind::Medication => medication = true,
                MedicalDataKind::Checkup => checkup = true,
            }
        }
    }
    if limit {
        out.push("REG-6");
    }
    if checkup {
        out.push("REG-7");
    }
    if medication {
        out.push("REG-8");
    }
    out
}

fn insurers(ctx: &mut Ctx<'_>, o: &mut String) {
    o.push_str("  insurers:\n");
    let used: Vec<InsurerNumber> = {
        let mut v: Vec<InsurerNumber> = ctx.m.records.iter().map(|r| r.numbers.insurer).collect();
        v.sort();
        v.dedup();
        v
    };
    if used.is_empty() {
        o.pop();
        o.push_str(" []\n");
        return;
    }
    for (n, number) in used.into_iter().enumerate() {
        let key = format!("insurer-{}", n + 1);
        let synthetic = ctx.pseudo.insurer(number);
        let name = insurer_name(synthetic, n + 1);
        let info = ctx.m.insurers.get(&number).cloned().unwrap_or_default();
        ctx.sources_comment(o, 4, &info.files);
        if info.lag_days == 0 {
            comment(
                o,
                4,
                "unknown: lag_days (how late the insurer's changes reach the registry); 0 is assumed",
            );
        }
        ctx.notes(o, 4, &info.notes);
        let _ = writeln!(
            o,
            "    - {{ id: {key}, number: {}, name: {}, lag_days: {} }}",
            q(&synthetic.digits()),
            q(&name),
            info.lag_days
        );
        ctx.insurer_keys.insert(number, key);
        ctx.insurer_names.insert(number, name);
    }
}

fn institutions(ctx: &mut Ctx<'_>, o: &mut String) {
    o.push_str("  institutions:\n");
    if ctx.m.institutions.is_empty() {
        o.pop();
        o.push_str(" []\n");
        return;
    }
    for (n, (code, files)) in ctx.m.institutions.iter().enumerate() {
        let key = format!("institution-{}", n + 1);
        let synthetic = ctx.pseudo.institution(*code);
        let mut items = vec!["medication", "checkup"];
        let seen = ctx.m.items_seen.get(code).cloned().unwrap_or_default();
        for extra in ["treatment", "surgery"] {
            if seen.contains(&extra) {
                items.push(extra);
            }
        }
        ctx.sources_comment(o, 4, files);
        comment(
            o,
            4,
            "unknown: which medical items the institution set to 利用する beyond those the answers' consent flags show",
        );
        let _ = writeln!(
            o,
            "    - {{ id: {key}, code: {}, name: {}, items: [{}] }}",
            q(&synthetic.digits()),
            q(&institution_name(synthetic, n + 1)),
            items.join(", ")
        );
        ctx.institution_keys.insert(*code, key);
    }
}

fn person(ctx: &mut Ctx<'_>, o: &mut String, p: usize) {
    let m = ctx.m;
    let person = &m.people[p];
    let key = ctx.person_keys[p].clone();
    ctx.sources_comment(o, 4, &person.files);
    ctx.notes(o, 4, &person.notes);
    let id = &person.identity;
    let name_key = format!("{}|{}", id.birth, id.name.as_deref().unwrap_or(&key));
    let female = id.sex == Some(Sex::Female);
    let (name, kana) = ctx
        .pseudo
        .name(&name_key, female, (id.name.as_deref(), id.kana.as_deref()));
    ctx.person_names[p] = name.clone();
    let _ = writeln!(o, "    - id: {key}");
    let _ = writeln!(o, "      name: {}", q(&name));
    let _ = writeln!(o, "      kana: {}", q(&kana));
    let _ = writeln!(o, "      born: {}", id.birth);
    match id.sex {
        Some(Sex::Female) => o.push_str("      sex: female\n"),
        Some(Sex::Male) => o.push_str("      sex: male\n"),
        _ => {
            comment(o, 6, "unknown: 性別 (not in the files); male is assumed");
            o.push_str("      sex: male\n");
        }
    }
    let law = m
        .records
        .iter()
        .find(|r| r.person == p && r.by_law)
        .map(|r| r.numbers.insurer.prefecture());
    if let Some(a) = ctx.pseudo.address(id.address.as_deref(), law, p) {
        let _ = writeln!(o, "      address: {}", q(&a));
    }
    if let Some(income) = person.income {
        let _ = writeln!(o, "      income: {income}");
    }
    if let Some(r) = m.records.iter().find(|r| r.person == p && r.by_law) {
        comment(
            o,
            6,
            &format!(
                "the 後期 資格 from the 75th birthday ({}) is the law's: the world starts it with this 番号",
                r.from.map(|d| d.to_string()).unwrap_or_default()
            ),
        );
        let _ = writeln!(
            o,
            "      late_elderly_number: {}",
            q(&ctx.pseudo.number(&r.numbers.number))
        );
    }
    super::card::card(ctx, o, p);
    insurance(ctx, o, p);
    data(ctx, o, p);
}

fn reason(r: Option<ReasonOfLoss>) -> &'static str {
    match r {
        Some(ReasonOfLoss::Death) => "death",
        Some(ReasonOfLoss::PublicAssistance) => "public_assistance",
        Some(ReasonOfLoss::Other) => "other",
        Some(ReasonOfLoss::OtherInsurance) | None => "other_insurance",
    }
}

fn insurance(ctx: &Ctx<'_>, o: &mut String, p: usize) {
    let m = ctx.m;
    let mut records: Vec<usize> = (0..m.records.len())
        .filter(|r| m.records[*r].person == p && !m.records[*r].by_law)
        .collect();
    records.sort_by_key(|r| m.records[*r].from);
    if records.is_empty() {
        return;
    }
    o.push_str("      insurance:\n");
    for r in records {
        let rec = &m.records[r];
        ctx.sources_comment(o, 8, &rec.files);
        ctx.notes(o, 8, &rec.notes);
        let mut f = vec![format!(
            "insurer: {}",
            ctx.insurer_keys
                .get(&rec.numbers.insurer)
                .map_or("insurer-1", String::as_str)
        )];
        if let Some(s) = &rec.numbers.symbol {
            f.push(format!("symbol: {}", q(&ctx.pseudo.symbol(s))));
        }
        f.push(format!(
            "number: {}",
            q(&ctx.pseudo.number(&rec.numbers.number))
        ));
        f.push(format!(
            "branch: {}",
            q(rec.numbers.branch.as_deref().unwrap_or("00"))
        ));
        if rec.relation == Some(PersonalFamily::Dependent) {
            f.push("relation: dependent".into());
        }
        let from = rec.from.unwrap_or(ctx.start.date());
        f.push(format!("from: {from}"));
        if let Some((on, why)) = rec.lost
            && !rec.open_by_law
        {
            f.push(format!("lost: {{ on: {on}, reason: {} }}", reason(why)));
        }
        if let Some(on) = rec.registered_on {
            f.push(format!("registered_on: {on}"));
        }
        if let Some(c) = rec.copay {
            f.push(format!("copay_percent: {c}"));
        }
        if !rec.income.is_empty() {
            let items: Vec<String> = rec
                .income
                .iter()
                .map(|(from, class)| format!("{{ from: {from}, class: {class} }}"))
                .collect();
            f.push(format!("income: [{}]", items.join(", ")));
        }
        if !rec.limits.is_empty() {
            let items: Vec<String> = rec.limits.iter().map(|l| limit(l, from)).collect();
            f.push(format!("limits: [{}]", items.join(", ")));
        }
        if !rec.diseases.is_empty() {
            let items: Vec<String> = rec
                .diseases
                .iter()
                .map(|d| {
                    let mut x = vec![
                        format!("disease: {}", super::gather::disease_name(d.disease)),
                        format!(
                            "issued: {}",
                            d.certificate_date.or(d.valid_start).unwrap_or(from)
                        ),
                    ];
                    if let Some(v) = d.valid_start {
                        x.push(format!("valid_from: {v}"));
                    }
                    if let Some(v) = d.valid_end {
                        x.push(format!("valid_until: {v}"));
                    }
                    if let Some(cap) = d.self_pay.as_deref().and_then(|s| s.parse::<u64>().ok()) {
                        x.push(format!("monthly_cap: {cap}"));
                    }
                    format!("{{ {} }}", x.join(", "))
                })
                .collect();
            f.push(format!("diseases: [{}]", items.join(", ")));
        }
        let _ = writeln!(o, "        - {{ {} }}", f.join(", "));
    }
}

fn limit(l: &onshi_sim::oqs::LimitCertificateInfo, from: Date) -> String {
    let kind = match l.kind {
        LimitCertificateKind::Limit => "limit",
        LimitCertificateKind::LimitAndMealReduction => "limit_and_meal_reduction",
        LimitCertificateKind::MealReduction => "meal_reduction",
    };
    let mut x = vec![
        format!("category: {}", l.category.code()),
        format!("kind: {kind}"),
        format!(
            "issued: {}",
            l.certificate_date.or(l.valid_start).unwrap_or(from)
        ),
    ];
    if let Some(v) = l.valid_start {
        x.push(format!("valid_from: {v}"));
    }
    if let Some(v) = l.valid_end {
        x.push(format!("valid_until: {v}"));
    }
    if let Some(v) = l.long_term_date {
        x.push(format!("long_stay_from: {v}"));
    }
    format!("{{ {} }}", x.join(", "))
}

/// The drug records and checkups the person's data answers showed.
fn data(ctx: &mut Ctx<'_>, o: &mut String, p: usize) {
    let m = ctx.m;
    // (date, real name) → how many times one answer listed it; the dates a checkup answer gave.
    let mut records: BTreeMap<(Date, String), (usize, Date)> = BTreeMap::new();
    let mut checkups: Vec<Date> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let answers = m
        .events
        .iter()
        .filter(|e| e.person == Some(p))
        .flat_map(|e| {
            let own = std::iter::once((&e.answer, &e.files));
            let desk = e.desk_data.iter().map(|d| (&d.answer, &d.files));
            own.filter_map(|(a, f)| match a {
                Answer::Data(d) => Some((d, f)),
                _ => None,
            })
            .chain(desk)
            .map(move |(d, f)| (e.at, d, f))
        });
    for (at, answer, answer_files) in answers {
        if let DataAnswer::Shared {
            records: r,
            checkups: c,
        } = answer
        {
            files.extend(answer_files.iter().cloned());
            let mut counts: BTreeMap<(Date, String), usize> = BTreeMap::new();
            for x in r {
                *counts.entry(x.clone()).or_default() += 1;
            }
            for (k, n) in counts {
                let slot = records.entry(k).or_insert((0, at.date()));
                slot.0 = slot.0.max(n);
            }
            for d in c {
                if !checkups.contains(d) {
                    checkups.push(*d);
                }
            }
        }
    }
    checkups.sort();
    if !records.is_empty() {
        let rules = RuleSet::builtin();
        o.push_str("      records:\n");
        ctx.sources_comment(o, 8, &files);
        comment(o, 8, "drug names replaced by synthetic ones");
        for ((date, real), (n, fetched)) in records {
            let text = ctx.pseudo.drug(&real);
            let claim_visible = rules
                .data_window(DataKind::Medication, fetched)
                .is_ok_and(|w| {
                    date >= w.earliest
                        && w.latest_month_visible
                            .is_none_or(|l| date.first_of_month() <= l)
                });
            for _ in 0..n {
                if claim_visible {
                    let _ = writeln!(
                        o,
                        "        - {{ kind: medication, date: {date}, text: {} }}",
                        q(&text)
                    );
                } else {
                    let _ = writeln!(
                        o,
                        "        - {{ kind: medication, date: {date}, text: {}, e_prescription: true }}  # too recent for a claim on {fetched}: shown as 電子処方箋 data",
                        q(&text)
                    );
                }
            }
        }
    }
    if !checkups.is_empty() {
        o.push_str("      checkups:\n");
        ctx.sources_comment(o, 8, &files);
        comment(o, 8, "only the dates are kept (the items are health data)");
        for d in checkups {
            let _ = writeln!(o, "        - {{ date: {d} }}");
        }
    }
}
