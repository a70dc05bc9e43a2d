//! [`Expired`]: the source an audit's check is rerun against once the
//! domain's deadline passed.

use std::time::Duration;

use sendlint_dns::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RecordType};
use sendlint_records::name::DomainName;

/// Every question fails at once: the domain's deadline passed. A check run
/// against it reports each record as a failed lookup (Pending), never missing.
#[derive(Debug)]
pub struct Expired {
    /// The server the audit asks, when known.
    pub server: String,
    /// The deadline that passed.
    pub deadline: Duration,
}

impl Lookup for Expired {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        let detail = format!(
            "the domain's deadline of {} passed before every answer came",
            humantime::format_duration(self.deadline)
        );
        Box::pin(std::future::ready(Answer::Failed(LookupError::new(
            FailureKind::Timeout,
            self.server.clone(),
            name,
            rtype,
            detail,
        ))))
    }
}
