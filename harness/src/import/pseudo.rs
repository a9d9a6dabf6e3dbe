//! Pseudonymisation: every personal or identifying value of the files becomes a synthetic one,
//! the same value everywhere (one map per kind, built once for the whole import), different
//! values staying different (the maps are injective), and never the original:
//!
//! | value | becomes |
//! |---|---|
//! | 保険者番号 | the same 法別番号 and 都道府県 (the rules read them: 39 is 後期, the prefecture picks the 広域連合), another 保険者別番号, a valid check digit |
//! | 医療機関コード | the same 都道府県 and 点数表 (医科/歯科/調剤), another 郡市区 and 医療機関番号, a valid check digit |
//! | 記号, 番号 | digits of the same length (at least 2, at most 10; longer only when those run out) |
//! | 枝番 | kept: two digits numbering the members under one 記号・番号, nothing personal |
//! | 氏名, カナ | a name of the simulation's synthetic list (`onshi_sim::population::synthetic_name`); kept with `--keep-names` |
//! | 住所 | its 都道府県 (the 75th-birthday law reads it) and a synthetic rest, the same address the same one; 郵便番号 is not written at all |
//! | 保険者名称, 医療機関名, drug names | synthetic |
//! | 生年月日, dates and times | kept: the rules depend on them |
//!
//! The draws are seeded by a hash of the input (the SHA-256 of every file's bytes, in byte
//! order), so importing the same files again gives the same scenario.

use std::collections::{BTreeMap, BTreeSet};

use onshi_sim::ids::{FeeSchedule, InstitutionCode, InsurerNumber};
use onshi_sim::rules::late_elderly::{prefecture_name, prefecture_of};
use sha2::{Digest, Sha256};

/// The maps from real to synthetic values of one import.
#[derive(Clone, Debug)]
pub(super) struct Pseudo {
    seed: u64,
    keep_names: bool,
    insurers: BTreeMap<InsurerNumber, InsurerNumber>,
    institutions: BTreeMap<InstitutionCode, InstitutionCode>,
    symbols: BTreeMap<String, String>,
    numbers: BTreeMap<String, String>,
    /// Every 記号 and 番号 of the input: no synthetic value may equal one.
    originals: BTreeSet<String>,
    names: BTreeSet<usize>,
    /// Every short text of the input files, spaces removed: no synthetic 氏名 or カナ may equal
    /// one (a real name can be on the synthetic list).
    input_texts: BTreeSet<String>,
    drugs: BTreeMap<String, String>,
    addresses: BTreeMap<String, String>,
}

/// The seed of an import: the SHA-256 of every file's bytes, sorted, hashed again.
pub(super) fn seed_of(files: &[(String, Vec<u8>)]) -> u64 {
    let mut digests: Vec<[u8; 32]> = files
        .iter()
        .map(|(_, b)| Sha256::digest(b).into())
        .collect();
    digests.sort_unstable();
    let mut h = Sha256::new();
    for d in &digests {
        h.update(d);
    }
    let out = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&out[..8]);
    u64::from_be_bytes(first)
}

/// `s` without ASCII and full-width spaces (氏名 and カナ are written with either).
fn without_spaces(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '\u{3000}'))
        .collect()
}

/// SplitMix64 of `seed` and `n`.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed
        .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable number for a text (the draws start from it, so a value's synthetic form does not
/// depend on the order the values are met in).
fn text_key(s: &str) -> u64 {
    let d = Sha256::digest(s.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first)
}

impl Pseudo {
    /// The maps for one import: `insurers`, `institutions`, `symbols` and `numbers` are every
    /// value of the input (all known up front, so that no synthetic value equals a real one).
    pub(super) fn new(
        seed: u64,
        keep_names: bool,
        insurers: &BTreeSet<InsurerNumber>,
        institutions: &BTreeSet<InstitutionCode>,
        symbols: &BTreeSet<String>,
        numbers: &BTreeSet<String>,
    ) -> Result<Self, String> {
        let mut p = Pseudo {
            seed,
            keep_names,
            insurers: BTreeMap::new(),
            institutions: BTreeMap::new(),
            symbols: BTreeMap::new(),
            numbers: BTreeMap::new(),
            originals: symbols.iter().chain(numbers).cloned().collect(),
            names: BTreeSet::new(),
            input_texts: BTreeSet::new(),
            drugs: BTreeMap::new(),
            addresses: BTreeMap::new(),
        };
        let mut used: BTreeSet<InsurerNumber> = insurers.clone();
        for n in insurers {
            let start = mix(seed, text_key(&n.digits()));
            let mut made = None;
            for k in 0..1000u64 {
                let serial = ((start + k) % 1000) as u16;
                let candidate = match n.law_code() {
                    Some(law) => InsurerNumber::new(law, n.prefecture(), serial),
                    None => InsurerNumber::national(n.prefecture(), serial),
                };
                if let Ok(c) = candidate
                    && !used.contains(&c)
                {
                    made = Some(c);
                    break;
                }
            }
            let made = made.ok_or_else(|| {
                format!(
                    "more distinct 保険者番号 of 法別番号 {} and 都道府県 {:02} than there are others to replace them with",
                    n.law_code().map_or("(国保)".to_string(), |l| format!("{l:02}")),
                    n.prefecture()
                )
            })?;
            used.insert(made);
            p.insurers.insert(*n, made);
        }
        let mut used: BTreeSet<InstitutionCode> = institutions.clone();
        for c in institutions {
            let digits = c.digits();
            let pref: u8 = digits[..2].parse().unwrap_or(13);
            let start = mix(seed, text_key(&digits));
            let mut made = None;
            for k in 0..10_000u64 {
                let x = start.wrapping_add(k.wrapping_mul(7919));
                let district = (x % 100) as u8;
                let number = ((x / 100) % 10_000) as u16;
                if let Ok(code) = InstitutionCode::new(pref, c.schedule(), district, number)
                    && !used.contains(&code)
                {
                    made = Some(code);
                    break;
                }
            }
            let made = made.ok_or_else(|| {
                format!("no synthetic 医療機関コード left in 都道府県 {pref:02} to replace {digits} with")
            })?;
            used.insert(made);
            p.institutions.insert(*c, made);
        }
        let mut taken = BTreeSet::new();
        for s in symbols {
            let v = p.digits(s, "symbol", &mut taken);
            p.symbols.insert(s.clone(), v);
        }
        let mut taken = BTreeSet::new();
        for s in numbers {
            let v = p.digits(s, "number", &mut taken);
            p.numbers.insert(s.clone(), v);
        }
        Ok(p)
    }

    /// Digits of the text's length (2–10), different from every input value and from every
    /// value already given out; a longer run of digits when that length is used up.
    fn digits(&self, text: &str, kind: &str, taken: &mut BTreeSet<String>) -> String {
        let start = mix(self.seed, text_key(&format!("{kind}:{text}")));
        let mut n = 0u64;
        for len in text.chars().count().clamp(2, 10)..=19 {
            for _ in 0..256 {
                n += 1;
                let mut x = mix(start, n);
                let mut s = String::with_capacity(len);
                for i in 0..len {
                    // No leading zero: some clinic systems store 番号 as numbers.
                    let d = if i == 0 { 1 + x % 9 } else { x % 10 };
                    s.push(char::from(b'0' + d as u8));
                    x /= 10;
                    if x == 0 {
                        x = mix(start, n.wrapping_add(1 << 40).wrapping_add(i as u64));
                    }
                }
                if !self.originals.contains(&s) && taken.insert(s.clone()) {
                    return s;
                }
            }
        }
        // Unreachable in practice (10^19 values); never the original either way.
        format!("9{}", taken.len())
    }

    /// The synthetic 保険者番号.
    pub(super) fn insurer(&self, n: InsurerNumber) -> InsurerNumber {
        // Every number of the input is mapped; an unmapped one is never written as it is.
        self.insurers.get(&n).copied().unwrap_or_else(|| {
            onshi_sim::rules::late_elderly::synthetic_insurer_number(n.prefecture()).unwrap_or(n)
        })
    }

    /// The synthetic 医療機関コード.
    pub(super) fn institution(&self, c: InstitutionCode) -> InstitutionCode {
        // Every code of the input is mapped; an unmapped one is never written as it is.
        self.institutions.get(&c).copied().unwrap_or_else(|| {
            let pref = c.digits()[..2].parse().unwrap_or(13);
            InstitutionCode::new(pref, c.schedule(), 0, 0).unwrap_or(c)
        })
    }

    /// The synthetic 記号.
    pub(super) fn symbol(&self, s: &str) -> String {
        self.symbols.get(s).cloned().unwrap_or_else(|| "00".into())
    }

    /// The synthetic 番号.
    pub(super) fn number(&self, s: &str) -> String {
        self.numbers.get(s).cloned().unwrap_or_else(|| "00".into())
    }

    /// Texts of the input that no synthetic 氏名 or カナ may be (each file's short leaf texts).
    pub(super) fn avoid_texts<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>) {
        self.input_texts.extend(
            texts
                .into_iter()
                .map(without_spaces)
                .filter(|t| !t.is_empty()),
        );
    }

    /// A synthetic 氏名 and カナ for a person (`key` tells people apart: the same key gives the
    /// same name; another key another name; a female given name for `female`), or the real
    /// ones with `--keep-names`.
    pub(super) fn name(
        &mut self,
        key: &str,
        female: bool,
        real: (Option<&str>, Option<&str>),
    ) -> (String, String) {
        // The list's given names alternate male, female: even numbers are male ones.
        let start = (mix(self.seed, text_key(&format!("person:{key}"))) as usize % 32) * 2
            + usize::from(female);
        let mut n = start;
        let (name, kana) = loop {
            if self.names.insert(n) {
                let (name, kana) = onshi_sim::population::synthetic_name(n);
                if !self.input_texts.contains(&without_spaces(&name))
                    && !self.input_texts.contains(&without_spaces(&kana))
                {
                    break (name, kana);
                }
            }
            n += 2;
        };
        if self.keep_names {
            (
                real.0.map_or(name, str::to_string),
                real.1.map_or(kana, str::to_string),
            )
        } else {
            (name, kana)
        }
    }

    /// A synthetic 住所 that keeps the 都道府県 given (the 75th-birthday law's) or the real
    /// one's: the same real address gives the same synthetic one, different ones different ones.
    pub(super) fn address(
        &mut self,
        real: Option<&str>,
        prefecture: Option<u8>,
        person: usize,
    ) -> Option<String> {
        let pref = prefecture.or_else(|| real.and_then(prefecture_of))?;
        let key = match real {
            Some(r) => format!("{pref}|{r}"),
            None => format!("{pref}|person {person}"),
        };
        let n = self.addresses.len();
        let made = format!(
            "{}合成市{}丁目{}番",
            prefecture_name(pref)?,
            n % 9 + 1,
            n + 1
        );
        Some(self.addresses.entry(key).or_insert(made).clone())
    }

    /// A synthetic drug name (the same real name gives the same one).
    pub(super) fn drug(&mut self, real: &str) -> String {
        let n = self.drugs.len();
        self.drugs
            .entry(real.to_string())
            .or_insert_with(|| format!("合成薬{}", n + 1))
            .clone()
    }
}

/// A synthetic name for the insurer with this (synthetic) number, `n` its position.
pub(super) fn insurer_name(number: InsurerNumber, n: usize) -> String {
    let pref = prefecture_name(number.prefecture()).unwrap_or("");
    match number.law_code() {
        Some(39) => onshi_sim::rules::late_elderly::insurer_name(number.prefecture()),
        Some(1) => format!(
            "全国健康保険協会{}支部（合成）",
            pref.trim_end_matches(['都', '府', '県'])
        ),
        None => format!("{pref}合成市国民健康保険{n}"),
        Some(_) => format!("合成健康保険組合{n}"),
    }
}

/// A synthetic name for an institution with this (synthetic) code, `n` its position.
pub(super) fn institution_name(code: InstitutionCode, n: usize) -> String {
    match code.schedule() {
        FeeSchedule::Pharmacy => format!("合成薬局{n}"),
        FeeSchedule::Dental => format!("合成歯科医院{n}"),
        FeeSchedule::Medical => format!("合成医院{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn insurer() -> impl Strategy<Value = InsurerNumber> {
        (
            prop::sample::select(vec![0u8, 1, 6, 31, 39]),
            1u8..=47,
            0u16..1000,
        )
            .prop_map(|(law, pref, serial)| {
                if law == 0 {
                    InsurerNumber::national(pref, serial)
                } else {
                    InsurerNumber::new(law, pref, serial)
                }
                .expect("valid parts")
            })
    }

    fn institution() -> impl Strategy<Value = InstitutionCode> {
        (
            1u8..=47,
            prop::sample::select(vec![
                FeeSchedule::Medical,
                FeeSchedule::Dental,
                FeeSchedule::Pharmacy,
            ]),
            0u8..100,
            0u16..10_000,
        )
            .prop_map(|(p, s, d, n)| InstitutionCode::new(p, s, d, n).expect("valid parts"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pseudonyms_are_consistent_injective_valid_and_never_the_original(
            seed in any::<u64>(),
            insurers in prop::collection::btree_set(insurer(), 1..40),
            institutions in prop::collection::btree_set(institution(), 1..20),
            symbols in prop::collection::btree_set("[0-9０-９千代田記号-]{1,8}", 0..30),
            numbers in prop::collection::btree_set("[0-9]{1,12}", 1..40),
        ) {
            let make = || {
                Pseudo::new(seed, false, &insurers, &institutions, &symbols, &numbers)
                    .expect("the test sets are far below the limits")
            };
            let (a, b) = (make(), make());
            let mut seen = BTreeSet::new();
            for n in &insurers {
                let s = a.insurer(*n);
                prop_assert_eq!(s, b.insurer(*n), "consistent");
                prop_assert!(!insurers.contains(&s), "{s:?} is an input value");
                prop_assert!(seen.insert(s), "{s:?} given twice");
                prop_assert_eq!(s.law_code(), n.law_code());
                prop_assert_eq!(s.prefecture(), n.prefecture());
                prop_assert!(InsurerNumber::parse(&s.digits()).is_ok());
            }
            let mut seen = BTreeSet::new();
            for c in &institutions {
                let s = a.institution(*c);
                prop_assert_eq!(s, b.institution(*c));
                prop_assert!(!institutions.contains(&s));
                prop_assert!(seen.insert(s));
                prop_assert_eq!(s.schedule(), c.schedule());
                prop_assert_eq!(&s.digits()[..2], &c.digits()[..2]);
            }
            let originals: BTreeSet<&String> = symbols.iter().chain(&numbers).collect();
            for (set, f) in [(&symbols, Pseudo::symbol as fn(&Pseudo, &str) -> String), (&numbers, Pseudo::number)] {
                let mut seen = BTreeSet::new();
                for x in set {
                    let s = f(&a, x);
                    prop_assert_eq!(&s, &f(&b, x));
                    prop_assert!(!originals.contains(&s), "{s} is an input value");
                    prop_assert!(seen.insert(s.clone()), "{s} given twice");
                    prop_assert!(s.bytes().all(|c| c.is_ascii_digit()));
                    prop_assert_eq!(s.len(), x.chars().count().clamp(2, 10));
                }
            }
        }

        #[test]
        fn short_values_that_use_up_their_length_get_longer_ones(seed in any::<u64>()) {
            // 200 distinct one- and two-character 記号: more than the 90 two-digit values.
            let symbols: BTreeSet<String> = (0..200).map(|i| format!("{i:02}")).collect();
            let p = Pseudo::new(seed, false, &BTreeSet::new(), &BTreeSet::new(), &symbols, &BTreeSet::new())
                .expect("no insurer or institution");
            let out: BTreeSet<String> = symbols.iter().map(|s| p.symbol(s)).collect();
            prop_assert_eq!(out.len(), symbols.len());
            prop_assert!(out.iter().all(|s| !symbols.contains(s)));
        }

        #[test]
        fn every_person_gets_a_name_of_their_own(seed in any::<u64>(), people in 1usize..200) {
            let none = BTreeSet::new();
            let mut p = Pseudo::new(seed, false, &BTreeSet::new(), &BTreeSet::new(), &none, &none)
                .expect("no values");
            let mut names = BTreeSet::new();
            for i in 0..people {
                let (name, kana) = p.name(&format!("person {i}"), i % 3 == 0, (Some("実名　太郎"), None));
                prop_assert!(name != "実名　太郎");
                prop_assert!(names.insert((name, kana)));
            }
        }
    }
}
