//! The dashboard's view (state, labels, name search, paging) and its URL query form,
//! so every filtered page has its own address.

use std::collections::BTreeMap;

use daytona_wasm::models::{ListSandboxesQuery, SandboxState};

/// Page sizes offered; the first is the default.
pub const PAGE_SIZES: [u32; 4] = [20, 50, 100, 10];

/// What the dashboard lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListFilters {
    /// Only sandboxes in this state.
    pub state: Option<SandboxState>,
    /// Label filter as typed: `key=value[,key=value…]`.
    pub labels: String,
    /// Name prefix.
    pub name: String,
    /// Page size (`None` = the default).
    pub limit: Option<u32>,
    /// Cursor of the page shown (`None` = first page).
    pub cursor: Option<String>,
}

impl ListFilters {
    /// Reads the filters from decoded URL query values (`param(key)`); unknown or
    /// malformed values are ignored.
    pub fn from_query(param: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k| param(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            state: param("state").and_then(|s| SandboxState::parse(&s)),
            labels: text("labels"),
            name: text("name"),
            limit: param("limit").and_then(|l| l.parse().ok()).filter(|l| PAGE_SIZES.contains(l)),
            cursor: param("cursor").filter(|c| !c.is_empty()),
        }
    }

    /// The dashboard URL showing these filters (`/?state=…`).
    pub fn to_url(&self) -> String {
        let pairs = [
            ("state", self.state.map(|s| s.as_str().to_owned()).unwrap_or_default()),
            ("labels", self.labels.clone()),
            ("name", self.name.clone()),
            ("limit", self.limit.map(|l| l.to_string()).unwrap_or_default()),
            ("cursor", self.cursor.clone().unwrap_or_default()),
        ];
        let query: Vec<String> =
            pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
        if query.is_empty() {
            "/".into()
        } else {
            format!("/?{}", query.join("&"))
        }
    }

    /// The same filters on the first page.
    pub fn first_page(self) -> Self {
        Self { cursor: None, ..self }
    }

    /// The page size in effect.
    pub fn page_size(&self) -> u32 {
        self.limit.unwrap_or(PAGE_SIZES[0])
    }

    /// The SDK query, or why the label filter cannot be used.
    pub fn to_query(&self) -> Result<ListSandboxesQuery, String> {
        let labels = parse_labels(&self.labels)?;
        Ok(ListSandboxesQuery {
            cursor: self.cursor.clone(),
            limit: Some(self.page_size()),
            name: Some(self.name.clone()).filter(|n| !n.is_empty()),
            labels: Some(labels).filter(|l| !l.is_empty()),
            states: self.state.map(|s| vec![s]),
            ..Default::default()
        })
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Parses `key=value[,key=value…]` (blank = no label filter).
pub fn parse_labels(input: &str) -> Result<BTreeMap<String, String>, String> {
    input
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(format!("{pair:?} is not key=value")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_url() {
        let f = ListFilters {
            state: Some(SandboxState::BuildFailed),
            labels: "team=qa, a=b&c".into(),
            name: "wéb 1".into(),
            limit: Some(50),
            cursor: Some("40".into()),
        };
        assert_eq!(
            f.to_url(),
            "/?state=build_failed&labels=team%3Dqa%2C%20a%3Db%26c&name=w%C3%A9b%201&limit=50&cursor=40"
        );
        assert_eq!(ListFilters::default().to_url(), "/");
    }

    #[test]
    fn from_query() {
        let query = std::collections::HashMap::from([
            ("state", "stopped"),
            ("labels", " team=qa "),
            ("limit", "50"),
            ("cursor", "20"),
        ]);
        let f = ListFilters::from_query(|k| query.get(k).map(|v| v.to_string()));
        assert_eq!(f.state, Some(SandboxState::Stopped));
        assert_eq!(f.labels, "team=qa");
        assert_eq!(f.name, "");
        assert_eq!((f.limit, f.cursor.as_deref()), (Some(50), Some("20")));
        let odd = ListFilters::from_query(|k| match k {
            "state" => Some("sleeping".into()),
            "limit" => Some("7".into()),
            _ => None,
        });
        assert_eq!(odd, ListFilters::default(), "unknown state and page size are ignored");
    }

    #[test]
    fn labels() {
        assert_eq!(parse_labels(" a=b , c=d").unwrap().len(), 2);
        assert!(parse_labels("").unwrap().is_empty());
        assert!(parse_labels("nokey").is_err());
        assert!(parse_labels("=v").is_err());
    }
}
