//! The `sgpsim` binary: all the work is in the library's `cli` module.

fn main() {
    let code = sgpsim::cli::main_with(std::env::args_os(), &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
