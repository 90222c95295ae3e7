//! The AWS profiles an admin has, read from the shared config and credentials files (the same
//! files and environment overrides the aws CLI uses).

use std::path::PathBuf;

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// Profile names from `~/.aws/config` (`[profile x]`, `[default]`) and `~/.aws/credentials`
/// (`[x]`), sorted, without duplicates.
pub fn list_profiles() -> Vec<String> {
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws/config")));
    let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws/credentials")));
    let mut out = Vec::new();
    for (path, is_config) in [(config, true), (credentials, false)] {
        let Some(text) = path.and_then(|p| {
            cognito_entra_core::bounded::read_text(&p, cognito_entra_core::bounded::AWS_CONFIG).ok()
        }) else {
            continue;
        };
        out.extend(profiles_in(&text, is_config));
    }
    out.sort();
    out.dedup();
    out
}

/// Section names that are profiles, in one file's text.
pub fn profiles_in(text: &str, is_config: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']').map(str::trim))
        .filter_map(|section| {
            if section == "default" {
                Some("default".to_string())
            } else if is_config {
                section
                    .strip_prefix("profile ")
                    .map(|p| p.trim().to_string())
            } else {
                Some(section.to_string())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_become_profiles() {
        let config =
            "[default]\nregion=us-east-1\n[profile admin]\nsso_session=x\n[sso-session x]\n";
        assert_eq!(profiles_in(config, true), ["default", "admin"]);
        assert_eq!(profiles_in("[ci]\naws_access_key_id=x\n", false), ["ci"]);
    }
}
