//! Logs through `tracing`: what onshi did, for a bug report or a vendor's own debugging. The
//! run trace (every message between actors) stays data for the reports; logs are about onshi
//! and the systems under test: adapter messages both ways, OQS files and HTTP exchanges,
//! APDUs (at `trace` level), servers and child processes starting and stopping, one span per
//! scenario and per step.
//!
//! - standard error: `warn` by default, `-v` info, `-vv` debug, `-vvv` trace, or `RUST_LOG`
//!   (for example `RUST_LOG=onshi=debug`), which wins when set;
//! - `--log FILE`: every event at `debug` or more as JSON lines, whatever standard error shows;
//! - `onshi certify` always keeps such a log and puts it into the package (`onshi.log`).
//!
//! Personal data in logs is the synthetic data of the scenarios; a PIN never appears (the data
//! of a VERIFY APDU is not logged, see [`apdu_text`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

/// Where the JSON log of this process goes, when there is one (for `certify`'s package).
static LOG_FILE: OnceLock<PathBuf> = OnceLock::new();

/// The JSON log file of this process, if `--log` (or `certify`) set one up.
pub fn log_file() -> Option<&'static Path> {
    LOG_FILE.get().map(PathBuf::as_path)
}

/// The level standard error shows for `-v` given `verbose` times.
pub fn level_for(verbose: u8) -> LevelFilter {
    match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Sets up logging for the process: standard error at the `-v` level (or `RUST_LOG`), and a
/// JSON-lines file at debug level when `json` is given. Errors name the file.
pub fn init(verbose: u8, json: Option<&Path>) -> Result<(), String> {
    let stderr_filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(v.trim()).map_err(|e| format!("RUST_LOG `{v}`: {e}"))?
        }
        _ => EnvFilter::default().add_directive(level_for(verbose).into()),
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true)
        .with_ansi(crate::cli::colour(std::io::IsTerminal::is_terminal(
            &std::io::stderr(),
        )))
        .with_filter(stderr_filter);
    let file = match json {
        None => None,
        Some(path) => {
            let f = File::create(path).map_err(|e| format!("--log {}: {e}", path.display()))?;
            let _ = LOG_FILE.set(path.to_path_buf());
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(Mutex::new(f))
                    .with_current_span(true)
                    .with_span_list(true)
                    .with_span_events(FmtSpan::NONE)
                    .with_filter(LevelFilter::DEBUG),
            )
        }
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init()
        .map_err(|e| format!("logging: {e}"))
}

/// An APDU for the log: the header in hex and the length of the data, the data itself only
/// for commands that carry nothing secret (never for VERIFY, INS 0x20, whose data is a PIN;
/// nor CHANGE REFERENCE DATA, 0x24, nor RESET RETRY COUNTER, 0x2C).
pub fn apdu_text(apdu: &[u8]) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    if apdu.len() < 4 {
        return format!("{} (short)", hex(apdu));
    }
    let secret = matches!(apdu[1], 0x20 | 0x24 | 0x2C);
    let data = &apdu[4..];
    if secret || data.len() > 64 {
        format!("{} +{} bytes", hex(&apdu[..4]), data.len())
    } else {
        format!("{} {}", hex(&apdu[..4]), hex(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_in_a_verify_apdu_is_never_logged() {
        // VERIFY (INS 20) P2 81 with the PIN "1234" as data.
        let apdu = [0x00, 0x20, 0x00, 0x81, 0x04, b'1', b'2', b'3', b'4'];
        let text = apdu_text(&apdu);
        assert_eq!(text, "00200081 +5 bytes");
        assert!(!text.contains("31323334"));
        // SELECT keeps its data (an application id is no secret).
        assert_eq!(
            apdu_text(&[0x00, 0xA4, 0x04, 0x0C, 0x02, 0xD3, 0x92]),
            "00A4040C 02D392"
        );
    }
}
