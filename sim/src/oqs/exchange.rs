//! The exchanges of the clinic-side interface: [`Exchange`], one per file-name prefix of the
//! folder protocol (§1.2), and [`ExchangeKind`], what an exchange log records (the served file
//! exchanges, the web API's login and search, face files, and what onshi does not serve).
//!
//! Each has a short stable name (`siquc01`, `muquc02`, `yzk` …) for logs, reports and scenario
//! files, with `name` / `from_name` both ways.

use serde::Serialize;

/// Which exchange a file belongs to (its name prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exchange {
    /// `OQSsiquc01`: 資格確認 (IF-001/002).
    Confirm,
    /// `OQSsiimm01`: 照会番号登録 (IF-003/004).
    ReferenceNumberRegistration,
    /// `OQSmuquc01`: 資格確認一括照会 upload (IF-005/006).
    BulkConfirmUpload,
    /// `OQSmuquc02`: 資格確認一括照会 download (IF-007/008).
    BulkConfirmDownload,
    /// `OQSmuimm01`: 照会番号一括登録 upload.
    BulkRegistrationUpload,
    /// `OQSmuimm02`: 照会番号一括登録 download.
    BulkRegistrationDownload,
    /// `OQSmuhvq01`: 訪問診療等 bulk upload (mapping to IF numbers UNCERTAIN).
    BulkHomeVisitUpload,
    /// `OQSmuhvq02`: 訪問診療等 bulk download.
    BulkHomeVisitDownload,
    /// `OQSmuonq01`: オンライン診療等 bulk upload.
    BulkOnlineUpload,
    /// `OQSmuonq02`: オンライン診療等 bulk download.
    BulkOnlineDownload,
    /// `OQSmutic01`: 医療扶助 bulk upload.
    BulkMedicalAidUpload,
    /// `OQSmutic02`: 医療扶助 bulk download.
    BulkMedicalAidDownload,
    /// `YZKsiquc01`: 薬剤情報 (result `.xml` or `.pdf`).
    Medication,
    /// `TKKsiquc01`: 特定健診情報 (result `.xml` or `.pdf`).
    Checkup,
}

/// Every exchange with its file-name prefix and short name, in prefix-matching order.
const EXCHANGES: [(Exchange, &str, &str); 14] = [
    (Exchange::Confirm, "OQSsiquc01", "siquc01"),
    (
        Exchange::ReferenceNumberRegistration,
        "OQSsiimm01",
        "siimm01",
    ),
    (Exchange::BulkConfirmUpload, "OQSmuquc01", "muquc01"),
    (Exchange::BulkConfirmDownload, "OQSmuquc02", "muquc02"),
    (Exchange::BulkRegistrationUpload, "OQSmuimm01", "muimm01"),
    (Exchange::BulkRegistrationDownload, "OQSmuimm02", "muimm02"),
    (Exchange::BulkHomeVisitUpload, "OQSmuhvq01", "muhvq01"),
    (Exchange::BulkHomeVisitDownload, "OQSmuhvq02", "muhvq02"),
    (Exchange::BulkOnlineUpload, "OQSmuonq01", "muonq01"),
    (Exchange::BulkOnlineDownload, "OQSmuonq02", "muonq02"),
    (Exchange::BulkMedicalAidUpload, "OQSmutic01", "mutic01"),
    (Exchange::BulkMedicalAidDownload, "OQSmutic02", "mutic02"),
    (Exchange::Medication, "YZKsiquc01", "yzk"),
    (Exchange::Checkup, "TKKsiquc01", "tkk"),
];

impl Exchange {
    /// Every exchange, in the order file-name prefixes are tried.
    pub const ALL: [Exchange; 14] = {
        let mut all = [Exchange::Confirm; 14];
        let mut i = 0;
        while i < EXCHANGES.len() {
            all[i] = EXCHANGES[i].0;
            i += 1;
        }
        all
    };

    fn row(self) -> &'static (Exchange, &'static str, &'static str) {
        // Every variant has a row (the table test checks it); the first row is never wrong
        // in kind, only in name.
        EXCHANGES
            .iter()
            .find(|(e, _, _)| *e == self)
            .unwrap_or(&EXCHANGES[0])
    }

    /// The name prefix, e.g. `OQSsiquc01`.
    pub fn prefix(self) -> &'static str {
        self.row().1
    }

    /// The short stable name: `siquc01`, `siimm01`, `muquc01` … `mutic02`, `yzk`, `tkk`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The exchange with this short name ([`Exchange::name`]).
    pub fn from_name(name: &str) -> Option<Exchange> {
        EXCHANGES
            .iter()
            .find(|(_, _, n)| *n == name)
            .map(|(e, _, _)| *e)
    }

    /// Whether this is a step-02 bulk download (results may come zipped, UNCERTAIN).
    pub fn is_bulk_download(self) -> bool {
        self.prefix().ends_with("02")
    }
}

/// What kind of exchange a log record is: a served file exchange, a web API call, a face file,
/// or something onshi does not serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// `OQSsiquc01`: 資格確認.
    Siquc01,
    /// `OQSsiimm01`: 照会番号登録.
    Siimm01,
    /// `OQSmuquc01`: 一括照会 upload.
    Muquc01,
    /// `OQSmuquc02`: 一括照会 download.
    Muquc02,
    /// `YZKsiquc01`: 薬剤情報.
    Yzk,
    /// `TKKsiquc01`: 特定健診情報.
    Tkk,
    /// A face file written by the harness.
    Face,
    /// Web API login.
    Login,
    /// Web API 資格確認 search.
    Search,
    /// An exchange onshi does not serve (bulk registration, 訪問/オンライン/医療扶助 bulk).
    Unsupported,
    /// A file in req whose name matches no exchange.
    Unknown,
}

impl ExchangeKind {
    /// Every kind.
    pub const ALL: [ExchangeKind; 11] = [
        ExchangeKind::Siquc01,
        ExchangeKind::Siimm01,
        ExchangeKind::Muquc01,
        ExchangeKind::Muquc02,
        ExchangeKind::Yzk,
        ExchangeKind::Tkk,
        ExchangeKind::Face,
        ExchangeKind::Login,
        ExchangeKind::Search,
        ExchangeKind::Unsupported,
        ExchangeKind::Unknown,
    ];

    /// Short stable name (`siquc01`, `yzk`, …), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            ExchangeKind::Siquc01 => "siquc01",
            ExchangeKind::Siimm01 => "siimm01",
            ExchangeKind::Muquc01 => "muquc01",
            ExchangeKind::Muquc02 => "muquc02",
            ExchangeKind::Yzk => "yzk",
            ExchangeKind::Tkk => "tkk",
            ExchangeKind::Face => "face",
            ExchangeKind::Login => "login",
            ExchangeKind::Search => "search",
            ExchangeKind::Unsupported => "unsupported",
            ExchangeKind::Unknown => "unknown",
        }
    }

    /// The kind with this short name ([`ExchangeKind::name`]).
    pub fn from_name(name: &str) -> Option<ExchangeKind> {
        ExchangeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The file exchange whose message this kind carries: the file kinds, and the web API
    /// search (a 資格確認 in JSON). `None` for login, face files, unserved and unknown files.
    pub fn exchange(self) -> Option<Exchange> {
        match self {
            ExchangeKind::Siquc01 | ExchangeKind::Search => Some(Exchange::Confirm),
            ExchangeKind::Siimm01 => Some(Exchange::ReferenceNumberRegistration),
            ExchangeKind::Muquc01 => Some(Exchange::BulkConfirmUpload),
            ExchangeKind::Muquc02 => Some(Exchange::BulkConfirmDownload),
            ExchangeKind::Yzk => Some(Exchange::Medication),
            ExchangeKind::Tkk => Some(Exchange::Checkup),
            ExchangeKind::Face
            | ExchangeKind::Login
            | ExchangeKind::Unsupported
            | ExchangeKind::Unknown => None,
        }
    }

    /// What a system under test asked for, in the words scenario expectations use
    /// (`requests: sent: [...]`): `siquc01` for a 資格確認 through either channel, `siimm01`,
    /// `bulk` for either step of a bulk confirmation, `yzk`, `tkk`; `None` for what is not a
    /// request of the system (login, face files, unserved and unknown files).
    pub fn request_name(self) -> Option<&'static str> {
        match self.exchange()? {
            Exchange::BulkConfirmUpload | Exchange::BulkConfirmDownload => Some("bulk"),
            e => Some(e.name()),
        }
    }
}

impl From<Exchange> for ExchangeKind {
    /// The log kind of a file exchange (the exchanges onshi does not serve are `Unsupported`).
    fn from(exchange: Exchange) -> ExchangeKind {
        match exchange {
            Exchange::Confirm => ExchangeKind::Siquc01,
            Exchange::ReferenceNumberRegistration => ExchangeKind::Siimm01,
            Exchange::BulkConfirmUpload => ExchangeKind::Muquc01,
            Exchange::BulkConfirmDownload => ExchangeKind::Muquc02,
            Exchange::Medication => ExchangeKind::Yzk,
            Exchange::Checkup => ExchangeKind::Tkk,
            _ => ExchangeKind::Unsupported,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exchange_has_one_row_and_names_round_trip() {
        for (i, e) in Exchange::ALL.into_iter().enumerate() {
            assert_eq!(EXCHANGES[i].0, e);
            assert_eq!(e.row().0, e, "{e:?} has a row");
            assert_eq!(Exchange::from_name(e.name()), Some(e));
        }
        assert_eq!(Exchange::Confirm.prefix(), "OQSsiquc01");
        assert_eq!(Exchange::Checkup.name(), "tkk");
        assert_eq!(Exchange::from_name("OQSsiquc01"), None);
        assert!(Exchange::BulkOnlineDownload.is_bulk_download());
    }

    #[test]
    fn kinds_name_and_group_as_logs_and_scenarios_do() {
        for k in ExchangeKind::ALL {
            assert_eq!(ExchangeKind::from_name(k.name()), Some(k));
            // The serialized form (snake_case of the variant) is the name.
            assert_eq!(format!("{k:?}").to_lowercase(), k.name());
        }
        assert_eq!(
            ExchangeKind::from(Exchange::BulkHomeVisitUpload),
            ExchangeKind::Unsupported
        );
        let served = [
            Exchange::Confirm,
            Exchange::ReferenceNumberRegistration,
            Exchange::BulkConfirmUpload,
            Exchange::BulkConfirmDownload,
            Exchange::Medication,
            Exchange::Checkup,
        ];
        for e in served {
            assert_eq!(ExchangeKind::from(e).exchange(), Some(e));
        }
        let names: Vec<Option<&str>> = ExchangeKind::ALL.iter().map(|k| k.request_name()).collect();
        assert_eq!(
            names,
            [
                Some("siquc01"),
                Some("siimm01"),
                Some("bulk"),
                Some("bulk"),
                Some("yzk"),
                Some("tkk"),
                None,
                None,
                Some("siquc01"),
                None,
                None,
            ]
        );
    }
}
