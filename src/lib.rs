//! sgpsim: if Security Groups for Pods (SGP) pods and ordinary pods share EKS
//! nodes, which kubelet `maxPods` keeps every pod starting, and what does it
//! waste?
//!
//! A node has three limits that nobody counts together: `maxPods` slots
//! (counted by the scheduler), branch ENIs for SG pods (counted by the
//! scheduler as `vpc.amazonaws.com/pod-eni`) and the ENI IP pool for ordinary
//! pods (counted by nobody but the CNI). sgpsim replays arrival orders of a
//! workload onto nodes and measures pods left without an IP, wasted IPs and
//! stranded slots, per instance type and maxPods formula.
//!
//! The data flows one way, through four layers:
//! [`input`] (files read and validated into cells) → [`runner`] (the only
//! place with threads) → the pure core, [`model`] (MODEL.md §2–7) and
//! [`timed`] (§8–9) → [`output`], [`chart`], [`report`], [`check`] and
//! [`deploy`]. [`cli`] is a thin layer of one file per subcommand.
//!
//! ```
//! use sgpsim::{input::catalog::Catalog, input::scenario::Scenario, runner};
//!
//! let toml = r#"
//!     instance_types = ["m5.xlarge"]
//!     formulas = ["aws-default"]
//!     orders = ["ip-first"]
//!     system_pods = { host = 3 }
//!     workload = { fill = "seed" }
//! "#;
//! let sc = Scenario::from_toml(toml, "example", &Catalog::bundled()).unwrap();
//! let cells = sc.cells().unwrap();
//! let result = runner::sweep::run(&cells, sc.seed, false);
//! // 42 IPs with the trunk: the 43rd IP pod gets none (MODEL.md §10).
//! assert_eq!(result.summaries[0].first_ip_failure_min, Some(43));
//! ```

pub mod audit;
pub mod chart;
pub mod check;
pub mod cli;
pub mod deploy;
pub mod error;
pub mod input;
pub mod model;
pub mod output;
pub mod recommend;
pub mod report;
pub mod results;
pub mod runner;
pub mod shard;
pub mod timed;
