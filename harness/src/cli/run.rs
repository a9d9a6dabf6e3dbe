//! `onshi run` and `onshi report`. `run` with no path runs the library built into onshi
//! (`scenario::library`); every record it writes names the library's version in `tool`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use onshi_reports::{Lang, RunRecord};

use super::{EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, colour, render_problem, t};
use crate::adapter::AdapterCommand;
use crate::catalog::Catalog;
use crate::roles::registry::{RegistryLink, RegistryRole, RegistryUnderTest};
use crate::run::execute::{AdapterRun, ProviderRole, TerminalRole};
use crate::run::oqs_files::{OqsFilesSummary, OqsFilesTarget};
use crate::run::{self, Partition, RunOptions};
use crate::scenario::library;

/// Arguments of `onshi run`.
#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    /// Scenario files or folders (folders are searched for *.yaml; `fixtures/` is skipped).
    /// None: the built-in library (`onshi scenarios export DIR` writes it out).
    pub paths: Vec<PathBuf>,
    /// Where to write junit.xml, run.json, report.html and summary.md.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Run seed (a scenario's own `seed:` wins).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run only a share: hash:K/N (by id hash) or slice:K/N (every N-th by id).
    #[arg(long)]
    pub partition: Option<String>,
    /// Wall-clock limit per scenario, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Expected-deviations file of a vendor profile (`deviations: [{scenario, reason}]`).
    #[arg(long)]
    pub deviations: Option<PathBuf>,
    /// Bind the terminal role to a terminal under test: its card reader is this vpcd slot
    /// (host:port, slot 0 is localhost:35963). Scenarios with `terminal: true` put the card
    /// there and wait for the terminal's request; one scenario at a time.
    #[arg(long, value_name = "HOST:PORT")]
    pub terminal_vpcd: Option<String>,
    /// Where the registry's terminal endpoints listen (with --terminal-vpcd).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7070")]
    pub terminal_http: String,
    /// Allow --terminal-http on an address other than loopback (reachable from other
    /// machines, without a password; a warning is printed).
    #[arg(long)]
    pub allow_remote: bool,
    /// Seconds to wait for the terminal's confirmation after the card goes on the reader, at
    /// most 3600 (the per-scenario --timeout becomes at least ten times this). A terminal that
    /// gives up (POST /onshi/terminal/give-up) ends the wait at once.
    #[arg(long, default_value_t = 30.0)]
    pub terminal_wait: f64,
    /// Milliseconds the card stays on the reader after the registry answered (or the terminal
    /// gave up), its APDUs still logged and checked, at most 60000.
    #[arg(long, value_name = "MS", default_value_t = crate::roles::terminal::DEFAULT_SETTLE.as_millis() as u64)]
    pub terminal_settle: u64,
    /// The provider system under test (`--adapter` and its options).
    #[command(flatten)]
    pub adapter: AdapterArgs,
    /// The registry under test (`--registry-adapter` and its options).
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Also write the files the 資格確認端末 would have left for the reference run's
    /// exchanges (face files, OQSsiquc01req/res, YZK/TKK request and result) into
    /// DIR/<scenario>/{req,res,face}/ (docs/oqs-folder.md) / 資格確認端末のファイルも書く
    #[arg(long, value_name = "DIR")]
    pub oqs_files: Option<PathBuf>,
}

/// Binding the provider role to a system under test (`run`, `certify`).
#[derive(clap::Args, Clone, Debug)]
pub struct AdapterArgs {
    /// Bind the provider role to a system under test: its adapter command, run with `sh -c`
    /// once per scenario (docs/adapter-protocol.md). Only the provider suite runs; each
    /// scenario's OQS folders are kept under <out>/exchanges/.
    #[arg(long, value_name = "CMD")]
    pub adapter: Option<String>,
    /// Seconds to wait for each reply of the adapter.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub adapter_timeout: f64,
    /// Serve the OQS folders only, not the web API, to the system under test.
    #[arg(long)]
    pub no_oqs_http: bool,
}

impl AdapterArgs {
    /// The provider role these arguments bind, and how the report describes it.
    pub fn binding(&self, out: &Path) -> Result<Option<(ProviderRole, String)>, String> {
        let Some(command) = &self.adapter else {
            return Ok(None);
        };
        if command.trim().is_empty() {
            return Err("--adapter: give the command that starts the adapter".into());
        }
        if !(self.adapter_timeout.is_finite() && self.adapter_timeout > 0.0) {
            return Err("--adapter-timeout must be a positive number of seconds".into());
        }
        let run = AdapterRun {
            command: AdapterCommand {
                command: command.clone(),
                timeout: Duration::from_secs_f64(self.adapter_timeout),
            },
            exchanges: out.join("exchanges"),
            http: !self.no_oqs_http,
        };
        let how = format!(
            "adapter `{command}`, OQS folders under {}",
            run.exchanges.display()
        );
        Ok(Some((ProviderRole::Adapter(std::sync::Arc::new(run)), how)))
    }
}

/// Binding the registry role to an eligibility service under test (`run`, `certify`).
#[derive(clap::Args, Clone, Debug)]
pub struct RegistryArgs {
    /// Bind the registry role to an eligibility service under test: the command of its registry
    /// adapter, run with `sh -c` once per scenario (docs/registry-role.md). Only the registry
    /// suite runs; every answer is compared with the reference's.
    #[arg(long, value_name = "CMD", conflicts_with = "adapter")]
    pub registry_adapter: Option<String>,
    /// Seconds to wait for each reply of the registry adapter and for each answer of the
    /// service.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub registry_timeout: f64,
}

impl RegistryArgs {
    /// The registry role these arguments bind, and how the report describes it.
    pub fn binding(&self, out: &Path) -> Result<Option<(RegistryRole, String)>, String> {
        let Some(command) = &self.registry_adapter else {
            return Ok(None);
        };
        if command.trim().is_empty() {
            return Err("--registry-adapter: give the command that starts the adapter".into());
        }
        if !(self.registry_timeout.is_finite()
            && self.registry_timeout > 0.0
            && self.registry_timeout <= 3600.0)
        {
            return Err("--registry-timeout must be a number of seconds from 0 to 3600".into());
        }
        let timeout = Duration::from_secs_f64(self.registry_timeout);
        let role = RegistryRole::UnderTest(std::sync::Arc::new(RegistryUnderTest {
            link: RegistryLink::Adapter(AdapterCommand {
                command: command.clone(),
                timeout,
            }),
            timeout,
            exchanges: Some(out.join("exchanges")),
        }));
        Ok(Some((
            role,
            format!(
                "registry adapter `{command}`, questions and answers under {}",
                out.join("exchanges").display()
            ),
        )))
    }
}

/// The report files written into the output folder.
pub const REPORT_FILES: [&str; 4] = ["junit.xml", "run.json", "report.html", "summary.md"];

/// Largest `run.json` `onshi report` reads.
pub const MAX_RECORD_BYTES: u64 = 256 * 1024 * 1024;

/// Removes the reports of an earlier run from `out`, so that a run that dies before it
/// writes its own never leaves an older one looking current. Errors name the file.
pub fn clear_reports(out: &Path) -> Result<(), String> {
    for name in REPORT_FILES {
        let path = out.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(())
}

/// Writes the four reports atomically (temp file, then rename). Errors name the file.
pub fn write_reports(record: &RunRecord, lang: Lang, out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let files = [
        ("junit.xml", onshi_reports::junit::render(record)),
        ("run.json", onshi_reports::json::render(record)),
        ("report.html", onshi_reports::html::render(record, lang)),
        ("summary.md", onshi_reports::markdown::render(record, lang)),
    ];
    for (name, text) in files {
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let path = out.join(name);
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// `onshi run`.
pub fn run(lang: Lang, args: RunArgs) -> ExitCode {
    let partition = match args.partition.as_deref().map(Partition::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("onshi run: --partition {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        eprintln!("onshi run: --timeout must be a positive number of seconds");
        return ExitCode::from(EXIT_INPUT);
    }
    let deviations = match &args.deviations {
        None => Default::default(),
        Some(p) => match run::read_deviations(p) {
            Ok(d) => d,
            Err(p) => {
                warn_raw!("{}", render_problem(&p));
                return ExitCode::from(EXIT_INPUT);
            }
        },
    };
    let mut options = RunOptions {
        seed: args.seed,
        timeout: Duration::from_secs_f64(args.timeout),
        partition,
        deviations,
        progress: std::io::stderr().is_terminal(),
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        if j > run::MAX_JOBS {
            eprintln!(
                "onshi run: --jobs {j}: {} {}",
                t(lang, "上限", "capped at"),
                run::MAX_JOBS
            );
        }
        // run::effective_jobs caps it (and to the work); the note says so up front.
        options.jobs = j;
    }
    let scenarios = match super::default_paths(lang, &args.paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onshi run: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if let Err(e) = clear_reports(&args.out) {
        eprintln!(
            "onshi run: --out: {} ({e})",
            t(
                lang,
                "前回のレポートを削除できません",
                "cannot remove the previous run's reports"
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    if let Some(dir) = &args.oqs_files {
        if args.adapter.adapter.is_some() {
            eprintln!(
                "onshi run: --oqs-files: {}",
                t(
                    lang,
                    "参照実装の実行でだけ使えます (--adapter のときは <out>/exchanges/ にシステムのファイルがあります)",
                    "only for a run against the reference (with --adapter the system's own files are under <out>/exchanges/)"
                )
            );
            return ExitCode::from(EXIT_INPUT);
        }
        match OqsFilesTarget::prepare(dir) {
            Ok(target) => options.oqs_files = Some(std::sync::Arc::new(target)),
            Err(e) => {
                eprintln!(
                    "onshi run: --oqs-files: {} ({e})",
                    t(lang, "フォルダを用意できません", "cannot use the folder")
                );
                return ExitCode::from(EXIT_INPUT);
            }
        }
    }
    match args.adapter.binding(&args.out) {
        Ok(None) => {}
        Ok(Some((role, how))) => {
            say!("provider under test: {how}");
            options.roles.provider = role;
        }
        Err(e) => {
            eprintln!("onshi run: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    }
    match args.registry.binding(&args.out) {
        Ok(None) => {}
        Ok(Some((role, how))) => {
            if args.terminal_vpcd.is_some() || args.oqs_files.is_some() {
                eprintln!(
                    "onshi run: --registry-adapter: {}",
                    t(
                        lang,
                        "--terminal-vpcd や --oqs-files とは同時に使えません (一度にテストするのは一つの役割です)",
                        "not with --terminal-vpcd or --oqs-files (one role under test at a time)"
                    )
                );
                return ExitCode::from(EXIT_INPUT);
            }
            say!("registry under test: {how}");
            say!(
                "{}",
                t(
                    lang,
                    "  registry スイート: REG- / JLIS- / INS- の要件を引くシナリオだけを実行します (terminal: true のシナリオを除く)",
                    "  the registry suite runs: the scenarios citing a REG-, JLIS- or INS- requirement (not terminal: true)"
                )
            );
            options.roles.registry = role;
        }
        Err(e) => {
            eprintln!("onshi run: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    }
    // A terminal under test: one reader, so one scenario at a time, and the registry's
    // terminal endpoints served for the whole run.
    let _server = match &args.terminal_vpcd {
        None => None,
        Some(vpcd) => match super::oqs::check_bind_address(
            "--terminal-http",
            &args.terminal_http,
            args.allow_remote,
        )
        .and_then(|()| {
            start_terminal_role(
                vpcd,
                &args.terminal_http,
                args.terminal_wait,
                args.terminal_settle,
            )
        }) {
            Ok((role, server, how)) => {
                say!("terminal under test: {how}");
                options.roles.terminal = role;
                options.jobs = 1;
                // A scenario may wait for the terminal at several visits: room for ten, each
                // with the card-swap gap, the wait and the settle time.
                options.timeout = options.timeout.max(
                    (Duration::from_secs_f64(args.terminal_wait)
                        + Duration::from_millis(args.terminal_settle)
                        + crate::roles::terminal::desk::CARD_SWAP_GAP)
                        * 10,
                );
                Some(server)
            }
            Err(e) => {
                eprintln!("onshi run: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
        },
    };
    if let Some(line) = scenarios.announce(lang) {
        say!("{line}");
    }
    let mut result = match run::run(&scenarios.paths, Catalog::builtin(), &options) {
        Ok(r) => r,
        Err(p) => {
            warn_raw!("{}", render_problem(&p));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    result.record.tool = library::tool(scenarios.origin());
    for p in &result.problems {
        warn_raw!("{}", render_problem(p));
    }
    say_raw!(
        "{}",
        onshi_reports::terminal::render(
            &result.record,
            lang,
            colour(std::io::stdout().is_terminal())
        )
    );
    if result.record.scenarios.is_empty() && result.problems.is_empty() {
        eprintln!(
            "onshi run: {}",
            t(
                lang,
                "シナリオがありません (レポートは書きません)",
                "no scenarios found (no reports written)"
            )
        );
        return ExitCode::from(EXIT_INPUT);
    }
    if let Err(e) = write_reports(&result.record, lang, &args.out) {
        eprintln!(
            "onshi run: {}: {e}",
            t(lang, "レポートを書き込めません", "cannot write the reports")
        );
        return ExitCode::from(EXIT_INPUT);
    }
    say!(
        "{} {}",
        t(lang, "レポート:", "reports:"),
        REPORT_FILES
            .iter()
            .map(|f| args.out.join(f).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let files_failed = options
        .oqs_files
        .as_ref()
        .is_some_and(|target| say_oqs_files(lang, &target.summary()));
    if let Some(signal) = &result.record.interrupted {
        eprintln!(
            "onshi run: {}",
            match lang {
                Lang::Ja => format!("{signal} で中断しました。完了したシナリオの結果を書きました"),
                Lang::En => format!(
                    "interrupted by {signal}; the results of the finished scenarios were written"
                ),
            }
        );
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    ExitCode::from(if !result.problems.is_empty() || files_failed {
        EXIT_INPUT
    } else if result.record.passed() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// The closing line of `--oqs-files` (and, on standard error, what could not be written and
/// the exchanges that left no file); true when a file could not be written.
fn say_oqs_files(lang: Lang, s: &OqsFilesSummary) -> bool {
    say!(
        "{}",
        match lang {
            Lang::Ja => format!(
                "OQS ファイル: {} シナリオ、{} ファイル ({}/<シナリオ>/{{req,res,face}}/)",
                s.scenarios,
                s.files,
                s.dir.display()
            ),
            Lang::En => format!(
                "OQS files: {} files of {} scenarios ({}/<scenario>/{{req,res,face}}/)",
                s.files,
                s.scenarios,
                s.dir.display()
            ),
        }
    );
    for note in &s.notes {
        eprintln!(
            "onshi run: --oqs-files: {} {note}",
            t(lang, "ファイルなし:", "no file:")
        );
    }
    for e in &s.errors {
        eprintln!(
            "onshi run: --oqs-files: {} {e}",
            t(lang, "書き込めません:", "cannot write:")
        );
    }
    !s.errors.is_empty()
}

/// Reads a `run.json`: a regular file of at most [`MAX_RECORD_BYTES`] (so `/dev/zero` or a
/// FIFO is an error, not a hang or an exhausted memory).
fn read_record(path: &Path) -> Result<RunRecord, String> {
    let text = read_bounded(path, MAX_RECORD_BYTES, "a run record")?;
    onshi_reports::json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The UTF-8 text of a regular file of at most `max` bytes (`what` names it in the errors),
/// read through a limit so a file that grows meanwhile cannot take more. Errors name the file.
pub(crate) fn read_bounded(path: &Path, max: u64, what: &str) -> Result<String, String> {
    let bytes = read_bounded_bytes(path, max, what)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 (first bad byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The bytes of a regular file of at most `max` bytes (`what` names it in the error): the size
/// is checked before reading and the read stops one byte past the limit, so a file that grows
/// while it is read is refused too.
pub(crate) fn read_bounded_bytes(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    if meta.len() > max {
        return Err(format!(
            "{shown}: {} bytes, more than the {max} bytes {what} may have",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{shown}: more than the {max} bytes {what} may have"
        ));
    }
    Ok(bytes)
}

/// `onshi report run.json` / `onshi report merge a.json b.json ...`.
pub fn report(lang: Lang, inputs: &[String], out: &Path, allow_partial: bool) -> ExitCode {
    // Exploration records (`explore.json`) re-render and merge the same way.
    let files = match inputs.first().map(String::as_str) {
        Some("merge") => &inputs[1..],
        _ => inputs,
    };
    if !files.is_empty()
        && files
            .iter()
            .all(|f| super::explore::is_explore_record(Path::new(f)))
    {
        return super::explore::report(lang, inputs, out, allow_partial);
    }
    let record = if inputs.first().map(String::as_str) == Some("merge") {
        if inputs.len() < 2 {
            eprintln!(
                "onshi report merge: {}",
                t(
                    lang,
                    "run.json を1つ以上指定してください",
                    "give one or more run.json files"
                )
            );
            return ExitCode::from(EXIT_INPUT);
        }
        let mut parts = Vec::new();
        for p in &inputs[1..] {
            match read_record(Path::new(p)) {
                Ok(r) => parts.push(r),
                Err(e) => {
                    eprintln!("onshi report merge: {e}");
                    return ExitCode::from(EXIT_INPUT);
                }
            }
        }
        let merged = if allow_partial {
            onshi_reports::merge::merge_allowing_partial(parts)
        } else {
            onshi_reports::merge::merge(parts)
        };
        match merged {
            Ok(r) => r,
            Err(e) => {
                eprintln!("onshi report merge: {}", e.message(lang));
                return ExitCode::from(EXIT_INPUT);
            }
        }
    } else {
        if inputs.len() != 1 {
            eprintln!(
                "onshi report: {}",
                t(
                    lang,
                    "run.json を1つ指定するか、merge を使ってください",
                    "give one run.json, or use `report merge`"
                )
            );
            return ExitCode::from(EXIT_INPUT);
        }
        match read_record(Path::new(&inputs[0])) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("onshi report: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
        }
    };
    say_raw!(
        "{}",
        onshi_reports::terminal::render(&record, lang, colour(std::io::stdout().is_terminal()))
    );
    if let Err(e) = write_reports(&record, lang, out) {
        eprintln!(
            "onshi report: {}: {e}",
            t(lang, "レポートを書き込めません", "cannot write the reports")
        );
        return ExitCode::from(EXIT_INPUT);
    }
    if !record.missing_partitions.is_empty() {
        eprintln!(
            "onshi report merge: {} {}",
            t(
                lang,
                "一部のみの統合です。欠けている分割:",
                "partial merge; missing partitions:"
            ),
            record.missing_partitions.join(", ")
        );
    }
    ExitCode::from(if record.passed() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// Starts the terminal endpoints on their own runtime thread and describes the binding.
fn start_terminal_role(
    vpcd: &str,
    http: &str,
    wait: f64,
    settle_ms: u64,
) -> Result<(TerminalRole, crate::roles::terminal::server::Server, String), String> {
    use crate::roles::terminal::{MAX_SETTLE, MAX_WAIT};
    use std::net::ToSocketAddrs;
    let vpcd_addr = vpcd
        .to_socket_addrs()
        .map_err(|e| format!("--terminal-vpcd `{vpcd}`: {e}"))?
        .next()
        .ok_or_else(|| format!("--terminal-vpcd `{vpcd}`: no address"))?;
    if !(wait.is_finite() && wait > 0.0 && wait <= MAX_WAIT.as_secs_f64()) {
        return Err(format!(
            "--terminal-wait must be a positive number of seconds, at most {}",
            MAX_WAIT.as_secs()
        ));
    }
    let settle = Duration::from_millis(settle_ms);
    if settle > MAX_SETTLE {
        return Err(format!(
            "--terminal-settle must be a number of milliseconds from 0 to {}",
            MAX_SETTLE.as_millis()
        ));
    }
    let desk = std::sync::Arc::new(crate::roles::terminal::desk::Desk::new());
    let server = crate::roles::terminal::server::Server::start(http, std::sync::Arc::clone(&desk))
        .map_err(|e| format!("--terminal-http `{http}`: {e}"))?;
    let how = format!(
        "card in vpcd {vpcd_addr}, registry endpoints at http://{}/onshi/terminal/",
        server.addr()
    );
    Ok((
        TerminalRole::Pcsc {
            desk,
            vpcd: vpcd_addr,
            wait: Duration::from_secs_f64(wait),
            settle,
            endpoints: server.addr(),
        },
        server,
        how,
    ))
}
