//! Writes a loaded, validated [`RuleSet`] as Rust statics, so the built-in rules
//! cost no TOML parsing, validation, template compiling or even allocation at run
//! time: every text and list is borrowed from the binary ([`Text`], [`List`]).
//!
//! The output is checked in under `src/generated/` (so the published crate needs
//! nothing outside it); `tests::generated_builtin_rules_are_up_to_date` regenerates
//! it from the top-level `rules/` and fails when it differs, or writes it with
//! `SENDLINT_BLESS=1`.
//!
//! The generated statics name this crate's types: after changing one of them,
//! the crate does not compile until the output is regenerated. Build it without
//! the generated files for that run:
//! `RUSTFLAGS="--cfg sendlint_rules_bootstrap" SENDLINT_BLESS=1 cargo test -p sendlint-rules --lib generated`.

use super::cond::{CmpOp, Cond, Node, Operand};
use super::template::{Segment, Template};
use super::{
    Compiled, HostStyle, LabelDef, List, PriorityStyle, Provider, ProviderRules, RecordsForm, Rule, RuleDocs,
    RuleSet, RuleSource, Severity, Text, TxtStyle,
};
use sendlint_records::{Fact, Role};
use std::fmt::Write as _;

/// The first line of every generated file.
const HEADER: &str = "// @generated from rules/**/*.toml by crates/sendlint-rules/src/codegen.rs: do not edit.\n\
// Regenerate with `SENDLINT_BLESS=1 cargo test -p sendlint-rules --lib generated`.\n";

/// The rule files as a `&[RuleSource]` expression (`src/generated/sources.rs`),
/// each text a raw string literal so that a rule change reads as a normal diff.
pub(crate) fn emit_sources(sources: &[RuleSource]) -> String {
    let mut out = String::from(HEADER);
    out.push_str("&[\n");
    for s in sources {
        let mut hashes = String::from("#");
        while s.text.contains(&format!("\"{hashes}")) {
            hashes.push('#');
        }
        let _ = write!(
            out,
            "RuleSource {{\n    name: Text::Borrowed({:?}),\n    text: Text::Borrowed(r{hashes}\"{}\"{hashes}),\n}},\n",
            &*s.name, &*s.text
        );
    }
    out.push_str("]\n");
    out
}

/// The statics `RuleSet::builtin` borrows (`src/generated/compiled.rs`):
/// `RULES`, `BY_ROLE`, `PROVIDERS`, `PROVIDER_RULES`.
pub(crate) fn emit(set: &RuleSet) -> String {
    let mut out = String::from(HEADER);
    out.push_str("pub(crate) static RULES: &[Rule] = &");
    items_of(&set.rules, &mut out);
    out.push_str(";\npub(crate) static BY_ROLE: [&[u32]; 5] = [");
    for list in &set.by_role {
        out.push('&');
        items_of(list, &mut out);
        out.push_str(", ");
    }
    out.push_str("];\npub(crate) static PROVIDERS: &[Provider] = &");
    items_of(&set.providers, &mut out);
    out.push_str(";\npub(crate) static PROVIDER_RULES: &[ProviderRules] = &");
    items_of(&set.provider_rules, &mut out);
    out.push_str(";\n");
    out
}

/// `[a, b, …]`
fn items_of<T: Emit>(list: &[T], out: &mut String) {
    out.push('[');
    items(list, out);
    out.push(']');
}

trait Emit {
    fn emit(&self, out: &mut String);
}

impl Emit for Text {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "Text::Borrowed({:?})", &**self);
    }
}

impl Emit for bool {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Emit for u32 {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "{self}u32");
    }
}

impl Emit for i64 {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "{self}i64");
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, out: &mut String) {
        match self {
            None => out.push_str("None"),
            Some(v) => {
                out.push_str("Some(");
                v.emit(out);
                out.push(')');
            }
        }
    }
}

fn items<T: Emit>(items: &[T], out: &mut String) {
    for v in items {
        v.emit(out);
        out.push_str(", ");
    }
}

impl<T: Emit + Clone> Emit for List<T> {
    fn emit(&self, out: &mut String) {
        out.push_str("List::Borrowed(&");
        items_of(self, out);
        out.push(')');
    }
}

impl<T: Emit> Emit for Node<T> {
    fn emit(&self, out: &mut String) {
        out.push_str("Node::Static(&");
        (**self).emit(out);
        out.push(')');
    }
}

impl<T: Emit, const N: usize> Emit for [T; N] {
    fn emit(&self, out: &mut String) {
        out.push('[');
        items(self, out);
        out.push(']');
    }
}

impl<A: Emit, B: Emit> Emit for (A, B) {
    fn emit(&self, out: &mut String) {
        out.push('(');
        self.0.emit(out);
        out.push_str(", ");
        self.1.emit(out);
        out.push(')');
    }
}

/// Unit-like enums: their Debug spelling is the variant's name.
macro_rules! emit_by_debug {
    ($($ty:ident),*) => {$(
        impl Emit for $ty {
            fn emit(&self, out: &mut String) {
                let _ = write!(out, concat!(stringify!($ty), "::{:?}"), self);
            }
        }
    )*};
}
emit_by_debug!(Fact, Role, Severity, CmpOp, HostStyle, PriorityStyle, TxtStyle);

impl Emit for Operand {
    fn emit(&self, out: &mut String) {
        match self {
            Operand::Fact(f) => wrap(out, "Operand::Fact", f),
            Operand::Int(i) => wrap(out, "Operand::Int", i),
            Operand::Str(s) => wrap(out, "Operand::Str", s),
            Operand::Bool(b) => wrap(out, "Operand::Bool", b),
        }
    }
}

fn wrap<T: Emit + ?Sized>(out: &mut String, ctor: &str, v: &T) {
    out.push_str(ctor);
    out.push('(');
    v.emit(out);
    out.push(')');
}

/// `Name { field: value, … }` from `(field, emitter)` pairs.
fn record(out: &mut String, name: &str, fields: &[(&str, &dyn Emit)]) {
    out.push_str(name);
    out.push_str(" { ");
    for (f, v) in fields {
        out.push_str(f);
        out.push_str(": ");
        v.emit(out);
        out.push_str(", ");
    }
    out.push('}');
}

impl Emit for Cond {
    fn emit(&self, out: &mut String) {
        match self {
            Cond::Const(b) => wrap(out, "Cond::Const", b),
            Cond::Flag(f) => wrap(out, "Cond::Flag", f),
            Cond::Not(c) => wrap(out, "Cond::Not", c),
            Cond::And(cs) => wrap(out, "Cond::And", cs),
            Cond::Or(cs) => wrap(out, "Cond::Or", cs),
            Cond::Cmp { lhs, op, rhs } => record(out, "Cond::Cmp", &[("lhs", lhs), ("op", op), ("rhs", rhs)]),
            Cond::In { lhs, list } => record(out, "Cond::In", &[("lhs", lhs), ("list", list)]),
        }
    }
}

impl Emit for Segment {
    fn emit(&self, out: &mut String) {
        match self {
            Segment::Text(t) => wrap(out, "Segment::Text", t),
            Segment::Fact(f) => wrap(out, "Segment::Fact", f),
            Segment::Fallback(f, t) => {
                out.push_str("Segment::Fallback(");
                f.emit(out);
                out.push_str(", ");
                t.emit(out);
                out.push(')');
            }
            Segment::Section { cond, then, otherwise } => {
                record(out, "Segment::Section", &[("cond", cond), ("then", then), ("otherwise", otherwise)])
            }
        }
    }
}

impl Emit for Template {
    fn emit(&self, out: &mut String) {
        record(out, "Template", &[("segments", &self.segments)]);
    }
}

impl Emit for Compiled {
    fn emit(&self, out: &mut String) {
        record(
            out,
            "Compiled",
            &[
                ("cond", &self.cond),
                ("message", &self.message),
                ("help", &self.help),
                ("labels", &self.labels),
                ("suppresses", &self.suppresses),
            ],
        );
    }
}

impl Emit for RuleDocs {
    fn emit(&self, out: &mut String) {
        record(
            out,
            "RuleDocs",
            &[
                ("what", &self.what),
                ("why", &self.why),
                ("example", &self.example),
                ("references", &self.references),
            ],
        );
    }
}

impl Emit for LabelDef {
    fn emit(&self, out: &mut String) {
        record(out, "LabelDef", &[("span", &self.span), ("text", &self.text)]);
    }
}

impl Emit for Rule {
    fn emit(&self, out: &mut String) {
        record(
            out,
            "Rule",
            &[
                ("code", &self.code),
                ("role", &self.role),
                ("roles", &self.roles),
                ("severity", &self.severity),
                ("provider", &self.provider),
                ("docs", &self.docs),
                ("when", &self.when),
                ("message", &self.message),
                ("help", &self.help),
                ("labels", &self.labels),
                ("suppresses", &self.suppresses),
                ("source", &self.source),
                ("compiled", &self.compiled),
            ],
        );
        out.push('\n');
    }
}

impl Emit for RecordsForm {
    fn emit(&self, out: &mut String) {
        record(
            out,
            "RecordsForm",
            &[
                ("host", &self.host),
                ("host_field", &self.host_field),
                ("value_field", &self.value_field),
                ("mx_value_field", &self.mx_value_field),
                ("priority", &self.priority),
                ("priority_field", &self.priority_field),
                ("txt", &self.txt),
                ("fields", &self.fields),
                ("notes", &self.notes),
            ],
        );
    }
}

impl Emit for Provider {
    fn emit(&self, out: &mut String) {
        record(
            out,
            "Provider",
            &[
                ("id", &self.id),
                ("name", &self.name),
                ("nameservers", &self.nameservers),
                ("docs", &self.docs),
                ("help", &self.help),
                ("records", &self.records),
                ("source", &self.source),
            ],
        );
        out.push('\n');
    }
}

impl Emit for ProviderRules {
    fn emit(&self, out: &mut String) {
        record(out, "ProviderRules", &[("by_role", &self.by_role), ("help", &self.help)]);
    }
}
