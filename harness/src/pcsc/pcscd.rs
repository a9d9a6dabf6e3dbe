//! A private pcscd with the vpcd driver on private ports, for tests and benchmarks that must
//! neither use nor disturb the machine's own pcscd (or its real readers).
//!
//! pcsc-lite 1.9.9 (Debian bookworm) hard-codes its socket and pid file in `/run/pcscd`
//! (only the client library reads `PCSCLITE_CSOCK_NAME`), and vpcd takes its port from the
//! reader.conf entry. So [`PrivatePcscd::start`]:
//! 1. makes a folder (`run/`, `reader.conf.d/vpcd` naming a free port pair, `pcscd.log`);
//! 2. runs pcscd in a private mount namespace (`unshare --mount`, plus `--map-root-user` when
//!    not root) where the vpcd driver is bind-mounted into that folder, the driver folder
//!    `/usr/lib/pcsc/drivers` is hidden under an empty tmpfs (no USB reader is ever claimed),
//!    and the folder's `run/` is bind-mounted on `/run/pcscd` (on a fresh tmpfs `/run` if the
//!    machine has no `/run/pcscd`);
//! 3. starts `pcscd --foreground --config <folder>/reader.conf.d` there, under
//!    `setpriv --pdeathsig KILL` so it dies with the thread that started it;
//! 4. waits until the socket exists and the pcscd process listens on the port (a port
//!    taken by another program in the meantime means a new try with new ports).
//!
//! Clients reach it by setting `PCSCLITE_CSOCK_NAME` to [`PrivatePcscd::socket`] in their
//! environment before their first PC/SC call (libpcsclite reads it once per process), which
//! is why tests run their PC/SC client as a child process ([`PrivatePcscd::configure_client`]).

use std::fs;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::tcp::slot_addr;

/// The environment variable libpcsclite reads for the daemon's socket path.
pub const SOCKET_ENV: &str = "PCSCLITE_CSOCK_NAME";

/// What to do when something is missing.
pub const SETUP_HINT: &str = "run scripts/pcsc-setup.sh as root (it installs pcscd, vsmartcard-vpcd, pcsc-tools, opensc, opensc-pkcs11 and libpcsclite-dev with apt-get)";

/// Where Debian's vsmartcard-vpcd puts the driver.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// pcscd's driver folder (its `usbdropdir`), hidden inside the namespace.
const DRIVER_DIR: &str = "/usr/lib/pcsc/drivers";

/// Runs inside the private mount namespace; `$1` folder, `$2` pcscd, `$3` vpcd driver,
/// `$4` pcscd's driver folder.
const NAMESPACE_SCRIPT: &str = r#"set -eu
dir=$1; pcscd=$2; driver=$3; drivers=$4
mount --bind "$driver" "$dir/libifdvpcd.so"
mount -t tmpfs -o mode=0755,size=64k onshi-no-drivers "$drivers"
if [ ! -d /run/pcscd ]; then
  mount -t tmpfs -o mode=0755,size=1m onshi-run /run
  mkdir /run/pcscd
fi
mount --bind "$dir/run" /run/pcscd
exec "$pcscd" --foreground --config "$dir/reader.conf.d"
"#;

/// How long start-up may take.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the private pcscd could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PcscdError {
    /// A program or the driver is not installed.
    #[error("{what} not found (looked in {looked}); {hint}", hint = SETUP_HINT)]
    NotInstalled {
        /// What is missing.
        what: &'static str,
        /// Where it was looked for.
        looked: String,
    },
    /// The private folder could not be prepared.
    #[error("could not prepare the private pcscd folder {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The wrapper could not be started at all.
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The error.
        source: io::Error,
    },
    /// pcscd (or the namespace set-up before it) exited during start-up.
    #[error(
        "the private pcscd exited during start-up ({status}); a private mount namespace needs root \
         or unprivileged user namespaces. Its log:\n{log}"
    )]
    Exited {
        /// The exit status.
        status: String,
        /// The tail of its log.
        log: String,
    },
    /// It did not become ready in time.
    #[error(
        "the private pcscd was not ready after {secs:.1} s (socket {socket}, vpcd port {port}); its log:\n{log}",
        secs = .waited.as_secs_f64()
    )]
    NotReady {
        /// Time waited.
        waited: Duration,
        /// The socket that should have appeared.
        socket: PathBuf,
        /// The port vpcd should listen on.
        port: u16,
        /// The tail of its log.
        log: String,
    },
    /// No free pair of ports could be found.
    #[error("found no free pair of TCP ports for vpcd in {tries} tries")]
    NoFreePorts {
        /// Attempts made.
        tries: u32,
    },
}

/// The programs a private pcscd needs, found on this machine.
#[derive(Debug, Clone)]
pub struct Installed {
    /// pcscd.
    pub pcscd: PathBuf,
    /// `unshare` (util-linux).
    pub unshare: PathBuf,
    /// `setpriv` (util-linux).
    pub setpriv: PathBuf,
}

/// Finds pcscd, the vpcd driver, `unshare` and `setpriv`, or says how to install them.
pub fn check_installed() -> Result<Installed, PcscdError> {
    if !Path::new(VPCD_DRIVER).is_file() {
        return Err(PcscdError::NotInstalled {
            what: "the vpcd driver (Debian package vsmartcard-vpcd)",
            looked: VPCD_DRIVER.to_owned(),
        });
    }
    Ok(Installed {
        pcscd: find_program("pcscd", "pcscd (Debian package pcscd)")?,
        unshare: find_program("unshare", "unshare (Debian package util-linux)")?,
        setpriv: find_program("setpriv", "setpriv (Debian package util-linux)")?,
    })
}

fn find_program(name: &str, what: &'static str) -> Result<PathBuf, PcscdError> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for sbin in ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin"] {
        dirs.push(PathBuf::from(sbin));
    }
    dirs.iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| PcscdError::NotInstalled {
            what,
            looked: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(":"),
        })
}

/// A pcscd of our own: private socket, private vpcd ports, killed on drop.
///
/// Drop it in the thread that started it: the daemon is tied to that thread's life
/// (`--pdeathsig`), so that even a test killed mid-way leaves no daemon behind.
#[derive(Debug)]
pub struct PrivatePcscd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl PrivatePcscd {
    /// Starts a private pcscd and waits until it and vpcd are ready (at most ~10 s per try,
    /// up to three tries with fresh ports if another program takes the port meanwhile).
    pub fn start() -> Result<Self, PcscdError> {
        let installed = check_installed()?;
        let mut last = None;
        for attempt in 0..3 {
            let port = free_port_pair(attempt)?;
            match Self::start_on(&installed, port) {
                Ok(daemon) => return Ok(daemon),
                Err(e @ PcscdError::NotReady { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(PcscdError::NoFreePorts { tries: 3 }))
    }

    fn start_on(installed: &Installed, port: u16) -> Result<Self, PcscdError> {
        let dir = private_dir()?;
        let root = dir.path();
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| PcscdError::Io { path, source }
        };
        for sub in ["run", "reader.conf.d"] {
            fs::create_dir(root.join(sub)).map_err(io_err(&root.join(sub)))?;
        }
        let driver = root.join("libifdvpcd.so");
        fs::write(&driver, b"").map_err(io_err(&driver))?;
        let conf = root.join("reader.conf.d/vpcd");
        fs::write(&conf, reader_conf(port, &driver)).map_err(io_err(&conf))?;
        let log_path = root.join("pcscd.log");
        let log = fs::File::create(&log_path).map_err(io_err(&log_path))?;
        let log2 = log.try_clone().map_err(io_err(&log_path))?;

        let mut cmd = Command::new(&installed.unshare);
        if !running_as_root() {
            cmd.arg("--map-root-user");
        }
        cmd.args(["--mount", "--propagation", "private", "--"])
            .arg(&installed.setpriv)
            .args(["--pdeathsig", "KILL", "--", "sh", "-c", NAMESPACE_SCRIPT])
            .arg("onshi-private-pcscd")
            .arg(root)
            .arg(&installed.pcscd)
            .arg(VPCD_DRIVER)
            .arg(DRIVER_DIR)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let child = cmd.spawn().map_err(|source| PcscdError::Spawn {
            program: installed.unshare.display().to_string(),
            source,
        })?;
        let mut daemon = Self { child, port, dir };
        daemon.wait_ready()?;
        Ok(daemon)
    }

    fn wait_ready(&mut self) -> Result<(), PcscdError> {
        let start = Instant::now();
        let socket = self.socket();
        let mut socket_seen: Option<Instant> = None;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(PcscdError::Exited {
                    status: status.to_string(),
                    log: self.log_tail(),
                });
            }
            if socket.exists() {
                if listens_on(self.child.id(), self.port) {
                    return Ok(());
                }
                // vpcd binds its port while pcscd starts: if the socket has been there a while
                // and the port still is not pcscd's, another program took it.
                let seen = *socket_seen.get_or_insert_with(Instant::now);
                if seen.elapsed() > Duration::from_secs(2) {
                    return Err(self.not_ready(start, socket));
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                return Err(self.not_ready(start, socket));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn not_ready(&self, start: Instant, socket: PathBuf) -> PcscdError {
        PcscdError::NotReady {
            waited: start.elapsed(),
            socket,
            port: self.port,
            log: self.log_tail(),
        }
    }

    /// The daemon's socket: the value of `PCSCLITE_CSOCK_NAME` for its clients.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run/pcscd.comm")
    }

    /// Sets the environment a PC/SC client process needs to talk to this daemon.
    pub fn configure_client(&self, cmd: &mut Command) {
        cmd.env(SOCKET_ENV, self.socket());
    }

    /// vpcd's port for reader slot 0 (slot 1 is the next port).
    pub fn vpcd_port(&self) -> u16 {
        self.port
    }

    /// Where a card connects for reader `slot` (0 or 1).
    pub fn slot_addr(&self, slot: u16) -> SocketAddr {
        slot_addr(self.port, slot)
    }

    /// The process id of the daemon.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last few kilobytes of the daemon's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = fs::read(self.dir.path().join("pcscd.log"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let mut cut = text.len().saturating_sub(4000);
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        let mut tail = String::new();
        if cut > 0 {
            tail.push('…');
        }
        tail.push_str(&text[cut..]);
        tail
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        // Already exited is fine; the folder goes with `dir`.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reader.conf entry: vpcd listens on `port` (slot 0) and `port + 1` (slot 1).
fn reader_conf(port: u16, driver: &Path) -> String {
    format!(
        "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:0x{port:04X}\nLIBPATH      {}\nCHANNELID    0x{port:04X}\n",
        driver.display()
    )
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A private folder, never under `/run` (which the namespace may cover with a tmpfs).
fn private_dir() -> Result<tempfile::TempDir, PcscdError> {
    let mut base = std::env::temp_dir();
    if base.starts_with("/run") {
        base = PathBuf::from("/tmp");
    }
    tempfile::Builder::new()
        .prefix("onshi-pcscd-")
        .tempdir_in(&base)
        .map_err(|source| PcscdError::Io { path: base, source })
}

/// Whether process `pid` holds a TCP socket listening on `port` (from `/proc/net/tcp*` and
/// the process's open files), so that a port taken by someone else is not mistaken for vpcd.
fn listens_on(pid: u32, port: u16) -> bool {
    let inodes: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| fs::read_to_string(table).ok())
        .flat_map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|line| listening_inode(line, port))
                .collect::<Vec<_>>()
        })
        .collect();
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok)
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .any(|target| {
            let target = target.to_string_lossy();
            inodes.iter().any(|i| target == format!("socket:[{i}]"))
        })
}

/// The inode of a `/proc/net/tcp` line's socket if it listens (state `0A`) on `port`.
fn listening_inode(line: &str, port: u16) -> Option<String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let local = fields.get(1)?;
    let (_, hex_port) = local.rsplit_once(':')?;
    let listening = fields.get(3)? == &"0A";
    (listening && u16::from_str_radix(hex_port, 16).ok()? == port)
        .then(|| fields.get(9).map(|s| (*s).to_owned()))
        .flatten()
}

/// A port `p` with `p` and `p + 1` free, below Linux's ephemeral range so that outgoing
/// connections do not take it meanwhile.
fn free_port_pair(salt: u32) -> Result<u16, PcscdError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut x = std::process::id() ^ nanos ^ salt.wrapping_mul(0x9E37_79B9);
    const TRIES: u32 = 200;
    for _ in 0..TRIES {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let Ok(p) = u16::try_from(20_000 + (x >> 8) % 12_000) else {
            continue;
        };
        let both = TcpListener::bind((Ipv4Addr::UNSPECIFIED, p))
            .and_then(|a| TcpListener::bind((Ipv4Addr::UNSPECIFIED, p + 1)).map(|b| (a, b)));
        if both.is_ok() {
            return Ok(p);
        }
    }
    Err(PcscdError::NoFreePorts { tries: TRIES })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_conf_names_the_port_in_hex_for_device_and_channel() {
        let conf = reader_conf(35963, Path::new("/x/libifdvpcd.so"));
        assert!(conf.contains("DEVICENAME   /dev/null:0x8C7B\n"), "{conf}");
        assert!(conf.contains("CHANNELID    0x8C7B\n"), "{conf}");
        assert!(conf.contains("LIBPATH      /x/libifdvpcd.so\n"), "{conf}");
    }

    #[test]
    fn a_listener_is_found_with_its_owner() {
        let l = TcpListener::bind("0.0.0.0:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert!(listens_on(std::process::id(), port));
        drop(l);
        assert!(!listens_on(std::process::id(), port));
    }

    #[test]
    fn proc_net_tcp_lines_are_read_by_state_and_port() {
        let line = "   1: 00000000:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_inode(line, 40000), Some("123456".into()));
        assert_eq!(listening_inode(line, 40001), None);
        let established = line.replace(" 0A ", " 01 ");
        assert_eq!(listening_inode(&established, 40000), None);
        assert_eq!(listening_inode("garbage", 40000), None);
    }

    #[test]
    fn free_port_pairs_are_bindable_and_below_the_ephemeral_range() {
        let p = free_port_pair(7).unwrap();
        assert!((20_000..32_000).contains(&p));
    }

    #[test]
    fn missing_pieces_say_to_run_the_setup_script() {
        let e = PcscdError::NotInstalled {
            what: "pcscd",
            looked: "/usr/sbin".into(),
        };
        assert!(e.to_string().contains("scripts/pcsc-setup.sh"));
    }
}
