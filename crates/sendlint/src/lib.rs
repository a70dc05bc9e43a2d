//! sendlint engine
