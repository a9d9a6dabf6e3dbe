//! The card side of vpcd over TCP: connect (retrying while vpcd is not up yet), then answer
//! frames on a blocking thread per reader slot until vpcd hangs up or the owner stops it.
//!
//! Why hand-written rather than the `vpicc` crate: its connection reads with `read_exact`
//! on a stream it owns, so there is no place to re-arm `TCP_QUICKACK` before each read, and
//! without that every command waits out a delayed ACK. vpcd writes a frame's length and its
//! payload in two `send` calls with Nagle on, so the payload leaves only once the length
//! segment is acknowledged; a card side in Linux's delayed-ACK mode answers ~21 APDU/s
//! (about 40 ms per command). So this side:
//! - sets `TCP_NODELAY`, so its own answers leave at once;
//! - sets `TCP_QUICKACK` before every read (Linux clears it again on its own), so vpcd's
//!   length segment is acknowledged immediately and its payload follows;
//! - writes each answer (length and payload together) in one `write`.
//!
//! A blocking thread per slot keeps latency low and the code plain; vpcd talks to one card
//! per slot, one command at a time, so there is nothing to multiplex.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use socket2::SockRef;

use super::VirtualIcc;
use super::frame::{DEFAULT_PORT, ProtocolError};
use super::session::{Session, SessionStats};

/// Where vpcd listens for reader slot `slot` on this machine (slot N is port 35963 + N).
pub fn vpcd_addr(slot: u16) -> SocketAddr {
    slot_addr(DEFAULT_PORT, slot)
}

/// Where a vpcd whose slot 0 listens on `base_port` listens for `slot`, on this machine.
pub fn slot_addr(base_port: u16, slot: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, base_port.saturating_add(slot)))
}

/// How long to keep trying to reach vpcd, which may not be up yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Give up after this long.
    pub timeout: Duration,
    /// Wait this long between attempts.
    pub interval: Duration,
}

impl Default for RetryPolicy {
    /// Ten seconds, trying every 50 ms.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            interval: Duration::from_millis(50),
        }
    }
}

/// Why a session ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// vpcd closed the connection (pcscd stopped, or the slot was closed).
    PeerClosed,
    /// The owner of the slot asked it to stop.
    Stopped,
}

/// How a session ended, and what it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionEnd {
    /// Why it ended.
    pub reason: EndReason,
    /// What it answered.
    pub stats: SessionStats,
}

/// Everything that can go wrong on the card side of vpcd.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    /// vpcd did not accept a connection in time.
    #[error(
        "could not reach vpcd at {addr} within {secs:.1} s ({attempts} attempts; last error: {source}); \
         is pcscd running with the vpcd driver on that port? On Debian, as root: scripts/pcsc-setup.sh --start",
        secs = .waited.as_secs_f64()
    )]
    Unreachable {
        /// The address tried.
        addr: SocketAddr,
        /// Connection attempts made.
        attempts: u32,
        /// Time spent trying.
        waited: Duration,
        /// The last attempt's error.
        source: io::Error,
    },
    /// Reading, writing or setting up the socket failed.
    #[error("socket error with vpcd at {addr}: {source}")]
    Io {
        /// The peer.
        addr: SocketAddr,
        /// The error.
        source: io::Error,
    },
    /// The peer broke the vpcd protocol, or the card answered something it cannot carry.
    #[error("vpcd at {addr}: {source}")]
    Protocol {
        /// The peer.
        addr: SocketAddr,
        /// What was wrong.
        source: ProtocolError,
    },
    /// The card panicked while answering.
    #[error("the card serving vpcd at {addr} panicked")]
    CardPanicked {
        /// The peer.
        addr: SocketAddr,
    },
    /// The slot's thread could not be started.
    #[error("could not start the thread for vpcd slot {addr}: {source}")]
    Spawn {
        /// The slot.
        addr: SocketAddr,
        /// The error.
        source: io::Error,
    },
}

/// Connects to vpcd at `addr`, retrying refused connections until `policy.timeout`; returns
/// `None` if `stop` is raised first.
pub fn connect(
    addr: SocketAddr,
    policy: &RetryPolicy,
    stop: &AtomicBool,
) -> Result<Option<TcpStream>, VpcdError> {
    let start = Instant::now();
    let mut attempts = 0;
    loop {
        if stop.load(Ordering::Acquire) {
            return Ok(None);
        }
        attempts += 1;
        let left = policy.timeout.saturating_sub(start.elapsed());
        let attempt = TcpStream::connect_timeout(&addr, left.max(Duration::from_millis(1)));
        match attempt {
            Ok(stream) => return Ok(Some(stream)),
            Err(source) if start.elapsed() + policy.interval >= policy.timeout => {
                return Err(VpcdError::Unreachable {
                    addr,
                    attempts,
                    waited: start.elapsed(),
                    source,
                });
            }
            Err(_) => thread::sleep(policy.interval),
        }
    }
}

/// Sets the socket options the latency depends on (see the module documentation).
fn tune(stream: &TcpStream) -> io::Result<()> {
    SockRef::from(stream).set_tcp_nodelay(true)?;
    rearm_quickack(stream)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn rearm_quickack(stream: &TcpStream) -> io::Result<()> {
    SockRef::from(stream).set_tcp_quickack(true)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn rearm_quickack(_stream: &TcpStream) -> io::Result<()> {
    Ok(())
}

/// Whether an I/O error means vpcd went away (rather than something to report).
fn is_hang_up(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

/// Answers vpcd on `stream` until it hangs up (or `stop` is raised and the stream shut down).
pub fn serve<C: VirtualIcc>(
    stream: &mut TcpStream,
    session: &mut Session<C>,
    stop: &AtomicBool,
) -> Result<SessionEnd, VpcdError> {
    let addr = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)));
    let io_err = |source| VpcdError::Io { addr, source };
    let protocol = |source| VpcdError::Protocol { addr, source };
    tune(stream).map_err(io_err)?;
    let mut buf = vec![0u8; 8192];
    let mut out = Vec::with_capacity(512);
    loop {
        // A latency hint only: if the socket is going away, the read below says so.
        let _ = rearm_quickack(stream);
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if stop.load(Ordering::Acquire) || is_hang_up(&e) => 0,
            Err(e) => return Err(io_err(e)),
        };
        if n == 0 {
            if stop.load(Ordering::Acquire) {
                return Ok(ended(session, EndReason::Stopped));
            }
            session.finish().map_err(protocol)?;
            return Ok(ended(session, EndReason::PeerClosed));
        }
        session
            .receive(buf.get(..n).unwrap_or_default(), &mut out)
            .map_err(protocol)?;
        if !out.is_empty() {
            match stream.write_all(&out) {
                Ok(()) => out.clear(),
                Err(e) if is_hang_up(&e) => return Ok(ended(session, EndReason::PeerClosed)),
                Err(e) => return Err(io_err(e)),
            }
        }
    }
}

fn ended<C: VirtualIcc>(session: &Session<C>, reason: EndReason) -> SessionEnd {
    SessionEnd {
        reason,
        stats: session.stats(),
    }
}

/// A card inserted in one vpcd reader slot, answered on its own thread.
///
/// Dropping the slot stops it and waits for the thread.
#[derive(Debug)]
pub struct CardSlot {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stream: Arc<Mutex<Option<TcpStream>>>,
    thread: Option<JoinHandle<Result<SessionEnd, VpcdError>>>,
}

impl CardSlot {
    /// Starts a thread that connects to vpcd at `addr` (retrying per `policy`) and answers it
    /// with `card` until vpcd hangs up or the slot is stopped.
    pub fn spawn<C: VirtualIcc + 'static>(
        card: C,
        addr: SocketAddr,
        policy: RetryPolicy,
    ) -> Result<Self, VpcdError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stream: Arc<Mutex<Option<TcpStream>>> = Arc::default();
        let (t_stop, t_stream) = (Arc::clone(&stop), Arc::clone(&stream));
        let thread = thread::Builder::new()
            .name(format!("vpcd-card-{}", addr.port()))
            .spawn(move || run_slot(card, addr, policy, &t_stop, &t_stream))
            .map_err(|source| VpcdError::Spawn { addr, source })?;
        Ok(Self {
            addr,
            stop,
            stream,
            thread: Some(thread),
        })
    }

    /// The vpcd address this slot connects to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the card has reached vpcd: its connection was accepted. Stays true after the
    /// session ends; false while still connecting, and for good when vpcd was never reached.
    pub fn reached_vpcd(&self) -> bool {
        self.stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Whether the thread has ended (vpcd hung up, or an error).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the slot (the card is "removed") and returns how its session ended.
    pub fn stop(mut self) -> Result<SessionEnd, VpcdError> {
        self.signal_stop();
        self.join_thread()
    }

    /// Waits for the session to end by itself (vpcd hangs up), without stopping it.
    pub fn wait(mut self) -> Result<SessionEnd, VpcdError> {
        self.join_thread()
    }

    fn signal_stop(&self) {
        self.stop.store(true, Ordering::Release);
        let guard = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(stream) = guard.as_ref() {
            // Wakes the blocked read; an error here means the socket is already gone.
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn join_thread(&mut self) -> Result<SessionEnd, VpcdError> {
        let addr = self.addr;
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or(Err(VpcdError::CardPanicked { addr })),
            None => Ok(SessionEnd {
                reason: EndReason::Stopped,
                stats: SessionStats::default(),
            }),
        }
    }
}

impl Drop for CardSlot {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.signal_stop();
            let _ = self.join_thread();
        }
    }
}

fn run_slot<C: VirtualIcc>(
    card: C,
    addr: SocketAddr,
    policy: RetryPolicy,
    stop: &AtomicBool,
    shared: &Mutex<Option<TcpStream>>,
) -> Result<SessionEnd, VpcdError> {
    let mut session = Session::new(card);
    let stopped = || SessionEnd {
        reason: EndReason::Stopped,
        stats: SessionStats::default(),
    };
    let Some(mut stream) = connect(addr, &policy, stop)? else {
        return Ok(stopped());
    };
    {
        let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
        let clone = stream
            .try_clone()
            .map_err(|source| VpcdError::Io { addr, source })?;
        *guard = Some(clone);
    }
    // A stop raised between connect and publishing the stream would otherwise be missed.
    if stop.load(Ordering::Acquire) {
        let _ = stream.shutdown(Shutdown::Both);
        return Ok(stopped());
    }
    serve(&mut stream, &mut session, stop)
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::pcsc::frame::{self, Decoder};
    use crate::pcsc::test_card::{JPKI_AID, TestCard};

    fn read_frame(s: &mut TcpStream, d: &mut Decoder) -> Vec<u8> {
        let mut buf = [0u8; 1024];
        loop {
            if let Some(f) = d.next_frame() {
                return f.to_vec();
            }
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "card side closed");
            d.push(&buf[..n]);
        }
    }

    fn send(s: &mut TcpStream, payload: &[u8]) {
        // Like vpcd: the length and the payload in two writes.
        let mut f = Vec::new();
        frame::encode(payload, &mut f).unwrap();
        s.write_all(&f[..2]).unwrap();
        s.write_all(&f[2..]).unwrap();
    }

    /// `accept` with a deadline, so a card side that never connects fails the test.
    fn accept(l: &TcpListener) -> TcpStream {
        l.set_nonblocking(true).unwrap();
        let start = Instant::now();
        loop {
            match l.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    return s;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    assert!(start.elapsed() < Duration::from_secs(10), "no card came");
                    thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        }
    }

    fn fake_vpcd() -> (TcpListener, SocketAddr) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        (l, a)
    }

    #[test]
    fn answers_a_fake_vpcd_and_ends_cleanly_when_it_hangs_up() {
        let (listener, addr) = fake_vpcd();
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let mut s = accept(&listener);
        let mut d = Decoder::new();
        send(&mut s, &[1]);
        send(&mut s, &[4]);
        assert_eq!(read_frame(&mut s, &mut d), TestCard::ATR);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
        select.extend_from_slice(&JPKI_AID);
        send(&mut s, &select);
        assert_eq!(read_frame(&mut s, &mut d), [0x90, 0x00]);
        drop(s);
        let end = slot.wait().unwrap();
        assert_eq!(end.reason, EndReason::PeerClosed);
        assert_eq!(end.stats.apdus, 1);
        assert_eq!(end.stats.controls, 2);
    }

    #[test]
    fn waits_for_vpcd_to_come_up() {
        // Find a free port, release it, and only listen there after the card started trying.
        let (listener, addr) = fake_vpcd();
        drop(listener);
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        thread::sleep(Duration::from_millis(200));
        let listener = TcpListener::bind(addr).unwrap();
        let s = accept(&listener);
        drop(s);
        assert_eq!(slot.wait().unwrap().reason, EndReason::PeerClosed);
    }

    #[test]
    fn gives_up_with_a_message_that_says_what_to_do() {
        let (listener, addr) = fake_vpcd();
        drop(listener);
        let policy = RetryPolicy {
            timeout: Duration::from_millis(200),
            interval: Duration::from_millis(20),
        };
        let err = CardSlot::spawn(TestCard::new(), addr, policy)
            .unwrap()
            .wait()
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&addr.to_string()), "{msg}");
        assert!(msg.contains("pcsc-setup.sh"), "{msg}");
    }

    #[test]
    fn a_truncated_frame_at_hang_up_is_reported() {
        let (listener, addr) = fake_vpcd();
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let mut s = accept(&listener);
        s.write_all(&[0x00, 0x05, 0x00, 0xB0]).unwrap();
        drop(s);
        let err = slot.wait().unwrap_err();
        assert!(
            matches!(
                err,
                VpcdError::Protocol {
                    source: ProtocolError::Truncated { have: 4, want: 7 },
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_zero_length_frame_is_reported() {
        let (listener, addr) = fake_vpcd();
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let mut s = accept(&listener);
        s.write_all(&[0x00, 0x00]).unwrap();
        let err = slot.wait().unwrap_err();
        assert!(err.to_string().contains("length 0"), "{err}");
    }

    #[test]
    fn stop_removes_the_card_while_vpcd_is_idle() {
        let (listener, addr) = fake_vpcd();
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let mut s = accept(&listener);
        send(&mut s, &[1]);
        // Let the power-on arrive before stopping, so the count is deterministic.
        send(&mut s, &[4]);
        read_frame(&mut s, &mut Decoder::new());
        let end = slot.stop().unwrap();
        assert_eq!(end.reason, EndReason::Stopped);
        assert_eq!(end.stats.controls, 2);
        let mut buf = [0u8; 4];
        assert_eq!(s.read(&mut buf).unwrap(), 0, "vpcd sees the card go away");
    }

    /// Polls `cond` every 5 ms for up to 10 s.
    fn eventually(cond: impl Fn() -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if cond() {
                return true;
            }
            thread::sleep(Duration::from_millis(5));
        }
        cond()
    }

    #[test]
    fn reached_vpcd_says_whether_the_connection_was_ever_made() {
        let (listener, addr) = fake_vpcd();
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let s = accept(&listener);
        assert!(eventually(|| slot.reached_vpcd()));
        drop(s);
        assert!(eventually(|| slot.is_finished()));
        assert!(slot.reached_vpcd(), "still true after the session ended");
        assert_eq!(slot.wait().unwrap().reason, EndReason::PeerClosed);

        let (listener, addr) = fake_vpcd();
        drop(listener);
        let policy = RetryPolicy {
            timeout: Duration::from_millis(200),
            interval: Duration::from_millis(20),
        };
        let slot = CardSlot::spawn(TestCard::new(), addr, policy).unwrap();
        assert!(eventually(|| slot.is_finished()));
        assert!(!slot.reached_vpcd());
        let err = slot.wait().unwrap_err();
        assert!(matches!(err, VpcdError::Unreachable { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(" s (") && !msg.contains("ms ("),
            "seconds, not Debug: {msg}"
        );
    }

    #[test]
    fn stop_while_still_connecting_returns_promptly() {
        let (listener, addr) = fake_vpcd();
        drop(listener);
        let slot = CardSlot::spawn(TestCard::new(), addr, RetryPolicy::default()).unwrap();
        let t = Instant::now();
        assert_eq!(slot.stop().unwrap().reason, EndReason::Stopped);
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
