//! sendlint-rules
