//! Consent screens at the reader (RDR-4, REG-6..8, rules-tables §3): which items are asked,
//! in what order, which are provided without a screen, whether 包括同意 is offered, and how
//! long a consent stays valid per care mode. The dated facts are `consent.yaml`; the
//! UNCERTAIN ones are switches (checkup minimum age, 特定疾病 screen after 2024-10, inpatient
//! validity, 限度額 during the certificate grace period).

use std::collections::BTreeSet;

use serde::Deserialize;

use super::table::{self, Located, Problem, Status, impl_dated};
use super::{DataKind, RuleError, RuleSet, TableKind};
use crate::age::{AgeBand, band_on, reaches_age_on};
use crate::clock::{Date, DateTime, Moment, Span};

/// An item the patient may be asked to consent to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentItem {
    /// 限度額適用認定証関連情報 (no 閲覧同意情報種別 code).
    LimitInfo,
    /// 特定疾病療養受療証情報 (TSR).
    SpecificDisease,
    /// 特定健診等情報 (TKK); 後期高齢者健診 for 75+.
    Checkup,
    /// 薬剤情報 (YZK).
    Medication,
    /// 診療情報 (SRJ, with アレルギー・検査).
    Treatment,
    /// 手術情報 (SHJ, with 傷病名・感染症).
    Surgery,
}

impl ConsentItem {
    /// Every item.
    pub const ALL: [ConsentItem; 6] = [
        ConsentItem::LimitInfo,
        ConsentItem::SpecificDisease,
        ConsentItem::Checkup,
        ConsentItem::Medication,
        ConsentItem::Treatment,
        ConsentItem::Surgery,
    ];

    /// 閲覧同意情報種別 code (OQS code 036), where one exists.
    pub fn oqs_code(self) -> Option<&'static str> {
        match self {
            ConsentItem::LimitInfo => None,
            ConsentItem::SpecificDisease => Some("TSR"),
            ConsentItem::Checkup => Some("TKK"),
            ConsentItem::Medication => Some("YZK"),
            ConsentItem::Treatment => Some("SRJ"),
            ConsentItem::Surgery => Some("SHJ"),
        }
    }

    /// The Japanese label on the screen.
    pub fn label_ja(self) -> &'static str {
        match self {
            ConsentItem::LimitInfo => "限度額情報",
            ConsentItem::SpecificDisease => "特定疾病情報",
            ConsentItem::Checkup => "特定健診等情報",
            ConsentItem::Medication => "薬剤情報",
            ConsentItem::Treatment => "診療情報",
            ConsentItem::Surgery => "手術情報",
        }
    }

    /// True for 要配慮 medical information (covered by 包括同意 and by the institution's 利用設定):
    /// the items that open data ([`ConsentItem::data_kind`]).
    pub fn is_medical(self) -> bool {
        self.data_kind().is_some()
    }

    /// The information a consent to this item opens to the institution (REG-6..8), if it
    /// opens any: the one table of [`CONSENT_DATA`].
    pub fn data_kind(self) -> Option<DataKind> {
        CONSENT_DATA
            .iter()
            .find(|(item, _)| *item == self)
            .map(|(_, kind)| *kind)
    }
}

/// Which consent item opens which information (REG-6..8). 電子処方箋 data needs the 薬剤情報
/// consent too ([`DataKind::consent_item`]); 医療費通知 is for the portal and needs none.
pub const CONSENT_DATA: [(ConsentItem, DataKind); 4] = [
    (ConsentItem::Checkup, DataKind::Checkup),
    (ConsentItem::Medication, DataKind::Medication),
    (ConsentItem::Treatment, DataKind::Treatment),
    (ConsentItem::Surgery, DataKind::Surgery),
];

impl DataKind {
    /// The consent item an institution needs to see this information ([`CONSENT_DATA`];
    /// 電子処方箋 data goes with 薬剤情報), `None` for what no institution may ask for.
    pub fn consent_item(self) -> Option<ConsentItem> {
        match self {
            DataKind::EPrescription => Some(ConsentItem::Medication),
            kind => CONSENT_DATA
                .iter()
                .find(|(_, k)| *k == kind)
                .map(|(item, _)| *item),
        }
    }
}

/// Which checkup results fill the checkup slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckupKind {
    /// 特定健診 (40–74).
    Specific,
    /// 後期高齢者健診 (75+), shown in the same slot.
    LateElderly,
}

/// The institution's 利用設定 for medical items. Non-medical items are not switchable here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstitutionSettings {
    /// Medical items set to 利用する.
    pub enabled: BTreeSet<ConsentItem>,
}

impl Default for InstitutionSettings {
    /// Factory defaults (§3.1 [S30]): 薬剤 and 特定健診 on, 診療 and 手術 off.
    fn default() -> Self {
        InstitutionSettings {
            enabled: [ConsentItem::Medication, ConsentItem::Checkup]
                .into_iter()
                .collect(),
        }
    }
}

impl InstitutionSettings {
    /// Every medical item enabled.
    pub fn all_enabled() -> Self {
        InstitutionSettings {
            enabled: ConsentItem::ALL
                .into_iter()
                .filter(|i| i.is_medical())
                .collect(),
        }
    }

    /// True when `item` may be shown: non-medical items always, medical ones if enabled.
    pub fn shows(&self, item: ConsentItem) -> bool {
        !item.is_medical() || self.enabled.contains(&item)
    }
}

/// What the reader does about consent on one confirmation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentPlan {
    /// Items asked on a screen, in the order shown.
    pub screens: Vec<ConsentItem>,
    /// 包括同意 is offered for the medical items on screen.
    pub blanket_offered: bool,
    /// Items provided without a screen.
    pub provided_without_consent: Vec<ConsentItem>,
    /// Which checkup results the checkup screen covers, when it is shown.
    pub checkup_kind: Option<CheckupKind>,
}

/// How the patient is being cared for (decides consent validity, §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareMode {
    /// 外来 at the reader.
    Outpatient,
    /// 入院.
    Inpatient,
    /// 訪問診療等 (居宅同意取得型).
    HomeVisit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Delivery {
    Screen,
    WithoutConsent,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemRow {
    item: ConsentItem,
    delivery: Delivery,
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(ItemRow);

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlanketRow {
    from: Date,
    #[serde(default)]
    until: Option<Date>,
    status: Status,
    source: String,
    #[serde(default)]
    note: Option<String>,
}
impl_dated!(BlanketRow);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentFile {
    table: Located<String>,
    order: Located<Vec<ConsentItem>>,
    items: Vec<Located<ItemRow>>,
    #[serde(default)]
    blanket: Vec<Located<BlanketRow>>,
}

/// The parsed `consent.yaml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConsentTable {
    order: Vec<ConsentItem>,
    items: Vec<Located<ItemRow>>,
    blanket: Vec<Located<BlanketRow>>,
}

impl ConsentTable {
    /// Parses and checks a consent table.
    pub fn load(name: &str, text: &str) -> Result<ConsentTable, RuleError> {
        let kind = TableKind::Consent;
        let file: ConsentFile = table::parse(kind, name, text)?;
        table::check_table_key(kind, name, &file.table)?;
        let problem = |p| table::problem_error(kind, name, p);
        let order = &file.order.value;
        for (i, item) in order.iter().enumerate() {
            if order[..i].contains(item) {
                return Err(problem(Problem::at(
                    &file.order,
                    format!("consent: `order` lists {item:?} twice"),
                )));
            }
        }
        for row in &file.items {
            if !order.contains(&row.value.item) {
                return Err(problem(Problem::at(
                    row,
                    format!("consent: item {:?} is missing from `order`", row.value.item),
                )));
            }
        }
        table::check_rows("consent item", &file.items, |a, b| a.item == b.item).map_err(problem)?;
        table::check_rows("consent blanket", &file.blanket, |_, _| true).map_err(problem)?;
        Ok(ConsentTable {
            order: file.order.value,
            items: file.items,
            blanket: file.blanket,
        })
    }

    /// Every row's source text (for the source-coverage test).
    #[cfg(test)]
    pub fn sources(&self) -> Vec<&str> {
        let items = self.items.iter().map(|r| r.value.source.as_str());
        items
            .chain(self.blanket.iter().map(|r| r.value.source.as_str()))
            .collect()
    }
}

impl RuleSet {
    /// The consent screens for a confirmation on `on` of a person born on `birth` at an
    /// institution with `settings`; with the certificate in its grace period no screen is shown
    /// and only screen-less non-medical items may be provided (RDR-5).
    pub fn consent_plan(
        &self,
        on: Date,
        birth: Date,
        settings: &InstitutionSettings,
        certificate_in_grace: bool,
    ) -> ConsentPlan {
        let sw = &self.switches;
        let planned = sw.apply_planned_revisions;
        let mut plan = ConsentPlan::default();
        for &item in &self.consent.order {
            let Some(delivery) = self.delivery_on(item, on) else {
                continue;
            };
            if !settings.shows(item) {
                continue;
            }
            if item == ConsentItem::Checkup
                && let Some(min_age) = sw.checkup_screen_min_age
                && reaches_age_on(birth, min_age).is_none_or(|reached| reached > on)
            {
                continue;
            }
            match (delivery, certificate_in_grace) {
                (Delivery::WithoutConsent, true) => {
                    if !item.is_medical() && sw.limit_info_provided_in_grace {
                        plan.provided_without_consent.push(item);
                    }
                }
                (Delivery::Screen, true) => {}
                (Delivery::WithoutConsent, false) => plan.provided_without_consent.push(item),
                (Delivery::Screen, false) => {
                    if item == ConsentItem::Checkup {
                        plan.checkup_kind = Some(match band_on(birth, on) {
                            AgeBand::LateElderly => CheckupKind::LateElderly,
                            _ => CheckupKind::Specific,
                        });
                    }
                    plan.screens.push(item);
                }
            }
        }
        plan.blanket_offered = plan.screens.iter().any(|i| i.is_medical())
            && table::in_force(&self.consent.blanket, on, planned, |_| true).is_some();
        plan
    }

    /// How `item` is delivered on `on`: the dated row with the TSR switch applied (None when no
    /// row is in force).
    fn delivery_on(&self, item: ConsentItem, on: Date) -> Option<Delivery> {
        let sw = &self.switches;
        let row = table::in_force(&self.consent.items, on, sw.apply_planned_revisions, |r| {
            r.item == item
        })?;
        let delivery = row.value.delivery;
        if item == ConsentItem::SpecificDisease
            && delivery == Delivery::WithoutConsent
            && sw.specific_disease_consent_screen_after_2024_10
        {
            return Some(Delivery::Screen);
        }
        Some(delivery)
    }

    /// Whether `item` is provided without a consent screen on `on` (限度額 from 2024-10-07); the
    /// same decision as [`RuleSet::consent_plan`]'s `provided_without_consent`, without building
    /// a plan (the registry asks this for every answer).
    pub fn provided_without_consent(
        &self,
        item: ConsentItem,
        on: Date,
        certificate_in_grace: bool,
    ) -> bool {
        match self.delivery_on(item, on) {
            Some(Delivery::WithoutConsent) => {
                !certificate_in_grace
                    || (!item.is_medical() && self.switches.limit_info_provided_in_grace)
            }
            _ => false,
        }
    }

    /// When a consent granted at `granted` stops being valid in `mode`; `None` = until revoked
    /// or the care ends (discharge, end of the home-care relationship).
    pub fn consent_valid_until(&self, granted: Moment, mode: CareMode) -> Option<Moment> {
        let hours = match mode {
            CareMode::Outpatient => Some(self.switches.outpatient_consent_hours),
            CareMode::Inpatient => self.switches.inpatient_consent_hours,
            CareMode::HomeVisit => self.switches.home_visit_consent_hours,
        }?;
        let end = Span::new()
            .try_hours(i64::from(hours))
            .ok()
            .and_then(|span| granted.plus(span).ok());
        Some(end.unwrap_or(Moment(DateTime::MAX)))
    }
}
