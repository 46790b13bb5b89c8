//! mjdesk against a deliberately hostile gateway (issue 9): a small HTTP server on loopback
//! that redirects elsewhere, stalls, answers HTML or huge bodies, and writes escape
//! sequences. Every stall is bounded, and each test ends within seconds.

mod cli;
mod client;
mod server;
mod takeover;
mod video;
