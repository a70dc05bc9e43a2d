//! `sendlint serve` argument checks, against the real binary.

mod common;

use common::{sendlint, stderr};

#[test]
fn serve_refuses_a_non_loopback_address_without_a_token() {
    let out = sendlint(&["serve", "--zone", "fixtures/demo/zones", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("refusing to listen on 0.0.0.0:0") && err.contains("--token"), "{err}");
}

#[test]
fn serve_reports_a_bad_manifest_before_listening() {
    let out = sendlint(&["serve", "Cargo.toml", "--zone", "fixtures/demo/zones", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a workspace manifest"), "{}", stderr(&out));
}
