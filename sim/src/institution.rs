//! Medical institutions and pharmacies as the world knows them: the 医療機関コード, the name and
//! the 利用設定 that decides which consent screens their readers show.

use crate::ids::{InstitutionCode, InstitutionId};
use crate::rules::InstitutionSettings;

/// A medical institution or pharmacy.
#[derive(Clone, Debug)]
pub struct Institution {
    /// Handle.
    pub id: InstitutionId,
    /// Scenario name.
    pub key: String,
    /// 医療機関コード.
    pub code: InstitutionCode,
    /// Name.
    pub name: String,
    /// 利用設定: which consent items its readers show.
    pub settings: InstitutionSettings,
}
