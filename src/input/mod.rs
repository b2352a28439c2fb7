//! Everything read from outside, validated before the core sees it: the
//! catalog (CSV and `describe-instance-types` JSON), scenario files, their
//! `[timed]` tables and `[[expect]]` entries, traces, `replay`'s flags,
//! Kubernetes manifests (`manifest`), and standard input (`-`).

pub mod bounds;
pub mod catalog;
pub mod catalog_json;
pub mod delay;
pub mod expect;
pub mod facts;
pub mod manifest;
pub mod node_settings;
pub mod prices;
pub mod quantity;
pub mod recommended;
pub mod replay_flags;
pub mod requests;
pub mod scenario;
pub mod source;
pub mod text;
pub mod timed;
pub mod trace;

pub use text::{utf8, yaml_message};
