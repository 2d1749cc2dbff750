//! `wasm-bindgen` (named `wasm-bindgen-cli`: rustc refuses a crate called `wasm_bindgen` here) at exactly the workspace's version.
fn main() -> std::process::ExitCode {
    match wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(std::env::args_os()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:?}");
            std::process::ExitCode::FAILURE
        }
    }
}
