//! A notebook's cells as data, and their `.ipynb` form (nbformat 4.5, as Jupyter reads it).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// Code or Markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// Python run in the notebook's context.
    Code,
    /// Text rendered as Markdown.
    Markdown,
}

/// One output of a code cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Text on stdout or stderr.
    Stream {
        /// Whether it came on stderr.
        stderr: bool,
        /// The text.
        text: String,
    },
    /// An exception.
    Error {
        /// Its class.
        name: String,
        /// Its message.
        value: String,
        /// The formatted traceback.
        traceback: String,
    },
    /// A result (`execute_result`) or a display (`display_data`): a MIME bundle.
    Rich {
        /// The value of the cell's last expression (else a display).
        result: bool,
        /// MIME type → content (images base64, JSON as text).
        data: BTreeMap<String, String>,
        /// The display id, for updates.
        display_id: Option<String>,
    },
}

impl Output {
    /// Appends `text` of a stream to `outputs`, merged into the last output if it is the
    /// same stream (as Jupyter shows it).
    pub fn push_stream(outputs: &mut Vec<Output>, stderr: bool, text: &str) {
        if let Some(Output::Stream { stderr: last, text: existing }) = outputs.last_mut() {
            if *last == stderr {
                existing.push_str(text);
                return;
            }
        }
        outputs.push(Output::Stream { stderr, text: text.to_owned() });
    }
}

/// A cell as saved.
#[derive(Clone, Debug, PartialEq)]
pub struct CellData {
    /// nbformat cell id (`[A-Za-z0-9_-]{1,64}`).
    pub id: String,
    /// Code or Markdown.
    pub kind: CellKind,
    /// Its source.
    pub source: String,
    /// Its execution count (code cells that ran).
    pub count: Option<u64>,
    /// Its outputs (code cells).
    pub outputs: Vec<Output>,
}

/// nbformat splits text into lines that keep their newline.
fn lines(text: &str) -> Value {
    Value::Array(text.split_inclusive('\n').map(|l| Value::String(l.to_owned())).collect())
}

/// Text that nbformat gives as a string or a list of strings.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

fn mime_bundle(data: &BTreeMap<String, String>) -> Value {
    let mut out = Map::new();
    for (mime, content) in data {
        let value = if mime == "application/json" {
            serde_json::from_str(content).unwrap_or_else(|_| Value::String(content.clone()))
        } else if mime.starts_with("image/") && mime != "image/svg+xml" {
            Value::String(content.clone())
        } else {
            lines(content)
        };
        out.insert(mime.clone(), value);
    }
    Value::Object(out)
}

fn read_bundle(v: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(data)) = v else { return BTreeMap::new() };
    data.iter()
        .map(|(mime, value)| {
            let content = match value {
                Value::String(_) | Value::Array(_) if mime != "application/json" => {
                    let t = text(Some(value));
                    // Base64 images may be wrapped over lines.
                    if mime.starts_with("image/") && mime != "image/svg+xml" {
                        t.split_whitespace().collect()
                    } else {
                        t
                    }
                }
                other => other.to_string(),
            };
            (mime.clone(), content)
        })
        .collect()
}

/// The notebook as `.ipynb` JSON (nbformat 4.5).
pub fn to_ipynb(cells: &[CellData]) -> String {
    let cells: Vec<Value> = cells
        .iter()
        .map(|cell| match cell.kind {
            CellKind::Markdown => json!({
                "cell_type": "markdown",
                "id": cell.id,
                "metadata": {},
                "source": lines(&cell.source),
            }),
            CellKind::Code => json!({
                "cell_type": "code",
                "id": cell.id,
                "metadata": {},
                "execution_count": cell.count,
                "source": lines(&cell.source),
                "outputs": cell.outputs.iter().map(|o| output_json(o, cell.count)).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let notebook = json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": { "name": "python3", "display_name": "Python 3", "language": "python" },
            "language_info": { "name": "python" },
        },
        "cells": cells,
    });
    serde_json::to_string_pretty(&notebook).unwrap_or_default()
}

fn output_json(output: &Output, count: Option<u64>) -> Value {
    match output {
        Output::Stream { stderr, text } => json!({
            "output_type": "stream",
            "name": if *stderr { "stderr" } else { "stdout" },
            "text": lines(text),
        }),
        Output::Error { name, value, traceback } => json!({
            "output_type": "error",
            "ename": name,
            "evalue": value,
            "traceback": traceback.lines().collect::<Vec<_>>(),
        }),
        Output::Rich { result: true, data, .. } => json!({
            "output_type": "execute_result",
            "execution_count": count,
            "data": mime_bundle(data),
            "metadata": {},
        }),
        Output::Rich { result: false, data, display_id } => {
            let mut out = json!({ "output_type": "display_data", "data": mime_bundle(data), "metadata": {} });
            if let Some(id) = display_id {
                out["transient"] = json!({ "display_id": id });
            }
            out
        }
    }
}

/// The cells of `.ipynb` JSON (nbformat 4); `new_id` names cells that have no id.
pub fn from_ipynb(source: &str, mut new_id: impl FnMut() -> String) -> Result<Vec<CellData>, String> {
    let notebook: Value = serde_json::from_str(source).map_err(|e| format!("not a notebook: {e}"))?;
    if notebook["nbformat"].as_u64() != Some(4) {
        return Err("only nbformat 4 notebooks can be opened".into());
    }
    let Some(cells) = notebook["cells"].as_array() else {
        return Err("the notebook has no cells list".into());
    };
    Ok(cells
        .iter()
        .filter_map(|cell| {
            let kind = match cell["cell_type"].as_str()? {
                "code" => CellKind::Code,
                // Raw cells are kept as text to edit.
                _ => CellKind::Markdown,
            };
            let id = cell["id"].as_str().map(str::to_owned).filter(|i| valid_id(i)).unwrap_or_else(&mut new_id);
            let outputs =
                cell["outputs"].as_array().map(|o| o.iter().filter_map(read_output).collect()).unwrap_or_default();
            Some(CellData {
                id,
                kind,
                source: text(cell.get("source")),
                count: cell["execution_count"].as_u64(),
                outputs,
            })
        })
        .collect())
}

fn read_output(o: &Value) -> Option<Output> {
    Some(match o["output_type"].as_str()? {
        "stream" => Output::Stream { stderr: o["name"] == "stderr", text: text(o.get("text")) },
        "error" => Output::Error {
            name: o["ename"].as_str().unwrap_or_default().to_owned(),
            value: o["evalue"].as_str().unwrap_or_default().to_owned(),
            traceback: o["traceback"]
                .as_array()
                .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"))
                .unwrap_or_default(),
        },
        kind @ ("execute_result" | "display_data") => Output::Rich {
            result: kind == "execute_result",
            data: read_bundle(o.get("data")),
            display_id: o["transient"]["display_id"].as_str().map(str::to_owned),
        },
        _ => return None,
    })
}

/// Whether `id` is a valid nbformat 4.5 cell id.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<CellData> {
        vec![
            CellData {
                id: "intro".into(),
                kind: CellKind::Markdown,
                source: "# Title\n\nSome *text*.".into(),
                count: None,
                outputs: vec![],
            },
            CellData {
                id: "c-1".into(),
                kind: CellKind::Code,
                source: "print('hi')\n1 + 1".into(),
                count: Some(3),
                outputs: vec![
                    Output::Stream { stderr: false, text: "hi\n".into() },
                    Output::Stream { stderr: true, text: "warn\n".into() },
                    Output::Rich {
                        result: false,
                        data: [("image/png", "iVBORw0KGgo="), ("text/plain", "<Figure>")]
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect(),
                        display_id: Some("d1".into()),
                    },
                    Output::Rich {
                        result: true,
                        data: [("text/plain", "2"), ("application/json", "{\"a\":1}")]
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect(),
                        display_id: None,
                    },
                    Output::Error {
                        name: "ValueError".into(),
                        value: "bad".into(),
                        traceback: "Traceback (most recent call last):\n  line 1\nValueError: bad".into(),
                    },
                ],
            },
            CellData { id: "empty".into(), kind: CellKind::Code, source: String::new(), count: None, outputs: vec![] },
        ]
    }

    #[test]
    fn a_notebook_survives_saving_and_opening() {
        let cells = sample();
        let saved = to_ipynb(&cells);
        let back = from_ipynb(&saved, || unreachable!("every cell has an id")).unwrap();
        assert_eq!(back, cells);
    }

    #[test]
    fn the_file_is_nbformat_4_5() {
        let saved: Value = serde_json::from_str(&to_ipynb(&sample())).unwrap();
        assert_eq!((saved["nbformat"].as_u64(), saved["nbformat_minor"].as_u64()), (Some(4), Some(5)));
        let code = &saved["cells"][1];
        assert_eq!(code["source"], json!(["print('hi')\n", "1 + 1"]));
        assert_eq!(code["outputs"][3]["execution_count"], 3);
        assert_eq!(code["outputs"][3]["data"]["application/json"], json!({"a": 1}), "JSON stays JSON");
        assert_eq!(code["outputs"][2]["data"]["image/png"], "iVBORw0KGgo=", "images stay one string");
        assert!(saved["cells"].as_array().unwrap().iter().all(|c| c["id"].is_string() && c["metadata"].is_object()));
    }

    #[test]
    fn jupyters_own_shapes_are_read() {
        let jupyter = r#"{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": null, "source": "x = 1",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"image/png": "iVBOR\nw0KGgo=\n", "text/plain": ["<Figure ", "size>"]}}]},
            {"cell_type": "raw", "metadata": {}, "source": ["raw ", "text"]}]}"#;
        let mut n = 0;
        let cells = from_ipynb(jupyter, || {
            n += 1;
            format!("new-{n}")
        })
        .unwrap();
        assert_eq!(cells[0].id, "new-1", "nbformat 4.4 cells have no id");
        assert_eq!(cells[1].kind, CellKind::Markdown);
        assert_eq!(cells[1].source, "raw text");
        match &cells[0].outputs[0] {
            Output::Rich { data, .. } => {
                assert_eq!(data["image/png"], "iVBORw0KGgo=");
                assert_eq!(data["text/plain"], "<Figure size>");
            }
            other => panic!("{other:?}"),
        }
        assert!(from_ipynb("{\"nbformat\": 3}", String::new).is_err());
        assert!(from_ipynb("not json", String::new).is_err());
    }

    #[test]
    fn streams_merge_like_jupyters() {
        let mut outputs = vec![];
        Output::push_stream(&mut outputs, false, "a");
        Output::push_stream(&mut outputs, false, "b\n");
        Output::push_stream(&mut outputs, true, "e");
        Output::push_stream(&mut outputs, false, "c");
        assert_eq!(
            outputs,
            vec![
                Output::Stream { stderr: false, text: "ab\n".into() },
                Output::Stream { stderr: true, text: "e".into() },
                Output::Stream { stderr: false, text: "c".into() },
            ]
        );
    }
}
