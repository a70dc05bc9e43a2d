//! Loading zone files: the five demo zones a `check` reads, and the 1,700-odd
//! files of a generated 2,000-domain workspace. Each text set is loaded from
//! memory by the fast path (`from_text`) and by the hickory path alone
//! (`from_text_via_hickory`, what every file took before), in one process;
//! the directories are loaded from disk as `--zone DIR` does.
//!
//! `cargo bench --profile release -p sendlint-dns --bench zone_load`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sendlint_dns::ZoneSource;
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The zone directory of a 2,000-domain workspace (bench/gen-workspace.py,
/// seed 7), generated once.
fn workspace_zones() -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zone-load-ws2000");
    if !out.join("zones").is_dir() {
        let status = std::process::Command::new("python3")
            .arg(root().join("bench/gen-workspace.py"))
            .args(["--domains", "2000", "--seed", "7", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("python3 runs");
        assert!(status.success(), "gen-workspace.py failed");
    }
    out.join("zones")
}

/// (file name, text, origin from the file name) of every zone file in `dir`.
fn texts(dir: &Path) -> Vec<(String, String, Option<String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("zone dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "zone"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let origin = name.strip_suffix(".zone").map(str::to_owned);
            let text = std::fs::read_to_string(&p).expect("zone text");
            (name, text, origin)
        })
        .collect()
}

fn load_all(
    texts: &[(String, String, Option<String>)],
    load: fn(&str, &str, Option<&str>) -> Result<ZoneSource, sendlint_dns::ZoneError>,
) -> ZoneSource {
    let mut source = ZoneSource::new();
    for (name, text, origin) in texts {
        source.add(load(name, text, origin.as_deref()).expect("zone loads"));
    }
    source
}

fn bench(c: &mut Criterion) {
    for (label, dir) in [("demo", root().join("fixtures/demo/zones")), ("ws2000", workspace_zones())] {
        let texts = texts(&dir);
        let bytes: usize = texts.iter().map(|(_, t, _)| t.len()).sum();
        // both paths give the same zones
        let fast = format!("{:?}", load_all(&texts, ZoneSource::from_text).zones());
        assert_eq!(fast, format!("{:?}", load_all(&texts, ZoneSource::from_text_via_hickory).zones()));

        let mut g = c.benchmark_group(format!("zone_load/{label}"));
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("text/fast", |b| b.iter(|| black_box(load_all(&texts, ZoneSource::from_text))));
        g.bench_function("text/hickory", |b| {
            b.iter(|| black_box(load_all(&texts, ZoneSource::from_text_via_hickory)))
        });
        let dirs = [dir.clone()];
        g.bench_function("dir", |b| b.iter(|| black_box(ZoneSource::from_files(&dirs).expect("zones"))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
