//! Why an HTTP message was rejected, where, and which status code answers it.

use core::fmt;

use nagrel_decoder::{DecodeError, ErrorKind};

macro_rules! http_error_kinds {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $status:literal, $reason:literal;)*) => {
        /// Every way an HTTP/1.1 message can be rejected.
        ///
        /// Each kind has one status code ([`status`](HttpErrorKind::status)): this is the
        /// single place where rejections are mapped to responses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum HttpErrorKind {
            $($(#[$doc])* $name = $code,)*
        }

        impl HttpErrorKind {
            /// The status code a server answers this rejection with.
            pub const fn status(self) -> u16 {
                match self { $(HttpErrorKind::$name => $status,)* }
            }

            /// A short explanation for people (and for `ErrorKind::Protocol`'s reason).
            pub const fn reason(self) -> &'static str {
                match self { $(HttpErrorKind::$name => $reason,)* }
            }

            /// The kind whose [`code`](HttpErrorKind::code) is `code`.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code { $($code => Some(HttpErrorKind::$name),)* _ => None }
            }

            /// A stable name in snake case, as `nagrel decode` prints it.
            pub const fn name(self) -> &'static str {
                match self { $(HttpErrorKind::$name => stringify!($name),)* }
            }
        }
    };
}

http_error_kinds! {
    /// The request line is not `method SP request-target SP HTTP-version`.
    BadRequestLine = 1, 400, "malformed request line";
    /// The status line is not `HTTP-version SP 3DIGIT SP reason-phrase`.
    BadStatusLine = 2, 400, "malformed status line";
    /// The method is not a token.
    BadMethod = 3, 400, "method is not a token";
    /// The request target holds a byte outside visible ASCII.
    BadTarget = 4, 400, "invalid byte in request target";
    /// The version is not `HTTP/<digit>.<digit>`.
    BadVersion = 5, 400, "malformed HTTP version";
    /// A header name is empty or not a token.
    BadHeaderName = 6, 400, "header name is not a token";
    /// Whitespace between a header name and its colon.
    WhitespaceBeforeColon = 7, 400, "whitespace between header name and colon";
    /// A header line has no colon.
    MissingColon = 8, 400, "header line without a colon";
    /// A header value holds a control byte (NUL, CR, LF or another control).
    BadHeaderValue = 9, 400, "control byte in header value";
    /// A header line starts with whitespace (obsolete line folding).
    ObsoleteFold = 10, 400, "obsolete line folding";
    /// A line ends with a bare LF where CRLF is required.
    BareLf = 11, 400, "line ends with a bare LF";
    /// A CR not followed by LF.
    BareCr = 12, 400, "bare CR";
    /// An HTTP/1.1 request without exactly one Host header.
    BadHost = 13, 400, "HTTP/1.1 request needs exactly one Host header";
    /// The head ended before its blank line.
    Incomplete = 14, 400, "message ended inside its head";
    /// The request line (or status line) is longer than the limit.
    UriTooLong = 15, 414, "request line too long";
    /// One header line is longer than the limit.
    HeaderLineTooLong = 16, 431, "header line too long";
    /// The whole head is larger than the limit.
    HeadTooLarge = 17, 431, "head too large";
    /// More header fields than the limit.
    TooManyHeaders = 18, 431, "too many header fields";
    /// An HTTP version this parser does not speak (2 or later).
    VersionNotSupported = 19, 505, "HTTP version not supported";
    /// The start of the message is an empty line.
    EmptyStartLine = 20, 400, "empty line where the start line belongs";
    /// Content-Length is not `1*DIGIT`, overflows, or its copies disagree.
    BadContentLength = 21, 400, "invalid Content-Length";
    /// Transfer-Encoding and Content-Length in the same message.
    LengthAndTransferEncoding = 22, 400, "both Transfer-Encoding and Content-Length";
    /// Transfer-Encoding in an HTTP/1.0 request.
    TransferEncodingInHttp10 = 23, 400, "Transfer-Encoding in an HTTP/1.0 request";
    /// Transfer-Encoding is malformed (empty element, not a token) or `chunked` is not
    /// applied exactly once, last.
    BadTransferEncoding = 24, 400, "chunked must be the final transfer coding, once";
    /// A transfer coding this server does not know.
    UnknownTransferCoding = 25, 501, "unknown transfer coding";
    /// The body is larger than the limit.
    BodyTooLarge = 26, 413, "body too large";
    /// A chunk size is not `1*HEXDIG` (at most 16 digits) followed by an extension or CRLF.
    BadChunkSize = 27, 400, "invalid chunk size";
    /// Chunk extensions hold a control byte.
    BadChunkExtension = 28, 400, "invalid chunk extension";
    /// Chunk extensions longer than the limit.
    ChunkExtensionTooLong = 29, 400, "chunk extensions too long";
    /// Chunk data not followed by exactly CRLF.
    MissingChunkCrlf = 30, 400, "chunk data not followed by CRLF";
    /// A trailer carries a framing or routing field (Content-Length, Transfer-Encoding,
    /// Host, Trailer, ...).
    ForbiddenTrailer = 31, 400, "forbidden field in trailers";
    /// Trailers larger than the limit (bytes or fields).
    TrailersTooLarge = 32, 431, "trailers too large";
    /// The stream ended inside the body.
    IncompleteBody = 33, 400, "message ended inside its body";
}

impl HttpErrorKind {
    /// The protocol code carried through the decoder toolkit's
    /// [`ErrorKind::Protocol`].
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// This rejection as a toolkit error kind, for steps to return.
    pub const fn into_decode(self) -> ErrorKind {
        ErrorKind::Protocol {
            code: self.code(),
            reason: self.reason(),
        }
    }
}

/// An HTTP message rejected: what was wrong and the byte offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpError {
    kind: HttpErrorKind,
    offset: u64,
}

impl HttpError {
    /// A rejection of `kind` at absolute byte `offset`.
    pub const fn new(kind: HttpErrorKind, offset: u64) -> Self {
        HttpError { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> HttpErrorKind {
        self.kind
    }

    /// Absolute offset in the stream where it was found.
    pub const fn offset(&self) -> u64 {
        self.offset
    }

    /// The status code to answer with.
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) at byte {}",
            self.kind.reason(),
            self.kind.status(),
            self.offset
        )
    }
}

impl std::error::Error for HttpError {}

impl From<DecodeError> for HttpError {
    /// Maps a toolkit error back into the HTTP kind it stands for. Errors raised by the
    /// generic steps become the closest HTTP rejection.
    fn from(e: DecodeError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Protocol { code, .. } => {
                HttpErrorKind::from_code(code).unwrap_or(HttpErrorKind::BadRequestLine)
            }
            ErrorKind::UnexpectedEof => HttpErrorKind::Incomplete,
            ErrorKind::BadLineEnding => HttpErrorKind::BareLf,
            ErrorKind::LimitExceeded { .. } => HttpErrorKind::HeadTooLarge,
            _ => HttpErrorKind::BadRequestLine,
        };
        HttpError::new(kind, e.offset())
    }
}
