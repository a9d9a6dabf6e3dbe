//! マイナポータル: account registration with the auth certificate (J-LIS discloses the
//! 住民票コード), insurance-use registration from the app, self-view of 特定健診 / 薬剤 /
//! 医療費通知 within their windows, and proxies acting within their granted scope (PRT-1..4).
//! Outages are the registry's schedule: the portal reads from the same system.

use std::collections::HashMap;

use serde::Serialize;

use crate::clock::Date;
use crate::ids::{PersonId, Serial};
use crate::jlis::CertStatus;
use crate::registry::{Checkup, MedicalRecord, Registry};
use crate::rules::DataKind;
use crate::trace::{Actor, Trace};
use crate::view::View;

/// A portal account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// 住民票コード disclosed by J-LIS at registration (JLIS-4). Synthetic.
    pub resident_code: String,
    /// When the account was made.
    pub registered_at: String,
}

/// A proxy (代理人) grant (規約 第7条).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProxyGrant {
    /// Whose data.
    pub principal: PersonId,
    /// Who may act.
    pub proxy: PersonId,
    /// What they may view.
    pub scope: Vec<DataKind>,
    /// Last day of the grant.
    pub until: Option<Date>,
}

/// Why the portal refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PortalError {
    /// The certificate cannot log in (expired — grace does not cover the portal —, revoked, unknown).
    #[error("the auth certificate cannot be used for マイナポータル: {0}")]
    Certificate(String),
    /// No account.
    #[error("no マイナポータル account")]
    NoAccount,
    /// A proxy asked for something outside the grant.
    #[error("the proxy's grant does not cover {0:?}")]
    OutsideProxyScope(DataKind),
    /// Not a proxy of that person.
    #[error("not a proxy of that person")]
    NotAProxy,
    /// Maintenance, emergency stop or throttling.
    #[error("マイナポータル is unavailable (maintenance or outage)")]
    Unavailable,
    /// This information is not shown on the portal.
    #[error("{0:?} is not viewable on the portal")]
    NotViewable(DataKind),
}

/// What a portal view returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "view", content = "items", rename_all = "snake_case")]
pub enum PortalView {
    /// 薬剤 / 医療費通知 records.
    Records(Vec<MedicalRecord>),
    /// 特定健診 results.
    Checkups(Vec<Checkup>),
}

/// The portal's state.
#[derive(Clone, Debug, Default)]
pub struct Portal {
    accounts: HashMap<PersonId, Account>,
    proxies: Vec<ProxyGrant>,
}

impl Portal {
    /// An empty portal.
    pub fn new() -> Self {
        Portal::default()
    }

    /// The account of `person`.
    pub fn account(&self, person: PersonId) -> Option<&Account> {
        self.accounts.get(&person)
    }

    /// Registers an account with a valid auth certificate (PRT-1, JLIS-4).
    pub fn register_account(
        &mut self,
        v: &View,
        trace: &mut Trace,
        registry: &Registry,
        person: PersonId,
        serial: Serial,
    ) -> Result<(), PortalError> {
        if registry.outage_at(v.now).is_some() {
            return Err(PortalError::Unavailable);
        }
        match v.jlis.status(serial, v.today) {
            CertStatus::Valid { .. } => {}
            other => return Err(PortalError::Certificate(format!("{other:?}"))),
        }
        trace.push(
            v.now,
            Actor::Portal,
            Actor::Jlis,
            "jlis.resident_code",
            Some(person),
            || "住民票コード request".into(),
        );
        let code = v.jlis.resident_code(person);
        trace.push(
            v.now,
            Actor::Jlis,
            Actor::Portal,
            "jlis.resident_code.result",
            Some(person),
            || "住民票コード disclosed".into(),
        );
        self.accounts.entry(person).or_insert(Account {
            resident_code: code,
            registered_at: v.now.to_string(),
        });
        Ok(())
    }

    /// Grants a proxy.
    pub fn grant_proxy(&mut self, grant: ProxyGrant) {
        self.proxies.push(grant);
    }

    /// `viewer` views `subject`'s `kind` data (PRT-2, PRT-3).
    pub fn view(
        &self,
        v: &View,
        trace: &mut Trace,
        registry: &Registry,
        viewer: PersonId,
        subject: PersonId,
        kind: DataKind,
    ) -> Result<PortalView, PortalError> {
        trace.push(
            v.now,
            Actor::Person,
            Actor::Portal,
            "portal.view",
            Some(subject),
            || format!("{kind:?}"),
        );
        let result = self.view_checked(v, registry, viewer, subject, kind);
        trace.push(
            v.now,
            Actor::Portal,
            Actor::Person,
            "portal.view.result",
            Some(subject),
            || match &result {
                Ok(PortalView::Records(r)) => format!("{} record(s)", r.len()),
                Ok(PortalView::Checkups(c)) => format!("{} checkup(s)", c.len()),
                Err(e) => format!("refused: {e}"),
            },
        );
        result
    }

    fn view_checked(
        &self,
        v: &View,
        registry: &Registry,
        viewer: PersonId,
        subject: PersonId,
        kind: DataKind,
    ) -> Result<PortalView, PortalError> {
        if registry.outage_at(v.now).is_some() {
            return Err(PortalError::Unavailable);
        }
        if !self.accounts.contains_key(&viewer) {
            return Err(PortalError::NoAccount);
        }
        if viewer != subject {
            let grant = self
                .proxies
                .iter()
                .find(|g| {
                    g.principal == subject
                        && g.proxy == viewer
                        && g.until.is_none_or(|u| v.today <= u)
                })
                .ok_or(PortalError::NotAProxy)?;
            if !grant.scope.contains(&kind) {
                return Err(PortalError::OutsideProxyScope(kind));
            }
        }
        match kind {
            DataKind::Checkup => Ok(PortalView::Checkups(registry.visible_checkups(v, subject))),
            DataKind::Medication | DataKind::MedicalExpenseNotice | DataKind::Treatment => Ok(
                PortalView::Records(registry.visible_records(v, subject, kind)),
            ),
            other => Err(PortalError::NotViewable(other)),
        }
    }
}
