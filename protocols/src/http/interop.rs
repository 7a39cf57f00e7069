//! Conversions between the zero-copy heads and the `http` crate's request and response
//! parts, for code built on the `http` ecosystem.

use bytes::BytesMut;
use nagrel_decoder::encode::EncodeError;

use super::encode::{encode_request_head, encode_response_head};
use super::model::{RequestHead, ResponseHead, Version};

fn to_http_version(v: Version) -> http::Version {
    match v {
        Version::Http10 => http::Version::HTTP_10,
        Version::Http11 => http::Version::HTTP_11,
    }
}

fn from_http_version(v: http::Version) -> Result<Version, EncodeError> {
    match v {
        http::Version::HTTP_10 => Ok(Version::Http10),
        http::Version::HTTP_11 => Ok(Version::Http11),
        _ => Err(EncodeError::new(
            "only HTTP/1.0 and HTTP/1.1 heads can be written",
        )),
    }
}

impl RequestHead {
    /// The head as `http::request::Parts` (copies what `http` stores itself).
    ///
    /// `http`'s URI parser is stricter about some targets than RFC 9112's grammar, so this
    /// can fail where decoding succeeded.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_protocols::decoder::Driver;
    /// use nagrel_protocols::http::{request_head, HeadLimits};
    ///
    /// let mut driver = Driver::new(|| request_head(HeadLimits::default()));
    /// let mut buf = BytesMut::from(&b"PUT /x?y HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n"[..]);
    /// let parts = driver.decode(&mut buf).unwrap().unwrap().to_http().unwrap();
    /// assert_eq!(parts.method, http::Method::PUT);
    /// assert_eq!(parts.uri.query(), Some("y"));
    /// assert_eq!(parts.headers["x"], "1");
    /// ```
    pub fn to_http(&self) -> Result<http::request::Parts, http::Error> {
        let mut builder = http::Request::builder()
            .method(http::Method::from_bytes(self.method())?)
            .uri(http::Uri::try_from(self.target())?)
            .version(to_http_version(self.version()));
        for (name, value) in self.fields().iter() {
            builder = builder.header(name, value);
        }
        Ok(builder.body(())?.into_parts().0)
    }
}

impl ResponseHead {
    /// The head as `http::response::Parts`.
    pub fn to_http(&self) -> Result<http::response::Parts, http::Error> {
        let mut builder = http::Response::builder()
            .status(self.status())
            .version(to_http_version(self.version()));
        for (name, value) in self.fields().iter() {
            builder = builder.header(name, value);
        }
        Ok(builder.body(())?.into_parts().0)
    }
}

/// Writes `http::request::Parts` as an HTTP/1.x request head.
///
/// ```
/// let (parts, ()) = http::Request::get("/a").header("host", "b").body(()).unwrap().into_parts();
/// let mut out = bytes::BytesMut::new();
/// nagrel_protocols::http::encode_http_request(&mut out, &parts).unwrap();
/// assert_eq!(&out[..], b"GET /a HTTP/1.1\r\nhost: b\r\n\r\n");
/// ```
pub fn encode_http_request(
    dst: &mut BytesMut,
    parts: &http::request::Parts,
) -> Result<(), EncodeError> {
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let target = if parts.uri.scheme().is_some() {
        parts.uri.to_string()
    } else {
        target.to_owned()
    };
    encode_request_head(
        dst,
        parts.method.as_str().as_bytes(),
        target.as_bytes(),
        from_http_version(parts.version)?,
        parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes())),
    )
}

/// Writes `http::response::Parts` as an HTTP/1.x response head, with the status code's
/// canonical reason phrase.
pub fn encode_http_response(
    dst: &mut BytesMut,
    parts: &http::response::Parts,
) -> Result<(), EncodeError> {
    encode_response_head(
        dst,
        from_http_version(parts.version)?,
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("").as_bytes(),
        parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes())),
    )
}
