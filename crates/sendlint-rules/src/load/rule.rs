//! `[[rule]]` tables: roles, condition, templates, labels and documentation.

use super::*;

impl Builder {
    pub(super) fn roles(&mut self, file: usize, fields: &Fields<'_, '_>) -> Option<Vec<Role>> {
        let parse = |b: &mut Builder, s: &SStr| -> Option<Role> {
            let role = Role::parse(&s.value);
            if role.is_none() {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                let help = match suggest_among(&s.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("roles are: {}", names.join(", ")),
                };
                b.error(
                    file,
                    ErrorKind::UnknownRole,
                    vec![(s.span.clone(), String::from("unknown role"))],
                    format!("unknown role `{}`", s.value),
                    Some(help),
                );
            }
            role
        };
        match (fields.get("role").is_some(), fields.get("roles").is_some()) {
            (true, true) => {
                let span = fields.get("roles").map(|v| v.span()).unwrap_or(0..0);
                self.error(
                    file,
                    ErrorKind::UnknownField,
                    vec![(span, String::from("remove this, or `role`"))],
                    "a rule has `role` or `roles`, not both",
                    None,
                );
                None
            }
            (false, false) => {
                self.missing(file, fields, "role", "rule");
                None
            }
            (true, false) => {
                let s = self.string(file, fields, "role")?;
                Some(vec![parse(self, &s)?])
            }
            (false, true) => {
                let (list, span) = self.string_list(file, fields, "roles")?;
                if list.is_empty() {
                    self.error(
                        file,
                        ErrorKind::UnknownRole,
                        vec![(span, String::from("empty"))],
                        "`roles` must name at least one role",
                        None,
                    );
                    return None;
                }
                let mut roles = Vec::new();
                let mut ok = true;
                for s in &list {
                    match parse(self, s) {
                        Some(r) if !roles.contains(&r) => roles.push(r),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                ok.then_some(roles)
            }
        }
    }

    pub(super) fn template(
        &mut self,
        file: usize,
        s: &SStr,
        roles: &[Role],
        field: &str,
    ) -> Option<Template> {
        match Template::compile(&s.value, roles) {
            Ok(t) => Some(t),
            Err(errors) => {
                for e in errors {
                    self.error(
                        file,
                        ErrorKind::Template,
                        vec![(s.sub(e.offset, e.len), String::from("here"))],
                        format!("{} (in `{field}`)", e.message),
                        e.help,
                    );
                }
                None
            }
        }
    }

    pub(super) fn rule(
        &mut self,
        file: usize,
        table: &DeTable<'_>,
        span: Range<usize>,
        provider: Option<usize>,
    ) {
        let fields = Fields { table, span };
        self.unknown_fields(file, &fields, RULE_KEYS, "a rule");
        let code = self.required(file, &fields, "code", "rule");
        if let Some(code) = &code
            && !valid_code(&code.value)
        {
            self.error(
                file,
                ErrorKind::BadCode,
                vec![(code.span.clone(), String::from("not `<prefix>.<kebab-name>`"))],
                format!("`{}` is not a valid rule code", code.value),
                Some(String::from("codes are lowercase `<prefix>.<kebab-name>`, e.g. `dkim.quoted-value`")),
            );
        }
        if let (Some(code), Some(p)) = (&code, provider) {
            let id = self.providers[p].id.clone();
            if !code.value.starts_with(&format!("{id}.")) {
                self.error(
                    file,
                    ErrorKind::ProviderCodePrefix,
                    vec![(code.span.clone(), format!("does not start with `{id}.`"))],
                    format!(
                        "provider-only rule `{}` must be named `{id}.<kebab-name>`",
                        code.value
                    ),
                    Some(format!(
                        "to change the advice of a core code for {id} customers, use a [[help]] override instead"
                    )),
                );
            }
        }
        let roles = self.roles(file, &fields);
        let severity = self.required(file, &fields, "severity", "rule").and_then(|s| {
            let sev = Severity::parse(&s.value);
            if sev.is_none() {
                let names = ["error", "warning", "info"];
                let help = match suggest_among(&s.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => String::from("severities are: error, warning, info"),
                };
                self.error(
                    file,
                    ErrorKind::UnknownSeverity,
                    vec![(s.span.clone(), String::from("unknown severity"))],
                    format!("unknown severity `{}`", s.value),
                    Some(help),
                );
            }
            sev
        });
        let when = self.required(file, &fields, "when", "rule");
        let message = self.required(file, &fields, "message", "rule");
        let help = self.required(file, &fields, "help", "rule");
        let suppresses = self.string_list(file, &fields, "suppresses").map(|(l, _)| l).unwrap_or_default();
        let labels = self.labels(file, &fields, roles.as_deref());
        let docs = self.docs(file, &fields);

        // Conditions and templates are checked against the roles; without
        // roles there is nothing to check them against.
        let Some(roles) = roles else { return };
        let cond = when.as_ref().and_then(|w| match cond::compile(&w.value, &roles) {
            Ok(c) => Some(c),
            Err(errors) => {
                for e in errors {
                    self.error(
                        file,
                        ErrorKind::Condition,
                        vec![(w.sub(e.offset, e.len), String::from("here"))],
                        e.message,
                        e.help,
                    );
                }
                None
            }
        });
        let message_t = message.as_ref().and_then(|m| self.template(file, m, &roles, "message"));
        let help_t = help.as_ref().and_then(|h| self.template(file, h, &roles, "help"));

        let (
            Some(code),
            Some(severity),
            Some(when),
            Some(message),
            Some(help),
            Some(cond),
            Some(message_t),
            Some(help_t),
            Some(labels),
            Some(docs),
        ) = (code, severity, when, message, help, cond, message_t, help_t, labels, docs)
        else {
            return;
        };
        let idx = self.rules.len() as u32;
        if let Some((_, first_file, first_span)) = self.codes.get(&code.value).cloned() {
            let mut labels = vec![(code.span.clone(), String::from("defined again here"))];
            let help = if first_file == file {
                labels.push((first_span.clone(), String::from("first defined here")));
                String::from(
                    "codes are unique: rename one rule, or merge them (a rule may have `roles = [...]`)",
                )
            } else {
                format!(
                    "first defined at {}; codes are unique across all rule files",
                    self.location(first_file, first_span.start)
                )
            };
            self.error(
                file,
                ErrorKind::DuplicateCode,
                labels,
                format!("duplicate rule code `{}`", code.value),
                Some(help),
            );
            return;
        }
        self.codes.insert(code.value.clone(), (idx, file, code.span.clone()));
        if !suppresses.is_empty() {
            self.pending_suppress.push((idx, file, suppresses.clone()));
        }
        self.rules.push(Rule {
            code: code.value.into(),
            role: roles[0],
            roles: roles.into(),
            severity,
            provider: provider.map(|p| self.providers[p].id.clone()),
            docs,
            when: when.value.into(),
            message: message.value.into(),
            help: help.value.into(),
            labels: labels.iter().map(|(d, _, _)| d.clone()).collect(),
            suppresses: suppresses.into_iter().map(|s| Text::from(s.value)).collect(),
            source: self.files[file].name.clone().into(),
            compiled: Compiled {
                cond,
                message: message_t,
                help: help_t,
                labels: labels.into_iter().map(|(_, f, t)| (f, t)).collect(),
                suppresses: List::Owned(Vec::new()),
            },
        });
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn labels(
        &mut self,
        file: usize,
        fields: &Fields<'_, '_>,
        roles: Option<&[Role]>,
    ) -> Option<Vec<(LabelDef, Fact, Template)>> {
        let Some(v) = fields.get("labels") else {
            return Some(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`labels` must be an array of `{ span = \"…\", text = \"…\" }`",
                None,
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(item.span(), format!("this is {}", type_name(item.get_ref())))],
                    "a label must be a table: `{ span = \"…\", text = \"…\" }`",
                    None,
                );
                ok = false;
                continue;
            };
            let lf = Fields { table, span: item.span() };
            self.unknown_fields(file, &lf, LABEL_KEYS, "a label");
            let span = self.required(file, &lf, "span", "label");
            let text = self.required(file, &lf, "text", "label");
            let (Some(span), Some(text), Some(roles)) = (span, text, roles) else {
                ok = false;
                continue;
            };
            let fact = match cond::resolve_fact(&span.value, roles) {
                Ok(f) if f.def().ty == FactType::Span => Some(f),
                Ok(f) => {
                    self.error(
                        file,
                        ErrorKind::BadLabel,
                        vec![(
                            span.span.clone(),
                            format!("{} fact, not a span", super::cond::article(f.def().ty)),
                        )],
                        format!("label span `{}` is not a span fact", span.value),
                        Some(String::from(
                            "labels mark a span fact of the record, e.g. `quote_span`, `key_span`",
                        )),
                    );
                    None
                }
                Err((message, help)) => {
                    self.error(
                        file,
                        ErrorKind::BadLabel,
                        vec![(span.span.clone(), String::from("here"))],
                        message,
                        help,
                    );
                    None
                }
            };
            let t = self.template(file, &text, roles, "label text");
            match (fact, t) {
                (Some(f), Some(t)) => {
                    out.push((LabelDef { span: span.value.into(), text: text.value.into() }, f, t))
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub(super) fn docs(&mut self, file: usize, fields: &Fields<'_, '_>) -> Option<RuleDocs> {
        let Some(v) = fields.get("docs") else {
            self.missing(file, fields, "docs", "rule");
            return None;
        };
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`docs` must be a table: write `[rule.docs]`",
                None,
            );
            return None;
        };
        let df = Fields { table, span: v.span() };
        self.unknown_fields(file, &df, DOCS_KEYS, "[rule.docs]");
        let what = self.required(file, &df, "what", "[rule.docs] table");
        let why = self.required(file, &df, "why", "[rule.docs] table");
        let example = self.string(file, &df, "example");
        let references = self.string_list(file, &df, "references");
        Some(RuleDocs {
            what: what?.value.into(),
            why: why?.value.into(),
            example: example.map(|s| s.value).unwrap_or_default().into(),
            references: references
                .map(|(l, _)| l.into_iter().map(|s| Text::from(s.value)).collect())
                .unwrap_or_default(),
        })
    }
}

/// `<prefix>.<kebab-name>`, lowercase ASCII.
fn valid_code(code: &str) -> bool {
    let kebab = |s: &str| {
        !s.is_empty()
            && s.split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    };
    match code.split_once('.') {
        Some((prefix, name)) => kebab(prefix) && kebab(name),
        None => false,
    }
}
