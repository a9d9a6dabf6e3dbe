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
    version,
    about = "マイナ保険証 / オンライン資格確認 simulation and conformance harness",
    after_help = "Exit codes: 0 all passed, 1 failures (or lint findings), 2 usage or input error."
)]
struct Cli {
    /// Output language / 表示言語.
    #[arg(long, value_enum, default_value_t = LangArg::Ja, global = true)]
    lang: LangArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files or folders against the built-in reference; write reports.
    Run {
        /// Scenario files or folders (folders are searched for *.yaml; `fixtures/` is skipped).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write junit.xml, run.json, report.html and summary.md.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Run seed (a scenario's own `seed:` wins).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run only a share: hash:K/N (by id hash) or slice:K/N (every N-th by id).
        #[arg(long)]
        partition: Option<String>,
        /// Wall-clock limit per scenario, in seconds.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// Scenarios run at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Expected-deviations file of a vendor profile (`deviations: [{scenario, reason}]`).
        #[arg(long)]
        deviations: Option<PathBuf>,
    },
    /// Check scenario files without running them (syntax, references, lints).
    Validate {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List scenarios.
    List {
        /// Files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
        /// Only scenarios with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only scenarios citing this requirement id.
        #[arg(long)]
        requirement: Option<String>,
    },
    /// Write a new scenario from a template.
    New {
        /// Scenario id, `area/short-name`.
        id: String,
        /// File to write (default: scenarios/<id>.yaml).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the JSON Schema of scenario files (or of fragments).
    Schema {
        /// The fragment schema instead.
        #[arg(long)]
        fragment: bool,
    },
    /// Explain a requirement id, a scenario id, or `switches`.
    Explain {
        /// REG-2, a scenario id, or `switches`.
        what: String,
        /// Where to look for scenarios (default: scenarios/).
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// Re-render reports from run.json, or merge partitioned runs (`report merge A B ...`).
    Report {
        /// run.json, or `merge` followed by run.json files.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Where to write the reports.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
    },
    /// Serve a scenario's world to a clinic system: OQS folders (req/res/face) and/or the web API.
    ServeOqs {
        /// The scenario whose world (insurers, institutions, people) is served; no step is applied.
        #[arg(long)]
        scenario: PathBuf,
        /// The OQS root: req/, res/ and face/ are created below it.
        #[arg(long)]
        oqs_root: Option<PathBuf>,
        /// Serve the web API here, e.g. 127.0.0.1:8080 (port 0: any free port).
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
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
    /// Build a synthetic world, confirm every card once, print a summary.
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
    let lang = match parsed.lang {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    };
    match parsed.command {
        Command::Run {
            paths,
            out,
            seed,
            partition,
            timeout,
            jobs,
            deviations,
        } => cli::run::run(
            lang,
            cli::run::RunArgs {
                paths,
                out,
                seed,
                partition,
                timeout,
                jobs,
                deviations,
            },
        ),
        Command::Validate { paths } => cli::validate(lang, &paths),
        Command::List {
            paths,
            tag,
            requirement,
        } => cli::list(lang, &paths, tag.as_deref(), requirement.as_deref()),
        Command::New { id, out } => cli::new(lang, &id, out),
        Command::Schema { fragment } => cli::schema(fragment),
        Command::Explain { what, scenarios } => cli::explain(lang, &what, &scenarios),
        Command::Report { inputs, out } => cli::run::report(lang, &inputs, &out),
        Command::ServeOqs {
            scenario,
            oqs_root,
            http,
            seed,
            encoding,
            institution,
            keep_requests,
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
            },
        ),
        Command::World { people, seed } => cli::world::world(lang, people, seed),
    }
}
