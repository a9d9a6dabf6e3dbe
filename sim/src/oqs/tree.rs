//! The element trees between typed messages and XML text: [`Out`] is what a message writes
//! (in schema order, with absent optional elements remembered so that the writer can emit them
//! empty on request); [`In`] is what the reader parsed. [`Fields`] walks an [`In`] element's
//! children by name, in any order, tracking the path for error messages and rejecting unknown
//! and repeated elements.

use crate::clock::{Date, Moment, compact_date, parse_compact_date};
use crate::ids::InstitutionCode;

use super::text::{
    ContributionRatio, InsuranceNumbersText, InsurerNumberText, NumberElements,
    parse_compact_moment,
};
use super::{FieldKind, OqsError, Position};
use crate::codes::{Code, LimitCategoryCode};

/// An element to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Out {
    /// A leaf with text (possibly empty).
    Leaf(&'static str, String),
    /// A container with children in schema order.
    Block(&'static str, Vec<Out>),
    /// An optional element without a value: omitted, or written empty when asked.
    Absent(&'static str),
}

impl Out {
    /// The element name.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Out::Leaf(n, _) | Out::Block(n, _) | Out::Absent(n) => n,
        }
    }
}

/// Collects the children of one container element in schema order.
#[derive(Debug, Default)]
pub(crate) struct Block {
    children: Vec<Out>,
}

impl Block {
    pub(crate) fn new() -> Self {
        Block::default()
    }

    /// Finishes the block as element `name`.
    pub(crate) fn into_out(self, name: &'static str) -> Out {
        Out::Block(name, self.children)
    }

    pub(crate) fn text(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.children.push(Out::Leaf(name, value.to_string()));
        self
    }

    pub(crate) fn opt_text(&mut self, name: &'static str, value: Option<&str>) -> &mut Self {
        self.children.push(match value {
            Some(v) => Out::Leaf(name, v.to_string()),
            None => Out::Absent(name),
        });
        self
    }

    /// The four insurance numbers, in order, under the message's element names.
    pub(crate) fn numbers(&mut self, names: NumberElements, n: &InsuranceNumbersText) -> &mut Self {
        self.text(names.insurer, n.insurer.raw())
            .opt_text(names.symbol, n.symbol.as_deref())
            .text(names.number, &n.number)
            .opt_text(names.branch, n.branch.as_deref())
    }

    pub(crate) fn date(&mut self, name: &'static str, value: Date) -> &mut Self {
        self.text(name, &compact_date(value))
    }

    pub(crate) fn opt_date(&mut self, name: &'static str, value: Option<Date>) -> &mut Self {
        self.opt_text(name, value.map(compact_date).as_deref())
    }

    pub(crate) fn moment(&mut self, name: &'static str, value: Moment) -> &mut Self {
        self.text(name, &value.compact())
    }

    pub(crate) fn opt_moment(&mut self, name: &'static str, value: Option<Moment>) -> &mut Self {
        self.opt_text(name, value.map(Moment::compact).as_deref())
    }

    pub(crate) fn code<C: Code>(&mut self, name: &'static str, value: C) -> &mut Self {
        self.text(name, value.code())
    }

    pub(crate) fn opt_code<C: Code>(&mut self, name: &'static str, value: Option<C>) -> &mut Self {
        self.opt_text(name, value.map(C::code))
    }

    pub(crate) fn ratio(
        &mut self,
        name: &'static str,
        value: Option<ContributionRatio>,
    ) -> &mut Self {
        self.opt_text(name, value.map(ContributionRatio::code).as_deref())
    }

    pub(crate) fn count(&mut self, name: &'static str, value: Option<u32>) -> &mut Self {
        self.opt_text(name, value.map(|v| v.to_string()).as_deref())
    }

    /// Adds a finished child element.
    pub(crate) fn child(&mut self, out: Out) -> &mut Self {
        self.children.push(out);
        self
    }

    /// Adds an optional child block, or remembers it as absent.
    pub(crate) fn opt_child(&mut self, name: &'static str, out: Option<Out>) -> &mut Self {
        self.children.push(out.unwrap_or(Out::Absent(name)));
        self
    }
}

/// An element as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct In {
    pub(crate) name: String,
    /// Character data directly inside the element (for containers: whitespace only).
    pub(crate) text: String,
    pub(crate) children: Vec<In>,
    pub(crate) at: Position,
}

/// Decodes the root element: it must be `XmlMsg`.
pub(crate) fn decode_root<T>(
    root: &In,
    from_tree: impl FnOnce(&mut Fields<'_>) -> Result<T, OqsError>,
) -> Result<T, OqsError> {
    if root.name != "XmlMsg" {
        return Err(OqsError::WrongRoot {
            found: root.name.clone(),
            at: root.at,
        });
    }
    let mut fields = Fields::new(root, "XmlMsg".to_string())?;
    let value = from_tree(&mut fields)?;
    fields.finish()?;
    Ok(value)
}

/// The children of one container element, consumed by name.
pub(crate) struct Fields<'a> {
    node: &'a In,
    path: String,
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    /// Views `node` (at `path`) as a container: it must not hold text.
    pub(crate) fn new(node: &'a In, path: String) -> Result<Self, OqsError> {
        if !node.text.trim_matches(is_xml_space).is_empty() {
            return Err(OqsError::Invalid {
                path,
                kind: FieldKind::Text,
                expected: "child elements".into(),
                found: node.text.clone(),
                at: node.at,
            });
        }
        Ok(Fields {
            node,
            path,
            used: vec![false; node.children.len()],
        })
    }

    /// Where this container starts.
    pub(crate) fn at(&self) -> Position {
        self.node.at
    }

    /// The path of this container.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    fn child_path(&self, name: &str) -> String {
        format!("{}/{}", self.path, name)
    }

    /// Takes the single child `name`, if present; a second one is an error.
    pub(crate) fn take(&mut self, name: &str) -> Result<Option<&'a In>, OqsError> {
        let mut found: Option<&'a In> = None;
        for (i, c) in self.node.children.iter().enumerate() {
            if c.name == name {
                if found.is_some() {
                    return Err(OqsError::Duplicate {
                        path: self.child_path(name),
                        at: c.at,
                    });
                }
                self.used[i] = true;
                found = Some(c);
            }
        }
        Ok(found)
    }

    /// Takes every child `name`, in document order.
    pub(crate) fn take_all(&mut self, name: &str) -> Vec<&'a In> {
        let mut all = Vec::new();
        for (i, c) in self.node.children.iter().enumerate() {
            if c.name == name {
                self.used[i] = true;
                all.push(c);
            }
        }
        all
    }

    fn missing(&self, name: &str) -> OqsError {
        OqsError::Missing {
            path: self.child_path(name),
            at: self.node.at,
        }
    }

    /// Optional text leaf; `<X/>` is `Some("")`.
    pub(crate) fn opt_text(&mut self, name: &str) -> Result<Option<String>, OqsError> {
        match self.take(name)? {
            None => Ok(None),
            Some(node) => leaf_text(node, self.child_path(name)).map(Some),
        }
    }

    /// Required text leaf (may be empty).
    pub(crate) fn text(&mut self, name: &str) -> Result<String, OqsError> {
        self.opt_text(name)?.ok_or_else(|| self.missing(name))
    }

    /// Optional leaf parsed by `parse`; an empty element counts as absent.
    fn opt_parsed<T>(
        &mut self,
        name: &str,
        kind: FieldKind,
        expected: impl FnOnce() -> String,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, OqsError> {
        let Some(node) = self.take(name)? else {
            return Ok(None);
        };
        let path = self.child_path(name);
        let text = leaf_text(node, path.clone())?;
        if text.is_empty() {
            return Ok(None);
        }
        match parse(&text) {
            Some(v) => Ok(Some(v)),
            None => Err(OqsError::Invalid {
                path,
                kind,
                expected: expected(),
                found: text,
                at: node.at,
            }),
        }
    }

    /// Requires a value from `opt`, reporting an empty element as invalid and absence as missing.
    fn required<T>(
        &mut self,
        name: &str,
        kind: FieldKind,
        expected: &str,
        opt: impl FnOnce(&mut Self) -> Result<Option<T>, OqsError>,
    ) -> Result<T, OqsError> {
        let present = self.node.children.iter().find(|c| c.name == name);
        match opt(self)? {
            Some(v) => Ok(v),
            None => match present {
                Some(node) => Err(OqsError::Invalid {
                    path: self.child_path(name),
                    kind,
                    expected: expected.to_string(),
                    found: String::new(),
                    at: node.at,
                }),
                None => Err(self.missing(name)),
            },
        }
    }

    pub(crate) fn opt_date(&mut self, name: &str) -> Result<Option<Date>, OqsError> {
        self.opt_parsed(name, FieldKind::Date, || DATE.into(), parse_compact_date)
    }

    pub(crate) fn date(&mut self, name: &str) -> Result<Date, OqsError> {
        self.required(name, FieldKind::Date, DATE, |f| f.opt_date(name))
    }

    pub(crate) fn opt_moment(&mut self, name: &str) -> Result<Option<Moment>, OqsError> {
        self.opt_parsed(
            name,
            FieldKind::Timestamp,
            || TIMESTAMP.into(),
            parse_compact_moment,
        )
    }

    pub(crate) fn moment(&mut self, name: &str) -> Result<Moment, OqsError> {
        self.required(name, FieldKind::Timestamp, TIMESTAMP, |f| {
            f.opt_moment(name)
        })
    }

    pub(crate) fn opt_code<C: Code>(&mut self, name: &str) -> Result<Option<C>, OqsError> {
        self.opt_parsed(name, FieldKind::Code, code_list::<C>, |t| {
            C::from_code(t).ok()
        })
    }

    pub(crate) fn code<C: Code>(&mut self, name: &str) -> Result<C, OqsError> {
        let expected = code_list::<C>();
        self.required(name, FieldKind::Code, &expected, |f| f.opt_code(name))
    }

    pub(crate) fn limit_category(&mut self, name: &str) -> Result<LimitCategoryCode, OqsError> {
        const EXPECTED: &str = "a code of OQSCD012 (A01–A06, B01–B10)";
        self.required(name, FieldKind::Code, EXPECTED, |f| {
            f.opt_parsed(
                name,
                FieldKind::Code,
                || EXPECTED.into(),
                |t| LimitCategoryCode::from_code(t).ok(),
            )
        })
    }

    pub(crate) fn ratio(&mut self, name: &str) -> Result<Option<ContributionRatio>, OqsError> {
        self.opt_parsed(
            name,
            FieldKind::Number,
            || "a 3-digit percent 000–100 (010 = 1割)".into(),
            ContributionRatio::from_code,
        )
    }

    pub(crate) fn count(&mut self, name: &str) -> Result<Option<u32>, OqsError> {
        self.opt_parsed(
            name,
            FieldKind::Number,
            || "a count in ASCII digits".into(),
            |t| {
                t.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| t.parse().ok())
                    .flatten()
            },
        )
    }

    pub(crate) fn institution(&mut self, name: &str) -> Result<InstitutionCode, OqsError> {
        let node = self.take(name)?.ok_or_else(|| self.missing(name))?;
        let path = self.child_path(name);
        let text = leaf_text(node, path.clone())?;
        InstitutionCode::parse(&text).map_err(|e| OqsError::Invalid {
            path,
            kind: FieldKind::InstitutionCode,
            expected: format!("a 10-digit 医療機関コード ({e})"),
            found: text,
            at: node.at,
        })
    }

    /// 保険者番号 kept as raw text (checked by the validator, not here).
    pub(crate) fn insurer(&mut self, name: &str) -> Result<InsurerNumberText, OqsError> {
        self.text(name).map(InsurerNumberText)
    }

    /// The four insurance numbers under the message's element names (保険者番号 as raw text).
    pub(crate) fn numbers(
        &mut self,
        names: NumberElements,
    ) -> Result<InsuranceNumbersText, OqsError> {
        Ok(InsuranceNumbersText {
            insurer: self.insurer(names.insurer)?,
            symbol: self.opt_text(names.symbol)?,
            number: self.text(names.number)?,
            branch: self.opt_text(names.branch)?,
        })
    }

    /// An optional child container; an empty one (`<X/>`, what
    /// [`EncodeOptions::empty_elements`](super::EncodeOptions) writes) counts as absent.
    pub(crate) fn opt_block(&mut self, name: &str) -> Result<Option<Fields<'a>>, OqsError> {
        match self.take(name)? {
            None => Ok(None),
            Some(node) if node.children.is_empty() && node.text.chars().all(is_xml_space) => {
                Ok(None)
            }
            Some(node) => Fields::new(node, self.child_path(name)).map(Some),
        }
    }

    /// A required child container.
    pub(crate) fn block(&mut self, name: &str) -> Result<Fields<'a>, OqsError> {
        let node = self.take(name)?.ok_or_else(|| self.missing(name))?;
        Fields::new(node, self.child_path(name))
    }

    /// Every child container `name`, paths indexed `name[1]`, `name[2]` … when repeated.
    pub(crate) fn blocks(&mut self, name: &str) -> Result<Vec<Fields<'a>>, OqsError> {
        let all = self.take_all(name);
        let many = all.len() > 1;
        all.into_iter()
            .enumerate()
            .map(|(i, node)| {
                let path = if many {
                    format!("{}/{}[{}]", self.path, name, i + 1)
                } else {
                    self.child_path(name)
                };
                Fields::new(node, path)
            })
            .collect()
    }

    /// Ends the walk: any child not taken is an unknown element.
    pub(crate) fn finish(self) -> Result<(), OqsError> {
        match self.used.iter().position(|u| !u) {
            None => Ok(()),
            Some(i) => {
                let c = &self.node.children[i];
                Err(OqsError::Unexpected {
                    path: self.child_path(&c.name),
                    at: c.at,
                })
            }
        }
    }
}

const DATE: &str = "a real date YYYYMMDD";
const TIMESTAMP: &str = "a real timestamp YYYYMMDDHHMMSS";

fn code_list<C: Code>() -> String {
    let codes: Vec<&str> = C::ALL.iter().map(|c| c.code()).collect();
    format!("a code of {} ({})", C::TABLE, codes.join(", "))
}

/// XML whitespace (space, tab, CR, LF).
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn leaf_text(node: &In, path: String) -> Result<String, OqsError> {
    match node.children.first() {
        None => Ok(node.text.clone()),
        Some(child) => Err(OqsError::Invalid {
            path,
            kind: FieldKind::Text,
            expected: "text".into(),
            found: format!("<{}>", child.name),
            at: child.at,
        }),
    }
}
