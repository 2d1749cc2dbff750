//! "Build a snapshot": from a Dockerfile and the files it copies, or from an image composed in a
//! form (base image, Python packages, environment, working directory, files, commands) with
//! the Dockerfile it makes shown as it is typed. Either way the SDK's `Image` uploads the files
//! from the browser and the build's log streams in as it comes.

use daytona_wasm::{Image, PipOptions, RunCommand};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::build_log::{BuildLog, BuildLogView};
use crate::components::error_alert::Alert;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::files::picked::{Picked, PickedFile};
use crate::files::upload::{DropTarget, PickButtons};

/// What a new build starts from: an image of the test registry's kind is the user's to name.
const DOCKERFILE_EXAMPLE: &str = "FROM python:3.12-slim\nCOPY app.py /app/app.py\nWORKDIR /app\n";

/// Where the form's files go when no working directory is named.
const DEFAULT_COPY_TO: &str = "/app";

/// How the image is described.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A Dockerfile as written, with the files its `COPY` lines name.
    Dockerfile,
    /// The form's fields, made into a Dockerfile by the SDK's `Image` builder.
    Form,
}

/// The image form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
struct ImageFields {
    /// `FROM`.
    base: String,
    /// Python packages, separated by spaces or commas.
    packages: String,
    /// `NAME=value` per line.
    env: String,
    /// `WORKDIR` (and where the files go).
    workdir: String,
    /// Shell commands, one per line (`RUN`), after the files are copied.
    commands: String,
}

impl ImageFields {
    /// The image the fields describe: base, packages, environment, working directory, then
    /// `copy` (the picked files), then the commands; or what is wrong with a field.
    fn compose(&self, copy: impl FnOnce(Image, &str) -> Image) -> Result<Image, String> {
        let base = self.base.trim();
        if base.is_empty() {
            return Err("Name the base image, e.g. python:3.12-slim.".into());
        }
        let mut image = Image::base(base);
        let packages: Vec<&str> =
            self.packages.split(|c: char| c.is_whitespace() || c == ',').filter(|p| !p.is_empty()).collect();
        if !packages.is_empty() {
            image = image.pip_install(&packages, &PipOptions::default());
        }
        let mut vars = Vec::new();
        for line in self.env.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once('=') else {
                return Err(format!("Write each variable as NAME=value (not {line:?})."));
            };
            crate::validate::env_name(name.trim()).map_err(|e| format!("{}: {e}", name.trim()))?;
            vars.push((name.trim(), value.trim()));
        }
        if !vars.is_empty() {
            image = image.env(&vars);
        }
        let workdir = self.workdir.trim();
        if !workdir.is_empty() {
            if !workdir.starts_with('/') {
                return Err("The working directory is an absolute path, e.g. /app.".into());
            }
            image = image.workdir(workdir);
        }
        image = copy(image, if workdir.is_empty() { DEFAULT_COPY_TO } else { workdir });
        let commands: Vec<RunCommand> = self
            .commands
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| RunCommand::Shell(l.to_owned()))
            .collect();
        if !commands.is_empty() {
            image = image.run_commands(&commands);
        }
        Ok(image)
    }
}

/// `image` with `files` copied into `to` (one `COPY` of them all, their relative paths kept).
fn with_files(image: Image, files: &[PickedFile], to: &str) -> Image {
    if files.is_empty() {
        return image;
    }
    let blobs = files.iter().map(|f| (f.relative.clone(), f.file.clone().into())).collect();
    image.add_local_dir("files", blobs, to)
}

/// The build form; `on_done` when a build ends.
#[component]
pub fn BuildForm(on_done: Callback<()>) -> impl IntoView {
    let conn = use_connection();
    let source = RwSignal::new(Source::Dockerfile);
    let name = RwSignal::new(String::new());
    let dockerfile = RwSignal::new(DOCKERFILE_EXAMPLE.to_owned());
    let base = RwSignal::new("python:3.12-slim".to_owned());
    let packages = RwSignal::new(String::new());
    let env = RwSignal::new(String::new());
    let workdir = RwSignal::new(String::new());
    let commands = RwSignal::new(String::new());
    let fields = move || ImageFields {
        base: base.get(),
        packages: packages.get(),
        env: env.get(),
        workdir: workdir.get(),
        commands: commands.get(),
    };
    let files = RwSignal::new_local(Vec::<PickedFile>::new());
    let log = BuildLog::new();
    let building = RwSignal::new(false);
    let uploaded = RwSignal::new(None::<(u64, Option<u64>)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // Files picked or dropped join those before (one of the same path replaced), sorted by path.
    let take = move |picked: Vec<PickedFile>| {
        files.update(|all| {
            all.retain(|old| !picked.iter().any(|new| new.relative == old.relative));
            all.extend(picked);
            all.sort_by(|a, b| a.relative.cmp(&b.relative));
        });
    };
    let clear = move |_| files.set(Vec::new());
    // Files and folders dragged in (a folder's tree kept).
    let dropped = move |dropped: Result<Picked, String>| match dropped {
        Ok(picked) => take(picked.files),
        Err(e) => outcome.set(Some(Err(e))),
    };
    // The image as the form now describes it (the files included).
    let image = move || -> Result<Image, String> {
        match source.get() {
            Source::Dockerfile => {
                let text = dockerfile.get();
                if text.trim().is_empty() {
                    return Err("Write the Dockerfile.".into());
                }
                let image = files.with(|f| {
                    f.iter().fold(Image::from_dockerfile(&text), |image, p| {
                        image.add_context_file(&p.relative, p.file.clone().into())
                    })
                });
                Ok(image)
            }
            Source::Form => {
                // The preview follows the files even while a field is wrong.
                files.track();
                fields().compose(|image, to| files.with(|picked| with_files(image, picked, to)))
            }
        }
    };
    let build = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = name.get_untracked().trim().to_owned();
        if wanted.is_empty() {
            return outcome.set(Some(Err("Name the snapshot.".into())));
        }
        let image = match untrack(image) {
            Ok(image) => image,
            Err(e) => return outcome.set(Some(Err(e))),
        };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return outcome.set(Some(Err(describe(&e)))),
        };
        log.clear();
        uploaded.set(None);
        outcome.set(None);
        building.set(true);
        let on_progress: daytona_wasm::ProgressFn =
            std::rc::Rc::new(move |p: daytona_wasm::TransferProgress| uploaded.set(Some((p.loaded, p.total))));
        let opts = daytona_wasm::ImageBuildOptions {
            on_logs: Some(log.sink()),
            upload: daytona_wasm::TransferOptions { on_progress: Some(on_progress), ..Default::default() },
            timeout: None,
        };
        spawn_local(async move {
            let done = daytona.snapshot().create_from_image(&wanted, &image, opts).await;
            log.end(done.is_ok());
            outcome.set(Some(
                done.map(|s| format!("Snapshot {} is built.", s.name))
                    .map_err(|e| log.reason_without_log(&describe(&e))),
            ));
            building.set(false);
            on_done.run(());
        });
    };
    let upload_text = move || {
        uploaded.get().map(|(loaded, total)| match total {
            Some(t) if t > 0 => format!("Uploading the files: {}%", loaded * 100 / t),
            _ => format!("Uploading the files: {loaded} bytes"),
        })
    };
    let field = |label: &'static str, key: &'static str, placeholder: &'static str, value: RwSignal<String>| {
        view! {
            <label>
                {label}
                <input type="text" name=key placeholder=placeholder autocomplete="off" bind:value=value/>
            </label>
        }
    };
    let area = |label: &'static str, key: &'static str, placeholder: &'static str, value: RwSignal<String>| {
        view! {
            <label>
                {label}
                <textarea name=key class="mono" rows="3" spellcheck="false" placeholder=placeholder bind:value=value></textarea>
            </label>
        }
    };
    let choice = move |label: &'static str, value: Source| {
        view! {
            <label class="build-source">
                <input type="radio" name="buildSource" checked=move || source.get() == value
                    on:change=move |_| source.set(value)/>
                {label}
            </label>
        }
    };
    view! {
        <details class="build-new">
            <summary>"Build a snapshot…"</summary>
            <form class="build-form" on:submit=build novalidate aria-label="Build a snapshot">
                <fieldset class="build-sources">
                    <legend>"From"</legend>
                    {choice("a Dockerfile", Source::Dockerfile)}
                    {choice("an image form", Source::Form)}
                </fieldset>
                <label>
                    "Name"
                    <input type="text" name="buildName" placeholder="e.g. my-app" autocomplete="off" bind:value=name/>
                </label>
                <Show
                    when=move || source.get() == Source::Form
                    fallback=move || view! {
                        <label>
                            "Dockerfile"
                            <textarea name="dockerfile" class="mono" rows="7" spellcheck="false" bind:value=dockerfile></textarea>
                        </label>
                    }
                >
                    {field("Base image", "base", "e.g. python:3.12-slim", base)}
                    {field("Python packages", "packages", "e.g. requests numpy==2.1", packages)}
                    {area("Environment", "env", "NAME=value, one per line", env)}
                    {field("Working directory", "workdir", "e.g. /app (the files go there)", workdir)}
                    {area("Commands", "commands", "run after the files are copied, one per line", commands)}
                </Show>
                <DropTarget class="build-files" hint="Drop to send with the image" on_drop=dropped>
                    <PickButtons
                        on_pick=move |picked: Picked| take(picked.files)
                        labels=("Files for the image", "Folder for the image")
                        texts=("Choose files…", "Choose a folder…")
                    />
                    <Show when=move || files.with(|f| !f.is_empty())>
                        <button type="button" class="btn" on:click=clear>"Clear"</button>
                    </Show>
                    <span class="muted">
                        {move || files.with(|f| match (f.len(), source.get()) {
                            (0, Source::Dockerfile) => "No files picked: pick or drop here those its COPY lines name.".to_owned(),
                            (0, Source::Form) => "No files picked: those picked or dropped here (folders too) are copied to the working directory.".to_owned(),
                            _ => format!("Sent with it: {}", f.iter().map(|p| p.relative.as_str()).collect::<Vec<_>>().join(", ")),
                        })}
                    </span>
                </DropTarget>
                <Show when=move || source.get() == Source::Form>
                    <div class="build-preview">
                        <span class="muted">"The Dockerfile it makes"</span>
                        {move || match image() {
                            Ok(image) => view! {
                                <pre class="mono" aria-label="Dockerfile preview">{image.dockerfile().to_owned()}</pre>
                            }.into_any(),
                            Err(e) => view! { <p class="field-error">{e}</p> }.into_any(),
                        }}
                    </div>
                </Show>
                <button type="submit" class="btn btn-primary" disabled=move || building.get()>
                    {move || building.get().then(|| view! { <Spinner/> })}
                    "Build"
                </button>
            </form>
            {move || upload_text().map(|t| view! { <p class="muted build-upload">{t}</p> })}
            {move || outcome.get().map(|o| match o {
                Ok(text) => view! { <p class="build-done" role="status">{text}</p> }.into_any(),
                Err(e) => view! { <Alert message=e/> }.into_any(),
            })}
            <BuildLogView log/>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(base: &str, packages: &str, env: &str, workdir: &str, commands: &str) -> ImageFields {
        let s = |v: &str| v.to_owned();
        ImageFields { base: s(base), packages: s(packages), env: s(env), workdir: s(workdir), commands: s(commands) }
    }

    #[test]
    fn the_form_makes_the_sdks_dockerfile_in_its_order() {
        let mut copied_to = None;
        let image =
            fields("python:3.12-slim", "requests, numpy==2.1", "A=1\n\n B = two words ", "/srv", "make\n ls -la ")
                .compose(|image, to| {
                    copied_to = Some(to.to_owned());
                    image
                })
                .unwrap();
        assert_eq!(copied_to.as_deref(), Some("/srv"));
        let expected = Image::base("python:3.12-slim")
            .pip_install(&["requests", "numpy==2.1"], &PipOptions::default())
            .env(&[("A", "1"), ("B", "two words")])
            .workdir("/srv")
            .run_commands(&[RunCommand::Shell("make".into()), RunCommand::Shell("ls -la".into())]);
        assert_eq!(image.dockerfile(), expected.dockerfile());
    }

    #[test]
    fn a_bare_base_is_enough_and_files_go_to_app() {
        let mut copied_to = None;
        let image = fields("busybox", "", "", "", "")
            .compose(|image, to| {
                copied_to = Some(to.to_owned());
                image
            })
            .unwrap();
        assert_eq!(image.dockerfile(), Image::base("busybox").dockerfile());
        assert_eq!(copied_to.as_deref(), Some(DEFAULT_COPY_TO));
    }

    #[test]
    fn bad_fields_are_named() {
        let err = |f: ImageFields| f.compose(|i, _| i).err().unwrap();
        assert!(err(fields(" ", "", "", "", "")).contains("base image"));
        assert!(err(fields("busybox", "", "NOEQUALS", "", "")).contains("NAME=value"));
        assert!(err(fields("busybox", "", "1BAD=x", "", "")).contains("letters, digits"));
        assert!(err(fields("busybox", "", "", "relative/dir", "")).contains("absolute path"));
    }
}
