//! Output for people and programs: aligned text tables ([`to_text`], [`sweep_text`]), the JSON
//! document of a run ([`to_json`]) and the self-contained HTML report ([`html`]).

mod figure;
pub mod html;
mod json;
mod overload;
mod text;

pub use json::to_json;
pub use text::{sweep_text, to_text};
