//! The admin's answers and what follows from them. Pure except `load`, which reads files.

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
