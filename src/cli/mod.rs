//! The command line: argument parsing and printing; the work is in the library.

mod bench;
mod run;
mod stress;

pub fn main(args: Vec<String>) -> i32 {
    let usage = "usage: worker-pool-playground <list [--json] | run <scenario> [--variant v] [--key value ...] [--json] [--verbose] [--trace FILE] | bench [--json] [--small] [--only FIGURE]... [--no-go] | stress [--runs N] [--seed S] [--verbose]>";
    match args.first().map(String::as_str) {
        Some("bench") => bench::main(&args[1..]),
        Some("list") => run::list(&args[1..]),
        Some("run") => run::run(&args[1..]),
        Some("stress") => stress::main(&args[1..]),
        Some("-h" | "--help") | None => {
            println!("{usage}");
            0
        }
        Some(other) => {
            eprintln!("error: unknown command {other:?}\n{usage}");
            2
        }
    }
}
