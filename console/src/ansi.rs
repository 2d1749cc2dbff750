//! Terminal colours in program output (ANSI SGR sequences) as [`SafeHtml`]: the 16 standard
//! foreground colours and bold become spans with fixed classes; every other escape sequence
//! is dropped, and the text itself is escaped.

use crate::safe_html::SafeHtml;

/// Classes of the 16 foreground colours (30–37, 90–97).
const FOREGROUND: [&str; 16] = [
    "ansi-black",
    "ansi-red",
    "ansi-green",
    "ansi-yellow",
    "ansi-blue",
    "ansi-magenta",
    "ansi-cyan",
    "ansi-white",
    "ansi-bright-black",
    "ansi-bright-red",
    "ansi-bright-green",
    "ansi-bright-yellow",
    "ansi-bright-blue",
    "ansi-bright-magenta",
    "ansi-bright-cyan",
    "ansi-bright-white",
];

/// Whether `text` has escape sequences worth rendering.
pub fn has_escapes(text: &str) -> bool {
    text.contains('\u{1b}')
}

#[derive(Clone, Copy, Default, PartialEq)]
struct Style {
    colour: Option<usize>,
    bold: bool,
}

impl Style {
    /// Applies the parameters of one SGR sequence (`1;31`).
    fn apply(&mut self, params: &str) {
        let codes: Vec<u32> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
        for code in if codes.is_empty() { vec![0] } else { codes } {
            match code {
                0 => *self = Style::default(),
                1 => self.bold = true,
                22 => self.bold = false,
                30..=37 => self.colour = Some((code - 30) as usize),
                90..=97 => self.colour = Some((code - 90 + 8) as usize),
                39 => self.colour = None,
                _ => {}
            }
        }
    }

    fn emit(self, out: &mut SafeHtml, text: &str) {
        if text.is_empty() {
            return;
        }
        match (self.colour, self.bold) {
            (None, false) => out.text(text),
            (colour, bold) => {
                let open_colour = |out: &mut SafeHtml| match colour {
                    Some(c) => out.element("span", Some(FOREGROUND[c]), |h| h.text(text)),
                    None => out.text(text),
                };
                if bold {
                    out.element("b", None, open_colour);
                } else {
                    open_colour(out);
                }
            }
        }
    }
}

/// `text` with its colours as HTML.
pub fn render(text: &str) -> SafeHtml {
    let mut out = SafeHtml::default();
    let mut style = Style::default();
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        style.emit(&mut out, &rest[..at]);
        let after = &rest[at + 1..];
        if let Some(csi) = after.strip_prefix('[') {
            // CSI: parameters and intermediates, then one final byte in @..~.
            let end = csi.find(|c: char| ('@'..='~').contains(&c)).unwrap_or(csi.len());
            if csi[end..].starts_with('m') {
                style.apply(&csi[..end]);
            }
            rest = csi.get(end + 1..).unwrap_or("");
        } else {
            // A lone escape or another kind of sequence: drop the escape and its next char.
            let mut chars = after.chars();
            chars.next();
            rest = chars.as_str();
        }
    }
    style.emit(&mut out, rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_bold_become_fixed_classes_and_text_is_escaped() {
        let html = render("plain \u{1b}[1;31mred <b>\u{1b}[0m back \u{1b}[92mgreen\u{1b}[39m done");
        assert_eq!(
            html.as_str(),
            "plain <b><span class=\"ansi-red\">red &lt;b&gt;</span></b> back <span class=\"ansi-bright-green\">green</span> done"
        );
    }

    #[test]
    fn other_sequences_are_dropped() {
        assert_eq!(render("a\u{1b}[2Kb\u{1b}]c\u{1b}[").as_str(), "abc");
        assert!(!has_escapes("plain"));
    }
}
