//! One answer of a registry under test held against the reference's answer to the same request,
//! field by field. Both documents are read into their leaves ([`onshi_sim::oqs::leaves`]: the
//! element path and text of every element without children, repeated siblings indexed from
//! `[2]`), and every leaf that differs, is missing or is extra becomes a [`FieldDiff`] with the
//! requirements it evidences ([`REQUIREMENTS`], one table). Leaves on [`IGNORED`] may differ
//! between two correct registries and are never counted. [`render`] writes the differences side
//! by side for a report.
//!
//! Nothing here reads what the request was: a caller that knows more (a card confirmation with
//! a serial the registry had to relink through J-LIS) passes the extra requirement ids to
//! [`compare_in`], and every difference of that exchange carries them too (JLIS-3, REG-2).

use std::collections::HashMap;
use std::fmt::Write as _;

use onshi_sim::oqs::{Leaf, OqsError, leaves};

use super::client::neutralise;

/// The longest value [`render`] shows, in characters; longer values end in `…`.
pub const MAX_VALUE_SHOWN: usize = 80;

/// The most differences [`render`] lists; the rest are counted on one last line.
pub const MAX_DIFFS_SHOWN: usize = 200;

/// One leaf where the two answers disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// The leaf's element path, as [`onshi_sim::oqs::leaves`] writes it.
    pub path: String,
    /// The reference's text; `None` when the reference has no such leaf (extra).
    pub reference: Option<String>,
    /// The text of the registry under test; `None` when it has no such leaf (missing).
    pub under_test: Option<String>,
    /// The requirement ids this leaf evidences.
    pub requirements: Vec<&'static str>,
}

/// A document that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The reference's answer (a bug in onshi).
    #[error("the reference's answer does not read as XML: {0}")]
    Reference(OqsError),
    /// The answer under test.
    #[error("the answer under test does not read as XML: {0}")]
    UnderTest(OqsError),
}

/// When an [`Ignore`] entry applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// In every answer.
    Always,
    /// When the reference's `MessageHeader/ReferenceClassification` is this value.
    ReferenceClassification(&'static str),
}

/// A leaf two correct registries may answer differently.
#[derive(Clone, Copy, Debug)]
pub struct Ignore {
    /// The end of the leaf's path, without indexes (`MessageHeader/ProcessExecutionTime`).
    pub path_end: &'static str,
    /// When it applies.
    pub when: When,
    /// Why it may differ.
    pub why: &'static str,
}

/// The leaves never counted as differences, and why.
pub const IGNORED: &[Ignore] = &[
    Ignore {
        path_end: "MessageHeader/ProcessExecutionTime",
        when: When::Always,
        why: "処理実行日時: the moment the answering system processed the request. The reference \
              stamps the world's virtual clock; a service stamps when it ran, seconds later \
              for the same request",
    },
    Ignore {
        path_end: "MessageHeader/ArbitraryFileIdentifier",
        when: When::ReferenceClassification("1"),
        why: "in the answer to a card confirmation (照会区分 1) no request carried an identifier \
              to echo: the answerer draws its own (onshi from the seed, `wire::face`); in \
              answers to requests by numbers it echoes the request and is compared",
    },
    Ignore {
        path_end: "ReceptionNumber",
        when: When::Always,
        why: "受付番号 of a bulk upload: each registry issues its own (onshi draws it from the \
              seed, `wire::service`); the download that names it is matched by the caller",
    },
];

/// Which requirements a leaf evidences: the first row whose test matches the leaf's path
/// (without indexes) wins; a leaf no row names evidences REG-4.
pub const REQUIREMENTS: &[(Match, &[&str])] = &[
    (Match::Name("QualificationValidity"), &["REG-4", "REG-5"]),
    (
        Match::Names(&[
            "QualificationDate",
            "DisqualificationDate",
            "ReasonOfLoss",
            "InsuredCardValidDate",
            "InsuredCardExpirationDate",
        ]),
        &["REG-4", "REG-5"],
    ),
    (
        Match::Names(&["InsuredPartialContributionRatio", "PreschoolClassification"]),
        &["INS-2"],
    ),
    (Match::Prefix("ElderlyRecipient"), &["INS-2"]),
    (Match::Prefix("LimitApplicationCertificate"), &["REG-6"]),
    (Match::Prefix("SpecificDiseases"), &["REG-6"]),
    (Match::Prefix("SpecificHealthCheckup"), &["REG-7"]),
    (
        Match::Under("HealthCheckupResultAndQuestionInfo"),
        &["REG-7"],
    ),
    (Match::Prefix("PharmacistsInfo"), &["REG-8"]),
    (Match::Prefix("DiagnosisInfo"), &["REG-8"]),
    (Match::Prefix("OperationInfo"), &["REG-8"]),
    (Match::Under("DrugInf"), &["REG-8"]),
    (Match::Under("MeTrMonthInf"), &["REG-8"]),
    (Match::Name("PrescriptionIssueSelect"), &["REG-12"]),
    (
        Match::Names(&[
            "InsuredName",
            "Name",
            "NameKana",
            "NameOfOther",
            "NameOfOtherKana",
            "Birthdate",
            "Sex1",
            "Sex2",
            "Address",
            "PostNumber",
        ]),
        &["REG-4", "REG-11"],
    ),
];

/// A test on a leaf's path (indexes removed).
#[derive(Clone, Copy, Debug)]
pub enum Match {
    /// The leaf's own name is this.
    Name(&'static str),
    /// The leaf's own name is one of these.
    Names(&'static [&'static str]),
    /// The leaf's name or one of its containers' names starts with this.
    Prefix(&'static str),
    /// The leaf is inside a container of this name.
    Under(&'static str),
}

impl Match {
    fn matches(self, steps: &[&str]) -> bool {
        let name = steps.last().copied().unwrap_or_default();
        match self {
            Match::Name(n) => name == n,
            Match::Names(ns) => ns.contains(&name),
            Match::Prefix(p) => steps.iter().skip(1).any(|s| s.starts_with(p)),
            Match::Under(c) => steps[..steps.len().saturating_sub(1)].contains(&c),
        }
    }
}

/// `path` without its `[n]` indexes.
fn bare(path: &str) -> String {
    path.split('/')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// The requirement ids a leaf at `path` evidences.
pub fn requirements_for(path: &str) -> &'static [&'static str] {
    let bare = bare(path);
    let steps: Vec<&str> = bare.split('/').collect();
    REQUIREMENTS
        .iter()
        .find(|(m, _)| m.matches(&steps))
        .map_or(&["REG-4"], |(_, r)| r)
}

/// Why the leaf at `path` is not compared, given the reference's leaves; `None` if it is.
pub fn ignored(path: &str, reference: &[Leaf]) -> Option<&'static Ignore> {
    let bare = bare(path);
    IGNORED.iter().find(|i| {
        let at_end = bare == i.path_end || bare.ends_with(&format!("/{}", i.path_end));
        at_end
            && match i.when {
                When::Always => true,
                When::ReferenceClassification(v) => reference.iter().any(|l| {
                    bare_ends(&l.path, "MessageHeader/ReferenceClassification") && l.text == v
                }),
            }
    })
}

fn bare_ends(path: &str, end: &str) -> bool {
    let b = bare(path);
    b == end || b.ends_with(&format!("/{end}"))
}

/// The differences between the reference's answer and the answer under test, in the
/// reference's document order, extra leaves last.
pub fn compare(reference: &[u8], under_test: &[u8]) -> Result<Vec<FieldDiff>, CompareError> {
    compare_in(reference, under_test, &[])
}

/// [`compare`], every difference also evidencing `also` (what the caller knows of the
/// exchange, for example `["REG-2", "JLIS-3"]` for a card confirmation that needed a relink).
pub fn compare_in(
    reference: &[u8],
    under_test: &[u8],
    also: &[&'static str],
) -> Result<Vec<FieldDiff>, CompareError> {
    let reference = leaves(reference).map_err(CompareError::Reference)?;
    let under_test = leaves(under_test).map_err(CompareError::UnderTest)?;
    let mut diffs = compare_leaves(&reference, &under_test);
    for d in &mut diffs {
        for r in also {
            if !d.requirements.contains(r) {
                d.requirements.push(r);
            }
        }
    }
    Ok(diffs)
}

/// [`compare`] on leaves already read.
pub fn compare_leaves(reference: &[Leaf], under_test: &[Leaf]) -> Vec<FieldDiff> {
    let theirs: HashMap<&str, &str> = under_test
        .iter()
        .map(|l| (l.path.as_str(), l.text.as_str()))
        .collect();
    let ours: HashMap<&str, &str> = reference
        .iter()
        .map(|l| (l.path.as_str(), l.text.as_str()))
        .collect();
    let diff = |path: &str, r: Option<&str>, u: Option<&str>| FieldDiff {
        path: path.to_string(),
        reference: r.map(str::to_string),
        under_test: u.map(str::to_string),
        requirements: requirements_for(path).to_vec(),
    };
    let mut out = Vec::new();
    for leaf in reference {
        if ignored(&leaf.path, reference).is_some() {
            continue;
        }
        let got = theirs.get(leaf.path.as_str()).copied();
        if got != Some(leaf.text.as_str()) {
            out.push(diff(&leaf.path, Some(&leaf.text), got));
        }
    }
    for leaf in under_test {
        if !ours.contains_key(leaf.path.as_str()) && ignored(&leaf.path, reference).is_none() {
            out.push(diff(&leaf.path, None, Some(&leaf.text)));
        }
    }
    out
}

/// A value on one line, escaped and at most [`MAX_VALUE_SHOWN`] characters, in ‹›; `(absent)`
/// for no leaf.
fn shown(value: Option<&str>) -> String {
    match value {
        None => "(absent)".into(),
        Some(v) => {
            let v = neutralise(v);
            let mut s: String = v.chars().take(MAX_VALUE_SHOWN).collect();
            if v.chars().count() > MAX_VALUE_SHOWN {
                s.push('…');
            }
            format!("‹{s}›")
        }
    }
}

/// The differences side by side, one line each:
/// `path: reference ‹a› / under test ‹b› [REG-4, REG-5]`, at most [`MAX_DIFFS_SHOWN`] lines
/// and one that counts the rest.
pub fn render(diffs: &[FieldDiff]) -> String {
    let mut out = String::new();
    for d in diffs.iter().take(MAX_DIFFS_SHOWN) {
        let _ = writeln!(
            out,
            "{}: reference {} / under test {} [{}]",
            neutralise(&d.path),
            shown(d.reference.as_deref()),
            shown(d.under_test.as_deref()),
            d.requirements.join(", ")
        );
    }
    if diffs.len() > MAX_DIFFS_SHOWN {
        let _ = writeln!(
            out,
            "… and {} more differences",
            diffs.len() - MAX_DIFFS_SHOWN
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(validity: &str, ratio: &str, extra: &str) -> Vec<u8> {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>\
             <ProcessExecutionTime>20260401090000</ProcessExecutionTime>\
             <ReferenceClassification>1</ReferenceClassification>\
             <ArbitraryFileIdentifier>abc</ArbitraryFileIdentifier></MessageHeader>\
             <MessageBody><QualificationValidity>{validity}</QualificationValidity>\
             <ResultList><ResultOfQualificationConfirmation><InsurerNumber>01130012</InsurerNumber>\
             <InsuredPartialContributionRatio>{ratio}</InsuredPartialContributionRatio>\
             </ResultOfQualificationConfirmation></ResultList>{extra}</MessageBody></XmlMsg>"
        )
        .into_bytes()
    }

    #[test]
    fn requirements_by_path() {
        let r = |p| requirements_for(p).to_vec();
        assert_eq!(
            r("XmlMsg/MessageBody/QualificationValidity"),
            ["REG-4", "REG-5"]
        );
        assert_eq!(
            r(
                "XmlMsg/MessageBody/ResultList[2]/ResultOfQualificationConfirmation/InsuredPartialContributionRatio"
            ),
            ["INS-2"]
        );
        assert_eq!(
            r(
                "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag"
            ),
            ["REG-6"]
        );
        assert_eq!(
            r(
                "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/ElderlyRecipientCertificateInfo/ElderlyRecipientContributionRatio"
            ),
            ["INS-2"]
        );
        assert_eq!(
            r("XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/InsurerNumber"),
            ["REG-4"]
        );
        assert_eq!(
            r("XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/Name"),
            ["REG-4", "REG-11"]
        );
    }

    #[test]
    fn changed_missing_and_extra_leaves() {
        let reference = doc("1", "030", "");
        let under_test = doc("2", "030", "<SegmentOfResult>1</SegmentOfResult>");
        let d = compare(&reference, &under_test).unwrap_or_default();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].path, "XmlMsg/MessageBody/QualificationValidity");
        assert_eq!(
            (d[0].reference.as_deref(), d[0].under_test.as_deref()),
            (Some("1"), Some("2"))
        );
        assert_eq!(
            (d[1].reference.as_deref(), d[1].under_test.as_deref()),
            (None, Some("1"))
        );
        let missing = compare(&under_test, &reference).unwrap_or_default();
        assert_eq!(missing[1].under_test, None);
    }

    #[test]
    fn ignored_leaves_never_count_and_the_identifier_only_for_card_answers() {
        let a = doc("1", "030", "");
        let b = String::from_utf8(a.clone())
            .unwrap_or_default()
            .replace("20260401090000", "20260401090007")
            .replace(">abc<", ">xyz<");
        assert_eq!(compare(&a, b.as_bytes()), Ok(vec![]));
        let by_numbers = |d: &[u8]| {
            String::from_utf8(d.to_vec())
                .unwrap_or_default()
                .replace("<ReferenceClassification>1<", "<ReferenceClassification>2<")
        };
        let d = compare(
            by_numbers(&a).as_bytes(),
            by_numbers(b.as_bytes()).as_bytes(),
        )
        .unwrap_or_default();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].path.ends_with("ArbitraryFileIdentifier"));
    }

    #[test]
    fn the_caller_adds_what_it_knows_of_the_exchange() {
        let d = compare_in(
            &doc("1", "030", ""),
            &doc("4", "030", ""),
            &["REG-2", "JLIS-3"],
        )
        .unwrap_or_default();
        assert_eq!(d[0].requirements, ["REG-4", "REG-5", "REG-2", "JLIS-3"]);
    }

    #[test]
    fn broken_documents_say_which() {
        assert!(matches!(
            compare(b"<x", &doc("1", "030", "")),
            Err(CompareError::Reference(_))
        ));
        assert!(matches!(
            compare(&doc("1", "030", ""), b"<x"),
            Err(CompareError::UnderTest(_))
        ));
    }

    #[test]
    fn rendering_is_one_line_each_and_bounded() {
        let long = "x".repeat(500);
        let diffs: Vec<FieldDiff> = (0..MAX_DIFFS_SHOWN + 3)
            .map(|i| FieldDiff {
                path: format!("XmlMsg/A[{i}]"),
                reference: Some(format!("a\nb{long}")),
                under_test: None,
                requirements: vec!["REG-4"],
            })
            .collect();
        let text = render(&diffs);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), MAX_DIFFS_SHOWN + 1);
        assert!(lines[0].starts_with("XmlMsg/A[0]: reference ‹a\\u{a}bxx"));
        assert!(
            lines[0].ends_with("…› / under test (absent) [REG-4]"),
            "{}",
            lines[0]
        );
        assert_eq!(lines[MAX_DIFFS_SHOWN], "… and 3 more differences");
    }
}
