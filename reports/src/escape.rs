//! Escaping for each output language. Every string in a record may come from a system
//! under test, so none of it is trusted to be free of markup or control characters.

use std::fmt::Write as _;

/// Escapes text for XML or HTML, in element content and in quoted attributes alike.
///
/// `&`, `<`, `>`, `"` and `'` become entities. Tab, line feed and carriage return become
/// character references so attribute values keep them (a parser turns literal ones into
/// spaces). Other control characters are not allowed in XML 1.0 at all, not even as
/// references, so they are written visibly as `\u{1b}`; so are U+FFFE and U+FFFF.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Like [`xml`], but keeps line feeds literal: for element content (`<system-out>`,
/// `<pre>`) where lines should stay lines in the file.
pub(crate) fn xml_multiline(text: &str) -> String {
    xml(text).replace("&#10;", "\n")
}

/// Makes text safe to print on a terminal: control characters (escape sequences from a
/// system under test included) become visible `\u{1b}`-style escapes, line breaks `\n`.
pub(crate) fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes prose for Markdown (CommonMark + GitHub tables): ASCII punctuation that could
/// start markup gets a backslash, line breaks become spaces.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `text` literally (also inside a table cell). Empty text
/// gives an em dash, line breaks show as `⏎`.
pub(crate) fn markdown_code(text: &str) -> String {
    if text.is_empty() {
        return "—".to_string();
    }
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // A table cell ends at a pipe preceded by an even number of backslashes, even
            // inside a code span; make the count odd.
            '|' => {
                let run = body.len() - body.trim_end_matches('\\').len();
                body.push_str(if run.is_multiple_of(2) {
                    "\\|"
                } else {
                    "\\\\|"
                });
            }
            '\n' => body.push('⏎'),
            '\r' => {}
            c if c.is_control() => body.extend(c.escape_debug()),
            c => body.push(c),
        }
    }
    // The fence must be longer than any run of backticks inside.
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fragment identifier for HTML `id`/`href`: ASCII letters, digits and `-` stay, every
/// other byte becomes `_xx`, so distinct inputs give distinct ids.
pub(crate) fn anchor(prefix: &str, text: &str) -> String {
    let mut out = String::from(prefix);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
    out
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let mut s = text[..cut].to_string();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_keeps_newlines_in_attributes() {
        assert_eq!(
            xml("a<b>&\"c\"'d'\n\te"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;&#10;&#9;e"
        );
        assert_eq!(xml("保険証 3割"), "保険証 3割");
    }

    #[test]
    fn xml_shows_characters_xml_cannot_hold() {
        assert_eq!(xml("a\u{1b}[31mb\u{0}"), "a\\u{1b}[31mb\\u{0}");
        assert_eq!(xml("\u{FFFF}"), "\\u{ffff}");
    }

    #[test]
    fn xml_multiline_keeps_line_feeds() {
        assert_eq!(xml_multiline("a\n<b>"), "a\n&lt;b&gt;");
    }

    #[test]
    fn terminal_neutralises_escape_sequences() {
        assert_eq!(terminal("ok\u{1b}[2Jx\ny"), "ok\\u{1b}[2Jx\\ny");
        assert_eq!(terminal("本人確認"), "本人確認");
    }

    #[test]
    fn markdown_escapes_markup() {
        assert_eq!(markdown("a|b *c* <d>\nnext"), "a\\|b \\*c\\* \\<d\\> next");
        assert_eq!(markdown("[x](y)"), "\\[x\\](y)");
    }

    #[test]
    fn markdown_code_survives_backticks_and_pipes() {
        assert_eq!(markdown_code("a"), "`a`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
        assert_eq!(
            markdown_code("a\\|b"),
            "`a\\\\\\|b`",
            "three backslashes: still escaped"
        );
        assert_eq!(markdown_code("l1\nl2"), "`l1⏎l2`");
        assert_eq!(markdown_code(""), "—");
    }

    #[test]
    fn anchors_are_distinct_and_plain() {
        assert_eq!(anchor("sc-", "card/face-ok"), "sc-card_2fface-ok");
        assert_ne!(anchor("", "a/b"), anchor("", "a_2fb"));
        assert_eq!(anchor("", "本"), "_e6_9c_ac");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("保険証です", 3), "保険証…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("", 0), "");
    }
}
