//! Benchmark: create → started latency through the SDK (median and p90 of 20), printed.

mod common;

use daytona_wasm::models::SandboxState;
use daytona_wasm::CreateSandboxParams;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn create_to_started_latency() {
    let daytona = common::daytona();
    let mut times = Vec::new();
    for _ in 0..20 {
        let t0 = js_sys::Date::now();
        let params = CreateSandboxParams { name: Some(common::unique("bench")), ..Default::default() };
        let sandbox = daytona.create(params, None).await.expect("create");
        times.push(js_sys::Date::now() - t0);
        assert_eq!(sandbox.state(), SandboxState::Started);
        sandbox.delete(None).await.expect("delete");
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "BENCH create->started via SDK: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms (n=20)",
        times[10],
        times[17],
        times[0],
        times[19]
    );
}
