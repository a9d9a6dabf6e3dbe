//! A read-only walk over any XML document: its leaves (elements without child elements) as
//! (element path, text) in document order. For comparing two answers field by field without
//! knowing their message type. Repeated siblings are indexed from the second on, the first
//! keeping the bare name (as in XPath, where `[1]` is implied):
//! `XmlMsg/MessageBody/ResultList[2]/ResultOfQualificationConfirmation/InsurerNumber`.

use std::collections::HashMap;

use super::OqsError;
use super::tree::In;
use super::xml_read::read_document;

/// One leaf of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Element names from the root, `/`-separated, repeated siblings indexed from `[2]`.
    pub path: String,
    /// The leaf's text, verbatim (spaces included; references resolved).
    pub text: String,
}

/// The leaves of the XML document `bytes` (UTF-8 or Shift_JIS per its declaration), in
/// document order. Errors are the reader's, with line and column; nesting is bounded by the
/// reader.
pub fn leaves(bytes: &[u8]) -> Result<Vec<Leaf>, OqsError> {
    let root = read_document(bytes)?;
    let mut out = Vec::new();
    walk(&root, root.name.clone(), &mut out);
    Ok(out)
}

fn walk(element: &In, path: String, out: &mut Vec<Leaf>) {
    if element.children.is_empty() {
        out.push(Leaf {
            path,
            text: element.text.clone(),
        });
        return;
    }
    // One count per name, so a flat element with many children costs linear time.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for child in &element.children {
        let n = seen.entry(child.name.as_str()).or_insert(0);
        *n += 1;
        let step = if *n == 1 {
            child.name.clone()
        } else {
            format!("{}[{n}]", child.name)
        };
        walk(child, format!("{path}/{step}"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_in_order_with_repeats_indexed() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><H><T>1</T><E/></H>\
            <L><R><N>  13</N></R></L><L><R><N>a&amp;b</N></R></L></XmlMsg>";
        let got: Vec<(String, String)> = leaves(doc.as_bytes())
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.path, l.text))
            .collect();
        let want = [
            ("XmlMsg/H/T", "1"),
            ("XmlMsg/H/E", ""),
            ("XmlMsg/L/R/N", "  13"),
            ("XmlMsg/L[2]/R/N", "a&b"),
        ];
        assert_eq!(
            got,
            want.map(|(p, t)| (p.to_string(), t.to_string())).to_vec()
        );
    }

    #[test]
    fn a_broken_document_is_an_error_with_its_position() {
        let e = leaves(b"<XmlMsg><A>1</B></XmlMsg>")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("line 1")));
    }
}
