//! What the files say, gathered into one picture in the files' own (real) values: the
//! insurers, institutions, people and 資格 records they mention, and one event per exchange
//! (a card visit for a face file, a confirmation by numbers for a 資格確認 request and its result
//! or a bulk unit, a data request for YZK/TKK, a note for 照会番号登録) with what its answer said.
//! [`super::gather`] builds them from the files; who is who comes from [`super::identity`];
//! what the files leave open is inferred in [`super::infer`]; nothing here is pseudonymised
//! yet ([`super::pseudo`] does that when the scenario is written).

use std::collections::BTreeMap;

use onshi_sim::clock::{Date, Moment};
use onshi_sim::ids::{InstitutionCode, InsurerNumber};
use onshi_sim::oqs::{
    InsuranceNumbersText, LimitCertificateInfo, MedicalDataKind, PersonalFamily,
    QualificationValidity, ReasonOfLoss, Sex, SpecificDiseaseCertificate,
};

/// The insurance numbers of a 資格 as the files give them (保険者番号 checked).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Numbers {
    /// 保険者番号.
    pub(super) insurer: InsurerNumber,
    /// 記号.
    pub(super) symbol: Option<String>,
    /// 番号.
    pub(super) number: String,
    /// 枝番 (a request may leave it out; a result always has it).
    pub(super) branch: Option<String>,
}

impl Numbers {
    /// The numbers of a message, or why the 保険者番号 is not one.
    pub(super) fn from_text(n: &InsuranceNumbersText) -> Result<Numbers, String> {
        let insurer = n.insurer.parse().map_err(|e| e.to_string())?;
        Ok(Numbers {
            insurer,
            symbol: n.symbol.clone().filter(|s| !s.is_empty()),
            number: n.number.clone(),
            branch: n.branch.clone().filter(|s| !s.is_empty()),
        })
    }

    /// Whether a request with `self` names the record `other` (枝番 left out matches any).
    pub(super) fn names(&self, record: &Numbers) -> bool {
        self.insurer == record.insurer
            && self.symbol == record.symbol
            && self.number == record.number
            && (self.branch.is_none() || self.branch == record.branch)
    }
}

/// Who a person is, as one result (or a YZK/TKK answer) shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    /// 氏名.
    pub(super) name: Option<String>,
    /// 氏名カナ.
    pub(super) kana: Option<String>,
    /// 生年月日.
    pub(super) birth: Date,
    /// 性別.
    pub(super) sex: Option<Sex>,
    /// 住所.
    pub(super) address: Option<String>,
}

/// One 資格 as a result shows it, with the file it came from.
#[derive(Clone, Debug)]
pub(super) struct RecordSeen {
    /// The file.
    pub(super) file: String,
    /// Its numbers (枝番 included).
    pub(super) numbers: Numbers,
    /// Whose.
    pub(super) identity: Identity,
    /// 本人/家族.
    pub(super) relation: Option<PersonalFamily>,
    /// 資格取得年月日.
    pub(super) from: Option<Date>,
    /// 資格喪失年月日 and 事由.
    pub(super) lost: Option<(Date, Option<ReasonOfLoss>)>,
    /// 限度額 data.
    pub(super) limit: Option<LimitCertificateInfo>,
    /// 特定疾病 data.
    pub(super) diseases: Vec<SpecificDiseaseCertificate>,
    /// 保険者名称.
    pub(super) insurer_name: Option<String>,
}

/// One result of an answer, as the scenario restates it.
#[derive(Clone, Debug)]
pub(super) struct ResultFact {
    /// Index of the record (into [`Facts::seen`] until identities are resolved, then into
    /// [`Facts::records`]).
    pub(super) record: usize,
    /// 一部負担金割合 (percent).
    pub(super) copay: Option<u8>,
    /// 高齢受給者 一部負担金割合, when the block is there.
    pub(super) elderly: Option<Option<u8>>,
    /// 未就学.
    pub(super) preschool: bool,
    /// 資格喪失年月日 shown.
    pub(super) loss: Option<Date>,
    /// 適用区分 and 長期入院該当年月日 shown.
    pub(super) limit: Option<(String, Option<Date>)>,
    /// The first 特定疾病 shown.
    pub(super) disease: Option<&'static str>,
    /// 保険者名称 shown.
    pub(super) insurer_name: Option<String>,
}

/// What a 資格確認 answer said.
#[derive(Clone, Debug, Default)]
pub(super) struct ConfirmAnswer {
    /// The refusal's name in the scenario language (`None`: answered).
    pub(super) refused: Option<&'static str>,
    /// The error or notice code as the file has it.
    pub(super) code: Option<String>,
    /// 資格有効性.
    pub(super) validity: Option<QualificationValidity>,
    /// The results, in order.
    pub(super) results: Vec<ResultFact>,
    /// ONS-W0301 (expiry near) or ONS-W0302 (grace period: 資格情報のみ).
    pub(super) notice: Option<String>,
}

/// What a YZK/TKK answer said.
#[derive(Clone, Debug)]
pub(super) enum DataAnswer {
    /// Data given: drug records (date, name) or checkup dates.
    Shared {
        /// Drug records.
        records: Vec<(Date, String)>,
        /// Checkup dates.
        checkups: Vec<Date>,
    },
    /// Refused, with the scenario language's reason (`None`: a code it has no name for).
    Withheld(Option<&'static str>, String),
}

/// What an event's answer said.
#[derive(Clone, Debug)]
pub(super) enum Answer {
    /// Nothing restated.
    None,
    /// A 資格確認 answer.
    Confirm(ConfirmAnswer),
    /// A data answer.
    Data(DataAnswer),
}

/// Consent answers at a visit (`None`: not shown by the files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Consent {
    /// 限度額情報.
    pub(super) limit_info: Option<bool>,
    /// 特定疾病.
    pub(super) specific_disease: Option<bool>,
    /// 特定健診.
    pub(super) checkup: Option<bool>,
    /// 薬剤.
    pub(super) medication: Option<bool>,
    /// 診療.
    pub(super) treatment: Option<bool>,
    /// 手術.
    pub(super) surgery: Option<bool>,
}

/// What happened at an event.
#[derive(Clone, Debug)]
pub(super) enum Action {
    /// The patient's card at the reader.
    Visit {
        /// 資格確認日 when it is not the day of the visit.
        confirmation_date: Option<Date>,
        /// Consent answers given at this visit.
        consent: Consent,
        /// 診療区分 when the consent's 閲覧有効期限 shows one other than 外来.
        care: Option<&'static str>,
        /// Added by the import (a consent an answer shows and no file's visit gave).
        synthetic: bool,
    },
    /// A confirmation by insurance numbers.
    Numbers {
        /// The numbers asked for.
        numbers: Numbers,
        /// 生年月日 asked for.
        birth: Date,
        /// 限度額 consent flag sent.
        limit_consent: bool,
        /// 資格確認日 asked for, when not the day of the answer.
        confirmation_date: Option<Date>,
    },
    /// A 薬剤情報 or 特定健診情報 request.
    Fetch(MedicalDataKind),
    /// Only a comment (照会番号登録, an answer the language cannot restate).
    Note,
    /// A card step the answers imply between two of them (`card.renew`, `card.lost`,
    /// `card.reissue`), added by [`super::card`].
    Card(&'static str),
}

/// One exchange, at the time its file records.
#[derive(Clone, Debug)]
pub(super) struct Event {
    /// When.
    pub(super) at: Moment,
    /// The asking institution.
    pub(super) institution: InstitutionCode,
    /// Whose (index into the people; `None` until resolved).
    pub(super) person: Option<usize>,
    /// What.
    pub(super) action: Action,
    /// What the answer said.
    pub(super) answer: Answer,
    /// The files it comes from.
    pub(super) files: Vec<String>,
    /// Comment lines: what the files could not tell (`unknown: …`) and notes.
    pub(super) notes: Vec<String>,
    /// Consents its answer shows as given before it: (item, time, granted, valid until).
    pub(super) prior_consents: Vec<(&'static str, Moment, bool, Option<Moment>)>,
    /// The identity a data answer shows (its person when no request names the numbers).
    pub(super) data_identity: Option<Identity>,
    /// The numbers a data request named.
    pub(super) asked: Option<Numbers>,
    /// The data kinds whose consent a card answer's first result shows as given (状態 1): the
    /// desk's own data requests at the visit.
    pub(super) consented: Vec<MedicalDataKind>,
    /// The data answers of the desk's own requests at this card visit (folded into it by
    /// [`super::infer`]).
    pub(super) desk_data: Vec<DeskData>,
    /// The answer of the desk's own confirmation by the papers' numbers after the card was
    /// refused for a reason of the card's, with its files (folded into the visit by
    /// [`super::infer`]).
    pub(super) desk_numbers: Option<(ConfirmAnswer, Vec<String>)>,
}

/// A data answer the desk's own request at a card visit got.
#[derive(Clone, Debug)]
pub(super) struct DeskData {
    /// 薬剤 or 特定健診.
    pub(super) kind: MedicalDataKind,
    /// What it said.
    pub(super) answer: DataAnswer,
    /// The files it comes from.
    pub(super) files: Vec<String>,
}

/// Everything the files say, in their own values.
#[derive(Clone, Debug, Default)]
pub(super) struct Facts {
    /// Every 資格 as each result shows it (one entry per result).
    pub(super) seen: Vec<RecordSeen>,
    /// The events, in file order.
    pub(super) events: Vec<Event>,
    /// Institutions and the files that name them.
    pub(super) institutions: BTreeMap<InstitutionCode, Vec<String>>,
    /// Consent items seen at each institution (their screens exist there).
    pub(super) items_seen: BTreeMap<InstitutionCode, Vec<&'static str>>,
}
