//! Hour engine (being written): see shared/spec/hours-engine.md.

/// How an employee's break is determined; stored as `statutory`, `as_entered` or `fixed:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakPolicy {
    Statutory,
    AsEntered,
    Fixed(u32),
}

impl BreakPolicy {
    pub fn from_stored(s: &str) -> Option<BreakPolicy> {
        match s {
            "statutory" => Some(BreakPolicy::Statutory),
            "as_entered" => Some(BreakPolicy::AsEntered),
            _ => s.strip_prefix("fixed:")?.parse().ok().map(BreakPolicy::Fixed),
        }
    }

    pub fn to_stored(self) -> String {
        match self {
            BreakPolicy::Statutory => "statutory".into(),
            BreakPolicy::AsEntered => "as_entered".into(),
            BreakPolicy::Fixed(n) => format!("fixed:{n}"),
        }
    }
}
