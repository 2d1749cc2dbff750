//! The rule for environment variable names, shared by the server's checks and the SDK's.

/// Whether `name` is a valid environment variable name (`^[A-Za-z_][A-Za-z0-9_]*$`), the rule
/// Daytona applies to sandbox env, command envs and PTY envs.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_names() {
        for ok in ["A", "_x", "PATH_2", "a1"] {
            assert!(super::is_env_name(ok), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A B", "é"] {
            assert!(!super::is_env_name(bad), "{bad}");
        }
    }
}
