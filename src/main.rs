fn main() -> std::process::ExitCode {
    newsdesk::cli::main()
}
