//! Record every answer a check used ([`RecordingLookup`]), and answer from such
//! a recording offline ([`ReplayLookup`]).
//!
//! The file is JSON, stable (sorted by name, then type) and meant to be read
//! and diffed by people: one entry per question with the answer as sendlint
//! saw it, failures included. TXT character-strings are text with printable
//! ASCII as is, `\\` for a backslash and `\DDD` (decimal) for any other byte,
//! so they replay byte for byte.
//!
//! ```json
//! {"format": "sendlint-dns-recording/1", "answers": [
//!   {"name": "send.mail.acme.test", "type": "MX",
//!    "answer": {"records": {"records": [{"type": "MX", "preference": 10,
//!      "exchange": "feedback-smtp.us-east-1.amazonses.com"}], "ttl": 300}}},
//!   {"name": "sf1._domainkey.mail.acme.test", "type": "TXT",
//!    "answer": {"failed": {"kind": "servfail", "server": "127.0.0.1:53",
//!      "query": "TXT sf1._domainkey.mail.acme.test", "detail": ""}}}]}
//! ```

use crate::questions::QuestionMap;
use crate::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RData, RecordType, Soa, SourceInfo};
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The `format` of recordings this version writes and reads.
pub const FORMAT: &str = "sendlint-dns-recording/1";

/// A recording that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a recording (bad JSON, unknown format, bad name or data).
    #[error("{path}: {message}")]
    Invalid {
        /// The path.
        path: String,
        /// What is wrong, with line and column for JSON errors.
        message: String,
    },
}

/// Records every answer of the wrapped source, for [`RecordingLookup::to_json`].
///
/// One entry per question. When a question is asked again (an audit asks a
/// failed question anew for the next domain), a real answer replaces a
/// recorded failure, never the reverse: a transient timeout does not stand
/// for the answer every later domain got.
#[derive(Debug)]
pub struct RecordingLookup<L> {
    inner: L,
    answers: Mutex<BTreeMap<Key, Answer>>,
    authoritative: Mutex<BTreeMap<Key, Option<Answer>>>,
    /// Zones whose DS question (DNSSEC) was answered "none" (true: NXDOMAIN):
    /// replayed, an unsigned zone stays insecure; signed chains are not kept
    /// (a replay does not validate them, and says so).
    no_ds: Mutex<BTreeMap<String, (DomainName, bool)>>,
}

/// Sort key: the name as text (lower case), then the type.
type Key = (String, RecordType);

fn key(name: &DomainName, rtype: RecordType) -> Key {
    (name.to_string().to_ascii_lowercase(), rtype)
}

/// A poisoned lock still holds whole entries (each is inserted in one step).
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps the first answer, unless it is a failure and `new` is not.
fn remember<A: Clone>(map: &mut BTreeMap<Key, A>, key: Key, new: &A, failed: impl Fn(&A) -> bool) {
    match map.entry(key) {
        std::collections::btree_map::Entry::Vacant(v) => {
            v.insert(new.clone());
        }
        std::collections::btree_map::Entry::Occupied(mut o) => {
            if failed(o.get()) && !failed(new) {
                o.insert(new.clone());
            }
        }
    }
}

fn is_failure(answer: &Answer) -> bool {
    matches!(answer, Answer::Failed(_))
}

impl<L: Lookup> RecordingLookup<L> {
    /// Records the answers of `inner`.
    pub fn new(inner: L) -> RecordingLookup<L> {
        RecordingLookup {
            inner,
            answers: Mutex::default(),
            authoritative: Mutex::default(),
            no_ds: Mutex::default(),
        }
    }

    /// How many questions are recorded (resolver and authoritative).
    pub fn len(&self) -> usize {
        locked(&self.answers).len() + locked(&self.authoritative).len()
    }

    /// True when nothing is recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The recording so far, as pretty JSON (stable order).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        // writing to memory cannot fail, and serde_json writes UTF-8
        let _ = self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes [`RecordingLookup::to_json`] to `out`, entry by entry (an
    /// audit's recording is not held twice in memory).
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        let answers = locked(&self.answers);
        let authoritative = locked(&self.authoritative);
        let no_ds = locked(&self.no_ds);
        let file = FileOut {
            format: FORMAT,
            answers: Entries { answers: &answers, authoritative: &authoritative, no_ds: &no_ds },
        };
        serde_json::to_writer_pretty(&mut out, &file)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Writes [`RecordingLookup::to_json`] to `path`, atomically: `path` is
    /// the previous file or the whole new recording, never part of one.
    pub fn save(&self, path: &Path) -> Result<(), ReplayError> {
        RecordingFile::create(path)?.commit(self, path)
    }
}

impl<L: Lookup> Lookup for RecordingLookup<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let answer = self.inner.lookup(name, rtype).await;
            remember(&mut locked(&self.answers), key(name, rtype), &answer, is_failure);
            answer
        })
    }

    fn authoritative<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        Box::pin(async move {
            let answer = self.inner.authoritative(nameservers, name, rtype).await;
            remember(&mut locked(&self.authoritative), key(name, rtype), &answer, |a| {
                a.as_ref().is_none_or(is_failure)
            });
            answer
        })
    }

    /// A replay answers no server one by one; what the servers agree they
    /// publish is kept as the authoritative answer, so that a replay judges
    /// propagation as the recorded run did ([`crate::published`]).
    fn each_server<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Vec<crate::ServerAnswer>>> {
        Box::pin(async move {
            let answers = self.inner.each_server(nameservers, name, rtype).await;
            if let Some(answers) = &answers {
                let own = locked(&self.answers).get(&key(name, rtype)).cloned();
                let published = crate::published(answers, own.as_ref());
                remember(&mut locked(&self.authoritative), key(name, rtype), &published, |a| {
                    a.as_ref().is_none_or(is_failure)
                });
            }
            answers
        })
    }

    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, crate::dnssec::SignedAnswer> {
        Box::pin(async move {
            let answer = self.inner.signed(name, rtype).await;
            if rtype == hickory_proto::rr::RecordType::DS
                && let Some(Ok(signed)) = &answer
                && !signed.answer.iter().any(|r| r.record_type() == hickory_proto::rr::RecordType::DS)
            {
                let text = name.to_string().to_ascii_lowercase();
                locked(&self.no_ds).insert(text, (name.clone(), signed.nxdomain));
            }
            answer
        })
    }

    // recording sends nothing itself: the wrapped source's counts (and its
    // description) are the run's
    fn wrapped(&self) -> Option<&dyn Lookup> {
        Some(&self.inner)
    }
}

/// Where a recording will be saved: a temporary file next to the target,
/// created up front (a target that cannot be written fails before a long
/// run, not after it) and renamed over the target when complete. Dropped
/// without [`RecordingFile::commit`], it is removed and the target is untouched.
#[derive(Debug)]
pub struct RecordingFile {
    temp: PathBuf,
    file: Option<std::fs::File>,
}

impl RecordingFile {
    /// A temporary file in the directory of `target`.
    pub fn create(target: &Path) -> Result<RecordingFile, ReplayError> {
        let io_error = |source| ReplayError::Io { path: target.display().to_string(), source };
        let name = target
            .file_name()
            .ok_or_else(|| io_error(io::Error::new(io::ErrorKind::InvalidInput, "not a file name")))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);
        // never through a file or link someone left there
        let file = std::fs::File::create_new(&temp).map_err(io_error)?;
        Ok(RecordingFile { temp, file: Some(file) })
    }

    /// Writes `recording` and renames it to `path` (the target, or another
    /// name beside it, e.g. `FILE.partial` for an interrupted run).
    pub fn commit<L: Lookup>(
        mut self,
        recording: &RecordingLookup<L>,
        path: &Path,
    ) -> Result<(), ReplayError> {
        let io_error = |source| ReplayError::Io { path: path.display().to_string(), source };
        let Some(file) = self.file.take() else {
            return Err(io_error(io::Error::other("already committed")));
        };
        let mut out = io::BufWriter::new(file);
        recording.write_json(&mut out).map_err(io_error)?;
        let file = out.into_inner().map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(io_error)?;
        drop(file);
        std::fs::rename(&self.temp, path).map_err(io_error)?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for RecordingFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Answers from a recording, offline. A question the recording does not hold
/// is [`Answer::Failed`] ([`FailureKind::NotCovered`]) saying so.
#[derive(Debug, Clone)]
pub struct ReplayLookup {
    label: String,
    answers: QuestionMap<Answer>,
    authoritative: QuestionMap<Option<Answer>>,
    /// Zones recorded without DS (true: NXDOMAIN).
    no_ds: Vec<(DomainName, bool)>,
}

impl ReplayLookup {
    /// Reads a recording file.
    pub fn from_file(path: &Path) -> Result<ReplayLookup, ReplayError> {
        // The one input guard: a FIFO or /dev/zero is refused, the size capped.
        let text = sendlint_records::input::read_text(path, sendlint_records::input::InputKind::Replay)
            .map_err(|e| ReplayError::Invalid { path: path.display().to_string(), message: e.to_string() })?;
        ReplayLookup::from_json(&path.display().to_string(), &text)
    }

    /// Reads a recording's text; `label` names it in errors and failures.
    ///
    /// Every entry is checked as it is read, so an error carries the line
    /// and column of the JSON value at fault (the end of a bad entry).
    pub fn from_json(label: &str, text: &str) -> Result<ReplayLookup, ReplayError> {
        let file: FileIn = serde_json::from_str(text)
            .map_err(|e| ReplayError::Invalid { path: label.to_owned(), message: at_position(&e) })?;
        let mut replay = ReplayLookup {
            label: format!("the recording {label}"),
            answers: QuestionMap::default(),
            authoritative: QuestionMap::default(),
            no_ds: Vec::new(),
        };
        for entry in file.answers {
            match entry {
                Parsed::Resolver((name, rtype), answer) => replay.answers.insert(name, rtype, answer),
                Parsed::Authoritative((name, rtype), answer) => {
                    replay.authoritative.insert(name, rtype, answer)
                }
                Parsed::NoDs(name, nxdomain) => replay.no_ds.push((name, nxdomain)),
            }
        }
        replay.chain_negative_answers();
        Ok(replay)
    }

    /// How failures name this recording (`the recording FILE`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Recordings made before negative answers kept their CNAME chain hold
    /// the CNAME question asked after them instead: put the alias back into
    /// the negative answer, so they replay to the same report. (A newer
    /// recording never needs this: its negative answers carry their chain.)
    fn chain_negative_answers(&mut self) {
        let mut aliases: Vec<(DomainName, DomainName)> = Vec::new();
        for (name, rtype, answer) in self.answers.iter() {
            if rtype == RecordType::Cname
                && let Answer::Records { records, .. } = answer
                && let Some(target) = records.iter().find_map(|r| match r {
                    RData::Cname(t) => Some(t.clone()),
                    _ => None,
                })
            {
                aliases.push((name.clone(), target));
            }
        }
        for (name, rtype, answer) in self.answers.iter_mut() {
            if rtype == RecordType::Cname {
                continue;
            }
            if let Answer::NoData { cnames, .. } | Answer::NxDomain { cnames, .. } = answer
                && cnames.is_empty()
                && let Some(link) = aliases.iter().find(|(alias, _)| alias == name)
            {
                cnames.push(link.clone());
            }
        }
    }
}

impl Lookup for ReplayLookup {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        let answer = match self.answers.get(name, rtype) {
            Some(a) => a.clone(),
            None => Answer::Failed(LookupError::new(
                FailureKind::NotCovered,
                self.label.clone(),
                name,
                rtype,
                "the question is not in the recording",
            )),
        };
        Box::pin(std::future::ready(answer))
    }

    fn authoritative<'a>(
        &'a self,
        _nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        Box::pin(std::future::ready(self.authoritative.get(name, rtype).cloned().flatten()))
    }

    /// Only the DS questions recorded as "none" (an unsigned zone); nothing
    /// else of DNSSEC is kept, so anything else is `None` (not validated).
    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, crate::dnssec::SignedAnswer> {
        let found = (rtype == hickory_proto::rr::RecordType::DS)
            .then(|| self.no_ds.iter().find(|(n, _)| n == name))
            .flatten()
            .map(|(_, nxdomain)| {
                Ok(crate::dnssec::Signed { nxdomain: *nxdomain, answer: Vec::new(), authority: Vec::new() })
            });
        Box::pin(std::future::ready(found))
    }

    fn describe(&self) -> SourceInfo {
        SourceInfo::memory(self.label.clone())
    }
}

/// `line L, column C: what` from a JSON error (serde_json puts the position
/// at the end of its message; it leads here, where people look for it).
fn at_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&suffix).unwrap_or(&text);
    if e.line() == 0 {
        return what.to_owned();
    }
    format!("line {}, column {}: {what}", e.line(), e.column())
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'a str,
    answers: Entries<'a>,
}

/// The entries of a recording, made one at a time as they are written.
struct Entries<'a> {
    answers: &'a BTreeMap<Key, Answer>,
    authoritative: &'a BTreeMap<Key, Option<Answer>>,
    no_ds: &'a BTreeMap<String, (DomainName, bool)>,
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = |(name, rtype): &Key, authoritative: bool, answer: Option<&Answer>| Entry {
            name: name.clone(),
            rtype: rtype.as_str().to_owned(),
            authoritative,
            answer: AnswerJson::from_answer(answer),
        };
        serializer.collect_seq(
            self.answers
                .iter()
                .map(|(k, a)| entry(k, false, Some(a)))
                .chain(self.authoritative.iter().map(|(k, a)| entry(k, true, a.as_ref())))
                .chain(self.no_ds.iter().map(|(name, (_, nxdomain))| {
                    let none = Vec::new();
                    let answer = if *nxdomain {
                        Answer::NxDomain { soa: None, cnames: none }
                    } else {
                        Answer::NoData { soa: None, cnames: none }
                    };
                    Entry {
                        name: name.clone(),
                        rtype: DS.to_owned(),
                        authoritative: false,
                        answer: AnswerJson::from_answer(Some(&answer)),
                    }
                })),
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    // first in the file: anything else is refused before its entries are read
    #[allow(dead_code)] // checked while it is read
    format: Format,
    answers: Vec<Parsed>,
}

/// The `format` field, checked as it is read.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Format;

impl TryFrom<String> for Format {
    type Error = String;

    fn try_from(format: String) -> Result<Format, String> {
        if format == FORMAT { Ok(Format) } else { Err(format!("format {format:?} is not {FORMAT:?}")) }
    }
}

/// One entry, read and checked.
#[derive(Deserialize)]
#[serde(try_from = "Entry")]
enum Parsed {
    Resolver((DomainName, RecordType), Answer),
    Authoritative((DomainName, RecordType), Option<Answer>),
    /// A zone without DS (DNSSEC: unsigned); true: NXDOMAIN.
    NoDs(DomainName, bool),
}

/// The type of the entries that record a zone without DS.
const DS: &str = "DS";

impl TryFrom<Entry> for Parsed {
    type Error = String;

    fn try_from(entry: Entry) -> Result<Parsed, String> {
        let at = |m: String| format!("entry {} {}: {m}", quoted(&entry.name), quoted(&entry.rtype));
        let name = DomainName::parse(&entry.name).map_err(|e| at(format!("name: {e}")))?;
        if entry.rtype == DS && !entry.authoritative {
            return match entry.answer.to_answer().map_err(at)? {
                Some(Answer::NoData { .. }) => Ok(Parsed::NoDs(name, false)),
                Some(Answer::NxDomain { .. }) => Ok(Parsed::NoDs(name, true)),
                _ => Err(at("a DS entry records a zone without DS: `nodata` or `nxdomain`".into())),
            };
        }
        let rtype = RecordType::parse(&entry.rtype).ok_or_else(|| at("unknown type".into()))?;
        let answer = entry.answer.to_answer().map_err(at)?;
        if entry.authoritative {
            return Ok(Parsed::Authoritative((name, rtype), answer));
        }
        let answer = answer.ok_or_else(|| at("`unavailable` is only for authoritative entries".into()))?;
        Ok(Parsed::Resolver((name, rtype), answer))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    /// Asked of the zone's own servers (propagation), not the resolver.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    authoritative: bool,
    answer: AnswerJson,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum AnswerJson {
    Records {
        records: Vec<RecordJson>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cnames: Vec<[String; 2]>,
        ttl: u32,
    },
    Nodata {
        soa: Option<SoaJson>,
        // absent in recordings made before negative answers kept their chain
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cnames: Vec<[String; 2]>,
    },
    Nxdomain {
        soa: Option<SoaJson>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cnames: Vec<[String; 2]>,
    },
    Failed {
        kind: String,
        server: String,
        query: String,
        detail: String,
    },
    /// The source could not ask the authoritative servers.
    Unavailable,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SoaJson {
    zone: String,
    mname: String,
    /// Absent in recordings made before serials were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    serial: Option<u32>,
    minimum: u32,
    ttl: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum RecordJson {
    A {
        address: std::net::Ipv4Addr,
    },
    #[serde(rename = "AAAA")]
    Aaaa {
        address: std::net::Ipv6Addr,
    },
    #[serde(rename = "MX")]
    Mx {
        preference: u16,
        exchange: String,
    },
    #[serde(rename = "TXT")]
    Txt {
        strings: Vec<String>,
    },
    #[serde(rename = "CNAME")]
    Cname {
        target: String,
    },
    #[serde(rename = "NS")]
    Ns {
        host: String,
    },
    #[serde(rename = "SOA")]
    Soa {
        zone: String,
        mname: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<u32>,
        minimum: u32,
        ttl: u32,
    },
}

impl SoaJson {
    fn from_soa(s: &Soa) -> SoaJson {
        SoaJson {
            zone: s.zone.to_string(),
            mname: s.mname.to_string(),
            serial: s.serial,
            minimum: s.minimum,
            ttl: s.ttl,
        }
    }

    fn to_soa(&self) -> Result<Soa, String> {
        Ok(Soa {
            zone: name(&self.zone)?,
            mname: name(&self.mname)?,
            serial: self.serial,
            minimum: self.minimum,
            ttl: self.ttl,
        })
    }
}

fn chain_json(cnames: &[(DomainName, DomainName)]) -> Vec<[String; 2]> {
    cnames.iter().map(|(a, t)| [a.to_string(), t.to_string()]).collect()
}

fn chain_of(cnames: &[[String; 2]]) -> Result<Vec<(DomainName, DomainName)>, String> {
    cnames.iter().map(|[a, t]| Ok((name(a)?, name(t)?))).collect()
}

fn name(text: &str) -> Result<DomainName, String> {
    DomainName::parse(text).map_err(|e| format!("{}: {e}", quoted(text)))
}

/// `text` quoted for an error message, cut short: a recording is hostile
/// input, and one field may be megabytes long.
fn quoted(text: &str) -> String {
    const MAX: usize = 80;
    if text.len() <= MAX {
        return format!("{text:?}");
    }
    format!("{:?}… ({} bytes)", &text[..text.floor_char_boundary(MAX)], text.len())
}

impl AnswerJson {
    fn from_answer(answer: Option<&Answer>) -> AnswerJson {
        match answer {
            None => AnswerJson::Unavailable,
            Some(Answer::Records { records, cnames, ttl }) => AnswerJson::Records {
                records: records.iter().map(RecordJson::from_rdata).collect(),
                cnames: chain_json(cnames),
                ttl: *ttl,
            },
            Some(Answer::NoData { soa, cnames }) => {
                AnswerJson::Nodata { soa: soa.as_ref().map(SoaJson::from_soa), cnames: chain_json(cnames) }
            }
            Some(Answer::NxDomain { soa, cnames }) => {
                AnswerJson::Nxdomain { soa: soa.as_ref().map(SoaJson::from_soa), cnames: chain_json(cnames) }
            }
            Some(Answer::Failed(e)) => AnswerJson::Failed {
                kind: e.kind.id().to_owned(),
                server: e.server.clone(),
                query: e.query.clone(),
                detail: e.detail.clone(),
            },
        }
    }

    fn to_answer(&self) -> Result<Option<Answer>, String> {
        Ok(Some(match self {
            AnswerJson::Unavailable => return Ok(None),
            AnswerJson::Records { records, cnames, ttl } => Answer::Records {
                records: records.iter().map(RecordJson::to_rdata).collect::<Result<_, _>>()?,
                cnames: chain_of(cnames)?,
                ttl: *ttl,
            },
            AnswerJson::Nodata { soa, cnames } => Answer::NoData {
                soa: soa.as_ref().map(SoaJson::to_soa).transpose()?,
                cnames: chain_of(cnames)?,
            },
            AnswerJson::Nxdomain { soa, cnames } => Answer::NxDomain {
                soa: soa.as_ref().map(SoaJson::to_soa).transpose()?,
                cnames: chain_of(cnames)?,
            },
            AnswerJson::Failed { kind, server, query, detail } => Answer::Failed(LookupError {
                kind: FailureKind::from_id(kind)
                    .ok_or_else(|| format!("unknown failure kind {}", quoted(kind)))?,
                server: server.clone(),
                query: query.clone(),
                detail: detail.clone(),
            }),
        }))
    }
}

impl RecordJson {
    fn from_rdata(r: &RData) -> RecordJson {
        match r {
            RData::A(a) => RecordJson::A { address: *a },
            RData::Aaaa(a) => RecordJson::Aaaa { address: *a },
            RData::Mx(mx) => RecordJson::Mx { preference: mx.preference, exchange: mx.exchange.to_string() },
            RData::Txt(t) => RecordJson::Txt { strings: t.strings.iter().map(|s| escape(s)).collect() },
            RData::Cname(t) => RecordJson::Cname { target: t.to_string() },
            RData::Ns(n) => RecordJson::Ns { host: n.to_string() },
            RData::Soa(s) => RecordJson::Soa {
                zone: s.zone.to_string(),
                mname: s.mname.to_string(),
                serial: s.serial,
                minimum: s.minimum,
                ttl: s.ttl,
            },
        }
    }

    fn to_rdata(&self) -> Result<RData, String> {
        Ok(match self {
            RecordJson::A { address } => RData::A(*address),
            RecordJson::Aaaa { address } => RData::Aaaa(*address),
            RecordJson::Mx { preference, exchange } => {
                RData::Mx(MxRecord { preference: *preference, exchange: name(exchange)? })
            }
            RecordJson::Txt { strings } => RData::Txt(TxtRecord {
                strings: strings.iter().map(|s| unescape(s)).collect::<Result<_, _>>()?,
            }),
            RecordJson::Cname { target } => RData::Cname(name(target)?),
            RecordJson::Ns { host } => RData::Ns(name(host)?),
            RecordJson::Soa { zone, mname, serial, minimum, ttl } => RData::Soa(Soa {
                zone: name(zone)?,
                mname: name(mname)?,
                serial: *serial,
                minimum: *minimum,
                ttl: *ttl,
            }),
        })
    }
}

/// Bytes → text: printable ASCII as is, `\\`, else `\DDD`.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

/// The inverse of [`escape`].
fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1..i + 4) {
            _ if bytes.get(i + 1) == Some(&b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                let v = d.iter().fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'));
                out.push(u8::try_from(v).map_err(|_| format!("bad escape \\{v} in {}", quoted(text)))?);
                i += 4;
            }
            _ => return Err(format!("bad escape at byte {i} of {}: use \\\\ or \\DDD", quoted(text))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = escape(&all);
        assert!(text.is_ascii());
        assert_eq!(unescape(&text).unwrap(), all);
        assert_eq!(escape(b"v=spf1 \\ \"x\""), "v=spf1 \\\\ \"x\"");
        assert!(unescape("\\x").is_err());
        assert!(unescape("\\300").is_err());
    }

    #[test]
    fn a_real_answer_replaces_a_recorded_failure_never_the_reverse() {
        let name = DomainName::parse("send.acme.test").expect("name");
        let failed = Answer::Failed(LookupError::new(FailureKind::Timeout, "s", &name, RecordType::Mx, ""));
        let answered = Answer::NoData { soa: None, cnames: Vec::new() };
        let mut map = BTreeMap::new();
        let k = || key(&name, RecordType::Mx);
        remember(&mut map, k(), &failed, is_failure);
        assert_eq!(map[&k()], failed);
        remember(&mut map, k(), &answered, is_failure);
        assert_eq!(map[&k()], answered);
        remember(&mut map, k(), &failed, is_failure);
        assert_eq!(map[&k()], answered);
    }

    #[test]
    fn an_old_recording_gets_its_alias_back_into_the_negative_answer() {
        let old = r#"{"format": "sendlint-dns-recording/1", "answers": [
            {"name": "sf1._domainkey.acme.test", "type": "TXT", "answer": {"nxdomain": {"soa": null}}},
            {"name": "sf1._domainkey.acme.test", "type": "CNAME",
             "answer": {"records": {"records": [{"type": "CNAME", "target": "sf1.gone.test"}], "ttl": 300}}},
            {"name": "other.acme.test", "type": "TXT", "answer": {"nodata": {"soa": null}}}
        ]}"#;
        let replay = ReplayLookup::from_json("old", old).expect("an old recording reads");
        let name = |s: &str| DomainName::parse(s).expect("name");
        let ask = |n: &str| replay.answers.get(&name(n), RecordType::Txt).cloned().expect("answer");
        assert_eq!(
            ask("sf1._domainkey.acme.test"),
            Answer::NxDomain {
                soa: None,
                cnames: vec![(name("sf1._domainkey.acme.test"), name("sf1.gone.test"))]
            }
        );
        assert_eq!(ask("other.acme.test"), Answer::NoData { soa: None, cnames: Vec::new() });
    }
}
