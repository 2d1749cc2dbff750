//! The organization's resources: what one sandbox may ask for (the create dialog's limits)
//! and what its sandboxes use of its quotas (the dashboard's "In use" meters), from
//! `GET /organizations` and `GET /organizations/{id}/usage`. A control plane that does not
//! answer them (a key without the permission) shows neither; the server still checks.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};

use daytona_wasm::models::{OrganizationRef, RegionUsageOverview};
use daytona_wasm::Daytona;
use leptos::prelude::*;

use crate::components::resource_use::Meter;
use crate::connection::{use_connection, Connection};
use crate::task::Task;

/// The organization, asked (or being asked) of the control plane.
type Asked = Shared<LocalBoxFuture<'static, Option<OrganizationRef>>>;

thread_local! {
    /// The organization of the last connection that asked: asked once per connection (loads
    /// at the same time share the one request), not with every reload of the usage (which
    /// follows each sandbox event).
    static ORGANIZATION: RefCell<Option<(Connection, Asked)>> = const { RefCell::new(None) };
}

/// Forgets the organization of `conn` (a failed answer, or one the usage refused).
fn forget(conn: &Connection) {
    ORGANIZATION.with_borrow_mut(|slot| {
        if slot.as_ref().is_some_and(|(c, _)| c == conn) {
            *slot = None;
        }
    });
}

/// The caller's organization (its id and default region), asked of the control plane once
/// per connection; `None` when it does not say.
async fn organization(conn: &Connection, daytona: &Daytona) -> Option<OrganizationRef> {
    let asked = ORGANIZATION.with_borrow_mut(|slot| match slot {
        Some((c, asked)) if c == conn => asked.clone(),
        _ => {
            let daytona = daytona.clone();
            // Only the two fields are read: the console carries no code for the rest of the model.
            let asked =
                async move { daytona.organizations().read_as::<Vec<OrganizationRef>>().await.ok()?.into_iter().next() }
                    .boxed_local()
                    .shared();
            *slot = Some((conn.clone(), asked.clone()));
            asked
        }
    });
    let org = asked.await;
    if org.is_none() {
        forget(conn);
    }
    org
}

/// The usage of the caller's organization in its default region (else its first), or `None`
/// when the control plane does not say.
pub async fn region_usage(conn: &Connection, daytona: &Daytona) -> Option<RegionUsageOverview> {
    let org = organization(conn, daytona).await?;
    let Ok(usage) = daytona.organization_usage(&org.id).await else {
        // Perhaps another organization now (the key was replaced on the server): ask again.
        forget(conn);
        return None;
    };
    let regions = usage.region_usage;
    let default = org.default_region_id.as_deref();
    let i = regions.iter().position(|r| Some(r.region_id.as_str()) == default).unwrap_or(0);
    regions.into_iter().nth(i)
}

/// A signal of [`region_usage`], loaded again whenever `reloads` changes (the last load's
/// answer wins; none without a connection).
pub fn use_region_usage(reloads: Signal<u64>) -> RwSignal<Option<RegionUsageOverview>> {
    let conn = use_connection();
    let usage = RwSignal::new(None);
    let load = Task::new();
    Effect::new(move |_| {
        reloads.track();
        let conn = conn.get();
        match conn.client() {
            Ok(daytona) => {
                load.latest(async move { Ok(region_usage(&conn, &daytona).await) }, move |got| usage.set(got))
            }
            Err(_) => usage.set(None),
        }
    });
    usage
}

/// `used` of `total` as a percentage for a meter (0 without a total).
fn percent(used: f64, total: f64) -> f64 {
    match total > 0.0 {
        true => (used / total * 100.0).clamp(0.0, 100.0),
        false => 0.0,
    }
}

/// The dashboard's meters: the CPU and memory of started sandboxes and the disk of all that
/// keep one, against the organization's quotas (daytona-local: what the host has).
#[component]
pub fn OrgUsage(usage: RwSignal<Option<RegionUsageOverview>>) -> impl IntoView {
    let meter = move |label: &'static str,
                      class: &'static str,
                      unit: &'static str,
                      pick: fn(&RegionUsageOverview) -> (f64, f64)| {
        let figures = move || usage.with(|u| u.as_ref().map(pick)).unwrap_or_default();
        view! {
            <Meter
                label
                class
                pct=Signal::derive(move || { let (used, total) = figures(); percent(used, total) })
                detail=Signal::derive(move || { let (used, total) = figures(); format!("{used} of {total} {unit}") })
            />
        }
    };
    view! {
        <Show when=move || usage.with(Option::is_some)>
            <section class="card org-usage" aria-label="Resources in use">
                <h2>"In use"</h2>
                <div class="org-meters">
                    {meter("CPU", "cpu", "cores", |u| (u.current_cpu_usage, u.total_cpu_quota))}
                    {meter("Memory", "mem", "GiB", |u| (u.current_memory_usage, u.total_memory_quota))}
                    {meter("Disk", "disk", "GiB", |u| (u.current_disk_usage, u.total_disk_quota))}
                </div>
            </section>
        </Show>
    }
}

/// The create dialog's line under its resources: the most one sandbox may have.
pub fn limits_hint(u: &RegionUsageOverview) -> Option<String> {
    let (cpu, memory, disk) = (u.max_cpu_per_sandbox?, u.max_memory_per_sandbox?, u.max_disk_per_sandbox?);
    Some(format!(
        "Up to {cpu} cores, {memory} GiB memory and {disk} GiB disk per sandbox; in use now: {} of {} cores, {} of {} GiB memory.",
        u.current_cpu_usage, u.total_cpu_quota, u.current_memory_usage, u.total_memory_quota
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_bounded_and_zero_without_a_total() {
        assert_eq!(percent(1.0, 4.0), 25.0);
        assert_eq!(percent(9.0, 4.0), 100.0);
        assert_eq!(percent(3.0, 0.0), 0.0);
    }
}
