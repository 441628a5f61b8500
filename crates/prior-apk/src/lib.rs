//! Prior's static APK inventory and SDK catalogue.
//!
//! * [`dex`] — a hand-written, panic-free, bounded reader of a DEX file's header, `string_ids`,
//!   `type_ids` and `class_defs` tables (no external tools).
//! * [`sdk`] — the SDK catalogue (embedded TOML, overridable with a file): name, vendor,
//!   category, Java package prefixes, auto-init components, log tags, hosts, source; and the
//!   matchers used by `prior inspect`, `prior sdks` and the analyzer's attribution.
//! * [`file`] — the one check of an APK path before it is read (regular file, size, zip
//!   signature; never blocks on a FIFO or a device) and the size caps.
//! * [`facts`] — what `prior run` needs before installing an APK: package, version, launcher
//!   activity, `android:debuggable`, sha256 (manifest only, no DEX). The only APK reader of
//!   Prior besides [`inventory`], which shares its code.
//! * [`manifest`] — the manifest facts both share: components with resolved class names and
//!   `exported` by the platform's rules, the launcher activity, `androidx.startup` initializers.
//! * [`inventory`] — `prior inspect`: manifest facts through apk-info, signing certificate
//!   digests, requested permissions (dangerous ones marked), components with `exported`,
//!   auto-init content providers, and the SDKs embedded in `classes*.dex`.

pub mod dex;
pub mod facts;
pub mod file;
pub mod inventory;
pub mod manifest;
mod permissions;
pub mod sdk;

pub use dex::{DexError, DexFile};
pub use facts::{ApkFacts, sha256_file};
pub use file::{
    ApkFileError, MAX_APK_BYTES, MAX_ENTRY_BYTES, OpenError, open_apk_file, open_regular,
};
pub use inventory::{Inventory, InventoryError};
pub use manifest::{Component, Launcher, resolve_class_name};
pub use permissions::is_dangerous_permission;
pub use sdk::{Confidence, SdkCatalog, SdkCatalogError, SdkEntry, SdkSignals};

#[cfg(test)]
mod hostile_tests;
