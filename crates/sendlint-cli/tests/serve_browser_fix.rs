//! The Fix panel of a workspace domain's page in a real browser (headless
//! Chromium over WebDriver), on the demo workspace from its zone files: the
//! change-set in the DNS host's form, another form picked, Copy and Download.

mod common;

use common::webdriver::{Browser, browser_or_skip, serve};
use serde_json::json;

/// The text of a `data:text/plain;charset=utf-8,…` URL (percent-encoded).
fn data_url_text(url: &str) -> String {
    let encoded =
        url.strip_prefix("data:text/plain;charset=utf-8,").unwrap_or_else(|| panic!("not a data URL: {url}"));
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("a percent escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn the_fix_panel_in_a_real_browser() {
    let Some((chromium, driver)) = browser_or_skip() else { return };
    let server =
        serve(&["fixtures/demo/manifest.json", "--zone", "fixtures/demo/zones", "--refresh", "300s"]);
    let browser = Browser::start(&chromium, &driver);

    // mail.globex.test (GoDaddy): the MX priority typed into the value, the DKIM key quoted
    browser.goto(&format!("{}/#/domain/mail.globex.test", server.url));
    browser.wait_for(
        30,
        "the Fix panel's change-set",
        "return document.getElementById('fix-panel')?.dataset.changes;",
    );
    // GoDaddy has no API form: the steps to follow
    assert_eq!(browser.js("return document.getElementById('fix-form').value;", json!([])), "human");
    assert_eq!(browser.js("return document.getElementById('fix-panel').dataset.form;", json!([])), "human");
    let steps = browser.js("return document.getElementById('fix-text').textContent;", json!([]));
    let steps = steps.as_str().unwrap_or_default().to_owned();
    assert!(steps.contains("GoDaddy"), "the steps are in GoDaddy's words: {steps}");
    assert!(steps.contains("feedback-smtp.us-east-1.amazonses.com"), "{steps}");

    // another form: the Route 53 change batch
    browser.click("#fix-form option[value=route53]");
    browser.wait_for(
        20,
        "the Route 53 form",
        "return document.getElementById('fix-panel').dataset.form === 'route53' && !document.getElementById('fix-copy').disabled;",
    );
    let text = browser.js("return document.getElementById('fix-text').textContent;", json!([]));
    let text = text.as_str().unwrap_or_default().to_owned();
    let batch: serde_json::Value =
        serde_json::from_str(&text).expect("the route53 form is a JSON change batch");
    let actions: Vec<&str> =
        batch["Changes"].as_array().expect("Changes").iter().filter_map(|c| c["Action"].as_str()).collect();
    assert!(actions.contains(&"UPSERT"), "{text}");

    // Download: the same text, named by the domain
    let href = browser.js("return document.getElementById('fix-download').getAttribute('href');", json!([]));
    assert_eq!(data_url_text(href.as_str().unwrap_or_default()), text);
    assert_eq!(
        browser.js("return document.getElementById('fix-download').getAttribute('download');", json!([])),
        "mail.globex.test.json"
    );

    // Copy: the clipboard holds the text
    browser.set_permission("clipboard-read", "granted");
    browser.set_permission("clipboard-write", "granted");
    browser.click("#fix-copy");
    browser.wait_for(10, "the copied state", "return document.getElementById('fix-copy').dataset.copied;");
    assert_eq!(browser.js("return document.getElementById('fix-copy').dataset.copied;", json!([])), "true");
    let clipboard = browser.js("return navigator.clipboard.readText();", json!([]));
    assert_eq!(clipboard.as_str().unwrap_or_default(), text);

    // a domain with nothing to change says so
    browser.goto(&format!("{}/#/domain/mail.acme.test", server.url));
    browser.wait_for(
        30,
        "the clean domain's Fix panel",
        "return document.getElementById('fix-panel')?.dataset.changes === '0';",
    );
    // Cloudflare hosts acme: its API script is the default form
    assert_eq!(browser.js("return document.getElementById('fix-form').value;", json!([])), "cloudflare");
    let status = browser.js("return document.getElementById('fix-status').textContent;", json!([]));
    assert_eq!(status, "Nothing to change in DNS.");

    // the check page has the panel too; a DNS provider picked there picks its form
    browser.goto(&format!(
        "{}/#/check?domain=mail.globex.test&region=us-east-1&selector=sf1&registrar=route53",
        server.url
    ));
    browser.wait_for(
        30,
        "the check page's Fix panel",
        "return document.getElementById('fix-panel')?.dataset.form;",
    );
    assert_eq!(browser.js("return document.getElementById('fix-panel').dataset.form;", json!([])), "route53");
}
