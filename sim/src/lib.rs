//! `onshi-sim`: the マイナ保険証 / オンライン資格確認 ecosystem as a deterministic state machine.
//!
//! Every party is modelled here — the virtual My Number card, J-LIS with its certificate
//! serial chain, the 支払基金 registry, insurers, the face-authentication reader, マイナポータル
//! and a reference clinic or pharmacy — as plain state plus `World::apply(event)`. This crate
//! does no I/O: no files, sockets, threads, async runtime or wall clock. Time is the virtual
//! clock of [`clock`]; randomness derives from a seed ([`rng`]). The harness crate does all
//! reading and writing and hands data in.

pub mod age;
pub mod card;
pub mod clock;
pub mod ids;
pub mod insurer;
pub mod jlis;
pub mod oqs;
pub mod person;
pub mod population;
pub mod portal;
pub mod provider;
pub mod reader;
pub mod registry;
pub mod rng;
pub mod rules;
pub mod trace;
pub mod world;

pub use world::{Event, Outcome, World, WorldConfig};
