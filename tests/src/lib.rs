//! fixture harness
