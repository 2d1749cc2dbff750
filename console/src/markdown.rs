//! Markdown previews: a small subset (headings, paragraphs, lists, quotes, rules, fenced
//! code, inline code, bold, italics and web links) rendered to [`SafeHtml`]. Raw HTML in
//! the source is shown as text, and links go only to web and mail addresses.

use crate::highlight::{highlight, syntax_for};
use crate::safe_html::SafeHtml;

/// The opening of a fenced code block (```` ``` ```` or `~~~`), if `line` is one.
fn fence(line: &str) -> Option<&'static str> {
    ["```", "~~~"].into_iter().find(|f| line.starts_with(f))
}

/// The level and text of an ATX heading (`## Title`).
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' ')))
        .then(|| (level, rest.trim().trim_end_matches('#').trim_end()))
}

/// Whether `line` is a thematic break (`---`, `***`, `___`).
fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3 && ["-", "*", "_"].iter().any(|m| compact.chars().all(|c| c.to_string() == *m))
}

/// A list item: whether it is numbered, and its text.
fn list_item(line: &str) -> Option<(bool, &str)> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(text) = line.strip_prefix(marker) {
            return Some((false, text));
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && (rest.starts_with(". ") || rest.starts_with(") "))).then(|| (true, &rest[2..]))
}

/// Whether `line` starts a block other than a paragraph.
fn starts_block(line: &str) -> bool {
    fence(line).is_some()
        || heading(line).is_some()
        || is_rule(line)
        || line.starts_with('>')
        || list_item(line).is_some()
}

/// `markdown` as HTML.
pub fn render(markdown: &str) -> SafeHtml {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = SafeHtml::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if line.is_empty() {
            i += 1;
        } else if let Some(marker) = fence(line) {
            let lang = line[marker.len()..].trim();
            let body: Vec<&str> =
                lines[i + 1..].iter().take_while(|l| !l.trim_start().starts_with(marker)).copied().collect();
            i += body.len() + 2;
            out.element("pre", Some("code"), |h| h.append(&highlight(&body.join("\n"), syntax_for(lang))));
        } else if let Some((level, text)) = heading(line) {
            let tag = ["h1", "h2", "h3", "h4", "h5", "h6"][level - 1];
            out.element(tag, None, |h| inline(h, text));
            i += 1;
        } else if is_rule(line) {
            out.void("hr");
            i += 1;
        } else if line.starts_with('>') {
            let quoted: Vec<&str> = lines[i..]
                .iter()
                .map(|l| l.trim_start())
                .take_while(|l| l.starts_with('>'))
                .map(|l| l[1..].strip_prefix(' ').unwrap_or(&l[1..]))
                .collect();
            i += quoted.len();
            out.element("blockquote", None, |h| h.append(&render(&quoted.join("\n"))));
        } else if let Some((numbered, _)) = list_item(line) {
            let tag = if numbered { "ol" } else { "ul" };
            out.open(tag, None);
            while let Some((n, text)) = lines.get(i).and_then(|l| list_item(l.trim_start())) {
                if n != numbered {
                    break;
                }
                out.element("li", None, |h| inline(h, text));
                i += 1;
            }
            out.close(tag);
        } else {
            let para: Vec<&str> = lines[i..]
                .iter()
                .map(|l| l.trim())
                .enumerate()
                .take_while(|(k, l)| !l.is_empty() && (*k == 0 || !starts_block(l)))
                .map(|(_, l)| l)
                .collect();
            i += para.len();
            out.element("p", None, |h| inline(h, &para.join(" ")));
        }
    }
    out
}

/// Where the span opened by `marker` at the start of `rest` closes: the byte offset of the
/// closing marker, if the span is non-empty.
fn closing(rest: &str, marker: &str) -> Option<usize> {
    rest[marker.len()..].find(marker).filter(|&end| end > 0).map(|end| end + marker.len())
}

/// Appends inline markdown `text`: `code`, **bold**, *italics*, [links](https://…).
fn inline(out: &mut SafeHtml, text: &str) {
    let mut plain = String::new();
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some((label, url, len)) = link(rest) {
                out.text(&std::mem::take(&mut plain));
                out.link(url, |h| inline(h, label));
                prev = Some(')');
                rest = &rest[len..];
                continue;
            }
        }
        let at_word_start = !prev.is_some_and(char::is_alphanumeric);
        // Tag, marker and where the closing marker starts.
        let span = match c {
            '`' => closing(rest, "`").map(|end| ("code", "`", end)),
            '*' if rest.starts_with("**") => closing(rest, "**").map(|end| ("strong", "**", end)),
            '_' if at_word_start && rest.starts_with("__") => closing(rest, "__").map(|end| ("strong", "__", end)),
            '*' => closing(rest, "*").map(|end| ("em", "*", end)),
            '_' if at_word_start => closing(rest, "_").map(|end| ("em", "_", end)),
            _ => None,
        };
        match span {
            Some((tag, marker, end)) => {
                out.text(&std::mem::take(&mut plain));
                let inner = &rest[marker.len()..end];
                if tag == "code" {
                    out.element(tag, None, |h| h.text(inner));
                } else {
                    out.element(tag, None, |h| inline(h, inner));
                }
                prev = Some(c);
                rest = &rest[end + marker.len()..];
            }
            None => {
                plain.push(c);
                prev = Some(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out.text(&plain);
}

/// A link `[label](url)` at the start of `rest` (parentheses in the URL balanced): label,
/// URL and byte length.
fn link(rest: &str) -> Option<(&str, &str, usize)> {
    let mid = rest.find("](")?;
    let url_from = mid + 2;
    let mut depth = 0usize;
    for (i, c) in rest[url_from..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some((&rest[1..mid], &rest[url_from..url_from + i], url_from + i + 1)),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_blocks() {
        let html = render(
            "# Title\n\nSome *text*\nmore.\n\n- a\n- **b**\n\n1. one\n\n> quoted\n\n---\n\n```sh\necho <hi>\n```\n",
        );
        assert_eq!(
            html.as_str(),
            "<h1>Title</h1><p>Some <em>text</em> more.</p><ul><li>a</li><li><strong>b</strong></li></ul>\
             <ol><li>one</li></ol><blockquote><p>quoted</p></blockquote><hr>\
             <pre class=\"code\"><span class=\"line\">echo &lt;hi&gt;</span></pre>"
        );
    }

    #[test]
    fn inline_code_links_and_words() {
        let html = render("Run `a<b>` see [docs](https://x.io/a_b) and snake_case_name.");
        assert_eq!(
            html.as_str(),
            "<p>Run <code>a&lt;b&gt;</code> see <a href=\"https://x.io/a_b\" target=\"_blank\" \
             rel=\"noopener noreferrer\">docs</a> and snake_case_name.</p>"
        );
    }

    #[test]
    fn never_passes_html_or_script_links_through() {
        let html = render("<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>");
        assert_eq!(html.as_str(), "<p>&lt;img src=x onerror=alert(1)&gt; x &lt;script&gt;</p>");
        assert_eq!(render("## <b>\"q\"</b>").as_str(), "<h2>&lt;b&gt;&quot;q&quot;&lt;/b&gt;</h2>");
    }
}
