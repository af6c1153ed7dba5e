//! Prints the clickstream example's events as INSERT statements, to pipe into sluice after
//! `pipeline.sql` (see README.md).
//!
//! `cargo run --example clickstream -- [USERS] [HOURS] [SEED]` (defaults 5 12 1).

mod events;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u64| -> u64 {
        match args.get(index) {
            Some(text) => text.parse().unwrap_or_else(|_| {
                eprintln!("usage: clickstream [USERS] [HOURS] [SEED]: '{text}' is not a number");
                std::process::exit(2)
            }),
            None => default,
        }
    };
    let users = number(0, 5) as usize;
    let hours = number(1, 12) as i64;
    let seed = number(2, 1);
    for click in events::clicks(users, hours, seed) {
        println!("{}", events::insert_statement(&click));
    }
}
