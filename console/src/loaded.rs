//! A page's list loaded from the control plane with the connection in use: the items (none
//! until the first answer), the last load's error, whether a load runs, and a reload. It loads
//! at once and again whenever the connection changes.

use std::future::Future;

use daytona_wasm::Daytona;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::connection::use_connection;

/// What a page shows of its list.
pub struct Loaded<T: Send + Sync + 'static> {
    /// The items; `None` until the first load answers.
    pub items: RwSignal<Option<T>>,
    /// Why the last load failed.
    pub error: RwSignal<Option<String>>,
    /// Whether a load runs.
    pub loading: RwSignal<bool>,
    reload: Callback<()>,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Send + Sync + 'static> Loaded<T> {
    /// Loads again.
    pub fn reload(&self) {
        self.reload.run(());
    }
}

/// The list `load` reads with a client of the connection in use.
pub fn use_loaded<T, F, Fut>(load: F) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Fn(Daytona) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, String>> + 'static,
{
    let conn = use_connection();
    let items = RwSignal::new(None::<T>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let reload = Callback::new(move |()| {
        let Ok(daytona) = conn.get_untracked().client() else { return };
        loading.set(true);
        spawn_local(async move {
            match load(daytona).await {
                Ok(got) => {
                    items.set(Some(got));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    });
    Effect::new(move |_| {
        conn.track();
        reload.run(());
    });
    Loaded { items, error, loading, reload }
}
