//! An SCGI request.

use bytes::Bytes;

/// An SCGI request: its headers in wire order and its body.
///
/// Decoded requests hold every header as sent, `CONTENT_LENGTH` and `SCGI` included;
/// names and values are slices of the received buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScgiRequest {
    headers: Vec<(Bytes, Bytes)>,
    body: Bytes,
}

impl ScgiRequest {
    /// A request with these headers and body. The encoder writes `CONTENT_LENGTH` (from
    /// the body) and `SCGI` itself; copies of them in `headers` are skipped.
    pub fn new(headers: Vec<(Bytes, Bytes)>, body: Bytes) -> Self {
        ScgiRequest { headers, body }
    }

    /// The headers in order.
    pub fn headers(&self) -> &[(Bytes, Bytes)] {
        &self.headers
    }

    /// The value of the header `name` (names are case-sensitive in SCGI).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use nagrel_protocols::scgi::ScgiRequest;
    ///
    /// let req = ScgiRequest::new(vec![(Bytes::from("PATH_INFO"), Bytes::from("/x"))], Bytes::new());
    /// assert_eq!(req.header(b"PATH_INFO").map(|v| &v[..]), Some(&b"/x"[..]));
    /// assert_eq!(req.header(b"path_info"), None);
    /// ```
    pub fn header(&self, name: &[u8]) -> Option<&Bytes> {
        self.headers
            .iter()
            .find(|(n, _)| n[..] == *name)
            .map(|(_, v)| v)
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The headers and the body, taken apart.
    pub fn into_parts(self) -> (Vec<(Bytes, Bytes)>, Bytes) {
        (self.headers, self.body)
    }
}
