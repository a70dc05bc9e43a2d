//! The system resolver path: what `sendlint check` uses with neither `--zone`
//! nor `--nameserver` (`LiveSource::system` reads /etc/resolv.conf).
//!
//! resolv.conf has no port, so the server must be on port 53 and resolv.conf
//! must name it. The test re-runs itself inside private network and mount
//! namespaces (`unshare -n -m`, as root: CI runs as root), where it serves DNS
//! on 127.0.0.1:53 and bind-mounts its own resolv.conf over /etc/resolv.conf;
//! neither is visible outside the namespaces, and nothing leaves loopback.

use std::process::Command;

use sendlint_dns::{Answer, LiveOptions, LiveSource, Lookup, RData, RecordType, ZoneSource};
use sendlint_records::name::DomainName;
use sendlint_testdns::{Mode, TestServer};

const INNER: &str = "SENDLINT_SYSTEM_RESOLVER_INNER";
const TEST: &str = "the_system_resolver_reads_resolv_conf_and_asks_its_server";

const ZONE: &str = r#"$ORIGIN acme.test.
$TTL 300
@            SOA  ns1.acme.test. hostmaster.acme.test. 1 3600 600 604800 300
@            NS   ns1.acme.test.
send.mail    TXT  "v=spf1 include:amazonses.com ~all"
"#;

fn succeeds(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_system_resolver_reads_resolv_conf_and_asks_its_server() {
    if std::env::var_os(INNER).is_some() {
        inside_the_namespaces();
        return;
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !root || !succeeds(Command::new("unshare").arg("--version")) || !succeeds(Command::new("ip").arg("-V"))
    {
        eprintln!("skipped: needs root, unshare(1) and ip(8) (CI has them)");
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new("unshare")
        .args(["-n", "-m", "--"])
        .arg(exe)
        .args(["--exact", TEST, "--nocapture"])
        .env(INNER, "1")
        .output()
        .expect("unshare runs");
    assert!(
        out.status.success(),
        "inside the namespaces:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"), "the inner test did not run");
}

fn inside_the_namespaces() {
    assert!(succeeds(Command::new("ip").args(["link", "set", "lo", "up"])), "loopback up");
    let dir = tempfile::Builder::new().prefix("sendlint-resolv-").tempdir().expect("tmp dir");
    let conf = dir.path().join("resolv.conf");
    std::fs::write(&conf, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n").expect("resolv.conf");
    assert!(
        succeeds(Command::new("mount").arg("--bind").arg(&conf).arg("/etc/resolv.conf")),
        "bind-mount resolv.conf (private to this mount namespace)"
    );
    let zones = ZoneSource::from_text("acme.test.zone", ZONE, None).expect("zone");
    let _server = TestServer::start_at("127.0.0.1:53".parse().expect("addr"), &zones, Mode::Normal)
        .expect("DNS on 127.0.0.1:53");

    let live = LiveSource::system(LiveOptions::default()).expect("the system resolver from resolv.conf");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let name = DomainName::parse("send.mail.acme.test").expect("name");
    match rt.block_on(live.lookup(&name, RecordType::Txt)) {
        Answer::Records { records, .. } => {
            let txt: Vec<Vec<u8>> = records
                .iter()
                .filter_map(|r| match r {
                    RData::Txt(t) => Some(t.data()),
                    _ => None,
                })
                .collect();
            assert_eq!(txt, [b"v=spf1 include:amazonses.com ~all".to_vec()]);
        }
        other => panic!("expected the SPF record, got {other:?}"),
    }
    // A name the server does not serve is a lookup failure naming the system resolver.
    let elsewhere = DomainName::parse("example.invalid").expect("name");
    match rt.block_on(live.lookup(&elsewhere, RecordType::Txt)) {
        Answer::Failed(e) => assert!(e.to_string().contains("system resolver"), "{e}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}
