//! Tests over whole rule files.
