//! Ids for things the console creates in a sandbox (terminals, sessions).

/// The first `{prefix}N` (N from 1) not among `taken`.
pub fn next_free_id<S: AsRef<str>>(prefix: &str, taken: &[S]) -> String {
    (1..).map(|n| format!("{prefix}{n}")).find(|id| !taken.iter().any(|t| t.as_ref() == id)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_lowest_free_number() {
        assert_eq!(next_free_id::<&str>("term-", &[]), "term-1");
        assert_eq!(next_free_id("term-", &["term-1", "term-3"]), "term-2");
        assert_eq!(next_free_id("s", &["pty-abc", "s1", "s2"]), "s3");
    }
}
