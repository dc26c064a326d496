//! The fedcheck binary: everything lives in the library; this only returns its exit.

fn main() -> std::process::ExitCode {
    fedcheck::cli::main()
}
