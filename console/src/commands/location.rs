//! The Commands tab's URL: `?session=ID[&command=ID]` selects a session and one of its commands.

/// The URL of sandbox `sandbox`'s Commands tab with `session` and `command` selected.
pub fn href(sandbox: &str, session: Option<&str>, command: Option<&str>) -> String {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let mut url = format!("/sandboxes/{sandbox}/commands");
    if let Some(s) = session {
        url.push_str(&format!("?session={}", enc(s)));
        if let Some(c) = command {
            url.push_str(&format!("&command={}", enc(c)));
        }
    }
    url
}
