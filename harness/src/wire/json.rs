//! The JSON form of the messages for the web API (oqs-wire.md §4): a request body's
//! `{"XmlMsg":{…}}` turned into XML text so the same decoder and validator read it, and an
//! answer's element tree written as JSON in schema order.
//!
//! Rules: every leaf is a JSON string (a number, boolean or null in a request is refused with
//! `ONS-E0008`; answers never contain one); an array stands for a repeated element; on output,
//! siblings with the same name become an array, and `ResultList` is always an array of
//! `{"ResultOfQualificationConfirmation":{…}}` even with one result (§4).

use onshi_sim::oqs::{Element, ResultCode};
use serde_json::Value;

/// Elements written as a JSON array even when there is only one.
const ALWAYS_ARRAY: &[&str] = &["ResultList"];

/// Why a JSON body could not become a request document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonProblem {
    /// The code to answer.
    pub code: ResultCode,
    /// JSON path of the problem (`XmlMsg/MessageBody/…`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn problem(code: ResultCode, path: &str, message: String) -> JsonProblem {
    JsonProblem {
        code,
        path: path.to_string(),
        message,
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Turns a request body into an XML document (UTF-8, with declaration).
pub(crate) fn request_xml(body: &Value) -> Result<String, JsonProblem> {
    let Some(top) = body.as_object() else {
        return Err(problem(
            ResultCode::RequestStructure,
            "",
            "the body must be a JSON object {\"XmlMsg\":{…}}".into(),
        ));
    };
    if let Some(k) = top.keys().find(|k| *k != "XmlMsg") {
        return Err(problem(
            ResultCode::RequestStructure,
            k,
            format!("unexpected top-level key `{k}`: the body is {{\"XmlMsg\":{{…}}}}"),
        ));
    }
    let Some(root) = top.get("XmlMsg") else {
        return Err(problem(
            ResultCode::RequestStructure,
            "XmlMsg",
            "the body has no `XmlMsg`".into(),
        ));
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    element("XmlMsg", root, "XmlMsg", 0, &mut out)?;
    Ok(out)
}

fn element(
    name: &str,
    value: &Value,
    path: &str,
    depth: usize,
    out: &mut String,
) -> Result<(), JsonProblem> {
    if depth > 16 {
        return Err(problem(
            ResultCode::RequestStructure,
            path,
            "nested deeper than the messages go".into(),
        ));
    }
    match value {
        Value::String(text) => {
            if let Some(c) = text.chars().find(|c| !is_xml_char(*c)) {
                return Err(problem(
                    ResultCode::InvalidValue,
                    path,
                    format!(
                        "control character U+{:04X} is not allowed in a value",
                        u32::from(c)
                    ),
                ));
            }
            out.push('<');
            out.push_str(name);
            out.push('>');
            escape_into(out, text);
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            for (k, v) in map {
                let child = format!("{path}/{k}");
                if !is_name(k) {
                    return Err(problem(
                        ResultCode::RequestStructure,
                        &child,
                        format!("`{k}` is not an element name"),
                    ));
                }
                match v {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if item.is_array() {
                                return Err(problem(
                                    ResultCode::RequestStructure,
                                    &format!("{child}[{}]", i + 1),
                                    "an array inside an array".into(),
                                ));
                            }
                            element(k, item, &format!("{child}[{}]", i + 1), depth + 1, out)?;
                        }
                    }
                    _ => element(k, v, &child, depth + 1, out)?,
                }
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Value::Array(_) => {
            return Err(problem(
                ResultCode::RequestStructure,
                path,
                "an array where an element is expected".into(),
            ));
        }
        Value::Number(n) => {
            return Err(problem(
                ResultCode::InvalidValue,
                path,
                format!("the number {n} must be a string (leading zeros are data)"),
            ));
        }
        Value::Bool(b) => {
            return Err(problem(
                ResultCode::InvalidValue,
                path,
                format!("the boolean {b} must be a string code"),
            ));
        }
        Value::Null => {
            return Err(problem(
                ResultCode::InvalidValue,
                path,
                "null: leave the key out when there is no value".into(),
            ));
        }
    }
    Ok(())
}

fn string_into(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn value_into(out: &mut String, e: &Element) {
    match e {
        Element::Leaf { text, .. } => string_into(out, text),
        Element::Container { children, .. } => {
            out.push('{');
            let mut i = 0;
            let mut first = true;
            while i < children.len() {
                let name = children[i].name();
                let run = children[i..]
                    .iter()
                    .take_while(|c| c.name() == name)
                    .count();
                if !first {
                    out.push(',');
                }
                first = false;
                string_into(out, name);
                out.push(':');
                if run > 1 || ALWAYS_ARRAY.contains(&name) {
                    out.push('[');
                    for (k, c) in children[i..i + run].iter().enumerate() {
                        if k > 0 {
                            out.push(',');
                        }
                        value_into(out, c);
                    }
                    out.push(']');
                } else {
                    value_into(out, &children[i]);
                }
                i += run;
            }
            out.push('}');
        }
    }
}

/// Writes a message tree as `{"XmlMsg":{…}}`.
pub(crate) fn message_json(root: &Element) -> String {
    let mut out = String::with_capacity(2048);
    out.push('{');
    string_into(&mut out, root.name());
    out.push(':');
    value_into(&mut out, root);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_become_xml_and_refuse_non_strings() {
        let body: Value = serde_json::from_str(
            r#"{"XmlMsg":{"MessageHeader":{"A":"0&1"},"MessageBody":{"B":["x","y"]}}}"#,
        )
        .expect("test json");
        let xml = request_xml(&body).expect("converts");
        // Key order is not kept (the decoder picks children by name).
        assert!(
            xml.contains("<MessageHeader><A>0&amp;1</A></MessageHeader>"),
            "{xml}"
        );
        assert!(
            xml.contains("<MessageBody><B>x</B><B>y</B></MessageBody>"),
            "{xml}"
        );
        let bad: Value =
            serde_json::from_str(r#"{"XmlMsg":{"MessageHeader":{"A":1}}}"#).expect("test json");
        let p = request_xml(&bad).expect_err("refused");
        assert_eq!(p.code, ResultCode::InvalidValue);
        assert_eq!(p.path, "XmlMsg/MessageHeader/A");
    }

    #[test]
    fn answers_keep_strings_and_arrays() {
        let leaf = |name, text: &str| Element::Leaf {
            name,
            text: text.into(),
        };
        let root = Element::Container {
            name: "XmlMsg",
            children: vec![Element::Container {
                name: "MessageBody",
                children: vec![
                    leaf("ProcessingResultStatus", "1"),
                    Element::Container {
                        name: "ResultList",
                        children: vec![Element::Container {
                            name: "ResultOfQualificationConfirmation",
                            children: vec![leaf("InsuredBranchNumber", "01")],
                        }],
                    },
                ],
            }],
        };
        assert_eq!(
            message_json(&root),
            r#"{"XmlMsg":{"MessageBody":{"ProcessingResultStatus":"1","ResultList":[{"ResultOfQualificationConfirmation":{"InsuredBranchNumber":"01"}}]}}}"#
        );
    }
}
