//! The admin's answers and what follows from them. Pure except `load`, which reads files.

pub mod derive;
pub mod load;
pub mod model;
pub mod validate;

pub use derive::{Known, Values, derive};
pub use load::{Loaded, SetupError, load_file};
pub use model::{Protocol, Setup};
pub use validate::{Level, Problem, Stage, validate};
