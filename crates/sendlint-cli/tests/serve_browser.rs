//! `sendlint serve` in a real browser: headless Chromium driven over
//! WebDriver, against the real binary answering from the in-process DNS
//! server. Reads badges and diagnoses from the DOM, watches a badge change as
//! the DNS data changes between polls, pastes into the explain box, filters
//! the workspace, and checks that script and markup in TXT records are shown
//! as text and never run. Screenshots go to target/tmp/screenshots/.

mod common;

use std::path::PathBuf;

use common::root;
use common::webdriver::{Browser, browser_or_skip, serve};
use sendlint_testdns::{Mode, TestServer};
use serde_json::{Value, json};

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

fn key() -> String {
    std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("key").trim().to_owned()
}

/// Two quoted strings of one TXT record, as a 2048-bit key must be published.
fn dkim_txt(key: &str) -> String {
    let value = format!("p={key}");
    let (a, b) = value.split_at(200);
    format!("\"{a}\" \"{b}\"")
}

/// A zone for `mail.prop.test`: MX, DKIM and DMARC published, the SPF TXT
/// only when `with_spf`.
fn prop_zone(with_spf: bool) -> String {
    let spf = if with_spf { "send.mail    TXT  \"v=spf1 include:amazonses.com ~all\"\n" } else { "" };
    format!(
        "$ORIGIN prop.test.\n$TTL 60\n@ SOA ns1.prop-dns.invalid. hostmaster.prop.test. 1 3600 600 604800 60\n\
         @ NS ns1.prop-dns.invalid.\n\
         send.mail    MX   10 feedback-smtp.us-east-1.amazonses.com.\n{spf}\
         sf1._domainkey.mail TXT {}\n\
         _dmarc.mail  TXT  \"v=DMARC1; p=none; rua=mailto:dmarc@prop.test\"\n",
        dkim_txt(&key())
    )
}

/// Payloads that would run if the page inserted DNS data as markup.
const PAYLOADS: [&str; 3] = [
    "<img src=x onerror=\"window.__pwned=1\">",
    "</script><script>window.__pwned=2</script>",
    "\"><svg onload=window.__pwned=3><b>bold</b>",
];

fn evil_zone() -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    format!(
        "$ORIGIN evil.test.\n$TTL 60\n@ SOA ns1.evil-dns.invalid. hostmaster.evil.test. 1 3600 600 604800 60\n\
         @ NS ns1.evil-dns.invalid.\n\
         send.mail TXT {}\nsf1._domainkey.mail TXT {}\n_dmarc.mail TXT {}\n",
        q(&format!("v=spf1 {} ~all", PAYLOADS[0])),
        q(&format!("p={}", PAYLOADS[1])),
        q(&format!("v=DMARC1; p={}", PAYLOADS[2])),
    )
}

fn zone_files(dir: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(root().join(dir)).expect("zones dir") {
        let path = entry.expect("entry").path();
        texts.push(std::fs::read_to_string(path).expect("zone text"));
    }
    texts
}

fn dns_texts(with_spf: bool) -> Vec<String> {
    let mut texts = zone_files("fixtures/demo/zones");
    texts.push(prop_zone(with_spf));
    texts.push(evil_zone());
    texts
}

fn refs(texts: &[String]) -> Vec<&str> {
    texts.iter().map(String::as_str).collect()
}

/// Badges of the cards shown, by role.
const BADGES: &str = "return [...document.querySelectorAll('#check-result .card, #domain-result .card')]\
    .map(c => [c.dataset.role, c.querySelector('.badge').dataset.state]);";

fn badges(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| (p[0].as_str().unwrap_or("").to_owned(), p[1].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

fn permalink(base: &str, domain: &str, poll: u32) -> String {
    let key = key();
    format!(
        "{base}/?poll={poll}#/check?domain={domain}&region=us-east-1&selector=sf1&key={}",
        key.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    )
}

#[test]
fn the_page_in_a_real_browser() {
    let Some((chromium, driver)) = browser_or_skip() else { return };
    let dns = TestServer::from_text(&refs(&dns_texts(false)), Mode::Normal).expect("DNS server");
    let ns = dns.addr().to_string();
    let server = serve(&["fixtures/demo/manifest.json", "--nameserver", &ns, "--refresh", "2s"]);
    let browser = Browser::start(&chromium, &driver);
    let shots = screenshots();

    // 1. The domain page of a broken demo domain, from a permalink.
    let globex_key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqNqHy/yt6hFJPUq98srZUa99ZCdf328AqqjCNmJN3i9DDzC/jweX+K/on+Ieu4I4dDojDSyDRi9Ovva9NOU76HOxsj765PQUShLWung0gylPWAezSb3+mRoLzKw6NVYahbI+VjoHVD4GUk95Nfp0a2fnXx+tqTkdCfaNpYFJMZte8onwVP/2yx+vcmsx5PBg9cSjcuQTTSaAz2AuVPDwyKJ/xMHVMGALwpjxHvZ1r10zo4NPmV28AK6PBBvzYHea4uLyCAxL5YH6LovUGYOKwjlH7KLM5b10PYJupTbwNsQgKRRZPZcgGTZPp80a6umlTeV/bkA2wTLQWGCqv9yykwIDAQAB";
    let url = format!(
        "{}/#/check?domain=mail.globex.test&region=us-east-1&selector=sf1&key={}",
        server.url,
        globex_key.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    );
    browser.goto(&url);
    let got = badges(&browser.wait_for(20, "the four badges", BADGES));
    assert_eq!(
        got,
        pairs(&[("spf_mx", "Failed"), ("spf_txt", "Verified"), ("dkim", "Failed"), ("dmarc", "Verified")])
    );
    let codes = browser.js(
        "return [...document.querySelectorAll('#check-result .diagnosis')].map(d => d.dataset.code);",
        json!([]),
    );
    assert_eq!(codes, json!(["mx.priority-in-value", "dkim.quoted-value", "dmarc.policy-none"]));
    let verdict = browser.js("return document.getElementById('verdict').textContent;", json!([]));
    assert_eq!(verdict, "!Sending locked: 2 errors to fix.");
    // the faulty bytes are marked: the quote characters around the key
    let marks = browser.js(
        "return [...document.querySelectorAll('[data-role=dkim] .observed mark')].map(m => m.textContent);",
        json!([]),
    );
    assert_eq!(marks, json!(["\"", "\""]));
    // the fix in GoDaddy's words, and GoDaddy's form with a copy button per value
    let help = browser.js(
        "return document.querySelector('[data-code=\"mx.priority-in-value\"] .help').textContent;",
        json!([]),
    );
    assert!(help.as_str().unwrap_or("").contains("GoDaddy"), "{help}");
    browser.wait_for(10, "GoDaddy's form", "return document.querySelector('.form-for h2')?.textContent;");
    let form_copy =
        browser.js("return document.querySelectorAll('.form-for button.copy').length;", json!([]));
    assert!(form_copy.as_u64().unwrap_or(0) >= 9, "{form_copy}");
    let permalink_text =
        browser.js("return document.querySelector('.permalink a').getAttribute('href');", json!([]));
    assert!(
        permalink_text.as_str().unwrap_or("").contains("#/check?domain=mail.globex.test"),
        "{permalink_text}"
    );
    browser.window_size(1280, 2300);
    browser.screenshot(&shots.join("domain-desktop.png"));
    browser.window_size(390, 1800);
    browser.screenshot(&shots.join("domain-phone.png"));
    browser.window_size(1280, 1000);

    // 2. A badge goes from Pending to Verified as DNS changes, without a reload.
    browser.goto(&permalink(&server.url, "mail.prop.test", 1));
    let before = badges(&browser.wait_for(20, "the propagation badges", BADGES));
    assert_eq!(
        before,
        pairs(&[("spf_mx", "Verified"), ("spf_txt", "Pending"), ("dkim", "Verified"), ("dmarc", "Verified")])
    );
    browser.js("window.__sameDocument = 'yes';", json!([]));
    dns.replace_text(&refs(&dns_texts(true))).expect("the new zones load");
    browser.wait_for(
        20,
        "the SPF badge to turn Verified",
        "return document.querySelector('[data-role=spf_txt] .badge')?.dataset.state === 'Verified';",
    );
    assert_eq!(browser.js("return window.__sameDocument;", json!([])), "yes", "the page was not reloaded");
    assert_eq!(browser.js("return document.getElementById('verdict').dataset.unlocked;", json!([])), "true");

    // 3. The explain box: paste a record, pick the role, read the diagnosis.
    browser.goto(&format!("{}/#/explain", server.url));
    browser.wait_for(
        10,
        "the explain form",
        "return document.body.dataset.ready === 'true' && !document.getElementById('view-explain').hidden;",
    );
    browser.click("#e-role option[value=dkim]");
    browser.type_into("#e-raw", "sf1._domainkey.mail.acme.test. 300 IN TXT \"\\\"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\\\"\"");
    browser.click("#explain-form button[type=submit]");
    let explained = browser.wait_for(
        10,
        "the explanation",
        "return [...document.querySelectorAll('#explain-result .diagnosis')].map(d => d.dataset.code);",
    );
    assert_eq!(explained[0], "dkim.quoted-value", "{explained}");
    assert_eq!(
        browser.js("return document.querySelector('#explain-result .badge').dataset.state;", json!([])),
        "Failed"
    );

    // 4. The workspace view: every domain, then filtered by badge, provider and code.
    browser.goto(&format!("{}/#/workspace", server.url));
    let rows = "return [...document.querySelectorAll('#ws-table tbody tr')].map(r => r.dataset.domain);";
    let all = browser.wait_for(20, "the workspace rows", rows);
    assert_eq!(
        all,
        json!([
            "mail.acme.test",
            "mail.globex.test",
            "news.initech.test",
            "mail.umbrella.test",
            "hooli.test"
        ])
    );
    browser.window_size(1280, 1500);
    // At 1280 px no domain name wraps (issue #18): each is laid out on one line.
    let wrapped = browser.js(
        "return [...document.querySelectorAll('#ws-table .dom')].filter(e => {\
           const r = document.createRange(); r.selectNodeContents(e);\
           const tops = new Set([...r.getClientRects()].map(q => Math.round(q.top)));\
           return tops.size > 1 || e.scrollWidth > e.clientWidth + 1;\
         }).map(e => e.textContent);",
        json!([]),
    );
    assert_eq!(wrapped, json!([]), "domain names wrapped at 1280 px");
    browser.screenshot(&shots.join("workspace-desktop.png"));
    browser.window_size(1280, 1000);
    browser.click("#w-badge option[value=Failed]");
    assert_eq!(
        browser.js(rows, json!([])),
        json!(["mail.globex.test", "news.initech.test", "mail.umbrella.test", "hooli.test"])
    );
    browser.click("#w-provider option[value=godaddy]");
    assert_eq!(browser.js(rows, json!([])), json!(["mail.globex.test"]));
    browser.click("#w-badge option[value='']");
    browser.click("#w-provider option[value='']");
    browser.click("#w-code option[value='dkim.split-across-records']");
    assert_eq!(browser.js(rows, json!([])), json!(["mail.umbrella.test"]));
    browser.click("#w-code option[value='']");
    browser.click("#w-sort option[value=errors]");
    let sorted = browser.js(rows, json!([]));
    assert_eq!(sorted[4], "mail.acme.test", "the clean domain sorts last by errors: {sorted}");

    // 5. Script and markup in TXT records are shown as text; nothing runs.
    browser.goto(&permalink(&server.url, "mail.evil.test", 30));
    browser.wait_for(
        20,
        "the evil domain's cards",
        "return document.querySelectorAll('#check-result .card').length === 4;",
    );
    let observed = browser.js(
        "return [...document.querySelectorAll('#check-result .observed')].map(o => o.textContent);",
        json!([]),
    );
    let shown = observed.to_string();
    for p in PAYLOADS {
        let escaped = serde_json::to_string(p).expect("json");
        assert!(shown.contains(escaped.trim_matches('"')), "{p} is not shown as text: {shown}");
    }
    let injected = browser.js(
        "return document.querySelectorAll('#main img, #main svg, #main script, #main b').length;",
        json!([]),
    );
    assert_eq!(injected, 0, "no element was made from DNS data");
    assert_eq!(browser.js("return typeof window.__pwned;", json!([])), "undefined", "a payload ran");
    browser.screenshot(&shots.join("hostile-txt.png"));
}
