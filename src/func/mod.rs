//! ksqlDB's function library, registered with DataFusion under ksqlDB's names.
//!
//! Where a DataFusion built-in already has ksqlDB's semantics it is registered under the
//! ksqlDB name as an alias; functions whose ksqlDB behaviour differs get their own
//! `ScalarUDFImpl` in a file named after the function.

use std::sync::Arc;

use datafusion::functions;
use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::SessionContext;

/// DataFusion built-ins that ksqlDB knows under other names, with ksqlDB's names.
fn aliases() -> Vec<(Arc<ScalarUDF>, &'static [&'static str])> {
    vec![
        (functions::string::upper(), &["ucase"]),
        (functions::string::lower(), &["lcase"]),
        (functions::unicode::character_length(), &["len"]),
    ]
}

/// Registers every ksqlDB function with a DataFusion session.
pub fn register(ctx: &SessionContext) {
    for (udf, names) in aliases() {
        ctx.register_udf(udf.as_ref().clone().with_aliases(names.iter().copied()));
    }
}
