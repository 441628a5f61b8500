//! The Android Emulator, driven the way its documentation says (`emulator`, `sdkmanager`,
//! `avdmanager`, the console on the even port, `adb` for the guest).
//!
//! - [`sdk`]: where the SDK and its tools are (`ANDROID_HOME`/`ANDROID_SDK_ROOT`, `PATH`), where
//!   AVDs live (`ANDROID_AVD_HOME`, `ANDROID_EMULATOR_HOME`, `~/.android/avd`), what is installed.
//!
//! Nothing here starts a process with a shell: every tool is run with an argument vector.

pub mod console;
pub mod create;
pub mod doctor;
pub mod images;
pub mod lifecycle;
pub mod sdk;

mod error;
pub use prior_tools::Locator;

pub use console::Console;
pub use create::{CreateOptions, create};
pub use error::{EmulatorError, LogTail};
pub use images::{Catalogue, Image};
pub use lifecycle::{AvdStatus, BootOptions, Reset, Running};
pub use sdk::{AvdInfo, InstalledImage, Sdk, SdkEnv, Tool};
