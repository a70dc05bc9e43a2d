//! sendlint-ses
