//! prior-record
