//! A code cell's outputs: streams, errors, rich MIME bundles (the richest representation
//! this page can show safely) and the `input()` prompt.

use std::collections::BTreeMap;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::ipynb::Output;
use super::model::Cell;
use crate::ansi;
use crate::files::location::FilesView;

/// Styles HTML outputs get in their frame (pandas tables readable without the page's CSS).
const FRAME_STYLE: &str = "<style>body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#111827}\
table{border-collapse:collapse}th,td{border:1px solid #e3e6eb;padding:3px 8px;text-align:right}\
thead th{background:#f5f6f8}tbody tr:nth-child(odd){background:#f9fafb}</style>";

/// The outputs of `cell`, its pending `input()`, and links to the files it wrote.
#[component]
pub fn Outputs(cell: Cell) -> impl IntoView {
    let sandbox = crate::current_sandbox::use_current_sandbox().id;
    let file_href =
        move |path: &str| FilesView::File { path: path.to_owned(), line: None }.href(&sandbox.get_untracked());
    view! {
        <div class="nb-outputs" aria-live="polite">
            {move || cell.outputs.get().into_iter().map(render).collect_view()}
            {move || cell.input.get().map(|request| {
                let answer = RwSignal::new(String::new());
                let prompt = request.prompt.clone();
                let send = move |ev: KeyboardEvent| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        let value = answer.get_untracked();
                        request.execution.send_input(&value);
                        // Echo the answer as a terminal would (not a password).
                        let echoed = if request.password { String::new() } else { value };
                        cell.outputs.update(|o| Output::push_stream(o, false, &format!("{}{echoed}\n", request.prompt)));
                        cell.input.set(None);
                    }
                };
                view! {
                    <label class="nb-input">
                        <span class="mono">{prompt}</span>
                        <input class="mono" type=if request.password { "password" } else { "text" }
                            aria-label="Input for the running code" autofocus bind:value=answer on:keydown=send/>
                    </label>
                }
            })}
            {move || {
                let written = cell.written.get();
                (!written.is_empty()).then(|| view! {
                    <p class="nb-files">
                        <span class="muted">"Wrote "</span>
                        {written.into_iter().map(|path| view! {
                            <a class="mono" href=file_href(&path) title="Open in the Files tab">{path.clone()}</a>
                        }).collect_view()}
                    </p>
                })
            }}
        </div>
    }
}

fn render(output: Output) -> AnyView {
    match output {
        // Terminal colours in the text (ANSI sequences) are rendered; the text stays escaped.
        Output::Stream { stderr, text } if ansi::has_escapes(&text) => {
            let html = ansi::render(&text).into_string();
            view! { <pre class="nb-stream" class:nb-stderr=stderr inner_html=html></pre> }.into_any()
        }
        Output::Stream { stderr, text } => {
            view! { <pre class="nb-stream" class:nb-stderr=stderr>{text}</pre> }.into_any()
        }
        Output::Error { name, value, traceback } => {
            let trace = if traceback.is_empty() { format!("{name}: {value}") } else { traceback };
            let trace = ansi::render(&trace).into_string();
            view! {
                <pre class="nb-error" role="alert"><strong>{format!("{name}: {value}")}</strong>"\n"<span inner_html=trace></span></pre>
            }
            .into_any()
        }
        Output::Rich { result, data, .. } => rich(result, data),
    }
}

/// The richest representation of a bundle the page shows safely.
fn rich(result: bool, data: BTreeMap<String, String>) -> AnyView {
    let get = |mime: &str| data.get(mime).cloned();
    let class = if result { "nb-rich nb-result" } else { "nb-rich" };
    if let Some(png) = get("image/png") {
        return view! { <div class=class><img class="nb-image" alt="Figure" src=format!("data:image/png;base64,{png}")/></div> }
            .into_any();
    }
    if let Some(jpeg) = get("image/jpeg") {
        return view! { <div class=class><img class="nb-image" alt="Image" src=format!("data:image/jpeg;base64,{jpeg}")/></div> }
            .into_any();
    }
    if let Some(svg) = get("image/svg+xml") {
        // As an image: an SVG shown through <img> runs no script.
        let src = format!("data:image/svg+xml;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&svg)));
        return view! { <div class=class><img class="nb-image" alt="SVG figure" src=src/></div> }.into_any();
    }
    if let Some(html) = get("text/html") {
        return view! { <div class=class>{html_frame(html)}</div> }.into_any();
    }
    if let Some(markdown) = get("text/markdown") {
        let html = crate::markdown::render(&markdown).into_string();
        return view! { <div class=format!("{class} markdown") inner_html=html></div> }.into_any();
    }
    if let Some(json) = get("application/json") {
        return match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(value) => {
                view! { <div class=format!("{class} nb-json mono")>{json_tree(None, value, 0)}</div> }.into_any()
            }
            Err(_) => view! { <pre class=format!("{class} nb-text")>{json}</pre> }.into_any(),
        };
    }
    if let Some(tex) = get("text/latex") {
        return latex(class, tex);
    }
    let text = get("text/plain").unwrap_or_default();
    view! { <pre class=format!("{class} nb-text")>{text}</pre> }.into_any()
}

/// How KaTeX's auto-render finds and typesets the math of a LaTeX output: Jupyter's delimiters
/// (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, equation and align environments); an error shows the
/// source in red instead of throwing; `trust: false` refuses `\href`, `\url`, `\htmlClass` and
/// the other commands that would put links or markup of the sandbox's choosing in the page.
const KATEX_OPTIONS: &str = r#"{"delimiters":[
  {"left":"$$","right":"$$","display":true},{"left":"\\[","right":"\\]","display":true},
  {"left":"\\begin{equation}","right":"\\end{equation}","display":true},
  {"left":"\\begin{align}","right":"\\end{align}","display":true},
  {"left":"$","right":"$","display":false},{"left":"\\(","right":"\\)","display":false}],
  "throwOnError":false,"trust":false,"maxExpand":1000}"#;

/// A LaTeX output: its source as text, typeset by KaTeX (loaded on the first one) where it
/// holds math; the text stays if KaTeX cannot be loaded.
fn latex(class: &str, tex: String) -> AnyView {
    let node = NodeRef::<leptos::html::Div>::new();
    node.on_load(move |el| {
        leptos::task::spawn_local(async move {
            if let Err(e) = typeset(&el).await {
                leptos::logging::warn!("LaTeX output left as text: {e:?}");
            }
        });
    });
    view! { <div class=format!("{class} nb-latex") node_ref=node>{tex}</div> }.into_any()
}

/// Typesets the math in `el`'s text (KaTeX's auto-render works on text nodes only: the source
/// is never parsed as HTML).
async fn typeset(el: &JsValue) -> Result<(), JsValue> {
    use js_sys::{Function, Reflect, JSON};
    let module = crate::lazy::load("/katex/katex.js", "/katex/katex.min.css").await?;
    let render: Function = Reflect::get(&module, &"renderMathInElement".into())?.dyn_into()?;
    render.call2(&JsValue::NULL, el, &JSON::parse(KATEX_OPTIONS)?)?;
    Ok(())
}

/// Most entries of an array or object shown (the rest is summarised).
const JSON_ENTRIES: usize = 200;

/// A JSON value as a collapsible tree: objects and arrays fold (the first three levels open).
fn json_tree(key: Option<String>, value: serde_json::Value, depth: usize) -> AnyView {
    use serde_json::Value;
    let label = key.map(|k| view! { <span class="json-key">{k}": "</span> });
    let entries: Vec<(String, Value)> = match value {
        Value::Object(map) => map.into_iter().collect(),
        Value::Array(items) => items.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        scalar => {
            let class = match scalar {
                Value::String(_) => "json-str",
                Value::Number(_) => "json-num",
                _ => "json-lit",
            };
            return view! { <div class="json-leaf">{label}<span class=class>{scalar.to_string()}</span></div> }
                .into_any();
        }
    };
    let summary = match entries.len() {
        1 => "1 entry".to_owned(),
        n => format!("{n} entries"),
    };
    let more = entries.len().saturating_sub(JSON_ENTRIES);
    let children = entries.into_iter().take(JSON_ENTRIES).map(|(k, v)| json_tree(Some(k), v, depth + 1)).collect_view();
    view! {
        <details class="json-node" open=depth < 3>
            <summary>{label}<span class="muted">{summary}</span></summary>
            <div class="json-children">
                {children}
                {(more > 0).then(|| view! { <div class="muted">{format!("… {more} more")}</div> })}
            </div>
        </details>
    }
    .into_any()
}

/// HTML output in a sandboxed frame: no script in it runs (no `allow-scripts`), and it
/// cannot reach the console; same-origin only so the page can size the frame to its content.
fn html_frame(html: String) -> impl IntoView {
    let frame = NodeRef::<leptos::html::Iframe>::new();
    let fit = move |_| {
        let Some(frame) = frame.get_untracked() else { return };
        let frame: web_sys::HtmlIFrameElement = frame.unchecked_into();
        if let Some(height) = frame.content_document().and_then(|d| d.document_element()).map(|e| e.scroll_height()) {
            let _ = frame.set_attribute("style", &format!("height: {}px", height + 4));
        }
    };
    view! {
        <iframe class="nb-html" title="HTML output" sandbox="allow-same-origin" node_ref=frame on:load=fit
            srcdoc=format!("<!doctype html><meta charset=utf-8>{FRAME_STYLE}{html}")></iframe>
    }
}
