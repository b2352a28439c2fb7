//! A small CEL: the part of the Common Expression Language that maxPods
//! formulas use, parsed, type-checked and evaluated here with bounded work.
//!
//! nodeadm's `kubelet.maxPodsExpression` (awslabs/amazon-eks-ami
//! `nodeadm/internal/kubelet`, `evaluateCustomMaxPodsExpression`) and
//! Karpenter's CEL `spec.kubelet.maxPods` (aws/karpenter-provider-aws
//! `pkg/cel/environment.go`) run cel-go with typed variables: every variable
//! is an `int` except `instance_type`, a `string`. So a formula can be
//! type-checked before it runs, as cel-go's checker does: `max_pods / 2.0`
//! (int / double) and `max_pods + 1u` are errors, not results.
//!
//! What is understood: int (`42`, `0x2a`, `-3`), uint (`42u`), double
//! (`1.5`, `2e3`), bool, string (`'...'`, `"..."`, raw `r'...'`) literals;
//! the variables; `+ - * / %`, unary `-` and `!`; `== != < <= > >=`; `&&`,
//! `||`; `c ? a : b`; `x in [a, b]`; list literals; `int()`, `uint()`,
//! `double()`, `string()`, `size()`; the string methods `startsWith`,
//! `endsWith`, `contains` and `size`; and Karpenter's `min(a, b)` and
//! `max(a, b)`, which nodeadm lacks (see [`Program::extensions`]).
//! Arithmetic follows CEL: int and uint overflow and division by zero are
//! errors, never a wrapped figure. Anything else (macros, maps, field
//! selection, regular expressions, bytes) is refused with a message saying so.
//!
//! Work is bounded before anything runs: at most [`MAX_LEN`] bytes and an
//! expression tree at most [`MAX_DEPTH`] deep, so parsing and evaluation
//! recurse a bounded number of times and take microseconds, whatever the
//! input.

use std::fmt;

/// The longest formula accepted, in bytes: a formula is a short string (the
/// longest in the project's scenarios is under 100).
pub const MAX_LEN: usize = 1024;
/// The deepest expression tree accepted (cel-go's parser stops at 250).
pub const MAX_DEPTH: usize = 64;
/// The most elements a list literal may have.
const MAX_LIST: usize = 256;

/// A type of the checked expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Int,
    Uint,
    Double,
    Bool,
    String,
    /// A list literal's elements' type.
    List(Elem),
}

/// The element type of a list (lists do not nest here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    Int,
    Uint,
    Double,
    Bool,
    String,
    /// `[]`: no element to type it.
    Empty,
}

impl Elem {
    fn of(t: Type) -> Option<Elem> {
        Some(match t {
            Type::Int => Elem::Int,
            Type::Uint => Elem::Uint,
            Type::Double => Elem::Double,
            Type::Bool => Elem::Bool,
            Type::String => Elem::String,
            Type::List(_) => return None,
        })
    }

    fn matches(self, t: Type) -> bool {
        self == Elem::Empty || Elem::of(t) == Some(self)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Uint => f.write_str("uint"),
            Type::Double => f.write_str("double"),
            Type::Bool => f.write_str("bool"),
            Type::String => f.write_str("string"),
            Type::List(e) => write!(
                f,
                "list({})",
                match e {
                    Elem::Int => "int",
                    Elem::Uint => "uint",
                    Elem::Double => "double",
                    Elem::Bool => "bool",
                    Elem::String => "string",
                    Elem::Empty => "dyn",
                }
            ),
        }
    }
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Uint(u64),
    Double(f64),
    Bool(bool),
    String(String),
    List(Vec<Value>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Uint(v) => write!(f, "{v}u"),
            Value::Double(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::String(v) => write!(f, "'{}'", excerpt(v, 0)),
            Value::List(v) => write!(f, "a list of {}", v.len()),
        }
    }
}

/// A formula that does not parse or type-check: where (a byte offset into
/// the source) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte offset at fault; `None` for the expression as a whole.
    pub offset: Option<usize>,
    pub problem: String,
}

impl SyntaxError {
    fn new(offset: usize, problem: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: Some(offset),
            problem: problem.into(),
        }
    }

    /// `problem at byte N (near `...`)`, quoting at most a short excerpt.
    pub fn describe(&self, source: &str) -> String {
        match self.offset {
            Some(at) => format!("{} at byte {at} (near `{}`)", self.problem, excerpt(source, at)),
            None => self.problem.clone(),
        }
    }
}

/// At most 24 characters of `source` from `offset`, on a char boundary,
/// with `…` where it was cut.
pub fn excerpt(source: &str, offset: usize) -> String {
    let mut start = offset.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let rest = &source[start..];
    let cut: String = rest.chars().take(24).map(printable).collect();
    let taken: usize = rest.chars().take(24).map(char::len_utf8).sum();
    if taken < rest.len() {
        format!("{cut}…")
    } else if cut.is_empty() {
        "(the end)".into()
    } else {
        cut
    }
}

/// A character as a terminal may show it: control characters become `?`.
pub fn printable(c: char) -> char {
    if c.is_control() { '?' } else { c }
}

/// A character named for a message: `x`, or `U+0007` when it does not print.
fn named(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{fffd}' || ('\u{2000}'..='\u{206f}').contains(&c) {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// A failure while evaluating (overflow, division by zero, a conversion out of range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The variables a program may read, with their types.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub variables: &'static [(&'static str, Type)],
}

/// The values of the variables a program reads, in [`Env`]'s order; `None`
/// where the value is not known (the program then fails if it reads it).
pub type Activation<'a> = &'a [Option<Value>];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Int,
    Uint,
    Double,
    String,
    Size,
    StartsWith,
    EndsWith,
    Contains,
    Min,
    Max,
}

#[derive(Debug, Clone)]
enum Node {
    Lit(Value),
    Var(usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(Bin, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    List(Vec<Expr>),
}

#[derive(Debug, Clone)]
struct Expr {
    node: Node,
    ty: Type,
    depth: usize,
}

/// A checked program.
#[derive(Debug, Clone)]
pub struct Program {
    root: Expr,
    env: Env,
    variables: Vec<&'static str>,
    extensions: Vec<&'static str>,
}

impl Program {
    /// Parses and type-checks `source` against `env`.
    pub fn compile(source: &str, env: Env) -> Result<Program, SyntaxError> {
        if source.len() > MAX_LEN {
            return Err(SyntaxError {
                offset: None,
                problem: format!(
                    "the expression is {} bytes long, more than the {MAX_LEN} a formula may have",
                    source.len()
                ),
            });
        }
        let tokens = lex(source)?;
        let mut p = Parser {
            tokens,
            pos: 0,
            env,
            used: vec![false; env.variables.len()],
            extensions: Vec::new(),
            nesting: 0,
            end: source.len(),
        };
        let root = p.expr()?;
        if let Some(t) = p.tokens.get(p.pos) {
            return Err(SyntaxError::new(t.at, format!("unexpected {}", t.kind.describe())));
        }
        let variables = env
            .variables
            .iter()
            .zip(&p.used)
            .filter(|(_, u)| **u)
            .map(|((n, _), _)| *n)
            .collect();
        Ok(Program {
            root,
            env,
            variables,
            extensions: p.extensions,
        })
    }

    /// The type of the result.
    pub fn result_type(&self) -> Type {
        self.root.ty
    }

    /// The variables the program reads, in [`Env`]'s order.
    pub fn variables(&self) -> &[&'static str] {
        &self.variables
    }

    /// The functions the program calls that are not in CEL's standard
    /// library (Karpenter's `min` and `max`): nodeadm does not know them.
    pub fn extensions(&self) -> &[&'static str] {
        &self.extensions
    }

    /// Evaluates with the variables' values.
    pub fn evaluate(&self, vars: Activation<'_>) -> Result<Value, EvalError> {
        debug_assert_eq!(vars.len(), self.env.variables.len());
        eval(&self.root, vars, self.env)
    }
}

// ----- lexing -----

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    /// A decimal literal too large for an int: only valid after a unary minus.
    IntMinMagnitude,
    Uint(u64),
    Double(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Int(_) | Tok::IntMinMagnitude | Tok::Uint(_) | Tok::Double(_) => "number".into(),
            Tok::Str(_) => "string".into(),
            Tok::Ident(s) => format!("`{}`", excerpt(s, 0)),
            Tok::Punct(p) => format!("`{p}`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    at: usize,
}

const PUNCTS: [&str; 25] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", "(", ")", "[", "]", "{", "}",
    ",", ".", "=",
];

const RESERVED: [&str; 17] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let at = i;
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (tok, next) = number(src, i)?;
            out.push(Token { kind: tok, at });
            i = next;
            continue;
        }
        let raw = (c == b'r' || c == b'R') && matches!(b.get(i + 1), Some(b'\'' | b'"'));
        if c == b'\'' || c == b'"' || raw {
            let (s, next) = string(src, if raw { i + 1 } else { i }, raw)?;
            out.push(Token { kind: Tok::Str(s), at });
            i = next;
            continue;
        }
        if (c == b'b' || c == b'B') && matches!(b.get(i + 1), Some(b'\'' | b'"')) {
            return Err(SyntaxError::new(
                at,
                "bytes literals are not supported in a maxPods formula",
            ));
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            out.push(Token {
                kind: Tok::Ident(src[i..j].to_string()),
                at,
            });
            i = j;
            continue;
        }
        match PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            Some(p) => {
                out.push(Token {
                    kind: Tok::Punct(p),
                    at,
                });
                i += p.len();
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(SyntaxError::new(at, format!("unexpected character {}", named(ch))));
            }
        }
    }
    Ok(out)
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let b = src.as_bytes();
    let mut i = start;
    let bad = |what: &str| SyntaxError::new(start, format!("`{}` is not a valid {what}", excerpt(&src[start..], 0)));
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        let d0 = i;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        let digits = &src[d0..i];
        if matches!(b.get(i), Some(b'u' | b'U')) {
            let v = u64::from_str_radix(digits, 16).map_err(|_| bad("uint literal (at most 0xffffffffffffffffu)"))?;
            return Ok((Tok::Uint(v), i + 1));
        }
        let v = i64::from_str_radix(digits, 16).map_err(|_| bad("int literal (at most 0x7fffffffffffffff)"))?;
        return Ok((Tok::Int(v), i));
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut float = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        float = true;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            float = true;
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let text = &src[start..i];
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
        && !matches!(b.get(i), Some(b'u' | b'U'))
    {
        return Err(bad("number"));
    }
    if float {
        let v: f64 = text.parse().map_err(|_| bad("double literal"))?;
        if !v.is_finite() {
            return Err(bad("double literal (it is out of range)"));
        }
        return Ok((Tok::Double(v), i));
    }
    if matches!(b.get(i), Some(b'u' | b'U')) {
        let v: u64 = text
            .parse()
            .map_err(|_| bad("uint literal (at most 18446744073709551615u)"))?;
        return Ok((Tok::Uint(v), i + 1));
    }
    match text.parse::<i64>() {
        Ok(v) => Ok((Tok::Int(v), i)),
        Err(_) if text == "9223372036854775808" => Ok((Tok::IntMinMagnitude, i)),
        Err(_) => Err(bad("int literal (at most 9223372036854775807)")),
    }
}

fn string(src: &str, start: usize, raw: bool) -> Result<(String, usize), SyntaxError> {
    let b = src.as_bytes();
    let q = b[start];
    if b.get(start + 1) == Some(&q) && b.get(start + 2) == Some(&q) {
        return Err(SyntaxError::new(
            start,
            "triple-quoted strings are not supported in a maxPods formula",
        ));
    }
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let Some(ch) = src[i..].chars().next() else {
            return Err(SyntaxError::new(start, "the string is not closed"));
        };
        let c = ch as u32;
        if ch == '\n' || ch == '\r' {
            return Err(SyntaxError::new(start, "the string is not closed on its line"));
        }
        if c == u32::from(q) {
            return Ok((out, i + 1));
        }
        if ch == '\\' && !raw {
            let Some(e) = src[i + 1..].chars().next() else {
                return Err(SyntaxError::new(start, "the string is not closed"));
            };
            let v = match e {
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                '`' => '`',
                '?' => '?',
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'a' => '\u{7}',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'v' => '\u{b}',
                _ => {
                    return Err(SyntaxError::new(
                        i,
                        format!("the escape `\\` before {} is not supported here", named(e)),
                    ));
                }
            };
            out.push(v);
            i += 1 + e.len_utf8();
            continue;
        }
        out.push(ch);
        i += ch.len_utf8();
    }
}

// ----- parsing and checking -----

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    env: Env,
    used: Vec<bool>,
    extensions: Vec<&'static str>,
    /// Recursion depth of the parser itself.
    nesting: usize,
    end: usize,
}

fn depth_of(children: &[&Expr]) -> usize {
    1 + children.iter().map(|e| e.depth).max().unwrap_or(0)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str, what: &str) -> Result<(), SyntaxError> {
        if self.eat(p) {
            Ok(())
        } else {
            let found = self
                .peek()
                .map_or("the end of the expression".to_string(), Tok::describe);
            Err(SyntaxError::new(
                self.at(),
                format!("expected `{p}` {what}, found {found}"),
            ))
        }
    }

    /// Builds a node of `depth`, refusing a tree deeper than [`MAX_DEPTH`].
    fn node(&self, at: usize, node: Node, ty: Type, depth: usize) -> Result<Expr, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                at,
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(Expr { node, ty, depth })
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        // Each level of parentheses or unary operators enters twice at most.
        self.nesting += 1;
        if self.nesting > 2 * MAX_DEPTH {
            Err(SyntaxError::new(
                self.at(),
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ))
        } else {
            Ok(())
        }
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let at = self.at();
        let cond = self.or()?;
        let out = if self.eat("?") {
            let a = self.expr()?;
            self.expect(":", "in `condition ? a : b`")?;
            let b = self.expr()?;
            if cond.ty != Type::Bool {
                return Err(SyntaxError::new(
                    at,
                    format!("the condition before `?` is {}, not bool", cond.ty),
                ));
            }
            if a.ty != b.ty && !lists_compatible(a.ty, b.ty) {
                return Err(SyntaxError::new(
                    at,
                    format!(
                        "the two branches of `? :` are {} and {}: give both the same type",
                        a.ty, b.ty
                    ),
                ));
            }
            let ty = if matches!(a.ty, Type::List(Elem::Empty)) {
                b.ty
            } else {
                a.ty
            };
            let depth = depth_of(&[&cond, &a, &b]);
            self.node(at, Node::Cond(Box::new(cond), Box::new(a), Box::new(b)), ty, depth)?
        } else {
            cond
        };
        self.nesting -= 1;
        Ok(out)
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut l = self.and()?;
        while let Some(at) = self.binop(&["||"]) {
            let r = self.and()?;
            l = self.logic(Bin::Or, at, l, r)?;
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut l = self.relation()?;
        while let Some(at) = self.binop(&["&&"]) {
            let r = self.relation()?;
            l = self.logic(Bin::And, at, l, r)?;
        }
        Ok(l)
    }

    /// Consumes one of `ops` (or the keyword `in` when listed) and returns its offset.
    fn binop(&mut self, ops: &[&str]) -> Option<usize> {
        let at = self.at();
        let hit = match self.peek() {
            Some(Tok::Punct(p)) => ops.contains(p),
            Some(Tok::Ident(s)) => s == "in" && ops.contains(&"in"),
            _ => false,
        };
        if hit {
            self.pos += 1;
            Some(at)
        } else {
            None
        }
    }

    fn logic(&self, op: Bin, at: usize, l: Expr, r: Expr) -> Result<Expr, SyntaxError> {
        if l.ty != Type::Bool || r.ty != Type::Bool {
            return Err(SyntaxError::new(
                at,
                format!(
                    "`{}` needs bool on both sides, not {} and {}",
                    if op == Bin::And { "&&" } else { "||" },
                    l.ty,
                    r.ty
                ),
            ));
        }
        self.bin(at, op, l, r, Type::Bool)
    }

    fn bin(&self, at: usize, op: Bin, l: Expr, r: Expr, ty: Type) -> Result<Expr, SyntaxError> {
        let depth = depth_of(&[&l, &r]);
        self.node(at, Node::Bin(op, Box::new(l), Box::new(r)), ty, depth)
    }

    fn relation(&mut self) -> Result<Expr, SyntaxError> {
        let mut l = self.sum()?;
        const OPS: [&str; 7] = ["==", "!=", "<", "<=", ">", ">=", "in"];
        loop {
            let text = match self.peek() {
                Some(Tok::Punct(p)) if OPS.contains(p) => *p,
                Some(Tok::Ident(s)) if s == "in" => "in",
                _ => break,
            };
            let at = self.binop(&OPS).unwrap_or(0);
            let r = self.sum()?;
            let op = match text {
                "==" => Bin::Eq,
                "!=" => Bin::Ne,
                "<" => Bin::Lt,
                "<=" => Bin::Le,
                ">" => Bin::Gt,
                ">=" => Bin::Ge,
                _ => Bin::In,
            };
            let ok = match op {
                Bin::In => matches!(r.ty, Type::List(e) if e.matches(l.ty)),
                Bin::Eq | Bin::Ne => l.ty == r.ty || lists_compatible(l.ty, r.ty),
                _ => l.ty == r.ty && !matches!(l.ty, Type::List(_)),
            };
            if !ok {
                return Err(SyntaxError::new(
                    at,
                    format!(
                        "`{text}` does not apply to {} and {} (CEL does not mix types: convert one with int(), uint() or double())",
                        l.ty, r.ty
                    ),
                ));
            }
            l = self.bin(at, op, l, r, Type::Bool)?;
        }
        Ok(l)
    }

    fn sum(&mut self) -> Result<Expr, SyntaxError> {
        let mut l = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct("+")) => Bin::Add,
                Some(Tok::Punct("-")) => Bin::Sub,
                _ => break,
            };
            let at = self.at();
            self.pos += 1;
            let r = self.product()?;
            l = self.arith(op, at, l, r)?;
        }
        Ok(l)
    }

    fn product(&mut self) -> Result<Expr, SyntaxError> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct("*")) => Bin::Mul,
                Some(Tok::Punct("/")) => Bin::Div,
                Some(Tok::Punct("%")) => Bin::Rem,
                _ => break,
            };
            let at = self.at();
            self.pos += 1;
            let r = self.unary()?;
            l = self.arith(op, at, l, r)?;
        }
        Ok(l)
    }

    fn arith(&self, op: Bin, at: usize, l: Expr, r: Expr) -> Result<Expr, SyntaxError> {
        let sym = match op {
            Bin::Add => "+",
            Bin::Sub => "-",
            Bin::Mul => "*",
            Bin::Div => "/",
            _ => "%",
        };
        let ok = l.ty == r.ty
            && match l.ty {
                Type::Int | Type::Uint => true,
                Type::Double => op != Bin::Rem,
                Type::String => op == Bin::Add,
                Type::List(_) => false,
                Type::Bool => false,
            };
        if !ok {
            let hint = if l.ty != r.ty {
                " (CEL does not mix types: convert one with int(), uint() or double())"
            } else {
                ""
            };
            return Err(SyntaxError::new(
                at,
                format!("`{sym}` does not apply to {} and {}{hint}", l.ty, r.ty),
            ));
        }
        let ty = l.ty;
        self.bin(at, op, l, r, ty)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let at = self.at();
        let out = if self.eat("-") {
            if matches!(self.peek(), Some(Tok::IntMinMagnitude)) {
                self.pos += 1;
                let lit = self.node(at, Node::Lit(Value::Int(i64::MIN)), Type::Int, 1)?;
                self.postfix(lit)?
            } else {
                let e = self.unary()?;
                if !matches!(e.ty, Type::Int | Type::Double) {
                    return Err(SyntaxError::new(at, format!("unary `-` does not apply to {}", e.ty)));
                }
                let (ty, depth) = (e.ty, e.depth + 1);
                self.node(at, Node::Neg(Box::new(e)), ty, depth)?
            }
        } else if self.eat("!") {
            let e = self.unary()?;
            if e.ty != Type::Bool {
                return Err(SyntaxError::new(at, format!("`!` does not apply to {}", e.ty)));
            }
            let depth = e.depth + 1;
            self.node(at, Node::Not(Box::new(e)), Type::Bool, depth)?
        } else {
            let p = self.primary()?;
            self.postfix(p)?
        };
        self.nesting -= 1;
        Ok(out)
    }

    /// `.method(args)` after a primary.
    fn postfix(&mut self, mut e: Expr) -> Result<Expr, SyntaxError> {
        while self.eat(".") {
            let at = self.at();
            let name = match self.peek() {
                Some(Tok::Ident(s)) => s.clone(),
                _ => return Err(SyntaxError::new(at, "expected a method name after `.`")),
            };
            self.pos += 1;
            if !matches!(self.peek(), Some(Tok::Punct("("))) {
                return Err(SyntaxError::new(
                    at,
                    format!(
                        "`.{}`: {} has no fields (a maxPods formula has no field selection)",
                        excerpt(&name, 0),
                        e.ty
                    ),
                ));
            }
            let f = match name.as_str() {
                "startsWith" => Func::StartsWith,
                "endsWith" => Func::EndsWith,
                "contains" => Func::Contains,
                "size" => Func::Size,
                "all" | "exists" | "exists_one" | "map" | "filter" => {
                    return Err(SyntaxError::new(
                        at,
                        format!("the macro `{name}` is not supported in a maxPods formula"),
                    ));
                }
                _ => {
                    return Err(SyntaxError::new(
                        at,
                        format!(
                            "`.{}()` is not supported in a maxPods formula (methods: startsWith, endsWith, contains, size)",
                            excerpt(&name, 0)
                        ),
                    ));
                }
            };
            let args = self.args()?;
            let mut all = vec![e];
            all.extend(args);
            e = self.call(at, f, &name, all)?;
        }
        if self.eat("[") {
            return Err(SyntaxError::new(
                self.at(),
                "indexing with `[...]` is not supported in a maxPods formula",
            ));
        }
        Ok(e)
    }

    fn args(&mut self) -> Result<Vec<Expr>, SyntaxError> {
        self.expect("(", "to open the arguments")?;
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            if args.len() >= MAX_LIST {
                return Err(SyntaxError::new(self.at(), format!("more than {MAX_LIST} arguments")));
            }
            args.push(self.expr()?);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",", "between arguments, or `)` to close them")?;
        }
    }

    fn call(&mut self, at: usize, f: Func, name: &str, args: Vec<Expr>) -> Result<Expr, SyntaxError> {
        let tys: Vec<Type> = args.iter().map(|a| a.ty).collect();
        // At most four argument types named: a call of hundreds of
        // arguments (a fuzz campaign's) would give a page of `int, int, …`.
        let mut shown = tys.iter().take(4).map(Type::to_string).collect::<Vec<_>>().join(", ");
        if tys.len() > 4 {
            shown.push_str(&format!(", … {} arguments in all", tys.len()));
        }
        let no = || SyntaxError::new(at, format!("`{name}` does not take ({shown})"));
        let ty = match f {
            Func::Int => match tys[..] {
                [Type::Int | Type::Uint | Type::Double | Type::String] => Type::Int,
                _ => return Err(no()),
            },
            Func::Uint => match tys[..] {
                [Type::Int | Type::Uint | Type::Double | Type::String] => Type::Uint,
                _ => return Err(no()),
            },
            Func::Double => match tys[..] {
                [Type::Int | Type::Uint | Type::Double | Type::String] => Type::Double,
                _ => return Err(no()),
            },
            Func::String => match tys[..] {
                [Type::Int | Type::Uint | Type::Double | Type::String | Type::Bool] => Type::String,
                _ => return Err(no()),
            },
            Func::Size => match tys[..] {
                [Type::String | Type::List(_)] => Type::Int,
                _ => return Err(no()),
            },
            Func::StartsWith | Func::EndsWith | Func::Contains => match tys[..] {
                [Type::String, Type::String] => Type::Bool,
                _ => return Err(no()),
            },
            Func::Min | Func::Max => {
                if !self.extensions.contains(&(if f == Func::Min { "min" } else { "max" })) {
                    self.extensions.push(if f == Func::Min { "min" } else { "max" });
                }
                match tys[..] {
                    [Type::Int, Type::Int] => Type::Int,
                    [Type::Double | Type::Int, Type::Double | Type::Int] => Type::Double,
                    _ => return Err(no()),
                }
            }
        };
        let depth = depth_of(&args.iter().collect::<Vec<_>>());
        self.node(at, Node::Call(f, args), ty, depth)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let at = self.at();
        let Some(tok) = self.peek().cloned() else {
            return Err(SyntaxError::new(at, "the expression ends where a value is expected"));
        };
        self.pos += 1;
        let lit = |v: Value, ty: Type| {
            Ok(Expr {
                node: Node::Lit(v),
                ty,
                depth: 1,
            })
        };
        match tok {
            Tok::Int(v) => lit(Value::Int(v), Type::Int),
            Tok::IntMinMagnitude => Err(SyntaxError::new(at, "9223372036854775808 is too large for an int")),
            Tok::Uint(v) => lit(Value::Uint(v), Type::Uint),
            Tok::Double(v) => lit(Value::Double(v), Type::Double),
            Tok::Str(s) => lit(Value::String(s), Type::String),
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")", "to close `(`")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                let mut items: Vec<Expr> = Vec::new();
                if !self.eat("]") {
                    loop {
                        if items.len() >= MAX_LIST {
                            return Err(SyntaxError::new(
                                self.at(),
                                format!("a list of more than {MAX_LIST} elements"),
                            ));
                        }
                        let e = self.expr()?;
                        if let Some(first) = items.first()
                            && first.ty != e.ty
                        {
                            return Err(SyntaxError::new(
                                at,
                                format!("the list mixes {} and {}: give its elements one type", first.ty, e.ty),
                            ));
                        }
                        if matches!(e.ty, Type::List(_)) {
                            return Err(SyntaxError::new(
                                at,
                                "lists of lists are not supported in a maxPods formula",
                            ));
                        }
                        items.push(e);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",", "between list elements, or `]` to close the list")?;
                    }
                }
                let elem = items.first().and_then(|e| Elem::of(e.ty)).unwrap_or(Elem::Empty);
                let depth = depth_of(&items.iter().collect::<Vec<_>>());
                self.node(at, Node::List(items), Type::List(elem), depth)
            }
            Tok::Punct("{") => Err(SyntaxError::new(
                at,
                "maps `{...}` are not supported in a maxPods formula",
            )),
            Tok::Punct(".") => Err(SyntaxError::new(
                at,
                "a leading `.` (a qualified name) is not supported in a maxPods formula",
            )),
            Tok::Punct(p) => Err(SyntaxError::new(
                at,
                format!("unexpected `{p}` where a value is expected"),
            )),
            Tok::Ident(name) => match name.as_str() {
                "true" => lit(Value::Bool(true), Type::Bool),
                "false" => lit(Value::Bool(false), Type::Bool),
                "null" => Err(SyntaxError::new(at, "`null` is not supported in a maxPods formula")),
                "in" => Err(SyntaxError::new(at, "`in` where a value is expected")),
                n if RESERVED.contains(&n) => Err(SyntaxError::new(at, format!("`{n}` is a reserved word in CEL"))),
                _ if matches!(self.peek(), Some(Tok::Punct("("))) => {
                    let f = match name.as_str() {
                        "int" => Func::Int,
                        "uint" => Func::Uint,
                        "double" => Func::Double,
                        "string" => Func::String,
                        "size" => Func::Size,
                        "min" => Func::Min,
                        "max" => Func::Max,
                        "has" | "all" | "exists" | "exists_one" | "map" | "filter" => {
                            return Err(SyntaxError::new(
                                at,
                                format!("the macro `{name}` is not supported in a maxPods formula"),
                            ));
                        }
                        _ => {
                            return Err(SyntaxError::new(
                                at,
                                format!(
                                    "unknown function `{}` (functions: int, uint, double, string, size, min, max)",
                                    excerpt(&name, 0)
                                ),
                            ));
                        }
                    };
                    let args = self.args()?;
                    self.call(at, f, &name, args)
                }
                _ => match self.env.variables.iter().position(|(n, _)| *n == name) {
                    Some(i) => {
                        self.used[i] = true;
                        Ok(Expr {
                            node: Node::Var(i),
                            ty: self.env.variables[i].1,
                            depth: 1,
                        })
                    }
                    None => Err(SyntaxError::new(
                        at,
                        format!(
                            "unknown variable `{}` (variables: {})",
                            excerpt(&name, 0),
                            self.env
                                .variables
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                },
            },
        }
    }
}

fn lists_compatible(a: Type, b: Type) -> bool {
    match (a, b) {
        (Type::List(x), Type::List(y)) => x == y || x == Elem::Empty || y == Elem::Empty,
        _ => false,
    }
}

// ----- evaluation -----

fn overflow(what: &str) -> EvalError {
    EvalError(format!("{what} overflows"))
}

fn eval(e: &Expr, vars: Activation<'_>, env: Env) -> Result<Value, EvalError> {
    Ok(match &e.node {
        Node::Lit(v) => v.clone(),
        Node::Var(i) => vars
            .get(*i)
            .cloned()
            .flatten()
            .ok_or_else(|| EvalError(format!("`{}` has no value", env.variables[*i].0)))?,
        Node::Neg(x) => match eval(x, vars, env)? {
            Value::Int(v) => Value::Int(v.checked_neg().ok_or_else(|| overflow("int negation"))?),
            Value::Double(v) => Value::Double(-v),
            other => unreachable_type(&other),
        },
        Node::Not(x) => match eval(x, vars, env)? {
            Value::Bool(b) => Value::Bool(!b),
            other => unreachable_type(&other),
        },
        Node::Cond(c, a, b) => match eval(c, vars, env)? {
            Value::Bool(true) => eval(a, vars, env)?,
            Value::Bool(false) => eval(b, vars, env)?,
            other => unreachable_type(&other),
        },
        Node::Bin(Bin::And, l, r) | Node::Bin(Bin::Or, l, r) => {
            // CEL's logic is commutative over errors: `false && error` and
            // `error && false` are both false.
            let short = matches!(e.node, Node::Bin(Bin::Or, ..));
            let lv = eval(l, vars, env);
            if lv == Ok(Value::Bool(short)) {
                return Ok(Value::Bool(short));
            }
            let rv = eval(r, vars, env);
            if rv == Ok(Value::Bool(short)) {
                return Ok(Value::Bool(short));
            }
            lv?;
            rv?
        }
        Node::Bin(op, l, r) => binary(*op, eval(l, vars, env)?, eval(r, vars, env)?)?,
        Node::Call(f, args) => {
            let vals = args.iter().map(|a| eval(a, vars, env)).collect::<Result<Vec<_>, _>>()?;
            call(*f, vals)?
        }
        Node::List(items) => Value::List(items.iter().map(|a| eval(a, vars, env)).collect::<Result<_, _>>()?),
    })
}

/// The checker rules out every other type; reaching here is a bug.
fn unreachable_type(v: &Value) -> ! {
    panic!("cel: a checked expression met a value of the wrong type: {v:?}")
}

fn binary(op: Bin, l: Value, r: Value) -> Result<Value, EvalError> {
    use Value as V;
    let cmp = |o: Option<std::cmp::Ordering>| -> Value {
        use std::cmp::Ordering::*;
        V::Bool(match (op, o) {
            (_, None) => false,
            (Bin::Lt, Some(o)) => o == Less,
            (Bin::Le, Some(o)) => o != Greater,
            (Bin::Gt, Some(o)) => o == Greater,
            (Bin::Ge, Some(o)) => o != Less,
            _ => false,
        })
    };
    Ok(match (op, l, r) {
        (Bin::Eq, a, b) => V::Bool(a == b),
        (Bin::Ne, a, b) => V::Bool(a != b),
        (Bin::In, a, V::List(items)) => V::Bool(items.contains(&a)),
        (Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge, V::Int(a), V::Int(b)) => cmp(Some(a.cmp(&b))),
        (Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge, V::Uint(a), V::Uint(b)) => cmp(Some(a.cmp(&b))),
        (Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge, V::Double(a), V::Double(b)) => cmp(a.partial_cmp(&b)),
        (Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge, V::String(a), V::String(b)) => cmp(Some(a.cmp(&b))),
        (Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge, V::Bool(a), V::Bool(b)) => cmp(Some(a.cmp(&b))),
        (_, V::Int(a), V::Int(b)) => V::Int(match op {
            Bin::Add => a.checked_add(b).ok_or_else(|| overflow("int addition"))?,
            Bin::Sub => a.checked_sub(b).ok_or_else(|| overflow("int subtraction"))?,
            Bin::Mul => a.checked_mul(b).ok_or_else(|| overflow("int multiplication"))?,
            Bin::Div if b == 0 => return Err(EvalError("division by zero".into())),
            Bin::Div => a.checked_div(b).ok_or_else(|| overflow("int division"))?,
            Bin::Rem if b == 0 => return Err(EvalError("modulus by zero".into())),
            Bin::Rem => a.checked_rem(b).ok_or_else(|| overflow("int modulus"))?,
            _ => unreachable_op(op),
        }),
        (_, V::Uint(a), V::Uint(b)) => V::Uint(match op {
            Bin::Add => a.checked_add(b).ok_or_else(|| overflow("uint addition"))?,
            Bin::Sub => a.checked_sub(b).ok_or_else(|| overflow("uint subtraction"))?,
            Bin::Mul => a.checked_mul(b).ok_or_else(|| overflow("uint multiplication"))?,
            Bin::Div if b == 0 => return Err(EvalError("division by zero".into())),
            Bin::Div => a / b,
            Bin::Rem if b == 0 => return Err(EvalError("modulus by zero".into())),
            Bin::Rem => a % b,
            _ => unreachable_op(op),
        }),
        (_, V::Double(a), V::Double(b)) => V::Double(match op {
            Bin::Add => a + b,
            Bin::Sub => a - b,
            Bin::Mul => a * b,
            Bin::Div => a / b,
            _ => unreachable_op(op),
        }),
        (Bin::Add, V::String(a), V::String(b)) => V::String(a + &b),
        (op, _, _) => unreachable_op(op),
    })
}

fn unreachable_op(op: Bin) -> ! {
    panic!("cel: a checked expression met `{op:?}` on the wrong types")
}

fn call(f: Func, mut args: Vec<Value>) -> Result<Value, EvalError> {
    use Value as V;
    let range = |what: &str| EvalError(format!("{what}: the value is out of range"));
    let second = if args.len() > 1 { args.pop() } else { None };
    let first = args.pop().unwrap_or(V::Bool(false));
    Ok(match (f, first, second) {
        (Func::Int, V::Int(v), None) => V::Int(v),
        (Func::Int, V::Uint(v), None) => V::Int(i64::try_from(v).map_err(|_| range("int()"))?),
        (Func::Int, V::Double(v), None) => {
            // cel-go: truncation toward zero, an error outside int64's range.
            if !(v.is_finite() && v > -9.223_372_036_854_776e18 && v < 9.223_372_036_854_776e18) {
                return Err(range("int()"));
            }
            V::Int(v.trunc() as i64)
        }
        (Func::Int, V::String(s), None) => V::Int(
            s.parse()
                .map_err(|_| EvalError(format!("int(): `{}` is not a whole number", excerpt(&s, 0))))?,
        ),
        (Func::Uint, V::Int(v), None) => V::Uint(u64::try_from(v).map_err(|_| range("uint()"))?),
        (Func::Uint, V::Uint(v), None) => V::Uint(v),
        (Func::Uint, V::Double(v), None) => {
            if !(v.is_finite() && v > -1.0 && v < 1.844_674_407_370_955_2e19) {
                return Err(range("uint()"));
            }
            V::Uint(v.trunc() as u64)
        }
        (Func::Uint, V::String(s), None) => V::Uint(
            s.parse()
                .map_err(|_| EvalError(format!("uint(): `{}` is not a whole number", excerpt(&s, 0))))?,
        ),
        (Func::Double, V::Int(v), None) => V::Double(v as f64),
        (Func::Double, V::Uint(v), None) => V::Double(v as f64),
        (Func::Double, V::Double(v), None) => V::Double(v),
        (Func::Double, V::String(s), None) => V::Double(
            s.parse()
                .map_err(|_| EvalError(format!("double(): `{}` is not a number", excerpt(&s, 0))))?,
        ),
        (Func::String, V::Int(v), None) => V::String(v.to_string()),
        (Func::String, V::Uint(v), None) => V::String(v.to_string()),
        (Func::String, V::Double(v), None) => V::String(v.to_string()),
        (Func::String, V::Bool(v), None) => V::String(v.to_string()),
        (Func::String, V::String(v), None) => V::String(v),
        (Func::Size, V::String(s), None) => V::Int(s.chars().count() as i64),
        (Func::Size, V::List(l), None) => V::Int(l.len() as i64),
        (Func::StartsWith, V::String(a), Some(V::String(b))) => V::Bool(a.starts_with(&b)),
        (Func::EndsWith, V::String(a), Some(V::String(b))) => V::Bool(a.ends_with(&b)),
        (Func::Contains, V::String(a), Some(V::String(b))) => V::Bool(a.contains(&b)),
        (Func::Min, V::Int(a), Some(V::Int(b))) => V::Int(a.min(b)),
        (Func::Max, V::Int(a), Some(V::Int(b))) => V::Int(a.max(b)),
        (Func::Min | Func::Max, a, Some(b)) => {
            let d = |v: V| match v {
                V::Int(i) => i as f64,
                V::Double(x) => x,
                other => unreachable_type(&other),
            };
            let (a, b) = (d(a), d(b));
            V::Double(if (f == Func::Min) == (a < b) { a } else { b })
        }
        (f, a, _) => panic!("cel: a checked call `{f:?}` met {a:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: Env = Env {
        variables: &[("a", Type::Int), ("s", Type::String)],
    };

    fn run(src: &str) -> Result<Value, String> {
        let p = Program::compile(src, ENV).map_err(|e| e.describe(src))?;
        p.evaluate(&[Some(Value::Int(7)), Some(Value::String("m5.large".into()))])
            .map_err(|e| e.0)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(run("1 + 2 * 3"), Ok(Value::Int(7)));
        assert_eq!(run("(1 + 2) * 3"), Ok(Value::Int(9)));
        assert_eq!(run("a - 10"), Ok(Value::Int(-3)));
        assert_eq!(run("-a % 4"), Ok(Value::Int(-3)));
        assert_eq!(run("7 / 2"), Ok(Value::Int(3)));
        assert_eq!(run("-9223372036854775808"), Ok(Value::Int(i64::MIN)));
        assert_eq!(run("0x10 + 1"), Ok(Value::Int(17)));
        assert_eq!(run("2u * 3u"), Ok(Value::Uint(6)));
        assert_eq!(run("double(a) / 2.0"), Ok(Value::Double(3.5)));
        assert_eq!(run(".5 + 1e1"), Ok(Value::Double(10.5)));
        assert_eq!(run("a > 5 ? a : 5"), Ok(Value::Int(7)));
        assert_eq!(run("a > 5 && a < 10 || false"), Ok(Value::Bool(true)));
        assert_eq!(run("!(a == 7)"), Ok(Value::Bool(false)));
        assert_eq!(run("min(a, 3) + max(a, 3)"), Ok(Value::Int(10)));
        assert_eq!(run("max(a, 2.5)"), Ok(Value::Double(7.0)));
    }

    #[test]
    fn strings_lists_and_methods() {
        assert_eq!(run("s == 'm5.large' ? 1 : 2"), Ok(Value::Int(1)));
        assert_eq!(
            run("s.startsWith(\"m5.\") && s.endsWith('large')"),
            Ok(Value::Bool(true))
        );
        assert_eq!(run("s.contains('5.l')"), Ok(Value::Bool(true)));
        assert_eq!(run("size(s) + s.size()"), Ok(Value::Int(16)));
        assert_eq!(run("s in ['m5.large', 'c6i.large']"), Ok(Value::Bool(true)));
        assert_eq!(run("a in []"), Ok(Value::Bool(false)));
        assert_eq!(run("int('12') + int(2.9) + int(-2.9)"), Ok(Value::Int(12)));
        assert_eq!(run("r'a\\n' + 'b\\n'"), Ok(Value::String("a\\nb\n".into())));
        assert_eq!(run("string(a) + 'x'"), Ok(Value::String("7x".into())));
    }

    #[test]
    fn errors_at_runtime_are_not_wrapped_figures() {
        assert!(run("9223372036854775807 + a").unwrap_err().contains("overflows"));
        assert!(run("a * 9223372036854775807").unwrap_err().contains("overflows"));
        assert!(run("a / (a - 7)").unwrap_err().contains("division by zero"));
        assert!(run("a % 0").unwrap_err().contains("modulus"));
        assert!(run("0u - 1u").unwrap_err().contains("overflows"));
        assert!(run("uint(-1)").unwrap_err().contains("range"));
        assert!(run("int(1e300)").unwrap_err().contains("range"));
        assert!(run("-(-9223372036854775808)").unwrap_err().contains("overflows"));
        // Commutative logic: the false side wins over the error.
        assert_eq!(run("a / 0 == 1 && false"), Ok(Value::Bool(false)));
        assert_eq!(run("true || a / 0 == 1"), Ok(Value::Bool(true)));
    }

    #[test]
    fn type_errors_are_found_before_running() {
        for (src, want) in [
            ("a / 2.0", "does not apply to int and double"),
            ("a + 1u", "does not apply to int and uint"),
            ("a == 'x'", "does not apply"),
            ("s + 1", "does not apply"),
            ("a ? 1 : 2", "not bool"),
            ("a > 1 ? 1 : 'x'", "same type"),
            ("a && true", "needs bool"),
            ("-s", "unary"),
            ("[1, 'x']", "mixes"),
            ("nope + 1", "unknown variable `nope`"),
            ("foo(1)", "unknown function"),
            ("a.b", "no field selection"),
            ("s.matches('x')", "not supported"),
            ("[1].exists(x, x > 0)", "not supported"),
            ("{'a': 1}", "maps"),
            ("b'xy'", "bytes"),
            ("null", "not supported"),
            ("1 +", "ends where a value is expected"),
            ("(1", "expected `)`"),
            ("1 2", "unexpected number"),
            ("'abc", "not closed"),
            ("1 # 2", "unexpected character"),
            ("99999999999999999999", "not a valid int"),
            ("1.5e999", "out of range"),
            ("int(true)", "does not take (bool)"),
            ("min(1, 2, 3)", "does not take (int, int, int)"),
            (
                "min(1, 2, 3, 4, 5, 6)",
                "does not take (int, int, int, int, … 6 arguments in all)",
            ),
            ("if", "reserved"),
        ] {
            let e = Program::compile(src, ENV).map(|_| ()).unwrap_err().describe(src);
            assert!(e.contains(want), "{src}: {e}");
            assert!(e.contains("at byte"), "{src}: {e}");
        }
    }

    #[test]
    fn size_and_depth_are_bounded() {
        let long = "1 + ".repeat(300) + "1";
        let e = Program::compile(&long, ENV).unwrap_err();
        assert!(e.problem.contains("more than the 1024"), "{e:?}");
        let chain = "1 + ".repeat(70) + "1";
        assert!(
            Program::compile(&chain, ENV)
                .unwrap_err()
                .problem
                .contains("levels deep")
        );
        let parens = "(".repeat(100) + "1" + &")".repeat(100);
        assert!(
            Program::compile(&parens, ENV)
                .unwrap_err()
                .problem
                .contains("levels deep")
        );
        let negs = "-".repeat(1000) + "1";
        assert!(
            Program::compile(&negs, ENV)
                .unwrap_err()
                .problem
                .contains("levels deep")
        );
        let ok = "(".repeat(30) + "a" + &")".repeat(30);
        assert_eq!(
            Program::compile(&ok, ENV)
                .unwrap()
                .evaluate(&[Some(Value::Int(1)), None]),
            Ok(Value::Int(1))
        );
        let huge = "x".repeat(70_000);
        let e = Program::compile(&huge, ENV).unwrap_err();
        assert!(e.describe(&huge).len() < 200, "a short excerpt only");
    }

    #[test]
    fn used_variables_and_extensions_are_listed() {
        let p = Program::compile("s == 'x' ? 1 : 2", ENV).unwrap();
        assert_eq!(p.variables(), ["s"]);
        assert!(p.extensions().is_empty());
        let p = Program::compile("max(a, 1)", ENV).unwrap();
        assert_eq!(p.variables(), ["a"]);
        assert_eq!(p.extensions(), ["max"]);
        assert_eq!(p.result_type(), Type::Int);
        assert_eq!(
            Program::compile("a", ENV)
                .unwrap()
                .evaluate(&[None, None])
                .unwrap_err()
                .0,
            "`a` has no value"
        );
    }
}
