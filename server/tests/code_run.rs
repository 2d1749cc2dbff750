//! Toolbox `POST /process/code-run`: Python (with matplotlib charts), JavaScript and
//! TypeScript; argv, envs, exit codes, timeouts and bad requests.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// Base64 of the PNG signature.
const PNG_BASE64_PREFIX: &str = "iVBORw0KGgo";

async fn sandbox() -> (Server, String) {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    (s, id)
}

async fn code_run(s: &Server, id: &str, body: Value) -> (StatusCode, Value) {
    let req = s.http.post(s.toolbox(id, "/process/code-run")).bearer_auth(&s.key).timeout(Duration::from_secs(60));
    send(req.json(&body)).await
}

/// Runs code; asserts 200 and returns (exitCode, result, charts).
async fn run(s: &Server, id: &str, body: Value) -> (i64, String, Vec<Value>) {
    let (status, resp) = code_run(s, id, body).await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    let charts = match resp.get("artifacts") {
        Some(a) => a["charts"].as_array().expect("artifacts.charts is an array").clone(),
        None => Vec::new(),
    };
    (resp["exitCode"].as_i64().expect("integer exitCode"), resp["result"].as_str().unwrap().to_owned(), charts)
}

#[tokio::test]
async fn python_output_argv_envs_and_exit_codes() {
    let (s, id) = sandbox().await;
    let code = "import os, sys\nprint('args', sys.argv[1:])\nprint(os.environ['WHO'], os.getcwd())\nprint('to stderr', file=sys.stderr)\nsys.exit(int(sys.argv[1]))\n";
    let (status, resp) = code_run(
        &s,
        &id,
        json!({"code": code, "language": "python", "argv": ["3", "two words", "it's"], "envs": {"WHO": "me"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    assert_eq!(
        resp,
        json!({"exitCode": 3, "result": "args ['3', 'two words', \"it's\"]\nme /home/daytona\nto stderr\n"}),
        "no artifacts without charts"
    );

    // Modules next to the working directory are importable, as with `python3 -c`.
    assert_eq!(s.exec(&id, "echo 'VALUE = 42' > mymod.py").await.0, 0);
    let (code, out, _) = run(&s, &id, json!({"code": "import mymod\nprint(mymod.VALUE)", "language": "python"})).await;
    assert_eq!((code, out.as_str()), (0, "42\n"));

    // An exception: exit code 1 and the user's traceback only.
    let (code, out, _) =
        run(&s, &id, json!({"code": "def f():\n    raise ValueError('boom')\nf()\n", "language": "python"})).await;
    assert_eq!(code, 1);
    assert!(out.starts_with("Traceback") && out.ends_with("ValueError: boom\n"), "{out}");
    assert!(out.contains("line 3") && !out.contains("wrapper.py"), "{out}");
    let (code, out, _) = run(&s, &id, json!({"code": "x = (", "language": "python"})).await;
    assert_eq!(code, 1);
    assert!(out.contains("SyntaxError"), "{out}");
    // A run has files of its own while it runs (the control), and they are gone afterwards.
    let (code, during, _) = run(
        &s,
        &id,
        json!({"code": "import glob; print(len(glob.glob('/tmp/.daytona-agent-*/run-*')))", "language": "python"}),
    )
    .await;
    assert_eq!((code, during.as_str()), (0, "1\n"), "the run's own directory, seen from inside it");
    let (_, left) = s.exec(&id, "ls -a /tmp/.daytona-agent-*/ 2>/dev/null | grep run- || true").await;
    assert_eq!(left, "");
}

#[tokio::test]
async fn python_matplotlib_figures_become_typed_charts() {
    let (s, id) = sandbox().await;
    let code = r#"
import matplotlib.pyplot as plt
import numpy as np

print("start")
x = np.linspace(0, 4, 5)
plt.figure()
plt.plot(x, x * 2, label="double")
plt.plot(x, x ** 2, label="square")
plt.title("Lines")
plt.xlabel("x")
plt.ylabel("y")
plt.show()

fig, ax = plt.subplots()
ax.scatter([1, 2, 3], [4, 5, 6], label="dots")
ax.set_title("Scatter")
plt.show()

fig, ax = plt.subplots()
ax.bar(["a", "b", "c"], [3, 1.5, 2], label="counts")
ax.set_title("Bars")
ax.set_xlabel("letter")
ax.set_ylabel("amount")
plt.show()

fig, ax = plt.subplots()
ax.pie([1, 1, 2], labels=["p", "q", "r"])
ax.set_title("Pie")
plt.show()

fig, ax = plt.subplots()
ax.boxplot([[1, 2, 3, 4, 5, 30], [2, 3, 4]], labels=["A", "B"])
ax.set_title("Boxes")
plt.show()

fig, (left, right) = plt.subplots(1, 2)
left.plot([0, 1], [1, 0])
left.set_title("left")
right.bar(["u", "v"], [1, 2])
right.set_title("right")
fig.suptitle("Both")
print("end")
"#;
    let (code, out, charts) = run(&s, &id, json!({"code": code, "language": "python"})).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "start\nend\n", "artifact lines are stripped from the result");
    let kinds: Vec<_> = charts.iter().map(|c| c["type"].as_str().unwrap()).collect();
    // The last figure was never shown: it is reported at exit.
    assert_eq!(kinds, ["line", "scatter", "bar", "pie", "box_and_whisker", "composite_chart"]);
    let titles: Vec<_> = charts.iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Lines", "Scatter", "Bars", "Pie", "Boxes", "Both"]);
    for chart in &charts {
        assert!(chart["png"].as_str().unwrap().starts_with(PNG_BASE64_PREFIX), "png of {}", chart["title"]);
    }

    let line = &charts[0];
    assert_eq!(
        (line["x_label"].as_str(), line["y_label"].as_str(), line["x_scale"].as_str()),
        (Some("x"), Some("y"), Some("linear"))
    );
    assert!(line["x_ticks"].as_array().unwrap().iter().all(Value::is_f64), "{}", line["x_ticks"]);
    assert!(line["x_tick_labels"].as_array().unwrap().iter().all(Value::is_string));
    assert_eq!(
        line["elements"],
        json!([
            {"label": "double", "points": [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]]},
            {"label": "square", "points": [[0.0, 0.0], [1.0, 1.0], [2.0, 4.0], [3.0, 9.0], [4.0, 16.0]]},
        ])
    );
    assert_eq!(charts[1]["elements"], json!([{"label": "dots", "points": [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]}]));

    let bar = &charts[2];
    assert_eq!(
        (bar["x_label"].as_str(), bar["y_label"].as_str(), bar["x_scale"].as_str()),
        (Some("letter"), Some("amount"), Some("categorical"))
    );
    // Bar values are strings on the wire.
    assert_eq!(
        bar["elements"],
        json!([
            {"label": "a", "group": "counts", "value": "3"},
            {"label": "b", "group": "counts", "value": "1.5"},
            {"label": "c", "group": "counts", "value": "2"},
        ])
    );

    let pie = charts[3]["elements"].as_array().unwrap();
    let wedges: Vec<_> =
        pie.iter().map(|w| (w["label"].as_str().unwrap(), w["angle"].as_f64().unwrap().round())).collect();
    assert_eq!(wedges, [("p", 90.0), ("q", 90.0), ("r", 180.0)]);
    assert!(pie.iter().all(|w| w["radius"] == 1.0));

    let boxes = &charts[4]["elements"];
    assert_eq!(boxes[0]["label"], "A");
    assert_eq!(
        [
            &boxes[0]["min"],
            &boxes[0]["first_quartile"],
            &boxes[0]["median"],
            &boxes[0]["third_quartile"],
            &boxes[0]["max"]
        ],
        [&json!(1.0), &json!(2.25), &json!(3.5), &json!(4.75), &json!(5.0)]
    );
    assert_eq!(boxes[0]["outliers"], json!([30.0]));
    assert_eq!((boxes[1]["label"].as_str(), &boxes[1]["outliers"]), (Some("B"), &json!([])));

    // Composite: the subplots are the elements, each a chart of its own.
    let parts = charts[5]["elements"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!((parts[0]["type"].as_str(), parts[0]["title"].as_str()), (Some("line"), Some("left")));
    assert_eq!(parts[0]["elements"][0]["points"], json!([[0.0, 1.0], [1.0, 0.0]]));
    assert_eq!((parts[1]["type"].as_str(), parts[1]["title"].as_str()), (Some("bar"), Some("right")));
    assert_eq!(parts[1]["elements"][1], json!({"label": "v", "group": "_container0", "value": "2"}));
}

#[tokio::test]
async fn javascript_and_typescript() {
    let (s, id) = sandbox().await;
    // `require` resolves from the working directory, as `node -e` code does.
    let setup = "mkdir -p node_modules/answer && echo 'module.exports = 42' > node_modules/answer/index.js";
    assert_eq!(s.exec(&id, setup).await.0, 0);
    let js = "const a = require('answer');\nconsole.log(a, process.argv.slice(2).join('|'), process.env.MODE);\nconsole.error('warned');\nprocess.exit(2);\n";
    let (code, out, charts) =
        run(&s, &id, json!({"code": js, "language": "javascript", "argv": ["x", "y z"], "envs": {"MODE": "test"}}))
            .await;
    assert_eq!((code, out.as_str()), (2, "42 x|y z test\nwarned\n"));
    assert!(charts.is_empty());
    let (code, out, _) = run(&s, &id, json!({"code": "throw new Error('js boom')", "language": "javascript"})).await;
    assert_eq!(code, 1);
    assert!(out.contains("Error: js boom"), "{out}");

    let ts = "interface P { n: number }\nimport * as path from 'path';\nconst p: P = { n: 6 * 7 };\nconst greet = (who: string): string => `hi ${who}`;\nconsole.log(p.n, greet(process.argv[2]), path.basename('/a/b.txt'));\n";
    let (code, out, _) = run(&s, &id, json!({"code": ts, "language": "typescript", "argv": ["ts"]})).await;
    assert_eq!((code, out.as_str()), (0, "42 hi ts b.txt\n"));
    let (code, out, _) = run(&s, &id, json!({"code": "const x: number = ;", "language": "typescript"})).await;
    assert_eq!(code, 1);
    assert!(out.contains("error TS"), "{out}");
}

#[tokio::test]
async fn timeout_gives_408_and_kills_the_program() {
    let (s, id) = sandbox().await;
    let t0 = Instant::now();
    let (status, body) =
        code_run(&s, &id, json!({"code": "import time\nprint('started', flush=True)\ntime.sleep(33.125)", "language": "python", "timeout": 1}))
            .await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["source"].as_str()),
        (Some("PROCESS_EXECUTION_TIMEOUT"), Some("DAYTONA_DAEMON"))
    );
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    let gone =
        eventually(Duration::from_secs(3), || async { !s.exec(&id, "ps -eo args").await.1.contains("wrapper.py") })
            .await;
    assert!(gone, "the timed-out program is still running");

    let (status, body) =
        code_run(&s, &id, json!({"code": "while (true) {}", "language": "javascript", "timeout": 1})).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
    let (code, out, _) = run(&s, &id, json!({"code": "print('in time')", "language": "python", "timeout": 10})).await;
    assert_eq!((code, out.as_str()), (0, "in time\n"));
}

#[tokio::test]
async fn bad_requests_are_400() {
    let (s, id) = sandbox().await;
    for body in [
        json!({"code": "print(1)", "language": "ruby"}),
        json!({"code": "print(1)"}),
        json!({"language": "python"}),
        json!({"code": "print(1)", "language": "python", "envs": {"1BAD": "x"}}),
        json!({"code": "print(1)", "language": "python", "envs": {"A-B": "x"}}),
        json!({"code": "print(1)", "language": "python", "argv": "not-a-list"}),
        json!(["code", "language"]),
    ] {
        let (status, resp) = code_run(&s, &id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {resp}");
        assert_eq!(
            (resp["code"].as_str(), resp["source"].as_str()),
            (Some("BAD_REQUEST"), Some("DAYTONA_DAEMON")),
            "{resp}"
        );
    }
}
