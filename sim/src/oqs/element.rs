//! A message as a plain element tree: schema order, absent values left out, every leaf a string.
//! Other renderings of the same messages (the JSON of the web API, §4) are built from it, so
//! they carry exactly what the XML carries.

use super::tree::Out;

/// One element of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Element {
    /// A leaf with its text (leading zeros exact, never a number).
    Leaf {
        /// The element name.
        name: &'static str,
        /// The text.
        text: String,
    },
    /// A container with its children in schema order (repeated names stay adjacent).
    Container {
        /// The element name.
        name: &'static str,
        /// The children.
        children: Vec<Element>,
    },
}

impl Element {
    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Element::Leaf { name, .. } | Element::Container { name, .. } => name,
        }
    }

    /// Converts a written tree; `None` for an absent element.
    pub(crate) fn from_out(out: Out) -> Option<Element> {
        match out {
            Out::Absent(_) => None,
            Out::Leaf(name, text) => Some(Element::Leaf { name, text }),
            Out::Block(name, children) => Some(Element::Container {
                name,
                children: children.into_iter().filter_map(Element::from_out).collect(),
            }),
        }
    }
}
