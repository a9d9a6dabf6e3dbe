//! Tests of the APDU engine (`onshi_sim::card::apdu`): one world with an adult's and a child's
//! card, APDUs built by hand as a client would send them.

#![allow(clippy::unwrap_used)]

mod card_switches;
mod commands;
mod contents;
mod properties;

use jiff::civil::date;

use onshi_sim::card::apdu::*;
use onshi_sim::clock::Moment;
use onshi_sim::ids::CardId;
use onshi_sim::person::Sex;
use onshi_sim::rules::IncomeClass;
use onshi_sim::world::{CardSpec, PersonSpec};
use onshi_sim::{World, WorldConfig};

pub(crate) const AUTH_PIN: &[u8] = b"1234";
pub(crate) const SIGN_PIN: &[u8] = b"ONSHI2024";

/// A world and a session talking to one of its cards.
pub(crate) struct Bench {
    pub world: World,
    pub session: CardSession,
    /// The card in the reader (Hanako's unless a test changes it).
    pub card: CardId,
    pub child: CardId,
}

fn person(world: &mut World, key: &str, birth: jiff::civil::Date, sex: Sex) -> CardId {
    let p = world
        .add_person(PersonSpec {
            key: key.into(),
            name: "山田　花子".into(),
            kana: "ﾔﾏﾀﾞ ﾊﾅｺ".into(),
            birth,
            sex,
            address: "東京都千代田区千代田1-1".into(),
            post_number: "100-0001".into(),
            income: IncomeClass::General,
            income_periods: Vec::new(),
        })
        .unwrap();
    world
        .issue_card(
            p,
            &CardSpec {
                issued: date(2024, 6, 1),
                auth_pin: "1234".into(),
                sign_pin: "ONSHI2024".into(),
            },
        )
        .unwrap()
}

/// A world with Hanako (born 1980, female) and Jiro (born 2015, no signature certificate),
/// the session on Hanako's card.
pub(crate) fn bench() -> Bench {
    bench_with_seed(11)
}

/// [`bench`] with another seed.
pub(crate) fn bench_with_seed(seed: u64) -> Bench {
    let start = Moment::parse("2026-04-01T09:00").unwrap();
    let mut world = World::new(WorldConfig::new(seed, "apdu-test", start));
    let adult = person(&mut world, "hanako", date(1980, 5, 10), Sex::Female);
    let child = person(&mut world, "jiro", date(2015, 3, 3), Sex::Male);
    Bench {
        world,
        session: CardSession::new(),
        card: adult,
        child,
    }
}

impl Bench {
    /// Sends `apdu` to the current card; returns (data, SW).
    pub fn send(&mut self, apdu: &[u8]) -> (Vec<u8>, Sw) {
        let mut r = self.session.transmit(&mut self.world, self.card, apdu);
        assert!(r.len() >= 2, "response without status word: {r:02X?}");
        let sw = Sw::of_response(&r).unwrap();
        r.truncate(r.len() - 2);
        (r, sw)
    }

    pub fn sw(&mut self, apdu: &[u8]) -> Sw {
        self.send(apdu).1
    }

    pub fn select(&mut self, app: Application) -> Sw {
        self.sw(&select_df(app.aid()))
    }

    pub fn select_ef(&mut self, ef: u16) -> Sw {
        self.sw(&select_ef(ef))
    }

    pub fn verify(&mut self, pin: &[u8]) -> Sw {
        self.sw(&verify(pin))
    }

    /// Reads the current EF the way clients do: a short header (8 bytes: two-byte tags and
    /// long lengths need five), the DER length, then 256-byte chunks.
    pub fn read_der(&mut self) -> Vec<u8> {
        let (head, sw) = self.send(&read(0, 8));
        assert_eq!(sw, Sw::OK);
        let total = der_total_len(&head);
        let mut out = head;
        while out.len() < total {
            let want = (total - out.len()).min(256);
            let (chunk, sw) = self.send(&read(out.len() as u16, want as u8));
            assert_eq!(sw, Sw::OK);
            assert!(!chunk.is_empty());
            out.extend_from_slice(&chunk);
        }
        out
    }

    pub fn card(&self) -> &onshi_sim::card::Card {
        &self.world.cards()[self.card.index()]
    }

    pub fn auth_cert_der(&self) -> Vec<u8> {
        let c = self.card().auth_cert;
        self.world.jlis().certificate_der(c).unwrap().to_vec()
    }
}

/// The total length of a TLV from its first bytes (one- or two-byte tag).
pub(crate) fn der_total_len(head: &[u8]) -> usize {
    let tag_len = if head[0] & 0x1F == 0x1F { 2 } else { 1 };
    let first = head[tag_len];
    if first < 0x80 {
        tag_len + 1 + usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        let len = head[tag_len + 1..tag_len + 1 + n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        tag_len + 1 + n + len
    }
}

pub(crate) fn select_df(aid: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    v.extend_from_slice(aid);
    v
}

pub(crate) fn select_ef(ef: u16) -> Vec<u8> {
    let [hi, lo] = ef.to_be_bytes();
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]
}

/// READ BINARY at `offset` with Le `le` (0 = 256).
pub(crate) fn read(offset: u16, le: u8) -> Vec<u8> {
    let [p1, p2] = offset.to_be_bytes();
    vec![0x00, 0xB0, p1, p2, le]
}

pub(crate) fn verify(pin: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0x20, 0x00, 0x80];
    if !pin.is_empty() {
        v.push(pin.len() as u8);
        v.extend_from_slice(pin);
    }
    v
}

pub(crate) fn sign(digest_info: &[u8]) -> Vec<u8> {
    let mut v = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    v.extend_from_slice(digest_info);
    v.push(0x00);
    v
}

#[test]
fn application_ids_are_the_published_ones_and_round_trip() {
    for app in Application::ALL {
        assert_eq!(Application::from_aid(app.aid()), Some(app));
        assert_eq!(app.aid().len(), 10);
    }
    assert_eq!(Application::Jpki.aid()[..4], [0xD3, 0x92, 0xF0, 0x00]);
    assert_eq!(Application::from_aid(&Application::Jpki.aid()[..9]), None);
}

#[test]
fn status_words_display_and_expose_retries() {
    assert_eq!(Sw::NOT_FOUND.to_string(), "6A 82");
    assert_eq!(Sw::tries_left(2), Sw(0x63C2));
    assert_eq!(Sw::tries_left(2).retries(), Some(2));
    assert_eq!(Sw::tries_left(40).retries(), Some(15));
    assert_eq!(Sw::OK.retries(), None);
    assert_eq!(Sw::of_response(&[0x90]), None);
    assert_eq!(Sw::of_response(&[1, 2, 0x90, 0x00]), Some(Sw::OK));
}
