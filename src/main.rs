//! The `nagrel` command: a thin shell over [`nagrel_server::cli::run`].

fn main() -> std::process::ExitCode {
    nagrel_server::cli::run(std::env::args_os())
}
