//! HTML assembled only from escaped text and fixed markup, for `inner_html`.

/// A fragment of HTML in which every piece of data was escaped on the way in. Its only
/// builders escape their input or emit markup fixed in this program, so it is safe to set
/// as an element's `inner_html`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SafeHtml(String);

/// `text` with the characters HTML gives meaning to replaced by entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `url` may become a link: web and mail addresses only (no `javascript:`, `data:`…).
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p))
}

impl SafeHtml {
    /// The markup (what tests compare).
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markup, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Appends `text`, escaped.
    pub fn text(&mut self, text: &str) {
        self.0.push_str(&escape(text));
    }

    /// Appends another fragment.
    pub fn append(&mut self, other: &SafeHtml) {
        self.0.push_str(&other.0);
    }

    /// Opens `<tag class="class">` (`tag` and `class` are fixed names, never data).
    pub fn open(&mut self, tag: &'static str, class: Option<&'static str>) {
        match class {
            Some(c) => self.0.push_str(&format!("<{tag} class=\"{c}\">")),
            None => self.0.push_str(&format!("<{tag}>")),
        }
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &'static str) {
        self.0.push_str(&format!("</{tag}>"));
    }

    /// Appends `<tag class="class">…</tag>` with the content `inner` writes.
    pub fn element(&mut self, tag: &'static str, class: Option<&'static str>, inner: impl FnOnce(&mut SafeHtml)) {
        self.open(tag, class);
        inner(self);
        self.close(tag);
    }

    /// Appends an element without content, e.g. `<hr>`.
    pub fn void(&mut self, tag: &'static str) {
        self.0.push_str(&format!("<{tag}>"));
    }

    /// Appends a link to `url` opening in a new tab, or just the content if the URL is not
    /// [safe](is_safe_url).
    pub fn link(&mut self, url: &str, inner: impl FnOnce(&mut SafeHtml)) {
        if !is_safe_url(url) {
            return inner(self);
        }
        self.0.push_str(&format!("<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">", escape(url.trim())));
        inner(self);
        self.0.push_str("</a>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_meaningful() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        let mut h = SafeHtml::default();
        h.element("span", Some("k"), |h| h.text("<script>"));
        assert_eq!(h.as_str(), r#"<span class="k">&lt;script&gt;</span>"#);
    }

    #[test]
    fn links_only_to_safe_urls() {
        let mut h = SafeHtml::default();
        h.link("javascript:alert(1)", |h| h.text("x"));
        h.link(" JaVaScRiPt:alert(1)", |h| h.text("y"));
        h.link("data:text/html,<b>", |h| h.text("z"));
        assert_eq!(h.as_str(), "xyz");
        let mut h = SafeHtml::default();
        h.link("https://e.com/?a=\"b\"&c", |h| h.text("e"));
        assert_eq!(
            h.as_str(),
            "<a href=\"https://e.com/?a=&quot;b&quot;&amp;c\" target=\"_blank\" rel=\"noopener noreferrer\">e</a>"
        );
    }
}
