//! List expectations: the exact list, or `{contains, not_contains}`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::BAD_VALUE;

/// A list expectation: the exact list (`[a, b]`, in order where order matters), or the items
/// it must and must not hold (`{contains: [a], not_contains: [b]}`, at least one key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListExpect<T> {
    /// Exactly this list.
    Exact(Vec<T>),
    /// Every item of `contains` is in the list and no item of `not_contains` is.
    Match {
        /// Items that must be in the list.
        contains: Vec<T>,
        /// Items that must not be in the list.
        not_contains: Vec<T>,
    },
}

impl<T> ListExpect<T> {
    /// The same expectation over other item values.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> ListExpect<U> {
        match self {
            ListExpect::Exact(l) => ListExpect::Exact(l.iter().map(&f).collect()),
            ListExpect::Match {
                contains,
                not_contains,
            } => ListExpect::Match {
                contains: contains.iter().map(&f).collect(),
                not_contains: not_contains.iter().map(&f).collect(),
            },
        }
    }

    /// Every item the expectation names (both parts of a `Match`).
    pub fn items(&self) -> impl Iterator<Item = &T> {
        let (a, b): (&[T], &[T]) = match self {
            ListExpect::Exact(l) => (l, &[]),
            ListExpect::Match {
                contains,
                not_contains,
            } => (contains, not_contains),
        };
        a.iter().chain(b)
    }

    /// Keeps the items `keep` accepts (every part of the expectation).
    pub fn retain(&mut self, keep: impl Fn(&T) -> bool) {
        match self {
            ListExpect::Exact(l) => l.retain(&keep),
            ListExpect::Match {
                contains,
                not_contains,
            } => {
                contains.retain(&keep);
                not_contains.retain(&keep);
            }
        }
    }
}

impl<T: Ord + Clone> ListExpect<T> {
    /// The same expectation with an exact list sorted (for lists compared in any order).
    pub fn sorted(&self) -> ListExpect<T> {
        match self {
            ListExpect::Exact(l) => {
                let mut l = l.clone();
                l.sort();
                ListExpect::Exact(l)
            }
            m => m.clone(),
        }
    }
}

impl<T: PartialEq> ListExpect<T> {
    /// Whether the `contains` / `not_contains` parts hold for `got` (`Exact` is compared by
    /// the caller, as text).
    pub fn matches(&self, got: &[T]) -> bool {
        match self {
            ListExpect::Exact(l) => l.as_slice() == got,
            ListExpect::Match {
                contains,
                not_contains,
            } => {
                contains.iter().all(|i| got.contains(i))
                    && !not_contains.iter().any(|i| got.contains(i))
            }
        }
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = ListExpect<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, or a mapping with `contains` and/or `not_contains`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(ListExpect::Exact(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        const KEYS: &[&str] = &["contains", "not_contains"];
        let mut contains: Option<Vec<T>> = None;
        let mut not_contains: Option<Vec<T>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "contains" => &mut contains,
                "not_contains" => &mut not_contains,
                other => return Err(de::Error::unknown_field(other, KEYS)),
            };
            if slot.is_some() {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            *slot = Some(map.next_value()?);
        }
        if contains.is_none() && not_contains.is_none() {
            return Err(de::Error::custom(format!(
                "{BAD_VALUE}`{{}}`: expected a list, or `contains` and/or `not_contains`"
            )));
        }
        Ok(ListExpect::Match {
            contains: contains.unwrap_or_default(),
            not_contains: not_contains.unwrap_or_default(),
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListExpect<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for ListExpect<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("ListExpect_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let items = generator.subschema_for::<Vec<T>>();
        json_schema!({
            "description": "The exact list, or `{contains: [...], not_contains: [...]}` (at least one key): items that must and must not be in the list.",
            "anyOf": [
                items,
                {
                    "type": "object",
                    "properties": { "contains": items, "not_contains": items },
                    "additionalProperties": false,
                    "minProperties": 1
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::vocab::AttemptName;

    #[test]
    fn list_expectations_are_a_list_or_contains_and_not_contains() {
        let l: ListExpect<AttemptName> = serde_saphyr::from_str("[pin_ok, face_matched]").unwrap();
        assert_eq!(
            l,
            ListExpect::Exact(vec![AttemptName::PinOk, AttemptName::FaceMatched])
        );
        let m: ListExpect<AttemptName> =
            serde_saphyr::from_str("{contains: [pin_ok], not_contains: [face_locked]}").unwrap();
        assert!(m.matches(&[AttemptName::FaceMismatch, AttemptName::PinOk]));
        assert!(!m.matches(&[AttemptName::FaceLocked, AttemptName::PinOk]));
        assert!(!m.matches(&[AttemptName::FaceMatched]));
        let only_not: ListExpect<AttemptName> =
            serde_saphyr::from_str("{not_contains: [face_locked]}").unwrap();
        assert!(only_not.matches(&[]));
        for bad in [
            "{}",
            "{contain: [pin_ok]}",
            "{contains: [pin_okay]}",
            "[pin_okay]",
            "pin_ok",
        ] {
            assert!(
                serde_saphyr::from_str::<ListExpect<AttemptName>>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
