//! `jlis.status` and `jlis.issued` expectations: J-LIS's answer for a serial (JLIS-2) and the
//! certificates it issued (JLIS-1): distinct serials, each signed by its CA.

use std::collections::BTreeSet;

use onshi_sim::ids::{CertId, Serial};
use onshi_sim::jlis::{CertStatus, certificate_serial, verify_chain};

use super::*;

impl Executor<'_> {
    pub(crate) fn jlis_status(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        s: &JlisStatusCheck,
    ) {
        let serial = match pick_serial(w, s) {
            Ok(serial) => serial,
            Err(why) => {
                let expected = format!("a {} serial", s.serial);
                return self.fail(pe, step, "jlis.status", expected, why);
            }
        };
        let today = w.clock().today();
        let status = w.jlis().status(serial, today);
        let (name, reason, revoked_on, not_after) = match status {
            CertStatus::Unknown => ("unknown", None, None, None),
            CertStatus::Valid { not_after } => ("valid", None, None, Some(not_after)),
            CertStatus::Expired { on } => ("expired", None, None, Some(on)),
            CertStatus::Revoked { reason, on } => ("revoked", Some(reason), Some(on), None),
        };
        let note = Some(format!("{} serial {serial} on {today}", s.serial));
        if let Some(want) = &s.status {
            self.push(
                pe,
                step,
                "jlis.status",
                want.clone(),
                name.into(),
                note.clone(),
            );
        }
        if let Some(want) = &s.reason {
            let got = reason
                .map(|r| name_of(&r, ""))
                .unwrap_or_else(|| format!("none ({name})"));
            let with_code = match (reason, &note) {
                (Some(r), Some(n)) => Some(format!("CRLReason {}; {n}", r.crl_code())),
                _ => note.clone(),
            };
            self.push(pe, step, "jlis.status.reason", want.clone(), got, with_code);
        }
        let dates = [
            ("jlis.status.revoked_on", &s.revoked_on, revoked_on),
            ("jlis.status.not_after", &s.not_after, not_after),
        ];
        for (check, want, got) in dates {
            if let Some(want) = want {
                let got = got
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| format!("none ({name})"));
                self.push(pe, step, check, want.clone(), got, note.clone());
            }
        }
    }

    pub(crate) fn jlis_issued(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &JlisIssuedCheck,
    ) {
        let mut people = BTreeSet::new();
        for p in &c.people {
            match person_in(w, p) {
                Ok(id) => {
                    people.insert(id);
                }
                Err(why) => return self.fail(pe, step, "jlis.issued", p.key.clone(), why),
            }
        }
        let keys: Vec<&str> = c.people.iter().map(|p| p.key.as_str()).collect();
        let mut issued = Vec::new();
        let mut i = 0u32;
        while let Ok(r) = w.jlis().record(CertId(i)) {
            if people.contains(&r.person()) {
                issued.push((CertId(i), r.serial(), r.kind()));
            }
            i += 1;
        }
        let note = Some(format!(
            "{} certificate(s) of {}: serials {}",
            issued.len(),
            keys.join(", "),
            issued
                .iter()
                .map(|(_, s, _)| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(want) = c.certificates {
            let got = issued.len().to_string();
            self.push(
                pe,
                step,
                "jlis.issued.certificates",
                want.to_string(),
                got,
                note.clone(),
            );
        }
        if let Some(want) = c.distinct_serials {
            let distinct: BTreeSet<Serial> = issued.iter().map(|(_, s, _)| *s).collect();
            let got = distinct.len() == issued.len();
            self.push(
                pe,
                step,
                "jlis.issued.distinct_serials",
                want.to_string(),
                got.to_string(),
                note.clone(),
            );
        }
        if let Some(want) = c.signed_by_ca {
            let mut bad = Vec::new();
            for (id, serial, kind) in &issued {
                let checked = w
                    .jlis()
                    .certificate_der(*id)
                    .map_err(|e| e.to_string())
                    .and_then(|der| {
                        let ca = w
                            .jlis()
                            .ca_certificate_der(*kind)
                            .map_err(|e| e.to_string())?;
                        verify_chain(&der, &ca).map_err(|e| e.to_string())?;
                        match certificate_serial(&der) {
                            Ok(s) if s == *serial => Ok(()),
                            Ok(s) => Err(format!("carries serial {s}")),
                            Err(e) => Err(e.to_string()),
                        }
                    });
                if let Err(e) = checked {
                    bad.push(format!("{serial}: {e}"));
                }
            }
            let got = bad.is_empty();
            let note = if got {
                Some(format!(
                    "{} certificate(s), each verified against J-LIS's CA certificate of its kind",
                    issued.len()
                ))
            } else {
                Some(bad.join("; "))
            };
            self.push(
                pe,
                step,
                "jlis.issued.signed_by_ca",
                want.to_string(),
                got.to_string(),
                note,
            );
        }
    }
}

/// The serial a `jlis.status` expectation asks about.
fn pick_serial(w: &World, s: &JlisStatusCheck) -> Result<Serial, String> {
    if s.serial == "unissued" {
        return Ok(w.jlis().unissued_serial());
    }
    let p = s.person.as_ref().ok_or("no person given")?;
    let person = person_in(w, p)?;
    let current = w
        .jlis()
        .current(person, s.kind)
        .ok_or_else(|| format!("{} has no certificate of that kind", p.key))?;
    let current = w
        .jlis()
        .record(current)
        .map_err(|e| e.to_string())?
        .serial();
    let earlier = w.jlis().old_serials(current).unwrap_or(&[]);
    match s.serial.as_str() {
        "current" => Ok(current),
        "previous" => earlier
            .last()
            .copied()
            .ok_or_else(|| format!("{} has no earlier serial", p.key)),
        _ => Ok(earlier.first().copied().unwrap_or(current)),
    }
}
