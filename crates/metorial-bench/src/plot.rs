//! SVG line charts of the scale figures (with `plotters`' SVG backend: no font files, the
//! viewer draws the text). A chart is one or more panels side by side, each with a
//! logarithmic x axis and a linear y axis from zero.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

/// One line of a panel.
pub(crate) struct Series {
    /// Its name in the legend.
    pub(crate) name: String,
    /// Its points, `(x, y)`, x above zero.
    pub(crate) points: Vec<(f64, f64)>,
}

/// One chart area: a title, axis labels and lines.
pub(crate) struct Panel {
    /// Over the panel.
    pub(crate) title: String,
    /// Under the x axis (logarithmic).
    pub(crate) x_label: String,
    /// The x axis's base: its labelled lines are its powers.
    pub(crate) x_log_base: f64,
    /// Beside the y axis (linear, from zero).
    pub(crate) y_label: String,
    /// The lines.
    pub(crate) series: Vec<Series>,
}

/// The colors of a panel's lines, in order.
const COLORS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// The size of one panel, in pixels.
const PANEL: (u32, u32) = (640, 420);

/// An error of drawing or of writing the file.
pub(crate) type PlotError = Box<dyn std::error::Error>;

/// Draws `panels` side by side into the SVG file `path`.
pub(crate) fn write_svg(path: &Path, panels: &[Panel]) -> Result<(), PlotError> {
    let columns = u32::try_from(panels.len().max(1))?;
    let root = SVGBackend::new(path, (PANEL.0 * columns, PANEL.1)).into_drawing_area();
    root.fill(&WHITE)?;
    let areas = root.split_evenly((1, panels.len().max(1)));
    for (area, panel) in areas.iter().zip(panels) {
        draw_panel(area, panel)?;
    }
    root.present()?;
    Ok(())
}

/// Draws one panel: the mesh, each series with its points, and the legend.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let (x_range, y_top) = bounds(&panel.series);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range.log_scale().base(panel.x_log_base), 0.0..y_top)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .light_line_style(RGBColor(238, 238, 238))
        .x_label_formatter(&|x| short_count(*x))
        .y_label_formatter(&|y| short_count(*y))
        .draw()?;
    for (series, color) in panel.series.iter().zip(COLORS.iter().cycle()) {
        let color = *color;
        chart
            .draw_series(
                LineSeries::new(series.points.iter().copied(), color.stroke_width(2)).point_size(3),
            )?
            .label(series.name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// The x range spanning every point (a little wider, never empty) and the y axis's top (15%
/// above the highest point).
fn bounds(series: &[Series]) -> (std::ops::Range<f64>, f64) {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let x_min = points().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = points().map(|p| p.0).fold(0.0, f64::max);
    let y_max = points().map(|p| p.1).fold(0.0, f64::max);
    if !x_min.is_finite() || x_min <= 0.0 {
        return (1.0..10.0, 1.0);
    }
    let y_top = if y_max > 0.0 { y_max * 1.15 } else { 1.0 };
    (x_min / 1.25..(x_max * 1.25).max(x_min * 2.0), y_top)
}

/// `1500` as `1.5k`, `1000000` as `1M`, small numbers as they are (at most one decimal).
pub(crate) fn short_count(x: f64) -> String {
    let (value, suffix) = match x.abs() {
        a if a >= 1e6 => (x / 1e6, "M"),
        a if a >= 1e3 => (x / 1e3, "k"),
        _ => (x, ""),
    };
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}{suffix}")
    } else {
        format!("{rounded:.1}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_short() {
        assert_eq!(short_count(1_000_000.0), "1M");
        assert_eq!(short_count(100_000.0), "100k");
        assert_eq!(short_count(1_500.0), "1.5k");
        assert_eq!(short_count(64.0), "64");
        assert_eq!(short_count(2.25), "2.3");
    }

    #[test]
    fn a_chart_is_written_as_svg() {
        let dir = std::env::temp_dir().join(format!("metorial-bench-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("chart.svg");
        let panel = Panel {
            title: "t".into(),
            x_label: "x".into(),
            x_log_base: 10.0,
            y_label: "y".into(),
            series: vec![Series {
                name: "line".into(),
                points: vec![(1.0, 2.0), (10.0, 3.0), (100.0, 1.0)],
            }],
        };
        write_svg(&path, &[panel]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("polyline"), "{svg}");
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|text| text.split_once('>')?.1.split_once("</text>"))
            .map(|(inner, _)| inner.trim())
            .collect();
        assert!(
            texts.contains(&"line"),
            "the legend names the line: {texts:?}"
        );
        assert!(texts.contains(&"t"), "the panel has its title: {texts:?}");
    }
}
