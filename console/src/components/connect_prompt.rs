//! What pages show when no API key is configured.

use leptos::prelude::*;
use leptos_router::components::A;

/// A card explaining how to connect, linking to Settings.
#[component]
pub fn ConnectPrompt() -> impl IntoView {
    view! {
        <section class="card empty connect-prompt">
            <h1>"Connect to Daytona"</h1>
            <p>
                "No API key is set. Add "<code>"#apiKey=YOUR_KEY"</code>" to this page's address "
                "(the key "<code>"daytona-local serve"</code>" uses), or enter the API URL and key "
                "of your Daytona in Settings."
            </p>
            <p><A href="/settings" attr:class="btn btn-primary">"Open Settings"</A></p>
        </section>
    }
}
