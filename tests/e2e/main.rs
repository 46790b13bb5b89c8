//! End-to-end tests: the clients, the job manager and the CLI against the simulator over
//! real HTTP on loopback. One test binary (modules below) keeps linking time down.

mod canvas_flows;
mod cli;
mod clients;
mod common;
mod durability;
mod library;
mod masks;
mod restart;
mod video;
