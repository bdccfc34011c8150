fn main() -> std::process::ExitCode {
    let cli = tessera::config::Cli::from_command_line();
    match tessera::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tessera: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
