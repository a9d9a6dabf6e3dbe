//! Merging the records of a partitioned run (`--partition hash:k/n` on a CI matrix) into
//! one, so the reports read as if one machine had run everything.
//!
//! Parts must come from the same run: same format, tool, seed, roles and requirement
//! catalog. A scenario may appear in one part only; a file read by several parts must
//! have the same hash in each. Timing becomes the earliest start and the **sum** of the
//! elapsed times: the parts usually ran in parallel, so the sum is the machine time spent,
//! not the wall time from first start to last end (which the records cannot give).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::error::ReportError;
use crate::record::{FileHash, Requirement, RunRecord, Timing};

/// One record from the parts. Errors name the first difference and the parts (1-based,
/// in the order given) involved. Every partition of the run must be there
/// ([`ReportError::IncompletePartitions`]); see [`merge_allowing_partial`].
pub fn merge(parts: Vec<RunRecord>) -> Result<RunRecord, ReportError> {
    merge_with(parts, false)
}

/// [`merge`], but a set of parts with partitions missing is merged too, and the record lists
/// them in [`RunRecord::missing_partitions`] (the reports then say the run is partial).
pub fn merge_allowing_partial(parts: Vec<RunRecord>) -> Result<RunRecord, ReportError> {
    merge_with(parts, true)
}

fn merge_with(parts: Vec<RunRecord>, allow_partial: bool) -> Result<RunRecord, ReportError> {
    let cuts: Vec<Vec<String>> = parts.iter().map(|p| p.partitions.clone()).collect();
    let missing = missing_partitions(&cuts, "the whole suite")?;
    if !missing.is_empty() && !allow_partial {
        let mut have: Vec<String> = cuts.concat();
        have.sort_by(|a, b| natural(a, b));
        return Err(ReportError::IncompletePartitions {
            have: have.join(", "),
            missing: missing.join(", "),
        });
    }
    let mut merged = merge_parts(parts)?;
    // What the parts together still miss; a part's own list (when it is a partial merge
    // itself) is covered by its partitions and may be filled by another part.
    merged.missing_partitions = missing;
    Ok(merged)
}

/// A partition as written in a record: `hash:2/4` → (`hash`, 2, 4).
pub(crate) fn parse_partition(text: &str) -> Option<(&str, u32, u32)> {
    let (kind, rest) = text.split_once(':')?;
    let (k, n) = rest.split_once('/')?;
    let (k, n) = (k.parse().ok()?, n.parse().ok()?);
    (1..=n).contains(&k).then_some((kind, k, n))
}

/// The partitions of the run that none of the parts covers. Parts must be cut one way: all
/// of `kind:K/N` with one kind and N (a part may already be a merge of several), or all whole;
/// `whole` names an uncut part in the error.
pub(crate) fn missing_partitions(
    cuts: &[Vec<String>],
    whole: &str,
) -> Result<Vec<String>, ReportError> {
    let describe = |c: &[String]| {
        if c.is_empty() {
            whole.to_string()
        } else {
            c.join(", ")
        }
    };
    let Some(first) = cuts.first() else {
        return Ok(Vec::new());
    };
    let mut shape: Option<(String, u32)> = None;
    let mut have = std::collections::BTreeSet::new();
    for (i, cut) in cuts.iter().enumerate() {
        if cut.is_empty() != first.is_empty() {
            return Err(ReportError::PartitionsDiffer {
                first: describe(first),
                part: i + 1,
                other: describe(cut),
            });
        }
        for p in cut {
            let differs = || ReportError::PartitionsDiffer {
                first: describe(first),
                part: i + 1,
                other: describe(cut),
            };
            let (kind, k, n) = parse_partition(p).ok_or_else(differs)?;
            match &shape {
                None => shape = Some((kind.to_string(), n)),
                Some((sk, sn)) if sk == kind && *sn == n => {}
                Some(_) => return Err(differs()),
            }
            have.insert(k);
        }
    }
    Ok(match shape {
        None => Vec::new(),
        Some((kind, n)) => (1..=n)
            .filter(|k| !have.contains(k))
            .map(|k| format!("{kind}:{k}/{n}"))
            .collect(),
    })
}

fn merge_parts(parts: Vec<RunRecord>) -> Result<RunRecord, ReportError> {
    let mut parts = parts.into_iter();
    let Some(mut merged) = parts.next() else {
        return Err(ReportError::NothingToMerge);
    };
    // Scenario id → part that holds it, for the duplicate error.
    let mut owner: BTreeMap<String, usize> =
        merged.scenarios.iter().map(|s| (s.id.clone(), 1)).collect();
    let mut files: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for f in merged.files.drain(..) {
        files.insert(f.path, (f.sha256, 1));
    }
    let mut timings: Vec<Timing> = merged.timing.take().into_iter().collect();

    for (i, part) in parts.enumerate() {
        let n = i + 2;
        same(
            "format",
            &merged.format.to_string(),
            n,
            &part.format.to_string(),
        )?;
        same("tool", &merged.tool, n, &part.tool)?;
        same("seed", &merged.seed.to_string(), n, &part.seed.to_string())?;
        if merged.roles != part.roles {
            let show = |r: &crate::Roles| {
                format!(
                    "provider {}, terminal {}, registry {}",
                    r.provider, r.terminal, r.registry
                )
            };
            same("roles", &show(&merged.roles), n, &show(&part.roles))?;
        }
        if merged.requirements != part.requirements {
            let (first, other) = catalog_difference(&merged.requirements, &part.requirements);
            return Err(ReportError::Mismatch {
                field: "requirements",
                first,
                part: n,
                other,
            });
        }
        for sc in &part.scenarios {
            if let Some(&first_part) = owner.get(&sc.id) {
                return Err(ReportError::DuplicateScenario {
                    id: sc.id.clone(),
                    first_part,
                    second_part: n,
                });
            }
            owner.insert(sc.id.clone(), n);
        }
        for f in part.files {
            match files.get(&f.path) {
                Some((hash, first_part)) if *hash != f.sha256 => {
                    return Err(ReportError::FileChanged {
                        path: f.path,
                        first_part: *first_part,
                        first_hash: hash.clone(),
                        second_part: n,
                        second_hash: f.sha256,
                    });
                }
                Some(_) => {}
                None => {
                    files.insert(f.path, (f.sha256, n));
                }
            }
        }
        merged.scenarios.extend(part.scenarios);
        merged.partitions.extend(part.partitions);
        if merged.interrupted.is_none() {
            merged.interrupted = part.interrupted;
        }
        timings.extend(part.timing);
    }

    merged.scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    merged.files = files
        .into_iter()
        .map(|(path, (sha256, _))| FileHash { path, sha256 })
        .collect();
    merged.partitions.sort_by(|a, b| natural(a, b));
    merged.timing = merge_timing(timings);
    Ok(merged)
}

/// [`ReportError::Mismatch`] naming `field` unless the two values are equal.
pub(crate) fn same(
    field: &'static str,
    first: &str,
    part: usize,
    other: &str,
) -> Result<(), ReportError> {
    if first == other {
        Ok(())
    } else {
        Err(ReportError::Mismatch {
            field,
            first: first.to_string(),
            part,
            other: other.to_string(),
        })
    }
}

/// The first difference between two catalogs, described from each side.
fn catalog_difference(a: &[Requirement], b: &[Requirement]) -> (String, String) {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.id != y.id {
            let at = |id: &str| format!("{id} as requirement {}", i + 1);
            return (at(&x.id), at(&y.id));
        }
        if x != y {
            let text = |r: &Requirement| format!("{} reading \"{}\" ({})", r.id, r.en, r.source);
            return (text(x), text(y));
        }
    }
    (
        format!("{} requirements", a.len()),
        format!("{} requirements", b.len()),
    )
}

/// Earliest start and summed elapsed time; `None` when no part has timing.
fn merge_timing(timings: Vec<Timing>) -> Option<Timing> {
    let elapsed_ms = timings.iter().map(|t| t.elapsed_ms).sum();
    // RFC 3339 strings do not sort as text when their precision differs, so compare
    // instants; unparseable stamps lose to parseable ones and sort as text among
    // themselves.
    let key = |t: &Timing| t.started_at.parse::<jiff::Timestamp>().ok();
    let earliest = timings.into_iter().min_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.started_at.cmp(&b.started_at),
    })?;
    Some(Timing {
        started_at: earliest.started_at,
        elapsed_ms,
    })
}

/// Text order with digit runs compared as numbers: `hash:2/12` before `hash:10/12`.
pub(crate) fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
                let db = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
                let (na, nb) = (
                    a[..da].trim_start_matches('0'),
                    b[..db].trim_start_matches('0'),
                );
                let order = na
                    .len()
                    .cmp(&nb.len())
                    .then_with(|| na.cmp(nb))
                    .then_with(|| da.cmp(&db));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[da..], &b[db..]);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    /// The fixture split in two: scenarios by position, files by the scenarios they
    /// belong to plus the shared one.
    fn halves() -> (RunRecord, RunRecord) {
        let whole = fixture();
        let mut a = whole.clone();
        let mut b = whole.clone();
        a.scenarios.retain(|s| s.id.as_str() < "eligibility/z");
        b.scenarios.retain(|s| s.id.as_str() > "eligibility/z");
        a.partitions = vec!["hash:1/2".into()];
        b.partitions = vec!["hash:2/2".into()];
        a.timing = Some(Timing {
            started_at: "2026-04-01T00:00:05Z".into(),
            elapsed_ms: 1000,
        });
        b.timing = Some(Timing {
            started_at: "2026-04-01T00:00:04.5Z".into(),
            elapsed_ms: 234,
        });
        (a, b)
    }

    #[test]
    fn merging_the_halves_gives_back_the_whole() {
        let (a, b) = halves();
        let merged = merge(vec![b, a]).unwrap();
        let mut whole = fixture();
        whole.partitions = vec!["hash:1/2".into(), "hash:2/2".into()];
        whole.timing = Some(Timing {
            started_at: "2026-04-01T00:00:04.5Z".into(),
            elapsed_ms: 1234,
        });
        assert_eq!(merged, whole);
        assert_eq!(merged.summary(), fixture().summary());
    }

    #[test]
    fn one_part_merges_to_itself() {
        let mut whole = fixture();
        whole.partitions.clear();
        assert_eq!(merge(vec![whole.clone()]).unwrap(), whole);
    }

    #[test]
    fn a_missing_partition_is_refused_and_named() {
        // 1/2 alone: 2/2 is missing (the issue: 70 of 107 scenarios merged as a PASS).
        let (a, _) = halves();
        let err = merge(vec![a.clone()]).unwrap_err();
        assert_eq!(
            err,
            ReportError::IncompletePartitions {
                have: "hash:1/2".into(),
                missing: "hash:2/2".into()
            }
        );
        assert!(err.to_string().contains("--allow-partial"), "{err}");
        let three: Vec<RunRecord> = [1, 2]
            .iter()
            .map(|k| {
                let mut p = fixture();
                p.scenarios.retain(|s| s.id.len() % 2 == *k - 1);
                p.partitions = vec![format!("hash:{k}/3")];
                p
            })
            .collect();
        assert!(matches!(
            merge(three.clone()),
            Err(ReportError::IncompletePartitions { missing, .. }) if missing == "hash:3/3"
        ));
        let partial = merge_allowing_partial(three).unwrap();
        assert_eq!(partial.missing_partitions, ["hash:3/3"]);
        assert!(partial.is_partial());
        // The missing part arrives later: merged with the partial merge, the run is whole.
        let mut third = fixture();
        third.scenarios.retain(|s| s.id.len() % 2 == 0);
        third
            .scenarios
            .iter_mut()
            .for_each(|s| s.id.push_str("-third"));
        third.partitions = vec!["hash:3/3".into()];
        let completed = merge(vec![partial, third]).unwrap();
        assert!(completed.missing_partitions.is_empty(), "{completed:?}");
        assert!(!completed.is_partial());
        let whole = {
            let (a, b) = halves();
            merge(vec![a, b]).unwrap()
        };
        assert!(!whole.is_partial());
        assert!(whole.missing_partitions.is_empty());
    }

    #[test]
    fn parts_cut_differently_are_refused() {
        let (a, mut b) = halves();
        b.partitions = vec!["slice:2/2".into()];
        assert!(matches!(
            merge(vec![a.clone(), b]),
            Err(ReportError::PartitionsDiffer { part: 2, .. })
        ));
        let (_, mut b) = halves();
        b.partitions = vec!["hash:2/3".into()];
        assert!(matches!(
            merge_allowing_partial(vec![a.clone(), b]),
            Err(ReportError::PartitionsDiffer { .. })
        ));
        let (_, mut b) = halves();
        b.partitions.clear();
        assert!(matches!(
            merge_allowing_partial(vec![a, b]),
            Err(ReportError::PartitionsDiffer { .. })
        ));
    }

    #[test]
    fn an_interrupted_part_makes_an_interrupted_merge() {
        let (a, mut b) = halves();
        b.interrupted = Some("SIGINT".into());
        let merged = merge(vec![a, b]).unwrap();
        assert_eq!(merged.interrupted.as_deref(), Some("SIGINT"));
        assert!(!merged.passed());
    }

    #[test]
    fn nothing_to_merge_is_an_error() {
        assert_eq!(merge(vec![]).unwrap_err(), ReportError::NothingToMerge);
    }

    #[test]
    fn a_different_seed_is_named() {
        let (a, mut b) = halves();
        b.seed = 7;
        let err = merge(vec![a, b]).unwrap_err();
        assert_eq!(
            err,
            ReportError::Mismatch {
                field: "seed",
                first: "42".into(),
                part: 2,
                other: "7".into()
            }
        );
        assert!(
            err.to_string()
                .contains("seed differs between part 1 (42) and part 2 (7)")
        );
    }

    #[test]
    fn different_tool_roles_or_catalog_are_named() {
        let (a, mut b) = halves();
        b.tool = "onshi 0.2.0".into();
        assert!(matches!(
            merge(vec![a.clone(), b]),
            Err(ReportError::Mismatch { field: "tool", .. })
        ));
        let (_, mut b) = halves();
        b.roles.registry = "http://registry.test".into();
        let err = merge(vec![a.clone(), b]).unwrap_err();
        assert!(
            err.to_string().contains("registry http://registry.test"),
            "{err}"
        );
        let (_, mut b) = halves();
        b.requirements[1].en = "changed".into();
        let err = merge(vec![a, b]).unwrap_err();
        assert!(
            err.to_string().contains("RDR-3 reading \"changed\""),
            "{err}"
        );
    }

    #[test]
    fn a_scenario_in_two_parts_is_named() {
        let (a, mut b) = halves();
        b.scenarios.push(a.scenarios[0].clone());
        let err = merge(vec![a, b]).unwrap_err();
        assert_eq!(
            err,
            ReportError::DuplicateScenario {
                id: "card/face-ok".into(),
                first_part: 1,
                second_part: 2
            }
        );
    }

    #[test]
    fn a_file_with_two_hashes_is_named() {
        let (a, mut b) = halves();
        b.files[0].sha256 = "ff".repeat(32);
        let err = merge(vec![a, b]).unwrap_err();
        let ReportError::FileChanged {
            path, second_part, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (path.as_str(), *second_part),
            ("scenarios/card/face-ok.yaml", 2)
        );
    }

    #[test]
    fn timing_is_earliest_start_and_summed_elapsed() {
        let t = |s: &str, ms| Timing {
            started_at: s.into(),
            elapsed_ms: ms,
        };
        let merged = merge_timing(vec![
            t("2026-04-01T00:00:05Z", 1),
            t("not a time", 2),
            t("2026-04-01T00:00:04.9Z", 4),
        ])
        .unwrap();
        assert_eq!(merged, t("2026-04-01T00:00:04.9Z", 7));
        assert_eq!(merge_timing(vec![]), None);
    }

    #[test]
    fn partitions_sort_by_number() {
        let mut p = vec!["hash:10/12", "hash:2/12", "hash:1/12", "count:1/2"];
        p.sort_by(|a, b| natural(a, b));
        assert_eq!(p, ["count:1/2", "hash:1/12", "hash:2/12", "hash:10/12"]);
        assert_eq!(natural("a01", "a1"), Ordering::Greater);
        assert_eq!(natural("a1", "a1"), Ordering::Equal);
    }
}
