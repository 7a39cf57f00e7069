//! Writing netstrings.

use bytes::{Bytes, BytesMut};
use nagrel_decoder::encode::{put_decimal, Encode, EncodeError};

/// Appends `data` as a netstring, `LEN:data,`. Any bytes can be written.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::netstring::encode_netstring;
///
/// let mut out = BytesMut::new();
/// encode_netstring(b"hi", &mut out);
/// assert_eq!(&out[..], b"2:hi,");
/// ```
pub fn encode_netstring(data: &[u8], dst: &mut BytesMut) {
    dst.reserve(data.len() + 22);
    put_decimal(dst, data.len() as u64);
    dst.extend_from_slice(b":");
    dst.extend_from_slice(data);
    dst.extend_from_slice(b",");
}

/// [`encode_netstring`] as an [`Encode`] implementation, for `Codec`/`Framed`.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::encode::Encode;
/// use nagrel_protocols::netstring::NetstringEncoder;
///
/// let mut out = BytesMut::new();
/// NetstringEncoder.encode(&b"abc"[..], &mut out).unwrap();
/// assert_eq!(&out[..], b"3:abc,");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NetstringEncoder;

impl Encode<&[u8]> for NetstringEncoder {
    fn encode(&mut self, item: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_netstring(item, dst);
        Ok(())
    }
}

impl Encode<Bytes> for NetstringEncoder {
    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_netstring(&item, dst);
        Ok(())
    }
}
