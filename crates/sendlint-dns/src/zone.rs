//! [`ZoneSource`]: answers from zone files, offline, like an authoritative server.

use crate::zonetext::{self, Entry, ScanError, Scanned};
use crate::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RData, RecordType, Soa};
use hickory_proto::rr::{self as hrr, Name, RecordSet, RrKey};
use hickory_proto::serialize::txt::Parser;
use miette::{Diagnostic, NamedSource, SourceSpan};
use rayon::prelude::*;
use sendlint_records::display::terminal_safe;
use sendlint_records::mx::MxRecord;
use sendlint_records::name::{DomainName, NameMap};
use sendlint_records::txt::TxtRecord;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;

mod fast;

/// The `server` of lookup errors from zone files.
pub(crate) const SERVER: &str = "zone files";

/// How the detail of a lookup no loaded zone covers starts.
pub(crate) const NO_ZONE_FILE: &str = "no zone file covers";

/// How many CNAMEs a lookup follows before giving up.
const MAX_CNAMES: usize = 8;

/// The origin hickory is given when there is none, so that relative names can
/// be caught and pointed at (hickory would silently root them).
const NO_ORIGIN: &str = "no-origin.sendlint.invalid.";

/// A name in the zone that cannot be used.
struct BadName {
    name: String,
    why: String,
    help: &'static str,
}

/// File extensions loaded from a directory given to [`ZoneSource::from_files`].
const ZONE_EXTENSIONS: [&str; 3] = ["zone", "db", "txt"];

/// A zone file that could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ZoneError {
    /// The file (or directory) could not be read.
    // the OS error is the source: miette prints it once, below
    #[error("cannot read zone file {}", path.display())]
    #[diagnostic(code(sendlint::zone::io))]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The origin given for a zone file is not a domain name.
    #[error("invalid origin `{origin}` for zone file {file}: {reason}")]
    #[diagnostic(code(sendlint::zone::origin))]
    Origin {
        /// The file.
        file: String,
        /// The origin given.
        origin: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The text is not a valid zone file; points at the line.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<ZoneSyntaxError>),
}

impl ZoneError {
    /// 1-based line and column of the fault, for syntax errors.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ZoneError::Syntax(e) => Some((e.line, e.column)),
            _ => None,
        }
    }
}

/// A fault in the text of a zone file, with a label on the line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sendlint::zone::syntax))]
pub struct ZoneSyntaxError {
    /// What is wrong.
    pub message: String,
    /// The file name and text.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// Where.
    #[label("{label}")]
    pub span: SourceSpan,
    /// The label text.
    pub label: String,
    /// What to do.
    #[help]
    pub help: String,
    /// The file name as given.
    pub file: String,
    /// 1-based line of the label's start.
    pub line: usize,
    /// 1-based column (in characters) of the label's start.
    pub column: usize,
}

impl ZoneSyntaxError {
    fn error(
        file: &str,
        text: &str,
        span: Range<usize>,
        message: String,
        label: String,
        help: String,
    ) -> ZoneError {
        // A zero-length label at the very end is dropped by miette's graphical
        // handler: widen empty spans to one character (or the last one).
        let mut span = span.start.min(text.len())..span.end.min(text.len());
        if span.is_empty() {
            if let Some(c) = text.get(span.start..).and_then(|r| r.chars().next()) {
                span.end = span.start + c.len_utf8();
            } else if let Some((i, _)) = text.char_indices().next_back() {
                span = i..text.len();
            }
        }
        let (line, column) = zonetext::line_col(text, span.start);
        ZoneError::Syntax(Box::new(ZoneSyntaxError {
            message,
            source_code: NamedSource::new(file, terminal_safe(text).into_owned()),
            span: SourceSpan::from(span.start..span.end),
            label,
            help,
            file: file.to_owned(),
            line,
            column,
        }))
    }
}

/// The records of one type at one name.
#[derive(Clone, Debug)]
struct RrSet {
    rtype: RecordType,
    ttl: u32,
    records: Vec<RData>,
}

/// Everything at one name.
#[derive(Clone, Debug, Default)]
struct Node {
    sets: Vec<RrSet>,
    /// Records of types sendlint does not ask for (CAA, SRV, …): the name exists.
    other_types: bool,
}

impl Node {
    fn set(&self, rtype: RecordType) -> Option<&RrSet> {
        self.sets.iter().find(|s| s.rtype == rtype)
    }

    fn add(&mut self, set: RrSet) {
        match self.sets.iter_mut().find(|s| s.rtype == set.rtype) {
            Some(existing) => {
                existing.ttl = existing.ttl.min(set.ttl);
                for r in set.records {
                    if !existing.records.contains(&r) {
                        existing.records.push(r);
                    }
                }
            }
            None => self.sets.push(set),
        }
    }
}

/// A name as a zone indexes it: the labels in wire form (each after its
/// length octet), ASCII lower-cased, in one allocation (a [`DomainName`]
/// holds one per label: a million names cost hundreds of MB more).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key(Box<[u8]>);

impl Key {
    fn of(name: &DomainName) -> Key {
        Key(name.wire().to_ascii_lowercase().into_boxed_slice())
    }

    /// The name with its first label removed (`None` for the root).
    fn parent(&self) -> Option<Key> {
        let (&len, tail) = self.0.split_first()?;
        Some(Key(tail.get(usize::from(len)..).unwrap_or_default().into()))
    }

    /// True when `self` equals `other` or lies below it (at a label boundary).
    fn is_subdomain_of(&self, other: &Key) -> bool {
        let mut at = 0;
        loop {
            if self.0.get(at..) == Some(&other.0[..]) {
                return true;
            }
            match self.0.get(at) {
                Some(&len) => at += 1 + usize::from(len),
                None => return false,
            }
        }
    }

    /// The name back (lower-cased).
    fn name(&self) -> DomainName {
        let mut labels = Vec::new();
        let mut rest = &self.0[..];
        while let Some((&len, tail)) = rest.split_first() {
            let (label, after) = tail.split_at(usize::from(len).min(tail.len()));
            labels.push(label);
            rest = after;
        }
        DomainName::from_labels(labels).unwrap_or_default()
    }
}

/// One loaded zone.
#[derive(Clone, Debug)]
struct Zone {
    apex: DomainName,
    soa: Option<Soa>,
    nodes: NameMap<Key, Node>,
    /// Empty non-terminals: names with no records but records below them.
    ents: HashSet<Key>,
    /// Delegation points below the apex (NS records).
    cuts: HashSet<Key>,
}

/// What one zone says about one name, before CNAMEs are followed.
enum Step {
    Found { records: Vec<RData>, ttl: u32 },
    Alias { target: DomainName, ttl: u32 },
    NoData,
    NxDomain,
    Delegated(DomainName),
}

impl Zone {
    fn new(apex: DomainName) -> Zone {
        Zone { apex, soa: None, nodes: NameMap::default(), ents: HashSet::new(), cuts: HashSet::new() }
    }

    /// Adds `set` (or, with `None`, records of other types) at `name`; `apex`
    /// is the key of `self.apex`.
    fn insert_key(&mut self, name: Key, apex: &Key, set: Option<RrSet>) {
        if let Some(set) = &set
            && set.rtype == RecordType::Ns
            && name != *apex
        {
            self.cuts.insert(name.clone());
        }
        let mut parent = name.parent();
        while let Some(p) = parent {
            if p == *apex || !p.is_subdomain_of(apex) {
                break;
            }
            parent = p.parent();
            if !self.ents.insert(p) {
                // its parents are in already
                break;
            }
        }
        let node = self.nodes.entry(name).or_default();
        match set {
            Some(set) => node.add(set),
            None => node.other_types = true,
        }
    }

    fn merge(&mut self, other: Zone) {
        if self.soa.is_none() {
            self.soa = other.soa;
        }
        let apex = Key::of(&self.apex);
        for (key, node) in other.nodes {
            let other_types = node.other_types;
            for set in node.sets {
                self.insert_key(key.clone(), &apex, Some(set));
            }
            if other_types {
                self.insert_key(key, &apex, None);
            }
        }
    }

    fn exists(&self, name: &DomainName) -> bool {
        let key = Key::of(name);
        *name == self.apex || self.nodes.contains_key(&key) || self.ents.contains(&key)
    }

    fn resolve(&self, name: &DomainName, rtype: RecordType) -> Step {
        // below a zone cut the data is not ours to give (the NS set at the cut
        // itself is answered, like a referral would carry it)
        let mut at = Some(name.clone());
        while let Some(n) = at {
            if n == self.apex {
                break;
            }
            if self.cuts.contains(&Key::of(&n)) && !(n == *name && rtype == RecordType::Ns) {
                return Step::Delegated(n);
            }
            at = n.parent();
        }

        if let Some(node) = self.nodes.get(&Key::of(name)) {
            return Self::node_step(node, rtype);
        }
        if self.exists(name) {
            return Step::NoData;
        }
        // RFC 4592: the source of synthesis is `*.<closest encloser>`
        let mut encloser = name.parent();
        while let Some(ce) = encloser {
            if self.exists(&ce) || !ce.is_subdomain_of(&self.apex) {
                let wildcard = ce.prepend_label(b"*").ok();
                return match wildcard.as_ref().and_then(|w| self.nodes.get(&Key::of(w))) {
                    Some(node) => Self::node_step(node, rtype),
                    None => Step::NxDomain,
                };
            }
            encloser = ce.parent();
        }
        Step::NxDomain
    }

    fn node_step(node: &Node, rtype: RecordType) -> Step {
        if let Some(set) = node.set(rtype) {
            return Step::Found { records: set.records.clone(), ttl: set.ttl };
        }
        if rtype != RecordType::Cname
            && let Some(set) = node.set(RecordType::Cname)
            && let Some(RData::Cname(target)) = set.records.first()
        {
            return Step::Alias { target: target.clone(), ttl: set.ttl };
        }
        Step::NoData
    }
}

/// One loaded zone, as [`ZoneSource::zones`] gives it.
#[derive(Clone, Debug)]
pub struct ZoneData {
    /// The apex.
    pub apex: DomainName,
    /// The SOA, when the file has one.
    pub soa: Option<Soa>,
    /// Every RRset of the types sendlint reads: owner, TTL, records in file order.
    pub rrsets: Vec<(DomainName, u32, Vec<RData>)>,
    /// Names that also hold records of other types (CAA, SRV, …), not kept.
    pub other_names: Vec<DomainName>,
}

/// Answers from zone files, offline, with the semantics of an authoritative
/// server for the loaded zones.
///
/// - The zone with the longest apex containing the name answers; a name in no
///   loaded zone is [`Answer::Failed`] with [`FailureKind::NotCovered`], as is a
///   name delegated (by NS records) out of the loaded zones.
/// - An exact match answers its records (TXT strings byte-exact, `\DDD` escapes
///   decoded); a CNAME there is followed for other types (within the loaded
///   zones, loop-safe, at most 8 links) and reported in `cnames`. A chain that
///   leaves the loaded zones ends in `Records` with no records and the chain.
/// - A name that exists with other types, or an empty non-terminal, is
///   `NoData`; else a `*.` wildcard at the closest encloser answers (RFC 4592);
///   else `NxDomain`. Negative answers carry the zone's SOA.
///
/// The zone apex is the owner of the file's SOA; a file without SOA uses the
/// origin given, else the longest suffix common to its names.
#[derive(Clone, Debug, Default)]
pub struct ZoneSource {
    zones: NameMap<DomainName, Zone>,
    /// What "not covered" messages say was loaded: made once, on the first
    /// miss (an audit of a big workspace misses many times).
    loaded: std::sync::OnceLock<String>,
}

/// How many loaded zones a "not covered" message names before "and N more":
/// enough to spot a typo in a small run, bounded in a run of 20,000 zones.
const LOADED_NAMED: usize = 5;

/// Above this many loaded zones a miss suggests no "did you mean" zone.
const SUGGEST_MAX_ZONES: usize = 1_000;

/// Edits between `a` and `b`: insertions, deletions, substitutions and swaps of
/// two neighbours (optimal string alignment), the slips of typing a name.
fn typo_distance(a: &[u8], b: &[u8]) -> usize {
    let mut rows: Vec<Vec<usize>> = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// Below this many files a directory is parsed on the calling thread.
const PARALLEL_LOAD_MIN_FILES: usize = 32;

impl ZoneSource {
    /// No zones: every lookup is `NotCovered`.
    pub fn new() -> ZoneSource {
        ZoneSource::default()
    }

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

    fn of(zone: Option<Zone>) -> ZoneSource {
        let mut source = ZoneSource::new();
        if let Some(zone) = zone {
            source.zones.insert(zone.apex.clone(), zone);
        }
        source
    }

    /// Adds the zones of `other`; zones with the same apex are merged.
    pub fn add(&mut self, other: ZoneSource) {
        self.loaded = std::sync::OnceLock::new();
        for (apex, zone) in other.zones {
            match self.zones.get_mut(&apex) {
                Some(existing) => existing.merge(zone),
                None => {
                    self.zones.insert(apex, zone);
                }
            }
        }
    }

    /// The apexes of the loaded zones, sorted by their text.
    pub fn apexes(&self) -> Vec<DomainName> {
        let mut apexes: Vec<DomainName> = self.zones.keys().cloned().collect();
        apexes.sort_by_cached_key(ToString::to_string);
        apexes
    }

    /// `loaded: a.test, b.test` (the first [`LOADED_NAMED`] apexes in name
    /// order, then how many more), or `none loaded`.
    fn loaded_summary(&self) -> String {
        let apexes = self.apexes();
        if apexes.is_empty() {
            return "none loaded".to_owned();
        }
        let named: Vec<String> = apexes.iter().take(LOADED_NAMED).map(ToString::to_string).collect();
        let mut text = format!("loaded: {}", named.join(", "));
        if apexes.len() > LOADED_NAMED {
            text.push_str(&format!(" and {} more", apexes.len() - LOADED_NAMED));
        }
        text
    }

    /// A name no loaded zone covers, with its tail replaced by the loaded apex
    /// it most likely meant (a typo: `mail.acme.tset` → `mail.acme.test`
    /// when `acme.test` is loaded), if one is close enough. Not looked for in
    /// runs of more than [`SUGGEST_MAX_ZONES`] zones (each miss scans them all).
    fn suggest(&self, name: &DomainName) -> Option<DomainName> {
        if self.zones.len() > SUGGEST_MAX_ZONES {
            return None;
        }
        let labels: Vec<&[u8]> = name.labels().collect();
        let mut best: Option<(usize, String, DomainName)> = None;
        for apex in self.zones.keys() {
            let n = apex.label_count();
            if n == 0 || n > labels.len() {
                continue;
            }
            let Ok(tail) = DomainName::from_labels(labels[labels.len() - n..].iter().copied()) else {
                continue;
            };
            let (tail_text, apex_text) =
                (tail.to_string().to_ascii_lowercase(), apex.to_string().to_ascii_lowercase());
            // one slip in a short name, about one in four characters in a long one
            let most = 1.max(apex_text.len() / 4);
            if tail_text.len().abs_diff(apex_text.len()) > most {
                continue;
            }
            let distance = typo_distance(tail_text.as_bytes(), apex_text.as_bytes());
            if distance == 0 || distance > most {
                continue;
            }
            if best.as_ref().is_some_and(|(d, text, _)| (*d, text.as_str()) <= (distance, apex_text.as_str()))
            {
                continue;
            }
            let Ok(head) = DomainName::from_labels(labels[..labels.len() - n].iter().copied()) else {
                continue;
            };
            let Ok(meant) = head.join(apex) else { continue };
            best = Some((distance, apex_text, meant));
        }
        best.map(|(_, _, meant)| meant)
    }

    /// The loaded zone with the longest apex containing `name`.
    fn zone_for(&self, name: &DomainName) -> Option<&Zone> {
        let mut at = Some(name.clone());
        while let Some(n) = at {
            if let Some(zone) = self.zones.get(&n) {
                return Some(zone);
            }
            at = n.parent();
        }
        None
    }

    /// The loaded zones' data, apex order, e.g. to serve them from a test server.
    pub fn zones(&self) -> Vec<ZoneData> {
        self.apexes()
            .into_iter()
            .filter_map(|apex| self.zones.get(&apex))
            .map(|zone| {
                let mut names: Vec<(DomainName, &Node)> =
                    zone.nodes.iter().map(|(k, node)| (k.name(), node)).collect();
                names.sort_by_cached_key(|(n, _)| n.to_string());
                let mut rrsets = Vec::new();
                let mut other_names = Vec::new();
                for (name, node) in names {
                    for set in &node.sets {
                        rrsets.push((name.clone(), set.ttl, set.records.clone()));
                    }
                    if node.other_types {
                        other_names.push(name.clone());
                    }
                }
                ZoneData { apex: zone.apex.clone(), soa: zone.soa.clone(), rrsets, other_names }
            })
            .collect()
    }

    /// Answers one question synchronously (what [`Lookup::lookup`] returns).
    pub fn answer(&self, name: &DomainName, rtype: RecordType) -> Answer {
        let mut current = name.clone();
        let mut cnames: Vec<(DomainName, DomainName)> = Vec::new();
        let mut ttl = u32::MAX;
        loop {
            let Some(zone) = self.zone_for(&current) else {
                if cnames.is_empty() {
                    let loaded = self.loaded.get_or_init(|| self.loaded_summary());
                    let detail = match self.suggest(name) {
                        Some(close) => format!("{NO_ZONE_FILE} {name} ({loaded}): did you mean {close}?"),
                        None => format!("{NO_ZONE_FILE} {name} ({loaded})"),
                    };
                    return Answer::Failed(LookupError::new(
                        FailureKind::NotCovered,
                        SERVER,
                        name,
                        rtype,
                        detail,
                    ));
                }
                return Answer::Records { records: Vec::new(), cnames, ttl };
            };
            match zone.resolve(&current, rtype) {
                Step::Found { records, ttl: t } => {
                    return Answer::Records { records, cnames, ttl: ttl.min(t) };
                }
                Step::Alias { target, ttl: t } => {
                    if target == *name || cnames.iter().any(|(alias, _)| *alias == target) {
                        let mut chain: Vec<String> = vec![name.to_string()];
                        chain.extend(cnames.iter().map(|(_, t)| t.to_string()));
                        chain.push(target.to_string());
                        return Answer::Failed(LookupError::new(
                            FailureKind::Other,
                            SERVER,
                            name,
                            rtype,
                            format!("CNAME loop: {}", chain.join(" → ")),
                        ));
                    }
                    if cnames.len() >= MAX_CNAMES {
                        return Answer::Failed(LookupError::new(
                            FailureKind::Other,
                            SERVER,
                            name,
                            rtype,
                            format!("CNAME chain longer than {MAX_CNAMES} links"),
                        ));
                    }
                    ttl = ttl.min(t);
                    cnames.push((current, target.clone()));
                    current = target;
                }
                Step::NoData => {
                    return Answer::NoData { soa: zone.soa.clone(), cnames };
                }
                Step::NxDomain => {
                    return Answer::NxDomain { soa: zone.soa.clone(), cnames };
                }
                Step::Delegated(cut) => {
                    if !cnames.is_empty() {
                        return Answer::Records { records: Vec::new(), cnames, ttl };
                    }
                    let servers = zone
                        .nodes
                        .get(&Key::of(&cut))
                        .and_then(|n| n.set(RecordType::Ns))
                        .map(|s| {
                            s.records
                                .iter()
                                .map(|r| match r {
                                    RData::Ns(ns) => ns.to_string(),
                                    _ => String::new(),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    return Answer::Failed(LookupError::new(
                        FailureKind::NotCovered,
                        SERVER,
                        name,
                        rtype,
                        format!("{cut} is delegated to {servers}, and no zone file for it is loaded"),
                    ));
                }
            }
        }
    }
}

impl Lookup for ZoneSource {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(std::future::ready(self.answer(name, rtype)))
    }
}

type HickoryRecords = BTreeMap<RrKey, RecordSet>;

/// Runs hickory's parser over the normalized lines `..count` (all when `None`).
fn parse_lines(
    scanned: &Scanned,
    count: Option<usize>,
    origin: Option<Name>,
) -> Result<HickoryRecords, String> {
    let lines = &scanned.lines[..count.unwrap_or(scanned.lines.len()).min(scanned.lines.len())];
    let mut text = lines.join("\n");
    text.push('\n');
    // hickory's parser is not ours to audit line by line: a panic on hostile
    // input becomes an error, never a crash
    match catch_unwind(AssertUnwindSafe(|| Parser::new(text, None, origin).parse())) {
        Ok(Ok((_, records))) => Ok(records),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the zone parser failed on this record".to_owned()),
    }
}

/// Where a JSON document starts, when the text is one (`{` or `[` first):
/// no zone file starts that way.
fn json_start(text: &str) -> Option<usize> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    trimmed.starts_with(['{', '[']).then(|| text.len() - trimmed.len())
}

/// hickory's message in words for people: its IDNA check of a label prints
/// the Debug form of an internal error (`Err(Errors)`).
fn readable(message: &str) -> String {
    if message.contains("Label contains invalid characters") {
        return "a name holds a character a label cannot hold as is (write it as a `\\DDD` escape, e.g. `\\032` for a space)".into();
    }
    message.replace(": Err(Errors)", "").replace("Err(Errors)", "")
}

fn parse_hickory(scanned: &Scanned, origin: Option<Name>) -> Result<HickoryRecords, String> {
    parse_lines(scanned, None, origin)
}

fn scan_error(file: &str, text: &str, e: ScanError) -> ZoneError {
    ZoneSyntaxError::error(file, text, e.span, e.message, e.label, e.help)
}

/// Finds the entry that makes hickory fail with `message`: the shortest
/// prefix of entries that fails the same way (parsing is sequential, so the
/// predicate is monotone), found by bisection.
fn locate_error(file: &str, text: &str, scanned: &Scanned, origin: Option<Name>, message: &str) -> ZoneError {
    let fails_same =
        |k: usize| parse_lines(scanned, Some(k), origin.clone()).err().as_deref() == Some(message);
    let n = scanned.entries.len();
    if n == 0 || fails_same(0) {
        // a whole-file fault such as a missing $ORIGIN: point at the first record
        let first = scanned.entries.iter().find(|e| !e.tokens.is_empty()).map_or(0..0, Entry::content_span);
        let help = if message.contains("$ORIGIN") {
            "Add `$ORIGIN example.com.` before the first record, or name the file after its zone (`example.com.zone`).".to_owned()
        } else {
            general_help(message)
        };
        return ZoneSyntaxError::error(
            file,
            text,
            first,
            format!("invalid zone file: {}", readable(message)),
            "while reading from here".into(),
            help,
        );
    }
    let (mut lo, mut hi) = (1, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fails_same(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let span = match scanned.entries.get(lo.saturating_sub(1)) {
        Some(entry) => {
            offending_token(text, entry, message).unwrap_or_else(|| fallback_span(text, entry, message))
        }
        None => 0..0,
    };
    ZoneSyntaxError::error(
        file,
        text,
        span,
        format!("invalid record: {}", readable(message)),
        "this record".into(),
        general_help(message),
    )
}

/// Without a named token: the record data for data errors (bad address,
/// number, …), else the whole record.
fn fallback_span(text: &str, entry: &Entry, message: &str) -> Range<usize> {
    let m = message.to_ascii_lowercase();
    let whole = ["not specified", "missing", "label", "dollar"];
    if whole.iter().any(|w| m.contains(w)) {
        return entry.content_span();
    }
    let data = zonetext::type_index(text, entry)
        .and_then(|i| Some((entry.tokens.get(i + 1)?, entry.tokens.last()?)));
    match data {
        Some((first, last)) => first.span.start..last.span.end,
        None => entry.content_span(),
    }
}

/// The token the error message names, when it names one (as a whole word).
fn offending_token(text: &str, entry: &Entry, message: &str) -> Option<Range<usize>> {
    let lower = message.to_ascii_lowercase();
    let mut best: Option<&zonetext::Token> = None;
    for tok in &entry.tokens {
        let raw = &text[tok.span.clone()];
        // `IN` would match the word "in" of many messages
        if zonetext::is_class(raw) {
            continue;
        }
        let word = raw.trim_matches('"').to_ascii_lowercase();
        if word.len() < 2 {
            continue;
        }
        let whole_word = lower.match_indices(&word).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + word.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-' && c != '.');
            boundary(before) && boundary(after)
        });
        if whole_word && best.is_none_or(|b| b.span.len() < tok.span.len()) {
            best = Some(tok);
        }
    }
    best.map(|t| t.span.clone())
}

fn general_help(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    if m.contains("ttl not specified") {
        "Give the record a TTL, or add `$TTL 3600` at the top of the file.".into()
    } else if m.contains("name not specified") {
        "Start the record with its owner name (or `@`), or set `$ORIGIN` first.".into()
    } else if m.contains("dollar") {
        "The directives are `$ORIGIN` and `$TTL` (`$INCLUDE` is not allowed).".into()
    } else if m.contains("recordtype") || m.contains("record type") {
        "A record is `NAME [TTL] [CLASS] TYPE DATA`; check the type's spelling.".into()
    } else {
        "A record is `NAME [TTL] [CLASS] TYPE DATA`; check this record's data against its type.".into()
    }
}

/// Where `name` appears as an owner in the text (for conversion errors).
fn find_name_span(text: &str, scanned: &Scanned, name: &str) -> Range<usize> {
    let first_label = name.split('.').next().unwrap_or(name);
    scanned
        .entries
        .iter()
        .filter_map(|e| e.tokens.first())
        .find(|t| text[t.span.clone()].starts_with(first_label))
        .map_or(0..0, |t| t.span.clone())
}

/// hickory name → ours. `sentinel` is [`NO_ORIGIN`] when the file has no
/// origin: a name under it was written relative.
fn convert_name(name: &Name, sentinel: Option<&DomainName>) -> Result<DomainName, BadName> {
    let converted =
        DomainName::from_labels(name.iter().map(crate::zonetext::decode_name_label)).map_err(|e| {
            BadName {
                name: name.to_string(),
                why: e.to_string(),
                help: "Names are at most 255 bytes, labels at most 63.",
            }
        })?;
    if let Some(relative) = sentinel.and_then(|s| converted.strip_suffix(s)) {
        return Err(BadName {
            name: if relative.is_root() { "@".to_owned() } else { relative.to_string() },
            why: "a relative name, but no origin is known".into(),
            help: "Add `$ORIGIN example.com.` before the first record, end the name with a dot, or name the file after its zone (`example.com.zone`).",
        });
    }
    Ok(converted)
}

/// The one place hickory's record data becomes ours. `None` for types
/// sendlint does not ask for.
fn convert_rdata(
    owner: &DomainName,
    ttl: u32,
    data: &hrr::RData,
    sentinel: Option<&DomainName>,
) -> Result<Option<RData>, BadName> {
    Ok(Some(match data {
        hrr::RData::A(a) => RData::A(a.0),
        hrr::RData::AAAA(a) => RData::Aaaa(a.0),
        hrr::RData::MX(mx) => {
            RData::Mx(MxRecord { preference: mx.preference, exchange: convert_name(&mx.exchange, sentinel)? })
        }
        hrr::RData::TXT(txt) => {
            RData::Txt(TxtRecord { strings: txt.txt_data.iter().map(|s| zonetext::decode_txt(s)).collect() })
        }
        hrr::RData::CNAME(c) => RData::Cname(convert_name(&c.0, sentinel)?),
        hrr::RData::NS(ns) => RData::Ns(convert_name(&ns.0, sentinel)?),
        hrr::RData::SOA(soa) => RData::Soa(Soa {
            zone: owner.clone(),
            mname: convert_name(&soa.mname, sentinel)?,
            minimum: soa.minimum,
            ttl,
        }),
        _ => return Ok(None),
    }))
}

fn convert_type(rtype: hrr::RecordType) -> Option<RecordType> {
    Some(match rtype {
        hrr::RecordType::A => RecordType::A,
        hrr::RecordType::AAAA => RecordType::Aaaa,
        hrr::RecordType::MX => RecordType::Mx,
        hrr::RecordType::TXT => RecordType::Txt,
        hrr::RecordType::CNAME => RecordType::Cname,
        hrr::RecordType::NS => RecordType::Ns,
        hrr::RecordType::SOA => RecordType::Soa,
        _ => return None,
    })
}

/// Entries handed to hickory at once: hickory's records take about ten times
/// the text's size, so a big zone is parsed in slices, each converted to the
/// compact form before the next (1M records: the peak drops by hundreds of MB).
const CHUNK: usize = 4_096;

/// The owner of the record that carries the last explicit TTL into a slice.
const CARRY_OWNER: &str = "ttl-carry.sendlint.invalid.";

/// Records converted to ours, by owner, before the zone's apex is known.
type Converted = Vec<(Key, Option<RrSet>)>;

/// Why a sliced load failed.
enum Chunk {
    /// hickory refused a slice (the caller re-parses the whole text for the error).
    Hickory,
    /// A name cannot be used.
    BadName(BadName),
}

/// A TTL as hickory reads it: `3600`, `1h`, `1h30m`, `2W`.
fn is_ttl(token: &str) -> bool {
    let t = token.as_bytes();
    !t.is_empty()
        && t[0].is_ascii_digit()
        && t.iter()
            .all(|b| b.is_ascii_digit() || matches!(b.to_ascii_lowercase(), b's' | b'm' | b'h' | b'd' | b'w'))
}

/// Parses the normalized lines in slices of about [`CHUNK`] entries. Each slice
/// starts where an owner is written (never on a line inheriting the previous
/// owner) and is preceded by the state hickory carries from line to line:
/// the `$ORIGIN` lines in force, the last `$TTL`, and a stand-in record with
/// the last explicit TTL (dropped after parsing).
fn load_chunked(
    scanned: &Scanned,
    origin_name: Option<Name>,
    origin: Option<&str>,
) -> Result<(Converted, Option<Soa>), Chunk> {
    let sentinel = match origin {
        Some(_) => None,
        None => DomainName::parse(NO_ORIGIN).ok(),
    };
    let carry = DomainName::parse(CARRY_OWNER).ok();
    let mut converted: Converted = Vec::new();
    let mut soa: Option<Soa> = None;
    let (mut origins, mut ttl_directive, mut last_ttl): (Vec<&str>, Option<&str>, Option<&str>) =
        (Vec::new(), None, None);
    let lines = &scanned.lines;
    let mut start = 0;
    while start < lines.len() {
        let mut end = (start + CHUNK).min(lines.len());
        while end < lines.len() && scanned.entries.get(end).is_some_and(|e| e.blank_start) {
            end += 1;
        }
        let mut text = String::new();
        for line in origins.iter().chain(ttl_directive.iter()) {
            text.push_str(line);
            text.push('\n');
        }
        if let Some(ttl) = last_ttl {
            text.push_str(&format!("{CARRY_OWNER} {ttl} IN TXT \"\"\n"));
        }
        for (i, line) in lines[start..end].iter().enumerate() {
            text.push_str(line);
            text.push('\n');
            // the state the next slice inherits
            let mut words = line.split_whitespace();
            match words.next() {
                Some(d) if d.eq_ignore_ascii_case("$origin") => {
                    if words.clone().next().is_some_and(|o| o.ends_with('.')) {
                        origins.clear();
                    }
                    origins.push(line);
                }
                Some(d) if d.eq_ignore_ascii_case("$ttl") => ttl_directive = Some(line),
                Some(first) => {
                    let blank = scanned.entries.get(start + i).is_some_and(|e| e.blank_start);
                    let fields = if blank {
                        std::iter::once(first).chain(words).take(2).collect::<Vec<_>>()
                    } else {
                        words.take(2).collect()
                    };
                    if let Some(ttl) = fields.into_iter().find(|w| is_ttl(w)) {
                        last_ttl = Some(ttl);
                    }
                }
                None => {}
            }
        }
        let records =
            match catch_unwind(AssertUnwindSafe(|| Parser::new(text, None, origin_name.clone()).parse())) {
                Ok(Ok((_, records))) => records,
                _ => return Err(Chunk::Hickory),
            };
        convert_records(&records, sentinel.as_ref(), carry.as_ref(), &mut converted, &mut soa)
            .map_err(Chunk::BadName)?;
        start = end;
    }
    Ok((converted, soa))
}

/// Builds the zone from hickory's records: apex from the SOA (fewest labels),
/// else the origin given, else the longest suffix common to all names.
fn build_zone(records: &HickoryRecords, origin: Option<&str>) -> Result<Option<Zone>, BadName> {
    let sentinel = match origin {
        Some(_) => None,
        None => DomainName::parse(NO_ORIGIN).ok(),
    };
    let mut converted: Converted = Vec::new();
    let mut soa: Option<Soa> = None;
    convert_records(records, sentinel.as_ref(), None, &mut converted, &mut soa)?;
    Ok(assemble(converted, soa, origin))
}

/// hickory's records → ours, appended to `converted`; the SOA with the
/// fewest labels kept in `soa`; records owned by `skip` dropped.
fn convert_records(
    records: &HickoryRecords,
    sentinel: Option<&DomainName>,
    skip: Option<&DomainName>,
    converted: &mut Converted,
    soa: &mut Option<Soa>,
) -> Result<(), BadName> {
    for set in records.values() {
        let owner = convert_name(set.name(), sentinel)?;
        if skip.is_some_and(|s| *s == owner) {
            continue;
        }
        let Some(rtype) = convert_type(set.record_type()) else {
            converted.push((Key::of(&owner), None));
            continue;
        };
        let mut rrset = RrSet { rtype, ttl: set.ttl(), records: Vec::new() };
        for record in set.records_without_rrsigs() {
            if let Some(data) = convert_rdata(&owner, record.ttl, &record.data, sentinel)? {
                if let RData::Soa(s) = &data
                    && soa.as_ref().is_none_or(|old| s.zone.label_count() < old.zone.label_count())
                {
                    *soa = Some(s.clone());
                }
                rrset.records.push(data);
            }
        }
        converted.push((Key::of(&owner), Some(rrset)));
    }
    Ok(())
}

/// The zone of the converted records (see [`build_zone`] for the apex).
fn assemble(converted: Converted, soa: Option<Soa>, origin: Option<&str>) -> Option<Zone> {
    if converted.is_empty() {
        return None;
    }
    let apex = match (&soa, origin.and_then(|o| DomainName::parse(o).ok())) {
        (Some(soa), _) => soa.zone.clone(),
        (None, Some(origin)) => origin,
        (None, None) => {
            let names: Vec<DomainName> = converted.iter().map(|(k, _)| k.name()).collect();
            common_suffix(names.iter())
        }
    };
    let apex_key = Key::of(&apex);
    let mut zone = Zone::new(apex);
    zone.soa = soa;
    // sized once: growing by doubling holds two tables at the peak
    zone.nodes.reserve(converted.len());
    for (name, set) in converted {
        // out-of-zone data is ignored, as authoritative servers do
        if name.is_subdomain_of(&apex_key) {
            zone.insert_key(name, &apex_key, set);
        }
    }
    Some(zone)
}

fn common_suffix<'a>(mut names: impl Iterator<Item = &'a DomainName>) -> DomainName {
    let Some(first) = names.next() else {
        return DomainName::root();
    };
    let mut suffix = first.clone();
    for name in names {
        while !name.is_subdomain_of(&suffix) {
            match suffix.parent() {
                Some(p) => suffix = p,
                None => return DomainName::root(),
            }
        }
    }
    suffix
}

#[cfg(test)]
mod chunk_tests {
    use super::*;

    /// Loads `text` sliced and at once; both must give the same zone.
    fn both(text: &str, origin: Option<&str>) -> (String, String) {
        let scanned = zonetext::scan(text).expect("scans");
        let origin_name =
            origin.map(|o| Name::from_str(o).expect("origin")).or_else(|| Name::from_str(NO_ORIGIN).ok());
        let (converted, soa) = load_chunked(&scanned, origin_name.clone(), origin).ok().expect("sliced load");
        let sliced = assemble(converted, soa, origin);
        let records = parse_hickory(&scanned, origin_name).expect("whole parse");
        let whole = build_zone(&records, origin).ok().expect("whole load");
        let show = |z: Option<Zone>| {
            let mut source = ZoneSource::new();
            if let Some(z) = z {
                source.zones.insert(z.apex.clone(), z);
            }
            format!("{:?}", source.zones())
        };
        (show(sliced), show(whole))
    }

    #[test]
    fn keys_are_compact_names() {
        let k = |s: &str| Key::of(&DomainName::parse(s).expect("name"));
        assert_eq!(k("Send.Mail.acme.test").0.as_ref(), b"\x04send\x04mail\x04acme\x04test");
        assert_eq!(k("send.mail.acme.test").parent(), Some(k("mail.acme.test")));
        assert_eq!(k(".").parent(), None);
        assert!(k("a.mail.acme.test").is_subdomain_of(&k("acme.test")));
        assert!(k("acme.test").is_subdomain_of(&k("acme.test")));
        assert!(!k("xacme.test").is_subdomain_of(&k("acme.test")));
        assert!(!k("acme.test").is_subdomain_of(&k("mail.acme.test")));
        assert_eq!(k(r"a\.b.Test").name(), DomainName::parse(r"a\.b.test").expect("name"));
    }

    /// Slices start mid-file: `$ORIGIN` (relative and absolute), `$TTL`, the
    /// last explicit TTL and owner-less continuation lines must carry over.
    #[test]
    fn a_sliced_load_is_the_same_zone_as_a_whole_one() {
        let mut text = String::from("$ORIGIN acme.test.\n@ 300 SOA ns1 host 1 2 3 4 5\n");
        for i in 0..3 * CHUNK {
            match i % 997 {
                0 => text.push_str("$ORIGIN sub\n"),
                1 => text.push_str("$ORIGIN acme.test.\n"),
                2 => text.push_str(&format!("$TTL {}\n", 60 + i)),
                _ => {}
            }
            if i % 7 == 0 {
                text.push_str(&format!("t{i} 1h30m IN TXT \"a\"\n"));
            } else if i % 5 == 0 {
                // continuation lines: the owner of the line before
                text.push_str(&format!("c{i} TXT \"first\"\n   TXT \"second {i}\"\n   MX 10 mx{i}\n"));
            } else {
                text.push_str(&format!("n{i} TXT \"v{i}\"\n"));
            }
        }
        let (sliced, whole) = both(&text, None);
        assert!(sliced.len() > 100_000, "a real zone");
        assert_eq!(sliced, whole);
        // without $TTL: the last explicit TTL carries
        let mut text = String::from("$ORIGIN acme.test.\n");
        for i in 0..2 * CHUNK + 10 {
            let ttl = if i % 1000 == 0 { format!(" {}", 100 + i) } else { String::new() };
            text.push_str(&format!("n{i}{ttl} TXT \"v\"\n"));
        }
        let (sliced, whole) = both(&text, Some("acme.test."));
        assert_eq!(sliced, whole);
    }
}
