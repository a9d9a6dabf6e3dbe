//! Writing an element tree as XML bytes: the declaration of §1.3, text escaped so that every
//! leaf reads back byte for byte, optional shuffling of element order and empty elements for
//! absent values (both deliberate deviations a scenario may switch on, §7), and substitution of
//! characters the target encoding cannot carry, each one reported with its element path.

use crate::rng::{label_hash, mix64};

use super::encoding::{encode_document, is_xml_char, representable};
use super::tree::Out;
use super::{CharacterCode, OqsError};

/// Order of sibling elements in the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElementOrder {
    /// The order of the layout tables (§2).
    Schema,
    /// A deterministic shuffle per container from this seed, as seen in real face files.
    /// Repeated elements (several `ResultList`, list items) keep their relative order.
    Shuffled(u64),
}

/// How to write a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The encoding of the bytes and of the XML declaration.
    pub encoding: CharacterCode,
    /// Sibling order.
    pub element_order: ElementOrder,
    /// Write absent optional values as empty elements (`<X></X>`) instead of omitting them.
    /// Off by default: §7 says an absent value is an absent element.
    pub empty_elements: bool,
    /// The character written in place of one the encoding cannot carry (default `●`, the field
    /// practice for 外字); `None` makes such characters an [`OqsError::Unencodable`].
    pub substitute: Option<char>,
    /// Keep the message's own `CharacterCodeIdentifier` even if it disagrees with `encoding`.
    /// Off by default: the identifier is set to match the bytes (§7).
    pub keep_character_code_identifier: bool,
    /// Put each element on its own line, indented by two spaces per level (text is untouched).
    pub indent: bool,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            encoding: CharacterCode::Utf8,
            element_order: ElementOrder::Schema,
            empty_elements: false,
            substitute: Some('●'),
            keep_character_code_identifier: false,
            indent: true,
        }
    }
}

impl EncodeOptions {
    /// The defaults with the given encoding.
    pub fn with_encoding(encoding: CharacterCode) -> Self {
        EncodeOptions {
            encoding,
            ..EncodeOptions::default()
        }
    }
}

/// Why a character was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubstitutionReason {
    /// The target encoding has no code for it (or would read it back as another character).
    NotInEncoding,
    /// XML 1.0 does not allow it (control characters, U+FFFE, U+FFFF).
    NotXmlCharacter,
}

/// One character that was replaced while encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substitution {
    /// Path of the element, e.g. `XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation/Name`.
    pub path: String,
    /// The original character.
    pub character: char,
    /// Why it could not be written.
    pub reason: SubstitutionReason,
}

/// The bytes of an encoded message and what had to be replaced to write them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The complete document in the chosen encoding.
    pub bytes: Vec<u8>,
    /// Characters replaced by the substitute, in document order (empty in the normal case).
    pub substitutions: Vec<Substitution>,
}

const CHARACTER_CODE_IDENTIFIER: &str = "CharacterCodeIdentifier";

/// Writes a whole document.
pub(crate) fn write_document(mut root: Out, options: EncodeOptions) -> Result<Encoded, OqsError> {
    if !options.keep_character_code_identifier {
        set_character_code(&mut root, options.encoding);
    }
    let mut writer = Writer {
        options,
        out: String::with_capacity(4096),
        substitutions: Vec::new(),
    };
    writer.out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"no\"?>",
        options.encoding.xml_name()
    ));
    if options.indent {
        writer.out.push('\n');
    }
    let path = root.name().to_string();
    writer.element(&root, &path, 0)?;
    if options.indent {
        writer.out.push('\n');
    }
    let bytes = encode_document(&writer.out, options.encoding)?;
    Ok(Encoded {
        bytes,
        substitutions: writer.substitutions,
    })
}

fn set_character_code(root: &mut Out, code: CharacterCode) {
    if let Out::Block(_, children) = root {
        for child in children.iter_mut() {
            if let Out::Block("MessageHeader", header) = child {
                for leaf in header.iter_mut() {
                    if leaf.name() == CHARACTER_CODE_IDENTIFIER {
                        *leaf = Out::Leaf(CHARACTER_CODE_IDENTIFIER, code.code().to_string());
                    }
                }
            }
        }
    }
}

struct Writer {
    options: EncodeOptions,
    out: String,
    substitutions: Vec<Substitution>,
}

impl Writer {
    fn newline(&mut self, depth: usize) {
        if self.options.indent {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn element(&mut self, node: &Out, path: &str, depth: usize) -> Result<(), OqsError> {
        match node {
            Out::Leaf(name, text) => {
                self.out.push('<');
                self.out.push_str(name);
                self.out.push('>');
                self.text(text, path)?;
                self.close(name);
            }
            Out::Absent(name) => {
                self.out.push('<');
                self.out.push_str(name);
                self.out.push('>');
                self.close(name);
            }
            Out::Block(name, children) => {
                self.out.push('<');
                self.out.push_str(name);
                self.out.push('>');
                let written: Vec<&Out> = self.ordered(children, path);
                for (child, child_path) in indexed_paths(&written, path) {
                    self.newline(depth + 1);
                    self.element(child, &child_path, depth + 1)?;
                }
                if !written.is_empty() {
                    self.newline(depth);
                }
                self.close(name);
            }
        }
        Ok(())
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// The children to write, in output order.
    fn ordered<'n>(&self, children: &'n [Out], path: &str) -> Vec<&'n Out> {
        let mut kept: Vec<&Out> = children
            .iter()
            .filter(|c| self.options.empty_elements || !matches!(c, Out::Absent(_)))
            .collect();
        if let ElementOrder::Shuffled(seed) = self.options.element_order {
            let base = mix64(seed ^ label_hash(path));
            kept.sort_by_key(|c| mix64(base ^ label_hash(c.name())));
        }
        kept
    }

    fn text(&mut self, text: &str, path: &str) -> Result<(), OqsError> {
        let encoding = self.options.encoding;
        for c in text.chars() {
            let reason = if !is_xml_char(c) {
                Some(SubstitutionReason::NotXmlCharacter)
            } else if !representable(c, encoding) {
                Some(SubstitutionReason::NotInEncoding)
            } else {
                None
            };
            let c = match reason {
                None => c,
                Some(reason) => {
                    let Some(sub) = self
                        .options
                        .substitute
                        .filter(|s| is_xml_char(*s) && representable(*s, encoding))
                    else {
                        return Err(OqsError::Unencodable {
                            path: path.to_string(),
                            character: c,
                            encoding,
                        });
                    };
                    self.substitutions.push(Substitution {
                        path: path.to_string(),
                        character: c,
                        reason,
                    });
                    sub
                }
            };
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => self.out.push_str("&#13;"),
                c => self.out.push(c),
            }
        }
        Ok(())
    }
}

/// Each child with its path; repeated names get a 1-based index (`ResultList[2]`).
fn indexed_paths<'n>(children: &[&'n Out], parent: &str) -> Vec<(&'n Out, String)> {
    children
        .iter()
        .map(|c| {
            let name = c.name();
            let total = children.iter().filter(|o| o.name() == name).count();
            let path = if total > 1 {
                let index = children
                    .iter()
                    .take_while(|o| !std::ptr::eq(**o, *c))
                    .filter(|o| o.name() == name)
                    .count()
                    + 1;
                format!("{parent}/{name}[{index}]")
            } else {
                format!("{parent}/{name}")
            };
            (*c, path)
        })
        .collect()
}
