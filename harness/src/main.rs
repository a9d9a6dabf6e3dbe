//! The `onshi` command. See `onshi --help` and README.md.
//!
//! Exit codes: 0 everything passed (or nothing to report), 1 a scenario failed or a lint
//! fired, 2 a usage or input error (a malformed scenario, a missing file).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use onshi_harness::cli;
use onshi_reports::Lang;

#[derive(Parser)]
#[command(
    name = "onshi",
    version = onshi_harness::scenario::library::cli_version(),
    about = "マイナ保険証 / オンライン資格確認 simulation and conformance harness / シミュレーションと適合性試験",
    after_help = "Exit codes: 0 all passed, 1 failures (or lint findings), 2 usage or input error.\n終了コード: 0 すべて合格、1 不合格（または lint の指摘）、2 使い方・入力の誤り。"
)]
struct Cli {
    /// Output language / 表示言語.
    #[arg(long, value_enum, default_value_t = LangArg::Ja, global = true)]
    lang: LangArg,
    /// More log on standard error: -v info, -vv debug, -vvv trace (RUST_LOG wins when set) /
    /// 標準エラーへのログを詳しく.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Also write the log as JSON lines (debug level) to this file / ログを JSON Lines で保存.
    #[arg(long, value_name = "FILE", global = true)]
    log: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum CardAction {
    /// Insert a person's card and serve it until removed / カードをリーダーに置き、外すまで応答する.
    Insert {
        /// The scenario whose world holds the person.
        #[arg(long)]
        scenario: PathBuf,
        /// The person's id in the scenario.
        #[arg(long)]
        person: String,
        /// vpcd reader slot (slot 0, the first reader, is 127.0.0.1:35963; slot N is port 35963+N).
        #[arg(long, default_value = cli::card::DEFAULT_VPCD)]
        vpcd: String,
        /// Also serve the registry's terminal endpoints here (e.g. 127.0.0.1:7070; loopback only
        /// unless --allow-remote).
        #[arg(long)]
        http: Option<String>,
        /// Let --http listen on a non-loopback address (plain HTTP, no password: a warning is printed).
        #[arg(long)]
        allow_remote: bool,
        /// PINs the simulated patient types when the terminal asks (GET /onshi/terminal/patient).
        #[arg(long = "pin")]
        pins: Vec<String>,
        /// Seed (a scenario's own `seed:` wins).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Remove the card served for a vpcd slot / カードを外す.
    Remove {
        /// vpcd reader slot.
        #[arg(long, default_value = cli::card::DEFAULT_VPCD)]
        vpcd: String,
    },
}

#[derive(Subcommand)]
enum ScenariosAction {
    /// Write the built-in library (scenarios and fixtures) into a folder, to read or extend
    /// it; `onshi validate DIR` and `onshi run DIR` then use the copy.
    Export {
        /// The folder (created when absent; must be empty unless --force).
        dir: PathBuf,
        /// Write into a folder that is not empty: the library's files replace files of the
        /// same name, other files stay.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files or folders (default: the scenario library built into onshi)
    /// against the built-in reference; write reports / シナリオを実行してレポートを書く.
    Run(cli::run::RunArgs),
    /// Run the provider suite against a system under test and write a certification package
    /// (reports, traces, every file exchanged, the scenario files, a SHA-256 manifest) /
    /// 試験対象にプロバイダースイートを実行し、認証パッケージを書く.
    Certify(cli::certify::CertifyArgs),
    /// Generate life histories and run them against a system under test (`--adapter`) with
    /// the reference as the oracle, or against the reference's invariants; each difference is
    /// shrunk to a scenario in <out>/found/ (docs/explore.md) / 生成した履歴で探索し、差異を最小の
    /// シナリオにする.
    Explore(cli::explore::ExploreArgs),
    /// Turn the OQS files a clinic saw (face files, requests and results, UTF-8 or Shift_JIS)
    /// into a scenario that restates every answer, personal data replaced (docs/import.md) /
    /// 医療機関で見た OQS ファイルから、回答を再現するシナリオを作る（個人情報は合成値に置換）.
    Import(cli::import::ImportArgs),
    /// Check scenario files without running them (syntax, references, lints) / シナリオを検査する.
    Validate {
        /// Files or folders (default: the scenario library built into onshi).
        paths: Vec<PathBuf>,
    },
    /// List scenarios / シナリオの一覧.
    List {
        /// Files or folders (default: the scenario library built into onshi).
        paths: Vec<PathBuf>,
        /// Only scenarios with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only scenarios citing this requirement id.
        #[arg(long)]
        requirement: Option<String>,
    },
    /// The scenario library built into onshi / 組み込みのシナリオライブラリ.
    Scenarios {
        #[command(subcommand)]
        action: ScenariosAction,
    },
    /// Write a new scenario from a template / 雛形から新しいシナリオを書く.
    New {
        /// Scenario id, `area/short-name`.
        id: String,
        /// File to write (default: scenarios/<id>.yaml).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a starter adapter in Python or TypeScript / アダプタの雛形を書き出す.
    ///
    /// Into an empty folder: a helper for the adapter protocol (docs/adapter-protocol.md) and
    /// a skeleton that passes the handshake, its `visit` left to fill in; prints the
    /// `onshi run --adapter` line to use. / 空のフォルダに、アダプタプロトコルの補助モジュールと
    /// 接続手順を通る雛形（visit は未実装）を書き出し、使う onshi run --adapter の行を表示する.
    NewAdapter {
        /// The starter's language (`--lang` is the output language) / 雛形の言語.
        #[arg(long, value_enum)]
        language: cli::new_adapter::StarterLanguage,
        /// The folder to write (created when absent; must be empty) / 書き出すフォルダ.
        dir: PathBuf,
    },
    /// Print the JSON Schema of scenario files (or of fragments) / JSON Schema を表示する.
    Schema {
        /// The fragment schema instead.
        #[arg(long)]
        fragment: bool,
        /// The adapter protocol's schema instead (docs/adapter-protocol.md).
        #[arg(long, conflicts_with = "fragment")]
        adapter: bool,
    },
    /// Explain a requirement id, a scenario id, or `switches` / 要件・シナリオ・切替を説明する.
    Explain {
        /// REG-2, a scenario id, or `switches`.
        what: String,
        /// Where to look for scenarios (default: scenarios/).
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// Re-render reports from run.json, or merge partitioned runs (`report merge A B ...`) /
    /// レポートを作り直す・分割実行を統合する.
    Report {
        /// run.json, or `merge` followed by run.json files.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Where to write the reports.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// `merge`: merge even when partitions of the run are missing; the report lists
        /// them and is marked partial.
        #[arg(long)]
        allow_partial: bool,
    },
    /// Put a person's virtual card into a vpcd reader (real PC/SC software reads it) and
    /// serve it until `onshi card remove` / 仮想カードを PC/SC のリーダーに置く.
    Card {
        #[command(subcommand)]
        action: CardAction,
    },
    /// Keep a scenario's world running for a terminal under test: commands on standard input
    /// put cards on the vpcd reader and take them off (insert PERSON [PIN...], wait [SECONDS],
    /// remove, status, quit); the registry's terminal endpoints answer over HTTP /
    /// 試験対象の端末のために世界を動かし続ける.
    Serve {
        /// The scenario whose world (its `world:` section and includes) is served.
        #[arg(long)]
        scenario: PathBuf,
        /// vpcd reader slot (slot 0, the first reader, is 127.0.0.1:35963).
        #[arg(long, default_value = cli::card::DEFAULT_VPCD)]
        vpcd: String,
        /// Where the registry's terminal endpoints listen (loopback only unless --allow-remote).
        #[arg(long, default_value = "127.0.0.1:7070")]
        http: String,
        /// Let --http listen on a non-loopback address (plain HTTP, no password: a warning is printed).
        #[arg(long)]
        allow_remote: bool,
        /// Seed (a scenario's own `seed:` wins).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Serve a scenario's world to a clinic system: OQS folders (req/res/face) and/or the web API /
    /// 医療機関システムに OQS フォルダと Web API を提供する.
    ServeOqs {
        /// The scenario whose world (insurers, institutions, people) is served; no step is applied.
        #[arg(long)]
        scenario: PathBuf,
        /// The OQS root: req/, res/ and face/ are created below it.
        #[arg(long)]
        oqs_root: Option<PathBuf>,
        /// Serve the web API here, e.g. 127.0.0.1:8080 (port 0: any free port; loopback only
        /// unless --allow-remote).
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
        /// Let --http listen on a non-loopback address (plain HTTP, no password: a warning is printed).
        #[arg(long)]
        allow_remote: bool,
        /// Seed for every derived value (tokens, reception numbers).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Character code of answer files: utf8 or shift_jis.
        #[arg(long, default_value = "utf8")]
        encoding: String,
        /// Scenario key of the institution whose terminal onshi plays (default: the first).
        #[arg(long)]
        institution: Option<String>,
        /// Move answered requests to <oqs-root>/processed instead of deleting them.
        #[arg(long)]
        keep_requests: bool,
    },
    /// Serve onshi's reference registry as an external service fed by the registry feed (for a
    /// registry adapter; docs/registry-role.md) / 参照レジストリをフィードで動く外部サービスとして提供する.
    ServeRegistry {
        /// Listen here (port 0: any free port; loopback only unless --allow-remote).
        #[arg(long, default_value = "127.0.0.1:0")]
        http: String,
        /// Let --http listen on a non-loopback address (plain HTTP, no password: a warning is printed).
        #[arg(long)]
        allow_remote: bool,
    },
    /// Build a synthetic world, confirm every card once, print a summary / 合成の世界を作り全員を確認する.
    World {
        /// Number of synthetic people.
        #[arg(long, default_value_t = 10_000)]
        people: usize,
        /// Seed for every derived value.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let parsed = Cli::parse();
    // `certify` always keeps a log for its package; elsewhere only with --log.
    let log = parsed.log.clone().or_else(|| {
        matches!(parsed.command, Command::Certify(_))
            .then(|| std::env::temp_dir().join(format!("onshi-certify-{}.log", std::process::id())))
    });
    if let Err(e) = onshi_harness::logging::init(parsed.verbose, log.as_deref()) {
        eprintln!("onshi: {e}");
        return ExitCode::from(cli::EXIT_INPUT);
    }
    let lang = match parsed.lang {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    };
    let temporary_log = parsed.log.is_none().then_some(log.clone()).flatten();
    let code = match parsed.command {
        Command::Run(args) => cli::run::run(lang, args),
        Command::Certify(args) => cli::certify::certify(lang, args),
        Command::Explore(args) => cli::explore::explore(lang, args),
        Command::Import(args) => cli::import::import(lang, args),
        Command::Validate { paths } => cli::validate(lang, &paths),
        Command::List {
            paths,
            tag,
            requirement,
        } => cli::list(lang, &paths, tag.as_deref(), requirement.as_deref()),
        Command::Scenarios {
            action: ScenariosAction::Export { dir, force },
        } => cli::scenarios_export(lang, &dir, force),
        Command::New { id, out } => cli::new(lang, &id, out),
        Command::NewAdapter { language, dir } => {
            cli::new_adapter::new_adapter(lang, language, &dir)
        }
        Command::Schema { fragment, adapter } => cli::schema(fragment, adapter),
        Command::Explain { what, scenarios } => cli::explain(lang, &what, &scenarios),
        Command::Report {
            inputs,
            out,
            allow_partial,
        } => cli::run::report(lang, &inputs, &out, allow_partial),
        Command::ServeOqs {
            scenario,
            oqs_root,
            http,
            seed,
            encoding,
            institution,
            keep_requests,
            allow_remote,
        } => cli::oqs::serve_oqs(
            lang,
            cli::oqs::OqsServeArgs {
                scenario,
                oqs_root,
                http,
                seed,
                encoding,
                institution,
                keep_requests,
                allow_remote,
            },
        ),
        Command::ServeRegistry { http, allow_remote } => {
            cli::registry::serve_registry(lang, &http, allow_remote)
        }
        Command::World { people, seed } => cli::world::world(lang, people, seed),
        Command::Card {
            action:
                CardAction::Insert {
                    scenario,
                    person,
                    vpcd,
                    http,
                    pins,
                    seed,
                    allow_remote,
                },
        } => cli::card::insert(
            &scenario,
            &person,
            &vpcd,
            http.as_deref(),
            pins,
            seed,
            allow_remote,
        ),
        Command::Card {
            action: CardAction::Remove { vpcd },
        } => cli::card::remove(&vpcd),
        Command::Serve {
            scenario,
            vpcd,
            http,
            seed,
            allow_remote,
        } => cli::card::serve(&scenario, &vpcd, &http, seed, allow_remote),
    };
    // certify's own log went into its package; the temporary copy goes.
    if let Some(path) = temporary_log {
        let _ = std::fs::remove_file(path);
    }
    code
}
