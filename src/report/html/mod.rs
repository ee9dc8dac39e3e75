//! The self-contained HTML report: one offline file with inline CSS and inline SVG charts, no
//! scripts and no external resources.
//!
//! Two sources fill the same [`ReportData`]: a sweep output directory ([`load_dir`]: manifest,
//! summary and the detail files of replication 0 of each point) and a single run in memory
//! ([`from_run`]). [`render`] turns it into the page.

mod badge;
mod captions;
mod chart;
mod contexts;
mod crossings;
mod data;
mod figures;
mod hourly;
mod page;
mod robust;
mod sections;

pub use crate::kpi::{CheckpointInfo, Quantiles, Sample, StageInfo};
pub use chart::PLOT_BG;
pub use contexts::Context;
pub use data::{Point, ReportData, from_run, load_dir};
pub use page::{CHARTS_PER_CHECKPOINT, charted_checkpoints, render};

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}
