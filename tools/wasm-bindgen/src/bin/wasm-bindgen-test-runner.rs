//! `wasm-bindgen-test-runner` at exactly the workspace's version (cargo's wasm32 runner).
fn main() -> std::process::ExitCode {
    match wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:?}");
            std::process::ExitCode::FAILURE
        }
    }
}
