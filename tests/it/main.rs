//! End-to-end tests of the `prior` binary, one module per area.

mod campaign;
mod cli;
mod corpus;
mod doctor;
mod emulator;
mod exit_table;
mod honey;
mod hostile;
mod inspect;
mod lifecycle;
mod profiles;
mod report;
mod run;
mod sdks;
mod selftest;
mod timeline;
mod util;
