//! prior-device
