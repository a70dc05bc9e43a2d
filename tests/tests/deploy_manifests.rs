//! The Kubernetes manifests under deploy/kubernetes/: each parses as YAML, runs
//! the image deploy/container/build.sh tags (`sendlint:VERSION`, the version of
//! crates/sendlint-cli), and runs it without a shell (the image has none).

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The version of the `sendlint-cli` package, read from its Cargo.toml (or the
/// workspace's, when it inherits it), as build.sh tags the image.
fn cli_version() -> String {
    let read = |p: &str| -> toml::Table {
        let text = std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        text.parse().unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let cli = read("crates/sendlint-cli/Cargo.toml");
    let version = &cli["package"]["version"];
    let version = match version.get("workspace") {
        Some(toml::Value::Boolean(true)) => read("Cargo.toml")["workspace"]["package"]["version"].clone(),
        _ => version.clone(),
    };
    version.as_str().expect("a version string").to_owned()
}

/// The tag build.sh gives the image: `sendlint:$version`, where `$version` is
/// what the built binary's `--version` says (the package version).
#[test]
fn build_sh_tags_the_image_with_the_package_version() {
    let build = std::fs::read_to_string(root().join("deploy/container/build.sh")).expect("build.sh");
    assert!(build.contains(r#"-t "sendlint:$version" -t sendlint:latest"#), "build.sh's tags changed");
    assert!(
        build.contains(r#"version=$("$out/sendlint" --version | awk '{print $2}')"#),
        "build.sh's version"
    );
    let test = std::fs::read_to_string(root().join("deploy/container/test.sh")).expect("test.sh");
    assert!(test.contains(r#"image=${1:-sendlint:$version}"#), "test.sh tests another image");
}

fn manifests() -> Vec<(String, Vec<Yaml>)> {
    let dir = root().join("deploy/kubernetes");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("deploy/kubernetes") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        assert!(name.ends_with(".yaml"), "{name}: manifests are .yaml files");
        let text = std::fs::read_to_string(&path).expect("read");
        let docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
        assert!(!docs.is_empty(), "{name} is empty");
        out.push((name, docs));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every container (and init container) anywhere in `doc`.
fn containers<'a>(doc: &'a Yaml, out: &mut Vec<&'a Yaml>) {
    match doc {
        Yaml::Hash(h) => {
            for (k, v) in h {
                if matches!(k.as_str(), Some("containers" | "initContainers")) {
                    out.extend(v.as_vec().into_iter().flatten());
                }
                containers(v, out);
            }
        }
        Yaml::Array(a) => a.iter().for_each(|v| containers(v, out)),
        _ => {}
    }
}

fn strings(v: &Yaml) -> Vec<&str> {
    v.as_vec().into_iter().flatten().map(|s| s.as_str().expect("command and args are strings")).collect()
}

#[test]
fn every_manifest_parses_and_runs_the_built_image_without_a_shell() {
    let image = format!("sendlint:{}", cli_version());
    let manifests = manifests();
    let names: Vec<&str> = manifests.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"audit-indexed-job.yaml") && names.contains(&"serve.yaml"), "{names:?}");
    for (name, docs) in &manifests {
        let mut found = Vec::new();
        for doc in docs {
            assert!(
                doc["apiVersion"].as_str().is_some() && doc["kind"].as_str().is_some(),
                "{name}: {doc:?}"
            );
            containers(doc, &mut found);
        }
        assert!(!found.is_empty(), "{name} runs no container");
        for c in found {
            let what = format!("{name}: container {:?}", c["name"].as_str().unwrap_or("?"));
            assert_eq!(c["image"].as_str(), Some(image.as_str()), "{what}");
            // the image's two binaries, run directly
            let command = strings(&c["command"]);
            assert!(
                matches!(command.as_slice(), ["sendlint" | "sendlint-full"]),
                "{what}: command {command:?} (the image has only sendlint and sendlint-full)"
            );
            for arg in strings(&c["args"]) {
                assert_ne!(arg, "-c", "{what}: a shell's -c");
                assert!(!arg.contains("$?") && !arg.contains("; "), "{what}: shell syntax in {arg:?}");
            }
            let sc = &c["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"].as_bool(), Some(true), "{what}");
            assert_eq!(sc["allowPrivilegeEscalation"].as_bool(), Some(false), "{what}");
        }
    }
}

/// Every pod runs as the image's user (65532), never as root.
#[test]
fn every_pod_runs_as_the_images_non_root_user() {
    fn pod_specs<'a>(doc: &'a Yaml, out: &mut Vec<&'a Yaml>) {
        if let Yaml::Hash(h) = doc {
            for (k, v) in h {
                if k.as_str() == Some("spec") && !v["containers"].is_badvalue() {
                    out.push(v);
                }
                pod_specs(v, out);
            }
        }
    }
    for (name, docs) in manifests() {
        let mut specs = Vec::new();
        docs.iter().for_each(|d| pod_specs(d, &mut specs));
        for spec in specs {
            let sc = &spec["securityContext"];
            assert_eq!(sc["runAsNonRoot"].as_bool(), Some(true), "{name}");
            assert_eq!(sc["runAsUser"].as_i64(), Some(65532), "{name}");
        }
    }
}

/// The audit Job's policy is the flag, not a shell wrapper; serve listens on
/// every address of the pod, which needs the token, from a Secret.
#[test]
fn the_job_uses_the_exit_policy_flag_and_serve_requires_its_token() {
    let manifests = manifests();
    let doc = |file: &str, kind: &str| -> Yaml {
        let (_, docs) = manifests.iter().find(|(n, _)| n == file).expect(file);
        docs.iter()
            .find(|d| d["kind"].as_str() == Some(kind))
            .unwrap_or_else(|| panic!("{file}: no {kind}"))
            .clone()
    };
    let first = |doc: &Yaml| -> Yaml {
        let mut found = Vec::new();
        containers(doc, &mut found);
        found[0].clone()
    };

    let job = first(&doc("audit-indexed-job.yaml", "CronJob"));
    let args = strings(&job["args"]);
    assert_eq!(args.first(), Some(&"audit"));
    assert!(args.contains(&"--exit-zero-on-findings"), "{args:?}");

    let serve = first(&doc("serve.yaml", "Deployment"));
    let args = strings(&serve["args"]);
    assert_eq!(args.first(), Some(&"serve"));
    assert!(args.contains(&"--listen=0.0.0.0:8080"), "{args:?}");
    assert!(args.contains(&"--allowed-host=sendlint"), "the Service's name: {args:?}");
    assert!(!args.iter().any(|a| a.starts_with("--token")), "a token in the arguments: {args:?}");
    let env = serve["env"].as_vec().expect("env");
    let token = env.iter().find(|e| e["name"].as_str() == Some("SENDLINT_TOKEN")).expect("SENDLINT_TOKEN");
    assert!(token["value"].is_badvalue(), "a literal token");
    let secret = &token["valueFrom"]["secretKeyRef"];
    assert!(secret["name"].as_str().is_some() && secret["key"].as_str().is_some(), "{token:?}");
    assert_ne!(secret["optional"].as_bool(), Some(true), "the pod must not start without its token");
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(serve[probe]["httpGet"]["path"].as_str(), Some("/healthz"), "{probe}");
    }
    let service = doc("serve.yaml", "Service");
    assert_eq!(service["metadata"]["name"].as_str(), Some("sendlint"), "--allowed-host=sendlint names it");
}
