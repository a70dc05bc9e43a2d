//! Standard output for every command: when the reader goes away
//! (`sendlint audit … | head`), end quietly the way a Unix filter ended by
//! SIGPIPE does (status 141), without restoring SIGPIPE's default action: that
//! would also kill the process when a DNS server closes a TCP connection under
//! a write, losing the lines of domains in flight and the summary.

use std::io::{self, Write};

/// The exit status of a process ended by SIGPIPE (128 + 13), what shells and
/// `set -o pipefail` saw before.
pub(crate) const CLOSED_PIPE_STATUS: i32 = 141;

/// Locked standard output that ends the process quietly on `BrokenPipe`.
pub(crate) fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

/// See [`stdout`].
pub(crate) struct Stdout(io::StdoutLock<'static>);

/// Nobody reads any more: nothing left to say, and nobody to say it to.
fn closed<T>(result: io::Result<T>) -> io::Result<T> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(CLOSED_PIPE_STATUS),
        other => other,
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        closed(self.0.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        closed(self.0.write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        closed(self.0.flush())
    }
}
