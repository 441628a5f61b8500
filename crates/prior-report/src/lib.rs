//! prior-report
