//! JSON read the way a gate must read it: a key twice in one object is an error, not a
//! silent choice. serde's derived structs keep the first value of a repeated one-of field
//! while jq, Python and JavaScript keep the last, so a document parsed here first can never
//! mean one thing to attest-kit and another to the next reader of the same bytes.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `text` as one JSON value, refusing duplicate keys anywhere in it.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node::root()
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// [`parse`] over bytes (UTF-8 is checked by the parser).
pub fn parse_slice(bytes: &[u8]) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Node::root()
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// One value being read, with its JSON pointer for the error message.
struct Node {
    path: String,
}

impl Node {
    fn root() -> Self {
        Self {
            path: String::new(),
        }
    }

    fn child(&self, step: &str) -> Self {
        // RFC 6901 escaping keeps the pointer unambiguous for keys with `/` or `~`.
        let step = step.replace('~', "~0").replace('/', "~1");
        Self {
            path: format!("{}/{step}", self.path),
        }
    }

    fn shown(&self) -> &str {
        if self.path.is_empty() {
            "/"
        } else {
            &self.path
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("a number that is not finite at {}", self.shown())))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(&items.len().to_string()))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key {key:?} in {}",
                    self.shown()
                )));
            }
            let value = map.next_value_seed(self.child(&key))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_with_their_place() {
        let e = parse(r#"{"a": {"b": 1, "b": 2}}"#)
            .err()
            .unwrap_or_default();
        assert!(e.contains(r#"duplicate key "b" in /a"#), "{e}");
        let e = parse(r#"[{"x": 1}, {"y": 1, "y": 1}]"#)
            .err()
            .unwrap_or_default();
        assert!(e.contains(r#"duplicate key "y" in /1"#), "{e}");
        let e = parse(r#"{"k": 1, "k": 1}"#).err().unwrap_or_default();
        assert!(e.contains(r#"duplicate key "k" in /"#), "{e}");
        // An escaped spelling of the same key is the same key.
        assert!(parse(r#"{"ab": 1, "a\u0062": 2}"#).is_err());
        let e = parse(r#"{"a/b": {"c": 0, "c": 0}}"#)
            .err()
            .unwrap_or_default();
        assert!(e.contains("/a~1b"), "{e}");
    }

    #[test]
    fn what_serde_json_reads_is_read_the_same() {
        for text in [
            r#"{"a": [1, -2, 3.5, "s", true, null, {"b": {}}]}"#,
            "  \"x\"  ",
            "18446744073709551615",
            "[]",
        ] {
            let ours = parse(text);
            let theirs: Result<Value, _> = serde_json::from_str(text);
            assert_eq!(ours.ok(), theirs.ok(), "{text}");
            assert_eq!(parse_slice(text.as_bytes()), parse(text), "{text}");
        }
    }

    #[test]
    fn garbage_and_depth_are_errors_not_panics() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "1 2", "\u{0}", "nan"] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse_slice(b"\"\xff\"").is_err());
    }
}
