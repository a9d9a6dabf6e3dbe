//! Child processes onshi starts (adapters): each in its own process group, killed as a group,
//! and registered here so that an interrupted run (SIGINT/SIGTERM) can stop every one of them
//! before it writes its reports.
//!
//! A child that leaves its group (`setsid`) is beyond reach; everything it started in the
//! ordinary way — `sh -c` and whatever the shell runs, their background jobs — is not.

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::Mutex;

/// Process group ids of the live children (each child leads its own group).
static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn live() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A child process that leads its own process group. Dropping it kills the whole group.
#[derive(Debug)]
pub struct GroupChild {
    child: Child,
    group: i32,
    reaped: bool,
}

impl GroupChild {
    /// Spawns `cmd` as the leader of a new process group and registers the group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<GroupChild> {
        cmd.process_group(0);
        let child = cmd.spawn()?;
        let group = i32::try_from(child.id()).map_err(std::io::Error::other)?;
        live().insert(group);
        tracing::debug!(target: "onshi::children", pid = group, "child process group started");
        Ok(GroupChild {
            child,
            group,
            reaped: false,
        })
    }

    /// The child itself (its pipes, `try_wait`).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Kills every process of the group (SIGKILL) and reaps the leader.
    pub fn kill_group(&mut self) {
        kill_group(self.group);
        live().remove(&self.group);
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
            self.reaped = true;
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        // Also when the leader has exited: its background children are still in the group.
        self.kill_group();
    }
}

fn kill_group(group: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(group).filter(|_| group > 1) {
        // ESRCH (the group is gone) is the usual answer and not an error here.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Kills every registered group (on SIGINT/SIGTERM). Returns how many groups were signalled.
pub fn kill_all() -> usize {
    let groups: Vec<i32> = std::mem::take(&mut *live()).into_iter().collect();
    tracing::info!(target: "onshi::children", groups = groups.len(), "killing every child process group");
    for g in &groups {
        kill_group(*g);
    }
    groups.len()
}

/// How many child groups are alive now (for tests and the interrupt message).
pub fn live_count() -> usize {
    live().len()
}
