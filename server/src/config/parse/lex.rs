//! The tokens of a configuration file.
//!
//! ```text
//! whitespace  space, tab, CR, LF, VT, FF (between any two tokens)
//! comment     '#' up to the end of the line
//! ident       [A-Za-z_] [A-Za-z0-9_]*
//! number      [0-9]+
//! string      '...' or "..." or `...`; a backslash keeps the next character from
//!             ending the string; the text between the quotes is kept as written
//! punctuation = ( ) [ ] { } , :
//! ```
//!
//! Strings are not unescaped: m2sh stores `'/a/(\d+)$'` as `/a/(\d+)$` and `"a\"b"` as
//! `a\"b`, backslash included, and route patterns rely on it.

use super::error::{ConfigError, ConfigErrorKind};

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: TokenKind<'a>,
    pub(crate) at: usize,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind<'a> {
    /// A name: a variable, a constructor, an argument.
    Ident(&'a str),
    /// Decimal digits.
    Number(&'a str),
    /// The text between the quotes.
    Str(&'a str),
    /// `=`
    Eq,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// The end of the input.
    Eof,
}

impl TokenKind<'_> {
    /// How the token reads in a message: `')'`, `identifier 'main'`, `end of input`.
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenKind::Ident(name) => format!("identifier '{name}'"),
            TokenKind::Number(digits) => format!("number {}", shorten(digits)),
            TokenKind::Str(text) => format!("string '{}'", shorten(text)),
            TokenKind::Eq => "'='".into(),
            TokenKind::LParen => "'('".into(),
            TokenKind::RParen => "')'".into(),
            TokenKind::LBracket => "'['".into(),
            TokenKind::RBracket => "']'".into(),
            TokenKind::LBrace => "'{'".into(),
            TokenKind::RBrace => "'}'".into(),
            TokenKind::Comma => "','".into(),
            TokenKind::Colon => "':'".into(),
            TokenKind::Eof => "end of input".into(),
        }
    }
}

/// At most 40 characters of `text`, with an ellipsis when cut.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Splits a configuration text into tokens on demand.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    /// The next token; [`TokenKind::Eof`] at the end, again and again.
    pub(crate) fn next_token(&mut self) -> Result<Token<'a>, ConfigError> {
        self.skip_blanks();
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let Some(&first) = bytes.get(start) else {
            return Ok(Token {
                kind: TokenKind::Eof,
                at: start,
            });
        };
        let punct = match first {
            b'=' => Some(TokenKind::Eq),
            b'(' => Some(TokenKind::LParen),
            b')' => Some(TokenKind::RParen),
            b'[' => Some(TokenKind::LBracket),
            b']' => Some(TokenKind::RBracket),
            b'{' => Some(TokenKind::LBrace),
            b'}' => Some(TokenKind::RBrace),
            b',' => Some(TokenKind::Comma),
            b':' => Some(TokenKind::Colon),
            _ => None,
        };
        let kind = if let Some(kind) = punct {
            self.pos += 1;
            kind
        } else if first.is_ascii_alphabetic() || first == b'_' {
            let end = self.scan_while(start, |b| b.is_ascii_alphanumeric() || b == b'_');
            TokenKind::Ident(&self.text[start..end])
        } else if first.is_ascii_digit() {
            let end = self.scan_while(start, |b| b.is_ascii_digit());
            TokenKind::Number(&self.text[start..end])
        } else if matches!(first, b'\'' | b'"' | b'`') {
            TokenKind::Str(self.string(start, first)?)
        } else {
            let found = self.text[start..].chars().next().unwrap_or('\u{fffd}');
            return Err(ConfigError::at(
                self.text,
                start,
                ConfigErrorKind::Syntax,
                format!("unexpected character {found:?}"),
            ));
        };
        Ok(Token { kind, at: start })
    }

    /// Skips whitespace and comments.
    fn skip_blanks(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c') {
                self.pos += 1;
            } else if b == b'#' {
                self.pos = memchr::memchr(b'\n', &bytes[self.pos..])
                    .map_or(bytes.len(), |nl| self.pos + nl + 1);
            } else {
                break;
            }
        }
    }

    /// Moves past the bytes from `start` that satisfy `keep`; returns the end.
    fn scan_while(&mut self, start: usize, keep: impl Fn(u8) -> bool) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = start;
        while bytes.get(end).is_some_and(|&b| keep(b)) {
            end += 1;
        }
        self.pos = end;
        end
    }

    /// The text of the string opened by `quote` at `start`.
    fn string(&mut self, start: usize, quote: u8) -> Result<&'a str, ConfigError> {
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        // Quotes and backslashes are ASCII, so stepping bytewise never stops inside a
        // multi-byte character; the slice bounds below are character boundaries.
        while let Some(&b) = bytes.get(i) {
            if b == quote {
                self.pos = i + 1;
                return Ok(&self.text[start + 1..i]);
            }
            i += if b == b'\\' { 2 } else { 1 };
        }
        Err(ConfigError::at(
            self.text,
            start,
            ConfigErrorKind::Syntax,
            format!("unterminated string (no closing {})", char::from(quote)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(text: &str) -> Result<Vec<TokenKind<'_>>, ConfigError> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let token = lexer.next_token()?;
            if token.kind == TokenKind::Eof {
                return Ok(out);
            }
            out.push(token.kind);
        }
    }

    fn kinds(text: &str) -> Vec<TokenKind<'_>> {
        lex_all(text).unwrap()
    }

    #[test]
    fn tokens_and_comments() {
        assert_eq!(
            kinds("a = Dir(x=1, y='s') # note\n[]{}:"),
            vec![
                TokenKind::Ident("a"),
                TokenKind::Eq,
                TokenKind::Ident("Dir"),
                TokenKind::LParen,
                TokenKind::Ident("x"),
                TokenKind::Eq,
                TokenKind::Number("1"),
                TokenKind::Comma,
                TokenKind::Ident("y"),
                TokenKind::Eq,
                TokenKind::Str("s"),
                TokenKind::RParen,
                TokenKind::LBracket,
                TokenKind::RBracket,
                TokenKind::LBrace,
                TokenKind::RBrace,
                TokenKind::Colon,
            ]
        );
        assert_eq!(kinds("# only a comment"), vec![]);
    }

    #[test]
    fn strings_are_kept_as_written() {
        assert_eq!(kinds(r"'/a/(\d+)$'"), vec![TokenKind::Str(r"/a/(\d+)$")]);
        assert_eq!(kinds(r#""a\"b""#), vec![TokenKind::Str(r#"a\"b"#)]);
        assert_eq!(
            kinds("`(.*)x` \"é\""),
            vec![TokenKind::Str("(.*)x"), TokenKind::Str("é")]
        );
    }

    #[test]
    fn bad_characters_and_open_strings() {
        let err = lex_all("a = @").unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::Syntax);
        assert_eq!((err.line(), err.column()), (1, 5));
        assert_eq!(err.message(), "unexpected character '@'");
        let err = lex_all("x = 'abc\\'").unwrap_err();
        assert_eq!(err.column(), 5);
        assert_eq!(err.message(), "unterminated string (no closing ')");
    }
}
