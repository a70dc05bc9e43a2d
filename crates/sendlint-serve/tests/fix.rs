//! `POST /api/v1/fix` against a real server answering from the demo zones:
//! the change-set in the form asked for (else the DNS host's), the same as
//! the engine's, documented in the OpenAPI document; a bad form is 422.

mod common;

use std::time::SystemTime;

use common::*;
use sendlint::CheckOptions;
use sendlint::fix::Form;
use sendlint_rules::RuleSet;
use serde_json::json;

#[test]
fn fix_answers_the_change_set_the_engine_gives_in_every_form() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let entry = demo_manifest().entry(1).expect("entry 1 is globex");
    let rules = RuleSet::builtin();
    let opts = CheckOptions {
        org: entry.org.clone(),
        ses: entry.ses,
        now: SystemTime::now(),
        ..CheckOptions::default()
    };
    let changes = sendlint::audit::block_on(sendlint::fix::plan(&entry.setup, &demo_zones(), &rules, &opts));
    assert!(!changes.is_empty());
    let provider = rules.provider("godaddy");
    for form in Form::ALL {
        let mut body = demo_setup("mail.globex.test");
        body["as"] = json!(form.as_str());
        let a = post(s.addr, "/api/v1/fix", &body);
        assert_eq!(a.status, 200, "{}", a.body);
        conforms("POST", "/api/v1/fix", &a);
        let v = a.json();
        assert_eq!(v["form"], form.as_str());
        assert_eq!(v["text"], sendlint::fix::render(&changes, form, provider), "{form:?}");
        assert_eq!(
            v["changes"],
            serde_json::to_value(sendlint::fix::format::json::output(&changes)).expect("json")
        );
        assert!(
            v["file_name"].as_str().is_some_and(|f| f.starts_with("mail.globex.test.")),
            "{}",
            v["file_name"]
        );
    }
}

#[test]
fn without_a_form_the_dns_hosts_own_is_given() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for (domain, form) in
        [("mail.globex.test", "human"), ("hooli.test", "route53"), ("mail.acme.test", "cloudflare")]
    {
        let a = post(s.addr, "/api/v1/fix", &demo_setup(domain));
        assert_eq!(a.status, 200, "{domain}: {}", a.body);
        assert_eq!(a.json()["form"], form, "{domain}");
    }
    // the clean domain: nothing to change
    assert_eq!(
        post(s.addr, "/api/v1/fix", &demo_setup("mail.acme.test")).json()["changes"]["changes"],
        json!([])
    );
}

#[test]
fn a_form_it_does_not_know_is_422_and_the_route_is_documented() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for bad in [json!("bogus"), json!(1), json!(null)] {
        let mut body = demo_setup("mail.globex.test");
        body["as"] = bad.clone();
        let a = post(s.addr, "/api/v1/fix", &body);
        assert_eq!((a.status, a.error_code().as_str()), (422, "bad_form"), "as {bad}: {}", a.body);
        conforms("POST", "/api/v1/fix", &a);
    }
    // any other field the setup does not name is refused as for check
    let mut body = demo_setup("mail.globex.test");
    body["form"] = json!("zone");
    assert_eq!(post(s.addr, "/api/v1/fix", &body).status, 422);
    let doc = get(s.addr, "/api/v1/openapi.json").json();
    let op = &doc["paths"]["/api/v1/fix"]["post"];
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/FixRequest"
    );
    let forms = &doc["components"]["schemas"]["FixRequest"]["properties"]["as"]["enum"];
    assert_eq!(forms, &json!(["human", "nsupdate", "route53", "cloudflare", "terraform", "zone"]));
}
