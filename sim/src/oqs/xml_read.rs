//! Reading XML bytes into an element tree: encoding per the declaration, well-formedness,
//! predefined and character references, positions for error messages. Comments, processing
//! instructions, a DOCTYPE and attributes are accepted and ignored. Element order is free; the
//! typed decoders in the message modules pick children by name.
//!
//! [`salvage_echo`] pulls the identifiers an answer must echo out of a request that failed to
//! decode, so that even an error answer can be matched by the client (§1.2, §5.11).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::encoding::{decode_document, is_xml_char};
use super::tree::{In, is_xml_space};
use super::{OqsError, Position};

/// Deepest element nesting accepted (the real messages nest 6 levels).
const MAX_DEPTH: usize = 32;

/// Maps byte offsets of the decoded text to line and column.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// The last position asked for (line, byte offset, column): the reader asks in document
    /// order, so counting on from it keeps a document on one long line linear, not quadratic.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text,
            starts,
            last: std::cell::Cell::new((1, 0, 1)),
        }
    }

    fn at(&self, offset: u64) -> Position {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let (last_line, last_offset, last_column) = self.last.get();
        let (from, base) = if last_line == line && last_offset >= start && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (start, 1)
        };
        let column = match self.text.get(from..offset) {
            Some(s) => {
                let column = base + s.chars().count();
                self.last.set((line, offset, column));
                column
            }
            // Not on a character boundary (never an offset the reader gives): bytes from the
            // line's start, as before, and nothing kept.
            None => offset - start + 1,
        };
        Position { line, column }
    }
}

fn syntax(at: Position, detail: impl Into<String>) -> OqsError {
    OqsError::Syntax {
        at,
        detail: detail.into(),
    }
}

fn check_chars(text: &str, at: Position) -> Result<(), OqsError> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        None => Ok(()),
        Some(c) => Err(syntax(
            at,
            format!("character U+{:04X} is not allowed in XML", u32::from(c)),
        )),
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// The longest element name read (the layouts' longest is under 60 bytes): a document of long
/// names would make every path built from them (`oqs::leaves`) huge.
const MAX_NAME_BYTES: usize = 256;

/// Parses a whole document into its root element.
pub(crate) fn read_document(bytes: &[u8]) -> Result<In, OqsError> {
    let (text, _) = decode_document(bytes)?;
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    parse_tree(body)
}

fn parse_tree(text: &str) -> Result<In, OqsError> {
    let lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<In> = Vec::new();
    let mut root: Option<In> = None;
    loop {
        let start = reader.buffer_position();
        let at = lines.at(start);
        let event = reader
            .read_event()
            .map_err(|e| syntax(lines.at(reader.error_position()), e.to_string()))?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref().len() > MAX_NAME_BYTES {
                    return Err(syntax(
                        at,
                        format!("an element name longer than {MAX_NAME_BYTES} bytes"),
                    ));
                }
                for attr in e.attributes() {
                    attr.map_err(|err| syntax(at, err.to_string()))?;
                }
                Some(In {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    text: String::new(),
                    children: Vec::new(),
                    at,
                })
            }
            _ => None,
        };
        match event {
            Event::Start(_) | Event::Empty(_) => {
                let Some(element) = element else { continue };
                if stack.is_empty() && root.is_some() {
                    return Err(syntax(
                        at,
                        format!("a second root element <{}>", element.name),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(
                        at,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(element);
                } else {
                    attach(&mut stack, &mut root, element);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(done) => attach(&mut stack, &mut root, done),
                None => return Err(syntax(at, "end tag without a start tag")),
            },
            Event::Text(t) => {
                let content = t.xml10_content().map_err(|e| syntax(at, e.to_string()))?;
                check_chars(&content, at)?;
                push_text(&mut stack, &content, at)?;
            }
            Event::CData(c) => {
                let content = c.xml10_content().map_err(|e| syntax(at, e.to_string()))?;
                check_chars(&content, at)?;
                if stack.is_empty() {
                    return Err(syntax(at, "CDATA outside the root element"));
                }
                push_text(&mut stack, &content, at)?;
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| syntax(at, format!("&{name};: {e}")))?
                } else {
                    predefined(&name)
                };
                let Some(c) = c.filter(|c| is_xml_char(*c)) else {
                    return Err(syntax(at, format!("unknown or illegal reference &{name};")));
                };
                if stack.is_empty() {
                    return Err(syntax(at, "reference outside the root element"));
                }
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]), at)?;
            }
            Event::Decl(_) => {
                if start != 0 {
                    return Err(syntax(at, "the XML declaration must be at the very start"));
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(
            lines.at(text.len() as u64),
            format!(
                "document ends inside <{}> (started at {})",
                open.name, open.at
            ),
        ));
    }
    root.ok_or_else(|| syntax(lines.at(0), "no root element"))
}

fn attach(stack: &mut [In], root: &mut Option<In>, element: In) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [In], content: &str, at: Position) -> Result<(), OqsError> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(content);
            Ok(())
        }
        None if content.chars().all(is_xml_space) => Ok(()),
        None => Err(syntax(at, "text outside the root element")),
    }
}

/// The identifiers an answer echoes, read best-effort from a request that may not decode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    /// MessageHeader/ArbitraryFileIdentifier.
    pub arbitrary_file_identifier: Option<String>,
    /// MessageHeader/MedicalInstitutionCode as text.
    pub institution: Option<String>,
    /// MessageHeader/QualificationConfirmationDate as text.
    pub qualification_confirmation_date: Option<String>,
    /// MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier.
    pub arbitrary_identifier: Option<String>,
    /// MessageBody/ReceptionNumber (bulk download requests).
    pub reception_number: Option<String>,
}

/// Reads the echo identifiers from whatever part of `bytes` is readable: the first occurrence
/// of each, up to the first syntax error. Never fails; missing parts are `None`.
pub fn salvage_echo(bytes: &[u8]) -> Echo {
    let text = match decode_document(bytes) {
        Ok((text, _)) => text,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let mut echo = Echo::default();
    let mut reader = Reader::from_str(&text);
    let mut path: Vec<String> = Vec::new();
    let mut leaf = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if path.len() >= MAX_DEPTH {
                    break;
                }
                path.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                leaf.clear();
            }
            Ok(Event::Empty(_)) => leaf.clear(),
            Ok(Event::Text(t)) => {
                if let Ok(s) = t.xml10_content() {
                    leaf.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    predefined(&name)
                };
                if let Some(c) = c {
                    leaf.push(c);
                }
            }
            Ok(Event::End(_)) => {
                let mut scratch = None;
                let joined = path.join("/");
                let slot = match joined.as_str() {
                    "XmlMsg/MessageHeader/ArbitraryFileIdentifier" => {
                        &mut echo.arbitrary_file_identifier
                    }
                    "XmlMsg/MessageHeader/MedicalInstitutionCode" => &mut echo.institution,
                    "XmlMsg/MessageHeader/QualificationConfirmationDate" => {
                        &mut echo.qualification_confirmation_date
                    }
                    "XmlMsg/MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier" => {
                        &mut echo.arbitrary_identifier
                    }
                    "XmlMsg/MessageBody/ReceptionNumber" => &mut echo.reception_number,
                    _ => &mut scratch,
                };
                if slot.is_none() {
                    *slot = Some(std::mem::take(&mut leaf));
                }
                leaf.clear();
                path.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    echo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_verbatim_with_references_resolved() {
        let root = parse_tree("<a><b>  12&amp;&#13;34 </b><c/><d></d></a>").expect("test value");
        assert_eq!(root.children[0].text, "  12&\r34 ");
        assert_eq!(root.children[1].text, "");
        assert_eq!(root.children[2].text, "");
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = parse_tree("<a>\n  <b>x</c>\n</a>").expect_err("must fail");
        assert!(
            matches!(
                e,
                OqsError::Syntax {
                    at: Position { line: 2, .. },
                    ..
                }
            ),
            "{e}"
        );
        let e = parse_tree("<a>\n<b>").expect_err("must fail");
        assert!(e.to_string().contains("ends inside <b>"), "{e}");
        assert!(parse_tree("<a/><b/>").is_err());
        assert!(parse_tree("<a>&nbsp;</a>").is_err());
        assert!(parse_tree("<a>\u{1}</a>").is_err());
        assert!(parse_tree("x<a/>").is_err());
    }

    #[test]
    fn positions_asked_in_order_equal_positions_asked_afresh() {
        let text = "<a>\n  <名前>山田</名前><b/>\n\n<c>𠮷x</c><d/></a>";
        let walked = Lines::new(text);
        for offset in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let offset = offset as u64;
            let fresh = Lines::new(text).at(offset);
            assert_eq!(walked.at(offset), fresh, "offset {offset}");
        }
        // Asking backwards (an error position before the last event) is still right.
        let back = Lines::new(text);
        let _ = back.at(text.len() as u64);
        assert_eq!(back.at(5), Lines::new(text).at(5));
    }

    #[test]
    fn an_overlong_element_name_is_an_error() {
        let name = "N".repeat(MAX_NAME_BYTES + 1);
        let e = parse_tree(&format!("<a><{name}/></a>")).expect_err("must fail");
        assert!(e.to_string().contains("element name longer"), "{e}");
        let ok = "N".repeat(MAX_NAME_BYTES);
        assert!(parse_tree(&format!("<a><{ok}/></a>")).is_ok());
    }

    #[test]
    fn a_long_line_reports_the_column_of_its_error() {
        let body = "<e/>".repeat(50_000);
        let doc = format!("<a>{body}</b>");
        let e = parse_tree(&doc).expect_err("must fail");
        let OqsError::Syntax { at, .. } = e else {
            panic!("not a syntax error: {e}")
        };
        assert_eq!(at.line, 1);
        assert!(at.column > 200_000, "{at:?}");
    }

    #[test]
    fn echo_survives_a_broken_request() {
        let doc = "<XmlMsg><MessageHeader><ArbitraryFileIdentifier>ID&amp;1</ArbitraryFileIdentifier>\
                   <MedicalInstitutionCode>123</MedicalInstitutionCode></MessageHeader><MessageBody><Oops>";
        let echo = salvage_echo(doc.as_bytes());
        assert_eq!(echo.arbitrary_file_identifier.as_deref(), Some("ID&1"));
        assert_eq!(echo.institution.as_deref(), Some("123"));
        assert_eq!(echo.arbitrary_identifier, None);
    }
}
