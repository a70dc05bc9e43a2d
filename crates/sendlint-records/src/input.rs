//! Reading the files sendlint is handed: one guard for every input.
//!
//! A path given for a file must name a regular file (a symlink to one is
//! fine): a FIFO would block forever, `/dev/zero` would be read until memory
//! runs out, a directory is a mistake. `-` means standard input where the
//! input kind allows it. Each kind is capped at a size far above any real
//! input (docs/inputs.md lists them), so a wrong file fails fast and clearly.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a file is for: decides its size cap, its name in errors and whether
/// `-` (standard input) may stand for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A workspace manifest (JSON).
    Manifest,
    /// A zone file.
    Zone,
    /// A rule file (TOML).
    Rules,
    /// A DKIM public key file (PEM or base64).
    PublicKey,
    /// A saved GetEmailIdentity answer (JSON).
    SesState,
    /// A DNS recording made with `--record`.
    Replay,
    /// A record pasted on standard input (`explain -- -`).
    Pasted,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

impl InputKind {
    /// The largest file of this kind sendlint reads, in bytes.
    pub const fn limit(self) -> u64 {
        match self {
            InputKind::Manifest => GIB,
            InputKind::Zone => 512 * MIB,
            InputKind::Rules => MIB,
            InputKind::PublicKey => 64 * KIB,
            InputKind::SesState => MIB,
            InputKind::Replay => 256 * MIB,
            InputKind::Pasted => MIB,
        }
    }

    /// What the file is, in an error message.
    pub const fn what(self) -> &'static str {
        match self {
            InputKind::Manifest => "manifest",
            InputKind::Zone => "zone file",
            InputKind::Rules => "rule file",
            InputKind::PublicKey => "public key file",
            InputKind::SesState => "SES state file",
            InputKind::Replay => "replay file",
            InputKind::Pasted => "pasted record",
        }
    }

    /// May `-` stand for standard input?
    pub const fn allows_stdin(self) -> bool {
        matches!(self, InputKind::Manifest | InputKind::PublicKey | InputKind::SesState | InputKind::Pasted)
    }
}

/// Why an input could not be read.
#[derive(Debug)]
pub enum InputError {
    /// The operating system refused (missing file, permissions, …).
    Io {
        /// The path as given.
        path: PathBuf,
        /// What it was meant to be.
        kind: InputKind,
        /// Why.
        source: io::Error,
    },
    /// Not a regular file (a FIFO, a device, a directory, a socket).
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What it was meant to be.
        kind: InputKind,
        /// What it is instead.
        found: &'static str,
    },
    /// Larger than [`InputKind::limit`].
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// What it was meant to be.
        kind: InputKind,
    },
    /// Not UTF-8 where text is needed.
    NotUtf8 {
        /// The path as given.
        path: PathBuf,
        /// What it was meant to be.
        kind: InputKind,
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column (in bytes).
        column: usize,
    },
}

impl InputError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Io { path, .. }
            | InputError::NotAFile { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::NotUtf8 { path, .. } => path,
        }
    }

    /// What is wrong, without naming the file (for errors that name it already).
    pub fn reason(&self) -> String {
        match self {
            InputError::Io { source, .. } => source.to_string(),
            InputError::NotAFile { kind, found, .. } => format!(
                "it is {found}, not a regular file{}",
                if kind.allows_stdin() { " (use `-` to read standard input)" } else { "" }
            ),
            InputError::TooLarge { kind, .. } => format!(
                "it is larger than {}, the most sendlint reads for a {}",
                human_size(kind.limit()),
                kind.what()
            ),
            InputError::NotUtf8 { offset, line, column, .. } => {
                format!(
                    "it is not valid UTF-8: invalid byte at offset {offset} (line {line}, column {column})"
                )
            }
        }
    }

    /// The byte offset of the fault in the file, when it is a position.
    pub fn offset(&self) -> Option<usize> {
        match self {
            InputError::NotUtf8 { offset, .. } => Some(*offset),
            _ => None,
        }
    }
}

/// `1.5 GiB`, `64 KiB`: a cap as people read it.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= GIB && b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Paths come from the command line or from a directory a stranger
        // filled: quote them terminal-safe.
        let shown = |p: &Path| crate::display::untrusted(&p.display().to_string()).into_owned();
        match self {
            InputError::Io { path, kind, source } => {
                write!(f, "cannot read the {} {}: {source}", kind.what(), shown(path))
            }
            InputError::NotAFile { path, kind, found } => write!(
                f,
                "the {} {} is {found}, not a regular file{}",
                kind.what(),
                shown(path),
                if kind.allows_stdin() { " (use `-` to read standard input)" } else { "" }
            ),
            InputError::TooLarge { path, kind } => write!(
                f,
                "the {} {} is larger than {}, the most sendlint reads for a {}",
                kind.what(),
                shown(path),
                human_size(kind.limit()),
                kind.what()
            ),
            InputError::NotUtf8 { path, kind, offset, line, column } => write!(
                f,
                "the {} {} is not valid UTF-8: invalid byte at offset {offset} (line {line}, column {column})",
                kind.what(),
                shown(path)
            ),
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() { "a directory" } else { "not a regular file" }
}

/// Opens `path` without blocking on a FIFO (O_NONBLOCK; reads of a regular
/// file are unaffected by it).
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads at most `limit` bytes; more is [`InputError::TooLarge`].
fn read_capped(reader: impl Read, path: &Path, kind: InputKind, hint: u64) -> Result<Vec<u8>, InputError> {
    let limit = kind.limit();
    let mut bytes = Vec::with_capacity(usize::try_from(hint.min(limit)).unwrap_or(0));
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        kind,
        source,
    })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge { path: path.to_path_buf(), kind });
    }
    Ok(bytes)
}

/// Is `path` the `-` that stands for standard input for this kind?
pub fn is_stdin(path: &Path, kind: InputKind) -> bool {
    kind.allows_stdin() && path.as_os_str() == "-"
}

/// Reads the input at `path` as bytes: a regular file (or standard input for
/// `-` where `kind` allows it), at most `kind.limit()` bytes.
pub fn read_bytes(path: &Path, kind: InputKind) -> Result<Vec<u8>, InputError> {
    if is_stdin(path, kind) {
        return read_capped(io::stdin().lock(), path, kind, 0);
    }
    let file = open_file(path, kind)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_capped(file, path, kind, len)
}

/// Opens the regular file at `path` for reading, with the checks of
/// [`read_bytes`] (a regular file, at most `kind.limit()` bytes), without
/// reading it: for inputs read piece by piece (a streamed manifest).
pub fn open_file(path: &Path, kind: InputKind) -> Result<File, InputError> {
    let io_err = |source| InputError::Io { path: path.to_path_buf(), kind, source };
    // Look before opening: opening a FIFO or a device has effects.
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile { path: path.to_path_buf(), kind, found: file_type_name(&meta) });
    }
    if meta.len() > kind.limit() {
        return Err(InputError::TooLarge { path: path.to_path_buf(), kind });
    }
    let file = open(path).map_err(io_err)?;
    // The path may have been swapped since: ask the open file itself.
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile { path: path.to_path_buf(), kind, found: file_type_name(&meta) });
    }
    if meta.len() > kind.limit() {
        return Err(InputError::TooLarge { path: path.to_path_buf(), kind });
    }
    Ok(file)
}

/// 1-based line and column (in characters, as editors count them) of byte `offset` of `bytes`.
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, chars(&before[line_start..]) + 1)
}

/// Characters in `bytes` as editors count columns: one per UTF-8 character
/// (continuation bytes do not count), one per invalid byte.
pub fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// [`read_bytes`], then UTF-8: invalid bytes are an error giving their offset.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String, InputError> {
    let bytes = read_bytes(path, kind)?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = line_column(e.as_bytes(), offset);
        InputError::NotUtf8 { path: path.to_path_buf(), kind, offset, line, column }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new().prefix(&format!("sendlint-input-{name}-")).tempdir().expect("tmp")
    }

    #[test]
    fn reads_a_regular_file_and_refuses_a_directory() {
        let dir_tmp = tmp("regular");
        let dir = dir_tmp.path();
        let file = dir.join("m.json");
        std::fs::write(&file, "{}").expect("write");
        assert_eq!(read_text(&file, InputKind::Manifest).expect("read"), "{}");
        let err = read_text(dir, InputKind::Manifest).expect_err("a directory");
        assert!(matches!(err, InputError::NotAFile { found: "a directory", .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_without_reading_them() {
        let err = read_bytes(Path::new("/dev/zero"), InputKind::Zone).expect_err("a device");
        assert!(matches!(err, InputError::NotAFile { found: "a character device", .. }), "{err}");
        assert!(err.to_string().contains("/dev/zero is a character device, not a regular file"), "{err}");
    }

    #[test]
    fn caps_the_size_per_kind() {
        let dir_tmp = tmp("cap");
        let dir = dir_tmp.path();
        let file = dir.join("key.pem");
        std::fs::write(&file, vec![b'A'; 64 * 1024 + 1]).expect("write");
        let err = read_bytes(&file, InputKind::PublicKey).expect_err("too large");
        assert_eq!(
            err.to_string(),
            format!(
                "the public key file {} is larger than 64 KiB, the most sendlint reads for a public key file",
                file.display()
            )
        );
        assert!(read_bytes(&file, InputKind::Rules).is_ok());
    }

    #[test]
    fn invalid_utf8_gives_its_offset_line_and_column() {
        let dir_tmp = tmp("utf8");
        let dir = dir_tmp.path();
        let file = dir.join("r.toml");
        std::fs::write(&file, b"a = 1\nb = \"x\xff\"\n").expect("write");
        let err = read_text(&file, InputKind::Rules).expect_err("not UTF-8");
        assert!(matches!(err, InputError::NotUtf8 { offset: 12, line: 2, column: 7, .. }), "{err:?}");
        assert_eq!(err.offset(), Some(12));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(GIB), "1 GiB");
        assert_eq!(human_size(512 * MIB), "512 MiB");
        assert_eq!(human_size(64 * KIB), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
