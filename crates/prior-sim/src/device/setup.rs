//! What a new handset is built from (read by the world and by the property table).

use super::clock::TimeZone;
use super::profile::DeviceProfile;

/// Options for a new world.
#[derive(Debug, Clone)]
pub struct WorldSetup {
    pub seed: u64,
    pub tz: TimeZone,
    pub model_name: String,
    pub serial: String,
    pub locale: String,
    /// What kind of handset this is (API level, build type, vendor).
    pub profile: DeviceProfile,
}
