//! End-to-end tests of the `prior` binary, one module per area.

mod campaign;
mod campaign_merge;
mod checkbox;
mod cli;
mod corpus;
mod doctor;
mod emulator;
mod exit_table;
mod honey;
mod hostile;
mod inspect;
mod intercept;
mod lifecycle;
mod profiles;
mod report;
mod run;
mod sdks;
mod selftest;
mod timeline;
mod transmission;
mod util;
