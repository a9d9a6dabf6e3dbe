//! `registry.link` and `jlis.chain` expectations.

use super::*;

impl Executor<'_> {
    pub(crate) fn link(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        l: &LinkCheck,
    ) {
        let Ok(person) = person_in(w, &l.person) else {
            self.fail(
                pe,
                step,
                "registry.link",
                l.person.key.clone(),
                "unknown person".into(),
            );
            return;
        };
        let serial = match w.current_auth_serial(person) {
            Ok(s) => s,
            Err(e) => {
                self.fail(
                    pe,
                    step,
                    "registry.link",
                    "a current auth certificate".into(),
                    e.to_string(),
                );
                return;
            }
        };
        let link = w.registry().link(serial).filter(|k| k.person == person);
        if let Some(want) = l.linked {
            self.push(
                pe,
                step,
                "registry.link.linked",
                want.to_string(),
                link.is_some().to_string(),
                Some(format!("current serial {serial}")),
            );
        }
        if let Some(want) = &l.relinked_from {
            let earlier = w.jlis().old_serials(serial).unwrap_or(&[]);
            let got = match link.and_then(|k| k.relinked_from) {
                None => "none".to_string(),
                Some(s) => match earlier.iter().rev().position(|x| *x == s) {
                    Some(0) => "previous".to_string(),
                    Some(k) => format!("{} back", k + 1),
                    None => format!("serial {s} (not an earlier serial of this person)"),
                },
            };
            self.push(
                pe,
                step,
                "registry.link.relinked_from",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = l.channel {
            let got = link
                .map(|k| name_of(&k.channel, ""))
                .unwrap_or_else(|| "none".into());
            self.push(pe, step, "registry.link.channel", want.into(), got, None);
        }
    }

    pub(crate) fn chain(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &ChainCheck,
    ) {
        let serial = person_in(w, &c.person)
            .ok()
            .and_then(|p| w.current_auth_serial(p).ok());
        let Some(serial) = serial else {
            self.fail(
                pe,
                step,
                "jlis.chain",
                "a current auth certificate".into(),
                "the person has none".into(),
            );
            return;
        };
        let earlier = w.jlis().old_serials(serial).unwrap_or(&[]).to_vec();
        if let Some(want) = c.serials {
            self.push(
                pe,
                step,
                "jlis.chain.serials",
                want.to_string(),
                (earlier.len() + 1).to_string(),
                Some(format!(
                    "current {serial}, earlier [{}]",
                    earlier
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
        if let Some(want) = c.earlier_revoked {
            let today = w.clock().today();
            let not_revoked: Vec<_> = earlier
                .iter()
                .filter(|s| {
                    !matches!(
                        w.jlis().status(**s, today),
                        onshi_sim::jlis::CertStatus::Revoked { .. }
                    )
                })
                .collect();
            let got = not_revoked.is_empty();
            self.push(
                pe,
                step,
                "jlis.chain.earlier_revoked",
                want.to_string(),
                got.to_string(),
                (!got).then(|| format!("not revoked: {}", list(not_revoked))),
            );
        }
        if let Some(want) = c.old_serial_search {
            // Ground truth: every auth certificate J-LIS issued to this person, oldest first.
            let person = person_in(w, &c.person).ok();
            let mut truth = Vec::new();
            let mut i = 0u32;
            while let Ok(r) = w.jlis().record(onshi_sim::ids::CertId(i)) {
                if Some(r.person()) == person
                    && r.kind() == onshi_sim::jlis::CertKind::Auth
                    && r.serial() != serial
                {
                    truth.push(r.serial());
                }
                i += 1;
            }
            let got = truth == earlier;
            self.push(
                pe,
                step,
                "jlis.chain.old_serial_search",
                want.to_string(),
                got.to_string(),
                Some(format!(
                    "search {} vs issued {}",
                    list(&earlier),
                    list(&truth)
                )),
            );
        }
    }
}
