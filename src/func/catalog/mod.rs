//! The function catalog: every built-in function by ksqlDB's name, with its kind, category,
//! description and variations, as SHOW FUNCTIONS lists them and DESCRIBE FUNCTION shows one.
//!
//! The entries (`entries`) describe what the planner resolves: a test checks that every
//! scalar entry is a function the engine registers, every aggregate one an aggregate the
//! planner knows and every table one a table function, so the catalog cannot list a
//! function sluice lacks.

mod entries;

/// What a function does with rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    /// One value per row.
    Scalar,
    /// One value per group (GROUP BY).
    Aggregate,
    /// Any number of rows per row (EXPLODE).
    Table,
}

impl FunctionKind {
    /// ksqlDB's name for the kind: `SCALAR`, `AGGREGATE`, `TABLE`.
    pub fn name(self) -> &'static str {
        match self {
            FunctionKind::Scalar => "SCALAR",
            FunctionKind::Aggregate => "AGGREGATE",
            FunctionKind::Table => "TABLE",
        }
    }
}

/// One built-in function.
#[derive(Debug)]
pub struct FunctionInfo {
    /// ksqlDB's name, upper case.
    pub name: &'static str,
    pub kind: FunctionKind,
    /// ksqlDB's category (`FunctionCategory`): ARRAY, MAP, URL, CONDITIONAL, AGGREGATE,
    /// TABLE or OTHER.
    pub category: &'static str,
    pub description: &'static str,
    pub variations: &'static [Variation],
}

/// One way to call a function.
#[derive(Debug)]
pub struct Variation {
    /// The parameters, as `name TYPE`; a variadic last one ends in `...`; generic types
    /// are `T`, `U`, ….
    pub params: &'static [&'static str],
    /// The result type.
    pub returns: &'static str,
}

/// Every built-in function, by name.
pub fn functions() -> &'static [FunctionInfo] {
    entries::FUNCTIONS
}

/// The built-in function called `name` (in any case).
pub fn function(name: &str) -> Option<&'static FunctionInfo> {
    functions()
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

impl Variation {
    /// The call as DESCRIBE FUNCTION shows it: `SUBSTRING(str STRING, pos INT)`.
    pub fn signature(&self, name: &str) -> String {
        format!("{name}({})", self.params.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::exec::aggregate::function::{AggregateConfig, is_aggregate, resolve};
    use crate::exec::table_function::TableFunctionKind;

    #[test]
    fn every_entry_is_a_function_sluice_resolves() {
        let ctx = SessionContext::new();
        crate::func::register(&ctx);
        let state = ctx.state();
        let mut missing = Vec::new();
        for function in functions() {
            let name = function.name.to_lowercase();
            let resolves = match function.kind {
                FunctionKind::Scalar => {
                    state.scalar_functions().contains_key(&name)
                        || state.higher_order_functions().contains_key(&name)
                }
                // Called with no argument, a known aggregate answers a result or a
                // signature error; one sluice lacks says it is not supported.
                FunctionKind::Aggregate => {
                    is_aggregate(&name)
                        && resolve(&name, &[], &AggregateConfig::default())
                            .is_some_and(|r| !matches!(r, Err(e) if e.contains("not supported")))
                }
                FunctionKind::Table => TableFunctionKind::named(&name).is_some(),
            };
            if !resolves {
                missing.push(function.name);
            }
        }
        assert!(missing.is_empty(), "listed but not resolved: {missing:?}");
    }

    #[test]
    fn entries_are_in_name_order_with_variations() {
        for pair in functions().windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        for function in functions() {
            assert!(
                !function.variations.is_empty(),
                "{} has no variation",
                function.name
            );
            assert_eq!(function.name, function.name.to_uppercase());
        }
    }
}
