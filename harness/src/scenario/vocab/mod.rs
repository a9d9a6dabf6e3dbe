//! The closed vocabularies of the scenario language: every expectation value that is one of
//! a fixed set of names (`refused: outage`, `method: face`, …) is an enum here, and every
//! value that mixes such names with a free value (a date or `none`, an amount or `none`, …)
//! is a small type that checks its form while the file is read. A wrong value is then a
//! `validate` problem at the value's line and column (serde's `unknown variant` with a
//! did-you-mean, or a `bad value` message naming the allowed forms), never a check that fails
//! at run time as if the simulation were wrong.
//!
//! The model (`scenario::model`) uses these in the YAML structs and the plan
//! (`scenario::plan`) keeps them as they are, so the checks in `run::checks` compare typed
//! values and report each with its [`name`](RefusalName::name), the same word a scenario
//! writes. The JSON Schema takes every variant's doc comment as its description.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod list;
mod values;

pub use list::ListExpect;
pub use values::*;

/// The start of every message of a value that has the wrong form (see `load::classify`).
pub const BAD_VALUE: &str = "bad value ";

/// The start of the message of a 資格有効性 outside 1–6 (see `load::classify`).
pub const BAD_VALIDITY: &str = "資格有効性 ";

/// Defines a closed vocabulary: a serde enum whose names are the given texts, with `ALL`
/// and `name()`.
macro_rules! vocabulary {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
            JsonSchema,
        )]
        pub enum $name {
            $( $(#[doc = $vdoc])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the order the schema lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name a scenario writes, and checks report.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

vocabulary! {
    /// Why the registry refused to answer (`confirmation.refused`), or `none`.
    RefusalName {
        /// No refusal: the registry answered with a 資格有効性.
        None = "none",
        /// Maintenance, emergency stop or throttling (PRT-4).
        Outage = "outage",
        /// The institution is not known to the system.
        UnknownInstitution = "unknown_institution",
        /// J-LIS never issued this serial.
        CertificateUnknown = "certificate_unknown",
        /// The certificate was revoked (loss, reissue, renewal).
        CertificateRevoked = "certificate_revoked",
        /// The certificate expired and the grace period has ended too.
        CertificateExpired = "certificate_expired",
        /// A new certificate is not usable yet (switch `new_certificate_delay_hours`).
        CertificatePending = "certificate_pending",
        /// A rule table has no row for this case: the registry cannot answer without guessing.
        RuleGap = "rule_gap",
        /// The serial is not registered for insurance use (利用登録 offered, RDR-3).
        NotRegistered = "not_registered",
        /// Registered through the app: usable from the next visit.
        RegistrationPending = "registration_pending",
    }
}

vocabulary! {
    /// What the answer may provide (`confirmation.scope`).
    ScopeName {
        /// Everything the consents allow.
        Full = "full",
        /// Certificate expired but inside the grace period: 資格情報 only (RDR-5).
        QualificationOnly = "qualification_only",
    }
}

vocabulary! {
    /// 限度額適用認定証 適用区分 (`confirmation.limit_category`, `provider.limit_category`), or
    /// `none`.
    LimitCategoryName {
        /// No 適用区分 in the answer or the record.
        None = "none",
        /// 区分ア (標準報酬83万円以上), under 70.
        A01 = "A01",
        /// 区分イ (53万〜79万円).
        A02 = "A02",
        /// 区分ウ (28万〜50万円).
        A03 = "A03",
        /// 区分エ (26万円以下).
        A04 = "A04",
        /// 区分オ (住民税非課税).
        A05 = "A05",
        /// 区分オ（境）境界層該当.
        A06 = "A06",
        /// 現役並みⅢ, 70 and over.
        B01 = "B01",
        /// 現役並みⅡ.
        B02 = "B02",
        /// 現役並みⅠ.
        B03 = "B03",
        /// 一般 (70–74 高齢受給者).
        B04 = "B04",
        /// 低所得Ⅱ.
        B05 = "B05",
        /// 低所得Ⅰ.
        B06 = "B06",
        /// 低所得Ⅰ（老福）老齢福祉年金受給者.
        B07 = "B07",
        /// 低所得Ⅰ（境）境界層該当.
        B08 = "B08",
        /// 一般Ⅱ (後期, 2割).
        B09 = "B09",
        /// 一般Ⅰ (後期, 1割).
        B10 = "B10",
    }
}

vocabulary! {
    /// 特定疾病 in the answer (`confirmation.disease`), or `none`.
    DiseaseExpectName {
        /// No 特定疾病 in the answer.
        None = "none",
        /// 人工腎臓を実施している慢性腎不全.
        ChronicRenalFailure = "chronic_renal_failure",
        /// 血友病.
        Hemophilia = "hemophilia",
        /// 血液製剤に起因するHIV感染症.
        HivFromBloodProducts = "hiv_from_blood_products",
    }
}

vocabulary! {
    /// How the provider settled a visit (`provider.path`).
    ProviderPathName {
        /// 資格有効性 1: the confirmed data.
        Confirmed = "confirmed",
        /// 資格有効性 3: followed the new qualification.
        FollowedNewQualification = "followed_new_qualification",
        /// 資格有効性 2/4: 被保険者資格申立書 at the normal ratio.
        DeclarationForm = "declaration_form",
        /// 資格有効性 5: asked the patient which qualification applies.
        AskedPatient = "asked_patient",
        /// Registry unavailable or card unusable: 資格確認書 / confirm later (PRV-7).
        PaperCertificate = "paper_certificate",
    }
}

vocabulary! {
    /// Why optional data was withheld (`data.withheld`).
    WithheldName {
        /// No consent for this item at this institution.
        NoConsent = "no_consent",
        /// The consent has expired (24 hours for outpatients).
        ConsentExpired = "consent_expired",
        /// 特定健診 is for people aged 40 and over.
        TooYoung = "too_young",
        /// The registry is unavailable.
        Unavailable = "unavailable",
        /// The provider did not ask for it.
        NotRequested = "not_requested",
        /// Shared nothing, for whatever reason (withheld for any reason, or zero items).
        Any = "any",
    }
}

vocabulary! {
    /// How identity was verified at the reader (`verification.method`), or `none`.
    VerificationMethodName {
        /// No verification succeeded.
        None = "none",
        /// 顔認証.
        Face = "face",
        /// 暗証番号.
        Pin = "pin",
        /// 目視確認.
        Visual = "visual",
    }
}

vocabulary! {
    /// The result of one verification attempt (`verification.results`).
    AttemptName {
        /// The face matched.
        FaceMatched = "face_matched",
        /// The face did not match.
        FaceMismatch = "face_mismatch",
        /// Liveness check failed (a photo, a mask).
        NotLive = "not_live",
        /// The PIN was right.
        PinOk = "pin_ok",
        /// The PIN was wrong (tries left).
        PinWrong = "pin_wrong",
        /// The wrong PIN that blocked it.
        PinNowBlocked = "pin_now_blocked",
        /// The PIN was already blocked.
        PinBlocked = "pin_blocked",
        /// Face retries used up: the reader moves on to the PIN.
        FaceRetriesExhausted = "face_retries_exhausted",
        /// Face authentication is locked on this card.
        FaceLocked = "face_locked",
        /// 目視確認: the staff confirmed the face against the card.
        VisualConfirmed = "visual_confirmed",
        /// 目視確認: the staff did not confirm.
        VisualRejected = "visual_rejected",
    }
}

vocabulary! {
    /// The certificate a terminal sent (`terminal.certificate`), compared with the card in the
    /// reader.
    TerminalCertificateName {
        /// This card's 利用者証明用電子証明書 (EF 000A), byte for byte.
        Auth = "auth",
        /// The 利用者証明用電子証明書 of another card of the same world (another person's, or
        /// an earlier card of the same person).
        OtherCard = "other_card",
        /// 署名用電子証明書 (EF 0001), which confirmation does not use.
        Signature = "signature",
        /// Not a certificate of this world's J-LIS (another scenario's or run's world, another
        /// CA), or not one at all.
        Other = "other",
        /// No certificate was sent.
        None = "none",
    }
}

vocabulary! {
    /// The signature a terminal sent (`terminal.signature`), checked with the key of the card
    /// in the reader.
    TerminalSignatureName {
        /// It verifies over DigestInfo(SHA-256(challenge)) with this card's auth key.
        Card = "card",
        /// It does not (another card's key, another challenge, not a signature).
        Other = "other",
        /// No signature was sent (a face confirmation, or no request).
        None = "none",
    }
}

vocabulary! {
    /// How a terminal proved the card holder (`terminal.method`).
    TerminalMethodName {
        /// 暗証番号: a challenge signed after the auth PIN.
        Pin = "pin",
        /// 顔認証.
        Face = "face",
        /// No proof was sent.
        None = "none",
    }
}

vocabulary! {
    /// Why the registry rejected a terminal's request (`terminal.rejection`), or `none`.
    TerminalRejectionName {
        /// Not rejected.
        None = "none",
        /// The certificate bytes are not a certificate.
        MalformedCertificate = "malformed_certificate",
        /// The 署名用 certificate was sent instead of the auth one.
        SignatureCertificate = "signature_certificate",
        /// Not issued by the simulated J-LIS auth CA.
        NotIssuedByJlis = "not_issued_by_jlis",
        /// The challenge was never issued, or was already used.
        UnknownChallenge = "unknown_challenge",
        /// The signature does not verify with the certificate's key.
        BadSignature = "bad_signature",
    }
}

vocabulary! {
    /// Why マイナポータル refused a view (`portal.denied`), or `none`.
    PortalDeniedName {
        /// Not refused.
        None = "none",
        /// The certificate could not be used to log in.
        Certificate = "certificate",
        /// The viewer has no マイナポータル account.
        NoAccount = "no_account",
        /// The proxy may not view this kind of data.
        OutsideProxyScope = "outside_proxy_scope",
        /// The viewer is not a proxy of the subject.
        NotAProxy = "not_a_proxy",
        /// マイナポータル is unavailable.
        Unavailable = "unavailable",
        /// This kind of data is not viewable in the portal.
        NotViewable = "not_viewable",
    }
}

vocabulary! {
    /// CharacterCodeIdentifier of result and face files (`wire.encoding`, `oqs.encoding`).
    EncodingName {
        /// UTF-8.
        Utf8 = "utf8",
        /// Shift_JIS.
        ShiftJis = "shift_jis",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name of a vocabulary reads back as its variant, and the schema lists exactly
    /// these names.
    fn round_trips<T>(all: &[T], name: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + fmt::Debug + for<'de> Deserialize<'de> + JsonSchema,
    {
        let mut names = Vec::new();
        for v in all {
            let text = name(*v);
            let back: T = serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(back, *v, "{text}");
            names.push(text.to_string());
        }
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
        let mut listed: Vec<String> = schema["oneOf"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v["const"].as_str().or_else(|| v["enum"][0].as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .or_else(|| {
                schema["enum"].as_array().map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str())
                        .map(str::to_string)
                        .collect()
                })
            })
            .unwrap_or_default();
        listed.sort();
        names.sort();
        assert_eq!(listed, names, "{schema}");
        let bad: Result<T, _> = serde_saphyr::from_str("no_such_name");
        assert!(bad.is_err());
    }

    #[test]
    fn every_vocabulary_round_trips_with_its_names_and_schema() {
        round_trips(RefusalName::ALL, RefusalName::name);
        round_trips(ScopeName::ALL, ScopeName::name);
        round_trips(LimitCategoryName::ALL, LimitCategoryName::name);
        round_trips(DiseaseExpectName::ALL, DiseaseExpectName::name);
        round_trips(ProviderPathName::ALL, ProviderPathName::name);
        round_trips(WithheldName::ALL, WithheldName::name);
        round_trips(VerificationMethodName::ALL, VerificationMethodName::name);
        round_trips(AttemptName::ALL, AttemptName::name);
        round_trips(TerminalCertificateName::ALL, TerminalCertificateName::name);
        round_trips(TerminalSignatureName::ALL, TerminalSignatureName::name);
        round_trips(TerminalMethodName::ALL, TerminalMethodName::name);
        round_trips(TerminalRejectionName::ALL, TerminalRejectionName::name);
        round_trips(PortalDeniedName::ALL, PortalDeniedName::name);
        round_trips(EncodingName::ALL, EncodingName::name);
    }

    #[test]
    fn every_limit_category_of_the_sim_is_a_name() {
        let names: Vec<&str> = LimitCategoryName::ALL.iter().map(|c| c.name()).collect();
        for c in onshi_sim::rules::LimitCategory::ALL {
            assert!(names.contains(&c.code()), "{}", c.code());
        }
        assert_eq!(names.len(), onshi_sim::rules::LimitCategory::ALL.len() + 1);
    }
}
