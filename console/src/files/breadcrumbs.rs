//! The path shown, as links to each folder above it.

use leptos::prelude::*;

use crate::current_sandbox::use_current_sandbox;
use crate::files::location::FilesView;
use crate::files::path;

/// `/ › home › daytona › file.txt`: every folder a link, the last part plain.
#[component]
pub fn Breadcrumbs(#[prop(into)] path: Signal<String>) -> impl IntoView {
    let sandbox_id = use_current_sandbox().id;
    move || {
        let full = path.get();
        let all = path::ancestors(&full);
        let last = all.len() - 1;
        let crumbs = all
            .into_iter()
            .enumerate()
            .map(|(i, at)| {
                let name = path::base_name(&at);
                let sep = (i > 1).then_some(view! { <span class="crumb-sep">"/"</span> });
                let crumb = if i == last {
                    view! { <span class="crumb crumb-current" aria-current="location">{name}</span> }.into_any()
                } else {
                    let href = FilesView::Dir(at).href(&sandbox_id.get());
                    view! { <a class="crumb" href=href>{name}</a> }.into_any()
                };
                view! { {sep}{crumb} }
            })
            .collect_view();
        view! { <nav class="breadcrumbs mono" aria-label="Path">{crumbs}</nav> }
    }
}
