//! The grammar: tokens to a syntax tree of assignments, with duplicate names caught here.
//!
//! ```text
//! config     = { assignment } EOF
//! assignment = IDENT '=' value
//! value      = STRING | NUMBER | IDENT | call | list | dict
//! call       = IDENT '(' [ arg { [','] arg } [','] ] ')'
//! arg        = IDENT '=' value
//! list       = '[' [ value { [','] value } [','] ] ']'
//! dict       = '{' [ entry { [','] entry } [','] ] '}'
//! entry      = STRING ':' value
//! ```
//!
//! As in m2sh, commas between items are optional; unlike m2sh, a trailing comma is
//! accepted. Nesting is bounded by the depth limit so a hostile file cannot exhaust the
//! stack.

use std::collections::HashMap;

use super::error::{describe_position, ConfigError, ConfigErrorKind};
use super::lex::{Lexer, Token, TokenKind};

/// `name = value` at the top level.
#[derive(Debug)]
pub(crate) struct Assignment<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Expr<'a>,
}

/// A value and the byte offset where it starts.
#[derive(Debug)]
pub(crate) struct Expr<'a> {
    pub(crate) at: usize,
    pub(crate) kind: ExprKind<'a>,
}

/// The forms a value takes.
#[derive(Debug)]
pub(crate) enum ExprKind<'a> {
    /// A quoted string, as written between the quotes.
    Str(&'a str),
    /// Decimal digits.
    Number(&'a str),
    /// A reference to a top-level variable.
    Ref(&'a str),
    /// `Type(arg=value, ...)`.
    Call { name: &'a str, args: Vec<Named<'a>> },
    /// `[value, ...]`.
    List(Vec<Expr<'a>>),
    /// `{'key': value, ...}`.
    Dict(Vec<Named<'a>>),
}

/// A keyword argument or a dict entry: a name at an offset and its value.
#[derive(Debug)]
pub(crate) struct Named<'a> {
    pub(crate) name: &'a str,
    pub(crate) at: usize,
    pub(crate) value: Expr<'a>,
}

/// Parses `text` into its assignments, in file order.
pub(crate) fn parse_assignments(
    text: &str,
    max_depth: usize,
) -> Result<Vec<Assignment<'_>>, ConfigError> {
    let mut parser = Parser {
        text,
        lexer: Lexer::new(text),
        peeked: None,
        max_depth,
    };
    let mut assignments = Vec::new();
    let mut seen = HashMap::new();
    loop {
        let token = parser.next()?;
        let name = match token.kind {
            TokenKind::Eof => return Ok(assignments),
            TokenKind::Ident(name) => name,
            other => {
                return Err(parser.unexpected(
                    token.at,
                    format!("expected a variable name, found {}", other.describe()),
                ))
            }
        };
        parser.expect_eq(&format!("variable '{name}'"))?;
        let value = parser.value(1)?;
        if let Some(first) = seen.insert(name, token.at) {
            return Err(parser.duplicate(token.at, "variable", name, first));
        }
        assignments.push(Assignment { name, value });
    }
}

/// A recursive-descent parser with one token of lookahead.
struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
    max_depth: usize,
}

/// Which bracketed sequence is being read, for its messages.
#[derive(Clone, Copy)]
enum Seq {
    Args,
    List,
    Dict,
}

impl Seq {
    fn close(self) -> TokenKind<'static> {
        match self {
            Seq::Args => TokenKind::RParen,
            Seq::List => TokenKind::RBracket,
            Seq::Dict => TokenKind::RBrace,
        }
    }

    /// What may follow an item without a comma: the message when something else does.
    fn after_item(self) -> &'static str {
        match self {
            Seq::Args => "expected ')' after argument list",
            Seq::List => "expected ']' after list elements",
            Seq::Dict => "expected '}' after dict entries",
        }
    }

    /// What may follow the opening bracket or a comma.
    fn item_or_close(self) -> &'static str {
        match self {
            Seq::Args => "expected an argument name or ')'",
            Seq::List => "expected a value or ']'",
            Seq::Dict => "expected a quoted key or '}'",
        }
    }
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Result<Token<'a>, ConfigError> {
        match self.peeked.take() {
            Some(token) => Ok(token),
            None => self.lexer.next_token(),
        }
    }

    fn peek(&mut self) -> Result<Token<'a>, ConfigError> {
        let token = self.next()?;
        self.peeked = Some(token);
        Ok(token)
    }

    fn unexpected(&self, at: usize, message: String) -> ConfigError {
        ConfigError::at(self.text, at, ConfigErrorKind::Syntax, message)
    }

    fn duplicate(&self, at: usize, what: &str, name: &str, first: usize) -> ConfigError {
        ConfigError::at(
            self.text,
            at,
            ConfigErrorKind::Duplicate,
            format!(
                "duplicate {what} '{name}' (first given at {})",
                describe_position(self.text, first)
            ),
        )
    }

    /// Consumes `=` after `what`.
    fn expect_eq(&mut self, what: &str) -> Result<(), ConfigError> {
        let token = self.next()?;
        match token.kind {
            TokenKind::Eq => Ok(()),
            other => Err(self.unexpected(
                token.at,
                format!("expected '=' after {what}, found {}", other.describe()),
            )),
        }
    }

    /// A value nested `depth` deep (a top-level value is depth 1).
    fn value(&mut self, depth: usize) -> Result<Expr<'a>, ConfigError> {
        let token = self.next()?;
        let at = token.at;
        let kind = match token.kind {
            TokenKind::Str(text) => ExprKind::Str(text),
            TokenKind::Number(digits) => ExprKind::Number(digits),
            TokenKind::Ident(name) => {
                if self.peek()?.kind == TokenKind::LParen {
                    self.check_depth(at, depth)?;
                    self.next()?;
                    let args = self.sequence(Seq::Args, depth)?;
                    ExprKind::Call { name, args }
                } else {
                    ExprKind::Ref(name)
                }
            }
            TokenKind::LBracket => {
                self.check_depth(at, depth)?;
                let mut items = Vec::new();
                self.items(Seq::List, |parser| {
                    items.push(parser.value(depth + 1)?);
                    Ok(())
                })?;
                ExprKind::List(items)
            }
            TokenKind::LBrace => {
                self.check_depth(at, depth)?;
                ExprKind::Dict(self.sequence(Seq::Dict, depth)?)
            }
            other => {
                return Err(self.unexpected(
                    at,
                    format!(
                        "expected a value (a string, a number, a name, Type(...), [...] or \
                         {{...}}), found {}",
                        other.describe()
                    ),
                ))
            }
        };
        Ok(Expr { at, kind })
    }

    fn check_depth(&self, at: usize, depth: usize) -> Result<(), ConfigError> {
        if depth > self.max_depth {
            return Err(ConfigError::at(
                self.text,
                at,
                ConfigErrorKind::TooDeep,
                format!("nested deeper than {} levels", self.max_depth),
            ));
        }
        Ok(())
    }

    /// The named items of an argument list or dict, after its opening bracket, with
    /// duplicate names refused.
    fn sequence(&mut self, seq: Seq, depth: usize) -> Result<Vec<Named<'a>>, ConfigError> {
        let mut items: Vec<Named<'a>> = Vec::new();
        let mut seen = HashMap::new();
        self.items(seq, |parser| {
            let token = parser.next()?;
            let name = match (seq, token.kind) {
                (Seq::Args, TokenKind::Ident(name)) => {
                    parser.expect_eq(&format!("argument name '{name}'"))?;
                    name
                }
                (_, TokenKind::Str(key)) => {
                    let colon = parser.next()?;
                    if colon.kind != TokenKind::Colon {
                        return Err(parser.unexpected(
                            colon.at,
                            format!(
                                "expected ':' after key '{key}', found {}",
                                colon.kind.describe()
                            ),
                        ));
                    }
                    key
                }
                (_, other) => {
                    return Err(parser.unexpected(
                        token.at,
                        format!("{}, found {}", seq.item_or_close(), other.describe()),
                    ))
                }
            };
            let value = parser.value(depth + 1)?;
            if let Some(first) = seen.insert(name, token.at) {
                let what = match seq {
                    Seq::Args => "argument",
                    _ => "key",
                };
                return Err(parser.duplicate(token.at, what, name, first));
            }
            items.push(Named {
                name,
                at: token.at,
                value,
            });
            Ok(())
        })?;
        Ok(items)
    }

    /// Reads items with `item` up to the closing bracket of `seq`, commas optional
    /// between items and allowed after the last.
    fn items(
        &mut self,
        seq: Seq,
        mut item: impl FnMut(&mut Self) -> Result<(), ConfigError>,
    ) -> Result<(), ConfigError> {
        let close = seq.close();
        let mut after_item = false;
        loop {
            let token = self.peek()?;
            if token.kind == close {
                self.next()?;
                return Ok(());
            }
            if after_item && token.kind == TokenKind::Comma {
                self.next()?;
                after_item = false;
                continue;
            }
            if !starts_item(seq, token.kind) {
                let expected = if after_item {
                    seq.after_item()
                } else {
                    seq.item_or_close()
                };
                return Err(self.unexpected(
                    token.at,
                    format!("{expected}, found {}", token.kind.describe()),
                ));
            }
            item(self)?;
            after_item = true;
        }
    }
}

/// Whether `kind` can begin an item of `seq` (so a missing comma is fine).
fn starts_item(seq: Seq, kind: TokenKind<'_>) -> bool {
    match seq {
        Seq::Args => matches!(kind, TokenKind::Ident(_)),
        Seq::Dict => matches!(kind, TokenKind::Str(_)),
        Seq::List => matches!(
            kind,
            TokenKind::Str(_)
                | TokenKind::Number(_)
                | TokenKind::Ident(_)
                | TokenKind::LBracket
                | TokenKind::LBrace
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Assignment<'_>>, ConfigError> {
        parse_assignments(text, 8)
    }

    fn error(text: &str) -> (ConfigErrorKind, usize, usize, String) {
        let err = parse(text).unwrap_err();
        (
            err.kind(),
            err.line(),
            err.column(),
            err.message().to_owned(),
        )
    }

    #[test]
    fn commas_are_optional_and_may_trail() {
        let a = parse("x = D(a=1 b='2',)\ny = [1 2, 3,]\nz = {'k': 1 'l': 2,}").unwrap();
        assert_eq!(a.len(), 3);
        let ExprKind::Call { name, args } = &a[0].value.kind else {
            panic!("not a call: {:?}", a[0].value);
        };
        assert_eq!(*name, "D");
        assert_eq!(args.len(), 2);
        assert!(matches!(&a[1].value.kind, ExprKind::List(items) if items.len() == 3));
        assert!(matches!(&a[2].value.kind, ExprKind::Dict(items) if items.len() == 2));
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        assert_eq!(
            error("h = Host(name='a',\n  routes={'/': x}]"),
            (
                ConfigErrorKind::Syntax,
                2,
                18,
                "expected ')' after argument list, found ']'".into()
            )
        );
        assert_eq!(
            error("x = [1, )"),
            (
                ConfigErrorKind::Syntax,
                1,
                9,
                "expected a value or ']', found ')'".into()
            )
        );
        assert_eq!(
            error("x = {a: 1}").3,
            "expected a quoted key or '}', found identifier 'a'"
        );
        assert_eq!(
            error("x = {'a' 1}").3,
            "expected ':' after key 'a', found number 1"
        );
        assert_eq!(
            error("x 1").3,
            "expected '=' after variable 'x', found number 1"
        );
        assert_eq!(error("= 1").3, "expected a variable name, found '='");
        assert_eq!(
            error("x = D(a 1)").3,
            "expected '=' after argument name 'a', found number 1"
        );
        assert_eq!(
            error("x = D(a=1").3,
            "expected ')' after argument list, found end of input"
        );
        assert_eq!(error("x = ").1, 1);
    }

    #[test]
    fn duplicates_name_both_places() {
        assert_eq!(
            error("x = D(a=1,\n a=2)"),
            (
                ConfigErrorKind::Duplicate,
                2,
                2,
                "duplicate argument 'a' (first given at line 1, column 7)".into()
            )
        );
        assert_eq!(error("x = {'k': 1, 'k': 2}").0, ConfigErrorKind::Duplicate);
        assert_eq!(
            error("x = 1\nx = 2").3,
            "duplicate variable 'x' (first given at line 1, column 1)"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        assert!(parse("x = [[[[[[[[1]]]]]]]]").is_ok());
        let (kind, _, column, _) = error("x = [[[[[[[[[1]]]]]]]]]");
        assert_eq!((kind, column), (ConfigErrorKind::TooDeep, 13));
        let deep = format!("x = {}", "[".repeat(100_000));
        assert_eq!(error(&deep).0, ConfigErrorKind::TooDeep);
    }
}
