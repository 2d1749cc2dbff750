//! Cursor paging below the sandbox table.

use leptos::prelude::*;

use crate::filters::{ListFilters, PAGE_SIZES};

/// Previous/next page buttons and the page size. Cursors only lead forward, so the
/// cursors of the pages visited are kept for "Previous"; changing any filter starts over.
#[component]
pub fn Pager(
    #[prop(into)] filters: Signal<ListFilters>,
    #[prop(into)] next_cursor: Signal<Option<String>>,
    /// Rows on the current page.
    #[prop(into)]
    count: Signal<usize>,
    #[prop(into)] apply: Callback<(ListFilters, bool)>,
) -> impl IntoView {
    let visited = RwSignal::new(Vec::<Option<String>>::new());
    let base = Memo::new(move |_| filters.get().first_page());
    Effect::new(move |_| {
        base.track();
        visited.set(Vec::new());
    });

    let has_prev = move || filters.with(|f| f.cursor.is_some());
    let prev = move |_| {
        let mut stack = visited.get_untracked();
        let cursor = stack.pop().flatten();
        visited.set(stack);
        apply.run((ListFilters { cursor, ..filters.get_untracked() }, false));
    };
    let next = move |_| {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        let current = filters.get_untracked();
        let mut stack = visited.get_untracked();
        stack.push(current.cursor.clone());
        visited.set(stack);
        apply.run((ListFilters { cursor: Some(cursor), ..current }, false));
    };
    let page = move || match (filters.with(|f| f.cursor.is_none()), visited.with(Vec::len)) {
        (true, _) => Some(1),
        (false, 0) => None,
        (false, n) => Some(n + 1),
    };
    let set_size = move |ev| {
        let limit = event_target_value(&ev).parse().ok().filter(|l| *l != PAGE_SIZES[0]);
        apply.run((ListFilters { limit, ..filters.get_untracked().first_page() }, false));
    };
    let mut sizes = PAGE_SIZES;
    sizes.sort_unstable();

    view! {
        <nav class="pager" aria-label="Pages">
            <span class="muted">
                {move || page().map(|p| format!("Page {p} · ")).unwrap_or_default()}
                {move || format!("{} shown", count.get())}
            </span>
            <div class="pager-buttons">
                <label class="filter">
                    <span class="filter-label">"Per page"</span>
                    <select aria-label="Page size" on:change=set_size>
                        {sizes
                            .into_iter()
                            .map(|n| {
                                view! {
                                    <option value=n.to_string() prop:selected=move || filters.with(|f| f.page_size() == n)>
                                        {n}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="button" class="btn btn-small" disabled=move || !has_prev() on:click=prev>"← Previous"</button>
                <button type="button" class="btn btn-small" disabled=move || next_cursor.with(Option::is_none) on:click=next>
                    "Next →"
                </button>
            </div>
        </nav>
    }
}
