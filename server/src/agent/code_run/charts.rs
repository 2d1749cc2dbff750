//! Chart artifacts in code-run output: the Python wrapper prints one line per matplotlib
//! figure, `dtn_artifact_k39fd2:{"type":"chart","value":CHART}`. The daemon takes these lines
//! out of the output and returns the charts typed.

use daytona_models::Chart;
use serde_json::Value;

/// Prefix of an artifact line.
pub const MARKER: &str = "dtn_artifact_k39fd2:";

/// Splits `output` into the output without artifact lines and the charts they carried
/// (artifacts that are not valid charts are dropped).
pub fn extract(output: &str) -> (String, Vec<Chart>) {
    let mut rest = String::with_capacity(output.len());
    let mut charts = Vec::new();
    for line in output.split_inclusive('\n') {
        match line.find(MARKER) {
            Some(at) => {
                // Output printed without a newline before the figure stays in the result.
                rest.push_str(&line[..at]);
                match parse(line[at + MARKER.len()..].trim_end()) {
                    Some(chart) => charts.push(chart),
                    None => tracing::debug!("ignoring an artifact line that is not a chart"),
                }
            }
            None => rest.push_str(line),
        }
    }
    (rest, charts)
}

fn parse(json: &str) -> Option<Chart> {
    let mut artifact: Value = serde_json::from_str(json).ok()?;
    if artifact.get("type")? != "chart" {
        return None;
    }
    let mut chart = artifact.get_mut("value")?.take();
    stringify_values(&mut chart);
    serde_json::from_value(chart).ok()
}

/// Bar values are strings on the wire, but the runtime prints numbers: converts them, in
/// sub-charts too.
fn stringify_values(chart: &mut Value) {
    let Some(elements) = chart.get_mut("elements").and_then(Value::as_array_mut) else { return };
    for element in elements {
        if let Some(n) = element.get("value").and_then(Value::as_f64) {
            let text = if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() };
            element["value"] = Value::String(text);
        }
        stringify_values(element);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_taken_out_and_charts_typed() {
        let bar = r#"{"type":"chart","value":{"type":"bar","title":"T","elements":[{"label":"a","group":"g","value":3.0},{"label":"b","value":2.5}],"png":"AAA"}}"#;
        let composite = r#"{"type":"chart","value":{"type":"composite_chart","elements":[{"type":"line","title":"s","x_ticks":[1,2],"elements":[{"label":"l","points":[[1,2],[3,4]]}]}]}}"#;
        let output = format!("before\n{MARKER}{bar}\npartial{MARKER}{composite}\n{MARKER}not json\nafter\n");
        let (rest, charts) = extract(&output);
        assert_eq!(rest, "before\npartialafter\n");
        assert_eq!(charts.len(), 2);
        let elements = charts[0].elements.as_ref().unwrap();
        assert_eq!(charts[0].kind.as_deref(), Some("bar"));
        assert_eq!(elements[0].value.as_deref(), Some("3"));
        assert_eq!(elements[1].value.as_deref(), Some("2.5"));
        let sub = &charts[1].elements.as_ref().unwrap()[0];
        assert_eq!(sub.chart.kind.as_deref(), Some("line"));
        assert_eq!(sub.chart.x_ticks, Some(vec![1.0, 2.0]));
        assert_eq!(sub.chart.elements.as_ref().unwrap()[0].points, Some(vec![vec![1.0, 2.0], vec![3.0, 4.0]]));
    }
}
