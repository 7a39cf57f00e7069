//! The value a tnetstring holds.

use bytes::Bytes;

/// One tnetstring value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `,`: a byte string (zero-copy when decoded).
    Bytes(Bytes),
    /// `#`: a signed 64-bit integer.
    Integer(i64),
    /// `^`: a finite float.
    Float(f64),
    /// `!`: a boolean.
    Bool(bool),
    /// `~`: null.
    Null,
    /// `]`: a list.
    List(Vec<Value>),
    /// `}`: a dictionary, in wire order.
    Dict(Dict),
}

impl Value {
    /// The bytes of a byte string, else `None`.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The value of an integer, else `None`.
    pub fn as_integer(&self) -> Option<i64> {
        match *self {
            Value::Integer(n) => Some(n),
            _ => None,
        }
    }

    /// The elements of a list, else `None`.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The dictionary, else `None`.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Bytes(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<Bytes> for Value {
    fn from(b: Bytes) -> Self {
        Value::Bytes(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Integer(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// A tnetstring dictionary: byte-string keys and values, in the order they were written.
///
/// Lookups are linear, which is what small protocol dictionaries (headers, control
/// messages) want; a key written twice is kept twice and [`get`](Dict::get) finds the
/// first.
///
/// ```
/// use nagrel_protocols::tnetstring::{Dict, Value};
///
/// let mut d = Dict::default();
/// d.push("credits", Value::Integer(4096));
/// assert_eq!(d.get(b"credits"), Some(&Value::Integer(4096)));
/// assert_eq!(d.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    entries: Vec<(Bytes, Value)>,
}

impl Dict {
    /// Appends `key: value`.
    pub fn push(&mut self, key: impl Into<DictKey>, value: Value) {
        self.entries.push((key.into().0, value));
    }

    /// The first value under `key`.
    pub fn get(&self, key: &[u8]) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k[..] == *key)
            .map(|(_, v)| v)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl From<Vec<(Bytes, Value)>> for Dict {
    fn from(entries: Vec<(Bytes, Value)>) -> Self {
        Dict { entries }
    }
}

impl From<Dict> for Vec<(Bytes, Value)> {
    fn from(d: Dict) -> Self {
        d.entries
    }
}

/// A dictionary key: anything that converts into a byte string.
#[derive(Debug, Clone)]
pub struct DictKey(Bytes);

impl From<&str> for DictKey {
    fn from(s: &str) -> Self {
        DictKey(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<Bytes> for DictKey {
    fn from(b: Bytes) -> Self {
        DictKey(b)
    }
}
