//! The card over APDUs and what J-LIS and the portal hold: the steps `card.certificate`,
//! `card.sign` and `card.surface`, and the expectations on what they saw (`certificate`,
//! `signature`, `surface`) and on identifiers and certificates (`my_number`, `portal.account`,
//! `no_face_data`, `jlis.status`, `jlis.issued`).

use serde::Serialize;

use super::*;

/// Which JPKI certificate (and key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateName {
    /// 利用者証明用電子証明書 (EF 000A, CA EF 000B, key EF 0017, PIN EF 0018).
    #[default]
    Auth,
    /// 署名用電子証明書 (EF 0001, CA EF 0002, key EF 001A, PIN EF 001B).
    Signature,
}

/// `card.certificate`: read a certificate and its CA certificate from the holder's current
/// card over APDUs (SELECT, READ BINARY in chunks), after VERIFY of `pin` if given.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateArgs {
    /// A name for expectations (`of:`); default: the latest card step.
    #[serde(default)]
    pub name: Option<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// `auth` (readable without a PIN) or `signature` (readable after the signature PIN).
    #[serde(default)]
    pub certificate: CertificateName,
    /// The PIN sent with VERIFY first (auth: 4 digits; signature: 6–16 upper-case letters and
    /// digits); it may be a wrong one. Never written to the trace.
    #[serde(default)]
    pub pin: Option<At<String>>,
}

/// `card.sign`: VERIFY `pin` (if given), then COMPUTE DIGITAL SIGNATURE with the key over the
/// SHA-256 DigestInfo of `message`, then read the certificate to verify the signature with.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignArgs {
    /// A name for expectations (`of:`); default: the latest card step.
    #[serde(default)]
    pub name: Option<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// Which key: `auth` or `signature`.
    #[serde(default)]
    pub key: CertificateName,
    /// The PIN sent with VERIFY first; leave it out to try signing without one.
    #[serde(default)]
    pub pin: Option<At<String>>,
    /// The text whose SHA-256 the card signs (default `onshi`).
    #[serde(default)]
    pub message: Option<String>,
}

/// A PIN of the 券面事項確認AP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurfacePinName {
    /// 照合番号A: the holder's 12-digit My Number (the simulation supplies it; it is never
    /// written anywhere).
    A,
    /// 照合番号B: birth date YYMMDD + card expiry YYYY + the card's 4-digit security code.
    B,
}

/// `card.surface`: VERIFY 照合番号A or B of the 券面事項確認AP, then READ BINARY of the
/// surface entries (EF 0002).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurfaceArgs {
    /// A name for expectations (`of:`); default: the latest surface read.
    #[serde(default)]
    pub name: Option<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// `a` or `b`.
    pub pin: SurfacePinName,
    /// Send a wrong value of that PIN (its last digit changed).
    #[serde(default)]
    pub wrong: bool,
}

/// What a VERIFY answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PinAnswerName {
    /// 90 00.
    Accepted,
    /// 63 Cx.
    Wrong,
    /// 69 83 (by this try or before).
    Blocked,
    /// The step sent no PIN.
    NotSent,
}

/// A certificate's signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum SignatureAlgorithmName {
    /// sha256WithRSAEncryption (1.2.840.113549.1.1.11).
    #[serde(rename = "sha256WithRSAEncryption")]
    Sha256WithRsa,
    /// sha1WithRSAEncryption (1.2.840.113549.1.1.5).
    #[serde(rename = "sha1WithRSAEncryption")]
    Sha1WithRsa,
}

/// What a certificate's subject says about its holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectName {
    /// No name: the commonName is the serial, no 住所, birth date or sex (利用者証明用).
    None,
    /// 基本4情報: 氏名, 住所, 生年月日 and 性別 equal to the holder's now (署名用).
    BasicFour,
}

/// Whose serial a certificate carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SerialName {
    /// J-LIS's current serial of that kind for the holder.
    Current,
    /// A serial the registry links to the holder (the 発行の番号 it saw at registration).
    Linked,
}

/// A J-LIS CA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaName {
    /// The 利用者証明用 CA.
    AuthCa,
    /// The 署名用 CA.
    SignatureCa,
}

/// `certificate`: the certificate a `card.certificate` or `card.sign` step read from the card.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateExpect {
    /// Step name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Whether READ BINARY returned it.
    #[serde(default)]
    pub read: Option<bool>,
    /// The status word of the read (`90 00`, `69 82`, …).
    #[serde(default)]
    pub status: Option<At<String>>,
    /// X.509 version.
    #[serde(default)]
    pub version: Option<u8>,
    /// RSA modulus size in bits.
    #[serde(default)]
    pub key_bits: Option<usize>,
    /// The signature algorithm.
    #[serde(default)]
    pub signature_algorithm: Option<SignatureAlgorithmName>,
    /// The subject: `none` or `basic_four`.
    #[serde(default)]
    pub subject: Option<SubjectName>,
    /// The serial: `current` (J-LIS's) or `linked` (the registry's link for the holder).
    #[serde(default)]
    pub serial: Option<SerialName>,
    /// It verifies against this CA certificate as read from the card, which is the one J-LIS
    /// publishes to verifiers.
    #[serde(default)]
    pub chains_to: Option<CaName>,
}

/// `signature`: what a `card.sign` step got.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureExpect {
    /// Step name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// What VERIFY answered: `accepted`, `wrong`, `blocked` or `not_sent`.
    #[serde(default)]
    pub pin: Option<PinAnswerName>,
    /// Tries left after the VERIFY (as VERIFY with no data reports them; 0 when blocked).
    #[serde(default)]
    pub tries_left: Option<u8>,
    /// Whether the card returned a signature.
    #[serde(default)]
    pub signed: Option<bool>,
    /// The status word of COMPUTE DIGITAL SIGNATURE (`90 00`, `69 82`, …).
    #[serde(default)]
    pub status: Option<At<String>>,
    /// Whether the signature verifies with the public key of the certificate read from the card.
    #[serde(default)]
    pub verifies: Option<bool>,
}

/// An entry of the 券面事項確認AP's surface file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurfaceItemName {
    /// 生年月日.
    BirthDate,
    /// 性別.
    Sex,
    /// The surface signer's public key.
    PublicKey,
    /// 氏名 (image).
    Name,
    /// 住所 (image).
    Address,
    /// 顔写真.
    FacePhoto,
    /// The signature over the entries.
    Signature,
    /// カードの有効期限.
    Expiry,
    /// セキュリティコード (image).
    SecurityCode,
}

/// `surface`: what a `card.surface` step got.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurfaceExpect {
    /// Step name.
    #[serde(default)]
    pub of: OfName,
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// What VERIFY answered: `accepted`, `wrong` or `blocked`.
    #[serde(default)]
    pub pin: Option<PinAnswerName>,
    /// Tries left after the VERIFY (0 when blocked).
    #[serde(default)]
    pub tries_left: Option<u8>,
    /// Whether READ BINARY of EF 0002 returned the entries.
    #[serde(default)]
    pub read: Option<bool>,
    /// The status word of the read (`90 00`, `69 82`, …).
    #[serde(default)]
    pub status: Option<At<String>>,
    /// The entries returned, in file order.
    #[serde(default)]
    pub items: Option<Vec<SurfaceItemName>>,
    /// 生年月日 as the card holds it.
    #[serde(default)]
    pub born: Option<At<DateText>>,
    /// カードの有効期限 as the card holds it (the YYYY of 照合番号B).
    #[serde(default)]
    pub expires: Option<At<DateText>>,
    /// 性別.
    #[serde(default)]
    pub sex: Option<SexName>,
}

/// `my_number`: the person's My Number, checked without printing it.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// Number of digits.
    #[serde(default)]
    pub digits: Option<u8>,
    /// Whether the 12th digit is the check digit of the first 11.
    #[serde(default)]
    pub check_digit: Option<bool>,
    /// Whether it is from the synthetic range (starts with 9).
    #[serde(default)]
    pub synthetic: Option<bool>,
}

/// Where a 住民票コード must come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResidentCodeName {
    /// 11 digits, equal to J-LIS's 住民票コード for the person.
    FromJlis,
}

/// `portal.account`: the person's マイナポータル account.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalAccountExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
    /// Whether the account exists.
    #[serde(default)]
    pub account: Option<bool>,
    /// The 住民票コード it holds: `from_jlis`.
    #[serde(default)]
    pub resident_code: Option<ResidentCodeName>,
}

/// `no_face_data`: nothing of the person's face photo went anywhere.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoFaceDataExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key.
    pub person: At<String>,
}

/// Which serial to ask J-LIS about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SerialPick {
    /// The person's latest certificate of that kind.
    Current,
    /// The one before it.
    Previous,
    /// The person's first.
    First,
    /// A serial J-LIS has not issued (needs no person).
    Unissued,
}

/// A J-LIS status (JLIS-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    /// 有効.
    Valid,
    /// 有効期限切れ.
    Expired,
    /// 失効.
    Revoked,
    /// J-LIS knows no such serial.
    Unknown,
}

/// A revocation reason (RFC 5280 CRLReason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReasonName {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1): 紛失.
    KeyCompromise,
    /// affiliationChanged (3): 基本4情報の変更.
    AffiliationChanged,
    /// superseded (4): 更新・再交付.
    Superseded,
    /// cessationOfOperation (5): 返納.
    CessationOfOperation,
}

/// `jlis.status`: J-LIS's answer for one serial today.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JlisStatusExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person key (not with `serial: unissued`).
    #[serde(default)]
    pub person: Option<At<String>>,
    /// `auth` or `signature`.
    #[serde(default)]
    pub certificate: CertificateName,
    /// `current`, `previous`, `first` or `unissued`.
    pub serial: At<SerialPick>,
    /// The status.
    #[serde(default)]
    pub status: Option<StatusName>,
    /// The revocation reason.
    #[serde(default)]
    pub reason: Option<RevocationReasonName>,
    /// The day the revocation took effect.
    #[serde(default)]
    pub revoked_on: Option<At<DateText>>,
    /// The last valid day (valid or expired).
    #[serde(default)]
    pub not_after: Option<At<DateText>>,
}

/// `jlis.issued`: every certificate J-LIS issued to these people (both kinds, every serial).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JlisIssuedExpect {
    /// Requirement ids.
    #[serde(default)]
    pub req: Vec<At<String>>,
    /// Person keys.
    pub people: Vec<At<String>>,
    /// Number of certificates.
    #[serde(default)]
    pub certificates: Option<usize>,
    /// Whether their serials are all different.
    #[serde(default)]
    pub distinct_serials: Option<bool>,
    /// Whether each one's DER carries its serial and verifies against J-LIS's CA certificate of
    /// its kind.
    #[serde(default)]
    pub signed_by_ca: Option<bool>,
}
