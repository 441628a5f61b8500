//! The campaign file (`docs/campaigns.md`, "The campaign file"): a name, the apps (a list, a
//! directory of `*.apk`, or a CSV export with a header row), the scenario files applied to each
//! app, an optional profile and the devices. Paths are relative to the campaign file.

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A campaign file bigger than this is refused (a campaign of thousands of apps lists them in a
/// CSV or a directory, not inline).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// A CSV of apps bigger than this is refused.
pub const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;

/// A campaign file (or one of its inputs) that cannot be used. Every variant names the file,
/// and the line where it is known.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("{}: cannot read it: {message}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// Not valid YAML, or not the shape of a campaign file.
    #[error("{}{}: {message}", file.display(), at(*line, *column))]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A value that is well-formed but wrong (a missing APK, an empty list…).
    #[error("{}{}: {message}", file.display(), at(*line, None))]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
}

fn at(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl FileError {
    fn invalid(file: &Path, line: Option<u64>, message: impl Into<String>) -> FileError {
        FileError::Invalid {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// One app of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEntry {
    /// The APK, resolved against the campaign file's (or the CSV's) directory.
    pub apk: PathBuf,
    /// The app's name as the regulator lists it.
    pub name: Option<String>,
    /// Its developer.
    pub developer: Option<String>,
    /// Where it is published.
    pub store_url: Option<String>,
    /// Other CSV columns (or list keys), kept for the report.
    pub extra: BTreeMap<String, String>,
    /// The file and line it was listed at (the campaign file or the CSV), for messages.
    pub source: Option<(PathBuf, u64)>,
}

/// Where a campaign's apps come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppsSpec {
    /// Listed in the campaign file.
    List(Vec<AppEntry>),
    /// Every `*.apk` of a directory, sorted by file name.
    Dir(PathBuf),
    /// A CSV file with a header row; column `apk` required.
    Csv(PathBuf),
}

/// One scenario file of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRef {
    /// The scenario file, resolved against the campaign file's directory.
    pub path: PathBuf,
    /// Its line in the campaign file.
    pub line: Option<u64>,
}

/// The devices a campaign runs on when the command line does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicesSpec {
    /// Prior's simulated handsets, with app behaviour models from `models` (default: each
    /// scenario's own `device: { simulated: … }` or `models/` beside it).
    Simulated {
        /// A directory of `*.model` files.
        models: Option<PathBuf>,
        /// How many handsets (default 1).
        parallel: Option<usize>,
    },
    /// Attached devices or running emulators, by adb serial.
    Serials(Vec<String>),
    /// `parallel` emulators booted from one AVD.
    Avd {
        /// The AVD.
        name: String,
        /// How many (default 1).
        parallel: Option<usize>,
    },
}

/// A parsed campaign file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignFile {
    /// The file as given.
    pub path: PathBuf,
    /// sha256 of its bytes (`campaign.json` records it; a different file refuses to resume).
    pub sha256: String,
    /// `name`.
    pub name: String,
    /// `apps`.
    pub apps: AppsSpec,
    /// `scenarios`, in order.
    pub scenarios: Vec<ScenarioRef>,
    /// `profile`: overrides each scenario's profile.
    pub profile: Option<String>,
    /// `devices`.
    pub devices: Option<DevicesSpec>,
}

// ---- raw shape, as serde-saphyr reads it ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Spanned<String>,
    apps: Spanned<RawApps>,
    scenarios: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    devices: Option<Spanned<RawDevices>>,
}

#[derive(Deserialize)]
struct RawApp {
    apk: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    developer: Option<String>,
    #[serde(default)]
    store_url: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, String>,
}

enum RawApps {
    List(Vec<Spanned<RawApp>>),
    Dir(String),
    Csv(String),
}

impl<'de> Deserialize<'de> for RawApps {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<RawApps, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawApps;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of apps, { dir: DIR } or { csv: FILE }")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawApps, A::Error> {
                let mut out = Vec::new();
                while let Some(app) = seq.next_element::<Spanned<RawApp>>()? {
                    out.push(app);
                }
                Ok(RawApps::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawApps, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        "apps is empty: give a list of apps, { dir: DIR } or { csv: FILE }",
                    ));
                };
                let value = map.next_value::<String>()?;
                if let Some(k) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "apps: give exactly one of `dir` and `csv`, not also `{k}`"
                    )));
                }
                match key.as_str() {
                    "dir" => Ok(RawApps::Dir(value)),
                    "csv" => Ok(RawApps::Csv(value)),
                    other => Err(de::Error::custom(format!(
                        "apps: unknown key `{other}` (expected a list of apps, `dir` or `csv`)"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevices {
    #[serde(default)]
    simulated: Option<RawSimulated>,
    #[serde(default)]
    serials: Option<Vec<String>>,
    #[serde(default)]
    avd: Option<String>,
    #[serde(default)]
    parallel: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSimulated {
    #[serde(default)]
    models: Option<String>,
}

fn line_of<T>(s: &Spanned<T>) -> Option<u64> {
    Some(s.referenced.line()).filter(|l| *l > 0)
}

/// Resolves `rel` against `base` (absolute paths stay as written).
fn resolve(base: &Path, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn read_capped(file: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let read_err = |e: &dyn fmt::Display| FileError::Read {
        file: file.to_path_buf(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(file).map_err(|e| read_err(&e))?;
    if !meta.is_file() {
        return Err(read_err(&"not a regular file"));
    }
    if meta.len() > cap {
        return Err(read_err(&format!("it is larger than {} KiB", cap / 1024)));
    }
    let f = std::fs::File::open(file).map_err(|e| read_err(&e))?;
    let mut bytes = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_err(&e))?;
    if bytes.len() as u64 > cap {
        return Err(read_err(&format!("it is larger than {} KiB", cap / 1024)));
    }
    Ok(bytes)
}

impl CampaignFile {
    /// Reads and parses a campaign file. Paths in it are resolved against its directory; this
    /// checks the shape, not that the files exist ([`CampaignFile::check`]).
    pub fn load(path: &Path) -> Result<CampaignFile, FileError> {
        let bytes = read_capped(path, MAX_FILE_BYTES)?;
        let sha256 = prior_model::bundle::sha256_bytes(&bytes);
        let text = String::from_utf8(bytes).map_err(|_| FileError::Read {
            file: path.to_path_buf(),
            message: "it is not UTF-8 text".into(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        CampaignFile::parse(path, text, sha256)
    }

    fn parse(path: &Path, text: &str, sha256: String) -> Result<CampaignFile, FileError> {
        let options = serde_saphyr::options! {
            budget: serde_saphyr::budget! {
                max_events: 2_000_000,
                max_nodes: 500_000,
                max_aliases: 1_000,
                max_anchors: 1_000,
                max_depth: 32,
            },
        };
        let raw: Raw = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let loc = e.location().filter(|l| l.line() > 0);
            let mut message = e.without_snippet().to_string();
            if let Some(i) = message.rfind(" at line ") {
                message.truncate(i);
            }
            FileError::Syntax {
                file: path.to_path_buf(),
                line: loc.map(|l| l.line()),
                column: loc.map(|l| l.column()),
                message,
            }
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let base = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        let name = raw.name.value.trim().to_string();
        if name.is_empty() {
            return Err(FileError::invalid(
                path,
                line_of(&raw.name),
                "name is empty",
            ));
        }
        let apps_line = line_of(&raw.apps);
        let apps = match raw.apps.value {
            RawApps::List(list) => {
                if list.is_empty() {
                    return Err(FileError::invalid(path, apps_line, "apps is an empty list"));
                }
                AppsSpec::List(
                    list.into_iter()
                        .map(|a| {
                            let line = line_of(&a);
                            let a = a.value;
                            AppEntry {
                                apk: resolve(base, &a.apk.value),
                                name: a.name,
                                developer: a.developer,
                                store_url: a.store_url,
                                extra: a.extra,
                                source: line.map(|l| (path.to_path_buf(), l)),
                            }
                        })
                        .collect(),
                )
            }
            RawApps::Dir(d) => AppsSpec::Dir(resolve(base, &d)),
            RawApps::Csv(c) => AppsSpec::Csv(resolve(base, &c)),
        };
        if raw.scenarios.value.is_empty() {
            return Err(FileError::invalid(
                path,
                line_of(&raw.scenarios),
                "scenarios is an empty list",
            ));
        }
        let scenarios = raw
            .scenarios
            .value
            .iter()
            .map(|s| ScenarioRef {
                path: resolve(base, &s.value),
                line: line_of(s),
            })
            .collect();
        let devices = match raw.devices {
            None => None,
            Some(d) => {
                let line = line_of(&d);
                let d = d.value;
                let given = [d.simulated.is_some(), d.serials.is_some(), d.avd.is_some()]
                    .iter()
                    .filter(|b| **b)
                    .count();
                if given != 1 {
                    return Err(FileError::invalid(
                        path,
                        line,
                        "devices: give exactly one of `simulated`, `serials` and `avd`",
                    ));
                }
                if d.parallel == Some(0) {
                    return Err(FileError::invalid(path, line, "devices: parallel is 0"));
                }
                Some(if let Some(s) = d.simulated {
                    DevicesSpec::Simulated {
                        models: s.models.map(|m| resolve(base, &m)),
                        parallel: d.parallel,
                    }
                } else if let Some(serials) = d.serials {
                    if d.parallel.is_some() {
                        return Err(FileError::invalid(
                            path,
                            line,
                            "devices: `parallel` goes with `avd` or `simulated`; with `serials` \
                             every listed device is used",
                        ));
                    }
                    if serials.is_empty() {
                        return Err(FileError::invalid(path, line, "devices: serials is empty"));
                    }
                    DevicesSpec::Serials(serials)
                } else {
                    DevicesSpec::Avd {
                        name: d.avd.unwrap_or_default(),
                        parallel: d.parallel,
                    }
                })
            }
        };
        Ok(CampaignFile {
            path: path.to_path_buf(),
            sha256,
            name,
            apps,
            scenarios,
            // A profile file (a path, not a built-in name) is relative to the campaign file.
            profile: raw.profile.map(|p| {
                if p.contains('/') || p.ends_with(".toml") {
                    resolve(base, &p).display().to_string()
                } else {
                    p
                }
            }),
            devices,
        })
    }

    /// The campaign's apps, in campaign order: the list as written, a directory's `*.apk`
    /// sorted by file name, or the CSV's rows in order.
    pub fn apps(&self) -> Result<Vec<AppEntry>, FileError> {
        match &self.apps {
            AppsSpec::List(list) => Ok(list.clone()),
            AppsSpec::Dir(dir) => apps_in_dir(dir),
            AppsSpec::Csv(csv) => apps_in_csv(csv),
        }
    }

    /// Every problem `prior check` reports beyond the shape: apps that cannot be listed, APKs
    /// that are missing or not regular files, scenario files that are missing. (The CLI
    /// validates each scenario's content with prior-scenario.)
    pub fn check(&self) -> Vec<FileError> {
        let mut problems = Vec::new();
        match self.apps() {
            Err(e) => problems.push(e),
            Ok(apps) => {
                if apps.is_empty() {
                    problems.push(FileError::invalid(
                        &self.path,
                        None,
                        "the campaign has no apps",
                    ));
                }
                for app in &apps {
                    if !app.apk.is_file() {
                        let (file, line) = match &app.source {
                            Some((f, l)) => (f.clone(), Some(*l)),
                            None => (self.path.clone(), None),
                        };
                        problems.push(FileError::Invalid {
                            file,
                            line,
                            message: format!(
                                "the APK {} does not exist or is not a regular file",
                                app.apk.display()
                            ),
                        });
                    }
                }
            }
        }
        for s in &self.scenarios {
            if !s.path.is_file() {
                problems.push(FileError::invalid(
                    &self.path,
                    s.line,
                    format!(
                        "the scenario file {} does not exist or is not a regular file",
                        s.path.display()
                    ),
                ));
            }
        }
        problems
    }
}

fn apps_in_dir(dir: &Path) -> Result<Vec<AppEntry>, FileError> {
    let entries = std::fs::read_dir(dir).map_err(|e| FileError::Read {
        file: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut apks = Vec::new();
    for e in entries {
        let e = e.map_err(|e| FileError::Read {
            file: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let p = e.path();
        let is_apk = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("apk"));
        // A directory named `x.apk` is not an app (a symbolic link to an APK file is).
        if is_apk && p.is_file() {
            apks.push(p);
        }
    }
    // Sorted by file name as bytes, so every machine lists them in the same order.
    apks.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(apks
        .into_iter()
        .map(|apk| AppEntry {
            apk,
            name: None,
            developer: None,
            store_url: None,
            extra: BTreeMap::new(),
            source: None,
        })
        .collect())
}

fn apps_in_csv(file: &Path) -> Result<Vec<AppEntry>, FileError> {
    let bytes = read_capped(file, MAX_CSV_BYTES)?;
    // A spreadsheet's "CSV UTF-8" export starts with a byte-order mark.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let base = file.parent().unwrap_or(Path::new("."));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let syntax = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        FileError::Syntax {
            file: file.to_path_buf(),
            line,
            column: None,
            message: match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "a row is not UTF-8 text".to_string(),
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("a row has {len} fields, the header {expected_len}"),
                _ => e.to_string(),
            },
        }
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(syntax)?
        .iter()
        .map(|h| h.to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(apk_col) = col("apk") else {
        return Err(FileError::invalid(
            file,
            Some(1),
            format!(
                "the header row has no `apk` column (it has: {})",
                headers.join(", ")
            ),
        ));
    };
    let (name_col, dev_col, url_col) = (col("name"), col("developer"), col("store_url"));
    let mut apps = Vec::new();
    for row in reader.records() {
        let row = row.map_err(syntax)?;
        let line = row.position().map(|p| p.line());
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let Some(apk) = get(Some(apk_col)) else {
            return Err(FileError::invalid(file, line, "the `apk` column is empty"));
        };
        let mut extra = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            if [Some(apk_col), name_col, dev_col, url_col].contains(&Some(i)) {
                continue;
            }
            if let Some(v) = row.get(i) {
                extra.insert(h.clone(), v.to_string());
            }
        }
        apps.push(AppEntry {
            apk: resolve(base, &apk),
            name: get(name_col),
            developer: get(dev_col),
            store_url: get(url_col),
            extra,
            source: line.map(|l| (file.to_path_buf(), l)),
        });
    }
    Ok(apps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CampaignFile, FileError> {
        CampaignFile::parse(Path::new("/c/camp.yaml"), text, "0".into())
    }

    #[test]
    fn a_list_of_apps_resolves_against_the_file_and_keeps_extra_keys() {
        let f = parse(
            "name: Sweep\napps:\n  - { apk: a.apk, name: Shop A, developer: A Ltd, store_url: 'https://x', region: east }\n  - apk: /abs/b.apk\nscenarios: [accept.yaml, sub/reject.yaml]\nprofile: cn-miit\n",
        )
        .unwrap();
        let AppsSpec::List(apps) = &f.apps else {
            panic!("{:?}", f.apps)
        };
        assert_eq!(apps[0].apk, Path::new("/c/a.apk"));
        assert_eq!(apps[0].name.as_deref(), Some("Shop A"));
        assert_eq!(
            apps[0].extra.get("region").map(String::as_str),
            Some("east")
        );
        assert_eq!(apps[0].source, Some((PathBuf::from("/c/camp.yaml"), 3)));
        assert_eq!(apps[1].apk, Path::new("/abs/b.apk"));
        assert_eq!(f.scenarios[1].path, Path::new("/c/sub/reject.yaml"));
        assert_eq!(f.scenarios[1].line, Some(5));
        assert_eq!(f.profile.as_deref(), Some("cn-miit"));
        let g = parse("name: x\napps: { dir: d }\nscenarios: [a.yaml]\nprofile: rules/mine.toml\n")
            .unwrap();
        assert_eq!(g.profile.as_deref(), Some("/c/rules/mine.toml"));
        assert_eq!(f.devices, None);
    }

    #[test]
    fn dir_csv_and_devices_forms() {
        let f = parse("name: x\napps: { dir: apks }\nscenarios: [a.yaml]\ndevices: { avd: pixel, parallel: 4 }\n").unwrap();
        assert_eq!(f.apps, AppsSpec::Dir("/c/apks".into()));
        assert_eq!(
            f.devices,
            Some(DevicesSpec::Avd {
                name: "pixel".into(),
                parallel: Some(4)
            })
        );
        let f = parse("name: x\napps: { csv: apps.csv }\nscenarios: [a.yaml]\ndevices: { serials: [emulator-5554, emulator-5556] }\n").unwrap();
        assert_eq!(f.apps, AppsSpec::Csv("/c/apps.csv".into()));
        assert_eq!(
            f.devices,
            Some(DevicesSpec::Serials(vec![
                "emulator-5554".into(),
                "emulator-5556".into()
            ]))
        );
        let f = parse("name: x\napps: { dir: d }\nscenarios: [a.yaml]\ndevices: { simulated: { models: m }, parallel: 3 }\n").unwrap();
        assert_eq!(
            f.devices,
            Some(DevicesSpec::Simulated {
                models: Some("/c/m".into()),
                parallel: Some(3)
            })
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let cases = [
            (
                "name: x\napps: { dir: d }\nscenarios: [a.yaml]\nbogus: 1\n",
                "camp.yaml:4",
            ),
            ("name: x\napps: []\nscenarios: [a.yaml]\n", "camp.yaml:2"),
            ("name: x\napps: { dir: d }\nscenarios: []\n", "camp.yaml:3"),
            (
                "name: x\napps: { dir: d, csv: c }\nscenarios: [a.yaml]\n",
                "camp.yaml:2",
            ),
            (
                "name: x\napps: { zip: d }\nscenarios: [a.yaml]\n",
                "camp.yaml:2",
            ),
            (
                "name: x\napps: { dir: d }\nscenarios: [a.yaml]\ndevices: { avd: a, serials: [b] }\n",
                "camp.yaml:4",
            ),
            (
                "name: x\napps: { dir: d }\nscenarios: [a.yaml]\ndevices: { serials: [b], parallel: 2 }\n",
                "camp.yaml:4",
            ),
            (
                "name: x\napps:\n  - { name: no apk }\nscenarios: [a.yaml]\n",
                "camp.yaml:3",
            ),
            (
                "name: ''\napps: { dir: d }\nscenarios: [a.yaml]\n",
                "camp.yaml:1",
            ),
            ("name: x\napps: { dir: d }\n", "scenarios"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_csv_with_a_bom_and_extra_columns() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("apps.csv");
        std::fs::write(
            &csv,
            "\u{feff}name,APK,developer,store_url,province\n商城 A,a.apk,A Ltd,https://a,浙江\n\"B, Inc app\",sub/b.apk,,,\n",
        )
        .unwrap();
        let apps = apps_in_csv(&csv).unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].apk, dir.path().join("a.apk"));
        assert_eq!(apps[0].name.as_deref(), Some("商城 A"));
        assert_eq!(
            apps[0].extra.get("province").map(String::as_str),
            Some("浙江")
        );
        assert_eq!(apps[0].source.as_ref().map(|s| s.1), Some(2));
        assert_eq!(apps[1].name.as_deref(), Some("B, Inc app"));
        assert_eq!(apps[1].developer, None);
        assert_eq!(apps[1].apk, dir.path().join("sub/b.apk"));

        std::fs::write(&csv, "name,developer\nA,B\n").unwrap();
        let e = apps_in_csv(&csv).unwrap_err().to_string();
        assert!(
            e.contains("apps.csv:1") && e.contains("no `apk` column"),
            "{e}"
        );
        std::fs::write(&csv, "apk,name\na.apk,A\nb.apk\n").unwrap();
        let e = apps_in_csv(&csv).unwrap_err().to_string();
        assert!(e.contains("apps.csv:3"), "{e}");
        std::fs::write(&csv, "apk,name\n,A\n").unwrap();
        let e = apps_in_csv(&csv).unwrap_err().to_string();
        assert!(e.contains("apps.csv:2") && e.contains("empty"), "{e}");
    }

    #[test]
    fn a_directory_lists_its_apks_sorted_and_check_names_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.apk", "a.APK", "notes.txt", "c.apk"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("src.apk")).unwrap();
        let apps = apps_in_dir(dir.path()).unwrap();
        let names: Vec<_> = apps
            .iter()
            .map(|a| a.apk.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.APK", "b.apk", "c.apk"]);

        let camp = dir.path().join("c.yaml");
        std::fs::write(
            &camp,
            "name: x\napps:\n  - apk: b.apk\n  - apk: gone.apk\nscenarios:\n  - missing.yaml\n",
        )
        .unwrap();
        let f = CampaignFile::load(&camp).unwrap();
        let problems: Vec<String> = f.check().iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("c.yaml:4") && problems[0].contains("gone.apk"));
        assert!(problems[1].contains("c.yaml:6") && problems[1].contains("missing.yaml"));
    }
}
