//! Text files in the sandbox: written whole from a string, read from a downloaded blob (the
//! file editor, the viewer and the notebook share these).

use daytona_wasm::{DaytonaError, FileSystem};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// Writes `text` to `path` (replacing the file).
pub async fn write_text(fs: &FileSystem, path: &str, text: &str) -> Result<(), DaytonaError> {
    let blob = Blob::new_with_str_sequence(&js_sys::Array::of1(&JsValue::from_str(text)))
        .map_err(|e| DaytonaError::InvalidArgument(format!("{e:?}")))?;
    fs.upload_file(&blob, path, &Default::default()).await
}

/// The text of `blob` (UTF-8, invalid bytes replaced).
pub async fn blob_text(blob: &Blob) -> Result<String, DaytonaError> {
    let text = JsFuture::from(blob.text()).await.map_err(|e| DaytonaError::Decode(format!("{e:?}")))?;
    Ok(text.as_string().unwrap_or_default())
}

/// The text of `blob` if it is valid UTF-8 (a byte-order mark kept as U+FEFF, so that a save
/// writes it back); `None` otherwise, so that nothing edits and re-encodes it lossily.
pub async fn blob_utf8(blob: &Blob) -> Result<Option<String>, DaytonaError> {
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| DaytonaError::Decode(format!("{e:?}")))?;
    Ok(String::from_utf8(js_sys::Uint8Array::new(&buffer).to_vec()).ok())
}
