//! A value quoted in a message, as `{:?}` quotes a string, without the `Debug` machinery: the
//! npm package compiles `Debug` out (`-Zfmt-debug=none`), and its messages keep their values.

use std::fmt;

/// `"text"` with control characters, `"` and `\` escaped as `{:?}` escapes them.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        // Control characters escaped as `{:?}` escapes them; other characters as they are
        // (`escape_debug` would bring in Unicode's printable tables: 3 KB gzip in the package).
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quotes_as_debug_does() {
        for s in ["plain", "it's", "a \"b\"", "tab\there\n", "back\\slash", "é ∑ \u{7}", ""] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"), "{s}");
        }
    }
}
