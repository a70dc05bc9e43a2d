//! Reading zone files: directories (parsed in parallel when large), one file,
//! one text (the fast path first, else hickory's parser in slices).

use super::error::{find_name_span, json_start, locate_error, parse_hickory, scan_error};
use super::hickory::{BadName, Chunk, assemble, build_zone, load_chunked};
use super::{NO_ORIGIN, ZONE_EXTENSIONS, ZoneError, ZoneSource, ZoneSyntaxError, fast, signed};
use crate::zonetext;
use hickory_proto::rr::Name;
use rayon::prelude::*;
use sendlint_records::name::DomainName;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Below this many files a directory is parsed on the calling thread.
const PARALLEL_LOAD_MIN_FILES: usize = 32;

impl ZoneSource {
    /// Loads zone files. A path may be a directory: every `*.zone`, `*.db` and
    /// `*.txt` file in it is loaded, in name order. A file named after its zone
    /// (`acme.test.zone`) gets that name as its default origin.
    pub fn from_files(paths: &[PathBuf]) -> Result<ZoneSource, ZoneError> {
        let mut source = ZoneSource::new();
        for path in paths {
            let io = |source| ZoneError::Io { path: path.clone(), source };
            if path.is_dir() {
                let mut files = Vec::new();
                for entry in std::fs::read_dir(path).map_err(io)? {
                    let entry = entry.map_err(io)?;
                    let file = entry.path();
                    let wanted = file
                        .extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| ZONE_EXTENSIONS.iter().any(|z| z.eq_ignore_ascii_case(e)));
                    // the directory listing knows the type: no stat per file,
                    // except to follow a symlink
                    let is_file = entry.file_type().is_ok_and(|t| t.is_file())
                        || entry.file_type().is_ok_and(|t| t.is_symlink()) && file.is_file();
                    if wanted && is_file {
                        files.push(file);
                    }
                }
                files.sort();
                // A workspace directory holds thousands of files: parse them
                // on rayon's pool (`audit --threads` sizes it), merge in name
                // order, report the first error in name order.
                // A handful of files (a `check`) parse faster here than it
                // takes to start the pool's threads.
                let loaded: Vec<Result<ZoneSource, ZoneError>> = if files.len() <= PARALLEL_LOAD_MIN_FILES {
                    files.iter().map(|file| ZoneSource::from_file(file)).collect()
                } else {
                    files.par_iter().map(|file| ZoneSource::from_file(file)).collect()
                };
                for one in loaded {
                    source.add(one?);
                }
            } else {
                source.add(ZoneSource::from_file(path)?);
            }
        }
        Ok(source)
    }

    fn from_file(path: &Path) -> Result<ZoneSource, ZoneError> {
        // The one input guard (sendlint_records::input): regular files only, size capped.
        let bytes = sendlint_records::input::read_bytes(path, sendlint_records::input::InputKind::Zone)
            .map_err(|e| match e {
                sendlint_records::input::InputError::Io { source, .. } => {
                    ZoneError::Io { path: path.to_path_buf(), source }
                }
                other => {
                    ZoneError::Io { path: path.to_path_buf(), source: std::io::Error::other(other.reason()) }
                }
            })?;
        let display = path.display().to_string();
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Err(ZoneSyntaxError::error(
                    &display,
                    &text,
                    at..at,
                    "zone file is not valid UTF-8".into(),
                    "invalid byte".into(),
                    "Write bytes that are not UTF-8 as `\\DDD` escapes (e.g. `\\255`).".into(),
                ));
            }
        };
        let origin = path.file_name().and_then(|n| n.to_str()).and_then(|n| {
            let (stem, ext) = n.rsplit_once('.')?;
            let known = ZONE_EXTENSIONS.iter().any(|z| z.eq_ignore_ascii_case(ext));
            (known && stem.contains('.') && DomainName::parse(stem).is_ok()).then_some(stem)
        });
        ZoneSource::from_text(&display, &text, origin)
    }

    /// Loads one zone file's text. `name` names it in errors; `origin` is the
    /// origin for relative names until a `$ORIGIN` line (required when the
    /// text has no `$ORIGIN`).
    pub fn from_text(name: &str, text: &str, origin: Option<&str>) -> Result<ZoneSource, ZoneError> {
        ZoneSource::load_text(name, text, origin, true)
    }

    /// [`ZoneSource::from_text`] without the fast path: every file through
    /// hickory's parser. For tests and benchmarks that compare.
    #[doc(hidden)]
    pub fn from_text_via_hickory(
        name: &str,
        text: &str,
        origin: Option<&str>,
    ) -> Result<ZoneSource, ZoneError> {
        ZoneSource::load_text(name, text, origin, false)
    }

    fn load_text(name: &str, text: &str, origin: Option<&str>, fast: bool) -> Result<ZoneSource, ZoneError> {
        let origin_name = match origin {
            Some(o) => {
                let bad = |reason: String| ZoneError::Origin {
                    file: name.to_owned(),
                    origin: o.to_owned(),
                    reason,
                };
                DomainName::parse(o).map_err(|e| bad(e.to_string()))?;
                Some(Name::from_str(o).map_err(|e| bad(e.to_string()))?)
            }
            None => Name::from_str(NO_ORIGIN).ok(),
        };
        if let Some(at) = json_start(text) {
            return Err(ZoneSyntaxError::error(
                name,
                text,
                at..at,
                "this is JSON, not a zone file".into(),
                "JSON starts here".into(),
                "`--zone` takes DNS zone files (lines of `NAME [TTL] [CLASS] TYPE DATA`); a workspace manifest is the argument of `sendlint audit`.".into(),
            ));
        }
        let entries = zonetext::scan_entries(text).map_err(|e| scan_error(name, text, e))?;
        // A signed zone file: its DNSSEC records are read apart, the rest as
        // any zone file, from a copy without them (see `signed`).
        if let Some((rewritten, records)) = signed::set_aside(name, text, &entries, origin)? {
            drop(entries);
            let mut source = ZoneSource::load_text(name, &rewritten, origin, fast)?;
            for zone in source.zones.values_mut() {
                zone.keep_signatures(records.clone());
            }
            return Ok(source);
        }
        if fast && let Some((converted, soa)) = fast::load(text, &entries, origin) {
            // the entries are only for errors: free them before the index grows
            drop(entries);
            return Ok(ZoneSource::of(assemble(converted, soa, origin)));
        }
        let scanned = zonetext::normalize_all(text, entries).map_err(|e| scan_error(name, text, e))?;
        let bad_name = |bad: BadName| {
            let span = find_name_span(text, &scanned, &bad.name);
            ZoneSyntaxError::error(
                name,
                text,
                span,
                format!("cannot use the name `{}`: {}", bad.name, bad.why),
                "this name".into(),
                bad.help.into(),
            )
        };
        let zone = match load_chunked(&scanned, origin_name.clone(), origin) {
            Ok((converted, soa)) => {
                // the scanned text is only for errors: free it before the index grows
                drop(scanned);
                assemble(converted, soa, origin)
            }
            Err(Chunk::BadName(bad)) => return Err(bad_name(bad)),
            Err(Chunk::Hickory) => {
                // a chunk failed: the whole text at once gives the error, and
                // its position, exactly as hickory sees the file
                let records = parse_hickory(&scanned, origin_name.clone())
                    .map_err(|message| locate_error(name, text, &scanned, origin_name, &message))?;
                build_zone(&records, origin).map_err(bad_name)?
            }
        };
        Ok(ZoneSource::of(zone))
    }
}
