//! The Accessibility card of the Desktop tab: the desktop's applications as their
//! accessibility tree (AT-SPI) rather than pixels. Read the focused application's tree or every
//! application's, pick an element to see its role, states and actions and to outline it on the
//! live view, then focus it, do one of its actions (press a button) or set its text, the calls
//! an agent makes with `computerUse.accessibility`.

use daytona_wasm::models::{AccessibilityBounds, AccessibilityNode, AccessibilityTreeQuery};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::error_alert::ErrorAlert;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;

/// Most rows the card lists (a browser's tree can hold thousands of elements).
const MAX_ROWS: usize = 1500;

/// One row of the flattened tree: its depth and the element without its children.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    depth: usize,
    node: AccessibilityNode,
}

/// The tree under `root` as rows in document order, at most `max` of them; and whether some
/// were left out.
pub fn flatten(root: &AccessibilityNode, max: usize) -> (Vec<Row>, bool) {
    let mut rows = Vec::new();
    let mut pending = vec![(0, root)];
    while let Some((depth, node)) = pending.pop() {
        if rows.len() == max {
            return (rows, true);
        }
        rows.push(Row { depth, node: AccessibilityNode { children: Vec::new(), ..node.clone() } });
        pending.extend(node.children.iter().rev().map(|c| (depth + 1, c)));
    }
    (rows, false)
}

/// Where `bounds` (desktop pixels) appear on `canvas` (the live view, scaled to fit), as CSS
/// `left`, `top`, `width` and `height` relative to `stage`, which holds the canvas.
pub fn outline(bounds: &AccessibilityBounds, canvas: (f64, f64, f64, f64), fb: (f64, f64)) -> Option<[f64; 4]> {
    let (left, top, width, height) = canvas;
    if bounds.width <= 0 || bounds.height <= 0 || fb.0 <= 0.0 || fb.1 <= 0.0 {
        return None;
    }
    let (sx, sy) = (width / fb.0, height / fb.1);
    Some([
        left + f64::from(bounds.x) * sx,
        top + f64::from(bounds.y) * sy,
        f64::from(bounds.width) * sx,
        f64::from(bounds.height) * sy,
    ])
}

/// The outline of `bounds` on the live view in `stage` as an inline style, if the view shows.
fn outline_style(stage: &web_sys::Element, bounds: &AccessibilityBounds) -> Option<String> {
    let canvas: web_sys::HtmlCanvasElement = stage.query_selector("canvas").ok()??.dyn_into().ok()?;
    let (c, s) = (canvas.get_bounding_client_rect(), stage.get_bounding_client_rect());
    let view = (c.left() - s.left(), c.top() - s.top(), c.width(), c.height());
    let [x, y, w, h] = outline(bounds, view, (f64::from(canvas.width()), f64::from(canvas.height())))?;
    Some(format!("left:{x:.0}px;top:{y:.0}px;width:{w:.0}px;height:{h:.0}px"))
}

/// The card. `stage` holds the live view; `highlight` is the outline drawn over it.
#[component]
pub fn Accessibility(
    active: Signal<bool>,
    stage: NodeRef<html::Div>,
    highlight: RwSignal<Option<String>>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let all = RwSignal::new(false);
    let rows = RwSignal::new(None::<(Vec<Row>, bool)>);
    let selected = RwSignal::new(None::<AccessibilityNode>);
    let text = RwSignal::new(String::new());
    let task = Task::new();
    let acted = RwSignal::new(None::<String>);

    let read = move || {
        let Ok(sb) = current.sandbox() else { return };
        let scope = if all.get_untracked() { "all" } else { "focused" };
        let q = AccessibilityTreeQuery { scope: Some(scope.into()), ..Default::default() };
        task.run(async move { sb.computer_use().accessibility().get_tree(&q).await }, move |tree| {
            let flat = flatten(&tree.root, MAX_ROWS);
            let truncated = flat.1 || tree.truncated;
            // The picked element stays picked if it is still there, with its new state.
            let again = selected
                .get_untracked()
                .and_then(|old| flat.0.iter().find(|r| r.node.id == old.id).map(|r| r.node.clone()));
            selected.set(again);
            rows.set(Some((flat.0, truncated)));
        });
    };
    // The outline follows the picked element (and the view's size).
    let draw = move || {
        let style = selected.with_untracked(|s| {
            let (node, stage) = (s.as_ref()?, stage.get_untracked()?);
            outline_style(&stage, &node.bounds)
        });
        highlight.set(style);
    };
    Effect::new(move |_| {
        selected.track();
        draw();
    });
    crate::polling::use_interval(std::time::Duration::from_secs(1), draw);
    on_cleanup(move || highlight.set(None));

    let act = move |what: &'static str, action: Option<String>| {
        let (Ok(sb), Some(node)) = (current.sandbox(), selected.get_untracked()) else { return };
        let value = text.get_untracked();
        let label = action.clone().unwrap_or_else(|| what.to_owned());
        task.run(
            async move {
                let a11y = sb.computer_use();
                let a11y = a11y.accessibility();
                match what {
                    "focus" => a11y.focus_node(&node.id).await,
                    "value" => a11y.set_node_value(&node.id, &value).await,
                    _ => a11y.invoke_node(&node.id, action.as_deref()).await,
                }
            },
            move |()| {
                acted.set(Some(format!("Done: {label}")));
                read();
            },
        );
    };

    view! {
        <section class="card desktop-a11y">
            <h2>"Accessibility"</h2>
            <p class="muted">"The desktop's applications as their accessibility tree: pick an element to outline it on the live view and to focus, press or fill it."</p>
            <div class="row">
                <label class="check">
                    <input type="checkbox" prop:checked=all on:change=move |ev| all.set(event_target_checked(&ev))/>
                    "Every application"
                </label>
                <button class="btn btn-small" on:click=move |_| read() disabled=move || !active.get() || task.busy()>
                    {move || if rows.with(Option::is_some) { "Read again" } else { "Read tree" }}
                </button>
                <span class="muted" role="status">{move || acted.get()}</span>
            </div>
            <ErrorAlert error=Signal::derive(move || task.error())/>
            {move || rows.get().map(|(list, truncated)| view! {
                <div class="a11y-split">
                    <ul class="a11y-tree" aria-label="Accessibility tree">
                        {list.into_iter().map(|row| {
                            let node = row.node.clone();
                            let id = node.id.clone();
                            let is_picked = move || selected.with(|s| s.as_ref().is_some_and(|s| s.id == id));
                            let pick = node.clone();
                            view! {
                                <li style=format!("padding-left:{}px", 8 + row.depth * 14)>
                                    <button class="a11y-node" aria-pressed=move || is_picked().to_string()
                                        on:click=move |_| { text.set(String::new()); selected.set(Some(pick.clone())) }>
                                        <span class="a11y-role">{node.role.clone()}</span>
                                        " "
                                        <span class="a11y-name">{node.name.clone()}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                        {truncated.then(|| view! { <li class="muted">"… more elements than shown"</li> })}
                    </ul>
                    <Details selected text act/>
                </div>
            })}
        </section>
    }
}

/// The picked element: what it is, and what can be done to it.
#[component]
fn Details(
    selected: RwSignal<Option<AccessibilityNode>>,
    text: RwSignal<String>,
    act: impl Fn(&'static str, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || match selected.get() {
        None => view! { <div class="a11y-details muted">"Pick an element."</div> }.into_any(),
        Some(node) => {
            let b = node.bounds;
            let editable = node.states.iter().any(|s| s == "editable");
            view! {
                <div class="a11y-details">
                    <h3>{format!("{} {}", node.role, node.name)}</h3>
                    <dl>
                        <dt>"States"</dt><dd>{node.states.join(", ")}</dd>
                        <dt>"Place"</dt><dd>{format!("{}×{} at {}, {}", b.width, b.height, b.x, b.y)}</dd>
                        <dt>"Id"</dt><dd class="mono">{node.id.clone()}</dd>
                    </dl>
                    <div class="row">
                        <button class="btn btn-small" on:click=move |_| act("focus", None)>"Focus"</button>
                        {node.actions.iter().map(|a| {
                            let action = a.clone();
                            view! { <button class="btn btn-small" on:click=move |_| act("invoke", Some(action.clone()))>{a.clone()}</button> }
                        }).collect_view()}
                    </div>
                    {editable.then(|| view! {
                        <div class="row">
                            <input aria-label="Text" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/>
                            <button class="btn btn-small" on:click=move |_| act("value", None)>"Set text"</button>
                        </div>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, children: Vec<AccessibilityNode>) -> AccessibilityNode {
        AccessibilityNode { name: name.into(), children, ..AccessibilityNode::default() }
    }

    #[test]
    fn the_tree_flattens_in_document_order_with_depths_and_a_cap() {
        let tree =
            node("app", vec![node("frame", vec![node("label", vec![]), node("button", vec![])]), node("menu", vec![])]);
        let (rows, cut) = flatten(&tree, 10);
        let seen: Vec<(usize, &str)> = rows.iter().map(|r| (r.depth, r.node.name.as_str())).collect();
        assert_eq!(seen, [(0, "app"), (1, "frame"), (2, "label"), (2, "button"), (1, "menu")]);
        assert!(!cut && rows.iter().all(|r| r.node.children.is_empty()));
        let (rows, cut) = flatten(&tree, 3);
        assert_eq!((rows.len(), cut), (3, true));
    }

    #[test]
    fn an_outline_is_scaled_to_the_view() {
        let b = AccessibilityBounds { x: 100, y: 50, width: 200, height: 40 };
        // A 1280×800 desktop shown at half size, 10 px from the stage's left edge.
        assert_eq!(outline(&b, (10.0, 0.0, 640.0, 400.0), (1280.0, 800.0)), Some([60.0, 25.0, 100.0, 20.0]));
        assert_eq!(outline(&AccessibilityBounds::default(), (0.0, 0.0, 640.0, 400.0), (1280.0, 800.0)), None);
        assert_eq!(outline(&b, (0.0, 0.0, 640.0, 400.0), (0.0, 0.0)), None);
    }
}
