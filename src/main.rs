fn main() -> std::process::ExitCode {
    // WASI starts in "/"; the Node runner passes the host's working directory as PWD.
    #[cfg(target_os = "wasi")]
    if let Some(pwd) = std::env::var_os("PWD") {
        let _ = std::env::set_current_dir(pwd);
    }
    attest_kit::app::main()
}
