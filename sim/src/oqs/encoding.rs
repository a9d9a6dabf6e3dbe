//! Character encodings of the folder interface (§1.3): reading the XML declaration, turning
//! bytes into text in the declared encoding (and noticing when the bytes disagree), and
//! deciding which characters Shift_JIS can carry.
//!
//! Shift_JIS here is encoding_rs's WHATWG `Shift_JIS`, i.e. windows-31j / CP932 with the NEC
//! and IBM extensions, which is what Windows terminals and clinic systems write. A character
//! counts as representable only if it survives encode→decode unchanged: WHATWG maps `¥` to
//! `\` and `−` (U+2212) to `－` (U+FF0D), which would silently change data, so those are
//! treated like 𠮷 — substituted and reported by the writer.

use encoding_rs::{DecoderResult, EncoderResult, SHIFT_JIS};

use super::{CharacterCode, OqsError};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding a document declares: UTF-8 when there is no declaration or no `encoding`
/// pseudo-attribute (the XML default); an error for anything but UTF-8 and Shift_JIS.
pub fn sniff_encoding(bytes: &[u8]) -> Result<CharacterCode, OqsError> {
    declared_encoding(bytes).map(|(code, _)| code)
}

/// The declared encoding and whether a UTF-8 byte order mark is present.
fn declared_encoding(bytes: &[u8]) -> Result<(CharacterCode, bool), OqsError> {
    if bytes.starts_with(b"\xFE\xFF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\x00<")
        || bytes.starts_with(b"<\x00")
    {
        return Err(OqsError::UnsupportedEncoding {
            declared: "UTF-16".into(),
        });
    }
    let bom = bytes.starts_with(UTF8_BOM);
    let rest = if bom { &bytes[UTF8_BOM.len()..] } else { bytes };
    let Some(after) = rest.strip_prefix(b"<?xml") else {
        return Ok((CharacterCode::Utf8, bom));
    };
    if !after.first().is_some_and(|b| b.is_ascii_whitespace()) {
        return Ok((CharacterCode::Utf8, bom));
    }
    let end = after
        .windows(2)
        .take(512)
        .position(|w| w == b"?>")
        .ok_or_else(|| OqsError::Declaration {
            detail: "`<?xml` without a closing `?>` in the first 512 bytes".into(),
        })?;
    let decl = std::str::from_utf8(&after[..end])
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or_else(|| OqsError::Declaration {
            detail: "non-ASCII bytes inside the declaration".into(),
        })?;
    let code = match pseudo_attribute(decl, "encoding")? {
        None => CharacterCode::Utf8,
        Some(name) if name.eq_ignore_ascii_case("UTF-8") => CharacterCode::Utf8,
        Some(name) if name.eq_ignore_ascii_case("Shift_JIS") => CharacterCode::ShiftJis,
        Some(name) => {
            return Err(OqsError::UnsupportedEncoding {
                declared: name.to_string(),
            });
        }
    };
    if pseudo_attribute(decl, "version")?.is_none() {
        return Err(OqsError::Declaration {
            detail: "the declaration has no version".into(),
        });
    }
    Ok((code, bom))
}

/// The value of `name="…"` or `name='…'` in the declaration text.
fn pseudo_attribute<'a>(decl: &'a str, name: &str) -> Result<Option<&'a str>, OqsError> {
    let mut rest = decl;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest[..i].ends_with(|c: char| c.is_ascii_whitespace());
        let after = rest[i + name.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'');
            let Some(q) = quote else {
                return Err(OqsError::Declaration {
                    detail: format!("{name} value is not quoted"),
                });
            };
            let body = &value[1..];
            return match body.find(q) {
                Some(end) => Ok(Some(&body[..end])),
                None => Err(OqsError::Declaration {
                    detail: format!("{name} value has no closing quote"),
                }),
            };
        }
        rest = &rest[i + name.len()..];
    }
    Ok(None)
}

/// Decodes a whole document to text in its declared encoding; the byte order mark, if any, is
/// dropped. Bytes that do not fit the declaration are an [`OqsError::EncodingMismatch`].
pub(crate) fn decode_document(bytes: &[u8]) -> Result<(String, CharacterCode), OqsError> {
    let (code, bom) = declared_encoding(bytes)?;
    let body = if bom { &bytes[UTF8_BOM.len()..] } else { bytes };
    match code {
        CharacterCode::Utf8 => match std::str::from_utf8(body) {
            Ok(text) => Ok((text.to_string(), code)),
            Err(e) => {
                let offset = e.valid_up_to() + if bom { UTF8_BOM.len() } else { 0 };
                let shown: Vec<String> = body[e.valid_up_to()..]
                    .iter()
                    .take(4)
                    .map(|b| format!("{b:02X}"))
                    .collect();
                Err(OqsError::EncodingMismatch {
                    declared: code,
                    offset,
                    detail: format!(
                        "invalid UTF-8 sequence {} (Shift_JIS bytes under a UTF-8 declaration?)",
                        shown.join(" ")
                    ),
                })
            }
        },
        CharacterCode::ShiftJis => {
            if bom {
                return Err(OqsError::EncodingMismatch {
                    declared: code,
                    offset: 0,
                    detail: "a UTF-8 byte order mark".into(),
                });
            }
            // Bytes that do not decode as Shift_JIS but are UTF-8 get the clearer message. Bytes
            // that decode both ways are read as declared unless their UTF-8 reading is entirely
            // Japanese script (see `utf8_japanese_under_shift_jis`): short Shift_JIS text can be
            // valid UTF-8 by accident, and rejecting a correct file would fail a system for
            // something it did right.
            if let Some(offset) = utf8_japanese_under_shift_jis(body) {
                return Err(OqsError::EncodingMismatch {
                    declared: code,
                    offset,
                    detail: "UTF-8 Japanese text (the bytes read as UTF-8 kana/kanji)".into(),
                });
            }
            decode_shift_jis(body).map(|text| (text, code)).map_err(|e| match looks_like_utf8(body) {
                Some(offset) => OqsError::EncodingMismatch {
                    declared: code,
                    offset,
                    detail: "UTF-8 multi-byte characters (the bytes are valid UTF-8 text, not Shift_JIS)".into(),
                },
                None => e,
            })
        }
    }
}

/// Where a buffer declared Shift_JIS that failed to decode as Shift_JIS is evidently UTF-8: it is
/// valid UTF-8 and holds at least one 3- or 4-byte sequence (every kana and kanji).
fn looks_like_utf8(bytes: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.char_indices()
        .find(|(_, c)| c.len_utf8() >= 3)
        .map(|(i, _)| i)
}

/// Where bytes declared Shift_JIS are, read as UTF-8, Japanese text: valid UTF-8 with at least one
/// 3-byte character and every multi-byte character in the kana, kanji, CJK punctuation or
/// full-width blocks. Mislabelled UTF-8 names and addresses look like this; Shift_JIS text that is
/// valid UTF-8 by accident practically never does (its UTF-8 reading wanders into other
/// scripts). Returns the offset of the first such character.
pub fn utf8_japanese_under_shift_jis(bytes: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(bytes).ok()?;
    let japanese = |c: char| matches!(c, '\u{3000}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}');
    let mut multibyte = text
        .char_indices()
        .filter(|(_, c)| c.len_utf8() > 1)
        .peekable();
    let first = multibyte.peek().map(|(i, _)| *i)?;
    multibyte.all(|(_, c)| japanese(c)).then_some(first)
}

fn decode_shift_jis(bytes: &[u8]) -> Result<String, OqsError> {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(text),
        DecoderResult::Malformed(bad, after) => {
            let offset = read.saturating_sub(usize::from(bad) + usize::from(after));
            let shown: Vec<String> = bytes
                .iter()
                .skip(offset)
                .take(usize::from(bad).max(1))
                .map(|b| format!("{b:02X}"))
                .collect();
            Err(OqsError::EncodingMismatch {
                declared: CharacterCode::ShiftJis,
                offset,
                detail: format!("byte sequence {} is not Shift_JIS", shown.join(" ")),
            })
        }
        DecoderResult::OutputFull => Err(OqsError::EncodingMismatch {
            declared: CharacterCode::ShiftJis,
            offset: read,
            detail: "decoder ran out of room (internal limit)".into(),
        }),
    }
}

/// Whether XML 1.0 allows `c` in character data.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `c` can be written in `code` and read back unchanged.
pub(crate) fn representable(c: char, code: CharacterCode) -> bool {
    match code {
        CharacterCode::Utf8 => true,
        CharacterCode::ShiftJis => c.is_ascii() || shift_jis_round_trips(c),
    }
}

fn shift_jis_round_trips(c: char) -> bool {
    let mut buf = [0u8; 8];
    let mut encoder = SHIFT_JIS.new_encoder();
    let src = c.to_string();
    let (result, _, written) = encoder.encode_from_utf8_without_replacement(&src, &mut buf, true);
    if result != EncoderResult::InputEmpty {
        return false;
    }
    let Some(bytes) = buf.get(..written) else {
        return false;
    };
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some_and(|back| back == src)
}

/// Encodes finished document text; `text` must contain only representable characters.
pub(crate) fn encode_document(text: &str, code: CharacterCode) -> Result<Vec<u8>, OqsError> {
    match code {
        CharacterCode::Utf8 => Ok(text.as_bytes().to_vec()),
        CharacterCode::ShiftJis => {
            let mut encoder = SHIFT_JIS.new_encoder();
            let capacity = encoder
                .max_buffer_length_from_utf8_without_replacement(text.len())
                .unwrap_or(text.len().saturating_mul(2));
            let mut out = Vec::with_capacity(capacity);
            let (result, _) =
                encoder.encode_from_utf8_to_vec_without_replacement(text, &mut out, true);
            match result {
                EncoderResult::InputEmpty => Ok(out),
                EncoderResult::Unmappable(c) => Err(OqsError::Unencodable {
                    path: "(document)".into(),
                    character: c,
                    encoding: code,
                }),
                EncoderResult::OutputFull => Err(OqsError::Unencodable {
                    path: "(document: encoder ran out of room)".into(),
                    character: '\u{FFFD}',
                    encoding: code,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_carries_cp932_extensions_but_not_jis_x_0213_or_lossy_mappings() {
        for c in ['髙', '﨑', '●', '　', 'ｱ', '①', '～'] {
            assert!(representable(c, CharacterCode::ShiftJis), "{c}");
        }
        for c in ['𠮷', '¥', '−', '‾', '\u{1F600}'] {
            assert!(!representable(c, CharacterCode::ShiftJis), "{c}");
        }
    }

    #[test]
    fn declarations_are_honoured_and_checked() {
        let sjis = b"<?xml version='1.0' encoding='shift_jis'?><a/>";
        assert_eq!(sniff_encoding(sjis), Ok(CharacterCode::ShiftJis));
        assert_eq!(sniff_encoding(b"<a/>"), Ok(CharacterCode::Utf8));
        assert!(matches!(
            sniff_encoding(b"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a/>"),
            Err(OqsError::UnsupportedEncoding { .. })
        ));
        assert!(matches!(
            sniff_encoding(b"<?xml version=\"1.0\" encoding=\"UTF-8\""),
            Err(OqsError::Declaration { .. })
        ));
        let utf8_under_sjis = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>山田</a>";
        assert!(matches!(
            decode_document(utf8_under_sjis.as_bytes()),
            Err(OqsError::EncodingMismatch { offset: 45, .. })
        ));
        // Shift_JIS bytes that happen to be valid UTF-8 (here U+0883 then `@`) are honoured as
        // Shift_JIS: a correct file must not be rejected (found by the round-trip property).
        let mut ambiguous = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>".to_vec();
        ambiguous.extend_from_slice(&[0xE0, 0xA2, 0x83, 0x40]);
        ambiguous.extend_from_slice(b"</a>");
        assert!(decode_document(&ambiguous).is_ok());
    }
}
