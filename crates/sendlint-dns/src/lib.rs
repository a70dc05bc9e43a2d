//! sendlint-dns
