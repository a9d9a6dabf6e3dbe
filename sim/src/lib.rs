//! `onshi-sim`: the マイナ保険証 / オンライン資格確認 ecosystem as a deterministic state machine.
//!
//! Every party is modelled here — the virtual My Number card, J-LIS with its certificate
//! serial chain, the 支払基金 registry, insurers, the face-authentication reader, マイナポータル
//! and a reference clinic or pharmacy — as plain state plus `World::apply(event)`. This crate
//! does no I/O: no files, sockets, threads, async runtime or wall clock. Time is the virtual
//! clock of [`clock`]; randomness derives from a seed ([`rng`]). The harness crate does all
//! reading and writing and hands data in.
//!
//! The modules form layers without an import circle (checked by `tests/module_graph.rs`):
//! values and rules at the bottom (`clock`, `rng`, `ids`, `age`, `codes`, `rules`, `person`,
//! `trace`, `jlis`, `card`, `insurer`, `institution`), then what the actors share ([`view`],
//! the read-only world, and [`answer`], what the registry answers), then the wire format
//! ([`oqs`], which turns answers into messages) and the actors (`registry`, `provider`,
//! `portal`, `reader`), then [`world`], which owns them all, and `population`.

pub mod age;
pub mod answer;
pub mod card;
pub mod clock;
pub mod codes;
pub mod ids;
pub mod institution;
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
pub mod view;
pub mod world;

pub use world::{Event, Outcome, World, WorldConfig};
