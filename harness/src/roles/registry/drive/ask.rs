//! The questions: each exchange of the reference run put to the registry under test as a
//! terminal, a clinic system or a 資格確認端末 would put it, with the reference's answer
//! rendered the way the service is to answer it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use onshi_sim::World;

use crate::shared::SharedWorld;
use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::jlis::sha256_digest_info;
use onshi_sim::oqs::{
    self, CharacterCode, ConfirmEcho, EncodeOptions, Message as _, encode, to_confirm_response,
};
use onshi_sim::registry::{Answer, CardConfirm, NumberConfirm};

use super::{JSON, RegistryRun, XML};
use crate::roles::registry::client::{Ask, RegistryClient, RegistryFault};
use crate::wire::export::{TerminalFile, TerminalFolder};

/// What asking the registry under test gave: the request as sent and the answer.
pub(super) struct Asked {
    /// The path asked.
    pub(super) path: String,
    /// The request body.
    pub(super) request: Vec<u8>,
    /// The answer as compared (XML; the web API's JSON turned into XML).
    pub(super) bytes: Vec<u8>,
    /// The answer body as it came.
    pub(super) raw: Vec<u8>,
}

/// A question put to the registry under test, with the reference's answer to it.
pub(super) struct Question {
    /// `registry.card` or `registry.numbers`.
    pub(super) name: &'static str,
    /// What was asked, for the verdict.
    pub(super) what: String,
    /// The reference's answer (XML).
    pub(super) reference: Result<Vec<u8>, String>,
    /// Requirements the exchange evidences whatever its fields.
    pub(super) requirements: Vec<&'static str>,
    /// Requirements every difference also evidences (a relink: REG-2, JLIS-3).
    pub(super) also: Vec<&'static str>,
    /// The registry under test's answer, asked twice.
    pub(super) first: Result<Asked, String>,
    pub(super) second: Result<Asked, String>,
}

impl RegistryRun {
    /// A card confirmation. The world is locked only to render the reference's answer and to
    /// sign: never while the service is asked (a service may ask J-LIS over HTTP, which answers
    /// from the same world).
    pub(super) fn card(
        &mut self,
        shared: &SharedWorld,
        request: &CardConfirm,
        answer: &Answer,
    ) -> Question {
        let w = shared.lock();
        let code = institution_code(&w, request.institution);
        let what = format!(
            "card confirmation, serial {}, 医療機関コード {}, 資格確認日 {}, 限度額 consent {}, 特定疾病 consent {}",
            request.serial,
            code.map_or("?".into(), |c| c.digits()),
            request.date,
            yes(request.limit_consent),
            yes(request.disease_consent)
        );
        let mut also = refusal_requirements(answer);
        if answer.relinked_from.is_some() {
            also.extend(["REG-2", "JLIS-3"]);
        }
        // What onshi cannot ask is not the service's failure: the reference side is then an
        // error, and the check a skip that says why.
        let prepared = (|| {
            let code = code.ok_or("the institution is not in the world")?;
            if request.date != answer.processed_at.date() {
                return Err(format!(
                    "the 資格確認日 {} is not the day of the question ({}): the terminal calls carry no date",
                    request.date,
                    answer.processed_at.date()
                ));
            }
            let cert = w.jlis().lookup(request.serial).ok_or_else(|| {
                format!(
                    "serial {} is no certificate of this world's J-LIS",
                    request.serial
                )
            })?;
            let der = w
                .jlis()
                .certificate_der(cert)
                .map_err(|e| format!("the card's certificate: {e}"))?;
            let view = crate::wire::export::view_at(&w, answer.processed_at);
            let response = to_confirm_response(answer, &view, code, &ConfirmEcho::default());
            let reference = encode(&response, EncodeOptions::with_encoding(CharacterCode::Utf8))
                .map(|e| e.bytes)
                .map_err(|e| format!("the reference's answer could not be written: {e}"))?;
            Ok((code, cert, der, reference))
        })();
        drop(w);
        let (code, cert, der, reference) = match prepared {
            Ok(p) => p,
            Err(e) => {
                return Question {
                    name: "registry_under_test.card",
                    what,
                    reference: Err(e.clone()),
                    requirements: vec!["REG-4"],
                    also,
                    first: Err(e.clone()),
                    second: Err(e),
                };
            }
        };
        let body = |client: &RegistryClient,
                    rt: &tokio::runtime::Runtime|
         -> Result<Asked, String> {
            let challenge = rt
                .block_on(client.exchange("/onshi/terminal/challenge", b"{}".to_vec(), JSON))
                .map_err(fault)?;
            let challenge: serde_json::Value = serde_json::from_slice(&challenge.bytes)
                .map_err(|e| format!("the challenge answer is not JSON: {e}"))?;
            let challenge = challenge
                .get("challenge")
                .and_then(|c| c.as_str())
                .and_then(|c| B64.decode(c).ok())
                .ok_or("the challenge answer has no base64 `challenge`")?;
            // The card signs: a short lock of the world, no HTTP under it.
            let signature = shared
                .lock()
                .jlis()
                .sign(cert, &sha256_digest_info(&challenge))
                .map_err(|e| format!("the card could not sign: {e}"))?;
            let confirm = serde_json::json!({
                "medicalInstitutionCode": code.digits(),
                "method": "pin",
                "certificate": B64.encode(&der[..]),
                "challenge": B64.encode(&challenge),
                "signature": B64.encode(&signature),
                "limitConsent": request.limit_consent,
                "diseaseConsent": request.disease_consent,
            });
            let request = confirm.to_string().into_bytes();
            let answer = rt
                .block_on(client.exchange_as("/onshi/terminal/confirm", request.clone(), JSON, XML))
                .map_err(fault)?;
            Ok(Asked {
                path: "/onshi/terminal/confirm".into(),
                request,
                raw: answer.bytes.clone(),
                bytes: answer.bytes,
            })
        };
        let first = body(&self.client, &self.runtime);
        let second = body(&self.client, &self.runtime);
        Question {
            name: "registry_under_test.card",
            what,
            reference: Ok(reference),
            requirements: vec!["REG-4"],
            also,
            first,
            second,
        }
    }

    /// A confirmation by numbers through the web API (the world locked only to render the
    /// reference's answer).
    pub(super) fn numbers(
        &mut self,
        shared: &SharedWorld,
        request: &NumberConfirm,
        answer: &Answer,
    ) -> Question {
        let w = shared.lock();
        let code = institution_code(&w, request.institution);
        self.asked += 1;
        let afi = format!("{:032x}", u128::from(self.asked) * 0x9e37_79b9_7f4a_7c15);
        let what = format!(
            "confirmation by numbers {} {} {} {}, born {}, 医療機関コード {}, 資格確認日 {}, 限度額 consent {}",
            request.numbers.insurer,
            request.numbers.symbol.as_deref().unwrap_or("-"),
            request.numbers.number,
            request.numbers.branch.as_deref().unwrap_or("-"),
            request.birth,
            code.map_or("?".into(), |c| c.digits()),
            request.date,
            yes(request.limit_consent)
        );
        let Some(code) = code else {
            let missing = "the institution is not in the world".to_string();
            return Question {
                name: "registry_under_test.numbers",
                what,
                reference: Err(missing.clone()),
                requirements: vec!["REG-9", "REG-4"],
                also: Vec::new(),
                first: Err(missing.clone()),
                second: Err(missing),
            };
        };
        let req = oqs::confirm_request(
            code,
            request.date,
            &request.numbers,
            request.birth,
            request.limit_consent,
            Some(afi),
        );
        let view = crate::wire::export::view_at(&w, answer.processed_at);
        let reference = encode(
            &oqs::answer_to_request(answer, &view, &req),
            EncodeOptions::with_encoding(CharacterCode::Utf8),
        )
        .map(|e| e.bytes)
        .map_err(|e| format!("the reference's answer could not be written: {e}"));
        drop(w);
        let body = crate::wire::json::message_json(&req.to_element());
        let first = self.search(code, &body);
        let second = self.search(code, &body);
        Question {
            name: "registry_under_test.numbers",
            what,
            reference,
            requirements: vec!["REG-9", "REG-4"],
            also: refusal_requirements(answer),
            first,
            second,
        }
    }

    /// A 薬剤 or 特定健診 request as the 資格確認端末 would have sent it (`files`: the request
    /// and the reference's result), sent to the registry under test as a file. `None` when the
    /// exchange left no files (a kind with no folder exchange, a person with no numbers).
    pub(super) fn data(
        &mut self,
        kind: onshi_sim::rules::DataKind,
        files: &[TerminalFile],
    ) -> Option<Question> {
        let req = files.iter().find(|f| f.folder == TerminalFolder::Req)?;
        let res = files.iter().find(|f| f.folder == TerminalFolder::Res)?;
        let base = match kind {
            onshi_sim::rules::DataKind::Checkup => vec!["REG-7"],
            _ => vec!["REG-8"],
        };
        let what = format!("{} (as the 資格確認端末 sends it)", req.name);
        let path = format!("/onshi/registry/oqs/{}", req.name);
        let ask = |client: &RegistryClient, rt: &tokio::runtime::Runtime| {
            rt.block_on(client.exchange_as(&path, req.bytes.clone(), XML, XML))
                .map(|a| Asked {
                    path: path.clone(),
                    request: req.bytes.clone(),
                    raw: a.bytes.clone(),
                    bytes: a.bytes,
                })
                .map_err(fault)
        };
        let first = ask(&self.client, &self.runtime);
        let second = ask(&self.client, &self.runtime);
        Some(Question {
            name: "registry_under_test.data",
            what,
            reference: Ok(res.bytes.clone()),
            requirements: base,
            also: Vec::new(),
            first,
            second,
        })
    }

    /// Logs in as `code` (once per scenario) and searches with `body`; the JSON answer is
    /// turned into XML for the comparison.
    fn search(&mut self, code: InstitutionCode, body: &str) -> Result<Asked, String> {
        let token = match self.tokens.get(&code) {
            Some(t) => t.clone(),
            None => {
                let login =
                    serde_json::json!({"medicalInstitutionCode": code.digits(), "password": ""});
                let answer = self
                    .runtime
                    .block_on(self.client.exchange(
                        crate::wire::http::LOGIN_PATH,
                        login.to_string().into_bytes(),
                        JSON,
                    ))
                    .map_err(fault)?;
                let v: serde_json::Value = serde_json::from_slice(&answer.bytes)
                    .map_err(|e| format!("the login answer is not JSON: {e}"))?;
                let token = v
                    .pointer("/result/idToken")
                    .and_then(|t| t.as_str())
                    .ok_or("the login answer has no result.idToken")?
                    .to_string();
                self.tokens.insert(code, token.clone());
                token
            }
        };
        let answer = self
            .runtime
            .block_on(self.client.ask(Ask {
                path: crate::wire::http::SEARCH_PATH,
                body: Some((body.as_bytes().to_vec(), JSON)),
                accept: JSON,
                authorization: Some(&token),
            }))
            .map_err(fault)?;
        let value: serde_json::Value = serde_json::from_slice(&answer.bytes)
            .map_err(|e| format!("the search answer is not JSON: {e}"))?;
        let xml = crate::wire::json::request_xml(&value).map_err(|p| {
            format!(
                "the search answer is not an XmlMsg: {}: {}",
                p.path, p.message
            )
        })?;
        Ok(Asked {
            path: crate::wire::http::SEARCH_PATH.into(),
            request: body.as_bytes().to_vec(),
            raw: answer.bytes,
            bytes: xml.into_bytes(),
        })
    }
}

/// The requirements the reference's answer evidences beyond its fields: whatever differs in an
/// answer to the same question breaks them too (a certificate's status is J-LIS's and, past its
/// expiry, the grace period's; an outage the service's announced stop; a registration the
/// person's).
fn refusal_requirements(answer: &Answer) -> Vec<&'static str> {
    use onshi_sim::registry::{AnswerStatus, DataScope, Refusal};
    let mut out = match &answer.status {
        AnswerStatus::Answered => Vec::new(),
        AnswerStatus::Refused(r) => match r {
            Refusal::Outage { .. } => vec!["PRT-4"],
            Refusal::CertificateExpired { .. } => vec!["JLIS-2", "RDR-5"],
            Refusal::CertificateUnknown
            | Refusal::CertificateRevoked { .. }
            | Refusal::CertificatePending { .. } => vec!["JLIS-2"],
            Refusal::NotRegistered | Refusal::RegistrationPending { .. } => vec!["REG-1"],
            _ => Vec::new(),
        },
    };
    if answer.scope != DataScope::Full {
        out.push("RDR-5");
    }
    out
}

pub(super) fn fault(e: RegistryFault) -> String {
    e.to_string()
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub(super) fn text(m: Moment) -> String {
    m.to_string()
}

/// The 医療機関コード of an institution of the world.
fn institution_code(w: &World, id: onshi_sim::ids::InstitutionId) -> Option<InstitutionCode> {
    w.institutions().get(id.index()).map(|i| i.code)
}
