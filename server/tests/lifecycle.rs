//! Sandbox lifecycle over the control plane: create, get, list, stop/start/archive, delete.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;

#[tokio::test]
async fn create_with_labels_and_env_then_get_by_id_and_name() {
    let s = Server::start().await;
    let name = unique("life");
    let sb = s
        .create(json!({
            "name": name,
            "labels": {"team": "qa", "code-toolbox-language": "python"},
            "env": {"GREETING": "hello world", "_X1": "y"},
            "volumes": []
        }))
        .await;
    let id = id_of(&sb);
    assert_eq!(id.len(), 36, "id should be a UUID: {id}");
    assert_eq!(sb["name"], name.as_str());
    assert_eq!(sb["labels"], json!({"team": "qa", "code-toolbox-language": "python"}));
    assert_eq!(sb["env"], json!({"GREETING": "hello world", "_X1": "y"}));
    assert_eq!(sb["user"], "daytona");
    assert_eq!(sb["desiredState"], "started");
    // Fields the Python client requires, with strict JSON types.
    assert_eq!(sb["kvm"], json!(false));
    assert_eq!(sb["public"], json!(false));
    assert_eq!(sb["networkBlockAll"], json!(false));
    for k in ["cpu", "gpu", "memory", "disk"] {
        assert!(sb[k].is_i64(), "{k} must be a JSON integer: {sb}");
    }
    for k in ["organizationId", "target"] {
        assert!(sb[k].is_string(), "{k} must be a string: {sb}");
    }
    assert_eq!(sb["toolboxProxyUrl"], format!("{}/toolbox", s.origin()));

    let (status, by_id) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, by_name) = s.get(&format!("/sandbox/{name}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id["id"], id.as_str());
    assert_eq!(by_name["id"], id.as_str());
    assert_eq!(by_name["labels"], sb["labels"]);
    assert_eq!(by_id["state"], "started");

    // The create-time env reaches processes in the sandbox.
    let (code, out) = s.exec(&id, "echo \"$GREETING|$_X1|$HOME|$(whoami)\"").await;
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "hello world|y|/home/daytona|daytona");
}

#[tokio::test]
async fn list_filters_by_labels_and_states_with_cursor_pagination() {
    let s = Server::start().await;
    let suite = unique("suite");
    let mut ids = Vec::new();
    for i in 0..3 {
        let sb =
            s.create(json!({"name": format!("{suite}-{i}"), "labels": {"suite": suite, "n": i.to_string()}})).await;
        ids.push(id_of(&sb));
    }
    let other = s.create(json!({"labels": {"suite": "other"}})).await;
    let (status, stopped) = s.post_empty(&format!("/sandbox/{}/stop", ids[1])).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");

    let list = |q: String| {
        let s = &s;
        async move {
            let (status, body) = s.get(&format!("/sandbox?{q}")).await;
            assert_eq!(status, StatusCode::OK, "list {q}: {body}");
            let items = body["items"].as_array().unwrap_or_else(|| panic!("items in {body}")).clone();
            let next = body["nextCursor"].as_str().map(str::to_owned);
            (items, next)
        }
    };
    let ids_of = |items: &[Value]| items.iter().map(id_of).collect::<BTreeSet<_>>();
    let enc = |v: Value| percent_encode(&v.to_string());

    // Label containment: every pair must match.
    let (items, next) = list(format!("labels={}", enc(json!({"suite": suite})))).await;
    assert_eq!(ids_of(&items), ids.iter().cloned().collect(), "label filter");
    assert_eq!(next, None);
    for it in &items {
        assert!(it["toolboxProxyUrl"].is_string() && it["labels"].is_object() && it["cpu"].is_i64(), "{it}");
    }
    let (items, _) = list(format!("labels={}", enc(json!({"suite": suite, "n": "2"})))).await;
    assert_eq!(ids_of(&items), BTreeSet::from([ids[2].clone()]));
    let (items, _) = list(format!("labels={}", enc(json!({"suite": suite, "n": "7"})))).await;
    assert!(items.is_empty(), "no sandbox has n=7: {items:?}");

    // States, single and repeated keys.
    let label_q = format!("labels={}", enc(json!({"suite": suite})));
    let (items, _) = list(format!("{label_q}&states=stopped")).await;
    assert_eq!(ids_of(&items), BTreeSet::from([ids[1].clone()]));
    assert_eq!(items[0]["state"], "stopped");
    let (items, _) = list(format!("{label_q}&states=started")).await;
    assert_eq!(ids_of(&items), BTreeSet::from([ids[0].clone(), ids[2].clone()]));
    let (items, _) = list(format!("{label_q}&states=started&states=stopped")).await;
    assert_eq!(items.len(), 3);
    let (items, _) = list("states=archived".into()).await;
    assert!(items.is_empty());

    // Name prefix and sorting.
    let (items, _) = list(format!("name={suite}&sort=name&order=asc")).await;
    let names: Vec<_> = items.iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, (0..3).map(|i| format!("{suite}-{i}")).collect::<Vec<_>>());
    let (items, _) = list(format!("name={suite}&sort=name&order=desc")).await;
    assert_eq!(items[0]["name"], format!("{suite}-2"));
    // Name and id prefixes are case-insensitive (as in Daytona's API spec).
    let (items, _) = list(format!("name={}", suite.to_uppercase())).await;
    assert_eq!(items.len(), 3, "name prefix should be case-insensitive");
    let (items, _) = list(format!("name={suite}-1")).await;
    assert_eq!(ids_of(&items), BTreeSet::from([ids[1].clone()]));
    let (items, _) = list(format!("id={}", ids[0][..8].to_uppercase())).await;
    assert_eq!(ids_of(&items), BTreeSet::from([ids[0].clone()]));

    // Cursor pagination over all 4: pages of 3 then 1, no duplicates, nothing missed.
    let (page1, cursor) = list("limit=3&sort=createdAt&order=asc".into()).await;
    assert_eq!(page1.len(), 3);
    let cursor = cursor.expect("a nextCursor when more items exist");
    let (page2, cursor2) = list(format!("limit=3&sort=createdAt&order=asc&cursor={}", percent_encode(&cursor))).await;
    assert_eq!(page2.len(), 1);
    assert_eq!(cursor2, None, "last page has no nextCursor");
    let mut all = ids_of(&page1);
    all.extend(ids_of(&page2));
    let mut expected: BTreeSet<_> = ids.iter().cloned().collect();
    expected.insert(id_of(&other));
    assert_eq!(all, expected);
    // createdAt ascending: the first created comes first.
    assert_eq!(page1[0]["id"], ids[0].as_str());
    assert_eq!(page2[0]["id"], other["id"]);
}

#[tokio::test]
async fn every_listing_filter_narrows_and_numbered_pages_count_the_whole() {
    let s = Server::start().await;
    let suite = unique("filters");
    let label = |extra: Value| {
        let mut labels = json!({"suite": suite});
        labels.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        labels
    };
    let small = id_of(&s.create(json!({"labels": label(json!({"k": "small"})), "autoStopInterval": 0})).await);
    let big =
        id_of(&s.create(json!({"labels": label(json!({"k": "big"})), "cpu": 2, "memory": 2, "public": true})).await);
    let stopped = id_of(&s.create(json!({"labels": label(json!({"k": "stopped"})), "autoDeleteInterval": 30})).await);
    let (status, _) = s.post_empty(&format!("/sandbox/{stopped}/stop")).await;
    assert_eq!(status, StatusCode::OK);
    let q = format!("labels={}", percent_encode(&json!({"suite": suite}).to_string()));
    let ids = |body: &Value| body["items"].as_array().unwrap().iter().map(id_of).collect::<BTreeSet<_>>();
    let listed = |filter: &str| {
        let (s, q) = (&s, &q);
        let filter = filter.to_owned();
        async move {
            let (status, body) = s.get(&format!("/sandbox?{q}&{filter}")).await;
            assert_eq!(status, StatusCode::OK, "{filter}: {body}");
            ids(&body)
        }
    };
    let set = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(listed("minCpu=2").await, set(&[&big]));
    assert_eq!(listed("maxCpu=1").await, set(&[&small, &stopped]));
    assert_eq!(listed("minMemoryGiB=2&maxMemoryGiB=2").await, set(&[&big]));
    assert_eq!(listed("minDiskGiB=1000").await, set(&[]));
    assert_eq!(listed("isPublic=true").await, set(&[&big]));
    assert_eq!(listed("isPublic=false").await, set(&[&small, &stopped]));
    assert_eq!(listed("snapshots=daytona-local").await.len(), 3, "the default snapshot's name");
    assert_eq!(listed("snapshots=other").await, set(&[]));
    assert_eq!(listed("regionIds=local").await.len(), 3);
    assert_eq!(listed("regionIds=eu").await, set(&[]));
    assert_eq!(listed("sandboxClasses=container").await.len(), 3);
    assert_eq!(listed("sandboxClasses=linux-vm").await, set(&[]));
    assert_eq!(listed("isRecoverable=true").await, set(&[]));
    assert_eq!(listed("includeWarm=true&includeErroredDeleted=true").await.len(), 3);
    assert_eq!(listed("createdAtAfter=2000-01-01T00:00:00Z").await.len(), 3);
    assert_eq!(listed("createdAtBefore=2000-01-01T00:00:00Z").await, set(&[]));
    assert_eq!(listed("lastEventAfter=2999-01-01T00:00:00Z").await, set(&[]));
    // None has a TTL, so none a time of destruction (the TTL test lists those that do).
    assert_eq!(listed("autoDestroyAtAfter=2000-01-01T00:00:00Z").await, set(&[]));
    assert_eq!(listed("autoDestroyAtBefore=2999-01-01T00:00:00Z").await, set(&[]));

    // What makes no sense is a 400 naming the parameter, never ignored.
    for bad in [
        "minCpu=lots",
        "isPublic=maybe",
        "createdAtAfter=yesterday",
        "sandboxClasses=mainframe",
        "sort=state",
        "page=2",
        "shape=round",
    ] {
        let (status, body) = s.get(&format!("/sandbox?{bad}")).await;
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
        let key = bad.split('=').next().unwrap();
        assert!(body["message"].as_str().unwrap().contains(key) || bad.starts_with("sort"), "{bad}: {body}");
    }

    // Numbered pages: totals over the whole listing, the same filters, its own sort fields.
    let page = |p: u32| {
        let (s, q) = (&s, &q);
        async move {
            let (status, body) = s.get(&format!("/sandbox/paginated?{q}&page={p}&limit=2&sort=id&order=asc")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let (one, two, three) = (page(1).await, page(2).await, page(3).await);
    assert_eq!((one["total"].clone(), one["page"].clone(), one["totalPages"].clone()), (json!(3), json!(1), json!(2)));
    assert_eq!(one["items"].as_array().unwrap().len(), 2);
    assert_eq!(two["items"].as_array().unwrap().len(), 1);
    assert_eq!(three["items"], json!([]), "past the last page: empty");
    let mut all: Vec<String> =
        one["items"].as_array().unwrap().iter().chain(two["items"].as_array().unwrap()).map(id_of).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted by id: {all:?}");
    all.sort();
    let mut expected = vec![small.clone(), big.clone(), stopped.clone()];
    expected.sort();
    assert_eq!(all, expected);
    let (_, body) = s.get(&format!("/sandbox/paginated?{q}&states=stopped")).await;
    assert_eq!(ids(&body), set(&[&stopped]));
    assert_eq!(body["total"], 1);
    for bad in ["page=0", "cursor=1", "sort=cpu", "limit=500"] {
        let (status, body) = s.get(&format!("/sandbox/paginated?{bad}")).await;
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox/paginated");
    }
}

#[tokio::test]
async fn stop_start_archive_and_start_from_archived_keep_files() {
    let s = Server::start().await;
    let sb = s.create(json!({})).await;
    let id = id_of(&sb);
    let (code, _) = s.exec(&id, "echo kept > keep.txt").await;
    assert_eq!(code, 0);

    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "stopped");
    assert_eq!(body["desiredState"], "stopped");
    assert_eq!(s.state(&id).await.as_deref(), Some("stopped"));
    // The toolbox refuses a stopped sandbox.
    let (status, body) = s.exec_req(&id, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Stopping again is harmless.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "started");
    assert_eq!(s.exec(&id, "cat keep.txt").await, (0, "kept\n".into()));

    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop?force=true")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "stopped");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/archive")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "archived");
    assert_eq!(s.state(&id).await.as_deref(), Some("archived"));

    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "started");
    assert_eq!(s.exec(&id, "cat keep.txt").await, (0, "kept\n".into()));
}

#[tokio::test]
async fn delete_answers_then_sandbox_is_gone() {
    let s = Server::start().await;
    let name = unique("del");
    let sb = s.create(json!({"name": name})).await;
    let id = id_of(&sb);
    let home = host_home(&s.data_dir(), &id);
    assert!(home.is_dir(), "home {} should exist", home.display());

    // Delete by name.
    let (status, body) = s.delete(&format!("/sandbox/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    assert!(matches!(body["state"].as_str(), Some("destroying" | "destroyed")), "{body}");
    assert_eq!(body["desiredState"], "destroyed");

    let gone = eventually(Duration::from_secs(10), || async { s.state(&id).await.is_none() }).await;
    assert!(gone, "sandbox still present after delete");
    let path = format!("/api/sandbox/{id}");
    let (status, body) = s.get(&format!("/sandbox/{id}")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &path);
    assert!(body["message"].as_str().unwrap().contains(&id), "{body}");
    let (status, body) = s.get(&format!("/sandbox/{name}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = s.delete(&format!("/sandbox/{id}")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &path);
    let (_, list) = s.get("/sandbox").await;
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["id"] != id.as_str()), "{list}");
    assert!(!home.exists(), "sandbox files should be removed");
    let (status, _) = s.exec_req(&id, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The name is free again.
    s.create(json!({"name": name})).await;
}

#[tokio::test]
async fn illegal_transitions_give_400_envelopes() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let path = |op: &str| format!("/api/sandbox/{id}/{op}");

    // A started sandbox cannot be archived or recovered.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/archive")).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path("archive"));
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/recover")).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path("recover"));
    assert_eq!(s.state(&id).await.as_deref(), Some("started"), "failed transitions must not change state");

    // An archived sandbox cannot be stopped or resized.
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/stop")).await.0, StatusCode::OK);
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/archive")).await.0, StatusCode::OK);
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path("stop"));
    let (status, body) = s.post(&format!("/sandbox/{id}/resize"), json!({"cpu": 2})).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path("resize"));
    assert_eq!(s.state(&id).await.as_deref(), Some("archived"));

    // Disk never shrinks.
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/start")).await.0, StatusCode::OK);
    let (status, body) = s.post(&format!("/sandbox/{id}/resize"), json!({"disk": 1})).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path("resize"));
}

#[tokio::test]
async fn duplicate_name_is_409() {
    let s = Server::start().await;
    let name = unique("dup");
    let first = s.create(json!({"name": name})).await;
    let (status, body) = s.post("/sandbox", json!({"name": name})).await;
    assert_envelope(status, &body, StatusCode::CONFLICT, "/api/sandbox");
    assert!(body["message"].as_str().unwrap().contains(&name), "{body}");
    // Only the first exists.
    let (_, list) = s.get(&format!("/sandbox?name={name}")).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], first["id"]);

    // Two creates racing for one name: exactly one wins, the other gets 409 (not 500).
    let name2 = unique("race");
    let (a, b) = tokio::join!(s.post("/sandbox", json!({"name": name2})), s.post("/sandbox", json!({"name": name2})));
    let mut codes = [a.0, b.0];
    codes.sort();
    assert_eq!(codes, [StatusCode::OK, StatusCode::CONFLICT], "racing creates: {a:?} / {b:?}");
}

#[tokio::test]
async fn labels_intervals_and_public_are_updated() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"labels": {"a": "1", "b": "2"}})).await);

    let (status, body) = s.put(&format!("/sandbox/{id}/labels"), json!({"labels": {"c": "3"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"labels": {"c": "3"}}), "labels are replaced, not merged");
    for (op, field, value) in [
        ("autostop/0", "autoStopInterval", 0),
        ("autostop/42", "autoStopInterval", 42),
        ("autoarchive/60", "autoArchiveInterval", 60),
        ("autodelete/5", "autoDeleteInterval", 5),
        ("autodelete/-1", "autoDeleteInterval", -1),
    ] {
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/{op}")).await;
        assert!(status.is_success(), "{op}: {status} {body}");
        let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
        assert_eq!(sb[field], json!(value), "{op}");
    }
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/public/true")).await;
    assert!(status.is_success());
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["public"], json!(true));
    assert_eq!(sb["labels"], json!({"c": "3"}));
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/autostop/-5")).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api/sandbox/{id}/autostop/-5"));
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["autoStopInterval"], json!(42));
}

#[tokio::test]
async fn a_sandbox_whose_main_process_dies_becomes_error_and_recovers() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (code, _) = s.exec(&id, "echo before > kept.txt").await;
    assert_eq!(code, 0);
    // Kill the toolbox agent (pid 2 inside the jail) from inside: the jail ends.
    let _ = s.exec_req(&id, json!({"command": "kill -9 2"})).await;
    let errored =
        eventually(Duration::from_secs(10), || async { s.state(&id).await.as_deref() == Some("error") }).await;
    assert!(errored, "state after the jail died: {:?}", s.state(&id).await);
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["recoverable"], json!(true));
    assert!(sb["errorReason"].as_str().unwrap_or_default().contains("exited unexpectedly"), "{sb}");

    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/recover")).await;
    assert_eq!(status, 200, "{sb}");
    assert_eq!(sb["state"], "started");
    assert_eq!(s.exec(&id, "cat kept.txt").await, (0, "before\n".to_owned()));

    // Again, recovered with `skipStart`: left stopped, its error gone, its files kept; a start boots it.
    let _ = s.exec_req(&id, json!({"command": "kill -9 2"})).await;
    assert!(eventually(Duration::from_secs(10), || async { s.state(&id).await.as_deref() == Some("error") }).await);
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/recover?skipStart=maybe")).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api/sandbox/{id}/recover"));
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/recover?skipStart=true")).await;
    assert_eq!(status, 200, "{sb}");
    assert_eq!((sb["state"].as_str(), sb.get("errorReason")), (Some("stopped"), None), "{sb}");
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, 200);
    assert_eq!(s.exec(&id, "cat kept.txt").await, (0, "before\n".to_owned()));
}

#[tokio::test]
async fn the_organization_states_its_limits_and_counts_what_sandboxes_use() {
    let s = Server::start().await;
    let (status, orgs) = s.get("/organizations").await;
    assert_eq!(status, 200, "{orgs}");
    let org = &orgs[0];
    assert_eq!((orgs.as_array().map(Vec::len), org["id"].as_str()), (Some(1), Some("local")), "{orgs}");
    let (status, same) = s.get("/organizations/local").await;
    assert_eq!((status.as_u16(), &same), (200, org));
    // The limits it states are the ones a create is held to.
    let max_cpu = org["maxCpuPerSandbox"].as_f64().unwrap() as i64;
    let (status, refused) = s.post("/sandbox", json!({"cpu": max_cpu + 1})).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains(&max_cpu.to_string()), "{refused}");

    let usage = || async {
        let (status, usage) = s.get("/organizations/local/usage").await;
        assert_eq!(status, 200, "{usage}");
        let local = usage["regionUsage"].as_array().unwrap().iter().find(|r| r["regionId"] == "local").unwrap().clone();
        assert_eq!(local["maxCpuPerSandbox"], org["maxCpuPerSandbox"], "{usage}");
        assert!(local["totalCpuQuota"].as_f64().unwrap() >= 1.0, "the host's cores: {usage}");
        let n = |k: &str| local[k].as_f64().unwrap();
        (n("currentCpuUsage"), n("currentMemoryUsage"), n("currentDiskUsage"), usage["currentSnapshotUsage"].clone())
    };
    let before = usage().await;
    let sb = s.create(json!({"cpu": 2, "memory": 2, "disk": 3})).await;
    let id = id_of(&sb);
    let started = usage().await;
    assert_eq!((started.0 - before.0, started.1 - before.1, started.2 - before.2), (2.0, 2.0, 3.0));
    // Stopped: no CPU or memory, its disk still kept.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, 200, "{body}");
    let stopped = usage().await;
    assert_eq!((stopped.0, stopped.1, stopped.2), (before.0, before.1, before.2 + 3.0));
    // Snapshots are counted as Daytona counts them: the organization's own (not the host's
    // default), none here yet.
    let (_, snapshots) = s.get("/snapshots").await;
    assert!(snapshots["total"].as_f64() >= Some(1.0), "the default is listed: {snapshots}");
    assert_eq!(stopped.3.as_f64(), Some(0.0));

    let (status, body) = s.get("/organizations/elsewhere/usage").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/organizations/elsewhere/usage");
}

#[tokio::test]
async fn pause_freezes_everything_the_sandbox_runs_and_start_resumes_it() {
    let s = Server::start().await;
    let sb = s.create(json!({})).await;
    let id = id_of(&sb);
    // A ticker in the background, a line every 20 ms, watched from the host through the
    // sandbox's home (the toolbox answers nothing while the sandbox is paused).
    let (code, out) =
        s.exec(&id, "nohup sh -c 'while :; do echo tick >> ticks; sleep 0.02; done' >/dev/null 2>&1 &").await;
    assert_eq!(code, 0, "{out}");
    let ticks = host_home(&s.data_dir(), &id).join("ticks");
    let len = || std::fs::metadata(&ticks).map_or(0, |m| m.len());
    assert!(eventually(Duration::from_secs(5), || async { len() > 0 }).await, "the ticker did not start");
    let (_, ticker) = s.exec(&id, "pgrep -f 'echo tick'").await;

    let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["state"].as_str(), body["desiredState"].as_str()), (Some("paused"), Some("paused")), "{body}");
    assert_eq!(s.state(&id).await.as_deref(), Some("paused"));
    // Nothing it runs gets CPU: the ticker's file stays as it was.
    let frozen = len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(len(), frozen, "the sandbox ran while paused");
    // Its toolbox answers no calls meanwhile (a clear 400 naming the state), and what needs
    // a stopped or started sandbox is refused; pausing again is harmless.
    let (status, body) = s.exec_req(&id, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("paused")), "{body}");
    for (route, expected) in [("archive", StatusCode::BAD_REQUEST), ("pause", StatusCode::OK)] {
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/{route}")).await;
        assert_eq!(status, expected, "{route}: {body}");
    }
    let (status, body) = s.post(&format!("/sandbox/{id}/resize"), json!({"cpu": 2})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "resize while paused: {body}");

    // Start resumes it where it was: the same ticker ticks again, nothing was restarted.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "started", "{body}");
    assert!(eventually(Duration::from_secs(5), || async { len() > frozen }).await, "the ticker did not resume");
    assert_eq!(s.exec(&id, "pgrep -f 'echo tick'").await.1, ticker, "the same process resumed");

    // A paused sandbox stops (its files kept) and is deleted like any other.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("stopped")), "{body}");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a stopped sandbox paused: {body}");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("started")), "{body}");
    assert!(len() >= frozen, "the files were kept");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.delete(&format!("/sandbox/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        eventually(Duration::from_secs(15), || async { s.state(&id).await.is_none() }).await,
        "a paused sandbox was not deleted"
    );
    assert_eq!(host_processes(&id), 0, "something of the paused sandbox outlived its deletion");

    // Automatic pausing is refused with the reason, at create and later (0, none, is taken).
    let (status, body) = s.post("/sandbox", json!({"autoPauseInterval": 5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let other = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_empty(&format!("/sandbox/{other}/autopause/5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("/pause")), "{body}");
    let (status, body) = s.post_empty(&format!("/sandbox/{other}/autopause/0")).await;
    assert_eq!((status, &body["autoPauseInterval"]), (StatusCode::OK, &json!(0)), "{body}");
}

#[tokio::test]
async fn fork_copies_files_and_settings_into_a_new_started_sandbox() {
    let s = Server::start().await;
    let sb = s.create(json!({"labels": {"team": "forks"}, "env": {"FROM": "source"}, "autoStopInterval": 33})).await;
    let id = id_of(&sb);
    let setup = "echo original > kept.txt && mkdir -p d && echo deep > d/f && (nohup sleep 2345 >/dev/null 2>&1 &)";
    assert_eq!(s.exec(&id, setup).await.0, 0);

    let name = unique("fork");
    let (status, fork) = s.post(&format!("/sandbox/{id}/fork"), json!({"name": name})).await;
    assert_eq!(status, StatusCode::OK, "{fork}");
    let f = id_of(&fork);
    assert_ne!(f, id);
    assert_eq!((fork["name"].as_str(), fork["state"].as_str()), (Some(name.as_str()), Some("started")), "{fork}");
    for k in ["labels", "env", "snapshot", "user", "cpu", "memory", "disk", "autoStopInterval"] {
        assert_eq!(fork[k], sb[k], "{k} of the fork");
    }
    // Its files as the source had them, owned as they were; none of its processes.
    let (code, out) =
        s.exec(&f, "cat kept.txt d/f; echo $FROM; stat -c %U kept.txt d/f; pgrep -c -f 'sleep 2345'").await;
    assert_eq!((code, out.as_str()), (1, "original\ndeep\nsource\ndaytona\ndaytona\n0\n"), "in the fork");
    assert_eq!(s.exec(&id, "pgrep -c -f 'sleep 2345'").await, (0, "1\n".into()), "the source runs on");
    // Each goes its own way.
    assert_eq!(s.exec(&f, "echo forked > kept.txt && echo new > only-in-fork").await.0, 0);
    assert_eq!(s.exec(&id, "cat kept.txt; ls only-in-fork 2>&1 >/dev/null | wc -l").await, (0, "original\n1\n".into()));
    // On the host the fork's files belong to the fork's own ids, not the source's.
    use std::os::unix::fs::MetadataExt;
    let owner =
        |sandbox: &str| std::fs::metadata(host_home(&s.data_dir(), sandbox).join("d/f")).map(|m| m.uid()).unwrap();
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert_ne!(owner(&f), owner(&id), "the fork's files kept the source's host ids");
        let (_, inner) = s.exec(&f, "id -u").await;
        assert_eq!(s.exec(&f, "stat -c %u d/f").await.1, inner, "the fork's user owns its files");
    }

    // A name taken is refused; an unknown sandbox is not found; a stopped one forks as well.
    let (status, body) = s.post(&format!("/sandbox/{id}/fork"), json!({"name": name})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = s.post("/sandbox/no-such-sandbox/fork", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/stop")).await.0, StatusCode::OK);
    let (status, again) = s.post(&format!("/sandbox/{id}/fork"), json!({})).await;
    assert_eq!((status, again["state"].as_str()), (StatusCode::OK, Some("started")), "{again}");
    assert_eq!(again["name"], again["id"], "a fork without a name is named by its id");
    assert_eq!(s.exec(&id_of(&again), "cat kept.txt").await, (0, "original\n".into()));
    // The source's deletion leaves its forks.
    assert_eq!(s.delete(&format!("/sandbox/{id}")).await.0, StatusCode::OK);
    assert!(eventually(Duration::from_secs(15), || async { s.state(&id).await.is_none() }).await);
    assert_eq!(s.exec(&f, "cat kept.txt").await, (0, "forked\n".into()));
}

/// Waits for snapshot `name` made from a sandbox to leave `pending`.
async fn kept(s: &Server, name: &str) -> Value {
    settled(s, name).await
}

#[tokio::test]
async fn a_snapshot_of_a_sandbox_makes_sandboxes_with_its_files() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({ "labels": { "from": "source" }, "disk": 4 })).await);
    let plant = "mkdir -p d && echo kept > d/f && echo mine > kept.txt && (setsid sleep 3456 > /dev/null 2>&1 &)";
    assert_eq!(s.exec(&id, plant).await.0, 0);
    let (status, sb) = s.post(&format!("/sandbox/{id}/snapshot"), json!({ "name": "mine" })).await;
    assert_eq!((status, sb["state"].as_str()), (StatusCode::OK, Some("snapshotting")), "{sb}");
    let snap = kept(&s, "mine").await;
    assert_eq!(
        (snap["state"].as_str(), snap["sourceSandboxId"].as_str()),
        (Some("active"), Some(id.as_str())),
        "{snap}"
    );
    assert!(snap["size"].as_f64().is_some_and(|gb| gb > 0.0), "{snap}");
    assert_eq!(snap["disk"].as_f64(), Some(4.0), "the sandbox's resources: {snap}");
    // The source goes on where it was, what it ran still running.
    assert!(eventually(Duration::from_secs(10), || async { s.state(&id).await.as_deref() == Some("started") }).await);
    assert_eq!(s.exec(&id, "pgrep -c -f 'sleep 3456'").await, (0, "1\n".into()));

    // A sandbox from it has the files, owned as they were, and nothing it ran.
    let made = s.create(json!({ "snapshot": "mine" })).await;
    assert_eq!((made["snapshot"].as_str(), made["disk"].as_i64()), (Some("mine"), Some(4)), "{made}");
    let m = id_of(&made);
    let (code, out) = s.exec(&m, "cat kept.txt d/f; stat -c %U kept.txt d/f; pgrep -c -f 'sleep 3456'").await;
    assert_eq!((code, out.as_str()), (1, "mine\nkept\ndaytona\ndaytona\n0\n"));
    // Each has its own files since.
    assert_eq!(s.exec(&m, "echo changed > kept.txt").await.0, 0);
    assert_eq!(s.exec(&id, "cat kept.txt").await.1, "mine\n");
    // A stopped sandbox is kept as it is; the snapshot outlives its source.
    assert_eq!(s.post_empty(&format!("/sandbox/{m}/stop")).await.0, StatusCode::OK);
    let (status, sb) = s.post(&format!("/sandbox/{m}/snapshot"), json!({ "name": "second" })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(kept(&s, "second").await["state"], "active");
    assert!(eventually(Duration::from_secs(10), || async { s.state(&m).await.as_deref() == Some("stopped") }).await);
    assert_eq!(s.delete(&format!("/sandbox/{id}")).await.0, StatusCode::OK);
    let again = id_of(&s.create(json!({ "snapshot": "second", "disk": 5 })).await);
    assert_eq!(s.exec(&again, "cat kept.txt").await, (0, "changed\n".into()));
    assert_eq!(
        s.exec(&again, "df --output=size -B1G . | tail -1 | tr -d ' '")
            .await
            .1
            .trim()
            .parse::<i64>()
            .ok()
            .map(|g| g >= 5),
        Some(true),
        "the disk grown to the size asked"
    );

    // Refused: a name taken, a bad name, memory, a smaller disk, a sandbox in another state.
    let (status, _) = s.post(&format!("/sandbox/{again}/snapshot"), json!({ "name": "mine" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = s.post(&format!("/sandbox/{again}/snapshot"), json!({ "name": "bad name!" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) =
        s.post(&format!("/sandbox/{again}/snapshot"), json!({ "name": "mem", "includeMemory": true })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("includeMemory"), "{body}");
    let (status, body) = s.post("/sandbox", json!({ "snapshot": "mine", "disk": 2 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(s.post_empty(&format!("/sandbox/{again}/pause")).await.0, StatusCode::OK);
    assert!(eventually(Duration::from_secs(10), || async { s.state(&again).await.as_deref() == Some("paused") }).await);
    let (status, _) = s.post(&format!("/sandbox/{again}/snapshot"), json!({ "name": "paused" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s.post("/sandbox/no-such-sandbox/snapshot", json!({ "name": "x" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleted once no sandbox runs on it; the files it held go with it.
    let dir = s.data_dir().join("images").join(snap["id"].as_str().unwrap());
    assert!(dir.is_dir());
    assert_eq!(s.delete("/snapshots/mine").await.0, StatusCode::CONFLICT, "a sandbox runs on it");
    assert_eq!(s.delete(&format!("/sandbox/{m}")).await.0, StatusCode::OK);
    assert!(
        eventually(Duration::from_secs(20), || async { s.delete("/snapshots/mine").await.0 == StatusCode::OK }).await
    );
    assert!(eventually(Duration::from_secs(10), || async { !dir.exists() }).await, "its files are gone");
}
