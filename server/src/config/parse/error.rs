//! Why a configuration file was rejected, and where.

use core::fmt;

/// The class of a [`ConfigError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The text does not follow the grammar: an unexpected character or token, an
    /// unterminated string, input that is not UTF-8.
    Syntax,
    /// Lists, dicts and constructor calls nest deeper than [`ParseLimits::max_depth`].
    ///
    /// [`ParseLimits::max_depth`]: super::ParseLimits::max_depth
    TooDeep,
    /// Variables referenced so many times that the configuration would expand past
    /// [`ParseLimits::max_expansion`] values.
    ///
    /// [`ParseLimits::max_expansion`]: super::ParseLimits::max_expansion
    TooLarge,
    /// A name refers to no variable.
    UnknownVariable,
    /// Variables refer to each other in a cycle.
    CyclicReference,
    /// `Name(...)` where `Name` is not one of the known types.
    UnknownConstructor,
    /// A keyword argument the constructor does not take.
    UnknownArgument,
    /// A value of the wrong type: a number where a string belongs, a `Dir` where a `Host`
    /// belongs.
    WrongType,
    /// A constructor without one of its required arguments, or a configuration without
    /// `servers`.
    MissingArgument,
    /// The same argument, dict key or variable given twice; two servers with one uuid; two
    /// hosts with one name in a server.
    Duplicate,
    /// A value of the right type that is not acceptable: a port out of range, an unknown
    /// handler protocol, a `Dir` base starting with `/`, a bad setting.
    InvalidValue,
    /// Something Mongrel2 supports that nagrel does not (filter plugins).
    Unsupported,
}

/// A configuration file rejected: what, where (1-based line and column, columns counted in
/// characters) and a message for people.
///
/// Displays as `line 4, column 12: expected ')' after argument list, found ']'`.
///
/// ```
/// use nagrel_server::config::parse::{parse_config, ConfigErrorKind};
///
/// let err = parse_config("servers = [main]\n").unwrap_err();
/// assert_eq!(err.kind(), ConfigErrorKind::UnknownVariable);
/// assert_eq!((err.line(), err.column()), (1, 12));
/// assert_eq!(err.to_string(), "line 1, column 12: unknown variable 'main'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    offset: usize,
    line: usize,
    column: usize,
    message: String,
}

impl ConfigError {
    /// An error of `kind` at byte `offset` of `text`. An offset past the end or inside a
    /// character is moved back to the nearest character boundary.
    pub(crate) fn at(
        text: &str,
        offset: usize,
        kind: ConfigErrorKind,
        message: impl Into<String>,
    ) -> Self {
        let (offset, line, column) = position(text, offset);
        ConfigError {
            kind,
            offset,
            line,
            column,
            message: message.into(),
        }
    }

    /// The class of error.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// The line (from 1) of the offending text.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column (from 1, in characters) of the offending text.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The byte offset of the offending text.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The message, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// The byte offset (clamped to a character boundary), line and column of `offset`.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
    let column = 1 + before[line_start..].chars().count();
    (offset, line, column)
}

/// "line L, column C", for messages that point back at an earlier place.
pub(crate) fn describe_position(text: &str, offset: usize) -> String {
    let (_, line, column) = position(text, offset);
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(position(text, 0), (0, 1, 1));
        assert_eq!(position(text, 3), (3, 2, 1));
        // 'f' is after a two-byte character: byte 8, column 5.
        assert_eq!(position(text, 8), (8, 2, 5));
        assert_eq!(position(text, text.len()), (text.len(), 3, 1));
        assert_eq!(position(text, 1000), (text.len(), 3, 1));
        // Inside 'é' moves back to its start.
        assert_eq!(position(text, 6), (5, 2, 3));
    }
}
