//! Reading a setup file: from bytes on disk to a checked `Setup`, or every problem found.
//!
//! The order matters for the admin: first what makes the file unreadable (size, binary, TOML
//! syntax with line and column), then unknown keys (with the nearest valid key) and wrong
//! types (with the field path), then the rules of `validate`, then what needs the disk.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::model::{
    AppClient, Domain, OidcOptions, Protocol, Provider, SamlOptions, Setup, UserPool,
};
use super::nearest;
use super::validate::{Problem, Stage, validate};

/// A setup file is a few hundred bytes; anything far larger is the wrong file.
pub const MAX_SETUP_FILE_BYTES: usize = crate::bounded::SETUP_FILE;

/// Why a setup could not be used: the file it came from and every problem in it.
#[derive(Debug, Clone)]
pub struct SetupError {
    pub source: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.problems.iter().filter(|p| p.is_error()).count();
        writeln!(
            f,
            "{}: {} problem{} to fix before going on:",
            self.source,
            errors,
            if errors == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SetupError {}

/// A setup that passed every check, with the warnings that remain.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub setup: Setup,
    pub warnings: Vec<Problem>,
    /// The folder relative paths in the setup (metadata_file) are resolved against.
    pub base_dir: PathBuf,
}

/// Reads and checks a setup file.
pub fn load_file(path: &Path, stage: Stage) -> Result<Loaded, SetupError> {
    let (setup, base_dir) = read_file(path)?;
    check(setup, stage, base_dir).map_err(|problems| SetupError {
        source: path.display().to_string(),
        problems,
    })
}

/// Reads and parses a setup file, once (it may be a pipe: `--config <(command)`), with the
/// folder its relative paths are resolved against; `check` judges it for a stage.
pub fn read_file(path: &Path) -> Result<(Setup, PathBuf), SetupError> {
    let source = path.display().to_string();
    let fail = |problem: Problem| SetupError {
        source: source.clone(),
        problems: vec![problem],
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(Problem::error(
            "file",
            format!("cannot read {source}: {}", io_reason(&e)),
            "check the path given to --config",
        ))
    })?;
    if meta.is_dir() {
        return Err(fail(Problem::error(
            "file",
            format!("{source} is a folder"),
            "give the path of the setup's .toml file",
        )));
    }
    // The size a file reports is 0 for a pipe or a device (`--config <(yes)`): the cap is
    // on what is read.
    let bytes = crate::bounded::read_file(path, MAX_SETUP_FILE_BYTES).map_err(|e| match e {
        too_large @ crate::bounded::ReadError::TooLarge { .. } => fail(Problem::error(
            "file",
            format!(
                "{}; a setup file is a few hundred bytes",
                too_large.about(&source)
            ),
            "check that --config names the setup's .toml file (see docs/configuration.md)",
        )),
        crate::bounded::ReadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            fail(Problem::error(
                "file",
                format!("cannot read {source}: {e}"),
                "give the setup's .toml file itself to --config, or start what writes to it first (--config <(command) works)",
            ))
        }
        crate::bounded::ReadError::Io(e) => fail(Problem::error(
            "file",
            format!("cannot read {source}: {}", io_reason(&e)),
            "check the file's permissions",
        )),
    })?;
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let setup = parse(&bytes, &stem).map_err(|problems| SetupError { source, problems })?;
    Ok((setup, base_dir))
}

/// Validates a setup (already parsed: from the state file or the wizard) and checks what
/// needs the disk.
pub fn check(setup: Setup, stage: Stage, base_dir: PathBuf) -> Result<Loaded, Vec<Problem>> {
    let mut problems = validate(&setup, stage);
    if setup.protocol == Protocol::Saml
        && let Some(file) = setup.saml.as_ref().and_then(|s| s.metadata_file.as_ref())
        && !file.trim().is_empty()
    {
        let resolved = base_dir.join(file);
        match std::fs::metadata(&resolved) {
            Ok(m) if m.is_file() => {}
            Ok(_) => problems.push(Problem::error(
                "saml.metadata_file",
                format!("{} is not a file", resolved.display()),
                "give the path of the downloaded Federation Metadata XML",
            )),
            Err(e) => problems.push(Problem::error(
                "saml.metadata_file",
                format!("{} cannot be read: {}", resolved.display(), io_reason(&e)),
                "download Federation Metadata XML from Entra (Single sign-on > SAML Certificates) and give its path, relative to the setup file; or use metadata_url instead",
            )),
        }
    }
    problems.sort_by_key(|p| p.level);
    if problems.iter().any(Problem::is_error) {
        Err(problems)
    } else {
        Ok(Loaded {
            setup,
            warnings: problems,
            base_dir,
        })
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Parses the text of a setup file; `default_name` is used when the file has no `name`.
pub fn parse(bytes: &[u8], default_name: &str) -> Result<Setup, Vec<Problem>> {
    let one = |field: &str, problem: String, fix: &str| vec![Problem::error(field, problem, fix)];
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(one(
            "file",
            "the file is binary, not TOML text".into(),
            "give the setup's .toml file (see docs/configuration.md)",
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(one(
            "file",
            "the file is not UTF-8 text".into(),
            "save the setup file as UTF-8",
        ));
    };
    if text.trim().is_empty() {
        return Err(one(
            "file",
            "the file is empty".into(),
            "a setup needs at least name, protocol, region, [user_pool], [domain] and [app_client]; see the sample in README.md",
        ));
    }
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            let at = e
                .span()
                .map(|s| {
                    let (line, col) = line_col(text, s.start);
                    format!(" at line {line}, column {col}")
                })
                .unwrap_or_default();
            return Err(one(
                "file",
                format!("TOML syntax error{at}: {}", e.message().trim()),
                "fix the TOML syntax there: strings in \"double quotes\", one key = value per line, [tables] on their own line",
            ));
        }
    };
    let mut problems = Vec::new();
    check_keys(&table, "", text, &mut problems);
    // Wrong types, section by section, so every section's first problem is reported at once.
    part::<String>(&table, "name", text, &mut problems);
    part::<Protocol>(&table, "protocol", text, &mut problems);
    part::<String>(&table, "region", text, &mut problems);
    part::<UserPool>(&table, "user_pool", text, &mut problems);
    part::<Domain>(&table, "domain", text, &mut problems);
    part::<AppClient>(&table, "app_client", text, &mut problems);
    part::<Provider>(&table, "provider", text, &mut problems);
    part::<SamlOptions>(&table, "saml", text, &mut problems);
    part::<OidcOptions>(&table, "oidc", text, &mut problems);
    for (key, fix) in [
        (
            "protocol",
            "add protocol = \"saml\" (enterprise application) or protocol = \"oidc\" (app registration)",
        ),
        (
            "region",
            "add region = \"<the user pool's AWS region>\", e.g. region = \"us-east-1\"",
        ),
    ] {
        if !table.contains_key(key) {
            problems.push(Problem::error(key, "is missing", fix));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut table = table;
    if !table.contains_key("name") {
        table.insert("name".into(), toml::Value::String(default_name.to_string()));
    }
    serde_path_to_error::deserialize::<_, Setup>(toml::Value::Table(table)).map_err(|e| {
        let field = e.path().to_string();
        vec![Problem::error(
            field,
            e.inner().to_string(),
            "see docs/configuration.md for this field",
        )]
    })
}

/// Deserializes one top-level entry on its own, reporting a wrong type with its full path.
fn part<T: DeserializeOwned>(table: &toml::Table, key: &str, text: &str, out: &mut Vec<Problem>) {
    let Some(value) = table.get(key) else { return };
    // Unknown keys in this section are already reported, with a suggestion.
    if out
        .iter()
        .any(|p| p.field.starts_with(&format!("{key}.")) || p.field == key)
    {
        return;
    }
    if let Err(e) = serde_path_to_error::deserialize::<_, T>(value.clone()) {
        let inner = e.path().to_string();
        let field = if inner == "." || inner.is_empty() {
            key.to_string()
        } else {
            format!("{key}.{inner}")
        };
        let at = locate(text, &field)
            .map(|line| format!(" (line {line})"))
            .unwrap_or_default();
        let message = e.inner().message().trim().to_string();
        out.push(Problem::error(
            field.clone(),
            format!("{message}{at}"),
            type_fix(&field),
        ));
    }
}

fn type_fix(field: &str) -> String {
    let fix = match field {
        "protocol" => "write protocol = \"saml\" or protocol = \"oidc\"",
        "oidc.attributes_request_method" => "write attributes_request_method = \"GET\" or \"POST\"",
        f if f.starts_with("app_client.oauth_flows") => {
            "write oauth_flows = [\"code\"] (or [\"code\", \"implicit\"])"
        }
        f if f.ends_with("urls")
            || f.contains("urls[")
            || f.ends_with("scopes")
            || f.contains("scopes[") =>
        {
            "write a list of strings, e.g. [\"https://app.example.com/callback\"]"
        }
        f if [
            "idp_initiated",
            "sign_requests",
            "encrypted_responses",
            "idp_signout",
            "generate_secret",
            "managed_login",
            "remove_other_providers",
            "allow_cognito_sign_in",
            "exact_lists",
            "exact_mapping",
        ]
        .iter()
        .any(|b| f.ends_with(b)) =>
        {
            "write true or false, without quotes"
        }
        f if f == "user_pool"
            || f == "domain"
            || f == "app_client"
            || f == "provider"
            || f == "saml"
            || f == "oidc" =>
        {
            "this is a table: write it as [section] followed by key = value lines"
        }
        _ => "write a string in double quotes",
    };
    format!("{fix} (see docs/configuration.md)")
}

/// The keys each table of the setup file may hold; `None` for free-form tables.
fn known_keys(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "" => &[
            "name",
            "protocol",
            "region",
            "user_pool",
            "domain",
            "app_client",
            "provider",
            "saml",
            "oidc",
            "entra",
        ],
        "entra" => &[
            "mode",
            "display_name",
            "app_id",
            "assign",
            "tenant",
            "cloud",
            "notify",
        ],
        "user_pool" => &["id", "name"],
        "domain" => &["prefix", "custom", "managed_login"],
        "app_client" => &[
            "id",
            "name",
            "callback_urls",
            "logout_urls",
            "scopes",
            "oauth_flows",
            "generate_secret",
            "allow_cognito_sign_in",
            "remove_other_providers",
            "exact_lists",
        ],
        "provider" => &["name", "attribute_mapping", "identifiers", "exact_mapping"],
        "saml" => &[
            "metadata_url",
            "metadata_file",
            "idp_initiated",
            "sign_requests",
            "encrypted_responses",
            "idp_signout",
        ],
        "oidc" => &[
            "tenant_id",
            "client_id",
            "scopes",
            "attributes_request_method",
            "client_secret",
        ],
        _ => return None,
    })
}

fn check_keys(table: &toml::Table, path: &str, text: &str, out: &mut Vec<Problem>) {
    let Some(known) = known_keys(path) else {
        return;
    };
    for (key, value) in table {
        let field = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if path == "oidc" && key == "client_secret" {
            out.push(Problem::error(
                field,
                "the client secret does not belong in the setup file (files get copied, committed and backed up)",
                "remove it; give the secret in the environment variable COGNITO_ENTRA_CLIENT_SECRET, or type it when asked",
            ));
            continue;
        }
        if !known.contains(&key.as_str()) {
            let at = locate(text, &field)
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            let near = nearest(
                known.iter().copied().filter(|k| *k != "client_secret"),
                key,
                0.7,
            );
            let fix = match near {
                Some(k) => format!("did you mean {k:?}?"),
                None => {
                    let place = if path.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in [{path}]")
                    };
                    format!(
                        "the keys allowed {place} are: {}",
                        known
                            .iter()
                            .filter(|k| **k != "client_secret")
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            };
            out.push(Problem::error(
                field,
                format!("unknown key {key:?}{at}"),
                fix,
            ));
            continue;
        }
        if let toml::Value::Table(inner) = value {
            check_keys(inner, &field, text, out);
        }
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Best effort: the line where a dotted field path is written, following `[table]` headers.
fn locate(text: &str, field: &str) -> Option<usize> {
    let field = field.split('[').next().unwrap_or(field);
    let (table, key) = match field.rsplit_once('.') {
        Some((t, k)) => (t, k),
        None => ("", field),
    };
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = h.trim().trim_start_matches('[').to_string();
            if current == field {
                return Some(i + 1);
            }
            continue;
        }
        if let Some((k, _)) = l.split_once('=') {
            let k = k.trim().trim_matches('"');
            let full = if current.is_empty() {
                k.to_string()
            } else {
                format!("{current}.{k}")
            };
            if (current == table && k == key) || full == field {
                return Some(i + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(line_col("abc", 0), (1, 1));
    }

    #[test]
    fn locate_follows_tables() {
        let text = "name = \"x\"\n[saml]\nidp_initiated = 3\n[app_client]\nname = 4\n";
        assert_eq!(locate(text, "saml.idp_initiated"), Some(3));
        assert_eq!(locate(text, "app_client.name"), Some(5));
        assert_eq!(locate(text, "name"), Some(1));
        assert_eq!(locate(text, "app_client"), Some(4));
    }
}
