//! The admin's answers and what follows from them. Pure except `load`, which reads files.

pub mod answers;
pub mod derive;
pub mod load;
pub mod model;
pub mod validate;

pub use derive::{Known, Values, derive};
pub use load::{Loaded, SetupError, load_file};
pub use model::{Protocol, Setup};
pub use validate::{Level, Problem, Stage, validate};

/// A list as an admin types it (URLs, scopes): items separated by commas or spaces.
pub fn parse_list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The candidate most like `word` (Jaro-Winkler), when it is at least `min` alike: the "did you
/// mean" of every message about a mistyped key or name.
pub fn nearest<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
    word: &str,
    min: f64,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(c, word), c))
        .filter(|(score, _)| *score >= min)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
