//! The document title: the page's own name first (tabs and history show it), then the app's.

/// What every title ends with.
const APP: &str = "Daytona Console";

/// `page — Daytona Console`, or the app's name alone for an empty `page`.
pub fn title_for(page: &str) -> String {
    match page.trim() {
        "" => APP.to_owned(),
        page => format!("{page} — {APP}"),
    }
}

/// Sets the document's title to [`title_for`] `page`.
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&title_for(page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_comes_first() {
        assert_eq!(title_for("web-1 · Files"), "web-1 · Files — Daytona Console");
        assert_eq!(title_for("  "), "Daytona Console");
    }
}
