//! The JSON schemas of the OpenAPI document: the manifest entry (docs/manifest.md)
//! and the report (docs/json.md).

use serde_json::{Value, json};

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn s() -> Value {
    json!({"type": "string"})
}

fn opt_s() -> Value {
    json!({"type": ["string", "null"]})
}

/// `components/schemas`.
pub fn schemas() -> Value {
    let badge = json!({"type": "string", "enum": ["Pending", "Verifying", "Verified", "Failed"]});
    let role = json!({"type": "string", "enum": ["spf_mx", "spf_txt", "dkim", "dmarc"]});
    let status = json!({"type": "string", "enum": ["NOT_STARTED", "PENDING", "SUCCESS", "FAILED", "TEMPORARY_FAILURE"]});
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": s(), "message": s()}}}},
        "Setup": {"type": "object", "description": "A workspace manifest entry (docs/manifest.md).",
            "required": ["domain", "region", "dkim_selector"], "additionalProperties": false,
            "properties": {
                "org": s(), "domain": s(), "region": s(), "mail_from": s(), "dkim_selector": s(),
                "dkim_public_key": s(), "from_addresses": {"type": "array", "items": s()},
                "ses": {"type": "object", "properties": {"dkim": status, "mail_from": status}},
                "submitted_at": {"type": "string", "format": "date-time"}}},
        "ExplainRequest": {"type": "object", "required": ["role", "raw"], "additionalProperties": false,
            "properties": {"role": role, "raw": {"type": "string", "description": "The record as `dig` printed it or as pasted; one record per line."},
                "expected": s(), "region": s(), "domain": s(), "registrar": s()}},
        "Label": {"type": "object", "required": ["offset", "length", "text", "record"], "properties": {
            "offset": {"type": "integer", "description": "Byte offset into observed[record]."},
            "length": {"type": "integer"}, "text": s(), "record": {"type": "integer"}}},
        "Diagnosis": {"type": "object", "required": ["code", "severity", "message", "help", "registrar", "labels"],
            "properties": {"code": s(), "severity": {"type": "string", "enum": ["error", "warning", "info"]},
                "message": s(), "help": s(), "registrar": opt_s(), "labels": {"type": "array", "items": r("Label")}}},
        "RecordReport": {"type": "object", "required": ["role", "name", "type", "expected", "observed", "state", "diagnoses"],
            "properties": {"role": role, "name": s(), "type": {"type": "string", "enum": ["MX", "TXT"]},
                "expected": s(), "found_at": s(), "observed": {"type": "array", "items": s()},
                "state": badge, "diagnoses": {"type": "array", "items": r("Diagnosis")}}},
        "DomainReport": {"type": "object", "description": "The report of one domain (`sendlint check --format json`, docs/json.md).",
            "required": ["org", "domain", "zone", "dns_host", "sending_unlocked", "ses_consulted", "records", "diagnoses"],
            "properties": {"org": opt_s(), "domain": s(), "zone": opt_s(), "dns_host": opt_s(),
                "sending_unlocked": {"type": "boolean"}, "ses_consulted": {"type": "boolean"},
                "records": {"type": "array", "items": r("RecordReport")},
                "diagnoses": {"type": "array", "items": r("Diagnosis")}}},
        "AuditLine": {"description": "One line of `sendlint audit --format json`: a DomainReport with its manifest `index`, or `{index, org, domain, error}` for an entry that is not a setup.",
            "oneOf": [
                {"allOf": [r("DomainReport"), {"type": "object", "properties": {"index": {"type": "integer"}, "checked_at": opt_s()}}]},
                {"type": "object", "required": ["index", "error"], "properties": {"index": {"type": "integer"}, "org": opt_s(), "domain": opt_s(), "error": s()}}]},
        "Workspace": {"type": "object", "required": ["checked_at", "refresh_seconds", "summary", "domains"], "properties": {
            "checked_at": {"type": ["string", "null"], "description": "End of the last complete round; null before the first."},
            "refresh_seconds": {"type": "number"},
            "summary": {"type": "object", "properties": {
                "total": {"type": "integer"}, "unlocked": {"type": "integer"}, "not_unlocked": {"type": "integer"},
                "bad_entries": {"type": "integer"}, "crashed": {"type": "integer"},
                "badges": {"type": "object", "description": "role → badge → count"},
                "top_codes": {"type": "array", "items": {"type": "object", "properties": {"code": s(), "domains": {"type": "integer"}}}},
                "providers": {"type": "object", "description": "DNS host → {domains, unlocked}"}}},
            "domains": {"type": "array", "items": r("AuditLine")}}},
        "PublishRecord": {"type": "object", "required": ["role", "name", "type", "value"], "properties": {
            "role": role, "name": s(), "type": s(), "value": s(), "registrar": s(), "host": s(), "form_value": s(),
            "priority": {"type": "integer"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {"field": s(), "value": s()}}}}},
        "Records": {"type": "object", "properties": {"domain": s(), "region": s(), "registrar": opt_s(), "provider": opt_s(),
            "zone": s(), "zone_guessed": {"type": "boolean"}, "notes": {"type": "array", "items": s()},
            "records": {"type": "array", "items": r("PublishRecord")}}},
        "RuleSummary": {"type": "object", "properties": {"code": s(), "severity": s(), "roles": {"type": "array", "items": s()},
            "provider": opt_s(), "summary": s()}},
        "RuleList": {"type": "array", "items": r("RuleSummary")},
        "RuleDoc": {"allOf": [r("RuleSummary"), {"type": "object", "properties": {
            "docs": {"type": "object", "properties": {"what": s(), "why": s(), "example": s(), "references": {"type": "array", "items": s()}}},
            "markdown": s(), "source": s()}}]},
        "ProviderList": {"type": "array", "items": {"type": "object", "properties": {"id": s(), "name": s(), "docs": s()}}},
        "Info": {"type": "object", "properties": {"version": s(), "workspace": {"type": "boolean"},
            "poll_seconds": {"type": "number"}, "refresh_seconds": {"type": "number"}, "ses": {"type": "boolean"}}},
        "Health": {"type": "object", "properties": {"status": s()}},
        "OpenApi": {"type": "object"},
        "Text": {"type": "string"},
    })
}
