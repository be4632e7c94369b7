//! Bar charts drawn on the server as SVG: the geometry here, the markup in
//! `templates/admin/analytics/chart.html`. Each bar carries its label and value as a tooltip,
//! the chart a title and a summary for screen readers, and every chart has its table beside it.

use serde::Serialize;

/// The drawing area, in SVG user units; the chart scales to the page's width.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
/// Room for the value axis on the left and the labels below.
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 8.0;
/// At most this many labels under the bars; the others are in the bars' tooltips and the table.
const MAX_LABELS: usize = 12;

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
    pub grid: Vec<Gridline>,
    /// The baseline's height.
    pub base: f64,
    pub left: f64,
    /// The largest value and its label, for the summary.
    pub max: i64,
    pub max_label: String,
    pub total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The label's position below the bar, when it is one of those shown.
    pub label_x: Option<f64>,
    pub label: String,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gridline {
    pub y: f64,
    pub value: i64,
}

/// A chart of `points` (label, value), in order.
pub fn bars(points: &[(String, i64)]) -> Chart {
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(0);
    let top = nice_ceiling(max);
    let base = HEIGHT - BOTTOM;
    let plot = base - TOP;
    let slot = (WIDTH - LEFT) / points.len().max(1) as f64;
    let gap = (slot * 0.2).min(6.0);
    let every = points.len().div_ceil(MAX_LABELS).max(1);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let height = if top > 0 { (*value).max(0) as f64 / top as f64 * plot } else { 0.0 };
            let x = LEFT + i as f64 * slot + gap / 2.0;
            Bar {
                x: round(x),
                y: round(base - height),
                width: round(slot - gap),
                height: round(height),
                label_x: (i % every == 0).then(|| round(x + (slot - gap) / 2.0)),
                label: label.clone(),
                value: *value,
            }
        })
        .collect();
    let grid = (0..=4)
        .map(|i| {
            let value = top * i / 4;
            Gridline { y: round(base - plot * i as f64 / 4.0), value }
        })
        .collect();
    let max_label = points.iter().find(|(_, v)| *v == max).map(|(l, _)| l.clone()).unwrap_or_default();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        bars,
        grid,
        base,
        left: LEFT,
        max,
        max_label,
        total: points.iter().map(|(_, v)| v).sum(),
    }
}

/// The axis's top: `max` rounded up to 1, 2 or 5 times a power of ten, divisible by 4 for the
/// gridlines where it can be.
fn nice_ceiling(max: i64) -> i64 {
    if max <= 4 {
        return 4;
    }
    let mut step = 1i64;
    loop {
        for factor in [1, 2, 5] {
            let top = step * factor * 4;
            if top >= max {
                return top;
            }
        }
        step *= 10;
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_axis_and_label_a_few() {
        let points: Vec<(String, i64)> = (0..30).map(|i| (format!("d{i}"), i * 10)).collect();
        let chart = bars(&points);
        assert_eq!(chart.max, 290);
        assert_eq!(chart.grid.last().unwrap().value, 400, "the axis ends at a round number");
        assert_eq!(chart.bars[0].height, 0.0);
        assert!(chart.bars[29].height > chart.bars[28].height);
        assert!(chart.bars.iter().filter(|b| b.label_x.is_some()).count() <= MAX_LABELS);
        assert!(chart.bars.iter().all(|b| b.x >= LEFT && b.x + b.width <= WIDTH + 0.1));
        assert_eq!(chart.total, (0..30).map(|i| i * 10).sum::<i64>());
        let empty = bars(&[("a".into(), 0)]);
        assert_eq!(empty.bars[0].height, 0.0, "nothing counted draws no bar and divides by nothing");
        assert_eq!(nice_ceiling(7), 8);
        assert_eq!(nice_ceiling(1_234), 2_000);
    }
}
