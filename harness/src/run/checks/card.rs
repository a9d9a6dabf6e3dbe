//! `card` and `portal` expectations.

use super::*;

impl Executor<'_> {
    pub(crate) fn card(
        &mut self,
        w: &World,
        pe: &PlannedExpect,
        step: Option<usize>,
        c: &CardCheck,
    ) {
        let card = person_in(w, &c.person)
            .ok()
            .and_then(|p| w.cards().iter().rev().find(|k| k.person == p));
        let Some(card) = card else {
            self.fail(
                pe,
                step,
                "card",
                "a card".into(),
                "the person has no card".into(),
            );
            return;
        };
        if let Some(want) = c.pin_remaining {
            self.push(
                pe,
                step,
                "card.pin_remaining",
                want.to_string(),
                card.pins.auth_counter.remaining.to_string(),
                None,
            );
        }
        if let Some(want) = c.pin_blocked {
            self.push(
                pe,
                step,
                "card.pin_blocked",
                want.to_string(),
                card.pins.auth_counter.is_blocked().to_string(),
                None,
            );
        }
        if let Some(want) = c.face_locked {
            self.push(
                pe,
                step,
                "card.face_locked",
                want.to_string(),
                card.face_locked.to_string(),
                None,
            );
        }
        if let Some(want) = &c.expires {
            self.push(
                pe,
                step,
                "card.expires",
                want.clone(),
                card.expires.to_string(),
                None,
            );
        }
        let counters = [
            (
                "card.sign_pin_remaining",
                c.sign_pin_remaining,
                &card.pins.sign_counter,
            ),
            (
                "card.pin_a_remaining",
                c.pin_a_remaining,
                &card.pins.surface_number_counter,
            ),
            (
                "card.pin_b_remaining",
                c.pin_b_remaining,
                &card.pins.surface_birth_counter,
            ),
        ];
        for (name, want, counter) in counters {
            if let Some(want) = want {
                let got = if card.sign_cert.is_none() && name == "card.sign_pin_remaining" {
                    "no 署名用電子証明書 on this card".to_string()
                } else {
                    counter.remaining.to_string()
                };
                let note = Some(format!("of {} tries", counter.max));
                self.push(pe, step, name, want.to_string(), got, note);
            }
        }
        if let Some(want) = c.sign_pin_blocked {
            let got = card.pins.sign_counter.is_blocked().to_string();
            self.push(
                pe,
                step,
                "card.sign_pin_blocked",
                want.to_string(),
                got,
                None,
            );
        }
        if let Some(want) = &c.certificate_expires {
            let got = w
                .jlis()
                .record(card.auth_cert)
                .map(|r| r.not_after().to_string())
                .unwrap_or_else(|e| e.to_string());
            self.push(
                pe,
                step,
                "card.certificate_expires",
                want.clone(),
                got,
                None,
            );
        }
    }

    pub(crate) fn portal(&mut self, pe: &PlannedExpect, step: Option<usize>, p: &PortalCheck) {
        let pick = |o: &Output| match o {
            Output::Portal(r) => Some(r.clone()),
            _ => None,
        };
        let r = match self.outputs.find(&p.of, "a portal view", pick) {
            Ok(r) => r,
            Err(e) => {
                self.fail(pe, step, "portal", "a portal view".into(), e);
                return;
            }
        };
        let (items, denied) = match &r {
            Ok(PortalView::Records(v)) => (Some(v.len()), "none".to_string()),
            Ok(PortalView::Checkups(v)) => (Some(v.len()), "none".to_string()),
            Err(e) => (None, portal_denied_name(Some(e)).name().to_string()),
        };
        if let Some(want) = p.items {
            let got = items
                .map(|n| n.to_string())
                .unwrap_or_else(|| format!("denied: {denied}"));
            self.push(pe, step, "portal.items", want.to_string(), got, None);
        }
        if let Some(want) = &p.denied {
            self.push(pe, step, "portal.denied", want.name().into(), denied, None);
        }
    }
}
