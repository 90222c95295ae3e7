//! Why a plan cannot go on: what only the live account could tell, by the field to change.
//! The plan and the mapping checks it runs both refuse in these terms.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub problem: String,
    pub fix: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: {}: {}\n  fix: {}",
            self.field, self.problem, self.fix
        )
    }
}
