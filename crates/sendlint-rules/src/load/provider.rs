//! `[provider]`, `[provider.records]` and the checks of a provider file.

use super::*;

impl Builder {
    pub(super) fn provider(&mut self, file: usize, v: &Spanned<DeValue<'_>>) -> Option<usize> {
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`provider` must be a table: write `[provider]`",
                None,
            );
            return None;
        };
        let fields = Fields { table, span: v.span() };
        self.unknown_fields(file, &fields, PROVIDER_KEYS, "[provider]");
        let id = self.required(file, &fields, "id", "[provider] table");
        let name = self.required(file, &fields, "name", "[provider] table");
        let nameservers = match self.string_list(file, &fields, "nameservers") {
            Some((list, _)) => list.into_iter().map(|s| s.value).collect(),
            None => {
                if fields.get("nameservers").is_none() {
                    self.missing(file, &fields, "nameservers", "[provider] table");
                }
                Vec::new()
            }
        };
        let docs = self.string(file, &fields, "docs").map(|s| s.value).unwrap_or_default();
        let records = fields.get("records").map(|v| self.records_form(file, v)).unwrap_or_default();
        let (id, name) = (id?, name?);
        let stem = Path::new(&self.files[file].name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if id.value != stem {
            self.error(
                file,
                ErrorKind::ProviderIdMismatch,
                vec![(id.span.clone(), format!("the file is named `{stem}.toml`"))],
                format!("provider id `{}` does not match the file name", id.value),
                Some(format!("name the file `{}.toml`, or set `id = \"{stem}\"`", id.value)),
            );
            return None;
        }
        if let Some(k) = self.providers.iter().position(|p| p.id.eq_ignore_ascii_case(&id.value)) {
            let (first_file, first_span) = self.provider_spans[k].clone();
            let where_ = self.location(first_file, first_span.start);
            self.error(
                file,
                ErrorKind::DuplicateProvider,
                vec![(id.span.clone(), String::from("declared again here"))],
                format!("provider `{}` is declared twice", id.value),
                Some(format!("it is first declared at {where_}")),
            );
            return None;
        }
        self.providers.push(Provider {
            id: id.value.into(),
            name: name.value.into(),
            nameservers: nameservers.into_iter().map(Text::from).collect(),
            docs: docs.into(),
            help: List::Owned(Vec::new()),
            records,
            source: self.files[file].name.clone().into(),
        });
        self.provider_rules.push(ProviderRules::default());
        self.provider_spans.push((file, id.span));
        Some(self.providers.len() - 1)
    }

    /// `[provider.records]`: how the provider's form wants the records typed.
    fn records_form(&mut self, file: usize, v: &Spanned<DeValue<'_>>) -> RecordsForm {
        let mut form = RecordsForm::default();
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`records` must be a table: write `[provider.records]`",
                None,
            );
            return form;
        };
        let fields = Fields { table, span: v.span() };
        self.unknown_fields(file, &fields, RECORDS_KEYS, "[provider.records]");
        if let Some(s) = self.string(file, &fields, "host") {
            match s.value.as_str() {
                "full" => form.host = HostStyle::Full,
                "relative" => form.host = HostStyle::Relative,
                _ => self.bad_value(file, &s, "host", &["full", "relative"]),
            }
        }
        if let Some(s) = self.string(file, &fields, "priority") {
            match s.value.as_str() {
                "separate" => form.priority = PriorityStyle::Separate,
                "in-value" => form.priority = PriorityStyle::InValue,
                _ => self.bad_value(file, &s, "priority", &["separate", "in-value"]),
            }
        }
        if let Some(s) = self.string(file, &fields, "txt") {
            match s.value.as_str() {
                "plain" => form.txt = TxtStyle::Plain,
                "quoted" => form.txt = TxtStyle::Quoted,
                _ => self.bad_value(file, &s, "txt", &["plain", "quoted"]),
            }
        }
        for (key, slot) in [
            ("host_field", &mut form.host_field),
            ("value_field", &mut form.value_field),
            ("mx_value_field", &mut form.mx_value_field),
            ("priority_field", &mut form.priority_field),
        ] {
            if let Some(s) = self.string(file, &fields, key) {
                *slot = s.value.into();
            }
        }
        if let Some((notes, _)) = self.string_list(file, &fields, "notes") {
            form.notes = notes.into_iter().map(|s| Text::from(s.value)).collect();
        }
        if let Some(extra) = fields.get("fields") {
            match extra.get_ref() {
                DeValue::Table(t) => {
                    for (k, val) in t.iter() {
                        match val.get_ref() {
                            DeValue::String(s) => {
                                form.fields.to_mut().push((k.get_ref().to_string().into(), s.to_string().into()))
                            }
                            other => self.error(
                                file,
                                ErrorKind::WrongType,
                                vec![(val.span(), format!("this is {}", type_name(other)))],
                                "the values of `fields` must be strings",
                                None,
                            ),
                        }
                    }
                }
                other => self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(extra.span(), format!("this is {}", type_name(other)))],
                    "`fields` must be a table of field name = value, e.g. `{ \"Proxy status\" = \"DNS only\" }`",
                    None,
                ),
            }
        }
        form
    }

    fn bad_value(&mut self, file: usize, s: &SStr, key: &str, allowed: &[&str]) {
        let help = match suggest_among(&s.value, allowed) {
            Some(m) => format!("did you mean `{m}`? `{key}` takes: {}", allowed.join(", ")),
            None => format!("`{key}` takes: {}", allowed.join(", ")),
        };
        self.error(
            file,
            ErrorKind::BadValue,
            vec![(s.span.clone(), String::from("unknown value"))],
            format!("`{key}` cannot be {:?}", s.value),
            Some(help),
        );
    }
}
