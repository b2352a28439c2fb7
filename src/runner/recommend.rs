//! The runs behind `sgpsim recommend`: every type's answer, and the
//! cluster checks (`--model rollout` or a scenario), on the current pool.

use rayon::prelude::*;

use crate::error::InputError;
use crate::input::prices::Prices;
use crate::input::scenario::Scenario;
use crate::model::instance::InstanceType;
use crate::recommend::{self, Answer, ClusterCheck, Question};

/// Every type's answers, in type then share order.
pub fn answers(types: &[&InstanceType], q: &Question, prices: &Prices) -> Vec<Answer> {
    types
        .par_iter()
        .flat_map_iter(|t| recommend::answer(&[t], q, prices))
        .collect()
}

/// `--model rollout`: each answer's checks on whole rollouts.
pub fn rollouts(
    types: &[&InstanceType],
    answers: &[Answer],
    q: &Question,
    trials: u32,
    seed: u64,
) -> Vec<Vec<ClusterCheck>> {
    answers
        .iter()
        .map(|a| {
            let t = types
                .iter()
                .find(|t| t.name == a.instance_type)
                .expect("answers come from the types");
            let (cells, values) = recommend::rollout_cells(t, a, q, trials);
            let result = crate::runner::sweep::run(&cells, seed, false);
            let rows = cells
                .iter()
                .zip(result.summaries)
                .map(|(c, s)| (c.cluster.node.max_pods, c.counts, s));
            recommend::checks("rollout", &values, rows)
        })
        .collect()
}

/// `--model SCENARIO`: each answer's checks in the scenario (static or timed).
pub fn in_scenario(
    types: &[&InstanceType],
    answers: &[Answer],
    sc: &Scenario,
) -> Result<Vec<Vec<ClusterCheck>>, InputError> {
    answers
        .iter()
        .map(|a| {
            let t = types
                .iter()
                .find(|t| t.name == a.instance_type)
                .expect("answers come from the types");
            let (sc, values) = recommend::scenario_for(t, a, sc)?;
            let rows: Vec<_> = match sc.timed.clone() {
                None => {
                    let cells = sc.cells()?;
                    let result = crate::runner::sweep::run(&cells, sc.seed, false);
                    cells
                        .iter()
                        .zip(result.summaries)
                        .map(|(c, s)| (c.cluster.node.max_pods, c.counts, s))
                        .collect()
                }
                Some(timed) => {
                    let cells = crate::input::scenario::timed_cells(&sc, &timed, None)?;
                    let result = crate::runner::timed::run(&cells, &timed, sc.seed, None, false);
                    cells
                        .iter()
                        .zip(result.cells)
                        .map(|(tc, cr)| (tc.cell.cluster.node.max_pods, tc.cell.counts, cr.summary))
                        .collect()
                }
            };
            Ok(recommend::checks(&sc.name, &values, rows))
        })
        .collect()
}
