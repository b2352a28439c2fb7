//! Output adapters: each turns the same plain records into bytes. The caller
//! owns paths; [`write_atomic`] writes a file whole or not at all.

pub mod csv;
pub mod directory;
pub mod file;
pub mod format;
pub mod listing;
pub mod read;
pub mod recommend;
pub mod records;
pub mod row;
pub mod run_json;
pub mod table;
pub mod timed;
pub mod trial;

pub use file::{ensure_dir, write_atomic};
pub use format::{json, num};
pub use row::{Row, rows};
