//! Files the user picked for upload, with their place in the folder tree they came from:
//! from a file input (`webkitRelativePath` for folder pickers) or from a drop
//! (`webkitGetAsEntry`, walking dropped folders).

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry, FileSystemFileEntry,
};

#[wasm_bindgen]
extern "C" {
    /// A `File` seen with its non-standard (but universal) `webkitRelativePath`.
    #[wasm_bindgen(extends = File)]
    type FileWithPath;

    /// The path of a file below the folder chosen in a `webkitdirectory` input (empty otherwise).
    #[wasm_bindgen(method, getter, js_name = webkitRelativePath)]
    fn webkit_relative_path(this: &FileWithPath) -> String;
}

/// One file to upload and its path relative to the target directory.
pub struct PickedFile {
    /// The file's bytes.
    pub file: File,
    /// `name`, or `folder/sub/name` when it came inside a folder.
    pub relative: String,
}

/// Everything picked: files, and folders that were empty (uploads create the others).
#[derive(Default)]
pub struct Picked {
    /// The files.
    pub files: Vec<PickedFile>,
    /// Empty folders, relative to the target directory.
    pub empty_dirs: Vec<String>,
}

/// The files selected in a file input (a folder picker keeps the tree).
pub fn from_input(files: &web_sys::FileList) -> Picked {
    let files = (0..files.length())
        .filter_map(|i| files.get(i))
        .map(|file| {
            let relative = Some(file.unchecked_ref::<FileWithPath>().webkit_relative_path())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| file.name());
            PickedFile { file, relative }
        })
        .collect();
    Picked { files, empty_dirs: Vec::new() }
}

/// What a drop carries: its entries taken now (the browser empties the list once the event is
/// handled), dropped folders walked to the bottom when the future runs; a browser without
/// entries gives the dropped files' list.
pub fn from_drop_data(data: &DataTransfer) -> impl std::future::Future<Output = Result<Picked, JsValue>> {
    let entries = drop_entries(data);
    let listed = entries.is_empty().then(|| data.files()).flatten().map(|list| from_input(&list));
    async move {
        match listed {
            Some(picked) => Ok(picked),
            None => from_drop(entries).await,
        }
    }
}

/// The entries of a drop. Must be called while the drop event is being handled: the
/// browser empties the list afterwards.
fn drop_entries(data: &DataTransfer) -> Vec<FileSystemEntry> {
    let items = data.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect()
}

/// Awaits a callback-style browser API: `start` gets the resolve and reject functions.
async fn callback_future(
    mut start: impl FnMut(&Function, &Function) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut started = Ok(());
    let promise = Promise::new(&mut |resolve, reject| started = start(&resolve, &reject));
    started?;
    JsFuture::from(promise).await
}

/// The next batch of a directory's entries (empty once all were read).
async fn read_batch(reader: &FileSystemDirectoryReader) -> Result<Vec<FileSystemEntry>, JsValue> {
    let batch = callback_future(|ok, fail| reader.read_entries_with_callback_and_callback(ok, fail)).await?;
    Ok(batch.unchecked_into::<Array>().iter().map(JsCast::unchecked_into).collect())
}

/// The files inside the dropped `entries`, folders walked to the bottom.
async fn from_drop(entries: Vec<FileSystemEntry>) -> Result<Picked, JsValue> {
    let mut picked = Picked::default();
    let mut stack: Vec<(FileSystemEntry, String)> = entries.into_iter().map(|e| (e, String::new())).collect();
    while let Some((entry, prefix)) = stack.pop() {
        let relative = format!("{prefix}{}", entry.name());
        if entry.is_directory() {
            let reader = entry.unchecked_ref::<FileSystemDirectoryEntry>().create_reader();
            let mut empty = true;
            loop {
                let batch = read_batch(&reader).await?;
                if batch.is_empty() {
                    break;
                }
                empty = false;
                stack.extend(batch.into_iter().map(|e| (e, format!("{relative}/"))));
            }
            if empty {
                picked.empty_dirs.push(relative);
            }
        } else {
            let file_entry = entry.unchecked_ref::<FileSystemFileEntry>();
            let file = callback_future(|ok, fail| {
                file_entry.file_with_callback_and_callback(ok, fail);
                Ok(())
            })
            .await?;
            picked.files.push(PickedFile { file: file.unchecked_into(), relative });
        }
    }
    Ok(picked)
}
