pub(crate) mod central_directory;
pub(crate) mod eocd;
pub(crate) mod local_file_header;

// just re-export models
pub(crate) use central_directory::*;
pub(crate) use eocd::*;
pub(crate) use local_file_header::*;
