//! Lexer and parser for the subset of `/system/bin/sh` (mksh) the simulator runs:
//! simple commands with assignments and redirections, pipelines, `;`, `&&`, `||`, `&`
//! (run in the foreground), newlines, comments, single/double quotes, backslashes,
//! `$VAR`, `${VAR}`, `$?`, `$$`, `$#`, `$0`–`$9`, `$(…)` and backticks.
//! Not supported (syntax error): `if`/`for`/`while`/`case`/functions, subshells `( )`,
//! here-documents, globbing (words are taken literally).

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// Literal text; `quoted` = came from quotes (never field-split).
    Lit(String, bool),
    /// `$NAME`; the flag says whether it was inside double quotes.
    Var(String, bool),
    /// `$(script)` or backticks.
    Subst(String, bool),
}

/// A shell word (concatenated segments).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word(pub Vec<Seg>);

impl Word {
    /// The literal text if the word has no expansions.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Lit(t, _) => s.push_str(t),
                _ => return None,
            }
        }
        Some(s)
    }

    fn any_quoted(&self) -> bool {
        self.0.iter().any(|s| matches!(s, Seg::Lit(_, true)))
    }
}

/// A redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redir {
    /// `N> file` (append when `append`).
    Out { fd: u32, target: Word, append: bool },
    /// `N< file`.
    In { fd: u32, target: Word },
    /// `N>&M`.
    Dup { fd: u32, to: u32 },
    /// `&> file`.
    Both { target: Word },
}

/// A simple command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
}

/// How a pipeline is joined to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    Seq,
    And,
    Or,
}

/// `cmd | cmd | …`.
pub type Pipeline = Vec<Command>;

/// A parsed script: pipelines with the connector that precedes each.
pub type Script = Vec<(Join, Pipeline)>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Semi,
    And,
    Or,
    Pipe,
    Redir(Redir),
}

/// A syntax error message (after `/system/bin/sh: `).
pub type SyntaxError = String;

struct Lexer<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    /// Reads the char at i (UTF-8 aware) and advances.
    fn take_char(&mut self) -> Option<char> {
        let c = self.src.get(self.i..)?.chars().next()?;
        self.i += c.len_utf8();
        Some(c)
    }

    fn tokens(&mut self) -> Result<Vec<Tok>, SyntaxError> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' | b';' => {
                    self.i += 1;
                    if c == b';' && self.peek() == Some(b';') {
                        return Err("syntax error: ';;' unexpected".into());
                    }
                    out.push(Tok::Semi);
                }
                b'#' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                b'&' => {
                    self.i += 1;
                    if self.peek() == Some(b'&') {
                        self.i += 1;
                        out.push(Tok::And);
                    } else if self.peek() == Some(b'>') {
                        self.i += 1;
                        let target = self.redir_target()?;
                        out.push(Tok::Redir(Redir::Both { target }));
                    } else {
                        // background jobs run in the foreground in the simulator
                        out.push(Tok::Semi);
                    }
                }
                b'|' => {
                    self.i += 1;
                    if self.peek() == Some(b'|') {
                        self.i += 1;
                        out.push(Tok::Or);
                    } else {
                        out.push(Tok::Pipe);
                    }
                }
                b'(' | b')' => return Err(format!("syntax error: '{}' unexpected", c as char)),
                b'>' | b'<' => {
                    let r = self.redir(None)?;
                    out.push(Tok::Redir(r));
                }
                b'0'..=b'9' if self.is_fd_redir() => {
                    let fd = u32::from(c - b'0');
                    self.i += 1;
                    let r = self.redir(Some(fd))?;
                    out.push(Tok::Redir(r));
                }
                _ => {
                    let w = self.word()?;
                    out.push(Tok::Word(w));
                }
            }
        }
        Ok(out)
    }

    fn is_fd_redir(&self) -> bool {
        matches!(self.peek_at(1), Some(b'>') | Some(b'<'))
    }

    fn redir(&mut self, fd: Option<u32>) -> Result<Redir, SyntaxError> {
        let c = self.peek().unwrap_or(b'>');
        self.i += 1;
        if c == b'<' {
            if self.peek() == Some(b'<') {
                return Err("syntax error: here-documents are not supported".into());
            }
            let target = self.redir_target()?;
            return Ok(Redir::In {
                fd: fd.unwrap_or(0),
                target,
            });
        }
        let fd = fd.unwrap_or(1);
        if self.peek() == Some(b'>') {
            self.i += 1;
            let target = self.redir_target()?;
            return Ok(Redir::Out {
                fd,
                target,
                append: true,
            });
        }
        if self.peek() == Some(b'&') {
            self.i += 1;
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    self.i += 1;
                    return Ok(Redir::Dup {
                        fd,
                        to: u32::from(d - b'0'),
                    });
                }
                _ => return Err("syntax error: bad fd after '>&'".into()),
            }
        }
        if self.peek() == Some(b'|') {
            self.i += 1;
        }
        let target = self.redir_target()?;
        Ok(Redir::Out {
            fd,
            target,
            append: false,
        })
    }

    fn redir_target(&mut self) -> Result<Word, SyntaxError> {
        while matches!(self.peek(), Some(b' ') | Some(b'\t')) {
            self.i += 1;
        }
        match self.peek() {
            None | Some(b'\n') | Some(b';') | Some(b'&') | Some(b'|') | Some(b'>') | Some(b'<') => {
                Err("syntax error: redirection without a target".into())
            }
            _ => self.word(),
        }
    }

    fn word(&mut self) -> Result<Word, SyntaxError> {
        let mut segs: Vec<Seg> = Vec::new();
        let mut lit = String::new();
        let flush = |segs: &mut Vec<Seg>, lit: &mut String, quoted: bool| {
            if !lit.is_empty() {
                segs.push(Seg::Lit(std::mem::take(lit), quoted));
            }
        };
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => {
                    break;
                }
                b'\'' => {
                    flush(&mut segs, &mut lit, false);
                    self.i += 1;
                    let start = self.i;
                    while self.peek().is_some_and(|c| c != b'\'') {
                        self.i += 1;
                    }
                    if self.peek().is_none() {
                        return Err("syntax error: unterminated quoted string".into());
                    }
                    let text = self.src[start..self.i].to_owned();
                    self.i += 1;
                    segs.push(Seg::Lit(text, true));
                }
                b'"' => {
                    flush(&mut segs, &mut lit, false);
                    self.i += 1;
                    self.double_quoted(&mut segs)?;
                    // an empty "" still makes a (quoted) word
                    segs.push(Seg::Lit(String::new(), true));
                }
                b'\\' => {
                    self.i += 1;
                    match self.take_char() {
                        Some('\n') | None => {}
                        Some(ch) => {
                            flush(&mut segs, &mut lit, false);
                            segs.push(Seg::Lit(ch.to_string(), true));
                        }
                    }
                }
                b'$' => {
                    flush(&mut segs, &mut lit, false);
                    let seg = self.dollar(false)?;
                    segs.push(seg);
                }
                b'`' => {
                    flush(&mut segs, &mut lit, false);
                    let s = self.backtick()?;
                    segs.push(Seg::Subst(s, false));
                }
                _ => {
                    if let Some(ch) = self.take_char() {
                        lit.push(ch);
                    }
                }
            }
        }
        flush(&mut segs, &mut lit, false);
        Ok(Word(segs))
    }

    fn double_quoted(&mut self, segs: &mut Vec<Seg>) -> Result<(), SyntaxError> {
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("syntax error: unterminated quoted string".into());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some(n @ (b'$' | b'`' | b'"' | b'\\')) => {
                            lit.push(n as char);
                            self.i += 1;
                        }
                        Some(b'\n') => self.i += 1,
                        _ => lit.push('\\'),
                    }
                }
                b'$' => {
                    if !lit.is_empty() {
                        segs.push(Seg::Lit(std::mem::take(&mut lit), true));
                    }
                    let seg = self.dollar(true)?;
                    segs.push(seg);
                }
                b'`' => {
                    if !lit.is_empty() {
                        segs.push(Seg::Lit(std::mem::take(&mut lit), true));
                    }
                    let s = self.backtick()?;
                    segs.push(Seg::Subst(s, true));
                }
                _ => {
                    if let Some(ch) = self.take_char() {
                        lit.push(ch);
                    }
                }
            }
        }
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit, true));
        }
        Ok(())
    }

    fn dollar(&mut self, quoted: bool) -> Result<Seg, SyntaxError> {
        self.i += 1; // '$'
        match self.peek() {
            Some(b'?') | Some(b'$') | Some(b'#') | Some(b'!') | Some(b'0'..=b'9') => {
                let c = self.peek().unwrap_or(b'?');
                self.i += 1;
                Ok(Seg::Var((c as char).to_string(), quoted))
            }
            Some(b'{') => {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c != b'}') {
                    self.i += 1;
                }
                if self.peek().is_none() {
                    return Err("syntax error: missing '}'".into());
                }
                let name = self.src[start..self.i].to_owned();
                self.i += 1;
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || "?$#!".contains(c))
                {
                    return Err(format!("${{{name}}}: bad substitution"));
                }
                Ok(Seg::Var(name, quoted))
            }
            Some(b'(') => {
                self.i += 1;
                let start = self.i;
                let mut depth = 1;
                let mut in_sq = false;
                let mut in_dq = false;
                while let Some(c) = self.peek() {
                    match c {
                        b'\'' if !in_dq => in_sq = !in_sq,
                        b'"' if !in_sq => in_dq = !in_dq,
                        b'\\' if !in_sq => self.i += 1,
                        b'(' if !in_sq && !in_dq => depth += 1,
                        b')' if !in_sq && !in_dq => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                if self.peek() != Some(b')') {
                    return Err("syntax error: unterminated $(".into());
                }
                let inner = self.src[start..self.i].to_owned();
                self.i += 1;
                Ok(Seg::Subst(inner, quoted))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.i += 1;
                }
                Ok(Seg::Var(self.src[start..self.i].to_owned(), quoted))
            }
            _ => Ok(Seg::Lit("$".into(), quoted)),
        }
    }

    fn backtick(&mut self) -> Result<String, SyntaxError> {
        self.i += 1;
        let start = self.i;
        while self.peek().is_some_and(|c| c != b'`') {
            if self.peek() == Some(b'\\') {
                self.i += 1;
            }
            self.i += 1;
        }
        if self.peek().is_none() {
            return Err("syntax error: unterminated `".into());
        }
        let s = self.src[start..self.i].to_owned();
        self.i += 1;
        Ok(s)
    }
}

const RESERVED: [&str; 14] = [
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "function", "select",
];

/// Parses a script.
pub fn parse(src: &str) -> Result<Script, SyntaxError> {
    let toks = Lexer {
        s: src.as_bytes(),
        src,
        i: 0,
    }
    .tokens()?;
    let mut script: Script = Vec::new();
    let mut pipeline: Pipeline = Vec::new();
    let mut cmd = Command::default();
    let mut join = Join::Seq;
    let mut pending_join: Option<Join> = None;
    let finish_cmd = |cmd: &mut Command, pipeline: &mut Pipeline| -> bool {
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
            return false;
        }
        pipeline.push(std::mem::take(cmd));
        true
    };
    for t in toks {
        match t {
            Tok::Word(w) => {
                if cmd.words.is_empty() {
                    if let Some((name, value)) = split_assign(&w) {
                        cmd.assigns.push((name, value));
                        continue;
                    }
                    if let Some(l) = w.literal()
                        && RESERVED.contains(&l.as_str())
                        && !w.any_quoted()
                    {
                        return Err(format!(
                            "syntax error: '{l}' is not supported by the simulated shell"
                        ));
                    }
                }
                cmd.words.push(w);
            }
            Tok::Redir(r) => cmd.redirs.push(r),
            Tok::Pipe => {
                if !finish_cmd(&mut cmd, &mut pipeline) {
                    return Err("syntax error: '|' unexpected".into());
                }
            }
            Tok::Semi | Tok::And | Tok::Or => {
                let had = finish_cmd(&mut cmd, &mut pipeline);
                if !had && !pipeline.is_empty() {
                    return Err("syntax error: unexpected end after '|'".into());
                }
                if !pipeline.is_empty() {
                    script.push((
                        pending_join.take().unwrap_or(join),
                        std::mem::take(&mut pipeline),
                    ));
                } else if t != Tok::Semi || pending_join.is_some() {
                    let op = match t {
                        Tok::And => "&&",
                        Tok::Or => "||",
                        _ => ";",
                    };
                    return Err(format!("syntax error: '{op}' unexpected"));
                }
                join = Join::Seq;
                match t {
                    Tok::And => pending_join = Some(Join::And),
                    Tok::Or => pending_join = Some(Join::Or),
                    _ => {}
                }
            }
        }
    }
    if finish_cmd(&mut cmd, &mut pipeline) {
        script.push((pending_join.take().unwrap_or(join), pipeline));
    } else if !pipeline.is_empty() || pending_join.is_some() {
        return Err("syntax error: unexpected end of file".into());
    }
    Ok(script)
}

fn split_assign(w: &Word) -> Option<(String, Word)> {
    let Some(Seg::Lit(first, false)) = w.0.first() else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    if name.is_empty()
        || !name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let mut rest = vec![Seg::Lit(first[eq + 1..].to_owned(), false)];
    rest.extend(w.0[1..].iter().cloned());
    Some((name.to_owned(), Word(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(cmd: &Command) -> Vec<String> {
        cmd.words
            .iter()
            .map(|w| w.literal().unwrap_or_else(|| "<exp>".into()))
            .collect()
    }

    #[test]
    fn adb_logcat_line_parses() {
        let s = parse("export ANDROID_LOG_TAGS=\"''\"; exec logcat '-d' '-v' 'epoch'").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(lits(&s[0].1[0]), vec!["export", "ANDROID_LOG_TAGS=''"]);
        assert_eq!(
            lits(&s[1].1[0]),
            vec!["exec", "logcat", "-d", "-v", "epoch"]
        );
    }

    #[test]
    fn operators_redirects_and_quotes() {
        let s = parse("a && b || c; d | e 2>/dev/null </dev/null > 'out file' 2>&1").unwrap();
        assert_eq!(
            s.iter().map(|(j, _)| *j).collect::<Vec<_>>(),
            vec![Join::Seq, Join::And, Join::Or, Join::Seq]
        );
        let last = &s[3].1;
        assert_eq!(last.len(), 2);
        assert_eq!(last[1].redirs.len(), 4);
        assert_eq!(
            last[1].redirs[2],
            Redir::Out {
                fd: 1,
                target: Word(vec![Seg::Lit("out file".into(), true)]),
                append: false
            }
        );
        assert_eq!(last[1].redirs[3], Redir::Dup { fd: 2, to: 1 });
        let q = parse(r#"echo "a $HOME b" 'c $x' d\ e"#).unwrap();
        let w = &q[0].1[0].words;
        assert_eq!(w.len(), 4);
        assert!(matches!(&w[1].0[1], Seg::Var(n, true) if n == "HOME"));
        assert_eq!(w[2].literal().unwrap(), "c $x");
        assert_eq!(w[3].literal().unwrap(), "d e");
    }

    #[test]
    fn assignments_substitutions_and_errors() {
        let s = parse("X=1 Y=$(date +%s) env").unwrap();
        assert_eq!(s[0].1[0].assigns.len(), 2);
        assert!(matches!(&s[0].1[0].assigns[1].1 .0[1], Seg::Subst(x, false) if x == "date +%s"));
        assert!(parse("echo 'open").is_err());
        assert!(parse("if true; then echo; fi").is_err());
        assert!(parse("a &&").is_err());
        assert!(parse("| a").is_err());
        assert!(parse("echo (x)").is_err());
        assert!(parse("echo ok # comment ; rm x").unwrap().len() == 1);
        assert_eq!(parse("").unwrap().len(), 0);
        assert_eq!(parse("a\nb\n").unwrap().len(), 2);
        assert_eq!(parse("sleep 1 & echo x").unwrap().len(), 2);
    }
}
