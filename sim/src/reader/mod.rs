//! The face-authentication card reader (顔認証付きカードリーダー + 資格確認端末): identity
//! verification by face, PIN or staff visual check with retries and fallbacks, the consent
//! screens of the day, and the registration prompt for unregistered cards (RDR-1..6).
//!
//! The reader never reads the input-support AP and never puts the My Number anywhere: the
//! only identity it sends on is the auth certificate's serial (RDR-6).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::card::{Card, PinResult};
use crate::rules::{ConsentItem, ConsentPlan, Switches};

/// 「マイナンバーカードを保険証として登録しますか？」 — the registration prompt (RDR-3).
pub const REGISTRATION_PROMPT: &str = "マイナンバーカードを保険証として登録しますか？";
/// The grace-period message shown instead of consent screens (RDR-5).
pub const GRACE_MESSAGE: &str =
    "電子証明書の有効期限が切れているため、資格情報のみ当機関に提供します";

/// One identity-verification attempt, as the scenario supplies it (RDR-1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attempt {
    /// 顔認証: the camera image's similarity to the card photo and whether it looked live.
    Face {
        /// Similarity in 0.0..=1.0.
        similarity: f64,
        /// Liveness check passed.
        live: bool,
    },
    /// 暗証番号 (4-digit auth PIN).
    Pin {
        /// The digits typed.
        pin: String,
    },
    /// 目視確認 by staff.
    Visual {
        /// Whether staff confirmed the face against the card.
        confirmed: bool,
    },
}

/// How identity was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 顔認証.
    Face,
    /// 暗証番号.
    Pin,
    /// 目視確認.
    Visual,
}

/// What one attempt did.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptResult {
    /// Face matched.
    FaceMatched,
    /// Face did not match.
    FaceMismatch {
        /// Similarity supplied.
        similarity: f64,
        /// Threshold in force.
        threshold: f64,
    },
    /// Liveness failed (photo, screen …).
    NotLive,
    /// No more face tries in this session: the reader offers the PIN instead.
    FaceRetriesExhausted,
    /// Face authentication is locked for this card.
    FaceLocked,
    /// PIN attempt.
    Pin(PinResult),
    /// Staff confirmed visually.
    VisualConfirmed,
    /// Staff did not confirm.
    VisualRejected,
}

/// The result of verification at the reader.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verification {
    /// The method that succeeded, if any.
    pub method: Option<Method>,
    /// Every attempt in order (RDR-2: every attempt is in the trace).
    pub attempts: Vec<AttemptResult>,
    /// Attempts supplied after verification had already succeeded (not used).
    pub unused_attempts: usize,
}

/// Runs the supplied attempts against a card until one succeeds (RDR-1, RDR-2).
pub fn verify(card: &mut Card, attempts: &[Attempt], switches: &Switches) -> Verification {
    let threshold = switches.face_match_threshold;
    let face_limit = switches.face_retries_before_pin.saturating_add(1);
    let mut session_face_failures = 0u32;
    let mut out = Verification {
        method: None,
        attempts: Vec::new(),
        unused_attempts: 0,
    };
    for (i, a) in attempts.iter().enumerate() {
        let (result, success) = match a {
            Attempt::Face { similarity, live } => {
                if card.face_locked {
                    (AttemptResult::FaceLocked, None)
                } else if session_face_failures >= face_limit {
                    (AttemptResult::FaceRetriesExhausted, None)
                } else if !live {
                    session_face_failures += 1;
                    record_face_failure(card, switches);
                    (AttemptResult::NotLive, None)
                } else if similarity.is_finite() && *similarity >= threshold {
                    card.face_failures = 0;
                    (AttemptResult::FaceMatched, Some(Method::Face))
                } else {
                    session_face_failures += 1;
                    record_face_failure(card, switches);
                    (
                        AttemptResult::FaceMismatch {
                            similarity: *similarity,
                            threshold,
                        },
                        None,
                    )
                }
            }
            Attempt::Pin { pin } => {
                let correct = *pin == card.pins.auth;
                let r = card.pins.auth_counter.attempt(correct);
                let ok = r == PinResult::Accepted;
                (AttemptResult::Pin(r), ok.then_some(Method::Pin))
            }
            // A visual-check success resets neither the PIN nor the face failure counters.
            Attempt::Visual { confirmed: true } => {
                (AttemptResult::VisualConfirmed, Some(Method::Visual))
            }
            Attempt::Visual { confirmed: false } => (AttemptResult::VisualRejected, None),
        };
        out.attempts.push(result);
        if success.is_some() {
            out.method = success;
            out.unused_attempts = attempts.len() - i - 1;
            break;
        }
    }
    out
}

fn record_face_failure(card: &mut Card, switches: &Switches) {
    card.face_failures = card.face_failures.saturating_add(1);
    if let Some(n) = switches.face_lock_after_failures
        && card.face_failures >= n
    {
        card.face_locked = true;
    }
}

/// The patient's answers on the consent screens, as the scenario supplies them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentAnswers {
    /// 包括同意: one answer for all medical items (only where the reader offers it).
    pub blanket: Option<bool>,
    /// Item-by-item answers.
    pub items: BTreeMap<ConsentItem, bool>,
}

/// What happened on the consent screens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentOutcome {
    /// Screens shown, in order.
    pub shown: Vec<ConsentItem>,
    /// Whether the blanket-consent choice was offered.
    pub blanket_offered: bool,
    /// Decisions sent with the confirmation (item, 同意する?).
    pub decisions: Vec<(ConsentItem, bool)>,
    /// Screens the scenario gave no answer for: the patient pressed 同意しない.
    pub unanswered: Vec<ConsentItem>,
    /// Items provided without a screen on this date (限度額 from 2024-10-07).
    pub provided_without_consent: Vec<ConsentItem>,
}

impl ConsentOutcome {
    /// Whether the patient consented to `item` on a screen.
    pub fn granted(&self, item: ConsentItem) -> bool {
        self.decisions.iter().any(|&(i, g)| i == item && g)
    }
}

/// Walks the consent screens of `plan` with the patient's `answers` (RDR-4).
pub fn run_consent(plan: &ConsentPlan, answers: &ConsentAnswers) -> ConsentOutcome {
    let mut out = ConsentOutcome {
        shown: plan.screens.clone(),
        blanket_offered: plan.blanket_offered,
        decisions: Vec::new(),
        unanswered: Vec::new(),
        provided_without_consent: plan.provided_without_consent.clone(),
    };
    for &item in &plan.screens {
        let blanket = if plan.blanket_offered && item.is_medical() {
            answers.blanket
        } else {
            None
        };
        let answer = answers.items.get(&item).copied().or(blanket);
        match answer {
            Some(g) => out.decisions.push((item, g)),
            None => {
                out.unanswered.push(item);
                out.decisions.push((item, false));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
