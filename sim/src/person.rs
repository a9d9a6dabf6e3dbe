//! People (cardholders): the basic four attributes (基本4情報) and what the simulation needs
//! to decide face matches. All personal data in onshi is synthetic.

use serde::{Deserialize, Serialize};

use crate::clock::Date;
use crate::ids::{CardId, MyNumber, PersonId};
use crate::rules::{IncomeClass, LimitCategory};

/// 性別 as printed on the card and written by the input-support AP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男性, code "1".
    Male,
    /// 女性, code "2".
    Female,
    /// 適用不能, code "9".
    NotApplicable,
}

impl Sex {
    /// The one-character code of the input-support AP ("1", "2" or "9").
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::NotApplicable => "9",
        }
    }

    /// The RFC 3739 gender letter, if there is one.
    pub fn rfc3739_gender(self) -> Option<&'static str> {
        match self {
            Sex::Male => Some("M"),
            Sex::Female => Some("F"),
            Sex::NotApplicable => None,
        }
    }
}

/// One person of the world.
#[derive(Clone, Debug)]
pub struct Person {
    /// Handle.
    pub id: PersonId,
    /// The scenario's name for this person (e.g. `taro`).
    pub key: String,
    /// 個人番号 (synthetic). Lives on the card's input-support AP and in J-LIS; never in a
    /// registry answer, a reader result or a provider record.
    pub my_number: MyNumber,
    /// 氏名: family and given name separated by a full-width space.
    pub name: String,
    /// 氏名カナ: half-width katakana with a half-width space.
    pub kana: String,
    /// 生年月日.
    pub birth: Date,
    /// 性別.
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 郵便番号 `123-4567`.
    pub post_number: String,
    /// The face the camera sees; the card photo carries the template of its issue day.
    pub face_template: u64,
    /// Income class for the copay ratio (現役並み etc.) when no dated period applies.
    pub income: IncomeClass,
    /// 所得区分 by period (re-determined each August from the prior year's income, rules-tables
    /// §2.3), oldest first; a period runs until the next one starts.
    pub income_periods: Vec<IncomePeriod>,
    /// Cards ever issued to this person, oldest first; the last is the current one.
    pub cards: Vec<CardId>,
}

/// One period of a 所得区分 determination: from `from` until the next period starts. Held by the
/// person (their income, any insurer) or by one 資格 (the insurer's own determination).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomePeriod {
    /// First day.
    pub from: Date,
    /// 所得区分 for the 負担割合.
    pub class: IncomeClass,
    /// 限度額適用区分 the insurer registers for the period (A01–A06, B01–B10), if any.
    pub category: Option<LimitCategory>,
}

impl IncomePeriod {
    /// The period of `periods` (oldest first) in force on `on`, with the day the next one
    /// starts.
    pub fn on(periods: &[IncomePeriod], on: Date) -> Option<(&IncomePeriod, Option<Date>)> {
        let i = periods.iter().rposition(|p| p.from <= on)?;
        Some((&periods[i], periods.get(i + 1).map(|n| n.from)))
    }
}

impl Person {
    /// The income class on `on`: the dated period in force, else the base class.
    pub fn income_on(&self, on: Date) -> IncomeClass {
        IncomePeriod::on(&self.income_periods, on).map_or(self.income, |(p, _)| p.class)
    }

    /// The current card, if any was issued.
    pub fn current_card(&self) -> Option<CardId> {
        self.cards.last().copied()
    }
}
