//! mjdesk: drive Midjourney through its HTTP gateways from a native desktop app.
//!
//! The engine (gateway clients, simulator, job store, job manager) has no egui types; the
//! window in [`app`] sits on top of it and talks to it through commands and updates.

pub mod actions;
pub mod app;
pub mod appimage;
mod b64;
pub mod cache;
pub mod cli;
pub mod connect;
pub mod dates;
pub mod error;
pub mod export;
pub mod gateway;
pub mod imageio;
pub mod intent;
pub mod job;
pub mod keystore;
pub mod manager;
pub mod mask;
pub mod retry;
pub mod secret;
pub mod sim;
pub mod store;
pub mod textsafe;
pub mod thumbs;
pub mod video;
