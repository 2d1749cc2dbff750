//! The models' `Dockerfile` builder against the official Python SDK's `Image`: for every chain
//! of builder calls in tests/support/image-chains.json, the text is the same byte for byte (the
//! official SDK, from the project's venv, writes the reference: tests/support/image_dockerfile.py).

use std::path::PathBuf;
use std::process::Command;

use daytona_models::{archive_base_path, Dockerfile, PipOptions, RunCommand};
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn pip_options(v: &Value) -> PipOptions {
    PipOptions {
        find_links: strings(&v["find_links"]),
        index_url: v["index_url"].as_str().map(str::to_owned),
        extra_index_urls: strings(&v["extra_index_urls"]),
        pre: v["pre"].as_bool().unwrap_or(false),
        extra_options: v["extra_options"].as_str().unwrap_or_default().to_owned(),
    }
}

fn apply(chain: &[Value]) -> String {
    let mut image = Dockerfile::default();
    for step in chain {
        let op = step[0].as_str().unwrap();
        let (a, b) = (&step[1], &step[2]);
        match op {
            "base" => image = Dockerfile::base(a.as_str().unwrap()),
            "debian_slim" => image = Dockerfile::debian_slim(a.as_str()).unwrap(),
            "from_dockerfile_text" => image = Dockerfile::from_text(a.as_str().unwrap()),
            "pip_install" => {
                let packages = strings(a);
                image.pip_install(&packages.iter().map(String::as_str).collect::<Vec<_>>(), &pip_options(b));
            }
            "pip_install_from_requirements" => {
                image.pip_install_from_requirements(&archive_base_path(a.as_str().unwrap()), &pip_options(b));
            }
            "pip_install_from_pyproject" => {
                let optional = strings(b);
                let optional: Vec<&str> = optional.iter().map(String::as_str).collect();
                image.pip_install_from_pyproject(a.as_str().unwrap(), &optional, &pip_options(&step[3])).unwrap();
            }
            "add_local_file" | "add_local_dir" => {
                image.copy(&archive_base_path(a.as_str().unwrap()), b.as_str().unwrap(), op == "add_local_file");
            }
            "run_commands" => {
                let commands: Vec<RunCommand> = a
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| match c.as_str() {
                        Some(line) => RunCommand::Shell(line.to_owned()),
                        None => RunCommand::Args(strings(c)),
                    })
                    .collect();
                image.run_commands(&commands);
            }
            "env" => {
                let pairs: Vec<(String, String)> = a
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                    .collect();
                image.env(&pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>());
            }
            "workdir" => {
                image.workdir(a.as_str().unwrap());
            }
            "entrypoint" | "cmd" | "dockerfile_commands" => {
                let args = strings(a);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                match op {
                    "entrypoint" => image.entrypoint(&args),
                    "cmd" => image.cmd(&args),
                    _ => image.dockerfile_commands(&args),
                };
            }
            other => panic!("unknown op {other}"),
        }
    }
    image.as_str().to_owned()
}

#[test]
fn dockerfiles_equal_the_official_python_sdks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let chains_file = root.join("tests/support/image-chains.json");
    let python = root.join(".venv/bin/python");
    assert!(python.exists(), "the official SDK's venv is missing: run scripts/setup.sh --python");
    let out = Command::new(&python)
        .arg(root.join("tests/support/image_dockerfile.py"))
        .arg(&chains_file)
        .output()
        .expect("running the official SDK");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected: Vec<String> = serde_json::from_slice(&out.stdout).expect("the reference's JSON");
    let chains: Vec<Vec<Value>> = serde_json::from_slice(&std::fs::read(&chains_file).unwrap()).unwrap();
    assert_eq!(expected.len(), chains.len());
    assert!(chains.len() >= 10, "a table worth the name");
    for (chain, want) in chains.iter().zip(&expected) {
        assert_eq!(&apply(chain), want, "chain {chain:?}");
    }
}

#[test]
fn a_pyproject_without_what_it_needs_is_refused_in_the_official_sdks_words() {
    let refused = |text: &str, optional: &[&str]| {
        Dockerfile::base("python:3.12")
            .pip_install_from_pyproject(text, optional, &PipOptions::default())
            .err()
            .unwrap()
    };
    assert!(refused("[tool.x]\na = 1\n", &[]).starts_with("No [project] section in pyproject.toml file."));
    assert!(refused("[project]\nname = 'x'\n", &[]).starts_with("No [project.dependencies] section"));
    assert!(refused("[project\n", &[]).starts_with("Invalid pyproject.toml file"));
    assert_eq!(
        refused("[project]\ndependencies = []\noptional-dependencies = 3\n", &["dev"]),
        "optional-dependencies must be a mapping in pyproject.toml"
    );
    assert_eq!(refused("[project]\ndependencies = [1]\n", &[]), "dependencies in pyproject.toml must be strings");
    let group = "[project]\ndependencies = []\n[project.optional-dependencies]\ndev = 'pytest'\n";
    assert_eq!(refused(group, &["dev"]), "optional-dependencies.dev must be an array");
    // Nothing to install: nothing written (as pip_install of no packages).
    let mut empty = Dockerfile::base("python:3.12");
    empty.pip_install_from_pyproject("[project]\ndependencies = []\n", &[], &PipOptions::default()).unwrap();
    assert_eq!(empty.as_str(), Dockerfile::base("python:3.12").as_str());
}
