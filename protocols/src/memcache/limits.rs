//! What the decoders accept at most, with memcached's defaults.

/// Longest key memcached accepts, in bytes: 250.
pub const MAX_KEY_LEN: usize = 250;

/// Limits and leniency of the [`RequestDecoder`](super::RequestDecoder), with memcached's
/// defaults.
///
/// ```
/// use nagrel_protocols::memcache::{RequestDecoder, RequestLimits};
///
/// // Items up to 8 MiB; everything else as memcached.
/// let limits = RequestLimits { max_item: 8 << 20, ..RequestLimits::default() };
/// let decoder = RequestDecoder::new(limits);
/// # drop(decoder);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Longest key, in bytes (default [`MAX_KEY_LEN`], 250). Longer keys are a recoverable
    /// `CLIENT_ERROR`.
    pub max_key: usize,
    /// Longest command line, terminator excluded (default 2048, as memcached). A line with
    /// no LF within this many bytes is fatal: the connection must close.
    pub max_line: usize,
    /// Longest `get`/`gets`/`gat`/`gats` line, terminator excluded (default 64 KiB).
    /// memcached lets key lists grow without bound; this keeps a multi-get of several
    /// hundred long keys possible while still bounding what one connection buffers.
    pub max_retrieval_line: usize,
    /// Largest data block of a storage command (`set`, ..., `ms`), in bytes (default
    /// 1 MiB, memcached's item size). A larger one is answered with
    /// `SERVER_ERROR object too large for cache` and discarded as it arrives, never
    /// buffered.
    pub max_item: usize,
    /// Require CRLF at the end of command lines. memcached also accepts a bare LF (what
    /// `nc` and hand-typed sessions send), and so does this decoder by default. Data blocks
    /// must end in CRLF either way.
    pub strict_crlf: bool,
    /// Hand lines whose command is unknown to the caller as
    /// [`Request::Unknown`](super::Request::Unknown) instead of rejecting them with
    /// `ERROR` (default off). For servers that speak extra commands over the same framing,
    /// such as a queue's `flush <queue>` or `shutdown`.
    pub pass_unknown: bool,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_key: MAX_KEY_LEN,
            max_line: 2048,
            max_retrieval_line: 64 * 1024,
            max_item: 1024 * 1024,
            strict_crlf: false,
            pass_unknown: false,
        }
    }
}

/// Limits and leniency of the [`ResponseDecoder`](super::ResponseDecoder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimits {
    /// Longest reply line, terminator excluded (default 8 KiB).
    pub max_line: usize,
    /// Largest value (`VALUE` or `VA` data block), in bytes (default 1 MiB, memcached's
    /// item size).
    pub max_value: usize,
    /// Largest multi-line reply (the `VALUE` blocks or `STAT` lines up to `END`, all
    /// bytes counted), which is buffered whole (default 16 MiB).
    pub max_response: usize,
    /// Require CRLF at the end of reply lines (default off: a bare LF is accepted). Data
    /// blocks must end in CRLF either way.
    pub strict_crlf: bool,
}

impl Default for ResponseLimits {
    fn default() -> Self {
        ResponseLimits {
            max_line: 8 * 1024,
            max_value: 1024 * 1024,
            max_response: 16 * 1024 * 1024,
            strict_crlf: false,
        }
    }
}
