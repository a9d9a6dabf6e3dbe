//! The surface and input-support applications: their PINs and what their files hold.

use super::*;
use onshi_sim::world::Event;

/// (header length, total length) of the TLV at the start of `b`.
fn tlv_extent(b: &[u8]) -> (usize, usize) {
    let tag_len = if b[0] & 0x1F == 0x1F { 2 } else { 1 };
    let first = b[tag_len];
    let len_len = if first < 0x80 {
        1
    } else {
        1 + usize::from(first & 0x7F)
    };
    (tag_len + len_len, der_total_len(b))
}

/// The children of a `FF 20` record: (tag number, value), header first.
fn children(file: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(file[..2], [0xFF, 0x20]);
    let (head, total) = tlv_extent(file);
    assert_eq!(total, file.len(), "exactly one TLV");
    let mut out = Vec::new();
    let mut at = head;
    while at < file.len() {
        let (h, t) = tlv_extent(&file[at..]);
        assert_eq!(file[at], 0xDF);
        out.push((file[at + 1], file[at + h..at + t].to_vec()));
        at += t;
    }
    assert_eq!(at, file.len());
    out
}

fn text(v: &[u8]) -> &str {
    std::str::from_utf8(v).unwrap()
}

/// Checks that the header lists each later child's offset in the file.
fn header_points_at_children(file: &[u8]) {
    let kids = children(file);
    let header = &kids[0].1;
    let mut offsets = header
        .chunks(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])));
    for (tag, _) in &kids[1..] {
        let at = offsets.next().unwrap();
        assert_eq!(file[at..at + 2], [0xDF, *tag]);
    }
    assert_eq!(offsets.next(), None);
}

#[test]
fn input_support_files_need_their_pin_and_hold_the_number_and_four_attributes() {
    let mut b = bench();
    let person = b.world.people()[b.card().person.index()].clone();
    b.select(Application::InputSupport);
    b.select_ef(0x0001);
    assert_eq!(b.sw(&read(0, 0)), Sw::SECURITY_NOT_SATISFIED);
    b.select_ef(0x0011);
    assert_eq!(b.verify(b"0000"), Sw::tries_left(2));
    assert_eq!(b.card().pins.input_support_counter.remaining, 2);
    assert_eq!(b.verify(AUTH_PIN), Sw::OK, "set equal to the auth PIN");
    b.select_ef(0x0001);
    let number = b.read_der();
    assert_eq!(number[..3], [0xFF, 0x10, 0x0C]);
    assert_eq!(text(&number[3..]), person.my_number.digits());
    b.select_ef(0x0002);
    let attrs = b.read_der();
    header_points_at_children(&attrs);
    let kids = children(&attrs);
    let tags: Vec<u8> = kids.iter().map(|k| k.0).collect();
    assert_eq!(tags, [0x21, 0x22, 0x23, 0x24, 0x25]);
    assert_eq!(text(&kids[1].1), person.name);
    assert_eq!(text(&kids[2].1), person.address);
    assert_eq!(text(&kids[3].1), "19800510");
    assert_eq!(text(&kids[4].1), "2", "female");
    assert!(b.session.log().read_from(Application::InputSupport));
    assert!(!b.session.log().read_from(Application::Jpki));
}

#[test]
fn the_surface_opens_with_pin_a_or_pin_b_and_lists_the_card_entries() {
    let mut b = bench();
    let person = b.world.people()[b.card().person.index()].clone();
    let card = b.card().clone();
    b.select(Application::Surface);
    b.select_ef(0x0002);
    assert_eq!(b.sw(&read(0, 0)), Sw::SECURITY_NOT_SATISFIED);
    // PIN A: the 12-digit My Number.
    b.select_ef(0x0013);
    assert_eq!(
        b.verify(b"123456789012"),
        Sw::tries_left(onshi_sim::card::SURFACE_PIN_TRIES - 1)
    );
    assert_eq!(b.verify(person.my_number.digits().as_bytes()), Sw::OK);
    b.select_ef(0x0002);
    let with_a = b.read_der();
    // PIN B after a fresh selection: YYMMDD + expiry year + security code.
    b.select(Application::Surface);
    b.select_ef(0x0012);
    let pin_b = format!("800510{}{}", card.expires.year(), card.pins.security_code);
    assert_eq!(pin_b.len(), 14);
    assert_eq!(b.verify(pin_b.as_bytes()), Sw::OK);
    assert_eq!(
        b.card().pins.surface_number_counter.remaining,
        onshi_sim::card::SURFACE_PIN_TRIES,
        "PIN A's counter was reset by its correct entry and B has its own"
    );
    b.select_ef(0x0002);
    let with_b = b.read_der();
    assert_eq!(with_a, with_b);
    header_points_at_children(&with_a);
    let kids = children(&with_a);
    let tags: Vec<u8> = kids.iter().map(|k| k.0).collect();
    assert_eq!(tags, (0x21..=0x2A).collect::<Vec<u8>>());
    assert_eq!(text(&kids[1].1), "19800510");
    assert_eq!(text(&kids[2].1), "2");
    assert!(text(&kids[4].1).contains(&person.name), "name image");
    assert!(text(&kids[6].1).contains(&format!("face_template_id={}", card.photo_template)));
    assert_eq!(
        text(&kids[8].1),
        onshi_sim::clock::compact_date(card.expires)
    );
    assert!(text(&kids[9].1).ends_with(&card.pins.security_code));
}

#[test]
fn surface_pin_b_blocks_on_its_own_counter_and_the_municipal_reset_lifts_it() {
    let mut b = bench();
    let person = card_holder(&b.world, b.card);
    b.select(Application::Surface);
    b.select_ef(0x0012);
    for left in (1..onshi_sim::card::SURFACE_PIN_TRIES).rev() {
        assert_eq!(b.verify(b"00000000000000"), Sw::tries_left(left));
    }
    assert_eq!(b.verify(b"00000000000000"), Sw::PIN_BLOCKED);
    assert!(b.card().pins.surface_birth_counter.is_blocked());
    assert!(!b.card().pins.surface_number_counter.is_blocked());
    b.world.apply(Event::PinReset { person }).unwrap();
    assert_eq!(
        b.verify(b""),
        Sw::tries_left(onshi_sim::card::SURFACE_PIN_TRIES)
    );
}

#[test]
fn a_jpki_only_terminal_leaves_no_trace_in_the_input_support_ap() {
    let mut b = bench();
    b.select(Application::Jpki);
    b.select_ef(0x000A);
    b.read_der();
    let log = b.session.log();
    assert!(log.selected(Application::Jpki));
    assert!(!log.selected(Application::InputSupport));
    assert!(!log.read_from(Application::InputSupport));
    assert!(log.read_from(Application::Jpki));
}

/// The holder of `card` in `world`.
fn card_holder(world: &World, card: CardId) -> onshi_sim::ids::PersonId {
    world.cards()[card.index()].person
}
