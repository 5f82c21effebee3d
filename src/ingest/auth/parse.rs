//! RFC 8601 `Authentication-Results` syntax: a lexer that skips comments and unquotes strings,
//! and the grammar of `method=result` entries with their reason and properties.

use std::fmt;

use super::{MethodResult, ParseError, MAX_COMMENT_DEPTH, MAX_HEADER_BYTES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Word(String),
    Quoted(String),
    Semicolon,
    Equals,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(word) => write!(f, "{word}"),
            Token::Quoted(text) => write!(f, "\"{text}\""),
            Token::Semicolon => write!(f, ";"),
            Token::Equals => write!(f, "="),
        }
    }
}

pub(super) fn tokenize(value: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer::new(value);
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

/// Splits a header value into words, quoted strings, `;` and `=`, skipping CFWS.
pub(super) struct Lexer<'v> {
    chars: std::iter::Peekable<std::str::Chars<'v>>,
}

impl<'v> Lexer<'v> {
    pub(super) fn new(value: &'v str) -> Self {
        let mut end = value.len().min(MAX_HEADER_BYTES);
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        Lexer {
            chars: value[..end].chars().peekable(),
        }
    }

    pub(super) fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        self.skip_cfws()?;
        let Some(&next) = self.chars.peek() else {
            return Ok(None);
        };
        let token = match next {
            ';' => self.single(Token::Semicolon),
            '=' => self.single(Token::Equals),
            '"' => Token::Quoted(self.quoted()?),
            _ => Token::Word(self.word()),
        };
        Ok(Some(token))
    }

    fn single(&mut self, token: Token) -> Token {
        self.chars.next();
        token
    }

    fn skip_cfws(&mut self) -> Result<(), ParseError> {
        loop {
            match self.chars.peek() {
                Some(c) if c.is_whitespace() => {
                    self.chars.next();
                }
                Some('(') => self.skip_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn skip_comment(&mut self) -> Result<(), ParseError> {
        let mut depth = 0usize;
        while let Some(c) = self.chars.next() {
            match c {
                '\\' => {
                    self.chars.next();
                }
                '(' if depth >= MAX_COMMENT_DEPTH => return Err(ParseError::UnterminatedComment),
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
        Err(ParseError::UnterminatedComment)
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        self.chars.next();
        let mut text = String::new();
        while let Some(c) = self.chars.next() {
            match c {
                '"' => return Ok(text),
                '\\' => text.extend(self.chars.next()),
                _ => text.push(c),
            }
        }
        Err(ParseError::UnterminatedQuotedString)
    }

    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            if c.is_whitespace() || matches!(c, ';' | '=' | '(' | '"') {
                break;
            }
            word.push(c);
            self.chars.next();
        }
        word
    }
}

/// An all-digit word right after the authserv-id is the header version.
pub(super) fn leading_version(rest: &mut &[Token]) -> Option<u32> {
    let Some(Token::Word(word)) = rest.first() else {
        return None;
    };
    let version = word.parse().ok()?;
    *rest = &rest[1..];
    Some(version)
}

/// `; resinfo; resinfo …` or `; none`.
pub(super) fn parse_results(tokens: &[Token]) -> Result<Vec<MethodResult>, ParseError> {
    let mut results = Vec::new();
    for segment in tokens.split(|token| *token == Token::Semicolon) {
        match segment {
            [] => {}
            [Token::Word(none)] if none.eq_ignore_ascii_case("none") => {}
            _ => results.push(parse_result(segment)?),
        }
    }
    Ok(results)
}

/// `method[/version]=result [reason=value] [ptype.property=value …]`.
fn parse_result(segment: &[Token]) -> Result<MethodResult, ParseError> {
    let malformed = || {
        let shown: Vec<String> = segment.iter().map(Token::to_string).collect();
        ParseError::MalformedResult(shown.join(" "))
    };
    let [Token::Word(method), Token::Equals, Token::Word(result), rest @ ..] = segment else {
        return Err(malformed());
    };
    let method = method.split('/').next().unwrap_or_default().trim();
    if method.is_empty() {
        return Err(malformed());
    }
    let mut parsed = MethodResult {
        method: method.to_ascii_lowercase(),
        result: result.to_ascii_lowercase(),
        reason: None,
        properties: Vec::new(),
    };
    read_properties(rest, &mut parsed);
    Ok(parsed)
}

/// `name=value` pairs; a stray word (a non-standard extension) is skipped.
fn read_properties(mut rest: &[Token], parsed: &mut MethodResult) {
    while !rest.is_empty() {
        if let [Token::Word(name), Token::Equals, Token::Word(value) | Token::Quoted(value), tail @ ..] =
            rest
        {
            let name = name.to_ascii_lowercase();
            if name == "reason" {
                parsed.reason = Some(value.clone());
            } else {
                parsed.properties.push((name, value.clone()));
            }
            rest = tail;
        } else {
            rest = &rest[1..];
        }
    }
}
