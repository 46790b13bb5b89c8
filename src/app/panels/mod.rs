//! The window's panels, one file each. A panel owns its state, reads what it shows from the
//! window's shared state, and asks for everything else with a [`super::command::UiCommand`].

pub mod animate;
pub mod blend;
pub mod clips;
pub mod collections;
pub mod describe;
pub mod export_bar;
pub mod filters;
pub mod job_view;
pub mod jobs;
pub mod palette;
pub mod prompt;
pub mod prompt_params;
pub mod prompt_refs;
pub mod prompt_syntax;
pub mod settings;
pub mod status_bar;
pub mod viewer;
