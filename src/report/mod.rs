//! Output for people and programs: aligned text tables ([`to_text`], [`sweep_text`],
//! [`compare_text`]), the JSON
//! document of a run ([`to_json`]) and the self-contained HTML report ([`html`]).

mod assumptions;
mod change;
mod compare;
mod crossings;
mod figure;
pub mod html;
mod json;
mod modes;
mod overload;
mod robust;
mod text;

pub use assumptions::plan_text as sweep_assumptions;
pub use compare::compare_text;
pub use json::to_json;
pub use robust::robustness_text;
pub use text::{sweep_text, to_text};
