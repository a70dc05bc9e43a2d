//! The condition language of `when = "…"`: parsing (nom, with byte offsets),
//! type checking against the fact catalogue, and evaluation.
//!
//! ```text
//! cond    := or
//! or      := and (("||" | "or") and)*
//! and     := unary (("&&" | "and") unary)*
//! unary   := ("!" | "not") unary | primary
//! primary := "(" cond ")" | operand (cmp operand | "in" list)?
//! cmp     := "==" | "!=" | "<" | "<=" | ">" | ">="
//! operand := fact | integer | string | "true" | "false"
//! list    := "[" (literal ("," literal)* ","?)? "]"
//! ```
//!
//! A comparison (or `in`) that involves an unset fact is false, so its negation
//! is true; a bare unset bool fact is false.

use super::{List, Text};
use nom::IResult;
use nom::Parser as _;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit1, multispace0};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use sendlint_records::{Fact, FactType, Facts, Role, Value};

/// Deeper nesting of `(` and `!` than this is refused, so hostile rule files
/// cannot overflow the stack.
pub(crate) const MAX_DEPTH: u32 = 32;

/// A problem in a condition, at a byte range of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CondError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// One side of a comparison, before type checking.
#[derive(Clone, Debug, PartialEq)]
enum AstOperand {
    Ident(String),
    Int(i64),
    Str(String),
    Bool(bool),
}

/// The parsed condition, names unresolved; every node knows its byte range.
#[derive(Clone, Debug, PartialEq)]
enum Ast {
    Or(Vec<Ast>),
    And(Vec<Ast>),
    Not(Box<Ast>),
    Operand(AstOperand, (usize, usize)),
    Cmp {
        lhs: (AstOperand, (usize, usize)),
        op: CmpOp,
        op_span: (usize, usize),
        rhs: (AstOperand, (usize, usize)),
    },
    In {
        lhs: (AstOperand, (usize, usize)),
        list: Vec<(AstOperand, (usize, usize))>,
    },
}

/// A compiled operand: facts are indices, never names.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    Fact(Fact),
    Int(i64),
    Str(Text),
    Bool(bool),
}

/// A type-checked condition, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cond {
    Const(bool),
    Flag(Fact),
    Not(Node<Cond>),
    And(List<Cond>),
    Or(List<Cond>),
    Cmp { lhs: Operand, op: CmpOp, rhs: Operand },
    In { lhs: Operand, list: List<Operand> },
}

/// One boxed node of a condition: in the binary for the built-in rules, on the
/// heap for rules loaded at run time (what [`List`] is for lists).
#[derive(Clone)]
pub(crate) enum Node<T: 'static> {
    Static(&'static T),
    Owned(Box<T>),
}

// Where a node lives is not part of what it is: compared and shown as the node.
impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Node<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T> std::ops::Deref for Node<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Node::Static(t) => t,
            Node::Owned(t) => t,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scalar<'a> {
    Int(i64),
    Str(&'a str),
    Bool(bool),
}

impl Operand {
    fn get<'a>(&'a self, facts: &'a Facts) -> Option<Scalar<'a>> {
        match self {
            Operand::Fact(f) => match facts.get(*f) {
                Value::Bool(b) => Some(Scalar::Bool(*b)),
                Value::Int(i) => Some(Scalar::Int(*i)),
                Value::Str(s) => Some(Scalar::Str(s)),
                Value::Unset | Value::Span(_) => None,
            },
            Operand::Int(i) => Some(Scalar::Int(*i)),
            Operand::Str(s) => Some(Scalar::Str(s)),
            Operand::Bool(b) => Some(Scalar::Bool(*b)),
        }
    }
}

impl Cond {
    /// Evaluates the condition over one role's facts.
    pub(crate) fn eval(&self, facts: &Facts) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Flag(f) => facts.flag(*f),
            Cond::Not(c) => !c.eval(facts),
            Cond::And(cs) => cs.iter().all(|c| c.eval(facts)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(facts)),
            Cond::Cmp { lhs, op, rhs } => {
                let (Some(a), Some(b)) = (lhs.get(facts), rhs.get(facts)) else {
                    return false;
                };
                let ord = match (a, b) {
                    (Scalar::Int(a), Scalar::Int(b)) => a.cmp(&b),
                    (Scalar::Str(a), Scalar::Str(b)) => a.cmp(b),
                    (Scalar::Bool(a), Scalar::Bool(b)) => a.cmp(&b),
                    // The type checker rules this out; a mismatch is "unset".
                    _ => return false,
                };
                match op {
                    CmpOp::Eq => ord.is_eq(),
                    CmpOp::Ne => ord.is_ne(),
                    CmpOp::Lt => ord.is_lt(),
                    CmpOp::Le => ord.is_le(),
                    CmpOp::Gt => ord.is_gt(),
                    CmpOp::Ge => ord.is_ge(),
                }
            }
            Cond::In { lhs, list } => match lhs.get(facts) {
                Some(v) => list.iter().any(|item| item.get(facts) == Some(v)),
                None => false,
            },
        }
    }
}

// ---------------------------------------------------------------- parsing

/// A parse failure at `at` (a suffix of the condition).
#[derive(Debug)]
struct PErr<'s> {
    at: &'s str,
    len: Option<usize>,
    message: String,
    help: Option<String>,
}

impl<'s> nom::error::ParseError<&'s str> for PErr<'s> {
    fn from_error_kind(input: &'s str, _kind: nom::error::ErrorKind) -> Self {
        PErr { at: input, len: None, message: String::from("unexpected input"), help: None }
    }
    fn append(_input: &'s str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'s, T> = IResult<&'s str, T, PErr<'s>>;

fn fail<'s, T>(at: &'s str, message: impl Into<String>, help: Option<&str>) -> R<'s, T> {
    Err(nom::Err::Failure(PErr { at, len: None, message: message.into(), help: help.map(str::to_owned) }))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// How long the token starting `s` is, for labels on unexpected input.
fn token_len(s: &str) -> usize {
    let ident = s.chars().take_while(|c| is_ident_char(*c)).count();
    if ident > 0 {
        return ident;
    }
    s.chars().next().map_or(0, char::len_utf8)
}

fn describe(s: &str) -> String {
    if s.is_empty() { String::from("the end of the condition") } else { format!("`{}`", &s[..token_len(s)]) }
}

fn ident(i: &str) -> R<'_, &str> {
    recognize(pair(take_while1(|c: char| c.is_ascii_alphabetic() || c == '_'), take_while(is_ident_char)))
        .parse(i)
}

/// A keyword: the word itself, not a prefix of a longer identifier.
fn keyword<'s>(i: &'s str, word: &str) -> Option<&'s str> {
    let rest = i.strip_prefix(word)?;
    if rest.chars().next().is_some_and(is_ident_char) { None } else { Some(rest) }
}

struct Parser<'s> {
    full: &'s str,
}

impl<'s> Parser<'s> {
    fn off(&self, rest: &'s str) -> usize {
        self.full.len() - rest.len()
    }

    fn cond(&self, i: &'s str, depth: u32) -> R<'s, Ast> {
        if depth > MAX_DEPTH {
            return Err(nom::Err::Failure(PErr {
                at: i,
                len: Some(1),
                message: format!("condition nested more than {MAX_DEPTH} levels deep"),
                help: Some(String::from("simplify the condition")),
            }));
        }
        self.or(i, depth)
    }

    fn or(&self, i: &'s str, depth: u32) -> R<'s, Ast> {
        let (mut i, first) = self.and(i, depth)?;
        let mut items = vec![first];
        loop {
            let (j, _) = multispace0(i)?;
            let next = if let Some(r) = j.strip_prefix("||") {
                r
            } else if let Some(r) = keyword(j, "or") {
                r
            } else {
                break;
            };
            let (j, item) = self.and(next, depth)?;
            items.push(item);
            i = j;
        }
        Ok((i, if items.len() == 1 { items.remove(0) } else { Ast::Or(items) }))
    }

    fn and(&self, i: &'s str, depth: u32) -> R<'s, Ast> {
        let (mut i, first) = self.unary(i, depth)?;
        let mut items = vec![first];
        loop {
            let (j, _) = multispace0(i)?;
            let next = if let Some(r) = j.strip_prefix("&&") {
                r
            } else if let Some(r) = keyword(j, "and") {
                r
            } else {
                break;
            };
            let (j, item) = self.unary(next, depth)?;
            items.push(item);
            i = j;
        }
        Ok((i, if items.len() == 1 { items.remove(0) } else { Ast::And(items) }))
    }

    fn unary(&self, i: &'s str, depth: u32) -> R<'s, Ast> {
        let (i, _) = multispace0(i)?;
        let not = if i.starts_with("!=") {
            None
        } else if let Some(r) = i.strip_prefix('!') {
            Some(r)
        } else {
            keyword(i, "not")
        };
        if let Some(rest) = not {
            if depth >= MAX_DEPTH {
                return self.cond(i, depth + 1);
            }
            let (rest, inner) = self.unary(rest, depth + 1)?;
            return Ok((rest, Ast::Not(Box::new(inner))));
        }
        self.primary(i, depth)
    }

    fn primary(&self, i: &'s str, depth: u32) -> R<'s, Ast> {
        if let Some(rest) = i.strip_prefix('(') {
            let (rest, inner) = self.cond(rest, depth + 1)?;
            let (rest, _) = multispace0(rest)?;
            return match rest.strip_prefix(')') {
                Some(rest) => Ok((rest, inner)),
                None => fail(
                    rest,
                    format!("expected `)`, found {}", describe(rest)),
                    Some("every `(` needs a matching `)`"),
                ),
            };
        }
        let (i, lhs) = self.operand(i)?;
        let (j, _) = multispace0(i)?;
        let op = [
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ]
        .into_iter()
        .find(|(t, _)| j.starts_with(t));
        if let Some((text, op)) = op {
            let op_start = self.off(j);
            let (rest, _) = multispace0(&j[text.len()..])?;
            let (rest, rhs) = self.operand(rest)?;
            return Ok((rest, Ast::Cmp { lhs, op, op_span: (op_start, text.len()), rhs }));
        }
        if j.starts_with('=') && !j.starts_with("==") {
            return fail(j, "`=` is not an operator", Some("compare with `==`"));
        }
        if let Some(rest) = keyword(j, "in") {
            let (rest, _) = multispace0(rest)?;
            let (rest, list) = self.list(rest)?;
            return Ok((rest, Ast::In { lhs, list }));
        }
        Ok((i, Ast::Operand(lhs.0, lhs.1)))
    }

    fn list(&self, i: &'s str) -> R<'s, Vec<(AstOperand, (usize, usize))>> {
        let Some(mut i) = i.strip_prefix('[') else {
            return fail(
                i,
                format!("expected `[` after `in`, found {}", describe(i)),
                Some(r#"write a list of literals: `policy in ["quarantine", "reject"]`"#),
            );
        };
        let mut items = Vec::new();
        loop {
            let (j, _) = multispace0(i)?;
            if let Some(rest) = j.strip_prefix(']') {
                return Ok((rest, items));
            }
            let (j, item) = self.operand(j)?;
            if matches!(item.0, AstOperand::Ident(_)) {
                let (start, len) = item.1;
                return Err(nom::Err::Failure(PErr {
                    at: &self.full[start..],
                    len: Some(len),
                    message: String::from("a list after `in` holds literals, not facts"),
                    help: Some(String::from("quote strings: `[\"a\", \"b\"]`")),
                }));
            }
            items.push(item);
            let (j, _) = multispace0(j)?;
            if let Some(rest) = j.strip_prefix(',') {
                i = rest;
            } else if let Some(rest) = j.strip_prefix(']') {
                return Ok((rest, items));
            } else {
                return fail(j, format!("expected `,` or `]`, found {}", describe(j)), None);
            }
        }
    }

    fn operand(&self, i: &'s str) -> R<'s, (AstOperand, (usize, usize))> {
        let start = self.off(i);
        let span = |rest: &'s str| (start, self.off(rest) - start);
        if let Some(q) = i.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let mut value = String::new();
            let mut chars = i[1..].char_indices();
            while let Some((k, c)) = chars.next() {
                if c == q {
                    let rest = &i[1 + k + 1..];
                    return Ok((rest, (AstOperand::Str(value), span(rest))));
                }
                if c == '\\' {
                    match chars.next() {
                        Some((_, e)) if e == q || e == '\\' => value.push(e),
                        _ => {
                            return fail(
                                &i[1 + k..],
                                "unknown escape in string",
                                Some("only `\\\"`, `\\'` and `\\\\` are escapes"),
                            );
                        }
                    }
                } else {
                    value.push(c);
                }
            }
            return Err(nom::Err::Failure(PErr {
                at: i,
                len: Some(1),
                message: String::from("unterminated string"),
                help: Some(format!("close the string with `{q}`")),
            }));
        }
        if let Ok((rest, digits)) = recognize(pair(opt(char::<&str, PErr>('-')), digit1)).parse(i) {
            if rest.chars().next().is_some_and(is_ident_char) {
                return fail(
                    i,
                    format!("`{}` is not a number or a fact name", &i[..token_len(i)]),
                    Some("fact names start with a letter"),
                );
            }
            return match digits.parse::<i64>() {
                Ok(n) => Ok((rest, (AstOperand::Int(n), span(rest)))),
                Err(_) => Err(nom::Err::Failure(PErr {
                    at: i,
                    len: Some(digits.len()),
                    message: format!("integer `{digits}` is out of range"),
                    help: Some(String::from("integers are signed 64-bit")),
                })),
            };
        }
        if let Ok((rest, name)) = ident(i) {
            let op = match name {
                "true" => AstOperand::Bool(true),
                "false" => AstOperand::Bool(false),
                "and" | "or" | "not" | "in" => {
                    return fail(i, format!("expected a fact or a literal, found keyword `{name}`"), None);
                }
                _ => AstOperand::Ident(name.to_owned()),
            };
            return Ok((rest, (op, span(rest))));
        }
        let alt_hint = alt((tag::<&str, &str, PErr>("&"), tag("|"))).parse(i).is_ok();
        fail(
            i,
            format!("expected a fact, a literal, `!` or `(`, found {}", describe(i)),
            Some(if alt_hint {
                "`&&` and `||` join two conditions: something is missing before it"
            } else {
                "conditions look like `quoted && !embedded_quotes` or `key_bits < 2048`"
            }),
        )
    }
}

fn parse(src: &str) -> Result<Ast, CondError> {
    let p = Parser { full: src };
    let to_err = |e: PErr<'_>| CondError {
        offset: p.off(e.at),
        len: e.len.unwrap_or_else(|| token_len(e.at)),
        message: e.message,
        help: e.help,
    };
    match p.cond(src, 0) {
        Ok((rest, ast)) => {
            let rest = rest.trim_start();
            if rest.is_empty() {
                if matches!(ast, Ast::Operand(AstOperand::Str(_) | AstOperand::Int(_), _)) {
                    return Err(CondError {
                        offset: 0,
                        len: src.len(),
                        message: String::from("a condition must be true or false"),
                        help: None,
                    });
                }
                Ok(ast)
            } else {
                Err(CondError {
                    offset: p.off(rest),
                    len: token_len(rest),
                    message: format!("unexpected {}", describe(rest)),
                    help: Some(String::from(
                        "join conditions with `&&` / `||`; compare with `==`, `!=`, `<`, `<=`, `>`, `>=`",
                    )),
                })
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(to_err(e)),
        Err(nom::Err::Incomplete(_)) => Err(CondError {
            offset: src.len(),
            len: 0,
            message: String::from("incomplete condition"),
            help: None,
        }),
    }
}

// ---------------------------------------------------------------- type checking

/// Looks up `name` as a fact usable by rules of every role in `roles`.
/// Shared with templates so their errors read the same.
pub(crate) fn resolve_fact(name: &str, roles: &[Role]) -> Result<Fact, (String, Option<String>)> {
    let Some(fact) = Fact::by_name(name) else {
        let help = match super::suggest(name) {
            Some(s) => format!("did you mean `{s}`? (facts: `sendlint rules facts`)"),
            None => String::from(
                "facts are listed by `sendlint rules facts` (crates/sendlint-records/src/facts.rs)",
            ),
        };
        return Err((format!("unknown fact `{name}`"), Some(help)));
    };
    let def = fact.def();
    if let Some(role) = roles.iter().find(|r| !def.applies_to(**r)) {
        let applies: Vec<&str> = def.roles.iter().map(|r| r.as_str()).collect();
        return Err((
            format!("fact `{name}` is not computed for role `{role}`"),
            Some(format!("`{name}` applies to: {}", applies.join(", "))),
        ));
    }
    Ok(fact)
}

/// The type with its article: "an int", "a string".
pub(crate) fn article(ty: FactType) -> String {
    match ty {
        FactType::Int => String::from("an int"),
        other => format!("a {other}"),
    }
}

struct Checker<'a> {
    roles: &'a [Role],
    errors: Vec<CondError>,
}

impl Checker<'_> {
    fn err(&mut self, span: (usize, usize), message: String, help: Option<String>) {
        self.errors.push(CondError { offset: span.0, len: span.1, message, help });
    }

    /// Compiles an operand and reports its type; `None` after an error.
    fn operand(&mut self, op: &AstOperand, span: (usize, usize)) -> Option<(Operand, FactType)> {
        match op {
            AstOperand::Int(i) => Some((Operand::Int(*i), FactType::Int)),
            AstOperand::Str(s) => Some((Operand::Str(s.clone().into()), FactType::Str)),
            AstOperand::Bool(b) => Some((Operand::Bool(*b), FactType::Bool)),
            AstOperand::Ident(name) => match resolve_fact(name, self.roles) {
                Ok(fact) => {
                    let ty = fact.def().ty;
                    if ty == FactType::Span {
                        self.err(
                            span,
                            format!("`{name}` is a span fact and cannot be used in a condition"),
                            Some(String::from(
                                "span facts only place labels: `labels = [{ span = \"…\", text = \"…\" }]`",
                            )),
                        );
                        return None;
                    }
                    Some((Operand::Fact(fact), ty))
                }
                Err((message, help)) => {
                    self.err(span, message, help);
                    None
                }
            },
        }
    }

    fn check(&mut self, ast: &Ast) -> Cond {
        match ast {
            Ast::Or(items) => Cond::Or(items.iter().map(|a| self.check(a)).collect()),
            Ast::And(items) => Cond::And(items.iter().map(|a| self.check(a)).collect()),
            Ast::Not(inner) => Cond::Not(Node::Owned(Box::new(self.check(inner)))),
            Ast::Operand(op, span) => match self.operand(op, *span) {
                Some((Operand::Bool(b), _)) => Cond::Const(b),
                Some((Operand::Fact(f), FactType::Bool)) => Cond::Flag(f),
                Some((_, ty)) => {
                    let hint = match ty {
                        FactType::Int => "compare it: `key_bits < 2048`",
                        _ => "compare it: `policy == \"none\"`",
                    };
                    self.err(
                        *span,
                        format!("this is {}, but a condition needs a bool", article(ty)),
                        Some(String::from(hint)),
                    );
                    Cond::Const(false)
                }
                None => Cond::Const(false),
            },
            Ast::Cmp { lhs, op, op_span, rhs } => {
                let l = self.operand(&lhs.0, lhs.1);
                let r = self.operand(&rhs.0, rhs.1);
                let (Some((lop, lty)), Some((rop, rty))) = (l, r) else {
                    return Cond::Const(false);
                };
                if lty != rty {
                    self.err(
                        (lhs.1.0, rhs.1.0 + rhs.1.1 - lhs.1.0),
                        format!("cannot compare {} with {}", article(lty), article(rty)),
                        Some(String::from("both sides of a comparison must have the same type")),
                    );
                    return Cond::Const(false);
                }
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) && lty != FactType::Int {
                    self.err(
                        *op_span,
                        format!("`{}` needs integers, but these are {lty}s", op.as_str()),
                        Some(String::from("strings and bools compare with `==` and `!=` only")),
                    );
                    return Cond::Const(false);
                }
                Cond::Cmp { lhs: lop, op: *op, rhs: rop }
            }
            Ast::In { lhs, list } => {
                let Some((lop, lty)) = self.operand(&lhs.0, lhs.1) else {
                    return Cond::Const(false);
                };
                let mut items = Vec::with_capacity(list.len());
                for (item, span) in list {
                    if let Some((op, ty)) = self.operand(item, *span) {
                        if ty == lty {
                            items.push(op);
                        } else {
                            self.err(
                                *span,
                                format!("this is {}, but the value tested is {}", article(ty), article(lty)),
                                Some(String::from(
                                    "every item of the list must have the type of the left side",
                                )),
                            );
                        }
                    }
                }
                Cond::In { lhs: lop, list: items.into() }
            }
        }
    }
}

/// Parses and type-checks a condition for rules of `roles`; all errors found.
pub(crate) fn compile(src: &str, roles: &[Role]) -> Result<Cond, Vec<CondError>> {
    let ast = parse(src).map_err(|e| vec![e])?;
    let mut checker = Checker { roles, errors: Vec::new() };
    let cond = checker.check(&ast);
    if checker.errors.is_empty() { Ok(cond) } else { Err(checker.errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str, role: Role) -> Cond {
        match compile(src, &[role]) {
            Ok(c) => c,
            Err(e) => panic!("{src:?} should compile: {e:?}"),
        }
    }

    fn err(src: &str, role: Role) -> CondError {
        match compile(src, &[role]) {
            Ok(c) => panic!("{src:?} should fail, got {c:?}"),
            Err(mut e) => e.remove(0),
        }
    }

    #[test]
    fn pass_vectors() {
        for src in [
            "quoted",
            "quoted && !embedded_quotes",
            "quoted and not embedded_quotes",
            "  (quoted || embedded_quotes) && key_bits < 2048 ",
            "!!quoted",
            "key_bits <= 2048 && key_bits >= 1024 && key_bits != 1536",
            "key_type == \"rsa\"",
            "key_type == 'rsa'",
            "key_type in [\"rsa\", 'ed25519',]",
            "key_bits in [1024, 2048]",
            "key_type in []",
            "true",
            "false || quoted",
            "key_matches == false",
            "key_bits > -1",
            "version != selector",
            "not(quoted)or(key_valid)",
            "'a\\'b' == key_type",
        ] {
            ok(src, Role::Dkim);
        }
    }

    #[test]
    fn fail_vectors() {
        let cases: &[(&str, &str, usize, usize)] = &[
            ("", "expected a fact, a literal, `!` or `(`, found the end of the condition", 0, 0),
            ("quoted &&", "expected a fact, a literal, `!` or `(`, found the end of the condition", 9, 0),
            ("quoted & key_valid", "unexpected `&`", 7, 1),
            ("(quoted", "expected `)`, found the end of the condition", 7, 0),
            ("quoted)", "unexpected `)`", 6, 1),
            ("key_type = \"rsa\"", "`=` is not an operator", 9, 1),
            ("key_type == \"rsa", "unterminated string", 12, 1),
            ("key_bits < 99999999999999999999", "integer `99999999999999999999` is out of range", 11, 20),
            ("key_type in rsa", "expected `[` after `in`, found `rsa`", 12, 3),
            ("key_type in [rsa]", "a list after `in` holds literals, not facts", 13, 3),
            ("key_type in [\"a\" \"b\"]", "expected `,` or `]`, found `\"`", 17, 1),
            ("quoted embedded_quotes", "unexpected `embedded_quotes`", 7, 15),
            ("2fast", "`2fast` is not a number or a fact name", 0, 5),
            ("\"rsa\"", "a condition must be true or false", 0, 5),
            ("quoted && and", "expected a fact or a literal, found keyword `and`", 10, 3),
            ("quoted || ⚠", "expected a fact, a literal, `!` or `(`, found `⚠`", 10, 3),
        ];
        for (src, msg, off, len) in cases {
            let e = err(src, Role::Dkim);
            assert_eq!((e.message.as_str(), e.offset, e.len), (*msg, *off, *len), "{src:?}");
        }
    }

    #[test]
    fn type_errors() {
        let cases: &[(&str, Role, &str, usize, usize)] = &[
            ("quoted_value", Role::Dkim, "unknown fact `quoted_value`", 0, 12),
            ("key_bits", Role::Dkim, "this is an int, but a condition needs a bool", 0, 8),
            ("key_type", Role::Dkim, "this is a string, but a condition needs a bool", 0, 8),
            ("key_bits == \"2048\"", Role::Dkim, "cannot compare an int with a string", 0, 18),
            ("key_type < \"rsa\"", Role::Dkim, "`<` needs integers, but these are strings", 9, 1),
            (
                "quote_span",
                Role::Dkim,
                "`quote_span` is a span fact and cannot be used in a condition",
                0,
                10,
            ),
            ("key_bits < 2048", Role::SpfMx, "fact `key_bits` is not computed for role `spf_mx`", 0, 8),
            (
                "key_type in [\"rsa\", 1]",
                Role::Dkim,
                "this is an int, but the value tested is a string",
                20,
                1,
            ),
        ];
        for (src, role, msg, off, len) in cases {
            let e = err(src, *role);
            assert_eq!((e.message.as_str(), e.offset, e.len), (*msg, *off, *len), "{src:?}");
        }
        // Every error of a condition is reported, not just the first.
        let all = compile("nope && key_bits == \"x\" && quote_span", &[Role::Dkim]).unwrap_err();
        assert_eq!(all.len(), 3);
        // A fact must apply to every role of a multi-role rule.
        assert!(compile("quoted", &[Role::Dkim, Role::SpfMx]).is_err());
        assert!(compile("lookup_failed", &Role::RECORDS).is_ok());
    }

    #[test]
    fn suggestions_name_the_closest_fact() {
        let e = err("key_bit < 2048", Role::Dkim);
        assert_eq!(e.help.as_deref(), Some("did you mean `key_bits`? (facts: `sendlint rules facts`)"));
    }

    #[test]
    fn hostile_nesting_is_refused_without_overflow() {
        for src in [
            "(".repeat(10_000) + "quoted" + &")".repeat(10_000),
            "!".repeat(10_000) + "quoted",
            "not ".repeat(10_000) + "quoted",
            "(!".repeat(10_000) + "quoted",
        ] {
            let e = err(&src, Role::Dkim);
            assert!(e.message.contains("nested more than"), "{}", e.message);
        }
        // Long flat chains are loops, not recursion.
        let flat = vec!["quoted"; 10_000].join(" && ");
        ok(&flat, Role::Dkim);
        ok(&("(".repeat(20) + "quoted" + &")".repeat(20)), Role::Dkim);
    }

    #[test]
    fn evaluation_and_unset_semantics() {
        let mut f = Facts::new();
        f.set(Fact::Quoted, true);
        f.set(Fact::KeyBits, 1024_i64);
        f.set(Fact::KeyType, "rsa");
        let t = |src: &str, f: &Facts| ok(src, Role::Dkim).eval(f);
        assert!(t("quoted && !embedded_quotes", &f));
        assert!(t("key_bits < 2048", &f));
        assert!(!t("key_bits >= 2048", &f));
        assert!(t("key_type in [\"ed25519\", \"rsa\"]", &f));
        assert!(t("quoted == true", &f));
        // `version` is unset: every comparison is false, its negation true.
        assert!(!t("version == \"DKIM1\"", &f));
        assert!(!t("version != \"DKIM1\"", &f));
        assert!(t("!(version == \"DKIM1\")", &f));
        assert!(!t("version in [\"DKIM1\"]", &f));
        assert!(!t("key_valid", &f));
        assert!(t("!key_valid", &f));
        assert!(!t("key_valid == false", &f));
        assert!(t("key_bits < 2048 || version == \"x\"", &f));
        assert!(!t("key_type == version", &f));
    }
}
