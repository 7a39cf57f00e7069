//! Writing tnetstrings.

use bytes::BytesMut;
use nagrel_decoder::encode::{put_decimal, Encode, EncodeError};

use super::model::Value;

/// Deepest value the encoder writes; deeper ones are refused rather than risking the stack.
const MAX_ENCODE_DEPTH: usize = 1024;

/// Appends `value` as a tnetstring.
///
/// Refuses (without writing anything) a non-finite float, which has no tnetstring form,
/// and values nested deeper than 1024.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::tnetstring::{encode_tnetstring, Value};
///
/// let mut out = BytesMut::new();
/// encode_tnetstring(&Value::List(vec![Value::Null, Value::Float(0.5)]), &mut out).unwrap();
/// assert_eq!(&out[..], b"9:0:~3:0.5^]");
/// assert!(encode_tnetstring(&Value::Float(f64::NAN), &mut out).is_err());
/// ```
pub fn encode_tnetstring(value: &Value, dst: &mut BytesMut) -> Result<(), EncodeError> {
    check(value, 1)?;
    dst.reserve(encoded_len(value));
    write(value, dst);
    Ok(())
}

fn check(value: &Value, depth: usize) -> Result<(), EncodeError> {
    if depth > MAX_ENCODE_DEPTH {
        return Err(EncodeError::new("tnetstring nested too deep"));
    }
    match value {
        Value::Float(x) if !x.is_finite() => Err(EncodeError::new("non-finite float")),
        Value::List(items) => items.iter().try_for_each(|v| check(v, depth + 1)),
        Value::Dict(d) => d.iter().try_for_each(|(_, v)| check(v, depth + 1)),
        _ => Ok(()),
    }
}

/// The number of bytes [`encode_tnetstring`] writes for `value`.
///
/// ```
/// use nagrel_protocols::tnetstring::{encoded_len, Value};
///
/// assert_eq!(encoded_len(&Value::Integer(-12)), b"3:-12#".len());
/// ```
pub fn encoded_len(value: &Value) -> usize {
    let n = data_len(value);
    decimal_len(n) + 1 + n + 1
}

fn data_len(value: &Value) -> usize {
    match value {
        Value::Bytes(b) => b.len(),
        Value::Integer(n) => {
            let sign = usize::from(*n < 0);
            sign + decimal_len(n.unsigned_abs() as usize)
        }
        Value::Float(x) => float_text(*x).len(),
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Null => 0,
        Value::List(items) => items.iter().map(encoded_len).sum(),
        Value::Dict(d) => d
            .iter()
            .map(|(k, v)| decimal_len(k.len()) + k.len() + 2 + encoded_len(v))
            .sum(),
    }
}

/// Digits in the decimal form of `n`.
fn decimal_len(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// A float in the shortest form that reads back to the same value.
fn float_text(x: f64) -> String {
    // Debug keeps a `.0` on whole numbers and uses an exponent for very large or small
    // ones; both read back exactly.
    format!("{x:?}")
}

fn write(value: &Value, dst: &mut BytesMut) {
    put_decimal(dst, data_len(value) as u64);
    dst.extend_from_slice(b":");
    match value {
        Value::Bytes(b) => {
            dst.extend_from_slice(b);
            dst.extend_from_slice(b",");
        }
        Value::Integer(n) => {
            if *n < 0 {
                dst.extend_from_slice(b"-");
            }
            put_decimal(dst, n.unsigned_abs());
            dst.extend_from_slice(b"#");
        }
        Value::Float(x) => {
            dst.extend_from_slice(float_text(*x).as_bytes());
            dst.extend_from_slice(b"^");
        }
        Value::Bool(b) => {
            dst.extend_from_slice(if *b { b"true!" } else { b"false!" });
        }
        Value::Null => dst.extend_from_slice(b"~"),
        Value::List(items) => {
            items.iter().for_each(|v| write(v, dst));
            dst.extend_from_slice(b"]");
        }
        Value::Dict(d) => {
            for (k, v) in d.iter() {
                put_decimal(dst, k.len() as u64);
                dst.extend_from_slice(b":");
                dst.extend_from_slice(k);
                dst.extend_from_slice(b",");
                write(v, dst);
            }
            dst.extend_from_slice(b"}");
        }
    }
}

/// [`encode_tnetstring`] as an [`Encode`] implementation, for `Codec`/`Framed`.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::encode::Encode;
/// use nagrel_protocols::tnetstring::{TnetstringEncoder, Value};
///
/// let mut out = BytesMut::new();
/// TnetstringEncoder.encode(&Value::Bool(false), &mut out).unwrap();
/// assert_eq!(&out[..], b"5:false!");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TnetstringEncoder;

impl Encode<&Value> for TnetstringEncoder {
    fn encode(&mut self, item: &Value, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_tnetstring(item, dst)
    }
}
