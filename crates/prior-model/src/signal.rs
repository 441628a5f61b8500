//! [`Signal`]: what identifies one observation of an access — an API or binder method, an
//! app-op, a permission check or a network host — typed, and written as the same strings
//! reports have always carried (`ITelephony.getImeiForSlot`, `appop:FINE_LOCATION`,
//! `permission:android.permission.READ_PHONE_STATE`, `host:alog.umeng.com`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// The signal of an event or finding (its `api` field in JSON).
///
/// Ordering and equality are those of the written form, so sorting by signal sorts as the
/// strings did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signal {
    /// An API or binder method (`ITelephony.getImeiForSlot`), an activity, or any other text
    /// without one of the prefixes below.
    Api(String),
    /// An app-op by its name (`appop:FINE_LOCATION`).
    AppOp(String),
    /// A permission check (`permission:android.permission.READ_PHONE_STATE`).
    Permission(String),
    /// A network host the device contacted (`host:alog.umeng.com`).
    Host(String),
}

impl Signal {
    /// Reads the written form: `appop:`, `permission:` and `host:` select their kind, anything
    /// else is an [`Signal::Api`].
    pub fn parse(s: &str) -> Signal {
        if let Some(op) = s.strip_prefix("appop:") {
            Signal::AppOp(op.to_string())
        } else if let Some(p) = s.strip_prefix("permission:") {
            Signal::Permission(p.to_string())
        } else if let Some(h) = s.strip_prefix("host:") {
            Signal::Host(h.to_string())
        } else {
            Signal::Api(s.to_string())
        }
    }

    /// The prefix of the written form (`""` for an API).
    pub fn prefix(&self) -> &'static str {
        match self {
            Signal::Api(_) => "",
            Signal::AppOp(_) => "appop:",
            Signal::Permission(_) => "permission:",
            Signal::Host(_) => "host:",
        }
    }

    /// The name after the prefix.
    pub fn name(&self) -> &str {
        match self {
            Signal::Api(s) | Signal::AppOp(s) | Signal::Permission(s) | Signal::Host(s) => s,
        }
    }

    /// The host, for a [`Signal::Host`].
    pub fn host(&self) -> Option<&str> {
        match self {
            Signal::Host(h) => Some(h),
            _ => None,
        }
    }

    /// Whether this is a network host.
    pub fn is_host(&self) -> bool {
        matches!(self, Signal::Host(_))
    }

    /// The method an API names: `ITelephony.getImeiForSlot` and `getImeiForSlot` both name
    /// `getImeiForSlot`. App-ops, permission checks, hosts, and APIs written with a `:` name
    /// none.
    pub fn method(&self) -> Option<&str> {
        let Signal::Api(api) = self else { return None };
        if api.contains(':') {
            return None;
        }
        let m = api.rsplit('.').next()?;
        (!m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(m)
    }

    /// Whether the written form is `s`.
    pub fn is(&self, s: &str) -> bool {
        let p = Signal::parse(s);
        p.prefix() == self.prefix() && p.name() == self.name()
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.prefix().bytes().chain(self.name().bytes())
    }
}

impl From<&str> for Signal {
    fn from(s: &str) -> Self {
        Signal::parse(s)
    }
}

impl From<String> for Signal {
    fn from(s: String) -> Self {
        Signal::parse(&s)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())?;
        f.write_str(self.name())
    }
}

impl Ord for Signal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl PartialOrd for Signal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Signal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Signal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Signal::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_written_as_the_strings_reports_always_had() {
        for s in [
            "ITelephony.getImeiForSlot",
            "appop:FINE_LOCATION",
            "permission:android.permission.ACCESS_COARSE_LOCATION",
            "host:alog.umeng.com",
            "GrantPermissionsActivity",
            "appop:",
        ] {
            let sig = Signal::parse(s);
            assert_eq!(sig.to_string(), s);
            assert!(sig.is(s), "{s}");
            let json = serde_json::to_string(&sig).unwrap();
            assert_eq!(json, serde_json::to_string(s).unwrap());
            assert_eq!(serde_json::from_str::<Signal>(&json).unwrap(), sig);
        }
        assert_eq!(Signal::parse("host:a.b"), Signal::Host("a.b".into()));
        assert_eq!(
            Signal::parse("appop:READ_DEVICE_IDENTIFIERS"),
            Signal::AppOp("READ_DEVICE_IDENTIFIERS".into())
        );
        assert!(!Signal::Api("x".into()).is("host:x"));
    }

    #[test]
    fn ordering_is_that_of_the_written_form() {
        let mut v: Vec<Signal> = [
            "host:b",
            "appop:Z",
            "ILocationManager.x",
            "permission:a",
            "appop:A",
        ]
        .into_iter()
        .map(Signal::parse)
        .collect();
        v.sort();
        let mut s: Vec<String> = v.iter().map(ToString::to_string).collect();
        let sorted = {
            let mut c = s.clone();
            c.sort();
            c
        };
        assert_eq!(s, sorted);
        s.dedup();
    }

    #[test]
    fn only_apis_name_a_method() {
        assert_eq!(
            Signal::parse("ITelephony.getImeiForSlot").method(),
            Some("getImeiForSlot")
        );
        assert_eq!(
            Signal::parse("getImeiForSlot").method(),
            Some("getImeiForSlot")
        );
        assert_eq!(
            Signal::parse("appop:READ_DEVICE_IDENTIFIERS").method(),
            None
        );
        assert_eq!(
            Signal::parse("permission:android.permission.X").method(),
            None
        );
        assert_eq!(Signal::parse("host:a.b").method(), None);
        assert_eq!(Signal::Api("odd:thing".into()).method(), None);
    }
}
