//! prior-scenario
