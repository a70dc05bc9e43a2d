//! The API against a real server on 127.0.0.1 port 0, answering from the demo
//! zones through the in-process DNS server: every route, every error status,
//! the limits, the OpenAPI coverage.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use sendlint::CheckOptions;
use sendlint_rules::RuleSet;
use sendlint_serve::{Limits, check_listen};
use sendlint_testdns::Mode;
use serde_json::json;

#[test]
fn check_answers_the_report_the_engine_gives() {
    let zones = demo_zones();
    let s = serve(&zones, NORMAL, |_| {});
    let setup = demo_setup("mail.umbrella.test");
    let a = post(s.addr, "/api/v1/check", &setup);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("application/json"));

    // The same setup checked by the engine over the zone files directly.
    let entry = demo_manifest().entry(3).expect("entry 3 is umbrella");
    let rules = RuleSet::builtin();
    let opts = CheckOptions {
        org: entry.org.clone(),
        ses: entry.ses,
        now: SystemTime::now(),
        ..CheckOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let direct = rt.block_on(sendlint::check(&entry.setup, &zones, &rules, &opts));
    assert_eq!(a.json(), serde_json::to_value(&direct).expect("json"));

    let report = a.json();
    assert_eq!(report["domain"], "mail.umbrella.test");
    assert_eq!(report["sending_unlocked"], false);
    let states: Vec<&str> =
        report["records"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["Verified", "Verified", "Failed", "Failed"]);
}

#[test]
fn check_takes_a_registrar_on_the_url() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a = post(s.addr, "/api/v1/check?registrar=cloudflare", &demo_setup("mail.umbrella.test"));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["dns_host"], "cloudflare");
    let a = post(s.addr, "/api/v1/check?registrar=nosuch", &demo_setup("mail.umbrella.test"));
    assert_eq!((a.status, a.error_code().as_str()), (422, "unknown_registrar"));
}

#[test]
fn check_errors_say_what_is_wrong_with_the_right_status() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a = request(s.addr, "POST", "/api/v1/check", &[("Content-Type", "application/json")], b"{not json");
    assert_eq!((a.status, a.error_code().as_str()), (400, "bad_json"));
    let a = post(s.addr, "/api/v1/check", &json!(["a list"]));
    assert_eq!((a.status, a.error_code().as_str()), (400, "bad_json"));
    let a = post(s.addr, "/api/v1/check", &json!({"domain": "mail.acme.test", "region": "us-east-1"}));
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_setup"));
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("dkim_selector"), "{}", a.body);
    let a = post(
        s.addr,
        "/api/v1/check",
        &json!({"domain": "a..b", "region": "us-east-1", "dkim_selector": "s1"}),
    );
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_setup"));
    let a = post(
        s.addr,
        "/api/v1/check",
        &json!({"domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "s1", "nameserver": "1.1.1.1"}),
    );
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_setup"), "no field chooses the name server");
    let a = get(s.addr, "/api/v1/check");
    assert_eq!((a.status, a.error_code().as_str()), (405, "method_not_allowed"));
    let a = get(s.addr, "/api/v2/nothing");
    assert_eq!((a.status, a.error_code().as_str()), (404, "not_found"));
}

#[test]
fn explain_answers_the_record_report_and_rejects_bad_input() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a = post(
        s.addr,
        "/api/v1/explain",
        &json!({"role": "spf_mx", "raw": "send.mail.acme.test. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.acme.test.", "region": "us-east-1", "domain": "mail.acme.test"}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    assert_eq!(r["state"], "Failed");
    let codes: Vec<&str> =
        r["diagnoses"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["mx.target-suffix-appended"]);

    let a = post(s.addr, "/api/v1/explain", &json!({"role": "mx", "raw": "x"}));
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_role"));
    let a =
        post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "p=abc", "expected": "not a key"}));
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_record"));
    let a = post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "p=abc", "file": "/etc/passwd"}));
    assert_eq!((a.status, a.error_code().as_str()), (400, "bad_json"));
    let a = post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "p=abc", "registrar": "nosuch"}));
    assert_eq!((a.status, a.error_code().as_str()), (422, "unknown_registrar"));
}

#[test]
fn records_rules_providers_info_and_health() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a =
        get(s.addr, "/api/v1/records?domain=mail.acme.test&selector=sf1&region=eu-west-1&registrar=godaddy");
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    assert_eq!(r["registrar"], "godaddy");
    assert_eq!(r["records"][0]["role"], "spf_mx");
    assert_eq!(r["records"][0]["value"], "10 feedback-smtp.eu-west-1.amazonses.com");
    assert_eq!(r["records"][0]["host"], "send.mail", "GoDaddy's host field is relative to acme.test");
    assert_eq!(r["records"][0]["priority"], 10);
    let a = get(s.addr, "/api/v1/records?domain=mail.acme.test");
    assert_eq!((a.status, a.error_code().as_str()), (400, "bad_query"));
    let a = get(s.addr, "/api/v1/records?domain=mail.acme.test&selector=a.b");
    assert_eq!((a.status, a.error_code().as_str()), (422, "bad_setup"));

    let a = get(s.addr, "/api/v1/rules");
    assert_eq!(a.status, 200);
    assert!(a.json().as_array().unwrap().iter().any(|r| r["code"] == "dkim.quoted-value"));
    let a = get(s.addr, "/api/v1/rules/dkim.quoted-value");
    assert_eq!(a.status, 200);
    assert!(a.json()["markdown"].as_str().unwrap().starts_with("## `dkim.quoted-value`"));
    let a = get(s.addr, "/api/v1/rules/no.such-code");
    assert_eq!((a.status, a.error_code().as_str()), (404, "unknown_rule"));

    let a = get(s.addr, "/api/v1/providers");
    assert!(a.json().as_array().unwrap().iter().any(|p| p["id"] == "cloudflare"));
    let a = get(s.addr, "/api/v1/info");
    assert_eq!(a.json()["workspace"], false);
    assert_eq!(get(s.addr, "/healthz").json(), json!({"status": "ok"}));
}

#[test]
fn without_a_manifest_the_workspace_routes_say_so() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a = get(s.addr, "/api/v1/domains");
    assert_eq!((a.status, a.error_code().as_str()), (404, "no_manifest"));
    let a = get(s.addr, "/api/v1/domains/mail.acme.test");
    assert_eq!((a.status, a.error_code().as_str()), (404, "no_manifest"));
}

#[test]
fn the_workspace_is_checked_in_the_background_with_its_summary() {
    let s = serve(&demo_zones(), NORMAL, |c| c.manifest = Some(demo_manifest()));
    let w = eventually(20, || {
        let w = get(s.addr, "/api/v1/domains").json();
        (!w["checked_at"].is_null()).then_some(w)
    });
    let domains = w["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 5);
    assert_eq!(domains[0]["domain"], "mail.acme.test");
    assert_eq!(domains[0]["sending_unlocked"], true);
    assert_eq!(w["summary"]["total"], 5);
    assert_eq!(w["summary"]["unlocked"], 1);
    assert!(w["summary"]["top_codes"].as_array().unwrap().iter().any(|c| c["code"] == "dmarc.syntax"));

    let a = get(s.addr, "/api/v1/domains/MAIL.UMBRELLA.TEST.");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["domain"], "mail.umbrella.test");
    assert!(a.json()["checked_at"].is_string());
    let a = get(s.addr, "/api/v1/domains/nosuch.test");
    assert_eq!((a.status, a.error_code().as_str()), (404, "unknown_domain"));
}

#[test]
fn the_workspace_routes_answer_503_until_the_first_round_ends() {
    // A silent name server: the first round waits on timeouts.
    let s = serve(&demo_zones(), Mode::Silent, |c| c.manifest = Some(demo_manifest()));
    let a = get(s.addr, "/api/v1/domains/mail.acme.test");
    assert_eq!((a.status, a.error_code().as_str()), (503, "not_ready"));
    assert_eq!(a.header("retry-after"), Some("1"));
    let a = get(s.addr, "/api/v1/domains");
    assert_eq!(a.status, 200);
    assert!(a.json()["checked_at"].is_null());
}

#[test]
fn a_body_over_the_limit_is_413() {
    let s = serve(&demo_zones(), NORMAL, |c| c.limits.body_bytes = 1024);
    let mut setup = demo_setup("mail.acme.test");
    setup["org"] = json!("x".repeat(2000));
    let a = post(s.addr, "/api/v1/check", &setup);
    assert_eq!((a.status, a.error_code().as_str()), (413, "body_too_large"));
    let a =
        post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "p=".to_owned() + &"A".repeat(2000)}));
    assert_eq!((a.status, a.error_code().as_str()), (413, "body_too_large"));
    // under the limit still works
    let a = post(s.addr, "/api/v1/check", &demo_setup("mail.acme.test"));
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn checks_beyond_the_bound_are_429_with_retry_after() {
    // A silent name server holds the first check until its lookups time out.
    let s = serve(&demo_zones(), Mode::Silent, |c| {
        c.limits = Limits { checks_in_flight: 1, ..Limits::default() };
    });
    let addr = s.addr;
    // Four at once: one holds the only permit until its lookups time out.
    let clients: Vec<_> = ["mail.acme.test", "mail.globex.test", "news.initech.test", "hooli.test"]
        .into_iter()
        .map(|d| std::thread::spawn(move || post(addr, "/api/v1/check", &demo_setup(d))))
        .collect();
    let answers: Vec<Answer> = clients.into_iter().map(|c| c.join().expect("a client")).collect();
    let busy: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(answers.iter().any(|a| a.status == 200), "the check in flight finishes: {answers:?}");
    for a in busy {
        assert_eq!(a.error_code(), "busy");
        assert_eq!(a.header("retry-after"), Some("1"));
    }
    let m = get(addr, "/metrics").body;
    assert!(m.contains("sendlint_http_rejected_total{reason=\"busy\"} "), "{m}");
    assert!(!m.contains("sendlint_http_rejected_total{reason=\"busy\"} 0"), "{m}");
}

#[test]
fn a_request_past_its_deadline_is_504() {
    let s = serve(&demo_zones(), Mode::Silent, |c| c.limits.deadline = Duration::from_millis(200));
    let a = post(s.addr, "/api/v1/check", &demo_setup("mail.acme.test"));
    assert_eq!((a.status, a.error_code().as_str()), (504, "deadline_exceeded"));
}

#[test]
fn the_token_is_required_when_set_and_compared_exactly() {
    let s = serve(&demo_zones(), NORMAL, |c| c.token = Some("s3cret-token".into()));
    let a = post(s.addr, "/api/v1/check", &demo_setup("mail.acme.test"));
    assert_eq!((a.status, a.error_code().as_str()), (401, "token_missing"));
    assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    for wrong in [
        "Bearer s3cret-tokeN",
        "Bearer s3cret-token-and-more",
        "Bearer ",
        "Basic s3cret-token",
        "s3cret-token",
    ] {
        let a = request(s.addr, "GET", "/api/v1/rules", &[("Authorization", wrong)], b"");
        assert_eq!((a.status, a.error_code().as_str()), (401, "token_invalid"), "{wrong}");
    }
    let a = request(s.addr, "GET", "/metrics", &[], b"");
    assert_eq!(a.status, 401);
    let body = demo_setup("mail.acme.test").to_string();
    let a = request(
        s.addr,
        "POST",
        "/api/v1/check",
        &[("Authorization", "Bearer s3cret-token"), ("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    // the page and the health check need no token
    assert_eq!(get(s.addr, "/").status, 200);
    assert_eq!(get(s.addr, "/assets/app.js").status, 200);
    assert_eq!(get(s.addr, "/healthz").status, 200);
}

#[test]
fn a_non_loopback_listen_address_needs_a_token() {
    let any = "0.0.0.0:8080".parse().unwrap();
    assert!(check_listen(any, None).unwrap_err().to_string().contains("--token"));
    assert!(check_listen(any, Some("")).is_err());
    assert!(check_listen(any, Some("t")).is_ok());
    assert!(check_listen("127.0.0.1:0".parse().unwrap(), None).is_ok());
    assert!(check_listen("[::1]:0".parse().unwrap(), None).is_ok());
    assert!(check_listen("192.0.2.7:80".parse().unwrap(), None).is_err());
}

#[test]
fn every_answer_carries_the_security_headers() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for path in ["/", "/assets/app.js", "/api/v1/rules", "/nothing"] {
        let a = get(s.addr, path);
        let csp = a.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
    let page = get(s.addr, "/").body;
    assert!(!page.contains("<script>"), "no inline script in the page");
    let handler = page.split(|c: char| c.is_whitespace()).any(|w| {
        w.strip_prefix("on")
            .and_then(|rest| rest.split_once('='))
            .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase()))
    });
    assert!(!handler, "no inline event handler attributes in the page");
    assert_eq!(get(s.addr, "/assets/nothing.js").status, 404);
}

#[test]
fn metrics_count_checks_queries_failures_and_latency() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    assert_eq!(post(s.addr, "/api/v1/check", &demo_setup("mail.acme.test")).status, 200);
    let m = get(s.addr, "/metrics");
    assert_eq!(m.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let value = |name: &str| -> f64 {
        samples(&m.body)
            .into_iter()
            .find_map(|(k, v)| (k == name).then_some(v))
            .unwrap_or_else(|| panic!("no {name} in {}", m.body))
    };
    assert_eq!(value("sendlint_checks_total{origin=\"api\"}"), 1.0);
    assert!(value("sendlint_dns_queries_total") >= 4.0);
    assert_eq!(value("sendlint_check_duration_seconds_count{origin=\"api\"}"), 1.0);
    assert_eq!(value("sendlint_check_duration_seconds_bucket{origin=\"api\",le=\"+Inf\"}"), 1.0);

    let failing = serve(&demo_zones(), Mode::ServFail, |_| {});
    let a = post(failing.addr, "/api/v1/check", &demo_setup("mail.acme.test"));
    assert_eq!(a.status, 200, "a failed lookup is a finding, not an error: {}", a.body);
    assert!(a.json()["records"][0]["diagnoses"].to_string().contains("dns.lookup-failed"));
    let m = samples(&get(failing.addr, "/metrics").body);
    let servfail =
        m.iter().find(|(k, _)| k == "sendlint_dns_lookup_failures_total{kind=\"servfail\"}").unwrap();
    assert!(servfail.1 >= 4.0, "{m:?}");
}

/// Issue #18: on the offline demo every metric means what its name says.
/// Drives requests of every kind and reads every series the server exposes
/// (a series nobody reads here fails the test).
#[test]
fn every_metric_means_what_its_name_says() {
    const TOKEN: &str = "0123456789abcdef-metrics";
    let (addr, _rt) = serve_offline(|c| {
        c.manifest = Some(demo_manifest());
        c.refresh = Duration::from_secs(3600);
        c.token = Some(TOKEN.into());
        // long: only the bound closes connections here (tests/connections.rs times heads out)
        c.limits.header_timeout = Duration::from_secs(600);
        c.limits.connections = 4;
        c.limits.body_bytes = 4096;
    });
    let bearer = format!("Bearer {TOKEN}");
    let auth: &[(&str, &str)] = &[("Authorization", &bearer)];
    let json_auth: &[(&str, &str)] = &[("Authorization", &bearer), ("Content-Type", "application/json")];
    let metrics = || samples(&request(addr, "GET", "/metrics", auth, b"").body);
    // the first round over the workspace
    eventually(30, || {
        let w = request(addr, "GET", "/api/v1/domains", auth, b"").json();
        (!w["checked_at"].is_null()).then_some(())
    });
    let before = metrics();
    let body = demo_setup("mail.acme.test").to_string();
    for _ in 0..2 {
        assert_eq!(request(addr, "POST", "/api/v1/check", json_auth, body.as_bytes()).status, 200);
    }
    assert_eq!(request(addr, "GET", "/api/v1/nothing", auth, b"").status, 404);
    assert_eq!(
        request(addr, "POST", "/api/v1/check", &[("Content-Type", "application/json")], body.as_bytes())
            .status,
        401
    );
    let plain = [("Authorization", bearer.as_str()), ("Content-Type", "text/plain")];
    assert_eq!(request(addr, "POST", "/api/v1/check", &plain, body.as_bytes()).status, 415);
    let cross = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
        ("Origin", "http://evil.example"),
    ];
    assert_eq!(request(addr, "POST", "/api/v1/check", &cross, body.as_bytes()).status, 403);
    assert_eq!(request(addr, "POST", "/api/v1/check", json_auth, &[b' '; 5000]).status, 413);
    let raw = |text: &str| {
        let mut c = std::net::TcpStream::connect(addr).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        std::io::Write::write_all(&mut c, text.as_bytes()).expect("write");
        let mut out = String::new();
        let _ = std::io::Read::read_to_string(&mut c, &mut out);
        out
    };
    assert!(
        raw("GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
            .starts_with("HTTP/1.1 400")
    );
    // five half-sent heads through four places: the oldest gives way
    let _held: Vec<std::net::TcpStream> = (0..5)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(addr).expect("connect");
            std::io::Write::write_all(&mut c, b"GET / HTTP/1.1\r\n").expect("write");
            c
        })
        .collect();
    let after = metrics();

    let delta = |name: &str| -> f64 {
        let of = |m: &[(String, f64)]| {
            m.iter().find(|(k, _)| k == name).map(|(_, v)| *v).unwrap_or_else(|| panic!("no {name}"))
        };
        of(&after) - of(&before)
    };
    let value = |name: &str| -> f64 {
        after
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {name}: {after:?}"))
    };
    let mut read: Vec<String> = Vec::new();
    let mut check = |name: &str, ok: bool| {
        assert!(ok, "{name}: before {before:?}\nafter {after:?}");
        read.push(name.to_owned());
    };
    check("sendlint_checks_total{origin=\"api\"}", delta("sendlint_checks_total{origin=\"api\"}") == 2.0);
    // one round of the five demo domains, before `before`
    check(
        "sendlint_checks_total{origin=\"workspace\"}",
        value("sendlint_checks_total{origin=\"workspace\"}") == 5.0,
    );
    check("sendlint_workspace_rounds_total", value("sendlint_workspace_rounds_total") == 1.0);
    check("sendlint_workspace_round_seconds", value("sendlint_workspace_round_seconds") > 0.0);
    // the histogram times exactly the checks of requests
    let api_checks = value("sendlint_checks_total{origin=\"api\"}");
    check(
        "sendlint_check_duration_seconds_count{origin=\"api\"}",
        value("sendlint_check_duration_seconds_count{origin=\"api\"}") == api_checks,
    );
    check(
        "sendlint_check_duration_seconds_sum{origin=\"api\"}",
        value("sendlint_check_duration_seconds_sum{origin=\"api\"}") > 0.0,
    );
    let mut last = 0.0;
    for (k, v) in &after {
        if k.starts_with("sendlint_check_duration_seconds_bucket{") {
            let ok = *v >= last && *v <= api_checks;
            last = *v;
            check(k, ok);
        }
    }
    check(
        "le=+Inf",
        value("sendlint_check_duration_seconds_bucket{origin=\"api\",le=\"+Inf\"}") == api_checks,
    );
    // offline everything the demo asks resolves from the zone files: no failures;
    // the DMARC walk above the zones asks names no zone file covers
    check("sendlint_dns_queries_total", delta("sendlint_dns_queries_total") > 0.0);
    for kind in ["timeout", "servfail", "refused", "truncated", "other"] {
        let name = format!("sendlint_dns_lookup_failures_total{{kind=\"{kind}\"}}");
        check(&name, value(&name) == 0.0);
    }
    check("sendlint_dns_not_covered_total", value("sendlint_dns_not_covered_total") > 0.0);
    // answers by status, between the two scrapes (the first scrape counts itself after it rendered)
    for (code, n) in
        [("200", 3.0), ("400", 1.0), ("401", 1.0), ("403", 1.0), ("404", 1.0), ("413", 1.0), ("415", 1.0)]
    {
        let name = format!("sendlint_http_responses_total{{code=\"{code}\"}}");
        check(&name, delta(&name) == n);
    }
    for code in ["405", "408", "422", "429", "500", "503", "504", "other"] {
        let name = format!("sendlint_http_responses_total{{code=\"{code}\"}}");
        check(&name, delta(&name) == 0.0);
    }
    for (reason, n) in [
        ("auth", 1.0),
        ("host", 1.0),
        ("cross_site", 1.0),
        ("media_type", 1.0),
        ("too_large", 1.0),
        ("busy", 0.0),
        ("deadline", 0.0),
    ] {
        let name = format!("sendlint_http_rejected_total{{reason=\"{reason}\"}}");
        check(&name, delta(&name) == n);
    }
    // 7 requests on their own connections, the host probe, five half heads, the scrape
    check(
        "sendlint_http_connections_total",
        delta("sendlint_http_connections_total") == 7.0 + 1.0 + 5.0 + 1.0,
    );
    check("sendlint_http_connections_open", (1.0..=4.0).contains(&value("sendlint_http_connections_open")));
    check(
        "sendlint_http_connections_closed_total{reason=\"header_timeout\"}",
        delta("sendlint_http_connections_closed_total{reason=\"header_timeout\"}") == 0.0,
    );
    check(
        "sendlint_http_connections_closed_total{reason=\"evicted\"}",
        delta("sendlint_http_connections_closed_total{reason=\"evicted\"}") >= 2.0,
    );
    let unread: Vec<&String> = after
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !read.contains(k) && !k.starts_with("sendlint_check_duration_seconds_bucket{"))
        .collect();
    assert!(unread.is_empty(), "series no assertion reads: {unread:?}");
}

#[test]
fn the_openapi_document_covers_every_route_and_every_route_answers() {
    let s = serve(&demo_zones(), NORMAL, |c| c.manifest = Some(demo_manifest()));
    let doc = get(s.addr, "/api/v1/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    // The routes of issue #11, each with its method.
    for (method, path) in [
        ("post", "/api/v1/check"),
        ("post", "/api/v1/explain"),
        ("get", "/api/v1/records"),
        ("get", "/api/v1/rules"),
        ("get", "/api/v1/rules/{code}"),
        ("get", "/api/v1/domains"),
        ("get", "/api/v1/domains/{domain}"),
        ("get", "/healthz"),
        ("get", "/metrics"),
        ("get", "/api/v1/openapi.json"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is not documented");
    }
    // Every documented operation is served: none falls through to the router's 404.
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let concrete = path
                .replace("{code}", "dkim.quoted-value")
                .replace("{domain}", "mail.acme.test")
                .replace("{file}", "app.js");
            let a = request(s.addr, &method.to_ascii_uppercase(), &concrete, &[], b"{}");
            assert!(
                !(a.status == 404 && a.body.contains("\"not_found\"")) && a.status != 405,
                "{method} {path}: {} {}",
                a.status,
                a.body
            );
            // every status it can answer is documented with the error shape
            if a.status != 200 && a.status != 503 {
                assert!(
                    op["responses"].get(a.status.to_string()).is_some(),
                    "{method} {path}: {} undocumented",
                    a.status
                );
            }
            for schema in [op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()]
                .into_iter()
                .flatten()
            {
                let name = schema.trim_start_matches("#/components/schemas/");
                assert!(doc["components"]["schemas"].get(name).is_some(), "{schema} is not defined");
            }
        }
    }
}

#[test]
fn the_page_script_never_parses_data_as_markup() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let js = get(s.addr, "/assets/app.js");
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
        assert!(!js.body.contains(sink), "app.js uses {sink}");
    }
}

#[test]
fn the_document_states_the_token_only_when_one_is_set() {
    let open = serve(&demo_zones(), NORMAL, |_| {});
    let doc = get(open.addr, "/api/v1/openapi.json").json();
    assert!(doc.get("security").is_none(), "no token, no security requirement: {}", doc["security"]);
    assert!(doc["components"].get("securitySchemes").is_none());
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["responses"].get("401").is_none(), "{method} {path}: 401 without a token");
            assert!(op.get("security").is_none(), "{method} {path}");
        }
    }
    // the server agrees: no route asks for a token
    assert_eq!(get(open.addr, "/api/v1/rules").status, 200);

    let closed = serve(&demo_zones(), NORMAL, |c| c.token = Some("t0ken".into()));
    let a = request(closed.addr, "GET", "/api/v1/openapi.json", &[("Authorization", "Bearer t0ken")], b"");
    let doc = a.json();
    assert_eq!(doc["security"], json!([{"bearer": []}]));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["paths"]["/api/v1/check"]["post"]["responses"].get("401").is_some());
    assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]), "the health check needs no token");
    assert!(doc["paths"]["/healthz"]["get"]["responses"].get("401").is_none());
}

/// A request body judged by the document's schema `name`.
fn schema_accepts(doc: &serde_json::Value, name: &str, body: &serde_json::Value) -> bool {
    let root =
        json!({"components": doc["components"].clone(), "$ref": format!("#/components/schemas/{name}")});
    jsonschema::draft202012::new(&root).expect("the schema compiles").is_valid(body)
}

#[test]
fn the_request_schemas_refuse_what_the_server_refuses() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let doc = get(s.addr, "/api/v1/openapi.json").json();
    let ok = demo_setup("mail.acme.test");
    let with = |k: &str, v: serde_json::Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let mut checks = vec![(ok.clone(), 200)];
    for (field, value) in [
        ("domain", json!("")),
        ("domain", json!("a..b")),
        ("domain", json!("localhost")),
        ("dkim_selector", json!("")),
        ("dkim_selector", json!("a.b")),
        ("dkim_selector", json!("-a")),
        ("region", json!("")),
        ("region", json!("mars-1")),
        ("region", json!(null)),
        ("mail_from", json!("")),
        ("dkim_public_key", json!("not a key")),
        ("dkim_public_key", json!("")),
        ("submitted_at", json!("yesterday")),
        ("submitted_at", json!("2026-13-01T00:00:00Z")),
        ("ses", json!({"dkim": "Pending"})),
        ("ses", json!([null, null])),
        ("ses", json!(["SUCCESS"])),
        ("from_addresses", json!(null)),
        ("nameserver", json!("1.1.1.1")),
    ] {
        checks.push((with(field, value), 422));
    }
    for (field, value) in [
        ("org", json!(null)),
        ("mail_from", json!(null)),
        ("mail_from", json!("bounce")),
        ("submitted_at", json!("2026-11-20T09:00:00+02:00")),
        ("ses", json!({"dkim": null, "mail_from": "PENDING"})),
        ("from_addresses", json!([])),
    ] {
        checks.push((with(field, value), 200));
    }
    for (body, status) in checks {
        let a = post(s.addr, "/api/v1/check", &body);
        assert_eq!(a.status, status, "{body}: {}", a.body);
        assert_eq!(schema_accepts(&doc, "Setup", &body), status == 200, "the document disagrees on {body}");
    }

    let explain = |extra: serde_json::Value| {
        let mut b = json!({"role": "dmarc", "raw": "v=DMARC1; p=none"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let mut checks = vec![];
    for extra in [
        json!({"role": "mx"}),
        json!({"registrar": "nosuch"}),
        json!({"registrar": "CloudFlare"}),
        json!({"region": "mars-1"}),
        json!({"region": " "}),
        json!({"domain": "a..b"}),
        json!({"domain": " "}),
    ] {
        checks.push((explain(extra), 422));
    }
    for extra in [
        json!({}),
        json!({"registrar": null, "region": null, "domain": null, "expected": null}),
        json!({"registrar": "", "region": "", "domain": ""}),
        json!({"registrar": "cloudflare", "region": "eu-west-1", "domain": "mail.acme.test"}),
    ] {
        checks.push((explain(extra), 200));
    }
    for (body, status) in checks {
        let a = post(s.addr, "/api/v1/explain", &body);
        assert_eq!(a.status, status, "{body}: {}", a.body);
        assert_eq!(
            schema_accepts(&doc, "ExplainRequest", &body),
            status == 200,
            "the document disagrees on {body}"
        );
    }
    // every provider the rules know, and only those, is a registrar
    let known: Vec<serde_json::Value> =
        get(s.addr, "/api/v1/providers").json().as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
    let param = &doc["paths"]["/api/v1/check"]["post"]["parameters"][0];
    assert_eq!(param["name"], "registrar");
    let listed: Vec<serde_json::Value> =
        param["schema"]["enum"].as_array().unwrap().iter().filter(|v| *v != "").cloned().collect();
    assert_eq!(listed, known);
    // the API takes the ids as listed (the CLI is kinder to people typing them)
    let a = post(s.addr, "/api/v1/check?registrar=CloudFlare", &ok);
    assert_eq!((a.status, a.error_code().as_str()), (422, "unknown_registrar"));
}

#[test]
fn the_document_and_docs_schema_share_every_shape() {
    // One source: the OpenAPI components of the CLI's outputs are the
    // published docs/schema/ files, definition for definition.
    let doc = sendlint_serve::openapi(&sendlint_rules::RuleSet::builtin(), false);
    let components = &doc["components"]["schemas"];
    for (file, name) in [("check", "DomainReport"), ("explain", "RecordReport"), ("audit-line", "AuditLine")]
    {
        let text =
            std::fs::read_to_string(root().join(format!("docs/schema/{file}.json"))).expect("schema file");
        let text = text.replace("#/$defs/", "#/components/schemas/");
        let mut published: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let defs = published.as_object_mut().and_then(|o| o.remove("$defs")).unwrap_or_default();
        for (def, schema) in defs.as_object().into_iter().flatten() {
            assert_eq!(&components[def], schema, "{def} of docs/schema/{file}.json");
        }
        let root = published.as_object_mut().expect("object");
        root.remove("$schema");
        root.remove("title");
        assert_eq!(&components[name], &published, "docs/schema/{file}.json is {name}");
    }
}

/// A method a route does not take is 405, whatever the body's media type
/// (the JSON-only guard speaks only for the routes that read a body).
#[test]
fn a_method_a_route_does_not_take_is_405_not_415() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for path in ["/", "/api/v1/domains", "/api/v1/info", "/api/v1/providers", "/api/v1/rules", "/healthz"] {
        let a = request(s.addr, "POST", path, &[], b"");
        assert_eq!(a.status, 405, "POST {path}: {}", a.body);
    }
    // the routes that read a body still want JSON
    let a = request(s.addr, "POST", "/api/v1/check", &[("Content-Type", "text/plain")], b"{}");
    assert_eq!(a.status, 415, "{}", a.body);
}

/// The API takes a domain as its document's pattern says: ASCII, two labels
/// or more; an internationalized name as its A-label.
#[test]
fn the_api_takes_domains_as_its_document_says() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for domain in ["t\u{f7}TS\u{a9}", "b\u{fc}cher.example", "single", "-bad.example"] {
        let mut setup = demo_setup("mail.acme.test");
        setup["domain"] = json!(domain);
        let a = post(s.addr, "/api/v1/check", &setup);
        assert_eq!((a.status, a.error_code().as_str()), (422, "bad_setup"), "check {domain:?}: {}", a.body);
        let a = post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "", "domain": domain}));
        assert_eq!(a.status, 422, "explain {domain:?}: {}", a.body);
    }
    let a =
        post(s.addr, "/api/v1/explain", &json!({"role": "dkim", "raw": "", "domain": "b\u{fc}cher.example"}));
    assert!(a.body.contains("A-label"), "{}", a.body);
    let mut setup = demo_setup("mail.acme.test");
    setup["domain"] = json!("xn--bcher-kva.example");
    assert_eq!(post(s.addr, "/api/v1/check", &setup).status, 200);
}

/// A path the handler cannot read (not UTF-8 once decoded) is refused in the
/// API's error shape, as a malformed body or query string is.
#[test]
fn an_unreadable_path_is_refused_in_the_error_shape() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    for path in ["/api/v1/rules/%FF", "/api/v1/domains/%FF", "/assets/%FF"] {
        let a = get(s.addr, path);
        assert_eq!((a.status, a.error_code().as_str()), (400, "bad_path"), "{path}: {}", a.body);
        assert!(a.header("content-type").is_some_and(|t| t.starts_with("application/json")), "{path}");
    }
}
