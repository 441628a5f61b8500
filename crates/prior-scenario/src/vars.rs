//! `${NAME}` substitution from `-e NAME=VALUE`.

use std::collections::BTreeMap;

/// Variables given on the command line with `-e NAME=VALUE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    map: BTreeMap<String, String>,
}

/// A malformed `-e` argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VarsError {
    /// No `=` in the argument.
    #[error("read variable `{0}`: expected NAME=VALUE")]
    NoEquals(String),
    /// The name is not `[A-Za-z_][A-Za-z0-9_]*`.
    #[error(
        "read variable `{0}`: the name must be letters, digits and `_`, not starting with a digit"
    )]
    BadName(String),
}

/// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Vars {
    /// No variables.
    pub fn new() -> Vars {
        Vars::default()
    }

    /// Parses `NAME=VALUE` strings (the value may contain `=`; the last definition wins).
    pub fn from_pairs<I, S>(pairs: I) -> Result<Vars, VarsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut vars = Vars::new();
        for p in pairs {
            let p = p.as_ref();
            let (name, value) = p
                .split_once('=')
                .ok_or_else(|| VarsError::NoEquals(p.to_owned()))?;
            if !valid_name(name) {
                return Err(VarsError::BadName(name.to_owned()));
            }
            vars.map.insert(name.to_owned(), value.to_owned());
        }
        Ok(vars)
    }

    /// Sets a variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.map.insert(name.into(), value.into());
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every variable, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A substitution problem; `offset` is the byte offset of the `$` in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubstError {
    Undefined { name: String, offset: usize },
    Unterminated { offset: usize },
    BadName { name: String, offset: usize },
}

/// Replaces `${NAME}` and `${NAME:-default}`; `$${` produces a literal `${`. Any other `$` is
/// kept as is. Substituted text is not scanned again.
pub(crate) fn substitute(input: &str, vars: &Vars) -> Result<String, SubstError> {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let bytes = input.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'$' && input[i..].starts_with("$${") {
            out.push_str("${");
            i += 3;
            continue;
        }
        if bytes[i] == b'$' && input[i..].starts_with("${") {
            let body_start = i + 2;
            let Some(close) = input[body_start..].find('}') else {
                return Err(SubstError::Unterminated { offset: i });
            };
            let body = &input[body_start..body_start + close];
            let (name, default) = match body.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (body, None),
            };
            if !valid_name(name) {
                return Err(SubstError::BadName {
                    name: name.to_owned(),
                    offset: i,
                });
            }
            match (vars.get(name), default) {
                (Some(v), _) => out.push_str(v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => {
                    return Err(SubstError::Undefined {
                        name: name.to_owned(),
                        offset: i,
                    });
                }
            }
            i = body_start + close + 1;
            continue;
        }
        // Copy one whole UTF-8 character.
        let ch_len = input[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&input[i..i + ch_len]);
        i += ch_len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars::from_pairs(["APK=apps/x.apk", "EMPTY=", "Q=a'b;$(c)"]).unwrap()
    }

    #[test]
    fn substitutes_defaults_and_escapes() {
        let v = vars();
        assert_eq!(substitute("${APK}", &v).unwrap(), "apps/x.apk");
        assert_eq!(substitute("a ${EMPTY}b", &v).unwrap(), "a b");
        assert_eq!(substitute("${NOPE:-fallback}", &v).unwrap(), "fallback");
        assert_eq!(substitute("${APK:-fallback}", &v).unwrap(), "apps/x.apk");
        assert_eq!(substitute("$${APK}", &v).unwrap(), "${APK}");
        assert_eq!(substitute("cost $5 $ {x}", &v).unwrap(), "cost $5 $ {x}");
        assert_eq!(substitute("隐私${EMPTY}政策", &v).unwrap(), "隐私政策");
        // Substituted text is not rescanned.
        let mut w = Vars::new();
        w.set("A", "${B}");
        assert_eq!(substitute("${A}", &w).unwrap(), "${B}");
        assert_eq!(substitute("${Q}", &v).unwrap(), "a'b;$(c)");
    }

    #[test]
    fn reports_problems_with_offsets() {
        let v = vars();
        assert_eq!(
            substitute("ab ${NOPE}", &v),
            Err(SubstError::Undefined {
                name: "NOPE".into(),
                offset: 3
            })
        );
        assert_eq!(
            substitute("x ${APK", &v),
            Err(SubstError::Unterminated { offset: 2 })
        );
        assert_eq!(
            substitute("${1X}", &v),
            Err(SubstError::BadName {
                name: "1X".into(),
                offset: 0
            })
        );
    }

    #[test]
    fn parses_pairs() {
        let v = Vars::from_pairs(["A=b=c"]).unwrap();
        assert_eq!(v.get("A"), Some("b=c"));
        assert_eq!(
            Vars::from_pairs(["A"]),
            Err(VarsError::NoEquals("A".into()))
        );
        assert_eq!(
            Vars::from_pairs(["9=x"]),
            Err(VarsError::BadName("9".into()))
        );
    }
}
