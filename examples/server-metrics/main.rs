//! Prints the server-metrics example's events as INSERT statements, to pipe into sluice
//! after `pipeline.sql` (see README.md).
//!
//! `cargo run --example server-metrics -- [HOSTS] [MINUTES] [SEED]` (defaults 5 10 1).

mod events;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u64| -> u64 {
        match args.get(index) {
            Some(text) => text.parse().unwrap_or_else(|_| {
                eprintln!(
                    "usage: server-metrics [HOSTS] [MINUTES] [SEED]: '{text}' is not a number"
                );
                std::process::exit(2)
            }),
            None => default,
        }
    };
    let hosts = number(0, 5) as usize;
    let minutes = number(1, 10) as i64;
    let seed = number(2, 1);
    for sample in events::samples(hosts, minutes, seed) {
        println!("{}", events::insert_statement(&sample));
    }
}
