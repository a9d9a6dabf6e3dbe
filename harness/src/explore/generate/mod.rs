//! The history generator: pure and seeded (the same seed and index give the same history).
//!
//! A history is a window of a few days to a few weeks that starts near a date where a rule
//! changes (1 April, 1 August, the end of February, 29 February 2028, a month's end), and 2–5
//! synthetic people whose birthdays cluster on rule boundaries inside it: the 70th and 75th
//! birthday, the 31 March after the 6th birthday (未就学), birthdays on the 1st of a month, on
//! 1 and 2 April and on 29 February. Around them: job changes with and without registry lag,
//! loss of 資格, lost and reissued cards, registration, outages, 紐付け誤り, 限度額 and 特定疾病
//! data, and visits on every path (card, 資格確認書, the previous card, a card that cannot be
//! used) with fees over months, institutions and claims.

use jiff::civil::{Date, DateTime, date};

use super::history::*;

mod visit;
use visit::{renewable, visit};

/// A small deterministic generator (SplitMix64): no dependency, stable across releases.
#[derive(Clone, Debug)]
pub struct Draw(u64);

impl Draw {
    /// The draws of history `index` of `seed`.
    pub fn new(seed: u64, index: u64) -> Draw {
        let mut d = Draw(seed ^ 0x6f6e_7368_6965_7870u64.wrapping_mul(index.wrapping_add(1)));
        d.bits();
        d
    }

    /// The next 64 bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: u64) -> u64 {
        self.bits() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of the items.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Days after `d` (negative: before); saturates at the calendar's ends.
pub fn plus(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap_or(d)
}

/// The same month and day `years` earlier (29 February → 28 February in a common year).
fn years_before(d: Date, years: i16) -> Date {
    let y = d.year() - years;
    Date::new(y, d.month(), d.day())
        .or_else(|_| Date::new(y, d.month(), 28))
        .unwrap_or(d)
}

/// Where windows start: dates where rules change, and why.
const ANCHORS: [(Date, &str); 10] = [
    // Before 2024-05-01 a 紐付け誤り is answered until the J-LIS check finds it.
    (date(2023, 3, 28), "1 April 2023"),
    (date(2023, 7, 27), "1 August 2023"),
    (date(2026, 3, 27), "1 April"),
    (date(2027, 3, 26), "1 April"),
    (date(2026, 7, 28), "1 August"),
    (date(2027, 2, 24), "end of February"),
    (date(2028, 2, 25), "29 February 2028"),
    (date(2026, 9, 26), "month end"),
    (date(2026, 11, 27), "month end"),
    (date(2027, 6, 27), "month end"),
];

const FAMILY: [(&str, &str); 10] = [
    ("青木", "ｱｵｷ"),
    ("石田", "ｲｼﾀﾞ"),
    ("上野", "ｳｴﾉ"),
    ("遠藤", "ｴﾝﾄﾞｳ"),
    ("大西", "ｵｵﾆｼ"),
    ("川口", "ｶﾜｸﾞﾁ"),
    ("木下", "ｷﾉｼﾀ"),
    ("久保", "ｸﾎﾞ"),
    ("小松", "ｺﾏﾂ"),
    ("佐野", "ｻﾉ"),
];
const GIVEN_M: [(&str, &str); 6] = [
    ("一郎", "ｲﾁﾛｳ"),
    ("健", "ｹﾝ"),
    ("翔", "ｼｮｳ"),
    ("大輝", "ﾀﾞｲｷ"),
    ("浩二", "ｺｳｼﾞ"),
    ("誠", "ﾏｺﾄ"),
];
const GIVEN_F: [(&str, &str); 6] = [
    ("花子", "ﾊﾅｺ"),
    ("陽菜", "ﾋﾅ"),
    ("美咲", "ﾐｻｷ"),
    ("恵子", "ｹｲｺ"),
    ("由美", "ﾕﾐ"),
    ("葵", "ｱｵｲ"),
];

/// Who a person is, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Working age, 本人.
    Adult,
    /// A child whose 未就学 ends in or near the window (a 家族 of an adult).
    Child,
    /// The 70th birthday in or near the window.
    Seventy,
    /// The 75th birthday in or near the window.
    SeventyFive,
    /// Already in 後期高齢者医療.
    LateElderly,
}

/// The insurers a history may use (協会けんぽ, 組合, 国保, 共済, 後期).
fn insurers() -> Vec<InsurerDef> {
    let kyosai = onshi_sim::ids::InsurerNumber::new(31, 13, 101)
        .map(|n| n.digits())
        .unwrap_or_else(|_| "31130101".into());
    vec![
        InsurerDef {
            key: "kyokai",
            number: "01130012".into(),
            name: "全国健康保険協会東京支部",
            lag_days: 3,
        },
        InsurerDef {
            key: "kumiai",
            number: "06132716".into(),
            name: "オンシ健康保険組合",
            lag_days: 5,
        },
        InsurerDef {
            key: "kokuho",
            number: "138016".into(),
            name: "千代田区国民健康保険",
            lag_days: 2,
        },
        InsurerDef {
            key: "kyosai",
            number: kyosai,
            name: "オンシ共済組合",
            lag_days: 4,
        },
        InsurerDef {
            key: "kouki",
            number: "39130018".into(),
            name: "東京都後期高齢者医療広域連合",
            lag_days: 5,
        },
    ]
}

const WORK_INSURERS: [&str; 4] = ["kyokai", "kumiai", "kokuho", "kyosai"];

/// The state the step generator keeps per person.
struct Live {
    kind: Kind,
    /// The boundary day of the person (birthday or 1 April).
    boundary: Date,
    insurer: Option<&'static str>,
    /// The record before the latest job change (insurer, 記号, 番号), to be rehired into.
    previous: Option<(&'static str, Option<String>, String)>,
    /// The current record's 記号 and 番号.
    numbers: (Option<String>, String),
    dependent: bool,
    card: bool,
    lost: bool,
    reissued: bool,
    registered: bool,
    /// A 家族 under the first person's record (it ends when that record does).
    under_first: bool,
}

/// History `index` of `seed`.
pub fn history(seed: u64, index: u64) -> History {
    let mut d = Draw::new(seed, index);
    let (anchor, _) = d.pick(&ANCHORS);
    let start_day = plus(anchor, -d.range(0, 4));
    let length = d.pick(&[6i64, 10, 16, 24, 35, 45]);
    let end_day = plus(start_day, length);
    let start = start_day.at(9, 0, 0, 0);
    let n_people = d.range(2, 5) as usize;
    let mut people = Vec::new();
    let mut live = Vec::new();
    let names = d.below(6) as usize;
    for i in 0..n_people {
        let kind = if i == 1 && d.chance(45) {
            Kind::Child
        } else {
            d.pick(&[
                Kind::Adult,
                Kind::Adult,
                Kind::Seventy,
                Kind::SeventyFive,
                Kind::LateElderly,
                Kind::Child,
            ])
        };
        // A child is a 家族 of the first person when that is a working-age 本人 (whose record,
        // unlike a 75-year-old's, does not end by law in the window).
        let parent = (kind == Kind::Child)
            .then(|| people.first().cloned())
            .flatten()
            .filter(|_| {
                live.first()
                    .is_some_and(|l: &Live| l.kind == Kind::Adult && !l.dependent)
            });
        let (p, l) = person(&mut d, i, kind, start_day, end_day, parent.as_ref(), names);
        people.push(p);
        live.push(l);
    }
    let steps = steps(&mut d, &people, &mut live, start_day, end_day);
    History {
        seed,
        index,
        start,
        shift_jis: d.chance(20),
        insurers: insurers(),
        people,
        steps,
    }
}

fn person(
    d: &mut Draw,
    i: usize,
    kind: Kind,
    start: Date,
    end: Date,
    parent: Option<&PersonDef>,
    names: usize,
) -> (PersonDef, Live) {
    let female = d.chance(50);
    let (fam, fam_kana) = match parent {
        Some(p) => {
            let mut parts = p.name.split('　');
            let f = parts.next().unwrap_or("青木");
            FAMILY
                .iter()
                .copied()
                .find(|(n, _)| *n == f)
                .unwrap_or(FAMILY[0])
        }
        None => d.pick(&FAMILY),
    };
    // Distinct given names in one history (two people never share a name and a birthday).
    let (given, given_kana) = if female {
        GIVEN_F[(i + names) % GIVEN_F.len()]
    } else {
        GIVEN_M[(i + names) % GIVEN_M.len()]
    };
    // A day inside the window (or just before it) where the person's rule turns.
    let window = (end - start).get_days().max(1) as i64;
    let in_window = plus(start, d.range(-2, window));
    let first_of_month = {
        let m = plus(start, d.range(0, window));
        plus(m, 1 - i64::from(m.day()))
    };
    let target = match d.below(4) {
        0 => first_of_month,
        1 => plus(first_of_month, -1),
        _ => in_window,
    };
    let (born, boundary) = match kind {
        Kind::Adult => {
            let y = d.range(1962, 2001) as i16;
            let born = Date::new(y, d.range(1, 12) as i8, d.range(1, 28) as i8).unwrap_or(start);
            (born, target)
        }
        Kind::Seventy | Kind::SeventyFive => {
            let years = if kind == Kind::Seventy { 70 } else { 75 };
            let special = d.below(6);
            let born = match special {
                // 29 February in a leap year, when the window is near the end of February.
                0 if start.month() <= 3 => {
                    let y = start.year() - years;
                    let leap = (y..y + 4)
                        .find(|y| Date::new(*y, 2, 29).is_ok())
                        .unwrap_or(y);
                    Date::new(leap, 2, 29).unwrap_or(start)
                }
                1 => Date::new(start.year() - years, 4, d.range(1, 2) as i8).unwrap_or(start),
                _ => years_before(target, years),
            };
            (born, target)
        }
        Kind::Child => {
            // 未就学 ends on the 31 March after the 6th birthday: born in the year up to a
            // 1 April near the window, or on 1 / 2 April exactly.
            let april = Date::new(
                if start.month() <= 4 {
                    start.year()
                } else {
                    start.year() + 1
                },
                4,
                1,
            )
            .unwrap_or(start);
            let born = match d.below(4) {
                0 => years_before(april, 7),
                1 => plus(years_before(april, 7), 1),
                2 => years_before(target, 6),
                _ => plus(years_before(april, 7), d.range(2, 360)),
            };
            (born, april)
        }
        Kind::LateElderly => {
            let born = Date::new(
                d.range(1930, 1949) as i16,
                d.range(1, 12) as i8,
                d.pick(&[1i8, 1, 2, 15, 28]),
            )
            .unwrap_or(start);
            (born, target)
        }
    };
    let dependent = kind == Kind::Child || (kind == Kind::Adult && d.chance(15));
    let insurer: &'static str = match (kind, parent) {
        (Kind::LateElderly, _) => "kouki",
        (Kind::Child, Some(p)) => p.insurance.first().map_or("kokuho", |r| r.insurer),
        (Kind::SeventyFive | Kind::Seventy, _) => d.pick(&["kokuho", "kokuho", "kyokai"]),
        _ => d.pick(&WORK_INSURERS),
    };
    let (symbol, number, branch) = match (kind, parent) {
        (Kind::Child, Some(p)) => {
            let r = p.insurance.first();
            (
                r.and_then(|r| r.symbol.clone()),
                r.map_or_else(|| format!("{}", 500 + i), |r| r.number.clone()),
                // 枝番: one per member of the family.
                Some(format!("{:02}", i + 1)),
            )
        }
        _ => match insurer {
            "kokuho" => (None, format!("0077{:04}", d.range(1000, 9999)), None),
            "kouki" => (None, format!("30{:06}", d.range(100_000, 999_999)), None),
            _ => (
                Some(format!("{}", d.range(10, 9999))),
                format!("{}", d.range(1, 999)),
                Some(if dependent { "02" } else { "00" }.to_string()),
            ),
        },
    };
    let age_at_start = start.year() - born.year();
    let mut limits = Vec::new();
    if d.chance(35) {
        let category = if age_at_start >= 70 {
            d.pick(&["B01", "B02", "B03", "B04", "B05", "B06"])
        } else {
            d.pick(&["A01", "A02", "A03", "A04", "A05"])
        };
        let issued = plus(start, -d.range(10, 300));
        let (valid_until, recalled) = match d.below(4) {
            0 => (Some(plus(start, d.range(0, 20))), None),
            1 => (None, Some(plus(start, d.range(0, 20)))),
            _ => (None, None),
        };
        limits.push(LimitDef {
            category,
            issued,
            valid_until,
            recalled,
        });
    }
    let disease = d.chance(8).then(|| {
        (
            d.pick(&["chronic_renal_failure", "hemophilia"]),
            plus(start, -d.range(30, 900)),
        )
    });
    let from = if kind == Kind::LateElderly {
        // 後期 from the 75th birthday.
        years_before(born, -75)
    } else {
        born.max(plus(start, -d.range(200, 4000)))
    };
    let card = d.chance(85).then(|| {
        let issued = if d.chance(15) {
            // The card's 10th-birthday expiry near the window.
            plus(years_before(start, 10), -d.range(0, 200))
        } else {
            plus(start, -d.range(100, 1500))
        };
        // My Number cards exist from January 2016.
        (
            issued.max(plus(born, 1)).max(date(2016, 1, 4)),
            format!("{:04}", d.range(0, 9999)),
        )
    });
    let registered = card
        .as_ref()
        .filter(|_| d.chance(85))
        .map(|(issued, _)| plus(*issued, 10).min(plus(start, -1)));
    let medication = if d.chance(50) {
        vec![plus(start, -d.range(5, 60))]
    } else {
        Vec::new()
    };
    let checkups = if d.chance(35) {
        vec![plus(start, -d.range(30, 300))]
    } else {
        Vec::new()
    };
    let income = match kind {
        Kind::LateElderly | Kind::SeventyFive => {
            d.pick(&["general", "general", "general2", "active"])
        }
        Kind::Seventy => d.pick(&["general", "general", "active", "low"]),
        _ => d.pick(&["general", "general", "general", "low"]),
    };
    let key = format!("p{}", i + 1);
    let p = PersonDef {
        key,
        name: format!("{fam}　{given}"),
        kana: format!("{fam_kana} {given_kana}"),
        female,
        born,
        income,
        card: card.clone(),
        registered,
        insurance: vec![RecordDef {
            insurer,
            symbol,
            number,
            branch,
            dependent,
            from,
            limits,
            disease,
        }],
        medication,
        checkups,
    };
    let l = Live {
        kind,
        boundary,
        insurer: Some(insurer),
        previous: None,
        numbers: (p.insurance[0].symbol.clone(), p.insurance[0].number.clone()),
        dependent,
        card: card.is_some(),
        lost: false,
        reissued: false,
        registered: registered.is_some(),
        under_first: parent.is_some(),
    };
    (p, l)
}

fn steps(
    d: &mut Draw,
    people: &[PersonDef],
    live: &mut [Live],
    start: Date,
    end: Date,
) -> Vec<Step> {
    // The days something happens: each person's boundary and the day before it, the 1st of
    // each month in the window, and a few others.
    let mut days = vec![start];
    for l in live.iter() {
        for day in [plus(l.boundary, -1), l.boundary] {
            if day >= start && day <= end {
                days.push(day);
            }
        }
    }
    let mut m = start;
    while m <= end {
        if m.day() == 1 {
            days.push(m);
            days.push(plus(m, -1));
        }
        m = plus(m, 1);
    }
    for _ in 0..d.range(1, 4) {
        days.push(plus(start, d.range(0, (end - start).get_days() as i64)));
    }
    days.retain(|x| *x >= start && *x <= end);
    days.sort();
    days.dedup();
    let mut out = Vec::new();
    let mut visits = 0usize;
    let mut clock = start.at(9, 0, 0, 0);
    for (n, day) in days.iter().enumerate() {
        let at: DateTime = day.at(9 + d.range(0, 6) as i8, d.pick(&[0i8, 10, 30, 45]), 0, 0);
        if at > clock {
            out.push(Step::AdvanceTo(at));
            clock = at;
        }
        let events = d.range(1, 4);
        for _ in 0..events {
            // On someone's boundary day (or the day before), mostly that person acts.
            let focus: Vec<usize> = live
                .iter()
                .enumerate()
                .filter(|(_, l)| l.boundary == *day || plus(l.boundary, -1) == *day)
                .map(|(i, _)| i)
                .collect();
            let who = if !focus.is_empty() && d.chance(60) {
                focus[d.below(focus.len() as u64) as usize]
            } else {
                d.below(people.len() as u64) as usize
            };
            match d.below(21) {
                0 | 1 => job_change(d, &mut out, people, live, who, *day, None),
                2 => {
                    let l = &mut live[who];
                    if l.insurer.is_some() && l.kind != Kind::LateElderly && !l.dependent {
                        out.push(Step::Lose {
                            person: people[who].key.clone(),
                            on: plus(*day, d.range(0, 3)),
                        });
                        l.insurer = None;
                        end_family(live, who);
                    }
                }
                3 => {
                    let l = &mut live[who];
                    if l.card && !l.lost {
                        out.push(Step::CardLost(people[who].key.clone()));
                        l.lost = true;
                    } else if l.card && l.lost {
                        out.push(Step::CardReissue(people[who].key.clone()));
                        l.lost = false;
                        l.reissued = true;
                    }
                }
                4 if !live[who].registered && live[who].card => {
                    out.push(Step::Register(people[who].key.clone()));
                    live[who].registered = true;
                }
                5 => {
                    let minutes = d.pick(&[30u32, 60, 120]);
                    out.push(Step::Outage {
                        kind: d.pick(&["maintenance", "emergency"]),
                        minutes,
                    });
                    out.push(Step::Advance(5));
                    for _ in 0..d.range(1, 2) {
                        let who = d.below(people.len() as u64) as usize;
                        if let Some(v) = visit(d, people, live, who, visits + 1, *day) {
                            visits += 1;
                            out.push(v);
                        }
                    }
                    out.push(Step::Advance(minutes + 60));
                    clock = clock
                        .checked_add(jiff::Span::new().minutes(i64::from(minutes) + 70))
                        .unwrap_or(clock);
                }
                6 if n > 0 && people.len() > 1 => {
                    // 紐付け誤り, then the other person's card visit finds the record.
                    let other = (who + 1) % people.len();
                    out.push(Step::Mislink {
                        person: people[who].key.clone(),
                        linked_to: people[other].key.clone(),
                    });
                    if live[other].card && !live[other].registered {
                        out.push(Step::Register(people[other].key.clone()));
                        live[other].registered = true;
                    }
                    if live[other].card
                        && let Some(Step::Visit(mut v)) =
                            visit(d, people, live, other, visits + 1, *day)
                    {
                        v.presents = "card";
                        v.verify = None;
                        visits += 1;
                        out.push(Step::Visit(v));
                    }
                }
                7 => {
                    // Leaves, then is rehired with the same 記号・番号 registered late, and
                    // hands over the old employer's 資格確認書 meanwhile (資格有効性 3).
                    let before = out.len();
                    job_change(d, &mut out, people, live, who, *day, Some(0));
                    if out.len() > before {
                        job_change(d, &mut out, people, live, who, plus(*day, 2), Some(1));
                        let later = plus(*day, 4).at(10, 0, 0, 0);
                        if later > clock {
                            out.push(Step::AdvanceTo(later));
                            clock = later;
                        }
                        if let Some(Step::Visit(mut v)) =
                            visit(d, people, live, who, visits + 1, *day)
                        {
                            v.presents = "certificate";
                            v.verify = None;
                            visits += 1;
                            out.push(Step::Visit(v));
                        }
                    }
                }
                8 if live[who].card
                    && !live[who].lost
                    && people[who]
                        .card
                        .as_ref()
                        .is_some_and(|(issued, _)| renewable(*issued, *day)) =>
                {
                    // 電子証明書の更新 at the municipality, then a card visit with the new
                    // certificate.
                    out.push(Step::CardRenew(people[who].key.clone()));
                    if let Some(v) = visit(d, people, live, who, visits + 1, *day) {
                        visits += 1;
                        out.push(v);
                    }
                }
                _ => {
                    if let Some(v) = visit(d, people, live, who, visits + 1, *day) {
                        visits += 1;
                        out.push(v);
                    }
                }
            }
        }
    }
    // A history checks visits: when every draw missed, the first person who can still visit
    // does, on the last day.
    if visits == 0
        && let Some(last) = days.last()
    {
        for who in 0..people.len() {
            if let Some(v) = visit(d, people, live, who, 1, *last) {
                out.push(v);
                break;
            }
        }
    }
    out
}

fn job_change(
    d: &mut Draw,
    out: &mut Vec<Step>,
    people: &[PersonDef],
    live: &mut [Live],
    who: usize,
    day: Date,
    // `Some(0)`: a move to another insurer registered at once; `Some(1)`: back to the
    // previous one, registered late; `None`: either, drawn.
    forced: Option<u8>,
) {
    let l = &mut live[who];
    let Some(now) = l.insurer else { return };
    // Nobody moves to another insurer around or after the 75th birthday, and 家族 move
    // with their insured (left alone here).
    if matches!(l.kind, Kind::LateElderly | Kind::SeventyFive) || l.dependent || now == "kouki" {
        return;
    }
    // Back to the previous employer with the same 記号・番号, registered late: a 資格確認書
    // of that insurer then answers 資格有効性 3 (a newer qualification covers the day).
    let rehire = match forced {
        Some(0) => None,
        Some(_) => l.previous.clone(),
        None => l
            .previous
            .clone()
            .filter(|(to, _, _)| *to != now && d.chance(50)),
    };
    let (to, symbol, number, lag, old_lag) = match rehire {
        Some((to, symbol, number)) => {
            let lag = d.pick(&[7u32, 10, 12]);
            (to, symbol, number, lag, lag)
        }
        None => {
            let to = loop {
                let to = d.pick(&WORK_INSURERS);
                if to != now {
                    break to;
                }
            };
            let lag = if forced == Some(0) {
                0
            } else {
                d.pick(&[0u32, 0, 3, 7, 12])
            };
            let old_lag = if forced == Some(0) {
                0
            } else {
                d.pick(&[0u32, lag])
            };
            let (symbol, number) = if to == "kokuho" {
                (None, format!("0088{:04}", d.range(1000, 9999)))
            } else {
                (
                    Some(format!("{}", d.range(10, 9999))),
                    format!("{}", d.range(1, 999)),
                )
            };
            (to, symbol, number, lag, old_lag)
        }
    };
    l.previous = Some((now, l.numbers.0.clone(), l.numbers.1.clone()));
    l.numbers = (symbol.clone(), number.clone());
    out.push(Step::JobChange {
        person: people[who].key.clone(),
        on: if forced.is_some() {
            day
        } else {
            plus(day, d.range(0, 3))
        },
        to,
        symbol,
        number,
        lag_days: lag,
        old_lag_days: old_lag,
    });
    l.insurer = Some(to);
    end_family(live, who);
}

/// The 家族 records under the first person's record end with it.
fn end_family(live: &mut [Live], who: usize) {
    if who == 0 {
        for l in live.iter_mut().filter(|l| l.under_first) {
            l.insurer = None;
        }
    }
}
