//! The live notebook: cells as signals, the run queue, the interpreter context, and saving
//! to and opening from `.ipynb` files in the sandbox.

use std::collections::VecDeque;

use daytona_wasm::{DaytonaError, Execution, Output as SdkOutput, RunCodeOptions};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ipynb::{from_ipynb, to_ipynb, CellData, CellKind, Output};
use crate::current_sandbox::CurrentSandbox;
use crate::errors::describe;
use crate::files::text::{blob_text, write_text};

/// Where a code cell is in its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not running.
    Idle,
    /// Waiting for the cells before it.
    Queued,
    /// Running now.
    Running,
}

/// An `input()` the running code waits on.
#[derive(Clone)]
pub struct InputRequest {
    /// Its prompt.
    pub prompt: String,
    /// A password prompt (not echoed).
    pub password: bool,
    /// Where the answer goes.
    pub execution: Execution,
}

/// One cell. Copy it freely: everything in it is a signal or a handle.
#[derive(Clone, Copy)]
pub struct Cell {
    /// Stable key for the list.
    pub key: u32,
    /// nbformat id.
    pub id: StoredValue<String>,
    /// Code or Markdown.
    pub kind: RwSignal<CellKind>,
    /// Its source.
    pub source: RwSignal<String>,
    /// Its outputs.
    pub outputs: RwSignal<Vec<Output>>,
    /// The `input()` the code waits on.
    pub input: RwSignal<Option<InputRequest>, LocalStorage>,
    /// Files its last run wrote (absolute paths; not saved in the notebook).
    pub written: RwSignal<Vec<String>>,
    /// Its execution count.
    pub count: RwSignal<Option<u64>>,
    /// Run state.
    pub status: RwSignal<Status>,
    /// How long its last run took (ms).
    pub elapsed: RwSignal<Option<f64>>,
    /// Markdown: shown as source rather than rendered.
    pub editing: RwSignal<bool>,
    /// Its editor.
    pub area: NodeRef<html::Textarea>,
    /// Its box (focused in command mode).
    pub root: NodeRef<html::Div>,
}

impl Cell {
    fn new(key: u32, data: CellData) -> Self {
        Self {
            key,
            id: StoredValue::new(data.id),
            kind: RwSignal::new(data.kind),
            editing: RwSignal::new(data.kind == CellKind::Markdown && data.source.is_empty()),
            source: RwSignal::new(data.source),
            outputs: RwSignal::new(data.outputs),
            input: RwSignal::new_local(None),
            written: RwSignal::new(Vec::new()),
            count: RwSignal::new(data.count),
            status: RwSignal::new(Status::Idle),
            elapsed: RwSignal::new(None),
            area: NodeRef::new(),
            root: NodeRef::new(),
        }
    }

    /// The cell as saved.
    pub fn data(&self) -> CellData {
        CellData {
            id: self.id.get_value(),
            kind: self.kind.get_untracked(),
            source: self.source.get_untracked(),
            count: self.count.get_untracked(),
            outputs: self.outputs.get_untracked(),
        }
    }
}

/// How long after the last change a notebook that has a file is saved.
const AUTOSAVE_AFTER_MS: u32 = 2_000;

/// A fresh nbformat cell id.
fn new_id() -> String {
    #[cfg(target_arch = "wasm32")]
    let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    // Native unit tests have no JS to draw from: numbered.
    #[cfg(not(target_arch = "wasm32"))]
    let n = {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
    format!("cell-{n:08x}")
}

/// The notebook of the tab. Copy it freely.
#[derive(Clone, Copy)]
pub struct Notebook {
    /// Its cells in order.
    pub cells: RwSignal<Vec<Cell>>,
    /// The selected cell.
    pub selected: RwSignal<Option<u32>>,
    next_key: StoredValue<u32>,
    /// Its interpreter context (created on the first run).
    pub context: RwSignal<Option<String>>,
    queue: StoredValue<VecDeque<u32>>,
    /// Whether cells are running.
    pub running: RwSignal<bool>,
    /// The `.ipynb` path in the sandbox.
    pub path: RwSignal<String>,
    /// Changed since it was last saved or opened.
    pub dirty: RwSignal<bool>,
    /// Saved or opened at least once (autosave is on).
    pub has_file: RwSignal<bool>,
    /// The last save/open failure.
    pub error: RwSignal<Option<String>>,
    /// The sandbox.
    pub current: CurrentSandbox,
    /// The tab's owner: cells made later (by keys, by opening a file) belong to it, not to
    /// whatever reactive scope made them, which may be cleaned up first.
    owner: StoredValue<Owner>,
    /// The sandbox its context lives in (the handle it was made with: deleting it later does
    /// not depend on which sandbox the page shows by then).
    context_sandbox: StoredValue<Option<daytona_wasm::Sandbox>, LocalStorage>,
    /// Closed: it runs nothing more, and a context made after the close is deleted at once.
    closed: StoredValue<bool>,
}

impl Notebook {
    /// A notebook with one empty code cell, for `path`.
    pub fn new(current: CurrentSandbox, path: String) -> Self {
        let nb = Self {
            cells: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            next_key: StoredValue::new(0),
            context: RwSignal::new(None),
            queue: StoredValue::new(VecDeque::new()),
            running: RwSignal::new(false),
            path: RwSignal::new(path),
            dirty: RwSignal::new(false),
            has_file: RwSignal::new(false),
            error: RwSignal::new(None),
            current,
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            context_sandbox: StoredValue::new_local(None),
            closed: StoredValue::new(false),
        };
        nb.replace(vec![CellData {
            id: new_id(),
            kind: CellKind::Code,
            source: String::new(),
            count: None,
            outputs: vec![],
        }]);
        nb.autosave();
        nb
    }

    /// Autosave: once the notebook has a file, a change is written two seconds after the
    /// last, whether or not the notebook is the one shown (a hidden one's run still ends in
    /// its file). Lives as long as the notebook's owner.
    fn autosave(self) {
        let generation = StoredValue::new(0u32);
        Effect::new(move |_| {
            if !(self.dirty.get() && self.has_file.get()) || self.running.get() || self.is_closed() {
                return;
            }
            self.cells.track();
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(AUTOSAVE_AFTER_MS).await;
                let current = generation.try_get_value() == Some(mine);
                if current && self.dirty.get_untracked() && !self.running.get_untracked() && !self.is_closed() {
                    self.save().await;
                }
            });
        });
    }

    fn make(&self, data: CellData) -> Cell {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.owner.with_value(|owner| owner.with(|| Cell::new(key, data)))
    }

    fn replace(&self, cells: Vec<CellData>) {
        let cells: Vec<Cell> = cells.into_iter().map(|d| self.make(d)).collect();
        self.selected.set(cells.first().map(|c| c.key));
        self.cells.set(cells);
    }

    /// The cell `key`.
    pub fn cell(&self, key: u32) -> Option<Cell> {
        self.cells.with_untracked(|cells| cells.iter().find(|c| c.key == key).copied())
    }

    fn position(&self, key: u32) -> Option<usize> {
        self.cells.with_untracked(|cells| cells.iter().position(|c| c.key == key))
    }

    /// Inserts an empty cell of `kind` at `index`; returns it (selected).
    pub fn insert(&self, index: usize, kind: CellKind) -> Cell {
        let cell = self.make(CellData { id: new_id(), kind, source: String::new(), count: None, outputs: vec![] });
        self.cells.update(|cells| cells.insert(index.min(cells.len()), cell));
        self.selected.set(Some(cell.key));
        self.dirty.set(true);
        cell
    }

    /// Inserts an empty code cell below `key` (or at the end).
    pub fn insert_below(&self, key: Option<u32>) -> Cell {
        let at = key.and_then(|k| self.position(k)).map_or(usize::MAX, |i| i + 1);
        self.insert(at, CellKind::Code)
    }

    /// Inserts an empty code cell above `key`.
    pub fn insert_above(&self, key: u32) -> Cell {
        let at = self.position(key).unwrap_or(0);
        self.insert(at, CellKind::Code)
    }

    /// A copy of `key` below it.
    pub fn duplicate(&self, key: u32) {
        let (Some(at), Some(cell)) = (self.position(key), self.cell(key)) else { return };
        let mut data = cell.data();
        data.id = new_id();
        let copy = self.make(data);
        self.cells.update(|cells| cells.insert(at + 1, copy));
        self.selected.set(Some(copy.key));
        self.dirty.set(true);
    }

    /// Removes `key` (a notebook keeps one cell at least).
    pub fn delete(&self, key: u32) {
        let Some(at) = self.position(key) else { return };
        self.cells.update(|cells| {
            cells.remove(at);
        });
        if self.cells.with_untracked(Vec::is_empty) {
            self.insert(0, CellKind::Code);
        }
        let next = self.cells.with_untracked(|c| c.get(at.min(c.len() - 1)).map(|c| c.key));
        self.selected.set(next);
        self.dirty.set(true);
    }

    /// Moves `key` up (`-1`) or down (`1`).
    pub fn shift(&self, key: u32, by: isize) {
        let Some(at) = self.position(key) else { return };
        let to = at as isize + by;
        if to < 0 || to as usize >= self.cells.with_untracked(Vec::len) {
            return;
        }
        self.cells.update(|cells| cells.swap(at, to as usize));
        self.dirty.set(true);
    }

    /// The cell after `key`, created if `key` is the last.
    pub fn next_of(&self, key: u32) -> Cell {
        let at = self.position(key).unwrap_or(0);
        match self.cells.with_untracked(|c| c.get(at + 1).copied()) {
            Some(next) => next,
            None => self.insert(at + 1, CellKind::Code),
        }
    }

    /// The cell `by` places from `key` (staying in bounds).
    pub fn neighbour(&self, key: u32, by: isize) -> Option<Cell> {
        let at = self.position(key)? as isize + by;
        self.cells.with_untracked(|c| (at >= 0).then(|| c.get(at as usize).copied()).flatten())
    }

    /// Every cell's outputs and counts cleared.
    pub fn clear_outputs(&self) {
        for cell in self.cells.get_untracked() {
            cell.outputs.set(Vec::new());
            cell.count.set(None);
            cell.elapsed.set(None);
        }
        self.dirty.set(true);
    }

    /// Queues cells to run in order (Markdown cells are rendered instead).
    pub fn run(&self, keys: Vec<u32>) {
        for key in keys {
            let Some(cell) = self.cell(key) else { continue };
            if cell.kind.get_untracked() == CellKind::Markdown {
                cell.editing.set(false);
                continue;
            }
            // A cell already waiting is not queued twice; a running one runs again after.
            match cell.status.get_untracked() {
                Status::Queued => continue,
                Status::Idle => cell.status.set(Status::Queued),
                Status::Running => {}
            }
            self.queue.update_value(|q| q.push_back(key));
        }
        if !self.running.get_untracked() {
            let nb = *self;
            self.running.set(true);
            spawn_local(async move { nb.drive().await });
        }
    }

    /// Every cell, or those above or below `key` (inclusive).
    pub fn keys(&self, from: Option<u32>, below: bool) -> Vec<u32> {
        let all: Vec<u32> = self.cells.with_untracked(|c| c.iter().map(|c| c.key).collect());
        let Some(at) = from.and_then(|k| all.iter().position(|&x| x == k)) else { return all };
        if below {
            all[at..].to_vec()
        } else {
            all[..=at].to_vec()
        }
    }

    /// Closes the notebook: queued cells are dropped, nothing runs any more, and its context
    /// (if it has one) is deleted. Its cells' sources and outputs (images, tables) are let go
    /// at once, not when the sandbox's pages go: only their few empty signals stay until then.
    pub fn close(&self) {
        if self.is_closed() {
            return;
        }
        self.closed.set_value(true);
        self.queue.try_update_value(VecDeque::clear);
        self.delete_context();
        for cell in self.cells.try_get_untracked().unwrap_or_default() {
            let _ = cell.outputs.try_set(Vec::new());
            let _ = cell.source.try_set(String::new());
            let _ = cell.written.try_set(Vec::new());
        }
        let _ = self.cells.try_set(Vec::new());
    }

    /// Whether it was closed (or its owner is gone).
    fn is_closed(&self) -> bool {
        self.closed.try_get_value() != Some(false)
    }

    /// Deletes the context, in the sandbox it was made in (a request that outlives the page:
    /// this also runs as the page goes). The next run makes a new one.
    pub fn delete_context(&self) {
        let context = self.context.try_get_untracked().flatten();
        let sandbox = self.context_sandbox.try_get_value().flatten();
        let _ = self.context.try_set(None);
        if let (Some(context), Some(sandbox)) = (context, sandbox) {
            spawn_local(async move {
                let _ = sandbox.code_interpreter().delete_context(&context).keepalive().await;
            });
        }
    }

    async fn drive(self) {
        while let Some(key) = self.queue.try_update_value(VecDeque::pop_front).flatten() {
            if self.is_closed() {
                break;
            }
            let Some(cell) = self.cell(key) else { continue };
            if !self.run_cell(cell).await {
                // As Jupyter: an error or an interrupt drops the cells queued after it.
                for key in self.queue.try_update_value(std::mem::take).unwrap_or_default() {
                    if let Some(c) = self.cell(key) {
                        c.status.set(Status::Idle);
                    }
                }
            }
        }
        self.running.set(false);
    }

    /// Runs one code cell; whether it finished without an error.
    async fn run_cell(self, cell: Cell) -> bool {
        cell.status.set(Status::Running);
        cell.outputs.set(Vec::new());
        cell.written.set(Vec::new());
        cell.count.set(None);
        self.dirty.set(true);
        let started = now();
        let source = cell.source.get_untracked();
        let mut outcome = self.execute(cell, &source).await;
        if matches!(&outcome, Err(e) if e.to_string().contains("context not found")) && !self.is_closed() {
            // The sandbox restarted since: its contexts are gone.
            self.context.set(None);
            outcome = self.execute(cell, &source).await;
        }
        cell.input.set(None);
        cell.elapsed.set(Some(now() - started));
        cell.status.set(Status::Idle);
        match outcome {
            Ok(result) => {
                if result.execution_count.is_some() {
                    cell.count.set(result.execution_count);
                }
                result.error.is_none()
            }
            Err(e) => {
                let value = describe(&e);
                cell.outputs
                    .update(|o| o.push(Output::Error { name: "Error".into(), value, traceback: String::new() }));
                false
            }
        }
    }

    async fn execute(self, cell: Cell, source: &str) -> Result<daytona_wasm::ExecutionResult, DaytonaError> {
        let sandbox = self.current.sandbox()?;
        let interpreter = sandbox.code_interpreter();
        let context = match self.context.get_untracked() {
            Some(id) => id,
            None => {
                let id = interpreter.create_context(None).await?.id;
                self.context_sandbox.set_value(Some(sandbox));
                self.context.set(Some(id.clone()));
                if self.is_closed() {
                    // Closed while the context was being made: it goes at once.
                    self.delete_context();
                    return Err(DaytonaError::Aborted("the notebook was closed".into()));
                }
                id
            }
        };
        let clear_on_next = std::cell::Cell::new(false);
        let options = RunCodeOptions { context: Some(context), rich_outputs: true, ..Default::default() };
        let push = |output: Output| {
            cell.outputs.update(|outputs| {
                if clear_on_next.replace(false) {
                    outputs.clear();
                }
                match output {
                    Output::Stream { stderr, text } => Output::push_stream(outputs, stderr, &text),
                    Output::Rich { result, data, display_id: Some(id) } if !result => {
                        // An update replaces what the display id showed; a new display is added.
                        let shown = outputs
                            .iter_mut()
                            .find(|o| matches!(o, Output::Rich { display_id: Some(existing), .. } if *existing == id));
                        match shown {
                            Some(Output::Rich { data: old, .. }) => *old = data,
                            _ => outputs.push(Output::Rich { result, data, display_id: Some(id) }),
                        }
                    }
                    other => outputs.push(other),
                }
            });
        };
        interpreter
            .run_code(source, options, |output, execution| match output {
                SdkOutput::Stdout(text) => push(Output::Stream { stderr: false, text: text.into() }),
                SdkOutput::Stderr(text) => push(Output::Stream { stderr: true, text: text.into() }),
                SdkOutput::Error(e) => {
                    push(Output::Error { name: e.name.clone(), value: e.value.clone(), traceback: e.traceback.clone() })
                }
                SdkOutput::Rich(r) => {
                    if r.kind == "result" {
                        cell.count.set(r.execution_count);
                    }
                    push(Output::Rich {
                        result: r.kind == "result",
                        data: r.data.clone(),
                        display_id: r.display_id.clone(),
                    });
                }
                SdkOutput::Files(paths) => cell.written.update(|w| w.extend(paths.iter().cloned())),
                SdkOutput::Clear { wait: true } => clear_on_next.set(true),
                SdkOutput::Clear { wait: false } => cell.outputs.set(Vec::new()),
                SdkOutput::Input { prompt, password } => {
                    cell.input.set(Some(InputRequest { prompt: prompt.into(), password, execution: execution.clone() }))
                }
            })
            .await
    }

    /// Interrupts the running cell (KeyboardInterrupt) and drops the queued ones.
    pub fn interrupt(&self) {
        let Some(context) = self.context.get_untracked() else { return };
        let Ok(sandbox) = self.current.sandbox() else { return };
        spawn_local(async move {
            let _ = sandbox.code_interpreter().interrupt_context(&context).await;
        });
    }

    /// A fresh process for the context: variables are gone.
    pub fn restart(&self) {
        let nb = *self;
        let Some(context) = self.context.get_untracked() else { return };
        let Ok(sandbox) = self.current.sandbox() else { return };
        spawn_local(async move {
            if let Err(e) = sandbox.code_interpreter().restart_context(&context).await {
                nb.error.set(Some(describe(&e)));
            }
        });
    }

    /// Writes the notebook to its path.
    pub async fn save(self) {
        let text = self.ipynb();
        let path = self.path.get_untracked();
        let outcome = async { write_text(&self.current.sandbox()?.fs(), &path, &text).await }.await;
        match outcome {
            Ok(()) => {
                // Saved unless it changed while the file was being written (that change is
                // still to save: autosave comes back for it).
                if self.cells.try_with_untracked(|_| self.ipynb()).is_some_and(|now| now == text) {
                    self.dirty.set(false);
                }
                self.has_file.set(true);
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(describe(&e))),
        }
    }

    /// The notebook as its file's text.
    fn ipynb(&self) -> String {
        to_ipynb(&self.cells.get_untracked().iter().map(Cell::data).collect::<Vec<_>>())
    }

    /// Replaces the cells with those of the notebook at its path.
    pub async fn open(self) {
        let path = self.path.get_untracked();
        let outcome = async {
            let blob = self.current.sandbox()?.fs().download_file(&path, &Default::default()).await?;
            from_ipynb(&blob_text(&blob).await?, new_id).map_err(DaytonaError::Decode)
        }
        .await;
        match outcome {
            Ok(cells) if !cells.is_empty() => {
                // Another notebook: a context of its own (the previous one is deleted).
                self.delete_context();
                self.replace(cells);
                self.dirty.set(false);
                self.has_file.set(true);
                self.error.set(None);
            }
            Ok(_) => self.error.set(Some(format!("{path} has no cells"))),
            Err(e) => self.error.set(Some(describe(&e))),
        }
    }
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_notebook_lets_its_cells_outputs_go() {
        let _ = any_spawner::Executor::init_futures_executor();
        let owner = Owner::new();
        owner.with(|| {
            let current = CurrentSandbox::provide(Memo::new(|_| "sandbox".to_owned()));
            let nb = Notebook::new(current, "a.ipynb".into());
            let image = Output::Stream { stderr: false, text: "x".repeat(1 << 20) };
            nb.replace(vec![CellData {
                id: "c1".into(),
                kind: CellKind::Code,
                source: "print('x' * 2**20)".into(),
                count: Some(1),
                outputs: vec![image],
            }]);
            let cell = nb.cells.get_untracked()[0];
            assert_eq!(cell.outputs.with_untracked(Vec::len), 1);
            nb.close();
            assert!(nb.cells.with_untracked(Vec::is_empty));
            assert!(cell.outputs.with_untracked(Vec::is_empty), "the output's megabyte is gone");
            assert!(cell.source.with_untracked(String::is_empty));
            // Closing again changes nothing.
            nb.close();
        });
    }
}
