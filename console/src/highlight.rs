//! Light syntax highlighting of common languages: comments, strings, numbers and keywords.
//! The output is [`SafeHtml`]: every piece of the code is escaped.

use crate::safe_html::SafeHtml;

/// What a language looks like to the highlighter.
pub struct Syntax {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [char],
    keywords: &'static [&'static str],
}

const RUST: Syntax = Syntax {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    // `'` also starts lifetimes, so char literals stay plain.
    quotes: &['"'],
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "false", "fn", "for",
        "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
    ],
};

const C_LIKE: Syntax = Syntax {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\''],
    keywords: &[
        "auto",
        "break",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "defer",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "false",
        "final",
        "float",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "implements",
        "import",
        "int",
        "interface",
        "long",
        "map",
        "namespace",
        "new",
        "nil",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "range",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "type",
        "typedef",
        "union",
        "unsigned",
        "var",
        "void",
        "volatile",
        "while",
    ],
};

const JS: Syntax = Syntax {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\'', '`'],
    keywords: &[
        "as",
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "of",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "type",
        "typeof",
        "undefined",
        "var",
        "void",
        "while",
        "yield",
    ],
};

const PYTHON: Syntax = Syntax {
    line_comments: &["#"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "False", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "None", "nonlocal", "not",
        "or", "pass", "raise", "return", "True", "try", "while", "with", "yield",
    ],
};

const SHELL: Syntax = Syntax {
    line_comments: &["#"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in", "local", "return",
        "then", "until", "while",
    ],
};

const CONFIG: Syntax = Syntax {
    line_comments: &["#", ";"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &["true", "false", "null", "yes", "no", "on", "off"],
};

const JSON: Syntax =
    Syntax { line_comments: &[], block_comment: None, quotes: &['"'], keywords: &["true", "false", "null"] };

const CSS: Syntax =
    Syntax { line_comments: &[], block_comment: Some(("/*", "*/")), quotes: &['"', '\''], keywords: &["important"] };

const MARKUP: Syntax =
    Syntax { line_comments: &[], block_comment: Some(("<!--", "-->")), quotes: &['"'], keywords: &[] };

const SQL: Syntax = Syntax {
    line_comments: &["--"],
    block_comment: Some(("/*", "*/")),
    quotes: &['\'', '"'],
    keywords: &[
        "SELECT", "FROM", "WHERE", "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "CREATE", "TABLE", "DROP",
        "ALTER", "JOIN", "LEFT", "RIGHT", "INNER", "ON", "AND", "OR", "NOT", "NULL", "AS", "ORDER", "BY", "GROUP",
        "LIMIT", "select", "from", "where", "insert", "into", "values", "update", "set", "delete", "create", "table",
        "join", "on", "and", "or", "not", "null", "as", "order", "by", "group", "limit",
    ],
};

/// The syntax for a file named `name` or a code block tagged `name` (`rs`, `main.py`,
/// `Dockerfile`, `bash`…); `None` for plain text.
pub fn syntax_for(name: &str) -> Option<&'static Syntax> {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or_default();
    let ext = base.rsplit_once('.').map_or(base, |(_, e)| e);
    Some(match ext {
        "rs" | "rust" => &RUST,
        "c" | "h" | "cc" | "cpp" | "hpp" | "java" | "go" | "cs" | "kt" | "swift" | "scala" => &C_LIKE,
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "javascript" | "typescript" => &JS,
        "py" | "python" => &PYTHON,
        "sh" | "bash" | "zsh" | "bashrc" | "profile" | "dockerfile" | "makefile" | "shell" => &SHELL,
        "toml" | "ini" | "cfg" | "conf" | "yaml" | "yml" | "env" | "properties" => &CONFIG,
        "json" => &JSON,
        "css" | "scss" => &CSS,
        "html" | "htm" | "xml" | "svg" => &MARKUP,
        "sql" => &SQL,
        _ => return None,
    })
}

/// The kind of a piece of code.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    Plain,
    Keyword,
    Str,
    Comment,
    Number,
}

impl Token {
    /// The stylesheet class of the kind.
    fn class(self) -> Option<&'static str> {
        match self {
            Self::Plain => None,
            Self::Keyword => Some("tok-kw"),
            Self::Str => Some("tok-str"),
            Self::Comment => Some("tok-com"),
            Self::Number => Some("tok-num"),
        }
    }
}

/// Byte length of the string literal at the start of `rest` (opened by `quote`), up to its
/// closing quote, or the end of the line if unterminated (backtick strings span lines).
fn string_len(rest: &str, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '\n' if quote != '`' => return i,
            c if c == quote => return i + c.len_utf8(),
            _ => {}
        }
    }
    rest.len()
}

/// The kind and byte length of the token at the start of `rest`.
fn next_token(rest: &str, syntax: &Syntax) -> (Token, usize) {
    let Some(first) = rest.chars().next() else {
        return (Token::Plain, 0);
    };
    if syntax.line_comments.iter().any(|m| rest.starts_with(m)) {
        return (Token::Comment, rest.find('\n').unwrap_or(rest.len()));
    }
    if let Some((open, close)) = syntax.block_comment.filter(|(open, _)| rest.starts_with(open)) {
        let len = rest[open.len()..].find(close).map_or(rest.len(), |end| open.len() + end + close.len());
        return (Token::Comment, len);
    }
    if syntax.quotes.contains(&first) {
        return (Token::Str, string_len(rest, first));
    }
    let word_end =
        |rest: &str| rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len());
    if first.is_ascii_digit() {
        return (Token::Number, word_end(rest));
    }
    if first.is_alphabetic() || first == '_' {
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let kind = if syntax.keywords.contains(&&rest[..len]) { Token::Keyword } else { Token::Plain };
        return (kind, len);
    }
    (Token::Plain, first.len_utf8())
}

/// `code` split into tokens (adjacent plain pieces merged).
fn tokens<'a>(code: &'a str, syntax: &Syntax) -> Vec<(Token, &'a str)> {
    let mut out: Vec<(Token, &str)> = Vec::new();
    let (mut at, mut plain_from) = (0, 0);
    while at < code.len() {
        let (kind, len) = next_token(&code[at..], syntax);
        if kind != Token::Plain {
            if plain_from < at {
                out.push((Token::Plain, &code[plain_from..at]));
            }
            out.push((kind, &code[at..at + len]));
            plain_from = at + len;
        }
        at += len;
    }
    if plain_from < code.len() {
        out.push((Token::Plain, &code[plain_from..]));
    }
    out
}

/// Appends `text` of kind `token`, closing and reopening the line span at each newline.
fn emit(out: &mut SafeHtml, token: Token, text: &str) {
    for (i, piece) in text.split('\n').enumerate() {
        if i > 0 {
            out.close("span");
            out.open("span", Some("line"));
        }
        if piece.is_empty() {
            continue;
        }
        match token.class() {
            Some(class) => out.element("span", Some(class), |h| h.text(piece)),
            None => out.text(piece),
        }
    }
}

/// `code` as one `<span class="line">` per line, with token spans when `syntax` is known.
pub fn highlight(code: &str, syntax: Option<&Syntax>) -> SafeHtml {
    let code = code.strip_suffix('\n').unwrap_or(code);
    let mut out = SafeHtml::default();
    out.open("span", Some("line"));
    match syntax {
        Some(syntax) => tokens(code, syntax).into_iter().for_each(|(t, text)| emit(&mut out, t, text)),
        None => emit(&mut out, Token::Plain, code),
    }
    out.close("span");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_tokens_and_escapes() {
        let html = highlight("let s = \"<b>\"; // x < 1\n", syntax_for("a.rs"));
        assert_eq!(
            html.as_str(),
            "<span class=\"line\"><span class=\"tok-kw\">let</span> s = <span class=\"tok-str\">&quot;&lt;b&gt;&quot;</span>; \
             <span class=\"tok-com\">// x &lt; 1</span></span>"
        );
    }

    #[test]
    fn splits_multiline_tokens_into_lines() {
        let html = highlight("a /* x\ny */ 1", syntax_for("c"));
        assert_eq!(
            html.as_str(),
            "<span class=\"line\">a <span class=\"tok-com\">/* x</span></span><span class=\"line\">\
             <span class=\"tok-com\">y */</span> <span class=\"tok-num\">1</span></span>"
        );
    }

    #[test]
    fn plain_text_is_only_escaped() {
        assert_eq!(syntax_for("notes.txt").map(|_| ()), None);
        assert_eq!(
            highlight("<i>\n\n", None).as_str(),
            "<span class=\"line\">&lt;i&gt;</span><span class=\"line\"></span>"
        );
        assert!(syntax_for("Dockerfile").is_some());
    }

    #[test]
    fn unterminated_strings_stop_at_the_line_end() {
        let t = tokens("x = 'abc\ny", &PYTHON);
        assert_eq!(t, vec![(Token::Plain, "x = "), (Token::Str, "'abc"), (Token::Plain, "\ny")]);
    }
}
