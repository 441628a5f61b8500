//! Prior's static APK inventory and SDK catalogue.
//!
//! * [`dex`] — a hand-written, panic-free, bounded reader of a DEX file's header, `string_ids`,
//!   `type_ids` and `class_defs` tables (no external tools).
//! * [`sdk`] — the SDK catalogue (embedded TOML, overridable with a file): name, vendor,
//!   category, Java package prefixes, auto-init components, log tags, hosts, source; and the
//!   matchers used by `prior inspect`, `prior sdks` and the analyzer's attribution.
//! * [`inventory`] — `prior inspect`: manifest facts through apk-info, signing certificate
//!   digests, requested permissions (dangerous ones marked), components with `exported`,
//!   auto-init content providers, and the SDKs embedded in `classes*.dex`.

pub mod dex;
pub mod inventory;
mod permissions;
pub mod sdk;

pub use dex::{DexError, DexFile};
pub use inventory::{Inventory, InventoryError};
pub use permissions::is_dangerous_permission;
pub use sdk::{SdkCatalog, SdkCatalogError, SdkEntry};
