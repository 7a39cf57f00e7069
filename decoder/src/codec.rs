//! tokio-util glue (feature `codec`): a [`Driver`] is a `Decoder`, and [`Codec`] pairs it
//! with an [`Encode`] for `Framed`.

use std::io;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::driver::Driver;
use crate::encode::{Encode, EncodeError};
use crate::error::DecodeError;
use crate::step::Step;

/// Everything that can go wrong on a framed connection.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodecError {
    /// The peer sent bytes the decoder rejected.
    Decode(DecodeError),
    /// An outgoing item could not be encoded.
    Encode(EncodeError),
    /// The transport failed.
    Io(io::Error),
}

impl core::fmt::Display for CodecError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CodecError::Decode(e) => e.fmt(f),
            CodecError::Encode(e) => e.fmt(f),
            CodecError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodecError::Decode(e) => Some(e),
            CodecError::Encode(e) => Some(e),
            CodecError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for CodecError {
    fn from(e: io::Error) -> Self {
        CodecError::Io(e)
    }
}

impl From<DecodeError> for CodecError {
    fn from(e: DecodeError) -> Self {
        CodecError::Decode(e)
    }
}

impl From<EncodeError> for CodecError {
    fn from(e: EncodeError) -> Self {
        CodecError::Encode(e)
    }
}

impl<F, S> Decoder for Driver<F, S>
where
    F: FnMut() -> S,
    S: Step,
{
    type Item = S::Output;
    type Error = CodecError;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<S::Output>, CodecError> {
        Ok(Driver::decode(self, src)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<S::Output>, CodecError> {
        Ok(Driver::decode_eof(self, src)?)
    }
}

/// A decoder and an encoder in one value, as `tokio_util::codec::Framed` wants them.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::encode::{put_crlf_line, Encode, EncodeError};
/// use nagrel_decoder::{read_line, Codec, Driver};
/// use tokio_util::codec::{Decoder, Encoder};
///
/// struct Lines;
/// impl Encode<&'static str> for Lines {
///     fn encode(&mut self, line: &'static str, dst: &mut BytesMut) -> Result<(), EncodeError> {
///         put_crlf_line(dst, line.as_bytes())
///     }
/// }
///
/// let mut codec = Codec::new(Driver::new(read_line), Lines);
/// let mut out = BytesMut::new();
/// codec.encode("hello", &mut out).unwrap();
/// assert_eq!(&codec.decode(&mut out).unwrap().unwrap()[..], b"hello");
/// ```
#[derive(Debug)]
pub struct Codec<D, E> {
    decoder: D,
    encoder: E,
}

impl<D, E> Codec<D, E> {
    /// Pairs `decoder` (usually a [`Driver`]) with `encoder`.
    pub fn new(decoder: D, encoder: E) -> Self {
        Codec { decoder, encoder }
    }

    /// The decoding half.
    pub fn decoder_mut(&mut self) -> &mut D {
        &mut self.decoder
    }

    /// The encoding half.
    pub fn encoder_mut(&mut self) -> &mut E {
        &mut self.encoder
    }
}

impl<D, E> Decoder for Codec<D, E>
where
    D: Decoder<Error = CodecError>,
{
    type Item = D::Item;
    type Error = CodecError;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<D::Item>, CodecError> {
        self.decoder.decode(src)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<D::Item>, CodecError> {
        self.decoder.decode_eof(src)
    }
}

impl<D, E, Item> Encoder<Item> for Codec<D, E>
where
    E: Encode<Item>,
{
    type Error = CodecError;

    fn encode(&mut self, item: Item, dst: &mut BytesMut) -> Result<(), CodecError> {
        Ok(self.encoder.encode(item, dst)?)
    }
}
