//! Running a snippet of code in the sandbox's language; matplotlib figures come back as
//! charts and are shown as images with their titles.

use daytona_wasm::models::Chart;
use daytona_wasm::CodeRunParams;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::components::exit_badge::ExitBadge;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;

/// What the code box starts with: output and a chart.
const SAMPLE: &str = "import matplotlib.pyplot as plt

xs = list(range(10))
plt.plot(xs, [x * x for x in xs])
plt.title(\"Squares\")
plt.show()
print(\"sum of squares:\", sum(x * x for x in xs))
";

/// A finished run.
#[derive(Clone)]
struct Ran {
    exit_code: i32,
    output: String,
    charts: Vec<Chart>,
}

/// A code box, Run (or Ctrl+Enter), and the exit code, output and charts of the last run.
#[component]
pub fn CodeRun() -> impl IntoView {
    let current = use_current_sandbox();
    let code = RwSignal::new(SAMPLE.to_owned());
    let task = Task::new();
    let ran = RwSignal::new(None::<Ran>);
    let language = move || {
        current
            .data
            .with(|s| s.as_ref().and_then(|s| s.labels.get(daytona_wasm::CODE_TOOLBOX_LANGUAGE_LABEL).cloned()))
            .unwrap_or_else(|| "python".into())
    };

    let run = move || {
        let source = code.get_untracked();
        if source.trim().is_empty() {
            return;
        }
        task.run(
            async move {
                let response = current.sandbox()?.process().code_run(&source, CodeRunParams::default(), None).await?;
                let charts = response.artifacts.map(|a| a.charts).unwrap_or_default();
                Ok(Ran { exit_code: response.exit_code, output: response.result, charts })
            },
            move |r| ran.set(Some(r)),
        );
    };
    let keys = move |ev: KeyboardEvent| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "Enter" {
            ev.prevent_default();
            run();
        }
    };

    view! {
        <section class="card code-run">
            <h2>"Run code"</h2>
            <p class="muted">
                "Runs in the sandbox's language (" <code>{language}</code>
                "). Figures drawn with matplotlib come back as charts."
            </p>
            <textarea class="code-input mono" aria-label="Code" rows="9" spellcheck="false" bind:value=code on:keydown=keys></textarea>
            <div class="run-actions">
                <button type="button" class="btn btn-primary" disabled=move || task.busy() on:click=move |_| run()>
                    {move || task.busy().then(|| view! { <Spinner/> })}
                    {move || if task.busy() { "Running…" } else { "Run" }}
                </button>
                <span class="muted">"Ctrl+Enter"</span>
            </div>
            <ErrorAlert error=Signal::derive(move || task.error())/>
            {move || ran.get().map(|r| {
                let code = r.exit_code;
                view! {
                    <div class="run-result">
                        <div class="run-meta">
                            <ExitBadge code/>
                        </div>
                        <pre class="output" aria-label="Code output">{r.output}</pre>
                        <div class="charts">
                            {r.charts
                                .into_iter()
                                .filter_map(|c| {
                                    let png = c.png?;
                                    let title = c.title.unwrap_or_default();
                                    Some(view! {
                                        <figure class="chart">
                                            <img src=format!("data:image/png;base64,{png}") alt=if title.is_empty() { "Chart".to_owned() } else { title.clone() }/>
                                            <figcaption>{if title.is_empty() { "Untitled chart".to_owned() } else { title }}</figcaption>
                                        </figure>
                                    })
                                })
                                .collect_view()}
                        </div>
                    </div>
                }
            })}
        </section>
    }
}
