//! `audit` asks a zone for its NS set once, however far apart its domains are
//! in the manifest (the per-audit apex map, not the bounded answer cache);
//! and an unsigned zone for its DS once (DNSSEC validation's only question).

use sendlint_dns::ZoneSource;
use sendlint_testdns::{Mode, TestServer};
use serde_json::{Value, json};

mod common;
use common::{KEY, acme_zone, dkim_ok, scratch_dir, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";

fn entry(domain: &str) -> Value {
    json!({ "domain": domain, "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": KEY })
}

#[test]
fn a_zone_far_apart_in_the_manifest_is_asked_for_its_ns_set_once() {
    let acme = acme_zone("10 feedback-smtp.us-east-1.amazonses.com.", &dkim_ok(), "v=DMARC1; p=none");
    let filler = "$ORIGIN filler.test.\n$TTL 300\n@ SOA ns1.dns.test. h.filler.test. 1 3600 600 604800 300\n@ NS ns1.dns.test.\n";
    let mut zones = ZoneSource::new();
    for (name, text) in [("acme.test.zone", acme.as_str()), ("filler.test.zone", filler)] {
        zones.add(ZoneSource::from_text(name, text, None).expect("zone"));
    }
    let server = TestServer::start(&zones, Mode::Normal).expect("server");
    // Between the two acme.test domains, more distinct questions than the
    // shared answer cache keeps (two generations of 4,096).
    let mut domains = vec![entry("mail.acme.test")];
    domains.extend((0..1200).map(|i| entry(&format!("f{i}.filler.test"))));
    domains.push(entry("news.acme.test"));
    let dir_tmp = scratch_dir("economy-apex");
    let dir = dir_tmp.path();
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, json!({ "domains": domains }).to_string()).expect("write");
    let addr = server.addr().to_string();
    let out = sendlint(&[
        "audit",
        manifest.to_str().expect("path"),
        "--nameserver",
        &addr,
        "--now",
        NOW,
        "--format",
        "json",
        "--jobs",
        "16",
    ]);
    assert_eq!(stdout(&out).lines().count(), 1202, "{}", stderr(&out));
    assert!(
        server.asked("f1.filler.test", "SOA") == 1 && server.asked("news.acme.test", "SOA") == 1,
        "every domain is still asked its own SOA"
    );
    assert_eq!(server.asked("acme.test", "NS"), 1);
    assert_eq!(server.asked("filler.test", "NS"), 1);
    // DNSSEC: an unsigned zone costs one question per run, its apex's DS
    // (NODATA: insecure), shared by all its domains; nothing else is asked
    assert_eq!(server.asked("acme.test", "DS"), 1);
    assert_eq!(server.asked("filler.test", "DS"), 1);
    assert_eq!(server.asked("acme.test", "DNSKEY"), 0);
    assert_eq!(server.asked("f1.filler.test", "DS"), 0);
}
