//! Matplotlib figures of `POST /process/code-run` as Daytona's typed charts (line, scatter,
//! bar, pie, box-and-whisker, composite).

use serde::{Deserialize, Serialize};

/// A matplotlib figure found by `POST /process/code-run` (`Chart`). Fields are snake_case on
/// the wire, unlike the rest of the toolbox API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Chart {
    /// `line`, `scatter`, `bar`, `pie`, `box_and_whisker`, `composite_chart` or `unknown`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub kind: Option<String>,
    /// Title (the axes title, else the figure's suptitle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub title: Option<String>,
    /// The rendered figure, base64-encoded PNG (top-level charts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub png: Option<String>,
    /// Label of the x axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub x_label: Option<String>,
    /// Label of the y axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub y_label: Option<String>,
    /// Tick positions on the x axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub x_ticks: Option<Vec<f64>>,
    /// Tick labels on the x axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub x_tick_labels: Option<Vec<String>>,
    /// Scale of the x axis (`linear`, `log`, `categorical`, `datetime`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub x_scale: Option<String>,
    /// Tick positions on the y axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub y_ticks: Option<Vec<f64>>,
    /// Tick labels on the y axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub y_tick_labels: Option<Vec<String>>,
    /// Scale of the y axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub y_scale: Option<String>,
    /// Data of the chart; for a `composite_chart`, its sub-charts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub elements: Option<Vec<ChartElement>>,
}

/// One element of a [`Chart`] (`ChartElement`): a data series, bar, wedge or box, or, inside a
/// `composite_chart`, a whole sub-chart (then the flattened [`Chart`] fields are set).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ChartElement {
    /// Series, bar category, wedge or box label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub label: Option<String>,
    /// `[x, y]` points of a line or scatter series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub points: Option<Vec<Vec<f64>>>,
    /// Value of a bar (a string on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub value: Option<String>,
    /// Bar group (the bar series' label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub group: Option<String>,
    /// Angle of a pie wedge, in degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub angle: Option<f64>,
    /// Radius of a pie wedge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub radius: Option<f64>,
    /// Lower whisker of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub min: Option<f64>,
    /// First quartile of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub first_quartile: Option<f64>,
    /// Median of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub median: Option<f64>,
    /// Third quartile of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub third_quartile: Option<f64>,
    /// Upper whisker of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub max: Option<f64>,
    /// Outliers of a box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub outliers: Option<Vec<f64>>,
    /// Sub-chart fields (`type`, `title`, axes, `elements`, …) of a composite chart's element.
    #[serde(flatten)]
    pub chart: Chart,
}
