//! Lua-like patterns, the matching language of Mongrel2 routes and host names.
//!
//! Mongrel2 took Lua 5.1's string matcher, dropped the captures and swapped Lua's `%`
//! escape for a backslash. This module implements the same language (compatible on every
//! pattern Mongrel2 accepts, except the two items listed under "Not supported") with a
//! matcher that cannot be made to backtrack.
//!
//! # Syntax
//!
//! | item | matches |
//! |---|---|
//! | `x` | the byte `x` itself (any byte without a meaning below) |
//! | `.` | any byte |
//! | `\a` `\c` `\d` `\l` `\p` `\s` `\u` `\w` `\x` `\z` | a letter, control, digit, lowercase, punctuation, space, uppercase, alphanumeric, hex digit, NUL byte (C locale: ASCII only) |
//! | `\A` ... `\Z` | the complement of the lowercase class |
//! | `\` + any other byte | that byte literally: `\.` `\(` `\$` `\\` |
//! | `[set]` | a byte in the set: bytes, ranges `a-z` and classes `\d`; `[^set]` is the complement. A `]` right after `[` or `[^` is a member. |
//!
//! Each item may be followed by one quantifier: `*` (0 or more), `+` (1 or more), `-` (0 or
//! more, lazy in Lua) or `?` (0 or 1). A `$` that is the last byte of the pattern anchors
//! the end; anywhere else it is a literal. `(` and `)` only mark groups (Mongrel2's routes
//! use them to split prefix from pattern): they match nothing, capture nothing and cannot
//! be repeated, so in `(ab)*` the `*` is a literal, as it is in Lua for a quantifier byte
//! that starts an item. `^` outside a set is a literal too (Mongrel2 never gives it the
//! anchor meaning Lua's `find` does).
//!
//! Matching is anchored at the start of the subject, and the end is anchored only by `$`:
//! `/users/(\d+)` matches `/users/12/edit`, `/users/(\d+)$` does not. This is how
//! Mongrel2 calls its matcher (`pattern_match(s, len, p)` returns on reaching the pattern's
//! end, and checks the subject's end only at a final `$`).
//!
//! Bytes above 0x7F belong to no class and are compared as unsigned bytes (Mongrel2 uses
//! signed `char`s there, which is undefined behaviour with `<ctype.h>`).
//!
//! # Not supported
//!
//! Lua's `\b` (balanced pair) and `\f` (frontier) are rejected at compile time with
//! [`PatternErrorKind::Unsupported`]: the balanced match is not a regular language, and
//! neither makes sense in a URL path. Inside a set they are the literal `b` and `f`, as in
//! Lua.
//!
//! # Cost
//!
//! Lua matches by backtracking, which is exponential on patterns like `(.-.-.-.-)$`
//! against a long subject. Without captures the answer is only "does some way to match
//! exist", so greedy and lazy quantifiers give the same result and the pattern is a
//! regular language: [`Pattern::compile`] turns it into a list of items, each a 256-bit
//! byte set with a repetition, and [`Pattern::matches`] runs them as an NFA, keeping the
//! set of items reachable after each subject byte. The work is at most
//! `O(subject length × items)`, with no recursion and no step budget to tune; patterns with
//! up to 255 items match without allocating. [`PatternOptions::max_len`] bounds the
//! pattern's length (default [`DEFAULT_MAX_PATTERN_LEN`] bytes).
//!
//! ```
//! use nagrel_server::route::Pattern;
//!
//! let users = Pattern::compile(r"/users/(\d+)$")?;
//! assert!(users.matches(b"/users/42"));
//! assert!(!users.matches(b"/users/42/edit"));
//! assert!(!users.matches(b"/users/"));
//!
//! // Without `$` the pattern only has to match a prefix of the subject.
//! let images = Pattern::compile(r"/img/[\w_\-]+\.")?;
//! assert!(images.matches(b"/img/cat-1.jpg"));
//! # Ok::<(), nagrel_server::route::PatternError>(())
//! ```

use std::fmt;

/// The default for [`PatternOptions::max_len`]: patterns longer than this many bytes are
/// refused. Routes are written by people; 1 KiB is far beyond any real one.
pub const DEFAULT_MAX_PATTERN_LEN: usize = 1024;

/// How many 64-bit words of NFA state live on the stack during a match (`2 × 4` words):
/// enough for 255 items. Longer patterns allocate one buffer per match.
const INLINE_WORDS: usize = 4;

/// Options for [`Pattern::compile_with`].
///
/// ```
/// use nagrel_server::route::{Pattern, PatternOptions};
///
/// let options = PatternOptions::new().ignore_ascii_case(true).max_len(64);
/// let host = Pattern::compile_with(r"[\w.]*example\.com$", options)?;
/// assert!(host.matches(b"WWW.Example.COM"));
/// # Ok::<(), nagrel_server::route::PatternError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternOptions {
    ignore_ascii_case: bool,
    max_len: usize,
}

impl PatternOptions {
    /// Case-sensitive matching, patterns up to [`DEFAULT_MAX_PATTERN_LEN`] bytes.
    pub const fn new() -> Self {
        PatternOptions {
            ignore_ascii_case: false,
            max_len: DEFAULT_MAX_PATTERN_LEN,
        }
    }

    /// Match ASCII letters regardless of case (host names). The subject's letters are
    /// lowercased before matching and every set is replaced by its lowercase image before
    /// any `^` complement, so `[^a]` rejects both `a` and `A`, and `\u` matches any letter.
    pub const fn ignore_ascii_case(mut self, on: bool) -> Self {
        self.ignore_ascii_case = on;
        self
    }

    /// The longest pattern source accepted, in bytes.
    pub const fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }
}

impl Default for PatternOptions {
    fn default() -> Self {
        PatternOptions::new()
    }
}

/// What is wrong with a pattern; see [`PatternError`] for where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternErrorKind {
    /// The pattern ends with a lone `\`.
    TrailingEscape,
    /// A `[` has no closing `]`.
    UnclosedSet,
    /// A `(` has no closing `)`.
    UnclosedGroup,
    /// A `)` has no opening `(`.
    UnopenedGroup,
    /// A Lua item this matcher refuses: `\b` (balanced) or `\f` (frontier).
    Unsupported(char),
    /// The pattern is longer than [`PatternOptions::max_len`].
    TooLong {
        /// The limit that was exceeded.
        max: usize,
    },
}

/// A pattern that failed to compile: what is wrong and the byte offset where.
///
/// ```
/// use nagrel_server::route::{Pattern, PatternErrorKind};
///
/// let err = Pattern::compile("/a[bc").unwrap_err();
/// assert_eq!(err.kind(), PatternErrorKind::UnclosedSet);
/// assert_eq!(err.position(), 2);
/// assert_eq!(err.to_string(), "unclosed `[` at byte 2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternError {
    kind: PatternErrorKind,
    position: usize,
}

impl PatternError {
    fn new(kind: PatternErrorKind, position: usize) -> Self {
        PatternError { kind, position }
    }

    /// What is wrong.
    pub fn kind(&self) -> PatternErrorKind {
        self.kind
    }

    /// The byte offset in the pattern source the error points at (for
    /// [`TooLong`](PatternErrorKind::TooLong): the first byte past the limit).
    pub fn position(&self) -> usize {
        self.position
    }

    /// The same error with its position moved by `by` bytes, for patterns cut out of a
    /// longer string (a route path, a host's `matching`).
    pub(crate) fn shifted(self, by: usize) -> Self {
        PatternError {
            kind: self.kind,
            position: self.position.saturating_add(by),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.position;
        match self.kind {
            PatternErrorKind::TrailingEscape => {
                write!(f, "pattern ends with a lone `\\` at byte {at}")
            }
            PatternErrorKind::UnclosedSet => write!(f, "unclosed `[` at byte {at}"),
            PatternErrorKind::UnclosedGroup => write!(f, "unclosed `(` at byte {at}"),
            PatternErrorKind::UnopenedGroup => write!(f, "`)` without `(` at byte {at}"),
            PatternErrorKind::Unsupported(c) => {
                write!(f, "unsupported pattern item `\\{c}` at byte {at}")
            }
            PatternErrorKind::TooLong { max } => {
                write!(f, "pattern longer than {max} bytes")
            }
        }
    }
}

impl std::error::Error for PatternError {}

/// A set of bytes as a 256-bit map: every item of a pattern compiles to one.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);
    const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    fn single(b: u8) -> Self {
        let mut set = ByteSet::EMPTY;
        set.insert(b);
        set
    }

    fn from_fn(f: impl Fn(u8) -> bool) -> Self {
        let mut set = ByteSet::EMPTY;
        for b in 0..=u8::MAX {
            if f(b) {
                set.insert(b);
            }
        }
        set
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn union(&mut self, other: &ByteSet) {
        for (word, o) in self.0.iter_mut().zip(other.0) {
            *word |= o;
        }
    }

    fn complement(self) -> Self {
        ByteSet(self.0.map(|word| !word))
    }

    /// The set of lowercased members: what a lowercased subject byte must be in.
    fn lowercase_image(&self) -> Self {
        ByteSet::from_fn(|b| {
            // `b` is in the image if it, or the uppercase letter it lowercases from, is a
            // member. Uppercase letters never occur in a lowercased subject.
            !b.is_ascii_uppercase()
                && (self.contains(b)
                    || (b.is_ascii_lowercase() && self.contains(b.to_ascii_uppercase())))
        })
    }
}

/// The positive (lowercase-letter) class named by `\<letter>`, or `None` for a byte that an
/// escape makes literal. The C-locale `<ctype.h>` classes Lua uses.
fn named_class(letter: u8) -> Option<ByteSet> {
    let test: fn(&u8) -> bool = match letter.to_ascii_lowercase() {
        b'a' => u8::is_ascii_alphabetic,
        b'c' => u8::is_ascii_control,
        b'd' => u8::is_ascii_digit,
        b'l' => u8::is_ascii_lowercase,
        b'p' => u8::is_ascii_punctuation,
        // C's isspace: space, \t, \n, \v, \f, \r (Rust's is_ascii_whitespace lacks \v).
        b's' => |b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => u8::is_ascii_uppercase,
        b'w' => u8::is_ascii_alphanumeric,
        b'x' => u8::is_ascii_hexdigit,
        b'z' => |b| *b == 0,
        _ => return None,
    };
    Some(ByteSet::from_fn(|b| test(&b)))
}

/// The set `\<c>` stands for: a class (complemented for an uppercase letter) or `c` itself.
/// With `fold`, the positive class is lowercased before the complement.
fn escape_set(c: u8, fold: bool) -> ByteSet {
    match named_class(c) {
        Some(class) => {
            let class = if fold { class.lowercase_image() } else { class };
            if c.is_ascii_uppercase() {
                class.complement()
            } else {
                class
            }
        }
        None => literal_set(c, fold),
    }
}

fn literal_set(c: u8, fold: bool) -> ByteSet {
    ByteSet::single(if fold { c.to_ascii_lowercase() } else { c })
}

/// How often an item may repeat. Lua's `*` and `-` differ only in the order they try
/// counts in, which cannot change whether a match exists; `+` compiles to `One` followed
/// by `ZeroOrMore` of the same set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    One,
    ZeroOrOne,
    ZeroOrMore,
}

impl Repeat {
    fn optional(self) -> bool {
        !matches!(self, Repeat::One)
    }
}

/// One compiled item: a byte set and how often it repeats.
#[derive(Clone, Copy)]
struct Item {
    set: ByteSet,
    repeat: Repeat,
}

/// A compiled Lua-like pattern (see the [module docs](self) for the language).
///
/// Compile once at configuration time, then call [`matches`](Pattern::matches) per request:
/// matching never allocates for patterns of up to 255 items and costs at most
/// `O(subject length × items)`.
///
/// ```
/// use nagrel_server::route::Pattern;
///
/// let p = Pattern::compile("a-b$")?;
/// assert!(p.matches(b"aaab"));
/// assert!(p.matches(b"b"));
/// assert!(!p.matches(b"aaabc"));
/// assert_eq!(p.as_str(), "a-b$");
/// # Ok::<(), nagrel_server::route::PatternError>(())
/// ```
#[derive(Clone)]
pub struct Pattern {
    source: Box<str>,
    items: Box<[Item]>,
    /// Whether the pattern ends with the `$` anchor.
    anchored_end: bool,
    /// Whether subject bytes are lowercased before matching.
    ignore_ascii_case: bool,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Pattern {
    /// Compiles `source` with the default [`PatternOptions`] (case-sensitive).
    ///
    /// ```
    /// use nagrel_server::route::{Pattern, PatternErrorKind};
    ///
    /// assert!(Pattern::compile(r"/users()$").is_ok());
    /// let err = Pattern::compile(r"/users/(\d+").unwrap_err();
    /// assert_eq!((err.kind(), err.position()), (PatternErrorKind::UnclosedGroup, 7));
    /// ```
    pub fn compile(source: &str) -> Result<Pattern, PatternError> {
        Pattern::compile_with(source, PatternOptions::new())
    }

    /// Compiles `source` with `options`.
    ///
    /// ```
    /// use nagrel_server::route::{Pattern, PatternErrorKind, PatternOptions};
    ///
    /// let err = Pattern::compile_with("abcdef", PatternOptions::new().max_len(4)).unwrap_err();
    /// assert_eq!(err.kind(), PatternErrorKind::TooLong { max: 4 });
    /// ```
    pub fn compile_with(source: &str, options: PatternOptions) -> Result<Pattern, PatternError> {
        if source.len() > options.max_len {
            return Err(PatternError::new(
                PatternErrorKind::TooLong {
                    max: options.max_len,
                },
                options.max_len,
            ));
        }
        let (items, anchored_end) =
            Compiler::new(source.as_bytes(), options.ignore_ascii_case).run()?;
        Ok(Pattern {
            source: source.into(),
            items: items.into_boxed_slice(),
            anchored_end,
            ignore_ascii_case: options.ignore_ascii_case,
        })
    }

    /// The pattern source as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches `subject` from its first byte (to its last byte only if
    /// the pattern ends with `$`).
    ///
    /// ```
    /// use nagrel_server::route::Pattern;
    ///
    /// let p = Pattern::compile(r"[^/]+/?$")?;
    /// assert!(p.matches(b"photos/"));
    /// assert!(!p.matches(b"photos/2024"));
    /// # Ok::<(), nagrel_server::route::PatternError>(())
    /// ```
    pub fn matches(&self, subject: &[u8]) -> bool {
        let words = (self.items.len() + 1).div_ceil(64);
        let mut inline = [0u64; 2 * INLINE_WORDS];
        let mut heap = Vec::new();
        let buffer: &mut [u64] = if words <= INLINE_WORDS {
            &mut inline[..2 * words]
        } else {
            heap.resize(2 * words, 0);
            &mut heap
        };
        let (current, next) = buffer.split_at_mut(words);
        self.run(subject, current, next)
    }

    /// The NFA simulation. State `i < items.len()` means "item `i` is next"; state
    /// `items.len()` means the whole pattern has matched.
    fn run<'a>(&self, subject: &[u8], mut current: &'a mut [u64], mut next: &'a mut [u64]) -> bool {
        let accept = self.items.len();
        set_bit(current, 0);
        self.close(current);
        for &raw in subject {
            if !self.anchored_end && has_bit(current, accept) {
                // Unanchored: reaching the pattern's end is a match whatever follows.
                return true;
            }
            let byte = if self.ignore_ascii_case {
                raw.to_ascii_lowercase()
            } else {
                raw
            };
            next.fill(0);
            let mut alive = false;
            for (w, &word) in current.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let state = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let Some(item) = self.items.get(state) else {
                        continue;
                    };
                    if item.set.contains(byte) {
                        alive = true;
                        match item.repeat {
                            Repeat::ZeroOrMore => set_bit(next, state),
                            Repeat::One | Repeat::ZeroOrOne => set_bit(next, state + 1),
                        }
                    }
                }
            }
            if !alive {
                return false;
            }
            self.close(next);
            std::mem::swap(&mut current, &mut next);
        }
        has_bit(current, accept)
    }

    /// Adds to `states` every state reachable by skipping optional items. Skips only go
    /// forward by one, so one pass in increasing order reaches the closure.
    fn close(&self, states: &mut [u64]) {
        for (i, item) in self.items.iter().enumerate() {
            if item.repeat.optional() && has_bit(states, i) {
                set_bit(states, i + 1);
            }
        }
    }
}

fn set_bit(words: &mut [u64], bit: usize) {
    if let Some(word) = words.get_mut(bit / 64) {
        *word |= 1 << (bit % 64);
    }
}

fn has_bit(words: &[u64], bit: usize) -> bool {
    words
        .get(bit / 64)
        .is_some_and(|word| word & (1 << (bit % 64)) != 0)
}

/// Turns pattern bytes into items, one item (plus its quantifier) per step.
struct Compiler<'a> {
    src: &'a [u8],
    pos: usize,
    fold: bool,
    items: Vec<Item>,
    /// Positions of the `(` not closed yet.
    open_groups: Vec<usize>,
}

impl<'a> Compiler<'a> {
    fn new(src: &'a [u8], fold: bool) -> Self {
        Compiler {
            src,
            pos: 0,
            fold,
            items: Vec::new(),
            open_groups: Vec::new(),
        }
    }

    fn run(mut self) -> Result<(Vec<Item>, bool), PatternError> {
        let mut anchored_end = false;
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b'(' => {
                    self.open_groups.push(self.pos);
                    self.pos += 1;
                }
                b')' => {
                    if self.open_groups.pop().is_none() {
                        return Err(PatternError::new(PatternErrorKind::UnopenedGroup, self.pos));
                    }
                    self.pos += 1;
                }
                b'$' if self.pos + 1 == self.src.len() => {
                    anchored_end = true;
                    self.pos += 1;
                }
                _ => self.item()?,
            }
        }
        if let Some(&open) = self.open_groups.last() {
            return Err(PatternError::new(PatternErrorKind::UnclosedGroup, open));
        }
        Ok((self.items, anchored_end))
    }

    /// One single-byte item and the quantifier after it, if any.
    fn item(&mut self) -> Result<(), PatternError> {
        let set = self.single()?;
        let repeat = match self.src.get(self.pos) {
            Some(b'*' | b'-') => Repeat::ZeroOrMore,
            Some(b'?') => Repeat::ZeroOrOne,
            Some(b'+') => {
                self.items.push(Item {
                    set,
                    repeat: Repeat::One,
                });
                Repeat::ZeroOrMore
            }
            _ => {
                self.items.push(Item {
                    set,
                    repeat: Repeat::One,
                });
                return Ok(());
            }
        };
        self.pos += 1;
        self.items.push(Item { set, repeat });
        Ok(())
    }

    /// The byte set of the item at `pos` (`.`, an escape, a `[set]` or a literal byte),
    /// leaving `pos` after it.
    fn single(&mut self) -> Result<ByteSet, PatternError> {
        let start = self.pos;
        let Some(&b) = self.src.get(start) else {
            return Ok(ByteSet::EMPTY);
        };
        match b {
            b'.' => {
                self.pos += 1;
                Ok(ByteSet::ALL)
            }
            b'\\' => {
                let Some(&c) = self.src.get(start + 1) else {
                    return Err(PatternError::new(PatternErrorKind::TrailingEscape, start));
                };
                if c == b'b' || c == b'f' {
                    return Err(PatternError::new(
                        PatternErrorKind::Unsupported(char::from(c)),
                        start,
                    ));
                }
                self.pos += 2;
                Ok(escape_set(c, self.fold))
            }
            b'[' => self.set(),
            _ => {
                self.pos += 1;
                Ok(literal_set(b, self.fold))
            }
        }
    }

    /// A `[set]` starting at `pos`. Lua's rules: after `[` and an optional `^`, the first
    /// byte is a member even if it is `]`; `\` escapes the next byte; `a-z` is a range when
    /// a byte other than the closing `]` follows the `-`.
    fn set(&mut self) -> Result<ByteSet, PatternError> {
        let open = self.pos;
        let mut j = open + 1;
        let negated = self.src.get(j) == Some(&b'^');
        if negated {
            j += 1;
        }
        let body = j;
        // Find the closing `]`, the first member being taken whatever it is.
        let close = loop {
            let Some(&c) = self.src.get(j) else {
                return Err(PatternError::new(PatternErrorKind::UnclosedSet, open));
            };
            j += if c == b'\\' { 2 } else { 1 };
            match self.src.get(j) {
                Some(b']') => break j,
                Some(_) => {}
                None => return Err(PatternError::new(PatternErrorKind::UnclosedSet, open)),
            }
        };
        let members = self.src.get(body..close).unwrap_or_default();
        let mut set = ByteSet::EMPTY;
        let mut k = 0;
        while let Some(&c) = members.get(k) {
            if c == b'\\' {
                if let Some(&e) = members.get(k + 1) {
                    set.union(&escape_set(e, false));
                }
                k += 2;
            } else if let (Some(b'-'), Some(&hi)) = (members.get(k + 1), members.get(k + 2)) {
                for b in c..=hi {
                    set.insert(b);
                }
                k += 3;
            } else {
                set.insert(c);
                k += 1;
            }
        }
        if self.fold {
            set = set.lowercase_image();
        }
        self.pos = close + 1;
        Ok(if negated { set.complement() } else { set })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, subject: &str) -> bool {
        match Pattern::compile(pattern) {
            Ok(p) => p.matches(subject.as_bytes()),
            Err(e) => panic!("{pattern:?} failed to compile: {e}"),
        }
    }

    fn err(pattern: &str) -> (PatternErrorKind, usize) {
        match Pattern::compile(pattern) {
            Ok(_) => panic!("{pattern:?} compiled"),
            Err(e) => (e.kind(), e.position()),
        }
    }

    #[test]
    fn literals_match_a_prefix_unless_anchored() {
        assert!(m("abc", "abc"));
        assert!(m("abc", "abcdef"));
        assert!(!m("abc", "ab"));
        assert!(!m("abc", "xabc"));
        assert!(m("abc$", "abc"));
        assert!(!m("abc$", "abcd"));
        assert!(m("", "anything"));
        assert!(m("$", ""));
        assert!(!m("$", "x"));
    }

    #[test]
    fn dollar_is_literal_unless_last() {
        assert!(m("a$b", "a$b"));
        assert!(!m("a$b", "ab"));
        // `$` before a `)` is not last: Mongrel2 reads it as a literal.
        assert!(m("(a$)", "a$"));
        assert!(!m("(a$)", "a"));
        assert!(m(r"a\$", "a$"));
        assert!(m(r"a\$$", "a$"));
        assert!(!m(r"a\$$", "a$x"));
    }

    #[test]
    fn named_classes() {
        assert!(m(r"\a\d\l\u\w\x\p\s\c$", "a1bCZf.\t\x01"));
        assert!(!m(r"\d", "a"));
        assert!(m(r"\D\A\L\U\W\S$", "x1Xa.a"));
        assert!(!m(r"\A", "a"));
        assert!(m(r"\z", "\0"));
        assert!(m(r"\Z", "a"));
        assert!(m(r"\s$", "\x0b"));
        assert!(!m(r"\p", "a"));
        assert!(m(r"\p", "~"));
        // No class contains bytes above 0x7F; their complements do.
        let p = Pattern::compile(r"\A\W\D$").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.matches(&[0xc3, 0xa9, 0xff]));
        assert!(!Pattern::compile(r"\a").is_ok_and(|p| p.matches(&[0xe9])));
    }

    #[test]
    fn escapes_make_literals() {
        assert!(m(r"\.", "."));
        assert!(!m(r"\.", "a"));
        assert!(m(r"\(\)\[\]\\\*$", r"()[]\*"));
        assert!(m(r"\q", "q"));
        assert!(m(r"\-", "-"));
    }

    #[test]
    fn sets() {
        assert!(m("[abc]$", "b"));
        assert!(!m("[abc]", "d"));
        assert!(m("[^abc]", "d"));
        assert!(!m("[^abc]", "a"));
        assert!(m("[a-f0-9]+$", "deadbeef09"));
        assert!(!m("[a-f]", "g"));
        assert!(m(r"[\d_]+$", "12_3"));
        assert!(m(r"[^\d]", "x"));
        assert!(!m(r"[^\d]", "5"));
        // `]` first is a member; `\]` anywhere.
        assert!(m("[]]", "]"));
        assert!(m("[^]]", "a"));
        assert!(!m("[^]]", "]"));
        assert!(m(r"[a\]]+$", "]a]"));
        // `-` first or last is literal, as is a `-` whose end would be the closing `]`.
        assert!(m("[-a]+$", "-a"));
        assert!(m("[a-]+$", "-a"));
        // A reversed range is empty.
        assert!(!m("[z-a]", "m"));
        // `\b` in a set is the letter b.
        assert!(m(r"[\b]", "b"));
        // Special bytes are literal inside a set.
        assert!(m("[.$()*]+$", ".$()*"));
        assert!(!m("[.]", "a"));
    }

    #[test]
    fn quantifiers() {
        assert!(m("a*$", ""));
        assert!(m("a*$", "aaaa"));
        assert!(m("a+$", "a"));
        assert!(!m("a+$", ""));
        assert!(m("a-b$", "aaab"));
        assert!(m("a?b$", "b"));
        assert!(m("a?b$", "ab"));
        assert!(!m("a?b$", "aab"));
        assert!(m(".-x$", "abcx"));
        assert!(m(".*x", "abxcd"));
        assert!(m("a.-c.-e$", "abcde"));
        // A quantifier byte starting an item is a literal (Lua).
        assert!(m("*a", "*a"));
        assert!(!m("*a", "a"));
        assert!(m("a**", "aaa*"));
        assert!(m("a**$", "aaa*"));
        assert!(!m("a**$", "aaa"));
    }

    #[test]
    fn groups_are_markers() {
        assert!(m("/users()$", "/users"));
        assert!(!m("/users()$", "/users/"));
        assert!(m(r"(\d+)-(\d+)$", "2024-10"));
        assert!(m("((a)(b))c", "abc"));
        // A quantifier after a group is a literal byte.
        assert!(m("(ab)*$", "ab*"));
        assert!(!m("(ab)*$", "abab"));
    }

    #[test]
    fn errors_carry_positions() {
        assert_eq!(err("ab\\"), (PatternErrorKind::TrailingEscape, 2));
        assert_eq!(err("a[bc"), (PatternErrorKind::UnclosedSet, 1));
        assert_eq!(err("[]"), (PatternErrorKind::UnclosedSet, 0));
        assert_eq!(err("[^]"), (PatternErrorKind::UnclosedSet, 0));
        assert_eq!(err(r"[a\]"), (PatternErrorKind::UnclosedSet, 0));
        assert_eq!(err(r"[a\"), (PatternErrorKind::UnclosedSet, 0));
        assert_eq!(err("a(b(c)"), (PatternErrorKind::UnclosedGroup, 1));
        assert_eq!(err("a)"), (PatternErrorKind::UnopenedGroup, 1));
        assert_eq!(err("(a))"), (PatternErrorKind::UnopenedGroup, 3));
        assert_eq!(err(r"x\b()"), (PatternErrorKind::Unsupported('b'), 1));
        assert_eq!(err(r"\f[a]"), (PatternErrorKind::Unsupported('f'), 0));
        let long = "a".repeat(DEFAULT_MAX_PATTERN_LEN + 1);
        assert_eq!(
            err(&long),
            (
                PatternErrorKind::TooLong {
                    max: DEFAULT_MAX_PATTERN_LEN
                },
                DEFAULT_MAX_PATTERN_LEN
            )
        );
        assert!(Pattern::compile(&long[1..]).is_ok());
    }

    #[test]
    fn ignore_case_folds_subject_and_members() {
        let fold = PatternOptions::new().ignore_ascii_case(true);
        let p = |s: &str| Pattern::compile_with(s, fold).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert!(p("Example$").matches(b"eXAMPLE"));
        assert!(p("[A-C]+$").matches(b"abcABC"));
        assert!(!p("[^a]").matches(b"A"));
        assert!(!p("[^A]").matches(b"a"));
        assert!(p(r"\u").matches(b"a"));
        assert!(!p(r"\A").matches(b"Q"));
        assert!(p(r"\d$").matches(b"7"));
        // Non-letters are untouched: `[` .. `` ` `` lie between `Z` and `a`.
        assert!(p("[Z-a]+$").matches(b"z_`"));
    }

    #[test]
    fn long_patterns_spill_to_the_heap() {
        // 300 optional items then `b`: more states than fit inline.
        let source = format!("{}b$", "a?".repeat(300));
        let p = Pattern::compile(&source).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.matches(b"b"));
        assert!(p.matches(&[b"a".repeat(300), b"b".to_vec()].concat()));
        assert!(!p.matches(&[b"a".repeat(301), b"b".to_vec()].concat()));
    }

    #[test]
    fn debug_and_display_show_the_source() {
        let p = Pattern::compile(r"/a(\d)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{p}"), r"/a(\d)");
        assert_eq!(format!("{p:?}"), r#"Pattern("/a(\\d)")"#);
    }
}
