//! Input rules of the create form and the detail page (the server checks them too;
//! checking here gives messages next to the fields).

/// A sandbox name: 1–63 of `[A-Za-z0-9._-]`.
pub fn sandbox_name(name: &str) -> Result<(), String> {
    if name.len() > 63 {
        return Err("At most 63 characters.".into());
    }
    match name.chars().find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c))) {
        Some(c) if c.is_whitespace() => Err("Spaces are not allowed: use letters, digits, '.', '_' or '-'.".into()),
        Some(c) => Err(format!("{c:?} is not allowed: use letters, digits, '.', '_' or '-'.")),
        None => Ok(()),
    }
}

/// An environment variable name: `^[A-Za-z_][A-Za-z0-9_]*$`.
pub fn env_name(name: &str) -> Result<(), String> {
    if daytona_wasm::models::is_env_name(name) {
        Ok(())
    } else {
        Err("Use letters, digits and '_', not starting with a digit.".into())
    }
}

/// A `networkAllowList`: comma-separated CIDRs (blank = no limit), by the server's own rule.
pub fn allow_list(list: &str) -> Result<(), String> {
    daytona_wasm::models::parse_allow_list(list).map(drop).map_err(|e| format!("{}.", capitalized(&e)))
}

/// `s` with its first letter in capitals.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A label key: anything non-blank.
pub fn label_key(key: &str) -> Result<(), String> {
    if key.trim().is_empty() {
        Err("A key is required.".into())
    } else {
        Ok(())
    }
}

/// An optional whole number ≥ `min` typed into a field (blank = `None`).
pub fn whole_number(input: &str, min: i64) -> Result<Option<i64>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match input.parse::<i64>() {
        Ok(n) if n >= min => Ok(Some(n)),
        _ => Err(format!("Enter a whole number ≥ {min}.")),
    }
}

/// [`whole_number`], and at most `max` when one is known.
pub fn whole_number_at_most(input: &str, min: i64, max: Option<i64>) -> Result<Option<i64>, String> {
    match (whole_number(input, min)?, max) {
        (Some(n), Some(max)) if n > max => Err(format!("At most {max} per sandbox here.")),
        (n, _) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(sandbox_name("web-1.dev_x").is_ok());
        assert!(sandbox_name("bad name").is_err());
        assert!(sandbox_name("ünï").is_err());
        assert!(sandbox_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn env_names() {
        assert!(env_name("_A1").is_ok());
        assert!(env_name("1A").is_err());
        assert!(env_name("A-B").is_err());
        assert!(env_name("").is_err());
    }

    #[test]
    fn allow_lists_are_worded_for_the_field() {
        let e = allow_list("10.0.0.0").unwrap_err();
        assert_eq!(e, "\"10.0.0.0\" is not a network in CIDR notation (e.g. 192.168.1.0/24).");
        assert!(!e.contains("networkAllowList"), "{e}");
        assert_eq!(allow_list(&["10.0.0.0/8"; 11].join(",")).unwrap_err(), "At most 10 networks, got 11.");
    }

    #[test]
    fn numbers() {
        assert_eq!(whole_number_at_most("16", 1, Some(16)), Ok(Some(16)));
        assert_eq!(whole_number_at_most("17", 1, Some(16)), Err("At most 16 per sandbox here.".into()));
        assert_eq!(whole_number_at_most("17", 1, None), Ok(Some(17)));
        assert!(whole_number_at_most("0", 1, Some(16)).is_err());
        assert_eq!(whole_number(" ", 0), Ok(None));
        assert_eq!(whole_number("15", 0), Ok(Some(15)));
        assert!(whole_number("-1", 0).is_err());
        assert!(whole_number("0", 1).is_err());
        assert!(whole_number("1.5", 0).is_err());
    }
}
