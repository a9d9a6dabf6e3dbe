//! Behaviour of J-LIS as its users see it: issue, status, revocation, the 旧番号 chain, the
//! certificates' DER and signatures.

use std::collections::{HashMap, HashSet};

use der::{Decode, Encode};
use jiff::civil::date;
use proptest::prelude::*;
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use x509_cert::certificate::{Certificate, Version};
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::time::Time as X509Time;

use super::*;

fn root() -> SeedRoot {
    SeedRoot::new(7, "jlis/tests")
}

/// A pool of two keys: every test that signs shares the same two (memoised) keys.
fn small_pool() -> KeyPool {
    KeyPool::new(DEFAULT_POOL_SEED, 2).expect("pool")
}

fn jlis() -> Jlis {
    Jlis::with_pool(root(), date(2016, 1, 1), small_pool())
}

fn auth(j: &mut Jlis, person: u32, issued: Date, cause: IssueCause) -> CertId {
    let not_after = issued.checked_add(5.years()).expect("date");
    j.issue(
        PersonId(person),
        CertKind::Auth,
        issued,
        not_after,
        cause,
        None,
    )
    .expect("issue")
}

fn serial(j: &Jlis, c: CertId) -> Serial {
    j.record(c).expect("record").serial()
}

fn hanako() -> SubjectInfo {
    SubjectInfo {
        name: "見本 花子".into(),
        address: "東京都千代田区霞が関二丁目（架空）".into(),
        birth: date(1990, 4, 2),
        sex: Sex::Female,
    }
}

#[test]
fn issued_certificate_is_valid_until_its_last_day_then_expired() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let s = serial(&j, c);
    let last = date(2026, 6, 1);
    assert_eq!(j.lookup(s), Some(c));
    assert_eq!(
        j.status(s, date(2021, 6, 1)),
        CertStatus::Valid { not_after: last }
    );
    assert_eq!(j.status(s, last), CertStatus::Valid { not_after: last });
    assert_eq!(
        j.status(s, date(2026, 6, 2)),
        CertStatus::Expired { on: last }
    );
    assert_eq!(j.status(s, date(2021, 5, 31)), CertStatus::Unknown);
}

#[test]
fn revoked_certificate_reports_reason_and_date_and_cannot_be_revoked_again() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let s = serial(&j, c);
    let on = date(2023, 3, 10);
    j.revoke(c, RevocationReason::CessationOfOperation, on)
        .expect("revoke");
    assert_eq!(
        j.status(s, date(2023, 3, 9)),
        CertStatus::Valid {
            not_after: date(2026, 6, 1)
        }
    );
    let revoked = CertStatus::Revoked {
        reason: RevocationReason::CessationOfOperation,
        on,
    };
    assert_eq!(j.status(s, on), revoked);
    // Revoked before expiry stays revoked after the expiry date.
    assert_eq!(j.status(s, date(2030, 1, 1)), revoked);
    assert!(matches!(
        j.revoke(c, RevocationReason::Superseded, date(2024, 1, 1)),
        Err(JlisError::AlreadyRevoked { .. })
    ));
    assert_eq!(j.status(s, on), revoked);
}

#[test]
fn revocation_after_expiry_leaves_the_certificate_expired() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2016, 6, 1), IssueCause::First);
    j.revoke(c, RevocationReason::CessationOfOperation, date(2022, 1, 1))
        .expect("revoke");
    assert_eq!(
        j.status(serial(&j, c), date(2022, 2, 1)),
        CertStatus::Expired {
            on: date(2021, 6, 1)
        }
    );
    assert!(matches!(
        j.revoke(CertId(99), RevocationReason::Unspecified, date(2022, 1, 1)),
        Err(JlisError::UnknownCert(CertId(99)))
    ));
}

#[test]
fn old_serials_after_two_renewals_are_the_two_earlier_serials_in_order() {
    let mut j = jlis();
    let first = auth(&mut j, 3, date(2016, 6, 1), IssueCause::First);
    let _other = auth(&mut j, 4, date(2016, 6, 1), IssueCause::First);
    let second = auth(&mut j, 3, date(2021, 5, 1), IssueCause::Renewal);
    let third = auth(&mut j, 3, date(2024, 2, 1), IssueCause::CardReissue);
    let (s1, s2, s3) = (serial(&j, first), serial(&j, second), serial(&j, third));
    assert_eq!(j.old_serials(s3), Some(&[s1, s2][..]));
    assert_eq!(j.old_serials(s2), Some(&[s1][..]));
    assert_eq!(j.old_serials(s1), Some(&[][..]));
    assert_eq!(j.chain_cause(s3), Some(IssueCause::CardReissue));
    assert_eq!(j.chain_cause(s2), Some(IssueCause::Renewal));
    assert_eq!(j.current_auth(PersonId(3)), Some(third));
    assert_eq!(j.current_auth(PersonId(5)), None);
}

#[test]
fn unknown_serials_are_unknown_everywhere() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let s = serial(&j, c);
    let stranger = Serial(s.0 ^ 1);
    for bogus in [stranger, Serial(0), Serial(u64::MAX)] {
        assert_eq!(j.lookup(bogus), None);
        assert_eq!(j.old_serials(bogus), None);
        assert_eq!(j.chain_cause(bogus), None);
        assert_eq!(j.status(bogus, date(2022, 1, 1)), CertStatus::Unknown);
    }
    // A serial of another seed's J-LIS is unknown here.
    let mut other = Jlis::with_pool(
        SeedRoot::new(8, "jlis/tests"),
        date(2016, 1, 1),
        small_pool(),
    );
    let theirs_id = auth(&mut other, 0, date(2021, 6, 1), IssueCause::First);
    let theirs = serial(&other, theirs_id);
    assert_ne!(theirs, s);
    assert_eq!(j.lookup(theirs), None);
}

#[test]
fn issue_refuses_inconsistent_requests() {
    let mut j = jlis();
    let p = PersonId(0);
    let (a, b) = (date(2021, 6, 1), date(2026, 6, 1));
    let err = |r: Result<CertId, JlisError>| r.expect_err("must be refused");
    assert!(matches!(
        err(j.issue(p, CertKind::Auth, b, a, IssueCause::First, None)),
        JlisError::EmptyValidity { .. }
    ));
    assert!(matches!(
        err(j.issue(p, CertKind::Auth, a, b, IssueCause::First, Some(hanako()))),
        JlisError::Subject { .. }
    ));
    assert!(matches!(
        err(j.issue(p, CertKind::Sign, a, b, IssueCause::First, None)),
        JlisError::Subject { .. }
    ));
    assert!(matches!(
        err(j.issue(
            p,
            CertKind::Auth,
            date(2015, 1, 1),
            b,
            IssueCause::First,
            None
        )),
        JlisError::BeforeCa { .. }
    ));
    assert!(j.is_empty());
}

#[test]
fn resident_codes_are_stable_eleven_digits_per_person() {
    let j = jlis();
    let code = j.resident_code(PersonId(1));
    assert_eq!(code.len(), 11);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(code, jlis().resident_code(PersonId(1)));
    assert_ne!(code, j.resident_code(PersonId(2)));
}

#[test]
fn issuing_100k_records_touches_no_key_and_signs_nothing() {
    let mut j = Jlis::new(root(), date(2016, 1, 1));
    for p in 0..100_000 {
        auth(&mut j, p, date(2024, 1, 1), IssueCause::First);
    }
    assert_eq!(j.len(), 100_000);
    assert_eq!(j.pool().materialised(), 0);
    assert!(!j.record(CertId(99_999)).expect("record").has_der());
    // A record stays a few words: no per-certificate allocation beyond the lazy DER.
    assert!(std::mem::size_of::<CertRecord>() <= 96);
}

/// Reads the DER with x509-cert, independently of how it was built.
fn parse(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("parses")
}

fn time(t: &X509Time) -> String {
    t.to_date_time().to_string()
}

#[test]
fn auth_certificate_is_x509_v3_rsa2048_sha256_with_the_records_serial_and_no_name() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let der = j.certificate_der(c).expect("der");
    let cert = parse(&der);
    let tbs = &cert.tbs_certificate;
    assert_eq!(tbs.version, Version::V3);
    assert_eq!(cert.signature_algorithm.oid, SHA256_WITH_RSA);
    assert_eq!(tbs.signature.oid, SHA256_WITH_RSA);
    let spki = tbs.subject_public_key_info.to_der().expect("spki");
    let key = RsaPublicKey::from_public_key_der(&spki).expect("rsa key");
    assert_eq!(key.n().bits(), 2048);
    let s = serial(&j, c);
    assert_eq!(tbs.serial_number.as_bytes(), {
        let bytes = s.0.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        bytes[skip..].to_vec()
    });
    // 2021-06-01 00:00 JST is 2021-05-31 15:00 UTC; 2026-06-01 23:59:59 JST is 14:59:59 UTC.
    assert_eq!(time(&tbs.validity.not_before), "2021-05-31T15:00:00Z");
    assert_eq!(time(&tbs.validity.not_after), "2026-06-01T14:59:59Z");
    let subject = tbs.subject.to_string();
    assert_eq!(subject, format!("CN={},O={SYNTHETIC_ORG},C=JP", s.hex()));
    let (critical, usage) = tbs.get::<KeyUsage>().expect("ext").expect("key usage");
    assert!(critical && usage.digital_signature() && !usage.non_repudiation());
    assert!(
        tbs.issuer
            .to_string()
            .contains(ca_common_name(CertKind::Auth))
    );

    let ca = j.ca_certificate_der(CertKind::Auth).expect("ca");
    verify_chain(&der, &ca).expect("chains to the auth CA");
    let sign_ca = j.ca_certificate_der(CertKind::Sign).expect("sign ca");
    assert!(matches!(
        verify_chain(&der, &sign_ca),
        Err(JlisError::Verification { .. })
    ));
    assert!(j.record(c).expect("record").has_der());
}

#[test]
fn signature_certificate_carries_the_basic_four_attributes() {
    let mut j = jlis();
    let c = j
        .issue(
            PersonId(0),
            CertKind::Sign,
            date(2051, 1, 1),
            date(2055, 4, 2),
            IssueCause::First,
            Some(hanako()),
        )
        .expect("issue");
    let der = j.certificate_der(c).expect("der");
    let cert = parse(&der);
    let tbs = &cert.tbs_certificate;
    let names: Vec<String> = tbs
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| String::from_utf8_lossy(atv.value.value()).into_owned())
        .collect();
    assert!(names.contains(&"見本 花子".to_string()), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("東京都")));
    // After 2049 the validity is a GeneralizedTime.
    assert!(matches!(tbs.validity.not_after, X509Time::GeneralTime(_)));
    let (_, usage) = tbs.get::<KeyUsage>().expect("ext").expect("key usage");
    assert!(usage.non_repudiation());
    let ext = tbs.extensions.as_ref().expect("extensions");
    let sda = ext
        .iter()
        .find(|e| e.extn_id.to_string() == "2.5.29.9")
        .expect("subjectDirectoryAttributes");
    let attrs =
        Vec::<x509_cert::attr::Attribute>::from_der(sda.extn_value.as_bytes()).expect("attrs");
    assert_eq!(attrs.len(), 2);
    let ca = j.ca_certificate_der(CertKind::Sign).expect("ca");
    verify_chain(&der, &ca).expect("chains to the signature CA");
}

#[test]
fn the_same_seed_gives_byte_identical_der() {
    let build = || {
        let mut j = jlis();
        let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
        (
            j.certificate_der(c).expect("der"),
            j.ca_certificate_der(CertKind::Auth).expect("ca"),
        )
    };
    assert_eq!(build(), build());
    // A clone carries the built DER along.
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let der = j.certificate_der(c).expect("der");
    assert!(j.clone().record(c).expect("record").has_der());
    assert_eq!(j.clone().certificate_der(c).expect("der"), der);
}

#[test]
fn card_signature_over_a_sha256_digest_info_verifies_with_the_certificate() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let digest_info = sha256_digest_info(b"challenge from the reader");
    let sig = j.sign(c, &digest_info).expect("sign");
    assert_eq!(sig.len(), 256);
    let der = j.certificate_der(c).expect("der");
    verify_signature(&der, &digest_info, &sig).expect("verifies");
    let other = sha256_digest_info(b"another challenge");
    assert!(verify_signature(&der, &other, &sig).is_err());
}

#[test]
fn any_input_up_to_the_modulus_length_less_11_is_signed_and_longer_is_refused() {
    let mut j = jlis();
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    let der = j.certificate_der(c).expect("der");
    for input in [&b"x"[..], &[0xA5; 245]] {
        let sig = j.sign(c, input).expect("fits");
        verify_signature(&der, input, &sig).expect("PKCS#1 v1.5 over the input as given");
    }
    for len in [246, 300] {
        let err = j.sign(c, &vec![0u8; len]).expect_err("too long");
        assert!(
            matches!(err, JlisError::SignInputTooLong { len: l, max: 245 } if l == len),
            "{err}"
        );
        assert!(err.to_string().contains("at most 245"), "{err}");
    }
}

/// One step of a random issue sequence: (person, kind, cause selector).
fn steps() -> impl Strategy<Value = Vec<(u32, bool, u8)>> {
    prop::collection::vec((0u32..6, any::<bool>(), 0u8..4), 0..60)
}

fn run(seed: u64, steps: &[(u32, bool, u8)]) -> (Jlis, Vec<CertId>) {
    let mut j = Jlis::with_pool(SeedRoot::new(seed, "prop"), date(2016, 1, 1), small_pool());
    let mut ids = Vec::new();
    for &(p, sign, cause) in steps {
        let cause = [
            IssueCause::First,
            IssueCause::Renewal,
            IssueCause::CardReissue,
            IssueCause::ReissueAfterExpiry,
        ][cause as usize];
        let (kind, subject) = if sign {
            (CertKind::Sign, Some(hanako()))
        } else {
            (CertKind::Auth, None)
        };
        let id = j
            .issue(
                PersonId(p),
                kind,
                date(2020, 1, 1),
                date(2025, 1, 1),
                cause,
                subject,
            )
            .expect("issue");
        ids.push(id);
    }
    (j, ids)
}

proptest! {
    #[test]
    fn serials_are_unique_across_any_issue_sequence(seed: u64, steps in steps()) {
        let (j, ids) = run(seed, &steps);
        let serials: HashSet<Serial> = ids.iter().map(|&c| serial(&j, c)).collect();
        prop_assert_eq!(serials.len(), ids.len());
        for &c in &ids {
            prop_assert_eq!(j.lookup(serial(&j, c)), Some(c));
        }
    }

    #[test]
    fn old_serials_are_exactly_the_persons_earlier_serials(seed: u64, steps in steps()) {
        let (j, ids) = run(seed, &steps);
        // Naive model: scan everything issued before, same person and kind.
        let mut seen: HashMap<(u32, bool), Vec<Serial>> = HashMap::new();
        for (&c, &(p, sign, _)) in ids.iter().zip(&steps) {
            let s = serial(&j, c);
            let earlier = seen.entry((p, sign)).or_default();
            prop_assert_eq!(j.old_serials(s), Some(&earlier[..]));
            earlier.push(s);
        }
        for (&(p, sign), chain) in &seen {
            let kind = if sign { CertKind::Sign } else { CertKind::Auth };
            let last = j.current(PersonId(p), kind).map(|c| serial(&j, c));
            prop_assert_eq!(last, chain.last().copied());
        }
    }

    #[test]
    fn old_serials_never_cross_people(seed: u64, steps in steps()) {
        let (j, ids) = run(seed, &steps);
        for &c in &ids {
            let record = j.record(c).expect("record");
            for &old in j.old_serials(record.serial()).expect("known") {
                let older = j.record(j.lookup(old).expect("known")).expect("record");
                prop_assert_eq!(older.person(), record.person());
                prop_assert_eq!(older.kind(), record.kind());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn every_issued_certificate_chains_to_its_ca(seed: u64, steps in prop::collection::vec((0u32..3, any::<bool>(), 0u8..4), 1..4)) {
        let (j, ids) = run(seed, &steps);
        for &c in &ids {
            let kind = j.record(c).expect("record").kind();
            let der = j.certificate_der(c).expect("der");
            let ca = j.ca_certificate_der(kind).expect("ca");
            prop_assert!(verify_chain(&der, &ca).is_ok());
            let cert = parse(&der);
            let s = serial(&j, c);
            prop_assert_eq!(cert.tbs_certificate.serial_number, x509_cert::serial_number::SerialNumber::from(s.0));
        }
    }
}

/// The first auth certificate of the world rooted at `root`.
fn first_card_of(root: SeedRoot) -> (Jlis, CertId) {
    let mut j = Jlis::with_pool(root, date(2016, 1, 1), small_pool());
    let c = auth(&mut j, 0, date(2021, 6, 1), IssueCause::First);
    (j, c)
}

#[test]
fn a_signature_by_another_scenarios_card_does_not_verify_with_this_ones_certificate() {
    // Same person index, same issue order, another scenario: another key of the pool.
    let (a, ca) = first_card_of(SeedRoot::new(7, "jlis/tests"));
    let (b, cb) = first_card_of(SeedRoot::new(7, "jlis/tests/other"));
    let digest_info = sha256_digest_info(b"a registry challenge");
    let by_a = a.sign(ca, &digest_info).expect("sign");
    let a_der = a.certificate_der(ca).expect("der");
    let b_der = b.certificate_der(cb).expect("der");
    verify_signature(&a_der, &digest_info, &by_a).expect("A's card verifies with A's certificate");
    assert!(
        verify_signature(&b_der, &digest_info, &by_a).is_err(),
        "A's signature verified with B's certificate: the worlds share a key"
    );
    assert_ne!(a_der, b_der);
    // The same world again deals the same key: seeded, not random.
    let (again, c) = first_card_of(SeedRoot::new(7, "jlis/tests"));
    assert_eq!(again.certificate_der(c).expect("der"), a_der);
}
