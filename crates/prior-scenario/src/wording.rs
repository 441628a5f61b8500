//! Default consent-screen wording for Chinese (simplified and traditional), English, German,
//! French and Spanish.
//!
//! Each list below is joined into one case-insensitive pattern:
//! - **screen** phrases are searched anywhere in a node's text or content-desc
//!   (`(?i)(隐私|个人信息|privacy|…)`);
//! - **accept**, **reject** and **tick** phrases must be the *whole* label, apart from
//!   surrounding spaces and one trailing `.`, `!`, `。` or `！`
//!   (`(?i)^\s*(同意|agree|…)\s*[.!。！]?\s*$`), so `同意` does not match `不同意`, `Accept all`
//!   does not match `Reject all`, and a link such as `《隐私政策》` is never the accept button.
//!
//! The scenario keys `consent.screen`, `consent.accept`, `consent.reject` and `consent.tick`
//! replace these defaults (they are not merged).

use crate::model::{Pattern, Selector};

/// The default phrases of one language.
#[derive(Debug, Clone, Copy)]
pub struct LanguageWording {
    /// BCP 47 language tag (`zh`, `zh-Hant`, `en`, `de`, `fr`, `es`).
    pub lang: &'static str,
    /// Words that identify a consent/privacy screen (searched anywhere).
    pub screen: &'static [&'static str],
    /// Labels of the accept element (whole label).
    pub accept: &'static [&'static str],
    /// Labels of the reject element (whole label).
    pub reject: &'static [&'static str],
    /// Labels of a "I have read and agree" checkbox (whole label).
    pub tick: &'static [&'static str],
}

/// The built-in wording, one entry per language.
pub const LANGUAGES: &[LanguageWording] = &[
    LanguageWording {
        lang: "zh",
        screen: &[
            "隐私",
            "个人信息",
            "用户协议",
            "服务协议",
            "隐私政策",
            "隐私保护",
            "权限说明",
        ],
        accept: &[
            "同意",
            "我同意",
            "同意并继续",
            "同意并进入",
            "同意并使用",
            "同意并开始使用",
            "同意协议",
            "接受",
            "接受并继续",
        ],
        reject: &[
            "不同意",
            "我不同意",
            "暂不同意",
            "不同意并退出",
            "拒绝",
            "拒绝并退出",
            "退出",
            "退出应用",
            "仅浏览",
        ],
        tick: &[
            "我已阅读并同意",
            "已阅读并同意",
            "我已阅读并同意隐私政策",
            "我已阅读并同意用户协议和隐私政策",
        ],
    },
    LanguageWording {
        lang: "zh-Hant",
        screen: &["隱私", "個人資料", "個人資訊", "使用者條款", "服務條款"],
        accept: &["同意", "我同意", "同意並繼續", "接受"],
        reject: &["不同意", "我不同意", "拒絕", "退出"],
        tick: &["我已閱讀並同意"],
    },
    LanguageWording {
        lang: "en",
        screen: &[
            "privacy",
            "personal data",
            "personal information",
            "data protection",
            "consent",
            "cookies",
            "terms of service",
            "terms of use",
        ],
        accept: &[
            "agree",
            "i agree",
            "agree and continue",
            "agree & continue",
            "accept",
            "accept all",
            "accept and continue",
            "accept & continue",
            "i accept",
            "allow all",
        ],
        reject: &[
            "disagree",
            "i disagree",
            "do not agree",
            "don't agree",
            "decline",
            "decline all",
            "reject",
            "reject all",
            "refuse",
            "no thanks",
        ],
        tick: &[
            "i have read and agree",
            "i have read and agree to the privacy policy",
            "i agree to the privacy policy",
            "i agree to the terms and privacy policy",
        ],
    },
    LanguageWording {
        lang: "de",
        screen: &[
            "datenschutz",
            "personenbezogene",
            "persönliche daten",
            "einwilligung",
            "zustimmung",
            "cookies",
            "nutzungsbedingungen",
        ],
        accept: &[
            "zustimmen",
            "ich stimme zu",
            "einverstanden",
            "akzeptieren",
            "alle akzeptieren",
            "akzeptieren und weiter",
            "zustimmen und weiter",
            "alle zulassen",
        ],
        reject: &[
            "ablehnen",
            "alle ablehnen",
            "nicht zustimmen",
            "nicht einverstanden",
            "ich stimme nicht zu",
        ],
        tick: &[
            "ich habe die datenschutzerklärung gelesen und stimme zu",
            "ich stimme der datenschutzerklärung zu",
        ],
    },
    LanguageWording {
        lang: "fr",
        screen: &[
            "confidentialité",
            "données personnelles",
            "vie privée",
            "consentement",
            "cookies",
            "conditions d'utilisation",
        ],
        accept: &[
            "accepter",
            "tout accepter",
            "j'accepte",
            "accepter et continuer",
            "d'accord",
            "je suis d'accord",
        ],
        reject: &[
            "refuser",
            "tout refuser",
            "je refuse",
            "continuer sans accepter",
            "pas d'accord",
        ],
        tick: &[
            "j'ai lu et j'accepte",
            "j'accepte la politique de confidentialité",
        ],
    },
    LanguageWording {
        lang: "es",
        screen: &[
            "privacidad",
            "datos personales",
            "consentimiento",
            "cookies",
            "términos de uso",
            "condiciones de uso",
        ],
        accept: &[
            "aceptar",
            "aceptar todo",
            "aceptar todas",
            "acepto",
            "aceptar y continuar",
            "de acuerdo",
            "estoy de acuerdo",
        ],
        reject: &[
            "rechazar",
            "rechazar todo",
            "rechazar todas",
            "no acepto",
            "no estoy de acuerdo",
        ],
        tick: &["he leído y acepto", "acepto la política de privacidad"],
    },
];

fn alternation(pick: fn(&LanguageWording) -> &'static [&'static str]) -> String {
    let mut words: Vec<String> = Vec::new();
    for lang in LANGUAGES {
        for w in pick(lang) {
            let escaped = regex::escape(w);
            if !words.contains(&escaped) {
                words.push(escaped);
            }
        }
    }
    // Longest first, so the alternation prefers the longest phrase.
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.join("|")
}

/// The default `consent.screen` pattern (searched anywhere, case-insensitive).
pub fn screen_pattern() -> String {
    format!("(?i)({})", alternation(|l| l.screen))
}

/// The default `consent.accept` pattern (whole label, case-insensitive).
pub fn accept_pattern() -> String {
    whole_label(&alternation(|l| l.accept))
}

/// The default `consent.reject` pattern (whole label, case-insensitive).
pub fn reject_pattern() -> String {
    whole_label(&alternation(|l| l.reject))
}

/// The default `consent.tick` pattern (whole label, case-insensitive).
pub fn tick_pattern() -> String {
    whole_label(&alternation(|l| l.tick))
}

fn whole_label(alt: &str) -> String {
    format!(r"(?i)^\s*({alt})\s*[.!。！]?\s*$")
}

fn selector(source: String) -> Selector {
    match Pattern::new(&source) {
        Ok(p) => Selector::text(p),
        // The defaults are fixed strings made of escaped words; a test compiles each of them.
        Err(_) => Selector {
            text: None,
            desc: None,
            id: None,
            at: None,
        },
    }
}

/// The default `consent.screen` selector.
pub fn default_screen() -> Selector {
    selector(screen_pattern())
}

/// The default `consent.accept` selector.
pub fn default_accept() -> Selector {
    selector(accept_pattern())
}

/// The default `consent.reject` selector.
pub fn default_reject() -> Selector {
    selector(reject_pattern())
}

/// The default `consent.tick` selector.
pub fn default_tick() -> Selector {
    selector(tick_pattern())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sel: &Selector, text: &str) -> bool {
        sel.matches(text, "", "")
    }

    #[test]
    fn defaults_compile() {
        for s in [
            default_screen(),
            default_accept(),
            default_reject(),
            default_tick(),
        ] {
            assert!(s.text.is_some());
        }
    }

    #[test]
    fn accept_and_reject_do_not_overlap() {
        let (a, r) = (default_accept(), default_reject());
        for lang in LANGUAGES {
            for w in lang.accept {
                assert!(m(&a, w), "accept misses {w}");
                assert!(!m(&r, w), "reject matches accept label {w}");
            }
            for w in lang.reject {
                assert!(m(&r, w), "reject misses {w}");
                assert!(!m(&a, w), "accept matches reject label {w}");
            }
        }
    }

    #[test]
    fn labels_match_whole_and_case_insensitively() {
        let a = default_accept();
        assert!(m(&a, "  Accept All "));
        assert!(m(&a, "同意。"));
        assert!(m(&a, "Agree!"));
        assert!(!m(&a, "不同意"));
        assert!(!m(&a, "《隐私政策》"));
        assert!(!m(&a, "Reject all"));
        assert!(!m(&a, "I agree to the privacy policy"));
        // content-desc-only button
        assert!(a.matches("", "Accept", ""));
        let s = default_screen();
        assert!(m(&s, "欢迎使用！请阅读《隐私政策》"));
        assert!(m(&s, "We value your Privacy"));
        assert!(m(&s, "Datenschutzerklärung"));
        assert!(!m(&s, "Welcome to the shop"));
    }
}
