//! `wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm [GLUE]`: splits a wasm at its `#[wasm_split]`
//! functions (the console's lazy routes, the SDK's lazily loaded areas) with
//! `wasm_split_cli_support`, the engine cargo-leptos uses, at the version matching the
//! `wasm_split_helpers` in Cargo.lock. The chunks and their loader (`__wasm_split.js`,
//! importing `initSync` from GLUE, default `./daytona-console.js`) go to OUT_DIR; the main
//! module, still to be run through wasm-bindgen (`--keep-lld-exports`), to MAIN_OUT. The input
//! must be linked with `--emit-relocs`.
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, out_dir, main_out, glue) = match args.as_slice() {
        [input, out_dir, main_out] => (input, out_dir, main_out, "./daytona-console.js"),
        [input, out_dir, main_out, glue] => (input, out_dir, main_out, glue.as_str()),
        _ => {
            eprintln!("usage: wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm [GLUE]");
            return ExitCode::FAILURE;
        }
    };
    let wasm = match std::fs::read(input) {
        Ok(wasm) => wasm,
        Err(e) => {
            eprintln!("wasm-split: cannot read {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = Path::new(out_dir);
    opts.main_out_path = Path::new(main_out);
    opts.main_module = glue;
    opts.link_name = "./__wasm_split.js";
    opts.target.web();
    match wasm_split_cli_support::transform(opts) {
        Ok(split) => {
            for module in &split.split_modules {
                println!("{}", module.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-split: {e:?}");
            ExitCode::FAILURE
        }
    }
}
