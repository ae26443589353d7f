fn main() -> std::process::ExitCode {
    attest_kit::app::main()
}
