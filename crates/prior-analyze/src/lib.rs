//! prior-analyze
