//! System properties of the simulated x86_64 emulator image; the version and build facts
//! follow the [`DeviceProfile`] (API 33 userdebug by default).

use std::collections::BTreeMap;

use super::profile::{DeviceProfile, Vendor};
use super::setup::WorldSetup;

/// The build fingerprint the simulator reports for the default profile.
pub const FINGERPRINT: &str =
    "google/sdk_gphone64_x86_64/emu64xa:13/TE1A.220922.034/10940250:userdebug/dev-keys";

/// `ro.build.fingerprint` for a profile (`brand/product/device:release/id/incremental:type/tags`).
pub fn fingerprint(p: &DeviceProfile) -> String {
    format!(
        "google/sdk_gphone64_x86_64/emu64xa:{}/{}/10940250:{}/{}",
        p.release,
        p.build_id,
        p.build_type.as_str(),
        p.build_tags()
    )
}

/// The property table after boot.
pub fn default_props(s: &WorldSetup) -> BTreeMap<String, String> {
    let (lang, country) = s.locale.split_once('-').unwrap_or((s.locale.as_str(), ""));
    let pr = &s.profile;
    let fp = fingerprint(pr);
    let bt = pr.build_type.as_str();
    let api = pr.api.to_string();
    let (brand, manufacturer) = match pr.vendor {
        Vendor::Aosp => ("google", "Google"),
        Vendor::Xiaomi => ("Xiaomi", "Xiaomi"),
    };
    let pairs: Vec<(&str, String)> = vec![
        ("dev.bootcomplete", "1".into()),
        ("init.svc.adbd", "running".into()),
        ("init.svc.bootanim", "stopped".into()),
        ("persist.sys.dalvik.vm.lib.2", "libart.so".into()),
        ("persist.sys.locale", s.locale.clone()),
        ("persist.sys.timezone", s.tz.name.clone()),
        ("persist.sys.usb.config", "adb".into()),
        ("qemu.hw.mainkeys", "0".into()),
        ("ro.adb.secure", "0".into()),
        ("ro.boot.hardware", "ranchu".into()),
        ("ro.boot.qemu", "1".into()),
        ("ro.boot.serialno", s.serial.clone()),
        ("ro.boot.verifiedbootstate", "orange".into()),
        ("ro.bootimage.build.fingerprint", fp.clone()),
        ("ro.build.characteristics", "emulator".into()),
        ("ro.build.date", "Wed Nov 15 02:13:42 UTC 2023".into()),
        ("ro.build.date.utc", "1700014422".into()),
        (
            "ro.build.description",
            format!(
                "sdk_gphone64_x86_64-{bt} {} {} 10940250 {}",
                pr.release,
                pr.build_id,
                pr.build_tags()
            ),
        ),
        ("ro.build.display.id", pr.build_id.into()),
        ("ro.build.fingerprint", fp.clone()),
        ("ro.build.flavor", format!("sdk_gphone64_x86_64-{bt}")),
        ("ro.build.host", "simulated".into()),
        ("ro.build.id", pr.build_id.into()),
        ("ro.build.product", "emu64xa".into()),
        ("ro.build.tags", pr.build_tags().into()),
        ("ro.build.type", bt.into()),
        ("ro.build.user", "android-build".into()),
        ("ro.build.version.codename", "REL".into()),
        ("ro.build.version.incremental", "10940250".into()),
        ("ro.build.version.min_supported_target_sdk", "23".into()),
        ("ro.build.version.preview_sdk", "0".into()),
        ("ro.build.version.release", pr.release.into()),
        ("ro.build.version.release_or_codename", pr.release.into()),
        ("ro.build.version.sdk", api.clone()),
        ("ro.build.version.security_patch", "2023-11-05".into()),
        (
            "ro.debuggable",
            if pr.debuggable() { "1" } else { "0" }.into(),
        ),
        ("ro.hardware", "ranchu".into()),
        ("ro.kernel.qemu", "1".into()),
        ("ro.product.brand", brand.into()),
        ("ro.product.cpu.abi", "x86_64".into()),
        ("ro.product.cpu.abilist", "x86_64,arm64-v8a".into()),
        ("ro.product.cpu.abilist32", "".into()),
        ("ro.product.cpu.abilist64", "x86_64,arm64-v8a".into()),
        ("ro.product.device", "emu64xa".into()),
        ("ro.product.locale", s.locale.clone()),
        ("ro.product.manufacturer", manufacturer.into()),
        ("ro.product.model", s.model_name.clone()),
        ("ro.product.name", "sdk_gphone64_x86_64".into()),
        ("ro.secure", "1".into()),
        ("ro.serialno", s.serial.clone()),
        ("ro.sf.lcd_density", "420".into()),
        ("ro.system.build.version.sdk", api.clone()),
        ("ro.zygote", "zygote64_32".into()),
        ("persist.sys.language", lang.into()),
        ("persist.sys.country", country.into()),
        ("sys.boot_completed", "1".into()),
        ("sys.usb.config", "adb".into()),
        ("sys.usb.state", "adb".into()),
        ("gsm.operator.alpha", "T-Mobile".into()),
        ("gsm.operator.numeric", "310260".into()),
        ("gsm.sim.state", "LOADED".into()),
        ("gsm.network.type", "LTE".into()),
        ("net.hostname", "SIMULATED-Pixel-6".into()),
        ("prior.simulated", "1".into()),
        ("prior.sim.profile", pr.name.into()),
    ];
    let mut props: BTreeMap<String, String> =
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    if pr.vendor == Vendor::Xiaomi {
        // MIUI marks its builds with these (UNVERIFIED values: no primary source read)
        props.insert("ro.miui.ui.version.name".into(), "V125".into());
        props.insert("ro.miui.ui.version.code".into(), "13".into());
    }
    props
}

/// Properties init sets only when the boot completes (`sys.boot_completed` by
/// ActivityManagerService, `dev.bootcomplete` by init.rc): until then `getprop NAME` prints an
/// empty line and the full `getprop` listing leaves them out, as on a booting emulator.
pub const SET_AT_BOOT_COMPLETED: [&str; 2] = ["sys.boot_completed", "dev.bootcomplete"];

/// Whether `name` reads as unset while the device is still booting.
pub fn hidden_while_booting(name: &str) -> bool {
    SET_AT_BOOT_COMPLETED.contains(&name)
}
