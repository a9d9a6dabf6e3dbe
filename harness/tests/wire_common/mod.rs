//! Helpers shared by the wire tests: the served world, temporary OQS roots, waiting for answer
//! files with a timeout, and request documents.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use onshi_harness::catalog::Catalog;
use onshi_harness::run::execute::build_world;
use onshi_harness::wire::{
    ExchangeLog, FolderConfig, FolderServer, Service, ServiceSettings, SharedWorld,
};
use onshi_sim::World;
use onshi_sim::ids::InstitutionCode;

/// The clinic's 医療機関コード in `tests/wire/world.yaml`.
pub const CLINIC: &str = "1310143217";
/// The other clinic's.
pub const OTHER_CLINIC: &str = "1310590011";

/// The test world, set up and with no step applied.
pub fn world() -> World {
    let scenario =
        onshi_harness::scenario::open(Path::new("tests/wire/world.yaml"), Catalog::builtin())
            .expect("tests/wire/world.yaml loads");
    build_world(&scenario.plan, 1).expect("world builds")
}

/// A service for the clinic's terminal with `tweak` applied to the settings.
pub fn service_with(tweak: impl FnOnce(&mut ServiceSettings)) -> Arc<Service> {
    let mut settings = ServiceSettings::new(InstitutionCode::parse(CLINIC).unwrap());
    tweak(&mut settings);
    Arc::new(Service::new(
        SharedWorld::new(world()),
        ExchangeLog::new(),
        settings,
    ))
}

/// A service with the default settings.
pub fn service() -> Arc<Service> {
    service_with(|_| {})
}

static DIRS: AtomicU64 = AtomicU64::new(0);

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh empty folder under the system temp dir.
    pub fn new(label: &str) -> TempDir {
        let n = DIRS.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("onshi-wire-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until `path` exists (answers appear by rename, so existing means complete).
pub fn wait_for_file(path: &Path, timeout: Duration) -> Option<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(b) = std::fs::read(path) {
            return Some(b);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until `path` is gone.
pub fn wait_gone(path: &Path, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while path.exists() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Writes a request the way careful clients do: a temporary name, then rename into req.
pub fn drop_request(req: &Path, name: &str, bytes: &[u8]) {
    let tmp = req.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, req.join(name)).unwrap();
}

/// Taro's 資格確認 request (UTF-8) with the given identifiers.
pub fn taro_request(afi: &str, arbitrary_identifier: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <QualificationConfirmationDate>20260410</QualificationConfirmationDate>
    <MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>{afi}</ArbitraryFileIdentifier>
  </MessageHeader>
  <MessageBody>
    <QualificationConfirmSearchInfo>
      <InsurerNumber>01130012</InsurerNumber>
      <InsuredCardSymbol>1234</InsuredCardSymbol>
      <InsuredIdentificationNumber>5678</InsuredIdentificationNumber>
      <InsuredBranchNumber>01</InsuredBranchNumber>
      <Birthdate>19800510</Birthdate>
      <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>
      <ArbitraryIdentifier>{arbitrary_identifier}</ArbitraryIdentifier>
    </QualificationConfirmSearchInfo>
  </MessageBody>
</XmlMsg>
"#
    )
}

/// Taro's search body for the web API.
pub fn taro_search_json() -> String {
    format!(
        r#"{{"XmlMsg":{{"MessageHeader":{{"QualificationConfirmationDate":"20260410","MedicalInstitutionCode":"{CLINIC}"}},"MessageBody":{{"QualificationConfirmSearchInfo":{{"InsurerNumber":"01130012","InsuredCardSymbol":"1234","InsuredIdentificationNumber":"5678","Birthdate":"19800510","LimitApplicationCertificateRelatedConsFlg":"1"}}}}}}}}"#
    )
}

/// How long the folder tests wait for an answer.
pub const WAIT: Duration = Duration::from_secs(10);

/// A folder server configuration for tests: short settle, completeness and rescan times.
pub fn config(root: &TempDir) -> FolderConfig {
    let mut c = FolderConfig::new(root.path());
    c.settle = Duration::from_millis(100);
    c.complete_timeout = Duration::from_secs(2);
    c.rescan_interval = Duration::from_millis(200);
    c
}

/// Starts a folder server on `root` with the test configuration.
pub fn start(root: &TempDir, service: &Arc<Service>) -> FolderServer {
    FolderServer::start(config(root), service.clone()).expect("starts")
}
